"""Reading what students hand in, defensively: zips, special files, symlinks (no kernels)."""
from __future__ import annotations

import io
import os
import stat
import threading
import zipfile

import pytest

from grader.restore import SubmissionError, read_submission
from grader.safeio import NotRegular, is_regular, read_regular
from grader.submissions import discover, zip_budget

L = "01_forward_propagation"


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def _reasons(skipped):
    return {s["path"]: s["reason"] for s in skipped}


def test_zip_member_naming_two_students_is_skipped(tmp_path):
    z = _zip(tmp_path / "c.zip", [("bob/" + L + ".ipynb", "{'bob'}"), ("zed/bob/" + L + ".ipynb", "{'zed'}"),
                                  ("zed/" + L + ".ipynb", "{'zed2'}")])
    subs, skipped, _ = discover(z, [L], tmp_path / "u")
    from pathlib import Path
    assert {s.student: Path(s.path).read_text() for s in subs} == {"bob": "{'bob'}", "zed": "{'zed2'}"}
    assert "ambiguous" in _reasons(skipped)[f"zed/bob/{L}.ipynb"]


def test_nested_member_cannot_knock_out_a_student(tmp_path):
    """Issue 18: ``zed/bob/L`` beside ``bob/L`` is the odd one: reported and skipped, bob's own file graded."""
    z = _zip(tmp_path / "c.zip", [("bob/" + L + ".ipynb", "{'bob'}"), ("zed/bob/" + L + ".ipynb", "{'zed'}")])
    subs, skipped, students = discover(z, [L], tmp_path / "u")
    assert [(s.student, s.origin) for s in subs] == [("bob", f"c.zip:bob/{L}.ipynb")]
    reason = _reasons(skipped)[f"zed/bob/{L}.ipynb"]
    assert "nested" in reason and "bob" in reason
    assert f"bob/{L}.ipynb" not in _reasons(skipped)


def test_zip_duplicate_members_are_all_skipped(tmp_path):
    z = tmp_path / "d.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(f"ann/{L}.ipynb", "one")
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr(f"ann/{L}.ipynb", "two")
    subs, skipped, students = discover(z, [L], tmp_path / "u")
    assert subs == [] and len(skipped) == 2 and all("ambiguous" in s["reason"] for s in skipped)
    assert students == ["ann"]


def test_zip_budget_is_proportional_with_a_floor():
    assert zip_budget(1 << 20) == 256 << 20 and zip_budget(100 << 20) == 2000 << 20
    assert zip_budget(1 << 40) == 2 << 30


def test_zip_bomb_is_stopped_while_streaming(tmp_path, monkeypatch):
    import grader.submissions as subs_mod
    monkeypatch.setattr(subs_mod, "MAX_BYTES", 1 << 20)       # the bounds, scaled down 100x
    big = b"0" * (30 << 20)                          # 30 MB of zeros compress to ~30 KB
    z = _zip(tmp_path / "bomb.zip", [(f"s{k}/{L}.ipynb", big) for k in range(2)] + [(f"ok/{L}.ipynb", "{}")])
    assert z.stat().st_size < 1 << 20, "the header's sizes are not what is checked"
    subs, skipped, _ = discover(z, [L], tmp_path / "u")
    reasons = _reasons(skipped)
    assert [s.student for s in subs] == ["ok"]
    assert "too large when unpacked" in reasons[f"s0/{L}.ipynb"], reasons
    unpacked = sum(f.stat().st_size for f in (tmp_path / "u").rglob("*") if f.is_file())
    assert unpacked < 1 << 20, f"{unpacked} bytes written for a bomb"


def test_zip_total_bound(tmp_path, monkeypatch):
    import grader.submissions as subs_mod
    monkeypatch.setattr(subs_mod, "zip_budget", lambda size: 5 << 20)
    part = b"1" * (2 << 20)
    z = _zip(tmp_path / "t.zip", [(f"s{k}/{L}.ipynb", part) for k in range(4)])
    subs, skipped, _ = discover(z, [L], tmp_path / "u")
    assert len(subs) == 2 and len(skipped) == 2, (subs, skipped)
    assert all("in total" in s["reason"] for s in skipped)


def test_corrupt_member_is_reported_and_the_rest_graded(tmp_path):
    z = _zip(tmp_path / "crc.zip", [(f"ann/{L}.ipynb", "A" * 5000), (f"bob/{L}.ipynb", '{"x": 1}')])
    data = bytearray(z.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(f"ann/{L}.ipynb")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 2] ^= 0xFF                          # flip a byte of ann's compressed data
    z.write_bytes(bytes(data))
    subs, skipped, _ = discover(z, [L], tmp_path / "u")
    assert [s.student for s in subs] == ["bob"]
    assert "corrupt member" in _reasons(skipped)[f"ann/{L}.ipynb"]
    assert not list((tmp_path / "u").rglob("*.part"))


def test_zip_symlink_member_is_skipped(tmp_path):
    z = tmp_path / "l.zip"
    with zipfile.ZipFile(z, "w") as zf:
        info = zipfile.ZipInfo(f"ann/{L}.ipynb")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    subs, skipped, _ = discover(z, [L], tmp_path / "u")
    assert subs == [] and "symbolic link" in _reasons(skipped)[f"ann/{L}.ipynb"]


def test_folder_special_files_are_skipped_without_opening_them(tmp_path):
    root = tmp_path / "subs"
    (root / "ann").mkdir(parents=True)
    (root / "bob").mkdir()
    os.mkfifo(root / "ann" / f"{L}.ipynb")
    (root / "bob" / f"{L}.ipynb").write_text("{}")
    (root / "cy").symlink_to(root / "bob", target_is_directory=True)
    done = []
    t = threading.Thread(target=lambda: done.append(discover(root, [L])), daemon=True)
    t.start()
    t.join(20)
    assert done, "discovery blocked on a FIFO"
    subs, skipped, _ = done[0]
    reasons = _reasons(skipped)
    assert [s.student for s in subs] == ["bob"]
    assert "FIFO" in reasons[f"ann/{L}.ipynb"] and "symbolic link" in reasons["cy"]


def test_read_regular_refuses_symlinks_fifos_and_big_files(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    (tmp_path / "link").symlink_to(f)
    os.mkfifo(tmp_path / "fifo")
    assert read_regular(f, 10) == b"abc" and is_regular(f) == (True, "")
    with pytest.raises(NotRegular, match="symbolic link"):
        read_regular(tmp_path / "link", 10)
    with pytest.raises(NotRegular, match="FIFO"):
        read_regular(tmp_path / "fifo", 10)
    with pytest.raises(NotRegular, match="too large"):
        read_regular(f, 2)
    assert is_regular(tmp_path / "fifo") == (False, "a FIFO (named pipe)")
    with pytest.raises(SubmissionError, match="symbolic link"):
        read_submission(str(tmp_path / "link"))
