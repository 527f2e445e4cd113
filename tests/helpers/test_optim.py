"""Tests for helpers.optim: sgd_update, iterate_minibatches and the training loop."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import load_digits, make_moons, make_regression_1d, train_val_test_split
from helpers.metrics import accuracy
from helpers.network import MLP
from helpers.optim import History, TrainingDiverged, iterate_minibatches, train
from helpers.optimizers import sgd_update


def _blobs(n=50, seed=0):
    """Three Gaussian blobs in 2-D: a small, easy classification problem."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    return centres[y] + rng.normal(0, 0.6, size=(n, 2)), y


# --------------------------------------------------------------------------- sgd_update
def test_sgd_update_steps_against_the_gradient_in_place():
    W, b = np.array([[1.0, 2.0]]), np.array([0.5])
    params = {"W": W, "b": b}
    out = sgd_update(params, {"W": np.array([[0.5, -1.0]]), "b": np.array([2.0])}, lr=0.1)
    assert out is params and params["W"] is W and params["b"] is b, "the update must be in place"
    np.testing.assert_allclose(W, [[0.95, 2.1]], rtol=1e-15)
    np.testing.assert_allclose(b, [0.3], rtol=1e-15)


def test_sgd_update_keeps_float32_parameters():
    params = {"W": np.ones(3, dtype=np.float32)}
    sgd_update(params, {"W": np.full(3, 0.5)}, lr=1)
    assert params["W"].dtype == np.float32
    np.testing.assert_array_equal(params["W"], [0.5, 0.5, 0.5])


def test_sgd_update_rejects_mismatched_keys_shapes_and_bad_lr():
    params = {"W": np.zeros((2, 3)), "b": np.zeros(2)}
    with pytest.raises(ValueError, match=r"sgd_update: grads must have the keys of params \['W', 'b'\], got \['W'\]"):
        sgd_update(params, {"W": np.zeros((2, 3))}, 0.1)
    with pytest.raises(ValueError, match=r"sgd_update: grads\['W'\] has shape \(3, 2\), params\['W'\] has \(2, 3\)"):
        sgd_update(params, {"W": np.zeros((3, 2)), "b": np.zeros(2)}, 0.1)
    for lr in (0, -0.1, float("nan"), float("inf"), True, "0.1", None):
        with pytest.raises(ValueError, match=r"sgd_update: lr must be a positive number, got"):
            sgd_update(params, {"W": np.zeros((2, 3)), "b": np.zeros(2)}, lr)
    with pytest.raises(TypeError, match=r"sgd_update: params and grads must be dicts, got list and dict"):
        sgd_update([np.zeros(2)], {}, 0.1)
    np.testing.assert_array_equal(params["W"], 0.0)


# --------------------------------------------------------------------------- iterate_minibatches
@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.integers(1, 120).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))), st.integers(0, 2**32 - 1))
def test_minibatches_cover_every_index_once_with_the_documented_sizes(n_bs, seed):
    n, bs = n_bs
    batches = list(iterate_minibatches(n, bs, np.random.default_rng(seed)))
    k = math.ceil(n / bs)
    assert len(batches) == k, f"n={n}, batch_size={bs}: {len(batches)} batches, expected {k}"
    assert [len(b) for b in batches] == [bs] * (k - 1) + [n - (k - 1) * bs]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))


def test_minibatches_are_reproducible_from_the_rng_and_draw_one_permutation():
    a = list(iterate_minibatches(10, 3, np.random.default_rng(7)))
    b = list(iterate_minibatches(10, 3, np.random.default_rng(7)))
    c = list(iterate_minibatches(10, 3, np.random.default_rng(8)))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(np.concatenate(a), np.concatenate(c))
    rng, ref = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(np.concatenate(list(iterate_minibatches(10, 3, rng))), ref.permutation(10))
    assert rng.random() == ref.random(), "iterate_minibatches should consume exactly one permutation"


