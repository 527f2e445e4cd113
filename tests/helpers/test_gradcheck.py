"""Tests for helpers.gradcheck: numerical_gradient, relative_error and the check_gradients report."""
import numpy as np
import pytest

from helpers.gradcheck import GradCheckReport, check_gradients, numerical_gradient, relative_error
from helpers.network import MLP


# --------------------------------------------------------------------------- numerical_gradient
@pytest.mark.parametrize("shape", [(), (1,), (5,), (3, 4), (2, 3, 2)])
def test_numerical_gradient_of_a_quadratic(shape):
    rng = np.random.default_rng(0)
    A, x = rng.normal(size=shape), rng.normal(size=shape)
    num = numerical_gradient(lambda v: np.sum(A * v ** 2), x)
    assert num.shape == x.shape and num.dtype == np.float64
    # for a quadratic the centred difference is exact up to rounding
    np.testing.assert_allclose(num, 2 * A * x, rtol=1e-7, atol=1e-9, err_msg="d/dx sum(A x^2)")


def test_numerical_gradient_is_a_centred_difference():
    # ((x+h)^3 - (x-h)^3) / 2h = 3x^2 + h^2 exactly; a one-sided difference would be off by ~3xh
    x = np.array([0.5, -2.0, 3.0])
    h = 1e-3
    num = numerical_gradient(lambda v: np.sum(v ** 3), x, h=h)
    np.testing.assert_allclose(num - 3 * x ** 2, h ** 2, rtol=1e-4, err_msg="error of the centred difference")


def test_numerical_gradient_restores_x_bitwise_and_nudges_the_array_itself():
    x = np.random.default_rng(1).normal(size=(3, 4)) * 1e3 + 0.1  # x + h - h != x in floating point
    before = x.copy()
    seen = []

    def f(v):
        seen.append(v is x)
        return float(np.sum(np.sin(v)))

    numerical_gradient(f, x)
    assert x.tobytes() == before.tobytes(), "x was not restored bit for bit"
    assert all(seen) and len(seen) == 2 * x.size, "f should be called twice per entry with x itself"


def test_numerical_gradient_restores_x_even_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    assert calls[2][1] != 2.0, "the failing call did see the nudged entry"


def test_numerical_gradient_keeps_float32():
    x = np.array([1.0, 2.0], dtype=np.float32)
    num = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x, h=1e-2)
    assert num.dtype == np.float32
    np.testing.assert_allclose(num, [2.0, 4.0], rtol=1e-4)


@pytest.mark.parametrize("bad,got", [(np.array([1, 2, 3]), "int64"), ([1.0, 2.0], "list"), (2.0, "float"),
                                     (np.array([True]), "bool")])
def test_numerical_gradient_rejects_non_float_arrays(bad, got):
    with pytest.raises(TypeError, match=rf"numerical_gradient: x must be a float32/float64 ndarray "
                                        rf"\(it is nudged in place\), got {got}"):
        numerical_gradient(np.sum, bad)


def test_numerical_gradient_rejects_bad_f_and_h():
    with pytest.raises(TypeError, match=r"numerical_gradient: f must be callable, got ndarray"):
        numerical_gradient(np.zeros(2), np.zeros(2))
    for h in (0, -1e-5, float("nan")):
        with pytest.raises(ValueError, match=r"numerical_gradient: h must be positive, got"):
            numerical_gradient(np.sum, np.zeros(2), h=h)


# --------------------------------------------------------------------------- relative_error
def test_relative_error_values():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1, rel=1e-12)
    assert relative_error([1.0, 10.0], [1.0, 12.0]) == pytest.approx(2 / 22, rel=1e-12), "the largest entry"
    assert relative_error([0.0, 0.0], [0.0, 1e-12]) == pytest.approx(1e-4, rel=1e-9), "floor 1e-8 near zero"
    assert relative_error([0.0], [1e-12], floor=1.0) == pytest.approx(1e-12)
    assert relative_error([1.0, -1.0], [-1.0, 1.0]) == 1.0, "opposite signs"
    assert relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_relative_error_rejects_mismatched_shapes_and_nan():
    with pytest.raises(ValueError, match=r"relative_error: a has shape \(3,\) but b has shape \(3, 1\)"):
        relative_error(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"relative_error: b contains NaN"):
        relative_error(np.zeros(2), np.array([0.0, np.nan]))


# --------------------------------------------------------------------------- check_gradients
def _data(seed=0, n=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)), rng.integers(0, 3, size=n)


class ScaledEntry(MLP):
    """Backprop with one wrong entry: dW2[1, 2] is 1% too large."""

    def loss_and_grads(self, X, y, loss="softmax_cross_entropy"):
        value, grads = super().loss_and_grads(X, y, loss=loss)
        grads["W2"][1, 2] *= 1.01
        return value, grads


