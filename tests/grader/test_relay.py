"""Calls across the trust boundary, both ends in this process (threads stand in for the kernels)."""
from __future__ import annotations

import queue
import sys
import threading
import warnings

import numpy as np
import pytest

from grader.bw_kernel import plain, stubs
from grader.bw_kernel.relay import Endpoint, RemoteFunction, RemoteObject


class Pair:
    """A trusted endpoint calling into a student endpoint that serves ``ns`` on its own thread."""

    def __init__(self, ns):
        self.to_s, self.to_t = queue.Queue(), queue.Queue()
        def resolve(name):          # as grader.bw_kernel.sides.serve resolves the student's names
            if name not in ns:
                raise NameError(f"name {name!r} is not defined")
            return ns[name]
        self.student = Endpoint(self._ask_s, resolve_name=resolve)
        self.trusted = Endpoint(self._ask_t)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _ask_t(self, text):
        self.to_s.put(text)
        return self.to_t.get(timeout=20)

    def _ask_s(self, text):
        self.to_t.put(text)
        return self.to_s.get(timeout=20)

    def _serve(self):
        text = self.to_s.get(timeout=20)
        while True:
            msg = self.student.receive(text)
            if msg["op"] == "stop":
                return
            text = self._ask_s(self.student._dumps(self.student.perform(msg)))

    def fn(self, name):
        return RemoteFunction(self.trusted, ["name", name], name)

    def close(self):
        self.to_s.put(plain.dumps({"op": "stop"}))
        self.thread.join(5)


@pytest.fixture
def pair():
    made = []

    def make(ns):
        made.append(Pair(ns))
        return made[-1]
    yield make
    for p in made:
        p.close()


def test_results_are_plain_data_and_arrays_update_in_place(pair):
    def sgd_update(params, grads, lr):
        for k in params:
            params[k] -= lr * grads[k]

    def relu(z):
        return np.maximum(z, 0)
    p = pair({"sgd_update": sgd_update, "relu": relu})
    params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    W = params["W"]
    assert p.fn("sgd_update")(params, {"W": np.ones((2, 2)), "b": np.ones(2)}, 0.5) is None
    assert params["W"] is W and np.array_equal(W, np.full((2, 2), 0.5)), "in place, same array object"
    assert np.array_equal(params["b"], [-0.5, -0.5])
    z = np.array([-1.0, 2.0])
    out = p.fn("relu")(z)
    assert type(out) is np.ndarray and np.array_equal(out, [0.0, 2.0]) and np.array_equal(z, [-1.0, 2.0])


def test_exceptions_warnings_and_prints_come_back(pair, capsys):
    def bad(x):
        raise ValueError(f"no {x}")

    def noisy(x):
        print("hello from the student")
        warnings.warn("overflow encountered in exp", RuntimeWarning)
        return x

    def blank(x):
        raise NotImplementedError()
    p = pair({"bad": bad, "noisy": noisy, "blank": blank})
    with pytest.raises(ValueError, match="no 3"):
        p.fn("bad")(3)
    with pytest.raises(NotImplementedError):
        p.fn("blank")(1)
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert p.fn("noisy")(7) == 7
    assert "hello from the student" in capsys.readouterr().out
    with pytest.raises(NameError, match="'missing' is not defined"):
        p.fn("missing")(1)


def test_callbacks_and_objects_go_both_ways(pair):
    def numerical_gradient(f, x, h=1e-5):
        g = np.zeros_like(x)
        for i in range(x.size):
            old = x.flat[i]
            x.flat[i] = old + h
            up = f(x)
            x.flat[i] = old - h
            g.flat[i] = (up - f(x)) / (2 * h)
            x.flat[i] = old
        return g

    class Model:
        def __init__(self):
            self.params = {"w": np.array([1.0, 2.0])}

        def predict(self, X):
            return X @ self.params["w"]

    def build():
        return Model()

    def train_step(model, lr):
        p = model.params                 # fetched from the trusted side, changed here ...
        p["w"] -= lr
        return float(model.predict(np.eye(2)).sum())   # ... and visible there before this call

    def batches(n):
        yield from ([i] for i in range(n))
    p = pair({"numerical_gradient": numerical_gradient, "build": build, "train_step": train_step,
              "batches": batches})
    x = np.array([1.0, -2.0, 3.0])
    g = p.fn("numerical_gradient")(lambda v: float(np.sum(v ** 2)), x)
    assert np.allclose(g, 2 * x) and np.array_equal(x, [1.0, -2.0, 3.0])
    model = p.fn("build")()
    assert isinstance(model, RemoteObject) and np.array_equal(model.predict(np.eye(2)), [1.0, 2.0])
    here = Model()
    assert p.fn("train_step")(here, 0.5) == pytest.approx(2.0) and np.allclose(here.params["w"], [0.5, 1.5])
    assert list(p.fn("batches")(3)) == [[0], [1], [2]]


