"""Tests for helpers.losses: hand-computed values, gradients, properties, stability, bad input."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.activations import sigmoid, softmax
from helpers.losses import (LOSSES, binary_cross_entropy, cross_entropy, mse, mse_grad,
                            sigmoid_binary_cross_entropy, softmax_cross_entropy)

QUICK = settings(derandomize=True, max_examples=50, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])  # `strict` is stateless


def _onehot(labels, c):
    out = np.zeros((len(labels), c))
    out[np.arange(len(labels)), labels] = 1.0
    return out


# --------------------------------------------------------------------------- hand-computed values
def test_mse_on_a_hand_computed_case():
    y_pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.0, 2.0], [5.0, 1.0]])
    # differences 1, 0, -2, 3 -> squares 1, 0, 4, 9 -> mean over all 4 elements = 3.5
    assert mse(y_pred, y) == pytest.approx(3.5, abs=1e-15)
    # dL/dy_pred = 2 (y_pred - y) / 4
    np.testing.assert_allclose(mse_grad(y_pred, y), [[0.5, 0.0], [-1.0, 1.5]], rtol=1e-15)


def test_cross_entropy_on_a_hand_computed_case_with_labels_and_one_hot():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    assert cross_entropy(probs, np.array([0, 2])) == pytest.approx(expected, rel=1e-14)
    assert cross_entropy(probs, _onehot([0, 2], 3)) == pytest.approx(expected, rel=1e-14)


def test_binary_cross_entropy_on_a_hand_computed_case():
    p = np.array([0.9, 0.2, 0.6])
    y = np.array([1.0, 0.0, 0.0])
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4)) / 3
    assert binary_cross_entropy(p, y) == pytest.approx(expected, rel=1e-14)
    assert binary_cross_entropy(p.reshape(-1, 1), y.reshape(-1, 1)) == pytest.approx(expected, rel=1e-14)


def test_softmax_cross_entropy_of_equal_logits_is_log_c():
    for c in (2, 3, 10):
        loss, d = softmax_cross_entropy(np.zeros((4, c)), np.arange(4) % c)
        assert loss == pytest.approx(math.log(c), rel=1e-14), f"C={c}"
        np.testing.assert_allclose(d.sum(axis=1), 0.0, atol=1e-16, err_msg="each row of dlogits sums to 0")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("one_hot", [False, True], ids=["labels", "one-hot"])
def test_softmax_cross_entropy_equals_cross_entropy_of_softmax(seed, one_hot):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    y = _onehot(labels, 4) if one_hot else labels
    loss, dlogits = softmax_cross_entropy(logits, y)
    assert loss == pytest.approx(cross_entropy(softmax(logits), y), rel=1e-12)
    np.testing.assert_allclose(dlogits, (softmax(logits) - _onehot(labels, 4)) / 6, rtol=1e-12, atol=1e-17,
                               err_msg="dlogits should be (softmax(z) - Y) / N")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(7,), (7, 1)])
def test_sigmoid_bce_equals_bce_of_sigmoid(seed, shape):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 3, size=shape)
    y = rng.integers(0, 2, size=shape).astype(float)
    loss, dz = sigmoid_binary_cross_entropy(z, y)
    assert loss == pytest.approx(binary_cross_entropy(sigmoid(z), y), rel=1e-12)
    np.testing.assert_allclose(dz, (sigmoid(z) - y) / 7, rtol=1e-12, atol=1e-17)


def test_losses_return_python_floats():
    z = np.array([[0.5, -0.5]])
    for value in (mse(z, z * 0), cross_entropy(softmax(z), [0]), binary_cross_entropy(np.array([0.3]), [1.0]),
                  softmax_cross_entropy(z, [1])[0], sigmoid_binary_cross_entropy(z[0], np.array([1.0, 0.0]))[0]):
        assert type(value) is float, type(value)


def test_loss_table_gives_loss_and_dlogits():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    value, grad = LOSSES["mse"](z, y)
    assert value == pytest.approx(mse(z, y), rel=1e-15)
    np.testing.assert_allclose(grad, mse_grad(z, y), rtol=1e-15)
    assert LOSSES["softmax_cross_entropy"] is softmax_cross_entropy
    assert LOSSES["sigmoid_binary_cross_entropy"] is sigmoid_binary_cross_entropy


# --------------------------------------------------------------------------- gradients
SHAPES = [(1, 1), (1, 3), (4, 3), (8, 5)]


@pytest.mark.parametrize("shape", SHAPES + [(1,), (6,)])
@pytest.mark.parametrize("seed", [0, 1])
def test_mse_grad_matches_numerical_gradient(shape, seed, assert_grad_close):
    rng = np.random.default_rng(seed)
    y_pred, y = rng.normal(size=shape), rng.normal(size=shape)
    assert_grad_close(mse_grad(y_pred, y), lambda p: mse(p, y), y_pred, f"mse_grad {shape}")
    assert_grad_close(LOSSES["mse"](y_pred, y)[1], lambda p: mse(p, y), y_pred, f"LOSSES['mse'] {shape}")


@pytest.mark.parametrize("shape", SHAPES + [(3, 2)])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("one_hot", [False, True], ids=["labels", "one-hot"])
def test_softmax_cross_entropy_dlogits_match_numerical_gradient(shape, seed, one_hot, assert_grad_close):
    n, c = shape
    if c < 2:
        c = 2
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, size=(n, c))
    labels = rng.integers(0, c, size=n)
    y = _onehot(labels, c) if one_hot else labels
    _, dlogits = softmax_cross_entropy(logits, y)
    assert_grad_close(dlogits, lambda z: softmax_cross_entropy(z, y)[0], logits,
                      f"softmax_cross_entropy dlogits ({n}, {c}) {'one-hot' if one_hot else 'labels'}")


@pytest.mark.parametrize("shape", SHAPES + [(1,), (5,)])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_sigmoid_bce_dlogits_match_numerical_gradient(shape, seed, soft, assert_grad_close):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 2, size=shape)
    y = rng.uniform(0, 1, size=shape) if soft else rng.integers(0, 2, size=shape).astype(float)
    _, dz = sigmoid_binary_cross_entropy(z, y)
    assert_grad_close(dz, lambda v: sigmoid_binary_cross_entropy(v, y)[0], z, f"sigmoid_bce dlogits {shape}")


# --------------------------------------------------------------------------- properties
pairs = st.tuples(st.integers(1, 5), st.integers(1, 4)).flatmap(
    lambda s: st.tuples(*[hnp.arrays(np.float64, s, elements=st.floats(-50, 50)) for _ in range(2)]))
logits_2d = st.tuples(st.integers(1, 5), st.integers(2, 5)).flatmap(
    lambda s: hnp.arrays(np.float64, s, elements=st.floats(-30, 30)))


@QUICK
@given(pairs)
def test_mse_is_non_negative_and_zero_only_at_a_perfect_prediction(pair):
    y_pred, y = pair
    assert mse(y_pred, y) >= 0
    assert mse(y, y) == 0.0
    np.testing.assert_array_equal(mse_grad(y, y), np.zeros_like(y))


@QUICK
@given(logits_2d, st.randoms(use_true_random=False))
def test_cross_entropies_are_non_negative_and_zero_at_a_perfect_prediction(z, random):
    n, c = z.shape
    labels = np.array([random.randrange(c) for _ in range(n)])
    Y = _onehot(labels, c)
    assert cross_entropy(softmax(z), labels) >= 0
    assert softmax_cross_entropy(z, labels)[0] >= 0
    assert cross_entropy(Y, labels) == 0.0, "probabilities equal to the one-hot targets give loss 0"
    assert cross_entropy(Y, Y) == 0.0
    # with labels as 0/1 probabilities BCE is at its minimum (0 up to the 1e-12 clipping)
    assert 0 <= binary_cross_entropy(Y, Y) < 1e-11


@QUICK
@given(logits_2d)
def test_softmax_cross_entropy_is_minimal_when_softmax_equals_the_targets(z):
    q = softmax(z)  # soft targets that the logits z predict exactly
    loss, dlogits = softmax_cross_entropy(z, q)
    entropy = -np.sum(q * np.log(np.clip(q, 1e-300, 1))) / len(q)
    assert loss == pytest.approx(entropy, rel=1e-9, abs=1e-12), "CE(q, softmax(z)) = H(q) at the optimum"
    np.testing.assert_allclose(dlogits, 0.0, atol=1e-15, err_msg="the gradient vanishes at the minimum")
    other = softmax_cross_entropy(z + np.linspace(0, 1, z.shape[1]), q)[0]
    assert other >= loss - 1e-12, "moving the logits away cannot lower the loss below H(q)"


@QUICK
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-30, 30)))
def test_sigmoid_bce_is_non_negative_and_minimal_at_sigmoid_targets(z):
    for y in (np.zeros_like(z), np.ones_like(z), (z > 0).astype(float)):
        assert sigmoid_binary_cross_entropy(z, y)[0] >= 0
    _, dz = sigmoid_binary_cross_entropy(z, sigmoid(z))
    np.testing.assert_allclose(dz, 0.0, atol=1e-16, err_msg="the gradient vanishes when y = sigmoid(z)")


extreme = st.tuples(st.integers(1, 4), st.integers(2, 4)).flatmap(
    lambda s: hnp.arrays(np.float64, s, elements=st.sampled_from([-1e4, -1.0, 0.0, 1.0, 1e4])
                         | st.floats(-1e4, 1e4)))


@QUICK
@given(z=extreme)
def test_losses_from_logits_are_stable_at_plus_minus_1e4(z, strict):
    labels = np.arange(z.shape[0]) % z.shape[1]
    y01 = (np.arange(z.size).reshape(z.shape) % 2).astype(float)
    with strict():
        l1, d1 = softmax_cross_entropy(z, labels)
        l2, d2 = softmax_cross_entropy(z, _onehot(labels, z.shape[1]))
        l3, d3 = sigmoid_binary_cross_entropy(z, y01)
    for name, value, d in [("softmax_ce labels", l1, d1), ("softmax_ce one-hot", l2, d2), ("sigmoid_bce", l3, d3)]:
        assert math.isfinite(value) and value >= 0, f"{name}: loss {value} for z={z}"
        assert np.isfinite(d).all(), f"{name}: dlogits {d} for z={z}"
    assert l1 == pytest.approx(l2, rel=1e-12)


def test_extreme_logits_give_the_exact_losses(strict):
    with strict():
        assert softmax_cross_entropy(np.array([[1e4, -1e4]]), [1])[0] == 2e4
        assert softmax_cross_entropy(np.array([[1e4, -1e4]]), [0])[0] == 0.0
        loss, d = sigmoid_binary_cross_entropy(np.array([1e4, -1e4]), np.array([0.0, 1.0]))
    assert loss == 1e4
    np.testing.assert_array_equal(d, [0.5, -0.5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probability_losses_are_stable_at_probabilities_0_and_1(dtype, strict):
    p = np.array([[1, 0, 0], [0, 1, 0]], dtype=dtype)
    with strict():
        perfect = cross_entropy(p, [0, 1])
        wrong = cross_entropy(p, [2, 2])
        b_perfect = binary_cross_entropy(p, p)
        b_wrong = binary_cross_entropy(p, 1 - p)
    assert perfect == 0.0
    assert math.isfinite(wrong) and wrong > 20, "log(0) is clipped to a large finite loss"
    assert 0 <= b_perfect < 1e-11, f"BCE at p == y should be ~0, got {b_perfect} ({np.dtype(dtype)})"
    assert math.isfinite(b_wrong) and b_wrong > 20


def test_float32_logits_give_float32_dlogits():
    z = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    assert softmax_cross_entropy(z, [0, 1, 2, 0])[1].dtype == np.float32
    assert sigmoid_binary_cross_entropy(z, np.ones((4, 3), np.float32))[1].dtype == np.float32
    assert mse_grad(z, np.zeros((4, 3), np.float32)).dtype == np.float32


# --------------------------------------------------------------------------- bad input
def test_mse_refuses_n_vs_n1_which_would_broadcast_to_n_by_n():
    with pytest.raises(ValueError, match=r"mse: y_pred has shape \(4,\) but y has shape \(4, 1\)"):
        mse(np.zeros(4), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"mse_grad: y_pred has shape \(4, 1\) but y has shape \(4,\)"):
        mse_grad(np.zeros((4, 1)), np.zeros(4))


@pytest.mark.parametrize("fn,arg", [(mse, "y_pred"), (mse_grad, "y_pred"), (binary_cross_entropy, "p"),
                                    (sigmoid_binary_cross_entropy, "logits")], ids=lambda f: getattr(f, "__name__", f))
def test_mismatched_batch_sizes_in_paired_losses(fn, arg):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: {arg} has shape \(3,\) but y has shape \(4,\)"):
        fn(np.full(3, 0.5), np.zeros(4))


@pytest.mark.parametrize("fn", [cross_entropy, lambda p, y: softmax_cross_entropy(p, y)[0]],
                         ids=["cross_entropy", "softmax_cross_entropy"])
def test_mismatched_batch_sizes_and_out_of_range_labels(fn):
    p = np.full((4, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"y has 3 labels but the batch has N=4 rows"):
        fn(p, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"one-hot y must have shape \(N, C\) == \(4, 3\), got \(4, 2\)"):
        fn(p, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"got \(4, 1\) \(for integer labels pass a 1-D array: y.ravel\(\)\)"):
        fn(p, np.array([[0], [1], [2], [1]]))
    with pytest.raises(ValueError, match=r"label 3 in y is out of range; expected labels in 0\.\.2 for C=3"):
        fn(p, np.array([0, 3, 1, 2]))
    with pytest.raises(ValueError, match=r"label -1 in y is out of range"):
        fn(p, np.array([0, -1, 1, 2]))
    with pytest.raises(TypeError, match=r"integer labels y must have an integer dtype, got float64"):
        fn(p, np.array([0, 1.5, 1, 2]))
    with pytest.raises(ValueError, match=r"y contains NaN or inf"):
        fn(p, np.array([0, np.inf, 1, 2]))
    with pytest.raises(ValueError, match=r"y contains NaN or inf"):
        fn(p, np.array([0, np.nan, 1, 2]))
    # whole-number floats are fine
    assert fn(p, np.array([0.0, 1.0, 2.0, 1.0])) == fn(p, np.array([0, 1, 2, 1]))


def test_nan_inputs_are_rejected_naming_the_argument():
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: logits contains NaN or inf \(first at index \(1, 0\)"):
        softmax_cross_entropy(np.array([[0.0, 1.0], [np.nan, 0.0]]), [0, 1])
    with pytest.raises(ValueError, match=r"mse: y contains NaN or inf"):
        mse(np.zeros(2), np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=r"mse: y_pred contains NaN or inf"):
        mse(np.array([np.inf, 0.0]), np.zeros(2))
    with pytest.raises(ValueError, match=r"sigmoid_binary_cross_entropy: logits contains NaN"):
        sigmoid_binary_cross_entropy(np.array([np.nan]), np.array([1.0]))
    with pytest.raises(ValueError, match=r"cross_entropy: probs contains NaN"):
        cross_entropy(np.array([[np.nan, 1.0]]), [0])


def test_probabilities_outside_0_1_are_rejected_with_a_hint():
    with pytest.raises(ValueError, match=r"cross_entropy: probs must be probabilities in \[0, 1\], got values in "
                                         r"\[-0\.1, 1\.1\]; for raw scores use softmax_cross_entropy"):
        cross_entropy(np.array([[-0.1, 1.1]]), [1])
    with pytest.raises(ValueError, match=r"binary_cross_entropy: p must be probabilities in \[0, 1\], got values in "
                                         r"\[0\.2, 3\]; for raw scores use sigmoid_binary_cross_entropy"):
        binary_cross_entropy(np.array([0.2, 3.0]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: y must be in \[0, 1\], got values in \[0\.0, 2\.0\]"):
        binary_cross_entropy(np.array([0.2, 0.3]), np.array([2.0, 0.0]))
    with pytest.raises(ValueError, match=r"sigmoid_binary_cross_entropy: y must be in \[0, 1\], got values in \[-1"):
        sigmoid_binary_cross_entropy(np.array([0.2, 0.3]), np.array([-1.0, 0.0]))


def test_wrong_dimensions_are_rejected():
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: logits must be 2-D \(N, C\), got shape \(3,\)"):
        softmax_cross_entropy(np.zeros(3), [0])
    with pytest.raises(ValueError, match=r"cross_entropy: probs must be 2-D \(N, C\), got shape \(3,\)"):
        cross_entropy(np.full(3, 1 / 3), [0])
    with pytest.raises(ValueError, match=r"y must be labels \(N,\) or one-hot \(N, C\), got shape \(2, 2, 1\)"):
        softmax_cross_entropy(np.zeros((2, 2)), np.zeros((2, 2, 1)))
    with pytest.raises(ValueError, match=r"mse: y_pred is empty"):
        mse(np.zeros(0), np.zeros(0))
    with pytest.raises(TypeError, match=r"y must be integer labels \(N,\) or one-hot \(N, C\), got None"):
        softmax_cross_entropy(np.zeros((2, 2)), None)
