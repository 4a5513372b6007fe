"""Fewer routes: empty one route at a time by ejection chains, before the search prices distance.

A vehicle's day price dominates a council's bill, and OR-Tools' moves rarely empty a route: a
route's last requests have to go somewhere, and making room for them means reshuffling other
routes first, which no single move does while the fixed price outweighs everything else. This
module does what route-minimisation heuristics do (the ejection pool of Nagata and Bräysy,
"A powerful route minimization heuristic for the vehicle routing problem with time windows",
Operations Research Letters 37, 2009, and its pickup-and-delivery form in Nagata and
Kobayashi, 2010): take one route's requests out into a pool; put each back where it fits; when
it fits nowhere, push out the cheapest few requests of one route that make room, where a
request's price is how often it has failed to fit, so that hard requests go in first and easy
ones make room; shake the routes with random feasible moves between steps. When the pool
empties, the solution has one route fewer, and the next route is emptied the same way.

It works on homogeneous fleets: one vehicle type, no assistants, wheelchair users or pupils who
must travel alone, no incompatible pairs (`applies`). Routes are sequences of the routing
model's node numbers. Every route it returns has passed `route_ok`, a full timing and loading
of the route; the caller reads the routes back into OR-Tools, which checks them again.
"""

from __future__ import annotations

import logging
import random
import time as clock
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from transport.optimise.problem import RoutingProblem

log = logging.getLogger(__name__)

#: At most this many requests pushed out of one route to make room for one.
MAX_EJECTED = 2
#: Random moves that shake the routes after each ejection.
SHAKE_MOVES = 10


def covers(problem: RoutingProblem) -> bool:
    """Whether `route_ok` is the whole of the model's constraints: one vehicle type, no
    assistants, wheelchair users, pupils who travel alone or incompatible pairs."""
    if len(problem.vehicle_types) != 1 or problem.incompatible:
        return False
    vt = problem.vehicle_types[0]
    if vt.has_assistant or vt.count < 2:
        return False
    return not any(r.wheelchairs or r.needs_assistant or r.travel_alone or (r.pickup is not None and r.delivery is None)
                   for r in problem.requests)


def applies(problem: RoutingProblem) -> bool:
    """Whether emptying routes is checked by `route_ok` and worth doing: vehicles have a price."""
    return covers(problem) and problem.vehicle_types[0].fixed_cost > 0


@dataclass(slots=True)
class Nodes:
    """The routing model's nodes as plain lists (fast to index in Python)."""

    time: list[list[int]]  # node to node travel time, service not included
    dist: list[list[int]]
    early: list[int]
    late: list[int]
    service: list[int]
    load: list[int]  # seats: + at a pickup, - at its delivery, + at a delivery loaded at the depot
    partner: list[int]  # the pair's other node, -1 for a delivery loaded at the depot
    is_pickup: list[bool]
    max_ride: list[int]  # at a pickup: the ride limit (service end to delivery start), -1 for none
    capacity: int
    start: int
    end: int
    horizon: int
    max_duration: int  # -1 for none


def nodes_of(problem: RoutingProblem, built) -> Nodes:
    """The lists `Nodes` holds, read from a built model of `problem`."""
    n = len(built.node_location)
    loc = built.node_location
    horizon = int(problem.horizon_s)
    early, late = [0] * n, [horizon] * n
    load, partner, is_pickup, max_ride = [0] * n, [-1] * n, [False] * n, [-1] * n
    for r, req in enumerate(problem.requests):
        p, d = built.pickup_node.get(r), built.delivery_node.get(r)
        if p is not None:
            early[p], late[p] = req.pickup_window or (0, horizon)
            load[p], is_pickup[p], partner[p] = req.seats, True, d
            max_ride[p] = -1 if req.max_ride_s is None else int(req.max_ride_s)
        if d is not None:
            early[d], late[d] = req.delivery_window or (0, horizon)
            load[d] = -req.seats if p is not None else req.seats
            partner[d] = -1 if p is None else p
    vt = problem.vehicle_types[0]
    start = built.manager.IndexToNode(built.routing.Start(0))
    end = built.manager.IndexToNode(built.routing.End(0))
    return Nodes(
        time=problem.time_s[np.ix_(loc, loc)].tolist(), dist=problem.distance_m[np.ix_(loc, loc)].tolist(),
        early=[int(e) for e in early], late=[min(int(v), horizon) for v in late],
        service=[int(s) for s in built.node_service], load=load, partner=partner, is_pickup=is_pickup,
        max_ride=max_ride, capacity=vt.usable_seats, start=start, end=end, horizon=horizon,
        max_duration=-1 if vt.max_duration_s is None else int(vt.max_duration_s))


