"""Fixtures for the real-browser tests: JupyterLab, Voila and Debian's Chromium, each started by
subprocess on a free localhost port and stopped by process group in teardown, even on failure.

Everything runs on copies of the notebooks in a temporary folder (the server root), with
temporary Jupyter config/data/settings/workspace directories, so nothing is written into the
repository or the home directory. A missing ``/usr/bin/chromium`` fails the tests (CI installs it,
see ``.ci/run``): it never skips.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"
NOTEBOOKS = {   # name -> path in the repository (copied to the same path under the server root)
    "solution": "solutions/04_gradient_descent/04_gradient_descent.ipynb",
    "lesson": "lessons/04_gradient_descent/04_gradient_descent.ipynb",
    "presentation": "presentation/explorers.ipynb",
}
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout, what, proc=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with code {proc.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what}: not ready after {timeout} s")


def stop(proc):
    """Stop ``proc`` and everything it started (its own process group), by process id."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def leftovers(marker):
    """Process ids whose command line mentions ``marker`` (our temporary folder): kernels the
    servers started and did not stop."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                if marker in (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


def start(cmd, cwd, env, log):
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture(scope="module")
def paths():
    """Where things are: ``root`` (the repository), ``artifacts``, ``notebooks`` (name -> path)."""
    return {"root": ROOT, "artifacts": ARTIFACTS, "notebooks": NOTEBOOKS}


@pytest.fixture(scope="module")
def chromium_path():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM}, which is missing: "
                    f"install it with `apt-get install -y chromium` (.ci/run does this in CI)",
                    pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A temporary server root holding copies of the notebooks, and private Jupyter dirs."""
    base = tmp_path_factory.mktemp("browser")
    root = base / "root"
    for p in NOTEBOOKS.values():   # a missing one fails the test that opens it
        if not (ROOT / p).is_file():
            continue
        (root / p).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / p, root / p)
    settings = base / "lab-settings"
    for name, value in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("IPYTHONDIR", "ipython")):
        (base / sub).mkdir()
        env[var] = str(base / sub)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env["OPENBLAS_NUM_THREADS"] = "1"      # two cores shared by the server, kernels and browser
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "latency.txt").write_text("")   # this session's measurements only
    for old in ARTIFACTS.glob("*-failure.png"):
        old.unlink()
    return {"base": base, "root": root, "env": env}


@pytest.fixture(scope="module")
def servers(sandbox):
    """JupyterLab (free port, random token) and Voila (free port, the presentation notebook),
    started together so their start-ups overlap; both are stopped at the end of the session."""
    lab_port, voila_port, token = free_port(), free_port(), secrets.token_hex(16)
    logs = [open(ARTIFACTS / "jupyterlab.log", "w"), open(ARTIFACTS / "voila.log", "w")]
    procs = []
    try:
        procs.append(start([str(BIN / "jupyter"), "lab", "--allow-root", "--no-browser",
                            "--ip=127.0.0.1", f"--port={lab_port}", f"--IdentityProvider.token={token}",
                            f"--ServerApp.root_dir={sandbox['root']}", "--ServerApp.port_retries=0"],
                           sandbox["root"], sandbox["env"], logs[0]))
        procs.append(start([str(BIN / "voila"), NOTEBOOKS["presentation"], f"--port={voila_port}",
                            "--no-browser", "--Voila.ip=127.0.0.1"],
                           sandbox["root"], sandbox["env"], logs[1]))
        yield {"lab": (procs[0], f"http://127.0.0.1:{lab_port}", token),
               "voila": (procs[1], f"http://127.0.0.1:{voila_port}/", voila_port)}
    finally:
        for proc in procs:
            stop(proc)
        for pid in leftovers(str(sandbox["base"])):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for log in logs:
            log.close()


@pytest.fixture(scope="module")
def jupyter_lab(servers):
    """The JupyterLab server, once it answers: ``(base_url, token)``."""
    proc, url, token = servers["lab"]
    wait_until(lambda: urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).status == 200,
               60, "JupyterLab", proc)
    return url, token


@pytest.fixture(scope="module")
def voila(servers, paths):
    """The Voila server, once it listens (it has no /api/status): its URL."""
    proc, url, port = servers["voila"]
    if not (paths["root"] / NOTEBOOKS["presentation"]).is_file():
        pytest.fail(f"{NOTEBOOKS['presentation']} is missing", pytrace=False)

    def listening():
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    wait_until(listening, 60, "Voila", proc)
    return url


@pytest.fixture(scope="module")
def browser(chromium_path, sandbox):
    """Headless Chromium started by us (so we own its process id), driven over CDP by Playwright."""
    from playwright.sync_api import sync_playwright

    profile = sandbox["base"] / "chromium-profile"
    profile.mkdir()
    log = open(ARTIFACTS / "chromium.log", "w")
    proc = start([str(chromium_path), "--headless=new", "--remote-debugging-port=0",
                  "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
                  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1000", "about:blank"],
                 profile, sandbox["env"], log)
    pw = None
    try:
        port_file = profile / "DevToolsActivePort"
        wait_until(lambda: port_file.is_file() and port_file.read_text().strip(), 30, "Chromium", proc)
        port = int(port_file.read_text().split()[0])
        pw = sync_playwright().start()
        b = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        yield b
        b.close()
    finally:
        if pw is not None:
            pw.stop()
        stop(proc)
        log.close()
