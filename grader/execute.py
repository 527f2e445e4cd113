"""Run a notebook in a fresh, confined kernel, cell by cell, within time and output limits.

nbclient does the Jupyter protocol; this module adds what grading needs: a per-cell
timeout *and* a whole-notebook deadline, a hard stop (kill) when an interrupt does not
help (a loop that ignores SIGINT), an output cap per cell (50 MB on one line is cut
down as it arrives), killing processes a cell leaves behind (fork storms), and a record
of what happened to each cell (``events``: ``timeout``, ``died``, ``notebook_timeout``).
Errors are recorded in the cells exactly as nbgrader's ``Execute`` preprocessor records
them, so scores are nbgrader's.
"""
from __future__ import annotations

import asyncio
import atexit
import os
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path

from .core import Limits

__all__ = ["run_notebook", "exec_cell", "OUTPUT_CAP", "LogTail"]

OUTPUT_CAP = Limits().output_cap          # characters of output kept per cell (default)


def _cap(client, out, outs, cell_index):
    """Keep at most ``client._cap`` characters of one cell's output (cut as it arrives)."""
    size = len(out.get("text", "")) if out.output_type == "stream" else len(str(out.get("data", "")))
    total = client._sizes.get(cell_index, 0) + size
    client._sizes[cell_index] = total
    cap = client._cap
    if total > cap:
        cut = client._cut.setdefault(cell_index, set())
        key = out.get("name", out.output_type)
        if key in cut and outs and outs[-1] is out:
            outs.pop()
        elif out.output_type == "stream":
            cut.add(key)
            keep = max(0, cap - (total - size))
            out.text = out.text[:min(keep, 2000)] + \
                f"\n[... output cut: this cell printed more than {cap:,} characters]\n"
        elif out.output_type == "display_data":
            cut.add(key)
            out.data = {"text/plain": "[output cut: too much output]"}
    return out


def _client_class():
    from nbclient import NotebookClient
    from nbformat import NotebookNode

    class GradingClient(NotebookClient):
        """nbclient with nbgrader's error recording and an output cap."""

        def __init__(self, *a, make_km=None, output_cap=OUTPUT_CAP, **kw):
            super().__init__(*a, **kw)
            self._make_km = make_km
            self._cap = output_cap
            self._sizes, self._cut = {}, {}

        def create_kernel_manager(self):       # our manager, owned (and shut down) by nbclient
            self.km = self._make_km()
            return self.km

        def output(self, outs, msg, display_id, cell_index):
            out = super().output(outs, msg, display_id, cell_index)
            return out if out is None else _cap(self, out, outs, cell_index)

        def on_cell_executed(self, **kwargs):   # as nbgrader.preprocessors.Execute.on_cell_executed
            cell, reply = kwargs["cell"], kwargs["execute_reply"]
            if reply and reply["content"]["status"] == "error":
                ename = reply["content"].get("ename")
                if not any(o.output_type == "error" and o.get("ename") == ename for o in cell.outputs):
                    err = NotebookNode(output_type="error", ename=ename,
                                       evalue=reply["content"].get("evalue", ""),
                                       traceback=reply["content"].get("traceback") or
                                       ["ERROR: An error occurred while showtraceback was disabled"])
                    cell.outputs.append(err)

    return GradingClient


class LogTail:
    """The kernel's stderr through a pipe the grader owns: the last ``keep`` bytes are kept
    (the kernel writes into the pipe; the grader never opens a path the kernel can write)."""

    def __init__(self, keep: int = 4096):
        self.keep = keep
        self._buf = bytearray()
        self.read_fd, self.write_fd = os.pipe()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self._buf += chunk
            del self._buf[:-self.keep]

    def started(self) -> None:
        """The kernel has its copy of the write end: close ours (EOF when the kernel is gone)."""
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1

    def close(self) -> None:
        self.started()
        self._thread.join(timeout=2)
        if not self._thread.is_alive():
            os.close(self.read_fd)

    def tail(self, lines: int = 2) -> str:
        text = bytes(self._buf).decode("utf-8", "replace").strip().splitlines()[-lines:]
        return " | ".join(text)


