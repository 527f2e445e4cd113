"""Find the submissions to grade: ``SUBMISSIONS/<student_id>/<lesson>.ipynb`` or a ``.zip`` of it.

Anything that is not a known lesson notebook in a student folder is returned as a
*skipped* item with the reason (never fatal). A folder is walked by ``lstat``: symlinks,
FIFOs, sockets and devices are reported and never opened. A zip is read defensively,
member by member (no extraction of unchecked names: no path traversal): each member is
streamed into a private folder under a per-member and a total bound on the *unpacked*
size, a member whose path could name two students (``zed/bob/L.ipynb`` next to
``bob/L.ipynb``) or that several members claim is reported and skipped, and a corrupt
member (bad CRC, truncated) is reported while the rest is graded. The zip itself is only
ever read.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import lms
from .safeio import kind_of, read_regular

__all__ = ["Submission", "discover", "file_sha256", "STUDENT_ID", "MAX_BYTES",
           "MAX_ZIP_TOTAL", "zip_budget"]

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
_IGNORED = {".DS_Store", "Thumbs.db", "__MACOSX", ".ipynb_checkpoints"}
MAX_BYTES = 100 << 20      # a lesson notebook is well under 1 MB; anything this big is skipped
MAX_ZIP_TOTAL = 2 << 30    # a zip may unpack to at most this much in all ...
ZIP_RATIO = 20             # ... and to at most 20 times its own size (at least 256 MB): no zip bombs


@dataclass(frozen=True)
class Submission:
    student: str
    lesson: str
    path: str          # the file that is graded (read-only)
    origin: str        # how to name it to an instructor (relative to SUBMISSIONS or inside the zip)
    sha256: str
    variant: str | None = None   # the fingerprint of the variant to grade against (None: the common version)
    late: bool = False           # handed in after the due date (``grader hub collect``'s manifest says so)


def file_sha256(path) -> str:
    """SHA-256 of a regular file (a symlink or special file raises ``OSError``, never blocks)."""
    return hashlib.sha256(read_regular(path, MAX_BYTES)).hexdigest()


def _classify(parts: tuple[str, ...], lessons: set[str]):
    """-> (student, lesson, None) or (None, None, reason) for a relative path's parts."""
    if any(p in _IGNORED or p.startswith(".") for p in parts):
        return None, None, "ignored"
    if len(parts) == 1:
        return None, None, "stray file at the top level (expected <student_id>/<lesson>.ipynb)"
    if len(parts) > 2:
        return None, None, "nested too deep (expected <student_id>/<lesson>.ipynb)"
    student, name = parts
    if not STUDENT_ID.match(student):
        return None, None, f"student folder name {student!r} is not a valid student id"
    if not name.endswith(".ipynb"):
        return None, None, "not a notebook (.ipynb)"
    lesson = name[: -len(".ipynb")]
    if lesson not in lessons:
        known = ", ".join(sorted(lessons)) or "none"
        return None, None, f"unknown lesson {lesson!r} (known: {known})"
    return student, lesson, None


