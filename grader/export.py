"""``grader export RESULTS --format canvas|moodle|csv [--roster ROSTER.csv] --out FILE [--per-exercise] [--all-lessons]``.

Gradebook files an LMS imports, one column per lesson (or per exercise). Only ``graded`` scores
are written; anything else (error, timeout, tampered, missing, a written answer not graded yet)
is left without a grade (Canvas and csv: empty; Moodle: ``-``) and listed on stderr, never exported as 0.

Only the lessons the results hold (someone's notebook was graded in these folders) get a column:
an importer takes a column it does not know for a new assignment (Canvas creates one with the
``Points Possible``; Moodle a new grade item). ``--all-lessons`` adds every lesson of ``run.json``.
The line printed at the end names the lessons exported and those left out.

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
  "ID number" (or "Email address") to the identifier. No grade is ``-``: for an existing grade item
  ``''`` and ``-`` both mean "no grade", but for a NEW grade item (``import_new_grade_item``) only
  ``-`` does; ``''`` is stored and becomes 0 in the numeric column. ``-`` is also what Moodle's own
  export writes. The names come from the roster's ``first_name``/``last_name`` (or
  ``given_name``/``family_name``), else from ``sortable_name`` ("Family, Given"); a name that is
  only "Given Family" is not guessed apart ("Dan Ó Briain"): first and last are left empty (Moodle
  matches the identifier column, not the names).
* **csv**: ``student_id`` and one column per lesson/exercise.

The roster (see :mod:`grader.lms`) gives names, ids and sections; students in the results but
not in the roster are listed on stderr.
"""
from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

__all__ = ["add_export_parser", "gradebook", "write_gradebook", "given_family", "CANVAS_COLUMNS", "MOODLE_COLUMNS"]

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address"]


def gradebook(folders: list[Path], per_exercise: bool = False, all_lessons: bool = False):
    """-> (columns [(name, max)], {student: {column: score or None}}, [problem, ...], lessons left out).

    The columns are the lessons the results hold (``all_lessons``: every lesson of ``run.json``)."""
    import copy

    from .manual.store import hand_grades, merge_hand_grades
    from .report import rows
    from .store import load
    run, stored = load(folders)
    table = rows(run, merge_hand_grades(copy.deepcopy(stored), hand_grades(folders)))
    held = {r["lesson"] for r in stored}
    left_out = [] if all_lessons else sorted({r["lesson"] for r in table} - held)
    maxes, cells, problems = {}, defaultdict(dict), []
    for r in table:
        if r["lesson"] in left_out:
            continue
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
    return columns, cells, problems, left_out


def given_family(person: dict) -> tuple[str, str]:
    """(given, family) names from the roster: ``first_name``/``last_name`` (or ``given_name``/``family_name``),
    else ``sortable_name`` "Family, Given"; else ("", "") -- "Dan Ó Briain" is not split by guessing."""
    first = person.get("first_name") or person.get("given_name") or ""
    last = person.get("last_name") or person.get("family_name") or ""
    if first or last:
        return first, last
    sortable = person.get("sortable_name") or ""
    if "," in sortable:
        family, given = (x.strip() for x in sortable.split(",", 1))
        return given, family
    return "", ""


def _canvas_student(person: dict) -> str:
    """Canvas's ``Student`` cell: the sortable name "Family, Given", else the name as the roster has it."""
    given, family = given_family(person)
    if family:
        return f"{family}, {given}" if given else family
    return person.get("name") or person["student_id"]


def _fmt(v, none: str = "") -> str:
    return none if v is None else f"{v:g}"


def write_gradebook(folders: list[Path], fmt: str, out: Path, roster=None, per_exercise=False, log=print,
                    all_lessons=False) -> dict:
    """Write the gradebook file; -> ``{"students": n, "lessons": [...], "left_out": [...]}``.
    Problems go to ``log`` (stderr)."""
    columns, cells, problems, left_out = gradebook(folders, per_exercise, all_lessons)
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
            vals = [_fmt(cells.get(s, {}).get(c), "-" if fmt == "moodle" else "") for c in names]
            if fmt == "canvas":
                w.writerow([_canvas_student(p), p.get("canvas_user_id", ""),
                            p.get("sis_user_id", ""), p.get("sis_login_id", ""), p.get("section", "")] + vals)
            elif fmt == "moodle":
                first, last = given_family(p)
                w.writerow([first, last, p.get("idnumber") or p.get("sis_user_id", ""), p.get("email", "")] + vals)
            else:
                w.writerow([s] + vals)
    for msg in problems:
        log(f"not exported: {msg}", file=sys.stderr)
    lessons = sorted({c.split(" ")[0] for c in names})
    return {"students": len(people), "lessons": lessons, "left_out": left_out}


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
    done = write_gradebook(args.results, args.format, args.out, roster, args.per_exercise,
                           all_lessons=args.all_lessons)
    print(f"{done['students']} students written to {args.out} ({args.format}); lessons: "
          f"{', '.join(done['lessons']) or 'none'}")
    if done["left_out"]:
        print(f"left out (nobody's notebook graded in these results; --all-lessons adds them): "
              f"{', '.join(done['left_out'])}")
    return 0


def add_export_parser(sub) -> None:
    p = sub.add_parser("export", help="write a gradebook file for Canvas, Moodle or a spreadsheet")
    p.add_argument("results", type=Path, nargs="+", help="results folder(s)")
    p.add_argument("--format", choices=["canvas", "moodle", "csv"], required=True)
    p.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                   help="student_id plus the LMS's ids/names (required for canvas and moodle)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--per-exercise", action="store_true", help="one column per exercise instead of per lesson")
    p.add_argument("--all-lessons", action="store_true",
                   help="a column for every lesson of the run, also those nobody handed in (an LMS creates an "
                        "assignment for every column it does not know)")
    p.set_defaults(handler=_run)