class FlippedBias(MLP):
    """Backprop with the sign of db2 flipped."""

    def loss_and_grads(self, X, y, loss="softmax_cross_entropy"):
        value, grads = super().loss_and_grads(X, y, loss=loss)
        grads["b2"] = -grads["b2"]
        return value, grads


class DoubledEverything(MLP):
    """Every gradient twice too large (as from a wrong dlogits): all parameters fail."""

    def loss_and_grads(self, X, y, loss="softmax_cross_entropy"):
        value, grads = super().loss_and_grads(X, y, loss=loss)
        return value, {k: 2 * g for k, g in grads.items()}


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss,y", [("softmax_cross_entropy", None), ("mse", "float")])
def test_check_gradients_passes_for_a_correct_model(activation, loss, y):
    X, labels = _data(0)
    target = labels if y is None else np.random.default_rng(5).normal(size=(4, 3))
    model = MLP([3, 5, 3], activation=activation, seed=1)
    before = {k: v.copy() for k, v in model.params.items()}
    report = check_gradients(model, X, target, loss=loss)
    assert isinstance(report, GradCheckReport)
    assert report.passed, str(report)
    assert report.first_failure is None
    assert [c.name for c in report.checks] == ["W1", "b1", "W2", "b2"]
    assert all(c.max_rel_error < 1e-6 for c in report.checks)
    assert "all gradients match" in str(report)
    for k, v in model.params.items():
        assert v.tobytes() == before[k].tobytes(), f"check_gradients changed {k}"


def test_check_gradients_finds_one_wrong_entry_and_names_it():
    X, y = _data(0)
    model = ScaledEntry([3, 5, 3], activation="tanh", seed=1)
    report = check_gradients(model, X, y)
    assert not report.passed
    fail = report.first_failure
    assert fail.name == "W2" and fail.worst_index == (1, 2), str(report)
    assert fail.max_rel_error == pytest.approx(0.01 / 2.01, rel=1e-3)
    assert fail.analytic == pytest.approx(1.01 * fail.numeric, rel=1e-6)
    assert [c.name for c in report.checks if not c.passed] == ["W2"]
    assert report["W1"].passed and report["b2"].passed
    text = str(report)
    assert "first failure: W2 at index (1, 2)" in text
    assert "NO" in text.splitlines()[3], "the W2 row of the table should say NO"


def test_check_gradients_finds_a_flipped_sign():
    X, y = _data(1)
    report = check_gradients(FlippedBias([3, 4, 3], activation="sigmoid", seed=2), X, y)
    assert [c.name for c in report.checks if not c.passed] == ["b2"]
    fail = report.first_failure
    assert fail.name == "b2" and fail.max_rel_error == pytest.approx(1.0, abs=1e-6)
    assert fail.analytic == pytest.approx(-fail.numeric, rel=1e-6)
    assert f"first failure: b2 at index {fail.worst_index}" in str(report)


def test_first_failure_is_the_failing_parameter_nearest_the_output():
    X, y = _data(2)
    report = check_gradients(DoubledEverything([3, 4, 4, 3], activation="tanh"), X, y)
    assert not any(c.passed for c in report.checks)
    assert report.first_failure.name == "b3", "backprop starts at the output: report the last layer first"
    assert all(c.max_rel_error == pytest.approx(1 / 3, rel=1e-4) for c in report.checks)


def test_check_gradients_bad_models():
    X, y = _data()
    with pytest.raises(TypeError, match=r"check_gradients: model must have .params and .loss_and_grads"):
        check_gradients(object(), X, y)

    class Missing(MLP):
        def loss_and_grads(self, X, y, loss="softmax_cross_entropy"):
            value, grads = super().loss_and_grads(X, y, loss=loss)
            del grads["b1"]
            return value, grads

    class Transposed(MLP):
        def loss_and_grads(self, X, y, loss="softmax_cross_entropy"):
            value, grads = super().loss_and_grads(X, y, loss=loss)
            grads["W1"] = grads["W1"].T
            return value, grads

    with pytest.raises(ValueError, match=r"check_gradients: loss_and_grads returned no gradient for 'b1'"):
        check_gradients(Missing([3, 4, 3]), X, y)
    with pytest.raises(ValueError, match=r"check_gradients: gradient W1 has shape \(3, 4\), parameter has \(4, 3\)"):
        check_gradients(Transposed([3, 4, 3]), X, y)
    report = check_gradients(MLP([3, 4, 3]), X, y)
    with pytest.raises(KeyError, match="no parameter 'W9'"):
        report["W9"]
