"""Tests for helpers.feedback.checks: every diagnosis a student can get, and silence for right answers."""
import re

import numpy as np
import pytest

from helpers.activations import sigmoid
from helpers.feedback.checks import (CheckFailed, call, check_array, check_dtype, check_gradient, check_probabilities,
                            check_scalar, passed)

EXPECTED = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -3.0]])  # (2, 3): not square, no zeros


def _message(fn, *args, **kwargs):
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


# --------------------------------------------------------------------------- right answers
def test_right_answers_pass_silently(capfd):
    assert check_array(EXPECTED.copy(), EXPECTED, "Z") is None
    assert check_array(EXPECTED.tolist(), EXPECTED, "Z") is None, "lists of numbers are fine"
    assert check_array(EXPECTED.astype(np.float32), EXPECTED, "Z") is None
    assert check_scalar(np.float64(1.25), 1.25, "loss") is None
    assert check_scalar(np.array([[1.25]]), 1.25, "loss") is None
    assert check_probabilities(np.array([[0.2, 0.8], [1.0, 0.0]]), "p") is None
    x = np.array([0.3, -1.2, 2.0])
    assert check_gradient(2 * x, lambda v: float(np.sum(v ** 2)), x, "grad") is None
    assert check_dtype(np.zeros(2, np.float32), np.float32, "A") is None
    assert call(np.add, np.ones(2), np.ones(2)).tolist() == [2.0, 2.0]
    out, err = capfd.readouterr()
    assert (out, err) == ("", ""), f"right answers should print nothing, got {out!r} {err!r}"


def test_passed_prints_one_kind_line(capsys):
    passed("sigmoid")
    assert capsys.readouterr() == ("\u2714 sigmoid: every visible check passed \u2014 grading repeats them on "
                                   "new inputs\n", "")


# --------------------------------------------------------------------------- check_array diagnoses
def test_forgotten_return():
    msg = _message(check_array, None, EXPECTED, "dense_forward")
    assert msg == "dense_forward: returned None -- did you forget the `return` statement?"
    assert "forget the `return` statement" in _message(check_scalar, None, 1.0, "mse")
    assert "forget the `return` statement" in _message(check_probabilities, None, "softmax")
    assert "forget the `return` statement" in _message(check_gradient, None, np.sum, np.ones(2), "grad")


def test_tuple_instead_of_array():
    msg = _message(check_array, (EXPECTED, {}), EXPECTED, "dense_forward")
    assert "dense_forward: returned a tuple of 2 items, but an array was expected." == msg


def test_transposed_result():
    msg = _message(check_array, EXPECTED.T, EXPECTED, "Z")
    assert "shape (3, 2) but should be (2, 3): it is the transpose of the right answer" in msg
    assert "X @ W.T" in msg
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert "transpose of the right answer" in _message(check_array, square.T, square, "dW")


def test_right_numbers_in_the_wrong_shape():
    msg = _message(check_array, np.arange(4.0).reshape(4, 1), np.arange(4.0), "y_pred")
    assert "the numbers are right but the shape is (4, 1) instead of (4,)" in msg and "keepdims" in msg
    msg = _message(check_array, np.zeros(5), np.zeros(4), "y_pred")
    assert msg == "y_pred: expected an array of shape (4,), got shape (5,)."


def test_missing_one_over_n_is_recognised_with_the_batch_size():
    msg = _message(check_array, EXPECTED * 8, EXPECTED, "dW", batch_size=8)
    assert "8 times (= N, the batch size) too large" in msg and "divide by N" in msg
    msg = _message(check_array, EXPECTED / 8, EXPECTED, "dW", batch_size=8)
    assert "N = 8 times (the batch size) too small" in msg
    # without the batch size it is still a constant factor
    assert "off by the same factor 8" in _message(check_array, EXPECTED * 8, EXPECTED, "dW")


