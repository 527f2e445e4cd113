"""``grader export RESULTS --format canvas|moodle|csv [--roster ROSTER.csv] --out FILE [--per-exercise]``.

Gradebook files an LMS imports, one column per lesson (or per exercise). Only ``graded`` scores
are written; anything else (error, timeout, tampered, missing, a written answer not graded yet)
is left EMPTY and listed on stderr, never exported as 0.

* **Canvas** (Grades > Import), as its importer reads it (instructure/canvas-lms
  ``app/models/gradebook_importer.rb``: the header must start ``Student``, ``ID``, then ``SIS User ID``,
  ``SIS Login ID`` and end the student columns with ``Section``; a row whose first cell matches
  ``/Points Possible/`` gives the points; a student is found by the Canvas user id in ``ID``, then the
  SIS ids, then ``Student`` equal to the name or sortable name; a column title that matches no
  assignment creates one) and as Canvas exports it (Ohio State, "Import a CSV file into Carmen
  grades", teaching.resources.osu.edu): ``Student, ID, SIS User ID, SIS Login ID, Section`` (Student =
  "Last, First"), one column per assignment, a second row ``    Points Possible``.
* **Moodle** (Grades > Import > CSV file; moodle/moodle ``grade/import/csv/classes/load_data.php``,
  ``map_user_data_with_value``: the users are identified by ONE column mapped to ``userid``,
  ``useridnumber``, ``useremail`` or ``username`` under "Map from / Map to", a row with that cell
  empty is skipped; the other columns map to grade items): ``First name, Last name, ID number,
  Email address`` (user columns as in Moodle's own grade export) and one column per lesson. Map
  "ID number" (or "Email address") to the identifier.
* **csv**: ``student_id`` and one column per lesson/exercise.

The roster (see :mod:`grader.lms`) gives names, ids and sections; students in the results but
not in the roster are listed on stderr.
"""
from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

__all__ = ["add_export_parser", "gradebook", "write_gradebook", "CANVAS_COLUMNS", "MOODLE_COLUMNS"]

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address"]


def gradebook(folders: list[Path], per_exercise: bool = False):
    """-> (columns [(name, max)], {student: {column: score or None}}, [problem, ...])."""
    import copy

    from .manual.store import hand_grades, merge_hand_grades
    from .report import rows
    from .store import load
    run, stored = load(folders)
    table = rows(run, merge_hand_grades(copy.deepcopy(stored), hand_grades(folders)))
    maxes, cells, problems = {}, defaultdict(dict), []
    for r in table:
        col = f"{r['lesson']} {r['exercise']}" if per_exercise else r["lesson"]
        maxes.setdefault(col, defaultdict(float))
        maxes[col][r["student_id"]] += float(r["max_score"] or 0)
        cur = cells[r["student_id"]].get(col, 0.0)
        if r["status"] != "graded":
            if cur is not None:
                problems.append(f"{r['student_id']} {col}: {r['status']} ({r['exercise']}) -- left empty")
            cells[r["student_id"]][col] = None
        elif cur is not None:
            cells[r["student_id"]][col] = cur + float(r["score"] or 0)
    columns = [(c, max(m.values()) if m else 0.0) for c, m in sorted(maxes.items())]
    return columns, cells, problems


def _split(name: str) -> tuple[str, str]:
    """("First", "Last") from "Last, First" or "First Last"."""
    if "," in name:
        last, first = (x.strip() for x in name.split(",", 1))
        return first, last
    parts = name.split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", name)


def _fmt(v) -> str:
    return "" if v is None else f"{v:g}"


def write_gradebook(folders: list[Path], fmt: str, out: Path, roster=None, per_exercise=False, log=print) -> int:
    """Write the gradebook file; -> the number of students written. Problems go to ``log`` (stderr)."""
    columns, cells, problems = gradebook(folders, per_exercise)
    names = [c for c, _ in columns]
    people = list(roster.rows) if roster else [{"student_id": s} for s in sorted(cells)]
    known = {p["student_id"] for p in people}
    problems += [f"{s}: in the results but not in the roster -- not exported" for s in sorted(set(cells) - known)]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        if fmt == "canvas":
            w.writerow(CANVAS_COLUMNS + names)
            w.writerow(["    Points Possible", "", "", "", ""] + [f"{m:g}" for _, m in columns])
        elif fmt == "moodle":
            w.writerow(MOODLE_COLUMNS + names)
        else:
            w.writerow(["student_id"] + names)
        for p in people:
            s = p["student_id"]
            if s not in cells:
                problems.append(f"{s}: no results at all -- every column left empty")
            vals = [_fmt(cells.get(s, {}).get(c)) for c in names]
            name = p.get("sortable_name") or p.get("name") or s
            if fmt == "canvas":
                first, last = _split(name)
                w.writerow([f"{last}, {first}" if first else last, p.get("canvas_user_id", ""),
                            p.get("sis_user_id", ""), p.get("sis_login_id", ""), p.get("section", "")] + vals)
            elif fmt == "moodle":
                first, last = _split(p.get("name") or name)
                w.writerow([first, last, p.get("idnumber") or p.get("sis_user_id", ""), p.get("email", "")] + vals)
            else:
                w.writerow([s] + vals)
    for msg in problems:
        log(f"not exported: {msg}", file=sys.stderr)
    return len(people)


def _run(args) -> int:
    from .lms import load_roster
    missing = [str(r) for r in args.results if not (r / "results").is_dir()]
    if missing:
        print(f"grader export: not a results folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.format in ("canvas", "moodle") and args.roster is None:
        print(f"grader export: --format {args.format} needs --roster ROSTER.csv (the LMS's ids and names)",
              file=sys.stderr)
        return 2
    try:
        roster = load_roster(args.roster) if args.roster else None
    except (OSError, ValueError) as e:
        print(f"grader export: {e}", file=sys.stderr)
        return 2
    n = write_gradebook(args.results, args.format, args.out, roster, args.per_exercise)
    print(f"{n} students written to {args.out} ({args.format})")
    return 0


def add_export_parser(sub) -> None:
    p = sub.add_parser("export", help="write a gradebook file for Canvas, Moodle or a spreadsheet")
    p.add_argument("results", type=Path, nargs="+", help="results folder(s)")
    p.add_argument("--format", choices=["canvas", "moodle", "csv"], required=True)
    p.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                   help="student_id plus the LMS's ids/names (required for canvas and moodle)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--per-exercise", action="store_true", help="one column per exercise instead of per lesson")
    p.set_defaults(handler=_run)
