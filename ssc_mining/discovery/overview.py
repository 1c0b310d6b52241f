"""Overview figures of a log: cases, events, period, activities, variants, people, teams.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
    ...     "concept:name": ["Open", "Close", "Open"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"], utc=True)}))
    >>> o = overview(log)
    >>> o.cases, o.events, o.variants
    (2, 3, 2)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from ssc_mining.discovery.variants import variant_table
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog


@dataclass(frozen=True)
class Overview:
    """Headline counts of an event log."""

    cases: int
    events: int
    first_event: str | None
    last_event: str | None
    activities: int
    variants: int
    resources: int | None
    teams: int | None
    median_case_days: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def variants(log: EventLog) -> pd.Series:
    """Number of cases per variant (activity sequence joined by ' → '), most frequent first (computed once per
    log and shared; do not change the series)."""
    return log.computed("variant_counts", lambda: _variants(log))


def _variants(log: EventLog) -> pd.Series:
    if log.frame.empty:
        return pd.Series(dtype="int64")
    table = variant_table(log)
    out = pd.Series(table.counts, index=[" → ".join(trace) for trace in table.traces], name="cases")
    return out.sort_index().sort_values(ascending=False, kind="stable")


def case_durations(log: EventLog) -> pd.Series:
    """Throughput time per case in days (last event minus first event), indexed by case id in order of first
    appearance (from the case index: a case's events are sorted by time)."""
    index = log.cases
    return pd.Series(index.days(), index=index.ids, dtype="float64")


def overview(log: EventLog) -> Overview:
    """Headline counts; times shown in the log's zone."""
    frame = log.frame
    local = log.local_times() if len(frame) else frame[C.TIMESTAMP]
    durations = case_durations(log)
    return Overview(
        cases=log.n_cases,
        events=log.n_events,
        first_event=local.min().isoformat() if len(frame) else None,
        last_event=local.max().isoformat() if len(frame) else None,
        activities=int(frame[C.ACTIVITY].nunique()),
        variants=int(len(variants(log))),
        resources=int(frame[C.RESOURCE].nunique()) if C.RESOURCE in frame.columns else None,
        teams=int(frame[C.TEAM].nunique()) if C.TEAM in frame.columns else None,
        median_case_days=round(float(durations.median()), 4) if len(durations) else None,
    )
