"""Run every entry of the wrong-answer and alternative tables against a lesson's test cells, in-process.

One process per lesson runs the lesson's setup cells and answer cells once (the solution), then for
each table entry swaps its source in and runs the exercise's test cell twice: the *visible* part
(the hidden region removed, what a student sees) and the *full* cell (what grading runs). A run
fails on a raised exception, a warning or anything on stderr (nbgrader scores that 0). This is the
cheap measurement behind tests/lessons/test_surprises.py; nbgrader itself grades the tables in
tests/lessons/test_grading.py.

    python -m tests.lessons.table_runner            # prints the table and the counts
    python -m tests.lessons.table_runner --json 01_forward_propagation
    python -m tests.lessons.table_runner --root /tmp/old-checkout   # the same tables, other code
    python -m tests.lessons.table_runner --variants 20 06_deeper_networks   # the sweep over 20 students' variants

The variant sweep (:func:`sweep`) runs the same tables over students' variants (:func:`grader.variants.personalise`
with a fixed roster and test secret), a lesson's variants one after the other in one process: the
imports are paid once, each variant costs its setup, answer and test cells.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import runpy
import signal
import subprocess
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
GENERIC = {"mismatch", "exception", "warning", "factor", None}
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)
_GENERIC_TEXT = re.compile(r"values differ at \d+ of|: expected [-\d.e+inf]+, got [-\d.e+nan]+\.$| raised \w+: "
                           r"|emitted a \w+Warning: [^.]*\.$")


def visible_part(source: str) -> str:
    """The test cell as a student sees it: the hidden region removed."""
    return _HIDDEN.sub("", source)


def load_tables(lesson: str, tables_dir: Path = HERE) -> dict:
    """{"wrong": [...], "alternatives": [...]}: dicts with exercise, label, source, diagnosis, visible_ok, table."""
    out = {"wrong": [], "alternatives": []}
    path = tables_dir / "wrong_answers" / f"{lesson}.py"
    ns = runpy.run_path(str(path)) if path.is_file() else {}
    for table in ("WRONG", "WRONG_PUBLIC"):
        for ex, entries in ns.get(table, {}).items():
            for k, entry in enumerate(entries):
                label, source, *rest = entry
                extra = rest[1] if len(rest) > 1 else {}
                out["wrong"].append({"exercise": ex, "label": label, "source": source, "table": table, "k": k,
                                     "diagnosis": rest[0] if rest else None,
                                     "visible_ok": extra.get("visible_ok")})
    path = tables_dir / "alternatives" / f"{lesson}.py"
    ns = runpy.run_path(str(path)) if path.is_file() else {}
    for ex, entries in ns.get("ALTERNATIVES", {}).items():
        for k, (label, source) in enumerate(entries):
            out["alternatives"].append({"exercise": ex, "label": label, "source": source, "k": k})
    return out


def _alarm(signum, frame):
    raise TimeoutError("ran longer than 120 s")


def _run(code: str, ns: dict, filename: str) -> dict:
    """Execute ``code`` in ``ns``: -> {"ok", "code", "check", "message", "kind"}."""
    from helpers.feedback.checks import CheckFailed

    err, out = io.StringIO(), io.StringIO()
    result = {"ok": True, "code": None, "check": None, "message": "", "kind": "passed"}
    signal.alarm(120)
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(err), \
                contextlib.redirect_stdout(out):
            warnings.simplefilter("always")
            try:
                exec(compile(code, filename, "exec"), ns)  # noqa: S102 -- the course's own cells
            except CheckFailed as e:
                result.update(ok=False, kind="check", code=getattr(e, "code", None),
                              check=getattr(e, "check", None), message=str(e))
            except Exception as e:  # noqa: BLE001
                result.update(ok=False, kind="error", message=f"{type(e).__name__}: {e}")
    finally:
        signal.alarm(0)
    if result["ok"] and (caught or err.getvalue()):
        text = err.getvalue() or f"{caught[0].category.__name__}: {caught[0].message}"
        result.update(ok=False, kind="stderr", message=text.strip()[:300])
    return result


def _cell_code(source: str) -> str:
    return "\n".join("pass  # " + ln if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines())


def setup_cells(nb) -> list[int]:
    """The lesson's setup cells: the locked code cells that are not tests (the imports, the ``variant``
    cell, ...); grading runs them on both sides, before the answers."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and c.get("metadata", {}).get("nbgrader", {}).get("locked")
            and not c["metadata"]["nbgrader"].get("grade") and not c["metadata"]["nbgrader"].get("solution")]


def run_setup(nb, ns: dict, lesson: str) -> dict:
    """Run every setup cell in ``ns``; -> the outcome of the first that fails, else of the last."""
    outcome = {"ok": True, "code": None, "check": None, "message": "", "kind": "passed"}
    for i in setup_cells(nb):
        outcome = _run(_cell_code(nb.cells[i].source), ns, f"<{lesson} setup cell {i}>")
        if not outcome["ok"]:
            break
    return outcome