def test_wrong_sign_and_other_factors():
    assert "every value has the wrong sign" in _message(check_array, -EXPECTED, EXPECTED, "dZ")
    assert "off by a factor of 2" in _message(check_array, 2 * EXPECTED, EXPECTED, "grad")
    assert "off by a factor of 0.5" in _message(check_array, 0.5 * EXPECTED, EXPECTED, "grad")
    assert "all off by the same factor 3" in _message(check_array, 3 * EXPECTED, EXPECTED, "grad")


def test_constant_offset():
    msg = _message(check_array, EXPECTED + 0.5, EXPECTED, "Z")
    assert "every value is off by the same constant 0.5: check the bias term" in msg


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_nan_or_overflow(bad):
    got = EXPECTED.copy()
    got[1, 0] = bad
    msg = _message(check_array, got, EXPECTED, "sigmoid")
    assert f"contains {bad} at index (1, 0) where 1.5 was expected" in msg and "numerically stable" in msg


def test_plain_mismatch_names_the_worst_entry():
    got = EXPECTED.copy()
    got[1, 2] = -2.0
    got[0, 0] = 0.51
    msg = _message(check_array, got, EXPECTED, "Z")
    assert msg == ("Z: values differ at 2 of 6 entries; the largest difference is at index (1, 2): "
                   "expected -3, got -2.")


def test_non_numeric_answer(capfd):
    assert "returned str, but an array of numbers was expected" in _message(check_array, "abc", EXPECTED, "Z")
    msg = _message(check_array, EXPECTED + 0j, EXPECTED, "Z")
    assert msg == "Z: returned complex numbers, but an array of real numbers was expected."
    assert capfd.readouterr() == ("", ""), "no ComplexWarning may reach stderr"


# --------------------------------------------------------------------------- check_scalar
def test_check_scalar_diagnoses():
    assert "did you forget to average (np.mean) over the batch?" in _message(check_scalar, np.ones(4), 1.0, "mse")
    msg = _message(check_scalar, 12.0, 1.5, "loss", batch_size=8)
    assert "expected 1.5, got 12" in msg and "8 times (= N, the batch size) too large" in msg
    assert "wrong sign" in _message(check_scalar, -1.5, 1.5, "loss")
    assert "factor of 2" in _message(check_scalar, 3.0, 1.5, "loss")
    assert "returned nan where 1.5 was expected -- an overflow or log(0)?" in _message(check_scalar, np.nan, 1.5, "l")
    assert _message(check_scalar, 1.7, 1.5, "loss") == "loss: expected 1.5, got 1.7."
    assert "returned a tuple of 2 items, but a single number was expected" in _message(check_scalar, (1, 2), 1.0)


# --------------------------------------------------------------------------- check_probabilities
def test_check_probabilities_diagnoses():
    msg = _message(check_probabilities, np.array([[0.2, 0.8], [0.5, 1.0]]), "softmax")
    assert "each row should sum to 1, but row 1 sums to 1.5" in msg and "axis=-1, keepdims=True" in msg
    # normalising over the wrong axis: columns sum to 1, rows do not
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    wrong_axis = np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
    assert "each row should sum to 1" in _message(check_probabilities, wrong_axis, "softmax")
    assert "contains NaN or inf -- np.exp overflowed" in _message(check_probabilities, np.array([[np.nan, 1.0]]))
    assert "values must lie in [0, 1], got values in [-0.5, 1.5]" in _message(
        check_probabilities, np.array([[-0.5, 1.5]]))
    assert "returned a single number" in _message(check_probabilities, 1.0)
    assert check_probabilities(np.array([0.25, 0.75])) is None, "a single row (C,) is fine"


# --------------------------------------------------------------------------- check_gradient
def test_check_gradient_names_the_worst_entry():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    wrong = np.cos(x)
    wrong[1, 2] += 0.1
    msg = _message(check_gradient, wrong, lambda v: float(np.sum(np.sin(v))), x, "d sin")
    assert "fails the numerical gradient check: the worst entry is index (1, 2)" in msg
    assert f"your gradient is {wrong[1, 2]:.6g}" in msg and "tolerance 1e-06" in msg


