"""Every diagnosis code of helpers.feedback.checks / helpers.feedback.diagnose: the code, and a message that names the mistake."""
import math

import numpy as np
import pytest

from helpers.feedback.checks import CheckFailed, call, check_array, check_dtype, check_probabilities, check_scalar
from helpers.feedback.diagnose import MESSAGES, describe_inputs, explain_factor

EXPECTED = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -3.0]])


def _failure(fn, *args, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value


def test_check_failed_has_code_and_check_defaults():
    e = CheckFailed("plain message")
    assert (str(e), e.code, e.check, e.error) == ("plain message", "mismatch", None, None)
    e = CheckFailed("sgd_update(lr=0.1): params['W'] moved *with* the gradient", code="uphill")
    assert (e.code, e.check) == ("uphill", "sgd_update(lr=0.1)"), "a test cell's own label names the check"
    e = _failure(check_array, EXPECTED + [[0, 0, 1], [0, 0, 0]], EXPECTED, "Z on a (2, 3) batch")
    assert (e.code, e.check) == ("mismatch", "Z on a (2, 3) batch")


def test_if_on_an_array():
    def relu(z):
        if z > 0:
            return z
        return 0 * z
    e = _failure(call, relu, np.array([-1.0, 2.0]))
    assert e.code == "if_on_array"
    assert "use np.maximum / np.where (elementwise), not `if`, on arrays" in str(e)
    assert isinstance(e.error, ValueError), "the student's own exception is kept for the display"


def test_misaligned_matmul_names_both_shapes_and_the_operand_to_transpose():
    def dense(X, W, b):
        return X @ W + b
    e = _failure(call, dense, np.ones((4, 3)), np.ones((2, 3)), np.ones(2))
    assert e.code == "matmul_shapes"
    assert "(4, 3) @ (2, 3) does not line up" in str(e) and "Transpose the RIGHT operand: (4, 3) @ (3, 2)" in str(e)

    def backward(dZ, cache):
        X, W = cache
        return dZ @ X            # (4, 2) @ (4, 3): dZ.T @ X was meant
    e = _failure(call, backward, np.ones((4, 2)), (np.ones((4, 3)), np.ones((2, 3))))
    assert e.code == "matmul_shapes" and "Transpose the LEFT operand: (2, 4) @ (4, 3)" in str(e), str(e)

    def dotted(X, W):
        return np.dot(X, W)
    e = _failure(call, dotted, np.ones((4, 3)), np.ones((2, 3)))
    assert e.code == "matmul_shapes" and "(4, 3) @ (2, 3)" in str(e)


@pytest.mark.parametrize("factor, sizes, code, words", [
    (3.0, {"D": 3}, "factor_D", "3 times (= D, the number of columns) too large"),
    (1 / 4, {"C": 4}, "factor_1_over_C", "C = 4 times (the number of classes) too small"),
    (1 / math.log(2), {}, "log2", "you used np.log2"),
    (math.log10(math.e), {}, "log10", "np.log10"),
    (100.0, {}, "percent", "percentage"),
    (-1.0, {}, "sign", "wrong sign"),
    (2.0, {}, "factor_2", "h vs 2h"),
])
def test_constant_factors(factor, sizes, code, words):
    e = _failure(check_array, EXPECTED * factor, EXPECTED, "loss", sizes=sizes)
    assert e.code == code and words in str(e), str(e)
    e = _failure(check_scalar, 1.25 * factor, 1.25, "loss", sizes=sizes)
    assert e.code == code and words in str(e), str(e)


def test_factor_of_n_beats_other_sizes():
    assert explain_factor(8.0, batch_size=8, sizes={"D": 8})[0] == "factor_N"


def test_negative_cross_entropy():
    e = _failure(check_scalar, -0.3, 1.1, "cross_entropy", nonnegative=True)
    assert e.code == "negative_loss" and "never negative" in str(e)
    assert _failure(check_scalar, -1.1, 1.1, "ce", nonnegative=True).code == "sign"


def test_loss_capped_by_clipping():
    e = _failure(check_scalar, 16.1, 27.6, "bce with confident mistakes", capped=True)
    assert e.code == "clip_capped" and "caps it" in str(e)
    assert _failure(check_scalar, 30.0, 27.6, "bce", capped=True).code == "mismatch"


def test_divide_by_zero_in_log_names_the_input_and_the_fix():
    def bce(p, y):
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    e = _failure(call, bce, np.array([1.0, 0.0], dtype=np.float32), np.array([1.0, 0.0], dtype=np.float32))
    assert e.code == "log_zero"
    assert "divide by zero encountered in log" in str(e) and "clip the probabilities into [eps, 1 - eps]" in str(e)
    assert "float32 values up to 1" in str(e), str(e)


def test_overflow_warning_says_which_input():
    def naive(z):
        return 1 / (1 + np.exp(-z))
    e = _failure(call, naive, np.array([-1e4, 1e4], dtype=np.float32))
    assert e.code == "overflow" and "float32 values up to +-1e4" in str(e), str(e)
    e = _failure(call, naive, np.array([-800.0, 2.0]))
    assert "float64 values up to 800" in str(e)


def test_invalid_value_warning():
    def bad(z):
        e = np.exp(-z)
        return e / (1 + e) ** 2
    e = _failure(call, bad, np.array([-1e4]))
    assert e.code in ("overflow", "invalid_value")


def test_describe_inputs_looks_into_tuples_and_dicts():
    text = describe_inputs([np.ones(2, np.float32), (np.full(3, 5e4),), {"W": np.zeros(1)}])
    assert text == "the float32 values up to 1 and float64 values up to +-1e4 and float64 value up to 0"


def test_var_instead_of_mse_is_named():
    y_pred, y = np.array([1.0, 2.0, 4.0]), np.array([0.0, 0.0, 0.0])
    e = _failure(check_scalar, np.var(y_pred - y), np.mean((y_pred - y) ** 2), "mse",
                 mistakes={"var_not_mse": np.var(y_pred - y)})
    assert e.code == "var_not_mse" and "np.var" in str(e)


def test_h_vs_2h_is_not_the_square_hint():
    grad = np.array([0.3, 1.2])
    e = _failure(check_array, 2 * grad, grad, "numerical_gradient", mistakes={"h_vs_2h": 2 * grad})
    assert e.code == "h_vs_2h" and "divide by 2 * h" in str(e) and "square" not in str(e)


def test_every_named_mistake_has_a_message():
    for code, text in MESSAGES.items():
        assert text and text[0].islower() or text[0] == "p", code
        e = _failure(check_array, np.ones(2) * 7, np.ones(2), "x", mistakes={code: np.ones(2) * 7})
        assert e.code == code and str(e) == f"x: {text}"


def test_other_exception_codes():
    assert _failure(call, lambda y: np.ones((2, 2))[y], np.array([0.5, 1.0])).code == "float_index"
    assert _failure(call, lambda a: a + np.ones(3), np.ones(2)).code == "broadcast"
    assert _failure(call, lambda a: undefined_name, np.ones(2)).code == "name_error"  # noqa: F821
    assert _failure(call, lambda a: {}["x"], np.ones(2)).code == "exception"


def test_codes_of_the_basic_checks():
    assert _failure(check_array, None, EXPECTED).code == "no_return"
    assert _failure(check_array, EXPECTED.T, EXPECTED).code == "transpose"
    assert _failure(check_array, EXPECTED.reshape(3, 2) * 0 + 9, EXPECTED).code == "wrong_shape"
    assert _failure(check_array, EXPECTED + 1, EXPECTED).code == "offset"
    assert _failure(check_scalar, np.ones(3), 1.0).code == "not_scalar"
    assert _failure(check_probabilities, np.array([[0.5, 0.9]])).code == "wrong_axis"
    assert _failure(check_dtype, np.zeros(2), np.float32).code == "dtype"

    def todo():
        raise NotImplementedError
    assert _failure(call, todo).code == "not_written"

    def mutate(z):
        z += 1
        return z
    assert _failure(call, mutate, np.zeros(2)).code == "in_place"
