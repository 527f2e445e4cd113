"""Tests for helpers.diagrams: the network diagram, confusion matrix and digit grid."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle

from helpers.data import load_digits
from helpers.diagrams import plot_confusion_matrix, plot_digit_grid, plot_network
from helpers.plotting import PALETTE

pytestmark = pytest.mark.filterwarnings("error")


def _by_gid(ax, gid):
    return [line for line in ax.get_lines() if line.get_gid() == gid]


def _labelled(ax):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def _render(ax):
    ax.figure.canvas.draw()                          # surfaces drawing-time warnings


# --------------------------------------------------------------------------- network
def test_network_small():
    ax = plot_network([2, 3, 1])
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 6
    segs = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert [len(c.get_segments()) for c in segs] == [6, 3]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["input\n(2)", "hidden 1\n(3)", "output\n(1)"]
    assert "2 → 3 → 1" in ax.get_title() and "13 parameters" in ax.get_title()
    assert not _by_gid(ax, "ellipsis")
    _render(ax)


def test_network_truncates_wide_layers():
    _, given = plt.subplots()
    ax = plot_network([64, 16, 16, 10], ax=given, max_neurons=8)
    assert ax is given
    assert len([p for p in ax.patches if isinstance(p, Circle)]) == 7 * 4
    assert len(_by_gid(ax, "ellipsis")) == 4
    assert [t.get_text().split("\n")[0] for t in ax.texts] == [
        "input", "hidden 1", "hidden 2", "output"]
    assert "(64)" in ax.texts[0].get_text()
    # every drawn neuron fits inside the view
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for c in ax.patches:
        (cx, cy), r = c.center, c.radius
        assert x0 <= cx - r and cx + r <= x1 and y0 <= cy - r and cy + r <= y1
    _render(ax)


@pytest.mark.parametrize("sizes", [[3], [2, 0], [2, 2.5], "23"])
def test_network_errors(sizes):
    with pytest.raises(ValueError, match="plot_network: layer_sizes must be a sequence"):
        plot_network(sizes)


# --------------------------------------------------------------------------- confusion matrix
def test_confusion_matrix():
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 2])
    ax = plot_confusion_matrix(y_true, y_pred)
    (image,) = ax.images
    np.testing.assert_array_equal(image.get_array(), [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert len(ax.texts) == 9 and ax.texts[0].get_text() == "1"
    assert ax.texts[4].get_color() == "white" and ax.texts[0].get_color() == "black"
    assert "71.4%" in ax.get_title()
    _labelled(ax)
    _, given = plt.subplots()
    ax = plot_confusion_matrix(y_true, y_pred, num_classes=4, ax=given)
    assert ax is given and ax.images[0].get_array().shape == (4, 4)
    with pytest.raises(ValueError, match=r"num_classes \(largest label \+ 1 at least\) must "
                                         r"be an int >= 3, got 2"):
        plot_confusion_matrix(y_true, y_pred, num_classes=2)
    with pytest.raises(ValueError, match=r"y_pred must have shape \(7,\), got \(2,\)"):
        plot_confusion_matrix(y_true, [0, 1])


# --------------------------------------------------------------------------- digits
def test_digit_grid_marks_mistakes():
    X, y, images = load_digits(return_images=True)
    preds = y.copy()
    preds[1] = 7
    axes = plot_digit_grid(images[:10], labels=y[:10], preds=preds[:10], ncols=4)
    assert axes.shape == (3, 4)
    flat = axes.ravel()
    assert all(len(a.images) == 1 for a in flat[:10]) and not flat[10].images
    np.testing.assert_array_equal(flat[3].images[0].get_array(), images[3])
    assert flat[1].get_title() == "y=1 pred=7" and flat[0].get_title() == "y=0 pred=0"
    assert flat[1].title.get_color() == PALETTE[3] != flat[0].title.get_color()
    _render(flat[0])


def test_digit_grid_flat_images_and_given_axes():
    X, y = load_digits()
    _, given = plt.subplots(2, 3)
    axes = plot_digit_grid(X[:20], labels=y[:20], n=6, axes=given)
    assert axes.shape == (2, 3) and all(a is b for a, b in zip(axes.ravel(), given.ravel()))
    assert given[1, 2].get_title() == f"y={y[5]}"
    with pytest.raises(ValueError, match="n must be at most the number of images 20, got 21"):
        plot_digit_grid(X[:20], n=21)
    with pytest.raises(ValueError, match="axes must hold at least n=6 axes, got 2"):
        plot_digit_grid(X[:20], n=6, axes=given[0, :2])
    with pytest.raises(ValueError, match=r"images must have shape \(M, 8, 8\) or \(M, 64\)"):
        plot_digit_grid(np.zeros((3, 5)))
