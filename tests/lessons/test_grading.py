"""Grading works end to end with plain nbgrader, in a scratch course directory.

For every lesson in ``solutions/`` one course directory is set up under ``tmp_path``
with an ``nbgrader_config.py`` that loads ``grader/nbgrader_config.py`` (so the same
settings apply) and only moves the course root. ``nbgrader generate_assignment`` and one
``nbgrader autograde`` process (run from the course root) then grade these submissions:

* ``solution``: the source notebook itself -- must score full marks on every autograded cell;
* ``blank``: the released ``lessons/`` notebook, untouched -- must score 0 on every
  autograded cell, and grading must not crash;
* ``wrong_<k>``: the solution with several answer cells replaced, each by one wrong
  implementation from ``wrong_answers/<id>.py`` -- each replaced exercise must score 0 and
  every other exercise full marks;
* ``public_<k>``: likewise with the ``WRONG_PUBLIC`` entries of the tables;
* ``alt_<k>``: likewise the k-th correct alternative of every exercise (``alternatives/<id>.py``)
  -- every exercise must score full marks.

Several mistakes per submission keep the cost low (each submission runs the whole lesson). They
are packed (:func:`_pack`) so that a submission never carries two exercises of which one uses
a function the other defines, in any cell from the defining answer to the user's test: such a
pair could hide a wrong answer costing points elsewhere. Every entry is graded once.

Per-cell scores are read from the gradebook (``nbgrader.api.Gradebook``), not the CSV,
which cannot tell a failed grading from a zero. Lessons are graded two at a time.
"""
from __future__ import annotations

import ast
import copy
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from grader.release import ROOT

from .conftest import (LESSONS, TIMINGS, exercises, load_wrong, read_nb, release_path,
                       source_path, venv_env)
from .table_runner import load_tables

NBGRADER = [sys.executable, "-m", "nbgrader"]
MIN_WRONG = 3


@dataclass
class Graded:
    """The outcome of grading one lesson's submissions."""
    lesson: str
    course: Path
    returncode: int = -1
    log: str = ""
    seconds: float = 0.0
    #: student -> {grade_id: (score, max_score)} for the autograded (code) cells; None if not graded
    scores: dict = field(default_factory=dict)
    #: student -> {exercise: label} of the wrong implementations a packed submission carries
    wrong: dict = field(default_factory=dict)
    #: student -> {exercise: label} of the entries a combined submission carries (public_k / alt_k)
    combined: dict = field(default_factory=dict)

    def log_tail(self, student=None, lines=25):
        text = self.log.splitlines()
        if student:
            text = [l for l in text if student in l] or text
        return "\n".join(text[-lines:])


def _write_config(course: Path) -> None:
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        "# The course's own settings (source/release folders, stubs, timeouts) ...\n"
        f"load_subconfig('nbgrader_config.py', path={str(ROOT / 'grader')!r})  # noqa: F821\n"
        "# ... with this scratch directory as the course root.\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(course / 'gradebook.db')!r}\n",
        encoding="utf-8")


def _submit(course: Path, lesson: str, student: str, nb) -> None:
    folder = course / "submitted" / student / lesson
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{lesson}.ipynb")


def _substitute(nb, index: int, source: str):
    out = copy.deepcopy(nb)
    out.cells[index].source = source
    return out


def _nbgrader(course: Path, *args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([*NBGRADER, *args], cwd=course, env=_grading_env(course), capture_output=True,
                          text=True, timeout=timeout)


def _grading_env(course: Path) -> dict:
    """The venv's environment, with an IPython profile for the graded kernels that does not render
    figures: they are not graded (as in ``grader autograde``), and test_notebooks.py executes every
    notebook with its figures and no stderr. Rendering is a third of a graded notebook's time."""
    profile = course / "ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(
        "c.InlineBackend.figure_formats = set()\nc.HistoryManager.enabled = False\n", encoding="utf-8")
    return {**venv_env(), "IPYTHONDIR": str(course / "ipython")}


