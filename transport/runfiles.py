"""The one codec for a run's files: what a run writes, and how `transport check` reads it back.

A run folder holds, per optimiser run (AM, PM) in `runs/<run>/`:
  locations.csv   location, kind (depot/school/home/stop/anywhere), ref, lat, lon
  matrix.npz      time_s and distance_m between locations (int64, the solver's values)
  fleet.csv       one row per vehicle variant (schemas.FLEET)
  requests.csv    one row per request (schemas.REQUESTS)
  incompatible.csv  a, b: request ids that must never share a vehicle
  routes.csv      one row per stop (schemas.ROUTES)
  unserved.csv    request_id, members, reason_code, reason
  solution.json   status, objective, solve seconds, strategy
and beside them eligibility.csv, transport_needs.csv, not_routed.csv, scenario.json and
`manifest.json`, written last: a folder without it is not a finished run.

`encode_run` turns a problem and its solution into `RunTables`; the pipeline checks those
tables in memory and `write_run_tables` writes exactly them. `read_run_tables` parses the
files back into the same `RunTables`, reporting every cell it cannot read.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from transport.cells import write_csv
from transport.journeys import RUNS
from transport.optimise.problem import Request, RoutingProblem, VehicleType
from transport.optimise.solution import Solution, rides_s
from transport.schemas import (
    ELIGIBILITY,
    FLEET,
    INCOMPATIBLE,
    LOCATIONS,
    MANIFEST_FILE,
    NEEDS,
    NOT_ROUTED,
    REQUESTS,
    ROUTES,
    UNSERVED,
    Table,
)
from transport.units import s_to_clock

if TYPE_CHECKING:
    from transport.policy import Policy
    from transport.record import Run

MANIFEST_VERSION = 1
_EMPTY = {"", "nan", "none", "null", "<na>", "nat"}


@dataclass(frozen=True)
class RunTables:
    """One optimiser run as its files hold it."""

    run: str
    time_s: np.ndarray
    distance_m: np.ndarray
    fleet: tuple[VehicleType, ...]
    requests: tuple[Request, ...]
    incompatible: tuple[tuple[str, str], ...]
    routes: pd.DataFrame  # schemas.ROUTES
    unserved: pd.DataFrame  # schemas.UNSERVED
    locations: pd.DataFrame | None = None  # schemas.LOCATIONS
    info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FolderTables:
    """A whole run folder: its optimiser runs and what the check needs besides them."""

    runs: dict[str, RunTables]
    eligibility: pd.DataFrame | None = None
    needs: pd.DataFrame | None = None  # schemas.NEEDS
    not_routed: frozenset[str] = frozenset()
    policy: Policy | None = None
    assistants: int | None = None  # passenger assistants the scenario allows, when it limits them
    manifest: dict | None = None
    problems: tuple[str, ...] = ()  # files or cells that could not be read


# ------------------------------------------------------------------------------ encode


def encode_run(run: str, problem: RoutingProblem, solution: Solution, locations: pd.DataFrame | None = None) -> RunTables:
    """The tables of one optimiser run, as they will be written."""
    info = {"run": run, "status": solution.status, "objective": solution.objective,
            "solve_seconds": round(solution.solve_seconds, 2), "strategy": solution.strategy,
            "vehicles_used": solution.vehicles_used, "distance_m": solution.total_distance_m, "stats": solution.stats}
    return RunTables(run, problem.time_s, problem.distance_m, problem.vehicle_types, problem.requests, problem.incompatible,
                     routes_frame(run, problem, solution, locations), unserved_frame(problem, solution), locations, info)


def routes_frame(run: str, problem: RoutingProblem, solution: Solution, locations: pd.DataFrame | None) -> pd.DataFrame:
    """One row per stop of every route, numbered `<run>-001` on."""
    by_id = {r.request_id: r for r in problem.requests}
    types = {vt.name: vt for vt in problem.vehicle_types}
    if locations is None:  # a problem with no map (benchmarks, tests): stops have no coordinates
        lat = lon = np.full(problem.time_s.shape[0], np.nan)
    else:
        lat, lon = locations["lat"].to_numpy(float), locations["lon"].to_numpy(float)
    rides = rides_s(solution)
    rows = []
    for number, route in enumerate(solution.routes, start=1):
        vt = types[route.vehicle_type]
        for seq, visit in enumerate(route.visits):
            req = by_id.get(visit.request_id)
            ride = round(rides[visit.request_id] / 60, 1) if visit.kind == "delivery" and visit.request_id in rides else None
            rows.append({
                "run": run, "vehicle": f"{run}-{number:03d}", "vehicle_type": vt.name, "catalogue_type": vt.catalogue_type,
                "depot": vt.depot, "has_assistant": vt.has_assistant, "sequence": seq, "stop_kind": visit.kind,
                "request_id": visit.request_id, "pupils": ";".join(req.members) if req else "", "group": req.group if req else "",
                "location": visit.location, "lat": round(float(lat[visit.location]), 6), "lon": round(float(lon[visit.location]), 6),
                "arrival_s": visit.arrival_s, "service_start_s": visit.service_start_s, "departure_s": visit.departure_s,
                "arrival": s_to_clock(visit.arrival_s), "departure": s_to_clock(visit.departure_s),
                "seats_load": visit.seats_load, "wheelchair_load": visit.wheelchair_load, "ride_minutes": ride,
            })
    return ROUTES.frame(rows)


def unserved_frame(problem: RoutingProblem, solution: Solution) -> pd.DataFrame:
    members = {r.request_id: ";".join(r.members) for r in problem.requests}
    return UNSERVED.frame({"request_id": u.request_id, "members": members.get(u.request_id, ""), "reason_code": u.reason_code,
                           "reason": u.detail} for u in solution.unserved)


def requests_frame(requests: tuple[Request, ...]) -> pd.DataFrame:
    rows = []
    for r in requests:
        pw, dw = r.pickup_window or (None, None), r.delivery_window or (None, None)
        rows.append({"request_id": r.request_id, "members": ";".join(r.members), "group": r.group, "partition": r.partition,
                     "pickup": r.pickup, "delivery": r.delivery, "seats": r.seats, "wheelchairs": r.wheelchairs,
                     "pickup_earliest_s": pw[0], "pickup_latest_s": pw[1], "delivery_earliest_s": dw[0],
                     "delivery_latest_s": dw[1], "max_ride_s": r.max_ride_s, "pickup_service_s": r.pickup_service_s,
                     "delivery_service_s": r.delivery_service_s, "needs_assistant": r.needs_assistant,
                     "travel_alone": r.travel_alone})
    return _with_int_columns(REQUESTS.frame(rows), REQUESTS)


def fleet_frame(types: tuple[VehicleType, ...]) -> pd.DataFrame:
    return _with_int_columns(FLEET.frame(
        {"name": vt.name, "catalogue_type": vt.catalogue_type, "depot": vt.depot, "seats": vt.seats,
         "wheelchair_spaces": vt.wheelchair_spaces, "has_assistant": vt.has_assistant, "count": vt.count,
         "fixed_cost_pence": vt.fixed_cost, "cost_per_km_pence": vt.cost_per_km, "start": vt.start, "end": vt.end,
         "max_duration_s": vt.max_duration_s, "pool": vt.pool, "pool_size": vt.pool_size} for vt in types), FLEET)


def _with_int_columns(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Whole-number columns as nullable integers, so they are written without a decimal point."""
    return frame.astype({c: "Int64" for c in table.of_type("int")})


