"""Data-quality checks after Suriadi et al. (2017), vectorised.

Each check returns a :class:`Finding` with a count, a plain sentence and a
few example ticket ids or rows, in the current language (the words of
``docs/glossary.md``). Checks never change the log.

Example:
    >>> from ssc_mining.eventlog import EventLog
    >>> import pandas as pd
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "2"],
    ...     "concept:name": ["Open", "open "],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)}))
    >>> [f.check for f in run_checks(log) if f.count]
    ['similar_activity_labels', 'single_event_cases']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import CaseIndex
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_date, format_number, ngettext
from ssc_mining.i18n import gettext as _

_MAX_EXAMPLES = 10
_MAX_LABELS_FOR_TYPOS = 400


@dataclass
class Finding:
    """One data-quality check's result."""

    check: str
    title: str
    count: int
    unit: str
    message: str
    severity: str = "info"
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_checks(log: EventLog, *, as_of: pd.Timestamp | None = None) -> list[Finding]:
    """Run every check; ``as_of`` is the moment after which events count as 'in the future'."""
    frame = log.frame
    runs = _same_time_runs(log)
    return [
        duplicate_events(frame, runs=runs),
        shared_timestamps(frame, runs=runs),
        future_events(frame, as_of),
        events_before_opening(frame, index=log.cases),
        similar_labels(frame, C.ACTIVITY, "activity"),
        *([similar_labels(frame, C.TEAM, "team")] if C.TEAM in frame.columns else []),
        single_event_cases(frame),
    ]


def _examples(values: pd.Series) -> list[str]:
    return [str(v) for v in pd.unique(values)[:_MAX_EXAMPLES]]


def _same_time_runs(log: EventLog) -> np.ndarray:
    """Per event the number of its run: the events of one case at one moment (contiguous, as a log is sorted by
    case and time), numbered 0, 1, … in log order."""
    n = log.n_events
    if n < 2:
        return np.arange(n)
    codes = log.cases.codes
    times = log.frame[C.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    new = np.ones(n, dtype=bool)
    new[1:] = (codes[1:] != codes[:-1]) | (times[1:] != times[:-1]) | (times[1:] == np.iinfo(np.int64).min)
    return np.cumsum(new) - 1


def duplicate_events(frame: pd.DataFrame, *, runs: np.ndarray) -> Finding:
    """Events identical in every column but their row number.

    ``runs``: per event its run of one case at one moment (:func:`_same_time_runs`). Only events that share
    their case and moment with another event are compared column by column: a copy must share both.
    """
    cols = [c for c in frame.columns if c != C.SOURCE_ROW]
    shared = np.bincount(runs)[runs] > 1 if len(runs) else np.zeros(0, dtype=bool)
    dup = pd.Series(False, index=frame.index)
    if shared.any():
        dup[shared] = frame.loc[shared, cols].duplicated(keep="first").to_numpy()
    n = int(dup.sum())
    return Finding("duplicate_events", _("Exact duplicate events"), n, ngettext("event", "events", n),
                   ngettext("%(n)s event is an exact copy of an earlier event (same ticket, activity, time and "
                            "other columns).",
                            "%(n)s events are exact copies of an earlier event (same ticket, activity, time and "
                            "other columns).", n) % {"n": format_number(n)}
                   if n else _("No event is an exact copy of another."),
                   "warning" if n else "ok", [str(r) for r in frame.loc[dup, C.SOURCE_ROW].head(_MAX_EXAMPLES)])


def shared_timestamps(frame: pd.DataFrame, threshold: int = 3, *, runs: np.ndarray) -> Finding:
    """Cases where ``threshold`` or more events share one timestamp (form-based capture).

    ``runs``: per event its run of one case at one moment (:func:`_same_time_runs`), so no group-by is needed.
    """
    size = np.bincount(runs) if len(runs) else np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]]) if len(runs) else np.zeros(0, dtype=np.int64)
    cases = pd.Index(frame[C.CASE].take(starts[size >= threshold]).to_numpy())
    n = int(pd.Series(cases).nunique())
    return Finding("shared_timestamps", _("%(k)s or more events at the same time") % {"k": threshold}, n,
                   ngettext("ticket", "tickets", n),
                   ngettext("In %(n)s ticket, %(k)s or more events have exactly the same time; their order is the "
                            "order in the file and may not be the real order.",
                            "In %(n)s tickets, %(k)s or more events have exactly the same time; their order is the "
                            "order in the file and may not be the real order.", n)
                   % {"n": format_number(n), "k": threshold}
                   if n else _("No ticket has %(k)s or more events at exactly the same time.") % {"k": threshold},
                   "warning" if n else "ok", _examples(pd.Series(cases)))


