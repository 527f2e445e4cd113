"""``grader hub return RESULTS``: each feedback page to where nbgrader's ``fetch_feedback`` finds it.

nbgrader files a page as ``<exchange>/<course>/feedback/<md5(secret + notebook id)>.html``,
``secret`` being the ``submission_secret.txt`` of the submission (readable only by its author
and the instructors, see :mod:`grader.hub.layout`); the student's ``fetch_feedback`` computes
the same name from its own copy. The submission a result belongs to is found by content: the
inbound folder of that student (its Unix owner) and lesson whose notebook has the sha256 that
``grader autograde`` recorded. The pages are then released with nbgrader's own
``release_feedback`` from a private staging course folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .collect import scan
from .layout import FEEDBACK_FILE_MODE, Classroom

__all__ = ["Handback", "match_results", "hand_back"]

_SECRET = re.compile(r"[0-9a-f]{128}")


@dataclass(frozen=True)
class Handback:
    """One feedback page and the submission it answers."""
    student: str
    lesson: str
    page: Path             # RESULTS/feedback/<student>/<lesson>.html
    folder: str            # the inbound submission folder
    timestamp: str         # its timestamp.txt (names the student's feedback folder)
    secret: str


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_small(path: Path, limit: int = 4096) -> str:
    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:
        return f.read(limit).decode("utf-8", "replace").strip()


def match_results(room: Classroom, results: Path):
    """-> (handbacks, problems): every result with a feedback page, matched to its submission."""
    results = Path(results)
    found = sorted((results / "results").glob("*/*.json"))
    if not found:
        raise FileNotFoundError(f"RESULTS: no results/<student>/<lesson>.json in {results} "
                                f"(run `grader autograde SUBMISSIONS --out {results}` first)")
    wanted = [(json.loads(p.read_text(encoding="utf-8")), p) for p in found]
    lessons = sorted({r.get("lesson") for r, _ in wanted if r.get("lesson")})
    subs, _ = scan(room, lessons)
    by_key: dict[tuple[str, str], list] = {}
    for s in subs:
        by_key.setdefault((s.student, s.lesson), []).append(s)
    out, problems = [], []
    for result, path in wanted:
        student, lesson, sha = result.get("student"), result.get("lesson"), result.get("sha256")
        page = results / "feedback" / str(student) / f"{lesson}.html"
        if not page.is_file():
            problems.append(f"{student} {lesson}: no feedback page {page} (run `grader report {results}`)")
            continue
        candidates = sorted(by_key.get((student, lesson), []), key=lambda s: s.submitted_at_dt, reverse=True)
        match = next((s for s in candidates
                      if _sha256(room.inbound / s.folder / f"{lesson}.ipynb") == sha), None)
        if match is None:
            problems.append(f"{student} {lesson}: no submission of theirs in {room.inbound} has the graded "
                            f"notebook (sha256 {str(sha)[:12]}...); was it graded from elsewhere?")
            continue
        folder = room.inbound / match.folder
        try:
            secret = _read_small(folder / "submission_secret.txt")
            timestamp = _read_small(folder / "timestamp.txt")
        except OSError as e:
            problems.append(f"{student} {lesson}: {match.folder} cannot be read ({e.strerror})")
            continue
        if not _SECRET.fullmatch(secret):
            problems.append(f"{student} {lesson}: submission_secret.txt in {match.folder} is not the one "
                            f"nbgrader wrote (expected 128 hex digits); feedback not returned")
            continue
        out.append(Handback(student, lesson, page, match.folder, timestamp, secret))
    return out, problems


def _release(room: Classroom, staging: Path, lesson: str) -> None:
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    cfg = Config()
    cfg.CourseDirectory.root = str(staging)
    cfg.CourseDirectory.course_id = room.course
    cfg.CourseDirectory.groupshared = True      # run by root or an instructor, not the folders' owner
    cfg.Exchange.root = str(room.exchange)
    cfg.Application.log_level = "WARN"
    result = NbGraderAPI(config=cfg).release_feedback(lesson)
    if not result["success"]:
        raise RuntimeError(f"nbgrader release_feedback {lesson} failed:\n{result.get('error', '')}"
                           f"\n{result.get('log', '')}")


def hand_back(room: Classroom, results: Path) -> tuple[list[Handback], list[str]]:
    """Release every matched page into the exchange's feedback folder. -> (returned, problems)."""
    if not room.feedback.is_dir():
        raise FileNotFoundError(f"the exchange has no feedback folder {room.feedback} "
                                f"(run `grader hub setup`, or check --exchange / --course)")
    items, problems = match_results(room, results)
    from nbgrader.utils import notebook_hash
    names: dict[str, Handback] = {}
    for h in items:
        name = notebook_hash(secret=h.secret, notebook_id=h.lesson)
        if name in names:     # only possible when one student copied another's secret
            problems.append(f"{h.student} and {names[name].student} {h.lesson}: the same submission secret; "
                            f"neither page returned")
            items = [i for i in items if i not in (h, names[name])]
        names[name] = h
    with tempfile.TemporaryDirectory(prefix="bw-return-") as tmp:
        staging = Path(tmp)
        for h in items:
            d = staging / "feedback" / h.student / h.lesson
            d.mkdir(parents=True)
            shutil.copyfile(h.page, d / f"{h.lesson}.html")
            (d / "timestamp.txt").write_text(h.timestamp)
            (d / "submission_secret.txt").write_text(h.secret)
            os.chmod(d / f"{h.lesson}.html", FEEDBACK_FILE_MODE)
        for lesson in sorted({h.lesson for h in items}):
            _release(room, staging, lesson)
    gid = room.gid()
    for name, h in names.items():
        target = room.feedback / f"{name}.html"
        if h in items and target.is_file():     # readable by its student and the instructors only
            os.chown(target, pwd.getpwnam(h.student).pw_uid, gid)
            os.chmod(target, FEEDBACK_FILE_MODE)
    return items, problems
