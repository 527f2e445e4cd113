"""Run a notebook on two sides: the student's cells in one sandboxed kernel, the tests in another.

Every cell of the notebook to grade carries ``metadata.bw_side``: ``S`` (the student's kernel:
the lesson's setup cells, the student's own cells, the grader's integrity cells), ``T`` (the
trusted kernel: the test cells, visible and hidden), ``ST`` (both: the setup cells) or ``-``
(not run: the lesson's demonstration cells). Both kernels are sandboxed the same way, with
different uids; neither can reach the other. On the trusted side each name the student's
cells define is a proxy (:mod:`grader.bw_kernel.sides`); a call travels as plain data
through the Jupyter stdin channel of each kernel, relayed here (:func:`_relay`), so the
hidden tests' source, the expected values and the checker's state never enter the
student's kernel, and only the trusted side's outputs are scored.
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import queue
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .bw_kernel import plain
from .execute import LogTail, _cleanup, _client_class, _kernel_manager, _pids_of, exec_cell

__all__ = ["run_two_sided", "SERVE"]

SERVE = "from bw_kernel.sides import serve as __bw_serve\n__bw_serve()"
_STOP = plain.dumps({"op": "stop"})


def _failure(message: str) -> str:
    return plain.dumps({"op": "raise", "type": "RuntimeError", "message": message, "line": None})


@dataclass
class _Side:
    name: str
    client: object
    sandbox: object
    scratch: Path
    log: LogTail = field(default_factory=LogTail)
    pids: set = field(default_factory=set)
    count: int = 0
    dead: bool = False


@dataclass
class _Serving:
    msg_id: str | None = None
    waiting: bool = False           # the student's kernel is blocked in raw_input, waiting for us


def _make_side(name, nb, scratch, sandbox, cell_timeout, deadline):
    Client = _client_class()
    client = Client(nb, make_km=lambda: _kernel_manager(scratch, lambda a: sandbox.kernel_cmd(scratch, a)),
                    output_cap=sandbox.limits.output_cap, timeout=cell_timeout, allow_errors=True,
                    interrupt_on_timeout=True, raise_on_iopub_timeout=True, iopub_timeout=4,
                    startup_timeout=int(max(5, min(60, deadline - time.monotonic()))), record_timing=False,
                    kernel_name="python3", shutdown_kernel="immediate",
                    error_on_timeout={"ename": "CellTimeoutError", "evalue": "",
                                      "traceback": ["CellTimeoutError: No reply from kernel before timeout"]})
    return _Side(name, client, sandbox, scratch)


async def _next_prompt(s: _Side, serving: _Serving, until: float) -> str | None:
    """The student's kernel's next raw_input prompt; ``None`` when its serve loop ended or time ran out."""
    kc = s.client.kc
    while time.monotonic() < until:
        try:
            msg = await kc.get_stdin_msg(timeout=0.2)
        except queue.Empty:
            msg = None
        if msg is not None and msg["msg_type"] == "input_request":
            serving.waiting = True
            return msg["content"].get("prompt", "")
        try:
            while await kc.shell_channel.msg_ready():
                reply = await kc.get_shell_msg(timeout=0.1)
                if reply["parent_header"].get("msg_id") == serving.msg_id:
                    serving.msg_id = None
                    return None
        except queue.Empty:
            pass
    return None


async def _relay(t: _Side, s: _Side, serving: _Serving, until: float) -> None:
    """Forward the trusted side's prompts to the student's kernel and its answers back."""
    while True:
        try:
            msg = await t.client.kc.get_stdin_msg(timeout=0.5)
        except queue.Empty:
            continue
        if msg["msg_type"] != "input_request":
            continue
        prompt = msg["content"].get("prompt", "")
        if s.dead:
            t.client.kc.input(_failure("your kernel is no longer running (an earlier cell stopped it)"))
            continue
        if serving.msg_id is None:
            serving.msg_id = s.client.kc.execute(SERVE, silent=True, store_history=False, allow_stdin=True)
            if await _next_prompt(s, serving, until) is None:
                t.client.kc.input(_failure("your kernel did not answer"))
                continue
        serving.waiting = False
        s.client.kc.input(prompt)
        answer = await _next_prompt(s, serving, until)
        if answer is None or len(answer) > plain.MAX_PAYLOAD:
            answer = _failure("your function's kernel stopped answering, or sent too much data")
        t.client.kc.input(answer)


async def _end_serving(s: _Side, serving: _Serving) -> None:
    """Stop the student's serve loop (interrupting a function still running); kill it if it hangs."""
    if serving.msg_id is None or s.dead:
        return
    if serving.waiting:
        serving.waiting = False
        s.client.kc.input(_STOP)
    else:
        await s.client.km.interrupt_kernel()
    until = time.monotonic() + 8
    while serving.msg_id is not None and time.monotonic() < until:
        prompt = await _next_prompt(s, serving, until)
        if prompt is not None:
            serving.waiting = False
            s.client.kc.input(_STOP)
    if serving.msg_id is not None:
        s.dead = True