def test_check_gradient_does_not_let_nan_pass():
    x = np.array([0.5, 1.0])
    msg = _message(check_gradient, np.array([np.nan, 2.0]), lambda v: float(np.sum(v ** 2)), x, "grad")
    assert "contains nan at index (0,)" in msg


def test_check_gradient_with_the_wrong_shape():
    x = np.array([[0.5, 1.0, 2.0]])
    msg = _message(check_gradient, (2 * x).T, lambda v: float(np.sum(v ** 2)), x, "dW")
    assert "transpose of the right answer" in msg


# --------------------------------------------------------------------------- check_dtype
def test_check_dtype():
    msg = _message(check_dtype, np.zeros(2), np.float32, "relu")
    assert msg.startswith("relu: for float32 input the result should stay float32, got float64")


# --------------------------------------------------------------------------- call
def test_call_turns_a_warning_into_feedback_without_writing_to_stderr(capfd):
    def naive_sigmoid(z):
        return 1 / (1 + np.exp(-z))

    with pytest.raises(CheckFailed) as info:
        call(naive_sigmoid, np.array([-1000.0, 0.0]))
    msg = str(info.value)
    assert msg.startswith("naive_sigmoid: your code emitted a RuntimeWarning: overflow encountered in exp.")
    assert "It came with the float64 values up to +-1e3." in msg, msg
    assert "numerically stable form" in msg
    out, err = capfd.readouterr()
    assert (out, err) == ("", ""), f"call must not let anything reach stdout/stderr: {out!r} {err!r}"
    np.testing.assert_array_equal(call(sigmoid, np.array([-1000.0, 0.0])), [0.0, 0.5])


def test_call_reports_an_unwritten_exercise_without_the_internal_traceback():
    def todo(x):
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as info:
        call(todo, np.zeros(2))
    assert str(info.value) == "todo: not written yet -- replace `raise NotImplementedError()` with your code."
    assert info.value.__suppress_context__, "the student should see our message, not a chained traceback"


def test_call_reports_an_exception_with_its_type():
    def broken(X, W):
        return X @ W

    msg = _message(call, broken, np.zeros((2, 3)), np.zeros((2, 3)), name="dense_forward")
    assert re.match(r"dense_forward raised ValueError: matmul: .*mismatch", msg), msg


def test_call_reports_in_place_mutation_of_an_input():
    def relu_in_place(z):
        z[z < 0] = 0
        return z

    z = np.array([-1.0, 2.0])
    msg = _message(call, relu_in_place, z)
    assert "relu_in_place: your function changed its input array #1 in place" in msg
    z2 = np.array([-1.0, 2.0])
    np.testing.assert_array_equal(call(relu_in_place, z2, allow_mutation=True), [0.0, 2.0])

    def second_arg(a, b):
        b -= 1
        return a

    assert "input array #2" in _message(call, second_arg, np.ones(2), np.ones(2))


def test_call_lets_a_check_failure_through_unchanged():
    def inner():
        raise CheckFailed("inner: specific message")

    assert _message(call, inner) == "inner: specific message"


def test_call_finds_arrays_changed_inside_containers():
    """A caches list of tuples and a params dict: an array changed in place inside them is reported by path."""
    caches = [(np.ones(2), np.ones((2, 2)))]
    params = {"W1": np.ones((2, 2)), "b1": np.zeros(2)}

    def scales_the_cache(dout, caches):
        W = caches[0][1]
        W *= 2
        return dout

    def decays_in_place(params, lam):
        params["W1"] -= lam
        return params

    with pytest.raises(CheckFailed) as e:
        call(scales_the_cache, np.ones(2), caches)
    assert e.value.code == "in_place" and "argument #2[0][1]" in str(e.value)
    with pytest.raises(CheckFailed) as e:
        call(decays_in_place, params, 0.1)
    assert e.value.code == "in_place" and "argument #1['W1']" in str(e.value)
    np.testing.assert_array_equal(call(decays_in_place, {"W1": np.ones(1)}, 0.5, mutable=(0,))["W1"], [0.5])
    assert call(lambda c: len(c), [(np.ones(2), "not an array")]) == 1   # unchanged containers pass
