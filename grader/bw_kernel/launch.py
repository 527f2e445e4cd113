"""Become a submission's kernel: ``python -m bw_kernel.launch MEM UID NPROC FSIZE HOME SEED -- ARGS``.

Runs first inside the sandbox, as the sandbox's root: sets the resource limits, lays out
the kernel's private writable folder ``HOME`` (in the sandbox a size-limited tmpfs) from
the read-only ``SEED`` folder the grader prepared, drops to the kernel's own uid, and
executes ``ipykernel_launcher ARGS``.
"""
from __future__ import annotations

import os
import resource
import shutil
import sys

__all__ = ["main", "layout", "limit"]

SUBDIRS = ("home", "work", "mpl", "ipython/profile_default")


def limit(mem: int, uid: int, nproc: int, fsize: int) -> None:
    """Memory (RLIMIT_DATA), no core files, a file-size cap; as root also a process cap."""
    resource.setrlimit(resource.RLIMIT_DATA, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    if uid > 0 and os.geteuid() == 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def layout(home: str, seed: str, uid: int) -> None:
    """Create ``home/{home,work,mpl,ipython}``, copy the seed files, hand them to ``uid``."""
    for sub in SUBDIRS:
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    config = os.path.join(seed, "ipython_kernel_config.py")
    if os.path.isfile(config):
        shutil.copy(config, os.path.join(home, "ipython", "profile_default"))
    fonts = os.path.join(seed, "mpl")
    for name in sorted(os.listdir(fonts)) if os.path.isdir(fonts) else ():
        shutil.copy(os.path.join(fonts, name), os.path.join(home, "mpl", name))
    if uid > 0 and os.geteuid() == 0:
        for top in {sub.split("/")[0] for sub in SUBDIRS}:
            for d, _, files in os.walk(os.path.join(home, top)):
                os.chown(d, uid, uid)
                for f in files:
                    os.chown(os.path.join(d, f), uid, uid)


def drop(uid: int) -> None:
    if uid > 0 and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


def main(argv: list[str]) -> None:
    if len(argv) < 7 or argv[6] != "--":
        raise SystemExit("usage: python -m bw_kernel.launch MEM UID NPROC FSIZE HOME SEED -- KERNEL-ARGS")
    mem, uid, nproc, fsize = (int(a) for a in argv[:4])
    home, seed = argv[4], argv[5]
    limit(mem, uid, nproc, fsize)
    layout(home, seed, uid)
    drop(uid)
    os.chdir(os.path.join(home, "work"))
    os.environ.pop("JPY_PARENT_PID", None)   # the namespace has its own pids; bwrap --die-with-parent
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv[7:]])


if __name__ == "__main__":
    main(sys.argv[1:])
