"""Run independent searches side by side: in this process, in a pool of processes, or on Dask.

A task is a picklable function and its arguments; results come back in the order given, so
the answer never depends on which task finished first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

Task = tuple[Callable[..., Any], tuple]


def run_tasks(tasks: Sequence[Task], workers: int = 1, scheduler: str | None = None) -> list[Any]:
    """Each task's result, in order. `scheduler` is a dask.distributed address ('' for a local cluster)."""
    if scheduler is not None:
        return _on_dask(tasks, scheduler)
    if workers <= 1 or len(tasks) <= 1:
        return [fn(*args) for fn, args in tasks]
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        futures = [pool.submit(fn, *args) for fn, args in tasks]
        return [f.result() for f in futures]


def _on_dask(tasks: Sequence[Task], scheduler: str) -> list[Any]:
    from transport.errors import InputError

    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--scheduler needs dask.distributed: pip install 'transport[dask]'") from None
    try:
        client = Client(scheduler, timeout=30) if scheduler not in ("", "local") else Client(LocalCluster(n_workers=2, threads_per_worker=1,
                                                                                     processes=True))
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
    try:
        futures = [client.submit(fn, *args, pure=False) for fn, args in tasks]
        return client.gather(futures)
    finally:
        client.close()
