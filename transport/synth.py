"""A realistic, seeded synthetic cohort for a demo area, built from real reference data.

Homes are real postcode centroids (Code-Point Open), schools are the real state schools
(DfE register) plus independent special schools found in OSM, and the rates of EHC plans,
needs, wheelchairs, passenger assistants, solo travel and low income come from published
statistics or are stated assumptions (see data/README.md, which cites each one). No real
pupil data is used or produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from transport.datadir import AREAS, find_data_file
from transport.inputs import load_postcodes, read_table
from transport.schemas import CONTRACTS, PUPILS
from transport.units import m_to_miles


@dataclass(frozen=True, slots=True)
class CohortRates:
    """Rates used to draw the cohort; each is cited in data/README.md."""

    ehcp: float = 0.053  # DfE, Special educational needs in England, Jan 2025: 5.3% of pupils
    low_income: float = 0.13  # assumption: below England's 25.7% FSM rate (DfE, Jan 2025), as in Rutland
    unsafe_route: float = 0.005  # assumption: a few hazardous routes assessed individually
    ehcp_at_special_school_semh: float = 0.5  # assumption for the demo: half of SEMH EHCPs at the local special school
    travel_alone_send: float = 0.09  # DfE home-to-school travel data collection 2025-26: 9% of pre-16 SEND users
    not_nearest_school: float = 0.15  # assumption: parental preference for a further school
    # EHCP primary need mix, England, Jan 2025 (DfE SEN in England), rounded
    need_mix: tuple[tuple[str, float], ...] = (
        ("ASD", 0.33), ("SLCN", 0.22), ("SEMH", 0.14), ("SLD", 0.06), ("MLD", 0.06), ("PD", 0.04),
        ("SPLD", 0.03), ("HI", 0.02), ("VI", 0.01), ("PMLD", 0.01), ("MSI", 0.005), ("OTH", 0.055),
    )
    wheelchair_given_need: tuple[tuple[str, float], ...] = (("PD", 0.4), ("PMLD", 0.7), ("SLD", 0.1))  # assumption
    # Pupils with an EHC plan placed at a special school beyond the county, by need (assumption for
    # Rutland, which has no state special school; DfE home-to-school travel data collection 2025-26:
    # 75% of pre-16 SEND transport users attend special schools, 15% independent ones)
    out_of_area_given_need: tuple[tuple[str, float], ...] = (
        ("PMLD", 0.7), ("SLD", 0.6), ("MSI", 0.6), ("PD", 0.3), ("HI", 0.15), ("VI", 0.15), ("ASD", 0.12), ("MLD", 0.1),
        ("SLCN", 0.05), ("SEMH", 0.05), ("OTH", 0.05),
    )
    assistant_given_need: tuple[tuple[str, float], ...] = (
        ("PMLD", 1.0), ("SLD", 0.8), ("PD", 0.4), ("ASD", 0.2), ("SEMH", 0.25), ("MSI", 0.8),
    )  # assumption
    # The officer's assessment of walking (cannot_walk), for pupils with a plan; all assumptions:
    not_yet_assessed: float = 0.10  # assessments still to do at the start of the year
    cannot_walk_mobility: float = 0.9  # PMLD, SLD, PD, VI, MSI needs or a wheelchair
    cannot_walk_other: float = 0.25  # other primary needs (ASD, SEMH, SLCN, ...)
    named_on_preference: float = 0.5  # plans naming a school that is not the nearest, at the parents' preference
    religion_stated: float = 0.10  # pupils at a school with a religious character who state it as their preference
    boys: float = 0.512  # DfE, Schools, pupils and their characteristics, January 2025: 51.2% of pupils are boys


# Assumed rolls by phase where the register gives none: a typical English primary
# (about 210 pupils) and an 11-16 college in a market town (about 1,000); post-16 about 300.
ROLL = {"primary": 180, "secondary": 1000, "post-16": 300, "special": 70}
BELLS = {"primary": ("08:50", "15:15"), "secondary": ("08:40", "15:10"), "post-16": ("09:00", "15:30"), "special": ("09:15", "15:00")}


def demo_schools(area: str = "rutland", data_dir: str | Path | None = None) -> pd.DataFrame:
    """The area's schools in the project's schools.csv layout, phases inferred from names.

    Post-16: Harington School (a 16-19 free school beside Catmose College) is Rutland's one state
    sixth form; Catmose, Uppingham Community and Casterton Colleges teach 11-16 (Casterton dropped
    its sixth form in 2017). Wilds Lodge (independent special) takes pupils to 18. See data/README.md.
    """
    spec = AREAS[area]
    gias = read_table(find_data_file(spec.schools_file, data_dir))
    rows = []
    for r in gias.itertuples(index=False):
        name = r.name
        lower = name.lower()
        if "college" in lower:
            phase = "secondary"
        elif lower.startswith("harington"):
            phase = "post-16"  # a sixth-form free school
        else:
            phase = "primary"
        faith = "Church of England" if ("cofe" in lower or "church of england" in lower or " ce " in f" {lower} ") else (
            "Roman Catholic" if "catholic" in lower else "")
        rows.append({"urn": r.urn, "name": name, "lat": r.lat, "lon": r.lon, "phase": phase, "type": "mainstream",
                     "religious_character": faith, "sixth_form": "yes" if phase == "post-16" else "no"})
    if spec.osm_schools_file:
        osm = read_table(find_data_file(spec.osm_schools_file, data_dir))
        for r in osm.itertuples(index=False):
            if "wilds lodge" in r.name.lower():
                rows.append({"urn": f"OSM-{r.osm_id}", "name": r.name, "lat": r.lat, "lon": r.lon, "phase": "all-through",
                             "type": "special", "religious_character": "", "needs_served": "SEMH", "sixth_form": "yes"})
    rows += [{"urn": urn, "name": name, "lat": lat, "lon": lon, "phase": "all-through", "type": "special",
              "religious_character": "", "needs_served": needs} for urn, name, lat, lon, needs in OUT_OF_AREA_SCHOOLS.get(area, ())]
    schools = pd.DataFrame(rows)
    schools["needs_served"] = schools.get("needs_served", pd.Series(dtype=str)).fillna("")
    kind = schools["type"].where(schools["type"] == "special", schools["phase"])
    schools["start_time"] = [BELLS[k][0] for k in kind]
    schools["finish_time"] = [BELLS[k][1] for k in kind]
    schools["places"] = ""  # the register extract gives no capacity: no school counts as full (data/README.md)
    return schools


#: Special schools beyond the demo area, for its out-of-area placements: synthetic schools at the
#: centres of real neighbouring towns (not real schools, so no real URN), beyond the road network.
OUT_OF_AREA_SCHOOLS: dict[str, tuple[tuple[str, str, float, float, str], ...]] = {
    "rutland": (
        ("OOA-LEICESTER", "Out-of-county special school, Leicester (synthetic)", 52.6369, -1.1398, "PMLD;SLD;MSI;PD;HI;VI"),
        ("OOA-PETERBOROUGH", "Out-of-county special school, Peterborough (synthetic)", 52.5695, -0.2405, "ASD;SLCN;MLD;OTH"),
        ("OOA-NORTHAMPTON", "Out-of-county special school, Northampton (synthetic)", 52.2405, -0.9027, "SEMH;ASD"),
    ),
}


def place_out_of_area(frame: pd.DataFrame, schools: pd.DataFrame, rates: CohortRates, seed: int) -> pd.DataFrame:
    """Pupils with an EHC plan at a mainstream school moved, at the rate their need gives, to the
    first special school beyond the area that serves it (a random stream of its own, so the rest
    of the cohort is drawn as without it)."""
    far = schools[schools["urn"].astype(str).str.startswith("OOA-")]
    if far.empty:
        return frame
    rng = np.random.default_rng(seed + 17)
    rate = dict(rates.out_of_area_given_need)
    mainstream = set(schools.loc[schools["type"] == "mainstream", "urn"].astype(str))
    out = frame.copy()
    for i in out.index[out["ehcp"] & (out["age"] >= 4) & out["school_urn"].astype(str).isin(mainstream)]:
        need = out.at[i, "send_need"]
        serving = [u for u, n in zip(far["urn"], far["needs_served"], strict=True) if need in str(n).split(";")]
        if serving and rng.random() < rate.get(need, 0.0):
            out.at[i, "school_urn"] = serving[0]
    return out


def synthesise_cohort(schools: pd.DataFrame, area: str = "rutland", data_dir: str | Path | None = None, *,
                      seed: int = 2026, scale: float = 1.0, rates: CohortRates | None = None,
                      academic_year_start: int = 2025) -> pd.DataFrame:
    """Pupils at real postcode centroids attending real schools, with published SEND rates."""
    rates = rates or CohortRates()
    rng = np.random.default_rng(seed)
    postcodes = load_postcodes(find_data_file(AREAS[area].postcodes_file, data_dir))
    homes = np.array(sorted(postcodes.values()))
    mainstream = schools[schools["type"] == "mainstream"].reset_index(drop=True)
    special = schools[(schools["type"] == "special") & ~schools["urn"].astype(str).str.startswith("OOA-")].reset_index(drop=True)
    pupils = []
    for phase, ages in (("primary", range(4, 11)), ("secondary", range(11, 16)), ("post-16", range(16, 18))):
        candidates = mainstream[mainstream["phase"] == phase].reset_index(drop=True)
        if candidates.empty:
            continue
        count = int(round(ROLL[phase] * len(candidates) * scale))
        where = homes[rng.integers(0, len(homes), count)] + rng.normal(0, 0.0004, (count, 2))  # houses around the centroid
        lat, lon = where[:, :1], where[:, 1:]
        c_lat, c_lon = candidates["lat"].to_numpy(float)[None, :], candidates["lon"].to_numpy(float)[None, :]
        order = np.argsort(6371.0 * np.hypot(np.radians(c_lat - lat), np.radians(c_lon - lon) * np.cos(np.radians(lat))), axis=1)
        further = np.minimum(len(candidates) - 1, 1 + rng.integers(0, 2, count))  # the second or third nearest
        chosen = np.where(rng.random(count) < rates.not_nearest_school, order[np.arange(count), further], order[:, 0])
        pupils.append(pd.DataFrame({"lat": where[:, 0], "lon": where[:, 1], "age": rng.choice(list(ages), count),
                                    "school_urn": candidates["urn"].to_numpy()[chosen]}))
    frame = pd.concat(pupils, ignore_index=True)
    n = len(frame)
    frame["ehcp"] = rng.random(n) < rates.ehcp
    needs, weights = zip(*rates.need_mix, strict=True)
    weights = np.array(weights) / sum(weights)
    frame["send_need"] = np.where(frame["ehcp"], rng.choice(needs, n, p=weights), "")
    if not special.empty:
        semh = frame.index[(frame["send_need"] == "SEMH") & (frame["age"] >= 5)]
        moved = semh[rng.random(len(semh)) < rates.ehcp_at_special_school_semh]
        frame.loc[moved, "school_urn"] = special["urn"].iloc[0]
    frame = place_out_of_area(frame, schools, rates, seed)
    wheel = dict(rates.wheelchair_given_need)
    assist = dict(rates.assistant_given_need)
    frame["wheelchair"] = [bool(e) and rng.random() < wheel.get(need, 0.0) for e, need in zip(frame["ehcp"], frame["send_need"], strict=True)]
    frame["passenger_assistant"] = [bool(e) and rng.random() < assist.get(need, 0.0) for e, need in zip(frame["ehcp"], frame["send_need"], strict=True)]
    frame["travel_alone"] = frame["ehcp"] & (rng.random(n) < rates.travel_alone_send)
    frame["low_income"] = rng.random(n) < rates.low_income
    frame["unsafe_route"] = rng.random(n) < rates.unsafe_route
    frame.insert(0, "pupil_id", [f"P{seed % 100:02d}{i:05d}" for i in range(n)])
    frame["avoid_with"] = ""
    semh_transport = frame.index[(frame["send_need"] == "SEMH") & ~frame["travel_alone"]]
    for a, b in zip(semh_transport[::7][:3], semh_transport[3::7][:3], strict=False):
        frame.loc[a, "avoid_with"] = frame.loc[b, "pupil_id"]
    frame = _assessments_and_dates(frame, schools, rates, np.random.default_rng(seed + 2), academic_year_start)
    for column in PUPILS.of_type("bool"):
        if column != "cannot_walk":  # blank there means not assessed
            frame[column] = np.where(frame[column], "yes", "no")
    frame["lat"] = frame["lat"].round(6)
    frame["lon"] = frame["lon"].round(6)
    return frame


def _assessments_and_dates(frame: pd.DataFrame, schools: pd.DataFrame, rates: CohortRates, rng: np.random.Generator,
                           academic_year_start: int) -> pd.DataFrame:
    """Dates of birth, sex, the assessment of walking, plans named at preference and stated religion.

    Drawn from their own random stream, so the rest of the cohort is the same as without them.
    """
    n = len(frame)
    out = frame.copy()
    starts = pd.to_datetime([f"{academic_year_start - a - 1}-09-01" for a in out["age"]])  # age `a` at 31 August
    offsets = (rng.random(n) * 365).astype(int)
    out["date_of_birth"] = (starts + pd.to_timedelta(offsets, unit="D")).strftime("%Y-%m-%d")
    out["sex"] = np.where(rng.random(n) < rates.boys, "M", "F")
    mobility = out["send_need"].isin(["PMLD", "SLD", "PD", "VI", "MSI"]) | out["wheelchair"]
    share = np.where(mobility, rates.cannot_walk_mobility, rates.cannot_walk_other)
    assessed = rng.random(n) >= rates.not_yet_assessed
    cannot = rng.random(n) < share
    out["cannot_walk"] = np.where(~out["ehcp"], "", np.where(~assessed, "", np.where(cannot, "yes", "no")))
    by_urn = schools.set_index(schools["urn"].astype(str))
    nearest = _nearest_of_kind(out, by_urn)
    out["named_on_preference"] = out["ehcp"] & (out["school_urn"].astype(str) != nearest) & (rng.random(n) < rates.named_on_preference)
    character = out["school_urn"].astype(str).map(by_urn["religious_character"].fillna("")).fillna("")
    out["religion_preference"] = np.where((character != "") & (rng.random(n) < rates.religion_stated), character, "")
    return out.drop(columns="age")


def _nearest_of_kind(pupils: pd.DataFrame, by_urn: pd.DataFrame) -> pd.Series:
    """The nearest school (straight line) of the same phase and type as each pupil's own."""
    lats, lons = by_urn["lat"].astype(float).to_numpy(), by_urn["lon"].astype(float).to_numpy()
    kind = (by_urn["phase"].astype(str) + "|" + by_urn["type"].astype(str)).to_numpy()
    own = pd.Series(kind, index=by_urn.index).loc[pupils["school_urn"].astype(str)].to_numpy()
    plat, plon = pupils["lat"].to_numpy(float)[:, None], pupils["lon"].to_numpy(float)[:, None]
    km = 6371.0 * np.hypot(np.radians(lats[None, :] - plat), np.radians(lons[None, :] - plon) * np.cos(np.radians(plat)))
    km = np.where(own[:, None] == kind[None, :], km, np.inf)
    return pd.Series(by_urn.index[np.argmin(km, axis=1)], index=pupils.index)


