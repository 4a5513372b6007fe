"""Run independent searches side by side: in this process, in a pool of processes, or on Dask.

A task is a picklable function and its arguments; results come back in the order given, so
the answer never depends on which task finished first. Each task finished is reported to
`transport.progress` here, in the process that handed the tasks out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from transport import progress

Task = tuple[Callable[..., Any], tuple]


def run_tasks(tasks: Sequence[Task], workers: int = 1, scheduler: str | None = None,
              labels: Sequence[str] | None = None) -> list[Any]:
    """Each task's result, in order. `scheduler` is a dask.distributed address ('' for a local cluster);
    `labels` name the tasks in progress reports."""
    names = list(labels) if labels is not None else [""] * len(tasks)
    progress.tasks_started(len(tasks))
    if scheduler is not None:
        return _on_dask(tasks, scheduler, names)
    if workers <= 1 or len(tasks) <= 1:
        results = []
        for (fn, args), name in zip(tasks, names, strict=True):
            results.append(fn(*args))
            progress.task_finished(name)
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), initializer=progress.worker_started) as pool:
        futures = {pool.submit(fn, *args): k for k, (fn, args) in enumerate(tasks)}
        for future in as_completed(futures):
            future.result()
            progress.task_finished(names[futures[future]])
        return [f.result() for f in futures]


def _on_dask(tasks: Sequence[Task], scheduler: str, names: list[str]) -> list[Any]:
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
        from dask.distributed import as_completed as dask_completed

        futures = [client.submit(fn, *args, pure=False) for fn, args in tasks]
        index = {f.key: k for k, f in enumerate(futures)}
        for future in dask_completed(futures):
            progress.task_finished(names[index[future.key]])
        return client.gather(futures)
    finally:
        client.close()
