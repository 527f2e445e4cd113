"""``grader hub setup``: everything ``make classroom`` prepares before JupyterHub starts (as root).

Unix users from the roster plus one instructor (one Unix user per student: nbgrader takes the
student id from it), the instructors' group, private homes (0700), the exchange with the
permissions of :mod:`grader.hub.layout`, the instructor's course folder (``solutions/``,
``lessons/`` and the gradebook, inside their home, where the formgrader finds it), the
nbgrader configuration of students and instructor, one password per user, and
``classroom.json``, which ``deploy/jupyterhub/jupyterhub_config.py`` reads. Idempotent.
"""
from __future__ import annotations

import csv
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from ..release import ROOT
from .auth import hash_password
from .layout import Classroom, prepare_exchange

__all__ = ["Deployment", "read_roster", "setup", "open_to_others", "UNIX_NAME"]

UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
DEFAULT_STATE = Path("/srv/backprop-workbook")
DEFAULT_VENV = Path("/opt/backprop-workbook/venv")
CHP = ROOT / "deploy" / "jupyterhub" / "node_modules" / ".bin" / "configurable-http-proxy"
STUDENT_LAB = {"disabledExtensions": {"@jupyter/nbgrader:formgrader": True,
                                      "@jupyter/nbgrader:create-assignment": True,
                                      "@jupyter/nbgrader:course-list": True}}
STUDENT_SERVER = {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False,
                                                        "nbgrader.server_extensions.course_list": False}}}


@dataclass(frozen=True)
class Deployment:
    """One classroom on this machine."""
    room: Classroom
    instructor: str
    students: tuple[str, ...]
    state: Path = DEFAULT_STATE
    venv: Path = DEFAULT_VENV
    home_base: Path | None = None          # None: useradd's default (/home)
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001

    def config_dir(self, role: str) -> Path:
        return Path(self.state) / "jupyter" / role

    @property
    def passwords_json(self) -> Path:
        return Path(self.state) / "hub" / "passwords.json"


def read_roster(path: Path) -> tuple[str, ...]:
    """``roster.csv``: a header with ``student_id`` (other columns ignored), one student a line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ValueError(f"--roster: cannot read {path}: {e.strerror}") from None
    reader = csv.DictReader(text.splitlines())
    if "student_id" not in (reader.fieldnames or []):
        raise ValueError(f"{path}: the first line must be a header with a student_id column, "
                         f"got {reader.fieldnames}")
    ids = []
    for n, row in enumerate(reader, start=2):
        sid = (row.get("student_id") or "").strip()
        if not sid or sid.startswith("#"):
            continue
        if not UNIX_NAME.match(sid):
            raise ValueError(f"{path}:{n}: student_id {sid!r} must be a Unix user name: lower-case letters, "
                             f"digits, '_' or '-', starting with a letter or '_', at most 32 characters")
        if sid in ids:
            raise ValueError(f"{path}:{n}: student_id {sid!r} appears twice")
        ids.append(sid)
    if not ids:
        raise ValueError(f"{path}: no student in the roster")
    return tuple(ids)


def _others_may(st: os.stat_result, bits: int) -> bool:
    """May a user other than the owner (and root) use ``bits`` (r=4, x=1) on an entry with this stat?"""
    if st.st_mode & bits:                                   # "other" bits
        return True
    if not st.st_mode & (bits << 3):                        # group bits
        return False
    try:
        group = grp.getgrgid(st.st_gid)
    except KeyError:
        return False
    owner = next((u.pw_name for u in pwd.getpwall() if u.pw_uid == st.st_uid), None)
    members = set(group.gr_mem) | {u.pw_name for u in pwd.getpwall() if u.pw_gid == st.st_gid}
    return bool(members - {owner, "root"})


def open_to_others(path: Path) -> str | None:
    """Why another (non-root) user can read the folder ``path``, or ``None`` when they cannot: they
    need to search (x) every parent and to list (r) or search (x) ``path`` itself; a parent such as
    ``/root`` (0700) closes everything below it, whatever the folder's own mode."""
    path = Path(path).resolve()
    for parent in reversed(path.parents):
        if not _others_may(os.stat(parent), 1):
            return None
    st = os.stat(path)
    if _others_may(st, 4) or _others_may(st, 1):
        return f"mode {stat.S_IMODE(st.st_mode):04o}, and every folder above it can be entered"
    return None


def _run(*cmd) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")


def _ensure_user(name: str, home_base: Path | None, group: str | None) -> Path:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        cmd = ["useradd", "--create-home", "--shell", "/bin/bash", "--user-group"]
        if home_base is not None:
            cmd += ["--home-dir", str(Path(home_base) / name)]
        _run(*cmd, name)
        entry = pwd.getpwnam(name)
    if group:
        _run("usermod", "--append", "--groups", group, name)
    home = Path(entry.pw_dir)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, 0o700)
    return home


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o755)
    path.write_text(text)
    os.chmod(path, mode)


