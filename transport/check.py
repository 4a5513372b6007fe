"""Re-verify a run independently of the solver, from the tables its files hold.

The pipeline checks the tables it is about to write (`check_folder(folder_tables(run))`)
and `transport check DIR` checks the same tables read back from the files by the same
codec (`transport.runfiles`). Nothing here imports OR-Tools or the search: every load,
time and ride is recomputed from the stops, the requests and the matrix, so a bug in the
model or in route extraction cannot hide itself. Ride limits come from the policy and each
pupil's needs from the inputs, not only from the requests the run built.

Semantics checked (the same ones the routing model promises):

* a stop's time is its service start; departure = service start + the stop's service time
  (the request's pickup_service_s / delivery_service_s, 0 at start and end); the next stop
  cannot start before departure + time_s[here, there]; waiting is allowed;
* windows bound the service start; ride time is service start at the delivery - departure
  from the pickup, at most the request's max_ride_s and the policy's limit for its pupils;
* a vehicle with an assistant has seats - 1 usable seats; wheelchairs use wheelchair spaces;
* a request with no pickup is loaded at the depot and counts towards the load from its
  delivery on (VRP semantics); a request with no delivery stays aboard to the end;
* a travel-alone request is the only request aboard from its pickup to its delivery;
* needs_assistant requests only on vehicles with an assistant; incompatible requests never
  on the same vehicle; per fleet variant at most `count` vehicles, each starting and ending
  at the variant's start and end and out no longer than max_duration_s when set;
* with the policy's mixed_school_vehicles off, a vehicle carries one school's pupils;
* every request is served exactly once, or listed as unserved with a reason code, never both;
  every eligible pupil is in a request of each run, or listed as not routed.

Each broken rule is a `Violation` with a stable `rule` code (see `RULES`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from transport.optimise.problem import Request, VehicleType
from transport.policy import Policy
from transport.runfiles import (
    FolderTables,
    RunTables,
    ids,
    number,
    read_folder,
    read_run_tables,
    truth,
    whole,
)

#: Every rule code the checker can report, with what it means.
RULES: dict[str, str] = {
    "FILE": "A run file is missing, unreadable or lacks a required column; the run cannot be fully checked.",
    "INCOMPLETE_RUN": "The folder has no manifest.json: the run that wrote it did not finish.",
    "NOTHING_TO_CHECK": "The folder holds no optimiser run (runs/AM, runs/PM) to check.",
    "UNKNOWN_REQUEST": "A stop or unserved row names a request that is not in requests.csv.",
    "VEHICLE_TYPE": "A vehicle's type is unknown, changes along its route, or disagrees with fleet.csv.",
    "FLEET_SIZE": "More vehicles of a fleet variant, or of one catalogue row with and without an assistant, are used than there are.",
    "ASSISTANTS_HIRED": "More vehicles carry a passenger assistant than the scenario's assistants_available.",
    "DEPOT": "A route does not start (end) with a start (end) stop at its variant's start (end) location.",
    "ORDER": "Stops out of order: a delivery before its pickup, duplicate sequence numbers, an unknown stop kind.",
    "WRONG_LOCATION": "A stop is not at its request's pickup/delivery location, or its index/coordinates are wrong.",
    "TRAVEL_TIME": "A stop starts (or is reached) sooner than the previous departure plus the matrix travel time.",
    "SERVICE_TIME": "A stop's departure is not its service start plus its service time.",
    "TIME_WINDOW": "A service start outside the request's pickup or delivery window.",
    "RIDE_TIME": "A ride (delivery start - pickup departure) longer than max_ride_s or the policy's limit, or a wrong ride_minutes.",
    "MAX_DURATION": "A vehicle out longer than its variant's max_duration_s.",
    "CAPACITY_SEATS": "More seats in use than the vehicle's usable seats (seats - 1 with an assistant).",
    "WHEELCHAIR": "More wheelchairs aboard than the vehicle's wheelchair spaces.",
    "LOAD_MISMATCH": "The seats_load / wheelchair_load columns differ from the loads recomputed from the stops.",
    "SOLO": "Another request aboard while a travel-alone request is aboard.",
    "ASSISTANT": "A request needing an assistant on a vehicle without one.",
    "INCOMPATIBLE": "Two incompatible requests on the same vehicle.",
    "MIXED_SCHOOLS": "A vehicle carries pupils of several schools where the policy does not allow it.",
    "NEEDS": "A request does not carry its pupils' needs (wheelchair, assistant, travelling alone) from the inputs.",
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

    def __reduce__(self) -> tuple:
        """Sent back from a worker process whole: its violations, not the report text."""
        return (CheckFailed, (self.violations,))


# --------------------------------------------------------------------------- entry points


def check_run(tables: RunTables, *, policy: Policy | None = None, needs: pd.DataFrame | None = None,
              assistants: int | None = None, tolerance_s: float = 1) -> list[Violation]:
    """Every violation in one optimiser run (empty when it is feasible); `assistants` is how many
    passenger assistants the scenario allows, when it limits them."""
    return _RunChecker(tables, tolerance_s, policy, needs, assistants).check()


def check_folder(folder: FolderTables, *, tolerance_s: float = 1, require_complete: bool = False) -> list[Violation]:
    """Check every run of a folder's tables, and that no eligible pupil is lost."""
    violations = [Violation("", "", "", "FILE", p) for p in folder.problems]
    if require_complete and folder.manifest is None:
        violations.append(Violation("", "", "", "INCOMPLETE_RUN", RULES["INCOMPLETE_RUN"]))
    for tables in folder.runs.values():
        violations.extend(check_run(tables, policy=folder.policy, needs=folder.needs, assistants=folder.assistants,
                                    tolerance_s=tolerance_s))
    if folder.eligibility is not None:
        violations.extend(_pupils_kept(folder))
    return violations