def _used(code: str) -> set[str]:
    """Every name a code cell reads (IPython magics translated first)."""
    from IPython.core.inputtransformer2 import TransformerManager
    tree = ast.parse(TransformerManager().transform_cell(code))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _conflicts(nb) -> set[frozenset]:
    """Pairs of exercises that must not be wrong in the same submission: one's functions are used
    by a code cell from its answer cell up to the other's test cell (its own test cell aside)."""
    exs = [ex for ex in exercises(nb) if ex.answer_index is not None]
    pairs = set()
    for a in exs:
        names = _defined(nb.cells[a.answer_index].source)
        for b in exs:
            cells = [i for i in range(a.answer_index + 1, b.test_index + 1)
                     if i != a.test_index and nb.cells[i].cell_type == "code"]
            if b is not a and any(names & _used(nb.cells[i].source) for i in cells):
                pairs.add(frozenset((a.name, b.name)))
    return pairs


def _pack(entries: dict, apart: set) -> list[dict]:
    """Entries ``{exercise: [entry, ...]}`` packed into submissions ``[{exercise: entry}, ...]``:
    each entry once, at most one per exercise in a submission, never two exercises of ``apart``."""
    groups: list[dict] = []
    for k in range(max((len(v) for v in entries.values()), default=0)):
        for name, items in entries.items():
            if k >= len(items):
                continue
            home = next((g for g in groups if name not in g
                         and not any(frozenset((name, other)) in apart for other in g)), None)
            if home is None:
                groups.append(home := {})
            home[name] = items[k]
    return groups


def _grade_lesson(lesson: str, course: Path, apart: set) -> Graded:
    """Set up the course, submit every variant, run one autograde process; ``apart``: the
    :func:`_conflicts` of the lesson (computed beforehand, outside the threads)."""
    from nbgrader.api import Gradebook, MissingEntry

    graded = Graded(lesson, course)
    start = time.perf_counter()
    course.mkdir(parents=True)
    _write_config(course)
    shutil.copytree(ROOT / "solutions" / lesson, course / "solutions" / lesson)
    gen = _nbgrader(course, "generate_assignment", lesson, "--force", timeout=300)
    graded.log = gen.stdout + gen.stderr
    if gen.returncode != 0:
        graded.returncode = gen.returncode
        return graded

    source = read_nb(source_path(lesson))
    _submit(course, lesson, "solution", source)
    if release_path(lesson).is_file():
        _submit(course, lesson, "blank", read_nb(release_path(lesson)))
    answers = {ex.name: ex.answer_index for ex in exercises(source)}
    tables = load_tables(lesson)
    wrong = {name: [(label, code) for label, code, *_ in entries]
             for name, entries in (load_wrong(lesson) or {}).items()
             if answers.get(name) is not None}       # else: test_wrong_answer_table_covers_every_exercise
    public = {}
    for r in tables["wrong"]:
        if r["table"] == "WRONG_PUBLIC" and answers.get(r["exercise"]) is not None:
            public.setdefault(r["exercise"], []).append((r["label"], r["source"]))
    for prefix, entries, into in (("wrong", wrong, graded.wrong), ("public", public, graded.combined)):
        for k, group in enumerate(_pack(entries, apart)):
            nb = source
            for name, (_, code) in group.items():
                nb = _substitute(nb, answers[name], code)
            _submit(course, lesson, f"{prefix}_{k}", nb)
            into[f"{prefix}_{k}"] = {name: label for name, (label, _) in group.items()}
    rows = tables["alternatives"]
    for k in sorted({r["k"] for r in rows}):   # correct answers: any combination must keep full marks
        nb, carried = source, {}
        for r in rows:
            if r["k"] == k and answers.get(r["exercise"]) is not None:
                nb = _substitute(nb, answers[r["exercise"]], r["source"])
                carried[r["exercise"]] = r["label"]
        _submit(course, lesson, f"alt_{k}", nb)
        graded.combined[f"alt_{k}"] = carried

    run = _nbgrader(course, "autograde", lesson, "--force", timeout=1800)
    graded.returncode = run.returncode
    graded.log += run.stdout + run.stderr
    graded.seconds = time.perf_counter() - start

    students = sorted(p.name for p in (course / "submitted").iterdir())
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            try:
                sub = gb.find_submission_notebook(lesson, lesson, student)
            except MissingEntry:
                graded.scores[student] = None
                continue
            graded.scores[student] = {g.name: (g.score, g.max_score) for g in sub.grades
                                      if g.cell.cell_type == "code"}
    return graded


GRADING_PROCESSES = 3


