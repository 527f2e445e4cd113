"""LMS "download all submissions" zips (Canvas, Moodle) as ordinary ``(student, lesson)`` submissions.

This module only decides what each zip member *is*; :func:`grader.submissions.discover` still
reads the members through its own safe path. Naming conventions, as the LMSs write them:

**Canvas** (``lib/content_zipper.rb`` of instructure/canvas-lms, ``get_filename`` and
``add_upload_submission``): ``<name>[_LATE]_<user_id>_<attachment_id>_<filename>`` where ``<name>``
is the user's sortable name ("Last, First") downcased with every non-word character removed
(``sanitize_file_name``: ``gsub(/[^[[:word:]]]/, "")``, so non-ASCII letters stay), ``LATE`` marks
a late submission, ``<user_id>`` is ``anon_<id>`` under anonymous grading. A file uploaded again
under the same name gets a ``-N`` suffix before the extension (``Attachment.make_unique_filename``;
also described in TimHanneman/Canvas_submission_sort, ``sub_name.awk``). Of two files of one
student for one lesson the one with the larger attachment id (the later upload) wins.

**Moodle** (``mod/assign/classes/downloader.php`` of moodle/moodle, ``get_student_prefix`` and
``load_submissionplugin_filelist``): the prefix is ``<Full name>_<participant id>`` (underscores
in the name become spaces, ``clean_filename``; "Participant" under blind marking), then either
``<prefix>_assignsubmission_file_<filename>`` (one folder for all) or, with "download as
folders" (the default since Moodle 3.1), ``<prefix>_assignsubmission_file/<path>/<filename>``.
Moodle's names carry no late marker. Duplicates are resolved by the member's timestamp.

``--roster ROSTER.csv`` (columns ``student_id`` and any of ``canvas_user_id``, ``moodle_participant_id``,
``name``, ``sortable_name``, ``sis_user_id``, ``sis_login_id``, ``section``, ``email``; ``first_name``,
``last_name`` for ``grader export``) maps LMS ids, then
names, to the course's student ids; with a roster, a file of someone not in it is reported by
name, never guessed. Without a roster the LMS id (``canvas-<id>``, ``moodle-<id>``) is the student id.
"""
from __future__ import annotations

import contextvars
import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["ROSTER", "Roster", "LmsEntry", "LmsPlan", "load_roster", "parse_canvas", "parse_moodle", "plan",
           "lesson_of", "late_submissions", "add_autograde_arguments", "use_roster"]

ROSTER: contextvars.ContextVar = contextvars.ContextVar("bw_lms_roster", default=None)

_CANVAS = re.compile(r"^(?:(?P<name>[^/]*?)_)??(?P<late>LATE_)?(?P<uid>anon_[A-Za-z0-9]+|\d+)_(?P<aid>\d+)_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>[^/]+)_(?P<pid>\d+)_assignsubmission_file(?:_(?P<flat>[^/]+)|/(?P<path>.+))$")
_COPY = re.compile(r"(?:-\d+| \(\d+\)|_\d+)$")


@dataclass(frozen=True)
class LmsEntry:
    lms: str               # "canvas" or "moodle"
    member: str            # the zip member's name
    lms_id: str            # Canvas user id / Moodle participant id
    name: str              # the name as the LMS wrote it
    filename: str          # the student's own file name
    late: bool | None      # None: the LMS does not say (Moodle)
    order: tuple           # larger = later


@dataclass(frozen=True)
class Roster:
    rows: tuple            # dicts

    def match(self, e: LmsEntry) -> str | None:
        idcol = "canvas_user_id" if e.lms == "canvas" else "moodle_participant_id"
        for r in self.rows:
            if (r.get(idcol) or "").strip() == e.lms_id:
                return r["student_id"]
        want = _canvas_name(e.name) if e.lms == "canvas" else _fold(e.name)
        hits = {r["student_id"] for r in self.rows for col in ("sortable_name", "name")
                if r.get(col) and (_canvas_name(r[col]) if e.lms == "canvas" else _fold(r[col])) == want}
        return hits.pop() if len(hits) == 1 else None


def _fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name.replace("_", " ")).casefold().split())


def _canvas_name(name: str) -> str:
    """A name as Canvas writes it into file names: downcased, only word characters."""
    return re.sub(r"[^\w]", "", unicodedata.normalize("NFC", name).lower())


def load_roster(path: Path) -> Roster:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if "student_id" not in (reader.fieldnames or []):
            raise ValueError(f"--roster: {path} needs a student_id column (found: {', '.join(reader.fieldnames or [])})")
        rows = tuple({k: (v or "").strip() for k, v in row.items() if k} for row in reader)
    bad = [r["student_id"] for r in rows if not r["student_id"]]
    if bad:
        raise ValueError(f"--roster: {path} has {len(bad)} row(s) with an empty student_id")
    return Roster(rows)