def check_run_dir(run_dir: Path, tolerance_s: float = 1) -> list[Violation]:
    """Every violation in one run folder's files (`runs/AM/`, say)."""
    tables, problems = read_run_tables(Path(run_dir))
    found = [Violation(Path(run_dir).name, "", "", "FILE", p) for p in problems]
    return found if tables is None else found + check_run(tables, tolerance_s=tolerance_s)


def check_output_dir(out_dir: Path, tolerance_s: float = 1, *, require_complete: bool = False) -> list[Violation]:
    """Check a run's output folder from its files (see `check_folder`)."""
    folder = read_folder(Path(out_dir))
    violations = check_folder(folder, tolerance_s=tolerance_s, require_complete=require_complete)
    if require_complete and not folder.runs and not any(v.rule == "FILE" for v in violations):
        violations.append(Violation("", "", "", "NOTHING_TO_CHECK", RULES["NOTHING_TO_CHECK"]))
    return violations


def assert_feasible(folder: FolderTables | Path, tolerance_s: float = 1) -> None:
    """Raise `CheckFailed` (listing every violation) unless the folder (tables or files) checks out."""
    violations = check_folder(folder, tolerance_s=tolerance_s) if isinstance(folder, FolderTables) else check_output_dir(
        Path(folder), tolerance_s)
    if violations:
        raise CheckFailed(violations)


def _pupils_kept(folder: FolderTables) -> list[Violation]:
    eligible = [p for p, e in zip(folder.eligibility["pupil_id"], folder.eligibility["eligible"], strict=True) if p and e]
    if not folder.runs:
        return [Violation("", "", "", "PUPIL_LOST", f"eligible pupil {p} is in no run and not in not_routed.csv")
                for p in eligible if p not in folder.not_routed]
    violations = []
    for name, tables in folder.runs.items():
        accounted = {m for r in tables.requests for m in r.members}
        accounted.update(m for cell in tables.unserved["members"] for m in ids(cell))
        violations += [Violation(name, "", "", "PUPIL_LOST", f"eligible pupil {p} is in no request or unserved row of this run "
                                                             f"and not in not_routed.csv")
                       for p in eligible if p not in accounted and p not in folder.not_routed]
    return violations


