"""The benchmark parsers (bench/instances.py) on tiny instances written here: no solving."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "instances.py"
_spec = importlib.util.spec_from_file_location("bench_instances", _PATH)
instances = importlib.util.module_from_spec(_spec)
sys.modules["bench_instances"] = instances
_spec.loader.exec_module(instances)

SOLOMON = """TINY1\r
\r
VEHICLE\r
NUMBER     CAPACITY\r
  3         50\r
\r
CUSTOMER\r
CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME\r
 \r
    0          0       0            0       0         100           0\r
    1          3       4           10      10          20          5\r
    2          1       1           20       0          50          5\r
"""

LILIM = """2\t10\t1
0\t0\t0\t0\t0\t200\t0\t0\t0
1\t3\t4\t-4\t30\t60\t5\t2\t0
2\t6\t8\t4\t0\t40\t5\t0\t1
3\t1\t0\t2\t0\t100\t0\t0\t4
4\t2\t0\t-2\t0\t100\t0\t3\t0
"""

CORDEAU = """1 2 480 3 30
  0   0.000   0.000   0   0    0  480
  1   1.000   0.000   3   1    0 1440
  2   0.000   2.000   3   1   10   25
  3   3.000   4.000   3  -1   40   55
  4  -1.000   0.000   3  -1    0 1440
  5   0.000   0.000   0   0    0  480
