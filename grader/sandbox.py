"""How a submission's kernel is confined.

With bubblewrap (``bwrap``, Debian package ``bubblewrap``) every kernel runs in its own
mount, PID, IPC and network namespaces: the file system is read-only; ``/tmp`` and
``/dev/shm`` are empty; the course repository (``solutions/``, ``.git``, any gradebook),
the submissions, the results folder and the grader's scratch area are hidden behind
empty tmpfs mounts, with only the Python installation and the ``helpers`` package bound
back read-only and the submission's own scratch folder writable; there is no network but
a private loopback. The kernel talks to the grader over Unix sockets in its scratch folder.

In every mode the kernel gets resource limits (``RLIMIT_DATA`` = the memory cap, no core
files, a file-size cap) and, when the grader runs as root, its own unprivileged uid per
worker slot with ``RLIMIT_NPROC`` (bounds fork storms; processes left behind are killed
after each cell). Without bwrap the kernel still runs in its own scratch folder, with a
clean environment and those limits, but can read the file system and use the network:
:func:`require` refuses unless the caller explicitly accepts that (``--no-sandbox``).
"""
from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Sandbox", "bwrap_works", "default_keep", "kill_uid", "LAUNCHER", "UID_BASE"]

UID_BASE = 2_900_000_000   # far above any system, user or subordinate (container) uid range
NPROC = 96           # threads + processes per kernel uid (an idle ipykernel uses ~12)
FSIZE_MB = 256       # largest file a kernel may write

# Runs inside the sandbox: limits, drop privileges, then become the kernel.
LAUNCHER = r"""
import os, resource, sys
mem, uid, nproc, fsize = (int(a) for a in sys.argv[1:5])
resource.setrlimit(resource.RLIMIT_DATA, (mem, mem))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
if uid > 0 and os.geteuid() == 0:
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
os.environ.pop("JPY_PARENT_PID", None)   # the namespace has its own pids; bwrap --die-with-parent instead
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher"] + sys.argv[5:])
"""

_probe_cache: dict[str, bool] = {}


def bwrap_works() -> bool:
    """True when ``bwrap`` is installed and can create the namespaces we use."""
    if "ok" not in _probe_cache:
        exe = shutil.which("bwrap")
        ok = False
        if exe:
            try:
                ok = subprocess.run([exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                                     "--unshare-net", "--unshare-pid", "--die-with-parent", "true"],
                                    capture_output=True, timeout=20).returncode == 0
            except (OSError, subprocess.SubprocessError):
                ok = False
        _probe_cache["ok"] = ok
    return _probe_cache["ok"]


def kill_uid(uid: int, keep: set[int] = frozenset()) -> int:
    """SIGKILL every process whose real uid is ``uid`` (except ``keep``); -> how many."""
    n = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in keep:
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                line = next((ln for ln in f if ln.startswith("Uid:")), "")
            if line and int(line.split()[1]) == uid:
                os.kill(int(entry), signal.SIGKILL)
                n += 1
        except (OSError, ValueError, StopIteration):
            continue
    return n


def default_keep() -> list[str]:
    """What a kernel needs to see: the Python installation(s) and the ``helpers`` package."""
    import importlib.util
    keep = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    spec = importlib.util.find_spec("helpers")
    if spec and spec.origin:
        keep.add(os.path.dirname(spec.origin))
    return sorted(keep)


