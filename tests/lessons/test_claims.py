"""Every claim a lesson makes about its own runs and figures, asserted on the values the notebook computes.

One test per claim: the docstring names the cell (its position in ``solutions/<lesson>``) and quotes the
sentence. The values come from the notebook's own run: ``conftest.execute_lesson`` executes each solution
notebook once per session (shared with test_notebooks) and reads back the kernel's global values. A formula
the text states (a threshold, a step size) is checked by running the iteration it describes. Change the text
and its test together.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import helpers
from helpers.explorers.explore_optim import VALLEY_MIN, VALLEY_START, run_optimizer, valley_grad, valley_loss

from .conftest import execute_lesson

pytestmark = pytest.mark.slow

L01, L02, L03 = "01_forward_propagation", "02_loss_functions", "03_backpropagation"
L04, L05, L06 = "04_gradient_descent", "05_training_a_network", "06_deeper_networks"


def nb_values(lesson: str):
    """The notebook's global value of each name (the run is shared by the whole session)."""
    ex = execute_lesson(lesson)
    return lambda *names: ex.value(names[0]) if len(names) == 1 else tuple(ex.value(n) for n in names)


def log10_loss(path) -> float:
    return float(np.log10(valley_loss(*path[-1])))


# ----------------------------------------------------------------------------------------------------------
# the valley's curvatures, for the thresholds (computed from valley_grad, not taken from the text)

def _valley_hessian():
    centre = np.array(VALLEY_MIN, dtype=float)
    return np.column_stack([valley_grad(centre + e) for e in np.eye(2)])


def _steep_direction():
    lam, vecs = np.linalg.eigh(_valley_hessian())
    return lam, vecs[:, 1]


def _sgd_on_valley(lr, steps=200):
    theta, path = np.array(VALLEY_START, dtype=float), []
    for _ in range(steps):
        theta = theta - lr * valley_grad(theta)
        path.append(theta.copy())
    return np.array(path)


def _momentum_on_valley(lr, beta, steps=400):
    params, velocity = {"theta": np.array(VALLEY_START, dtype=float)}, {"theta": np.zeros(2)}
    for _ in range(steps):
        helpers.momentum_update(params, {"theta": valley_grad(params["theta"])}, velocity, lr, beta)
    return params["theta"]


def _zigzags(path) -> bool:
    """True if the steep component of theta - minimum changes sign at each of the first 6 steps (later it may
    be below round-off: just above 0.08 each step multiplies it by 1 - 0.081 * 12.5 = -0.0125)."""
    _, steep = _steep_direction()
    c = (path[:7] - np.array(VALLEY_MIN)) @ steep
    return bool(np.all(np.sign(c[1:]) != np.sign(c[:-1])))


# ---------------------------------------------------------------------------------------------- lesson 06

def test_06_valley_curvatures():
    """Cell 21: 'Our valley has curvatures 0.5 and 12.5 along axes turned by 25°: kappa = 25.'"""
    lam, steep = _steep_direction()
    assert np.allclose(lam, [0.5, 12.5]), f"the valley's curvatures are {lam}, the text says 0.5 and 12.5"
    angle = math.degrees(math.atan2(abs(steep[0]), abs(steep[1])))   # the steep axis against theta_2
    assert abs(angle - 25) < 0.5, f"the valley's axes are turned by {angle:.1f} degrees, the text says 25"


@pytest.mark.parametrize("lr, zigzag, converges", [(0.079, False, True), (0.081, True, True),
                                                    (0.159, True, True), (0.161, True, False)])
def test_06_sgd_thresholds(lr, zigzag, converges):
    """Cell 21 (and 49 q1, 52 a): 'once eta > 1/lambda_max = 0.08 ... the path zig-zags ... while it still
    converges; above 2/lambda_max = 0.16 ... the path diverges' -- by running gradient descent."""
    path = _sgd_on_valley(lr)
    assert _zigzags(path) == zigzag, f"lr {lr}: zig-zag {_zigzags(path)}, the text says {zigzag}"
    end = float(valley_loss(*path[-1]))
    assert (end < valley_loss(*VALLEY_START)) == converges, f"lr {lr}: loss after 200 steps {end:.3g}"


def test_06_sgd_valley_figure():
    """Cells 21/22: lr 0.05 (< 0.08) crawls without zig-zagging, lr 0.15 (between 0.08 and 0.16) zig-zags
    and converges; 'along the flat direction every step removes ... less than 1/kappa = 4 %'."""
    paths = nb_values(L06)("sgd_valley")
    assert not _zigzags(paths[0.05]) and _zigzags(paths[0.15])
    assert valley_loss(*paths[0.15][-1]) < valley_loss(*paths[0.05][-1]) < valley_loss(*VALLEY_START)
    assert 0.08 * 0.5 <= 0.04 + 1e-12 and 0.16 * 0.5 <= 0.08 + 1e-12


