"""Per-student variants, instructor side: release --roster, the course secret, grading each submission
against its student's variant, and the copied_variant / unknown_variant flags.

One tiny course (``variant_course.py``) is released once for a roster and graded once, through the real
grader (two kernels, sandbox), with seven submissions; everything else runs in-process.
"""
from __future__ import annotations

import csv
import json
import re
import stat
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))   # variant_course.py, whatever pytest's import mode

from grader.__main__ import _variant_keys, main  # noqa: E402
from grader.release import release, release_roster  # noqa: E402
from grader.secret import SecretError, ensure_secret, load_secret  # noqa: E402
from grader.spec import build_specs  # noqa: E402
from grader.variant_check import VariantKeys, Verdict, check_submission  # noqa: E402
from grader.variants import fingerprint, notebook_fingerprint  # noqa: E402
from variant_course import LESSON, answer, build_course, n_t_of, set_answer, write_roster  # noqa: E402

ROSTER = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"]
SECRET = b"test-course-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course, its secret file, a roster, and every roster student's own notebook (released once)."""
    base = tmp_path_factory.mktemp("variants")
    root = build_course(base / "course")
    secret_file = base / "secret"
    secret_file.write_bytes(SECRET + b"\n")
    secret_file.chmod(0o600)
    roster = write_roster(base / "roster.csv", ROSTER)
    out = base / "released"
    written = release_roster(ROSTER, out, SECRET, root)
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted(f"{s}/{LESSON}.ipynb" for s in ROSTER)
    nbs = {s: (out / s / f"{LESSON}.ipynb").read_bytes() for s in ROSTER}
    return {"root": root, "base": base, "secret_file": secret_file, "roster": roster, "out": out, "nbs": nbs}


def test_each_student_gets_their_own_variant_and_the_text_quotes_it(course):
    nbs = course["nbs"]
    n = {s: n_t_of(b) for s, b in nbs.items()}
    assert len(set(n.values())) == len(ROSTER), f"two students share n_t: {n}"
    assert 4 not in n.values(), f"a student got the common version's n_t: {n}"
    for s, data in nbs.items():
        nb = json.loads(data)
        fp = fingerprint(SECRET, s, LESSON)
        assert notebook_fingerprint(nb) == (fp, fp), f"{s}: fingerprints {notebook_fingerprint(nb)} != {fp}"
        text = next("".join(c["source"]) for c in nb["cells"] if "variant-text" in c["metadata"].get("tags", []))
        assert f"so `rows()` is {3 * n[s]}." in text, f"{s}: the text does not quote the variant: {text!r}"
        assert "YOUR CODE HERE" in answer(data) and "HIDDEN" not in data.decode(), f"{s}: not the student version"
        assert SECRET.decode() not in data.decode(), f"{s}: the course secret is in the released notebook"
        others = [o for o in ROSTER if o != s and fingerprint(SECRET, o, LESSON) in data.decode()]
        assert not others, f"{s}'s notebook carries the fingerprint of {others}"


def test_nbgrader_checksums_match_the_personalised_cells(course):
    from nbgrader.utils import compute_checksum
    nb = nbformat.reads(course["nbs"]["ann"].decode(), as_version=4)
    stale = [c.metadata.nbgrader["grade_id"] for c in nb.cells
             if "checksum" in c.metadata.get("nbgrader", {}) and c.metadata.nbgrader["checksum"] != compute_checksum(c)]
    assert not stale, f"nbgrader would see these read-only cells as edited: {stale}"


def test_the_same_inputs_give_byte_identical_notebooks_and_another_secret_others(course, tmp_path):
    again = release_roster(["ann", "bob"], tmp_path / "again", SECRET, course["root"])
    for p in again:
        assert p.read_bytes() == course["nbs"][p.parent.name], f"{p.parent.name}: a second release differs"
    other = release_roster(["ann"], tmp_path / "other", b"another-secret-of-enough-bytes", course["root"])
    data = other[0].read_bytes()
    assert data != course["nbs"]["ann"] and n_t_of(data) != n_t_of(course["nbs"]["ann"]), \
        "a different course secret gave ann the same variant"


def test_plain_release_is_the_common_version(course):
    stale = release(root=course["root"])
    assert stale == [f"{LESSON}/{LESSON}.ipynb"], stale
    data = (course["root"] / "lessons" / LESSON / f"{LESSON}.ipynb").read_bytes()
    assert n_t_of(data) == 4 and "V = Variant(None)" in data.decode(), "lessons/ is not the common version"
    assert notebook_fingerprint(json.loads(data)) == (None, None)
    assert release(root=course["root"], check=True) == [], "release --check: lessons/ stale right after release"