def test_minibatches_special_cases():
    assert [b.tolist() for b in iterate_minibatches(5, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]
    assert [len(b) for b in iterate_minibatches(5, 5, np.random.default_rng(0))] == [5]  # batch GD
    assert [len(b) for b in iterate_minibatches(5, 1, np.random.default_rng(0))] == [1] * 5  # SGD


def test_minibatches_reject_bad_arguments():
    with pytest.raises(ValueError, match=r"iterate_minibatches: n must be a positive int, got 0"):
        list(iterate_minibatches(0, 1, np.random.default_rng()))
    for bs in (0, 6, 2.0):
        with pytest.raises(ValueError, match=rf"iterate_minibatches: batch_size must be an int in 1..n=5, got {bs!r}"):
            list(iterate_minibatches(5, bs, np.random.default_rng()))
    with pytest.raises(TypeError, match=r"iterate_minibatches: rng must be a np.random.Generator .* got NoneType"):
        list(iterate_minibatches(5, 2))


# --------------------------------------------------------------------------- train: bookkeeping
@pytest.mark.parametrize("batch_size,per_epoch", [(50, 1), (1, 50), (16, 4), (7, 8), (25, 2)],
                         ids=["batch", "sgd", "mini16", "mini7", "mini25"])
def test_updates_per_epoch_is_ceil_n_over_batch_size(batch_size, per_epoch):
    X, y = _blobs(50)
    steps = []
    hist = train(MLP([2, 8, 3], seed=0), X, y, lr=0.05, batch_size=batch_size, epochs=3,
                 callback=lambda step, loss, model: steps.append(step))
    assert isinstance(hist, History)
    assert hist.updates_per_epoch == per_epoch
    assert hist.n_updates == len(hist.loss_per_update) == 3 * per_epoch
    assert steps == list(range(1, 3 * per_epoch + 1)), "callback once per update, steps counted from 1"
    assert len(hist.loss_per_epoch) == 3 and hist.val_loss_per_epoch == [] and not hist.diverged
    assert (hist.lr, hist.batch_size, hist.epochs, hist.loss) == (0.05, batch_size, 3, "softmax_cross_entropy")


@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "mse", "sigmoid_binary_cross_entropy"])
@pytest.mark.parametrize("batch_size", [1, 8, 30])
def test_train_equals_a_hand_written_loop(loss, batch_size):
    """train = iterate_minibatches + loss_and_grads + sgd_update, with one rng for the shuffles."""
    X, labels = _blobs(30, seed=1)
    y = {"softmax_cross_entropy": labels, "mse": np.eye(3)[labels],
         "sigmoid_binary_cross_entropy": np.eye(3)[labels]}[loss]
    fast, slow = MLP([2, 6, 3], activation="tanh", seed=3), MLP([2, 6, 3], activation="tanh", seed=3)
    hist = train(fast, X, y, lr=0.2, batch_size=batch_size, epochs=2, loss=loss, seed=11)
    rng, losses = np.random.default_rng(11), []
    for _ in range(2):
        for idx in iterate_minibatches(30, batch_size, rng):
            value, grads = slow.loss_and_grads(X[idx], y[idx], loss=loss)
            losses.append(value)
            sgd_update(slow.params, grads, 0.2)
    np.testing.assert_allclose(hist.loss_per_update, losses, rtol=1e-12, err_msg="per-update losses")
    for k in slow.params:
        np.testing.assert_allclose(fast.params[k], slow.params[k], rtol=1e-11, atol=1e-14, err_msg=f"param {k}")
    assert hist.loss_per_epoch[-1] == pytest.approx(slow.loss_and_grads(X, y, loss=loss)[0], rel=1e-12)


@pytest.mark.parametrize("batch_size", [1, 7, 30])
def test_running_epoch_loss_is_the_size_weighted_mean_of_the_epochs_batch_losses(batch_size):
    X, labels = _blobs(30, seed=2)
    full = train(MLP([2, 6, 3], seed=4), X, labels, lr=0.2, batch_size=batch_size, epochs=3, seed=5)
    run = train(MLP([2, 6, 3], seed=4), X, labels, lr=0.2, batch_size=batch_size, epochs=3, seed=5,
                epoch_loss="running")
    # the training itself is the same; only what is recorded per epoch differs
    np.testing.assert_array_equal(run.loss_per_update, full.loss_per_update)
    sizes = [min(batch_size, 30 - s) for s in range(0, 30, batch_size)]
    per_epoch = len(sizes)
    for e in range(3):
        batch_losses = run.loss_per_update[e * per_epoch:(e + 1) * per_epoch]
        expected = sum(l * n for l, n in zip(batch_losses, sizes)) / 30
        assert run.loss_per_epoch[e] == pytest.approx(expected, rel=1e-12), f"epoch {e}"
    assert math.isnan(run.initial_loss) and not math.isnan(full.initial_loss)
    if batch_size < 30:  # the weights move during the epoch: running and full losses differ
        assert run.loss_per_epoch[-1] != pytest.approx(full.loss_per_epoch[-1], rel=1e-6)


def test_batch_gradient_descent_on_a_convex_problem_decreases_the_loss_every_epoch():
    X, y = _blobs(60, seed=2)
    model = MLP([2, 3])  # no hidden layer: softmax regression, a convex loss
    hist = train(model, X, y, lr=0.1, batch_size=60, epochs=20)
    assert all(b < a for a, b in zip([hist.initial_loss] + hist.loss_per_epoch, hist.loss_per_epoch)), \
        f"loss went up: {[hist.initial_loss] + hist.loss_per_epoch}"
    # with one batch per epoch, update k's forward pass sees the parameters after epoch k-1
    np.testing.assert_allclose(hist.loss_per_update[1:], hist.loss_per_epoch[:-1], rtol=1e-12)
    assert hist.loss_per_update[0] == pytest.approx(hist.initial_loss, rel=1e-12)