def test_06_paths_inside_the_plots():
    """Cells 22 and 36: every path drawn on the valley lies inside the plotted range (no overshoot clipped)."""
    get = nb_values(L06)
    (x0, x1), (y0, y1) = get("RANGE1"), get("RANGE2")
    paths = {**{f"SGD lr {k}": p for k, p in get("sgd_valley").items()}, **get("runs")}
    outside = {name: (p.min(0).round(2).tolist(), p.max(0).round(2).tolist()) for name, p in paths.items()
               if p[:, 0].min() < x0 or p[:, 0].max() > x1 or p[:, 1].min() < y0 or p[:, 1].max() > y1}
    assert not outside, f"paths leave the plotted range {(x0, x1)} x {(y0, y1)}: {outside}"


def test_06_constant_start_loss_rises():
    """Cell 16: 'the four images above are identical' and 'Its loss even rises a little (2.303 -> 2.314)
    ... with lr = 0.01 the loss stays at 2.303'."""
    trained = nb_values(L06)("trained")
    params, h = trained[0.05]
    assert np.abs(params["W1"] - params["W1"][0]).max() == 0, "the constant start's hidden units differ"
    assert round(h.initial_loss, 3) == 2.303 and round(h.loss_per_epoch[-1], 3) == 2.314, (
        f"constant start: loss {h.initial_loss:.3f} -> {h.loss_per_epoch[-1]:.3f}, the text says 2.303 -> 2.314")
    X_train, y_train = nb_values(L06)("X_train", "y_train")
    p = {k: (np.full_like(v, 0.05) if k.startswith("W") else v)
         for k, v in helpers.init_params([64, 32, 10], "zeros").items()}
    h_small = helpers.train(helpers.DeepNetwork(p), X_train, y_train, lr=0.01, batch_size=64, epochs=3)
    assert abs(h_small.loss_per_epoch[-1] - 2.303) < 0.001, f"lr 0.01: loss {h_small.loss_per_epoch[-1]:.4f}"
    assert trained["he"][1].loss_per_epoch[-1] < 1.5, "the He start should learn"


def test_06_signals_vanish_and_explode():
    """Cell 18: sigma = 0.01: 'after 12 layers they are about 10^-12 times smaller', 'layer 1 receives about
    10^-12 times the gradient that layer 12 receives', dW 'flat, at about 10^-15'; sigma = 0.2: A and dZ
    explode, 'the flat dW is about 10^0.9'; He: 'A and dZ keep their size'."""
    signals = nb_values(L06)("signals")
    small, he, large = (signals[k] for k in ("too small: sigma = 0.01", "He: sigma = sqrt(2 / 128)",
                                            "too large: sigma = 0.2"))
    assert 11 < small["A"][0] - small["A"][-1] < 13, small["A"]
    assert np.allclose(np.diff(small["A"]), -1.1, atol=0.2), small["A"]
    assert 11 < small["dZ"][-1] - small["dZ"][0] < 13, small["dZ"]
    assert np.ptp(small["dW"]) < 0.5 and abs(small["dW"].mean() + 15) < 0.5, small["dW"]
    assert np.all(np.diff(large["A"]) > 0) and np.all(np.diff(large["dZ"]) < 0), (large["A"], large["dZ"])
    assert np.ptp(large["dW"]) < 0.5 and abs(large["dW"].mean() - 0.9) < 0.2, large["dW"]
    assert np.ptp(he["A"]) < 0.3 and np.ptp(he["dZ"]) < 0.3, (he["A"], he["dZ"])


def test_06_feature_scaling():
    """Cells 23/25: the features are 'uncorrelated ... (correlation 0.03)'; raw: '2/lambda_max = 0.041; we use
    0.035', 'the steep weight w2 is at its optimum, but ... w1 has gone only about 90 % of the way (from -2 to
    0.70, the optimum is 0.99)'; standardised: 'a rate ten times larger is stable ... straight to the minimum'."""
    F, F_std, target, paths = nb_values(L06)("F", "F_std", "target", "fit_paths")
    assert round(abs(np.corrcoef(F.T)[0, 1]), 2) == 0.03
    lam_max = np.linalg.eigvalsh(2 * F.T @ F / len(F)).max()
    assert round(2 / lam_max, 3) == 0.041
    best = np.linalg.lstsq(F, target, rcond=None)[0]
    raw = paths["raw features"]
    done = (raw[-1] - raw[0]) / (best - raw[0])
    assert abs(done[1] - 1) < 0.01 and 0.85 < done[0] < 0.95, f"fraction of the way: {done}"
    assert (round(raw[-1, 0], 2), round(best[0], 2)) == (0.70, 0.99)
    std = paths["standardised features"]
    assert 2 / np.linalg.eigvalsh(2 * F_std.T @ F_std / len(F)).max() > 0.4 >= 10 * 0.035
    assert np.allclose(std[-1], np.linalg.lstsq(F_std, target, rcond=None)[0], atol=1e-3)


def test_06_momentum_worked_example():
    """Cell 27: 'The steps grow (0.1, 0.18, 0.234) while the gradient shrinks'."""
    theta, v, steps = 1.0, 0.0, []
    for _ in range(3):
        v = 0.9 * v + theta
        steps.append(0.1 * v)
        theta -= 0.1 * v
    assert np.allclose(steps, [0.1, 0.18, 0.234])
    assert round(nb_values(L06)("theta_m"), 4) == round(theta, 4)


