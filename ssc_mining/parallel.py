"""Independent pieces of one run side by side on the machine's cores, their results in a fixed order.

The analysers, the data-quality checks and the language-independent part of the process map read the same
event log and write nothing to it except through :meth:`EventLog.computed` (one lock per key), so they can
run at the same time. They run in threads: pandas, numpy and Arrow release Python's lock in their inner
loops, and threads share the log without copying it (processes would copy gigabytes). Each piece runs in a
copy of the caller's context (:mod:`contextvars`), so the language, deferred texts, progress display and
input limits of the caller apply inside it.

The results never depend on the number of threads: each piece computes the same thing whichever runs first,
and :func:`side_by_side` returns them in the order given. One thread (``jobs=1``) runs the pieces one after
the other in the calling thread, using the least memory.

Threads pay off only on large logs. On a small one the pieces spend most of their time in Python code, which
runs one thread at a time, and every short numpy call that lets go of the interpreter's lock waits to get it
back: two threads are slower than one. :func:`auto_jobs` therefore uses threads from
:data:`THREADS_FROM_EVENTS` events on.

Example:
    >>> side_by_side([lambda: 1 + 1, lambda: "two"], jobs=2)
    [2, 'two']
    >>> default_jobs() >= 1
    True
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["MAX_DEFAULT_JOBS", "THREADS_FROM_EVENTS", "auto_jobs", "default_jobs", "side_by_side"]

T = TypeVar("T")

MAX_DEFAULT_JOBS = 4
"""At most this many threads unless asked for more: beyond it the memory grows faster than the speed."""


def default_jobs() -> int:
    """The threads a run uses unless told otherwise: the cores this process may use, at most
    :data:`MAX_DEFAULT_JOBS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_DEFAULT_JOBS, cores))


THREADS_FROM_EVENTS = 400_000
"""Logs with fewer events are analysed on one thread by default (measured: see docs/performance.md)."""


def auto_jobs(n_events: int) -> int:
    """The threads for a log of ``n_events`` unless told otherwise: one below :data:`THREADS_FROM_EVENTS`,
    else :func:`default_jobs`.

    >>> auto_jobs(1_000), auto_jobs(5_000_000) == default_jobs()
    (1, True)
    """
    return 1 if n_events < THREADS_FROM_EVENTS else default_jobs()


def side_by_side(tasks: Sequence[Callable[[], T]], jobs: int, *, alone: Sequence[bool] | None = None) -> list[T]:
    """Each task's result, in the order of ``tasks``, computed on up to ``jobs`` threads. A task marked in
    ``alone`` runs on its own in the calling thread, after the others (a plugin that is not thread-safe).

    The first task (in the given order) that raised has its exception raised here, once the tasks running
    beside it ended (the tasks that run alone are then not started).
    """
    alone = alone or [False] * len(tasks)
    shared = [i for i, own in enumerate(alone) if not own]
    if jobs <= 1 or len(shared) <= 1:
        return [task() for task in tasks]
    out: list[Any] = [None] * len(tasks)
    with ThreadPoolExecutor(max_workers=min(jobs, len(shared)), thread_name_prefix="ssc-mining") as pool:
        futures = {i: pool.submit(contextvars.copy_context().run, tasks[i]) for i in shared}
        for i in shared:
            out[i] = futures[i].result()
    for i, own in enumerate(alone):
        if own:
            out[i] = tasks[i]()
    return out
