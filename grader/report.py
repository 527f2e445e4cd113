"""``grader report RESULTS [RESULTS ...]``: grades.csv, summary.csv, feedback pages, report.html.

Several results folders (e.g. a late-submissions run graded into its own folder) are merged into one report. Written
answers graded by hand (``grader manual``, stored in ``RESULTS/manual/``) are merged in:
their rows become ``graded`` with the score, the grader's name and the comment.
"""
from __future__ import annotations

import base64
import copy
import csv
import io
import statistics
from collections import defaultdict
from pathlib import Path

from .answers import answers_path, class_answers, find_answers
from .diagnoses import common_mistakes
from .feedback import feedback_html
from .manual.store import hand_grades, merge_hand_grades, write_all
from .pages import render
from .similarity import MIN_ANSWERS, NODES_PER_BIT, THRESHOLD
from .store import load, result_path, write_json
from .variant_check import variant_flags

__all__ = ["rows", "write_report", "GRADE_COLUMNS", "written_names", "distribution", "pass_rates",
           "similar_answers", "flag_similar"]

GRADE_COLUMNS = ["student_id", "lesson", "exercise", "score", "max_score", "status", "message", "grader", "comment"]
_BINS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.01]


def written_names(run: dict) -> set[tuple[str, str]]:
    """(lesson, exercise) of every written answer known to ``run.json``."""
    return {(lesson, ex["name"]) for lesson, v in run.get("lessons", {}).items()
            for ex in v.get("exercises", []) if ex.get("kind") == "written"}


def rows(run: dict, results: list[dict]) -> list[dict]:
    """One row per student x lesson x exercise (lessons not handed in: status ``missing``)."""
    by_key = {(r["student"], r["lesson"]): r for r in results}
    students = sorted(set(run.get("students", [])) | {r["student"] for r in results})
    lessons = sorted(set(run.get("lessons", {})) | {r["lesson"] for r in results})
    out = []
    for s in students:
        for lesson in lessons:
            r = by_key.get((s, lesson))
            if r is None:
                for ex in run.get("lessons", {}).get(lesson, {}).get("exercises", []):
                    out.append({"student_id": s, "lesson": lesson, "exercise": ex["name"], "score": 0.0,
                                "max_score": ex["points"], "status": "missing",
                                "message": "no notebook for this lesson was handed in"})
                continue
            for e in r["exercises"]:
                msg = "; ".join([e.get("message") or ""] + [f"flagged: {f}" for f in e.get("flags", [])]).strip("; ")
                hand = e.get("hand") or {}
                out.append({"student_id": s, "lesson": lesson, "exercise": e["exercise"],
                            "score": "" if e["score"] is None else e["score"], "max_score": e["max_score"],
                            "status": e["status"], "message": msg, "_flagged": bool(e.get("flags")),
                            "grader": hand.get("grader", ""), "comment": hand.get("comment", "")})
    return out


def _attention(row) -> bool:
    return row["status"] not in ("graded", "missing") or row.get("_flagged", False)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def distribution(table, lesson) -> dict | None:
    """Per-student percentage of ``lesson`` (submissions only; written answers once graded by hand),
    binned; ``None`` if nobody handed it in."""
    acc = defaultdict(lambda: [0.0, 0.0])
    for r in table:
        if r["lesson"] == lesson and r["status"] not in ("missing", "needs_manual"):   # ungraded: not yet counted
            acc[r["student_id"]][0] += float(r["score"] or 0)
            acc[r["student_id"]][1] += float(r["max_score"] or 0)
    pct = [100 * a / m for a, m in acc.values() if m]
    if not pct:
        return None
    counts = [sum(lo <= p < hi for p in pct) for lo, hi in zip(_BINS, _BINS[1:])]
    labels = [f"{lo:g}–{min(hi, 100):.0f}" for lo, hi in zip(_BINS, _BINS[1:])]
    return {"lesson": lesson, "n": len(pct), "pct": pct, "median": f"{statistics.median(pct):.0f}",
            "bins": [{"label": lab, "count": c} for lab, c in zip(labels, counts)]}


