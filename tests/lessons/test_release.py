"""``lessons/`` is exactly what regenerating it from ``solutions/`` produces.

``release(check=True)`` on the repository must report nothing stale. On a scratch copy of
``solutions/`` + ``lessons/`` (``release(root=...)``), an edit to one solution must be
named by ``release(check=True)`` and by ``python -m grader release --check`` (exit 1),
and regenerating must make the copy clean again.
"""
from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
import pytest

from grader.release import ROOT, release

from .conftest import LESSONS, read_nb, venv_env

pytestmark = pytest.mark.slow


def _cli_check(root):
    return subprocess.run([sys.executable, "-m", "grader", "release", "--check", "--root", str(root)],
                          env=venv_env(), capture_output=True, text=True, timeout=300)


def test_lessons_are_generated_from_solutions():
    assert LESSONS, "solutions/ holds no lesson (<id>/<id>.ipynb)"
    stale = release(check=True)
    assert stale == [], f"lessons/ differs from what solutions/ generates: {stale} -- run `make lessons`"


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory):
    """A scratch copy of solutions/ (and lessons/), regenerated so that it starts up to date."""
    root = tmp_path_factory.mktemp("release")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    if (ROOT / "lessons").is_dir():
        shutil.copytree(ROOT / "lessons", root / "lessons")
    release(root=root)
    return root


def test_edited_solution_is_reported_until_released(course_copy):
    root, lesson = course_copy, LESSONS[0]
    assert release(check=True, root=root) == [], "a freshly regenerated copy should not be stale"
    clean = _cli_check(root)
    assert clean.returncode == 0, f"`grader release --check` on an up-to-date copy exited {clean.returncode}:\n{clean.stderr}"

    path = root / "solutions" / lesson / f"{lesson}.ipynb"
    nb = read_nb(path)
    nb.cells[0].source += "\n\nA sentence added by the test."
    nbformat.write(nb, path)
    expected = f"{lesson}/{lesson}.ipynb"

    assert release(check=True, root=root) == [expected]
    cli = _cli_check(root)
    assert cli.returncode == 1, f"`grader release --check` exited {cli.returncode}, expected 1:\n{cli.stdout}{cli.stderr}"
    assert f"lessons/{expected}" in cli.stderr, f"the CLI did not name lessons/{expected}:\n{cli.stderr}"
    assert [l for l in LESSONS[1:] if l in cli.stderr] == [], f"the CLI named untouched lessons:\n{cli.stderr}"

    assert release(root=root) == [expected], "release() should regenerate exactly the edited lesson"
    assert release(check=True, root=root) == []
    assert "A sentence added by the test." in (root / "lessons" / expected).read_text(encoding="utf-8")
