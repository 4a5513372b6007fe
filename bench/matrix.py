"""Benchmark `transport.matrix.travel_matrices` on the real Rutland drive graph.

Why: the optimiser needs an n x n travel-time matrix for every run, and the claim that the
vectorised matrix is fast enough (2000 x 2000 in under 10 s) and much faster than what a
naive user would write (>= 50x over networkx Dijkstra per pair) should be checked on real
roads, with the naive peer timed in the same run on the same machine and points.

For each size n, n random points are drawn from graph nodes jittered ~50 m so they fall
mid-edge (the case that exercises snapping). The vectorised matrix is timed once, without
tracing; Python-side peak memory comes from a second, traced call (tracemalloc slows Python
code, so its call is not timed). The naive peer snaps the points to nearest nodes and times
`nx.shortest_path_length` for a sample of pairs; its n x n time is extrapolated from those
pairs and is labelled as such. Correctness is checked on the peer's subsample placed exactly
on nodes, where the matrix must equal networkx's shortest time within 0.01 s.

    python bench/matrix.py [--sizes 500 1000 2000] [--naive-sample 20] [--seed 1]
                           [--out bench/results/matrix.json]

Exit status: 0 when the run completes (targets met or not, as recorded in the output);
1 when the correctness check fails; 2 when the Rutland extract is missing or unreadable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmnx as ox
import scipy
from scipy.spatial import cKDTree

from transport.errors import InputError
from transport.matrix import travel_matrices
from transport.network import NetworkInfo, load_network_with_info

ROOT = Path(__file__).resolve().parent.parent
RUTLAND_OSM = Path("osm") / "rutland-2022-07.osm.pbf"
DEFAULT_OUT = ROOT / "bench" / "results" / "matrix.json"

JITTER_M = 50.0
METRES_PER_DEGREE = 111_320.0
EARTH_RADIUS_M = 6_371_009.0
AT_NODE_TOLERANCE_S = 0.01
TARGET_SIZE = 2000
TARGET_SECONDS = 10.0
TARGET_SPEEDUP = 50.0


@dataclass(frozen=True, slots=True)
class NaivePeer:
    """networkx timings on a subsample, and what they extrapolate to for n x n."""

    pairs_measured: int
    seconds_per_pair: float
    snap_seconds: float  # nearest-node snapping of all n points, measured
    snapper: str
    extrapolated_seconds: float  # snap_seconds + seconds_per_pair * n * n
    single_source_measured: int
    seconds_per_source: float
    single_source_extrapolated_seconds: float  # snap_seconds + seconds_per_source * n


@dataclass(frozen=True, slots=True)
class SizeResult:
    n: int
    seconds: float
    tracemalloc_peak_mb: float
    ru_maxrss_delta_mb: float
    ru_maxrss_after_mb: float
    median_snap_m: float
    snap_warnings: int
    naive: NaivePeer
    speedup: float
    speedup_vs_single_source: float
    at_node_points: int
    at_node_max_abs_diff_s: float


# ---------------------------------------------------------------------------- set-up


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000], help="matrix sizes n (n x n)")
    parser.add_argument("--naive-sample", type=int, default=20, help="source points in the naive peer's subsample")
    parser.add_argument("--naive-pairs", type=int, default=200, help="(source, target) pairs timed for the naive peer")
    parser.add_argument("--seed", type=int, default=1, help="seed of the numpy Generator for points and pairs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON file")
    parser.add_argument("--data-dir", type=Path, help="a folder laid out like ../shared/data")
    parser.add_argument("--osm", type=Path, help="the Rutland extract itself (overrides --data-dir)")
    args = parser.parse_args(argv)
    if min(args.sizes) < 2 or args.naive_sample < 1 or args.naive_pairs < 1:
        parser.error("sizes must be >= 2, --naive-sample and --naive-pairs >= 1")
    return args


def resolve_osm(osm: Path | None, data_dir: Path | None) -> Path:
    """--osm, else --data-dir, else TRANSPORT_DATA_DIR, else <repo>/../shared/data."""
    if osm is not None:
        return osm
    if data_dir is None:
        env = os.environ.get("TRANSPORT_DATA_DIR")
        data_dir = Path(env) if env else ROOT.parent / "shared" / "data"
    return data_dir / RUTLAND_OSM


def machine_info() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": _git_state(),
        "versions": {
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "networkx": nx.__version__,
            "osmnx": ox.__version__,
        },
    }


def _git_state() -> str:
    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no", "transport"))
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' (transport/ has uncommitted changes)' if dirty else ''}"


# ---------------------------------------------------------------------------- measuring


def random_points(graph: nx.MultiDiGraph, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n random graph nodes, each moved JITTER_M metres on a random bearing (so off the node)."""
    xs = np.array([d["x"] for _, d in graph.nodes(data=True)])
    ys = np.array([d["y"] for _, d in graph.nodes(data=True)])
    picked = rng.choice(len(xs), n, replace=n > len(xs))
    bearing = rng.uniform(0.0, 2 * math.pi, n)
    lats = ys[picked] + JITTER_M * np.cos(bearing) / METRES_PER_DEGREE
    lons = xs[picked] + JITTER_M * np.sin(bearing) / (METRES_PER_DEGREE * np.cos(np.radians(ys[picked])))
    return lats, lons


