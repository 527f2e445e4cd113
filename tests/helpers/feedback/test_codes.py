"""helpers.feedback.codes: every diagnosis code in use has one entry (words for both readers, 2-3 hints),
and no hint quotes a hidden test or gives away a model answer before its last step.

The codes in use are found in the source, not listed here: the codes helpers.feedback raises or
returns, the codes and ``mistakes=`` names of the solutions' test cells, and the diagnoses the
wrong-answer tables expect -- so a new code without an entry fails this test.
"""
from __future__ import annotations

import ast
import json
import re
import runpy
import textwrap
from functools import lru_cache
from pathlib import Path

import pytest

from helpers.feedback.codes import DIAGNOSES, UNKNOWN, Diagnosis, hints
from helpers.feedback.codes.general import GENERAL
from helpers.feedback.codes.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[3]
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
_SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def _strs(node) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strs(node.body) | _strs(node.orelse)
    return set()


def _assigned_codes(node: ast.Assign) -> set[str]:
    """``code = "..."`` and ``hint, code = "...", "..."``."""
    found = set()
    for target in node.targets:
        if isinstance(target, ast.Name) and target.id == "code":
            found |= _strs(node.value)
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            found |= {c for a, b in zip(target.elts, node.value.elts)
                      if isinstance(a, ast.Name) and a.id == "code" for c in _strs(b)}
    return found


