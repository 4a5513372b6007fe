"""Shorter routes: ruin and recreate on a fixed set of routes, after routes have been emptied
or from a savings start.

Emptying routes (`fewer_routes`) leaves them in an order its random moves chose, and guided local
search in OR-Tools improves such a start one or two requests at a time; on long routes (Li & Lim's
2-series, 30 to 50 stops a route) it stalled 10 to 27% above the best known. Ruin and recreate
moves many requests at once: take out a request and its nearest neighbours, or runs of
consecutive stops from nearby routes, put each back in its cheapest place that passes the whole
route check, and keep the result when it is shorter, or longer by no more than a cooling
threshold (simulated annealing), so that the search can leave a local dead end. The method
follows Schrimpf et al., "Record breaking optimization results using the ruin and recreate
principle", Journal of Computational Physics 159 (2000), with the removal of related requests
from Shaw (1998) and the string removal and acceptance of Christiaens and Vanden Berghe's SISR
(Transportation Science 54, 2020).

No route is ever added: the route count stays or falls (a ruin can empty a route the recreate
does not refill). It works where `fewer_routes.covers` holds, and every route it returns has
passed `fewer_routes.route_ok`."""

from __future__ import annotations

import logging
import math
import random
import time as clock

from transport.optimise.fewer_routes import Nodes, Routes

log = logging.getLogger(__name__)

#: A ruin takes out a request and up to this many of its nearest (at least `RUIN_MIN`), capped
#: at a quarter of the requests.
RUIN_MAX = 15
RUIN_MIN = 3
#: This share of ruins cut runs of consecutive stops out of at most `STRING_ROUTES` routes
#: near the centre (SISR's strings); the rest take the centre's nearest requests wherever they are.
STRING_SHARE = 0.5
STRING_ROUTES = 3
#: The annealing threshold starts at the average distance per request and cools to 3% of it by
#: the end of the time (or iteration) budget. SISR's 100 to 1 on Solomon's distances is about
#: 8 to 0.08 per request over millions of ruins; with tens of thousands here it starts cooler.
#: From routes just emptied, a threshold a hundred times colder stalled on lrc208 20% above the
#: best known, where this one reached it (15 s after 4 s of emptying, one process).
START_TEMPERATURE = 1.0
END_TEMPERATURE = 0.03


def route_length(nodes: Nodes, seq: list[int]) -> int:
    """Distance from the start depot through `seq` to the end depot, in the model's units."""
    dist, prev, total = nodes.dist, nodes.start, 0
    for node in seq:
        total += dist[prev][node]
        prev = node
    return total + dist[prev][nodes.end]


def total_length(nodes: Nodes, routes: list[list[int]]) -> int:
    return sum(route_length(nodes, r) for r in routes if r)


def neighbours(nodes: Nodes, requests: list[tuple[int, int]]) -> dict[int, list[tuple[int, int]]]:
    """Each request's requests from nearest to farthest (itself first): pickup to pickup plus
    delivery to delivery distance, keyed by the request's first node."""
    dist = nodes.dist

    def apart(a: tuple[int, int], b: tuple[int, int]) -> int:
        gap = dist[a[0]][b[0]]
        if a[1] >= 0 and b[1] >= 0:
            gap += dist[a[1]][b[1]]
        return gap

    return {r[0]: sorted(requests, key=lambda o: apart(r, o)) for r in requests}


def strings(current: Routes, nearest: list[tuple[int, int]], size: int, rng: random.Random) -> list[tuple[int, int]]:
    """About `size` requests cut out as runs of consecutive stops: one run from each route that
    holds one of the centre's nearest requests, nearest first, each run through that request."""
    route_of = {n: k for k, seq in enumerate(current.routes) for n in seq}
    out: list[tuple[int, int]] = []
    seen: set[int] = set()
    for request in nearest:
        if len(out) >= size or len(seen) >= STRING_ROUTES:
            break
        k = route_of[request[0]]
        if k in seen:
            continue
        seen.add(k)
        seq = current.routes[k]
        run = rng.randint(1, min(len(seq), 2 * (size - len(out))))
        at = seq.index(request[0])
        begin = max(0, min(at - rng.randrange(run), len(seq) - run))
        for node in seq[begin:begin + run]:
            whole = current.request_of(node)
            if whole not in out:
                out.append(whole)
    return out


def shorter_routes(nodes: Nodes, routes: list[list[int]], seconds: float, seed: int = 0,
                   max_iterations: int | None = None, routes_first: bool = True) -> list[list[int]]:
    """The shortest routes serving the same requests that ruin and recreate found in `seconds`
    (and `max_iterations`, when given), never more routes than given; with `routes_first`
    (vehicles have a price) a route fewer counts before any distance. The same inputs and
    iteration limit give the same routes."""
    started = clock.perf_counter()
    deadline = started + seconds
    rng = random.Random(seed)
    current = Routes(nodes, routes, rng)
    requests = [r for k in range(len(current.routes)) for r in current.requests_in(k)]
    if len(requests) < 2 * RUIN_MIN:
        return [list(r) for r in current.routes]
    near = neighbours(nodes, requests)
    most = max(RUIN_MIN, min(RUIN_MAX, len(requests) // 4))

    def cost(rs: list[list[int]]) -> tuple[int, int]:
        return sum(1 for r in rs if r) if routes_first else 0, total_length(nodes, rs)

    now_cost = cost(current.routes)
    best, best_cost = [list(r) for r in current.routes], now_cost
    per_request = now_cost[1] / len(requests)
    hot, cold = START_TEMPERATURE * per_request, END_TEMPERATURE * per_request
    iterations = accepted = 0
    while max_iterations is None or iterations < max_iterations:
        now = clock.perf_counter()
        if now >= deadline:
            break
        iterations += 1
        progress = iterations / max_iterations if max_iterations else (now - started) / max(seconds, 1e-9)
        threshold = hot * (cold / hot) ** min(1.0, progress)
        kept = current.snapshot()
        size = rng.randint(RUIN_MIN, most)
        centre = rng.choice(requests)
        out = strings(current, near[centre[0]], size, rng) if rng.random() < STRING_SHARE else near[centre[0]][:size]
        gone = {n for r in out for n in r}
        for k, seq in enumerate(current.routes):
            if any(n in gone for n in seq):
                current.set(k, [n for n in seq if n not in gone])
        order = list(out)
        rng.shuffle(order)
        if rng.random() < 0.5:  # far from the depot first: they have the fewest good places
            order.sort(key=lambda r: -nodes.dist[nodes.start][r[0]])
        placed = all(current.place(r) for r in order)
        if placed:
            trial = cost(current.routes)
            if trial[0] < now_cost[0] or (trial[0] == now_cost[0]
                                          and trial[1] < now_cost[1] - threshold * math.log(1.0 - rng.random())):
                now_cost = trial
                accepted += 1
                if trial < best_cost:
                    best, best_cost = [list(r) for r in current.routes], trial
                continue
        current.restore(kept)
    best = [r for r in best if r]
    log.info("shorter routes: %d routes, length %d -> %d in %.1f s (%d ruins, %d kept)", len(best),
             total_length(nodes, routes), best_cost[1], clock.perf_counter() - started, iterations, accepted)
    return best
