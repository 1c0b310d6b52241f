"""Give memory that a run has freed back to the operating system, between its phases.

Two allocators keep memory after it is freed, to reuse it: Arrow's pool (mimalloc, which holds the text
columns) and the C library's ``malloc`` (which holds numpy's arrays). After reading a 5M-event export,
Arrow's pool kept about 650 MiB that the loaded frame no longer used, and ``malloc`` keeps the pages that the
analysers' working tables leave between the tables that stay. The process's peak memory is what counts on a
machine that is near its limit, so :func:`release_unused` hands both back at the points where much was
just freed: after reading, before the analysis, and each time an analyser ends.

It costs little (about 10 ms at 5M events), changes no figure, and does nothing where an allocator offers no
way to do it (``malloc_trim`` is part of glibc, so Linux; elsewhere only Arrow's pool is asked).

Arrow's own pool keeps more than it is asked to give back: with it a 5M-event report peaked at 2,851 MiB,
with Arrow's texts in the C library's ``malloc`` (:func:`use_system_pool`, which ``ssc-mining`` calls when it
starts) at 2,559 MiB, in the same time (27.2 and 27.9 s, one run each; see docs/performance.md).

Example:
    >>> from ssc_mining.memory import release_unused
    >>> release_unused()
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
from collections.abc import Callable
from typing import TypeVar

import pyarrow as pa

__all__ = ["release_unused", "releasing", "use_system_pool"]

T = TypeVar("T")


def release_unused() -> None:
    """Return the memory that Arrow's pool and ``malloc`` hold but no longer use to the operating system."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def use_system_pool() -> str:
    """Let Arrow allocate with the C library's ``malloc`` (its system pool) from now on, unless the
    ``ARROW_DEFAULT_MEMORY_POOL`` environment variable chose a pool; returns the pool's name.

    ``malloc`` gives freed memory back with :func:`release_unused` more completely than Arrow's default
    pool (mimalloc), which lowers the peak of a large run by about a tenth at no cost in time. A program that
    embeds ssc_mining decides for itself whether to call it: it changes the pool of the whole process.

    Example:
        >>> use_system_pool() == pa.default_memory_pool().backend_name
        True
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return pa.default_memory_pool().backend_name
    pa.set_memory_pool(pa.system_memory_pool())
    return pa.default_memory_pool().backend_name


def releasing(task: Callable[[], T]) -> Callable[[], T]:
    """``task``, followed by :func:`release_unused` once it returned or raised (for a phase's work).

    Example:
        >>> releasing(lambda: 6 * 7)()
        42
    """
    @functools.wraps(task)
    def run() -> T:
        try:
            return task()
        finally:
            release_unused()
    return run


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (frees the unused pages of every heap, not only its top); None without glibc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):   # musl and other C libraries have no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim
