"""The feedback students see under each exercise -- machinery the lessons call, not material to study.

* :mod:`.checks` -- the checks a test cell runs (``call``, ``check_array``, ...) and ``CheckFailed``;
* :mod:`.diagnose` -- from what a wrong answer did to a stable diagnosis code and a kind message;
* :mod:`.codes` -- every diagnosis code's words (student, instructor) and its 2-3 hints: one table;
* :mod:`.display` -- the feedback box a failed check shows in the notebook (``install_feedback``),
  with "Show a hint" under it.

Nothing is imported here: ``from helpers.feedback.checks import call`` loads only what it names.
"""
__all__: list[str] = []
