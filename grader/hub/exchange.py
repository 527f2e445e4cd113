"""nbgrader exchange plugins the students' servers use (configured in their ``nbgrader_config.py``).

nbgrader's own ``submit`` leaves every submission folder mode 0777 and its files 0444
(nbgrader#978): anyone who learns its name can read it (including ``submission_secret.txt``,
the key to its feedback page) and replace its files. :class:`ClosedSubmit` runs nbgrader's
submit unchanged, then closes the new folder to everyone but its author and the instructors'
group (the inbound folder is setgid, so the folder already belongs to that group). It protects
honest students from the others; a student who bypasses it only exposes their own work, and
``grader hub collect`` closes whatever it finds again and trusts only the folder's Unix owner.

:class:`PersonalFetch` is nbgrader's fetch, except that a student whose own variant was released
(``grader hub release --roster``: ``<course>/personal/<student>/<lesson>/``, readable by them
alone) gets that copy instead of the common one. Who the student is comes from the Unix user the
server runs as, never from a name given.
"""
from __future__ import annotations

import os
import pwd
import stat

from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
from nbgrader.utils import check_mode

from .layout import PERSONAL, close_submission

__all__ = ["ClosedSubmit", "PersonalFetch"]


class ClosedSubmit(ExchangeSubmit):
    """nbgrader's submit, then the submission folder is made 0750 and its files 0440."""

    def copy_files(self):
        old = os.umask(0o077)          # nothing readable by others even while it is being copied
        try:
            super().copy_files()
        finally:
            os.umask(old)
        close_submission(os.path.join(self.inbound_path, self.assignment_filename))


class PersonalFetch(ExchangeFetchAssignment):
    """nbgrader's fetch of the student's own variant when there is one, else of the common version."""

    personal = False

    def init_src(self):
        super().init_src()             # the lesson is released (and the course is this one)
        me = pwd.getpwuid(os.getuid()).pw_name
        own = os.path.join(self.course_path, PERSONAL, me, self.coursedir.assignment_id)
        if os.path.isdir(own) and check_mode(own, read=True, execute=True):
            self.src_path, self.personal = own, True
            self.log.info("Fetching your own version of %s", self.coursedir.assignment_id)
        else:
            self.log.info("No version of %s for %s alone: fetching the common one",
                          self.coursedir.assignment_id, me)

    def copy_files(self):
        super().copy_files()
        if self.personal:              # the exchange's copy is read-only; the fetched one is the student's
            for dirpath, dirnames, filenames in os.walk(self.dest_path):
                for name in [*dirnames, *filenames, ""]:
                    p = os.path.join(dirpath, name) if name else dirpath
                    st = os.lstat(p)
                    if not stat.S_ISLNK(st.st_mode) and st.st_uid == os.getuid():
                        os.chmod(p, stat.S_IMODE(st.st_mode) | 0o200)
