"""One real classroom for all of tests/hub: Unix users, the exchange, JupyterHub + configurable-http-proxy.

``classroom`` (package scope) runs the real ``grader hub setup`` for an instructor and two
students whose Unix users it creates (random names, removed afterwards) with homes, exchange
and state under a fresh ``/tmp/bw-hub-*`` folder, starts ``jupyterhub`` with
``deploy/jupyterhub/jupyterhub_config.py`` on free localhost ports and each user's server (a real
``jupyterhub-singleuser`` from the users' environment, running as that user) through the Hub's
REST API. Teardown stops the Hub by process id (it stops the servers it spawned), then any
process still owned by the test users, deletes the users and the folder.

Needs root, node/npm (``make classroom-env`` installs configurable-http-proxy and the users'
environment; ``make test`` runs it): anything missing is a failure, never a skip.
"""
from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("BW_CLASSROOM_VENV", "/opt/backprop-workbook/venv"))
CHP = ROOT / "deploy" / "jupyterhub" / "node_modules" / ".bin" / "configurable-http-proxy"
ARTIFACTS = ROOT / "test-artifacts" / "hub"
LESSONS = ("01_forward_propagation", "02_loss_functions")
TIMINGS: dict[str, float] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout, what, proc=None):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with code {proc.returncode} (see {ARTIFACTS})")
        try:
            value = check()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 -- retried until the deadline, then reported
            last = e
        time.sleep(0.25)
    raise TimeoutError(f"{what}: not ready after {timeout} s (last error: {last!r})")


def run(cmd, **kw) -> subprocess.CompletedProcess:
    """A command that must succeed; its output is in the failure message."""
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert proc.returncode == 0, (f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
                                  f"stdout: {proc.stdout[-3000:]}\nstderr: {proc.stderr[-3000:]}")
    return proc


def grader(*args, **kw) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "grader", *args], cwd=ROOT, **kw)


def _require():
    problems = []
    if os.geteuid() != 0:
        problems.append("the classroom tests create Unix users: run them as root")
    if shutil.which("node") is None or shutil.which("npm") is None:
        problems.append("node and npm (>= 20) are missing: apt-get install nodejs npm")
    if not os.access(CHP, os.X_OK):
        problems.append(f"{CHP} is missing: run `make classroom-env`")
    if not (VENV / "bin" / "jupyterhub-singleuser").is_file():
        problems.append(f"the users' environment {VENV} is missing: run `make classroom-env`")
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


class Hub:
    """The running Hub: REST calls as the admin service or as one user (their own token)."""

    def __init__(self, url, service_token, proc):
        import requests
        self.url, self.proc, self.tokens = url, proc, {}
        self.session = requests.Session()
        self.admin = {"Authorization": f"token {service_token}"}

    def api(self, method, path, **kw):
        r = self.session.request(method, f"{self.url}/hub/api{path}", headers=self.admin, timeout=60, **kw)
        assert r.status_code < 400, f"Hub API {method} {path}: {r.status_code} {r.text[:500]}"
        return r.json() if r.content else None

    def user(self, name, method, path, expect=200, **kw):
        """``method`` on the user's own server (``/user/<name><path>``) with their token."""
        headers = {"Authorization": f"token {self.tokens[name]}"}
        r = self.session.request(method, f"{self.url}/user/{name}{path}", headers=headers, timeout=120, **kw)
        assert r.status_code == expect, f"{name}: {method} {path}: {r.status_code} (expected {expect}) {r.text[:800]}"
        return r

    def start_server(self, name):
        self.tokens[name] = self.api("POST", f"/users/{name}/tokens", json={"note": "tests/hub"})["token"]
        self.api("POST", f"/users/{name}/server")

        def ready():
            return self.api("GET", f"/users/{name}").get("servers", {}).get("", {}).get("ready")
        wait_until(ready, 150, f"{name}'s server", self.proc)
        wait_until(lambda: self.user(name, "GET", "/api/status").ok, 30, f"{name}'s server API")


