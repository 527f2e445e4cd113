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


def _tree(base, *modes):
    """base/a/b/... with the given modes (outermost first); -> the innermost folder."""
    import os
    d = base
    for i, mode in enumerate(modes):
        d = d / f"d{i}"
        d.mkdir()
        os.chmod(d, mode)
    return d


def test_a_checkout_behind_a_closed_parent_is_not_reported_open():
    """A clone under /root (0700) is closed, whatever its own mode: the check walks the parents."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from grader.hub.deployment import open_to_others
    base = Path(tempfile.mkdtemp(prefix="bw-open-", dir="/tmp"))
    try:
        os.chmod(base, 0o755)
        (base / "closed").mkdir()
        (base / "open").mkdir()
        assert open_to_others(_tree(base / "closed", 0o700, 0o755)) is None      # like /root/backprop-workbook
        opened = _tree(base / "open", 0o755, 0o755)
        why = open_to_others(opened)
        assert why is not None and "0755" in why, why
        os.chmod(opened, 0o700)
        assert open_to_others(opened) is None
        os.chmod(opened, 0o711)                      # others can enter it and read files by name (.git/...)
        assert open_to_others(opened) is not None
    finally:
        shutil.rmtree(base)


def test_release_collect_return_take_the_recorded_classroom_as_defaults(tmp_path, monkeypatch):
    """`make classroom EXCHANGE=... COURSE=...` is recorded in classroom.json; the instructor's commands
    read it (--classroom, else $BW_CLASSROOM, else /srv/backprop-workbook/classroom.json); a flag still wins."""
    import argparse
    import json

    from grader.hub import add_hub_parser, classroom_of
    from grader.hub.layout import Classroom
    recorded = tmp_path / "classroom.json"
    recorded.write_text(json.dumps({"exchange": str(tmp_path / "ex"), "course": "nn-2026", "group": "nn-staff"}))
    parser = argparse.ArgumentParser()
    add_hub_parser(parser.add_subparsers())
    args = parser.parse_args(["hub", "collect", "01", "--out", "subs", "--classroom", str(recorded)])
    assert classroom_of(args, env={}) == Classroom(tmp_path / "ex", "nn-2026", "nn-staff")
    args = parser.parse_args(["hub", "return", "results", "--course", "other"])
    assert classroom_of(args, env={"BW_CLASSROOM": str(recorded)}) == Classroom(tmp_path / "ex", "other", "nn-staff")
    args = parser.parse_args(["hub", "release", "01", "--classroom", str(tmp_path / "nope.json")])
    with pytest.raises(FileNotFoundError, match="--classroom: .*nope.json does not exist"):
        classroom_of(args, env={})


def test_the_makefile_passes_every_port_exchange_and_course_to_setup():
    """Two classrooms on one machine need their own Hub API and proxy API ports, not only the public one."""
    import subprocess
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(["make", "-n", "--no-print-directory", "classroom-setup", "HUB_PORT=9000",
                          "HUB_API_PORT=9081", "PROXY_API_PORT=9001", "EXCHANGE=/tmp/bw-ex", "COURSE=nn-2026",
                          "CLASSROOM_GROUP=nn-staff", "HOME_BASE=/tmp/bw-homes"],
                         cwd=root, capture_output=True, text=True, check=True).stdout.replace("\\\n", " ")
    setup = " ".join(next(line for line in out.splitlines() if "grader hub setup" in line).split())
    for arg in ("--port 9000", "--hub-port 9081", "--proxy-api-port 9001", "--exchange /tmp/bw-ex",
                "--course nn-2026", "--group nn-staff", "--home-base /tmp/bw-homes"):
        assert arg in setup, f"{arg!r} not passed: {setup}"


def test_opening_the_venv_leaves_its_neighbours_closed(tmp_path):
    """CLASSROOM_VENV=/srv/venv must not `chmod -R a+rX /srv`: the venv is opened, its parents only passable."""
    import os
    import stat
    import subprocess
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    srv = tmp_path / "srv"
    (srv / "venv" / "bin").mkdir(parents=True)
    (srv / "secret").mkdir()
    for f in (srv / "venv" / "bin" / "python", srv / "secret" / "key"):
        f.write_text("x")
        os.chmod(f, 0o700 if f.name == "python" else 0o600)
    for d in (srv / "venv" / "bin", srv / "venv", srv / "secret", srv):
        os.chmod(d, 0o700)
    recipe = subprocess.run(["make", "-n", "--no-print-directory", "-B", f"{srv}/venv/.bw-classroom-stamp",
                             f"CLASSROOM_VENV={srv}/venv"], cwd=root, capture_output=True, text=True, check=True).stdout
    opening = [line for line in recipe.splitlines() if "chmod" in line or "open-venv" in line]
    assert opening == [f"sh deploy/jupyterhub/open-venv.sh {srv}/venv"], opening     # what the Makefile runs
    subprocess.run(["sh", str(root / "deploy/jupyterhub/open-venv.sh"), str(srv / "venv")], check=True)
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)      # noqa: E731
    assert mode(srv / "venv" / "bin" / "python") & 0o005 == 0o005 and mode(srv / "venv") & 0o005 == 0o005
    assert mode(srv) & 0o007 == 0o001, f"{srv}: {mode(srv):04o} (only passable, not listable)"
    assert mode(srv / "secret") == 0o700 and mode(srv / "secret" / "key") == 0o600


def test_the_readme_spells_the_grader_command_one_way_and_it_exists():
    """On a fresh machine `grader` is not on PATH: the README says `.venv/bin/grader` everywhere, and
    `make venv` installs that console script."""
    import re
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    text = (root / "README.md").read_text(encoding="utf-8")
    spans = re.findall(r"`([^`\n]+)`", text) + [line for block in re.findall(r"```\n(.*?)```", text, re.S)
                                               for line in block.splitlines()]
    other = [s for s in spans if re.match(r"(python3? -m |\.venv/bin/python -m )?grader \w", s.strip())
             and not s.strip().startswith(".venv/bin/grader")]
    assert not other, f"README.md spells the command otherwise than .venv/bin/grader: {other}"
    assert ".venv/bin/grader hub release" in text and ".venv/bin/grader hub collect" in text
    assert (Path(sys.executable).parent / "grader").is_file(), "the venv has no grader console script (pyproject [project.scripts])"


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
