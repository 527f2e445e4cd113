"""Grading written answers by hand: ``grader manual RESULTS`` (see :mod:`grader.manual.cli`).

Modules: ``questions`` (the questions, model answers and rubrics from ``solutions/``),
``answers`` (the students' answers, grouped when identical), ``store`` (hand grades in
``RESULTS/manual/``, atomic, logged), ``render`` (student Markdown to safe HTML),
``server`` (the local page), ``csvio`` (spreadsheet export/import), ``cli``.
"""
__all__: list[str] = []
