"""Grade every variant of a lesson in-process: reference answers, blank answers, the wrong-answer table.

For each fingerprint the solution notebook is personalised (:func:`grader.variants.personalise`),
its setup cells (the imports and the ``variant`` cell) and answer cells are run once, and every test
cell runs in full (visible and hidden checks, as grading runs it) three ways:

* with the reference answers -- every test cell must pass (full marks);
* with the blank answers of the released notebook (``lessons/``: ``raise NotImplementedError()``) --
  every test cell must fail (zero);
* with each wrong-answer table entry (``wrong_answers/<id>.py``) swapped into its answer cell -- its
  test cell must fail (the entry loses its points).

Two processes share the lessons (a lesson's variants one after the other in one process; the imports
are most of the cost); the cell runner is :mod:`tests.lessons.table_runner`'s.

    python -m tests.lessons.variant_runner 01_forward_propagation <fingerprint> [<fingerprint> ...]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from .table_runner import HERE, REPO, _cell_code, _run, load_tables, run_setup, setup_cells

__all__ = ["run_variants", "run_all_variants"]


def _cells(nb):
    meta = [c.get("metadata", {}).get("nbgrader", {}) for c in nb.cells]
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    answers = {meta[i]["grade_id"]: i for i in code if meta[i].get("solution") and not meta[i].get("grade")}
    tests = {meta[i]["grade_id"].removeprefix("test_"): i for i in code
             if meta[i].get("grade") and not meta[i].get("solution")}
    return answers, tests


def _namespace(nb, answer_sources: dict, answers: dict, lesson: str, what: str) -> tuple[dict, dict]:
    """Run the setup cells, then the given answer sources: -> (namespace, setup outcome)."""
    ns = {"__name__": "__main__"}
    setup = run_setup(nb, ns, lesson)
    for name, i in answers.items():
        _run(_cell_code(answer_sources[name]), ns, f"<{lesson} {what} {name}>")
    plt = ns.get("plt")
    if plt is not None and hasattr(plt, "close"):
        plt.close("all")
    return ns, setup


def _brief(outcome: dict) -> dict:
    return {"ok": outcome["ok"], "code": outcome["code"], "message": outcome["message"][:300]}


def run_variant(lesson: str, fp: str, source_nb, blank_nb, tables: dict) -> dict:
    """The outcomes for one variant: {"setup", "values", "reference", "blank", "wrong"}."""
    from grader.variants import personalise, variant_values

    nb = personalise(source_nb, fp, where=f"solutions/{lesson}")
    answers, tests = _cells(nb)
    variant = [nb.cells[i].source for i in setup_cells(nb) if "variant" in nb.cells[i].metadata.get("tags", [])]
    values = variant_values(variant[0]) if variant else {}
    solution = {name: nb.cells[i].source for name, i in answers.items()}
    blank_answers, _ = _cells(blank_nb)
    blank = {name: blank_nb.cells[i].source for name, i in blank_answers.items()}
    ns, setup = _namespace(nb, solution, answers, lesson, "answer")
    ns_blank, _ = _namespace(nb, blank, answers, lesson, "blank answer")
    out = {"fingerprint": fp, "setup": _brief(setup), "values": values, "reference": {}, "blank": {}, "wrong": []}
    for ex, i in tests.items():
        src = _cell_code(nb.cells[i].source)
        out["reference"][ex] = _brief(_run(src, dict(ns), f"<{lesson} test_{ex}>"))
        out["blank"][ex] = _brief(_run(src, dict(ns_blank), f"<{lesson} test_{ex} blank>"))
    for entry in tables["wrong"]:
        ex = entry["exercise"]
        env = dict(ns)
        _run(entry["source"], env, f"<{lesson} {ex} wrong answer>")
        full = _run(_cell_code(nb.cells[tests[ex]].source), env, f"<{lesson} test_{ex} wrong>") if ex in tests \
            else {"ok": True, "code": None, "message": f"no test cell test_{ex}"}
        out["wrong"].append({"exercise": ex, "label": entry["label"], "table": entry["table"], "full": _brief(full)})
    return out


def run_variants(lesson: str, fingerprints: list[str], root: Path = REPO) -> dict:
    """Every variant of ``lesson`` (in this process): {"lesson", "variants": [run_variant(...), ...]}."""
    import matplotlib
    matplotlib.use("Agg")
    import nbformat

    source_nb = nbformat.read(root / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    blank_nb = nbformat.read(root / "lessons" / lesson / f"{lesson}.ipynb", as_version=4)
    tables = load_tables(lesson, HERE)
    os.chdir(root / "solutions" / lesson)
    try:
        return {"lesson": lesson, "variants": [run_variant(lesson, fp, source_nb, blank_nb, tables)
                                               for fp in fingerprints]}
    finally:
        os.chdir(REPO)


def run_all_variants(fingerprints: dict[str, list[str]], jobs: int = 2) -> dict:
    """``{lesson: [fingerprint, ...]}`` -> {lesson: run_variants(...)}, in ``jobs`` processes that each
    grade a share of the lessons one after the other (the imports, most of the cost, paid once each)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "tests.lessons.variant_runner", "--stdin"]
    lessons = list(fingerprints)
    shares = [{lesson: fingerprints[lesson] for lesson in lessons[k::jobs]} for k in range(jobs)]
    procs = [(share, subprocess.Popen(cmd, cwd=REPO, env=env, text=True, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
             for share in shares if share]
    reports = {}
    for share, proc in procs:
        out, err = proc.communicate(json.dumps(share), timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"variant_runner {sorted(share)} exited with {proc.returncode}:\n{err[-3000:]}")
        reports.update(json.loads(out.strip().splitlines()[-1]))
    return {lesson: reports[lesson] for lesson in lessons}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("lesson", nargs="?")
    p.add_argument("fingerprints", nargs="*")
    p.add_argument("--stdin", action="store_true", help="read {lesson: [fingerprint, ...]} as JSON from stdin")
    args = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    wanted = json.load(sys.stdin) if args.stdin else {args.lesson: args.fingerprints}
    print(json.dumps({lesson: run_variants(lesson, fps) for lesson, fps in wanted.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