def pass_rates(table, written: set) -> list[dict]:
    """Share of full marks per autograded exercise (written answers excluded)."""
    rate = defaultdict(lambda: [0, 0])
    for r in table:
        if (r["lesson"], r["exercise"]) in written or r["status"] in ("missing", "needs_manual") or r["score"] == "":
            continue
        key = f"{r['lesson'][:2]} {r['exercise']}"
        rate[key][1] += 1
        rate[key][0] += float(r["score"]) >= float(r["max_score"])
    return [{"name": k, "full": f, "total": t, "pct": f"{100 * f / t:.0f}"} for k, (f, t) in sorted(rate.items())]


def _charts(dists, rates):
    from matplotlib.figure import Figure
    for d in dists:
        fig = Figure(figsize=(3.6, 2.6))
        ax = fig.add_subplot(1, 1, 1)
        ax.hist(d["pct"], bins=_BINS, color="#4c72b0")
        ax.set_title(d["lesson"], fontsize=8)
        ax.set_xlabel("score (%)")
        ax.set_ylabel("students")
        d["png"] = _png(fig)
    if not rates:
        return ""
    fig = Figure(figsize=(7, 0.3 * len(rates) + 1))
    ax = fig.add_subplot(1, 1, 1)
    ax.barh([p["name"] for p in rates], [100 * p["full"] / p["total"] for p in rates], color="#dd8452")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions with full marks (%)")
    ax.set_title("Pass rate per exercise (low = the class found it hard)")
    return _png(fig)


def similar_answers(folders, results) -> dict:
    """Students whose answers are alike (:func:`grader.similarity.similar_pairs` over the answers recorded
    next to ``results``): ``{"clusters": [{"students", "bits", "pairs"}], "recorded", "submissions"}``."""
    from .similarity import similar_pairs
    found = class_answers(folders, results)
    pairs = similar_pairs(found.rows)
    cluster_of: dict[str, set] = {}
    for p in pairs:                                     # connected components of the listed pairs
        joined = set(p.students).union(*(cluster_of.get(s, set()) for s in p.students))
        for s in joined:
            cluster_of[s] = joined
    clusters = []
    for c in sorted({frozenset(c) for c in cluster_of.values()}, key=sorted):
        mine = [p for p in pairs if p.students[0] in c]
        clusters.append({"students": sorted(c), "bits": max(p.bits for p in mine), "pairs": [{
            "a": p.students[0], "b": p.students[1], "bits": f"{p.bits:.0f}",
            "shared": [{"lesson": sh.key.split("/")[0], "exercise": sh.key.split("/", 1)[1],
                        "similarity": f"{100 * sh.similarity:.0f}", "bits": f"{sh.bits:.1f}",
                        "a": sh.sources[0], "b": sh.sources[1]} for sh in p.shared]} for p in mine]})
    return {"clusters": sorted(clusters, key=lambda c: -c["bits"]), "recorded": found.recorded,
            "submissions": len(results)}


def flag_similar(table, similar: dict) -> None:
    """Mark each exercise row that is evidence in a listed pair ``similar_answers`` (needs attention)."""
    by_row = {(r["student_id"], r["lesson"], r["exercise"]): r for r in table}
    for c in similar["clusters"]:
        for p in c["pairs"]:
            for sh in p["shared"]:
                for me, other in ((p["a"], p["b"]), (p["b"], p["a"])):
                    row = by_row.get((me, sh["lesson"], sh["exercise"]))
                    if row is not None:
                        note = (f"flagged: similar_answers (alike {other}'s answer; {p['bits']} bits over "
                                f"the pair's shared answers, see Similar answers in report.html)")
                        row["message"] = "; ".join(x for x in (row["message"], note) if x)
                        row["_flagged"] = True


def _copy_answers(folders, out: Path, results) -> None:
    """A merged report's folder keeps the answers of its results (so it can be re-reported)."""
    for r in results:
        data = find_answers(folders, r)
        if data is not None:
            write_json(answers_path(out, r["student"], r["lesson"]), data)


