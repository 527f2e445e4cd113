"""Tests for the explorer's plain compute step (helpers.explorers.explore) and plot step (helpers.explorers.explore_view)."""
import math
import warnings

import numpy as np
import pytest

from helpers import MLP, iterate_minibatches, sgd_update, train
from helpers.explorers.explore import (PROBLEMS, REGRESSION_START, batch_kind, get_problem,
                             regression_loss_grid, run_training)
from helpers.explorers.explore_view import ExplorerFigure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def fresh_model(p, seed):
    """The network run_training starts from, built independently of it."""
    model = MLP(list(p.layer_sizes), activation=p.activation, seed=seed)
    if p.name == "regression":
        model.params["W1"][...] = REGRESSION_START[0]
        model.params["b1"][...] = REGRESSION_START[1]
    return model


def small_settings(name):
    return {"regression": dict(lr=0.05, batch_size=7, epochs=3, seed=4),
            "moons": dict(lr=0.2, batch_size=33, epochs=2, seed=5),
            "digits": dict(lr=0.1, batch_size=300, epochs=2, seed=6)}[name]


# --------------------------------------------------------------------------- problems
@pytest.mark.parametrize("name, d_in, n_classes", [("regression", 1, None), ("moons", 2, 2),
                                                    ("digits", 64, 10)])
def test_problem_data_match_the_network(name, d_in, n_classes):
    p = get_problem(name)
    assert p.X.shape == (p.n, d_in) and p.layer_sizes[0] == d_in
    assert not p.X.flags.writeable, f"{name}: the cached data must be read-only"
    d = p.defaults
    assert 1 <= d["batch_size"] <= p.n and 1 <= d["epochs"] <= p.max_epochs
    if n_classes:
        assert set(np.unique(p.y)) == set(range(n_classes))
        assert p.layer_sizes[-1] == n_classes
    assert (p.X_val is not None) == (name == "digits")


def test_unknown_problem_is_named():
    with pytest.raises(ValueError, match="problem must be one of.*'spirals'"):
        get_problem("spirals")


def test_batch_kind_names_the_three_flavours():
    assert [batch_kind(b, 100) for b in (1, 2, 99, 100)] == ["SGD", "mini-batch", "mini-batch",
                                                              "batch GD"]


def test_regression_loss_grid_is_the_mse_of_the_line():
    p = get_problem("regression")
    W, B = np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([[-1.0, 2.0], [0.0, -3.0]])
    grid = regression_loss_grid(W, B)
    for w, b, got in zip(W.ravel(), B.ravel(), grid.ravel()):
        want = np.mean((w * p.X[:, 0] + b - p.y[:, 0]) ** 2)
        assert got == pytest.approx(want, rel=1e-12), f"loss at w={w}, b={b}: {got} vs {want}"


# --------------------------------------------------------------------------- training
@pytest.mark.parametrize("name", PROBLEMS)
def test_run_uses_exactly_the_settings(name):
    p, s = get_problem(name), small_settings(name)
    run = run_training(name, **s)
    h = run.history
    assert (h.lr, h.batch_size, h.epochs) == (s["lr"], s["batch_size"], s["epochs"])
    assert h.n_updates == s["epochs"] * math.ceil(p.n / s["batch_size"])
    assert len(h.loss_per_epoch) == s["epochs"] and run.message is None and not run.diverged
    # the same numbers as calling helpers.train directly with those settings and that seed
    direct = train(fresh_model(p, s["seed"]), p.X, p.y, loss=p.loss, X_val=p.X_val, y_val=p.y_val, **s)
    np.testing.assert_allclose(h.loss_per_update, direct.loss_per_update, rtol=1e-12,
                               err_msg=f"{name}: per-update losses differ from helpers.train")
    np.testing.assert_allclose(h.val_acc_per_epoch, direct.val_acc_per_epoch)


def test_seed_changes_the_shuffling():
    a = run_training("regression", lr=0.05, batch_size=5, epochs=1, seed=1).history
    b = run_training("regression", lr=0.05, batch_size=5, epochs=1, seed=2).history
    assert a.loss_per_update != b.loss_per_update


def test_regression_path_follows_the_parameters():
    run = run_training("regression", lr=0.1, batch_size=100, epochs=5, seed=0)
    assert run.path.shape == (6, 2)
    np.testing.assert_array_equal(run.path[0], REGRESSION_START)
    final = (run.model.params["W1"][0, 0], run.model.params["b1"][0])
    np.testing.assert_allclose(run.path[-1], final, err_msg="last path point vs trained (w, b)")
    # batch gradient descent on the mse: one step by hand from the start
    p = get_problem("regression")
    x, y = p.X[:, 0], p.y[:, 0]
    r = REGRESSION_START[0] * x + REGRESSION_START[1] - y
    step = np.array(REGRESSION_START) - 0.1 * np.array([np.mean(2 * r * x), np.mean(2 * r)])
    np.testing.assert_allclose(run.path[1], step, rtol=1e-12, err_msg="first descent step")


