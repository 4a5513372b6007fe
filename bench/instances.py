"""Read public routing benchmark instances, their best-known solutions, and their distance conventions.

Formats, each read from the files in ../shared/data/bench (see its README.md):

* Solomon VRPTW (``solomon/*.txt``): a name line, ``VEHICLE`` / ``NUMBER CAPACITY`` and the two
  numbers, then ``CUSTOMER`` and one row per node ``CUST NO. X Y DEMAND READY DUE SERVICE`` with the
  depot as node 0. Best-known in ``<name>.sol`` beside it (``Route #k: ...`` lines and ``Cost c``),
  on the DIMACS basis: Euclidean distance truncated to one decimal, distance-only objective.
* Li & Lim PDPTW (``lilim/*.txt``): a first line ``K Q speed``, then one tab-separated row per node
  ``id x y demand early late service pickup_sibling delivery_sibling``; a pickup has demand > 0 and
  names its delivery in the last column, a delivery has demand < 0 and names its pickup in the
  eighth. Node 0 is the depot. Best-known in ``best-known.csv`` beside them (routes, distance in
  doubles; hierarchical: vehicles first).
* Cordeau (2006) DARP (``darp/*.txt``): a header ``K n T Q L`` (vehicles, requests, maximum route
  duration, capacity, maximum ride time; in some files the second field holds 2n, so n is taken
  from the node lines), then rows ``id x y service load early late``: the start depot, the n
  pickups, the n drop-offs (drop-off of pickup i is n + i), the end depot. Cost is the total
  distance in doubles; the vehicles are free but limited to K.
* VRPLIB CVRP (``cvrp/*.vrp``, EUC_2D): distances rounded to the nearest integer; best-known in
  ``<name>.sol``. Supported for completeness (not in the default benchmark set).

Everything here is plain Python and numpy, so the parsers can be tested without solving anything.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Commonly quoted optimal costs for Cordeau's (2006) "a" instances (README of the data folder;
#: Ropke, Cordeau and Laporte 2007). Total distance in doubles; the vehicle count is not minimised.
CORDEAU_BEST: dict[str, float] = {"a2-16": 294.25, "a4-24": 375.02, "a8-96": 1229.66}

#: Distance/time bases. "dimacs": floor(10 d), in tenths; "real": doubles, solved at a chosen scale;
#: "nint": the nearest integer (VRPLIB EUC_2D).
BASIS_DIMACS = "dimacs"
BASIS_REAL = "real"
BASIS_NINT = "nint"


@dataclass(frozen=True)
class BestKnown:
    distance: float
    vehicles: int | None
    basis: str  # the distance convention the value is quoted on
    objective: str  # "distance" or "hierarchical" (vehicles first, then distance)
    source: str
    routes: tuple[tuple[int, ...], ...] = ()  # node sequences when the source gives them


@dataclass
class Instance:
    """One benchmark instance, in the instance's own units (node i is row i)."""

    name: str
    kind: str  # "vrptw", "pdptw", "darp", "cvrp"
    x: np.ndarray
    y: np.ndarray
    demand: np.ndarray  # int; VRPTW/CVRP: delivered amount; PDPTW/DARP: +load at pickup, -load at delivery
    early: np.ndarray  # float, earliest start of service
    late: np.ndarray  # float, latest start of service
    service: np.ndarray  # float, service duration
    vehicles: int
    capacity: int
    start_depot: int = 0
    end_depot: int = 0
    customers: tuple[int, ...] = ()  # VRPTW/CVRP: nodes served from the depot
    pairs: tuple[tuple[int, int], ...] = ()  # PDPTW/DARP: (pickup node, delivery node)
    max_route_duration: float | None = None
    max_ride: float | None = None
    basis: str = BASIS_REAL
    path: str = ""
    best_known: BestKnown | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_requests(self) -> int:
        return len(self.customers) + len(self.pairs)

    @property
    def horizon(self) -> float:
        """The latest time a vehicle may be back: the end depot's due date."""
        return float(self.late[self.end_depot])

    def euclidean(self) -> np.ndarray:
        """Real-valued distances between all nodes (doubles)."""
        dx = self.x[:, None] - self.x[None, :]
        dy = self.y[:, None] - self.y[None, :]
        return np.sqrt(dx * dx + dy * dy)

    def basis_matrix(self) -> np.ndarray:
        """Distances on the instance's own convention, as the best-known values are quoted.

        DIMACS: floor(10 d) in tenths (int64); exact integer arithmetic when the coordinates are
        whole numbers, as they are in all of Solomon's instances. NINT: round(d). REAL: doubles.
        """
        if self.basis == BASIS_DIMACS:
            if np.all(self.x == np.round(self.x)) and np.all(self.y == np.round(self.y)):
                xi, yi = self.x.astype(np.int64), self.y.astype(np.int64)
                sq = (xi[:, None] - xi[None, :]) ** 2 + (yi[:, None] - yi[None, :]) ** 2
                return np.vectorize(lambda v: math.isqrt(100 * int(v)), otypes=[np.int64])(sq)
            return np.floor(10 * self.euclidean() + 1e-9).astype(np.int64)
        if self.basis == BASIS_NINT:
            return np.floor(self.euclidean() + 0.5).astype(np.int64)
        return self.euclidean()

    def basis_unit(self) -> float:
        """How many basis-matrix units make one instance distance unit."""
        return 10.0 if self.basis == BASIS_DIMACS else 1.0