def test_same_seed_reproduces_and_a_different_seed_differs():
    X, y = _blobs(40)
    runs = []
    for seed in (0, 0, 1):
        model = MLP([2, 8, 3], seed=0)
        runs.append((train(model, X, y, lr=0.1, batch_size=8, epochs=2, seed=seed), model))
    (h0, m0), (h1, m1), (h2, m2) = runs
    assert h0.loss_per_update == h1.loss_per_update
    for k in m0.params:
        np.testing.assert_array_equal(m0.params[k], m1.params[k], err_msg=k)
    assert h0.loss_per_update != h2.loss_per_update, "a different seed should shuffle differently"
    assert not np.array_equal(m0.params["W1"], m2.params["W1"])


def test_callback_sees_each_update_loss_and_the_model():
    X, y = _blobs(20)
    model, seen = MLP([2, 4, 3]), []
    hist = train(model, X, y, lr=0.1, batch_size=6, epochs=2,
                 callback=lambda step, loss, m: seen.append((step, loss, m is model)))
    assert [s for s, _, _ in seen] == list(range(1, hist.n_updates + 1))
    assert [v for _, v, _ in seen] == hist.loss_per_update
    assert all(same for _, _, same in seen)


def test_a_custom_update_function_is_used():
    X, y = _blobs(20)
    model = MLP([2, 4, 3])
    before = {k: v.copy() for k, v in model.params.items()}
    calls = []

    def frozen(params, grads, lr):  # records its arguments and changes nothing
        calls.append((params is model.params, sorted(grads), lr, float(np.abs(grads["W1"]).sum())))

    hist = train(model, X, y, lr=0.3, batch_size=5, epochs=2, update=frozen)
    assert len(calls) == hist.n_updates == 8
    assert all(is_params and keys == sorted(before) and lr == 0.3 and g > 0 for is_params, keys, lr, g in calls)
    for k in before:
        np.testing.assert_array_equal(model.params[k], before[k], err_msg=f"{k} changed without an update")
    assert hist.loss_per_epoch == [hist.initial_loss] * 2


def test_validation_history_is_recorded_per_epoch():
    X, y = _blobs(60, seed=0)
    Xv, yv = _blobs(30, seed=1)
    model = MLP([2, 8, 3], seed=0)
    hist = train(model, X, y, lr=0.1, batch_size=10, epochs=4, X_val=Xv, y_val=yv)
    assert len(hist.val_loss_per_epoch) == len(hist.val_acc_per_epoch) == 4
    assert hist.val_acc_per_epoch[-1] == accuracy(model.predict(Xv), yv)
    assert hist.val_loss_per_epoch[-1] == pytest.approx(model.loss_and_grads(Xv, yv)[0], rel=1e-12)


def test_float32_training_keeps_float32():
    X, y = _blobs(30)
    model = MLP([2, 8, 3], dtype=np.float32)
    hist = train(model, X.astype(np.float32), y, lr=0.1, batch_size=10, epochs=3)
    assert all(p.dtype == np.float32 for p in model.params.values())
    assert hist.loss_per_epoch[-1] < hist.initial_loss


# --------------------------------------------------------------------------- train: it learns
def test_mlp_learns_the_digits():
    X, y = load_digits()
    Xtr, ytr, Xv, yv, Xte, yte = train_val_test_split(X, y, seed=0)
    model = MLP([64, 64, 10], activation="relu", seed=0)
    hist = train(model, Xtr, ytr, lr=0.3, batch_size=32, epochs=40, seed=0)
    X_held, y_held = np.concatenate([Xv, Xte]), np.concatenate([yv, yte])  # never trained on: 540 images
    acc = accuracy(model.predict(X_held), y_held)
    assert acc >= 0.95, (f"held-out accuracy {acc:.3f} < 0.95 (val {accuracy(model.predict(Xv), yv):.3f}, "
                         f"test {accuracy(model.predict(Xte), yte):.3f}); final train loss {hist.loss_per_epoch[-1]:.3g}")
    assert hist.loss_per_epoch[-1] < 0.1 * hist.initial_loss


@pytest.mark.parametrize("noise", [0.1, 0.2])
def test_mlp_learns_the_moons(noise):
    X, y = make_moons(600, noise=noise, seed=0)
    Xtr, ytr, Xv, yv, Xte, yte = train_val_test_split(X, y, seed=0)
    model = MLP([2, 32, 32, 2], activation="tanh", seed=0)
    train(model, Xtr, ytr, lr=0.5, batch_size=32, epochs=100, seed=0)
    acc = accuracy(model.predict(np.concatenate([Xv, Xte])), np.concatenate([yv, yte]))
    assert acc >= 0.95, f"moons (noise {noise}) held-out accuracy {acc:.3f} < 0.95"


