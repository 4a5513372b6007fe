"""What the end-to-end benchmarks share: the environment, one timed `transport` command in a
fresh process, and a description of the machine for the results file."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
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
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "transport.cli", *arguments], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
    return elapsed, done.returncode


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
