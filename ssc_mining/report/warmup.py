"""Prepare the report's libraries while the export is being read.

Reading a large export is mostly Arrow's work, which lets go of the interpreter's lock. The first report of
a process also pays once for things that do not depend on the data: compiling the page templates, plotly's
figure machinery and chart template, the holidays package. :func:`warm_up` does these on a
background thread, so they overlap the reading instead of following it. Nothing it does changes a figure or
a byte of the report; it only fills caches the report would fill anyway.

Example:
    >>> warm_up().join()
"""

from __future__ import annotations

import threading

__all__ = ["warm_up"]


def warm_up() -> threading.Thread:
    """Start preparing the report's libraries on a daemon thread; returns the thread."""
    thread = threading.Thread(target=_prepare, name="ssc-mining-warm-up", daemon=True)
    thread.start()
    return thread


def _prepare() -> None:
    try:
        from ssc_mining.business_calendar import BusinessCalendar
        from ssc_mining.report.results_html import _template
        from ssc_mining.report.templating import environment

        env = environment()
        env.get_template("report.html.j2")
        env.get_template("items.html.j2")
        _template()
        BusinessCalendar()
    except Exception:  # noqa: BLE001 - only a head start: the report does all of this again if it must
        pass