# --------------------------------------------------------------------------- train: divergence
def _diverge(lr, capfd):
    X, y = make_regression_1d(100, seed=0)
    hist_box = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(TrainingDiverged) as info:
            train(MLP([1, 16, 1], seed=0), X, y, lr=lr, batch_size=10, epochs=50, loss="mse",
                  callback=lambda step, loss, m: hist_box.append(step))
    assert caught == [], f"warnings escaped from train: {[str(w.message) for w in caught]}"
    out, err = capfd.readouterr()
    assert err == "" and out == "", f"train wrote to stdout/stderr: {out!r} {err!r}"
    return info.value


def test_too_large_a_learning_rate_raises_training_diverged(capfd):
    e = _diverge(10.0, capfd)
    h = e.history
    assert e.lr == 10.0 and h.diverged
    assert e.step == h.n_updates == len(h.loss_per_update), "step = the update whose loss blew up"
    assert not math.isfinite(h.loss_per_update[-1]) and all(map(math.isfinite, h.loss_per_update[:-1]))
    assert e.step < 50 * h.updates_per_epoch, "it should stop at the first non-finite loss"
    assert f"training diverged at update {e.step}: the loss became inf with learning rate 10;" in str(e)
    assert "try a smaller learning rate" in str(e)


def test_divergence_found_at_the_end_of_an_epoch_reports_that_loss(capfd):
    # here the per-update losses stay finite and the whole-training-set loss after the epoch overflows
    e = _diverge(3.0, capfd)
    h = e.history
    assert math.isfinite(h.loss_per_update[-1]) and not math.isfinite(h.loss_per_epoch[-1])
    assert e.step == h.n_updates and e.step % h.updates_per_epoch == 0 and e.lr == 3.0
    assert f"training diverged at update {e.step}: the loss became inf with learning rate 3;" in str(e)


# --------------------------------------------------------------------------- train: bad arguments
@pytest.mark.parametrize("kwargs,message", [
    ({"lr": 0}, r"train: lr must be a positive number, got 0"),
    ({"lr": -0.1}, r"train: lr must be a positive number, got -0.1"),
    ({"lr": float("nan")}, r"train: lr must be a positive number, got nan"),
    ({"lr": float("inf")}, r"train: lr must be a positive number, got inf"),
    ({"lr": "0.1"}, r"train: lr must be a positive number, got '0.1'"),
    ({"lr": True}, r"train: lr must be a positive number, got True"),
    ({"batch_size": 0}, r"train: batch_size must be an int in 1..20, got 0"),
    ({"batch_size": 21}, r"train: batch_size must be an int in 1..20, got 21"),
    ({"batch_size": 4.0}, r"train: batch_size must be an int in 1..20, got 4.0"),
    ({"epochs": 0}, r"train: epochs must be an int >= 1, got 0"),
    ({"epochs": 2.5}, r"train: epochs must be an int >= 1, got 2.5"),
    ({"loss": "hinge"}, r"unknown loss 'hinge'; expected one of"),
    ({"epoch_loss": "exact"}, r"train: epoch_loss must be 'full' or 'running', got 'exact'"),
])
def test_bad_training_arguments_are_rejected(kwargs, message):
    X, y = _blobs(20)
    model = MLP([2, 4, 3])
    before = model.params["W1"].copy()
    args = {"lr": 0.1, "batch_size": 5, "epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        train(model, X, y, **args)
    np.testing.assert_array_equal(model.params["W1"], before)


def test_bad_training_data_is_rejected():
    X, y = _blobs(20)
    with pytest.raises(ValueError, match=r"train: X has 2 features but the network's input layer expects 3"):
        train(MLP([3, 3]), X, y, lr=0.1, batch_size=5, epochs=1)
    with pytest.raises(ValueError, match=r"^train: y has 19 labels but the batch has N=20 rows"):
        train(MLP([2, 3]), X, y[:19], lr=0.1, batch_size=5, epochs=1)
    with pytest.raises(ValueError, match=r"^train \(y_val\): label 7 in y is out of range"):
        train(MLP([2, 3]), X, y, lr=0.1, batch_size=5, epochs=1, X_val=X[:4], y_val=np.array([0, 1, 7, 2]))
    with pytest.raises(ValueError, match=r"^train: X_val and y_val go together; got only X_val"):
        train(MLP([2, 3]), X, y, lr=0.1, batch_size=5, epochs=1, X_val=X[:4])
    with pytest.raises(ValueError, match=r"train \(X_val\): X has 3 features"):
        train(MLP([2, 3]), X, y, lr=0.1, batch_size=5, epochs=1, X_val=np.zeros((4, 3)), y_val=np.zeros(4, int))