def test_a_returned_object_gives_nothing_but_plain_data(pair):
    class Sneaky:
        secret = "kept"

        def __array__(self, dtype=None, copy=None):
            return np.ones(3)
    p = pair({"sneaky": lambda: Sneaky()})
    obj = p.fn("sneaky")()
    assert isinstance(obj, RemoteObject)
    with pytest.raises(AttributeError):
        obj.__array__
    assert type(obj) is RemoteObject, "the student's class never reaches the trusted side"
    assert np.asarray(obj, dtype=object).shape == (), "numpy must not see an __array__ through the proxy"
    assert obj.secret == "kept"
    with pytest.raises(AttributeError, match="cannot set"):
        obj.secret = "x"


def test_stubs_hide_this_lessons_references_until_released():
    import helpers
    import helpers.activations
    real = helpers.relu
    try:
        done = stubs.install(["relu"])
        assert "helpers.relu" in done and "helpers.activations.relu" in done
        for f in (helpers.relu, helpers.activations.relu):
            with pytest.raises(stubs.ReferenceHidden, match="helpers.relu is the reference for this exercise"):
                f(np.zeros(2))
        assert helpers.MLP([2, 3, 2], seed=0).forward(np.zeros((1, 2))).shape == (1, 2), \
            "the rest of helpers keeps working"
        stubs.release(["relu"])
        assert helpers.relu is real and helpers.activations.relu is real
    finally:
        stubs.release(["relu"])
        stubs.REGISTRY.clear()
    assert "helpers" in sys.modules


def test_failure_code_and_test_line_are_read_from_the_exception():
    from grader.bw_kernel.integrity import failure_of
    from grader.integrity import MARKER, parse_after

    class CheckFailed(AssertionError):
        code = "transpose"
    src = "x = 1\n\nraise CheckFailed('the message')\n"
    try:
        exec(compile(src, "<cell>", "exec"), {"CheckFailed": CheckFailed})  # noqa: S102 -- a stand-in cell
    except CheckFailed as e:
        assert failure_of(e, e.__traceback__) == ("transpose", 3)
    assert failure_of(ValueError("x"), None) == (None, None)
    odd = ValueError("x")
    odd.code = 42                                   # not a str: no diagnosis
    assert failure_of(odd, None) == (None, None)
    nonce = "abc"
    line = f'{MARKER} {nonce} {{"after": true, "diagnosis": "factor_N", "line": 7}}'
    assert parse_after("noise\n" + line, nonce) == ("factor_N", 7)
    assert parse_after(line.replace("abc", "xyz"), nonce) == (None, None)
    assert parse_after(f'{MARKER} {nonce} {{"after": true, "diagnosis": ["x"], "line": true}}', nonce) == (None, None)


def test_a_fake_score_before_the_error_scores_nothing():
    import nbformat
    from grader.scoring import grade_test_cell
    cell = nbformat.v4.new_code_cell("check(relu)")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_relu", "points": 3, "solution": False,
                                 "locked": True}
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1000"}, execution_count=1),
                    nbformat.v4.new_output("error", ename="CheckFailed", evalue="wrong", traceback=[])]
    assert grade_test_cell(cell, "check(relu)", 3.0) == 0.0
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1000"}, execution_count=1)]
    assert grade_test_cell(cell, "ok = check(relu)", 3.0) == 3.0, "no trailing expression: a number is not a score"
    assert grade_test_cell(cell, "check(relu)\n1.5", 3.0) == 0.0, "nbgrader refuses credit above the points"
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1.5"}, execution_count=1)]
    assert grade_test_cell(cell, "check(relu)\n1.5", 3.0) == 1.5
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="warning")]
    assert grade_test_cell(cell, "ok = check(relu)", 3.0) == 0.0
