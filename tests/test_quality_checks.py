"""Data-quality checks against plain references: exact duplicate events and crowded timestamps, on the sample,
on a log with planted copies, and on real logs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from conftest import load_real

from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.quality.checks import _MAX_EXAMPLES, run_checks

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "generic-events.csv"


def reference(frame: pd.DataFrame, threshold: int = 3) -> tuple[int, list[str], int, list[str]]:
    """Duplicates: rows equal in every column but the row number to an earlier row, counted row by row in
    Python; crowded: tickets with ``threshold`` or more events at one moment, the first ones in log order."""
    seen: set[tuple] = set()
    dup_rows: list[str] = []
    cols = [c for c in frame.columns if c != C.SOURCE_ROW]
    for row, values in zip(frame[C.SOURCE_ROW], frame[cols].itertuples(index=False, name=None)):
        key = tuple(None if pd.isna(v) else v for v in values)
        if key in seen:
            dup_rows.append(str(row))
        seen.add(key)
    moments = Counter(zip(frame[C.CASE], frame[C.TIMESTAMP]))
    crowded: list[str] = []
    for case, _when in moments:   # insertion order: log order
        if moments[(case, _when)] >= threshold and case not in crowded:
            crowded.append(case)
    return len(dup_rows), dup_rows[:_MAX_EXAMPLES], len(crowded), [str(c) for c in crowded[:_MAX_EXAMPLES]]


def before_opening(frame: pd.DataFrame) -> tuple[int, list[str]]:
    """Tickets with an event dated before their first event of the activity that opens most tickets (when one
    opens at least 80 % of them), found ticket by ticket in Python."""
    tickets: dict[str, list[tuple]] = {}
    for case, act, when in zip(frame[C.CASE], frame[C.ACTIVITY], frame[C.TIMESTAMP]):
        tickets.setdefault(case, []).append((act, when))
    firsts = Counter(events[0][0] for events in tickets.values())
    name, count = max(firsts.items(), key=lambda kv: kv[1])
    if count < 0.8 * len(tickets):
        return 0, []
    early = [case for case, events in tickets.items()
             if any(a == name for a, _w in events)
             and any(w < min(w2 for a2, w2 in events if a2 == name) for _a, w in events)]
    return len(early), [str(c) for c in early[:_MAX_EXAMPLES]]


def check(log: EventLog) -> None:
    found = {f.check: f for f in run_checks(log)}
    assert (found["events_before_opening"].count, found["events_before_opening"].examples) == \
        before_opening(log.frame)
    dups, dup_examples, crowded, crowded_examples = reference(log.frame)
    assert (found["duplicate_events"].count, found["duplicate_events"].examples) == (dups, dup_examples)
    assert (found["shared_timestamps"].count, found["shared_timestamps"].examples) == (crowded, crowded_examples)


def planted(log: EventLog) -> EventLog:
    """Every 50th event twice (a new row number), and every 70th case's events all at its first moment."""
    frame = log.frame
    copies = frame.iloc[::50].assign(**{C.SOURCE_ROW: frame[C.SOURCE_ROW].iloc[::50] + 10**6})
    moved = frame[C.CASE].isin(frame[C.CASE].drop_duplicates().iloc[::70])
    first = frame.groupby(C.CASE, sort=False)[C.TIMESTAMP].transform("min")
    frame = frame.assign(**{C.TIMESTAMP: frame[C.TIMESTAMP].where(~moved, first)})
    return EventLog.from_frame(pd.concat([frame, copies], ignore_index=True))


def test_sample_and_planted_copies_match_the_reference():
    log = load(SAMPLE)
    check(log)
    more = planted(log)
    check(more)
    found = {f.check: f for f in run_checks(more)}
    assert found["duplicate_events"].count >= len(log.frame) // 50 and found["shared_timestamps"].count > 0


@pytest.mark.realdata
@pytest.mark.parametrize("parts,what", [
    (("helpdesk-full", "helpdesk.csv"), "duplicate_events"),          # 127 exact copies
    (("road-traffic-fines", "road_fine.xes.gz"), "shared_timestamps"),  # 2,728 tickets with crowded moments
    (("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz"), "events_before_opening"),  # 1,158 tickets
])
def test_real_logs_match_the_reference(parts, what):
    log = load_real(*parts)
    check(log)
    assert {f.check: f.count for f in run_checks(log)}[what] > 0

