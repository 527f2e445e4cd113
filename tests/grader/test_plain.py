"""Plain data across the trust boundary: what is encoded, what is refused, and how it is decoded."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from grader.bw_kernel import plain
from grader.bw_kernel.plain import DecodeError, decode, dumps, encode, loads


def _round(value):
    return loads(dumps(value))


@pytest.mark.parametrize("value", [None, True, False, 0, -7, 2 ** 70, 1.5, "text", "",
                                   [1, [2.0, None]], (1, "a"), {"a": 1, 3: [True]}, ()])
def test_plain_values_round_trip_with_their_exact_types(value):
    got = _round(value)
    assert got == value and type(got) is type(value)


def test_special_floats_and_numpy_scalars():
    got = _round([math.inf, -math.inf, np.float32(1.25), np.int64(-3), np.bool_(True)])
    assert got[0] == math.inf and got[1] == -math.inf
    assert type(got[2]) is np.float32 and got[2] == np.float32(1.25)
    assert type(got[3]) is np.int64 and type(got[4]) is np.bool_
    assert math.isnan(_round(math.nan))


@pytest.mark.parametrize("arr", [np.arange(6, dtype=np.int32).reshape(2, 3), np.zeros((0, 4)),
                                 np.array([True, False]), np.linspace(0, 1, 5, dtype=np.float32)[::2],
                                 np.array([1 + 2j]), np.asfortranarray(np.ones((3, 2))), np.array(3.0)])
def test_numeric_arrays_round_trip(arr):
    got = _round(arr)
    assert type(got) is np.ndarray and got.dtype == arr.dtype and got.shape == arr.shape
    assert np.array_equal(got, arr) and got.flags.writeable


class MyList(list):
    pass


class WithArray:
    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)


@pytest.mark.parametrize("value", [np.array(["a"]), np.array([object()]), np.zeros(2, dtype="M8[s]"),
                                   np.zeros(2, dtype=[("x", "f8")]), {1, 2}, b"bytes", MyList([1]),
                                   WithArray(), {(1, 2): 3}, lambda: 0, np.ma.masked_array([1.0])])
def test_everything_else_is_not_plain(value):
    with pytest.raises(TypeError, match="not plain data|nested"):
        encode(value)
    refs = []
    tree = encode(value, ref=lambda o: (refs.append(o) or len(refs), "object", type(o).__name__))
    assert tree["__ref__"] == 1 and refs == [value], "a non-plain value must cross as a reference only"


def test_a_reference_is_only_decoded_into_the_receivers_proxy():
    tree = {"__ref__": 4, "kind": "callable", "name": "f"}
    with pytest.raises(DecodeError, match="only plain data"):
        decode(tree)
    assert decode(tree, proxy=lambda rid, kind, name: ("proxy", rid, kind, name)) == ("proxy", 4, "callable", "f")


@pytest.mark.parametrize("tree, phrase", [
    ({"__nd__": "O", "shape": [1], "b64": "AAAAAAAAAAA="}, "may not cross"),
    ({"__nd__": "<U1", "shape": [1], "b64": "AAAAAA=="}, "may not cross"),
    ({"__nd__": "V8", "shape": [1], "b64": "AAAAAAAAAAA="}, "may not cross"),
    ({"__nd__": "nonsense", "shape": [1], "b64": ""}, "bad dtype"),
    ({"__nd__": "<f8", "shape": [2], "b64": "AAAAAAAAAAA="}, "needs 16 bytes, got 8"),
    ({"__nd__": "<f8", "shape": [-1], "b64": ""}, "bad array shape"),
    ({"__nd__": "<f8", "shape": [1 << 40], "b64": ""}, "too large"),
    ({"__nd__": "<f8", "shape": [1], "b64": "***"}, "not base64"),
    ({"__nd__": "<f8", "shape": [1], "b64": "AAAAAAAAAAA=", "extra": 1}, "bad array keys"),
    ({"__np__": "O", "b64": ""}, "may not cross"),
    ({"__f__": "1e999"}, "bad float"),
    ({"__tuple__": "abc"}, "bad tuple"),
    ({"__dict__": [[None, 1]]}, "bad dict item"),
    ({"__dict__": [[True, 1]]}, "bad dict item"),
    ({"__class__": "os.system"}, "exactly one known tag"),
    ({"__tuple__": [], "__dict__": []}, "exactly one known tag"),
    ({"__ref__": "1", "kind": "object", "name": "x"}, "bad reference"),
    ({"__ref__": 1, "kind": "module", "name": "x"}, "bad reference"),
    (10 ** 500, "integer too large"),
])
def test_malformed_payloads_are_refused_by_name(tree, phrase):
    with pytest.raises(DecodeError, match=phrase):
        decode(tree)


def test_huge_deep_and_crowded_messages_are_refused(monkeypatch):
    with pytest.raises(DecodeError, match="expected a str message"):
        loads(b"[]")
    with pytest.raises(DecodeError, match="not JSON"):
        loads("[1, 2")
    with pytest.raises(DecodeError, match="bare NaN"):
        loads("[NaN]")
    with pytest.raises(DecodeError, match="nested"):
        loads("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DecodeError, match="nested deeper"):
        decode(json.loads("[" * 40 + "]" * 40))
    with pytest.raises(DecodeError, match="more than"):
        decode([0] * (plain.MAX_ITEMS + 1))
    with pytest.raises(DecodeError, match="string too long"):
        decode("x" * (plain.MAX_STR + 1))
    monkeypatch.setattr(plain, "MAX_PAYLOAD", 1000)
    with pytest.raises(DecodeError, match="at most 1000"):
        loads(json.dumps("y" * 2000))
    with pytest.raises(DecodeError, match="array too large"):
        decode({"__nd__": "<f8", "shape": [200], "b64": ""})


def test_decoded_nodes_have_exact_types_only():
    class Sneaky(dict):
        pass
    with pytest.raises(DecodeError, match="unexpected Sneaky"):
        decode([Sneaky()])
    with pytest.raises(DecodeError, match="unexpected tuple"):
        decode((1, 2))       # only what json.loads makes is accepted