# --------------------------------------------------------------------------- one run


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


class _RunChecker:
    def __init__(self, tables: RunTables, tolerance_s: float, policy: Policy | None, needs: pd.DataFrame | None,
                 assistants: int | None = None) -> None:
        self.t = tables
        self.assistants = assistants
        self.run = tables.run
        self.tol = tolerance_s
        self.policy = policy
        self.needs = needs.set_index("pupil_id") if needs is not None and len(needs) else None
        self.n = tables.time_s.shape[0]
        self.fleet: dict[str, VehicleType] = {vt.name: vt for vt in tables.fleet}
        self.requests: dict[str, Request] = {r.request_id: r for r in tables.requests}
        self.coords = None
        if tables.locations is not None:
            self.coords = {whole(r.location): (number(r.lat), number(r.lon)) for r in tables.locations.itertuples(index=False)}
        self.violations: list[Violation] = []

    def flag(self, rule: str, detail: str, vehicle: str = "", request_id: str = "") -> None:
        self.violations.append(Violation(self.run, vehicle, request_id, rule, detail))

    def check(self) -> list[Violation]:
        visits: dict[str, list[_Stop]] = defaultdict(list)
        used: Counter[str] = Counter()
        for vehicle, (stops, rows) in self._routes().items():
            fleet = self._vehicle_type(vehicle, rows)
            if fleet is not None:
                used[fleet.name] += 1
            self._check_route(vehicle, stops, fleet)
            for stop in stops:
                if stop.kind in ("pickup", "delivery") and stop.request_id in self.requests:
                    visits[stop.request_id].append(stop)
        self._check_counts(used)
        self._check_requests(visits)
        self._check_unserved(visits)
        self._check_incompatible(visits)
        self._check_pupils()
        self._check_needs()
        return self.violations

    def _check_counts(self, used: Counter[str]) -> None:
        """Per variant its count; per pool (a catalogue row) its vehicles; and the assistants hired."""
        pools: Counter[str] = Counter()
        sizes: dict[str, int] = {}
        for name, n in sorted(used.items()):
            vt = self.fleet[name]
            if n > vt.count:
                self.flag("FLEET_SIZE", f"{n} vehicles of {name!r} used, fleet.csv allows {vt.count}")
            if vt.pool and vt.pool_size is not None:
                pools[vt.pool] += n
                sizes[vt.pool] = min(sizes.get(vt.pool, vt.pool_size), vt.pool_size)
        for pool, n in sorted(pools.items()):
            if n > sizes[pool]:
                self.flag("FLEET_SIZE", f"{n} vehicles of {pool!r} used with and without an assistant; there are {sizes[pool]}")
        assisted = sum(n for name, n in used.items() if self.fleet[name].has_assistant)
        if self.assistants is not None and assisted > self.assistants:
            self.flag("ASSISTANTS_HIRED", f"{assisted} vehicles carry a passenger assistant; {self.assistants} can be hired")

    def _routes(self) -> dict[str, tuple[list[_Stop], list[dict]]]:
        by_vehicle: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        for row in self.t.routes.to_dict("records"):
            by_vehicle[str(row["vehicle"])].append((whole(row["sequence"]), row))
        out = {}
        for vehicle, rows in by_vehicle.items():
            rows.sort(key=lambda item: item[0])
            repeated = sorted(s for s, n in Counter(s for s, _ in rows).items() if n > 1)
            if repeated:
                self.flag("ORDER", f"sequence number(s) {repeated} used more than once: the stop order is ambiguous", vehicle)
            stops = [_Stop(vehicle, position, str(row["stop_kind"]), str(row["request_id"]), ids(row.get("pupils", "")),
                           whole(row["location"]), number(row.get("lat", "")), number(row.get("lon", "")),
                           number(row["arrival_s"]), number(row["service_start_s"]), number(row["departure_s"]),
                           whole(row["seats_load"]) or 0, whole(row["wheelchair_load"]) or 0, number(row.get("ride_minutes", "")))
                     for position, (_, row) in enumerate(rows)]
            out[vehicle] = (stops, [row for _, row in rows])
        return out

    def _vehicle_type(self, vehicle: str, rows: list[dict]) -> VehicleType | None:
        names = sorted({str(r["vehicle_type"]) for r in rows})
        if len(names) != 1:
            self.flag("VEHICLE_TYPE", f"the route names several vehicle types {names}", vehicle)
            return None
        fleet = self.fleet.get(names[0])
        if fleet is None:
            self.flag("VEHICLE_TYPE", f"vehicle type {names[0]!r} is not in fleet.csv", vehicle)
            return None
        if any(str(r.get("has_assistant", "")).strip() not in ("", "nan") and truth(r["has_assistant"]) != fleet.has_assistant
               for r in rows):
            self.flag("VEHICLE_TYPE", f"routes.csv says has_assistant differently from fleet.csv ({fleet.has_assistant}) "
                                      f"for {fleet.name!r}", vehicle)
        if any(r.get("catalogue_type") and str(r["catalogue_type"]) != fleet.catalogue_type for r in rows):
            self.flag("VEHICLE_TYPE", f"routes.csv catalogue_type differs from fleet.csv ({fleet.catalogue_type!r})", vehicle)
        return fleet

    def _service(self, stop: _Stop) -> float:
        req = self.requests.get(stop.request_id)
        if req is None:
            return 0.0
        return req.pickup_service_s if stop.kind == "pickup" else req.delivery_service_s if stop.kind == "delivery" else 0.0

    def _check_route(self, vehicle: str, stops: list[_Stop], fleet: VehicleType | None) -> None:
        if not stops:
            return
        self._check_depots(vehicle, stops, fleet)
        seats = wheels = max_seats = max_wheels = 0
        seats_over = wheels_over = previous = None
        load_reported = False
        assistant_reported: set[str] = set()
        for stop in stops:
            req = self._check_stop(vehicle, stop, previous)
            if req is not None:
                sign = 1 if stop.kind == "pickup" or req.pickup is None else -1
                seats += sign * req.seats
                wheels += sign * req.wheelchairs
                if req.needs_assistant and fleet is not None and not fleet.has_assistant and req.request_id not in assistant_reported:
                    assistant_reported.add(req.request_id)
                    self.flag("ASSISTANT", f"request {req.request_id} needs an assistant; {fleet.name!r} has none", vehicle,
                              req.request_id)
            if (stop.seats_load != seats or stop.wheelchair_load != wheels) and not load_reported:
                load_reported = True  # later stops would repeat the same difference
                self.flag("LOAD_MISMATCH", f"stop {stop.position} ({stop.kind} {stop.request_id}): seats_load/wheelchair_load "
                                           f"given as {stop.seats_load}/{stop.wheelchair_load}, recomputed {seats}/{wheels}",
                          vehicle, stop.request_id)
            if seats > max_seats:
                max_seats, seats_over = seats, stop
            if wheels > max_wheels:
                max_wheels, wheels_over = wheels, stop
            previous = stop
        if fleet is not None:
            self._check_capacity(vehicle, fleet, (max_seats, seats_over), (max_wheels, wheels_over))
            out = stops[-1].service_start_s - stops[0].service_start_s
            if fleet.max_duration_s and out > fleet.max_duration_s + self.tol:
                self.flag("MAX_DURATION", f"out for {out:.0f} s; {fleet.name!r} allows {fleet.max_duration_s:.0f} s", vehicle)
        self._check_solo(vehicle, stops)
        self._check_schools(vehicle, stops)

    def _check_depots(self, vehicle: str, stops: list[_Stop], fleet: VehicleType | None) -> None:
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

    def _check_stop(self, vehicle: str, stop: _Stop, previous: _Stop | None) -> Request | None:
        """Where the stop is and when; returns its request when it has a known one."""
        rid = stop.request_id
        req = self.requests.get(rid) if stop.kind in ("pickup", "delivery") else None
        where = f"stop {stop.position} ({stop.kind} {rid})".replace(" )", ")")
        if stop.kind not in ("start", "end", "pickup", "delivery"):
            self.flag("ORDER", f"{where}: unknown stop kind {stop.kind!r}", vehicle, rid)
        if stop.kind in ("pickup", "delivery") and req is None:
            self.flag("UNKNOWN_REQUEST", f"{where}: request {rid!r} is not in requests.csv", vehicle, rid)
        if not 0 <= stop.location < self.n:
            self.flag("WRONG_LOCATION", f"{where}: location {stop.location} is outside the matrix", vehicle, rid)
        elif req is not None:
            expected = req.pickup if stop.kind == "pickup" else req.delivery
            if expected is None:
                self.flag("WRONG_LOCATION", f"{where}: request {rid} has no {stop.kind} location", vehicle, rid)
            elif stop.location != expected:
                self.flag("WRONG_LOCATION", f"{where}: at location {stop.location}, the request's {stop.kind} is at {expected}",
                          vehicle, rid)
            if stop.pupils and set(stop.pupils) != set(req.members):
                self.flag("MEMBERS", f"{where}: pupils {';'.join(stop.pupils)} but the request's members are "
                                     f"{';'.join(req.members)}", vehicle, rid)
        if self.coords is not None and 0 <= stop.location < self.n and stop.lat is not None and stop.lon is not None:
            lat, lon = self.coords.get(stop.location, (None, None))
            if lat is not None and lon is not None and (abs(lat - stop.lat) > 1e-5 or abs(lon - stop.lon) > 1e-5):
                self.flag("WRONG_LOCATION", f"{where}: coordinates ({stop.lat}, {stop.lon}) are not those of location "
                                            f"{stop.location} ({lat}, {lon})", vehicle, rid)
        self._check_times(vehicle, stop, previous, where)
        return req

    def _check_times(self, vehicle: str, stop: _Stop, previous: _Stop | None, where: str) -> None:
        tol, rid = self.tol, stop.request_id
        service = self._service(stop)
        if abs(stop.departure_s - (stop.service_start_s + service)) > tol:
            self.flag("SERVICE_TIME", f"{where}: departs at {stop.departure_s:.0f}, service starts at "
                                      f"{stop.service_start_s:.0f} and takes {service:.0f} s", vehicle, rid)
        if stop.arrival_s > stop.service_start_s + tol:
            self.flag("TRAVEL_TIME", f"{where}: service starts at {stop.service_start_s:.0f}, before the arrival at "
                                     f"{stop.arrival_s:.0f}", vehicle, rid)
        if previous is not None and 0 <= previous.location < self.n and 0 <= stop.location < self.n:
            travel = float(self.t.time_s[previous.location, stop.location])
            earliest = previous.departure_s + travel
            if stop.service_start_s < earliest - tol:
                self.flag("TRAVEL_TIME", f"{where}: service starts at {stop.service_start_s:.0f}, but leaving location "
                                         f"{previous.location} at {previous.departure_s:.0f} and travelling {travel:.0f} s "
                                         f"arrives at {earliest:.0f}", vehicle, rid)
            elif stop.arrival_s < earliest - tol:
                self.flag("TRAVEL_TIME", f"{where}: arrival given as {stop.arrival_s:.0f}, but it cannot be before "
                                         f"{earliest:.0f}", vehicle, rid)

    def _check_capacity(self, vehicle: str, fleet: VehicleType, seats: tuple[int, _Stop | None],
                        wheels: tuple[int, _Stop | None]) -> None:
        (max_seats, seats_over), (max_wheels, wheels_over) = seats, wheels
        if max_seats > fleet.usable_seats and seats_over is not None:
            self.flag("CAPACITY_SEATS", f"{max_seats} seats in use after stop {seats_over.position}; {fleet.name!r} has "
                                        f"{fleet.usable_seats} usable ({_plural(fleet.seats, 'seat')}"
                                        f"{', one for the assistant' if fleet.has_assistant else ''})", vehicle,
                      seats_over.request_id)
        if max_wheels > fleet.wheelchair_spaces and wheels_over is not None:
            self.flag("WHEELCHAIR", f"{max_wheels} wheelchairs aboard after stop {wheels_over.position}; {fleet.name!r} has "
                                    f"{_plural(fleet.wheelchair_spaces, 'wheelchair space')}", vehicle, wheels_over.request_id)

    def _aboard(self, stops: list[_Stop]) -> dict[str, tuple[int, int]]:
        """Per request with a pickup on this route: (pickup position, delivery position or past the end)."""
        pickups = {s.request_id: s.position for s in stops if s.kind == "pickup" and s.request_id in self.requests}
        deliveries = {s.request_id: s.position for s in stops if s.kind == "delivery" and s.request_id in self.requests}
        spans = {}
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

    def _check_schools(self, vehicle: str, stops: list[_Stop]) -> None:
        if self.policy is None or self.policy.mixed_school_vehicles:
            return
        groups = sorted({self.requests[s.request_id].group for s in stops if s.request_id in self.requests})
        if len(groups) > 1:
            self.flag("MIXED_SCHOOLS", f"carries pupils of schools {', '.join(groups)}; the policy gives each school its own "
                                       f"vehicles", vehicle)

    def _check_requests(self, visits: dict[str, list[_Stop]]) -> None:
        for rid, stops in visits.items():
            req = self.requests[rid]
            vehicles = sorted({s.vehicle for s in stops})
            on = ", ".join(vehicles)
            pickups = [s for s in stops if s.kind == "pickup"]
            deliveries = [s for s in stops if s.kind == "delivery"]
            for kind, found in (("pickup", pickups), ("delivery", deliveries)):
                if len(found) > 1:
                    self.flag("SERVED_TWICE", f"{len(found)} {kind} stops (on {', '.join(s.vehicle for s in found)})", on, rid)
            if req.pickup is not None and not pickups:
                self.flag("INCOMPLETE", "delivered but never picked up", on, rid)
            if req.delivery is not None and not deliveries:
                self.flag("INCOMPLETE", "picked up but never delivered", on, rid)
            if len(vehicles) > 1:
                self.flag("SAME_VEHICLE", f"stops on several vehicles: {on}", on, rid)
            self._check_windows(req, pickups, deliveries)
            if len(pickups) == 1 and len(deliveries) == 1 and len(vehicles) == 1:
                self._check_ride(req, pickups[0], deliveries[0], on)

    def _check_windows(self, req: Request, pickups: list[_Stop], deliveries: list[_Stop]) -> None:
        for kind, found, window in (("pickup", pickups, req.pickup_window), ("delivery", deliveries, req.delivery_window)):
            earliest, latest = window or (None, None)
            for s in found:
                if (earliest is not None and s.service_start_s < earliest - self.tol) or (
                        latest is not None and s.service_start_s > latest + self.tol):
                    self.flag("TIME_WINDOW", f"{kind} service starts at {s.service_start_s:.0f}, window is "
                                             f"[{_show(earliest)}, {_show(latest)}]", s.vehicle, req.request_id)

    def _check_ride(self, req: Request, p: _Stop, d: _Stop, on: str) -> None:
        if d.position < p.position:
            self.flag("ORDER", f"delivered at stop {d.position} before the pickup at stop {p.position}", on, req.request_id)
            return
        ride = d.service_start_s - p.departure_s
        if req.max_ride_s is not None and ride > req.max_ride_s + self.tol:
            self.flag("RIDE_TIME", f"ride of {ride:.0f} s exceeds max_ride_s {req.max_ride_s:.0f}", on, req.request_id)
        else:
            limit = self._policy_ride_limit(req)
            if limit is not None and ride > limit + self.tol:
                self.flag("RIDE_TIME", f"ride of {ride:.0f} s exceeds the policy's limit of {limit} s for its pupils", on,
                          req.request_id)
        if d.ride_minutes is not None and abs(d.ride_minutes - ride / 60) > 0.05 + self.tol / 60:
            self.flag("RIDE_TIME", f"ride_minutes says {d.ride_minutes}, the times give {ride / 60:.1f}", on, req.request_id)

    def _policy_ride_limit(self, req: Request) -> int | None:
        """The longest ride the policy allows the request's pupils, from their ages and own limits."""
        if self.policy is None or self.needs is None:
            return None
        known = [m for m in req.members if m in self.needs.index]
        if not known:
            return None
        rows = self.needs.loc[known]
        return self.policy.max_ride_s([int(a) for a in rows["age"]], [number(v) for v in rows["max_ride_minutes"]])

    def _check_needs(self) -> None:
        """Each door-to-door request carries its pupil's needs as the inputs give them."""
        if self.needs is None:
            return
        for req in self.requests.values():
            if len(req.members) != 1 or req.members[0] not in self.needs.index:
                continue
            pupil = self.needs.loc[req.members[0]]
            wanted = {"wheelchairs": int(truth(pupil["wheelchair"])), "needs_assistant": truth(pupil["passenger_assistant"]),
                      "travel_alone": truth(pupil["travel_alone"])}
            given = {"wheelchairs": req.wheelchairs, "needs_assistant": req.needs_assistant, "travel_alone": req.travel_alone}
            for key, value in wanted.items():
                if given[key] != value:
                    self.flag("NEEDS", f"{key} is {given[key]} but the pupil's needs give {value}", request_id=req.request_id)

    def _check_unserved(self, visits: dict[str, list[_Stop]]) -> None:
        listed: dict[str, list[dict]] = defaultdict(list)
        for row in self.t.unserved.to_dict("records"):
            listed[str(row["request_id"])].append(row)
        for rid, rows in listed.items():
            if rid not in self.requests:
                self.flag("UNKNOWN_REQUEST", f"unserved.csv lists request {rid!r}, which is not in requests.csv", request_id=rid)
                continue
            if rid in visits:
                self.flag("SERVED_TWICE", "served on a route and also listed in unserved.csv",
                          ", ".join(sorted({s.vehicle for s in visits[rid]})), rid)
            if not any(str(r["reason_code"]).strip() for r in rows):
                self.flag("NOT_SERVED_OR_EXPLAINED", "listed in unserved.csv without a reason_code", request_id=rid)
            members = self.requests[rid].members
            for r in rows:
                if ids(r.get("members", "")) and set(ids(r["members"])) != set(members):
                    self.flag("MEMBERS", f"unserved.csv members {r['members']} differ from the request's {';'.join(members)}",
                              request_id=rid)
        for rid in self.requests:
            if rid not in visits and rid not in listed:
                self.flag("NOT_SERVED_OR_EXPLAINED", "neither on any route nor in unserved.csv", request_id=rid)

    def _check_incompatible(self, visits: dict[str, list[_Stop]]) -> None:
        seen: set[tuple[str, str]] = set()
        for a, b in self.t.incompatible:
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
                self.flag("PUPIL_TWICE", f"pupil {pupil} is a member of requests {', '.join(rids)}", request_id=rids[0])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"
