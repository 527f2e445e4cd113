"""Tests for the shape of the ``helpers`` package: public names, module size, no import side effects."""
import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import helpers

PKG = Path(helpers.__file__).parent
MODULES = sorted(p for p in PKG.rglob("*.py") if p.name != "__init__.py")
SUBPACKAGES = sorted(p.parent.name for p in PKG.glob("*/__init__.py"))


def _dotted(path):
    return ".".join(("helpers",) + path.relative_to(PKG).with_suffix("").parts)
MAX_LINES = 300


def test_every_public_name_is_importable_and_listed_once():
    assert len(helpers.__all__) == len(set(helpers.__all__)), "duplicate names in helpers.__all__"
    missing = [n for n in helpers.__all__ if not hasattr(helpers, n)]
    assert not missing, f"helpers.__all__ lists names that do not exist: {missing}"
    for name in helpers.__all__:
        ns = {}
        exec(f"from helpers import {name}", ns)  # noqa: S102 -- the import statement itself is the test
        assert ns[name] is getattr(helpers, name)


def test_the_documented_core_api_is_exported():
    core = {"relu", "sigmoid", "tanh", "softmax", "log_softmax", "mse", "cross_entropy", "softmax_cross_entropy",
            "dense_forward", "dense_backward", "MLP", "numerical_gradient", "check_gradients", "train",
            "sgd_update", "iterate_minibatches", "accuracy", "load_digits", "train_val_test_split"}
    assert core <= set(helpers.__all__), f"missing from helpers.__all__: {sorted(core - set(helpers.__all__))}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_module_is_small_and_declares_all(path):
    source = path.read_text(encoding="utf-8")
    n_lines = len(source.splitlines())
    assert n_lines < MAX_LINES, f"{_dotted(path)} has {n_lines} lines; split it by concept (< {MAX_LINES})"
    tree = ast.parse(source)
    declared = [node for node in tree.body if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)]
    assert declared, f"{_dotted(path)} has no module-level __all__"
    stars = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)]
    assert not stars, f"{_dotted(path)} uses a star import on line(s) {stars}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_module_all_names_exist(path):
    module = importlib.import_module(_dotted(path))
    missing = [n for n in getattr(module, "__all__", []) if not hasattr(module, n)]
    assert not missing, f"{_dotted(path)}.__all__ lists undefined names {missing}"


def test_no_catch_all_utils_module():
    offenders = [str(p.relative_to(PKG)) for p in PKG.rglob("*.py") if p.stem.lower() in {"utils", "util", "misc", "common"}]
    assert not offenders, f"catch-all module(s) in helpers/: {offenders}"


_SIDE_EFFECT_PROBE = r"""
import io, json, os, sys, warnings
import numpy as np
import matplotlib

def snapshot():
    state = np.random.get_state()
    return {
        "rc": {k: repr(v) for k, v in dict.items(matplotlib.rcParams)},
        "random": [state[0], state[1].tolist(), int(state[2]), int(state[3]), float(state[4])],
        "errstate": np.geterr(),
        "warning_filters": [repr(f) for f in warnings.filters],
        "print_options": {k: repr(v) for k, v in np.get_printoptions().items()},
        "cwd": os.getcwd(),
    }

before = snapshot()
out, err = io.StringIO(), io.StringIO()
sys.stdout, sys.stderr = out, err
import helpers  # noqa: E402
sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
after = snapshot()
def diff(a, b):
    if isinstance(a, dict):  # the keys whose values changed
        return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return "differs"

changed = {k: diff(before[k], after[k]) for k in before if before[k] != after[k]}
print(json.dumps({"changed": changed, "stdout": out.getvalue(), "stderr": err.getvalue()}))
"""


def test_importing_helpers_has_no_side_effects():
    proc = subprocess.run([sys.executable, "-c", _SIDE_EFFECT_PROBE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", f"importing helpers wrote to stderr: {proc.stderr!r}"
    result = json.loads(proc.stdout)
    assert result["changed"] == {}, f"importing helpers changed global state: {result['changed']}"
    assert result["stdout"] == "" and result["stderr"] == "", f"import printed: {result}"
