"""nbgrader exchange plugins the students' servers use (configured in their ``nbgrader_config.py``).

nbgrader's own ``submit`` leaves every submission folder mode 0777 and its files 0444
(nbgrader#978): anyone who learns its name can read it (including ``submission_secret.txt``,
the key to its feedback page) and replace its files. :class:`ClosedSubmit` runs nbgrader's
submit unchanged, then closes the new folder to everyone but its author and the instructors'
group (the inbound folder is setgid, so the folder already belongs to that group). It protects
honest students from the others; a student who bypasses it only exposes their own work, and
``grader hub collect`` closes whatever it finds again and trusts only the folder's Unix owner.
"""
from __future__ import annotations

import os

from nbgrader.exchange.default import ExchangeSubmit

from .layout import close_submission

__all__ = ["ClosedSubmit"]


class ClosedSubmit(ExchangeSubmit):
    """nbgrader's submit, then the submission folder is made 0750 and its files 0440."""

    def copy_files(self):
        old = os.umask(0o077)          # nothing readable by others even while it is being copied
        try:
            super().copy_files()
        finally:
            os.umask(old)
        close_submission(os.path.join(self.inbound_path, self.assignment_filename))
