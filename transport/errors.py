"""Errors a user can act on, and the exit codes scripts rely on.

Bad input is collected as `Problem`s and raised once as an `InputError`, so an officer
sees every problem in a file at once instead of fixing them one run at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EXIT_OK = 0
#: An internal error, or `transport check` found a broken rule.
EXIT_INTERNAL = 1
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
#: Interrupted (Ctrl-C): 128 + SIGINT, as shells report it.
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, how to fix it."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None and str(self.value) != "":
            text += f" (found {str(self.value)[:60]!r})"
        if self.fix:
            text += f". {self.fix}"
        return text


class InputError(Exception):
    """Raised once with every problem found in the user's input (exit code 2)."""

    def __init__(self, problems: Iterable[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="input", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.report())

    def report(self, limit: int = 50) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


class ProblemCollector:
    """Accumulates problems while a whole file is checked, then raises them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)