def test_divergence_is_a_message_not_an_exception():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = run_training("regression", lr=10.0, batch_size=1, epochs=10, seed=0)
    assert caught == [], f"warnings leaked: {[str(w.message) for w in caught]}"
    assert run.diverged and run.error is None
    n = run.history.n_updates
    assert not math.isfinite(run.history.loss_per_update[-1])
    assert run.message == (f"diverged after {n} updates: learning rate 10 is too large for this "
                           f"problem (the loss became infinite or NaN)")
    assert len(run.path) == n, "the path holds the start and every update that finished"


def test_a_growing_loss_is_called_out():
    run = run_training("regression", lr=3.0, batch_size=100, epochs=10, seed=0)
    assert not run.diverged
    assert run.message.startswith(f"the loss grew from {run.history.initial_loss:.3g} to ")
    assert "learning rate 3 is too large" in run.message
    assert run_training("regression", lr=0.1, batch_size=100, epochs=10).message is None


def test_student_update_drives_the_training():
    calls = []

    def my_update(params, grads, lr):
        calls.append(lr)
        for k in params:
            params[k] -= lr * grads[k]
    mine = run_training("moons", lr=0.2, batch_size=50, epochs=2, seed=1, update=my_update)
    ref = run_training("moons", lr=0.2, batch_size=50, epochs=2, seed=1)
    assert calls == [0.2] * 8
    np.testing.assert_allclose(mine.history.loss_per_update, ref.history.loss_per_update, rtol=1e-12)


@pytest.mark.parametrize("exc, expected", [
    (NotImplementedError(), "your my_update raised NotImplementedError: finish that exercise"),
    (ValueError("shapes (2,) and (3,)"), "your my_update raised ValueError: shapes (2,) and (3,)"),
])
def test_student_update_that_raises_is_reported(exc, expected):
    def my_update(params, grads, lr):
        raise exc
    run = run_training("regression", lr=0.1, batch_size=10, epochs=1, update=my_update)
    assert run.error is exc and run.history is None and run.model is None
    assert run.message.startswith(expected), run.message


def test_student_update_that_returns_new_arrays_is_explained():
    def my_update(params, grads, lr):
        return {k: params[k] - lr * grads[k] for k in params}
    run = run_training("moons", lr=0.1, batch_size=10, epochs=1, update=my_update)
    assert "did not change params" in run.message and "in place" in run.message


