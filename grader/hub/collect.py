"""``grader hub collect``: the exchange's inbound folder -> ``SUBMISSIONS/<student_id>/<lesson>.ipynb``.

Identity is the Unix owner of the submission folder, never its name or anything inside it: a
folder named ``ada+lesson+...`` but owned by ``bo`` (``nbgrader submit --student ada`` run by
bo) is rejected and reported. Times: nbgrader names a submission after the time the student's
own process claims; the latest change of the folder or any file in it (``ctime``, which no user
can set back) is recorded too, and a submission is late when either is after the due date (so
a file replaced after the deadline inside an early submission makes it late).

Per student and lesson the latest submission not late counts (nbgrader's rule); when all are
late the latest counts and is flagged. Every submission is kept under
``SUBMISSIONS/.hub/<student>/<lesson>/`` with ``SUBMISSIONS/.hub/<student>/<lesson>.json``
saying which one counts; ``SUBMISSIONS/.hub/rejected.json`` lists what was refused.
The grader ignores dot folders, so ``grader autograde SUBMISSIONS`` sees only the counted ones.
"""
from __future__ import annotations

import datetime as dt
import os
import pwd
import re
import shutil
import stat
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..store import write_json
from .layout import Classroom

__all__ = ["Submitted", "scan", "choose", "collect", "parse_due"]

_NAME = re.compile(r"^(?P<student>[^+]+)\+(?P<lesson>[^+]+)\+(?P<timestamp>[^+]+)(?:\+(?P<random>[^+]*))?$")


@dataclass(frozen=True)
class Submitted:
    """One folder in the exchange's inbound."""
    folder: str            # its name in inbound
    student: str           # the Unix owner of the folder
    lesson: str
    submitted_at: str      # ISO UTC, what nbgrader recorded (the student's process)
    last_changed: str      # ISO UTC, the latest ctime in the folder (trusted)
    open_to_others: bool   # readable or writable by other users (submitted without the plugin)
    late: bool = False

    @property
    def submitted_at_dt(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.submitted_at)


def parse_due(text: str | None) -> dt.datetime | None:
    """``--due``: an ISO date/time; without a time zone it is UTC. -> naive UTC."""
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace(" UTC", "+00:00").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--due: expected an ISO date and time such as 2026-12-01T23:59 or "
                         f"2026-12-01T23:59+01:00, got {text!r}") from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).replace(tzinfo=None)


def _tree_stats(path: Path) -> tuple[float, bool]:
    """-> (latest ctime, any entry open to other users) over the folder and everything in it."""
    st = path.lstat()
    latest, open_ = st.st_ctime, bool(st.st_mode & 0o007)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            latest = max(latest, st.st_ctime)
            open_ = open_ or (bool(st.st_mode & 0o006) and not stat.S_ISLNK(st.st_mode))
    return latest, open_


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _claimed_time(text: str) -> dt.datetime:
    """nbgrader's timestamp (``%Y-%m-%d %H:%M:%S.%f %Z``) -> naive UTC."""
    if text.endswith(" UTC"):                    # what nbgrader writes; parsed without importing it
        return dt.datetime.fromisoformat(text[:-4])
    from nbgrader.utils import parse_utc
    return parse_utc(text)


def scan(room: Classroom, lessons: list[str], roster: set[str] | None = None):
    """-> (submissions, rejected): every inbound folder of ``lessons``, owner-checked."""
    subs, rejected = [], []
    for entry in sorted(os.scandir(room.inbound), key=lambda e: e.name):
        m = _NAME.match(entry.name)
        if m is None:
            rejected.append({"folder": entry.name, "reason": "not an nbgrader submission name"})
            continue
        if m["lesson"] not in lessons:
            continue
        st = entry.stat(follow_symlinks=False)
        try:
            owner = pwd.getpwuid(st.st_uid).pw_name
        except KeyError:
            owner = f"uid {st.st_uid}"
        reason = None
        if not stat.S_ISDIR(st.st_mode):
            reason = "not a folder"
        elif owner != m["student"]:
            reason = (f"claims to be from {m['student']!r} but was created by the Unix user {owner!r}: "
                      f"a student cannot submit for another")
        elif roster is not None and owner not in roster:
            reason = f"{owner!r} is not on the roster"
        elif not _regular(Path(entry.path) / f"{m['lesson']}.ipynb"):
            reason = f"no {m['lesson']}.ipynb in it (a regular file, not a link)"
        if reason is None:
            try:
                claimed = _claimed_time(m["timestamp"])
            except (ValueError, OverflowError):
                reason = f"unreadable timestamp {m['timestamp']!r}"
        if reason:
            rejected.append({"folder": entry.name, "owner": owner, "reason": reason})
            continue
        changed, open_ = _tree_stats(Path(entry.path))
        subs.append(Submitted(entry.name, owner, m["lesson"], claimed.isoformat(),
                              _utc(changed).isoformat(), open_))
    return subs, rejected


def choose(subs: list[Submitted], due: dt.datetime | None) -> dict[tuple[str, str], list[Submitted]]:
    """Group by (student, lesson), flag late ones, order: the one that counts first, then newest first."""
    groups: dict[tuple[str, str], list[Submitted]] = {}
    for s in subs:
        late = due is not None and max(dt.datetime.fromisoformat(s.submitted_at),
                                       dt.datetime.fromisoformat(s.last_changed)) > due
        groups.setdefault((s.student, s.lesson), []).append(replace(s, late=late))
    for key, items in groups.items():
        items.sort(key=lambda s: s.submitted_at_dt, reverse=True)
        counted = next((s for s in items if not s.late), items[0])
        groups[key] = [counted] + [s for s in items if s is not counted]
    return groups


def _copy_private(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = dest.with_name(f".tmp-{dest.name}")
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW)      # a link swapped in since the scan is refused
    with os.fdopen(fd, "rb") as fin, open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fout:
        shutil.copyfileobj(fin, fout)
    os.replace(tmp, dest)


def collect(room: Classroom, lessons: list[str], out: Path, due: dt.datetime | None = None,
            roster: set[str] | None = None) -> dict:
    """Write the counted submissions, every submission kept, the manifests. -> a summary."""
    if not room.inbound.is_dir():
        raise FileNotFoundError(f"the exchange has no inbound folder {room.inbound} "
                                f"(nothing released yet, or a wrong --exchange / --course)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    subs, rejected = scan(room, lessons, roster)
    groups = choose(subs, due)
    for (student, lesson), items in sorted(groups.items()):
        for s in items:
            _copy_private(room.inbound / s.folder / f"{lesson}.ipynb",
                          out / ".hub" / student / lesson / f"{s.folder}.ipynb")
        _copy_private(room.inbound / items[0].folder / f"{lesson}.ipynb", out / student / f"{lesson}.ipynb")
        write_json(out / ".hub" / student / f"{lesson}.json",
                   {"student": student, "lesson": lesson, "due": due.isoformat() if due else None,
                    "counted": asdict(items[0]), "others": [asdict(s) for s in items[1:]]})
    write_json(out / ".hub" / "rejected.json", rejected)
    return {"students": len({k[0] for k in groups}), "counted": len(groups),
            "late": sum(items[0].late for items in groups.values()),
            "kept_late": sum(s.late for items in groups.values() for s in items[1:]),
            "open": [s.folder for items in groups.values() for s in items if s.open_to_others],
            "rejected": rejected}