def needs_frame(run: Run) -> pd.DataFrame:
    """What each transported pupil needs, from the inputs (for the independent check)."""
    columns = [c for c in NEEDS.names if c != "mode"]
    merged = run.demand.pupils[["pupil_id", "mode"]].merge(run.pupils[columns], on="pupil_id", how="left")
    return NEEDS.ordered(merged)


def folder_tables(run: Run) -> FolderTables:
    """The whole folder of a run, in memory, exactly as `write_folder` will write it."""
    runs = {name: encode_run(name, run.problems[name], run.solutions[name], run.demand.locations) for name in run.solutions}
    from transport.demand import not_routed

    missing = frozenset(not_routed(run.eligibility, run.demand)["pupil_id"])
    return FolderTables(runs, run.eligibility, needs_frame(run), missing, run.scenario.policy,
                        run.scenario.costs.assistants_available)


# ------------------------------------------------------------------------------ write


def write_run_tables(tables: RunTables, directory: Path) -> Path:
    """Write one optimiser run's files."""
    directory.mkdir(parents=True, exist_ok=True)
    if tables.locations is not None:
        write_csv(tables.locations, directory / LOCATIONS.file)
    np.savez_compressed(directory / "matrix.npz", time_s=tables.time_s, distance_m=tables.distance_m)
    write_csv(fleet_frame(tables.fleet), directory / FLEET.file)
    write_csv(requests_frame(tables.requests), directory / REQUESTS.file)
    write_csv(INCOMPATIBLE.frame({"a": a, "b": b} for a, b in tables.incompatible), directory / INCOMPATIBLE.file)
    write_csv(_with_int_columns(tables.routes, ROUTES), directory / ROUTES.file)
    write_csv(tables.unserved, directory / UNSERVED.file)
    (directory / "solution.json").write_text(json.dumps(tables.info, indent=2, default=str), encoding="utf-8")
    return directory


