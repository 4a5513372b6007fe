"""What the end-to-end benchmarks share: the environment, one timed `transport` command in a
fresh process, and a description of the machine for the results file."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_env() -> dict[str, str]:
    """This process's environment, with the data directory defaulting to ../shared/data."""
    env = dict(os.environ)
    env.setdefault("TRANSPORT_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    return env


def timed_transport(arguments: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and exit code of `transport ARGUMENTS`; on failure its stderr tail is printed."""
    elapsed, code, _ = measured_transport(arguments, env)
    return elapsed, code


def measured_transport(arguments: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall seconds, exit code and peak memory in MB of `transport ARGUMENTS` with all its child
    processes together (resident memory summed over the process tree, sampled every 0.2 s)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([sys.executable, "-m", "transport.cli", *arguments], env=env, stdout=subprocess.DEVNULL,
                                   stderr=err, text=True)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, _tree_rss_mb(process.pid))
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            err.seek(0)
            print(err.read()[-3000:], file=sys.stderr)
    return elapsed, process.returncode, peak


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pages = int((entry / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0.0)
        stack += children.get(pid, [])
    return total


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
