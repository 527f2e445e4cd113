"""``grader report RESULTS [RESULTS ...]``: grades.csv, summary.csv, feedback pages, report.html.

Several results folders (e.g. one per ``--shard``) are merged into one report.
"""
from __future__ import annotations

import base64
import csv
import html
import io
from collections import defaultdict
from pathlib import Path

from .feedback import feedback_html
from .store import load, result_path, write_json

__all__ = ["rows", "write_report", "GRADE_COLUMNS"]

GRADE_COLUMNS = ["student_id", "lesson", "exercise", "score", "max_score", "status", "message"]


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
                out.append({"student_id": s, "lesson": lesson, "exercise": e["exercise"],
                            "score": "" if e["score"] is None else e["score"], "max_score": e["max_score"],
                            "status": e["status"], "message": msg, "_flagged": bool(e.get("flags"))})
    return out


def _attention(row) -> bool:
    return row["status"] not in ("graded", "missing") or row.get("_flagged", False)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return "<img alt='plot' src='data:image/png;base64," + base64.b64encode(buf.getvalue()).decode() + "'>"


def _plots(table, lessons) -> str:
    from matplotlib.figure import Figure
    per = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    for r in table:
        if r["status"] != "missing":
            acc = per[r["lesson"]][r["student_id"]]
            acc[0] += float(r["score"] or 0)
            acc[1] += float(r["max_score"] or 0)
    fig = Figure(figsize=(3.2 * max(1, len(lessons)), 2.8))
    for k, lesson in enumerate(lessons):
        ax = fig.add_subplot(1, max(1, len(lessons)), k + 1)
        pct = [100 * a / m for a, m in per[lesson].values() if m]
        ax.hist(pct, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.01], color="#4c72b0")
        ax.set_title(lesson, fontsize=8)
        ax.set_xlabel("score (%)")
        ax.set_ylabel("students" if k == 0 else "")
    dist = _png(fig)
    ex_rate = defaultdict(lambda: [0, 0])
    for r in table:
        if r["status"] in ("graded", "tampered", "timeout", "memory", "error") and r["score"] != "":
            key = f"{r['lesson'][:2]} {r['exercise']}"
            ex_rate[key][1] += 1
            ex_rate[key][0] += float(r["score"]) >= float(r["max_score"])
    names = sorted(ex_rate)
    fig = Figure(figsize=(7, 0.3 * len(names) + 1))
    ax = fig.add_subplot(1, 1, 1)
    ax.barh(names, [100 * ex_rate[n][0] / ex_rate[n][1] for n in names], color="#dd8452")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions with full marks (%)")
    ax.set_title("Pass rate per exercise (low = the class found it hard)")
    return (f"<h2>Grade distribution per lesson</h2>{dist}"
            f"<h2>Pass rate per exercise</h2>{_png(fig) if names else '<p>nothing graded yet</p>'}")


def _report_html(run, table, lessons) -> str:
    e = html.escape
    att = [r for r in table if _attention(r)]
    subs = {(r["student_id"], r["lesson"]) for r in table if r["status"] != "missing"}
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Grading report</title><style>"
             "body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.2rem .5rem;font-size:.9rem;text-align:left}</style>"
             "</head><body><h1>Grading report</h1>",
             f"<p>{len({r['student_id'] for r in table})} students, {len(subs)} submissions graded, "
             f"{len(att)} items need attention.</p>",
             "<p>Isolation in force: " + e("; ".join(run.get("isolation", [])) or "unknown") + "</p>",
             _plots(table, lessons) if table else "",
             "<h2>Needs attention</h2>"]
    if att:
        parts.append("<table><tr><th>student</th><th>lesson</th><th>exercise</th><th>status</th>"
                     "<th>reason</th></tr>" + "".join(
                         f"<tr><td>{e(r['student_id'])}</td><td>{e(r['lesson'])}</td><td>{e(r['exercise'])}</td>"
                         f"<td>{e(r['status'])}</td><td>{e(str(r['message'])[:400])}</td></tr>" for r in att)
                     + "</table>")
    else:
        parts.append("<p>Nothing.</p>")
    skipped = run.get("skipped", [])
    if skipped:
        parts.append("<h2>Files skipped</h2><ul>" + "".join(
            f"<li>{e(s['path'])}: {e(s['reason'])}</li>" for s in skipped) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(folders: list[Path], out: Path) -> dict:
    """Merge ``folders`` and write the report files into ``out``; -> counts."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run, results = load([Path(f) for f in folders])
    table = rows(run, results)
    lessons = sorted(set(run.get("lessons", {})) | {r["lesson"] for r in results})
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
    with open(out / "summary.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", *lessons, "total", "max_total", "needs_attention"])
        for s in sorted(per):
            p = per[s]
            w.writerow([s, *[f"{p[k]:g}" for k in lessons], f"{p['total']:g}", f"{p['max_total']:g}",
                        int(p["needs_attention"])])
    for r in results:
        page = out / "feedback" / r["student"] / f"{r['lesson']}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(feedback_html(r), encoding="utf-8")
    (out / "report.html").write_text(_report_html(run, table, lessons), encoding="utf-8")
    if any(Path(f).resolve() != out.resolve() for f in folders):   # a merged folder can be re-reported
        write_json(out / "run.json", run)
        for r in results:
            write_json(result_path(out, r["student"], r["lesson"]), r)
    return {"rows": len(table), "submissions": len(results),
            "needs_attention": sum(_attention(r) for r in table)}