def write_run(directory: Path, run: str, problem: RoutingProblem, solution: Solution, locations: pd.DataFrame) -> Path:
    """One optimiser run's files, from its problem and solution (tests and benchmarks)."""
    return write_run_tables(encode_run(run, problem, solution, locations), directory)


Renderer = Callable[["Run", Path], None]


def write_folder(run: Run, out_dir: Path, renderers: tuple[Renderer, ...] = ()) -> Path:
    """Write a run's folder once, completely, or not at all.

    Everything goes into a temporary sibling folder; `renderers` add the files for people
    (budget, route sheets, map); the manifest is written last; then the folder is moved into
    place, replacing any earlier run. An interrupted run leaves no folder that looks finished.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        _write_tables(run, staging)
        for render in renderers:
            render(run, staging)
        _write_manifest(run, staging)
        _swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _write_tables(run: Run, folder: Path) -> None:
    from transport.demand import not_routed
    from transport.eligibility import summarise
    from transport.schemas import ELIGIBILITY_BY_REASON, MOVES, SCHOOLS_USED, STOPS, TRANSPORTED
    from transport.stops import stops_geojson

    tables = folder_tables(run)
    for name, run_tables in tables.runs.items():
        write_run_tables(run_tables, folder / "runs" / name)
    write_csv(pd.concat([_with_int_columns(t.routes, ROUTES) for t in tables.runs.values()]), folder / ROUTES.file)
    write_csv(run.eligibility, folder / ELIGIBILITY.file)
    write_csv(ELIGIBILITY_BY_REASON.ordered(summarise(run.eligibility)), folder / ELIGIBILITY_BY_REASON.file)
    write_csv(TRANSPORTED.ordered(run.demand.pupils), folder / TRANSPORTED.file)
    write_csv(needs_frame(run), folder / NEEDS.file)
    write_csv(not_routed(run.eligibility, run.demand), folder / NOT_ROUTED.file)
    write_csv(MOVES.ordered(run.moves), folder / MOVES.file)
    write_csv(_with_int_columns(SCHOOLS_USED.ordered(run.schools), SCHOOLS_USED), folder / SCHOOLS_USED.file)
    write_csv(run.demand.locations, folder / LOCATIONS.file)
    write_csv(_with_int_columns(run.stops.points, STOPS), folder / STOPS.file)
    (folder / "stops.geojson").write_text(json.dumps(stops_geojson(run.stops.points)), encoding="utf-8")
    generated = {**run.inputs.generated, **run.costs.generated}
    for file, frame in generated.items():
        (folder / "inputs").mkdir(exist_ok=True)
        write_csv(frame, folder / "inputs" / file)
    (folder / "scenario.json").write_text(run.scenario.model_dump_json(indent=2), encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps(run.summary, indent=2, default=_json_default), encoding="utf-8")


def _write_manifest(run: Run, folder: Path) -> None:
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    manifest = {"complete": True, "version": MANIFEST_VERSION, "scenario": run.name,
                "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "files": files}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _json_default(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return str(value)


# ------------------------------------------------------------------------------ read


class Unreadable(Exception):
    """A file (or a cell of it) that cannot be read; the message says which."""


def read_csv_text(path: Path, required: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """All cells as stripped strings ('' when empty); a header-only or empty file gives no rows."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise Unreadable(f"{path.name}: cannot be read ({exc})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    missing = [c for c in required if c not in frame.columns]
    if missing and len(frame.columns):
        raise Unreadable(f"{path.name}: missing column(s) {', '.join(missing)}")
    for column in missing:  # an empty file: give it its columns
        frame[column] = pd.Series(dtype=str)
    return frame


