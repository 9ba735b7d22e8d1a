"""One refresh at a time per warehouse.

DuckDB lets one process write a database file, and two refreshes interleaving their loads and
builds would rebuild days from each other's half-loaded data. So a refresh (a `cxpipe run`, or a
run Dagster launches from the UI, a schedule or a sensor) holds an exclusive lock on
`<warehouse>.run.lock` from its start to its end. A second refresh waits for it up to
`CXPIPE_RUN_LOCK_WAIT_SECONDS` (default 600) and then stops with a message naming the run that
holds the warehouse; it never opens the warehouse meanwhile.

The lock is an advisory `flock`: the kernel releases it when the holding process ends, however it
ends (a crash, `kill -9`), so a dead run never leaves a stale lock behind. What the lock file holds
(the holder's pid, host, start time and description) is only for the message.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

WAIT_ENV = "CXPIPE_RUN_LOCK_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 600.0

# Locks this process holds: path -> (open file, depth). A `cxpipe run` takes the lock, then the
# Dagster run it executes in the same process takes it again through its resource.
_held: dict[Path, tuple[IO[str], int]] = {}
_guard = threading.Lock()


class RefreshInProgress(RuntimeError):
    """Another refresh holds the warehouse."""


def lock_path(warehouse: Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".run.lock")


def wait_seconds_from_env() -> float:
    text = os.environ.get(WAIT_ENV, "").strip()
    if not text:
        return DEFAULT_WAIT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"{WAIT_ENV}={text!r} is not a number of seconds") from None
    if seconds < 0:
        raise ValueError(f"{WAIT_ENV}={text!r} is negative")
    return seconds


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    try:
        info = json.loads(handle.read() or "{}")
    except json.JSONDecodeError:
        info = {}
    if not info:
        return "another refresh"
    return (f"{info.get('what', 'another refresh')} (pid {info.get('pid')} on {info.get('host')}, "
            f"since {info.get('since')})")


@contextmanager
def refresh_lock(
    warehouse: Path,
    what: str,
    wait_seconds: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the refresh lock of `warehouse` (re-entrant within this process). When another process
    holds it, call `on_wait` once with a message and wait up to `wait_seconds` (default: the
    environment's) before raising RefreshInProgress."""
    path = lock_path(warehouse).resolve()
    with _guard:
        if path in _held:
            handle, depth = _held[path]
            _held[path] = (handle, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            _release(path)
        return

    limit = wait_seconds_from_env() if wait_seconds is None else wait_seconds
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + limit
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(handle)
                if time.monotonic() >= deadline:
                    raise RefreshInProgress(
                        f"Another refresh is writing {warehouse}: {holder}. Run again when it has finished "
                        f"(waited {limit:.0f} s; {WAIT_ENV} sets how long to wait)."
                    ) from None
                if not told and on_wait is not None:
                    on_wait(f"Another refresh is writing {warehouse}: {holder}; waiting up to {limit:.0f} s "
                            f"for it to finish ({WAIT_ENV}).")
                    told = True
                time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"what": what, "pid": os.getpid(), "host": socket.gethostname(),
                                 "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
        handle.flush()
    except BaseException:
        handle.close()
        raise
    with _guard:
        _held[path] = (handle, 1)
    try:
        yield
    finally:
        _release(path)


def _release(path: Path) -> None:
    with _guard:
        handle, depth = _held[path]
        if depth > 1:
            _held[path] = (handle, depth - 1)
            return
        del _held[path]
    handle.seek(0)
    handle.truncate()
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


def close_interrupted_runs(instance, current_run_id: str | None) -> list[str]:
    """Runs that hold (or wait for) a writer-pool slot while this process holds the refresh lock
    are dead: a live refresh takes the lock before any of its steps claims a slot. A run killed
    mid-step (SIGKILL, the OOM killer, a power cut) keeps its slot in Dagster's storage and stays
    "started", and every later run would wait for that slot forever. Free their slots and mark
    them failed; returns a line for each."""
    from dagster import DagsterRunStatus

    closed = []
    for run_id in sorted(instance.event_log_storage.get_concurrency_run_ids() - {current_run_id}):
        run = instance.get_run_by_id(run_id)
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        if run is not None and run.status in (DagsterRunStatus.STARTED, DagsterRunStatus.STARTING):
            instance.report_run_failed(run, message="Interrupted (its process ended before the run did); "
                                                    "a later refresh freed its writer-pool slot.")
        closed.append(f"Run {run_id[:8]} was interrupted: marked failed and its writer-pool slot freed; this run "
                      "picks up where it stopped.")
    return closed
