"""grader.similarity: normalisation ignores names, comments and layout; evidence weighs rarity and size."""
from __future__ import annotations

import math

import pytest

from grader.similarity import MIN_ANSWERS, NODES_PER_BIT, normalise, similar_pairs

BACKWARD = '''
def two_layer_backward(X, y, params, cache):
    """Backward pass."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z1, A1, P = cache
    N = X.shape[0]
    dZ2 = P.copy()
    dZ2[np.arange(N), y] -= 1
    dZ2 /= N
    grads = {"W2": dZ2.T @ A1, "b2": dZ2.sum(axis=0)}
    dA1 = dZ2 @ W2
    dZ1 = dA1 * (Z1 > 0)
    grads["W1"] = dZ1.T @ X
    grads["b1"] = dZ1.sum(axis=0)
    return grads
'''

# the same code, renamed, reformatted, re-commented
BACKWARD_COPY = '''
def two_layer_backward(inputs, labels, p, c):
    # unpack everything first
    w1, bias1, w2, bias2 = p["W1"], p["b1"], p["W2"], p["b2"]
    z, a, probs = c
    n = inputs.shape[0]
    d2 = probs.copy()
    d2[np.arange(n), labels] -= 1   # subtract one at the true class
    d2 /= n
    g = {"W2": d2.T @ a,
         "b2": d2.sum(axis=0)}
    da = d2 @ w2
    dz = da * (z > 0)
    g["W1"] = dz.T @ inputs
    g["b1"] = dz.sum(axis=0)
    return g
'''


def test_normalise_ignores_names_comments_docstrings_and_layout():
    a, b = normalise(BACKWARD), normalise(BACKWARD_COPY)
    assert a is not None and a.canonical == b.canonical
    assert "np.arange" in a.canonical and "two_layer_backward" in a.canonical   # calls and the exercise name kept
    assert "Backward pass" not in a.canonical and "W1" in a.canonical          # docstring dropped, keys kept


@pytest.mark.parametrize("other", [
    "def relu(z):\n    return np.maximum(0, z)\n",        # arguments in another order
    "def relu(z):\n    return z * (z > 0)\n",             # another formula
    "def relu(z):\n    return np.maximum(z, 0.0)\n",      # another constant
])
def test_normalise_keeps_what_changes_the_code(other):
    assert normalise("def relu(z):\n    return np.maximum(z, 0)\n").canonical != normalise(other).canonical


def test_normalise_handles_magics_and_syntax_errors():
    assert normalise("%time x = 1\n") is not None
    assert normalise("def f(:\n") is None
    assert normalise("# only a comment\n") is None


def _class(n_independent):
    """Students who each write their own variant of each exercise (and the same one-liner relu)."""
    rows = []
    for k in range(n_independent):
        rows.append((f"s{k}", "L/relu", "def relu(z):\n    return np.maximum(z, 0)\n"))   # everybody's one-liner
        body = "\n".join(f"    t{j} = x * {k + 2} + {j}" for j in range(k % 3 + 1))
        rows.append((f"s{k}", "L/backward", f"def backward(x):\n{body}\n    return x ** {k + 2}\n"))
        rows.append((f"s{k}", "L/sgd", f"def sgd(p, g, lr):\n    for k in p:\n        p[k] -= lr * g[k] * {k + 1}\n"))
    return rows


def _others(key, n=3):
    """``n`` students who each answer ``key`` in their own way (a class to compare against)."""
    return [(f"o{k}", key, f"def f(x):\n    return x * {k + 2} - {k}\n") for k in range(n)]


def test_only_the_pair_sharing_an_unusual_answer_is_listed():
    rows = _class(8)
    rows += [("alice", "L/backward", BACKWARD), ("bob", "L/backward", BACKWARD_COPY),
             ("alice", "L/relu", "def relu(z):\n    return np.maximum(z, 0)\n"),
             ("bob", "L/relu", "def relu(z):\n    return np.maximum(z, 0)\n")]
    pairs = similar_pairs(rows)
    assert [p.students for p in pairs] == [("alice", "bob")], pairs
    top = pairs[0].shared[0]
    assert top.key == "L/backward" and top.similarity == 1.0 and top.sources == (BACKWARD, BACKWARD_COPY)
    relu = [s for s in pairs[0].shared if s.key == "L/relu"]
    assert not relu or relu[0].bits == 0       # what the whole class wrote is no evidence


