"""Re-verify optimiser runs from their files alone, independently of the solver.

`check_run_dir` reads one run folder as `transport.runfiles.write_run` leaves it
(locations.csv, matrix.npz, fleet.csv, requests.csv, incompatible.csv, routes.csv,
unserved.csv) with pandas and numpy only: it imports neither OR-Tools nor anything under
`transport.optimise`, so a bug in the model or in route extraction cannot hide itself.

Semantics checked (the same ones the routing model promises):

* a stop's time is its service start; departure = service start + the stop's service time
  (the request's pickup_service_s / delivery_service_s, 0 at start and end); the next stop
  cannot start before departure + time_s[here, there]; waiting is allowed;
* windows (pickup_* and delivery_*) bound the service start; ride time is
  service start at the delivery - departure from the pickup, at most max_ride_s;
* a vehicle with an assistant has seats - 1 usable seats; wheelchairs use wheelchair spaces;
* a request with no pickup is loaded at the depot and counts towards the load from its
  delivery on (VRP semantics); a request with no delivery stays aboard to the end;
* a travel-alone request is the only request aboard from its pickup to its delivery
  (requests without a pickup are not "aboard" in this sense, as in the model);
* needs_assistant requests only on vehicles whose fleet row has has_assistant;
  incompatible requests never on the same vehicle; per fleet variant at most `count`
  vehicles, each starting and ending at the variant's start and end and out no longer
  than max_duration_s when set;
* every request is served exactly once, or listed in unserved.csv with a reason code,
  never both.

Each broken rule is a `Violation` with a stable `rule` code (see `RULES`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Every rule code the checker can report, with what it means.
RULES: dict[str, str] = {
    "FILE": "A run file is missing, unreadable or lacks a required column; the run cannot be fully checked.",
    "UNKNOWN_REQUEST": "A stop or unserved row names a request that is not in requests.csv.",
    "VEHICLE_TYPE": "A vehicle's type is unknown, changes along its route, or disagrees with fleet.csv.",
    "FLEET_SIZE": "More vehicles of a fleet variant are used than its count.",
    "DEPOT": "A route does not start (end) with a start (end) stop at its variant's start (end) location.",
    "ORDER": "Stops out of order: a delivery before its pickup, duplicate sequence numbers, an unknown stop kind.",
    "WRONG_LOCATION": "A stop is not at its request's pickup/delivery location, or its index/coordinates are wrong.",
    "TRAVEL_TIME": "A stop starts (or is reached) sooner than the previous departure plus the matrix travel time.",
    "SERVICE_TIME": "A stop's departure is not its service start plus its service time.",
    "TIME_WINDOW": "A service start outside the request's pickup or delivery window.",
    "RIDE_TIME": "A ride (delivery start - pickup departure) longer than max_ride_s, or a wrong ride_minutes.",
    "MAX_DURATION": "A vehicle out longer than its variant's max_duration_s.",
    "CAPACITY_SEATS": "More seats in use than the vehicle's usable seats (seats - 1 with an assistant).",
    "WHEELCHAIR": "More wheelchairs aboard than the vehicle's wheelchair spaces.",
    "LOAD_MISMATCH": "The seats_load / wheelchair_load columns differ from the loads recomputed from the stops.",
    "SOLO": "Another request aboard while a travel-alone request is aboard.",
    "ASSISTANT": "A request needing an assistant on a vehicle without one.",
    "INCOMPATIBLE": "Two incompatible requests on the same vehicle.",
    "SAME_VEHICLE": "A request picked up by one vehicle and delivered by another.",
    "INCOMPLETE": "A request with its pickup but not its delivery on a route, or the other way round.",
    "SERVED_TWICE": "A request visited more than once, or both served and listed as unserved.",
    "NOT_SERVED_OR_EXPLAINED": "A request neither served nor listed in unserved.csv with a reason code.",
    "MEMBERS": "A stop's or unserved row's pupils differ from the request's members.",
    "PUPIL_TWICE": "A pupil belongs to more than one request of a run.",
    "PUPIL_LOST": "An eligible pupil is in no request or unserved row of a run, nor in not_routed.csv.",
}

REPORT_LINES = 200


@dataclass(frozen=True, slots=True)
class Violation:
    run: str
    vehicle: str
    request_id: str
    rule: str
    detail: str

    def __str__(self) -> str:
        where = [f"run {self.run}" if self.run else "", f"vehicle {self.vehicle}" if self.vehicle else "",
                 f"request {self.request_id}" if self.request_id else ""]
        place = ", ".join(w for w in where if w)
        return f"[{self.rule}] {place + ': ' if place else ''}{self.detail}"


def format_report(violations: list[Violation] | tuple[Violation, ...]) -> str:
    """A readable multi-line report: a count per rule, then one line per violation."""
    if not violations:
        return "No violations."
    counts = Counter(v.rule for v in violations)
    head = f"{len(violations)} violation{'s' if len(violations) != 1 else ''}: " + ", ".join(
        f"{rule} x{n}" for rule, n in sorted(counts.items()))
    lines = [head, *(f"  {v}" for v in violations[:REPORT_LINES])]
    if len(violations) > REPORT_LINES:
        lines.append(f"  ... and {len(violations) - REPORT_LINES} more")
    return "\n".join(lines)


class CheckFailed(Exception):
    """Raised by `assert_feasible`; `violations` holds every violation found."""

    def __init__(self, violations: list[Violation] | tuple[Violation, ...]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        super().__init__(format_report(self.violations))

    def __str__(self) -> str:
        return format_report(self.violations)


def assert_feasible(out_dir: Path, tolerance_s: int = 1) -> None:
    """Raise `CheckFailed` (listing every violation) unless the whole output folder checks out."""
    violations = check_output_dir(Path(out_dir), tolerance_s)
    if violations:
        raise CheckFailed(violations)


# --------------------------------------------------------------------------- reading


class _Unreadable(Exception):
    pass


def _read_csv(path: Path, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """All cells as stripped strings ('' when empty); header-only or empty files give no rows."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise _Unreadable(f"{path.name}: cannot be read ({exc})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    missing = [c for c in required if c not in frame.columns]
    if missing and len(frame.columns):
        raise _Unreadable(f"{path.name}: missing column(s) {', '.join(missing)}")
    for column in missing:  # an empty file: give it its columns
        frame[column] = pd.Series(dtype=str)
    return frame


_EMPTY = {"", "nan", "none", "null", "<na>", "nat"}


def _num(value: object) -> float | None:
    text = str(value).strip()
    if text.lower() in _EMPTY:
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {text!r}")
    return number


def _int(value: object) -> int | None:
    number = _num(value)
    if number is None:
        return None
    if number != int(number):
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def _bool(value: object) -> bool:
    text = str(value).strip().lower()
    if text in _EMPTY or text in {"false", "0", "0.0", "no", "n", "f"}:
        return False
    if text in {"true", "1", "1.0", "yes", "y", "t"}:
        return True
    raise ValueError(f"not a true/false value: {value!r}")


def _members(value: object) -> tuple[str, ...]:
    text = str(value).strip()
    if text.lower() in _EMPTY:
        return ()
    return tuple(m.strip() for m in text.split(";") if m.strip())


@dataclass(frozen=True, slots=True)
class _Fleet:
    name: str
    base_type: str
    seats: int
    wheelchair_spaces: int
    has_assistant: bool
    count: int
    start: int
    end: int
    max_duration_s: float | None

    @property
    def usable_seats(self) -> int:
        return max(0, self.seats - (1 if self.has_assistant else 0))


@dataclass(frozen=True, slots=True)
class _Request:
    request_id: str
    members: tuple[str, ...]
    pickup: int | None
    delivery: int | None
    seats: int
    wheelchairs: int
    pickup_window: tuple[float | None, float | None]
    delivery_window: tuple[float | None, float | None]
    max_ride_s: float | None
    pickup_service_s: float
    delivery_service_s: float
    needs_assistant: bool
    travel_alone: bool


@dataclass(slots=True)
class _Stop:
    vehicle: str
    position: int  # index along the route after sorting by sequence
    kind: str
    request_id: str
    pupils: tuple[str, ...]
    location: int
    lat: float | None
    lon: float | None
    arrival_s: float
    service_start_s: float
    departure_s: float
    seats_load: int
    wheelchair_load: int
    ride_minutes: float | None


FLEET_COLUMNS = ("name", "seats", "wheelchair_spaces", "has_assistant", "count", "start", "end")
REQUEST_COLUMNS = ("request_id", "pickup", "delivery", "seats", "wheelchairs")
ROUTE_COLUMNS = ("vehicle", "vehicle_type", "sequence", "stop_kind", "request_id", "location", "arrival_s",
                 "service_start_s", "departure_s", "seats_load", "wheelchair_load")


