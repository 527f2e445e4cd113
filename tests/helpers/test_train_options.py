"""helpers.train's optimizer=, schedule=, weight_decay= and patience= (the default stays plain SGD)."""
import numpy as np
import pytest

from helpers import MLP, train
from helpers.data import load_digits
from helpers.deep import add_weight_decay
from helpers.optim import iterate_minibatches
from helpers.optimizers import Adam, Momentum, momentum_update, step_decay


def _blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    return np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])[y] + rng.normal(0, 0.8, (n, 2)), y


def _hand_loop(model, X, y, epochs, bs, seed, step):
    rng, losses = np.random.default_rng(seed), []
    for _ in range(epochs):
        for idx in iterate_minibatches(len(X), bs, rng):
            value, grads = model.loss_and_grads(X[idx], y[idx])
            step(model.params, grads, value)
            losses.append(value)
    return losses


def test_momentum_optimizer_equals_a_hand_written_loop():
    X, y = _blobs()
    a, b = MLP([2, 8, 3], seed=1), MLP([2, 8, 3], seed=1)
    h = train(a, X, y, lr=0.05, batch_size=16, epochs=3, seed=2, optimizer=Momentum(0.9))
    vel = {k: np.zeros_like(p) for k, p in b.params.items()}
    losses = _hand_loop(b, X, y, 3, 16, 2, lambda p, g, _: momentum_update(p, g, vel, 0.05, 0.9))
    np.testing.assert_allclose(h.loss_per_update, losses, rtol=1e-12)
    for k in a.params:
        np.testing.assert_allclose(a.params[k], b.params[k], rtol=1e-12, err_msg=k)


def test_schedule_and_weight_decay_equal_a_hand_written_loop():
    X, y = _blobs(seed=1)
    a, b = MLP([2, 8, 3], seed=3), MLP([2, 8, 3], seed=3)
    sched = step_decay(every=3, factor=0.5)
    h = train(a, X, y, lr=0.2, batch_size=20, epochs=3, seed=0, schedule=sched, weight_decay=0.01)
    t = [0]

    def step(p, g, value):
        _, g = add_weight_decay(value, g, p, 0.01)
        for k in p:
            p[k] -= sched(0.2, t[0]) * g[k]
        t[0] += 1
    losses = _hand_loop(b, X, y, 3, 20, 0, step)
    np.testing.assert_allclose(h.loss_per_update, losses, rtol=1e-12)
    assert h.lr_per_update == [0.2] * 3 + [0.1] * 3 + [0.05] * 3
    for k in a.params:
        np.testing.assert_allclose(a.params[k], b.params[k], rtol=1e-12, err_msg=k)


def test_default_is_plain_sgd_and_optimizer_sgd_gives_the_same_run():
    X, y = _blobs(seed=2)
    a, b = MLP([2, 8, 3], seed=4), MLP([2, 8, 3], seed=4)
    h1 = train(a, X, y, lr=0.1, batch_size=10, epochs=2)
    h2 = train(b, X, y, lr=0.1, batch_size=10, epochs=2, optimizer="sgd")
    np.testing.assert_allclose(h1.loss_per_update, h2.loss_per_update, rtol=1e-12)
    assert h1.lr_per_update == [] and h1.best_epoch is None


def test_early_stopping_restores_the_best_epoch():
    X, y = load_digits()
    Xs, ys, Xv, yv = X[:60], y[:60], X[1000:1300], y[1000:1300]
    model = MLP([64, 128, 10], seed=0)
    h = train(model, Xs, ys, lr=0.3, batch_size=20, epochs=200, X_val=Xv, y_val=yv, patience=5,
              optimizer=Adam(), epoch_loss="running")
    assert h.stopped_early and len(h.val_loss_per_epoch) < 200
    best = int(np.argmin(h.val_loss_per_epoch)) + 1
    assert h.best_epoch == best and len(h.val_loss_per_epoch) == best + 5
    assert model.loss(Xv, yv) == pytest.approx(h.val_loss_per_epoch[best - 1], rel=1e-12)


def test_bad_options():
    X, y = _blobs(10)
    m = MLP([2, 3, 3])
    with pytest.raises(ValueError, match="train: give update= or optimizer=, not both"):
        train(m, X, y, lr=0.1, batch_size=5, epochs=1, update=lambda p, g, lr: None, optimizer="adam")
    with pytest.raises(ValueError, match="train: early stopping .* give X_val and y_val"):
        train(m, X, y, lr=0.1, batch_size=5, epochs=1, patience=3)
    with pytest.raises(ValueError, match="train: weight_decay must be a number >= 0, got -0.1"):
        train(m, X, y, lr=0.1, batch_size=5, epochs=1, weight_decay=-0.1)
    with pytest.raises(TypeError, match="train: schedule must be a callable"):
        train(m, X, y, lr=0.1, batch_size=5, epochs=1, schedule=0.5)
    with pytest.raises(ValueError, match="make_optimizer: name must be one of"):
        train(m, X, y, lr=0.1, batch_size=5, epochs=1, optimizer="nadam")
