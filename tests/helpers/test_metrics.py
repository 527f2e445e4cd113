"""Tests for helpers.metrics: accuracy and the confusion matrix."""
import numpy as np
import pytest

from helpers.metrics import accuracy, confusion_matrix


def test_accuracy_on_known_values():
    assert accuracy([0, 1, 2, 1], [0, 1, 1, 1]) == 0.75
    assert accuracy(np.array([3]), np.array([3])) == 1.0
    assert accuracy([0, 0], [1, 1]) == 0.0
    assert accuracy(np.array([1.0, 0.0]), np.array([1, 1])) == 0.5, "whole-number floats are labels"
    assert accuracy(np.array([True, False]), np.array([1, 1])) == 0.5
    assert type(accuracy([0], [0])) is float


def test_confusion_matrix_on_a_known_case():
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 0, 2]
    m = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(m, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert m.dtype == np.int64
    assert m.sum() == 6 and np.trace(m) / m.sum() == accuracy(y_pred, y_true)
    np.testing.assert_array_equal(m.sum(axis=1), np.bincount(y_true), err_msg="rows are true classes")


def test_confusion_matrix_with_more_classes_than_seen():
    m = confusion_matrix([0, 1], [1, 1], num_classes=4)
    assert m.shape == (4, 4)
    np.testing.assert_array_equal(m[:2, :2], [[0, 1], [0, 1]])
    assert m[2:].sum() == 0 and m[:, 2:].sum() == 0


def test_confusion_matrix_agrees_with_a_loop():
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    loop = np.zeros((5, 5), int)
    for i, j in zip(t, p):
        loop[i, j] += 1
    np.testing.assert_array_equal(confusion_matrix(t, p), loop)


def test_bad_labels_are_rejected():
    with pytest.raises(ValueError, match=r"accuracy: y_pred has shape \(3,\) but y_true has \(2,\)"):
        accuracy([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match=r"accuracy: y_pred must be 1-D labels \(N,\), got shape \(2, 3\)"):
        accuracy(np.zeros((2, 3)), [0, 1])
    with pytest.raises(TypeError, match=r"accuracy: y_true must hold integer labels, got dtype float64"):
        accuracy([0, 1], [0.5, 1.0])
    with pytest.raises(ValueError, match=r"accuracy: y_true contains NaN or inf"):
        accuracy([0, 1], [np.nan, 1.0])
    with pytest.raises(ValueError, match=r"accuracy: no labels given \(N == 0\)"):
        accuracy([], [])
    with pytest.raises(ValueError, match=r"confusion_matrix: labels must be in 0..1, got labels in 0..2"):
        confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match=r"confusion_matrix: labels must be in 0..2, got labels in -1..2"):
        confusion_matrix([0, -1], [0, 2])
    with pytest.raises(ValueError, match=r"confusion_matrix: num_classes must be a positive int, got 0"):
        confusion_matrix([0], [0], num_classes=0)
    with pytest.raises(ValueError, match=r"confusion_matrix: y_pred has shape \(1,\) but y_true has \(2,\)"):
        confusion_matrix([0, 1], [0])