def _report_html(run, table, lessons, results, similar=None) -> str:
    from .lms import late_submissions
    written = written_names(run)
    att = [r for r in table if _attention(r)]
    by_student = defaultdict(list)
    for r in att:
        by_student[r["student_id"]].append(r)
    dists = [d for d in (distribution(table, lesson) for lesson in lessons) if d]
    rates = pass_rates(table, written)
    pass_png = _charts(dists, rates)
    vflags = variant_flags(results)                  # each flagged submission needs attention once
    return render("report.html.j2", n_students=len({r["student_id"] for r in table}),
                  n_submissions=len({(r["student_id"], r["lesson"]) for r in table if r["status"] != "missing"}),
                  n_attention=len(att) + len(vflags),
                  n_attention_students=len(set(by_student) | {f["student"] for f in vflags}),
                  isolation="; ".join(run.get("isolation", [])) or "unknown",
                  distributions=dists, pass_rates=rates, pass_png=pass_png,
                  mistakes=common_mistakes(results, written), late=late_submissions(results),
                  attention=dict(sorted(by_student.items())), skipped=run.get("skipped", []),
                  variant_flags=vflags, variants_checked=any(r.get("variant") for r in results),
                  similar=similar or {"clusters": [], "recorded": 0, "submissions": 0},
                  similar_threshold=f"{THRESHOLD:g}", similar_nodes=f"{THRESHOLD * NODES_PER_BIT:.0f}",
                  nodes_per_bit=NODES_PER_BIT, similar_min=MIN_ANSWERS)


def _flag_counts(results) -> dict:
    """Per student: how many of their submissions carry a variant flag (each counts in needs_attention)."""
    counts = defaultdict(int)
    for f in variant_flags(results):
        counts[f["student"]] += 1
    return counts


def _write_csvs(out: Path, table, lessons, flags: dict | None = None) -> None:
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, GRADE_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(table)
    per = defaultdict(lambda: defaultdict(float))
    for r in table:
        p = per[r["student_id"]]
        p[r["lesson"]] += float(r["score"] or 0)
        p["total"] += float(r["score"] or 0)
        p["max_total"] += float(r["max_score"] or 0)
        p["needs_attention"] += _attention(r)
    for s, n in (flags or {}).items():
        per[s]["needs_attention"] += n
    with open(out / "summary.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", *lessons, "total", "max_total", "needs_attention"])
        for s in sorted(per):
            p = per[s]
            w.writerow([s, *[f"{p[k]:g}" for k in lessons], f"{p['total']:g}", f"{p['max_total']:g}",
                        int(p["needs_attention"])])


def write_report(folders: list[Path], out: Path) -> dict:
    """Merge ``folders`` (and their hand grades) and write the report files into ``out``; -> counts."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    folders = [Path(f) for f in folders]
    run, stored = load(folders)
    hand = hand_grades(folders + ([out] if out.resolve() not in {f.resolve() for f in folders} else []))
    results = merge_hand_grades(copy.deepcopy(stored), hand)
    table = rows(run, results)
    similar = similar_answers(folders, stored)
    flag_similar(table, similar)
    lessons = sorted(set(run.get("lessons", {})) | {r["lesson"] for r in results})
    flags = _flag_counts(results)
    _write_csvs(out, table, lessons, flags)
    for r in results:
        page = out / "feedback" / r["student"] / f"{r['lesson']}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(feedback_html(r), encoding="utf-8")
    (out / "report.html").write_text(_report_html(run, table, lessons, results, similar), encoding="utf-8")
    if any(f.resolve() != out.resolve() for f in folders):   # a merged folder can be re-reported
        write_json(out / "run.json", run)
        for r in stored:
            write_json(result_path(out, r["student"], r["lesson"]), r)
        _copy_answers(folders, out, stored)
        if hand:
            write_all(out, hand)
    return {"rows": len(table), "submissions": len(results),
            "needs_attention": sum(_attention(r) for r in table) + sum(flags.values())}
