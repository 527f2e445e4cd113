"""helpers.course.variants: the common version keeps the defaults; a fingerprint draws, reproducibly."""
import hashlib

import pytest

from helpers.course.variants import Variant

FP_A = hashlib.sha256(b"a").hexdigest()
FP_B = hashlib.sha256(b"b").hexdigest()


def _draw(v):
    return (v.seed("data", 7), v.integer("n", 4, 2, 9), v.choice("lr", 0.1, [0.05, 0.1, 0.2, 0.4]),
            v.uniform("w", 0.5, -1.0, 1.0))


def test_the_common_version_is_every_default():
    v = Variant(None)
    assert _draw(v) == (7, 4, 0.1, 0.5)
    assert v.common and v.values() == {"data": 7, "n": 4, "lr": 0.1, "w": 0.5}


def test_a_fingerprint_draws_the_same_values_whatever_the_order():
    a, again = Variant(FP_A), Variant(FP_A)
    first = _draw(a)
    n, data = again.integer("n", 4, 2, 9), again.seed("data", 7)
    assert (data, n) == first[:2], f"order changed the draws: {(data, n)} vs {first[:2]}"
    assert 2 <= first[1] <= 9 and first[2] in (0.05, 0.1, 0.2, 0.4) and -1.0 <= first[3] <= 1.0
    assert first[3] == round(first[3], 2)


def test_fingerprints_differ_in_their_draws():
    draws = {_draw(Variant(hashlib.sha256(bytes([k])).hexdigest()))[0] for k in range(20)}
    assert len(draws) == 20, f"20 fingerprints gave only {len(draws)} different seeds"
    assert _draw(Variant(FP_A)) != _draw(Variant(FP_B))


@pytest.mark.parametrize("call, words", [
    (lambda: Variant("abc"), "fingerprint must be None or 64"),
    (lambda: Variant(FP_A).integer("n", 10, 2, 9), "low <= default <= high"),
    (lambda: Variant(FP_A).choice("lr", 0.3, [0.1, 0.2]), "not among options"),
    (lambda: Variant(None).seed("Bad Name", 1), "must be a Python identifier"),
])
def test_bad_declarations_are_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_a_name_drawn_twice_is_refused():
    v = Variant(FP_A)
    v.seed("data", 1)
    with pytest.raises(ValueError, match="'data' is drawn twice"):
        v.seed("data", 2)
