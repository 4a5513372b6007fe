"""Progress you can see while long steps run: rich bars on a terminal, plain log lines elsewhere.

Three modes: `bars` (stderr is a terminal: rich progress bars, with log lines printed above
them), `lines` (stderr is a file or a pipe: one plain log line when a step starts, finishes or
a search finishes) and `off` (`--quiet`: no progress and no log lines but warnings). Progress
always goes to stderr. The steps report themselves: building the network and the matrix are
steps, each run's searches a bar of elapsed time against the run's time limit (a search
finished is counted by `transport.optimise.tasks`, in this process, never from inside
OR-Tools), and `compare` a bar of scenarios done.

Worker processes started by a pool call `worker_started`: they never draw bars of their own
(their parent does), and under a parent drawing bars they log warnings only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["bars", "lines", "off"]
log = logging.getLogger(__name__)

_state: dict = {"mode": None, "progress": None, "owner": None, "trackers": [], "restore": None}


def configure(quiet: bool = False) -> Mode:
    """Choose the mode for this command: off when quiet, bars on a terminal, plain lines elsewhere.
    `close` puts logging back as it was."""
    close()
    mode: Mode = "off" if quiet else "bars" if _stderr_is_terminal() else "lines"
    root = logging.getLogger()
    _state.update(mode=mode, owner=os.getpid(), restore=(root.level, list(root.handlers)))
    if quiet:
        root.setLevel(logging.WARNING)
        os.environ["TRANSPORT_QUIET"] = "1"  # worker processes started later inherit it
    if mode == "bars":
        from rich.logging import RichHandler

        handler = RichHandler(console=_progress().console, show_time=False, show_path=False, show_level=False,
                              markup=False, rich_tracebacks=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
        _swap_stream_handlers(root, handler)
    return mode


def mode() -> Mode:
    """The mode in force: as configured in this process, else plain lines (library use, worker processes)."""
    if os.environ.get("TRANSPORT_QUIET"):
        return "off"
    if _state["mode"] is None or _state["owner"] != os.getpid():
        return "lines"
    return _state["mode"]


def worker_started() -> None:
    """A pool's initializer: a worker never draws bars; under a parent drawing bars it logs warnings only."""
    parent_draws = _state["mode"] == "bars" and _state["owner"] != os.getpid()
    _state.update(mode=None, progress=None, trackers=[], restore=None)
    root = logging.getLogger()
    plain = logging.StreamHandler(sys.stderr)
    plain.setFormatter(logging.Formatter("%(message)s"))
    _swap_stream_handlers(root, plain)
    if parent_draws or os.environ.get("TRANSPORT_QUIET"):
        root.setLevel(logging.WARNING)


def close() -> None:
    """Stop drawing bars (the finished ones stay on screen) and put logging back as `configure` found it."""
    progress = _state.get("progress")
    if progress is not None and _state["owner"] == os.getpid():
        progress.stop()
    if _state.get("restore") is not None and _state["owner"] == os.getpid():
        level, handlers = _state["restore"]
        root = logging.getLogger()
        root.setLevel(level)
        root.handlers[:] = handlers
        os.environ.pop("TRANSPORT_QUIET", None)
    _state.update(mode=None, progress=None, trackers=[], restore=None)


# ------------------------------------------------------------------------------ what steps call


@dataclass
class Tracker:
    """One bar: a step, searches against a time limit, or things counted."""

    description: str
    limit_s: float | None = None
    total: int | None = None
    done: int = 0
    started: float = field(default_factory=time.perf_counter)
    task_id: int | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@contextlib.contextmanager
def step(description: str) -> Iterator[Tracker]:
    """A step whose length is not known in advance: a spinner and the time it has taken."""
    with _tracked(Tracker(description)) as tracker:
        yield tracker


@contextlib.contextmanager
def timed(description: str, limit_s: float) -> Iterator[Tracker]:
    """Searches bounded by a time limit: a bar of elapsed time against it, and the searches finished."""
    with _tracked(Tracker(description, limit_s=limit_s, total=0)) as tracker:
        yield tracker


@contextlib.contextmanager
def counted(description: str, total: int) -> Iterator[Tracker]:
    """A known number of things (scenarios): a bar of how many are done."""
    with _tracked(Tracker(description, total=total)) as tracker:
        yield tracker