def route_ok(nodes: Nodes, seq: list[int]) -> bool:
    """The whole check of one route: windows, seats, ride limits, precedence and duration, timed
    from the latest start that waits nowhere before the first stop."""
    t = nodes.time
    if not seq:
        return True
    first = seq[0]
    depart = max(0, nodes.early[first] - t[nodes.start][first])
    now, prev, load = depart, nodes.start, 0
    begun: dict[int, int] = {}
    for node in seq:
        now = max(now + nodes.service[prev] + t[prev][node], nodes.early[node])
        if now > nodes.late[node]:
            return False
        load += nodes.load[node]
        if load > nodes.capacity:
            return False
        other = nodes.partner[node]
        if nodes.is_pickup[node]:
            begun[node] = now
        elif other >= 0:
            if other not in begun:
                return False
            limit = nodes.max_ride[other]
            if limit >= 0 and now - (begun[other] + nodes.service[other]) > limit:
                return False
        prev = node
    now += nodes.service[prev] + t[prev][nodes.end]
    if now > nodes.horizon:
        return False
    return nodes.max_duration < 0 or now - depart <= nodes.max_duration


class Schedule:
    """One route's earliest service starts, latest feasible starts and loads, for quick insertion
    checks. `stops` is the route with its end depot appended, `latest` likewise (the horizon)."""

    __slots__ = ("seq", "stops", "begin", "latest", "load")

    def __init__(self, nodes: Nodes, seq: list[int]) -> None:
        t, svc = nodes.time, nodes.service
        self.seq = seq
        self.stops = [*seq, nodes.end]
        begin, load = [], []
        now, prev, seats = 0, nodes.start, 0
        for node in seq:
            now = max(now + svc[prev] + t[prev][node], nodes.early[node])
            seats += nodes.load[node]
            begin.append(now)
            load.append(seats)
            prev = node
        latest = [0] * len(seq) + [nodes.horizon]
        nxt, bound = nodes.end, nodes.horizon
        for k in range(len(seq) - 1, -1, -1):
            node = seq[k]
            bound = min(nodes.late[node], bound - svc[node] - t[node][nxt])
            latest[k] = bound
            nxt = node
        self.begin, self.latest, self.load = begin, latest, load