def number(value: object) -> float | None:
    text = str(value).strip()
    if text.lower() in _EMPTY:
        return None
    result = float(text)
    if not math.isfinite(result):
        raise ValueError(f"not a finite number: {text!r}")
    return result


def whole(value: object) -> int | None:
    result = number(value)
    if result is None:
        return None
    if result != int(result):
        raise ValueError(f"not a whole number: {value!r}")
    return int(result)


def truth(value: object) -> bool:
    text = str(value).strip().lower()
    if text in _EMPTY or text in {"false", "0", "0.0", "no", "n", "f"}:
        return False
    if text in {"true", "1", "1.0", "yes", "y", "t"}:
        return True
    raise ValueError(f"not a true/false value: {value!r}")


def ids(value: object) -> tuple[str, ...]:
    text = str(value).strip()
    if text.lower() in _EMPTY:
        return ()
    return tuple(m.strip() for m in text.split(";") if m.strip())


def parse_table(path: Path, table: Table) -> pd.DataFrame:
    """A file of `table`, its cells converted to the column types; `Unreadable` names the first bad cell."""
    frame = read_csv_text(path, table.required)
    parsers = {"int": whole, "float": number, "bool": truth}
    out = frame.copy()
    for column in table.columns:
        if column.name not in frame.columns:
            out[column.name] = False if column.dtype == "bool" else None if column.dtype in parsers else ""
            continue
        parse = parsers.get(column.dtype)
        if parse is None:
            continue
        values = []
        for i, cell in enumerate(frame[column.name]):
            try:
                values.append(parse(cell))
            except ValueError as exc:
                raise Unreadable(f"{path.name} row {i + 2}, column '{column.name}': {exc}") from None
        out[column.name] = pd.Series(values, index=frame.index, dtype=object)
    return out


def read_run_tables(directory: Path) -> tuple[RunTables | None, list[str]]:
    """One optimiser run's files; None (and the problems) when a required file cannot be read."""
    problems = [f"{name} is missing" for name in ("matrix.npz", FLEET.file, REQUESTS.file, ROUTES.file)
                if not (directory / name).is_file()]
    if problems:
        return None, problems
    try:
        time_s, distance_m = _read_matrix(directory / "matrix.npz")
        n = time_s.shape[0]
        fleet = _read_fleet(directory / FLEET.file, n)
        requests = _read_requests(directory / REQUESTS.file, n)
        incompatible = _read_incompatible(directory / INCOMPATIBLE.file)
        unserved = parse_table(directory / UNSERVED.file, UNSERVED) if (directory / UNSERVED.file).is_file() else UNSERVED.frame()
        routes = _read_routes(directory / ROUTES.file)
    except Unreadable as exc:
        return None, [str(exc)]
    locations, location_problems = _read_locations(directory / LOCATIONS.file, n)
    info = {}
    if (directory / "solution.json").is_file():
        try:
            info = json.loads((directory / "solution.json").read_text(encoding="utf-8"))
        except (ValueError, OSError):
            location_problems.append("solution.json cannot be read")
    return RunTables(directory.name, time_s, distance_m, fleet, requests, incompatible, routes, unserved, locations,
                     info), location_problems