def test_spec_of_a_variant_lesson_keeps_the_template_and_needs_a_read_only_variant_cell(course, tmp_path):
    spec = build_specs(course["root"], [LESSON])[LESSON]
    roles = {c["variant"]: c for c in spec["cells"] if c["variant"]}
    assert roles["cell"]["role"] == "locked" and "{{ n_t }}" in roles["text"]["template"]
    assert "batch has 4 rows" in roles["text"]["release_source"], roles["text"]["release_source"]
    path = course["root"] / "solutions" / LESSON / f"{LESSON}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[2].metadata["nbgrader"]["locked"] = False
    bad = build_course(tmp_path / "bad")
    nbformat.write(nb, str(bad / "solutions" / LESSON / f"{LESSON}.ipynb"))
    with pytest.raises(ValueError, match="tagged 'variant' must be a read-only code cell"):
        build_specs(bad, [LESSON])


# ---- the course secret and the command line --------------------------------------------------------

def test_the_secret_is_created_once_private_and_checked(tmp_path):
    path = tmp_path / "s" / ".variant-secret"
    first, created = ensure_secret(path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) == 64
    assert ensure_secret(path) == (first, False), "a second use made a new secret"
    path.chmod(0o644)
    with pytest.raises(SecretError, match=r"readable by others \(mode 0644\); run `chmod 600"):
        load_secret(path)
    short = tmp_path / "short"
    short.write_text("abc")
    short.chmod(0o600)
    with pytest.raises(SecretError, match="holds 3 bytes; a course secret needs at least 16"):
        load_secret(short)
    with pytest.raises(SecretError, match="does not exist"):
        load_secret(tmp_path / "nope")


def test_release_cli_makes_the_default_secret_outside_what_it_releases(course, tmp_path, capsys):
    root = build_course(tmp_path / "c")
    roster = write_roster(tmp_path / "r.csv", ["ann", "bob"])
    assert main(["release", "--root", str(root), "--roster", str(roster), "--out", str(tmp_path / "o")]) == 0
    secret = root / ".variant-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600, "the default secret is not private"
    assert "created the course secret" in capsys.readouterr().err
    released = [p.read_bytes() for p in (tmp_path / "o").rglob("*") if p.is_file()]
    assert len(released) == 2 and all(secret.read_bytes().strip() not in b for b in released)
    assert "/.variant-secret" in (Path(__file__).parents[2] / ".gitignore").read_text().split("\n")
    assert main(["release", "--root", str(root), "--roster", str(roster), "--out", str(tmp_path / "o"),
                 "--secret-file", str(tmp_path / "o" / "s")]) == 2
    assert "is inside --out" in capsys.readouterr().err