def test_06_uncorrected_adam_steps():
    """Cells 30/31 and 52 (b): the uncorrected step is 3.2 eta at t = 1, 'about 6.5 eta at t = 10-15', '3.2 eta
    at t = 100 and 2.0 eta at t = 300', 'close to eta only after a few thousand steps'; '0.999^300 = 0.74'."""
    uncorrected = nb_values(L06)("uncorrected")
    formula = {t: (1 - 0.9 ** t) / math.sqrt(1 - 0.999 ** t) for t in uncorrected}
    assert all(abs(uncorrected[t] - formula[t]) < 1e-9 for t in uncorrected)
    said = {1: 3.2, 10: 6.5, 15: 6.5, 100: 3.2, 300: 2.0}
    assert {t: round(uncorrected[t], 1) for t in said} == said
    assert uncorrected[1000] > 1.2 and abs(uncorrected[3000] - 1) < 0.05
    assert max(uncorrected, key=uncorrected.get) in range(10, 16)
    assert round(0.999 ** 300, 2) == 0.74 and 0.9 ** 50 < 0.01


def _valley_runs():
    runs = nb_values(L06)("runs")
    names = {"sgd": "SGD, lr 0.1", "momentum": "momentum (yours), beta 0.7, lr 0.1", "rmsprop": "RMSProp, lr 0.3",
             "adam": "Adam (yours), lr 0.5", "cosine": "Adam (yours) + cosine, lr 1.0"}
    return {k: runs[v] for k, v in names.items()}


def test_06_valley_ordering():
    """Cell 37: momentum's loss 'about 5e-8, five orders of magnitude below SGD's' (8e-3); RMSProp 'near 1e-5,
    about 1000 times below SGD's'; 'Adam does worst here, behind even SGD (loss 7e-2)', the cosine run 3e-2."""
    runs = _valley_runs()
    logs = {k: log10_loss(p) for k, p in runs.items()}
    order = sorted(logs, key=logs.get)
    assert order == ["momentum", "rmsprop", "sgd", "cosine", "adam"], f"log10 losses {logs}"
    assert round(logs["sgd"]) == -2 and round(logs["momentum"]) == -7 and round(logs["rmsprop"]) == -5
    assert 4.5 < logs["sgd"] - logs["momentum"] < 5.5 and 2.5 < logs["sgd"] - logs["rmsprop"] < 3.5
    assert round(10 ** logs["adam"], 2) == 0.07 and round(10 ** logs["cosine"], 2) == 0.03
    assert round(np.linalg.norm(runs["sgd"][-1] - VALLEY_MIN), 2) == 0.18, "SGD 'still 0.18 from the minimum'"


def test_06_adam_steps_on_the_valley():
    """Cell 37: 'the first step is sqrt2 eta long at 45°', 'from 1.41 eta at step 1 to about 0.06 eta at step 60';
    the cosine run 'freezes about 0.28 short of the minimum'."""
    runs = _valley_runs()
    first = runs["adam"][1] - runs["adam"][0]
    steps = np.linalg.norm(np.diff(runs["adam"], axis=0), axis=1) / 0.5
    assert round(steps[0], 2) == 1.41 and abs(abs(first[0]) - abs(first[1])) < 1e-6, first
    assert round(steps[-1], 2) == 0.06, f"Adam's last step is {steps[-1]:.3f} eta"
    cosine = runs["cosine"]
    assert round(np.linalg.norm(cosine[-1] - VALLEY_MIN), 2) == 0.28
    assert np.linalg.norm(cosine[-1] - cosine[-6]) < 0.01, "the cosine run should have stopped moving"


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_06_momentum_stable_range(beta):
    """Cell 49 q2: 'the stable range even grows with beta, eta < 2(1 + beta)/lambda_max: 0.16 at beta = 0, 0.30 at
    beta = 0.9' -- by running momentum just below and just above the threshold."""
    limit = 2 * (1 + beta) / 12.5
    assert np.linalg.norm(_momentum_on_valley(0.98 * limit, beta) - VALLEY_MIN) < 1
    assert np.linalg.norm(_momentum_on_valley(1.02 * limit, beta) - VALLEY_MIN) > 100
    assert round(2 * (1 + 0.9) / 12.5, 2) == 0.30


def test_06_explorer_left_the_valley():
    """Cell 49 q1 / the explorer: 'raise the learning rate ... until it leaves the valley' -- the message appears
    from the first slider value above 2/lambda_max = 0.16 (10^-0.75 = 0.178), not at 10^-0.8 = 0.158."""
    assert run_optimizer("sgd", lr_valley=10 ** -0.8, epochs=1).message is None
    message = run_optimizer("sgd", lr_valley=10 ** -0.75, epochs=1).message
    assert message and "left the valley" in message, message


def test_06_overfitting_small_set():
    """Cells 40/41: 'the validation loss, after its lowest point, climbs -- but only a little, and the validation
    accuracy does not fall with it' (training loss near 0, validation loss about 0.3)."""
    plain = nb_values(L06)("plain")
    best = int(np.argmin(plain.val_loss_per_epoch))
    assert plain.loss_per_epoch[-1] < 0.01
    assert 0 < plain.val_loss_per_epoch[-1] - plain.val_loss_per_epoch[best] < 0.05
    assert plain.val_acc_per_epoch[-1] >= plain.val_acc_per_epoch[best]
    assert round(plain.val_loss_per_epoch[best], 1) == 0.3


