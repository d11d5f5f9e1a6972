"""Running a sweep: skip finished runs, execute the rest, store each as it finishes.

Resuming is the same as starting: the runs whose key the store already holds are not
run again, whatever sweep stored them. Runs are handed to the executor a few at a time
and the store is asked again just before each is handed out, so two sweeps pointed at
the same store share the work instead of both running everything (should both run the
same run anyway, the store keeps one copy).
"""

from __future__ import annotations

import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field

from .config import SweepConfig
from .executors import Executor, make_executor
from .grid import RunSpec, expand
from .store import RunRecord, Store

__all__ = ["run_sweep", "SweepSummary"]


@dataclass
class SweepSummary:
    """What a sweep did: runs in the grid, already stored, run now (done/failed), seconds."""

    total: int
    skipped: int
    done: int = 0
    failed: int = 0
    wall_time: float = 0.0
    failures: list[str] = field(default_factory=list)


def _failure_record(spec: RunSpec, exc: BaseException) -> RunRecord:
    return RunRecord(run_key=spec.key, status="failed", dataset=spec.dataset, model=spec.model,
                     label=spec.label, depth=spec.depth, seed=spec.seed, options=spec.options,
                     settings=spec.settings, error=f"{type(exc).__name__}: {exc}")


class _Reporter:
    """A rich progress bar (runs done / total, ETA, current runs) or, quiet, log lines."""

    def __init__(self, total: int, skipped: int, quiet: bool, enabled: bool) -> None:
        self.total, self.quiet, self.enabled = total, quiet, enabled
        self.finished = 0
        self.progress = None
        if enabled and not quiet:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)

            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                     BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                     TextColumn("ETA"), TimeRemainingColumn(),
                                     console=Console(stderr=True), transient=False)
            self.task = self.progress.add_task("starting", total=total)
            self.progress.start()
        elif enabled:
            self._log(f"sweep: {total} runs, {skipped} already in the store, "
                      f"{total - skipped} to run")

    def _log(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def running(self, specs: list[RunSpec]) -> None:
        if self.progress is not None and specs:
            more = f" (+{len(specs) - 1} more)" if len(specs) > 1 else ""
            self.progress.update(self.task, description=f"{specs[-1].describe()}{more}")

    def advance(self, spec: RunSpec, record: RunRecord | None, note: str = "") -> None:
        self.finished += 1
        if self.progress is not None:
            self.progress.advance(self.task)
        if self.quiet and self.enabled and record is not None:
            if record.status == "done":
                result = (f"done test_acc={100 * record.test_acc:.2f} "
                          f"best_epoch={record.best_epoch} {record.wall_time:.1f}s")
            else:
                result = f"FAILED {record.error}"
            self._log(f"[{self.finished}/{self.total}] {spec.describe()}: {result}{note}")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def run_sweep(config: SweepConfig, store: str | Store, *, executor: str | Executor = "local",
              jobs: int | None = None, ray_address: str | None = None, quiet: bool = False,
              progress: bool = True, retry_failed: bool = False) -> SweepSummary:
    """Run every run of ``config`` that ``store`` does not hold yet, deepest runs first.

    Args:
        config: the validated sweep.
        store: a :class:`Store` or the path of one (created if missing).
        executor: ``"local"`` (worker processes), ``"ray"``, or an :class:`Executor`.
        jobs: parallel runs (default: one per core; Ray: the cluster's CPUs).
        ray_address: the Ray cluster (``--executor ray`` only; default: a local Ray).
        quiet: log one line per run on stderr instead of the progress bar.
        progress: ``False`` prints nothing at all.
        retry_failed: run again the runs stored as ``failed`` (default: keep them).

    Returns:
        a :class:`SweepSummary`. Every finished run is in the store when this returns,
        also when it is interrupted (``KeyboardInterrupt`` propagates after the runs
        in flight are cancelled).
    """
    start = time.perf_counter()
    runs = expand(config)
    own_store = not isinstance(store, Store)
    store = Store(store) if own_store else store
    try:
        keys = [r.key for r in runs]
        if retry_failed:
            store.delete_failed(keys)
        stored = store.statuses(keys)
        # deepest first: the longest runs start early instead of ending the sweep on one worker
        todo = deque(sorted((r for r in runs if r.key not in stored), key=lambda r: -r.depth))
        summary = SweepSummary(total=len(runs), skipped=len(runs) - len(todo))
        if not todo:
            summary.wall_time = time.perf_counter() - start
            if progress:
                print(f"sweep: all {len(runs)} runs are already in the store", file=sys.stderr)
            return summary
        pool = (make_executor(executor, jobs, ray_address) if isinstance(executor, str)
                else executor)
        reporter = _Reporter(len(todo), summary.skipped, quiet, progress)
        in_flight: dict = {}
        cancelled = False
        try:
            while todo or in_flight:
                while todo and len(in_flight) < pool.capacity:
                    spec = todo.popleft()
                    if store.status(spec.key) is not None:  # another sweep stored it meanwhile
                        summary.skipped += 1
                        reporter.advance(spec, None)
                        continue
                    in_flight[pool.submit(spec)] = spec
                    reporter.running(list(in_flight.values()))
                if not in_flight:
                    break
                finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for future in finished:
                    spec = in_flight.pop(future)
                    try:
                        record = future.result()
                    except Exception as exc:  # noqa: BLE001 -- a worker died: record it
                        record = _failure_record(spec, exc)
                    wrote = store.save(record)
                    if record.status == "done":
                        summary.done += 1
                    else:
                        summary.failed += 1
                        summary.failures.append(f"{spec.describe()}: {record.error}")
                    reporter.advance(spec, record, "" if wrote else " (already stored by another sweep)")
                reporter.running(list(in_flight.values()))
        except BaseException:
            cancelled = True
            raise
        finally:
            reporter.close()
            if isinstance(executor, str):
                pool.close(cancel=cancelled)
        summary.wall_time = time.perf_counter() - start
        return summary
    finally:
        if own_store:
            store.close()
