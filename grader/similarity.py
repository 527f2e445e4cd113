"""Similar answers across a class: which students handed in the same unusual code.

Each answer cell is *normalised* before it is compared: parsed as IPython parses it,
docstrings and bare strings dropped, every local name (arguments, assigned names,
loop variables, nested functions) renamed ``v0, v1, ...`` in the order it first
appears, then printed back with :func:`ast.unparse` -- so comments, formatting,
blank lines and the choice of variable names no longer matter, while the code's
structure and the library calls it makes (``np.maximum``, ``.T``) do.

Evidence is counted in **bits** per exercise two students share: minus the log2 of the chance
that two students working alone would write this answer. That chance is at least what the answer's
size allows and at least how often the rest of the class wrote it:

    bits = similarity * min(nodes / NODES_PER_BIT, log2(rest / others))   (others > 0)
    bits = similarity * nodes / NODES_PER_BIT                              (others = 0)

* ``nodes``: the size of the shared answer (AST nodes). Short answers coincide by
  chance, long ones do not: one bit per :data:`NODES_PER_BIT` nodes. The one-liner
  ``return np.maximum(z, 0)`` is about 3 bits, a 15-line backward pass about 40.
* ``others`` of ``rest``: how many of the rest of the class (everyone but the pair who
  answered it) wrote the same or a near-identical answer. An answer one in eight of them
  wrote is worth at most 3 bits however long it is; one at least half of them wrote is
  worth at most 1 bit, which is no evidence (an exercise counts only above
  :data:`MIN_BITS`): it is the lesson's usual answer, not copying.
* ``similarity``: 1 for identical normalised answers, the token-sequence ratio for
  near-identical ones (>= :data:`NEAR`), else the exercise does not count.

An exercise is compared only when at least :data:`MIN_ANSWERS` students answered it (the pair and
three others): with fewer there is no class to tell a rare answer from the lesson's usual one.

A pair's evidence is the sum over the exercises it shares, less ``log2 C(n, m)`` for the m shared
exercises being any m of the n both answered (four common-ish answers that happen to coincide
among thirty exercises are not four independent surprises). A pair is listed when that reaches
:data:`THRESHOLD` (24 bits: a chance of 1 in 16 million for two students working alone; in a
class of 300, 45,000 pairs, about one run in 370 would list an honest pair by chance; as much
as about 100 AST nodes, 8-10 lines, of identical code nobody else wrote). The list is evidence for an
instructor to read side by side, never a verdict. Known limit: a group of three or more sharing
one answer discounts itself (for each of its pairs the rest of the group are "others who wrote it").

Interface: :func:`normalise` (one source) and :func:`similar_pairs` (a class).
"""
from __future__ import annotations

import ast
import difflib
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from .pyparse import parse

__all__ = ["Normalised", "Shared", "Pair", "normalise", "similar_pairs", "NODES_PER_BIT", "NEAR",
           "THRESHOLD", "MIN_ANSWERS", "MIN_BITS"]

NODES_PER_BIT = 4
NEAR = 0.9
THRESHOLD = 24.0
MIN_ANSWERS = 5
MIN_BITS = 1.0


@dataclass(frozen=True)
class Normalised:
    """One answer after normalisation: the canonical text, its tokens and its size in AST nodes."""
    canonical: str
    tokens: tuple[str, ...]
    nodes: int


@dataclass(frozen=True)
class Shared:
    """One exercise on which a pair agrees: how closely, how much it weighs, both answers as handed in."""
    key: str
    similarity: float
    bits: float
    sources: tuple[str, str]


@dataclass(frozen=True)
class Pair:
    """Two students whose shared answers reach the threshold, strongest evidence first."""
    students: tuple[str, str]
    bits: float
    shared: tuple[Shared, ...]


class _Renamer(ast.NodeVisitor):
    """Rename the local names of every function ``v0, v1, ...``; drop docstrings and bare strings."""

    def __init__(self):
        self.names: dict[str, str] = {}
        self.local: set[str] = set()

    def _new(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_FunctionDef(self, node):
        outer = self.local
        if outer:                                  # a nested function is itself a local name
            node.name = self._new(node.name)
        self.local = outer | _bound_names(node)
        for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs + \
                [x for x in (node.args.vararg, node.args.kwarg) if x]:
            a.arg = self._new(a.arg)
            a.annotation = None
        node.returns = None
        for d in node.decorator_list:
            self.visit(d)
        node.body = _without_strings(node.body) or [ast.Pass()]
        for s in node.body:
            self.visit(s)
        self.local = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Name(self, node):
        if node.id in self.local:
            node.id = self._new(node.id)


def _bound_names(fn) -> set[str]:
    """Names a function binds: its arguments and every name it stores (not ``global`` ones)."""
    args = fn.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a}
    declared = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not fn:
            names.add(node.name)
    return names - declared


