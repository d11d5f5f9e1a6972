"""Where runs execute: this process, local worker processes, or a Ray cluster.

Every executor runs the same function, :func:`.runner.execute`, and hands its
:class:`~.store.RunRecord` back to the sweep as a ``concurrent.futures.Future``; only
the sweep process writes to the store. Runs are therefore stored the same way whichever
executor ran them, and a Ray worker on another machine never needs the store's file.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

from .._extras import require
from .grid import RunSpec
from .runner import execute

__all__ = ["Executor", "InlineExecutor", "LocalExecutor", "RayExecutor", "make_executor",
           "RAY_MISSING"]

RAY_MISSING = "--executor ray needs ray, an optional extra: pip install 'oversmooth[ray]'"


class Executor:
    """Runs :func:`execute` on specs; ``capacity`` is how many runs it takes at once."""

    name = "executor"
    capacity = 1

    def submit(self, spec: RunSpec, fn=execute) -> Future:
        """Run ``fn(spec)`` (default :func:`execute`; :mod:`.tune` submits its trials)."""
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        pass


class InlineExecutor(Executor):
    """Runs each spec in this process when submitted (``--jobs 1``)."""

    name = "inline"

    def submit(self, spec: RunSpec, fn=execute) -> Future:
        future: Future = Future()
        future.set_result(fn(spec))
        return future


def _exit_with_parent(parent: int) -> None:
    """End this worker when the sweep process dies, however it dies (SIGKILL included).

    Linux delivers SIGKILL to the worker as soon as its parent exits (``PR_SET_PDEATHSIG``);
    elsewhere, and for a parent that died before that was set, a daemon thread notices the
    worker was re-parented and exits within a second.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="oversmooth-parent-watch", daemon=True).start()


def _init_worker(threads: int, parent: int) -> None:
    # The sweep process handles Ctrl-C and shuts the pool down; workers must not die
    # half-way through a run on the same signal, and must not outlive the sweep.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent)
    import torch

    torch.set_num_threads(threads)


class LocalExecutor(Executor):
    """A pool of ``jobs`` worker processes (spawned, so no state leaks from the parent),
    each limited to ``threads`` torch threads so the pool does not oversubscribe cores."""

    name = "local"

    def __init__(self, jobs: int, threads: int) -> None:
        self.capacity = jobs
        self._pool = ProcessPoolExecutor(max_workers=jobs,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_init_worker, initargs=(threads, os.getpid()))

    def submit(self, spec: RunSpec, fn=execute) -> Future:
        return self._pool.submit(fn, spec)

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


class RayExecutor(Executor):
    """Runs each spec as a Ray task (``num_cpus=threads``) on the cluster at ``address``
    (a local Ray instance when ``None``). Workers need oversmooth installed and the
    datasets reachable (``OVERSMOOTH_DATA``/``OVERSMOOTH_DATA_MIRROR`` or downloads)."""

    name = "ray"

    def __init__(self, jobs: int | None, threads: int, address: str | None = None) -> None:
        ray = require("ray", "ray", "--executor ray")
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.capacity = jobs or max(1, cpus // threads)
        self._threads = threads
        self._remote = {execute: ray.remote(num_cpus=threads)(execute)}

    def submit(self, spec: RunSpec, fn=execute) -> Future:
        if fn not in self._remote:
            self._remote[fn] = self._ray.remote(num_cpus=self._threads)(fn)
        return self._remote[fn].remote(spec).future()

    def close(self, cancel: bool = False) -> None:
        if self._started:
            self._ray.shutdown()


def make_executor(kind: str = "local", jobs: int | None = None,
                  ray_address: str | None = None) -> Executor:
    """The executor ``kind`` (``"local"`` or ``"ray"``) with ``jobs`` parallel runs.

    ``local``: ``jobs`` defaults to one per core; ``jobs=1`` runs in this process.
    Each worker gets ``cores // jobs`` torch threads (at least one).
    """
    cores = os.cpu_count() or 1
    if jobs is not None and jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {jobs}")
    if kind == "ray":
        return RayExecutor(jobs, threads=1, address=ray_address)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r}; choose 'local' or 'ray'")
    if ray_address is not None:
        raise ValueError("--ray-address is only used with --executor ray")
    jobs = jobs or cores
    if jobs == 1:
        return InlineExecutor()
    return LocalExecutor(jobs, threads=max(1, cores // jobs))