def _kernel_manager(scratch: Path, cmd_factory):
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    k = scratch / "k"
    km = AsyncKernelManager(transport="ipc", ip=str(k / "s"), connection_file=str(k / "kernel.json"))
    km._kernel_spec = KernelSpec(argv=["python"], display_name="Python 3", language="python",
                                 interrupt_mode="message", resource_dir=str(k))

    def format_kernel_cmd(extra_arguments=None):
        os.chmod(km.connection_file, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
        return cmd_factory(["-f", km.connection_file, *(extra_arguments or [])])
    km.format_kernel_cmd = format_kernel_cmd
    return km


def _timed_out(client, cell_timeout) -> str:
    return "timeout" if client.timeout >= cell_timeout else "notebook_timeout"


async def exec_cell(client, cell, idx, count, cell_timeout, deadline, events, sandbox, kernel_pids) -> bool:
    """Run one cell within the per-cell timeout and the deadline; record trouble in ``events``.
    -> ``False`` when the kernel is unusable afterwards (killed, dead, out of time)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    remaining = deadline - time.monotonic()
    if remaining <= 1:
        events[idx] = "notebook_timeout"
        return False
    client.timeout = int(max(1, min(cell_timeout, remaining)))
    t0 = time.monotonic()
    try:
        await asyncio.wait_for(client.async_execute_cell(cell, idx, execution_count=count),
                               timeout=client.timeout + 15)
        if any(o.output_type == "error" and o.get("ename") == "CellTimeoutError" for o in cell.outputs):
            events[idx] = _timed_out(client, cell_timeout)
    except (CellTimeoutError, asyncio.TimeoutError):
        events[idx] = _timed_out(client, cell_timeout)
        return False
    except DeadKernelError:
        events[idx] = "died"
        return False
    else:
        if time.monotonic() - t0 >= client.timeout and idx not in events:
            events[idx] = _timed_out(client, cell_timeout)
    finally:
        if sandbox.uid:
            sandbox.reap(keep=kernel_pids)
    return True


async def _run_cells(client, nb, sandbox, cell_timeout, deadline, events, kernel_pids):
    count = 0
    for idx, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        count += 1
        if not await exec_cell(client, cell, idx, count, cell_timeout, deadline, events, sandbox, kernel_pids):
            return


async def _cleanup(client, sandbox):
    atexit.unregister(client._cleanup_kernel)
    if sandbox.uid:
        sandbox.reap()
    proc = getattr(getattr(client.km, "provisioner", None), "process", None)
    if client.km is not None:               # setup failed half-way: nbclient did not clean up
        try:
            await asyncio.wait_for(client._async_cleanup_kernel(), timeout=20)
        except Exception:  # noqa: BLE001 -- best effort; the process is killed below anyway
            pass
    try:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


async def _run(nb, scratch, sandbox, cell_timeout, deadline, events, log):
    Client = _client_class()
    client = Client(nb, make_km=lambda: _kernel_manager(scratch, lambda args: sandbox.kernel_cmd(scratch, args)),
                    output_cap=sandbox.limits.output_cap,
                    timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
                    raise_on_iopub_timeout=True, iopub_timeout=4,
                    startup_timeout=int(max(5, min(60, deadline - time.monotonic()))),
                    record_timing=False, kernel_name="python3", shutdown_kernel="immediate",
                    error_on_timeout={"ename": "CellTimeoutError", "evalue": "",
                                      "traceback": ["CellTimeoutError: No reply from kernel before timeout"]})
    kernel_pids: set[int] = set()
    try:
        async with client.async_setup_kernel(env=sandbox.env(scratch), cwd=str(scratch),
                                             stdout=subprocess.DEVNULL, stderr=log.write_fd,
                                             pass_fds=sandbox.options_pipe(scratch)):
            sandbox.launched()
            log.started()
            sandbox.seal(scratch)
            if sandbox.uid:
                kernel_pids = _pids_of(sandbox.uid)
            await _run_cells(client, nb, sandbox, cell_timeout, deadline, events, kernel_pids)
    finally:
        sandbox.launched()
        await _cleanup(client, sandbox)


def _pids_of(uid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    out.add(int(entry))
            except OSError:
                pass
    return out


def run_notebook(nb, scratch: Path, sandbox, cell_timeout: int = 30, notebook_timeout: int = 600,
                 deadline: float | None = None):
    """Execute ``nb`` in place; -> ``events`` ``{cell index: what went wrong}``.

    ``scratch`` must exist (see ``Sandbox.prepare``). ``deadline``: ``time.monotonic()`` value by
    which everything (kernel start included) must be over; the cells also stop after
    ``notebook_timeout`` seconds. The kernel's stderr goes into a pipe (its tail explains a
    kernel that cannot start); nothing the kernel can write is ever opened here.
    """
    events: dict[int, str] = {}
    now = time.monotonic()
    end = min(now + notebook_timeout, deadline if deadline is not None else now + notebook_timeout + 120)
    hard = (deadline if deadline is not None else end + 120) - now
    log = LogTail()
    try:
        asyncio.run(asyncio.wait_for(_run(nb, Path(scratch), sandbox, cell_timeout, end, events, log),
                                     timeout=max(5.0, hard)))
    except (asyncio.TimeoutError, TimeoutError):
        events.setdefault(max(events, default=0), "notebook_timeout")
    except Exception as e:  # noqa: BLE001 -- a broken kernel is this submission's problem only
        if not events:
            events[-1] = f"the kernel could not start ({e}) " + log.tail()
    finally:
        log.close()
    return events
