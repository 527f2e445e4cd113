"""Every solution notebook runs top to bottom, cleanly, and has the shape of a lesson.

Each notebook in ``solutions/`` is executed once per session (``conftest.execute_lesson``,
shared with test_claims); the executed copy is reused by the checks below. A lesson must execute without errors and with nothing on stderr (a
warning there would zero an nbgrader test cell), show >= 3 figures, have >= 4 autograded
exercises and >= 1 written answer, learning objectives at the top, a "Check your
understanding" section and a summary, be committed with its outputs stripped, and its
released version in ``lessons/`` must not leak hidden tests or solutions.
Execution times are reported in the terminal summary (not asserted: speed is for ``bench/``).
"""
from __future__ import annotations

import re

import nbformat
import pytest

from .conftest import (cell_name, exercises, nbgrader_meta, read_nb, release_path, source_path,
                       written_answers)

MIN_FIGURES = 3
MIN_EXERCISES = 4
HIDDEN_MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN MARK SCHEME", "END MARK SCHEME")


@pytest.fixture
def executed(executed_lesson):
    """The lesson's source notebook after running it top to bottom (once per session, conftest)."""
    return executed_lesson.nb


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}"
    return ""


@pytest.mark.slow
def test_executes_without_errors_or_stderr(executed, lesson):
    problems = []
    for i, cell in enumerate(executed.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"{cell_name(executed, i)} raised {_text(out)}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                problems.append(f"{cell_name(executed, i)} wrote to stderr: {_text(out).strip()[:500]}")
    assert not problems, f"solutions/{lesson}:\n  " + "\n  ".join(problems)


@pytest.mark.slow
def test_has_figures(executed, lesson):
    figures = sum("image/png" in out.get("data", {})
                  for cell in executed.cells for out in cell.get("outputs", []))
    assert figures >= MIN_FIGURES, f"solutions/{lesson} shows {figures} figures (image/png outputs), expected >= {MIN_FIGURES}"


def test_autograded_exercises(lesson):
    """>= 4 exercises, each an answer cell with a solution region and a test cell with points,
    whose first line is a comment stating those points, with visible and hidden tests."""
    nb = read_nb(source_path(lesson))
    found = exercises(nb)
    assert len(found) >= MIN_EXERCISES, (
        f"solutions/{lesson} has {len(found)} autograded exercises {[e.name for e in found]}, expected >= {MIN_EXERCISES}")
    problems = []
    for ex in found:
        test = nb.cells[ex.test_index]
        where = f"{cell_name(nb, ex.test_index)}"
        if ex.answer_index is None:
            problems.append(f"{where}: no answer cell with grade_id {ex.name!r}")
        elif "### BEGIN SOLUTION" not in nb.cells[ex.answer_index].source:
            problems.append(f"{cell_name(nb, ex.answer_index)}: no '### BEGIN SOLUTION' region")
        elif ex.answer_index > ex.test_index:
            problems.append(f"{where}: the test cell comes before its answer cell")
        if ex.points <= 0:
            problems.append(f"{where}: points must be > 0, got {ex.points}")
        first = test.source.splitlines()[0] if test.source else ""
        if not first.startswith("#"):
            problems.append(f"{where}: the first line must be a comment saying what it checks, got {first!r}")
        else:
            stated = re.search(r"\((\d+(?:\.\d+)?) points?\)", first)
            if not stated or float(stated.group(1)) != ex.points:
                problems.append(f"{where}: the first line should state '({ex.points:g} points)' "
                                f"like the metadata, got {first!r}")
        if not all(f"### {m}" in test.source for m in HIDDEN_MARKERS):
            problems.append(f"{where}: no '### BEGIN HIDDEN TESTS' ... '### END HIDDEN TESTS' block")
        elif not test.source.split("### BEGIN HIDDEN TESTS")[0].strip().count("\n"):
            problems.append(f"{where}: no visible tests before the hidden ones")
        if not nbgrader_meta(test).get("locked"):
            problems.append(f"{where}: the test cell must be locked")
    assert not problems, f"solutions/{lesson}:\n  " + "\n  ".join(problems)


def test_written_answer(lesson):
    nb = read_nb(source_path(lesson))
    written = written_answers(nb)
    assert written, f"solutions/{lesson} has no manually graded written answer (markdown, grade + solution)"
    for i in written:
        points = nbgrader_meta(nb.cells[i]).get("points", 0)
        assert points > 0, f"solutions/{lesson} {cell_name(nb, i)}: a written answer needs points > 0"


def _headings(nb) -> list[str]:
    return [line.lstrip("#").strip().lower() for c in nb.cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if line.startswith("#")]


def test_lesson_structure(lesson):
    """Learning objectives in the first cell, then a 'Check your understanding' section and a summary."""
    nb = read_nb(source_path(lesson))
    nbformat.validate(nb)  # includes unique cell ids (nbformat 4.5)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "learning objectives" in first.source.lower(), (
        f"solutions/{lesson}: the first cell should be markdown with the learning objectives")
    heads = _headings(nb)
    assert any("check your understanding" in h for h in heads), (
        f"solutions/{lesson}: no 'Check your understanding' heading among {heads}")
    assert any("summary" in h for h in heads), f"solutions/{lesson}: no 'Summary' heading among {heads}"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", f"solutions/{lesson}: kernel must be python3"


def test_outputs_stripped(lesson):
    nb = read_nb(source_path(lesson))
    dirty = [cell_name(nb, i) for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"solutions/{lesson}: strip the outputs before committing: {dirty}"


def test_release_hides_solutions_and_hidden_tests(lesson):
    path = release_path(lesson)
    assert path.is_file(), f"lessons/{lesson}/{lesson}.ipynb is missing: run `make lessons`"
    nb = read_nb(path)
    leaks = [f"{cell_name(nb, i)} contains {m!r}" for i, c in enumerate(nb.cells)
             for m in HIDDEN_MARKERS + SOLUTION_MARKERS if m in c.source]
    assert not leaks, f"lessons/{lesson}:\n  " + "\n  ".join(leaks)
    stubs = [i for i in (ex.answer_index for ex in exercises(nb)) if i is not None
             and "raise NotImplementedError()" not in nb.cells[i].source]
    assert not stubs, f"lessons/{lesson}: answer cells without the stub: {[cell_name(nb, i) for i in stubs]}"
    dirty = [cell_name(nb, i) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("outputs")]
    assert not dirty, f"lessons/{lesson}: released cells with outputs: {dirty}"
