"""Run the scenarios of a comparison so that their differences are the scenarios', not the search's.

The base (the first scenario) runs first. Every other scenario then runs from the base's
routes: a partition with the base's requests and fleet keeps the base's routes, a changed one
starts from them and is searched again. Afterwards the base is offered each scenario's routes
and each scenario the improved base's, completed where they lack some of the taker's pupils
(searched briefly from them, which inserts the missing ones), and each side keeps whichever is
cheaper. So every figure is the cheapest plan any search of the comparison found for it, the
extra search a changed partition had is offered back to the base, a scenario that only adds
pupils never comes out cheaper than its base, one that only removes pupils never dearer, and
one identical to its base equals it to the penny.

With `repeats` the whole comparison runs once per seed (seed, seed + 1, ...), each scenario
against the base of its own seed, to measure how far the search alone moves each figure.
"""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from transport import progress
from transport.inputs import Inputs
from transport.journeys import RUNS
from transport.optimise.reuse import Base, offered_all
from transport.record import Run
from transport.scenarios import Scenario

log = logging.getLogger(__name__)

#: How long routes carried between scenarios are searched to insert the pupils they lack: this
#: share of the run's time limit, at least the floor (on the demo, half a second left one of
#: three SEND pupils out of a 77-request partition; routes still lacking a pupil are refused).
COMPLETION_SHARE = 0.1
COMPLETION_MIN_S = 1.0


def run_scenarios(specs: list[Scenario], *, data_dir: Path | None = None, time_limit_s: float | None = None,
                  seed: int | None = None, repeats: int = 1, workers: int = 2, scheduler: str | None = None) -> list[list[Run]]:
    """`runs[k][i]`: scenario i of repeat k (its seed is the first seed + k); scenario 0 is the base."""
    first = specs[0].optimise.seed if seed is None else seed
    seeds = [first + k for k in range(repeats)]
    with progress.counted("Scenarios", len(specs) * repeats):
        bases = _run_all([(specs[0], s, None) for s in seeds], data_dir, time_limit_s, workers, scheduler)
        jobs = [(spec, s, bases[k]) for k, s in enumerate(seeds) for spec in specs[1:]]
        others = iter(_run_all(jobs, data_dir, time_limit_s, workers, scheduler))
    repeated = [[bases[k], *(next(others) for _ in specs[1:])] for k in range(repeats)]
    limit = time_limit_s or specs[0].optimise.time_limit_s
    completion_s = max(COMPLETION_MIN_S, COMPLETION_SHARE * limit)
    return [shared(runs, data_dir, workers if scheduler is None else 1, completion_s) for runs in repeated]


def shared(runs: list[Run], data_dir: Path | None = None, workers: int = 1, completion_s: float = 0.0) -> list[Run]:
    """The base takes any cheaper routes a scenario found for it; then each scenario takes any
    cheaper routes of the improved base. Routes lacking some of the taker's pupils are completed
    first (`reuse.offered`, `completion_s`): so every figure is the cheapest plan any search of
    the comparison found for it, and neither side keeps the benefit of search the other lacked."""
    from transport.pipeline import with_solutions

    base, others = runs[0], runs[1:]
    solutions = dict(base.solutions)
    found = offered_all([(Base(base.problems[name], base.solutions[name]),
                          [Base(other.problems[name], other.solutions[name]) for other in others]) for name in RUNS],
                        completion_s, workers)
    for name, better in zip(RUNS, found, strict=True):
        if better is not None:
            solutions[name] = better
    if solutions != base.solutions:
        log.info("Base '%s' takes cheaper routes its scenarios found", base.name)
        base = with_solutions(base, solutions, data_dir=data_dir)
    pairs = [(Base(other.problems[name], other.solutions[name]), [Base(base.problems[name], base.solutions[name])])
             for other in others for name in RUNS]
    taken = iter(offered_all(pairs, completion_s, workers))
    offers = [{name: next(taken) or other.solutions[name] for name in RUNS} for other in others]
    changed = [k for k, (other, mine) in enumerate(zip(others, offers, strict=True)) if mine != other.solutions]
    repriced = dict(zip(changed, _with_solutions_all([(others[k], offers[k]) for k in changed], data_dir, workers),
                        strict=True))
    return [base, *(repriced.get(k, other) for k, other in enumerate(others))]