def future_events(frame: pd.DataFrame, as_of: pd.Timestamp | None) -> Finding:
    """Events dated after ``as_of`` (default: now)."""
    moment = as_of if as_of is not None else pd.Timestamp.now(tz="UTC")
    late = frame[C.TIMESTAMP] > moment
    n = int(late.sum())
    when = format_date(moment.date()) if as_of is not None else _("the moment of the run")
    return Finding("future_events", _("Events dated in the future"), n, ngettext("event", "events", n),
                   ngettext("%(n)s event is dated after %(when)s.", "%(n)s events are dated after %(when)s.", n)
                   % {"n": format_number(n), "when": when}
                   if n else _("No event is dated after %(when)s.") % {"when": when},
                   "warning" if n else "ok", [str(r) for r in frame.loc[late, C.SOURCE_ROW].head(_MAX_EXAMPLES)])


def events_before_opening(frame: pd.DataFrame, *, index: CaseIndex) -> Finding:
    """Cases with events before their opening activity (the activity that starts most cases).

    Through the log's case index (a log is sorted by case and time) no group-by is needed: a case's opening
    time is that of its first opening event.
    """
    title = _("Events before the ticket was opened")
    firsts = frame[C.ACTIVITY].take(index.first)
    opening = firsts.value_counts()
    if opening.empty or opening.iloc[0] < 0.8 * len(firsts):
        return Finding("events_before_opening", title, 0, ngettext("ticket", "tickets", 0),
                       _("No single activity opens most tickets, so this check does not apply."), "ok")
    name = opening.index[0]
    is_open = (frame[C.ACTIVITY] == name).to_numpy(dtype=bool, na_value=False)
    times = frame[C.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    opened = index.first_where(is_open)   # per case: its first opening event (−1: none)
    open_time = np.where(opened >= 0, times[np.maximum(opened, 0)], np.iinfo(np.int64).min)
    early = times < open_time[index.codes]
    cases = pd.Series(np.asarray(index.ids, dtype=object)[pd.unique(index.codes[early])], dtype=object)
    n = int(cases.nunique())
    return Finding("events_before_opening", title, n, ngettext("ticket", "tickets", n),
                   ngettext("In %(n)s ticket an event is dated before '%(name)s', the activity that opens most "
                            "tickets.",
                            "In %(n)s tickets an event is dated before '%(name)s', the activity that opens most "
                            "tickets.", n)
                   % {"n": format_number(n), "name": name} if n else
                   _("No event is dated before '%(name)s', the activity that opens most tickets.") % {"name": name},
                   "warning" if n else "ok", _examples(cases))


def similar_labels(frame: pd.DataFrame, column: str, what: str) -> Finding:
    """Labels that differ only in upper/lower case, spacing, or a small typo."""
    labels = sorted(str(v) for v in frame[column].dropna().unique())
    groups: dict[str, list[str]] = {}
    for label in labels:
        groups.setdefault(re.sub(r"\s+", " ", label).strip().casefold(), []).append(label)
    pairs = [tuple(g) for g in groups.values() if len(g) > 1]
    keys = sorted(groups)
    if len(keys) <= _MAX_LABELS_FOR_TYPOS:
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if abs(len(a) - len(b)) <= 2 and min(len(a), len(b)) >= 5 and _one_typo(a, b):
                    pairs.append((groups[a][0], groups[b][0]))
    n = len(pairs)
    shown = [" / ".join(repr(x) for x in p) for p in pairs[:_MAX_EXAMPLES]]
    kind = _("activity") if what == "activity" else _("team")
    return Finding(f"similar_{what}_labels", _("Near-identical %(kind)s names") % {"kind": kind}, n,
                   ngettext("group", "groups", n),
                   ngettext("%(n)s group of %(kind)s names differs only in capitals, spacing or one typo; "
                            "they may be the same name spelled differently.",
                            "%(n)s groups of %(kind)s names differ only in capitals, spacing or one typo; "
                            "they may be the same name spelled differently.", n)
                   % {"n": format_number(n), "kind": kind}
                   if n else _("No two %(kind)s names look like spellings of the same name.") % {"kind": kind},
                   "warning" if n else "ok", shown)


def _one_typo(a: str, b: str) -> bool:
    if a[:1].isdigit() or b[:1].isdigit() or re.sub(r"\d", "", a) == re.sub(r"\d", "", b):
        return False  # "T02 Check" vs "T03 Check" or "Group 1" vs "Group 2" are different things
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    edits = sum(max(i2 - i1, j2 - j1) for _, i1, i2, j1, j2 in ops)
    return edits == 1


def single_event_cases(frame: pd.DataFrame) -> Finding:
    """Cases with only one event: no flow can be seen in them."""
    sizes = frame.groupby(C.CASE, sort=False).size()
    single = sizes[sizes == 1]
    n = len(single)
    return Finding("single_event_cases", _("Tickets with a single event"), n, ngettext("ticket", "tickets", n),
                   ngettext("%(n)s of the %(total)s tickets has only one event; it shows no handovers and no flow.",
                            "%(n)s of the %(total)s tickets have only one event; they show no handovers and no flow.",
                            n)
                   % {"n": format_number(n), "total": format_number(len(sizes))}
                   if n else _("Every ticket has at least two events."), "info" if n else "ok",
                   _examples(pd.Series(single.index)))