def test_06_remedies_on_the_test_set():
    """Cell 46: 'training loss about 0.001 and the test loss about 0.65'; weight decay: training loss 0.03,
    'test loss 0.44', 'the best test accuracy'; early stopping 'keeps the weights of epoch 17; its test loss (0.54)
    lies between the two, and its test accuracy is the lowest'; 'a few of the 270 test digits'."""
    r, stopped, y_test = nb_values(L06)("remedies", "stopped", "y_test")
    plain, decay, stop = (r[k] for k in ("no remedy", "L2 weight decay (with Adam), lam = 0.003",
                                         "early stopping, patience 10"))
    assert round(plain["train_loss"], 3) == 0.001 and round(plain["test_loss"], 2) == 0.65
    assert round(decay["train_loss"], 2) == 0.03 and round(decay["test_loss"], 2) == 0.44
    assert stopped.stopped_early and stopped.best_epoch == 17 and round(stop["test_loss"], 2) == 0.54
    assert decay["test_acc"] > plain["test_acc"] > stop["test_acc"]
    assert len(y_test) == 270 and (decay["test_acc"] - stop["test_acc"]) * 270 < 10


def test_06_fair_momentum_on_the_digits():
    """Cell 37: 'momentum gets eta = 0.01, so that its long-run step eta/(1 - beta) = 0.1 equals SGD's'; the
    accuracy axis shows every epoch."""
    runs = nb_values(L06)("digit_runs")
    assert "momentum (yours), lr 0.01" in runs and "SGD, lr 0.1" in runs
    assert math.isclose(0.01 / (1 - 0.9), 0.1)
    lowest = nb_values(L06)("lowest")
    assert lowest <= min(min(h.val_acc_per_epoch) for h in runs.values())


def test_06_check_your_understanding_numbers():
    """Cell 53: 'He: sqrt(2/400) = 0.071 ... Xavier: sqrt(2/(400+100)) = 0.063'; q4: 'the velocity approaches
    g/(1 - beta) = 10 g' -- by running the velocity."""
    assert (round(math.sqrt(2 / 400), 3), round(math.sqrt(2 / 500), 3)) == (0.071, 0.063)
    v = 0.0
    for _ in range(200):
        v = 0.9 * v + 1.0
    assert abs(v - 10) < 1e-6


# ---------------------------------------------------------------------------------------------- lesson 05

def test_05_one_step_lowers_the_batch_loss():
    """Cell 7: 'The loss on this batch went down after one step', and a fresh network is 'in that region' of
    ln 10 = 2.30."""
    before, after = nb_values(L05)("loss_before", "loss_after")
    assert after < before and abs(before - math.log(10)) < 0.5, (before, after)


def test_05_no_overfitting_in_20_epochs():
    """Cell 10: 'The training loss ends a little below the validation loss'; 'the validation loss is still at its
    lowest level after 20 epochs (its lowest value is at epoch 19, and epoch 20 is within 0.01 of it)'."""
    h = nb_values(L05)("history")
    assert h.epochs == 20 and 0 < h.val_loss_per_epoch[-1] - h.loss_per_epoch[-1] < 0.1
    assert int(np.argmin(h.val_loss_per_epoch)) + 1 == 19
    assert h.val_loss_per_epoch[-1] - min(h.val_loss_per_epoch) < 0.01


def test_05_confusion_mostly_diagonal():
    """Cell 23: 'Most of the counts are on the diagonal' (the validation set)."""
    wrong, y_val = nb_values(L05)("wrong", "y_val")
    assert len(wrong) < 0.1 * len(y_val), f"{len(wrong)} of {len(y_val)} misclassified"


def test_05_batch_variants():
    """Cell 26 (and q5): 'At equal epochs SGD is far ahead: it has made 3771 updates while batch GD made 3'; 'At
    equal updates ... batch GD and mini-batch GD are almost level ... SGD ... falls the slowest'."""
    v = nb_values(L05)("variants")
    (hb, tb), (hm, tm), (hs, ts) = (v[k] for k in ("batch GD (B = 1257)", "mini-batch (B = 32)", "SGD (B = 1)"))
    assert hs.loss_per_epoch[2] < hm.loss_per_epoch[2] < hb.loss_per_epoch[2]
    assert 3 * hs.updates_per_epoch == 3771 and 3 * hb.updates_per_epoch == 3
    assert abs(tb[-1] - tm[-1]) < 0.05 * tb[-1] and ts[-1] > max(tb[-1], tm[-1]) + 0.5, (tb[-1], tm[-1], ts[-1])


def test_05_test_accuracy():
    """Cell 31 and the summary: the capstone model classifies 'well over 90 %' of the test digits."""
    pred, y_test = nb_values(L05)("test_pred", "y_test")
    assert helpers.accuracy(pred, y_test) > 0.93


