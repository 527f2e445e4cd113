"""helpers.feedback.display: a failed check shows one short box; a bug inside the student's function shows their frame."""
import re
import subprocess
import sys
import textwrap

import pytest

from html.parser import HTMLParser

from helpers.feedback.codes import DIAGNOSES, hints
from helpers.feedback.display import feedback_box, hint_html, hint_output

SCRIPT = textwrap.dedent('''
    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell
    from helpers.feedback.display import install_feedback
    shell = InteractiveShell.instance()
    assert install_feedback(shell)
    _publish = shell.display_pub.publish
    def publish(data, **kw):   # what a notebook front end would receive, in order with the box
        print("DISPLAY", sorted(data), data.get("text/html", "")[:60])
        _publish(data, **kw)
    shell.display_pub.publish = publish
    shell.run_cell("from helpers.feedback.checks import call, check_array")
    shell.run_cell("def relu(z):\\n    return np.abs(z)\\n", store_history=True)
    shell.run_cell("def sig(z):\\n    if z > 0:\\n        return z\\n    return z\\n", store_history=True)
    shell.user_ns["np"] = np
    r1 = shell.run_cell("# Checks relu: values\\ncheck_array(call(relu, np.array([-1.0, 2.0])), [0.0, 2.0], 'relu([-1, 2])')",
                        store_history=True)
    print("ERROR1", type(r1.error_in_exec).__name__)
    r2 = shell.run_cell("# Checks sig: values\\ncall(sig, np.array([-1.0, 2.0]))", store_history=True)
    print("ERROR2", type(r2.error_in_exec).__name__)
''')


def test_box_layout():
    box = feedback_box("relu([-1, 2]): values differ", "relu", "relu([-1, 2])", "Cell In[3], line 2", "mismatch")
    lines = box.splitlines()
    assert lines[0].startswith("\u250c") and lines[-1].startswith("\u2514")
    assert len({len(line) for line in lines}) == 1, "every line of the box has the same width"
    assert "\u2718 relu: a visible check failed" in lines[1]
    assert "failed check: relu([-1, 2])  (Cell In[3], line 2)" in box and "diagnosis: mismatch" in box


def test_box_under_the_autograder_does_not_claim_the_check_was_visible(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert "\u2718 relu: a check failed" in feedback_box("relu: wrong", "relu", "relu on a (6, 4) array")


def test_installed_handler_in_a_real_ipython_shell():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    out = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout)
    assert run.returncode == 0, run.stderr
    first, second = out.split("ERROR1")
    assert "\u2718 relu: a visible check failed" in first and "failed check: relu([-1, 2])" in first, first
    assert "Cell In[3], line 2" in first, "the test cell's line (the grader tells hidden from visible by it)"
    assert "checks.py" not in first and "Traceback" not in first, f"no frame of helpers in the box:\n{first}"
    assert " CheckFailed" in second.splitlines()[0], "the cell still ends in an error"
    assert "if z > 0:" in second and "Cell In[2], line 2" in second, f"the student's own frame is shown:\n{second}"
    assert "if_on_array" in second and "checks.py" not in second
    assert second.index("Cell In[4], line 2") < second.index("Cell In[2], line 2"), "the box (test cell line) comes first"
    assert "ERROR2 CheckFailed" in out
    box_end = first.index("failed check: relu([-1, 2])")
    assert "DISPLAY ['text/html', 'text/plain'] <div" in first[box_end:], f"the hints follow the box:\n{first}"
    assert "if_on_array" in second and "DISPLAY ['text/html', 'text/plain']" in second
    assert "Show a hint" not in run.stderr and "Hint 1" not in first, "the plain text shows no hint itself"


class _Ladder(HTMLParser):
    """Records the nesting of <details>: (depth, summary text, hint text) per <details>."""

    def __init__(self):
        super().__init__()
        self.depth, self.rungs, self.open = 0, [], set()

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "details"
        if tag == "details":
            self.rungs.append([self.depth, "", ""])
        self.open.add(tag)

    def handle_endtag(self, tag):
        self.depth -= tag == "details"
        self.open.discard(tag)

    def handle_data(self, data):
        if "summary" in self.open:
            self.rungs[-1][1] += data
        elif "p" in self.open and self.rungs:
            self.rungs[-1][2] += data


@pytest.mark.parametrize("code", ["transpose", "no_return", "matmul_shapes", "var_not_mse"])
def test_hint_ladder_is_nested_details_one_rung_at_a_time(code):
    parser = _Ladder()
    parser.feed(hint_html(code))
    ladder = hints(code)
    assert [r[0] for r in parser.rungs] == list(range(1, len(ladder) + 1)), "each rung inside the one before"
    assert [r[1] for r in parser.rungs] == ["Show a hint"] + ["Next hint"] * (len(ladder) - 1)
    for k, (rung, hint) in enumerate(zip(parser.rungs, ladder), 1):
        assert rung[2].startswith(f"Hint {k} of {len(ladder)}: "), rung
        assert rung[2].split(": ", 1)[1].replace("`", "") == hint.replace("`", ""), f"rung {k} of {code} differs"
    assert parser.depth == 0, "every <details> is closed"


def test_hint_html_escapes_and_a_code_without_hints_shows_nothing():
    assert "<code>return</code>" in hint_html("no_return") and "&#x27;" in hint_html("transpose")
    assert hint_html("brand_new_code") == "" and hint_output("brand_new_code") is None and hint_output(None) is None
    plain = hint_output("transpose")["text/plain"]
    assert all(h not in plain for h in DIAGNOSES["transpose"].hints), "the plain text gives no hint away"
