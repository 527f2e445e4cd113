"""Tests for helpers.deep and helpers.initializers: L-layer networks, weight decay, initial scales."""
import numpy as np
import pytest

from helpers import MLP, check_gradients, numerical_gradient, train
from helpers.deep import DeepNetwork, L_layer_backward, L_layer_forward, add_weight_decay, l2_penalty
from helpers.initializers import init_params, init_scale


def _data(n=7, d=4, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, c, size=n)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_deep_network_gradients_match_centred_finite_differences(activation):
    X, y = _data()
    net = DeepNetwork(init_params([4, 5, 6, 3], "xavier", rng=1), activation)
    report = check_gradients(net, X, y)
    assert report.passed, str(report)


def test_L_layer_forward_equals_the_MLP_and_caches_are_in_layer_order():
    X, _ = _data()
    mlp = MLP([4, 5, 6, 3], seed=2)
    logits, caches = L_layer_forward(X, mlp.params, "relu")
    np.testing.assert_allclose(logits, mlp.forward(X), rtol=1e-12)
    assert len(caches) == 3 and caches[0][0] is X
    for i, (_, W, Z) in enumerate(caches, start=1):
        assert W is mlp.params[f"W{i}"], f"cache {i - 1} should hold W{i}"
        np.testing.assert_allclose(caches[i][0] if i < 3 else logits, np.maximum(Z, 0) if i < 3 else Z)


def test_weight_decay_penalty_and_gradient():
    params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([3.0])}
    assert l2_penalty(params, 0.1) == pytest.approx(0.05 * 5.0)
    grads = {"W1": np.array([[0.5, 0.5]]), "b1": np.array([1.0])}
    loss, out = add_weight_decay(2.0, grads, params, 0.1)
    assert loss == pytest.approx(2.25)
    np.testing.assert_allclose(out["W1"], [[0.6, 0.3]])
    np.testing.assert_allclose(out["b1"], [1.0]), "biases are not decayed"
    np.testing.assert_allclose(grads["W1"], [[0.5, 0.5]]), "grads must stay unchanged"
    num = numerical_gradient(lambda _: l2_penalty(params, 0.1), params["W1"])
    np.testing.assert_allclose(out["W1"] - grads["W1"], num, rtol=1e-7)


def test_deep_network_with_weight_decay_passes_the_gradient_check():
    X, y = _data(seed=3)
    net = DeepNetwork(init_params([4, 6, 3], "he", rng=3), weight_decay=0.3)
    assert check_gradients(net, X, y).passed


def test_init_scales_and_draw_order():
    assert init_scale(100, 50, "he") == pytest.approx(np.sqrt(2 / 100))
    assert init_scale(100, 50, "xavier") == pytest.approx(np.sqrt(2 / 150))
    assert init_scale(3, 4, "zeros") == 0.0 and init_scale(3, 4, 0.5) == 0.5
    p = init_params([3, 4, 2], "he", rng=5)
    rng = np.random.default_rng(5)
    np.testing.assert_allclose(p["W1"], rng.standard_normal((4, 3)) * np.sqrt(2 / 3))
    np.testing.assert_allclose(p["W2"], rng.standard_normal((2, 4)) * np.sqrt(2 / 4))
    assert set(p) == {"W1", "b1", "W2", "b2"} and not p["b1"].any()
    # He keeps the second moment of ReLU activations about constant over many layers
    A = np.random.default_rng(0).normal(size=(500, 256))
    q = init_params([256] * 11, "he", rng=0)
    for i in range(1, 11):
        A = np.maximum(A @ q[f"W{i}"].T, 0)
    assert 0.3 < np.mean(A ** 2) < 3.0, f"He: mean square after 10 ReLU layers {np.mean(A ** 2)}"
    A = np.random.default_rng(0).normal(size=(500, 256))
    q = init_params([256] * 11, "xavier", rng=0)
    for i in range(1, 11):
        A = np.maximum(A @ q[f"W{i}"].T, 0)
    assert np.mean(A ** 2) < 0.01, f"Xavier halves ReLU's signal per layer, got {np.mean(A ** 2)}"


def test_a_model_without_prepare_trains_through_the_public_interface_like_the_MLP():
    X, y = _data(n=40, seed=4)
    mlp = MLP([4, 8, 3], seed=4)
    deep = DeepNetwork({k: v.copy() for k, v in mlp.params.items()})
    h1 = train(mlp, X, y, lr=0.1, batch_size=8, epochs=3, seed=1)
    h2 = train(deep, X, y, lr=0.1, batch_size=8, epochs=3, seed=1)
    np.testing.assert_allclose(h2.loss_per_update, h1.loss_per_update, rtol=1e-10)
    np.testing.assert_allclose(h2.loss_per_epoch, h1.loss_per_epoch, rtol=1e-10)
    for k in mlp.params:
        np.testing.assert_allclose(deep.params[k], mlp.params[k], rtol=1e-10, err_msg=k)


def test_bad_input():
    with pytest.raises(ValueError, match=r"L_layer_forward: params must have the keys W1, b1, ..., WL, bL, got \['W1', 'b2'\]"):
        L_layer_forward(np.zeros((1, 2)), {"W1": np.zeros((1, 2)), "b2": np.zeros(1)})
    with pytest.raises(TypeError, match="L_layer_backward: caches must be the non-empty list"):
        L_layer_backward(np.zeros((1, 2)), [])
    with pytest.raises(ValueError, match=r"init_scale: method must be one of \('zeros', 'xavier', 'he'\)"):
        init_params([2, 3], "lecun")
    with pytest.raises(ValueError, match=r"l2_penalty: lam must be a number >= 0, got -1"):
        l2_penalty({}, -1)
    with pytest.raises(TypeError, match="train: model must have .params and .loss_and_grads"):
        train(object(), np.zeros((2, 2)), np.zeros(2, int), lr=0.1, batch_size=1, epochs=1)
