"""The optimiser explorer: plain compute (explore_optim), figure (explore_optim_view), thin widget."""
import numpy as np
import pytest

from helpers.explorers.explore_optim import (DEFAULTS, VALLEY_CONDITION, VALLEY_MIN, VALLEY_START, descent_path,
                                   run_optimizer, valley_grad, valley_loss)
from helpers.explorers.explore_optim_view import OptimizerFigure
from helpers.gradcheck import numerical_gradient
from helpers.optimizers import SGD, Adam, Momentum
from helpers.explorers.widgets_optim import OptimizerExplorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_valley_is_ill_conditioned_and_its_gradient_is_right():
    assert VALLEY_CONDITION >= 20
    theta = np.array([0.3, -1.2])
    num = numerical_gradient(lambda t: float(valley_loss(t[0], t[1])), theta.copy())
    np.testing.assert_allclose(valley_grad(theta), num, rtol=1e-7)
    assert float(valley_loss(*VALLEY_MIN)) == 0.0
    H = np.array([numerical_gradient(lambda t: float(valley_grad(t)[i]), theta.copy()) for i in range(2)])
    eig = np.linalg.eigvalsh((H + H.T) / 2)
    assert eig.max() / eig.min() == pytest.approx(VALLEY_CONDITION, rel=1e-5)


def test_descent_paths_momentum_beats_sgd_and_a_too_large_rate_leaves():
    sgd, mom = descent_path(SGD(), 0.1), descent_path(Momentum(0.7), 0.1)
    assert sgd.shape == (61, 2) and np.allclose(sgd[0], VALLEY_START)
    assert valley_loss(*mom[-1]) < 1e-3 * valley_loss(*sgd[-1])
    assert len(descent_path(SGD(), 0.5)) < 61, "a rate far above 2 / lambda_max should leave the valley"


def test_run_optimizer_with_the_references_and_a_student_adam():
    for name in DEFAULTS:
        run = run_optimizer(name, epochs=1)
        assert run.message is None, (name, run.message)
        assert run.history.n_updates == 20 and len(run.path) == 61
    ref = run_optimizer("adam", epochs=1)

    def my_adam(params, grads, m, v, t, lr, beta1, beta2, eps):
        for k, p in params.items():
            m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
            v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
            p -= lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps)
    mine = run_optimizer("adam", epochs=1, adam_fn=my_adam)
    assert mine.yours and mine.message is None
    np.testing.assert_allclose(mine.path, ref.path, rtol=1e-12)
    np.testing.assert_allclose(mine.history.loss_per_update, ref.history.loss_per_update, rtol=1e-10)


def test_student_errors_become_kind_messages():
    def stub(params, grads, velocity, lr, beta):
        raise NotImplementedError()

    def broken(params, grads, velocity, lr, beta):
        return params["W1"] + 1

    assert "raised NotImplementedError: finish that exercise first" in \
        run_optimizer("momentum", epochs=1, momentum_fn=stub).message
    assert "raised KeyError" in run_optimizer("momentum", epochs=1, momentum_fn=broken).message
    assert "did not change params" in run_optimizer(
        "momentum", epochs=1, momentum_fn=lambda p, g, v, lr, b: None).message
    assert "too large" in run_optimizer("sgd", lr_valley=0.5, epochs=1).message
    with pytest.raises(ValueError, match="run_optimizer: optimizer must be one of"):
        run_optimizer("lion")
    with pytest.raises(ValueError, match="run_optimizer: beta1 must be a number in \\[0, 1\\), got 1.5"):
        run_optimizer("adam", beta1=1.5)


def test_figure_shows_the_run_and_the_fast_render_matches_a_full_redraw():
    fig = OptimizerFigure(epochs=1)
    run = run_optimizer("momentum", epochs=1)
    fig.update(run)
    png = fig.png()
    assert png.startswith(PNG_SIGNATURE)
    np.testing.assert_allclose(fig.line_path.get_xydata(), run.path)
    np.testing.assert_allclose(fig.line_loss.get_ydata(), run.history.loss_per_update)
    assert "momentum: lr 0.03 (valley)" in fig.title.get_text()
    fast, full = fig.rgba().astype(int), fig.rgba(full=True).astype(int)
    assert np.mean(np.abs(fast - full).max(axis=2) > 16) < 1e-3
    fig.update(run_optimizer("adam", epochs=1))
    assert fig.png() != png
    with pytest.raises(ValueError, match="this figure shows 1 epochs, got a run of 2"):
        fig.update(run_optimizer("adam", epochs=2))
    fig.close()


def test_widget_reruns_on_every_change_and_resets_rates_per_optimizer():
    e = OptimizerExplorer("sgd", epochs=1)
    assert e.n_renders == 1 and e.png.startswith(PNG_SIGNATURE)
    e.controls["learning rate (valley)"].value = 0.05
    assert e.n_renders == 2 and e.run.lr_valley == pytest.approx(0.05)
    e.controls["optimizer"].value = "adam"
    assert e.n_renders == 3, "one optimizer change = one run, not one per reset slider"
    assert (e.run.lr_valley, e.run.lr_digits) == pytest.approx(DEFAULTS["adam"])
    assert e.output.outputs[0]["data"]["image/png"]
    e2 = OptimizerExplorer("momentum", epochs=1, momentum=lambda p, g, v, lr, b: 1 / 0)
    assert "raised ZeroDivisionError" in e2.message and "ZeroDivisionError" in e2.message_html.value
    with pytest.raises(TypeError, match="OptimizerExplorer: adam must be a function"):
        OptimizerExplorer(adam=3)
