"""Tests for helpers.network.MLP: initialisation, forward pass, backprop, dtypes, bad input."""
import numpy as np
import pytest

from helpers.activations import ACTIVATIONS, sigmoid
from helpers.layers import activation_forward, dense_forward
from helpers.losses import mse, sigmoid_binary_cross_entropy, softmax_cross_entropy
from helpers.network import MLP

NAMES = sorted(ACTIVATIONS)
LOSSES = ["softmax_int", "softmax_onehot", "mse", "sigmoid_bce"]


def _manual_forward(model, X):
    """Logits computed with the layer functions, independently of MLP._forward."""
    A = X
    n_layers = len(model.layer_sizes) - 1
    pre = []
    for i in range(1, n_layers + 1):
        Z = dense_forward(A, model.params[f"W{i}"], model.params[f"b{i}"])[0]
        pre.append(Z)
        A = Z if i == n_layers else activation_forward(Z, model.activation)[0]
    return A, pre


def _problem(loss, sizes, n, seed):
    """Inputs and targets for ``loss`` on a network with ``sizes``; returns (X, y, loss name)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    d_out = sizes[-1]
    if loss == "softmax_int":
        return X, rng.integers(0, d_out, size=n), "softmax_cross_entropy"
    if loss == "softmax_onehot":
        return X, np.eye(d_out)[rng.integers(0, d_out, size=n)], "softmax_cross_entropy"
    if loss == "mse":
        return X, rng.normal(size=(n, d_out)), "mse"
    return X, rng.integers(0, 2, size=(n, d_out)).astype(float), "sigmoid_binary_cross_entropy"


# --------------------------------------------------------------------------- construction
def test_parameters_have_the_documented_names_shapes_and_zero_biases():
    model = MLP([4, 7, 5, 3])
    assert list(model.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"W1": (7, 4), "b1": (7,), "W2": (5, 7), "b2": (5,), "W3": (3, 5), "b3": (3,)}
    for k in ("b1", "b2", "b3"):
        np.testing.assert_array_equal(model.params[k], 0.0, err_msg=f"{k} should start at zero")
    assert model.num_params == 7 * 4 + 7 + 5 * 7 + 5 + 3 * 5 + 3
    assert "MLP([4, 7, 5, 3], activation='relu', seed=0, dtype=float64)" in repr(model)


@pytest.mark.parametrize("activation", NAMES)
def test_initialisation_scale_is_he_for_relu_and_glorot_otherwise(activation):
    model = MLP([400, 300, 200], activation=activation, seed=0)
    hidden_std = np.sqrt(2 / 400) if activation == "relu" else np.sqrt(2 / 700)
    out_std = np.sqrt(2 / 500)  # the output layer is linear: always Glorot
    assert model.params["W1"].std() == pytest.approx(hidden_std, rel=0.02), "W1 init std"
    assert model.params["W2"].std() == pytest.approx(out_std, rel=0.02), "W2 init std"
    assert abs(model.params["W1"].mean()) < 0.01 * hidden_std * 10


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = MLP([3, 4, 2], seed=5), MLP([3, 4, 2], seed=5), MLP([3, 4, 2], seed=6)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k], err_msg=k)
    assert not np.allclose(a.params["W1"], c.params["W1"])


def test_layer_sizes_accept_numpy_ints_and_tuples():
    model = MLP((np.int64(3), 4, np.int32(2)))
    assert model.layer_sizes == [3, 4, 2] and all(type(s) is int for s in model.layer_sizes)


# --------------------------------------------------------------------------- forward
@pytest.mark.parametrize("activation", NAMES)
def test_forward_equals_the_layer_by_layer_composition(activation):
    model = MLP([3, 6, 4, 2], activation=activation, seed=1)
    for k in model.params:  # non-zero biases so that a forgotten bias would show
        model.params[k] += np.random.default_rng(2).normal(0, 0.1, size=model.params[k].shape)
    X = np.random.default_rng(0).normal(size=(5, 3))
    expected, _ = _manual_forward(model, X)
    np.testing.assert_allclose(model.forward(X), expected, rtol=1e-12, atol=1e-14, err_msg="logits")
    np.testing.assert_array_equal(model.predict(X), expected.argmax(axis=1))


def test_last_layer_is_linear_and_single_output_predicts_by_sign():
    model = MLP([2, 1], activation="sigmoid")
    model.params["W1"][:] = [[1.0, -1.0]]
    X = np.array([[3.0, 1.0], [0.0, 2.0], [-5.0, -6.0], [0.25, 0.0], [0.0, 0.25]])
    np.testing.assert_array_equal(model.forward(X), [[2.0], [-2.0], [1.0], [0.25], [-0.25]])  # a linear output
    np.testing.assert_array_equal(model.predict(X), [1, 0, 1, 1, 0], err_msg="class 1 iff the logit is > 0")


def test_forward_does_not_modify_the_input():
    model = MLP([3, 4, 2])
    X = np.random.default_rng(0).normal(size=(4, 3))
    X0 = X.copy()
    model.forward(X)
    model.loss_and_grads(X, [0, 1, 0, 1])
    np.testing.assert_array_equal(X, X0)


# --------------------------------------------------------------------------- backprop
ARCHS = {"batch1": ([3, 5, 4], 1), "batch6": ([3, 5, 4], 6), "deep": ([4, 6, 5, 3], 5), "one-output": ([2, 3, 1], 4)}
# softmax needs two or more outputs (a single output is tested as an error below)
GRAD_CASES = [pytest.param(loss, *ARCHS[arch], id=f"{loss}-{arch}") for loss in LOSSES for arch in ARCHS
              if not (loss.startswith("softmax") and arch == "one-output")]


@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("loss,sizes,n", GRAD_CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_loss_and_grads_match_numerical_gradient(activation, loss, sizes, n, seed, assert_grad_close):
    X, y, loss_name = _problem(loss, sizes, n, seed)
    model = MLP(sizes, activation=activation, seed=seed + 10)
    rng = np.random.default_rng(seed + 100)
    for k in model.params:  # random biases too, so their gradients are not special
        model.params[k] += rng.normal(0, 0.3, size=model.params[k].shape)
    _, pre = _manual_forward(model, X)
    if activation == "relu":
        closest = min(np.abs(Z).min() for Z in pre[:-1])
        assert closest > 1e-3, f"hidden pre-activation {closest:.1e} too close to relu's kink; change the seed"
    value, grads = model.loss_and_grads(X, y, loss=loss_name)
    assert set(grads) == set(model.params)
    for k, p in model.params.items():
        assert grads[k].shape == p.shape, f"grad {k} shape {grads[k].shape} vs param {p.shape}"
        assert_grad_close(grads[k], lambda _: model.loss_and_grads(X, y, loss=loss_name)[0], p,
                          f"d{k} ({activation}, {loss}, sizes={sizes}, N={n}, seed={seed})")


@pytest.mark.parametrize("loss", LOSSES)
def test_reported_loss_equals_the_standalone_loss_of_the_logits(loss):
    X, y, loss_name = _problem(loss, [3, 4, 3], 5, 0)
    model = MLP([3, 4, 3], activation="tanh")
    logits = model.forward(X)
    expected = {"softmax_cross_entropy": lambda: softmax_cross_entropy(logits, y)[0],
                "mse": lambda: mse(logits, y),
                "sigmoid_binary_cross_entropy": lambda: sigmoid_binary_cross_entropy(logits, y)[0]}[loss_name]()
    assert model.loss_and_grads(X, y, loss=loss_name)[0] == pytest.approx(expected, rel=1e-13)


def test_mse_and_bce_accept_n_targets_for_a_single_output():
    model = MLP([2, 3, 1], activation="tanh")
    X = np.random.default_rng(0).normal(size=(4, 2))
    y = np.array([0.0, 1.0, 1.0, 0.0])
    for loss in ("mse", "sigmoid_binary_cross_entropy"):
        a, ga = model.loss_and_grads(X, y, loss=loss)
        b, gb = model.loss_and_grads(X, y.reshape(-1, 1), loss=loss)
        assert a == b, loss
        for k in ga:
            np.testing.assert_array_equal(ga[k], gb[k], err_msg=f"{loss} d{k}")
    # and BCE of the sigmoid of the logits is what it computes
    p = sigmoid(model.forward(X))[:, 0]
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert model.loss_and_grads(X, y, loss="sigmoid_binary_cross_entropy")[0] == pytest.approx(bce, rel=1e-12)


# --------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("loss", LOSSES)
def test_float32_model_stays_float32(activation, loss):
    X, y, loss_name = _problem(loss, [3, 4, 2], 5, 0)
    model = MLP([3, 4, 2], activation=activation, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in model.params.values())
    assert model.forward(X).dtype == np.float32, "float64 X into a float32 model should give float32 logits"
    assert model.forward(X.astype(np.float32)).dtype == np.float32
    value, grads = model.loss_and_grads(X.astype(np.float32), y, loss=loss_name)
    bad = {k: g.dtype for k, g in grads.items() if g.dtype != np.float32}
    assert not bad, f"float32 model returned gradients of dtype {bad}"
    ref = MLP([3, 4, 2], activation=activation)
    assert value == pytest.approx(ref.loss_and_grads(X, y, loss=loss_name)[0], rel=1e-5)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("sizes", [[64], [], [64, 0, 10], [64, -3, 10], [64, 2.5, 10], "64", [True, 3], None, 7],
                         ids=repr)
def test_bad_layer_sizes(sizes):
    with pytest.raises(ValueError, match=r"MLP: layer_sizes must be a list of at least two positive ints such as "
                                         r"\[64, 32, 10\], got "):
        MLP(sizes)


def test_bad_activation_and_dtype():
    with pytest.raises(ValueError, match=r"MLP: unknown activation 'softmax'; expected one of "
                                         r"\['identity', 'relu', 'sigmoid', 'tanh'\]"):
        MLP([2, 2], activation="softmax")
    with pytest.raises(TypeError, match=r"MLP: dtype must be float32 or float64, got int64"):
        MLP([2, 2], dtype=np.int64)


def test_bad_inputs_and_targets_name_the_argument():
    model = MLP([4, 5, 3])
    with pytest.raises(ValueError, match=r"MLP.forward: X has 3 features but the network's input layer expects 4 "
                                         r"\(layer_sizes == \[4, 5, 3\]\)"):
        model.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"MLP.forward: X must be 2-D with shape \(N, 4\), got shape \(4,\) "
                                         r"\(for a single sample use x.reshape\(1, -1\)\)"):
        model.forward(np.zeros(4))
    X = np.zeros((2, 4))
    with pytest.raises(ValueError, match=r"MLP.loss_and_grads: unknown loss 'hinge'; expected one of "
                                         r"\['mse', 'sigmoid_binary_cross_entropy', 'softmax_cross_entropy'\]"):
        model.loss_and_grads(X, [0, 1], loss="hinge")
    with pytest.raises(ValueError, match=r"MLP.loss_and_grads: label 3 in y is out of range; expected labels in 0\.\.2"):
        model.loss_and_grads(X, [0, 3])
    with pytest.raises(ValueError, match=r"MLP.loss_and_grads: y has 3 labels but the batch has N=2 rows"):
        model.loss_and_grads(X, [0, 1, 2])
    with pytest.raises(ValueError, match=r"MLP.loss_and_grads: y must have shape \(N, D_out\) == \(2, 3\) for mse, "
                                         r"got \(2,\)"):
        model.loss_and_grads(X, np.zeros(2), loss="mse")
    with pytest.raises(ValueError, match=r"MLP.loss_and_grads: y must be in \[0, 1\] for sigmoid_binary_cross_entropy"):
        model.loss_and_grads(X, np.full((2, 3), 2.0), loss="sigmoid_binary_cross_entropy")
    with pytest.raises(ValueError, match=r"MLP.loss_and_grads: X contains NaN"):
        model.loss_and_grads(np.full((2, 4), np.nan), [0, 1])
    with pytest.raises(ValueError, match=r"softmax_cross_entropy needs at least 2 output units, the network has 1"):
        MLP([4, 1]).loss_and_grads(X, [0, 1])