def run_lesson(lesson: str, root: Path = REPO, tables_dir: Path = HERE, full: bool = False,
               fp: str | None = None) -> dict:
    """The outcome of every table entry of ``lesson`` (runs in the current process), in the common
    version or (``fp``) in that fingerprint's variant.

    The setup cells and the answer cells are run once; when the solution then fails a test cell
    (the test needs a variable from another cell), the lesson is run again with every code cell.
    """
    import matplotlib
    matplotlib.use("Agg")
    import nbformat

    nb = nbformat.read(root / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    if fp is not None:
        from grader.variants import personalise
        nb = personalise(nb, fp, where=f"solutions/{lesson}")
    os.chdir(root / "solutions" / lesson)
    meta = [c.get("metadata", {}).get("nbgrader", {}) for c in nb.cells]
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    answers = {meta[i]["grade_id"]: i for i in code if meta[i].get("solution") and not meta[i].get("grade")}
    tests = {meta[i]["grade_id"].removeprefix("test_"): i for i in code if meta[i].get("grade")
             and not meta[i].get("solution")}
    ns = {"__name__": "__main__"}
    setup = run_setup(nb, ns, lesson)
    tested = set(tests.values()) | set(setup_cells(nb))
    for i in (c for c in code if c not in tested) if full else answers.values():
        _run(_cell_code(nb.cells[i].source), ns, f"<{lesson} cell {i}>")
        plt_close = ns.get("plt")
        if plt_close is not None and hasattr(plt_close, "close"):
            plt_close.close("all")
    report = {"lesson": lesson, "setup": setup, "solution": {}, "wrong": [], "alternatives": [], "full": full}

    def both(ex, env):
        src = _cell_code(nb.cells[tests[ex]].source)
        vis = _run(visible_part(src), dict(env), f"<{lesson} test_{ex} visible>")
        return vis, _run(src, dict(env), f"<{lesson} test_{ex}>")

    for ex in tests:
        report["solution"][ex] = both(ex, ns)
    if not full and not all(v["ok"] and f["ok"] for v, f in report["solution"].values()):
        os.chdir(REPO)
        return run_lesson(lesson, root, tables_dir, full=True, fp=fp)
    tables = load_tables(lesson, tables_dir)
    for kind in ("wrong", "alternatives"):
        for entry in tables[kind]:
            env = dict(ns)
            swapped = _run(entry["source"], env, f"<{lesson} {entry['exercise']} answer>")
            vis, full = both(entry["exercise"], env) if entry["exercise"] in tests else (swapped, swapped)
            row = {k: v for k, v in entry.items() if k != "source"}
            row.update(visible=vis, full=full)
            report[kind].append(row)
    return report


#: the variant sweep's roster and secret (fixed: the same variants every run)
SWEEP_SECRET = b"test-secret: lessons/test_surprises.py variant sweep"
SWEEP_ROSTER = [f"s{2001 + k}" for k in range(20)]


def problems(report: dict) -> list[str]:
    """What is wrong in one report: the solution failing, a surprise zero, a wrong answer that keeps its
    points, an alternative that loses points (an entry with ``visible_ok`` may pass visibly)."""
    out = [f"the solution fails test_{ex}: {(v['message'] or f['message'])[:160]}"
           for ex, (v, f) in report["solution"].items() if not (v["ok"] and f["ok"])]
    for r in report["wrong"]:
        if r["full"]["ok"]:
            out.append(f"[{r['exercise']}: {r['label']}] keeps its points at grading")
        elif r["visible"]["ok"] and not r["visible_ok"]:
            out.append(f"[{r['exercise']}: {r['label']}] passes every visible check, then grading fails it: "
                       f"{r['full']['message'][:160]}")
    out += [f"[{a['exercise']}: {a['label']}] (a correct alternative) fails: {seen(a)['message'][:160]}"
            for a in report["alternatives"] if not (a["visible"]["ok"] and a["full"]["ok"])]
    return out


def sweep(lesson: str, fingerprints: list[str], root: Path = REPO, tables_dir: Path = HERE) -> dict:
    """{fingerprint: problems(...)} over the given variants of ``lesson`` (in this process)."""
    try:
        return {fp: problems(run_lesson(lesson, root, tables_dir, fp=fp)) for fp in fingerprints}
    finally:
        os.chdir(REPO)


def sweep_fingerprints(lesson: str, n: int = len(SWEEP_ROSTER)) -> list[str]:
    from grader.variants import fingerprint
    return [fingerprint(SWEEP_SECRET, student, lesson) for student in SWEEP_ROSTER[:n]]


def specific(outcome: dict) -> bool:
    """Did the student get a message that names a mistake (not 'values differ' / a raw exception)?"""
    if outcome["ok"]:
        return False
    if outcome.get("code") is not None:
        return outcome["code"] not in GENERIC
    return outcome["kind"] == "check" and not _GENERIC_TEXT.search(outcome["message"])


def seen(row: dict) -> dict:
    """The outcome the student meets first: the visible run, or grading when the visible run passes."""
    return row["visible"] if not row["visible"]["ok"] else row["full"]


def summarise(reports: list[dict]) -> dict:
    rows = [r for rep in reports for r in rep["wrong"]]
    named = [r for r in rows if r["diagnosis"]]
    return {
        "wrong answers": len(rows),
        "lose points at grading (in-process)": sum(not r["full"]["ok"] for r in rows),
        "surprises (visible passes, grading fails)": sum(r["visible"]["ok"] and not r["full"]["ok"] for r in rows),
        "specific message": sum(specific(seen(r)) for r in rows if not r["full"]["ok"]),
        "named diagnosis received": sum(seen(r).get("code") == r["diagnosis"] for r in named),
        "entries naming a diagnosis": len(named),
        "alternatives": sum(len(rep["alternatives"]) for rep in reports),
        "alternatives failing (visible or grading)": sum(not (a["visible"]["ok"] and a["full"]["ok"])
                                                         for rep in reports for a in rep["alternatives"]),
    }


def run_all(lessons, root: Path = REPO, tables_dir: Path = HERE, jobs: int = 2, variants: int = 0) -> list[dict]:
    """Each lesson in its own process (``jobs`` at a time); -> the reports in lesson order (with
    ``variants``: the :func:`sweep` of that many students' variants of each lesson)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "tests.lessons.table_runner", "--json", "--root", str(root),
           "--tables", str(tables_dir), "--variants", str(variants)]
    reports, pending = {}, list(lessons)
    running = []
    while pending or running:
        while pending and len(running) < jobs:
            lesson = pending.pop(0)
            running.append((lesson, subprocess.Popen([*cmd, lesson], cwd=REPO, env=env, text=True,
                                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        lesson, proc = running.pop(0)
        out, err = proc.communicate(timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"table_runner {lesson} exited with {proc.returncode}:\n{err[-3000:]}")
        reports[lesson] = json.loads(out.strip().splitlines()[-1])
    return [reports[lesson] for lesson in lessons]


def _print(reports):
    for rep in reports:
        print(f"== {rep['lesson']}")
        for r in rep["wrong"]:
            s = seen(r)
            flag = "SURPRISE " if r["visible"]["ok"] and not r["full"]["ok"] else ""
            got = s.get("code") or s["kind"]
            want = r["diagnosis"] or "-"
            mark = "=" if got == want else "!"
            print(f"  {flag}{r['exercise']:<28} {want:>20} {mark} {got:<20} {r['label'][:60]}")
        for a in rep["alternatives"]:
            ok = a["visible"]["ok"] and a["full"]["ok"]
            print(f"  {'ALT ok ' if ok else 'ALT FAIL'} {a['exercise']:<28} {a['label'][:60]}"
                  + ("" if ok else f" -- {seen(a)['message'][:120]}"))
    for k, v in summarise(reports).items():
        print(f"{v:5d}  {k}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("lessons", nargs="*")
    p.add_argument("--json", action="store_true", help="run ONE lesson here and print its report as JSON")
    p.add_argument("--root", type=Path, default=REPO, help="checkout whose solutions/ and helpers/ to use")
    p.add_argument("--tables", type=Path, default=HERE, help="folder holding wrong_answers/ and alternatives/")
    p.add_argument("--variants", type=int, default=0,
                   help=f"sweep the tables over this many students' variants (at most {len(SWEEP_ROSTER)})")
    args = p.parse_args(argv)
    root = args.root.resolve()
    if args.json:
        sys.path.insert(0, str(root))
        lesson, tables = args.lessons[0], args.tables.resolve()
        out = sweep(lesson, sweep_fingerprints(lesson, args.variants), root, tables) if args.variants \
            else run_lesson(lesson, root, tables)
        print(json.dumps(out))
        return 0
    lessons = args.lessons or sorted(p.name for p in (root / "solutions").iterdir()
                                     if (p / f"{p.name}.ipynb").is_file())
    if args.variants:
        for lesson, found in zip(lessons, run_all(lessons, root, args.tables.resolve(), variants=args.variants)):
            bad = {fp[:8]: probs for fp, probs in found.items() if probs}
            print(f"== {lesson}: {len(found)} variants, {len(bad)} with problems")
            for fp, probs in bad.items():
                print("\n".join(f"  {fp} {p}" for p in probs))
        return 0
    _print(run_all(lessons, root, args.tables.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
