"""The route optimiser behind a narrow door: a `RoutingProblem` in, a `Solution` out.

`problem` and `solution` hold plain dataclasses; only `model` and `solve` import OR-Tools,
and OR-Tools objects, indices and callbacks never leave them. `transport.check`
re-verifies every solution from the run's files without importing OR-Tools.
"""
