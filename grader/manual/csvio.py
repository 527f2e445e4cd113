"""Grading written answers in a spreadsheet: ``grader manual RESULTS --export/--import answers.csv``.

Columns: ``student, lesson, question, answer, max, score, comment``. On import every row is
checked first (known answer, ``max`` unchanged, score a number in ``[0, max]`` or empty = leave
ungraded); if any row is bad, nothing is applied and every bad row is reported by its spreadsheet row
and the line where it starts in the file (an answer may span several lines).
"""
from __future__ import annotations

import csv
from pathlib import Path

from .answers import Answer
from .store import HandGrade, key_of, load_grades, parse_score, save_grades

__all__ = ["COLUMNS", "export_csv", "import_csv", "ImportRejected"]

COLUMNS = ["student", "lesson", "question", "answer", "max", "score", "comment"]


class ImportRejected(ValueError):
    """The file was not applied; ``problems`` lists ``row N (line L): ...`` for every bad row."""

    def __init__(self, path, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: nothing imported, {len(problems)} bad row(s):\n  " + "\n  ".join(problems))


def export_csv(results: Path, answers: list[Answer], out: Path) -> int:
    grades = load_grades(results)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for a in answers:
            g = grades.get(key_of(a.student, a.lesson, a.question))
            ok = g is not None and g.sha256 == a.sha256
            w.writerow([a.student, a.lesson, a.question, a.text, f"{a.max_score:g}",
                        f"{g.score:g}" if ok else "", g.comment if ok else ""])
    return len(answers)


def _row(line: str, row: dict, by_key: dict, grader: str):
    """-> (HandGrade | None, problem | None) for one data row."""
    a = by_key.get((row.get("student") or "", row.get("lesson") or "", row.get("question") or ""))
    if a is None:
        return None, (f"{line}: no written answer waiting for a grade for student {row.get('student')!r}, "
                      f"lesson {row.get('lesson')!r}, question {row.get('question')!r}")
    try:
        if float(row.get("max") or "nan") != a.max_score:
            return None, f"{line}: max must stay {a.max_score:g}, got {row.get('max')!r}"
    except ValueError:
        return None, f"{line}: max must stay {a.max_score:g}, got {row.get('max')!r}"
    if not (row.get("score") or "").strip():
        return None, None
    try:
        score = parse_score(row["score"], a.max_score)
    except ValueError as e:
        return None, f"{line}: {e}"
    return HandGrade(a.student, a.lesson, a.question, score, a.max_score, row.get("comment") or "", (),
                     grader, a.sha256), None


def import_csv(results: Path, answers: list[Answer], path: Path, grader: str) -> int:
    """Apply the scores of ``path`` (all rows valid) or raise :class:`ImportRejected` (nothing applied)."""
    by_key = {(a.student, a.lesson, a.question): a for a in answers}
    problems, grades, seen = [], [], {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("student", "lesson", "question", "max", "score", "comment")
                   if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportRejected(path, [f"row 1 (line 1): missing column(s) {', '.join(missing)} (expected {', '.join(COLUMNS)})"])
        end = reader.line_num
        for k, row in enumerate(reader, 2):              # k: the spreadsheet's row (the header is row 1)
            line, end = f"row {k} (line {end + 1})", reader.line_num
            if None in row:
                problems.append(f"{line}: more fields than the header has")
                continue
            g, problem = _row(line, row, by_key, grader)
            key = (row.get("student"), row.get("lesson"), row.get("question"))
            if problem is None and g is not None and key in seen:
                problem = f"{line}: the same answer is already graded on {seen[key]}"
            if problem:
                problems.append(problem)
            elif g is not None:
                seen[key] = line
                grades.append(g)
    if problems:
        raise ImportRejected(path, problems)
    save_grades(results, grades)
    return len(grades)
