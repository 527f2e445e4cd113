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


def _inbound(tmp_path, name, mode=0o750, notebook=True):
    from grader.hub.layout import Classroom
    room = Classroom(exchange=tmp_path / "ex", course="c")
    folder = room.inbound / name
    folder.mkdir(parents=True)
    if notebook:
        (folder / "01.ipynb").write_text("{}")
    folder.chmod(mode)
    return room, folder


def test_scan_trusts_the_owner_not_the_name(tmp_path):
    """Folders made here belong to the user running the test: only a name claiming that user passes."""
    import getpass
    from grader.hub.collect import scan
    me = getpass.getuser()
    room, _ = _inbound(tmp_path, f"{me}+01+2026-12-01 10:00:00.000001 UTC+abc")
    for name in ("someone_else+01+2026-12-01 10:00:00.000002 UTC+abc", f"{me}+01+yesterday+abc",
                 f"{me}+02+2026-12-01 10:00:00 UTC+abc", "README"):
        (room.inbound / name).mkdir()
        (room.inbound / name / "01.ipynb").write_text("{}")
    (room.inbound / f"{me}+01+2026-12-01 11:00:00.000000 UTC+lnk").mkdir()
    (room.inbound / f"{me}+01+2026-12-01 11:00:00.000000 UTC+lnk" / "01.ipynb").symlink_to("/etc/passwd")
    subs, rejected = scan(room, ["01"])
    assert [s.folder for s in subs] == [f"{me}+01+2026-12-01 10:00:00.000001 UTC+abc"]
    assert subs[0].student == me and subs[0].submitted_at == "2026-12-01T10:00:00.000001"
    reasons = {r["folder"].split("+")[0] + "+" + r["folder"].split("+")[-1] if "+" in r["folder"] else r["folder"]:
               r["reason"] for r in rejected}
    assert sorted(reasons) == sorted(["someone_else+abc", f"{me}+abc", f"{me}+lnk", "README"]), rejected
    # (the 02 folder is another lesson: not looked at)
    assert "claims to be from 'someone_else' but was created by the Unix user" in reasons["someone_else+abc"]
    assert "unreadable timestamp 'yesterday'" in reasons[f"{me}+abc"]
    assert "a regular file, not a link" in reasons[f"{me}+lnk"]
    assert reasons["README"] == "not an nbgrader submission name"


def test_scan_names_a_submission_open_to_others(tmp_path):
    import getpass
    from grader.hub.collect import scan
    room, folder = _inbound(tmp_path, f"{getpass.getuser()}+01+2026-12-01 10:00:00.5 UTC+x", mode=0o777)
    subs, _ = scan(room, ["01"])
    assert subs[0].open_to_others
    folder.chmod(0o750)
    (folder / "01.ipynb").chmod(0o440)
    assert not scan(room, ["01"])[0][0].open_to_others


def _fake_users(monkeypatch, users, groups):
    """pwd/grp as grader.hub.personal sees them: ``users`` name -> gid, ``groups`` gid -> (name, members)."""
    import grp
    import pwd

    from grader.hub import personal
    entries = [pwd.struct_passwd((n, "x", 1000 + i, g, "", f"/home/{n}", "/bin/sh")) for i, (n, g) in enumerate(users.items())]
    monkeypatch.setattr(personal.pwd, "getpwnam", lambda n: next(e for e in entries if e.pw_name == n)
                        if n in users else (_ for _ in ()).throw(KeyError(n)))
    monkeypatch.setattr(personal.grp, "getgrgid", lambda g: grp.struct_group((groups[g][0], "x", g, groups[g][1])))
    return entries


def test_a_personal_copy_needs_the_students_own_group(monkeypatch):
    from grader.hub.personal import private_group
    everyone = _fake_users(monkeypatch, {"ada": 2001, "bo": 2002, "cy": 2002, "di": 2003},
                           {2001: ("ada", []), 2002: ("bo", []), 2003: ("di", ["ada"])})
    assert private_group("ada", everyone) == 2001
    with pytest.raises(ValueError, match="primary group 'bo' is shared with cy"):
        private_group("bo", everyone)
    with pytest.raises(ValueError, match="primary group 'di' is shared with ada"):
        private_group("di", everyone)
    with pytest.raises(ValueError, match="'zed' is not a Unix user"):
        private_group("zed", everyone)


def test_a_link_where_a_personal_folder_goes_is_refused(tmp_path):
    from grader.hub.personal import _root_folder
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "ada").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="is not a folder"):
        _root_folder(tmp_path / "ada", 0, 0o550)
    assert (tmp_path / "elsewhere").stat().st_mode & 0o777 != 0o550


def test_secret_file_without_roster_is_an_error(capsys):
    from grader.__main__ import main
    rc = main(["hub", "release", "01_forward_propagation", "--secret-file", "/nonexistent"])
    assert rc == 2 and "--secret-file needs --roster" in capsys.readouterr().err