def synthesise_contracts(routed: pd.DataFrame, pupils: pd.DataFrame, locations: pd.DataFrame, distance_m: np.ndarray,
                         vehicles: pd.DataFrame, *, seed: int = 2026, single_taxi_share: float = 0.65) -> pd.DataFrame:
    """Today's contracts, bought the way councils often buy them: mostly one taxi per SEND
    pupil, some shared, and one bus per school per cluster of pick-up points.

    Each contract is priced by the catalogue (day price plus price per mile over the day's
    miles: depot, pick-ups, school, depot, morning and afternoon), so the as-is and
    optimised plans differ only in how pupils are grouped, not in unit prices.
    """
    rng = np.random.default_rng(seed)
    loc = locations.reset_index(drop=True)
    school_loc = {r.ref: int(r.location) for r in loc[loc["kind"] == "school"].itertuples(index=False)}
    depots = loc[loc["kind"] == "depot"]
    cat = vehicles.drop_duplicates("vehicle_type").set_index("vehicle_type")
    depot_of = {r.location: r.ref for r in depots.itertuples(index=False)}

    def price(kind: str, stops: list[int], school: int) -> tuple[float, str]:
        best = None
        for d in depots["location"]:
            metres = 2 * (distance_m[d, stops[0]] + sum(distance_m[a, b] for a, b in zip(stops[:-1], stops[1:], strict=False))
                          + distance_m[stops[-1], school] + distance_m[school, d])
            if best is None or metres < best[0]:
                best = (metres, depot_of[d])
        miles = m_to_miles(best[0])
        row = cat.loc[kind]
        return round(float(row["daily_price_gbp"] + row["price_per_mile_gbp"] * miles), 2), str(best[1])

    contracts = []
    door = routed[routed["mode"] == "door"].merge(pupils, on="pupil_id")
    for urn, group in door.groupby("school_urn", sort=True):
        group = group.assign(d=[distance_m[int(x), school_loc[str(urn)]] for x in group["location"]]).sort_values("d", ascending=False)
        pending = list(group.itertuples(index=False))
        while pending:
            first = pending.pop(0)
            riders = [first]
            solo = first.travel_alone or first.wheelchair or rng.random() < single_taxi_share
            if not solo:
                near = sorted((p for p in pending if not (p.travel_alone or p.wheelchair)),
                              key=lambda p: distance_m[int(first.location), int(p.location)])[:2]
                riders += near
                pending = [p for p in pending if p not in near]
            kind = "wheelchair_taxi" if first.wheelchair else ("taxi" if len(riders) == 1 else "mpv")
            stops = [int(p.location) for p in riders]
            daily, depot = price(kind, stops, school_loc[str(urn)])
            contracts.append({"route_ref": f"C{len(contracts) + 1:04d}", "operator": f"{depot} operator", "vehicle_type": kind,
                              "daily_price_gbp": daily, "passenger_assistant": "yes" if any(p.passenger_assistant for p in riders) else "no",
                              "pupils": ";".join(p.pupil_id for p in riders), "school_urn": str(urn)})
    stops = routed[routed["mode"] == "stop"].merge(pupils[["pupil_id", "school_urn"]], on="pupil_id")
    for urn, group in stops.groupby("school_urn", sort=True):
        by_stop = group.groupby("location")["pupil_id"].apply(list)
        order = sorted(by_stop.index, key=lambda s: -distance_m[int(s), school_loc[str(urn)]])
        # a stop with more pupils than a coach holds is served by several coaches
        chunks = [(int(s), by_stop[s][k:k + 53]) for s in order for k in range(0, len(by_stop[s]), 53)]
        load: list[int] = []
        riders: list[str] = []
        for item in chunks + [None]:
            s, names = item if item is not None else (None, [])
            if s is not None and len(riders) + len(names) <= 53:
                load.append(s)
                riders += names
                continue
            if riders:
                kind = "minibus" if len(riders) <= 16 else "midi_bus" if len(riders) <= 33 else "coach"
                daily, depot = price(kind, load, school_loc[str(urn)])
                contracts.append({"route_ref": f"C{len(contracts) + 1:04d}", "operator": f"{depot} operator", "vehicle_type": kind,
                                  "daily_price_gbp": daily, "passenger_assistant": "no", "pupils": ";".join(riders), "school_urn": str(urn)})
            if s is not None:
                load, riders = [s], list(names)
    return CONTRACTS.frame(contracts)


