"""Tests for helpers.activations: values, derivatives, dtypes, stability, bad input."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.activations import (ACTIVATIONS, identity, identity_grad, log_softmax, relu, relu_grad,
                                 sigmoid, sigmoid_grad, softmax, tanh, tanh_grad)

ELEMENTWISE = [relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad, identity, identity_grad]
ALL = ELEMENTWISE + [softmax, log_softmax]
QUICK = settings(derandomize=True, max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])  # `strict` is stateless


def _away_from_kink(z, margin=1e-3):
    """Push entries with |z| < margin out to +-margin (relu has a kink at 0)."""
    return np.where(np.abs(z) < margin, np.copysign(margin, z) * 2, z)


# --------------------------------------------------------------------------- known values
def test_relu_and_its_derivative_on_known_values():
    z = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.5])
    np.testing.assert_array_equal(relu(z), [0, 0, 0, 1e-9, 3.5])
    np.testing.assert_array_equal(relu_grad(z), [0, 0, 0, 1, 1])  # 0 at the kink, as documented


def test_sigmoid_matches_the_tanh_identity():
    # sigmoid(z) = (1 + tanh(z / 2)) / 2, an independent formula (no exp at all)
    z = np.linspace(-20, 20, 801)
    np.testing.assert_allclose(sigmoid(z), 0.5 * (1 + np.tanh(z / 2)), rtol=1e-12, atol=1e-15,
                               err_msg="sigmoid vs 0.5*(1+tanh(z/2))")


def test_sigmoid_keeps_full_relative_precision_for_very_negative_inputs():
    z = np.array([-30.0, -100.0, -500.0, -700.0])
    expected = [math.exp(v) / (1 + math.exp(v)) for v in z]
    np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-12, err_msg="sigmoid for z << 0")
    assert sigmoid(np.array([0.0]))[0] == 0.5


def test_tanh_matches_its_definition():
    z = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(tanh(z), (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)), rtol=1e-12)


def test_derivative_formulas_on_known_values():
    np.testing.assert_allclose(sigmoid_grad(np.array([0.0])), [0.25], rtol=0, atol=1e-16)
    np.testing.assert_allclose(tanh_grad(np.array([0.0, 1.0])), [1.0, 1 - math.tanh(1.0) ** 2], rtol=1e-14)
    np.testing.assert_array_equal(identity_grad(np.array([[-3.0, 0.0, 7.0]])), [[1, 1, 1]])


def test_identity_returns_a_copy_not_the_input():
    z = np.array([1.0, -2.0])
    out = identity(z)
    np.testing.assert_array_equal(out, z)
    out[0] = 99.0
    assert z[0] == 1.0, "identity returned its input: writing to the result changed z"


def test_softmax_on_known_values_and_row_by_row():
    np.testing.assert_allclose(softmax(np.array([0.0, math.log(2.0)])), [1 / 3, 2 / 3], rtol=1e-14)
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 5.0, 2.0]])
    rows = np.stack([np.exp(r) / np.exp(r).sum() for r in Z])  # the textbook formula, one row at a time
    np.testing.assert_allclose(softmax(Z), rows, rtol=1e-14, err_msg="softmax must act on each row (axis=-1)")


def test_log_softmax_equals_log_of_softmax_and_is_exact_in_the_tails():
    Z = np.random.default_rng(0).normal(0, 3, size=(5, 4))
    np.testing.assert_allclose(log_softmax(Z), np.log(softmax(Z)), rtol=1e-12, atol=1e-14)
    # where softmax underflows to 0, log_softmax still gives the exact value
    np.testing.assert_array_equal(log_softmax(np.array([0.0, -1e4])), [0.0, -1e4])


def test_activation_table_pairs_each_function_with_its_derivative():
    assert set(ACTIVATIONS) == {"relu", "sigmoid", "tanh", "identity"}
    assert ACTIVATIONS["relu"] == (relu, relu_grad)
    assert ACTIVATIONS["sigmoid"] == (sigmoid, sigmoid_grad)
    assert ACTIVATIONS["tanh"] == (tanh, tanh_grad)
    assert ACTIVATIONS["identity"] == (identity, identity_grad)


# --------------------------------------------------------------------------- derivatives
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shape", [(1,), (1, 5), (4, 3), (2, 3, 2)])
@pytest.mark.parametrize("seed", [0, 1])
def test_derivative_matches_numerical_gradient(name, shape, seed, assert_grad_close):
    f, f_grad = ACTIVATIONS[name]
    rng = np.random.default_rng(seed)
    z = _away_from_kink(rng.uniform(-3, 3, size=shape))
    w = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1, 1], size=shape)  # upstream weights
    # d/dz_i sum_j w_j f(z_j) = w_i f'(z_i)
    assert_grad_close(w * f_grad(z), lambda x: np.sum(w * f(x)), z, f"{name}_grad {shape} seed={seed}")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_and_log_softmax_jacobians_match_numerical_gradient(seed, assert_grad_close):
    rng = np.random.default_rng(seed)
    Z = rng.normal(0, 2, size=(3, 4))
    w = rng.normal(size=(3, 4))
    p = softmax(Z)
    # J^T w for softmax: p * (w - sum(p w)); for log_softmax: w - p * sum(w)
    assert_grad_close(p * (w - (p * w).sum(axis=1, keepdims=True)), lambda x: np.sum(w * softmax(x)), Z,
                      "softmax Jacobian")
    assert_grad_close(w - p * w.sum(axis=1, keepdims=True), lambda x: np.sum(w * log_softmax(x)), Z,
                      "log_softmax Jacobian")


# --------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_are_kept(f, dtype):
    z = np.array([[-1.5, 0.25, 2.0], [0.5, -0.75, 3.0]], dtype=dtype)
    out = f(z)
    assert out.dtype == dtype, f"{f.__name__}: {np.dtype(dtype)} in, {out.dtype} out"
    assert out.shape == z.shape


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
def test_integer_input_becomes_float64(f):
    out = f(np.array([[-2, 0, 3]]))
    assert out.dtype == np.float64, f"{f.__name__}: int in, {out.dtype} out"


@pytest.mark.parametrize("f", [sigmoid, softmax, log_softmax, tanh], ids=lambda f: f.__name__)
def test_float32_results_agree_with_float64(f):
    z = np.random.default_rng(3).normal(0, 4, size=(4, 5))
    np.testing.assert_allclose(f(z.astype(np.float32)), f(z), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- properties
finite_logits = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6),
                           elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False))


@QUICK
@given(finite_logits)
def test_softmax_rows_are_probabilities_summing_to_one(z):
    p = softmax(z)
    assert np.all((p >= 0) & (p <= 1)), f"softmax out of [0, 1]: {p}"
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12, err_msg=f"softmax row sums for z={z}")


@QUICK
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)),
                  elements=st.floats(-100, 100, allow_nan=False)),
       st.floats(-1000, 1000, allow_nan=False))
def test_softmax_is_shift_invariant(z, c):
    np.testing.assert_allclose(softmax(z + c), softmax(z), rtol=1e-9, atol=1e-12,
                               err_msg=f"softmax(z + {c}) != softmax(z)")
    np.testing.assert_allclose(log_softmax(z + c), log_softmax(z), rtol=1e-9, atol=1e-9)


@QUICK
@given(z=finite_logits)
def test_stable_at_extreme_inputs_without_any_warning(z, strict):
    with strict():
        s, t, p, lp = sigmoid(z), tanh(z), softmax(z), log_softmax(z)
        sg, tg = sigmoid_grad(z), tanh_grad(z)
    for name, out in [("sigmoid", s), ("tanh", t), ("softmax", p), ("log_softmax", lp),
                      ("sigmoid_grad", sg), ("tanh_grad", tg)]:
        assert np.isfinite(out).all(), f"{name} gave non-finite values for z={z}: {out}"
    assert np.all((s >= 0) & (s <= 1)) and np.all(np.abs(t) <= 1) and np.all(lp <= 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exact_limits_at_plus_minus_1e4(dtype, strict):
    z = np.array([-1e4, 1e4], dtype=dtype)
    with strict():
        np.testing.assert_array_equal(sigmoid(z), [0.0, 1.0])
        np.testing.assert_array_equal(tanh(z), [-1.0, 1.0])
        np.testing.assert_array_equal(softmax(z), [0.0, 1.0])
        np.testing.assert_array_equal(log_softmax(z), [-2e4, 0.0])
        np.testing.assert_array_equal(sigmoid_grad(z), [0.0, 0.0])
        np.testing.assert_array_equal(softmax(np.array([[1e4, 1e4]], dtype=dtype)), [[0.5, 0.5]])


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
def test_nan_input_is_rejected_with_the_argument_named(f):
    with pytest.raises(ValueError, match=r"z contains NaN or inf \(first at index \(1,\)"):
        f(np.array([0.0, np.nan, 1.0]))


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad", [None, np.array(["a", "b"]), np.array([1 + 2j])], ids=["None", "str", "complex"])
def test_non_numeric_input_is_a_type_error(f, bad):
    with pytest.raises(TypeError, match=rf"{f.__name__}: z must be"):
        f(bad)


@pytest.mark.parametrize("f", [softmax, log_softmax], ids=lambda f: f.__name__)
def test_softmax_of_a_scalar_is_rejected(f):
    with pytest.raises(ValueError, match=rf"{f.__name__}: z must have at least 1 dimension"):
        f(3.0)
