"""Tests for helpers.layers: the dense and activation forward/backward pairs."""
import numpy as np
import pytest

from helpers.activations import ACTIVATIONS
from helpers.layers import activation_backward, activation_forward, dense_backward, dense_forward
from helpers.losses import mse

NAMES = sorted(ACTIVATIONS)
# (N, D_in, D_out), including a batch of one and single-unit layers
SHAPES = [(1, 1, 1), (1, 4, 3), (5, 3, 2), (6, 1, 4), (3, 5, 1)]


def _setup(shape, seed, dtype=np.float64):
    n, d_in, d_out = shape
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d_in)).astype(dtype)
    W = rng.normal(size=(d_out, d_in)).astype(dtype)
    b = rng.normal(size=d_out).astype(dtype)
    return rng, X, W, b


# --------------------------------------------------------------------------- dense forward
@pytest.mark.parametrize("shape", SHAPES)
def test_dense_forward_equals_the_per_sample_formula_w_x_plus_b(shape):
    _, X, W, b = _setup(shape, seed=1)
    Z, cache = dense_forward(X, W, b)
    loop = np.stack([W @ x + b for x in X])  # the lesson's single-example a = f(Wx + b)
    assert Z.shape == (shape[0], shape[2])
    np.testing.assert_allclose(Z, loop, rtol=1e-13, atol=1e-14, err_msg="Z vs per-sample W @ x + b")
    assert cache[0] is X and cache[1] is W, "the cache should hold exactly (X, W)"