def insertions(nodes: Nodes, sched: Schedule, first: int, second: int) -> list[tuple[int, int, int]]:
    """Every place the request (`first` then `second`, or `first` alone when `second` is -1)
    fits by windows and seats: (added distance, position of first, position of second), the
    positions counted in the route without the request. Ride limits and duration are left to
    `route_ok`. (Comparisons stand in for `max` here: this loop is the hot spot of both
    heuristics.) A position is given up once the request would start after its window there
    (later positions only start later where travel times obey the triangle inequality; where
    they do not, a place may be missed, never a wrong one taken)."""
    t, d, svc, early, late = nodes.time, nodes.dist, nodes.service, nodes.early, nodes.late
    stops, begin, load, latest = sched.stops, sched.begin, sched.load, sched.latest
    n = len(sched.seq)
    q, cap = nodes.load[first], nodes.capacity
    found: list[tuple[int, int, int]] = []
    if second < 0 and (load[-1] if n else 0) + q > cap:
        return found  # a delivery loaded at the depot adds to the load of the whole route
    prev, prev_done = nodes.start, 0
    for i in range(n + 1):
        if i:
            prev = stops[i - 1]
            prev_done = begin[i - 1] + svc[prev]
        at = prev_done + t[prev][first]
        if at < early[first]:
            at = early[first]
        if at > late[first]:
            break
        nxt = stops[i]
        if second < 0:
            if at + svc[first] + t[first][nxt] <= latest[i] and early[nxt] <= latest[i]:
                found.append((d[prev][first] + d[first][nxt] - d[prev][nxt], i, i))
            continue
        if i and load[i - 1] + q > cap:
            continue
        # walk on from `first` with it aboard, trying `second` before each later stop
        now, last = at, first
        opened = d[prev][first] + d[first][nxt] - d[prev][nxt]
        for j in range(i, n + 1):
            at2 = now + svc[last] + t[last][second]
            if at2 < early[second]:
                at2 = early[second]
            if at2 > late[second]:
                break
            after = stops[j]
            if at2 + svc[second] + t[second][after] <= latest[j] and early[after] <= latest[j]:
                if j == i:
                    added = d[prev][first] + d[first][second] + d[second][after] - d[prev][after]
                else:
                    added = opened + d[last][second] + d[second][after] - d[last][after]
                found.append((added, i, j))
            if j == n:
                break
            now += svc[last] + t[last][after]
            if now < early[after]:
                now = early[after]
            if now > latest[j] or load[j] + q > cap:
                break
            last = after
    return found


def with_request(seq: list[int], first: int, second: int, i: int, j: int) -> list[int]:
    """`seq` with `first` placed before position i and `second` before position j (of `seq`)."""
    if second < 0:
        return seq[:i] + [first] + seq[i:]
    return seq[:i] + [first] + seq[i:j] + [second] + seq[j:]


def fitted(nodes: Nodes, seq: list[int], first: int, second: int, places: list[tuple[int, int]]) -> list[int] | None:
    """`seq` with the request at the first of `places` where the whole route passes `route_ok`, or None."""
    for i, j in places:
        candidate = with_request(seq, first, second, i, j)
        if route_ok(nodes, candidate):
            return candidate
    return None


