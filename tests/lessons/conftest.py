"""Shared pieces of the lesson tests: which lessons exist, their nbgrader cells, the
wrong-answer tables.

Every test is parametrized over ``grader.release.lesson_names()`` (the folders of
``solutions/``), so a lesson dropped into ``solutions/`` is picked up without editing
the tests. ``lesson`` parametrizes one test per lesson, ``lesson_exercise`` one per
autograded exercise (``(lesson, exercise name)``).
"""
from __future__ import annotations

import os
import pickle
import runpy
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

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


#: run in the kernel after the last cell: every global value that pickles, name -> pickled bytes,
#: written to the file put in place of {path!r} (the claims in test_claims read these values)
_DUMP_VALUES = """
import pickle as _pickle, types as _types
_skip = (_types.ModuleType, _types.FunctionType, type)
_kept = {}
for _name, _value in list(globals().items()):
    if _name.startswith("_") or isinstance(_value, _skip) or callable(_value):
        continue
    try:
        _bytes = _pickle.dumps(_value)
    except Exception:
        continue
    if len(_bytes) < 50_000_000:
        _kept[_name] = _bytes
with open({path!r}, "wb") as _f:
    _pickle.dump(_kept, _f)
"""


@dataclass(frozen=True)
class ExecutedLesson:
    """A solution notebook run top to bottom: the executed cells (outputs) and the kernel's values."""
    nb: object
    values: dict

    def value(self, name: str):
        """The notebook's global ``name`` at the end of the run (a clear failure if it has none)."""
        if name not in self.values:
            raise AssertionError(f"the notebook has no global {name!r} that pickles "
                                 f"(have: {sorted(self.values)[:40]} ...)")
        return self.values[name]


_EXECUTED: dict[str, ExecutedLesson] = {}


def execute_lesson(lesson: str) -> ExecutedLesson:
    """Run ``solutions/<lesson>`` once per session (nbclient, kernel python3, the notebook's folder
    as working directory), then read back the kernel's global values; the extra cell that reads
    them is removed again, so the executed notebook is exactly the lesson's."""
    if lesson not in _EXECUTED:
        from nbclient import NotebookClient

        nb = read_nb(source_path(lesson))
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "values.pickle"
            nb.cells.append(nbformat.v4.new_code_cell(_DUMP_VALUES.replace("{path!r}", repr(str(dump)))))
            client = NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                                    resources={"metadata": {"path": str(source_path(lesson).parent)}})
            start = time.perf_counter()
            client.execute()
            TIMINGS[f"execute solutions/{lesson}"] = time.perf_counter() - start
            nb.cells.pop()
            values = {}
            if dump.is_file():
                for name, raw in pickle.loads(dump.read_bytes()).items():
                    try:
                        values[name] = pickle.loads(raw)
                    except Exception:  # e.g. an instance of a class defined in the notebook
                        continue
        _EXECUTED[lesson] = ExecutedLesson(nb, values)
    return _EXECUTED[lesson]


@pytest.fixture
def executed_lesson(lesson) -> ExecutedLesson:
    """The lesson's solution notebook after running it (once per session, shared by all tests)."""
    return execute_lesson(lesson)


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