def test_student_code_warnings_are_caught_and_reported():
    def my_update(params, grads, lr):
        warnings.warn("careful", UserWarning)
        sgd_update(params, grads, lr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = run_training("regression", lr=0.1, batch_size=50, epochs=1, update=my_update)
    assert caught == []
    assert run.message == "your code caused a warning: UserWarning: careful"


def my_train(model, X, y, lr, batch_size, epochs, seed=0, callback=None):
    """A student's loop in the shape lesson 04 asks for."""
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        for idx in iterate_minibatches(len(X), batch_size, rng):
            loss, grads = model.loss_and_grads(X[idx], y[idx], loss="mse")
            sgd_update(model.params, grads, lr)
            losses.append(loss)
            if callback is not None:
                callback(len(losses), loss, model)
    return losses


def test_student_training_loop_is_recorded():
    run = run_training("regression", lr=0.1, batch_size=20, epochs=3, seed=2, train_fn=my_train)
    h = run.history
    assert h.n_updates == 15 and len(h.loss_per_epoch) == 3 and run.message is None
    assert run.path.shape == (16, 2)
    # per-epoch losses are the whole-set loss after each epoch, as helpers.train records them
    p = get_problem("regression")
    assert h.loss_per_epoch[-1] == pytest.approx(np.mean((run.model.forward(p.X) - p.y) ** 2))


def test_student_training_loop_without_callback_gives_its_losses():
    def loop(model, X, y, lr, batch_size, epochs):
        return my_train(model, X, y, lr, batch_size, epochs)
    run = run_training("regression", lr=0.1, batch_size=25, epochs=2, train_fn=loop)
    assert run.history.n_updates == 8 and len(run.history.loss_per_epoch) == 2


def test_student_training_loop_that_blows_up_counts_as_divergence():
    def loop(model, X, y, lr, batch_size, epochs):
        return [1.0, 5.0, float("inf"), float("nan")]
    run = run_training("regression", lr=0.1, batch_size=25, epochs=1, train_fn=loop)
    assert run.diverged and run.history.loss_per_update[:2] == [1.0, 5.0]
    assert run.message.startswith("diverged after 3 updates: learning rate 0.1")


def test_student_training_loop_that_raises_is_reported():
    def loop(model, X, y, lr):
        raise KeyError("W3")
    run = run_training("moons", lr=0.1, batch_size=25, epochs=1, train_fn=loop)
    assert run.message == "your loop raised KeyError: 'W3'"


@pytest.mark.parametrize("kwargs, match", [
    (dict(lr=0.0), "lr must be a positive number, got 0.0"),
    (dict(batch_size=101), r"batch_size must be an int in 1..100, got 101"),
    (dict(epochs=0), r"epochs must be an int in 1..inf, got 0"),
    (dict(update=3), "update must be a function, got int"),
    (dict(update=sgd_update, train_fn=my_train), "update= or train_fn=, not both"),
])
def test_bad_settings_are_named(kwargs, match):
    s = dict(lr=0.1, batch_size=10, epochs=1)
    s.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        run_training("regression", **s)


# --------------------------------------------------------------------------- the figure
@pytest.fixture(scope="module")
def figures():
    figs = {name: ExplorerFigure(name) for name in PROBLEMS}
    yield figs
    for f in figs.values():
        f.close()


@pytest.mark.parametrize("name", PROBLEMS)
def test_figure_shows_the_run(figures, name):
    fig = figures[name]
    run = run_training(name, **small_settings(name))
    fig.update(run)
    png = fig.png()
    assert png.startswith(PNG_SIGNATURE)
    h = run.history
    np.testing.assert_allclose(fig.line_updates.get_ydata(), h.loss_per_update)
    np.testing.assert_allclose(fig.line_epochs.get_ydata(), [h.initial_loss] + h.loss_per_epoch)
    assert f"learning rate {run.lr:.3g}, batch {run.batch_size}/" in fig.title.get_text()
    assert f"{h.n_updates} updates" in fig.title.get_text()
    other = run_training(name, **dict(small_settings(name), lr=0.01))
    fig.update(other)
    assert fig.png() != png, f"{name}: a new learning rate must give a new picture"


@pytest.mark.parametrize("name", PROBLEMS)
def test_cached_background_render_matches_a_full_redraw(figures, name):
    fig = figures[name]
    ref = run_training(name, **dict(small_settings(name), lr=0.02))
    fig.update(run_training(name, **small_settings(name)), [ref])
    fast, full = fig.rgba().astype(int), fig.rgba(full=True).astype(int)
    diff = np.abs(fast - full).max(axis=2)
    assert np.mean(diff > 16) < 1e-3, (f"{name}: {np.sum(diff > 16)} pixels differ by more than 16 "
                                       f"levels (max {diff.max()}) between the fast and full render")


def test_figure_keeps_and_drops_reference_curves(figures):
    fig = figures["regression"]
    a, b = (run_training("regression", lr=lr, batch_size=10, epochs=2) for lr in (0.01, 0.1))
    fig.update(b, [a])
    assert fig.n_reference_artists == 3      # per-update, per-epoch and the path on the landscape
    faded = [ln for ln in fig.ax_updates.get_lines() if ln.get_alpha() == 0.5]
    assert len(faded) == 1 and faded[0].get_label() == "ref: lr 0.01, batch 10"
    np.testing.assert_allclose(faded[0].get_ydata(), a.history.loss_per_update)
    fig.update(b, [])
    assert fig.n_reference_artists == 0 and len(fig.ax_updates.get_lines()) == 1


def test_figure_of_a_diverged_run_shows_the_message_and_the_run_so_far(figures):
    fig = figures["regression"]
    run = run_training("regression", lr=10.0, batch_size=1, epochs=10)
    fig.update(run)
    assert fig.message.get_text() == run.message
    finite = [v for v in run.history.loss_per_update if math.isfinite(v)]
    assert len(fig.line_updates.get_ydata()) == len(finite) == run.history.n_updates - 1
    assert fig.png().startswith(PNG_SIGNATURE)


def test_figure_of_a_failed_student_run_still_renders(figures):
    def broken(params, grads, lr):
        raise NotImplementedError
    fig = figures["moons"]
    run = run_training("moons", lr=0.1, batch_size=10, epochs=1, update=broken)
    fig.update(run)
    assert not fig.image.get_visible() and "NotImplementedError" in fig.message.get_text()
    assert fig.png().startswith(PNG_SIGNATURE)


def test_figure_refuses_a_run_of_another_problem(figures):
    with pytest.raises(ValueError, match="shows 'moons', got a run of 'regression'"):
        figures["moons"].update(run_training("regression", lr=0.1, batch_size=10, epochs=1))
