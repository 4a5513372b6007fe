"""Every outcome code the product reports, in one place (also in the README).

A pupil is not eligible (and why), eligible and transported (on which run), or eligible
and unserved (and why). Contracts carry flags, and each search ends with a status. Codes
are stable for scripts; sentences are for people.
"""

from __future__ import annotations

ELIGIBILITY_REASONS: dict[str, str] = {
    # eligible: statutory
    "SEND_MOBILITY": "Eligible: an assessment found that special educational needs, disability or mobility mean the pupil cannot reasonably be expected to walk to the nearest suitable school, whatever the distance.",
    "UNSAFE_ROUTE": "Eligible: the walking route to the nearest suitable school is assessed as unsafe.",
    "DISTANCE_UNDER_8": "Eligible: under 8 and the walking route to the nearest suitable school is more than {limit} miles ({miles:.2f} miles).",
    "DISTANCE_8_PLUS": "Eligible: aged 8 or over and the walking route to the nearest suitable school is more than {limit} miles ({miles:.2f} miles).",
    "NO_PLACE_AT_NEARER_SCHOOL": "Eligible: the nearer school(s) ({refused}) had no place for the pupil, so this is the nearest suitable school with a place, and the walking route is more than {limit} miles ({miles:.2f} miles).",
    "LOW_INCOME_PRIMARY": "Eligible (extended rights, low income): aged 8 to 10 and the nearest suitable school is more than 2 miles away ({miles:.2f} miles).",
    "LOW_INCOME_SECONDARY": "Eligible (extended rights, low income): aged 11 to 16, the school is one of the three nearest suitable schools ({three}), more than 2 miles walking ({miles:.2f} miles) and not more than 6 miles by the {measure} route ({upper_miles:.2f} miles).",
    "LOW_INCOME_RELIGIOUS": "Eligible (extended rights, low income): the nearest suitable {faith} school, preferred on grounds of religion or belief, more than 2 miles walking ({miles:.2f} miles) and not more than 15 miles by the {measure} route ({upper_miles:.2f} miles).",
    "ADULT_LEARNER_19_25": "Eligible (s508F): an adult learner aged 19 to 25 with an EHC plan assessed as needing transport; it is free of charge.",
    # eligible: the council's discretion
    "SEND_PRESUMED_DISCRETIONARY": "Eligible under the council's discretionary policy: a pupil with an EHC plan is presumed unable to walk to school until assessed (not a statutory decision).",
    "RECEPTION_DISCRETIONARY": "Eligible under the council's discretionary policy for Reception: below compulsory school age (which starts on {compulsory_from}), decided as for a pupil of compulsory age.",
    "POST16_SEND": "Eligible under the council's post-16 transport policy for students with SEND who cannot reasonably walk.{contribution}",
    "POST16_DISTANCE": "Eligible under the council's post-16 transport policy: the walking route to the nearest post-16 provision is more than {limit} miles ({miles:.2f} miles).{contribution}",
    # not eligible
    "WITHIN_WALKING_DISTANCE": "Not eligible: the walking route is within the statutory walking distance of {limit} miles ({miles:.2f} miles).",
    "NOT_NEAREST_SUITABLE": "Not eligible: a nearer suitable school ({nearest}, {nearest_miles:.2f} miles) is available; transport is provided only to the nearest suitable school.",
    "SEND_NOT_NEAREST_SUITABLE": "Not eligible: the pupil cannot reasonably be expected to walk, but a nearer suitable school ({nearest}, {nearest_miles:.2f} miles) is available; transport is provided only to the nearest suitable school.",
    "PARENTAL_PREFERENCE": "Not eligible: the EHC plan names this school at the parents' preference, and a nearer suitable school ({nearest}, {nearest_miles:.2f} miles) is available, so the parents arrange transport.",
    "SEND_ASSESSMENT_NEEDED": "Not eligible yet: an EHC plan or a disability alone gives no right to transport; an officer must assess whether the pupil can reasonably be expected to walk to school, accompanied if necessary.",
    "ROUTE_NOT_MEASURED": "Not eligible yet: the route to the school attended ({school}) could not be measured on the network (the school is beyond the map extract); an officer must measure it.",
    "BELOW_COMPULSORY_AGE": "Not eligible: below compulsory school age ({age} on {on}).",
    "POST16_NOT_COVERED": "Not eligible: over compulsory school age ({age} on {on}) and the council's post-16 transport policy does not cover this student.",
}

ELIGIBLE_CODES = frozenset(
    {"SEND_MOBILITY", "UNSAFE_ROUTE", "DISTANCE_UNDER_8", "DISTANCE_8_PLUS", "NO_PLACE_AT_NEARER_SCHOOL",
     "LOW_INCOME_PRIMARY", "LOW_INCOME_SECONDARY", "LOW_INCOME_RELIGIOUS", "ADULT_LEARNER_19_25",
     "SEND_PRESUMED_DISCRETIONARY", "RECEPTION_DISCRETIONARY", "POST16_SEND", "POST16_DISTANCE"}
)

#: Decisions made on the council's discretion, not the statute (labelled so in reports).
DISCRETIONARY_CODES = frozenset({"SEND_PRESUMED_DISCRETIONARY", "RECEPTION_DISCRETIONARY", "POST16_SEND", "POST16_DISTANCE"})

#: Decisions that wait for an officer, and what to do (eligibility_actions.csv).
ELIGIBILITY_ACTIONS: dict[str, str] = {
    "SEND_ASSESSMENT_NEEDED": "Assess whether the pupil can reasonably be expected to walk to school (Sch 35B paras 2, 6); "
                              "record yes or no in the pupils file's cannot_walk column and decide again.",
    "ROUTE_NOT_MEASURED": "Measure the walking route to the school (it lies beyond the network extract), or run with a "
                          "network that reaches it.",
    "ROUTE_ESTIMATED": "The school lies beyond the network extract, so this decision rests on estimated distances: "
                       "measure the routes before confirming it to the family.",
}

UNSERVED_REASONS: dict[str, str] = {
    "RIDE_TIME_TOO_LONG": "Direct journey of {direct_min:.0f} min already exceeds the {limit_min:.0f} min limit.",
    "NO_WHEELCHAIR_VEHICLE": "No vehicle type in the catalogue has a wheelchair space.",
    "NO_ASSISTANT_VEHICLE": "No vehicle type can carry a passenger assistant with this pupil.",
    "NO_VEHICLE_AVAILABLE": "Every vehicle that could carry this pupil is in use on other routes.",
    "NO_ASSISTANT_AVAILABLE": "Every passenger assistant that can be hired is in use on other routes.",
    "TIME_WINDOW": "No vehicle could collect the pupil and reach the school within the bell-time window.",
    "SOLVER_LEFT_UNSERVED": "The search found no place for this pupil on any route.",
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
