"""The route optimiser behind a narrow door: a `RoutingProblem` in, a `Solution` out.

- `problem`, `solution`: plain dataclasses, what is asked and what is answered;
- `model`: the OR-Tools search model; `timing`: the model that times the routes found;
- `search`: one search (portfolio, first solutions, improvement); `extract`: its answer;
- `partition`: a run in partitions sharing one fleet (the entry point, `solve`);
- `diagnose`: why a request is unserved.

OR-Tools objects, indices and callbacks never leave this package, and importing the
package (or its dataclasses, as `transport.check` does) does not import OR-Tools.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """`solve` and `SolveOptions` on demand, so that the dataclasses import without the search."""
    if name == "solve":
        from transport.optimise.partition import solve

        return solve
    if name == "SolveOptions":
        from transport.optimise.search import SolveOptions

        return SolveOptions
    raise AttributeError(name)
