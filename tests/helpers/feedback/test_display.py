"""helpers.feedback.display: a failed check shows one short box; a bug inside the student's function shows their frame."""
import re
import subprocess
import sys
import textwrap

from helpers.feedback.display import feedback_box

SCRIPT = textwrap.dedent('''
    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell
    from helpers.feedback.display import install_feedback
    shell = InteractiveShell.instance()
    assert install_feedback(shell)
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