"""

CVRP = """NAME : \tX-tiny\t
TYPE : \tCVRP\t
DIMENSION : \t3\t
EDGE_WEIGHT_TYPE : \tEUC_2D\t
CAPACITY : \t10\t
NODE_COORD_SECTION\t\t
1\t0\t0
2\t3\t4
3\t0\t1
DEMAND_SECTION\t\t
1\t0
2\t4
3\t5
DEPOT_SECTION\t\t
1
-1
EOF
"""


def test_detect_format():
    assert instances.detect_format(SOLOMON) == "solomon"
    assert instances.detect_format(LILIM) == "lilim"
    assert instances.detect_format(CORDEAU) == "cordeau"
    assert instances.detect_format(CVRP) == "cvrp"
    with pytest.raises(ValueError):
        instances.detect_format("1 2\n3 4\n")


def test_solomon():
    inst = instances.parse(SOLOMON)
    assert inst.name == "TINY1" and inst.kind == "vrptw"
    assert (inst.vehicles, inst.capacity, inst.n_nodes, inst.n_requests) == (3, 50, 3, 2)
    assert inst.customers == (1, 2)
    assert inst.demand.tolist() == [0, 10, 20]
    assert (inst.early[1], inst.late[1], inst.service[1]) == (10, 20, 5)
    assert inst.horizon == 100
    # DIMACS basis: floor(10 d); d(0,1) = 5 exactly, d(0,2) = sqrt(2)
    m = inst.basis_matrix()
    assert m[0, 1] == 50 and m[0, 2] == 14 and m[1, 0] == 50 and inst.basis_unit() == 10


def test_lilim():
    inst = instances.parse(LILIM, "lr-tiny")
    assert inst.kind == "pdptw" and (inst.vehicles, inst.capacity) == (2, 10)
    assert inst.pairs == ((2, 1), (3, 4))  # pickup first: node 2 picks up what node 1 delivers
    assert inst.n_requests == 2 and inst.customers == ()
    assert (inst.early[1], inst.late[1], inst.service[2]) == (30, 60, 5)
    assert inst.horizon == 200
    assert inst.euclidean()[0, 1] == pytest.approx(5.0)


def test_lilim_rejects_mismatched_pair():
    broken = LILIM.replace("2\t6\t8\t4\t0\t40\t5\t0\t1", "2\t6\t8\t4\t0\t40\t5\t0\t3")
    with pytest.raises(ValueError):
        instances.parse(broken)


def test_cordeau_n_and_2n_headers():
    for header in ("1 2 480 3 30", "1 4 480 3 30"):
        inst = instances.parse(CORDEAU.replace("1 2 480 3 30", header), "a1-2")
        assert inst.kind == "darp"
        assert inst.pairs == ((1, 3), (2, 4))
        assert (inst.start_depot, inst.end_depot) == (0, 5)
        assert (inst.vehicles, inst.capacity, inst.max_route_duration, inst.max_ride) == (1, 3, 480, 30)
        assert inst.service[1] == 3 and inst.demand[3] == -1
        assert (inst.early[2], inst.late[2]) == (10, 25)
        assert inst.horizon == 480
    assert instances.parse(CORDEAU.replace("1 2 480 3 30", "1 4 480 3 30")).notes
    with pytest.raises(ValueError):
        instances.parse(CORDEAU.replace("1 2 480 3 30", "1 3 480 3 30"))


def test_cvrp():
    inst = instances.parse(CVRP)
    assert inst.name == "X-tiny" and inst.kind == "cvrp"
    assert inst.capacity == 10 and inst.customers == (1, 2)
    assert inst.demand.tolist() == [0, 4, 5]
    assert inst.basis_matrix()[0, 1] == 5 and inst.basis_matrix()[1, 2] == 4  # nint(sqrt(18)) = 4


def test_sol_and_best_known_table():
    routes, cost = instances.parse_sol("Route #1: 2 1\nRoute #2: 3\nCost 12.3\n")
    assert routes == ((2, 1), (3,)) and cost == 12.3
    table = ("benchmark,clients,instance,when,routes,distance,who,detailed,url\n"
             "LiLim,100,lc101,2001-01-01,10,828.9369,Li&Lim,SAM::OPT,x.txt\n")
    assert instances.read_lilim_best(table) == {"lc101": (10, 828.9369)}


def test_load_attaches_best_known(tmp_path):
    (tmp_path / "TINY1.txt").write_text(SOLOMON)
    (tmp_path / "TINY1.sol").write_text("Route #1: 2 1\nCost 16.4\n")
    inst = instances.load(tmp_path / "TINY1.txt")
    assert inst.best_known.distance == 16.4 and inst.best_known.vehicles == 1
    assert inst.best_known.routes == ((2, 1),)
    m = inst.basis_matrix()
    assert (m[0, 2] + m[2, 1] + m[1, 0]) / 10 == pytest.approx(1.4 + 3.6 + 5.0)
    (tmp_path / "a2-16.txt").write_text(CORDEAU)
    assert instances.load(tmp_path / "a2-16.txt").best_known.distance == 294.25
    assert np.isclose(instances.load(tmp_path / "a2-16.txt").euclidean()[3, 0], 5.0)


def _stability_module():
    """bench/stability.py, with bench/ importable for its timed_cli helper."""
    bench = Path(__file__).resolve().parent.parent / "bench"
    sys.path.insert(0, str(bench))
    try:
        spec = importlib.util.spec_from_file_location("bench_stability", bench / "stability.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(bench))
    return module


def test_the_stability_bench_checks_the_unit_within_10_000_or_10_percent_and_the_policy_never_cheaper() -> None:
    stability = _stability_module()

    def seed(unit: float, policy: float) -> dict:
        return {"seed": 1, "scenarios": [{"scenario": "new-send-unit", "change_vs_base_gbp": unit},
                                         {"scenario": "policy-post16", "change_vs_base_gbp": policy}]}

    close = stability.checks([seed(-150_000, 800_000), seed(-136_000, 10)])
    assert close["unit_agrees"] and close["policy_never_cheaper"]  # 14,000 within 10% of 143,000
    apart = stability.checks([seed(-12_000, 800_000), seed(-23_000, -1)])
    assert not apart["unit_agrees"] and not apart["policy_never_cheaper"]  # 11,000 over the £10,000 floor
    assert stability.checks([seed(-1_000, 5), seed(-10_500, 5)])["unit_agrees"]  # 9,500 within the floor