class _RunChecker:
    def __init__(self, run_dir: Path, tolerance_s: float) -> None:
        self.dir = run_dir
        self.run = run_dir.name
        self.tol = tolerance_s
        self.violations: list[Violation] = []

    def flag(self, rule: str, detail: str, vehicle: str = "", request_id: str = "") -> None:
        self.violations.append(Violation(self.run, vehicle, request_id, rule, detail))

    # ---------------------------------------------------------------- loading

    def load(self) -> bool:
        """Read every file; False (with FILE violations) when the run cannot be checked."""
        ok = True
        for name in ("matrix.npz", "fleet.csv", "requests.csv", "routes.csv"):
            if not (self.dir / name).is_file():
                self.flag("FILE", f"{name} is missing")
                ok = False
        if not ok:
            return False
        try:
            npz = np.load(self.dir / "matrix.npz", allow_pickle=False)
            if not hasattr(npz, "files"):
                raise ValueError("not an .npz archive")
            with npz:
                if "time_s" not in npz.files:
                    raise ValueError("no time_s array")
                self.time_s = np.asarray(npz["time_s"], dtype=float)
        except Exception as exc:  # any failure to read the matrix leaves the run uncheckable
            self.flag("FILE", f"matrix.npz: cannot be read ({exc})")
            return False
        if self.time_s.ndim != 2 or self.time_s.shape[0] != self.time_s.shape[1]:
            self.flag("FILE", f"matrix.npz: time_s is not square (shape {self.time_s.shape})")
            return False
        self.n = self.time_s.shape[0]
        loaders = (self._load_locations, self._load_fleet, self._load_requests, self._load_incompatible,
                   self._load_unserved, self._load_routes)
        for loader in loaders:
            try:
                loader()
            except _Unreadable as exc:
                self.flag("FILE", str(exc))
                ok = False
        return ok

    def _load_locations(self) -> None:
        self.coords: dict[int, tuple[float, float]] | None = None
        path = self.dir / "locations.csv"
        if not path.is_file():
            return
        try:
            frame = _read_csv(path, ("location", "lat", "lon"))
        except _Unreadable as exc:  # not fatal either
            self.flag("FILE", f"{exc}; stop coordinates not checked")
            return
        if len(frame) != self.n:  # not fatal: only the coordinates of stops go unchecked
            self.flag("FILE", f"locations.csv has {len(frame)} rows but the matrix has {self.n} locations")
            return
        try:
            self.coords = {_int(r.location): (_num(r.lat), _num(r.lon)) for r in frame.itertuples(index=False)}
        except ValueError as exc:
            self.flag("FILE", f"locations.csv: {exc}; stop coordinates not checked")

    def _location(self, value: object, what: str) -> int | None:
        loc = _int(value)
        if loc is not None and not 0 <= loc < self.n:
            raise ValueError(f"{what} location {loc} is outside the matrix (0..{self.n - 1})")
        return loc

    def _load_fleet(self) -> None:
        frame = _read_csv(self.dir / "fleet.csv", FLEET_COLUMNS)
        self.fleet: dict[str, _Fleet] = {}
        for row in frame.to_dict("records"):
            name = row["name"]
            try:
                start, end = self._location(row["start"], "start"), self._location(row["end"], "end")
                if start is None or end is None:
                    raise ValueError("start and end are required")
                fleet = _Fleet(name, row.get("base_type", "") or name, _int(row["seats"]) or 0,
                               _int(row["wheelchair_spaces"]) or 0, _bool(row["has_assistant"]),
                               _int(row["count"]) or 0, start, end, _num(row.get("max_duration_s", "")))
            except ValueError as exc:
                raise _Unreadable(f"fleet.csv, variant {name!r}: {exc}") from exc
            if name in self.fleet:
                raise _Unreadable(f"fleet.csv: variant {name!r} appears twice")
            self.fleet[name] = fleet

    def _load_requests(self) -> None:
        frame = _read_csv(self.dir / "requests.csv", REQUEST_COLUMNS)
        self.requests: dict[str, _Request] = {}
        for row in frame.to_dict("records"):
            rid = row["request_id"]
            try:
                req = _Request(
                    rid, _members(row.get("members", "")),
                    self._location(row["pickup"], "pickup"), self._location(row["delivery"], "delivery"),
                    _int(row["seats"]) or 0, _int(row["wheelchairs"]) or 0,
                    (_num(row.get("pickup_earliest_s", "")), _num(row.get("pickup_latest_s", ""))),
                    (_num(row.get("delivery_earliest_s", "")), _num(row.get("delivery_latest_s", ""))),
                    _num(row.get("max_ride_s", "")), _num(row.get("pickup_service_s", "")) or 0.0,
                    _num(row.get("delivery_service_s", "")) or 0.0, _bool(row.get("needs_assistant", "")),
                    _bool(row.get("travel_alone", "")))
            except ValueError as exc:
                raise _Unreadable(f"requests.csv, request {rid!r}: {exc}") from exc
            if not rid:
                raise _Unreadable("requests.csv: a row has an empty request_id")
            if rid in self.requests:
                raise _Unreadable(f"requests.csv: request {rid!r} appears twice")
            if req.pickup is None and req.delivery is None:
                raise _Unreadable(f"requests.csv: request {rid!r} has neither a pickup nor a delivery")
            self.requests[rid] = req

    def _load_incompatible(self) -> None:
        path = self.dir / "incompatible.csv"
        frame = _read_csv(path, ("a", "b")) if path.is_file() else pd.DataFrame(columns=["a", "b"])
        self.incompatible = [(a, b) for a, b in zip(frame["a"], frame["b"], strict=True) if a and b]

    def _load_unserved(self) -> None:
        path = self.dir / "unserved.csv"
        columns = ("request_id", "reason_code")
        self.unserved = _read_csv(path, columns) if path.is_file() else pd.DataFrame(columns=list(columns))
        if "members" not in self.unserved.columns:
            self.unserved["members"] = ""

    def _load_routes(self) -> None:
        frame = _read_csv(self.dir / "routes.csv", ROUTE_COLUMNS)
        self.routes: dict[str, list[_Stop]] = {}
        self.route_types: dict[str, list[dict]] = {}
        rows_by_vehicle: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        for row in frame.to_dict("records"):
            try:
                sequence = _int(row["sequence"])
            except ValueError as exc:
                raise _Unreadable(f"routes.csv, vehicle {row['vehicle']!r}: {exc}") from exc
            if sequence is None:
                raise _Unreadable(f"routes.csv, vehicle {row['vehicle']!r}: a stop has no sequence number")
            rows_by_vehicle[row["vehicle"]].append((sequence, row))
        for vehicle, rows in rows_by_vehicle.items():
            rows.sort(key=lambda item: item[0])
            repeated = sorted(s for s, n in Counter(s for s, _ in rows).items() if n > 1)
            if repeated:
                self.flag("ORDER", f"sequence number(s) {repeated} used more than once: the stop order is ambiguous",
                          vehicle)
            stops = []
            for position, (_, row) in enumerate(rows):
                try:
                    location = _int(row["location"])
                    if location is None:
                        raise ValueError("a stop has no location")
                    stops.append(_Stop(
                        vehicle, position, row["stop_kind"], row["request_id"], _members(row.get("pupils", "")),
                        location, _num(row.get("lat", "")), _num(row.get("lon", "")),
                        *(self._time(row[c]) for c in ("arrival_s", "service_start_s", "departure_s")),
                        _int(row["seats_load"]) or 0, _int(row["wheelchair_load"]) or 0,
                        _num(row.get("ride_minutes", ""))))
                except ValueError as exc:
                    raise _Unreadable(f"routes.csv, vehicle {vehicle!r}: {exc}") from exc
            self.routes[vehicle] = stops
            self.route_types[vehicle] = [row for _, row in rows]

    @staticmethod
    def _time(value: object) -> float:
        number = _num(value)
        if number is None:
            raise ValueError("a stop has an empty time")
        return number

    # ---------------------------------------------------------------- checks

    def check(self) -> list[Violation]:
        if not self.load():
            return self.violations
        visits: dict[str, list[_Stop]] = defaultdict(list)
        used: Counter[str] = Counter()
        for vehicle, stops in self.routes.items():
            fleet = self._vehicle_type(vehicle)
            if fleet is not None:
                used[fleet.name] += 1
            self._check_route(vehicle, stops, fleet)
            for stop in stops:
                if stop.kind in ("pickup", "delivery") and stop.request_id in self.requests:
                    visits[stop.request_id].append(stop)
        for name, n in sorted(used.items()):
            if n > self.fleet[name].count:
                self.flag("FLEET_SIZE", f"{n} vehicles of {name!r} used, fleet.csv allows {self.fleet[name].count}")
        self._check_requests(visits)
        self._check_unserved(visits)
        self._check_incompatible(visits)
        self._check_pupils()
        return self.violations

    def _vehicle_type(self, vehicle: str) -> _Fleet | None:
        rows = self.route_types[vehicle]
        names = sorted({r["vehicle_type"] for r in rows})
        if len(names) != 1:
            self.flag("VEHICLE_TYPE", f"the route names several vehicle types {names}", vehicle)
            return None
        fleet = self.fleet.get(names[0])
        if fleet is None:
            self.flag("VEHICLE_TYPE", f"vehicle type {names[0]!r} is not in fleet.csv", vehicle)
            return None
        try:
            if any("has_assistant" in r and r["has_assistant"] and _bool(r["has_assistant"]) != fleet.has_assistant
                   for r in rows):
                self.flag("VEHICLE_TYPE", f"routes.csv says has_assistant differently from fleet.csv "
                                          f"({fleet.has_assistant}) for {fleet.name!r}", vehicle)
        except ValueError as exc:
            self.flag("VEHICLE_TYPE", f"has_assistant column: {exc}", vehicle)
        if any(r.get("base_type") and r["base_type"] != fleet.base_type for r in rows):
            self.flag("VEHICLE_TYPE", f"routes.csv base_type differs from fleet.csv ({fleet.base_type!r})", vehicle)
        return fleet

    def _service(self, stop: _Stop) -> float:
        req = self.requests.get(stop.request_id)
        if req is None:
            return 0.0
        return req.pickup_service_s if stop.kind == "pickup" else req.delivery_service_s if stop.kind == "delivery" else 0.0

    def _check_route(self, vehicle: str, stops: list[_Stop], fleet: _Fleet | None) -> None:
        tol = self.tol
        if not stops:
            return
        first, last = stops[0], stops[-1]
        if first.kind != "start":
            self.flag("DEPOT", f"the route begins with a {first.kind!r} stop, not 'start'", vehicle)
        elif fleet is not None and first.location != fleet.start:
            self.flag("DEPOT", f"starts at location {first.location}, {fleet.name!r} starts at {fleet.start}", vehicle)
        if last.kind != "end" or len(stops) < 2:
            self.flag("DEPOT", f"the route finishes with a {last.kind!r} stop, not 'end'", vehicle)
        elif fleet is not None and last.location != fleet.end:
            self.flag("DEPOT", f"ends at location {last.location}, {fleet.name!r} ends at {fleet.end}", vehicle)
        for stop in stops[1:-1]:
            if stop.kind in ("start", "end"):
                self.flag("DEPOT", f"a {stop.kind!r} stop in the middle of the route (position {stop.position})", vehicle)
        seats = wheels = 0
        max_seats = max_wheels = 0
        seats_over = wheels_over = None
        load_reported = False
        assistant_reported: set[str] = set()
        previous: _Stop | None = None
        for stop in stops:
            rid = stop.request_id
            req = self.requests.get(rid) if stop.kind in ("pickup", "delivery") else None
            where = f"stop {stop.position} ({stop.kind} {rid})".replace(" )", ")")
            if stop.kind not in ("start", "end", "pickup", "delivery"):
                self.flag("ORDER", f"{where}: unknown stop kind {stop.kind!r}", vehicle, rid)
            if stop.kind in ("pickup", "delivery") and req is None:
                self.flag("UNKNOWN_REQUEST", f"{where}: request {rid!r} is not in requests.csv", vehicle, rid)
            # where the stop is
            if not 0 <= stop.location < self.n:
                self.flag("WRONG_LOCATION", f"{where}: location {stop.location} is outside the matrix", vehicle, rid)
            elif req is not None:
                expected = req.pickup if stop.kind == "pickup" else req.delivery
                if expected is None:
                    self.flag("WRONG_LOCATION", f"{where}: request {rid} has no {stop.kind} location", vehicle, rid)
                elif stop.location != expected:
                    self.flag("WRONG_LOCATION", f"{where}: at location {stop.location}, the request's {stop.kind} "
                                                f"is at {expected}", vehicle, rid)
                if stop.pupils and set(stop.pupils) != set(req.members):
                    self.flag("MEMBERS", f"{where}: pupils {';'.join(stop.pupils)} but the request's members are "
                                         f"{';'.join(req.members)}", vehicle, rid)
            if self.coords is not None and 0 <= stop.location < self.n and stop.lat is not None and stop.lon is not None:
                lat, lon = self.coords.get(stop.location, (None, None))
                if lat is not None and lon is not None and (abs(lat - stop.lat) > 1e-5 or abs(lon - stop.lon) > 1e-5):
                    self.flag("WRONG_LOCATION", f"{where}: coordinates ({stop.lat}, {stop.lon}) are not those of "
                                                f"location {stop.location} ({lat}, {lon})", vehicle, rid)
            # times
            service = self._service(stop)
            if abs(stop.departure_s - (stop.service_start_s + service)) > tol:
                self.flag("SERVICE_TIME", f"{where}: departs at {stop.departure_s:.0f}, service starts at "
                                          f"{stop.service_start_s:.0f} and takes {service:.0f} s", vehicle, rid)
            if stop.arrival_s > stop.service_start_s + tol:
                self.flag("TRAVEL_TIME", f"{where}: service starts at {stop.service_start_s:.0f}, before the "
                                         f"arrival at {stop.arrival_s:.0f}", vehicle, rid)
            if previous is not None and 0 <= previous.location < self.n and 0 <= stop.location < self.n:
                travel = float(self.time_s[previous.location, stop.location])
                earliest = previous.departure_s + travel
                if stop.service_start_s < earliest - tol:
                    self.flag("TRAVEL_TIME", f"{where}: service starts at {stop.service_start_s:.0f}, but leaving "
                                             f"location {previous.location} at {previous.departure_s:.0f} and "
                                             f"travelling {travel:.0f} s arrives at {earliest:.0f}", vehicle, rid)
                elif stop.arrival_s < earliest - tol:
                    self.flag("TRAVEL_TIME", f"{where}: arrival given as {stop.arrival_s:.0f}, but it cannot be "
                                             f"before {earliest:.0f}", vehicle, rid)
            # loads after serving the stop
            if req is not None:
                sign = 1 if stop.kind == "pickup" or req.pickup is None else -1
                seats += sign * req.seats
                wheels += sign * req.wheelchairs
                if req.needs_assistant and fleet is not None and not fleet.has_assistant and rid not in assistant_reported:
                    assistant_reported.add(rid)
                    self.flag("ASSISTANT", f"request {rid} needs an assistant; {fleet.name!r} has none", vehicle, rid)
            if (stop.seats_load != seats or stop.wheelchair_load != wheels) and not load_reported:
                load_reported = True  # later stops would repeat the same difference
                self.flag("LOAD_MISMATCH", f"{where}: seats_load/wheelchair_load given as {stop.seats_load}/"
                                           f"{stop.wheelchair_load}, recomputed {seats}/{wheels}", vehicle, rid)
            if seats > max_seats:
                max_seats = seats
                seats_over = stop
            if wheels > max_wheels:
                max_wheels = wheels
                wheels_over = stop
            previous = stop
        if fleet is not None:
            if max_seats > fleet.usable_seats and seats_over is not None:
                self.flag("CAPACITY_SEATS", f"{max_seats} seats in use after stop {seats_over.position}; "
                                            f"{fleet.name!r} has {fleet.usable_seats} usable "
                                            f"({_plural(fleet.seats, 'seat')}{', one for the assistant' if fleet.has_assistant else ''})",
                          vehicle, seats_over.request_id)
            if max_wheels > fleet.wheelchair_spaces and wheels_over is not None:
                self.flag("WHEELCHAIR", f"{max_wheels} wheelchairs aboard after stop {wheels_over.position}; "
                                        f"{fleet.name!r} has {_plural(fleet.wheelchair_spaces, 'wheelchair space')}",
                          vehicle, wheels_over.request_id)
            if fleet.max_duration_s is not None and fleet.max_duration_s > 0:
                out = last.service_start_s - first.service_start_s
                if out > fleet.max_duration_s + tol:
                    self.flag("MAX_DURATION", f"out for {out:.0f} s; {fleet.name!r} allows {fleet.max_duration_s:.0f} s",
                              vehicle)
        self._check_solo(vehicle, stops)

    def _aboard(self, stops: list[_Stop]) -> dict[str, tuple[int, int]]:
        """Per request with a pickup on this route: (pickup position, delivery position or past the end)."""
        spans: dict[str, tuple[int, int]] = {}
        pickups = {s.request_id: s.position for s in stops if s.kind == "pickup" and s.request_id in self.requests}
        deliveries = {s.request_id: s.position for s in stops if s.kind == "delivery" and s.request_id in self.requests}
        for rid, p in pickups.items():
            d = deliveries.get(rid, len(stops))
            spans[rid] = (p, d if d > p else len(stops))
        return spans

    def _check_solo(self, vehicle: str, stops: list[_Stop]) -> None:
        spans = self._aboard(stops)
        for rid, (p, d) in spans.items():
            if not self.requests[rid].travel_alone:
                continue
            others = sorted(o for o, (op, od) in spans.items() if o != rid and op < d and p < od)
            if others:
                self.flag("SOLO", f"request {rid} must travel alone, but {', '.join(others)} "
                                  f"{'is' if len(others) == 1 else 'are'} aboard with it", vehicle, rid)

    def _check_requests(self, visits: dict[str, list[_Stop]]) -> None:
        tol = self.tol
        for rid, stops in visits.items():
            req = self.requests[rid]
            vehicles = sorted({s.vehicle for s in stops})
            on = ", ".join(vehicles)
            pickups = [s for s in stops if s.kind == "pickup"]
            deliveries = [s for s in stops if s.kind == "delivery"]
            for kind, found in (("pickup", pickups), ("delivery", deliveries)):
                if len(found) > 1:
                    self.flag("SERVED_TWICE", f"{len(found)} {kind} stops (on {', '.join(s.vehicle for s in found)})",
                              on, rid)
            if req.pickup is not None and not pickups:
                self.flag("INCOMPLETE", "delivered but never picked up", on, rid)
            if req.delivery is not None and not deliveries:
                self.flag("INCOMPLETE", "picked up but never delivered", on, rid)
            if len(vehicles) > 1:
                self.flag("SAME_VEHICLE", f"stops on several vehicles: {on}", on, rid)
            for kind, found, window in (("pickup", pickups, req.pickup_window), ("delivery", deliveries, req.delivery_window)):
                earliest, latest = window
                for s in found:
                    if (earliest is not None and s.service_start_s < earliest - tol) or (
                            latest is not None and s.service_start_s > latest + tol):
                        self.flag("TIME_WINDOW", f"{kind} service starts at {s.service_start_s:.0f}, window is "
                                                 f"[{_show(earliest)}, {_show(latest)}]", s.vehicle, rid)
            if len(pickups) == 1 and len(deliveries) == 1 and len(vehicles) == 1:
                p, d = pickups[0], deliveries[0]
                if d.position < p.position:
                    self.flag("ORDER", f"delivered at stop {d.position} before the pickup at stop {p.position}",
                              on, rid)
                    continue
                ride = d.service_start_s - p.departure_s
                if req.max_ride_s is not None and ride > req.max_ride_s + tol:
                    self.flag("RIDE_TIME", f"ride of {ride:.0f} s exceeds max_ride_s {req.max_ride_s:.0f}", on, rid)
                if d.ride_minutes is not None and abs(d.ride_minutes - ride / 60) > 0.05 + tol / 60:
                    self.flag("RIDE_TIME", f"ride_minutes says {d.ride_minutes}, the times give {ride / 60:.1f}", on, rid)

    def _check_unserved(self, visits: dict[str, list[_Stop]]) -> None:
        listed: dict[str, list[dict]] = defaultdict(list)
        for row in self.unserved.to_dict("records"):
            listed[row["request_id"]].append(row)
        for rid, rows in listed.items():
            if rid not in self.requests:
                self.flag("UNKNOWN_REQUEST", f"unserved.csv lists request {rid!r}, which is not in requests.csv",
                          request_id=rid)
                continue
            if rid in visits:
                self.flag("SERVED_TWICE", "served on a route and also listed in unserved.csv",
                          ", ".join(sorted({s.vehicle for s in visits[rid]})), rid)
            if not any(r["reason_code"] for r in rows):
                self.flag("NOT_SERVED_OR_EXPLAINED", "listed in unserved.csv without a reason_code", request_id=rid)
            members = self.requests[rid].members
            for r in rows:
                if r["members"] and set(_members(r["members"])) != set(members):
                    self.flag("MEMBERS", f"unserved.csv members {r['members']} differ from the request's "
                                         f"{';'.join(members)}", request_id=rid)
        for rid in self.requests:
            if rid not in visits and rid not in listed:
                self.flag("NOT_SERVED_OR_EXPLAINED", "neither on any route nor in unserved.csv", request_id=rid)

    def _check_incompatible(self, visits: dict[str, list[_Stop]]) -> None:
        seen: set[tuple[str, str]] = set()
        for a, b in self.incompatible:
            key = (min(a, b), max(a, b))
            if key in seen or a == b:
                continue
            seen.add(key)
            shared = sorted({s.vehicle for s in visits.get(a, ())} & {s.vehicle for s in visits.get(b, ())})
            for vehicle in shared:
                self.flag("INCOMPATIBLE", f"requests {a} and {b} must not share a vehicle", vehicle, a)

    def _check_pupils(self) -> None:
        owners: dict[str, list[str]] = defaultdict(list)
        for rid, req in self.requests.items():
            for pupil in req.members:
                owners[pupil].append(rid)
        for pupil, rids in owners.items():
            if len(rids) > 1:
                self.flag("PUPIL_TWICE", f"pupil {pupil} is a member of requests {', '.join(rids)}",
                          request_id=rids[0])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def check_run_dir(run_dir: Path, tolerance_s: int = 1) -> list[Violation]:
    """Every violation in one run folder (empty when the run is feasible)."""
    return _RunChecker(Path(run_dir), tolerance_s).check()


def _run_dirs(out_dir: Path) -> list[Path]:
    runs = out_dir / "runs"
    if not runs.is_dir():
        return []
    return sorted(d for d in runs.iterdir() if d.is_dir() and (d / "routes.csv").is_file())


def check_output_dir(out_dir: Path, tolerance_s: int = 1) -> list[Violation]:
    """Check every run under out_dir/runs/, and that no eligible pupil is lost.

    A folder that is itself a run (routes.csv directly inside, no runs/) is checked as one.
    """
    out_dir = Path(out_dir)
    runs = _run_dirs(out_dir)
    if not runs and (out_dir / "routes.csv").is_file():
        runs = [out_dir]
    violations: list[Violation] = []
    for run_dir in runs:
        violations.extend(check_run_dir(run_dir, tolerance_s))
    eligibility = out_dir / "eligibility.csv"
    if eligibility.is_file():
        violations.extend(_check_pupils_kept(out_dir, eligibility, runs))
    return violations


def _check_pupils_kept(out_dir: Path, eligibility: Path, runs: list[Path]) -> list[Violation]:
    violations: list[Violation] = []
    try:
        frame = _read_csv(eligibility, ("pupil_id", "eligible"))
        eligible = [p for p, e in zip(frame["pupil_id"], frame["eligible"], strict=True) if p and _bool(e)]
        not_routed: set[str] = set()
        if (out_dir / "not_routed.csv").is_file():
            not_routed = {p for p in _read_csv(out_dir / "not_routed.csv", ("pupil_id",))["pupil_id"] if p}
    except (_Unreadable, ValueError) as exc:
        return [Violation("", "", "", "FILE", f"cannot check that no pupil is lost: {exc}")]
    if not runs:
        for pupil in eligible:
            if pupil not in not_routed:
                violations.append(Violation("", "", "", "PUPIL_LOST", f"eligible pupil {pupil} is in no run and not "
                                                                      f"in not_routed.csv"))
        return violations
    for run_dir in runs:
        accounted: set[str] = set()
        try:
            for name in ("requests.csv", "unserved.csv"):
                if (run_dir / name).is_file():
                    for cell in _read_csv(run_dir / name, ("members",))["members"]:
                        accounted.update(_members(cell))
        except _Unreadable as exc:
            violations.append(Violation(run_dir.name, "", "", "FILE", f"cannot check that no pupil is lost: {exc}"))
            continue
        for pupil in eligible:
            if pupil not in accounted and pupil not in not_routed:
                violations.append(Violation(run_dir.name, "", "", "PUPIL_LOST",
                                            f"eligible pupil {pupil} is in no request or unserved row of this run "
                                            f"and not in not_routed.csv"))
    return violations