#: Shares behind the demo's contract flags (assumptions, stated in data/README.md): pupils who
#: lost eligibility since the contracts were let but still hold a bus seat (moved house,
#: changed school, turned 16), and eligible pupils who joined in year and have no contract yet.
STALE_SEAT_SHARE = 0.03
IN_YEAR_JOINER_SHARE = 0.02
#: The contract kinds synthesise_contracts buys for pick-up point pupils.
BUS_KINDS = ("minibus", "midi_bus", "coach")


def age_contracts(contracts: pd.DataFrame, eligibility: pd.DataFrame, seats: dict[str, int], *, seed: int = 2026,
                  stale_share: float = STALE_SEAT_SHARE, joiner_share: float = IN_YEAR_JOINER_SHARE) -> pd.DataFrame:
    """Contracts as they stand some months after they were let.

    A share of pupils who are not eligible now still ride a bus contract of their school
    (where it has a free seat; the contract price is unchanged), and a share of eligible
    pupils are on no contract yet. Both come out as flags in the as-is baseline, as they
    would in a council's own records. `seats`: seats of each vehicle type, from the catalogue.
    """
    rng = np.random.default_rng(seed + 1)
    out = contracts.copy()
    riders = out["pupils"].str.split(";")
    on_contract = [p for ps in riders for p in ps]
    joiners = set(rng.choice(on_contract, size=round(joiner_share * len(on_contract)), replace=False)) if on_contract else set()
    riders = riders.map(lambda ps: [p for p in ps if p not in joiners])
    buses = out.index[out["vehicle_type"].isin(BUS_KINDS)]
    gone = eligibility.loc[~eligibility["eligible"].astype(bool), ["pupil_id", "school_urn"]]
    stale = gone.sample(frac=stale_share, random_state=int(rng.integers(2**31))) if len(gone) else gone
    for pupil, urn in stale.itertuples(index=False):
        for i in buses[out.loc[buses, "school_urn"].astype(str) == str(urn)]:
            if len(riders[i]) < seats[out.at[i, "vehicle_type"]]:
                riders[i] = [*riders[i], pupil]
                break
    out["pupils"] = riders.map(";".join)
    return out[out["pupils"] != ""].reset_index(drop=True)