# --------------------------------------------------------------------------- parsing

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _numeric_rows(text: str) -> list[list[float]]:
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if parts and all(re.fullmatch(_NUM, p) for p in parts):
            rows.append([float(p) for p in parts])
    return rows


def _arrays(rows: list[list[float]], columns: int) -> list[np.ndarray]:
    table = np.asarray([r[:columns] for r in rows], dtype=float)
    return [table[:, k] for k in range(columns)]


def detect_format(text: str) -> str:
    """'solomon', 'lilim', 'cordeau' or 'cvrp', from the text alone."""
    upper = text.upper()
    if "NODE_COORD_SECTION" in upper:
        return "cvrp"
    if "VEHICLE" in upper and "CUSTOMER" in upper:
        return "solomon"
    rows = _numeric_rows(text)
    if len(rows) < 3:
        raise ValueError("not a recognised benchmark format: too few numeric rows")
    header, body = rows[0], rows[1:]
    widths = {len(r) for r in body}
    if len(header) == 3 and widths == {9}:
        return "lilim"
    if len(header) == 5 and widths == {7}:
        return "cordeau"
    raise ValueError(f"not a recognised benchmark format (header of {len(header)} numbers, rows of {sorted(widths)})")


def parse_solomon(text: str, name: str = "") -> Instance:
    lines = [ln.strip() for ln in text.splitlines()]
    title = next((ln for ln in lines if ln), "")
    vehicles = capacity = None
    for k, ln in enumerate(lines):
        if ln.upper().startswith("NUMBER"):
            nums = next(_numeric_rows(row)[0] for row in lines[k + 1:] if _numeric_rows(row))
            vehicles, capacity = int(nums[0]), int(nums[1])
            break
    if vehicles is None:
        raise ValueError("Solomon file without a VEHICLE NUMBER/CAPACITY section")
    start = next(k for k, ln in enumerate(lines) if ln.upper().startswith("CUSTOMER"))
    rows = [r for r in _numeric_rows("\n".join(lines[start:])) if len(r) == 7]
    ids, x, y, demand, early, late, service = _arrays(rows, 7)
    if not np.array_equal(ids, np.arange(len(ids))):
        raise ValueError("Solomon customer numbers must run 0, 1, 2, ... with the depot first")
    return Instance(
        name=name or title, kind="vrptw", x=x, y=y, demand=demand.astype(np.int64), early=early, late=late,
        service=service, vehicles=vehicles, capacity=capacity, customers=tuple(range(1, len(ids))),
        basis=BASIS_DIMACS,
    )


def parse_lilim(text: str, name: str = "") -> Instance:
    rows = _numeric_rows(text)
    header, body = rows[0], rows[1:]
    ids, x, y, demand, early, late, service, psib, dsib = _arrays(body, 9)
    if not np.array_equal(ids, np.arange(len(ids))):
        raise ValueError("Li & Lim node ids must run 0, 1, 2, ... with the depot first")
    pairs = []
    for i in range(1, len(ids)):
        if demand[i] > 0 or (demand[i] == 0 and dsib[i] > 0):
            d = int(dsib[i])
            if not (0 < d < len(ids)) or int(psib[d]) != i or demand[d] != -demand[i]:
                raise ValueError(f"Li & Lim pickup {i} and its delivery {d} do not match")
            pairs.append((i, d))
    if 2 * len(pairs) != len(ids) - 1:
        raise ValueError(f"Li & Lim: {len(ids) - 1} nodes but {len(pairs)} pairs")
    return Instance(
        name=name, kind="pdptw", x=x, y=y, demand=demand.astype(np.int64), early=early, late=late, service=service,
        vehicles=int(header[0]), capacity=int(header[1]), pairs=tuple(pairs), basis=BASIS_REAL,
    )


