"""Headless tests of the gradient-descent explorer widget: set its controls as a student would
(programmatically, as the browser does through the widget model) and check what ran and what shows."""
import base64
import math
import warnings

import ipywidgets as widgets
import pytest

from helpers.explorers.explore import PROBLEMS, get_problem
from helpers.explorers.widgets import GradientDescentExplorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shown_png(explorer):
    """The PNG bytes displayed in the explorer's output widget."""
    (out,) = explorer.output.outputs
    assert out["output_type"] == "display_data"
    return base64.b64decode(out["data"]["image/png"])


@pytest.fixture(scope="module")
def explorers():
    """One explorer per problem (building one costs a figure; the tests share them)."""
    return {name: GradientDescentExplorer(problem=name) for name in PROBLEMS}


@pytest.mark.parametrize("name", PROBLEMS)
def test_controls_are_the_ones_the_lessons_name(explorers, name):
    e = explorers[name]
    assert isinstance(e, widgets.VBox) and "gd-explorer" in e._dom_classes
    lr = e.controls["learning rate"]
    assert isinstance(lr, widgets.FloatLogSlider) and lr.description == "learning rate"
    assert (lr.base ** lr.min, lr.base ** lr.max) == pytest.approx((1e-4, 10.0))
    batch = e.controls["batch size"]
    assert (batch.min, batch.max) == (1, get_problem(name).n)
    assert all(not w.continuous_update for k, w in e.controls.items() if k != "problem")
    for k in ("epochs", "seed", "problem"):
        assert e.controls[k].description == k
    assert [b.description for b in (e.keep_button, e.clear_button)] == ["keep as reference",
                                                                       "clear references"]


@pytest.mark.parametrize("name", PROBLEMS)
def test_moving_sliders_retrains_with_exactly_those_settings(explorers, name):
    e = explorers[name]
    n = get_problem(name).n
    settings = {"regression": (0.0316, 13, 4, 3), "moons": (0.05, 64, 3, 7),
                "digits": (0.2, 500, 2, 1)}[name]
    lr, batch, epochs, seed = settings
    before_png, before_renders = shown_png(e), e.n_renders
    e.lr_slider.value = lr
    e.batch_slider.value = batch
    e.epochs_slider.value = epochs
    e.seed_slider.value = seed
    h = e.history
    assert (h.lr, h.batch_size, h.epochs, e.run.seed) == (pytest.approx(lr), batch, epochs, seed)
    assert h.n_updates == epochs * math.ceil(n / batch)
    assert e.n_renders == before_renders + 4, "one retrain and redraw per change"
    png = shown_png(e)
    assert png.startswith(PNG_SIGNATURE) and png != before_png and png == e.png


@pytest.mark.parametrize("name", PROBLEMS)
def test_batch_size_label_names_sgd_minibatch_and_batch_gd(explorers, name):
    e = explorers[name]
    n = get_problem(name).n
    seen = {}
    for b in (1, 2, n):
        e.batch_slider.value = b
        seen[b] = e.batch_label.value
        assert e.history.batch_size == b
    assert seen == {1: "SGD", 2: "mini-batch", n: "batch GD"}
    e.batch_slider.value = get_problem(name).defaults["batch_size"]


def test_divergence_shows_the_message_without_exception_or_warning(explorers):
    e = explorers["regression"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e.batch_slider.value = 1
        e.lr_slider.value = 10.0
    assert caught == [], f"warnings leaked: {[str(w.message) for w in caught]}"
    n = e.history.n_updates
    assert e.message.startswith(f"diverged after {n} updates: learning rate 10 is too large")
    assert "diverged after" in e.message_html.value
    assert shown_png(e).startswith(PNG_SIGNATURE)
    e.lr_slider.value = 0.1
    assert e.message is None and e.message_html.value == ""


def test_compare_mode_keeps_and_clears_reference_curves(explorers):
    e = explorers["moons"]
    e.lr_slider.value = 0.01
    first = e.run
    e.keep_button.click()
    assert e.references == [first]
    e.lr_slider.value = 1.0
    png_one_ref = shown_png(e)
    e.keep_button.click()
    e.keep_button.click()                     # the same run is kept once
    assert [r.lr for r in e.references] == [0.01, 1.0]
    fig = e._figures["moons"]
    assert fig.n_reference_artists == 4       # two runs x (per-update, per-epoch)
    assert shown_png(e) != png_one_ref
    e.clear_button.click()
    assert e.references == [] and fig.n_reference_artists == 0
    for lr in (0.02, 0.03, 0.04, 0.05, 0.06, 0.07):
        e.lr_slider.value = lr
        e.keep_reference()
    assert [r.lr for r in e.references] == [0.03, 0.04, 0.05, 0.06, 0.07], "at most 5, oldest dropped"
    e.clear_references()


def test_switching_problem_resets_the_controls(explorers):
    e = GradientDescentExplorer(problem="regression", lr=0.5)
    e.keep_reference()
    e.problem_dropdown.value = "digits"
    p = get_problem("digits")
    assert e.batch_slider.max == p.n and e.epochs_slider.max == p.max_epochs
    assert e.run.problem == "digits" and e.history.batch_size == p.defaults["batch_size"]
    assert e.references == [] and e.lr_slider.value == pytest.approx(p.defaults["lr"])


def test_student_update_that_raises_is_shown_not_raised():
    def sgd_update(params, grads, lr):
        raise NotImplementedError()
    e = GradientDescentExplorer(problem="moons", update=sgd_update)
    assert "your sgd_update raised NotImplementedError" in e.message
    assert "NotImplementedError" in e.message_html.value
    e.lr_slider.value = 0.5                     # still alive: every change reports again
    assert e.run.error is not None and e.history is None
    assert shown_png(e).startswith(PNG_SIGNATURE)


def test_student_update_drives_the_sliders():
    calls = []

    def sgd_update(params, grads, lr):
        calls.append(lr)
        for k in params:
            params[k] -= lr * grads[k]
    e = GradientDescentExplorer(problem="regression", update=sgd_update, batch_size=100, epochs=2)
    assert calls == [0.1, 0.1]
    e.lr_slider.value = 0.25
    assert calls[2:] == [0.25, 0.25] and e.message is None


def test_student_training_loop_mode():
    def my_train(model, X, y, lr, batch_size, epochs, seed=0):
        raise RuntimeError("loop not finished")
    e = GradientDescentExplorer(problem="digits", train_fn=my_train, epochs=1)
    assert e.message == "your my_train raised RuntimeError: loop not finished"


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(problem="xor"), ValueError, "problem must be one of"),
    (dict(lr=20.0), ValueError, "lr must be a number in 0.0001..10, got 20.0"),
    (dict(batch_size=0), ValueError, "batch_size must be a whole number in 1..100, got 0"),
    (dict(epochs=2.5), ValueError, "epochs must be a whole number"),
    (dict(update="sgd"), TypeError, "update must be a function such as sgd_update, got str"),
])
def test_bad_arguments_are_named(kwargs, err, match):
    with pytest.raises(err, match=match):
        GradientDescentExplorer(**kwargs)
