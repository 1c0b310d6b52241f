"""The case table: one row per case, computed once per log and shared by analysers, segments and plugins.

It gathers what most figures start from — how many events a case has, when it began and
ended, how long it took, which variant it follows, whether its start and end are inside the
export, whether and when it was resolved, how often it was reopened — and the value of each
segment column (mother organisation, category, priority, channel) at the case's first event.
Every column is computed with whole-array operations on the log's case index
(:attr:`EventLog.cases <ssc_mining.eventlog.EventLog.cases>`) and role markers
(:attr:`EventLog.markers <ssc_mining.eventlog.EventLog.markers>`); rows are in the order of the
case index (cases by first appearance in the sorted log), indexed by case id.

Columns:

* ``events`` — number of events;
* ``first_time``, ``last_time`` — first and last event (UTC);
* ``days`` — first to last event, in calendar days;
* ``variant`` — rank of the case's activity sequence among the log's variants (0 = most frequent);
* ``started`` — the first event registers the case (the export holds its beginning);
* ``ended`` — the last state is final (resolved, closed, cancelled or returned for good);
* ``complete`` — ended and started, as far as the log records endings and registrations;
* ``resolved_time`` — start of the final resolution (NaT when the case did not end);
* ``days_to_resolution`` — first event to ``resolved_time`` in days (NaN when it did not end);
* ``reopens`` — events that reopen the ticket after its resolution or closure;
* ``mother``, ``category``, ``priority``, ``channel`` — the value at the first event, when the log has
  the column.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
    ...     "concept:name": ["Register", "Close", "Register"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"], utc=True)}))
    >>> table = case_table(log)
    >>> table[["events", "days", "variant", "ended", "days_to_resolution"]].to_dict("index")["1"]
    {'events': 2, 'days': 2.0, 'variant': 1, 'ended': True, 'days_to_resolution': 2.0}
    >>> case_table(log) is table  # computed once per log
    True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ssc_mining.discovery.variants import variant_table
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog

__all__ = ["SEGMENT_COLUMNS", "case_table"]

#: segment columns carried into the case table (their value at the case's first event), by short name
SEGMENT_COLUMNS = {"mother": C.MOTHER, "category": C.CATEGORY, "priority": C.PRIORITY, "channel": C.CHANNEL}


def case_table(log: EventLog) -> pd.DataFrame:
    """One row per case (index: case id), computed once per log; do not change the frame you get back."""
    return log.computed("case_table", lambda: _compute(log))


def _compute(log: EventLog) -> pd.DataFrame:
    index, markers = log.cases, log.markers
    seconds = index.seconds
    first, last = index.first, index.last
    resolved_at = markers.resolved_at(index)
    resolved_seconds = np.where(resolved_at >= 0, seconds[np.maximum(resolved_at, 0)], np.nan)
    times = log.frame[C.TIMESTAMP].array  # tz-aware (UTC)
    resolved_time = pd.Series(times.take(np.maximum(resolved_at, 0))).where(resolved_at >= 0).array
    variants = variant_table(log).case_variant
    table = pd.DataFrame({
        "events": (last - first + 1).astype("int64"),
        "first_time": times.take(first),
        "last_time": times.take(last),
        "days": index.days(),
        "variant": variants.reindex(index.ids).to_numpy().astype("int64") if len(variants) else
        np.zeros(index.n, dtype="int64"),
        "started": markers.started,
        "ended": markers.ended,
        "complete": markers.complete,
        "resolved_time": resolved_time,
        "days_to_resolution": (resolved_seconds - seconds[first]) / 86_400,
        "reopens": index.count(markers.reopen),
    }, index=index.ids.rename("case"))   # shares the ids' lookup table
    for name, column in SEGMENT_COLUMNS.items():
        if log.has(column):
            table[name] = index.case_first(log.frame[column]).to_numpy()
    return table