def test_05_vectorised_gradients():
    """Cell 39: 'The numbers are the same; the time is not' (the loop is slower than the matrix products)."""
    g_loop, g_vec, t_loop, t_vec = nb_values(L05)("g_loop", "g_vec", "t_loop", "t_vec")
    assert max(np.abs(g_loop[k] - g_vec[k]).max() for k in g_vec) < 1e-12
    assert t_loop > 3 * t_vec, f"loop {t_loop:.2e} s, matrix products {t_vec:.2e} s"


def test_05_network_size():
    """Cell 40: 'a network of about 4,800 weights and biases ... in 800 updates (20 epochs of 40 mini-batches)'."""
    model, h = nb_values(L05)("model", "history")
    n = sum(p.size for p in model.params.values())
    assert round(n, -2) == 4800 and h.n_updates == 800 and h.updates_per_epoch == 40, (n, h.n_updates)


# ---------------------------------------------------------------------------------------------- lesson 04

def _line_path(x, y, lr, batch_size, epochs, start=(-1.0, 2.0)):
    """Lesson 4's descent_path (cell 15): helpers.train on MLP([1, 1]) from start; returns the History."""
    model = helpers.MLP([1, 1], seed=0)
    model.params["W1"][:], model.params["b1"][:] = start
    return helpers.train(model, x, y, lr=lr, batch_size=batch_size, epochs=epochs, loss="mse", seed=0)


def test_04_worked_example_factor():
    """Cell 5: 'Each step removes 200 * lr % of the remaining distance': w - target <- (1 - 2 lr)(w - target)."""
    w, target, lr = nb_values(L04)("w", "TARGET", "LR_EXAMPLE")
    assert math.isclose(w - target, (1 - 2 * lr) ** 6 * (0 - target)), (w, target, lr)


def _line_hessian(x):
    return 2 * np.array([[np.mean(x[:, 0] ** 2), np.mean(x[:, 0])], [np.mean(x[:, 0]), 1.0]])


def test_04_curvature_and_thresholds():
    """Cells 13/16: 'more strongly curved in b than in w'; 'lambda = 2.03', zig-zag above '1/lambda = 0.49',
    convergence below '2/lambda = 0.99', 1.02 'lands higher on the other side' -- by running gradient descent."""
    x, y = nb_values(L04)("x", "y")
    lam, vecs = np.linalg.eigh(_line_hessian(x))
    assert round(lam[1], 2) == 2.03 and abs(vecs[1, 1]) > 0.95, (lam, vecs)
    assert (round(1 / lam[1], 2), round(2 / lam[1], 2)) == (0.49, 0.99)
    steep = vecs[:, 1]
    best = np.linalg.lstsq(np.column_stack([x[:, 0], np.ones(len(x))]), y[:, 0], rcond=None)[0]
    for lr, zig, converges in [(0.45, False, True), (0.55, True, True), (0.97, True, True), (1.02, True, False)]:
        theta, c = np.array([-1.0, 2.0]), []
        for _ in range(300):
            c.append((theta - best) @ steep)
            theta = theta - lr * _line_hessian(x) @ (theta - best)
        c = np.array(c[:8])
        assert bool(np.all(np.sign(c[1:]) != np.sign(c[:-1]))) == zig, f"lr {lr}: zig-zag expected {zig}"
        assert (np.linalg.norm(theta - best) < 1e-3) == converges, f"lr {lr}: converges expected {converges}"


def test_04_learning_rates_curves():
    """Cell 16/17 and the model answer (cell 48): 'eta = 0.5: its loss falls fastest and reaches the noise floor
    (about 0.09 ...) within about 8 epochs'; 'eta = 0.9 also converges but more slowly'; 'eta = 0.01 ... after 30
    epochs it is still far above the minimum'; 'eta = 1.02 the loss rises from epoch to epoch'."""
    x, y, h102 = nb_values(L04)("x", "y", "history")
    assert h102.lr == 1.02 and all(np.diff(h102.loss_per_epoch) > 0), "the last curve (lr 1.02) should rise"
    curves = {lr: _line_path(x, y, lr, len(x), 30).loss_per_epoch for lr in (0.01, 0.5, 0.9)}
    assert curves[0.5][7] < 0.09 < curves[0.5][5] and curves[0.5][7] < curves[0.9][7] / 3
    assert curves[0.01][-1] > 10 * curves[0.5][-1]


def test_04_divergence_factor():
    """Cells 19/20: 'the error is multiplied by |1 - 3.0 x 2.03| = 5 at every update, so the squared error by about
    25' (the title: 'the loss grows ~25x per update')."""
    finite = nb_values(L04)("finite")
    ratio = float(np.median(finite[11:] / finite[10:-1]))
    assert round(abs(1 - 3.0 * 2.03)) == 5 and 22 < ratio < 30, ratio


