"""Every outcome code the product reports, in one place (also in the README).

A pupil is not eligible (and why), eligible and transported (on which run), or eligible
and unserved (and why). Contracts carry flags, and each search ends with a status. Codes
are stable for scripts; sentences are for people.
"""

from __future__ import annotations

ELIGIBILITY_REASONS: dict[str, str] = {
    # eligible
    "SEND_MOBILITY": "Eligible: special educational needs, disability or mobility mean the pupil cannot reasonably be expected to walk, whatever the distance.",
    "POST16_SEND": "Eligible under the council's discretionary post-16 policy for pupils with SEND.",
    "UNSAFE_ROUTE": "Eligible: the walking route to the nearest suitable school is assessed as unsafe.",
    "DISTANCE_UNDER_8": "Eligible: under 8 and the walking route to the nearest suitable school is more than {limit} miles ({miles:.2f} miles).",
    "DISTANCE_8_PLUS": "Eligible: aged 8 or over and the walking route to the nearest suitable school is more than {limit} miles ({miles:.2f} miles).",
    "POST16_DISTANCE": "Eligible under the council's discretionary post-16 policy: the walking route is more than {limit} miles ({miles:.2f} miles).",
    "LOW_INCOME_PRIMARY": "Eligible (extended rights, low income): aged 8 to 10 and the nearest suitable school is more than 2 miles away ({miles:.2f} miles).",
    "LOW_INCOME_SECONDARY": "Eligible (extended rights, low income): aged 11 to 15 and the school is one of the three nearest suitable schools, between 2 and 6 miles ({miles:.2f} miles).",
    "LOW_INCOME_RELIGIOUS": "Eligible (extended rights, low income): the nearest school preferred on grounds of religion or belief, between 2 and 15 miles ({miles:.2f} miles).",
    # not eligible
    "WITHIN_WALKING_DISTANCE": "Not eligible: the walking route is within the statutory walking distance of {limit} miles ({miles:.2f} miles).",
    "NOT_NEAREST_SUITABLE": "Not eligible: a nearer suitable school ({nearest}, {nearest_miles:.2f} miles) is available; transport is provided only to the nearest suitable school.",
    "BELOW_COMPULSORY_AGE": "Not eligible: below compulsory school age ({age} at 31 August).",
    "POST16_NOT_COVERED": "Not eligible: over compulsory school age ({age} at 31 August) and the council's post-16 policy does not cover this pupil.",
}

ELIGIBLE_CODES = frozenset(
    {"SEND_MOBILITY", "POST16_SEND", "UNSAFE_ROUTE", "DISTANCE_UNDER_8", "DISTANCE_8_PLUS", "POST16_DISTANCE",
     "LOW_INCOME_PRIMARY", "LOW_INCOME_SECONDARY", "LOW_INCOME_RELIGIOUS"}
)

UNSERVED_REASONS: dict[str, str] = {
    "RIDE_TIME_TOO_LONG": "Direct journey of {direct_min:.0f} min already exceeds the {limit_min:.0f} min limit.",
    "NO_WHEELCHAIR_VEHICLE": "No vehicle type in the catalogue has a wheelchair space.",
    "NO_ASSISTANT_VEHICLE": "No vehicle type can carry a passenger assistant with this pupil.",
    "NO_VEHICLE_AVAILABLE": "No vehicle left that could reach the school in its time window.",
    "TIME_WINDOW": "No vehicle could collect the pupil and reach the school within the bell-time window.",
    "SOLVER_LEFT_UNSERVED": "The optimiser found no place for this pupil within the time limit (try a longer --time-limit).",
}

#: An eligible pupil who is given no vehicle at all (listed in not_routed.csv).
NOT_ROUTED = "NOT_ROUTED"
NOT_ROUTED_REASON = "Eligible but not given a vehicle."

#: Flags on today's contracts (the budget's "contracts flagged" sheet).
CONTRACT_FLAGS: dict[str, str] = {
    "NOT_ELIGIBLE": "Pupils on this contract are not eligible now.",
    "NO_CONTRACT": "Eligible pupil with no current contract.",
    "ON_TWO_CONTRACTS": "The same pupil is carried by more than one contract: one may be paid for nothing.",
}

#: How a search (or a partitioned run of searches) ended.
SOLVER_STATUSES: dict[str, str] = {
    "OK": "Routes found; every request the fleet could serve was searched.",
    "NOTHING_TO_ROUTE": "No request could be served by any vehicle; all are explained as unserved.",
    "NO_SOLUTION_FOUND": "The search found no first solution; every request is listed as unserved.",
}

#: The routing library's own status codes, by number, as `summary.json` reports them.
ROUTING_STATUSES: dict[int, str] = {
    0: "NOT_SOLVED", 1: "SUCCESS", 2: "PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED", 3: "FAIL", 4: "FAIL_TIMEOUT",
    5: "INVALID", 6: "INFEASIBLE", 7: "OPTIMAL",
}

#: Flags on a pupil's line of the budget (budget/pupils.csv): how a cost was reached when it
#: is not simply a share of a contract today and of an optimised run.
BUDGET_FLAGS: dict[str, str] = {
    "OUT_OF_AREA": "Attends a school beyond the road network: priced from today's contract in both plans, never routed.",
    "OUT_OF_AREA_NO_CONTRACT": "Attends a school beyond the road network and no contract carries the pupil: both plans carry a "
                               "solo estimate over the straight-line distance times a road factor.",
    "NO_CONTRACT_TODAY": "Eligible and on no contract today (an in-year starter, or newly eligible in this scenario): "
                         "today's cost is the catalogue's solo estimate.",
    "UNROUTED_KEEPS_TODAY": "The optimiser could not route this pupil on a run (see runs/*/unserved.csv): for that run the "
                            "optimised plan keeps today's arrangement.",
    "UNROUTED_SOLO_ESTIMATE": "The optimiser could not route this pupil on a run and no contract carries the pupil: for that "
                              "run the optimised plan carries the catalogue's solo estimate.",
    "NOT_ELIGIBLE_CARRIED": "Carried on today's contract but not eligible now: a cost today, none in the optimised plan.",
    "MOVED_TO_NEW_PROVISION": "Moved to new provision in this scenario: today's school is the one before the move.",
    "NOT_COSTED": "No vehicle of the catalogue can carry this pupil, so no solo estimate exists: not costed.",
}

#: Flags on a line of the savings plan (budget/savings_plan.csv).
SAVINGS_FLAGS: dict[str, str] = {
    "NO_END_DATE": "Neither an end date nor a notice period is known: the saving is counted in no year until one is given.",
    "OUT_OF_AREA": "An out-of-area placement: kept as it is, no saving.",
    "COSTS_MORE": "Its pupils cost more in the optimised plan than on this contract: review before re-letting.",
    "NO_CONTRACT": "Pupils on no contract today: the optimised plan serves them from the start of year 1.",
    "NOT_ELIGIBLE_CARRIED": "Carries pupils who are not eligible now: their seats go when the contract is re-let.",
}