def test_dense_forward_on_a_hand_computed_case():
    X = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0], [0.5, -1.0], [2.0, 3.0]])
    b = np.array([0.0, 1.0, -1.0])
    np.testing.assert_array_equal(dense_forward(X, W, b)[0], [[1.0, -0.5, 7.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_layer_keeps_the_dtype(dtype):
    _, X, W, b = _setup((4, 3, 2), 0, dtype)
    Z, cache = dense_forward(X, W, b)
    assert Z.dtype == dtype, f"dense_forward: {np.dtype(dtype)} in, {Z.dtype} out"
    grads = dense_backward(np.ones_like(Z), cache)
    assert [g.dtype for g in grads] == [dtype] * 3, f"dense_backward dtypes {[g.dtype for g in grads]}"


# --------------------------------------------------------------------------- dense backward
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dense_backward_matches_numerical_gradient(shape, seed, assert_grad_close):
    rng, X, W, b = _setup(shape, seed)
    dZ = rng.normal(size=(shape[0], shape[2]))  # upstream gradient of L = sum(dZ * Z)
    _, cache = dense_forward(X, W, b)
    dX, dW, db = dense_backward(dZ, cache)
    assert (dX.shape, dW.shape, db.shape) == (X.shape, W.shape, b.shape)
    assert_grad_close(dX, lambda x: np.sum(dZ * dense_forward(x, W, b)[0]), X, f"dX {shape}")
    assert_grad_close(dW, lambda w: np.sum(dZ * dense_forward(X, w, b)[0]), W, f"dW {shape}")
    assert_grad_close(db, lambda v: np.sum(dZ * dense_forward(X, W, v)[0]), b, f"db {shape}")


def test_dense_backward_equals_a_sum_of_per_sample_outer_products():
    rng, X, W, b = _setup((4, 3, 2), 7)
    dZ = rng.normal(size=(4, 2))
    dX, dW, db = dense_backward(dZ, dense_forward(X, W, b)[1])
    np.testing.assert_allclose(dW, sum(np.outer(dz, x) for dz, x in zip(dZ, X)), rtol=1e-13)
    np.testing.assert_allclose(db, sum(dZ), rtol=1e-13)
    np.testing.assert_allclose(dX, np.stack([W.T @ dz for dz in dZ]), rtol=1e-13)


def test_dense_backward_does_not_modify_its_inputs():
    rng, X, W, b = _setup((3, 2, 2), 0)
    dZ = rng.normal(size=(3, 2))
    copies = [a.copy() for a in (X, W, dZ)]
    dense_backward(dZ, dense_forward(X, W, b)[1])
    for name, a, c in zip(["X", "W", "dZ"], (X, W, dZ), copies):
        np.testing.assert_array_equal(a, c, err_msg=f"dense_backward changed {name}")


# --------------------------------------------------------------------------- activation layer
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (5, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_activation_backward_matches_numerical_gradient(name, shape, seed, assert_grad_close):
    rng = np.random.default_rng(seed)
    Z = rng.uniform(-3, 3, size=shape)
    Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)  # keep away from relu's kink
    dA = rng.normal(size=shape)
    A, cache = activation_forward(Z, name)
    np.testing.assert_array_equal(A, ACTIVATIONS[name][0](Z))
    dZ = activation_backward(dA, cache)
    np.testing.assert_allclose(dZ, dA * ACTIVATIONS[name][1](Z), rtol=1e-13, atol=1e-16)
    assert_grad_close(dZ, lambda z: np.sum(dA * activation_forward(z, name)[0]), Z, f"{name} backward {shape}")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_layer_keeps_the_dtype(name, dtype):
    Z = np.array([[-1.0, 0.5], [2.0, -0.25]], dtype=dtype)
    A, cache = activation_forward(Z, name)
    dZ = activation_backward(np.ones_like(Z), cache)
    assert (A.dtype, dZ.dtype) == (dtype, dtype), f"{name}: {np.dtype(dtype)} in, {A.dtype}/{dZ.dtype} out"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1])
def test_dense_activation_dense_mse_chain_matches_numerical_gradient(name, seed, assert_grad_close):
    """Backprop through a 2-layer net assembled by hand from the layers."""
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    W1, b1 = rng.normal(size=(5, 3)), rng.normal(size=5)
    W2, b2 = rng.normal(size=(2, 5)), rng.normal(size=2)

    def loss(W1=W1, b1=b1, W2=W2, b2=b2):
        H = activation_forward(dense_forward(X, W1, b1)[0], name)[0]
        return mse(dense_forward(H, W2, b2)[0], Y)

    Z1, c1 = dense_forward(X, W1, b1)
    assert np.abs(Z1).min() > 1e-3, "test data too close to relu's kink; pick another seed"
    H, ca = activation_forward(Z1, name)
    out, c2 = dense_forward(H, W2, b2)
    dout = 2 * (out - Y) / out.size
    dH, dW2, db2 = dense_backward(dout, c2)
    _, dW1, db1 = dense_backward(activation_backward(dH, ca), c1)
    for what, g, p in [("W1", dW1, W1), ("b1", db1, b1), ("W2", dW2, W2), ("b2", db2, b2)]:
        assert_grad_close(g, lambda v, what=what: loss(**{what: v}), p, f"{name} chain d{what}")


# --------------------------------------------------------------------------- bad input
def test_dense_forward_shape_errors_name_the_argument_and_both_shapes():
    X, W, b = np.zeros((5, 3)), np.zeros((2, 4)), np.zeros(2)
    with pytest.raises(ValueError, match=r"dense_forward: X has 3 features but W expects 4 \(W.shape == \(2, 4\)\); "
                                         r"W must have shape \(D_out, D_in\)"):
        dense_forward(X, W, b)
    with pytest.raises(ValueError, match=r"dense_forward: b must have shape \(D_out,\) == \(2,\), got \(1, 2\)"):
        dense_forward(np.zeros((5, 4)), W, np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"dense_forward: b must have shape \(D_out,\) == \(2,\), got \(4,\)"):
        dense_forward(np.zeros((5, 4)), W, np.zeros(4))
    with pytest.raises(ValueError, match=r"dense_forward: X must be 2-D with shape \(N, D_in\), got shape \(4,\) "
                                         r"\(for a single sample use x.reshape\(1, -1\)\)"):
        dense_forward(np.zeros(4), W, b)
    with pytest.raises(ValueError, match=r"dense_forward: W must be 2-D with shape \(D_out, D_in\), got shape \(4,\)"):
        dense_forward(np.zeros((5, 4)), np.zeros(4), b)
    with pytest.raises(ValueError, match=r"dense_forward: X contains NaN or inf \(first at index \(0, 1\)"):
        dense_forward(np.array([[0.0, np.nan, 0.0, 0.0]]), W, b)
    with pytest.raises(TypeError, match=r"dense_forward: W must be an array of numbers, got None"):
        dense_forward(np.zeros((5, 4)), None, b)


def test_dense_backward_rejects_a_wrong_upstream_gradient():
    _, cache = dense_forward(np.zeros((5, 4)), np.zeros((2, 4)), np.zeros(2))
    with pytest.raises(ValueError, match=r"dense_backward: dZ must have shape \(N, D_out\) == \(5, 2\), got \(5, 3\)"):
        dense_backward(np.zeros((5, 3)), cache)
    with pytest.raises(ValueError, match=r"dense_backward: dZ must have shape \(N, D_out\) == \(5, 2\), got \(2, 5\)"):
        dense_backward(np.zeros((2, 5)), cache)
    with pytest.raises(ValueError, match=r"dense_backward: dZ must be 2-D with shape \(N, D_out\), got shape \(2,\)"):
        dense_backward(np.zeros(2), cache)
    with pytest.raises(ValueError, match=r"dense_backward: dZ contains NaN"):
        dense_backward(np.full((5, 2), np.nan), cache)


def test_activation_layer_errors():
    with pytest.raises(ValueError, match=r"activation_forward: unknown activation 'softplus'; expected one of "
                                         r"\['identity', 'relu', 'sigmoid', 'tanh'\]"):
        activation_forward(np.zeros((2, 2)), "softplus")
    _, cache = activation_forward(np.zeros((2, 3)), "tanh")
    with pytest.raises(ValueError, match=r"activation_backward: dA must have the shape of Z \(2, 3\), got \(3, 2\)"):
        activation_backward(np.zeros((3, 2)), cache)
    with pytest.raises(ValueError, match=r"activation_backward: unknown activation 'Tanh'"):
        activation_backward(np.zeros((2, 3)), ("Tanh",) + cache[1:])
    with pytest.raises(ValueError, match=r"activation_forward: Z contains NaN"):
        activation_forward(np.array([np.nan]), "relu")


def test_activation_layer_is_stable_at_extreme_inputs(strict):
    Z = np.array([[-1e4, 1e4]])
    with strict():
        for name in NAMES:
            A, cache = activation_forward(Z, name)
            dZ = activation_backward(np.ones_like(Z), cache)
            assert np.isfinite(A).all() and np.isfinite(dZ).all(), f"{name}: {A}, {dZ}"