def test_04_updates_versus_epochs():
    """Cell 33: 'per epoch ... SGD ... gets much further'; 'per update ... the three curves nearly coincide';
    near the bottom 'SGD's noisy steps keep it jittering above the minimum'."""
    runs = nb_values(L04)("runs")
    b, m, s = (runs[k] for k in ("batch GD (B = 100)", "mini-batch (B = 10)", "SGD (B = 1)"))
    assert s.loss_per_epoch[0] < m.loss_per_epoch[0] < b.loss_per_epoch[0]
    at_20 = (b.loss_per_epoch[19], m.loss_per_epoch[1])               # 20 updates each
    at_100 = (m.loss_per_epoch[9], s.loss_per_epoch[0])               # 100 updates each
    assert abs(at_20[0] - at_20[1]) < 0.1 * at_20[0] and abs(at_100[0] - at_100[1]) < 0.1 * at_100[0], (at_20, at_100)
    assert s.loss_per_epoch[-1] > m.loss_per_epoch[-1]


def test_04_cost_per_update():
    """Cell 40: 'An update on 64 examples costs far less than 64 updates on one example'."""
    spu, sizes = nb_values(L04)("seconds_per_update", "batch_sizes")
    assert spu[sizes.index(64)] < 64 * spu[sizes.index(1)] / 5, spu


# ---------------------------------------------------------------------------------------------- lesson 02

def test_02_candidate_lines():
    """Cell 4/5: the data's own line has the smaller MSE, and the parabola's 'lowest point is the best slope'
    (close to the slope the data came from)."""
    x, y, SLOPE, OFFSET = nb_values(L02)("x", "y", "SLOPE", "OFFSET")
    good = helpers.mse(SLOPE * x - OFFSET, y)
    assert good < helpers.mse(0.5 * x - 0.5, y)
    slopes = np.linspace(-1, 5, 121)
    best = slopes[np.argmin([helpers.mse(w * x - OFFSET, y) for w in slopes])]
    assert abs(best - SLOPE) < 0.25, (best, SLOPE)


def test_02_float32_clip():
    """Cell 9: 'in float32 ... 1 - 10^-12 rounds to exactly 1.0'."""
    assert np.float32(1 - 1e-12) == np.float32(1.0) and 1 - 1e-12 < 1.0


def test_02_labels_and_one_hot_agree():
    """Cell 14/15: 'a good loss accepts both' formats -- the two losses printed are the same."""
    probs, labels, Y = nb_values(L02)("probs", "labels", "Y")
    assert math.isclose(-np.mean(np.log(probs[np.arange(3), labels])), -np.sum(Y * np.log(probs)) / 3)


def test_02_naive_softmax_breaks():
    """Cells 19-21: 'a naive softmax overflows ... nan'; the trick is finite; underflow 'p rounds to 0' comes at a
    smaller scale than the overflow at s = 710."""
    naive, log_probs, s_under, s_over = nb_values(L02)("naive_probs", "log_probs", "s_underflow", "s_overflow")
    assert np.isnan(naive).all() and np.isfinite(log_probs).all()
    assert s_under < s_over and round(s_over) == 710, (s_under, s_over)


def test_02_confidently_wrong_gradients():
    """Cell 25: 'say y = 1 but z = -8, p = 0.0003 -- MSE gives almost no gradient'; cross-entropy's 'gradient is
    about -1'; CYU q3: '-log 0.5 = 0.69 and -log 0.01 = 4.61: ... almost seven times as much'."""
    z, grad_mse, grad_ce = nb_values(L02)("z", "grad_mse", "grad_ce")
    assert z[0] == -8 and round(float(helpers.sigmoid(np.array([-8.0]))[0]), 4) == 0.0003
    assert abs(grad_mse[0]) < 1e-3 and abs(grad_ce[0] + 1) < 1e-3
    assert (round(-math.log(0.5), 2), round(-math.log(0.01), 2)) == (0.69, 4.61)
    assert 6.5 < math.log(0.01) / math.log(0.5) < 7


# ---------------------------------------------------------------------------------------------- lesson 01

def test_01_layer_equals_loop_and_batch_rows():
    """Cells 6-9: 'Computing the neurons one at a time gives the same numbers as the single product'; 'Row n of Z
    is exactly W x_n + b'."""
    get = nb_values(L01)
    assert np.allclose(get("z_loop"), get("z"))
    X, W, b, Z = get("X", "W", "b", "Z")
    assert np.allclose(Z[2], W @ X[2] + b)


def test_01_naive_sigmoid_overflows_but_comes_out_right():
    """Cells 18-20: 'np.exp(-z) ... returns inf'; 'Here the naive result even comes out right (1/(1 + inf) = 0)'."""
    z_big = nb_values(L01)("z_big")
    with np.errstate(over="ignore"):
        e = np.exp(-z_big)
        naive = 1 / (1 + e)
    assert np.isinf(e).any() and np.allclose(naive, helpers.sigmoid(z_big))
    assert round(math.log(np.finfo(np.float64).max), 1) == 709.8 and round(math.log(np.finfo(np.float32).max), 1) == 88.7


def test_01_linear_layers_collapse():
    """Cell 29/30: 'two linear layers == one linear layer: True'; with a ReLU in between they differ."""
    two, one, relu_between = nb_values(L01)("two_linear", "one_linear", "with_relu")
    assert np.allclose(two, one) and not np.allclose(relu_between, one)


