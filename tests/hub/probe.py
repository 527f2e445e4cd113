"""Run as one Unix user (``runuser -u USER -- python probe.py < checks.json``): try each file
operation and print what happened, as JSON. Used by tests/hub/test_permissions.py.

A check is ``[op, path]``; the outcome is ``allowed``, ``denied`` (EACCES/EPERM) or
``missing`` (the path does not exist: a test setup error, never counted as denied).
"""
import errno
import json
import os
import sys


def _try(op, path):
    if op == "read":
        with open(path, "rb") as f:
            f.read(1)
    elif op == "list":
        os.listdir(path)
    elif op == "create_in":
        fd = os.open(os.path.join(path, f"probe-{os.getuid()}"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        os.unlink(os.path.join(path, f"probe-{os.getuid()}"))
    elif op == "overwrite":
        with open(path, "r+b"):
            pass
    elif op == "rename":
        os.rename(path, path + ".moved")
        os.rename(path + ".moved", path)
    elif op == "unlink":
        os.unlink(path)
    elif op == "chmod_open":
        os.chmod(path, 0o777)
    else:
        raise ValueError(f"unknown op {op!r}")


def main():
    out = []
    for op, path in json.load(sys.stdin):
        try:
            _try(op, path)
            out.append("allowed")
        except FileNotFoundError:
            out.append("missing")
        except OSError as e:
            out.append("denied" if e.errno in (errno.EACCES, errno.EPERM) else f"error {e.errno}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
