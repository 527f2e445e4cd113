"""helpers.course.own_code: the student's earlier functions where they pass, the references otherwise."""
import json

import numpy as np
import pytest

import helpers
from helpers.course.own_code import load_own_code


def _notebook(folder, lesson, cells):
    (folder / lesson).mkdir()
    nb = {"cells": [{"cell_type": "code", "source": src, "metadata": {
        "nbgrader": {"grade_id": gid, "solution": True, "grade": False}}, "outputs": []}
        for gid, src in cells.items()], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = folder / lesson / f"{lesson}.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_right_answers_are_used_and_wrong_or_missing_ones_replaced(tmp_path):
    path = _notebook(tmp_path, "01_forward_propagation", {
        "dense_forward": "def dense_forward(X, W, b):\n    print('hello')\n    return X @ W.T + b\n",
        "relu": "def relu(z):\n    return np.abs(z)\n"})
    before = path.read_bytes()
    own = load_own_code(folder=tmp_path)
    assert own.is_yours("dense_forward") and not own.is_yours("relu")
    assert "gave different numbers" in own.origin["relu"]
    assert own.relu is helpers.relu
    assert "03_backpropagation/03_backpropagation.ipynb is not next to this one" in own.origin["dense_backward"]
    assert own.dense_backward is helpers.dense_backward
    X = np.ones((2, 3))
    np.testing.assert_allclose(own.dense_forward(X, np.ones((1, 3)), np.zeros(1)), [[3.0], [3.0]])
    assert path.read_bytes() == before, "the earlier notebook must only be read"
    assert "yours, from 01_forward_propagation" in str(own)


def test_stubs_errors_and_warnings_fall_back(tmp_path):
    _notebook(tmp_path, "01_forward_propagation", {
        "dense_forward": "def dense_forward(X, W, b):\n    raise NotImplementedError()\n",
        "relu": "def relu(z):\n    return np.log(z) * 0 + np.maximum(z, 0)\n"})
    _notebook(tmp_path, "03_backpropagation", {"dense_backward": "def dense_backward(dZ, cache):\n    return 1 / 0\n"})
    own = load_own_code(folder=tmp_path)
    assert "not written yet" in own.origin["dense_forward"]
    assert "caused a warning" in own.origin["relu"]
    assert "raised ZeroDivisionError" in own.origin["dense_backward"]
    Z = own.dense_forward(np.ones((1, 2)), np.ones((3, 2)), np.zeros(3))
    np.testing.assert_allclose(Z, [[2.0, 2.0, 2.0]])


def test_the_course_solutions_are_recognised_as_right():
    own = load_own_code(folder=helpers.course.own_code.Path(helpers.__file__).parent.parent / "solutions")
    assert all(own.is_yours(n) for n in own.functions), str(own)


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match=r"load_own_code: names must be among \['dense_backward', 'dense_forward', 'relu'\], got \['softmax'\]"):
        load_own_code(["softmax"])
