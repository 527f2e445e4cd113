"""How a submission's kernel is confined.

With bubblewrap (``bwrap``, Debian package ``bubblewrap``) every kernel runs in its own
mount, PID, IPC, UTS and network namespaces on an **allow-listed** file system: system
libraries and programs (``/usr`` and the usr-merge links), a few files of ``/etc``, the
Python installation(s), the ``helpers`` package and the grader's in-kernel modules
(:mod:`grader.bw_kernel`, bound at the neutral path ``/opt/bw/bw_kernel``), all read-only;
a size-limited tmpfs as ``/tmp`` (the kernel's home and working folder) and ``/dev/shm``;
the submission's socket folder. Nothing else exists in there: no course repository, no
other copy of ``solutions/``, no submissions, results or grader scratch. There is no
network but a private loopback. bwrap's own options reach it through a pipe (``--args``),
so its ``/proc/1/cmdline`` names no host path.

In every mode the kernel gets resource limits (``RLIMIT_DATA`` = the memory cap, no core
files, a file-size cap) and, when the grader runs as root, its own unprivileged uid per
worker slot with ``RLIMIT_NPROC`` (bounds fork storms; processes left behind are killed
after each cell). Without bwrap the kernel still runs in its own scratch folder, with a
clean environment and those limits, but can read the file system and use the network:
``grader.runner.choose_mode`` refuses unless the caller explicitly accepts that (``--no-sandbox``).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .core import Limits

__all__ = ["Sandbox", "bwrap_works", "default_keep", "kill_uid", "UID_BASE", "KERNEL_PKG", "SYSTEM_PATHS"]

UID_BASE = 2_900_000_000   # far above any system, user or subordinate (container) uid range
KERNEL_PKG = Path(__file__).with_name("bw_kernel")   # bound at /opt/bw/bw_kernel in the sandbox
SANDBOX_LIB = "/opt/bw"
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf",
             "/etc/hosts", "/etc/mime.types", "/etc/fonts")

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


def _venv() -> bool:
    """The grader runs in a virtual environment (bound again at /opt/bw/venv: no host path in the
    kernel's command line)."""
    return sys.prefix != sys.base_prefix and os.path.isfile(os.path.join(sys.prefix, "pyvenv.cfg"))


def _system_args() -> list[str]:
    """Read-only system folders (usr-merge links stay links) and a few files of /etc."""
    args = []
    for p in SYSTEM_PATHS:
        if os.path.islink(p):
            args += ["--symlink", os.readlink(p), p]
        elif os.path.isdir(p):
            args += ["--ro-bind", p, p]
    for f in ETC_FILES:
        args += ["--ro-bind-try", f, f]
    return args


def _parents(path: str, made: set[str]) -> list[str]:
    """Options creating the missing parent folders of ``path``, enterable by the kernel's uid."""
    args = []
    for anc in reversed(Path(path).parents):
        d = str(anc)
        if d != "/" and d not in made:
            made.add(d)
            args += ["--perms", "0755", "--dir", d]
    return args


def _bind_args(keep, hide, made: set[str]) -> list[str]:
    """Bind each kept path read-only, its missing parents created enterable (0755); then
    mask what must stay hidden even inside a kept folder."""
    args = []
    for p in sorted(set(keep)):
        if os.path.exists(p):
            args += _parents(p, made) + ["--ro-bind", p, p]
    for p in hide:
        if any(p == k or p.startswith(k.rstrip("/") + "/") for k in keep) and os.path.isdir(p):
            args += ["--tmpfs", p]
    return args


@dataclass
class Sandbox:
    """One worker slot's confinement (``mode``: ``"bwrap"`` or ``"none"``).

    ``keep``: host paths bound read-only (see :func:`default_keep`); ``hide``: paths masked by an
    empty tmpfs when they lie inside a kept one; ``limits``: the :class:`~grader.core.Limits`
    (``memory_mb``, when given, overrides its memory cap).
    """
    mode: str
    memory_mb: int | None = None
    slot: int = 0
    hide: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    pending_fds: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self):
        if self.mode not in ("bwrap", "none"):
            raise ValueError(f"Sandbox.mode: expected 'bwrap' or 'none', got {self.mode!r}")
        if self.memory_mb is not None:
            self.limits = self.limits.with_(memory_mb=self.memory_mb)
        self.memory_mb = self.limits.memory_mb

    @property
    def uid(self) -> int:
        """The kernel's uid (0: unchanged -- without bwrap, or when the grader is not root)."""
        return UID_BASE + self.slot if os.geteuid() == 0 and self.mode == "bwrap" else 0

    def home(self, scratch: Path) -> str:
        """The kernel's private writable folder: the sandbox's size-limited /tmp, or scratch/run."""
        return "/tmp" if self.mode == "bwrap" else str(Path(scratch) / "run")

    def _options(self, scratch: Path) -> list[str]:
        scratch = Path(scratch)
        made = {"/tmp", "/dev", "/proc", "/opt", SANDBOX_LIB}
        opts = [*_system_args(), "--dev", "/dev", "--proc", "/proc",
                "--size", str(self.limits.scratch_mb << 20), "--perms", "1777", "--tmpfs", "/tmp",
                "--size", str(16 << 20), "--tmpfs", "/dev/shm",
                "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "grader",
                "--die-with-parent", "--new-session",
                "--perms", "0755", "--dir", "/opt", "--perms", "0755", "--dir", SANDBOX_LIB,
                "--ro-bind", str(KERNEL_PKG), f"{SANDBOX_LIB}/bw_kernel"]
        opts += _bind_args(self.keep, self.hide, made)
        opts += ["--ro-bind", str(scratch / "seed"), f"{SANDBOX_LIB}/seed"]
        if _venv():
            opts += ["--ro-bind", sys.prefix, f"{SANDBOX_LIB}/venv"]
        opts += _parents(str(scratch / "k"), made)
        opts += ["--bind", str(scratch / "k"), str(scratch / "k"), "--chdir", "/"]
        return opts

    def options_pipe(self, scratch: Path) -> tuple[int, ...]:
        """Open the pipe bwrap reads its options from (``--args``); -> the fds to pass to the
        process (``pass_fds``); they stay in :attr:`pending_fds` until :meth:`launched`."""
        if self.mode != "bwrap":
            return ()
        if not self.pending_fds:
            r, w = os.pipe()
            os.write(w, b"".join(a.encode() + b"\0" for a in self._options(scratch)))
            os.close(w)
            self.pending_fds.append(r)
        return tuple(self.pending_fds)

    def wrap(self, scratch: Path, argv: list[str]) -> list[str]:
        """``argv`` as it runs in this sandbox; in bwrap mode pass ``pass_fds=self.pending_fds``
        to the process (the options travel through a pipe, not the command line)."""
        if self.mode != "bwrap":
            return list(argv)
        fd = self.options_pipe(scratch)[0]
        return [shutil.which("bwrap") or "bwrap", "--args", str(fd), "--", *argv]

    def launched(self) -> None:
        """The process that needed :attr:`pending_fds` has started: close our copies."""
        while self.pending_fds:
            try:
                os.close(self.pending_fds.pop())
            except OSError:
                pass

    def kernel_cmd(self, scratch: Path, kernel_args: list[str]) -> list[str]:
        """The command that starts a kernel whose only writable places are its home and ``scratch/k``."""
        lim = self.limits
        boxed = self.mode == "bwrap"
        python = f"{SANDBOX_LIB}/venv/bin/{os.path.basename(sys.executable)}" if boxed and _venv() else sys.executable
        seed = f"{SANDBOX_LIB}/seed" if boxed else str(Path(scratch) / "seed")
        launch = [python, "-m", "bw_kernel.launch", str(lim.memory_mb << 20), str(self.uid),
                  str(lim.nproc), str(lim.file_mb << 20), self.home(scratch), seed, "--", *kernel_args]
        return self.wrap(scratch, launch)

    def prepare(self, scratch: Path) -> None:
        """Lay out ``scratch``: ``k/`` (sockets; the kernel's until :meth:`seal`) and ``seed/``
        (read-only: IPython config, matplotlib's font cache)."""
        scratch = Path(scratch)
        (scratch / "k").mkdir(parents=True, exist_ok=True)
        seed = scratch / "seed"
        (seed / "mpl").mkdir(parents=True, exist_ok=True)
        # Figures are not graded and never shown in feedback: skip rendering them (~30 % faster).
        (seed / "ipython_kernel_config.py").write_text(
            "c.InlineBackend.figure_formats = set()\nc.HistoryManager.enabled = False\n", encoding="utf-8")
        cache = Path.home() / ".cache" / "matplotlib"
        for font in cache.glob("fontlist-*.json") if cache.is_dir() else ():
            shutil.copy(font, seed / "mpl" / font.name)   # no font-cache rebuild per kernel
        if self.mode != "bwrap":
            (scratch / "lib").mkdir(exist_ok=True)
            (scratch / "lib" / "bw_kernel").symlink_to(KERNEL_PKG, target_is_directory=True)
        if self.uid:
            os.chown(scratch / "k", self.uid, self.uid)

    def seal(self, scratch: Path) -> None:
        """After the kernel has bound its sockets: ``scratch/k`` back to the grader (no more
        writing there; the kernel's only writable place is then its size-limited /tmp)."""
        if not self.uid:
            return
        fd = os.open(Path(scratch) / "k", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            os.fchown(fd, os.geteuid(), os.getegid())
            os.fchmod(fd, 0o755)
        finally:
            os.close(fd)

    def env(self, scratch: Path) -> dict[str, str]:
        """A clean environment for the kernel (nothing from the instructor's shell leaks in)."""
        keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
        home = self.home(scratch)
        lib = SANDBOX_LIB if self.mode == "bwrap" else str(Path(scratch) / "lib")
        return {**keep, "HOME": f"{home}/home", "MPLCONFIGDIR": f"{home}/mpl", "TMPDIR": f"{home}/work",
                "IPYTHONDIR": f"{home}/ipython", "JUPYTER_RUNTIME_DIR": f"{home}/home", "PYTHONPATH": lib,
                "PYTHONDONTWRITEBYTECODE": "1",
                "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "NBGRADER_EXECUTION": "autograde", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

    def reap(self, keep: set[int] = frozenset()) -> int:
        """Kill stray processes of this slot's uid (fork storms); -> how many were killed."""
        return kill_uid(self.uid, keep) if self.uid else 0

    def describe(self) -> str:
        lim = self.limits
        base = (f"memory cap {lim.memory_mb} MB (RLIMIT_DATA), no core dumps, files <= {lim.file_mb} MB"
                + (f", own uid per worker with at most {lim.nproc} processes/threads" if self.uid else ""))
        if self.mode == "bwrap":
            return ("bubblewrap sandbox: allow-listed read-only file system (system libraries, Python, "
                    f"helpers), a {lim.scratch_mb} MB private /tmp as the only writable place, no network "
                    "(own loopback), own PID/IPC namespaces; " + base)
        return ("NO SANDBOX (bubblewrap unavailable or --no-sandbox): own scratch folder, clean "
                "environment, " + base + "; the kernel CAN read the file system (including "
                "solutions/) and use the network")