def _kill_user_processes(uids):
    """Stop, by process id, whatever still runs as the test users (kernels left behind)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = []
        for d in Path("/proc").iterdir():
            try:
                if d.name.isdigit() and d.stat().st_uid in uids:
                    pids.append(int(d.name))
            except OSError:
                pass
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if pids and sig == signal.SIGTERM:
            time.sleep(1)


def _exists(name) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


class _HubProcess:
    """The Hub that `make classroom-start` left in the background, known by its pid file."""

    def __init__(self, pid_file: Path):
        self.pid = int(pid_file.read_text().strip())
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = "gone"
        return self.returncode


def make(*args, **kw) -> subprocess.CompletedProcess:
    """``make ARGS`` in the checkout (the README's path), run with this interpreter's venv."""
    return run(["make", "--no-print-directory", *args], cwd=ROOT, **kw)


def _stop_hub(make_vars, state, proc):
    """`make classroom-stop`, then (should it fail) the Hub's own process group, by its pid."""
    stopped = subprocess.run(["make", "--no-print-directory", "classroom-stop", *make_vars], cwd=ROOT,
                             capture_output=True, text=True)
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    hub_log = state / "hub" / "jupyterhub.log"
    if hub_log.is_file():
        shutil.copy(hub_log, ARTIFACTS / "jupyterhub.log")
    return stopped


@pytest.fixture(scope="package")
def classroom():
    """-> dict: hub (Hub), names (instructor, a, b), paths, ports, the exchange (Classroom).

    Started as the README says, with every setting away from its default: `make classroom-start`
    with EXCHANGE, CLASSROOM_STATE, CLASSROOM_GROUP, HOME_BASE and all three ports (HUB_PORT,
    HUB_API_PORT, PROXY_API_PORT) on free ports; stopped with `make classroom-stop`."""
    _require()
    t0 = time.monotonic()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(3)
    names = {"instructor": f"bwi{tag}", "a": f"bwa{tag}", "b": f"bwb{tag}"}
    group = f"bwg{tag}"
    base = Path(tempfile.mkdtemp(prefix="bw-hub-", dir="/tmp"))
    os.chmod(base, 0o755)
    (base / "home").mkdir(mode=0o755)
    (base / "roster.csv").write_text(f"student_id,name\n{names['a']},Student A\n{names['b']},Student B\n")
    ports = {"port": free_port(), "hub_port": free_port(), "proxy_api_port": free_port()}
    from grader.hub.layout import Classroom
    room = Classroom(exchange=base / "exchange", course="backprop-workbook", group=group)
    make_vars = [f"ROSTER={base / 'roster.csv'}", f"INSTRUCTOR={names['instructor']}", f"CLASSROOM_STATE={base / 'state'}",
                 f"CLASSROOM_VENV={VENV}", f"EXCHANGE={room.exchange}", f"CLASSROOM_GROUP={group}",
                 f"HOME_BASE={base / 'home'}", f"HUB_PORT={ports['port']}", f"HUB_API_PORT={ports['hub_port']}",
                 f"PROXY_API_PORT={ports['proxy_api_port']}"]
    setup_args = ["hub", "setup", "--roster", base / "roster.csv", "--instructor", names["instructor"],
                  "--state", base / "state", "--venv", VENV, "--exchange", room.exchange, "--group", group,
                  "--home-base", base / "home", "--port", ports["port"], "--hub-port", ports["hub_port"],
                  "--proxy-api-port", ports["proxy_api_port"]]      # what make passed (test_setup_again...)
    proc = None
    try:
        token = secrets.token_hex(32)
        started = make("classroom-start", *make_vars, env=dict(os.environ, BW_HUB_SERVICE_TOKEN=token))
        proc = _HubProcess(base / "state" / "hub" / "jupyterhub.pid")
        recorded = json.loads((base / "state" / "classroom.json").read_text())
        assert (recorded["hub_port"], recorded["proxy_api_port"], recorded["exchange"]) == \
               (ports["hub_port"], ports["proxy_api_port"], str(room.exchange)), recorded
        hub = Hub(f"http://127.0.0.1:{ports['port']}", token, proc)
        wait_until(lambda: hub.session.get(f"{hub.url}/hub/api/", timeout=2).ok, 60, "JupyterHub", proc)
        TIMINGS["make classroom-start (setup + hub started)"] = time.monotonic() - t0
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(hub.start_server, names.values()))
        TIMINGS["hub + 3 servers ready"] = time.monotonic() - t0
        yield {"hub": hub, "names": names, "room": room, "base": base, "state": base / "state",
               "setup_args": setup_args, "ports": ports, "started": started,
               "classroom_json": base / "state" / "classroom.json",
               "homes": {k: Path(pwd.getpwnam(v).pw_dir) for k, v in names.items()}}
    finally:
        stopped = _stop_hub(make_vars, base / "state", proc)
        uids = set()
        for n in names.values():
            try:
                uids.add(pwd.getpwnam(n).pw_uid)
            except KeyError:
                pass
        _kill_user_processes(uids)
        for n in names.values():
            subprocess.run(["userdel", "--remove", n], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
        (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=1))
        left = [n for n in names.values() if _exists(n)]
        assert not left, f"the test users {left} could not be removed (userdel)"
        assert proc is None or stopped.returncode == 0, f"make classroom-stop: {stopped.stdout} {stopped.stderr}"


def _notebooks():
    """lesson -> (released student version, model answers, wrong answer, name of the wrong exercise)."""
    import runpy
    import nbformat
    sys.path.insert(0, str(ROOT / "tests" / "grader"))
    from grader_corpus import honest_notebook
    out = {}
    for lesson in LESSONS:
        release = nbformat.read(ROOT / "lessons" / lesson / f"{lesson}.ipynb", as_version=4)
        solution = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
        honest = honest_notebook(release, solution)
        name, entries = next(iter(runpy.run_path(str(ROOT / "tests/lessons/wrong_answers" / f"{lesson}.py"))
                                  ["WRONG"].items()))
        wrong = honest_notebook(release, solution)
        next(c for c in wrong.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name).source = entries[0][1]
        out[lesson] = {"honest": honest, "wrong": wrong, "wrong_exercise": name}
    return out