def tasks_started(count: int) -> None:
    """`count` more searches were handed out under the innermost timed bar."""
    tracker = _innermost()
    if tracker is not None and tracker.limit_s is not None:
        tracker.total = (tracker.total or 0) + count
        _draw(tracker)


def task_finished(label: str = "") -> None:
    """One search (or scenario) finished: counted on the innermost bar that counts."""
    tracker = _innermost()
    if tracker is None:
        return
    tracker.done += 1
    current = mode()
    if current == "lines":
        limit = f", {tracker.elapsed():.1f} s of {tracker.limit_s:g} s" if tracker.limit_s else f", {tracker.elapsed():.1f} s"
        what = f"{label} done" if label else "done"
        log.info("  %s: %s (%d of %d%s)", tracker.description, what, tracker.done, max(tracker.total or 0, tracker.done), limit)
    elif current == "bars":
        _draw(tracker, f"{label} done" if label else "")


# ------------------------------------------------------------------------------ drawing


@contextlib.contextmanager
def _tracked(tracker: Tracker) -> Iterator[Tracker]:
    current = mode()
    if current == "lines":
        log.info("%s ...", tracker.description)
    elif current == "bars":
        tracker.task_id = _progress().add_task(tracker.description, total=None if tracker.total is None else max(1, tracker.total),
                                               detail="", limit=tracker.limit_s)
    _state["trackers"].append(tracker)
    ok = False
    try:
        yield tracker
        ok = True
    finally:
        _state["trackers"].remove(tracker)
        _finish(tracker, current, ok)


def _finish(tracker: Tracker, current: Mode, ok: bool) -> None:
    outcome = "done" if ok else "stopped"
    if current == "lines":
        log.info("%s: %s in %.1f s", tracker.description, outcome, tracker.elapsed())
    elif current == "bars" and tracker.task_id is not None and _state.get("progress") is not None:
        total = max(1, tracker.total or 0, tracker.done)
        _state["progress"].update(tracker.task_id, total=total, completed=total if ok else tracker.done,
                                  detail=f"{outcome} in {tracker.elapsed():.1f} s", limit=None)
        _state["progress"].stop_task(tracker.task_id)


def _draw(tracker: Tracker, detail: str = "") -> None:
    progress = _state.get("progress")
    if progress is None or tracker.task_id is None or _state["owner"] != os.getpid():
        return
    counts = f"{tracker.done} of {tracker.total} searches" if tracker.limit_s else f"{tracker.done} of {tracker.total}"
    progress.update(tracker.task_id, completed=tracker.done, detail=f"{counts}{'; ' + detail if detail else ''}")


def _innermost() -> Tracker | None:
    if _state["owner"] not in (None, os.getpid()):
        return None
    counting = [t for t in _state["trackers"] if t.total is not None]
    return counting[-1] if counting else None


def _progress():
    """The one rich Progress of this process, started on first use."""
    if _state.get("progress") is None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), _limit_bar_class()(bar_width=30),
                            TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=Console(stderr=True),
                            transient=False)
        progress.start()
        _state["progress"] = progress
    return _state["progress"]


def _limit_bar_class():
    """The bar column, built on first use so that importing this module does not import rich."""
    from rich.progress import BarColumn
    from rich.progress_bar import ProgressBar

    class LimitBar(BarColumn):
        """A bar of elapsed time against a time limit when the task has one, else of work done."""

        def render(self, task) -> ProgressBar:
            limit = task.fields.get("limit")
            if not limit:
                return super().render(task)
            return ProgressBar(total=limit, completed=min(task.elapsed or 0.0, limit), width=self.bar_width,
                               animation_time=task.get_time(), style=self.style, complete_style=self.complete_style,
                               finished_style=self.finished_style, pulse_style=self.pulse_style)

    return LimitBar


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _swap_stream_handlers(root: logging.Logger, handler: logging.Handler) -> None:
    """Replace the root logger's handlers that write to a stream with `handler` (keeping the level)."""
    for old in list(root.handlers):
        if isinstance(old, logging.StreamHandler) and not isinstance(old, logging.FileHandler):
            root.removeHandler(old)
    root.addHandler(handler)
