"""Tests for helpers.data: toy datasets, the bundled digits, splitting, one-hot."""
import gzip
import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import (DIGITS_PATH, load_digits, make_moons, make_regression_1d,
                          make_spirals, one_hot, train_val_test_split)

pytestmark = pytest.mark.filterwarnings("error")


# --------------------------------------------------------------------------- moons
def test_moons_shapes_dtypes_and_balance():
    X, y = make_moons(201)
    assert X.shape == (201, 2) and X.dtype == np.float64
    assert y.shape == (201,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert np.bincount(y).tolist() == [100, 101]


def test_moons_deterministic_per_seed_and_different_across_seeds():
    X1, y1 = make_moons(seed=3)
    X2, y2 = make_moons(seed=3)
    X3, _ = make_moons(seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = make_moons(100, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert np.all(upper[:, 1] >= -1e-12) and np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_moons_have_class_structure():
    X, y = make_moons(200, noise=0.1, seed=0)
    m0, m1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
    assert m0[0] < m1[0] - 0.5 and m0[1] > m1[1] + 0.5
    # leave-one-out 1-nearest-neighbour: the moons are well separated locally
    d = np.linalg.norm(X[:, None] - X[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    assert np.mean(y[d.argmin(axis=1)] == y) > 0.95


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"n_samples": -3}, ValueError, "make_moons: n_samples must be a positive int, got -3"),
    ({"n_samples": 2.5}, ValueError, "n_samples must be a positive int, got 2.5"),
    ({"n_samples": True}, ValueError, "n_samples must be a positive int"),
    ({"noise": -0.1}, ValueError, "make_moons: noise must be >= 0, got -0.1"),
    ({"noise": "a"}, TypeError, "make_moons: noise must be a finite real number"),
    ({"seed": -1}, ValueError, "make_moons: seed must be None, a non-negative int"),
    ({"seed": "x"}, ValueError, "make_moons: seed must be"),
])
def test_moons_bad_arguments(kwargs, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        make_moons(**kwargs)


def test_seed_may_be_a_generator():
    X1, _ = make_moons(seed=np.random.default_rng(7))
    X2, _ = make_moons(seed=7)
    np.testing.assert_array_equal(X1, X2)


# --------------------------------------------------------------------------- spirals
def test_spirals_shapes_and_balance():
    X, y = make_spirals(301, n_classes=4)
    assert X.shape == (301, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [76, 75, 75, 75]


def test_spirals_geometry_without_noise():
    X, y = make_spirals(300, n_classes=3, noise=0.0, seed=1)
    for k in range(3):
        pts = X[y == k]
        r = np.hypot(*pts.T)
        order = np.argsort(r)
        np.testing.assert_allclose(r[order], np.linspace(0, 1, 100), atol=1e-12)
        t = np.arctan2(pts[order, 0], pts[order, 1])            # x = r sin t, y = r cos t
        expected = np.linspace(4 * k, 4 * (k + 1), 100)
        diff = np.angle(np.exp(1j * (t[1:] - expected[1:])))     # skip r = 0, compare mod 2pi
        np.testing.assert_allclose(diff, 0, atol=1e-9)


def test_spirals_deterministic_and_seed_dependent():
    a, b, c = make_spirals(seed=0), make_spirals(seed=0), make_spirals(seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(a[0], c[0])
    assert np.abs(a[0]).max() <= 1.0 + 1e-12                  # noise is on the angle only


@pytest.mark.parametrize("kwargs, message", [
    ({"n_classes": 1}, "make_spirals: n_classes must be an int >= 2, got 1"),
    ({"n_samples": 2, "n_classes": 3}, "make_spirals: n_samples must be >= n_classes=3, got 2"),
    ({"n_samples": 0}, "make_spirals: n_samples must be a positive int, got 0"),
])
def test_spirals_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_spirals(**kwargs)


# --------------------------------------------------------------------------- regression
def test_regression_shapes_range_and_noise_level():
    x, y = make_regression_1d(4000, noise=0.3, seed=2, slope=-1.5, intercept=0.5)
    assert x.shape == (4000, 1) and y.shape == (4000, 1)
    assert x.dtype == y.dtype == np.float64
    assert -1 <= x.min() < -0.99 and 0.99 < x.max() <= 1
    residual = y - (-1.5 * x + 0.5)
    assert abs(residual.std() - 0.3) < 0.02
    assert abs(residual.mean()) < 0.03
    w, b = np.polyfit(x[:, 0], y[:, 0], 1)
    assert abs(w + 1.5) < 0.05 and abs(b - 0.5) < 0.03


def test_regression_without_noise_is_exactly_linear():
    x, y = make_regression_1d(50, noise=0.0)
    np.testing.assert_allclose(y, 2.0 * x - 1.0, rtol=0, atol=1e-15)


def test_regression_determinism_and_errors():
    np.testing.assert_array_equal(make_regression_1d(seed=5)[1], make_regression_1d(seed=5)[1])
    assert not np.allclose(make_regression_1d(seed=5)[1], make_regression_1d(seed=6)[1])
    with pytest.raises(TypeError, match="make_regression_1d: slope must be a finite real"):
        make_regression_1d(slope=np.inf)


# --------------------------------------------------------------------------- digits
def test_digits_shapes_dtypes_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X * 16, np.round(X * 16))      # pixels were 0..16 counts


def test_digits_classes():
    _, y = load_digits()
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.sum() == 1797
    assert np.all((170 <= counts) & (counts <= 190))
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_digits_images_and_known_content():
    X, y, images = load_digits(return_images=True)
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    assert y[0] == 0 and (X[0, :8] * 16).tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    zero, one = images[y == 0].mean(axis=0), images[y == 1].mean(axis=0)
    assert zero[3:5, 3:5].mean() < 0.2 < 0.6 < zero[2:6, 2].mean()   # a ring with a hole
    assert one[2:6, 3:5].mean() > 0.6 > 0.1 > one[:, 0].mean()        # a vertical stroke


def test_digits_returns_fresh_arrays():
    X, y = load_digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0.0 and y2.min() == 0


def test_digits_file_is_the_documented_one():
    readme = (Path(DIGITS_PATH).parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(Path(DIGITS_PATH).read_bytes()).hexdigest()
    assert digest in readme
    with gzip.open(DIGITS_PATH, "rt") as f:
        rows = f.read().splitlines()
    assert len(rows) == 1797 and all(len(r.split(",")) == 65 for r in rows)


def test_digits_bad_argument():
    with pytest.raises(TypeError, match="load_digits: return_images must be a bool"):
        load_digits(return_images="yes")


# --------------------------------------------------------------------------- split
def test_split_sizes_partition_and_stratification():
    X, y = load_digits()
    idx = np.arange(len(y))
    parts = train_val_test_split(idx, y, val_fraction=0.15, test_fraction=0.15, seed=0)
    i_tr, y_tr, i_va, y_va, i_te, y_te = parts
    assert (len(i_tr), len(i_va), len(i_te)) == (1257, 270, 270)
    assert sorted(np.concatenate([i_tr, i_va, i_te]).tolist()) == idx.tolist()
    for i, yy in ((i_tr, y_tr), (i_va, y_va), (i_te, y_te)):
        np.testing.assert_array_equal(y[i], yy)
    expected = np.bincount(y) * 270 / 1797
    assert np.all(np.abs(np.bincount(y_te, minlength=10) - expected) < 1)
    assert np.all(np.abs(np.bincount(y_va, minlength=10) - expected) < 2)
    assert not np.all(np.diff(y_te) >= 0)           # shuffled, not grouped by class


def test_split_deterministic_and_seed_dependent():
    X, y = make_moons(100)
    a = train_val_test_split(X, y, seed=1)
    b = train_val_test_split(X, y, seed=1)
    c = train_val_test_split(X, y, seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


def test_split_regression_targets_and_no_stratify():
    x, y = make_regression_1d(100)
    x_tr, y_tr, x_va, y_va, x_te, y_te = train_val_test_split(x, y, 0.2, 0.1)
    assert (x_tr.shape, y_va.shape, x_te.shape) == ((70, 1), (20, 1), (10, 1))
    np.testing.assert_allclose(y_tr, 2 * x_tr - 1, atol=0.5)      # rows stay paired
    _, y = make_moons(40)
    parts = train_val_test_split(y[:, None], y, 0.0, 0.25, stratify=False)
    assert [len(p) for p in parts] == [30, 30, 0, 0, 10, 10]


@pytest.mark.parametrize("args, exc, message", [
    ((np.zeros((5, 2)), np.zeros(4, int)), ValueError, "same number of rows"),
    ((np.zeros((10, 2)), np.zeros(10, int), 0.5, 0.5), ValueError, "leave no training data"),
    ((np.zeros((10, 2)), np.zeros(10, int), -0.1), ValueError,
     "train_val_test_split: val_fraction must be in [0, 1), got -0.1"),
    ((np.zeros((10, 2)), np.zeros(10, int), 0.1, "x"), TypeError, "test_fraction must be"),
])
def test_split_errors(args, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        train_val_test_split(*args)


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(0, 30), min_size=1, max_size=6).filter(lambda c: sum(c) > 2),
       val=st.floats(0, 0.45), test=st.floats(0, 0.45), seed=st.integers(0, 1000))
def test_split_property_partition_and_proportions(counts, val, test, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    n_te, n_va = round(test * n), round(val * n)
    if n_te + n_va >= n:
        with pytest.raises(ValueError, match="no training data"):
            train_val_test_split(np.arange(n), y, val, test, seed=seed)
        return
    i_tr, y_tr, i_va, y_va, i_te, y_te = train_val_test_split(np.arange(n), y, val, test,
                                                              seed=seed)
    assert (len(i_te), len(i_va)) == (n_te, n_va)
    assert sorted(np.concatenate([i_tr, i_va, i_te]).tolist()) == list(range(n))
    c = np.array(counts)
    k = len(counts)
    assert np.all(np.abs(np.bincount(y_te, minlength=k) - c * n_te / n) < 1)
    assert np.all(np.abs(np.bincount(y_va, minlength=k) - c * n_va / n) < 2)


# --------------------------------------------------------------------------- one_hot
def test_one_hot_values_and_round_trip():
    y = np.array([2, 0, 1, 2])
    Y = one_hot(y)
    assert Y.shape == (4, 3) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(Y.argmax(axis=1), y)
    assert one_hot(y, num_classes=5).shape == (4, 5)
    assert one_hot([1, 0]).tolist() == [[0, 1], [1, 0]]
    _, labels = load_digits()
    np.testing.assert_array_equal(one_hot(labels, 10).argmax(axis=1), labels)
    assert one_hot(labels).sum() == 1797


@pytest.mark.parametrize("y, kwargs, exc, message", [
    ([0, 3, 1], {"num_classes": 3}, ValueError,
     "one_hot: label y[1] = 3 is out of range for num_classes=3 (labels must be in 0..2)"),
    ([0, -2], {}, ValueError, "one_hot: labels must be non-negative, got y[1] = -2"),
    ([0.0, 1.0], {}, TypeError, "one_hot: y must hold integer labels, got dtype float64"),
    ([[0, 1]], {}, ValueError, "one_hot: y must be a 1-D array of labels (N,), got shape (1, 2)"),
    ([0, 1], {"num_classes": 0}, ValueError, "one_hot: num_classes must be a positive int, got 0"),
])
def test_one_hot_errors(y, kwargs, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        one_hot(y, **kwargs)


# --------------------------------------------------------------------------- circles, xor
def test_circles_without_noise_lie_on_two_circles():
    from helpers.data import make_circles
    X, y = make_circles(101, noise=0.0, factor=0.4)
    assert X.shape == (101, 2) and y.dtype == np.int64 and np.bincount(y).tolist() == [50, 51]
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.4)


def test_circles_and_xor_deterministic_per_seed():
    from helpers.data import make_circles, make_xor
    for make in (make_circles, make_xor):
        a, b, c = make(seed=5), make(seed=5), make(seed=6)
        np.testing.assert_array_equal(a[0], b[0])
        assert not np.allclose(a[0], c[0]), make.__name__


def test_xor_labels_follow_the_quadrants():
    from helpers.data import make_xor
    X, y = make_xor(400, noise=0.0, seed=1)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert 150 < y.sum() < 250


@pytest.mark.parametrize("bad", [dict(noise=-1), dict(n_samples=0), dict(seed=-2)])
def test_circles_xor_bad_input_names_the_argument(bad):
    from helpers.data import make_circles, make_xor
    for make in (make_circles, make_xor):
        with pytest.raises((ValueError, TypeError), match=f"{make.__name__}: {next(iter(bad)).split('_')[0]}"):
            make(**bad)