def _name_of(info) -> str:
    """The member name; a name stored without the UTF-8 flag (cp437) is decoded as UTF-8 when it is."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def parse_canvas(name: str, order_hint=()) -> LmsEntry | None:
    m = _CANVAS.match(name)
    if not m or "/" in name:
        return None
    uid = m.group("uid")
    return LmsEntry("canvas", name, uid, m.group("name") or "", m.group("file"), bool(m.group("late")),
                    (int(m.group("aid")), *order_hint))


def parse_moodle(name: str, order_hint=()) -> LmsEntry | None:
    m = _MOODLE.match(name)
    if not m:
        return None
    filename = m.group("flat") or PurePosixPath(m.group("path")).name
    return LmsEntry("moodle", name, m.group("pid"), m.group("name"), filename, None, tuple(order_hint))


def lesson_of(filename: str, lessons: set[str]) -> str | None:
    """The lesson of a student's file name (``01_forward_propagation-1.ipynb``, ``... (2).ipynb``)."""
    if not filename.endswith(".ipynb"):
        return None
    stem = filename[: -len(".ipynb")]
    for cand in (stem, _COPY.sub("", stem)):
        if cand in lessons:
            return cand
    hits = [lesson for lesson in lessons if lesson in stem]
    return hits[0] if len(hits) == 1 else None


@dataclass(frozen=True)
class LmsPlan:
    """What every member of an LMS zip is: ``classify(info) -> (student, lesson, reason)``."""
    lms: str
    chosen: dict           # member -> (student, lesson)
    reasons: dict          # member -> why it is skipped

    def classify(self, info):
        name = _name_of(info)
        if name in self.chosen:
            return (*self.chosen[name], None)
        return None, None, self.reasons.get(name, "ignored")


def _entries(infos):
    out = {}
    for info in infos:
        if info.is_dir():
            continue
        name = _name_of(info)
        e = parse_moodle(name, (info.date_time, name)) or parse_canvas(name, (info.date_time, name))
        out[name] = e
    return out


def plan(infos, lessons: set[str], roster: Roster | None = None) -> LmsPlan | None:
    """An :class:`LmsPlan` when the members are named as Canvas or Moodle name them, else ``None``."""
    from .submissions import STUDENT_ID
    entries = _entries(infos)
    parsed = [e for e in entries.values() if e]
    if not parsed or any(len(PurePosixPath(n).parts) == 2 and n.endswith(".ipynb") and not e
                         for n, e in entries.items()):
        return None
    kind = max(("canvas", "moodle"), key=lambda k: sum(e.lms == k for e in parsed))
    roster = roster if roster is not None else ROSTER.get()
    chosen, reasons, best = {}, {}, {}
    for name, e in entries.items():
        base = PurePosixPath(name).name
        if e is None or e.lms != kind:
            if not (base.startswith(".") or "__MACOSX" in name):
                reasons[name] = f"not named like a {kind.capitalize()} submission file"
            continue
        lesson = lesson_of(e.filename, lessons)
        student = roster.match(e) if roster else f"{kind}-{e.lms_id}".replace("anon_", "anon-")
        if student is not None and not STUDENT_ID.match(student):
            reasons[name] = f"the roster's student_id {student!r} is not a valid student id"
        elif lesson is None:
            reasons[name] = f"{e.name} ({e.lms_id}): {e.filename!r} is not a lesson notebook ({', '.join(sorted(lessons))})"
        elif student is None:
            reasons[name] = f"{e.name} ({kind} id {e.lms_id}) is not in the roster"
        else:
            prev = best.get((student, lesson))
            if prev is None or e.order > prev.order:
                if prev is not None:
                    reasons[prev.member] = f"superseded by a later submission: {name}"
                best[(student, lesson)] = e
            else:
                reasons[name] = f"superseded by a later submission: {prev.member}"
    chosen = {e.member: key for key, e in best.items()}
    return LmsPlan(kind, chosen, reasons)


def late_submissions(results: list[dict]) -> list[dict]:
    """Submissions whose LMS file name marks them late (Canvas ``LATE``), from each result's ``origin``."""
    out = []
    for r in results:
        origin = str(r.get("origin") or "")
        member = origin.split(":", 1)[1] if ":" in origin else origin
        e = parse_canvas(member)
        if r.get("late") or (e is not None and e.late):
            out.append({"student": r.get("student"), "lesson": r.get("lesson"), "origin": member})
    return out


def add_autograde_arguments(p) -> None:
    p.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                   help="map Canvas/Moodle ids and names of an LMS submissions zip to course student ids")


def use_roster(path: Path | None) -> None:
    """Make ``--roster`` known to :func:`plan` for this run (a context variable, not a global)."""
    if path is not None:
        if not Path(path).is_file():
            raise FileNotFoundError(f"--roster: {path} does not exist")
        ROSTER.set(load_roster(path))
