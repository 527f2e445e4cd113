"""``grader hub release --roster R``: every student's own variant, beside the common version.

The common version goes to ``outbound/`` through nbgrader as before (the Assignment List shows
it); each roster student's variant (:func:`grader.release.release_roster`, keyed by the course
secret) is written first to ``<exchange>/<course>/personal/<student>/<lesson>/``, where the
students' fetch plugin (:class:`grader.hub.exchange.PersonalFetch`) finds it. Everything there
belongs to root, so no student can plant a link for root to follow; a student reads their own
copy through their private Unix group (``useradd --user-group``, as ``grader hub setup`` makes
them), and no other student can list, read or change it (modes in :mod:`grader.hub.layout`).
"""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import tempfile
from pathlib import Path

from ..release import release_roster
from .layout import PERSONAL_DIR_MODE, PERSONAL_FILE_MODE, Classroom

__all__ = ["private_group", "release_personal"]

IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")


def private_group(student: str, everyone=None) -> int:
    """The gid of ``student``'s own Unix group: theirs alone, else a ValueError naming who shares it."""
    try:
        pw = pwd.getpwnam(student)
    except KeyError:
        raise ValueError(f"--roster: {student!r} is not a Unix user on this machine "
                         f"(run `grader hub setup` with this roster first)") from None
    group = grp.getgrgid(pw.pw_gid)
    everyone = pwd.getpwall() if everyone is None else everyone
    others = sorted({m for m in group.gr_mem if m != student} |
                    {p.pw_name for p in everyone if p.pw_gid == pw.pw_gid and p.pw_name != student})
    if others:
        raise ValueError(f"student {student!r}: their primary group {group.gr_name!r} is shared with "
                         f"{', '.join(others)}, who could read their own copy; give each student their own "
                         f"group (useradd --user-group, as `grader hub setup` does)")
    return pw.pw_gid


def _root_folder(path: Path, gid: int, mode: int) -> None:
    """``path`` a real folder (created if missing) owned by root:``gid`` with ``mode``."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{path} is not a folder (a link?): remove it, then release again")
    os.chown(path, 0, gid, follow_symlinks=False)
    os.chmod(path, mode)


def _copy_file(src: Path, dest: Path, gid: int) -> None:
    """``src`` -> a new file ``dest`` (never through a link), root:``gid``, mode 0440."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o400)
    with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
        shutil.copyfileobj(f, out)
        os.fchown(out.fileno(), 0, gid)
        os.fchmod(out.fileno(), PERSONAL_FILE_MODE)


def _install(lesson_dir: Path, variant: Path, dest: Path, gid: int) -> None:
    """The lesson folder with its notebook replaced by ``variant`` -> ``dest`` (replacing it whole)."""
    new = dest.with_name(f".{dest.name}.new")
    if os.path.lexists(new):
        shutil.rmtree(new)
    os.mkdir(new, 0o700)
    for dirpath, dirnames, filenames in os.walk(lesson_dir):
        rel = Path(dirpath).relative_to(lesson_dir)
        dirnames[:] = sorted(set(dirnames) - IGNORE(dirpath, dirnames))
        for d in dirnames:
            os.mkdir(new / rel / d, 0o700)
        for f in sorted(set(filenames) - IGNORE(dirpath, filenames)):
            src = variant if rel == Path(".") and f == variant.name else Path(dirpath) / f
            _copy_file(src, new / rel / f, gid)
    for dirpath, dirnames, _ in os.walk(new):
        for d in [*dirnames, ""]:
            _root_folder(Path(dirpath) / d if d else Path(dirpath), gid, PERSONAL_DIR_MODE)
    if os.path.lexists(dest):
        shutil.rmtree(dest)
    os.rename(new, dest)


def release_personal(room: Classroom, lessons: list[str], students, secret: bytes, root: Path) -> list[Path]:
    """Each student's variant of each lesson into ``personal/<student>/<lesson>/``; -> the notebooks."""
    if os.geteuid() != 0:
        raise PermissionError("grader hub release --roster writes each student's own copy: run it as root")
    everyone = pwd.getpwall()
    gids = {s: private_group(s, everyone) for s in students}
    _root_folder(room.personal, room.gid(), 0o711)
    written = []
    with tempfile.TemporaryDirectory(prefix="bw-personal-") as tmp:
        release_roster(list(students), Path(tmp), secret, root, lessons)
        for student, gid in gids.items():
            _root_folder(room.personal / student, gid, PERSONAL_DIR_MODE)
            for lesson in lessons:
                dest = room.personal / student / lesson
                _install(root / "lessons" / lesson, Path(tmp) / student / f"{lesson}.ipynb", dest, gid)
                written.append(dest / f"{lesson}.ipynb")
    return written