def _read_matrix(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            if "time_s" not in npz.files:
                raise ValueError("no time_s array")
            time_s = np.asarray(npz["time_s"], dtype=float)
            distance_m = np.asarray(npz["distance_m"], dtype=float) if "distance_m" in npz.files else np.zeros_like(time_s)
    except Exception as exc:  # any failure to read the matrix leaves the run uncheckable
        raise Unreadable(f"matrix.npz: cannot be read ({exc})") from None
    if time_s.ndim != 2 or time_s.shape[0] != time_s.shape[1]:
        raise Unreadable(f"matrix.npz: time_s is not square (shape {time_s.shape})")
    return time_s, distance_m


def _location(value: object, what: str, n: int) -> int | None:
    loc = whole(value)
    if loc is not None and not 0 <= loc < n:
        raise ValueError(f"{what} location {loc} is outside the matrix (0..{n - 1})")
    return loc


def _read_fleet(path: Path, n: int) -> tuple[VehicleType, ...]:
    frame = read_csv_text(path, FLEET.required)
    fleet: dict[str, VehicleType] = {}
    for row in frame.to_dict("records"):
        name = row["name"]
        try:
            start, end = _location(row["start"], "start", n), _location(row["end"], "end", n)
            if start is None or end is None:
                raise ValueError("start and end are required")
            vt = VehicleType(catalogue_type=row["catalogue_type"], depot=row.get("depot", ""), seats=whole(row["seats"]) or 0,
                             wheelchair_spaces=whole(row["wheelchair_spaces"]) or 0, count=whole(row["count"]) or 0,
                             fixed_cost=whole(row["fixed_cost_pence"]) or 0, cost_per_km=whole(row["cost_per_km_pence"]) or 0,
                             has_assistant=truth(row["has_assistant"]), start=start, end=end,
                             max_duration_s=whole(row.get("max_duration_s", "")), pool=row.get("pool", ""),
                             pool_size=whole(row.get("pool_size", "")))
        except ValueError as exc:
            raise Unreadable(f"fleet.csv, variant {name!r}: {exc}") from exc
        if vt.name != name:
            raise Unreadable(f"fleet.csv, variant {name!r}: its catalogue_type, depot and has_assistant make {vt.name!r}")
        if name in fleet:
            raise Unreadable(f"fleet.csv: variant {name!r} appears twice")
        fleet[name] = vt
    return tuple(fleet.values())


def _window(row: dict, kind: str) -> tuple | None:
    earliest, latest = whole(row.get(f"{kind}_earliest_s", "")), whole(row.get(f"{kind}_latest_s", ""))
    return None if earliest is None and latest is None else (earliest, latest)


def _read_requests(path: Path, n: int) -> tuple[Request, ...]:
    frame = read_csv_text(path, REQUESTS.required)
    requests: dict[str, Request] = {}
    for row in frame.to_dict("records"):
        rid = row["request_id"]
        try:
            req = Request(
                request_id=rid, members=ids(row.get("members", "")), group=row.get("group", ""),
                partition=row.get("partition", ""), pickup=_location(row["pickup"], "pickup", n),
                delivery=_location(row["delivery"], "delivery", n), seats=whole(row["seats"]) or 0,
                wheelchairs=whole(row["wheelchairs"]) or 0, pickup_window=_window(row, "pickup"),
                delivery_window=_window(row, "delivery"), max_ride_s=whole(row.get("max_ride_s", "")),
                pickup_service_s=whole(row.get("pickup_service_s", "")) or 0,
                delivery_service_s=whole(row.get("delivery_service_s", "")) or 0,
                needs_assistant=truth(row.get("needs_assistant", "")), travel_alone=truth(row.get("travel_alone", "")))
        except ValueError as exc:
            raise Unreadable(f"requests.csv, request {rid!r}: {exc}") from exc
        if not rid:
            raise Unreadable("requests.csv: a row has an empty request_id")
        if rid in requests:
            raise Unreadable(f"requests.csv: request {rid!r} appears twice")
        if req.pickup is None and req.delivery is None:
            raise Unreadable(f"requests.csv: request {rid!r} has neither a pickup nor a delivery")
        requests[rid] = req
    return tuple(requests.values())


def _read_incompatible(path: Path) -> tuple[tuple[str, str], ...]:
    if not path.is_file():
        return ()
    frame = read_csv_text(path, INCOMPATIBLE.required)
    return tuple((a, b) for a, b in zip(frame["a"], frame["b"], strict=True) if a and b)


def _read_routes(path: Path) -> pd.DataFrame:
    """routes.csv as text, every cell checked against its column's type; a required number may not be empty."""
    frame = read_csv_text(path, ROUTES.required)
    for column in ROUTES.names:
        if column not in frame.columns:
            frame[column] = ""
    parsers = {"int": whole, "float": number, "bool": truth}
    checked = [(c, parsers[c.dtype]) for c in ROUTES.columns if c.dtype in parsers]
    for row in frame.to_dict("records"):
        for column, parse in checked:
            try:
                if parse(row[column.name]) is None and column.required:
                    raise ValueError(f"a stop has an empty {column.name}")
            except ValueError as exc:
                raise Unreadable(f"routes.csv, vehicle {row['vehicle']!r}: {exc}") from exc
    return frame


def _read_locations(path: Path, n: int) -> tuple[pd.DataFrame | None, list[str]]:
    """Optional: without it (or with it broken) only the coordinates of stops go unchecked."""
    if not path.is_file():
        return None, []
    try:
        frame = read_csv_text(path, LOCATIONS.required)
        if len(frame) != n:
            return None, [f"locations.csv has {len(frame)} rows but the matrix has {n} locations"]
        for row in frame.itertuples(index=False):
            whole(row.location), number(row.lat), number(row.lon)
    except (Unreadable, ValueError) as exc:
        return None, [f"locations.csv: {exc}; stop coordinates not checked"]
    return frame, []


def read_folder(directory: Path) -> FolderTables:
    """A run folder's files (see the module docstring); every unreadable file is listed in `problems`."""
    directory = Path(directory)
    problems: list[str] = []
    run_dirs = _run_dirs(directory)
    runs = {}
    for run_dir in run_dirs:
        tables, found = read_run_tables(run_dir)
        problems += [f"runs/{run_dir.name}: {p}" if run_dir != directory else p for p in found]
        if tables is not None:
            runs[run_dir.name] = tables
    eligibility = needs = None
    not_routed: frozenset[str] = frozenset()
    try:
        if (directory / ELIGIBILITY.file).is_file():
            eligibility = read_csv_text(directory / ELIGIBILITY.file, ("pupil_id", "eligible"))
            eligibility["eligible"] = [truth(v) for v in eligibility["eligible"]]
        if (directory / NEEDS.file).is_file():
            needs = parse_table(directory / NEEDS.file, NEEDS)
        if (directory / NOT_ROUTED.file).is_file():
            not_routed = frozenset(p for p in read_csv_text(directory / NOT_ROUTED.file, ("pupil_id",))["pupil_id"] if p)
    except (Unreadable, ValueError) as exc:
        problems.append(f"cannot check that no pupil is lost: {exc}")
    manifest = _read_manifest(directory, problems)
    if manifest is not None:
        listed = manifest.get("files", []) if isinstance(manifest, dict) else []
        problems += [f"{name} is listed in {MANIFEST_FILE} but missing" for name in listed
                     if not (directory / str(name)).is_file()]
    policy, assistants = _read_scenario(directory, problems)
    return FolderTables(runs, eligibility, needs, not_routed, policy, assistants, manifest, tuple(problems))


def _run_dirs(directory: Path) -> list[Path]:
    """runs/<run>/ folders; a folder that is itself a run (routes.csv, no runs/) is one."""
    runs = directory / "runs"
    if runs.is_dir():
        return sorted(d for d in runs.iterdir() if d.is_dir())
    if (directory / ROUTES.file).is_file() and (directory / REQUESTS.file).is_file():
        return [directory]
    return []


def _read_scenario(directory: Path, problems: list[str]) -> tuple[Policy | None, int | None]:
    """The policy and the assistants limit the run was made with, from scenario.json."""
    path = directory / "scenario.json"
    if not path.is_file():
        return None, None
    from pydantic import ValidationError

    from transport.policy import Policy

    try:
        scenario = json.loads(path.read_text(encoding="utf-8"))
        assistants = scenario.get("costs", {}).get("assistants_available")
        return Policy.model_validate(scenario.get("policy", {})), None if assistants is None else int(assistants)
    except (ValueError, ValidationError, OSError, AttributeError, TypeError) as exc:
        problems.append(f"scenario.json: cannot be read ({str(exc).splitlines()[0]})")
        return None, None


def _read_manifest(directory: Path, problems: list[str]) -> dict | None:
    path = directory / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        problems.append(f"{MANIFEST_FILE}: cannot be read ({exc})")
        return None


__all__ = ["RUNS", "FolderTables", "RunTables", "encode_run", "read_folder", "read_run_tables", "write_folder", "write_run"]
