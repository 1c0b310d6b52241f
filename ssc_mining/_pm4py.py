"""Import pm4py quietly: no welcome banner, no progress bars, no warnings in our output.

Example:
    >>> pm4py = import_pm4py()
    >>> hasattr(pm4py, "discover_dfg")
    True
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
import warnings
from types import ModuleType


def import_pm4py() -> ModuleType:
    """Return the pm4py module, imported without printing anything."""
    sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]  # pm4py's own switch for its banner
    os.environ.setdefault("TQDM_DISABLE", "1")
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        import pm4py
    return pm4py


_QUIET = threading.RLock()


@contextlib.contextmanager
def quiet():
    """Silence stdout, stderr and warnings of a pm4py call.

    Redirecting the streams and the warning filters changes them for the whole process, so one thread at a
    time runs a silenced call (see :mod:`ssc_mining.parallel`); pm4py's Python code holds the interpreter's
    lock anyway.
    """
    sink = io.StringIO()
    with _QUIET, warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        yield
