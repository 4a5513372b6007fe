"""Scenarios: TOML files that name their data, policy, prices and options, as a base plus changes.

Validated with pydantic (`extra="forbid"`): an unknown key is an error that suggests the
closest valid key. Relative paths are relative to the scenario file.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator

from transport.config import StrictModel
from transport.errors import InputError, Problem
from transport.geo import GREAT_BRITAIN
from transport.policy import Policy
from transport.units import clock_to_s

#: A scenario name becomes a folder name: letters, digits, '-', '_' and '.', not starting with '.'.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class _Strict(StrictModel):
    pass


class DataSources(_Strict):
    area: str = Field("rutland", description="Demo area whose reference files are read from the data directory.")
    network: str = Field("area", description="'area' for the area's OSM extract in the data directory, or a path to .osm/.osm.pbf/.graphml.")
    schools: str = Field("synthetic", description="'synthetic' for the area's real schools list, or a schools CSV path.")
    pupils: str = Field("synthetic", description="'synthetic' for a seeded synthetic cohort, or a pupils CSV/GeoPackage path.")
    vehicles: str = Field("../data/vehicles.csv", description="Vehicle and price catalogue CSV.")
    contracts: str = Field("", description="Current contracts CSV for the as-is baseline; 'synthetic' to build the demo's; empty for none.")
    postcodes: str = Field("", description="Postcode centroid table (Code-Point Open CSV) for pupils located by postcode; 'area' for the area's.")


class Synthetic(_Strict):
    seed: int = Field(2026, description="Seed for the synthetic cohort: the same seed gives the same pupils.")
    scale: float = Field(1.0, gt=0, le=20, description="Cohort size relative to the area's real school rolls.")


class OptimiseOptions(_Strict):
    time_limit_s: float = Field(30.0, gt=0, description="Search time per run (AM, PM), seconds.")
    workers: int = Field(2, ge=1, le=8, description="Searches run side by side in processes (partitions, and configurations of one partition).")
    seed: int = Field(0, ge=0, description="Chooses the search configuration of each worker.")
    solution_limit: int | None = Field(None, ge=1, description="Deterministic work limit (solutions examined); overrides timing effects.")


class CostSettings(_Strict):
    school_days: int = Field(190, ge=1, le=366, description="School days a year.")
    assistant_hourly_gbp: float = Field(12.85, ge=0, description="Passenger assistant pay per hour (assumption near the 2025 NJC pay spine for support staff).")
    assistant_on_cost_share: float = Field(0.30, ge=0, le=1, description="Employer on-costs (NI, pension) on top of pay.")
    assistant_paid_hours_per_run: float = Field(2.4, ge=0, description="Paid hours per run (minimum call-out and travel to the vehicle; assumption).")
    mileage_allowance_gbp_per_mile: float = Field(0.45, ge=0, description="Parents' mileage allowance; two return trips a day.")
    assistants_available: int | None = Field(None, ge=0, description="Passenger assistants the council can hire for a run; none given: as many as vehicles need.")
    price_multiplier: float = Field(1.0, gt=0, description="Multiply every operator's price: the catalogue's and today's contracts' day prices and travel passes (price scenarios); not allowances, budgets or assistants' pay.")

    @property
    def assistant_daily_gbp(self) -> float:
        return self.assistant_hourly_gbp * (1 + self.assistant_on_cost_share) * self.assistant_paid_hours_per_run * 2


class BudgetSettings(_Strict):
    current_gbp: float | None = Field(None, ge=0, description="Today's home-to-school transport budget line, pounds a year; realignment = baseline minus this.")
    first_year: int | None = Field(None, ge=2000, le=2100, description="Calendar year in which year 0's financial year (April to March) starts; default: the policy's academic year start.")
    staff_overhead_gbp: float = Field(0.0, ge=0, description="Transport team and contract management, a fixed cost a year in both plans: it does not move with route savings.")


class Forecast(_Strict):
    years: int = Field(5, ge=1, le=15, description="Forecast horizon in financial years after year 0 (the Medium Term Financial Strategy).")
    ehcp_growth: float = Field(0.10, ge=-0.5, le=1, description="Yearly growth in pupils with EHC plans (P50).")
    ehcp_growth_sd: float = Field(0.04, ge=0, description="Uncertainty (standard deviation) of EHC plan growth.")
    mainstream_growth: float = Field(0.0, ge=-0.5, le=1, description="Yearly growth in transported mainstream pupils beyond the cohort's ageing (P50).")
    mainstream_growth_sd: float = Field(0.02, ge=0, description="Its uncertainty.")
    intake_change: float = Field(0.0, ge=-0.5, le=1, description="Yearly change in the Reception intake (the youngest age of the cohort).")
    contract_inflation: float = Field(0.05, ge=-0.5, le=1, description="Yearly rise in operators' prices: contracts, passes, allowances and budgets (P50).")
    contract_inflation_sd: float = Field(0.02, ge=0, description="Its uncertainty.")
    assistant_pay_inflation: float = Field(0.032, ge=-0.5, le=1, description="Yearly rise in the pay of passenger assistants and the transport team (P50).")
    assistant_pay_inflation_sd: float = Field(0.01, ge=0, description="Its uncertainty.")
    simulations: int = Field(2000, ge=100, le=100000, description="Monte Carlo draws.")
    seed: int = Field(1, description="Monte Carlo seed.")


class NewProvision(_Strict):
    name: str = Field(description="Name of the new provision.")
    urn: str = Field(description="Identifier for the new provision, not an existing school's URN (to open a unit at a school, give at_school).")
    at_school: str = Field("", description="Open the unit at this existing school (URN): its location and bell times are used.")
    lat: float | None = Field(None, description="Location of a new site (when not at an existing school).")
    lon: float | None = Field(None, description="Location of a new site.")
    places: int = Field(gt=0, description="Places available.")
    needs: tuple[str, ...] = Field(description="SEND needs the provision serves, e.g. ['ASD', 'SLCN'].")
    phase: str = Field(description="primary, secondary or all-through.")
    start_time: str = Field("", description="Bell time (HH:MM) for a new site.")
    finish_time: str = Field("", description="Finish time (HH:MM) for a new site.")
    rule: str = Field("nearest_first", description="'nearest_first': matching pupils whose journey becomes shorter, nearest first; 'list': only `pupils`.")
    pupils: tuple[str, ...] = Field((), description="Pupil ids to move, with rule = 'list'.")
    capital_cost_gbp: float = Field(0.0, ge=0, description="One-off capital cost, for the payback line.")
    revenue_cost_gbp_per_year: float = Field(0.0, ge=0, description="Extra running cost a year not in transport (optional).")
    opens_year: int | None = Field(None, ge=2000, le=2100, description="Calendar year the places open, in September; default: the September of year 1 of the budget.")

    @field_validator("start_time", "finish_time")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if value:
            try:
                clock_to_s(value)
            except ValueError:
                raise ValueError("not a time of day; use HH:MM, e.g. 09:00") from None
        return value

    @field_validator("lat")
    @classmethod
    def _latitude(cls, value: float | None) -> float | None:
        if value is not None and not GREAT_BRITAIN.south <= value <= GREAT_BRITAIN.north:
            raise ValueError("not a latitude in Great Britain (about 50 to 61)")
        return value

    @field_validator("lon")
    @classmethod
    def _longitude(cls, value: float | None) -> float | None:
        if value is not None and not GREAT_BRITAIN.west <= value <= GREAT_BRITAIN.east:
            raise ValueError("not a longitude in Great Britain (about -8.7 to 1.9)")
        return value


class Scenario(_Strict):
    name: str = Field(pattern=NAME_PATTERN, description="Short name, used for output folders: letters, digits, '-', '_', '.'.")
    description: str = Field("", description="What this scenario asks.")
    base: str = Field("", description="Another scenario file this one changes (relative path).")
    data: DataSources = Field(default_factory=DataSources)
    synthetic: Synthetic = Field(default_factory=Synthetic)
    policy: Policy = Field(default_factory=Policy)
    costs: CostSettings = Field(default_factory=CostSettings)
    optimise: OptimiseOptions = Field(default_factory=OptimiseOptions)
    forecast: Forecast = Field(default_factory=Forecast)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    new_provision: tuple[NewProvision, ...] = Field((), description="New SEND places to open.")
    source_dir: str = Field("", description="(set when loaded) the folder the scenario file is in.")
    _files: tuple[tuple[str, dict[str, Any]], ...] = PrivateAttr(default=())

    def file_of(self, *key: str) -> str:
        """The name of the scenario file that sets this key (child before base), for error messages."""
        return _file_setting(self._files, key) or (self._files[0][0] if self._files else f"{self.name}.toml")

    def path(self, value: str) -> Path:
        """A path from the scenario, resolved relative to the scenario file."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else Path(self.source_dir or ".") / p


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file, apply it on top of its base chain, and validate the result.

    A problem is reported against the file of the chain that sets the offending key, so a
    typo in a base file names the base file.
    """
    path = Path(path)
    files: list[tuple[str, dict[str, Any]]] = []
    merged = _merged_dict(path.resolve(), [], files)
    merged["source_dir"] = str(path.resolve().parent)
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as exc:
        raise InputError([_problem(_file_setting(files, err.get("loc", ())) or path.name, err) for err in exc.errors()]) from None
    scenario._files = tuple(files)
    return scenario


def _file_setting(files: Any, loc: tuple[Any, ...]) -> str:
    """The first file (child first) whose own TOML holds the longest prefix of `loc`."""
    best, depth = "", 0
    for name, raw in files:
        node, d = raw, 0
        for part in loc:
            if isinstance(node, dict) and str(part) in node:
                node, d = node[str(part)], d + 1
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node, d = node[part], d + 1
            else:
                break
        if d > depth:
            best, depth = name, d
    return best


def _merged_dict(path: Path, chain: list[Path], files: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The scenario at `path` merged over its base chain; appends each file's own TOML to `files`, child first."""
    if path in chain:
        loop = " -> ".join(p.name for p in [*chain, path])
        raise InputError(Problem(path.name, f"circular base: {loop}", column="base", fix="Remove the loop of base scenarios"))
    if not path.is_file():
        where = chain[-1].name if chain else str(path)
        raise InputError(Problem(where, f"scenario file not found: {path}", column="base" if chain else None,
                                 fix="Check the path (relative paths are relative to the scenario file)"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(Problem(path.name, f"not valid TOML ({exc})")) from None
    files.append((path.name, data))
    base = data.get("base", "")
    if not isinstance(base, str):
        raise InputError(Problem(path.name, "must be a file path", column="base", value=base))
    if not base:
        return data
    base_path = (path.parent / base).resolve()
    parent = _merged_dict(base_path, [*chain, path], files)
    # a base's own relative paths stay relative to the base file
    if isinstance(parent.get("data"), dict) and base_path.parent != path.parent:
        parent["data"] = {k: _rebase(k, v, base_path.parent, path.parent) for k, v in parent["data"].items()}
    parent.pop("base", None)
    return _deep_merge(parent, data)


# values of [data] that are keywords, not file names
_DATA_KEYWORDS = {"area", "synthetic", ""}


def _rebase(key: str, value: Any, old: Path, new: Path) -> Any:
    """A base's relative file path, re-expressed relative to the child's folder.

    Every [data] entry except `area` names a file unless it is one of the keywords
    ('area', 'synthetic', empty), whatever its suffix (.osm.bz2, .CSV, ...).
    """
    if key == "area" or not isinstance(value, str) or value in _DATA_KEYWORDS:
        return value
    p = Path(value).expanduser()
    if p.is_absolute():
        return value
    return os.path.relpath((old / p).resolve(), new)


def _deep_merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _problem(file: str, err: dict) -> Problem:
    location = ".".join(str(p) for p in err.get("loc", ()))
    if err.get("type") == "extra_forbidden":
        *parents, key = [str(p) for p in err["loc"]]
        model = _model_at(parents)
        valid = list(model.model_fields) if model else []
        close = difflib.get_close_matches(key, valid, n=1)
        hint = f"Did you mean '{close[0]}'?" if close else (f"Valid keys: {', '.join(valid)}" if valid else None)
        return Problem(file, "unknown key", column=location, fix=hint)
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    fix = None
    if err.get("type") == "string_pattern_mismatch" and location == "name":
        message, fix = "not usable as a folder name", "Use letters, digits, '-', '_' and '.' only, e.g. new-send-unit"
    value = err.get("input") if not isinstance(err.get("input"), dict | list) else None
    return Problem(file, message, column=location, value=value, fix=fix)


def _model_at(parents: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Scenario
    for part in parents:
        if model is None:
            return None
        if part.isdigit():
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model
