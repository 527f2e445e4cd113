"""Every student's variant of every lesson is a correct lesson that grades like the common one.

A roster of five students gets its fingerprints from :func:`grader.variants.fingerprint` (a test
secret). :mod:`tests.lessons.variant_runner` grades each variant in-process (two processes share
the lessons): the reference answers pass every test cell in full (visible and hidden checks, the
variant's own inputs on both), the released blank answers fail every test cell, and every entry of
the wrong-answer table (``wrong_answers/<id>.py``) fails its test cell -- in every variant. The
checks below also ask that the variant cell is where the grader expects it, that two students draw
different values, that the same student gets a byte-identical notebook twice and a different secret
gives different variants, that the text quotes each variant's own numbers, and that no notebook
carries the secret or another student's fingerprint (these personalise ``solutions/``, where the
``variant-text`` templates are; ``lessons/`` holds their common rendering). nbgrader itself grades the common version in
test_grading.py; the grader's ``--roster`` runs are tested in tests/grader/test_variants.py.
"""
from __future__ import annotations

import json
import re
import time
from functools import lru_cache
from itertools import combinations

import nbformat
import pytest

from grader.variants import METADATA_KEY, fingerprint, personalise, variant_cell, variant_values

from .conftest import LESSONS, TIMINGS, nbgrader_meta, read_nb, release_path, source_path
from .variant_runner import run_all_variants

SECRET = b"test-secret: lessons/test_variants.py"
OTHER_SECRET = b"another course's secret, same roster"
ROSTER = ["s1001", "s1002", "s1003", "s1004", "s1005"]
_QUOTED = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def _fingerprints(lesson: str, secret: bytes = SECRET) -> dict[str, str]:
    return {student: fingerprint(secret, student, lesson) for student in ROSTER}


@lru_cache(maxsize=None)
def _source(lesson: str):
    """solutions/<lesson>: where the ``variant-text`` templates live (lessons/ holds their common text)."""
    return read_nb(source_path(lesson))


@lru_cache(maxsize=None)
def _personal(lesson: str, fp: str | None):
    """The lesson made into variant ``fp`` (cached: read it, never change it)."""
    return personalise(_source(lesson), fp, where=f"solutions/{lesson}")


@lru_cache(maxsize=None)
def _values(lesson: str, fp: str | None) -> dict:
    out = _personal(lesson, fp)
    return variant_values(out.cells[variant_cell(out)].source)


@pytest.fixture(scope="session")
def variant_reports():
    start = time.perf_counter()
    wanted = {lesson: list(_fingerprints(lesson).values()) for lesson in LESSONS}
    reports = run_all_variants(wanted)
    TIMINGS[f"variant_runner: {len(ROSTER)} variants of {len(reports)} lessons, in-process"] = time.perf_counter() - start
    return reports


def _by_student(variant_reports, lesson):
    students = {fp: s for s, fp in _fingerprints(lesson).items()}
    rep = variant_reports[lesson]
    assert [v["fingerprint"] for v in rep["variants"]] == list(students), f"{lesson}: the runner graded other variants"
    return [(students[v["fingerprint"]], v) for v in rep["variants"]]


def test_the_runner_graded_each_students_own_values(variant_reports, lesson):
    fps = _fingerprints(lesson)
    for student, v in _by_student(variant_reports, lesson):
        want = _values(lesson, fps[student])
        assert v["values"] == want, f"{lesson}: {student} was graded with {v['values']}, expected {want}"
    assert len({json.dumps(v["values"], sort_keys=True) for _, v in _by_student(variant_reports, lesson)}) == len(ROSTER), (
        f"{lesson}: the graded variants do not all differ")


def test_reference_answers_pass_every_test_cell_in_every_variant(variant_reports, lesson):
    failing = []
    for student, v in _by_student(variant_reports, lesson):
        if not v["setup"]["ok"]:
            failing.append(f"{student}: a setup cell failed: {v['setup']['message']}")
        failing += [f"{student}: test_{ex} fails the reference answer: {o['message']}"
                    for ex, o in v["reference"].items() if not o["ok"]]
    assert not failing, f"{lesson} (a variant that is not full marks):\n  " + "\n  ".join(failing)


def test_blank_answers_fail_every_test_cell_in_every_variant(variant_reports, lesson):
    passing = [f"{student}: test_{ex} passes the blank answer" for student, v in _by_student(variant_reports, lesson)
               for ex, o in v["blank"].items() if o["ok"]]
    assert not passing, f"{lesson}:\n  " + "\n  ".join(passing)
    counts = {len(v["blank"]) for _, v in _by_student(variant_reports, lesson)}
    assert counts and min(counts) >= 4, f"{lesson}: expected >= 4 test cells per variant, got {counts}"


