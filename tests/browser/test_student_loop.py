"""A student's loop in a real browser: a wrong answer, its specific message, the fix, the ✔ -- and the
grader agrees.

In JupyterLab (headless Chromium, the harness in conftest.py) the student copy of lesson 04 is opened;
the setup cells run (imports, variant), a wrong ``sgd_update`` (it adds the gradient) is typed into the answer cell and the
answer and test cells are run. The test cell must show ONE short box with the exercise, the specific
message and the failed check, and no frame of helpers/feedback/checks.py; under it "Show a hint" opens the first
hint of that mistake and "Next hint" the second. Then the right answer is typed, both
cells run again and the ✔ line appears. The notebook is saved and ``grader validate`` must report the
same: sgd_update passes. Screenshots go to ``test-artifacts/browser/``.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
LESSON = "lessons/04_gradient_descent/04_gradient_descent.ipynb"
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
WRONG = "def sgd_update(params, grads, lr):\n    for name, p in params.items():\n        p += lr * grads[name]\n"
RIGHT = "def sgd_update(params, grads, lr):\n    for name, p in params.items():\n        p -= lr * grads[name]\n"


def _index(grade_id):
    cells = json.loads((ROOT / LESSON).read_text())["cells"]
    return next(i for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _run(page, cell, first=False):
    """Run one cell (click its prompt, Shift+Enter) and wait for its execution count."""
    prompt = cell.locator(".jp-InputArea-prompt")
    before = prompt.inner_text()
    for _ in range(3 if first else 1):       # right after opening, the first request can be lost
        prompt.scroll_into_view_if_needed()
        prompt.click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(r"([el, old]) => /\[\d+\]/.test(el.textContent) && el.textContent !== old",
                                   arg=[prompt.element_handle(), before], timeout=30_000 if first else 60_000)
            return
        except Exception:  # noqa: BLE001 -- retried, then reported below
            continue
    pytest.fail(f"the cell did not run; its prompt shows {prompt.inner_text()!r}")


def _type_answer(page, cell, code):
    editor = cell.locator(".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)     # verbatim: no auto-indent or bracket closing
    got = editor.inner_text()
    assert got.strip() == code.strip(), f"the editor holds {got!r} instead of the typed answer"


def _output(cell):
    return cell.locator(".jp-OutputArea").inner_text()


def _climb_the_hints(page, test):
    """Under the box, "Show a hint" opens the first hint only; "Next hint" the second (no kernel call)."""
    first, second = test.locator("text=Hint 1 of"), test.locator("text=Hint 2 of")
    assert not first.is_visible() and not second.is_visible(), "hints stay closed until asked for"
    test.locator("summary", has_text="Show a hint").click()
    first.wait_for(state="visible", timeout=5_000)
    assert not second.is_visible(), "one hint at a time"
    test.locator("summary", has_text="Next hint").first.click()
    second.wait_for(state="visible", timeout=5_000)
    page.screenshot(path=str(ARTIFACTS / "student-loop-hints.png"))


def test_wrong_answer_message_then_fix_then_validate(browser, jupyter_lab, sandbox):
    url, token = jupyter_lab
    page = browser.contexts[0].new_page() if browser.contexts else browser.new_page()
    page.set_viewport_size({"width": 1400, "height": 1000})
    try:
        page.goto(f"{url}/lab/tree/{LESSON}?reset&token={token}")
        page.wait_for_selector(IDLE, timeout=60_000)
        cells = page.locator(".jp-Notebook .jp-Cell")
        setup, answer, test = cells.nth(_index("imports")), cells.nth(_index("sgd_update")), cells.nth(_index("test_sgd_update"))
        _run(page, setup, first=True)
        _run(page, cells.nth(_index("variant")))    # the second setup cell: the test's inputs

        _type_answer(page, answer, WRONG)
        _run(page, answer)
        _run(page, test)
        shown = _output(test)
        test.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "student-loop-wrong.png"))
        assert "\u2718 sgd_update: a visible check failed" in shown, shown
        assert "moved *with* the gradient" in shown and "failed check: sgd_update(lr=0.1)" in shown, shown
        assert shown.count("\u250c") == 1, f"one box, not several:\n{shown}"
        assert "checks.py" not in shown and "Traceback" not in shown, f"no frame of helpers:\n{shown}"
        box = shown.split("Show a hint")[0]
        assert len(box.strip().splitlines()) <= 12, f"a short box:\n{shown}"
        _climb_the_hints(page, test)

        _type_answer(page, answer, RIGHT)
        _run(page, answer)
        _run(page, test)
        shown = _output(test)
        page.screenshot(path=str(ARTIFACTS / "student-loop-fixed.png"))
        assert "\u2714 sgd_update: every visible check passed" in shown, shown

        saved = sandbox["root"] / LESSON
        page.keyboard.press("Control+s")
        page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
        src = "".join(json.loads(saved.read_text())["cells"][_index("sgd_update")]["source"])
        assert "p -= lr * grads[name]" in src, f"the saved notebook does not hold the fix: {src!r}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "student-loop-failure.png"), full_page=True)
        raise
    finally:
        page.close()

    run = subprocess.run([sys.executable, "-m", "grader", "validate", str(saved)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    lines = run.stdout.splitlines()
    mine = [ln for ln in lines if re.match(r"\s+(PASS|FAIL) sgd_update:", ln)]
    assert mine and mine[0].strip().startswith("PASS sgd_update: 2/2"), (
        f"grader validate disagrees with the browser's \u2714:\n{run.stdout}\n{run.stderr[-2000:]}")
    others = [ln for ln in lines if re.match(r"\s+FAIL ", ln)]
    assert others and run.returncode == 1, f"the untouched exercises must still fail:\n{run.stdout}"