def test_01_untrained_network_on_moons():
    """Cell 39: 'the probabilities stay between about 0.2 and 0.8 (never confident), and the network gets only
    about a third of the points right, no better than a coin flip'."""
    net, X_moons, y_moons = nb_values(L01)("net", "X_moons", "y_moons")
    p = helpers.softmax(net.forward(X_moons))
    assert 0.2 < p.min() and p.max() < 0.8, (p.min(), p.max())
    acc = helpers.accuracy(p.argmax(axis=1), y_moons)
    assert 0.25 < acc <= 0.5, acc


# ---------------------------------------------------------------------------------------------- lesson 03

def test_03_graph_gradients_match_finite_differences():
    """Cells 5-9: the backward pass gives dL/dw = 12 and dL/db = 4, the same as finite differences."""
    text = "".join(o.get("text", "") for o in execute_lesson(L03).nb.cells[9].outputs)   # later cells reuse the names
    numbers = [float(t) for t in re.findall(r"-?\d+\.?\d*", text)]
    assert len(numbers) == 4 and np.allclose(numbers[:2], numbers[2:], atol=1e-6) and numbers[2:] == [12.0, 4.0], text


def test_03_one_update_lowers_the_loss():
    """Cell 29/30: one gradient-descent update on the softmax regression lowers the loss; cell 51: 'The loss falls
    when every parameter follows its gradient' (1.150 -> 0.106 after 300 steps)."""
    losses = nb_values(L03)("losses")
    assert (round(losses[0], 3), round(losses[-1], 3)) == (1.150, 0.106) and len(losses) == 300


def test_03_centred_differences_figure():
    """Cell 35/37: centred error 'of order h^2 ... about 1e-10 instead of 1e-5' at h = 1e-5; 'The centred estimate
    reaches about 1e-11 near h = 1e-5; the one-sided one never gets much below 1e-8'."""
    hs, one_sided = nb_values(L03)("hs", "one_sided")
    f = lambda t: np.exp(t) * np.sin(t)
    fp = np.exp(1.0) * (np.sin(1.0) + np.cos(1.0))
    centred = np.abs((f(1 + hs) - f(1 - hs)) / (2 * hs) - fp) / abs(fp)
    near = np.abs(np.log10(hs) + 5) <= 0.21
    assert centred[near].min() < 1e-10 and one_sided.min() > 1e-9, (centred[near].min(), one_sided.min())
    safe = (hs >= 1e-6) & (hs <= 1e-4)
    assert centred[safe].max() < 1e-8


def _report_row(lesson, cell, param):
    """The numbers of one row of a printed gradient-check report (the executed cell's output)."""
    text = "".join(o.get("text", "") for o in execute_lesson(lesson).nb.cells[cell].outputs)
    row = next(line for line in text.splitlines() if line.startswith(param + " "))
    return [float(t) for t in row.split() if t.replace(".", "").replace("-", "").replace("e", "").isdigit()]


def test_03_forgotten_one_over_n():
    """Cell 45: 'only b2 fails, and its analytic value is exactly N = 8 times the numerical one'."""
    err, analytic, numeric = _report_row(L03, 44, "b2")
    assert err > 0.1 and abs(analytic / numeric - 8) < 1e-3
    assert all(_report_row(L03, 44, p)[0] < 1e-7 for p in ("W1", "b1", "W2"))


def test_03_float32_gradient_check():
    """Cell 46: 'largest relative error: float32 1.0e+00, float64 1.9e-09 -- the same, correct, backward pass'."""
    worst32, worst64 = nb_values(L03)("worst32", "worst64")
    assert worst32 > 0.1 and worst64 < 1e-8


def test_03_relu_kink_report():
    """Cell 49 (model answer): 'Only b1 fails, with a relative error of about 3e-6 -- just above the 1e-6
    tolerance'; 'W1, W2 and b2 agree to 1e-8 or better'; 'three rows of Xw are exactly (0, 0)'."""
    Xw, report = nb_values(L03)("Xw", "report")
    err_b1 = _report_row(L03, 48, "b1")[0]
    assert 1e-6 < err_b1 < 5e-6 and report.tol == 1e-6
    assert all(_report_row(L03, 48, p)[0] < 1e-8 for p in ("W1", "W2", "b2"))
    assert int((np.abs(Xw).sum(axis=1) == 0).sum()) == 3


def test_06_digits_optimisers():
    """Cell 39: 'after 6 epochs RMSProp and both Adam runs have a training loss of about 0.2, less than half of SGD's
    and momentum's (about 0.5), and they are ahead from the first epoch on. Momentum ... is level with SGD at the
    end and behind it at first'."""
    runs = nb_values(L06)("digit_runs")
    sgd, mom = runs["SGD, lr 0.1"], runs["momentum (yours), lr 0.01"]
    adaptive = [runs[k] for k in ("RMSProp, lr 0.003", "Adam (yours), lr 0.003", "Adam (yours) + cosine, lr 0.006")]
    assert all(round(h.loss_per_epoch[-1], 1) == 0.2 for h in adaptive), [h.loss_per_epoch[-1] for h in adaptive]
    assert round(sgd.loss_per_epoch[-1], 1) == 0.5 and round(mom.loss_per_epoch[-1], 1) == 0.5
    assert all(h.loss_per_epoch[-1] < 0.5 * min(sgd.loss_per_epoch[-1], mom.loss_per_epoch[-1]) for h in adaptive)
    assert all(h.loss_per_epoch[0] < min(sgd.loss_per_epoch[0], mom.loss_per_epoch[0]) for h in adaptive)
    assert mom.loss_per_epoch[0] > sgd.loss_per_epoch[0]
    assert abs(mom.loss_per_epoch[-1] - sgd.loss_per_epoch[-1]) < 0.1