def _assignments(hub, user):
    r = hub.user(user, "GET", "/assignments", params={"course_id": "backprop-workbook"})
    body = r.json()
    assert body["success"], f"{user}: listing assignments failed: {body}"
    return body["value"]


def _action(hub, user, action, lesson):
    r = hub.user(user, "POST", f"/assignments/{action}",
                 data={"course_id": "backprop-workbook", "assignment_id": lesson})
    body = r.json()
    if isinstance(body, dict):
        assert body.get("success", True), f"{user}: {action} {lesson} failed: {str(body.get('value'))[-1500:]}"
    return body


def _put_notebook(hub, user, lesson, nb):
    hub.user(user, "PUT", f"/api/contents/{lesson}/{lesson}.ipynb", expect=200,
             json={"type": "notebook", "format": "json", "content": json.loads(json.dumps(nb))})


@pytest.fixture(scope="package")
def released(classroom):
    """Lesson 1 released with `grader hub release`, lesson 2 with the instructor's formgrader API."""
    t0 = time.monotonic()
    room, hub = classroom["room"], classroom["hub"]
    # the exchange, course and group are those `make classroom` recorded: not repeated here
    out = grader("hub", "release", LESSONS[0], "--classroom", classroom["classroom_json"])
    assert str(room.outbound) in out.stdout, out.stdout
    r = hub.user(classroom["names"]["instructor"], "POST", f"/formgrader/api/assignment/{LESSONS[1]}/release")
    assert r.json()["success"], f"formgrader release of {LESSONS[1]} failed: {r.text[-1500:]}"
    TIMINGS["release 2 lessons"] = time.monotonic() - t0
    return LESSONS


@pytest.fixture(scope="package")
def flow(classroom, released, tmp_path_factory):
    """The whole loop through the Hub: fetch, work, submit (B twice), a forged submission,
    collect, autograde (sandboxed), return, fetch feedback. -> what the tests look at."""
    import datetime as dt
    hub, names, room = classroom["hub"], classroom["names"], classroom["room"]
    a, b = names["a"], names["b"]
    nbs = _notebooks()
    t0 = time.monotonic()
    seen = {u: _assignments(hub, u) for u in (a, b)}
    for lesson in LESSONS:
        _action(hub, a, "fetch", lesson)
        _put_notebook(hub, a, lesson, nbs[lesson]["honest"])
        _action(hub, a, "submit", lesson)
    _action(hub, b, "fetch", LESSONS[0])
    _action(hub, b, "submit", LESSONS[0])                      # the blank, as fetched
    between = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    time.sleep(0.05)
    _put_notebook(hub, b, LESSONS[0], nbs[LESSONS[0]]["wrong"])
    _action(hub, b, "submit", LESSONS[0])                      # the wrong answer, later: it counts
    # A tries to hand in as B with nbgrader's own CLI (its --student option), as the Unix user A
    forged = subprocess.run(
        ["runuser", "-u", a, "--", "env", f"PATH={VENV / 'bin'}:/usr/bin:/bin",
         f"JUPYTER_CONFIG_PATH={classroom['state'] / 'jupyter' / 'students'}", f"HOME={classroom['homes']['a']}",
         "nbgrader", "submit", LESSONS[0], "--student", b],
        cwd=classroom["homes"]["a"], capture_output=True, text=True)
    TIMINGS["fetch + submit (5 submissions, 1 forged)"] = time.monotonic() - t0
    t1 = time.monotonic()
    subs, results = tmp_path_factory.mktemp("hub-submissions") / "subs", tmp_path_factory.mktemp("hub-results")
    room_args = ["--classroom", classroom["classroom_json"]]        # exchange, course, group: as recorded
    collected = grader("hub", "collect", *LESSONS, "--out", subs, *room_args)
    TIMINGS["collect"] = time.monotonic() - t1
    t1 = time.monotonic()
    grader("autograde", subs, "--out", results, "--jobs", "2", "--quiet", "--timeout", "20")
    TIMINGS["autograde (3 submissions, sandboxed)"] = time.monotonic() - t1
    t1 = time.monotonic()
    returned = grader("hub", "return", results, *room_args)
    for lesson in LESSONS:
        _action(hub, a, "fetch_feedback", lesson)
    _action(hub, b, "fetch_feedback", LESSONS[0])
    TIMINGS["return + fetch feedback"] = time.monotonic() - t1
    TIMINGS["whole loop (release .. feedback fetched)"] = time.monotonic() - t0 + TIMINGS["release 2 lessons"]
    return {"seen": seen, "nbs": nbs, "between": between, "forged": forged, "subs": subs,
            "results": results, "collected": collected, "returned": returned, "room_args": room_args}