def _with_solutions_all(jobs: list[tuple[Run, dict]], data_dir: Path | None, workers: int) -> list[Run]:
    """Each run priced, checked and drawn again with its new routes: side by side when there are processes to spare."""
    from transport.pipeline import with_solutions

    if workers <= 1 or len(jobs) <= 1:
        return [with_solutions(run, solutions, data_dir=data_dir) for run, solutions in jobs]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=progress.worker_started) as pool:
        futures = [pool.submit(with_solutions, run, solutions, data_dir=data_dir) for run, solutions in jobs]
        return [f.result() for f in futures]


def run_scenario(spec: Scenario, seed: int, base: Run | None, data_dir: str | None, time_limit_s: float | None,
                 workers: int, inputs: Inputs | None = None, network: tuple[str, bytes] | None = None) -> Run:
    """One scenario in its own process or on a Dask worker; returns the run (picklable).

    Given `inputs` (read by the caller) and, for a network file of its own, that file's
    `network` contents, a worker needs nothing but the data directory for the area's extract.
    """
    import logging as _logging

    from transport.pipeline import run

    _logging.basicConfig(level=_logging.INFO, format="%(message)s")
    _logging.getLogger("osmnx").setLevel(_logging.WARNING)
    spec = spec.model_copy(update={"optimise": spec.optimise.model_copy(update={"workers": workers, "seed": seed})})
    if network is not None:
        spec = spec.model_copy(update={"data": spec.data.model_copy(update={"network": str(_unpacked(*network))})})
    return run(spec, data_dir=Path(data_dir) if data_dir else None, time_limit_s=time_limit_s, inputs=inputs, base=base)


def _run_all(jobs: list[tuple[Scenario, int, Run | None]], data_dir: Path | None, time_limit_s: float | None, workers: int,
             scheduler: str | None) -> list[Run]:
    """Each (scenario, seed, base) run: in processes here (the cores shared between them), or on Dask."""
    data = str(data_dir) if data_dir else None
    if scheduler is not None:
        runs = _on_dask(jobs, data_dir, time_limit_s, scheduler)
        for run in runs:
            progress.task_finished(run.name)
        return runs
    concurrent = max(1, min(workers, len(jobs)))
    each = max(1, workers // concurrent)
    if concurrent == 1:
        runs = []
        for spec, s, base in jobs:
            runs.append(run_scenario(spec, s, base, data, time_limit_s, each))
            progress.task_finished(spec.name)
        return runs
    with ProcessPoolExecutor(max_workers=concurrent, initializer=progress.worker_started) as pool:
        futures = [pool.submit(run_scenario, spec, s, base, data, time_limit_s, each) for spec, s, base in jobs]
        for done in as_completed(futures):
            progress.task_finished(done.result().name)
        return [f.result() for f in futures]


def _on_dask(jobs: list[tuple[Scenario, int, Run | None]], data_dir: Path | None, time_limit_s: float | None,
             scheduler: str) -> list[Run]:
    """Each job on the Dask cluster with its inputs read here and sent with it (and a network file of its own)."""
    from transport.inputs import read_inputs
    from transport.optimise.tasks import run_tasks
    from transport.pipeline import bounds_of, networks

    tasks = []
    for spec, s, base in jobs:
        drive, _ = networks(spec, data_dir)
        inputs = read_inputs(spec, bounds_of(drive), data_dir)
        own = spec.path(spec.data.network) if spec.data.network != "area" else None
        network = (own.name, own.read_bytes()) if own is not None else None
        tasks.append((run_scenario, (spec, s, base, None, time_limit_s, 1, inputs, network)))
    return run_tasks(tasks, scheduler=scheduler)


def _unpacked(name: str, contents: bytes) -> Path:
    """A network file sent with a scenario, saved in this machine's cache under its content hash."""
    import hashlib

    from transport.datadir import cache_dir

    path = cache_dir() / "shipped" / f"{hashlib.sha256(contents).hexdigest()[:16]}-{name}"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(contents)
        partial.replace(path)
    return path