def codes_in_source(source: str) -> tuple[set[str], set[str], set[str]]:
    """-> (codes, f-string code patterns such as ``factor_{}``, codes named in ``mistakes=``) a piece of
    Python raises, returns or names."""
    codes, patterns, named = set(), set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                codes |= _strs(kw.value) if kw.arg == "code" else set()
                if kw.arg == "mistakes" and isinstance(kw.value, ast.Dict):
                    named |= {c for k in kw.value.keys if k is not None for c in _strs(k)}
            if getattr(node.func, "id", "") == "_fail" and len(node.args) >= 3:
                codes |= _strs(node.args[2])
        elif isinstance(node, ast.Assign):
            codes |= _assigned_codes(node)
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and node.value.elts:
            first = node.value.elts[0]      # explain_*: ``return code, message``
            codes |= _strs(first)
            if isinstance(first, ast.JoinedStr):
                patterns.add("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in first.values))
        elif isinstance(node, ast.FunctionDef):   # ``def __init__(..., code="mismatch")``
            a = node.args
            pairs = list(zip(a.kwonlyargs, a.kw_defaults)) + list(zip(a.args[len(a.args) - len(a.defaults):], a.defaults))
            codes |= {c for arg, d in pairs if arg.arg == "code" and d is not None for c in _strs(d)}
    return codes | named, patterns, named


@lru_cache(maxsize=None)
def _cells() -> tuple[tuple[str, str, str], ...]:
    """(notebook, cell type, source) of every solution cell."""
    out = []
    for nb in sorted(ROOT.glob("solutions/*/*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            out.append((nb.name, cell["cell_type"], "".join(cell["source"])))
    return tuple(out)


def _python(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


@lru_cache(maxsize=None)
def codes_in_use() -> dict[str, set[str]]:
    """source -> the diagnosis codes it uses (f-string patterns expanded by the sizes test cells name)."""
    helpers, patterns = set(), set()
    for f in sorted((ROOT / "helpers" / "feedback").glob("*.py")):
        c, p, _ = codes_in_source(f.read_text())
        helpers, patterns = helpers | c, patterns | p
    solutions, named, sizes = set(), set(), {"N"}          # N: check_array(..., batch_size=N)
    for _, kind, source in _cells():
        if kind == "code":
            c, _, n = codes_in_source(_python(source))
            solutions, named = solutions | c, named | n
            for body in re.findall(r"sizes\s*=\s*\{([^}]*)\}", source):
                sizes |= set(re.findall(r"""["'](\w+)["']\s*:""", body))
    helpers |= {p.format(k) for p in patterns for k in sizes}
    wrong = set()
    for table in sorted((ROOT / "tests" / "lessons" / "wrong_answers").glob("*.py")):
        ns = runpy.run_path(str(table))
        for name in ("WRONG", "WRONG_PUBLIC"):
            wrong |= {e[2] for entries in ns.get(name, {}).values() for e in entries if len(e) > 2 and e[2]}
    return {"helpers/feedback": helpers, "solutions": solutions, "wrong_answers": wrong, "grader": {UNKNOWN},
            "mistakes=": named}


def test_the_scan_finds_the_codes_of_every_source():
    found = codes_in_use()
    # the scan itself must work: a parser that finds nothing would make the next test pass vacuously
    assert {"transpose", "not_written", "matmul_shapes", "factor_N", "factor_1_over_C", "log_zero"} <= found["helpers/feedback"]
    assert {"var_not_mse", "last_batch_dropped", "hidden_layer", "repeated_pairs"} <= found["solutions"], found["solutions"]
    assert {"no_bias", "overflow", "first_update"} <= found["wrong_answers"]
    assert {"var_not_mse", "columns_indexed", "fixed_h"} <= found["mistakes="], found["mistakes="]
    assert all(len(codes) >= 30 for src, codes in found.items() if src not in ("grader", "mistakes=")), \
        {k: len(v) for k, v in found.items()}


@pytest.mark.parametrize("source", ["helpers/feedback", "solutions", "wrong_answers", "grader"])
def test_every_code_in_use_has_an_entry(source):
    missing = sorted(codes_in_use()[source] - set(DIAGNOSES))
    assert not missing, (f"diagnosis codes used in {source} without an entry in helpers/feedback/codes "
                         f"(words for students and instructors, and 2-3 hints): {missing}")


def test_every_code_a_test_cell_names_by_value_has_a_student_message():
    """check_array(..., mistakes={code: value}) shows the table's fixed student wording of that code."""
    silent = sorted(c for c in codes_in_use()["mistakes="] if not DIAGNOSES.get(c, Diagnosis("-", ("-", "-"))).student)
    assert not silent, f"codes named in mistakes= without a student message in helpers/feedback/codes: {silent}"


def test_one_owner_per_code_and_every_ladder_climbs():
    assert not set(GENERAL) & set(LESSONS), "a code in both helpers/feedback/codes/general.py and lessons.py"
    for code, d in DIAGNOSES.items():
        assert d.instructor.strip() and 2 <= len(d.hints) <= 3, code
        assert len(set(d.hints)) == len(d.hints), f"{code}: a hint repeats another"
        assert all(len(h) <= 200 for h in d.hints), f"{code}: a hint longer than 200 characters"
    assert hints("transpose") == DIAGNOSES["transpose"].hints and hints("no_such_code") == () and hints(None) == ()


def test_a_diagnosis_without_a_ladder_is_refused():
    with pytest.raises(ValueError, match="2-3 non-empty hints"):
        Diagnosis("did something", ("only one hint",))
    with pytest.raises(ValueError, match="instructor"):
        Diagnosis("", ("a", "b"))


def _regions(pattern, kind="code") -> list[str]:
    return [m.group(1) for _, k, source in _cells() if k == kind for m in pattern.finditer(source)]


def _fragments(region: str, min_len: int) -> set[str]:
    """The lines of a region and the sub-expressions of its statements, whitespace-normalised."""
    out = set()
    for line in region.splitlines():
        line = line.split("  #")[0].strip()
        if len(line) >= min_len and not line.startswith("#"):
            out.add(" ".join(line.split()))
    try:
        tree = ast.parse(textwrap.dedent(_python(region)).strip("\n"))
    except SyntaxError:
        return out
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and not _dotted_name(node):
            text = ast.unparse(node)
            out |= {" ".join(text.split())} if len(text) >= min_len else set()
    return out


def _dotted_name(node) -> bool:
    """``np.random.default_rng``, ``x``, ``"text"``: names a student reads in the lesson anyway, no quote."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, (ast.Name, ast.Constant))


def _texts():
    for code, d in DIAGNOSES.items():
        for k, h in enumerate(d.hints):
            yield code, k, len(d.hints), " ".join(h.split())
        if d.student:
            yield code, -1, 0, " ".join(d.student.split())


def test_no_hint_quotes_a_hidden_test():
    hidden = set().union(*(_fragments(r, 12) for r in _regions(_HIDDEN)))
    assert len(hidden) > 50, f"found only {len(hidden)} hidden-test fragments: is the region marker still ### BEGIN HIDDEN TESTS?"
    quoted = [(code, k, f) for code, k, _, text in _texts() for f in hidden if f in text]
    assert not quoted, f"hints or messages quoting a hidden test (code, rung, fragment): {quoted}"


def test_no_hint_gives_a_model_answer_line_before_its_last_step():
    answers = set().union(*(_fragments(r, 16) for r in _regions(_SOLUTION)))
    assert len(answers) > 30, f"found only {len(answers)} model-answer fragments"
    early = [(code, k, f) for code, k, n, text in _texts() if 0 <= k < n - 1 for f in answers if f in text]
    assert not early, f"a hint before the last step reproduces a model answer (code, rung, fragment): {early}"


def test_the_grader_and_the_checks_read_the_table():
    from grader.diagnoses import WORDING, describe
    from helpers.feedback.diagnose import MESSAGES

    assert set(WORDING) == set(DIAGNOSES) and all(WORDING[c] == d.instructor for c, d in DIAGNOSES.items())
    # a lesson's own code is now worded for the instructor, not described by one student's message
    assert describe("no_bias", "dense_forward: wrong values") == DIAGNOSES["no_bias"].instructor
    assert describe("brand_new_code", "wrong") == "got \u201cwrong\u201d", "an unknown code still falls back"
    assert MESSAGES == {c: d.student for c, d in DIAGNOSES.items() if d.student} and len(MESSAGES) >= 25