def _member_parts(info):
    """-> the member's path parts, or (None, reason) for an unsafe or special member."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or any(p in ("..", "", ".") for p in name.rstrip("/").split("/")):
        return None, "unsafe path in zip"
    mode = info.external_attr >> 16
    if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return None, f"{kind_of(mode)} in the zip (only regular files are graded)"
    if info.flag_bits & 0x1:
        return None, "encrypted member (cannot be read)"
    return parts, None


def _plan_zip(infos, lessons):
    """Decide what each member is: -> (wanted [(info, student, lesson)], skipped, students).

    A Canvas or Moodle "download all submissions" zip is recognised by :func:`grader.lms.plan`
    (its members are named after the LMS's conventions, not ``<student_id>/<lesson>.ipynb``).
    """
    skipped, students, claims, depth2 = [], set(), {}, set()
    lms_plan = lms.plan(infos, lessons)
    rows = []
    for info in infos:
        parts, reason = _member_parts(info)
        if reason:
            skipped.append({"path": info.filename, "reason": reason})
            continue
        if info.is_dir():     # (a Moodle folder name "Name_12_assignsubmission_file" is no student)
            if len(parts) == 1 and not lms_plan and STUDENT_ID.match(parts[0]):
                students.add(parts[0])
            continue
        rows.append((info, parts))
        if len(parts) == 2:
            depth2.add(parts[0])
    for info, parts in rows:
        # a zip of the SUBMISSIONS folder itself has one extra top-level folder
        enclosed = not lms_plan and len(parts) == 3 and STUDENT_ID.match(parts[1]) \
            and not parts[0].endswith(".ipynb")
        student, lesson, reason = lms_plan.classify(info) if lms_plan else \
            _classify(parts[1:] if enclosed else parts, lessons)
        if enclosed and not reason and parts[1] in depth2:
            reason = (f"nested: {'/'.join(parts)} sits inside {parts[0]}/ beside {parts[1]}'s own folder "
                      f"(ambiguous: it could be {parts[0]}'s or {parts[1]}'s); {parts[1]}'s own files are graded")
        elif enclosed and not reason and parts[0] in depth2:
            reason = f"ambiguous: {'/'.join(parts)} could be {parts[0]}'s or {parts[1]}'s"
        if reason:
            if reason != "ignored":
                skipped.append({"path": info.filename, "reason": reason})
            continue
        claims.setdefault((student, lesson), []).append(info)
        students.add(student)
    wanted = []
    for (student, lesson), infos_ in claims.items():
        if len(infos_) > 1:
            names = ", ".join(i.filename for i in infos_)
            skipped += [{"path": i.filename, "reason": f"ambiguous: several members name {student}/{lesson}.ipynb "
                         f"({names}); none was graded"} for i in infos_]
        else:
            wanted.append((infos_[0], student, lesson))
    return wanted, skipped, students


def _extract(zf, info, dest: Path, budget: list[int]) -> str | None:
    """Stream one member into ``dest`` within the per-member and total bounds; -> a reason
    when it could not be read (the partial file is removed), else ``None``."""
    tmp = dest.with_name(dest.name + ".part")
    size = 0
    try:
        with zf.open(info) as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise _TooBig(f"too large when unpacked (over {MAX_BYTES >> 20} MB)")
                if size > budget[0]:
                    raise _TooBig("the zip unpacks to more than its bound in total (20 times its size, "
                                  "at least 256 MB); this member and the rest were not unpacked")
                out.write(chunk)
    except _TooBig as e:
        tmp.unlink(missing_ok=True)
        return str(e)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as e:
        tmp.unlink(missing_ok=True)
        return f"corrupt member ({type(e).__name__}: {e})"
    budget[0] -= size
    os.replace(tmp, dest)
    return None


class _TooBig(Exception):
    pass


def zip_budget(zip_size: int) -> int:
    """How many bytes a zip of ``zip_size`` bytes may unpack to in all."""
    return min(MAX_ZIP_TOTAL, max(256 << 20, ZIP_RATIO * zip_size))


def _discover_zip(source: Path, lessons, unpack_dir):
    if unpack_dir is None:
        raise ValueError("discover: unpack_dir is required for a zip")
    subs = []
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(f"SUBMISSIONS: {source} cannot be read as a zip ({e})") from None
    with zf:
        wanted, skipped, students = _plan_zip(zf.infolist(), lessons)
        budget = [zip_budget(source.stat().st_size)]
        for info, student, lesson in wanted:
            dest = Path(unpack_dir) / student / f"{lesson}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            reason = _extract(zf, info, dest, budget)
            if reason:
                skipped.append({"path": info.filename, "reason": reason})
                continue
            subs.append(Submission(student, lesson, str(dest), f"{source.name}:{info.filename}",
                                   file_sha256(dest)))
    return subs, skipped, students


def _walk(folder: Path):
    """Every entry under ``folder`` as ``(path, lstat)``, never following a symlink."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        yield Path(entry.path), st
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(Path(entry.path))


HUB_MANIFESTS = ".hub"        # grader hub collect: SUBMISSIONS/.hub/<student>/<lesson>.json


def _hub_late(source: Path, student: str, lesson: str) -> bool:
    """Whether ``grader hub collect`` recorded the counted submission of ``student``/``lesson`` as late."""
    try:
        data = json.loads(read_regular(source / HUB_MANIFESTS / student / f"{lesson}.json", 1 << 20))
    except (OSError, ValueError):
        return False
    counted = data.get("counted") if isinstance(data, dict) else None
    return isinstance(counted, dict) and counted.get("late") is True


def _discover_folder(source: Path, lessons):
    subs, skipped, students = [], [], set()
    for path, st in _walk(source):
        rel = path.relative_to(source).parts
        if stat.S_ISDIR(st.st_mode):
            if len(rel) == 1 and STUDENT_ID.match(rel[0]):
                students.add(rel[0])
            continue
        student, lesson, reason = _classify(rel, lessons)
        if reason != "ignored" and stat.S_ISLNK(st.st_mode):
            reason = "a symbolic link (only regular files are graded; it was not followed)"
        elif not reason and not stat.S_ISREG(st.st_mode):
            reason = f"{kind_of(st.st_mode)} (only regular files are graded; it was not opened)"
        elif not reason and st.st_size > MAX_BYTES:
            reason = f"too large ({st.st_size >> 20} MB)"
        if reason:
            if reason != "ignored":
                skipped.append({"path": "/".join(rel), "reason": reason})
            continue
        students.add(student)
        try:
            digest = file_sha256(path)
        except OSError as e:
            skipped.append({"path": "/".join(rel), "reason": f"cannot be read ({e.strerror})"})
            continue
        subs.append(Submission(student, lesson, str(path), "/".join(rel), digest,
                               late=_hub_late(source, student, lesson)))
    return subs, skipped, students


def discover(source: Path, lessons: list[str], unpack_dir: Path | None = None):
    """-> ``(submissions, skipped, students)``.

    ``skipped``: ``[{"path", "reason"}]``; ``students``: every valid student folder seen
    (so a student who handed in nothing gradable still gets ``missing`` rows).
    ``unpack_dir``: where a zip's notebooks are copied (required for a zip).
    """
    source = Path(source)
    if source.is_file() and zipfile.is_zipfile(source):
        subs, skipped, students = _discover_zip(source, set(lessons), unpack_dir)
    elif source.is_dir():
        subs, skipped, students = _discover_folder(source, set(lessons))
    else:
        raise FileNotFoundError(f"SUBMISSIONS: {source} is neither a folder nor a zip file")
    subs.sort(key=lambda s: (s.student, s.lesson))
    return subs, skipped, sorted(students)
