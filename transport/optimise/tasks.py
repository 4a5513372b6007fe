"""Run independent searches side by side: in this process, in a pool of processes, or on Dask.

A task is a picklable function and its arguments; results come back in the order given, so
the answer never depends on which task finished first. Each task finished is reported to
`transport.progress` here, in the process that handed the tasks out.
"""

from __future__ import annotations

import atexit
import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np

from transport import progress
from transport.optimise.problem import RoutingProblem

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
    from dask.distributed import as_completed as dask_completed

    client = _client(scheduler)
    shared: dict[int, Any] = {}  # the travel matrices, sent to the workers once, not with every task
    futures = []
    for fn, args in tasks:
        if args and isinstance(args[0], RoutingProblem):
            problem = args[0]
            for matrix in (problem.time_s, problem.distance_m):
                if id(matrix) not in shared:
                    shared[id(matrix)] = client.scatter(matrix, broadcast=True, hash=False)
            light = dataclasses.replace(problem, time_s=_NONE, distance_m=_NONE)  # the matrices travel apart
            futures.append(client.submit(_with_matrices, fn, light, shared[id(problem.time_s)],
                                         shared[id(problem.distance_m)], *args[1:], pure=False))
        else:
            futures.append(client.submit(fn, *args, pure=False))
    index = {f.key: k for k, f in enumerate(futures)}
    for future in dask_completed(futures):
        progress.task_finished(names[index[future.key]])
    return client.gather(futures)


def _with_matrices(fn: Callable[..., Any], problem: RoutingProblem, time_s, distance_m, *args: Any) -> Any:
    """On a worker: the task's problem with the travel matrices put back, then the task."""
    return fn(dataclasses.replace(problem, time_s=time_s, distance_m=distance_m), *args)


_clients: dict[str, Any] = {}
_NONE = np.empty((0, 0), dtype=np.int64)


def _client(scheduler: str):
    """One client per scheduler for the whole command ('' or 'local': a LocalCluster on this
    machine, started once), closed when the process ends."""
    from transport.errors import InputError

    if scheduler in _clients:
        return _clients[scheduler]
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--scheduler needs dask.distributed: pip install 'transport[dask]'") from None
    try:
        client = Client(scheduler, timeout=30) if scheduler not in ("", "local") else Client(LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True))
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
    _clients[scheduler] = client
    atexit.register(_close, scheduler)
    return client


def _close(scheduler: str) -> None:
    client = _clients.pop(scheduler, None)
    if client is not None:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()
