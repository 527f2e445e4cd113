"""Find the submissions to grade: ``SUBMISSIONS/<student_id>/<lesson>.ipynb`` or a ``.zip`` of it.

Anything that is not a known lesson notebook in a student folder is returned as a
*skipped* item with the reason (never fatal). A zip is read member by member (no
extraction of unchecked names: no path traversal); its notebooks are copied into a
private folder, so the zip itself is only ever read.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import lms

__all__ = ["Submission", "discover", "shard_of", "parse_shard", "file_sha256", "STUDENT_ID", "MAX_BYTES"]

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
_IGNORED = {".DS_Store", "Thumbs.db", "__MACOSX", ".ipynb_checkpoints"}
MAX_BYTES = 100 << 20      # a lesson notebook is well under 1 MB; anything this big is skipped


@dataclass(frozen=True)
class Submission:
    student: str
    lesson: str
    path: str          # the file that is graded (read-only)
    origin: str        # how to name it to an instructor (relative to SUBMISSIONS or inside the zip)
    sha256: str


def file_sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"K/N"`` (1 <= K <= N) -> ``(K, N)``."""
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard: expected K/N with 1 <= K <= N (e.g. 2/4), got {text!r}")
    return int(m.group(1)), int(m.group(2))


def shard_of(student: str, n: int) -> int:
    """The shard (1..n) of a student: a stable hash, so adding students never moves others."""
    return int(hashlib.sha256(student.encode("utf-8")).hexdigest(), 16) % n + 1


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


def discover(source: Path, lessons: list[str], unpack_dir: Path | None = None,
             shard: tuple[int, int] | None = None):
    """-> ``(submissions, skipped, students)``.

    ``skipped``: ``[{"path", "reason"}]``; ``students``: every valid student folder seen
    (so a student who handed in nothing gradable still gets ``missing`` rows).
    ``unpack_dir``: where a zip's notebooks are copied (required for a zip).
    """
    source = Path(source)
    lessons_set = set(lessons)
    subs, skipped, students = [], [], set()

    def keep(student):
        return shard is None or shard_of(student, shard[1]) == shard[0]

    if source.is_file() and zipfile.is_zipfile(source):
        if unpack_dir is None:
            raise ValueError("discover: unpack_dir is required for a zip")
        with zipfile.ZipFile(source) as zf:
            lms_plan = lms.plan(zf.infolist(), lessons_set)  # LMS HOOK (grader/lms.py): Canvas/Moodle zips, else None
            for info in zf.infolist():
                if info.is_dir():
                    parts = PurePosixPath(info.filename).parts
                    if len(parts) == 1 and not lms_plan and STUDENT_ID.match(parts[0]) and keep(parts[0]):  # LMS HOOK
                        students.add(parts[0])
                    continue
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                if any(p in ("..", "") for p in parts) or info.filename.startswith("/"):
                    skipped.append({"path": info.filename, "reason": "unsafe path in zip"})
                    continue
                # a zip of the SUBMISSIONS folder itself has one extra top-level folder
                if len(parts) == 3 and parts[1] and STUDENT_ID.match(parts[1]) and not parts[0].endswith(".ipynb"):
                    parts = parts[1:]
                student, lesson, reason = lms_plan.classify(info) if lms_plan else _classify(parts, lessons_set)
                if not reason and info.file_size > MAX_BYTES:
                    reason = f"too large ({info.file_size >> 20} MB)"
                if reason:
                    if reason != "ignored":
                        skipped.append({"path": info.filename, "reason": reason})
                    continue
                if not keep(student):
                    continue
                students.add(student)
                dest = Path(unpack_dir) / student / f"{lesson}.ipynb"
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(info))
                subs.append(Submission(student, lesson, str(dest), f"{source.name}:{info.filename}",
                                       file_sha256(dest)))
    elif source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_dir():
                rel = path.relative_to(source).parts
                if len(rel) == 1 and STUDENT_ID.match(rel[0]) and keep(rel[0]):
                    students.add(rel[0])
                continue
            rel = path.relative_to(source).parts
            student, lesson, reason = _classify(rel, lessons_set)
            if not reason and (path.is_symlink() or any(p.is_symlink() for p in path.parents
                                                        if source in p.parents)):
                reason = "a symbolic link (only regular files are graded)"
            elif not reason and path.stat().st_size > MAX_BYTES:
                reason = f"too large ({path.stat().st_size >> 20} MB)"
            if reason:
                if reason != "ignored":
                    skipped.append({"path": "/".join(rel), "reason": reason})
                continue
            if not keep(student):
                continue
            students.add(student)
            subs.append(Submission(student, lesson, str(path), "/".join(rel), file_sha256(path)))
    else:
        raise FileNotFoundError(f"SUBMISSIONS: {source} is neither a folder nor a zip file")
    subs.sort(key=lambda s: (s.student, s.lesson))
    return subs, skipped, sorted(students)