def _max_rss_mb() -> float:
    """The process's peak resident set size so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    raw = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return raw / 2**20 if sys.platform == "darwin" else raw / 2**10


def time_matrix(graph: nx.MultiDiGraph, lats: np.ndarray, lons: np.ndarray) -> tuple[float, float, float, int]:
    """Wall seconds, ru_maxrss growth (MB), median snap distance (m), SnapWarnings raised."""
    rss_before = _max_rss_mb()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        result = travel_matrices(graph, lats, lons, use_cache=False)
        seconds = time.perf_counter() - started
    rss_growth = _max_rss_mb() - rss_before
    snap_warnings = sum(1 for w in caught if w.category.__name__ == "SnapWarning")
    return seconds, rss_growth, float(np.median(result.snap_distance_m)), snap_warnings


def traced_peak_mb(graph: nx.MultiDiGraph, lats: np.ndarray, lons: np.ndarray) -> float:
    """Peak of Python-tracked allocations (numpy arrays included) during one call, in MB."""
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            travel_matrices(graph, lats, lons, use_cache=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def nearest_nodes(graph: nx.MultiDiGraph, lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, str]:
    """osmnx's nearest_nodes; without scikit-learn (which it needs for lon/lat graphs) a KD-tree
    over an equirectangular projection, which is as good at county scale."""
    try:
        return np.asarray(ox.distance.nearest_nodes(graph, X=lons, Y=lats)), "osmnx.distance.nearest_nodes"
    except ImportError:
        pass
    nodes = np.array(list(graph.nodes))
    xs = np.array([d["x"] for _, d in graph.nodes(data=True)])
    ys = np.array([d["y"] for _, d in graph.nodes(data=True)])
    squash = math.cos(math.radians(float(np.mean(ys))))
    tree = cKDTree(np.column_stack([xs * squash, ys]))
    _, pos = tree.query(np.column_stack([np.asarray(lons) * squash, lats]))
    return nodes[pos], "scipy cKDTree (equirectangular; scikit-learn absent for osmnx)"


def naive_peer(
    graph: nx.MultiDiGraph, lats: np.ndarray, lons: np.ndarray, subsample: np.ndarray, pairs: int, rng: np.random.Generator
) -> tuple[NaivePeer, np.ndarray]:
    """Time networkx as a naive user would call it; returns the timings and the snapped nodes."""
    n = len(lats)
    started = time.perf_counter()
    snapped, snapper = nearest_nodes(graph, lats, lons)
    snap_seconds = time.perf_counter() - started
    sources = snapped[np.resize(subsample, pairs)]
    targets = snapped[rng.integers(0, n, pairs)]
    started = time.perf_counter()
    for s, t in zip(sources, targets, strict=True):
        nx.shortest_path_length(graph, s, t, weight="travel_time")
    per_pair = (time.perf_counter() - started) / pairs
    started = time.perf_counter()
    for s in snapped[subsample]:
        nx.single_source_dijkstra_path_length(graph, s, weight="travel_time")
    per_source = (time.perf_counter() - started) / len(subsample)
    peer = NaivePeer(
        pairs_measured=pairs,
        seconds_per_pair=per_pair,
        snap_seconds=snap_seconds,
        snapper=snapper,
        extrapolated_seconds=snap_seconds + per_pair * n * n,
        single_source_measured=len(subsample),
        seconds_per_source=per_source,
        single_source_extrapolated_seconds=snap_seconds + per_source * n,
    )
    return peer, snapped[subsample]


def max_diff_at_nodes(graph: nx.MultiDiGraph, nodes: np.ndarray) -> tuple[int, float]:
    """Points exactly on these nodes: the largest |matrix time - networkx shortest time| in s."""
    unique = list(dict.fromkeys(nodes.tolist()))
    lats = [graph.nodes[v]["y"] for v in unique]
    lons = [graph.nodes[v]["x"] for v in unique]
    matrix = travel_matrices(graph, lats, lons, use_cache=False).time_s
    worst = 0.0
    for i, source in enumerate(unique):
        reference = nx.shortest_path_length(graph, source=source, weight="travel_time")
        expected = np.array([reference.get(t, math.inf) for t in unique])
        worst = max(worst, float(np.max(np.abs(matrix[i] - expected))))
    return len(unique), worst


def run_size(graph: nx.MultiDiGraph, n: int, args: argparse.Namespace, rng: np.random.Generator) -> SizeResult:
    lats, lons = random_points(graph, n, rng)
    seconds, rss_growth, median_snap, snap_warnings = time_matrix(graph, lats, lons)
    rss_after = _max_rss_mb()
    peak = traced_peak_mb(graph, lats, lons)
    subsample = rng.choice(n, min(args.naive_sample, n), replace=False)
    peer, sub_nodes = naive_peer(graph, lats, lons, subsample, args.naive_pairs, rng)
    at_nodes, worst = max_diff_at_nodes(graph, sub_nodes)
    return SizeResult(
        n=n,
        seconds=seconds,
        tracemalloc_peak_mb=peak,
        ru_maxrss_delta_mb=rss_growth,
        ru_maxrss_after_mb=rss_after,
        median_snap_m=median_snap,
        snap_warnings=snap_warnings,
        naive=peer,
        speedup=peer.extrapolated_seconds / seconds,
        speedup_vs_single_source=peer.single_source_extrapolated_seconds / seconds,
        at_node_points=at_nodes,
        at_node_max_abs_diff_s=worst,
    )


def preparation_seconds(graph: nx.MultiDiGraph, rng: np.random.Generator) -> float:
    """First call on a graph also indexes its edges (cached on the graph); time that apart."""
    lats, lons = random_points(graph, 2, rng)
    started = time.perf_counter()
    travel_matrices(graph, lats, lons, use_cache=False)
    return time.perf_counter() - started


# ---------------------------------------------------------------------------- reporting


def judge_targets(results: list[SizeResult]) -> dict[str, dict[str, Any]]:
    at_target = next((r for r in results if r.n == TARGET_SIZE), None)
    if at_target is None:
        time_status: str = "not measured"
        speed_status: str = "not measured"
        time_value: float | None = None
        speed_value: float | None = None
    else:
        time_value, speed_value = at_target.seconds, at_target.speedup
        time_status = "met" if time_value < TARGET_SECONDS else "NOT met"
        speed_status = "met" if speed_value >= TARGET_SPEEDUP else "NOT met"
    return {
        "time": {
            "target": f"{TARGET_SIZE}x{TARGET_SIZE} matrix in under {TARGET_SECONDS:g} s",
            "measured_s": time_value,
            "status": time_status,
        },
        "speedup": {
            "target": f">= {TARGET_SPEEDUP:g}x faster than naive networkx per-pair Dijkstra at {TARGET_SIZE}x{TARGET_SIZE}",
            "measured_x": speed_value,
            "status": speed_status,
        },
    }


def results_document(
    args: argparse.Namespace, osm: Path, info: NetworkInfo, load_s: float, prep_s: float,
    results: list[SizeResult], targets: dict[str, dict[str, Any]], correct: bool,
) -> dict[str, Any]:
    return {
        "benchmark": "transport.matrix.travel_matrices, drive travel time, Rutland",
        "machine": machine_info(),
        "settings": {
            "sizes": args.sizes, "seed": args.seed, "naive_sample": args.naive_sample,
            "naive_pairs": args.naive_pairs, "jitter_m": JITTER_M, "use_cache": False,
        },
        "network": {
            "osm_file": str(osm), "nodes": info.nodes, "edges": info.edges, "road_km": info.road_km,
            "from_cache": info.from_cache, "load_seconds": round(load_s, 3),
        },
        "preparation_seconds": round(prep_s, 3),
        "notes": [
            "seconds: wall time of one travel_matrices(use_cache=False) call, warm graph (edge index "
            "built once beforehand, see preparation_seconds), untraced. Includes snapping all n points.",
            "tracemalloc_peak_mb: peak Python-tracked allocations (numpy arrays included) in a second, "
            "traced call; untracked C/C++ allocations inside scipy are not counted.",
            "ru_maxrss_delta_mb: growth of the whole process's peak RSS (getrusage ru_maxrss) during the "
            "timed call; 0 means it stayed under an earlier peak. ru_maxrss_after_mb is that peak after the call.",
            "naive.extrapolated_seconds is EXTRAPOLATED, not measured: nearest-node snapping of all n points "
            "(measured) + mean time of nx.shortest_path_length(weight='travel_time') over naive.pairs_measured "
            "sampled pairs x n*n. speedup = naive.extrapolated_seconds / seconds.",
            "speedup_vs_single_source is a stronger reference peer (one networkx Dijkstra per origin, "
            "extrapolated from single_source_measured origins x n); the targets use the per-pair peer.",
            "at_node_max_abs_diff_s: the naive subsample's nodes as points placed exactly on nodes; largest "
            f"|matrix time - nx.shortest_path_length| over all their pairs; must be <= {AT_NODE_TOLERANCE_S} s.",
        ],
        "results": [_rounded(asdict(r)) for r in results],
        "correctness_ok": correct,
        "targets": _rounded(targets),
    }


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, float):
        return float(f"{value:.4g}") if abs(value) < 1e-3 else round(value, 4)
    return value


def print_table(results: list[SizeResult], targets: dict[str, dict[str, Any]]) -> None:
    header = (
        f"{'n':>6} {'matrix s':>9} {'tracemalloc':>12} {'d maxRSS':>9} {'naive s':>12} {'pairs':>6} "
        f"{'speedup':>10} {'vs 1-src':>9} {'max|dt| at nodes':>17}"
    )
    print(header)
    print(f"{'':>6} {'(meas.)':>9} {'peak MB':>12} {'MB':>9} {'(extrap.)':>12} {'timed':>6} {'':>10} {'':>9} {'s':>17}")
    for r in results:
        print(
            f"{r.n:>6} {r.seconds:>9.2f} {r.tracemalloc_peak_mb:>12.1f} {r.ru_maxrss_delta_mb:>9.1f} "
            f"{r.naive.extrapolated_seconds:>12,.0f} {r.naive.pairs_measured:>6} {r.speedup:>9,.0f}x "
            f"{r.speedup_vs_single_source:>8.1f}x {r.at_node_max_abs_diff_s:>17.4f}"
        )
    print(
        "naive s = nearest-node snap (measured) + mean nx.shortest_path_length over the timed pairs x n*n "
        "(extrapolated);\nvs 1-src = speedup over one networkx Dijkstra per origin (also extrapolated); "
        "tracemalloc = Python-side peak,\nd maxRSS = growth of process peak RSS during the timed call."
    )
    for name, t in targets.items():
        value = t.get("measured_s", t.get("measured_x"))
        shown = "-" if value is None else (f"{value:.2f} s" if name == "time" else f"{value:,.0f}x")
        print(f"target: {t['target']}: {shown} -> {t['status']}")


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    osm = resolve_osm(args.osm, args.data_dir)
    if not osm.is_file():
        print(f"matrix benchmark: Rutland extract not found at {osm} (set TRANSPORT_DATA_DIR or pass --data-dir/--osm)",
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        graph, info = load_network_with_info(osm, "drive")
    except InputError as exc:
        print(f"matrix benchmark: cannot load {osm}: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    load_s = time.perf_counter() - started
    how = "loaded from cache" if info.from_cache else "built from OSM"
    print(f"drive graph {how} in {load_s:.2f} s: {info.nodes:,} nodes, {info.edges:,} edges, {info.road_km} km ({osm})")

    rng = np.random.default_rng(args.seed)
    prep_s = preparation_seconds(graph, rng)
    print(f"one-off preparation (edge index, cached on the graph) {prep_s:.2f} s; not included below\n")
    results = []
    for n in sorted(args.sizes):
        results.append(run_size(graph, n, args, rng))
        print(f"  n={n}: {results[-1].seconds:.2f} s", file=sys.stderr, flush=True)

    correct = all(r.at_node_max_abs_diff_s <= AT_NODE_TOLERANCE_S for r in results)
    targets = judge_targets(results)
    print_table(results, targets)
    print(f"correctness (points on nodes vs networkx, <= {AT_NODE_TOLERANCE_S} s): {'ok' if correct else 'FAILED'}")

    document = results_document(args, osm, info, load_s, prep_s, results, targets, correct)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {args.out}")
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
