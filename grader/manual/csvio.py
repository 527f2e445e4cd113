"""Grading written answers in a spreadsheet: ``grader manual RESULTS --export/--import answers.csv``.

Columns: ``student, lesson, question, answer, max, score, comment``. On import every row is
checked first (known answer, ``max`` unchanged, score a number in ``[0, max]`` or empty = leave
ungraded); if any row is bad, nothing is applied and every bad row is reported by its spreadsheet row
and the line where it starts in the file (an answer may span several lines).

Only the rows whose score or comment differ from the stored grade of the same submission are
applied: re-importing an unchanged sheet changes nothing (rubric items applied on the page and the
grader's name stay); a changed row keeps the rubric items applied on the page. Fields may be as
long as :data:`FIELD_LIMIT` characters (Python's csv module stops at 131,072; an answer can be longer).
"""
from __future__ import annotations

import csv
from pathlib import Path

from .answers import Answer
from .store import HandGrade, key_of, load_grades, parse_score, save_grades

__all__ = ["COLUMNS", "FIELD_LIMIT", "export_csv", "import_csv", "ImportRejected"]

COLUMNS = ["student", "lesson", "question", "answer", "max", "score", "comment"]
FIELD_LIMIT = 64 * 1024 * 1024          # characters in one field (csv's default, 131,072, is one long answer)


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


def _row(line: str, row: dict, by_key: dict, grader: str, stored: dict):
    """-> (HandGrade | None, problem | None) for one data row; ``None, None`` when it changes nothing."""
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
    comment = row.get("comment") or ""
    old = stored.get(key_of(a.student, a.lesson, a.question))
    if old is not None and old.sha256 != a.sha256:
        old = None                                    # a grade of an earlier submission: nothing to keep
    if old is not None and old.score == score and _same_text(old.comment, comment):
        return None, None                             # unchanged: keep the grade as it is (rubric, grader)
    return HandGrade(a.student, a.lesson, a.question, score, a.max_score, comment,
                     old.rubric if old is not None else (), grader, a.sha256), None


def _same_text(a: str, b: str) -> bool:
    """Equal but for line endings (a spreadsheet may write CRLF)."""
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


def import_csv(results: Path, answers: list[Answer], path: Path, grader: str) -> int:
    """Apply the scores of ``path`` (all rows valid) or raise :class:`ImportRejected` (nothing applied)."""
    by_key = {(a.student, a.lesson, a.question): a for a in answers}
    previous_limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        problems, grades = _read_rows(path, by_key, grader, load_grades(results))
    finally:
        csv.field_size_limit(previous_limit)
    if problems:
        raise ImportRejected(path, problems)
    save_grades(results, grades)
    return len(grades)


def _read_rows(path: Path, by_key: dict, grader: str, stored: dict) -> tuple[list[str], list[HandGrade]]:
    problems, grades, seen = [], [], {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("student", "lesson", "question", "max", "score", "comment")
                   if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportRejected(path, [f"row 1 (line 1): missing column(s) {', '.join(missing)} (expected {', '.join(COLUMNS)})"])
        end, k = reader.line_num, 1
        while True:
            k += 1                                       # k: the spreadsheet's row (the header is row 1)
            line = f"row {k} (line {end + 1})"
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:                       # e.g. a field longer than FIELD_LIMIT: stop here
                problems.append(f"{line}: cannot be read as CSV ({e}; a field may be at most "
                                f"{FIELD_LIMIT:,} characters)")
                break
            end = reader.line_num
            if None in row:
                problems.append(f"{line}: more fields than the header has")
                continue
            g, problem = _row(line, row, by_key, grader, stored)
            key = (row.get("student"), row.get("lesson"), row.get("question"))
            if problem is None and g is not None and key in seen:
                problem = f"{line}: the same answer is already graded on {seen[key]}"
            if problem:
                problems.append(problem)
            elif g is not None:
                seen[key] = line
                grades.append(g)
    return problems, grades
