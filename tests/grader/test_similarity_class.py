"""Similar answers end to end: a class graded by the real grader, two students sharing an unusual answer.

Five notebooks of lesson 01 (the fewest :data:`grader.similarity.MIN_ANSWERS` compares) in ONE
``autograde`` run: the model answers, a student writing the lesson's alternative answers
(``tests/lessons/alternatives/``), one writing answers of their own, and alice and bob, who hand in
the same unusual ``mlp_forward`` and ``softmax`` (variables renamed, reformatted, comments and
docstrings changed). Every other exercise of theirs is their own, and the one-liner ``relu`` they
share is one most of the class wrote. The report is
copied to ``test-artifacts/similarity/report.html``.
"""
from __future__ import annotations

import csv
import html
import json
import re
import runpy

import pytest
from grader_corpus import honest_notebook, read_grades, to_bytes

from grader.release import ROOT

LESSON = "01_forward_propagation"
ARTIFACTS = ROOT / "test-artifacts" / "similarity"

ALICE = {
    "dense_forward": "def dense_forward(X, W, b):\n    return X.dot(W.T) + b\n",
    "relu": "def relu(z):\n    return np.maximum(z, 0)\n",
    "sigmoid": '''def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
''',
    "mlp_forward": '''def mlp_forward(X, params):
    """Two layers, one neuron at a time."""
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    # first layer, neuron by neuron
    pre = np.empty((X.shape[0], W1.shape[0]), dtype=np.result_type(X, W1))
    for j in range(W1.shape[0]):
        pre[:, j] = X @ W1[j] + b1[j]
    act = np.where(pre > 0, pre, np.zeros_like(pre))
    # second layer
    out = np.zeros((X.shape[0], W2.shape[0]), dtype=pre.dtype)
    for k in range(W2.shape[0]):
        out[:, k] = act @ W2[k] + b2[k]
    return out
''',
    "softmax": '''def softmax(z):
    result = np.empty_like(z)
    for i in range(z.shape[0]):
        row = z[i] - z[i].max()      # stable: the largest becomes 0
        ex = np.exp(row)
        result[i] = ex / ex.sum()
    return result
''',
}

BOB = {
    "dense_forward": "def dense_forward(X, W, b):\n    return np.matmul(X, W.T) + b\n",
    "relu": "def relu(z):\n    return np.maximum(z, 0)\n",
    "sigmoid": "def sigmoid(z):\n    return 0.5 * (np.tanh(0.5 * z) + 1)\n",
    "mlp_forward": '''def mlp_forward(X, params):
    # unpack the weights
    first_w, first_b = params["W1"], params["b1"]
    second_w, second_b = params["W2"], params["b2"]
    z = np.empty((X.shape[0], first_w.shape[0]),
                 dtype=np.result_type(X, first_w))     # hidden pre-activations
    for unit in range(first_w.shape[0]):
        z[:, unit] = X @ first_w[unit] + first_b[unit]

    h = np.where(z > 0, z, np.zeros_like(z))
    logits = np.zeros((X.shape[0], second_w.shape[0]), dtype=z.dtype)
    for c in range(second_w.shape[0]):
        logits[:, c] = h @ second_w[c] + second_b[c]
    return logits
''',
    "softmax": '''def softmax(z):
    """Softmax, row by row."""
    p = np.empty_like(z)
    for r in range(z.shape[0]):
        shifted = z[r] - z[r].max()
        num = np.exp(shifted)
        p[r] = num / num.sum()   # each row sums to one
    return p
''',
}

KIM = {
    "dense_forward": "def dense_forward(X, W, b):\n    return (W @ X.T).T + b\n",
    "relu": "def relu(z):\n    return np.maximum(z, 0)\n",
    "sigmoid": "def sigmoid(z):\n    return np.exp(-np.logaddexp(0, -z))\n",
    "softmax": '''def softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
''',
    "mlp_forward": '''def mlp_forward(X, params):
    a = np.maximum(0, X @ params["W1"].T + params["b1"])
    return a @ params["W2"].T + params["b2"]
''',
}


def _alternatives(k: int) -> dict:
    """The k-th alternative answer of each exercise (the last one when there are fewer)."""
    table = runpy.run_path(str(ROOT / "tests" / "lessons" / "alternatives" / f"{LESSON}.py"))["ALTERNATIVES"]
    return {name: entries[min(k, len(entries) - 1)][1] for name, entries in table.items()}


def _typed(b, answers: dict):
    nb = honest_notebook(b["release"], b["solution"])
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


@pytest.fixture(scope="module")
def class_run(built, tmp_path_factory):
    from grader.runner import autograde
    b = built[LESSON]
    notebooks = {"ref": honest_notebook(b["release"], b["solution"]), "ines": _typed(b, _alternatives(0)),
                 "kim": _typed(b, KIM), "alice": _typed(b, ALICE), "bob": _typed(b, BOB)}
    subs = tmp_path_factory.mktemp("class")
    for student, nb in notebooks.items():
        (subs / student).mkdir()
        (subs / student / f"{LESSON}.ipynb").write_bytes(to_bytes(nb))
    out = tmp_path_factory.mktemp("class-results")
    autograde(subs, out, jobs=2, timeout=20, notebook_timeout=180, memory_mb=512, quiet=True,
              log=lambda *a, **k: None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)                 # for a person to look at
    (ARTIFACTS / "report.html").write_bytes((out / "report.html").read_bytes())
    return {"out": out, "subs": subs, "notebooks": notebooks, "grades": read_grades(out)}


def _section(page: str) -> str:
    m = re.search(r'<section id="similar-answers".*?</section>', page, re.S)
    assert m, "report.html has no Similar answers section"
    return m.group(0)


