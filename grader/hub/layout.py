"""Where the classroom lives and the permissions in force (the deployment's fix for nbgrader#978).

nbgrader's exchange (``<exchange>/<course>/{outbound,inbound,feedback}``) is shared by every
user; nbgrader itself makes submissions world-writable. The layout enforced here:

==========================  ======  ==================  =============================================
path                        mode    owner:group         why
==========================  ======  ==================  =============================================
``<exchange>``              1777    root:root           nbgrader's students must be able to write it
                                                        (nbgrader#1225); sticky: nobody renames or
                                                        deletes an entry they do not own
``<exchange>/<course>``     2775    root:instructors    created here, before any student could
``.../outbound``            2775    root:instructors    students read the released lessons only
``.../outbound/*`` files    0664    (releaser)          ... and cannot overwrite them
``.../inbound``             3773    root:instructors    students create submissions, cannot list
                                                        them, cannot rename or delete another's
``.../inbound/<sub>``       0750    student:instructors made so by the students' submit plugin
                                                        (:mod:`grader.hub.exchange`); ``grader hub
                                                        collect`` names any left open
``.../personal``            0711    root:instructors    students cannot list it (``grader hub release
                                                        --roster``)
``.../personal/<s>``        0550    root:<s's group>    each student's own variant: readable by that
``.../personal/<s>/*``      0440    root:<s's group>    student only (their private group), changed
                                                        by nobody but root; fetched by the students'
                                                        fetch plugin (:mod:`grader.hub.exchange`)
``.../feedback``            2771    root:instructors    students cannot list it: a page is found only
                                                        by its name, a hash of the submission's
                                                        secret, which only its author can read
``.../feedback/<h>.html``   0440    student:instructors written by ``grader hub return``: readable by
                                                        its student and the instructors only
==========================  ======  ==================  =============================================
"""
from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Classroom", "DEFAULT_EXCHANGE", "DEFAULT_COURSE", "DEFAULT_GROUP", "EXCHANGE_MODES",
           "SUBMISSION_DIR_MODE", "SUBMISSION_FILE_MODE", "FEEDBACK_FILE_MODE", "PERSONAL_DIR_MODE",
           "PERSONAL_FILE_MODE", "PERSONAL", "prepare_exchange",
           "close_submission"]

DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
DEFAULT_COURSE = "backprop-workbook"          # == c.CourseDirectory.course_id in grader/nbgrader_config.py
DEFAULT_GROUP = "bw-instructors"

#: (relative path, mode); the group of all but the root is the instructors' group
EXCHANGE_MODES = (
    ("", 0o1777),
    ("{course}", 0o2775),
    ("{course}/outbound", 0o2775),
    ("{course}/inbound", 0o3773),
    ("{course}/feedback", 0o2771),
    ("{course}/personal", 0o0711),
)
SUBMISSION_DIR_MODE = 0o750
SUBMISSION_FILE_MODE = 0o440
FEEDBACK_FILE_MODE = 0o440
PERSONAL = "personal"               # <course>/personal/<student>/<lesson>/: each student's own variant
PERSONAL_DIR_MODE = 0o550
PERSONAL_FILE_MODE = 0o440


@dataclass(frozen=True)
class Classroom:
    """One course on one exchange: what ``grader hub`` commands need to find it."""
    exchange: Path = DEFAULT_EXCHANGE
    course: str = DEFAULT_COURSE
    group: str = DEFAULT_GROUP

    @property
    def course_path(self) -> Path:
        return Path(self.exchange) / self.course

    @property
    def outbound(self) -> Path:
        return self.course_path / "outbound"

    @property
    def inbound(self) -> Path:
        return self.course_path / "inbound"

    @property
    def feedback(self) -> Path:
        return self.course_path / "feedback"

    @property
    def personal(self) -> Path:
        return self.course_path / PERSONAL

    def gid(self) -> int:
        try:
            return grp.getgrnam(self.group).gr_gid
        except KeyError:
            raise ValueError(f"the instructors' group {self.group!r} does not exist "
                             f"(run `make classroom` or `grader hub setup` first)") from None


def prepare_exchange(room: Classroom) -> list[str]:
    """Create the exchange folders (or repair them) with :data:`EXCHANGE_MODES`; -> what changed."""
    gid = room.gid()
    changed = []
    for rel, mode in EXCHANGE_MODES:
        path = Path(room.exchange) / rel.format(course=room.course)
        if not path.is_dir():
            path.mkdir(parents=True)
            changed.append(f"created {path}")
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            raise ValueError(f"{path} is a symbolic link; the exchange must be real folders")
        want_gid = 0 if rel == "" else gid
        if (st.st_uid, st.st_gid) != (0, want_gid):
            os.chown(path, 0, want_gid)
            changed.append(f"owner of {path} -> root:{'root' if rel == '' else room.group}")
        if stat.S_IMODE(st.st_mode) != mode:
            os.chmod(path, mode)
            changed.append(f"mode of {path} -> {mode:04o}")
    return changed


def close_submission(path: Path) -> int:
    """Make one inbound submission readable by its author and the instructors only.

    Modes only (the contents are never touched); symbolic links are left alone.
    -> the number of entries whose mode changed.
    """
    changed = 0
    for dirpath, dirnames, filenames in os.walk(path):
        for name, mode in [(d, SUBMISSION_DIR_MODE) for d in dirnames] + \
                          [(f, SUBMISSION_FILE_MODE) for f in filenames] + [("", SUBMISSION_DIR_MODE)]:
            p = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode) or stat.S_IMODE(st.st_mode) == mode:
                continue
            os.chmod(p, mode)
            changed += 1
    return changed
