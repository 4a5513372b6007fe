"""Every table the product reads or writes, declared once: column, type, unit, required, meaning.

Readers check files against these specs and writers order their columns by them, so a
column is named in exactly one place. The README's column tables are generated from here
(`markdown`) and a test keeps them in step.

Types: `string`, `int`, `float`, `bool` (yes/no, true/false, 1/0), `date` (YYYY-MM-DD),
`clock` (HH:MM), `ids` (';'-joined identifiers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

DType = Literal["string", "int", "float", "bool", "date", "clock", "ids"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, type, unit, whether it must be given, and what it means."""

    name: str
    dtype: DType
    description: str
    unit: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A table's file name, purpose and columns in the order they are written."""

    name: str
    file: str
    description: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    def of_type(self, *dtypes: DType) -> list[str]:
        return [c.name for c in self.columns if c.dtype in dtypes]

    def frame(self, rows: Iterable[Mapping[str, object]] = ()) -> pd.DataFrame:
        """A DataFrame of `rows` with exactly this table's columns, in order."""
        return pd.DataFrame(list(rows), columns=self.names)

    def ordered(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame`'s columns in this table's order; a missing column is a programming error."""
        missing = [n for n in self.names if n not in frame.columns]
        if missing:
            raise KeyError(f"{self.name}: columns {missing} missing from the frame")
        return frame[self.names]

    def markdown(self) -> str:
        """The column table for the README."""
        lines = [f"`{self.file}`: {self.description}", "", "| column | type | unit | required | meaning |",
                 "|---|---|---|---|---|"]
        for c in self.columns:
            lines.append(f"| `{c.name}` | {c.dtype} | {c.unit or ''} | {'yes' if c.required else ''} | {c.description} |")
        return "\n".join(lines)


def _c(name: str, dtype: DType, description: str, unit: str = "", *, required: bool = False,
       minimum: float | None = None, maximum: float | None = None) -> Column:
    return Column(name, dtype, description, unit, required, minimum, maximum)


# ------------------------------------------------------------------------------ inputs

PUPILS = Table("pupils", "pupils.csv", "one row per pupil of the cohort (pseudonymous ids only).", (
    _c("pupil_id", "string", "The council's pseudonymous reference; never a name.", required=True),
    _c("school_urn", "string", "URN of the school the pupil attends (from the schools file).", required=True),
    _c("lat", "float", "Home latitude, WGS84 (or give easting/northing, or postcode).", "degrees"),
    _c("lon", "float", "Home longitude, WGS84.", "degrees"),
    _c("easting", "float", "Home easting, British National Grid (EPSG:27700).", "m"),
    _c("northing", "float", "Home northing, British National Grid.", "m"),
    _c("postcode", "string", "Home postcode, looked up in the scenario's postcode table."),
    _c("date_of_birth", "date", "Date of birth: the age on the assessment date, the year group, compulsory school age and the "
       "birthdays that change a decision in the year (wins over age and year_group)."),
    _c("age", "int", "Age in whole years on the assessment date, when no date of birth is given.", "years",
       minimum=2, maximum=25),
    _c("year_group", "string", "R or 1-13, when neither date of birth nor age is given."),
    _c("ehcp", "bool", "Has an Education, Health and Care plan (alone, never a reason for transport)."),
    _c("cannot_walk", "bool", "The officer's assessment: cannot reasonably be expected to walk to school because of SEN, "
       "disability or mobility (Sch 35B paras 2, 6). Blank: not assessed."),
    _c("named_on_preference", "bool", "The school named in the EHC plan was named at the parents' preference where a nearer "
       "suitable school exists, so the parents arrange transport."),
    _c("sex", "string", "F or M, for single-sex schools. Blank: not known (a single-sex school then never counts as nearer)."),
    _c("refused_at", "ids", "URNs of schools that refused the pupil a place; they are not available to this pupil."),
    _c("send_need", "ids", "Primary SEND need(s): ASD, SEMH, SLCN, MLD, SLD, PMLD, PD, VI, HI, MSI, SPLD, OTH, NSA."),
    _c("wheelchair", "bool", "Travels in a wheelchair (needs a wheelchair space)."),
    _c("passenger_assistant", "bool", "Needs a passenger assistant aboard."),
    _c("travel_alone", "bool", "Must travel alone (no other pupil aboard)."),
    _c("low_income", "bool", "Entitled to free school meals or maximum Working Tax Credit (extended rights)."),
    _c("unsafe_route", "bool", "The walking route to the nearest suitable school is assessed unsafe."),
    _c("max_ride_minutes", "float", "A shorter maximum ride set for this pupil.", "min", minimum=5, maximum=180),
    _c("religion_preference", "string", "Religious character preferred on grounds of religion or belief, as in the "
       "schools' religious_character (Sch 35B para 12)."),
    _c("avoid_with", "ids", "Pupils this pupil must not share a vehicle with."),
))

SCHOOLS = Table("schools", "schools.csv", "one row per school or unit, including new provision.", (
    _c("urn", "string", "Unique reference number (DfE register).", required=True),
    _c("name", "string", "School name.", required=True),
    _c("lat", "float", "Latitude, WGS84 (or easting/northing, or postcode).", "degrees"),
    _c("lon", "float", "Longitude, WGS84.", "degrees"),
    _c("easting", "float", "Easting, British National Grid.", "m"),
    _c("northing", "float", "Northing, British National Grid.", "m"),
    _c("postcode", "string", "Postcode, looked up in the scenario's postcode table."),
    _c("phase", "string", "primary, secondary, all-through or post-16.", required=True),
    _c("type", "string", "mainstream, special, resourced or alternative.", required=True),
    _c("start_time", "clock", "Morning bell.", "HH:MM", required=True),
    _c("finish_time", "clock", "Afternoon bell.", "HH:MM", required=True),
    _c("religious_character", "string", "Religious character as in the register, e.g. Church of England."),
    _c("places", "int", "Pupil places: once the pupils file has this many at the school, it has no place for others.",
       "pupils", minimum=0),
    _c("sen_places", "int", "SEN places (resourced provision).", "pupils", minimum=0),
    _c("needs_served", "ids", "SEND needs a special school or unit serves."),
    _c("sex", "string", "mixed, boys or girls. Blank: mixed."),
    _c("sixth_form", "bool", "Offers post-16 education (schools of phase post-16 always do)."),
))

VEHICLES = Table("vehicles", "vehicles.csv", "the vehicle and price catalogue: one row per type and depot.", (
    _c("vehicle_type", "string", "Type name, e.g. taxi, minibus, coach.", required=True),
    _c("seats", "int", "Passenger seats (an assistant takes one).", "seats", required=True, minimum=1),
    _c("wheelchair_spaces", "int", "Wheelchair spaces.", "spaces", required=True, minimum=0),
    _c("daily_price_gbp", "float", "Contract price per school day, morning and afternoon runs.", "£/day", required=True, minimum=0),
    _c("price_per_mile_gbp", "float", "Price per mile driven, depot to depot.", "£/mile", required=True, minimum=0),
    _c("available", "int", "Vehicles of this type the operators at this depot can supply.", "vehicles", required=True, minimum=0),
    _c("depot", "string", "Depot name."),
    _c("depot_lat", "float", "Depot latitude; without it the vehicle starts at its first pick-up.", "degrees"),
    _c("depot_lon", "float", "Depot longitude.", "degrees"),
))

CONTRACTS = Table("contracts", "contracts.csv", "today's contracts, priced as the as-is baseline.", (
    _c("route_ref", "string", "The council's contract or route reference.", required=True),
    _c("operator", "string", "Operator.", required=True),
    _c("vehicle_type", "string", "A catalogue type, or mileage_allowance, travel_pass or ptb (a personal transport budget).",
       required=True),
    _c("daily_price_gbp", "float", "Day price, both runs (empty for allowances, and for passes and budgets with an annual amount).",
       "£/day", required=True, minimum=0),
    _c("passenger_assistant", "bool", "An assistant rides this contract.", required=True),
    _c("pupils", "ids", "The pupils carried.", required=True),
    _c("school_urn", "string", "The school served; a school beyond the road network makes this an out-of-area placement, "
       "priced from the contract and never routed.", required=True),
    _c("assistant_included", "bool", "The assistant is paid within the day price (default yes; no when assistant_daily_gbp "
       "is given)."),
    _c("assistant_daily_gbp", "float", "The assistant's day price, paid on top of the day price (assistant_included = no); "
       "the derived rate when empty.", "£/day", minimum=0),
    _c("miles_per_day", "float", "Daily return-trip miles of a mileage allowance.", "miles", minimum=0),
    _c("annual_price_gbp", "float", "Annual price of a travel pass, or the annual amount of a personal transport budget.",
       "£/year", minimum=0),
    _c("end_date", "date", "Last day of the contract (YYYY-MM-DD): a saving from re-letting it lands from the next day."),
    _c("notice_days", "int", "Days' notice the council may give to end the contract early; empty when it runs to its end "
       "date.", "days", minimum=0),
))

# ------------------------------------------------------------------------------ outputs

ELIGIBILITY = Table("eligibility", "eligibility.csv", "one row per pupil: the decision and why.", (
    _c("pupil_id", "string", "Pseudonymous id.", required=True),
    _c("school_urn", "string", "School attended.", required=True),
    _c("age", "int", "Age on the assessment date.", "years", required=True),
    _c("assessed_on", "date", "The assessment date the decision is made on.", required=True),
    _c("eligible", "bool", "Eligible for free transport on the assessment date.", required=True),
    _c("reason_code", "string", "Outcome code (see Pupil outcomes).", required=True),
    _c("reason", "string", "The decision in a sentence a parent can read.", required=True),
    _c("walk_distance_m", "float", "Walking route to the school attended (empty: not measured).", "m", required=True),
    _c("walk_distance_miles", "float", "The same in miles.", "miles", required=True),
    _c("upper_distance_m", "float", "Route to the school attended as the extended rights' upper limits measure it "
       "(road or walk, by policy), where it was measured.", "m"),
    _c("nearest_suitable_urn", "string", "The nearest suitable school with a place.", required=True),
    _c("nearest_suitable_distance_m", "float", "Walking route to it.", "m", required=True),
    _c("decisive_urns", "ids", "The schools whose routes decided: the school attended, the nearest suitable one, the "
       "three nearest for extended rights, the nearest of the preferred religious character."),
    _c("door_to_door", "bool", "Collected from home (assessed unable to walk, or wheelchair, mobility or sensory need, "
       "passenger assistant, travels alone), not from a pick-up point.", required=True),
    _c("changes_on", "date", "The first day of the school year after the assessment date when the decision changes "
       "with the pupil's age (compulsory school age starts or ends, 8th or 11th birthday): eligible or not, or the "
       "ground of eligibility."),
    _c("eligible_after", "bool", "Eligible from changes_on."),
    _c("reason_code_after", "string", "The outcome code from changes_on."),
    _c("eligible_share_of_year", "float", "Share of the school year's weekdays (1 September to 31 July), from the "
       "assessment date on, in which the pupil is eligible.", minimum=0, maximum=1, required=True),
    _c("distances_estimated", "bool", "The school attended lies beyond the road network: its pupil's distances are "
       "estimated (straight line x 1.3) and must be measured before the decision is confirmed."),
))

ELIGIBILITY_ACTIONS = Table("eligibility_actions", "eligibility_actions.csv",
                            "pupils whose decision waits for an officer, and what to do.", (
    _c("pupil_id", "string", "Pseudonymous id.", required=True),
    _c("school_urn", "string", "School attended.", required=True),
    _c("reason_code", "string", "SEND_ASSESSMENT_NEEDED, ROUTE_NOT_MEASURED or ROUTE_ESTIMATED.", required=True),
    _c("action", "string", "What the officer must do.", required=True),
))

#: Ways a pupils or schools file may give a location, and a pupil's age, in the order they are tried.
LOCATION_COLUMNS = ("lat", "lon", "easting", "northing", "postcode")
AGE_COLUMNS = ("date_of_birth", "age", "year_group")

#: The columns of a decision that the later steps use.
DECISION = ("pupil_id", "eligible", "door_to_door", "reason_code")

ELIGIBILITY_BY_REASON = Table("eligibility_by_reason", "eligibility_by_reason.csv", "pupils by outcome.", (
    _c("eligible", "bool", "Eligible."), _c("reason_code", "string", "Outcome code."),
    _c("pupils", "int", "Pupils.", "pupils"), _c("share", "float", "Share of pupils assessed."),
))

TRANSPORTED = Table("transported", "transported_pupils.csv", "eligible pupils given a vehicle, and how they board.", (
    _c("pupil_id", "string", "Pseudonymous id.", required=True),
    _c("mode", "string", "door (from home) or stop (from a pick-up point).", required=True),
    _c("location", "int", "Where the pupil boards: a row of locations.csv.", required=True),
    _c("stop_id", "string", "Pick-up point (empty when door to door)."),
    _c("walk_to_stop_m", "float", "Walk from home to the pick-up point.", "m"),
))

NEEDS = Table("needs", "transport_needs.csv", "what each pupil given a vehicle needs, for the independent check.", (
    _c("pupil_id", "string", "Pseudonymous id.", required=True),
    _c("school_urn", "string", "School.", required=True),
    _c("age", "int", "Age on the assessment date (sets the ride limit).", "years", required=True),
    _c("mode", "string", "door or stop.", required=True),
    _c("wheelchair", "bool", "Travels in a wheelchair."),
    _c("passenger_assistant", "bool", "Needs a passenger assistant."),
    _c("travel_alone", "bool", "Must travel alone."),
    _c("max_ride_minutes", "float", "A shorter ride limit set for this pupil.", "min"),
))

MANIFEST_FILE = "manifest.json"

PICKUP_POINTS = Table("pickup_points", "pickup_points.csv", "the pick-up point of each pupil who walks to one.", (
    _c("pupil_id", "string", "Pseudonymous id."), _c("school_urn", "string", "School."),
    _c("stop_id", "string", "Pick-up point."), _c("stop_lat", "float", "Latitude.", "degrees"),
    _c("stop_lon", "float", "Longitude.", "degrees"), _c("walk_to_stop_m", "float", "Walk from home.", "m"),
))

STOPS = Table("stops", "stops.csv", "one row per pick-up point: where it is, what it is called, whom it serves.", (
    _c("stop_id", "string", "Pick-up point id, as in transported_pupils.csv and the route sheets.", required=True),
    _c("name", "string", "The name a driver and a family find it by, from OpenStreetMap: the bus stop's name, or the "
       "street (and the street it meets) and the town or village.", required=True),
    _c("kind", "string", "bus_stop, junction or layby.", required=True),
    _c("road", "string", "The road the vehicle stops on (a junction: the roads that meet there)."),
    _c("road_class", "string", "Its OSM class (highway=*): never one of the policy's excluded classes.", required=True),
    _c("locality", "string", "The nearest town or village ('near ...' when over 1.5 km away)."),
    _c("lat", "float", "Latitude.", "degrees", required=True),
    _c("lon", "float", "Longitude.", "degrees", required=True),
    _c("osm_id", "int", "OpenStreetMap node of the bus stop, lay-by or junction."),
    _c("pupils", "int", "Pupils who walk to it.", "pupils", required=True),
    _c("schools", "string", "Names of the schools they attend, ';'-separated."),
    _c("pupils_by_school", "string", "Pupils by school URN, e.g. '120229: 12; 137340: 3'.", required=True),
    _c("furthest_walk_m", "float", "The longest walk to it, on the walk graph.", "m", required=True),
    _c("mean_walk_m", "float", "The mean walk to it.", "m"),
))

MOVES = Table("moves", "moved_pupils.csv", "pupils a new provision moves, and their journey change.", (
    _c("pupil_id", "string", "Pseudonymous id."), _c("from_urn", "string", "School before."),
    _c("to_urn", "string", "The new provision."), _c("drive_km_before", "float", "Drive to the school before.", "km"),
    _c("drive_km_after", "float", "Drive to the new provision.", "km"),
    _c("drive_min_before", "float", "Drive time before.", "min"), _c("drive_min_after", "float", "Drive time after.", "min"),
))

SCHOOLS_USED = Table("schools_used", "schools_used.csv", "the schools of the run, new provision included.", (
    _c("urn", "string", "URN."), _c("name", "string", "Name."), _c("lat", "float", "Latitude.", "degrees"),
    _c("lon", "float", "Longitude.", "degrees"), _c("phase", "string", "Phase."), _c("type", "string", "Type."),
    _c("start_s", "int", "Morning bell.", "s after midnight"), _c("finish_s", "int", "Afternoon bell.", "s after midnight"),
    _c("religious_character", "string", "Religious character."), _c("places", "int", "Places.", "pupils"),
    _c("sen_places", "int", "SEN places.", "pupils"), _c("needs_served", "ids", "Needs served."),
))

NOT_ROUTED = Table("not_routed", "not_routed.csv", "eligible pupils given no vehicle, and why.", (
    _c("pupil_id", "string", "Pseudonymous id."), _c("reason_code", "string", "Outcome code."),
    _c("reason", "string", "Why."),
))

LOCATIONS = Table("locations", "locations.csv", "every place a vehicle stops, by index into the matrices.", (
    _c("location", "int", "Index into matrix.npz.", required=True),
    _c("kind", "string", "depot, school, home, stop or anywhere.", required=True),
    _c("ref", "string", "Depot name, URN, pupil id or stop id."),
    _c("lat", "float", "Latitude (empty for 'anywhere').", "degrees", required=True),
    _c("lon", "float", "Longitude.", "degrees", required=True),
))

FLEET = Table("fleet", "fleet.csv", "the vehicles one search was offered, one row per variant.", (
    _c("name", "string", "Variant name: type@depot, +PA with an assistant.", required=True),
    _c("catalogue_type", "string", "The catalogue type.", required=True),
    _c("depot", "string", "The depot."),
    _c("seats", "int", "Seats, the assistant's included.", "seats", required=True),
    _c("wheelchair_spaces", "int", "Wheelchair spaces.", "spaces", required=True),
    _c("has_assistant", "bool", "Carries a passenger assistant.", required=True),
    _c("count", "int", "Vehicles of this variant available.", "vehicles", required=True),
    _c("fixed_cost_pence", "int", "Price of using one for this run.", "pence", required=True),
    _c("cost_per_km_pence", "int", "Price per km.", "pence/km", required=True),
    _c("start", "int", "Start location.", required=True),
    _c("end", "int", "End location.", required=True),
    _c("max_duration_s", "int", "Longest time out, when limited.", "s"),
    _c("pool", "string", "The catalogue row (type@depot) whose vehicles this variant draws on."),
    _c("pool_size", "int", "Vehicles of the pool, with and without an assistant together.", "vehicles"),
))

REQUESTS = Table("requests", "requests.csv", "what one search was asked: carry these pupils from here to there.", (
    _c("request_id", "string", "Request id (a pupil id, or stop-school for a pick-up point group).", required=True),
    _c("members", "ids", "Pupils carried."),
    _c("group", "string", "The school (vehicles may mix schools only where policy allows)."),
    _c("partition", "string", "Requests of different partitions are routed separately, sharing the fleet."),
    _c("pickup", "int", "Pickup location (empty: loaded at the depot).", required=True),
    _c("delivery", "int", "Delivery location (empty: stays aboard).", required=True),
    _c("seats", "int", "Seats needed.", "seats", required=True),
    _c("wheelchairs", "int", "Wheelchair spaces needed.", "spaces", required=True),
    _c("pickup_earliest_s", "int", "Pickup window opens.", "s after midnight"),
    _c("pickup_latest_s", "int", "Pickup window closes.", "s after midnight"),
    _c("delivery_earliest_s", "int", "Delivery window opens.", "s after midnight"),
    _c("delivery_latest_s", "int", "Delivery window closes.", "s after midnight"),
    _c("max_ride_s", "int", "Longest ride, pickup departure to delivery.", "s"),
    _c("pickup_service_s", "int", "Time to board.", "s"),
    _c("delivery_service_s", "int", "Time to alight.", "s"),
    _c("needs_assistant", "bool", "Needs a passenger assistant aboard."),
    _c("travel_alone", "bool", "Nobody else aboard while this request is."),
))

INCOMPATIBLE = Table("incompatible", "incompatible.csv", "requests that must never share a vehicle.", (
    _c("a", "string", "Request id.", required=True), _c("b", "string", "Request id.", required=True),
))

ROUTES = Table("routes", "routes.csv", "one row per stop of every vehicle run.", (
    _c("run", "string", "AM or PM."),
    _c("vehicle", "string", "Vehicle run id, e.g. AM-001.", required=True),
    _c("vehicle_type", "string", "Fleet variant name.", required=True),
    _c("catalogue_type", "string", "Catalogue type."),
    _c("depot", "string", "Depot."),
    _c("has_assistant", "bool", "Carries a passenger assistant."),
    _c("sequence", "int", "Stop order, from 0 at the start.", required=True),
    _c("stop_kind", "string", "start, pickup, delivery or end.", required=True),
    _c("request_id", "string", "Request served here (empty at start and end).", required=True),
    _c("pupils", "ids", "Pupils boarding or alighting."),
    _c("group", "string", "School of the request."),
    _c("location", "int", "Location index.", required=True),
    _c("lat", "float", "Latitude.", "degrees"),
    _c("lon", "float", "Longitude.", "degrees"),
    _c("arrival_s", "int", "Arrival.", "s after midnight", required=True),
    _c("service_start_s", "int", "Boarding or alighting starts.", "s after midnight", required=True),
    _c("departure_s", "int", "Departure.", "s after midnight", required=True),
    _c("arrival", "clock", "Arrival.", "HH:MM"),
    _c("departure", "clock", "Departure.", "HH:MM"),
    _c("seats_load", "int", "Seats in use after the stop.", "seats", required=True),
    _c("wheelchair_load", "int", "Wheelchairs aboard after the stop.", "spaces", required=True),
    _c("ride_minutes", "float", "At a delivery: the ride since pickup.", "min"),
))

UNSERVED = Table("unserved", "unserved.csv", "requests a search left unserved, and why.", (
    _c("request_id", "string", "Request id.", required=True), _c("members", "ids", "Pupils."),
    _c("reason_code", "string", "Outcome code (see Pupil outcomes).", required=True), _c("reason", "string", "Why, and what would serve them."),
))

PRICED_ROUTES = Table("priced_routes", "budget/optimised_runs_priced.csv", "each optimised vehicle run and its annual price.", (
    _c("route_ref", "string", "Vehicle run reference, e.g. AM-001."), _c("run", "string", "AM or PM."),
    _c("vehicle_type", "string", "Catalogue type."), _c("depot", "string", "Depot (the operators there)."),
    _c("has_assistant", "bool", "Carries an assistant."), _c("pupils", "int", "Pupils carried.", "pupils"),
    _c("miles_per_day", "float", "Miles driven a day on this run, depot to depot.", "miles"),
    _c("vehicle_gbp", "float", "Vehicle: half the day price plus its miles, a year.", "£/year"),
    _c("assistant_gbp", "float", "Passenger assistant, a year.", "£/year"),
    _c("mileage_gbp", "float", "Mileage allowance, a year (none on a vehicle run).", "£/year"),
    _c("annual_gbp", "float", "Total a year.", "£/year"),
))

CONTRACTS_PRICED = Table("contracts_priced", "budget/today_contracts_priced.csv", "each of today's contracts and its annual price.", (
    _c("route_ref", "string", "Contract reference."), _c("operator", "string", "Operator."),
    _c("vehicle_type", "string", "Catalogue type, mileage_allowance, travel_pass or ptb."),
    _c("school_urn", "string", "School served."), _c("out_of_area", "bool", "The school lies beyond the road network."),
    _c("pupils", "int", "Pupils carried.", "pupils"), _c("has_assistant", "bool", "An assistant rides."),
    _c("assistant_included", "bool", "The assistant is paid within the day price."),
    _c("miles_per_day", "float", "Daily miles of a mileage allowance.", "miles"),
    _c("vehicle_gbp", "float", "Day price times school days (times the price multiplier), or the annual price.", "£/year"),
    _c("assistant_gbp", "float", "An assistant paid on top of the day price, a year.", "£/year"),
    _c("mileage_gbp", "float", "Mileage allowance, a year.", "£/year"),
    _c("annual_gbp", "float", "Total a year.", "£/year"),
    _c("end_date", "date", "Last day of the contract."), _c("notice_days", "int", "Days' notice to end it early.", "days"),
))

RIDE_SHARES = Table("ride_shares", "budget/ride_shares.csv", "each pupil's share of each run or contract they ride.", (
    _c("pupil_id", "string", "Pseudonymous id."), _c("route_ref", "string", "Vehicle run or contract."),
    _c("run", "string", "AM, PM or AM+PM."), _c("vehicle_type", "string", "Catalogue type, allowance, pass or budget."),
    _c("operator", "string", "Operator (a depot's operators for an optimised run)."),
    _c("riders", "float", "Riders sharing the price, each weighted by the part of the year they ride.", "pupils"),
    _c("annual_gbp", "float", "The pupil's share of the run's or contract's annual price.", "£/year"),
    _c("assistant_gbp", "float", "The part of that share paying an assistant on top of a day price.", "£/year"),
))

BUDGET_PUPILS = Table("budget_pupils", "budget/pupils.csv",
                      "one row per pupil needing transport (and each pupil carried today who does not): both plans, costed.", (
    _c("pupil_id", "string", "Pseudonymous id."),
    _c("needs_transport", "bool", "Eligible for transport in this scenario."),
    _c("send", "bool", "Has an EHC plan or a SEND need (the SEND segment of the forecast)."),
    _c("age", "int", "Age at 31 August of the academic year.", "years"),
    _c("today_school_urn", "string", "School today (before any move to new provision)."),
    _c("school_urn", "string", "School in the optimised plan."),
    _c("need", "string", "SEND need, or none."),
    _c("today_mode", "string", "Today's arrangement: the contract's vehicle type, mileage_allowance, travel_pass, ptb, "
       "solo_estimate, or none."),
    _c("today_refs", "ids", "Today's contracts."),
    _c("today_operator", "string", "Today's operator (the kind of arrangement when it has none)."),
    _c("today_annual_gbp", "float", "Share of today's contract(s), or the solo estimate: riders share a contract's annual "
       "price equally, each weighted by the part of the year they ride.", "£/year"),
    _c("today_assistant_gbp", "float", "The part of it paying an assistant on top of a day price.", "£/year"),
    _c("optimised_mode", "string", "Arrangement in the optimised plan: the morning run's vehicle type, or the arrangement "
       "kept (see flag)."),
    _c("optimised_refs", "ids", "Optimised runs ridden (or the arrangement kept)."),
    _c("optimised_operator", "string", "The depot of the morning run (or the arrangement kept)."),
    _c("optimised_annual_gbp", "float", "Share of the optimised runs ridden: each run's annual price shared equally by its "
       "riders, each weighted by the part of the year they ride; a run not served keeps today's arrangement for it.",
       "£/year"),
    _c("optimised_assistant_gbp", "float", "The part of it paying an assistant.", "£/year"),
    _c("change_gbp", "float", "Optimised minus today.", "£/year"),
    _c("share_of_year", "float", "Part of the year the pupil is eligible (eligibility's eligible_share_of_year; 1 when absent)."),
    _c("ride_today_min", "float", "Estimated morning ride today: pick-ups farthest first, then school.", "min"),
    _c("ride_optimised_min", "float", "Morning ride on the optimised run.", "min"),
    _c("flag", "ids", "Budget flags (see BUDGET_FLAGS)."),
    _c("basis", "string", "How both figures were reached."),
))

SAVINGS_PLAN = Table("savings_plan", "budget/savings_plan.csv", "per contract today: its replacement, saving, and when the saving lands.", (
    _c("route_ref", "string", "Today's contract (empty: pupils on no contract)."), _c("operator", "string", "Operator."),
    _c("vehicle_type", "string", "Vehicle type or arrangement."), _c("school_urn", "string", "School served."),
    _c("segment", "string", "send or mainstream: most of its pupils."), _c("pupils", "int", "Pupils carried.", "pupils"),
    _c("today_annual_gbp", "float", "The contract's annual price (its pupils' shares).", "£/year"),
    _c("replacement_runs", "ids", "Optimised runs its pupils ride instead."),
    _c("optimised_annual_gbp", "float", "Its pupils' shares of those runs (or what they keep).", "£/year"),
    _c("annual_saving_gbp", "float", "Today minus optimised, a full year at today's prices.", "£/year"),
    _c("end_date", "date", "Last day of the contract."), _c("notice_days", "int", "Days' notice to end it early.", "days"),
    _c("relet_from", "date", "Earliest day it can be re-let: after its end date, or after notice served at the start of "
       "year 1 if sooner; never before year 1."),
    _c("first_year", "string", "First financial year in which the saving lands."),
    _c("ride_today_min", "float", "Mean estimated morning ride of its pupils today.", "min"),
    _c("ride_optimised_min", "float", "Mean morning ride of its pupils on the replacement runs.", "min"),
    _c("ride_change_min", "float", "Optimised minus today.", "min"),
    _c("flag", "ids", "Savings flags (see SAVINGS_FLAGS)."), _c("action", "string", "What to do, and when."),
))

SAVINGS_PHASING = Table("savings_phasing", "budget/savings_by_year.csv", "each contract's saving in each financial year.", (
    _c("route_ref", "string", "Today's contract."), _c("segment", "string", "send or mainstream."),
    _c("financial_year", "string", "April to March, e.g. 2026-27."), _c("year", "int", "Years after year 0."),
    _c("landed_share", "float", "Share of the year's school days on or after the day it can be re-let."),
    _c("saving_gbp", "float", "The annual saving times the landed share, at today's prices.", "£"),
))

COHORT = Table("cohort", "budget/cohort.csv", "today's cohort by segment and age: the base of the forecast's roll-forward.", (
    _c("segment", "string", "send or mainstream."), _c("age", "int", "Age at 31 August.", "years"),
    _c("pupils", "int", "Pupils of the cohort.", "pupils"), _c("transported", "int", "Of them, needing transport (or "
       "carried today).", "pupils"),
    _c("take_up", "float", "Transported per pupil of the age's phase (primary 4-10, secondary 11-15, post-16 16+)."),
    _c("gbp_per_transported", "float", "Today's cost per transported pupil of the phase.", "£/year"),
))

COHORT_PROJECTION = Table("cohort_projection", "budget/cohort_projection.csv", "pupils by segment and age in each year.", (
    _c("segment", "string", "send or mainstream."), _c("age", "int", "Age at 31 August.", "years"),
    _c("year", "int", "Years after year 0."), _c("financial_year", "string", "Financial year."),
    _c("pupils", "float", "Pupils: last year's pupils a year younger times today's ratio of the two ages (cohort "
       "survival); Reception from the intake assumption.", "pupils"),
))


def breakdown_table(by: str, extra: tuple[Column, ...] = ()) -> Table:
    """The budget's breakdown by school, need, mode or operator: today's beside the optimised plan's."""
    return Table(f"by_{by}", f"budget/by_{by}.csv", f"annual cost and pupils by {by.replace('_', ' ')}, both plans.", (
        _c(by, "string", "The group."), *extra,
        _c("today_pupils", "int", "Pupils in the group today.", "pupils"),
        _c("today_annual_gbp", "float", "Their cost today: a sum of budget/pupils.csv.", "£/year"),
        _c("optimised_pupils", "int", "Pupils in the group in the optimised plan.", "pupils"),
        _c("optimised_annual_gbp", "float", "Their cost in the optimised plan: a sum of budget/pupils.csv.", "£/year"),
        _c("change_gbp", "float", "Optimised minus today.", "£/year"),
    ))


CONTRACT_FLAGS = Table("contract_flags", "budget/contracts_flagged.csv", "contracts and pupils to look at.", (
    _c("route_ref", "string", "Contract."), _c("pupil_id", "ids", "Pupils concerned."),
    _c("flag", "string", "NOT_ELIGIBLE, NO_CONTRACT or ON_TWO_CONTRACTS."), _c("detail", "string", "What is wrong."),
))

FORECAST = Table("forecast", "budget/forecast.csv", "the MTFS forecast by financial year, with uncertainty bands.", (
    _c("financial_year", "string", "April to March, e.g. 2026-27."), _c("year", "int", "Years after year 0 (0 = the baseline)."),
    _c("send_demand_gbp", "float", "SEND cost at today's prices for the rolled-forward cohort.", "£"),
    _c("mainstream_demand_gbp", "float", "Mainstream cost at today's prices for the rolled-forward cohort.", "£"),
    _c("send_cost_gbp", "float", "SEND: demand times EHC plan growth, priced with contract and assistant pay inflation.", "£"),
    _c("mainstream_cost_gbp", "float", "Mainstream: demand times mainstream growth, priced likewise.", "£"),
    _c("staff_overhead_gbp", "float", "The transport team, with pay inflation.", "£"),
    _c("gross_gbp", "float", "Before savings.", "£"), _c("savings_gbp", "float", "Savings landed, grown and priced likewise.", "£"),
    _c("central_gbp", "float", "Gross minus savings at the P50 assumptions.", "£"),
    _c("p10_gbp", "float", "10th percentile of the Monte Carlo.", "£"), _c("p50_gbp", "float", "Median.", "£"),
    _c("p90_gbp", "float", "90th percentile.", "£"),
))

ASSUMPTIONS = Table("assumptions", "budget/assumptions.csv", "every assumption behind a figure, with its source.", (
    _c("assumption", "string", "Setting."), _c("value", "string", "Value."), _c("unit", "string", "Unit."),
    _c("meaning", "string", "What it means."), _c("source", "string", "Where it comes from."),
))

BUDGET_LINES = Table("budget_summary", "budget/summary.csv", "the budget's headline lines, read first.", (
    _c("line", "string", "What the line covers."), _c("value", "float", "Amount (pounds a year unless the note says)."),
    _c("note", "string", "What it covers and where it comes from."),
))

ROUTE_SHEET = Table("route_sheet", "route_sheets/<vehicle>.csv", "an operator's running order for one vehicle run.", (
    _c("order", "int", "Stop order, from 0 at the depot.", required=True),
    _c("time", "clock", "Time at the stop.", "HH:MM", required=True),
    _c("action", "string", "Leave depot, Pick up, Drop off or Return to depot.", required=True),
    _c("at", "string", "Where, by name: the pick-up point, the school, the depot; a door-to-door stop gives the street "
       "only (the house number is on the council's own list).", required=True),
    _c("stop_id", "string", "Pick-up point id (empty elsewhere)."),
    _c("pupils", "ids", "Pupils boarding or alighting (pseudonymous ids)."),
    _c("needs", "string", "wheelchair, assistant, travels alone."),
    _c("school", "string", "School of the pupils."),
    _c("load", "int", "Seats in use after the stop.", "seats"),
    _c("wheelchairs", "int", "Wheelchairs aboard after the stop.", "spaces"),
    _c("ride_min", "float", "Ride at drop-off.", "min"),
))

COMPARISON_BY_SCHOOL = Table("comparison_by_school", "comparison_by_school.csv",
                             "`transport compare`: each scenario's optimised cost by school, and its change from the base "
                             "(the first scenario).", (
    _c("scenario", "string", "Scenario name."),
    _c("school_urn", "string", "School (or new provision) the pupils attend in the scenario's optimised plan."),
    _c("school_name", "string", "Its name."),
    _c("pupils_transported", "int", "Pupils with a cost in the optimised plan (budget/pupils.csv).", "pupils"),
    _c("optimised_annual_gbp", "float", "Their annual cost in the optimised plan, at today's prices: a sum of "
       "budget/pupils.csv (the transport team is not by school).", "£/year"),
    _c("pupils_change_vs_base", "int", "Pupils transported less the base's at this school.", "pupils"),
    _c("change_vs_base_gbp", "float", "Annual cost less the base's at this school.", "£/year"),
))

COMPARISON_BY_ROUTE = Table("comparison_by_route", "comparison_by_route.csv",
                            "`transport compare`: the vehicle runs that differ from the base's, compared by content "
                            "(run, vehicle, and each stop's place and pupils, in order; times are not compared).", (
    _c("scenario", "string", "Scenario name."),
    _c("only_in", "string", "scenario (a run the base does not have) or base (a base's run the scenario does not have)."),
    _c("run", "string", "AM or PM."),
    _c("route_ref", "string", "The vehicle run's reference in the scenario (or the base) it belongs to, e.g. AM-003."),
    _c("vehicle_type", "string", "Fleet variant: catalogue type@depot, +PA with an assistant."),
    _c("pupils", "ids", "Pupils carried."),
    _c("places", "string", "Stops in order, by name (' > '-separated; a home by its street and town only)."),
    _c("annual_gbp", "float", "The run's annual price (budget/optimised_runs_priced.csv).", "£/year"),
    _c("change_gbp", "float", "Its part of the change: the price for a run only in the scenario, minus it for one only in "
       "the base.", "£/year"),
))

#: Tables documented in the README (inputs people prepare, and the outputs scripts read).
DOCUMENTED: tuple[Table, ...] = (PUPILS, SCHOOLS, VEHICLES, CONTRACTS, ELIGIBILITY, ELIGIBILITY_ACTIONS, ROUTES, UNSERVED,
                                  BUDGET_PUPILS, SAVINGS_PLAN, FORECAST, STOPS, ROUTE_SHEET,
                                  COMPARISON_BY_SCHOOL, COMPARISON_BY_ROUTE)


def markdown(tables: Iterable[Table] = DOCUMENTED) -> str:
    """The README's column tables, one after another."""
    return "\n\n".join(t.markdown() for t in tables)