def _selected_lessons(session) -> list[str]:
    """The lessons that the selected tests of this module need (so `-k 01_` grades only lesson 01)."""
    wanted = set()
    for item in session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.module.__name__ == __name__:
            if "lesson" in params:
                wanted.add(params["lesson"])
            if "lesson_exercise" in params:
                wanted.add(params["lesson_exercise"][0])
    return [lesson for lesson in LESSONS if lesson in wanted]


@pytest.fixture(scope="session")
def graded_lessons(request, tmp_path_factory):
    """lesson id -> :class:`Graded` for every lesson the selected tests need: each is graded
    once per session (one autograde process per lesson), three lessons at a time (an nbgrader
    process keeps a core only about half busy: it waits on each kernel's start and shutdown)."""
    root = tmp_path_factory.mktemp("grading")
    start = time.perf_counter()
    lessons = _selected_lessons(request.session)
    # here, not in the pool: ast.parse in several threads at once raises "SystemError: AST
    # constructor recursion depth mismatch" in CPython 3.11 (seen in CI)
    apart = {lesson: _conflicts(read_nb(source_path(lesson))) for lesson in lessons}
    with ThreadPoolExecutor(max_workers=GRADING_PROCESSES) as pool:
        futures = {lesson: pool.submit(_grade_lesson, lesson, root / lesson, apart[lesson])
                   for lesson in lessons}
        results = {lesson: f.result() for lesson, f in futures.items()}
    for lesson, graded in results.items():
        TIMINGS[f"nbgrader: generate + autograde {len(graded.scores)} submissions of {lesson}"] = graded.seconds
    TIMINGS[f"nbgrader: all {len(results)} lessons, {GRADING_PROCESSES} at a time"] = time.perf_counter() - start
    return results


def _graded(graded_lessons, lesson) -> Graded:
    graded = graded_lessons[lesson]
    assert graded.returncode == 0, (
        f"{lesson}: nbgrader exited with {graded.returncode} while generating or grading:\n"
        f"{graded.log_tail()}")
    return graded


def _scores(graded: Graded, student: str) -> dict:
    scores = graded.scores.get(student)
    assert scores is not None, (
        f"{graded.lesson}: nbgrader recorded no grades for submission {student!r}:\n"
        f"{graded.log_tail(student)}")
    ungraded = {gid: s for gid, s in scores.items() if s[0] is None}
    assert not ungraded, f"{graded.lesson}/{student}: cells without an autograde score: {ungraded}"
    return scores


def _fmt(scores: dict) -> str:
    return ", ".join(f"{gid} {s:g}/{m:g}" for gid, (s, m) in sorted(scores.items()))


def test_wrong_answer_table_covers_every_exercise(lesson):
    """wrong_answers/<id>.py has >= 3 entries for every autograded exercise, and only those;
    every entry defines the same function(s) as the solution's answer cell."""
    source = read_nb(source_path(lesson))
    table = load_wrong(lesson)
    assert table is not None, f"{lesson}: tests/lessons/wrong_answers/{lesson}.py is missing"
    names = {ex.name for ex in exercises(source)}
    thin = {n: len(table.get(n, [])) for n in names if len(table.get(n, [])) < MIN_WRONG}
    assert not thin, f"{lesson}: exercises with fewer than {MIN_WRONG} wrong implementations: {thin}"
    unknown = set(table) - names
    assert not unknown, f"{lesson}: WRONG has entries for {sorted(unknown)}, which are not autograded exercises"
    for ex in exercises(source):
        assert ex.answer_index is not None, f"{lesson}: test cell test_{ex.name} has no answer cell {ex.name!r}"
        wanted = _defined(source.cells[ex.answer_index].source)
        for label, code, *_ in table[ex.name]:
            got = _defined(code)
            assert wanted <= got, (f"{lesson}/{ex.name} [{label}]: must define {sorted(wanted)} like the "
                                   f"answer cell, defines {sorted(got)}")
        labels = [label for label, *_ in table[ex.name]]
        assert len(set(labels)) == len(labels), f"{lesson}/{ex.name}: duplicate labels {labels}"
    tables = load_tables(lesson)
    wanted = {ex.name: _defined(source.cells[ex.answer_index].source) for ex in exercises(source)}
    for row in tables["wrong"] + tables["alternatives"]:
        assert row["exercise"] in wanted, f"{lesson}: table entry for unknown exercise {row['exercise']!r}"
        assert wanted[row["exercise"]] <= _defined(row["source"]), (
            f"{lesson}/{row['exercise']} [{row['label']}]: must define {sorted(wanted[row['exercise']])}")


