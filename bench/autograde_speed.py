"""How fast does ``grader autograde --jobs 2`` grade a class, against plain serial nbgrader?

40 synthetic submissions across the lessons of ``solutions/`` (per lesson: model answers,
blanks, wrong answers from ``tests/lessons/wrong_answers``, and a few damaged/dishonest
notebooks) are graded, in the same run, by

* ``grader autograde SUBMISSIONS --out RESULTS --jobs 2`` (sandboxed when bwrap works), and
* plain ``nbgrader autograde <lesson>`` for each lesson, one after the other, in a scratch
  course folder (nbgrader's own gradebook, generate_assignment done beforehand, not timed).

Prints submissions per minute for each and the ratio, and checks that every autograded
exercise of the honest submissions gets the same score from both. Target on a 2-core
machine: ratio >= 1.8.

    python bench/autograde_speed.py [--jobs 2] [--per-lesson 8] [--keep DIR]
"""
from __future__ import annotations

import argparse
import copy
import csv
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "grader"))

from grader.release import generate, lesson_names  # noqa: E402
from grader_corpus import honest_notebook, to_bytes  # noqa: E402

NBGRADER_CONFIG = """c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "backprop-workbook-bench"
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Execute.timeout = 30
c.Exchange.root = {root!r} + "/exchange"
"""


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def make_submissions(lessons, released: Path, per_lesson: int):
    """-> {(student, lesson): (bytes, kind)} with kind in honest/blank/wrong/adversarial."""
    subs = {}
    kinds = ["honest", "honest", "honest", "blank", "blank", "wrong", "wrong", "adversarial"]
    for lesson in lessons:
        release = nbformat.read(released / lesson / f"{lesson}.ipynb", as_version=4)
        solution = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
        honest = honest_notebook(release, solution)
        wrong_file = ROOT / "tests" / "lessons" / "wrong_answers" / f"{lesson}.py"
        table = runpy.run_path(str(wrong_file))["WRONG"] if wrong_file.exists() else {}
        wrongs = [(name, entry[1]) for name, entries in table.items() for entry in entries[:1]]
        for k in range(per_lesson):
            kind = kinds[k % len(kinds)]
            nb = copy.deepcopy(honest)
            if kind == "blank":
                nb = copy.deepcopy(release)
            elif kind == "wrong" and wrongs:
                name, src = wrongs[k % len(wrongs)]
                next(c for c in nb.cells if _gid(c) == name).source = src
            elif kind == "adversarial":
                answer = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")
                              and c.cell_type == "code")
                answer.source += "\nnp.testing.assert_allclose = lambda *a, **k: None"
                test = next(c for c in nb.cells if (_gid(c) or "").startswith("test_"))
                nb.cells.remove(test)
            subs[(f"s{k:02d}", lesson)] = (to_bytes(nb), kind)
    return subs


def run_ours(subs, work: Path, jobs: int) -> tuple[float, dict]:
    folder = work / "submissions"
    for (student, lesson), (data, _) in subs.items():
        (folder / student).mkdir(parents=True, exist_ok=True)
        (folder / student / f"{lesson}.ipynb").write_bytes(data)
    out = work / "results"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "autograde", str(folder), "--out", str(out),
                    "--jobs", str(jobs), "--quiet"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t0
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        scores = {(r["student_id"], r["lesson"], r["exercise"]): (r["score"], r["status"])
                  for r in csv.DictReader(f)}
    return elapsed, scores


def run_nbgrader(subs, lessons, work: Path) -> tuple[float, dict]:
    course = work / "course"
    (course / "source").mkdir(parents=True)
    for lesson in lessons:
        shutil.copytree(ROOT / "solutions" / lesson, course / "source" / lesson)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(course)))
    nbgrader = [sys.executable, "-m", "nbgrader"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for lesson in lessons:
        r = subprocess.run(nbgrader + ["generate_assignment", lesson, "--force", "--log-level=WARN"],
                           cwd=course, capture_output=True, text=True, env=env)
        if r.returncode:
            raise SystemExit(f"nbgrader generate_assignment {lesson} failed:\n{r.stdout}\n{r.stderr}")
    for (student, lesson), (data, _) in subs.items():
        d = course / "submitted" / student / lesson
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{lesson}.ipynb").write_bytes(data)
    t0 = time.perf_counter()
    for lesson in lessons:
        subprocess.run(nbgrader + ["autograde", lesson, "--log-level=WARN"], cwd=course,
                       capture_output=True, env=env)
    elapsed = time.perf_counter() - t0
    from nbgrader.api import Gradebook
    scores = {}
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        for (student, lesson) in subs:
            try:
                nb = gb.find_submission_notebook(lesson, lesson, student)
            except Exception:  # noqa: BLE001 -- nbgrader could not grade it
                continue
            for g in nb.grades:
                if g.name.startswith("test_"):
                    scores[(student, lesson, g.name[5:])] = g.score
    return elapsed, scores


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--per-lesson", type=int, default=8, help="submissions per lesson (default 8: 40 in all)")
    ap.add_argument("--keep", type=Path, help="keep the scratch folders here")
    args = ap.parse_args(argv)
    lessons = lesson_names()
    work = Path(tempfile.mkdtemp(prefix="bw-bench-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    try:
        (work / "released").mkdir(parents=True, exist_ok=True)
        released = generate(work / "released", ROOT, lessons)
        subs = make_submissions(lessons, released, args.per_lesson)
        n = len(subs)
        print(f"{n} submissions across {len(lessons)} lessons; {os.cpu_count()} cores")
        t_nb, nb_scores = run_nbgrader(subs, lessons, work)
        t_ours, our_scores = run_ours(subs, work, args.jobs)
        rate_nb, rate_ours = 60 * n / t_nb, 60 * n / t_ours
        print(f"plain nbgrader autograde (serial): {t_nb:7.1f} s  {rate_nb:6.1f} submissions/min")
        print(f"grader autograde --jobs {args.jobs}:       {t_ours:7.1f} s  {rate_ours:6.1f} submissions/min")
        print(f"ratio: {rate_ours / rate_nb:.2f}x (target >= 1.8x)")
        diffs, compared = [], 0
        for (student, lesson), (_, kind) in subs.items():
            if kind != "honest":
                continue
            for (s, les, ex), score in nb_scores.items():
                if (s, les) == (student, lesson):
                    compared += 1
                    ours = our_scores.get((s, les, ex))
                    if ours is None or ours[1] != "graded" or float(ours[0]) != float(score):
                        diffs.append(f"{s}/{les}/{ex}: nbgrader {score}, grader {ours}")
        print(f"honest submissions: {compared} exercise scores compared, {len(diffs)} differ")
        for d in diffs[:20]:
            print("  ", d)
        return 1 if diffs or not compared else 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