def _without_strings(body):
    return [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                    and isinstance(s.value.value, str))]


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\d+\.?\d*(?:e[-+]?\d+)?|\S")


def normalise(source: str) -> Normalised | None:
    """The canonical form of one answer cell; ``None`` when it does not parse or is empty."""
    from .tamper import parse_cell        # IPython's own cell transform (magics become calls)
    try:
        tree = parse(source)          # plain Python parses alike, ten times faster
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = parse_cell(source)
    if tree is None:
        return None
    tree.body = _without_strings(tree.body)
    if not tree.body:
        return None
    _Renamer().visit(tree)                 # renames in place
    text = ast.unparse(tree)
    return Normalised(text, tuple(_TOKEN.findall(text)), sum(1 for _ in ast.walk(tree)))


def _similarity(a: Normalised, b: Normalised) -> float:
    if a.canonical == b.canonical:
        return 1.0
    la, lb = len(a.tokens), len(b.tokens)
    if 2 * min(la, lb) < NEAR * (la + lb):        # the lengths alone rule out a ratio >= NEAR
        return 0.0
    m = difflib.SequenceMatcher(None, a.tokens, b.tokens, autojunk=False)
    if m.quick_ratio() < NEAR:
        return 0.0
    r = m.ratio()
    return r if r >= NEAR else 0.0


def _close_pairs(answers: dict[str, tuple[str, Normalised]]) -> dict[tuple[str, str], float]:
    """-> ``{(s, t): similarity}`` (``s < t``), each distinct normalised answer compared once."""
    groups: dict[str, list[str]] = defaultdict(list)
    for s in sorted(answers):
        groups[answers[s][1].canonical].append(s)
    sim = {p: 1.0 for members in groups.values() for p in combinations(members, 2)}
    for f, g in combinations(sorted(groups), 2):
        r = _similarity(answers[groups[f][0]][1], answers[groups[g][0]][1])
        if r:
            sim.update({tuple(sorted((s, t))): r for s in groups[f] for t in groups[g]})
    return sim


def _bits(similarity: float, nodes: int, others: int, rest: int) -> float:
    size = nodes / NODES_PER_BIT
    return similarity * (size if others == 0 else min(size, math.log2(rest / others)))


def _exercise_evidence(key, answers: dict[str, tuple[str, Normalised]]):
    """-> ``{(s, t): Shared}`` for every pair of students whose agreement on ``key`` is evidence."""
    rest = len(answers) - 2
    sim = _close_pairs(answers)
    close = defaultdict(set)
    for s, t in sim:
        close[s].add(t)
        close[t].add(s)
    out = {}
    for (s, t), r in sim.items():
        if max(len(close[s]), len(close[t])) - 1 >= rest / 2 ** MIN_BITS:
            continue                   # enough of the others wrote it: no evidence (and no set union)
        others = len((close[s] | close[t]) - {s, t})
        bits = _bits(r, min(answers[s][1].nodes, answers[t][1].nodes), others, rest)
        if bits > MIN_BITS:
            out[s, t] = Shared(key, round(r, 3), round(bits, 2), (answers[s][0], answers[t][0]))
    return out


def similar_pairs(answers, ignore=(), threshold: float = THRESHOLD, min_answers: int = MIN_ANSWERS) -> list[Pair]:
    """Pairs of students whose shared answers reach ``threshold`` bits, strongest first.

    ``answers``: iterable of ``(student, key, source)`` (``key`` names the exercise, e.g.
    ``"03_backpropagation/dense_backward"``); ``ignore``: sources that are not answers (the
    released stub, ``raise NotImplementedError()``), compared after normalisation; an exercise fewer than
    ``min_answers`` students answered is not compared.
    """
    skip = {n.canonical for n in map(normalise, ignore) if n}
    by_key: dict[str, dict[str, tuple[str, Normalised]]] = defaultdict(dict)
    for student, key, source in answers:
        n = normalise(source or "")
        if n is not None and n.canonical not in skip and "NotImplementedError" not in n.canonical:
            by_key[key][student] = (source, n)
    compared = sorted(k for k, v in by_key.items() if len(v) >= min_answers)
    evidence: dict[tuple[str, str], list[Shared]] = defaultdict(list)
    for key in compared:
        for pair, shared in _exercise_evidence(key, by_key[key]).items():
            evidence[pair].append(shared)
    answered = {s: {k for k in compared if s in by_key[k]} for s in {s for p in evidence for s in p}}
    pairs = []
    for (s, t), sh in evidence.items():
        bits = sum(x.bits for x in sh) - math.log2(math.comb(len(answered[s] & answered[t]), len(sh)))
        if bits >= threshold:
            pairs.append(Pair((s, t), round(bits, 2), tuple(sorted(sh, key=lambda x: -x.bits))))
    return sorted(pairs, key=lambda p: (-p.bits, p.students))