def _defined(code: str) -> set[str]:
    """Top-level function names defined by a cell (cell magics are not expected in answers)."""
    return {n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)}


@pytest.mark.slow
def test_solution_scores_full_marks(graded_lessons, lesson):
    graded = _graded(graded_lessons, lesson)
    scores = _scores(graded, "solution")
    assert len(scores) == len(exercises(read_nb(source_path(lesson)))), (
        f"{lesson}: the gradebook has {len(scores)} autograded cells: {_fmt(scores)}")
    short = {gid: s for gid, s in scores.items() if s[0] != s[1]}
    assert not short, (f"{lesson}: the solution notebook, submitted as a student, loses points: "
                       f"{_fmt(short)}\n{graded.log_tail('solution')}")


@pytest.mark.slow
def test_blank_lesson_scores_zero(graded_lessons, lesson):
    assert release_path(lesson).is_file(), f"lessons/{lesson}/{lesson}.ipynb is missing: run `make lessons`"
    graded = _graded(graded_lessons, lesson)
    scores = _scores(graded, "blank")
    assert (graded.course / "autograded" / "blank" / lesson / f"{lesson}.ipynb").is_file(), (
        f"{lesson}: no autograded notebook for the blank submission")
    nonzero = {gid: s for gid, s in scores.items() if s[0] != 0}
    assert not nonzero, f"{lesson}: the blank lesson earns points without any answer: {_fmt(nonzero)}"
    assert len(scores) == len(exercises(read_nb(source_path(lesson))))


@pytest.mark.slow
def test_wrong_answers_lose_their_points(graded_lessons, lesson_exercise):
    """Each wrong implementation zeroes its own exercise and leaves every exercise its submission
    did not change at full marks."""
    lesson, name = lesson_exercise
    graded = _graded(graded_lessons, lesson)
    subs = {s: carried for s, carried in graded.wrong.items() if name in carried}
    assert len(subs) >= MIN_WRONG, f"{lesson}/{name}: only {len(subs)} wrong implementations were graded"
    problems = []
    for student, carried in sorted(subs.items()):
        label, scores = carried[name], _scores(graded, student)
        own = scores.get(f"test_{name}")
        if own is None or own[0] != 0:
            problems.append(f"{student} [{label}] still scores {own} on test_{name} (all: {_fmt(scores)})")
        others = {gid: s for gid, s in scores.items()
                  if gid.removeprefix("test_") not in carried and s[0] != s[1]}
        if others:
            problems.append(f"{student} [{label}, with {sorted(carried)} wrong] costs points in "
                            f"exercises it did not change: {_fmt(others)}")
    assert not problems, f"{lesson}/{name}:\n  " + "\n  ".join(problems)


@pytest.mark.slow
def test_public_wrong_answers_lose_their_points(graded_lessons, lesson):
    """Each combined submission (several public mistakes, one per exercise) zeroes exactly the
    exercises it changed and keeps full marks everywhere else."""
    graded = _graded(graded_lessons, lesson)
    problems = []
    for student, carried in sorted(graded.combined.items()):
        if not student.startswith("public_"):
            continue
        scores = _scores(graded, student)
        for gid, (score, top) in sorted(scores.items()):
            ex = gid.removeprefix("test_")
            if ex in carried and score != 0:
                problems.append(f"{student} [{ex}: {carried[ex]}] still scores {score:g}/{top:g}")
            if ex not in carried and score != top:
                problems.append(f"{student}: {gid} (not changed) scores {score:g}/{top:g}")
    assert not problems, f"{lesson}:\n  " + "\n  ".join(problems)


@pytest.mark.slow
def test_alternatives_score_full_marks(graded_lessons, lesson):
    """Every correct-but-unusual answer gets full marks under nbgrader."""
    graded = _graded(graded_lessons, lesson)
    problems = []
    for student, carried in sorted(graded.combined.items()):
        if not student.startswith("alt_"):
            continue
        for gid, (score, top) in sorted(_scores(graded, student).items()):
            if score != top:
                ex = gid.removeprefix("test_")
                problems.append(f"{student} [{ex}: {carried.get(ex, 'the solution')}] scores {score:g}/{top:g}")
    assert not problems, f"{lesson}:\n  " + "\n  ".join(problems)