class Routes:
    """A set of routes being reshaped, with each route's schedule kept until it changes."""

    def __init__(self, nodes: Nodes, routes: list[list[int]], rng: random.Random) -> None:
        self.nodes = nodes
        self.routes = [list(r) for r in routes if r]
        self.schedules: list[Schedule | None] = [None] * len(self.routes)
        self.rng = rng

    def set(self, k: int, seq: list[int]) -> None:
        self.routes[k] = seq
        self.schedules[k] = None

    def drop(self, k: int) -> None:
        del self.routes[k]
        del self.schedules[k]

    def snapshot(self) -> tuple[list[list[int]], list[Schedule | None]]:
        """The routes and their schedules as they are, for `restore` (schedules never change in place)."""
        return [list(r) for r in self.routes], list(self.schedules)

    def restore(self, saved: tuple[list[list[int]], list[Schedule | None]]) -> None:
        self.routes, self.schedules = saved

    def schedule(self, k: int) -> Schedule:
        sched = self.schedules[k]
        if sched is None:
            sched = self.schedules[k] = Schedule(self.nodes, self.routes[k])
        return sched

    def request_of(self, node: int) -> tuple[int, int]:
        """(first node, second node or -1) of the request `node` belongs to."""
        other = self.nodes.partner[node]
        if other < 0:
            return node, -1
        return (node, other) if self.nodes.is_pickup[node] else (other, node)

    def requests_in(self, k: int) -> list[tuple[int, int]]:
        return [self.request_of(n) for n in self.routes[k] if self.nodes.partner[n] < 0 or self.nodes.is_pickup[n]]

    def place(self, request: tuple[int, int]) -> bool:
        """Put the request in its cheapest place that passes `route_ok`; False if there is none."""
        first, second = request
        options = []
        for k in range(len(self.routes)):
            options.extend((added, k, i, j) for added, i, j in insertions(self.nodes, self.schedule(k), first, second))
        options.sort()
        for _, k, i, j in options:
            candidate = fitted(self.nodes, self.routes[k], first, second, [(i, j)])
            if candidate is not None:
                self.set(k, candidate)
                return True
        return False

    def place_anywhere(self, request: tuple[int, int]) -> bool:
        """Put the request in a random place that passes `route_ok`, trying routes in random order."""
        first, second = request
        order = list(range(len(self.routes)))
        self.rng.shuffle(order)
        for k in order:
            places = [(i, j) for _, i, j in insertions(self.nodes, self.schedule(k), first, second)]
            self.rng.shuffle(places)
            candidate = fitted(self.nodes, self.routes[k], first, second, places)
            if candidate is not None:
                self.set(k, candidate)
                return True
        return False

    def eject_for(self, request: tuple[int, int], price: dict[int, int]) -> list[tuple[int, int]] | None:
        """Make room for the request by pushing out at most `MAX_EJECTED` requests of one route,
        the cheapest by `price` (ties broken at random); the pushed-out requests, or None."""
        first, second = request
        best: tuple[int, float] | None = None
        chosen = None
        for k, seq in enumerate(self.routes):
            inside = self.requests_in(k)
            for size in range(1, MAX_EJECTED + 1):
                for out in combinations(inside, size):
                    key = (sum(price.get(r[0], 1) for r in out), self.rng.random())
                    if best is not None and key >= best:
                        continue
                    gone = {n for r in out for n in r}
                    rest = [n for n in seq if n not in gone]
                    places = [(i, j) for _, i, j in insertions(self.nodes, Schedule(self.nodes, rest), first, second)]
                    candidate = fitted(self.nodes, rest, first, second, places)
                    if candidate is not None:
                        best, chosen = key, (k, candidate, out)
        if chosen is None:
            return None
        k, candidate, out = chosen
        self.set(k, candidate)
        return list(out)

    def shake(self, moves: int) -> None:
        """Move random requests to random places where they fit, to leave a local dead end."""
        for _ in range(moves):
            k = self.rng.randrange(len(self.routes))
            inside = self.requests_in(k)
            if not inside:
                continue
            request = self.rng.choice(inside)
            before = self.routes[k]
            self.set(k, [n for n in before if n not in request])
            if not self.place_anywhere(request):
                self.set(k, before)
            elif not self.routes[k]:
                self.drop(k)  # the shake emptied a route: one fewer for free


def fewer_routes(nodes: Nodes, routes: list[list[int]], seconds: float, seed: int = 0,
                 max_steps: int | None = None) -> list[list[int]]:
    """Routes serving the same requests with as few routes as `seconds` (and `max_steps` pool
    steps, when given) allow; the input routes when none could be emptied. The same inputs
    and step limit give the same routes."""
    started = clock.perf_counter()
    deadline = started + seconds
    rng = random.Random(seed)
    best = [list(r) for r in routes if r]
    current = Routes(nodes, best, rng)
    price: dict[int, int] = {}
    steps = 0

    def more() -> bool:
        return clock.perf_counter() < deadline and (max_steps is None or steps < max_steps)

    while len(current.routes) > 1 and more():
        # empty the route that is quickest to empty: the fewest requests
        k = min(range(len(current.routes)), key=lambda r: (len(current.routes[r]), rng.random()))
        pool = current.requests_in(k)
        current.drop(k)
        while pool and more():
            steps += 1
            request = pool.pop()
            if current.place(request):
                continue
            price[request[0]] = price.get(request[0], 1) + 1
            out = current.eject_for(request, price)
            if out is None:
                pool.insert(0, request)
            else:
                pool.extend(out)
            current.shake(SHAKE_MOVES)
        if pool:
            break
        best = [list(r) for r in current.routes]
        log.info("fewer routes: %d routes after %.1f s (%d pool steps)", len(best), clock.perf_counter() - started, steps)
    return best
