"""Progress of a long run, phase by phase: reading, checking, each analyser, the map, writing.

On a terminal the phases are shown live with `rich` (a spinner and the time of the running phase, then one
line per finished phase with its time); when standard error is not a terminal (pipes, CI, tests) or with
``--quiet`` nothing is shown. The library itself never prints: code marks its phases with :func:`phase`,
and only a command that asked for progress (:func:`reporting`) shows them. Progress goes to standard error,
so it never mixes with output and never reaches a report.

Example:
    >>> with phase("reading"):      # nobody is reporting: nothing is shown
    ...     pass
    >>> with reporting(enabled=False):
    ...     with phase("analyser: handoffs"):
    ...         pass
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["phase", "reporting", "should_show", "timings"]


class _Silent:
    """Shows nothing."""

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        yield


class _Terminal:
    """Live phases on standard error with rich: a spinner for the running phase, a line for each done."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.console = Console(file=sys.stderr)  # bound now: a silenced pm4py call elsewhere must not swallow it
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=self.console, transient=True)
        self.start = time.perf_counter()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        depth = _DEPTH.get()
        task = self.progress.add_task(("  " * depth) + name, total=None)
        began = time.perf_counter()
        token = _DEPTH.set(depth + 1)
        try:
            yield
        finally:
            _DEPTH.reset(token)
            self.progress.remove_task(task)
            took = time.perf_counter() - began
            self.console.print(f"[dim]{time.perf_counter() - self.start:7.1f} s[/dim]  {'  ' * depth}{name} "
                               f"[dim]({took:.1f} s)[/dim]", highlight=False)


class _Timings:
    """Records each phase's name, depth and seconds (for benchmarks); shows nothing."""

    def __init__(self) -> None:
        self.records: list[tuple[str, int, float]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        depth = _DEPTH.get()
        began = time.perf_counter()
        token = _DEPTH.set(depth + 1)
        try:
            yield
        finally:
            _DEPTH.reset(token)
            self.records.append((name, depth, time.perf_counter() - began))


# how deeply the running phase is nested; a context variable, so phases run side by side in threads
# (ssc_mining.parallel) each nest under the phase that started them
_DEPTH: ContextVar[int] = ContextVar("ssc_mining_phase_depth", default=0)
_REPORTER: ContextVar[Any] = ContextVar("ssc_mining_progress", default=_Silent())  # noqa: B039 - stateless


def should_show(quiet: bool = False) -> bool:
    """Whether progress is shown: standard error is a terminal and ``--quiet`` was not given."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def reporting(enabled: bool) -> Iterator[None]:
    """Show the phases of the code run inside the block (when ``enabled``; else nothing)."""
    if not enabled:
        yield
        return
    reporter = _Terminal()
    token = _REPORTER.set(reporter)
    try:
        with reporter.progress:
            yield
    finally:
        _REPORTER.reset(token)


@contextmanager
def timings() -> Iterator[list[tuple[str, int, float]]]:
    """Record the phases run inside the block: (name, depth, seconds), in the order they ended.

    >>> with timings() as done:
    ...     with phase("reading"):
    ...         pass
    >>> [(name, depth) for name, depth, _seconds in done]
    [('reading', 0)]
    """
    reporter = _Timings()
    token = _REPORTER.set(reporter)
    try:
        yield reporter.records
    finally:
        _REPORTER.reset(token)


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Mark the work inside the block as the phase ``name`` (shown only when a command is reporting)."""
    with _REPORTER.get().phase(name):
        yield
