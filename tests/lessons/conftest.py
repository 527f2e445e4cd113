"""Shared pieces of the lesson tests: which lessons exist, their nbgrader cells, the
wrong-answer tables.

Every test is parametrized over ``grader.release.lesson_names()`` (the folders of
``solutions/``), so a lesson dropped into ``solutions/`` is picked up without editing
the tests. ``lesson`` parametrizes one test per lesson, ``lesson_exercise`` one per
autograded exercise (``(lesson, exercise name)``).
"""
from __future__ import annotations

import os
import runpy
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.release import ROOT, lesson_names

LESSONS = lesson_names()
WRONG_DIR = Path(__file__).parent / "wrong_answers"
#: what took how long (seconds), filled by the fixtures, printed in the terminal summary
TIMINGS: dict[str, float] = {}


def source_path(lesson: str) -> Path:
    """The instructor's source notebook ``solutions/<id>/<id>.ipynb``."""
    return ROOT / "solutions" / lesson / f"{lesson}.ipynb"


def release_path(lesson: str) -> Path:
    """The generated student notebook ``lessons/<id>/<id>.ipynb``."""
    return ROOT / "lessons" / lesson / f"{lesson}.ipynb"


def read_nb(path: Path):
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def cell_name(nb, index: int) -> str:
    """How a failure message names a cell: position, id and nbgrader grade_id."""
    cell = nb.cells[index]
    gid = nbgrader_meta(cell).get("grade_id")
    return f"cell {index} (id {cell.get('id', '?')!r}{', grade_id ' + repr(gid) if gid else ''})"


@dataclass(frozen=True)
class Exercise:
    """An autograded exercise: answer cell ``name`` and its test cell ``test_<name>``."""
    name: str
    points: float
    answer_index: int | None  # None when the test cell has no matching answer cell
    test_index: int


def answer_cells(nb) -> dict[str, int]:
    """grade_id -> index of every autograded answer cell (code, solution, not graded)."""
    return {nbgrader_meta(c)["grade_id"]: i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and nbgrader_meta(c).get("solution") and not nbgrader_meta(c).get("grade")}


def exercises(nb) -> list[Exercise]:
    """Every autograded test cell (code, grade, not solution), paired with its answer cell."""
    answers = answer_cells(nb)
    out = []
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            name = meta.get("grade_id", "").removeprefix("test_")
            out.append(Exercise(name, float(meta.get("points", 0)), answers.get(name), i))
    return out


def written_answers(nb) -> list[int]:
    """Indices of the manually graded written answers (markdown, grade and solution)."""
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution")]


def load_wrong(lesson: str) -> dict | None:
    """``WRONG`` from ``wrong_answers/<id>.py`` ({exercise: [(label, source), ...]}), None if missing."""
    path = WRONG_DIR / f"{lesson}.py"
    return runpy.run_path(str(path))["WRONG"] if path.is_file() else None


def venv_env() -> dict:
    """The environment for subprocesses: this interpreter's bin directory first on PATH
    (nbgrader runs the ``alembic`` script by name; the venv need not be activated)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("JUPYTER_CONFIG_DIR", None)
    return env


def _lesson_exercises():
    pairs = []
    for lesson in LESSONS:
        pairs += [(lesson, ex.name) for ex in exercises(read_nb(source_path(lesson)))]
    return pairs


def pytest_terminal_summary(terminalreporter):
    """Report the measured times (recorded, never asserted: speed is measured in bench/)."""
    if TIMINGS:
        terminalreporter.section("lesson timings")
        for what, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{seconds:7.1f} s  {what}")
        executed = [s for w, s in TIMINGS.items() if w.startswith("execute ")]
        if executed:
            terminalreporter.write_line(f"{sum(executed):7.1f} s  executing all {len(executed)} solution notebooks")


def pytest_generate_tests(metafunc):
    if "lesson" in metafunc.fixturenames:
        metafunc.parametrize("lesson", LESSONS)
    if "lesson_exercise" in metafunc.fixturenames:
        pairs = _lesson_exercises()
        metafunc.parametrize("lesson_exercise", pairs, ids=[f"{l}:{e}" for l, e in pairs])
