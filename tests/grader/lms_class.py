"""A tiny class handed in through Canvas and Moodle "download all submissions" zips, graded ONCE per
test session (graded submissions cost ~2 s each) and shared by the LMS, manual-grading and export tests.

Canvas members are named as canvas-lms ``lib/content_zipper.rb`` names them
(``<sortable name, downcased, word chars only>[_LATE]_<user id>_<attachment id>_<file>``, a re-upload
``-1``), Moodle members as ``mod/assign/classes/downloader.php`` does
(``<Full name>_<participant id>_assignsubmission_file/<file>`` or ``..._file_<file>``).
"""
from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

import nbformat

from grader.release import ROOT
from grader_corpus import honest_notebook, to_bytes

__all__ = ["LESSON", "QUESTION", "ROSTER_CSV", "TEXT", "lms_run", "PNG"]

LESSON = "01_forward_propagation"
QUESTION = "written_nonlinearity"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAOnRFWHRTb2Z0d2FyZQBNYXRwbG90bGliIHZlcnNpb24zLjExLjIsIGh0dHBzOi8vbWF0cGxvdGxpYi5vcmcvgI3uAAAAAAlwSFlzAAAPYQAAD2EBqD+naQAAABVJREFUeJxjZGBg+M+ABJgY0ABhAQBBFAEHpJVHlwAAAABJRU5ErkJggg=="   # a 4x4 black PNG (matplotlib.image.imsave)
TEXT = {
    "alice": "Ten linear layers are still one affine map: $W_2(W_1x + b_1) + b_2 = (W_2W_1)x + c$.\n\n"
             "A non-linear activation adds kinks, so the network can bend its decision boundary.",
    "bob": "Without an activation the layers **collapse** into one.\n\n![my sketch](attachment:kink.png)\n\n"
           "<script>document.title = 'pwned'</script><img src=x onerror=\"document.title='pwned'\">",
}
TEXT["zoe"] = "  " + TEXT["alice"].replace(" ", "   ", 3).replace("\n\n", "\n \n") + "\n"   # same, other spacing
ROSTER_CSV = (
    "student_id,name,sortable_name,canvas_user_id,sis_user_id,sis_login_id,section,email,idnumber,moodle_participant_id\n"
    "alice,Alice Doe,\"Doe, Alice\",1001,S-1,alice@uni.example,Section A,alice@uni.example,ID-1,501\n"
    "bob,Bob Smith,\"Smith, Bob\",1002,S-2,bob@uni.example,Section B,bob@uni.example,ID-2,\n"
    "zoe,Zoë Ñúñez,\"Ñúñez, Zoë\",,S-3,zoe@uni.example,Section A,zoe@uni.example,ID-3,503\n")
_CACHE: dict = {}


def _notebook(student: str | None) -> bytes:
    lesson_dir = LESSON
    release = nbformat.read(ROOT / "lessons" / lesson_dir / f"{LESSON}.ipynb", as_version=4)
    if student is None:
        return to_bytes(release)                          # a blank (an older upload)
    nb = honest_notebook(release, nbformat.read(ROOT / "solutions" / lesson_dir / f"{LESSON}.ipynb", as_version=4))
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == QUESTION)
    cell.source = TEXT[student]
    if student == "bob":
        cell["attachments"] = {"kink.png": {"image/png": PNG}}
    return to_bytes(copy.deepcopy(nb))


def _zip(path: Path, members: list[tuple[str, bytes, tuple]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data, when in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return path


def build_zips(folder: Path) -> dict:
    t0, t1 = (2026, 11, 1, 10, 0, 0), (2026, 11, 2, 9, 30, 0)
    canvas = _zip(folder / "canvas.zip", [
        ("doealice_LATE_1001_5001_01_forward_propagation.ipynb", _notebook("alice"), t1),
        ("smithbob_1002_5002_01_forward_propagation.ipynb", _notebook(None), t0),
        ("smithbob_1002_5010_01_forward_propagation-1.ipynb", _notebook("bob"), t1),
        ("ñúñezzoë_1003_5003_01_forward_propagation.ipynb", _notebook("zoe"), t0),
        ("strangerx_1999_5004_01_forward_propagation.ipynb", _notebook("alice"), t0),
        ("doealice_LATE_1001_5006_notes.txt", b"my notes", t1),
    ])
    moodle = _zip(folder / "moodle.zip", [
        ("Alice Doe_501_assignsubmission_file/01_forward_propagation.ipynb", _notebook("alice"), t0),
        ("Bob Smith_502_assignsubmission_file_01_forward_propagation.ipynb", _notebook(None), t0),
        ("Bob Smith_502_assignsubmission_file_01_forward_propagation (1).ipynb", _notebook("bob"), t1),
        ("Who Knows_599_assignsubmission_file/01_forward_propagation.ipynb", _notebook("alice"), t0),
    ])
    roster = folder / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    return {"canvas": canvas, "moodle": moodle, "roster": roster}


def lms_run(tmp_path_factory) -> dict:
    """Both zips graded (``grader autograde ZIP --roster``), once per session: the paths and what was printed."""
    if "run" in _CACHE:
        return _CACHE["run"]
    import contextlib

    from grader.__main__ import main
    base = tmp_path_factory.mktemp("lms")
    paths = build_zips(base)
    out = {"base": base, **paths}
    for kind in ("canvas", "moodle"):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = main(["autograde", str(paths[kind]), "--out", str(base / f"results-{kind}"), "--jobs", "2",
                       "--quiet", "--roster", str(paths["roster"]), "--timeout", "20"])
        out[kind + "_rc"], out[kind + "_stderr"], out[kind + "_results"] = rc, err.getvalue(), base / f"results-{kind}"
    _CACHE["run"] = out
    return out