def test_a_one_liner_shared_by_two_alone_stays_below_the_threshold():
    rows = [("a", "L/relu", "def relu(z):\n    return np.abs(z) * 0 + np.maximum(z, 0)\n"),
            ("b", "L/relu", "def relu(q):\n    return np.abs(q) * 0 + np.maximum(q, 0)\n"),
            ("c", "L/relu", "def relu(z):\n    return z * (z > 0)\n")] + _others("L/relu", 2)
    assert similar_pairs(rows) == []
    assert similar_pairs(rows, threshold=1)[0].students == ("a", "b")


def test_evidence_is_discounted_by_how_many_others_wrote_it():
    """However long, an answer others wrote too is worth log2(rest / others) bits at most."""
    four = [(f"s{k}", "L/backward", BACKWARD) for k in range(4)]
    pairs = similar_pairs(four + _others("L/backward", 8), threshold=0)
    # every pair of the four: 2 of the 10 others wrote it too, one in five: log2(5) bits
    assert len(pairs) == 6 and normalise(BACKWARD).nodes / NODES_PER_BIT > 20
    assert all(p.bits == pytest.approx(math.log2(5), abs=0.01) for p in pairs), [p.bits for p in pairs]
    # written by 7 of 12: every pair shares it with half of the rest: no evidence at all
    seven = [(f"s{k}", "L/backward", BACKWARD) for k in range(7)]
    assert similar_pairs(seven + _others("L/backward", 5), threshold=0) == []


def test_near_identical_answers_count_with_their_similarity():
    edited = BACKWARD_COPY.replace("d2 /= n", "d2 = d2 / n")
    pairs = similar_pairs([("a", "L/b", BACKWARD), ("b", "L/b", edited)] + _others("L/b"))
    assert pairs and pairs[0].students == ("a", "b")
    assert 0.9 <= pairs[0].shared[0].similarity < 1.0


def test_stubs_and_blank_answers_are_not_evidence():
    stub = "def backward(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    rows = [(s, "L/backward", stub) for s in "abc"] + [("d", "L/backward", ""), ("e", "L/backward", "# nothing\n")]
    rows += [(s, "L/backward", BACKWARD) for s in ("x", "y")] + _others("L/backward", 3)
    pairs = similar_pairs(rows, ignore=[stub], threshold=0)
    assert [p.students for p in pairs] == [("x", "y")], pairs   # compared, but the stubs are no answers


def test_an_exercise_too_few_students_answered_is_not_compared():
    """Two honest students handing in the same model answer, with nobody else to compare with, prove nothing."""
    pair = [("a", "L/b", BACKWARD), ("b", "L/b", BACKWARD_COPY)]
    assert similar_pairs(pair + _others("L/b", MIN_ANSWERS - 3)) == []
    assert [p.students for p in similar_pairs(pair + _others("L/b", MIN_ANSWERS - 2))] == [("a", "b")]


def _own(student: int, key: str) -> str:
    body = "\n".join(f"    t{j} = x * {student + 3} - {j} * {len(key)}" for j in range(student % 4 + 2))
    return f"def f(x):\n{body}\n    return t0 + {student}\n"


def test_coincidences_on_many_exercises_are_discounted_for_being_any_of_them():
    """a and b share six answers that two others each also wrote (4 bits each, 24 in all) among 12
    exercises: which six is chance too (log2 C(12, 6) = 10 bits). Two others share one unseen long answer."""
    n, keys = 34, [f"L/e{k}" for k in range(12)]
    answers = {(f"s{i}", key): _own(i, key) for i in range(n) for key in keys}
    for k, key in enumerate(keys[:6]):
        for s in ("s0", "s1", f"s{2 + 2 * k}", f"s{3 + 2 * k}"):
            answers[s, key] = BACKWARD.replace("N = X.shape[0]", f"N = X.shape[{k}]")
    answers["s30", keys[10]], answers["s31", keys[10]] = BACKWARD, BACKWARD_COPY
    rows = [(s, key, src) for (s, key), src in answers.items()]
    by_pair = {p.students: p for p in similar_pairs(rows, threshold=0)}
    a_b = by_pair[("s0", "s1")]
    assert len(a_b.shared) == 6 and sum(x.bits for x in a_b.shared) == pytest.approx(24, abs=0.1)
    assert a_b.bits == pytest.approx(24 - math.log2(math.comb(12, 6)), abs=0.1)
    assert [p.students for p in similar_pairs(rows)] == [("s30", "s31")]