def parse_cordeau(text: str, name: str = "") -> Instance:
    rows = _numeric_rows(text)
    header, body = rows[0], rows[1:]
    ids, x, y, service, load, early, late = _arrays(body, 7)
    if len(ids) % 2 or len(ids) < 4:
        raise ValueError("Cordeau: expected 2n + 2 node rows (start depot, n pickups, n drop-offs, end depot)")
    n = (len(ids) - 2) // 2
    notes = []
    if int(header[1]) not in (n, 2 * n):
        raise ValueError(f"Cordeau: header says {int(header[1])} requests but there are {len(ids)} node rows")
    if int(header[1]) == 2 * n:
        notes.append(f"header's second field is 2n = {int(header[1])}; n = {n} taken from the node rows")
    pairs = tuple((i, n + i) for i in range(1, n + 1))
    for p, d in pairs:
        if load[p] != -load[d]:
            raise ValueError(f"Cordeau: pickup {p} and drop-off {d} loads do not match")
    return Instance(
        name=name, kind="darp", x=x, y=y, demand=load.astype(np.int64), early=early, late=late, service=service,
        vehicles=int(header[0]), capacity=int(header[3]), start_depot=0, end_depot=2 * n + 1, pairs=pairs,
        max_route_duration=float(header[2]), max_ride=float(header[4]), basis=BASIS_REAL, notes=notes,
    )


def parse_cvrp(text: str, name: str = "") -> Instance:
    spec: dict[str, str] = {}
    sections: dict[str, list[list[float]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line and not re.match(_NUM, line):
            key, _, value = line.partition(":")
            spec[key.strip().upper()] = value.strip()
            current = None
        elif line.upper().endswith("_SECTION"):
            current = line.upper()
            sections[current] = []
        elif current:
            sections[current].append([float(v) for v in line.split()])
    if spec.get("EDGE_WEIGHT_TYPE", "EUC_2D") != "EUC_2D":
        raise ValueError("only EUC_2D CVRP instances are supported")
    coords = sections["NODE_COORD_SECTION"]
    demand = {int(r[0]): int(r[1]) for r in sections["DEMAND_SECTION"]}
    depots = [int(r[0]) for r in sections.get("DEPOT_SECTION", [[1]]) if r[0] > 0]
    ids = [int(r[0]) for r in coords]
    if ids != list(range(1, len(ids) + 1)) or depots != [1]:
        raise ValueError("CVRP: nodes must be numbered 1..n with depot 1")
    x = np.asarray([r[1] for r in coords])
    y = np.asarray([r[2] for r in coords])
    n = len(ids)
    big = 1e9
    return Instance(
        name=name or spec.get("NAME", ""), kind="cvrp", x=x, y=y,
        demand=np.asarray([demand.get(i, 0) for i in ids], dtype=np.int64),
        early=np.zeros(n), late=np.full(n, big), service=np.zeros(n),
        vehicles=n - 1, capacity=int(spec["CAPACITY"]), customers=tuple(range(1, n)), basis=BASIS_NINT,
    )


PARSERS = {"solomon": parse_solomon, "lilim": parse_lilim, "cordeau": parse_cordeau, "cvrp": parse_cvrp}


def parse(text: str, name: str = "") -> Instance:
    return PARSERS[detect_format(text)](text, name)


# --------------------------------------------------------------------------- best-known values


def parse_sol(text: str) -> tuple[tuple[tuple[int, ...], ...], float]:
    """A CVRPLIB/DIMACS ``.sol``: ``Route #k: a b c`` lines and ``Cost c``."""
    routes = []
    cost = None
    for line in text.splitlines():
        if line.lower().startswith("route"):
            _, _, rest = line.partition(":")
            routes.append(tuple(int(v) for v in rest.split()))
        elif line.lower().startswith("cost"):
            cost = float(line.split()[1])
    if cost is None:
        raise ValueError(".sol file without a Cost line")
    return tuple(routes), cost


def read_lilim_best(csv_text: str) -> dict[str, tuple[int, float]]:
    out = {}
    for row in csv.DictReader(csv_text.splitlines()):
        out[row["instance"].strip().lower()] = (int(row["routes"]), float(row["distance"]))
    return out


def attach_best_known(inst: Instance, path: Path) -> None:
    stem = path.stem
    if inst.kind in ("vrptw", "cvrp"):
        sol = path.with_suffix(".sol")
        if sol.is_file():
            routes, cost = parse_sol(sol.read_text())
            basis_text = ("DIMACS: Euclidean truncated to one decimal" if inst.kind == "vrptw"
                          else "Euclidean rounded to the nearest integer")
            inst.best_known = BestKnown(cost, len(routes), inst.basis, "distance",
                                        f"{sol.name} ({basis_text}, distance-only)", routes)
    elif inst.kind == "pdptw":
        table = path.parent / "best-known.csv"
        if table.is_file():
            best = read_lilim_best(table.read_text()).get(stem.lower())
            if best:
                inst.best_known = BestKnown(best[1], best[0], BASIS_REAL, "hierarchical",
                                            "best-known.csv (SINTEF table; doubles; vehicles first)")
    elif inst.kind == "darp" and stem in CORDEAU_BEST:
        inst.best_known = BestKnown(CORDEAU_BEST[stem], None, BASIS_REAL, "distance",
                                    "commonly quoted optimum (data README; Ropke, Cordeau and Laporte 2007)")


def load(path: str | Path) -> Instance:
    path = Path(path)
    text = path.read_text()
    inst = parse(text, path.stem)
    inst.path = str(path)
    attach_best_known(inst, path)
    return inst
