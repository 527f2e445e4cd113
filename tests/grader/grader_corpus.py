"""Damaged and dishonest submissions, built at test time from a released lesson.

``build_corpus(release_nb, solution_nb, spec)`` -> ``[Case]``; each case is the bytes of
one submission and what the grader must make of it: ``expect`` maps exercise names to
statuses (``"*"``: every autograded exercise not listed), ``full``/``zero``: exercises
that must score full marks / 0, ``flagged``: exercises flagged for calling the reference,
``note``: a phrase the repair notes must contain.
"""
from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.release import lesson_names

__all__ = ["Case", "honest_notebook", "build_corpus", "build_attacks", "to_bytes", "LESSONS", "CORPUS_LESSON",
           "sha", "read_grades", "ATTACK_FAMILIES"]

LESSONS = lesson_names()
CORPUS_LESSON = "01_forward_propagation" if "01_forward_propagation" in LESSONS else (LESSONS or [None])[0]


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_grades(out) -> dict:
    """grades.csv as ``{(student_id, lesson, exercise): row}``."""
    with open(Path(out) / "grades.csv", newline="", encoding="utf-8") as f:
        return {(r["student_id"], r["lesson"], r["exercise"]): r for r in csv.DictReader(f)}


@dataclass
class Case:
    name: str
    data: bytes
    expect: dict
    full: set = field(default_factory=set)
    zero: set = field(default_factory=set)
    flagged: set = field(default_factory=set)
    note: str = ""
    family: str = ""


def to_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _strip_markers(src: str) -> str:
    return "\n".join(ln for ln in src.splitlines() if not re.match(r"\s*### (BEGIN|END) SOLUTION", ln))


def honest_notebook(release_nb, solution_nb):
    """What a diligent student hands in: the released notebook with the model answers typed in."""
    sol = {_gid(c): c for c in solution_nb.cells if _gid(c)}
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and _gid(cell) in sol:
            cell.source = _strip_markers(sol[_gid(cell)].source)
    return nb


def _index(nb, gid):
    return next(i for i, c in enumerate(nb.cells) if _gid(c) == gid)


def _with_answer(nb, name, extra_top="", body_prefix=None, replace=None):
    nb = copy.deepcopy(nb)
    cell = nb.cells[_index(nb, name)]
    if replace is not None:
        cell.source = replace
    if body_prefix is not None:       # insert a statement at the top of the function body
        lines = cell.source.splitlines()
        k = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("def "))
        j = k + 1
        while lines[j].rstrip().endswith(("(", ",")) or not lines[j - 1].rstrip().endswith(":"):
            j += 1
        cell.source = "\n".join(lines[:j] + [f"    {body_prefix}"] + lines[j:])
    if extra_top:
        cell.source = cell.source + "\n" + extra_top
    return nb


def _insert_after(nb, gid, source):
    nb = copy.deepcopy(nb)
    nb.cells.insert(_index(nb, gid) + 1, nbformat.v4.new_code_cell(source))
    return nb