@dataclass
class Sandbox:
    """One worker slot's confinement (``mode``: ``"bwrap"`` or ``"none"``)."""
    mode: str
    memory_mb: int = 2048
    slot: int = 0
    hide: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)

    @property
    def uid(self) -> int:
        """The kernel's uid (0: unchanged -- without bwrap, or when the grader is not root)."""
        return UID_BASE + self.slot if os.geteuid() == 0 and self.mode == "bwrap" else 0

    def _closed_ancestors(self) -> list[str]:
        """Folders above a kept path that other users cannot enter (e.g. /root for pyenv):
        they are replaced by an empty tmpfs so that the kernel's uid can reach what is kept."""
        out = []
        for p in self.keep:
            for anc in reversed(Path(p).parents):
                if str(anc) != "/" and os.path.isdir(anc) and not os.stat(anc).st_mode & stat.S_IXOTH:
                    out.append(str(anc))
                    break
        return out

    def kernel_cmd(self, scratch: Path, kernel_args: list[str]) -> list[str]:
        """The command that starts a kernel whose private, writable folder is ``scratch``."""
        launch = [sys.executable, "-c", LAUNCHER, str(self.memory_mb << 20), str(self.uid),
                  str(NPROC), str(FSIZE_MB << 20), *kernel_args]
        if self.mode != "bwrap":
            return launch
        cmd = [shutil.which("bwrap") or "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--tmpfs", "/tmp", "--tmpfs", "/dev/shm", "--unshare-net", "--unshare-pid", "--unshare-ipc",
               "--unshare-uts", "--hostname", "grader", "--die-with-parent", "--new-session"]
        emptied = ["/tmp", "/dev/shm"]
        for p in [*self.hide, *self._closed_ancestors()]:  # noqa: B007
            if os.path.isdir(p):
                cmd += ["--tmpfs", p]
                emptied.append(p)
            elif os.path.exists(p):
                cmd += ["--ro-bind", "/dev/null", p]
        made = set()
        for p in self.keep:
            if not os.path.exists(p):
                continue
            # a kept path inside an emptied folder (e.g. a clone under /tmp, pyenv under /root) gets
            # its missing parent folders created enterable: bwrap would make them 0700 (root only)
            for anc in emptied:
                if p.startswith(anc.rstrip("/") + "/"):
                    parts = Path(p).relative_to(anc).parts[:-1]
                    for k in range(1, len(parts) + 1):
                        d = str(Path(anc, *parts[:k]))
                        if d not in made:
                            made.add(d)
                            cmd += ["--perms", "0755", "--dir", d]
            cmd += ["--ro-bind", p, p]
        cmd += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch / "work"), "--", *launch]
        return cmd

    def prepare(self, scratch: Path) -> None:
        """Create the scratch folder layout, owned by the kernel's uid."""
        for sub in ("work", "home", "mpl", "ipython"):
            (scratch / sub).mkdir(parents=True, exist_ok=True)
        profile = scratch / "ipython" / "profile_default"
        profile.mkdir(parents=True, exist_ok=True)
        # Figures are not graded and never shown in feedback: skip rendering them (~30 % faster).
        (profile / "ipython_kernel_config.py").write_text(
            "c.InlineBackend.figure_formats = set()\n", encoding="utf-8")
        cache = Path.home() / ".cache" / "matplotlib"
        for font in cache.glob("fontlist-*.json") if cache.is_dir() else ():
            shutil.copy(font, scratch / "mpl" / font.name)   # no font-cache rebuild per kernel
        if self.uid:
            for p in [scratch, *scratch.rglob("*")]:
                os.chown(p, self.uid, self.uid)

    def env(self, scratch: Path) -> dict[str, str]:
        """A clean environment for the kernel (nothing from the instructor's shell leaks in)."""
        keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
        return {**keep, "HOME": str(scratch / "home"), "MPLCONFIGDIR": str(scratch / "mpl"),
                "IPYTHONDIR": str(scratch / "ipython"), "JUPYTER_RUNTIME_DIR": str(scratch / "home"),
                "PYTHONDONTWRITEBYTECODE": "1",
                "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "NBGRADER_EXECUTION": "autograde", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

    def reap(self, keep: set[int] = frozenset()) -> int:
        """Kill stray processes of this slot's uid (fork storms); -> how many were killed."""
        return kill_uid(self.uid, keep) if self.uid else 0

    def describe(self) -> str:
        base = (f"memory cap {self.memory_mb} MB (RLIMIT_DATA), no core dumps, files <= {FSIZE_MB} MB"
                + (f", own uid per worker with at most {NPROC} processes/threads" if self.uid else ""))
        if self.mode == "bwrap":
            return ("bubblewrap sandbox: read-only file system, course repository / submissions / "
                    "results / scratch hidden, private /tmp, no network (own loopback), own PID/IPC "
                    "namespaces; " + base)
        return ("NO SANDBOX (bubblewrap unavailable or --no-sandbox): own scratch folder, clean "
                "environment, " + base + "; the kernel CAN read the file system (including "
                "solutions/) and use the network")