@pytest.mark.parametrize("text, words", [
    ("name\nann\n", "needs a student_id column (found: name)"),
    ("student_id\nann\nann\n", "student_id 'ann' appears 2 times"),
    ("student_id\n../x\n", "student_id '../x' is not a valid student id"),
])
def test_bad_rosters_are_named(tmp_path, capsys, text, words):
    (tmp_path / "r.csv").write_text(text)
    code = main(["release", "--root", str(tmp_path), "--roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and words in err, err
    assert not (tmp_path / ".variant-secret").exists(), "a bad roster still created a secret"


def test_autograde_cli_variant_keys(course, tmp_path, capsys):
    keys = _variant_keys(course["roster"], course["secret_file"])
    assert keys.students == tuple(ROSTER) and keys.owner(fingerprint(SECRET, "cat", LESSON), LESSON) == "cat"
    assert _variant_keys(None, None) is None
    assert _variant_keys(course["roster"], None, root=tmp_path) is None, "no secret: variants must be off"
    assert "variants are not checked" in capsys.readouterr().err
    with pytest.raises(ValueError, match="--secret-file needs --roster"):
        _variant_keys(None, course["secret_file"])


# ---- which variant a submission is (in-process) ---------------------------------------------------

def _write(tmp_path, name, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_verdicts(course, tmp_path):
    keys = VariantKeys(SECRET, tuple(ROSTER))
    nbs = course["nbs"]
    own = check_submission(keys, "ann", LESSON, _write(tmp_path, "a", nbs["ann"]))
    assert (own.verdict, own.of, own.fingerprint) == (Verdict.OWN, "ann", fingerprint(SECRET, "ann", LESSON))
    copied = check_submission(keys, "dan", LESSON, _write(tmp_path, "d", nbs["ann"]))
    assert (copied.verdict, copied.of, copied.fingerprint) == (Verdict.COPIED, "ann", own.fingerprint)
    assert "ann's variant" in copied.reason and "handed in by dan" in copied.reason
    for name, data, words in [("not json", b"{", "carries no variant fingerprint"),
                              ("common", _common(nbs["eve"], "eve"), "carries no variant fingerprint"),
                              ("forged", nbs["eve"].replace(fingerprint(SECRET, "eve", LESSON).encode(), b"f" * 64),
                               "no roster student's (forged")]:
        c = check_submission(keys, "eve", LESSON, _write(tmp_path, name, data))
        assert (c.verdict, c.of) == (Verdict.UNKNOWN, "eve") and words in c.reason, (name, c)
        assert c.fingerprint == fingerprint(SECRET, "eve", LESSON), f"{name}: not graded against eve's own variant"
    assert fingerprint(SECRET, "ann", LESSON) not in json.dumps(copied.record()), "a fingerprint in the record"


# ---- one real autograde run ----------------------------------------------------------------------

def _common(data: bytes, student: str) -> bytes:
    """A student's notebook turned back into the common version (as lessons/ has it)."""
    nb = json.loads(data)
    nb["metadata"].pop("backprop_workbook")
    for c in nb["cells"]:
        c["source"] = "".join(c["source"]).replace(repr(fingerprint(SECRET, student, LESSON)), "None")
    return json.dumps(nb).encode()


def _mixed_in(course) -> dict:
    """student -> the notebook they hand in, and what each is."""
    nbs, fp = course["nbs"], lambda s: fingerprint(SECRET, s, LESSON)
    ann_value = 3 * n_t_of(nbs["ann"])
    gus = json.loads(nbs["gus"])
    gus["cells"] = json.loads(nbs["ann"])["cells"]          # the cells of ann's notebook, gus's metadata
    return {
        "ann": set_answer(nbs["ann"], "return 3 * N_T"),                         # honest, generic
        "bob": set_answer(nbs["bob"], f"return {3 * n_t_of(nbs['bob'])}"),       # hard-codes his own number
        "cat": set_answer(nbs["cat"], f"return {ann_value}"),                    # copied ann's output
        "dan": set_answer(nbs["ann"], f"return {ann_value}"),                    # hands in ann's notebook
        "eve": set_answer(nbs["eve"].replace(fp("eve").encode(), b"e" * 64), "return 3 * N_T"),   # forged
        "fay": set_answer(_common(nbs["fay"], "fay"), "return 3 * N_T"),        # the common version
        "gus": set_answer(json.dumps(gus).encode(), "return 3 * N_T"),          # ann's cell, his metadata
    }


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    from grader.runner import autograde
    subs = tmp_path_factory.mktemp("variant-subs")
    handed = _mixed_in(course)
    for s, data in handed.items():
        (subs / s).mkdir()
        (subs / s / f"{LESSON}.ipynb").write_bytes(data)
    (subs / "hal").mkdir()                                                       # hands in nothing
    out = tmp_path_factory.mktemp("variant-results")
    keys = _variant_keys(course["roster"], course["secret_file"])
    counts = autograde(subs, out, jobs=2, timeout=20, notebook_timeout=120, memory_mb=512, quiet=True,
                       root=course["root"], log=lambda *a, **k: None, variants=keys)
    results = {p.parent.name: json.loads(p.read_text()) for p in (out / "results").glob(f"*/{LESSON}.json")}
    return {"subs": subs, "out": out, "counts": counts, "results": results, "keys": keys}


def _score(result):
    (ex,) = result["exercises"]
    return ex["score"], ex["status"]


def test_each_submission_is_graded_against_its_variant(graded):
    r = graded["results"]
    assert graded["counts"]["graded"] == 7, graded["counts"]
    expect = {"ann": (2.0, "own", "ann"), "bob": (2.0, "own", "bob"), "cat": (0.0, "own", "cat"),
              "dan": (2.0, "copied_variant", "ann"), "eve": (2.0, "unknown_variant", "eve"),
              "fay": (2.0, "unknown_variant", "fay"), "gus": (2.0, "unknown_variant", "gus")}
    got = {s: (_score(r[s])[0], r[s]["variant"]["check"], r[s]["variant"]["of"]) for s in expect}
    assert got == expect, "\n".join(f"{s}: got {got[s]}, expected {expect[s]}" for s in expect if got[s] != expect[s])
    assert all(_score(r[s])[1] == "graded" for s in expect), {s: r[s]["exercises"] for s in expect}
    assert r["cat"]["exercises"][0]["message"], "cat's failure (another student's number) has no message"
    assert "ann's" in r["gus"]["variant"]["reason"], r["gus"]["variant"]
    # the read-only cells are compared with the personalised sources: an own (or copied) variant is unedited
    assert not [n for s in ("ann", "bob", "dan") for n in r[s]["notes"]], {s: r[s]["notes"] for s in ("ann", "dan")}
    assert any("variant_setup had been edited" in n for n in r["eve"]["notes"]), r["eve"]["notes"]


def test_flags_count_in_needs_attention_and_show_in_the_report(graded):
    out = graded["out"]
    with open(out / "summary.csv", newline="") as f:
        attention = {row["student_id"]: int(row["needs_attention"]) for row in csv.DictReader(f)}
    flagged = {"dan", "eve", "fay", "gus"}
    assert {s for s, n in attention.items() if n} == flagged, attention
    html = (out / "report.html").read_text()
    assert re.search(r"4 items need attention\s+\(4 students\)", html), html[html.index("<p>"):html.index("Isolation")]
    from grader.report import write_report
    assert write_report([out], out)["needs_attention"] == 4, "grader report does not count the variant flags"
    section = html[html.index('id="variant-checks"'):]
    section = section[:section.index("</section>")]
    rows = {s for s in ROSTER if f"<tr><td>{s}</td>" in section}
    assert rows == flagged, f"report.html's variant section lists {sorted(rows)}, expected {sorted(flagged)}"
    assert "handed in by dan" in section and "<td>ann</td>" in section, "dan's row does not name ann"
    with open(out / "grades.csv", newline="") as f:
        dan = next(row for row in csv.DictReader(f) if row["student_id"] == "dan")
    assert float(dan["score"]) == 2.0, "the copied notebook's score was not kept"


def test_nothing_about_the_secret_or_other_variants_reaches_results_or_feedback(graded, course):
    fps = {s: fingerprint(SECRET, s, LESSON) for s in ROSTER}
    out = graded["out"]
    for p in [*out.rglob("*.json"), *out.rglob("*.html"), *out.rglob("*.csv")]:
        text = p.read_text()
        assert SECRET.decode() not in text, f"{p}: the course secret"
        leaked = [s for s, fp in fps.items() if fp in text or fp[:16] in text]
        assert not leaked, f"{p}: the fingerprint of {leaked}"
    for s in ROSTER[:7]:
        page = (out / "feedback" / s / f"{LESSON}.html").read_text()
        named = [o for o in ROSTER if o != s and (f">{o}<" in page or f"{o}'s" in page)]
        flags = [w for w in ("copied", "unknown_variant", "fingerprint") if w in page]
        assert not named and not flags, f"{s}'s feedback page mentions {named} / {flags}"


def test_a_rerun_regrades_nothing_until_the_verdict_changes(graded, course):
    from grader.runner import _needs_grading, autograde
    from grader.submissions import discover
    kw = dict(jobs=1, quiet=True, root=course["root"], log=lambda *a, **k: None, report=False)
    counts = autograde(graded["subs"], graded["out"], variants=graded["keys"], **kw)
    assert counts["graded"] == 0 and counts["already_graded"] == 7, counts
    dan = next(s for s in discover(graded["subs"], [LESSON])[0] if s.student == "dan")
    sha = graded["results"]["dan"]["spec_sha256"]
    assert not _needs_grading(graded["out"], dan, sha, False, graded["results"]["dan"]["variant"])
    assert _needs_grading(graded["out"], dan, sha, False, None), "graded without variants: must regrade"
    other = dict(graded["results"]["dan"]["variant"], check="unknown_variant", of="dan")
    assert _needs_grading(graded["out"], dan, sha, False, other), "a changed verdict must regrade"


def test_validate_runs_a_students_own_variant(course, tmp_path):
    from grader.validate import validate
    release(root=course["root"])                     # lessons/ (validate needs the lesson's released version)
    own_number = f"return {3 * n_t_of(course['nbs']['ann'])}"
    nb = _write(tmp_path, f"{LESSON}.ipynb", set_answer(course["nbs"]["ann"], own_number))
    lines = []
    code = validate(nb, root=course["root"], timeout=20, out=lines.append)
    assert code == 0, "ann's own number did not pass her own variant's visible tests:\n" + "\n".join(lines)


def test_the_dask_payload_carries_the_variant_to_grade_against(course, tmp_path):
    from dataclasses import replace

    from grader.executors.cluster import _payload
    from grader.submissions import Submission
    path = _write(tmp_path, "x.ipynb", course["nbs"]["ann"])
    sub = Submission("ann", LESSON, str(path), "ann/x.ipynb", "0" * 64)
    fp = fingerprint(SECRET, "ann", LESSON)
    assert _payload(replace(sub, variant=fp))["variant"] == fp and _payload(sub)["variant"] is None