async def _run_test(t, s, cell, idx, cell_timeout, deadline, events):
    serving = _Serving()
    relay = asyncio.ensure_future(_relay(t, s, serving, deadline))
    try:
        t.count += 1
        ok = await exec_cell(t.client, cell, idx, t.count, cell_timeout, deadline, events, t.sandbox, t.pids)
    finally:
        relay.cancel()
        try:
            await relay
        except (asyncio.CancelledError, Exception):  # noqa: BLE001 -- the relay's end is not news
            pass
        await _end_serving(s, serving)
    if s.dead:
        events.setdefault(idx, "timeout")
    return ok and not s.dead


async def _run_cells(nb, t, s, cell_timeout, deadline, events):
    for idx, cell in enumerate(nb.cells):
        side = cell.metadata.get("bw_side", "S")
        if cell.cell_type != "code" or side == "-":
            continue
        if side == "T":
            if not await _run_test(t, s, cell, idx, cell_timeout, deadline, events):
                return
            continue
        if "T" in side:
            t.count += 1
            twin = copy.deepcopy(cell)
            if not await exec_cell(t.client, twin, idx, t.count, cell_timeout, deadline, {}, t.sandbox, t.pids):
                events[idx] = "trusted side failed"
                return
        s.count += 1
        if not await exec_cell(s.client, cell, idx, s.count, cell_timeout, deadline, events, s.sandbox, s.pids):
            return


def _setup(side: _Side):
    return side.client.async_setup_kernel(env=side.sandbox.env(side.scratch), cwd=str(side.scratch),
                                          stdout=subprocess.DEVNULL, stderr=side.log.write_fd,
                                          pass_fds=side.sandbox.options_pipe(side.scratch))


async def _both(nb, t, s, cell_timeout, deadline, events):
    async with contextlib.AsyncExitStack() as stack:      # both kernels start at the same time
        await asyncio.gather(stack.enter_async_context(_setup(s)), stack.enter_async_context(_setup(t)))
        _started(s)
        _started(t)
        t.client.kc.allow_stdin = True
        await _run_cells(nb, t, s, cell_timeout, deadline, events)


def _started(side: _Side) -> None:
    side.sandbox.launched()
    side.log.started()
    side.sandbox.seal(side.scratch)
    if side.sandbox.uid:
        side.pids = _pids_of(side.sandbox.uid)


async def _main(nb, t, s, cell_timeout, deadline, events):
    try:
        await _both(nb, t, s, cell_timeout, deadline, events)
    finally:
        for side in (t, s):
            side.sandbox.launched()
            await _cleanup(side.client, side.sandbox)


def run_two_sided(nb, scratch_s: Path, scratch_t: Path, sandbox_s, sandbox_t, cell_timeout: int,
                  notebook_timeout: int, deadline: float | None = None) -> dict[int, str]:
    """Execute ``nb`` (cells marked with ``bw_side``) in place; -> ``events`` as
    :func:`grader.execute.run_notebook`."""
    events: dict[int, str] = {}
    now = time.monotonic()
    end = min(now + notebook_timeout, deadline if deadline is not None else now + notebook_timeout + 120)
    hard = (deadline if deadline is not None else end + 120) - now
    s = _make_side("S", nb, Path(scratch_s), sandbox_s, cell_timeout, end)
    t = _make_side("T", nb, Path(scratch_t), sandbox_t, cell_timeout, end)
    try:
        asyncio.run(asyncio.wait_for(_main(nb, t, s, cell_timeout, end, events), timeout=max(5.0, hard)))
    except (asyncio.TimeoutError, TimeoutError):
        events.setdefault(max(events, default=0), "notebook_timeout")
    except Exception as e:  # noqa: BLE001 -- a broken kernel is this submission's problem only
        if not events:
            events[-1] = f"the kernel could not start ({e}) " + (s.log.tail() or t.log.tail())
    finally:
        s.log.close()
        t.log.close()
    return events
