"""No surprise zeros, and messages that name the mistake -- measured in-process over the tables.

``table_runner`` runs every entry of ``wrong_answers/<id>.py`` (``WRONG`` and ``WRONG_PUBLIC``) and of
``alternatives/<id>.py`` against the lesson's test cells, once with the hidden region removed (what
the student sees) and once in full (what grading runs), one process per lesson. nbgrader itself
grades the same tables in test_grading.py; this is the cheap measurement of what the student reads.

    python -m tests.lessons.table_runner      # prints the whole table and the counts
    python -m tests.lessons.table_runner --variants 20   # the same verdicts over 20 students' variants

The variant sweep repeats the verdicts that matter (no surprise zero, every wrong answer loses its
points, every alternative scores full marks, the solution passes) in every variant of a fixed roster
of 20 students under a fixed test secret (``table_runner.SWEEP_ROSTER``, ``SWEEP_SECRET``).
"""
from __future__ import annotations

import re
import time

import pytest

from .conftest import LESSONS, TIMINGS, WRONG_DIR
from .table_runner import SWEEP_ROSTER, run_all, seen

MIN_PUBLIC = 40          # mistakes from public sources, over the course
MIN_ALTERNATIVES = 15
DIAGNOSED_SHARE = 0.90


@pytest.fixture(scope="session")
def table_reports():
    start = time.perf_counter()
    reports = {r["lesson"]: r for r in run_all(LESSONS)}
    TIMINGS[f"table_runner: every table entry of {len(reports)} lessons, in-process"] = time.perf_counter() - start
    return reports


@pytest.fixture(scope="session")
def variant_sweep():
    start = time.perf_counter()
    sweeps = dict(zip(LESSONS, run_all(LESSONS, variants=len(SWEEP_ROSTER))))
    TIMINGS[f"table_runner: every table entry in {len(SWEEP_ROSTER)} variants of {len(sweeps)} lessons"] = \
        time.perf_counter() - start
    return sweeps


def test_no_surprise_zeros_in_any_variant(variant_sweep, lesson):
    """In each of 20 students' variants: the solution passes, every wrong answer that loses points fails
    a visible check of that variant, every wrong answer loses points, every alternative scores full marks."""
    found = variant_sweep[lesson]
    assert len(found) == len(SWEEP_ROSTER), f"{lesson}: swept {len(found)} variants, expected {len(SWEEP_ROSTER)}"
    bad = [f"variant {fp[:8]}: {problem}" for fp, problems in found.items() for problem in problems]
    assert not bad, f"{lesson}: {len(bad)} problems over {len(found)} variants:\n  " + "\n  ".join(bad[:30])


def test_the_solution_passes_in_process(table_reports, lesson):
    """The harness itself is sound: the solution's test cells pass, visible part and full cell."""
    rep = table_reports[lesson]
    assert rep["setup"]["ok"], f"{lesson}: the setup cell failed in-process: {rep['setup']['message']}"
    bad = {ex: (v["message"] or f["message"]) for ex, (v, f) in rep["solution"].items() if not (v["ok"] and f["ok"])}
    assert not bad, f"{lesson}: the solution fails its own test cells in-process: {bad}"


def test_no_surprise_zeros(table_reports, lesson):
    """Every wrong answer that loses points at grading fails the visible part of its test cell too,
    unless its table entry lists the reason (``{"visible_ok": reason}``)."""
    surprises, stale = [], []
    for row in table_reports[lesson]["wrong"]:
        if row["visible"]["ok"] and not row["full"]["ok"] and not row["visible_ok"]:
            surprises.append(f"[{row['exercise']}: {row['label']}] passes every visible check, then grading "
                             f"fails it: {row['full']['message'][:200]}")
        if row["visible_ok"] and not row["visible"]["ok"]:
            stale.append(f"[{row['exercise']}: {row['label']}] is listed as passing visibly but fails visibly")
    assert not surprises + stale, f"{lesson}:\n  " + "\n  ".join(surprises + stale)


def test_every_wrong_answer_loses_points_in_process(table_reports, lesson):
    kept = [f"[{r['exercise']}: {r['label']}]" for r in table_reports[lesson]["wrong"] if r["full"]["ok"]]
    assert not kept, f"{lesson}: wrong answers that pass the full test cell in-process: {kept}"


def test_alternatives_pass_visibly_and_in_full(table_reports, lesson):
    failing = [f"[{a['exercise']}: {a['label']}] {seen(a)['message'][:200]}"
               for a in table_reports[lesson]["alternatives"] if not (a["visible"]["ok"] and a["full"]["ok"])]
    assert not failing, f"{lesson}: correct alternatives that fail:\n  " + "\n  ".join(failing)


def test_wrong_answers_get_their_named_diagnosis(table_reports):
    """>= 90 % of the table entries that name a diagnosis receive exactly that code, course-wide."""
    named = [(lesson, r) for lesson, rep in table_reports.items() for r in rep["wrong"] if r["diagnosis"]]
    missed = [f"{lesson} [{r['exercise']}: {r['label']}] wants {r['diagnosis']!r}, got "
              f"{seen(r).get('code') or seen(r)['kind']!r}: {seen(r)['message'][:120]}"
              for lesson, r in named if seen(r).get("code") != r["diagnosis"]]
    share = 1 - len(missed) / max(len(named), 1)
    assert named and share >= DIAGNOSED_SHARE, (
        f"{len(named) - len(missed)} of {len(named)} wrong answers ({share:.0%}) get their named diagnosis, "
        f"need {DIAGNOSED_SHARE:.0%}; missed:\n  " + "\n  ".join(missed))


def test_tables_are_big_enough_and_sourced(table_reports):
    """>= 40 mistakes from public sources, each with a source URL comment, and >= 15 alternatives."""
    public = [r for rep in table_reports.values() for r in rep["wrong"] if r["table"] == "WRONG_PUBLIC"]
    assert len(public) >= MIN_PUBLIC, f"only {len(public)} WRONG_PUBLIC entries, need {MIN_PUBLIC}"
    unnamed = [f"{r['exercise']}: {r['label']}" for r in public if not r["diagnosis"]]
    assert not unnamed, f"WRONG_PUBLIC entries must name their diagnosis: {unnamed}"
    for path in sorted(WRONG_DIR.glob("0*.py")):
        text = path.read_text(encoding="utf-8")
        if "WRONG_PUBLIC" not in text:
            continue
        block = text[text.index("WRONG_PUBLIC = {"):]
        entries = len(re.findall(r'^\s+\("', block, re.M))
        sources = len(re.findall(r"^\s+# source: https?://\S+", block, re.M))
        assert sources >= entries, f"{path.name}: {entries} WRONG_PUBLIC entries but only {sources} source URLs"
    alternatives = sum(len(rep["alternatives"]) for rep in table_reports.values())
    assert alternatives >= MIN_ALTERNATIVES, f"only {alternatives} correct alternatives, need {MIN_ALTERNATIVES}"
