"""helpers._validate: the shared argument checks name the function, the argument, what was expected and what came."""
import numpy as np
import pytest

from helpers._validate import check_fraction, check_in_range, check_int, check_lr


def test_check_int():
    assert check_int(np.int64(3), "n", "f") == 3
    for bad, msg in ((0, "f: n must be a positive int, got 0"), (True, "f: n must be a positive int, got True"),
                     (2.0, "f: n must be a positive int, got 2.0")):
        with pytest.raises(ValueError, match=msg):
            check_int(bad, "n", "f")
    with pytest.raises(ValueError, match=r"f: k must be an int in 2..5, got 6"):
        check_int(6, "k", "f", 2, 5)
    with pytest.raises(ValueError, match=r"f: k must be an int >= 2, got 1"):
        check_int(1, "k", "f", 2)


def test_check_lr_and_ranges():
    assert check_lr(np.float32(0.5), "f") == 0.5
    for bad in (0, -1, float("nan"), float("inf"), "0.1", None, True):
        with pytest.raises(ValueError, match=r"f: lr must be a positive number, got"):
            check_lr(bad, "f")
    assert check_in_range(3, "seed", "g", 0, 99, whole=True) == 3
    with pytest.raises(ValueError, match=r"g: seed must be a whole number in 0..99, got 2.5"):
        check_in_range(2.5, "seed", "g", 0, 99, whole=True)
    with pytest.raises(ValueError, match=r"g: lr must be a number in 0.0001..10, got 20"):
        check_in_range(20, "lr", "g", 1e-4, 10)
    assert check_fraction(0, "beta", "h") == 0.0
    with pytest.raises(ValueError, match=r"h: beta must be a number in \[0, 1\), got 1"):
        check_fraction(1, "beta", "h")