def _pairs(page: str) -> list[tuple[str, str]]:
    return re.findall(r"<caption>(\S+) and (\S+): [\d.]+ bits</caption>", _section(page))


def _listed_exercises(page: str) -> set[str]:
    return set(re.findall(rf"<td>{LESSON} (\w+)</td>", _section(page)))


@pytest.mark.slow
def test_the_class_answers_are_correct(class_run, built):
    """The premise: everyone wrote correct answers (full marks)."""
    points = {e["name"]: e["points"] for e in built[LESSON]["spec"]["exercises"] if e["kind"] == "auto"}
    for student in class_run["notebooks"]:
        for name, pts in points.items():
            r = class_run["grades"][(student, LESSON, name)]
            assert (r["status"], float(r["score"])) == ("graded", pts), f"{student} {name}: {r}"


@pytest.mark.slow
def test_exactly_the_pair_sharing_an_unusual_answer_is_listed(class_run):
    page = (class_run["out"] / "report.html").read_text(encoding="utf-8")
    assert _pairs(page) == [("alice", "bob")], _pairs(page)
    section = _section(page)
    shown = html.unescape(section)
    for name in ("mlp_forward", "softmax"):       # the evidence side by side, as each handed it in
        assert f"<pre>{ALICE[name]}</pre></td><td><pre>{BOB[name]}</pre>" in shown, name
    listed = _listed_exercises(page)
    assert {"mlp_forward", "softmax"} <= listed and not listed & {"dense_forward", "sigmoid"}, listed
    assert "24 bits, a chance of 1 in 16 million" in section      # the threshold, with its meaning
    assert "Answers recorded for 5 of 5 graded submissions." in " ".join(section.split())
    for other in ("ref", "ines", "kim"):
        assert not re.search(rf"\b{other}\b", section), f"{other} appears in the Similar answers section"


@pytest.mark.slow
def test_the_pair_needs_attention_on_each_exercise_it_shares(class_run):
    page = (class_run["out"] / "report.html").read_text(encoding="utf-8")
    listed = _listed_exercises(page)
    flagged = {(k[0], k[2]) for k, r in class_run["grades"].items() if "similar_answers" in r["message"]}
    assert flagged == {(s, e) for s in ("alice", "bob") for e in listed}, flagged
    assert "bob's answer" in class_run["grades"][("alice", LESSON, "mlp_forward")]["message"]
    with open(class_run["out"] / "summary.csv", newline="", encoding="utf-8") as f:
        attention = {r["student_id"]: int(r["needs_attention"]) for r in csv.DictReader(f)}
    by_hand = {s: sum(k[0] == s and r["status"] == "needs_manual" for k, r in class_run["grades"].items())
               for s in class_run["notebooks"]}        # the written answer waits for a hand grade
    extra = {s: attention[s] - by_hand[s] for s in class_run["notebooks"]}
    assert extra == {s: (len(listed) if s in ("alice", "bob") else 0) for s in class_run["notebooks"]}, extra


@pytest.mark.slow
def test_no_answer_text_in_any_feedback_page(class_run, built):
    stubs = {c["grade_id"]: c["release_source"] for c in built[LESSON]["spec"]["cells"] if c["role"] == "answer"}
    lines = set()
    for student, nb in class_run["notebooks"].items():
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in stubs:
                lines |= {ln.strip() for ln in cell.source.splitlines()
                          if len(ln.strip()) > 12 and ln.strip() not in stubs[gid]}
    assert len(lines) > 15
    pages = list((class_run["out"] / "feedback").rglob("*.html"))
    assert len(pages) == len(class_run["notebooks"])
    for page in pages:
        text = page.read_text(encoding="utf-8")
        shown = [ln for ln in lines if ln in text or html.escape(ln) in text]
        assert not shown, f"{page.relative_to(class_run['out'])} shows answer text: {shown[:2]}"
        named = [s for s in ("alice", "bob", "ines", "kim") if s != page.parent.name
                 and re.search(rf"\b{s}\b", text)]
        assert not named and "similar" not in text, f"{page.parent.name}'s page names {named} or the flag"
    assert not list((class_run["out"] / "feedback").rglob("*.json"))


@pytest.mark.slow
def test_answers_are_recorded_per_graded_submission(class_run):
    out = class_run["out"]
    for student in class_run["notebooks"]:
        data = json.loads((out / "answers" / student / f"{LESSON}.json").read_text(encoding="utf-8"))
        result = json.loads((out / "results" / student / f"{LESSON}.json").read_text(encoding="utf-8"))
        assert data["sha256"] == result["sha256"] and data["student"] == student
        changed = {g for g, a in data["answers"].items() if a["changed"]}
        assert changed == set(ALICE), (student, changed)
    assert json.loads((out / "answers" / "bob" / f"{LESSON}.json").read_text())["answers"]["softmax"]["source"] \
        == BOB["softmax"]


@pytest.mark.slow
def test_grader_report_lists_the_pair_again_and_in_a_merged_folder(class_run, tmp_path):
    from grader.__main__ import main
    merged = tmp_path / "merged"
    assert main(["report", str(class_run["out"]), "--out", str(merged)]) == 0
    assert _pairs((merged / "report.html").read_text(encoding="utf-8")) == [("alice", "bob")]
    assert (merged / "answers" / "alice" / f"{LESSON}.json").is_file()
    assert main(["report", str(merged)]) == 0                       # the merged folder re-reported alone
    assert _pairs((merged / "report.html").read_text(encoding="utf-8")) == [("alice", "bob")]
