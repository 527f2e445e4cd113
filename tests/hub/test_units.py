"""Fast checks of the classroom's parts that need no Hub: roster, due dates, which submission counts."""
from __future__ import annotations

import datetime as dt

import pytest

from grader.hub.auth import check_password, hash_password
from grader.hub.collect import Submitted, choose, parse_due
from grader.hub.deployment import read_roster


def test_roster_reads_student_ids(tmp_path):
    p = tmp_path / "roster.csv"
    p.write_text("name,student_id\nAda,ada\n,\nBo Li,bo_li\n")
    assert read_roster(p) == ("ada", "bo_li")


@pytest.mark.parametrize("text,expected", [
    ("id\nada\n", "header with a student_id column"),
    ("student_id\nAda Lovelace\n", "roster.csv:2: student_id 'Ada Lovelace' must be a Unix user name"),
    ("student_id\nada\nada\n", "roster.csv:3: student_id 'ada' appears twice"),
    ("student_id\n", "no student in the roster"),
])
def test_roster_errors_name_the_line(tmp_path, text, expected):
    p = tmp_path / "roster.csv"
    p.write_text(text)
    with pytest.raises(ValueError) as e:
        read_roster(p)
    assert expected in str(e.value), str(e.value)


def test_due_dates_are_utc():
    assert parse_due("2026-12-08T23:59") == dt.datetime(2026, 12, 8, 23, 59)
    assert parse_due("2026-12-08T23:59+01:00") == dt.datetime(2026, 12, 8, 22, 59)
    assert parse_due(None) is None
    with pytest.raises(ValueError, match=r"--due: expected an ISO date.*got 'next friday'"):
        parse_due("next friday")


def _sub(name, at, changed=None):
    return Submitted(name, "ada", "01", at, changed or at, False)


def test_the_latest_before_the_due_date_counts():
    subs = [_sub("s1", "2026-12-01T10:00:00"), _sub("s2", "2026-12-01T11:00:00"), _sub("s3", "2026-12-01T13:00:00")]
    group = choose(subs, parse_due("2026-12-01T12:00"))[("ada", "01")]
    assert [(s.folder, s.late) for s in group] == [("s2", False), ("s3", True), ("s1", False)]
    group = choose(subs, None)[("ada", "01")]
    assert [s.folder for s in group][0] == "s3" and not any(s.late for s in group)


def test_all_late_the_latest_counts_flagged():
    subs = [_sub("s1", "2026-12-02T10:00:00"), _sub("s2", "2026-12-02T11:00:00")]
    group = choose(subs, parse_due("2026-12-01T12:00"))[("ada", "01")]
    assert [(s.folder, s.late) for s in group] == [("s2", True), ("s1", True)]


def test_a_file_changed_after_the_due_date_makes_it_late():
    """The folder's ctime (which no user can set back) counts, not only the claimed time."""
    subs = [_sub("s1", "2026-12-01T10:00:00", changed="2026-12-03T09:00:00")]
    assert choose(subs, parse_due("2026-12-01T12:00"))[("ada", "01")][0].late


def test_passwords():
    stored = hash_password("correct horse")
    assert check_password("correct horse", stored)
    assert not check_password("correct hors", stored)
    assert not check_password("correct horse", "garbage")
    assert hash_password("x") != hash_password("x")     # salted