def build_corpus(release_nb, solution_nb, spec) -> list[Case]:
    autos = [e["name"] for e in spec["exercises"] if e["kind"] == "auto"]
    a0, a1, a2 = autos[0], autos[1], autos[2]
    after = lambda k: set(autos[k:])          # noqa: E731 -- exercises from the k-th on
    honest = honest_notebook(release_nb, solution_nb)
    imports = next(c["source"] for c in spec["cells"] if c["role"] == "locked" and "import" in c["source"])
    check_fn = next(n for n in ("check_array", "check_scalar", "passed") if n in imports)
    ref_ex = next((c for c in spec["cells"] if c["role"] == "answer" and c["def_name"] in
                   __import__("helpers").__all__ and c["def_name"] not in ("dense_forward",)), None)
    cases = []

    def add(name, nb_or_bytes, expect, **kw):
        data = nb_or_bytes if isinstance(nb_or_bytes, bytes) else to_bytes(nb_or_bytes)
        cases.append(Case(name, data, expect, **kw))

    # -- damaged notebooks -------------------------------------------------------------
    nb = copy.deepcopy(honest)
    del nb.cells[_index(nb, f"test_{a0}")]
    add("deleted_test_cell", nb, {"*": "graded"}, full=set(autos), note=f"test_{a0} was missing")
    nb = copy.deepcopy(honest)
    dup = copy.deepcopy(nb.cells[_index(nb, f"test_{a0}")])
    dup["id"] = "copy-of-a-test"
    nb.cells.insert(_index(nb, f"test_{a0}"), dup)
    add("duplicated_test_cell", nb, {"*": "graded"}, full=set(autos), note="duplicate")
    nb = copy.deepcopy(honest)
    t = nb.cells.pop(_index(nb, f"test_{a1}"))
    nb.cells.insert(_index(nb, a1), t)                      # test before its answer
    add("reordered_test_cell", nb, {"*": "graded"}, full=set(autos), note="moved")
    nb = copy.deepcopy(release_nb)
    nb.cells[_index(nb, f"test_{a0}")].source = "pass  # all good"
    add("edited_test_cell", nb, {"*": "graded"}, zero=set(autos), note="edited")
    nb = copy.deepcopy(release_nb)
    nb.cells[_index(nb, f"test_{a0}")].metadata["nbgrader"]["points"] = 100
    add("edited_points", nb, {"*": "graded"}, zero=set(autos), note="points")
    nb = copy.deepcopy(honest)
    nb.cells[_index(nb, f"test_{a1}")].metadata["nbgrader"]["grade_id"] = "test_free_points"
    add("renamed_grade_id", nb, {"*": "graded"}, full=set(autos))
    add("corrupt_json", to_bytes(honest)[:-200], {"*": "error"})
    add("empty_file", b"", {"*": "error"})
    add("json_not_a_notebook", json.dumps([1, 2, 3]).encode(), {"*": "error"})
    add("old_nbformat_v3", nbformat.writes(nbformat.convert(copy.deepcopy(honest), 3)).encode("utf-8"),
        {"*": "graded"}, full=set(autos))
    nb = copy.deepcopy(honest)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        cell.pop("id", None)
    nb.nbformat_minor = 4
    add("stripped_metadata", nb, {"*": "graded"}, full=set(autos), note="recognised by their content")
    # -- kernels in trouble --------------------------------------------------------------
    add("kernel_dies", _with_answer(honest, a1, extra_top="import os\nos._exit(3)"),
        {**{a: "error" for a in after(1)}, "*": "graded"}, full={a0})
    add("infinite_loop", _with_answer(honest, a1, body_prefix="while True: pass"),
        {a1: "timeout", "*": "graded"}, full=set(autos) - {a1}, zero={a1})
    add("loop_ignoring_sigint", _with_answer(
        honest, a1, extra_top="import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                               "while True:\n    time.sleep(0.01)"),
        {**{a: "timeout" for a in after(1)}, "*": "graded"}, full={a0})
    add("memory_bomb", _with_answer(honest, a1, body_prefix="_hog = np.ones((1 << 31,))  # 16 GB"),
        {a1: "memory", "*": "graded"}, full=set(autos) - {a1})
    add("output_flood_50MB", _with_answer(honest, a0, extra_top='print("x" * 50_000_000)'),
        {"*": "graded"}, full=set(autos))
    add("fork_storm", _insert_after(honest, f"test_{a0}",
        "import os, time\nkids = []\ntry:\n    while len(kids) < 5000:\n        pid = os.fork()\n"
        "        if pid == 0:\n            time.sleep(60)\n            os._exit(0)\n        kids.append(pid)\n"
        "except OSError as e:\n    print('fork refused after', len(kids), type(e).__name__)"),
        {"*": "graded"}, full=set(autos))
    # -- tampering with the checks -------------------------------------------------------
    tamper = {
        "patch_np_testing": "np.testing.assert_allclose = lambda *a, **k: None",
        "patch_np_dynamic": "setattr(__import__('num' + 'py'), 'allclose', lambda *a, **k: True)",
        "patch_builtins": "import builtins\nbuiltins.isinstance = lambda *a: True",
        "patch_sys_stderr": "import sys\nsys.stderr = sys.stdout",
        "patch_helpers": "import helpers.feedback.checks\nhelpers.feedback.checks.check_array = lambda *a, **k: None",
        "trace_hook": "import sys\nsys.settrace(lambda *a: None)",
        "input_transformer": "get_ipython().input_transformers_post.append(lambda lines: lines)",
        "redefine_assertionerror": "class AssertionError(Exception):\n    pass",
        "rebind_check_function": f"{check_fn} = lambda *a, **k: None",
    }
    for name, code in tamper.items():
        add(name, _with_answer(release_nb, a1, extra_top=code),
            {**{a: "tampered" for a in after(1)}, "*": "graded"}, zero=set(autos))
    if ref_ex is not None:
        fn = ref_ex["def_name"]
        src = ref_ex["release_source"]
        sig = src[src.index("def "):].split(":", 1)[0]
        args = sig[sig.index("(") + 1: sig.rindex(")")]
        call_args = ", ".join(a.split("=")[0].strip() for a in args.split(",") if a.strip())
        cheat = f"import helpers\n\n{sig}:\n    return helpers.{fn}({call_args})\n"
        add("calls_reference", _with_answer(honest, ref_ex["grade_id"], replace=cheat),
            {"*": "graded"}, flagged={ref_ex["grade_id"]})
    nb = copy.deepcopy(honest)
    del nb.cells[_index(nb, a2)]
    add("deleted_answer_cell", nb, {"*": "graded"}, zero={a2}, full=set(autos) - {a2}, note=f"{a2} was not found")
    return cases


# -- attacks on the trust boundary (issue 8) ---------------------------------------------
# Each attack is a submission of a hostile student, with the verdict the grader must reach.
# ``family``: "forge" (full marks from blank/wrong answers), "leak" (hidden tests, host files),
# "files" (the grader following the kernel's files), "edge" (denial of service at the edges).
# ``expect`` values may be a tuple of acceptable statuses when the outcome depends on timing.

ATTACK_FAMILIES = ("forge", "leak", "files", "edge")


def _forge_attacks(a0, a1):
    """Code put into answer cell ``a0`` of the *blank* notebook: every exercise must stay at 0."""
    return {
        "gc_swap_check_code": (
            "import gc\nfor _f in gc.get_objects():\n"
            "    if callable(_f) and getattr(_f, '__module__', '') == 'helpers.feedback.checks' and hasattr(_f, '__code__'):\n"
            "        _f.__code__ = (lambda *a, **k: None).__code__", ("graded", "tampered")),
        "array_reads_checker_frame": (
            "import sys\nclass _Spy:\n    def __array__(self, dtype=None, copy=None):\n"
            "        f = sys._getframe(1)\n        while f is not None:\n"
            "            for k in ('expected', 'want', 'ref_out'):\n"
            "                if k in f.f_locals:\n                    return __import__('numpy').asarray(f.f_locals[k])\n"
            "            f = f.f_back\n        return __import__('numpy').zeros(1)\n"
            f"def {a1}(z):\n    return _Spy()", "graded"),
        "displayhook_before_error": (
            "import sys\n"
            f"def {a1}(z):\n    sys.displayhook(1000)\n    get_ipython().displayhook(1000)\n"
            "    raise ValueError('after the fake score')", "graded"),
        "custom_exception_handler": (
            "get_ipython().set_custom_exc((Exception,), lambda *a, **k: get_ipython().displayhook(99))",
            "tampered"),
        "forge_integrity_marker": (
            "import json, sys\n_cells = [c for c in (__bw_check.__closure__ or ()) if isinstance(c.cell_contents, str)]\n"
            "for _c in _cells:\n    print('__bw_integrity__', _c.cell_contents, json.dumps({'ok': True, 'problems': []}))",
            ("graded", "tampered")),
        "audit_hook_swaps_checks": (
            "import sys\nsys.addaudithook(lambda ev, args: None)", "tampered"),
        "thread_swaps_checks": (
            "import threading, time, helpers.feedback.checks as _hc\n_real = _hc.check_array\n"
            "def _flip():\n    while True:\n        _hc.__dict__['check_array'] = (lambda *a, **k: None)\n"
            "        time.sleep(0.001)\n        _hc.__dict__['check_array'] = _real\n        time.sleep(0.001)\n"
            "threading.Thread(target=_flip, daemon=True).start()", ("graded", "tampered")),
        "patch_reference_class_attr": (
            "import helpers.network as _hn\ntype.__setattr__(_hn.MLP, 'forward', lambda self, X: X)", "graded"),
        "patch_numpy_private_module": (
            "vars(__import__('numpy')._core.numeric)['isclose'] = lambda *a, **k: True\n"
            "vars(__import__('numpy')._core.numeric)['allclose'] = lambda *a, **k: True", "graded"),
        "rebind_unprotected_import": (
            "make_moons = lambda *a, **k: (None, None)\nplot_network = None", "graded"),
        "return_always_equal_object": (
            f"class _Eq:\n    def __eq__(self, o):\n        return True\n    def __float__(self):\n        return 0.0\n"
            f"def {a1}(z):\n    return _Eq()", "graded"),
        "malformed_reply_to_trusted_side": (
            "import bw_kernel.sides as _s, bw_kernel.relay as _r\n"
            "_r.Endpoint._dumps = lambda self, msg: '{\"op\": \"return\", \"value\": {\"__nd__\": \"O\", '"
            "'\"shape\": [1], \"b64\": \"AAAAAAAAAAA=\"}}'", "graded"),
        "reply_with_a_reference": (
            "import bw_kernel.relay as _r\n"
            "_r.Endpoint._dumps = lambda self, msg: '{\"op\": \"return\", \"value\": {\"__ref__\": 1, '"
            "'\"kind\": \"object\", \"name\": \"numpy\"}}'", "graded"),
        "keyboard_interrupt_in_function": (
            f"def {a1}(z):\n    raise KeyboardInterrupt", "graded"),
        "exit_in_function": (
            f"def {a1}(z):\n    raise SystemExit(0)", "graded"),
    }


def _leak_attacks(canary_path):
    """Code put after the first answer of the *honest* notebook: full marks stay, nothing leaks."""
    return {
        "print_hidden_source_from_history": (
            "def _peek():\n    ip = get_ipython()\n    print('\\n'.join(ip.user_ns.get('In', [])[-3:]))\n"
            "    print(ip.user_ns.get('_i', ''), ip.user_ns.get('_ih', [''])[-1:])\n"
            "_old_dense = dense_forward\n"
            "def dense_forward(X, W, b):\n    _peek()\n    return _old_dense(X, W, b)"),
        "walk_frames_for_tests": (
            "import sys\n_old_dense = dense_forward\n"
            "def dense_forward(X, W, b):\n    f = sys._getframe(1)\n    while f is not None:\n"
            "        print(f.f_code.co_filename, sorted(f.f_locals)[:20], str(f.f_locals)[:3000])\n"
            "        f = f.f_back\n    return _old_dense(X, W, b)"),
        "read_solutions_copies": (
            "import glob, os\n_found = []\n"
            f"for _p in [{str(canary_path)!r}] + glob.glob('/*/*/*/solutions/*/*.ipynb')[:20]"
            " + glob.glob('/tmp/*/*.ipynb') + glob.glob('/root/*/*.ipynb'):\n"
            "    try:\n        _found.append(open(_p).read()[:5000])\n    except OSError as e:\n        _found.append(str(e))\n"
            "_old_dense = dense_forward\n"
            "def dense_forward(X, W, b):\n    print(_found)\n    return _old_dense(X, W, b)"),
        "read_proc_and_host_files": (
            "_seen = []\nfor _p in ['/proc/1/cmdline', '/proc/1/environ', '/proc/self/environ', '/etc/shadow',"
            " '/root/.bash_history', '/tmp/bw-grader-specs-0']:\n"
            "    try:\n        _seen.append(open(_p, 'rb').read()[:2000])\n    except OSError as e:\n"
            "        _seen.append(type(e).__name__)\n"
            "import os\n_seen.append(sorted(os.listdir('/')))\n_old_dense = dense_forward\n"
            "def dense_forward(X, W, b):\n    print(_seen)\n    return _old_dense(X, W, b)"),
        "spec_cache_and_other_scratch": (
            "import glob\n_seen = glob.glob('/tmp/**', recursive=True)[:50] + glob.glob('/work/*/*/*.ipynb')"
            " + glob.glob('/work/*/*/solutions/*/*.ipynb')\nprint(_seen)"),
    }


def _files_attacks():
    """Code in an extra cell after the first test of the *honest* notebook: the grader must not
    follow, block on or read what the kernel plants."""
    find = ("import os, sys\n_k = os.path.dirname(sys.argv[sys.argv.index('-f') + 1]) if '-f' in sys.argv else '.'\n")
    return {
        "symlink_as_kernel_log": (find + "for _n in ('kernel.log', 'log', 'k.log'):\n    try:\n"
                                  "        os.symlink('/etc/shadow', os.path.join(_k, _n))\n"
                                  "    except OSError as e:\n        print('refused', type(e).__name__)\n"
                                  "import time\nos._exit(3)", "die"),
        "fifo_as_kernel_log": (find + "for _n in ('kernel.log', 'fifo'):\n    try:\n"
                               "        os.mkfifo(os.path.join(_k, _n))\n    except OSError as e:\n"
                               "        print('refused', type(e).__name__)\nsys.stderr.write('x' * 100)\n"
                               "os._exit(4)", "die"),
        "replace_connection_file": (find + "for _n in os.listdir(_k):\n    try:\n"
                                    "        os.replace(os.path.join(_k, _n), os.path.join(_k, _n + '.x'))\n"
                                    "    except OSError as e:\n        print('refused', type(e).__name__)", "ok"),
        "flood_the_kernel_log": ("import os\n_b = b'e' * (1 << 20)\nfor _ in range(20):\n    os.write(2, _b)",
                                 "ok"),
    }


def _edge_attacks():
    """Code in an extra cell after the first test of the *honest* notebook."""
    return {
        "fill_scratch_1GB": ("import os\n_chunk = b'0' * (1 << 20)\n_n = 0\ntry:\n"
                             "    with open('big.bin', 'wb') as f:\n        for _ in range(1024):\n"
                             "            f.write(_chunk)\n            _n += 1\nexcept OSError as e:\n"
                             "    print('stopped after', _n, 'MB:', type(e).__name__)\nfinally:\n"
                             "    os.path.exists('big.bin') and os.remove('big.bin')", "ok"),
        "fill_dev_shm": ("import os\ntry:\n    with open('/dev/shm/x', 'wb') as f:\n"
                         "        for _ in range(512):\n            f.write(b'0' * (1 << 20))\n"
                         "except OSError as e:\n    print(type(e).__name__)\nfinally:\n"
                         "    os.path.exists('/dev/shm/x') and os.remove('/dev/shm/x')", "ok"),
        "thread_storm": ("import threading, time\n_t = []\ntry:\n    for _ in range(5000):\n"
                         "        th = threading.Thread(target=time.sleep, args=(30,), daemon=True)\n"
                         "        th.start()\n        _t.append(th)\nexcept RuntimeError as e:\n"
                         "    print('refused after', len(_t))", "ok"),
        "huge_cell_with_shell_escapes": ("\n".join(f"_v{i} = {i}" for i in range(12_000)) + "\n"
                                         + "\n".join("!true" for _ in range(3)), "ok"),
    }


def build_attacks(release_nb, solution_nb, spec, canary_path) -> list[Case]:
    """The attacks above as submissions of the corpus lesson, each with its verdict."""
    autos = [e["name"] for e in spec["exercises"] if e["kind"] == "auto"]
    a0, a1 = autos[0], autos[1]
    rest = set(autos[1:])
    honest = honest_notebook(release_nb, solution_nb)
    cases = []
    for name, (code, status) in _forge_attacks(a0, a1).items():
        cases.append(Case(f"forge_{name}", to_bytes(_with_answer(release_nb, a1, extra_top=code)),
                          {a0: "graded", "*": status}, zero=set(autos), family="forge"))
    for name, code in _leak_attacks(canary_path).items():
        cases.append(Case(f"leak_{name}", to_bytes(_with_answer(honest, a0, extra_top=code)),
                          {"*": "graded"}, full=set(autos), family="leak"))
    for table, family in ((_files_attacks(), "files"), (_edge_attacks(), "edge")):
        for name, (code, outcome) in table.items():
            nb = _insert_after(honest, f"test_{a0}", code)
            expect = {"*": "graded"} if outcome == "ok" else {a0: "graded", "*": "error"}
            cases.append(Case(f"{family}_{name}", to_bytes(nb), expect,
                              full=set(autos) if outcome == "ok" else {a0}, family=family))
    cases.append(Case("edge_sleep_in_function", to_bytes(_with_answer(
        honest, a1, body_prefix="import time; time.sleep(3600)")), {a1: "timeout", "*": "graded"},
        full=set(autos) - {a1}, zero={a1}, family="edge"))
    cases.append(Case("edge_ignore_sigint_in_function", to_bytes(_with_answer(
        honest, a1, body_prefix="import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                                "[time.sleep(0.01) for _ in iter(int, 1)]")),
        {a0: "graded", "*": "timeout"}, full={a0}, zero=rest, family="edge"))
    return cases