def test_06_your_network_trains():
    """Cell 12/13: your network 'can be checked against numerical gradients and trained like the MLP of lesson 5'."""
    h = nb_values(L06)("history")
    text = "".join(o.get("text", "") for o in execute_lesson(L06).nb.cells[13].outputs)
    assert "all gradients match" in text, text[:400]
    assert h.val_acc_per_epoch[-1] > 0.8 and h.loss_per_epoch[-1] < h.initial_loss / 2


def test_06_zero_start_is_stuck():
    """Cell 16: 'All zeros: nothing moves except the output biases ... stuck at guessing the class frequencies'."""
    params, h = nb_values(L06)("trained")["zeros"]
    assert all(not np.any(params[k]) for k in ("W1", "b1", "W2")) and np.any(params["b2"])
    y_train = nb_values(L06)("y_train")
    freq = np.bincount(y_train) / len(y_train)
    assert abs(h.loss_per_epoch[-1] - float(-(freq * np.log(freq)).sum())) < 0.001


def test_05_confused_pairs_share_strokes():
    """Cell 23: 'the confused pairs tend to share strokes (3, 5, 8 and 9 all have a curved lower half, 1 and 8 a dark
    vertical middle)' -- most of the validation mistakes are within those groups."""
    val_pred, y_val = nb_values(L05)("val_pred", "y_val")
    wrong = [(int(t), int(p)) for t, p in zip(y_val, val_pred) if t != p]
    shared = [(t, p) for t, p in wrong if {t, p} <= {3, 5, 8, 9} or {t, p} == {1, 8}]
    assert len(shared) >= 0.6 * len(wrong), f"mistakes {wrong}"


def test_04_bowl_and_first_steps():
    """Cells 11/13: 'the bowl's bottom is near (w, b) = (2, -1)'; 'the first steps go "straight downhill", which here
    is mostly along b'."""
    x, y, start = nb_values(L04)("x", "y", "start")
    A = np.column_stack([x[:, 0], np.ones(len(x))])
    best = np.linalg.lstsq(A, y[:, 0], rcond=None)[0]
    assert np.allclose(best, [2, -1], atol=0.15), best
    grad = 2 * A.T @ (A @ start - y[:, 0]) / len(x)
    assert abs(grad[1]) > 2 * abs(grad[0]), grad


def test_04_three_learning_rates():
    """Cell 16: 'Too small (0.05): after 12 steps we are still far from the bottom'; 'About right (0.5): a few steps
    reach the valley floor'."""
    x, y = nb_values(L04)("x", "y")
    small, right = (_line_path(x, y, lr, len(x), 12).loss_per_epoch[-1] for lr in (0.05, 0.5))
    assert small > 10 * right and right < 0.1, (small, right)


def test_04_minibatch_noise():
    """Cell 35: 'Their spread shrinks like 1/sqrt(B) ... (and a little faster when a batch is a large part of the
    data set, as B = 50 of N = 100 is here)' -- 300 mini-batch gradients per batch size at (0, 0)."""
    x, y = nb_values(L04)("x", "y")
    rng, spread = np.random.default_rng(0), {}
    for B in (1, 10, 50):
        grads = []
        for _ in range(300 * B // len(x)):
            for idx in helpers.iterate_minibatches(len(x), B, rng):
                r = -y[idx, 0]
                grads.append([2 * np.mean(r * x[idx, 0]), 2 * np.mean(r)])
        spread[B] = np.std(grads, axis=0).mean()
    assert 0.8 < spread[1] / spread[10] / math.sqrt(10) < 1.25, spread
    assert spread[10] / spread[50] > math.sqrt(5), spread


def test_03_activation_and_dense_checks():
    """Cells 15/20: the references' backward passes agree with finite differences (relative errors far below the
    1e-7 of 'the gradients agree')."""
    for cell in (15, 20):
        text = "".join(o.get("text", "") for o in execute_lesson(L03).nb.cells[cell].outputs)
        errors = [float(e) for e in re.findall(r"relative error[^:]*: ([0-9.e+-]+)", text)]
        assert len(errors) == 3 and max(errors) < 1e-7, text


def test_01_softmax_shift_and_sigmoid_derivative():
    """Cell 23/24: adding the same number to every logit 'changes nothing'; cell 13 and CYU q4: the sigmoid's
    derivative is at most 0.25, at z = 0."""
    logits = nb_values(L01)("logits")
    assert np.allclose(helpers.softmax(np.atleast_2d(logits)), helpers.softmax(np.atleast_2d(logits) + 100))
    z = np.linspace(-10, 10, 2001)
    d = helpers.sigmoid(z) * (1 - helpers.sigmoid(z))
    assert math.isclose(d.max(), 0.25) and z[d.argmax()] == 0