def _nbgrader_config(d: Deployment, course_root: Path | None) -> str:
    lines = ["# written by `grader hub setup` -- edit the roster or the Makefile variables, not this file",
             "c = get_config()  # noqa: F821",
             f"c.CourseDirectory.course_id = {d.room.course!r}",
             f"c.Exchange.root = {str(d.room.exchange)!r}",
             "c.ExchangeFactory.submit = 'grader.hub.exchange.ClosedSubmit'",
             "c.ExchangeFactory.fetch_assignment = 'grader.hub.exchange.PersonalFetch'"]
    if course_root is not None:
        lines += [f"c.CourseDirectory.root = {str(course_root)!r}",
                  "c.CourseDirectory.source_directory = 'solutions'",
                  "c.CourseDirectory.release_directory = 'lessons'",
                  "c.CourseDirectory.groupshared = True",
                  "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE\\nraise NotImplementedError()'}",
                  "c.ClearSolutions.text_stub = 'YOUR ANSWER HERE'",
                  "c.Execute.timeout = 30"]
    return "\n".join(lines) + "\n"


def _course_folder(d: Deployment, home: Path) -> Path:
    """The instructor's copy of the course (solutions/ and lessons/), refreshed from this checkout."""
    course = home / d.room.course
    for sub in ("solutions", "lessons"):
        shutil.copytree(ROOT / sub, course / sub, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    entry = pwd.getpwnam(d.instructor)
    gid = d.room.gid()
    for dirpath, dirnames, filenames in os.walk(course):
        os.chown(dirpath, entry.pw_uid, gid)
        for f in filenames:
            os.chown(os.path.join(dirpath, f), entry.pw_uid, gid)
    os.chmod(course, 0o2770)
    return course


def _passwords(d: Deployment, users: list[str]) -> list[str]:
    """One password per user (kept across runs); -> the users who got a new one."""
    hashes = json.loads(d.passwords_json.read_text()) if d.passwords_json.is_file() else {}
    plain_path = d.passwords_json.with_name("passwords.txt")
    new = [u for u in users if u not in hashes]
    lines = []
    for u in new:
        pw = secrets.token_urlsafe(9)
        hashes[u] = hash_password(pw)
        lines.append(f"{u} {pw}\n")
    d.passwords_json.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(d.passwords_json.parent, 0o700)
    _write(d.passwords_json, json.dumps(hashes, indent=1), 0o600)
    os.chmod(d.passwords_json.parent, 0o700)
    with open(os.open(plain_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as f:
        f.writelines(lines)
    return new


def setup(d: Deployment, log=print) -> dict:
    """Create or repair everything; -> a summary (also written to ``<state>/classroom.json``)."""
    if os.geteuid() != 0:
        raise PermissionError("grader hub setup creates Unix users and the exchange: run it as root")
    clash = [s for s in d.students if s == d.instructor]
    if clash:
        raise ValueError(f"--instructor {d.instructor!r} is also on the roster as a student")
    if not (Path(d.venv) / "bin" / "jupyterhub-singleuser").is_file():
        raise FileNotFoundError(f"the users' environment {d.venv} is missing: run `make classroom-env`")
    _run("groupadd", "--force", d.room.group)
    homes = {d.instructor: _ensure_user(d.instructor, d.home_base, d.room.group)}
    for s in d.students:
        homes[s] = _ensure_user(s, d.home_base, None)
        if s in grp.getgrnam(d.room.group).gr_mem:
            raise ValueError(f"student {s!r} is in the instructors' group {d.room.group!r}: remove them "
                             f"(`gpasswd -d {s} {d.room.group}`)")
    for line in prepare_exchange(d.room):
        log(f"exchange: {line}")
    course = _course_folder(d, homes[d.instructor])
    Path(d.state).mkdir(parents=True, exist_ok=True)
    os.chmod(d.state, 0o755)
    _write(d.config_dir("students") / "nbgrader_config.py", _nbgrader_config(d, None))
    _write(d.config_dir("students") / "jupyter_server_config.json", json.dumps(STUDENT_SERVER, indent=1))
    _write(d.config_dir("students") / "labconfig" / "page_config.json", json.dumps(STUDENT_LAB, indent=1))
    _write(d.config_dir("instructor") / "nbgrader_config.py", _nbgrader_config(d, course))
    new = _passwords(d, [d.instructor, *d.students])
    solutions = ROOT / "solutions"
    os.chmod(solutions, 0o700)       # this checkout's answers: never readable by the students
    opened_by = open_to_others(ROOT)
    if opened_by is not None:
        log(f"note: the checkout {ROOT} can be read by other users ({opened_by}): its .git history holds the "
            f"solutions; `chmod 0700 {ROOT}` closes it")
    summary = dict(asdict(d), exchange=str(d.room.exchange), course=d.room.course, group=d.room.group,
                   course_root=str(course), chp=str(CHP), root=str(ROOT),
                   passwords_file=str(d.passwords_json), new_passwords=new)
    summary.pop("room")
    _write(Path(d.state) / "classroom.json", json.dumps(summary, indent=1, default=str), 0o644)
    return summary