def test_every_wrong_answer_loses_its_points_in_every_variant(variant_reports, lesson):
    rows = [(student, w) for student, v in _by_student(variant_reports, lesson) for w in v["wrong"]]
    assert rows, f"{lesson}: no wrong-answer table entry was graded (tests/lessons/wrong_answers/{lesson}.py)"
    kept = [f"{student}: [{w['exercise']}: {w['label']}] passes its full test cell" for student, w in rows
            if w["full"]["ok"]]
    assert not kept, f"{lesson} ({len(kept)} of {len(rows)} wrong answers keep their points):\n  " + "\n  ".join(kept)


def test_the_variant_cell_is_a_locked_setup_cell_after_the_imports(lesson):
    nb = read_nb(source_path(lesson))
    k = variant_cell(nb, f"solutions/{lesson}")
    assert k is not None, f"solutions/{lesson}: no code cell tagged 'variant'"
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert k == code[1], f"solutions/{lesson}: the variant cell is cell {k}; expected the first after the imports ({code[1]})"
    meta = nbgrader_meta(nb.cells[k])
    assert meta.get("locked") and not meta.get("grade") and not meta.get("solution"), (
        f"solutions/{lesson}: the variant cell must be a read-only nbgrader cell, got {meta}")
    released = read_nb(release_path(lesson))
    assert variant_cell(released) is not None and "V = Variant(None)" in released.cells[variant_cell(released)].source, (
        f"lessons/{lesson}: the released (common) notebook should keep the variant cell with Variant(None)")


def test_students_draw_different_values_and_the_common_version_the_defaults(lesson):
    nb = _source(lesson)
    common = _values(lesson, None)
    values = {s: _values(lesson, fp) for s, fp in _fingerprints(lesson).items()}
    assert len(common) >= 4 and all(set(v) == set(common) for v in values.values()), (
        f"{lesson}: every variant should draw the same names as the common version {sorted(common)}")
    same = [(a, b) for a, b in combinations(ROSTER, 2) if values[a] == values[b]]
    assert not same, f"{lesson}: these students drew identical values: {same}"
    for s, v in values.items():
        differ = [n for n in common if v[n] != common[n]]
        assert len(differ) >= len(common) // 2, (
            f"{lesson}: {s}'s variant differs from the common version in only {differ} of {sorted(common)}")


def test_the_same_student_twice_is_byte_identical_and_another_secret_differs(lesson):
    nb = _source(lesson)
    fps, others = _fingerprints(lesson), _fingerprints(lesson, OTHER_SECRET)
    student = ROSTER[0]
    first, again = nbformat.writes(personalise(nb, fps[student])), nbformat.writes(personalise(nb, fps[student]))
    assert first == again, f"{lesson}: personalising {student}'s notebook twice gave different bytes"
    assert _values(lesson, others[student]) != _values(lesson, fps[student]), (
        f"{lesson}: another secret gave {student} the same values")
    assert nbformat.writes(personalise(nb, others[student])) != first


def test_no_notebook_carries_the_secret_or_another_students_fingerprint(lesson):
    nb = _source(lesson)
    fps = _fingerprints(lesson)
    for student, fp in fps.items():
        out = _personal(lesson, fp)
        text = nbformat.writes(out)
        assert SECRET.decode() not in text, f"{lesson}: {student}'s notebook contains the course secret"
        leaked = [s for s, other in fps.items() if s != student and other in text]
        assert not leaked, f"{lesson}: {student}'s notebook contains the fingerprints of {leaked}"
        assert out.metadata[METADATA_KEY]["variant"] == fp and f"V = Variant({fp!r})" in text


def test_the_text_quotes_each_variants_own_numbers(lesson):
    """Every ``{{ name }}`` of a ``variant-text`` cell renders as that student's value; the common
    version renders the defaults and leaves no template behind."""
    nb = _source(lesson)
    templated = [i for i, c in enumerate(nb.cells) if "variant-text" in c.get("metadata", {}).get("tags", [])]
    common = _personal(lesson, None)
    left = [i for i in templated if "{{" in common.cells[i].source or "{%" in common.cells[i].source]
    assert not left, f"{lesson}: cells {left} still hold a template after rendering the common version"
    names_quoted = {n for i in templated for n in _QUOTED.findall(nb.cells[i].source)}
    for student, fp in _fingerprints(lesson).items():
        out, values = _personal(lesson, fp), _values(lesson, fp)
        for i in templated:
            for name in _QUOTED.findall(nb.cells[i].source):
                assert str(values[name]) in out.cells[i].source, (
                    f"{lesson}: cell {i} of {student}'s notebook should quote {name} = {values[name]!r}:\n"
                    f"{out.cells[i].source[:400]}")
    if names_quoted:
        rendered = {tuple(_personal(lesson, fp).cells[i].source for i in templated) for fp in _fingerprints(lesson).values()}
        assert len(rendered) > 1, f"{lesson}: the five students' templated text is identical ({sorted(names_quoted)})"
