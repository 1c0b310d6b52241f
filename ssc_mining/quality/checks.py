"""Data-quality checks after Suriadi et al. (2017), vectorised.

Each check returns a :class:`Finding` with a count, a plain sentence and a
few example ticket ids or rows, in the current language (the words of
``docs/glossary.md``). Checks never change the log.

They run on a log in memory (:func:`run_checks`) or on partitions of whole tickets, as the analysers do
(:class:`QualityChecks`: a small part per partition, :meth:`~QualityChecks.partial`, made into the findings by
:meth:`~QualityChecks.combine`); the log in memory is the combination of one part, so both give the same
findings. The one decision on the whole log, which activity opens the tickets, comes from its
:class:`~ssc_mining.eventlog.facts.LogFacts`.

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
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import CaseIndex
from ssc_mining.eventlog.facts import LogFacts, case_order, first_activities_of, opening_of
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
    """Run every check; ``as_of`` is the moment after which events count as 'in the future' (default: now)."""
    checks = QualityChecks(as_of)
    return checks.combine([checks.partial(log)], LogFacts.of(log))


@dataclass(frozen=True)
class _Examples:
    """What one check found in a part of the log: the count, and its first examples (export rows or ticket ids)
    in the part's order, each with its place in the whole log (the ticket's :func:`case_order`, the event's
    position in the part), so that the parts' examples are put in the whole log's order."""

    count: int = 0
    keys: tuple[tuple[int, int], ...] = ()
    values: tuple[str, ...] = ()

    @staticmethod
    def merge(found: Sequence[_Examples]) -> tuple[int, list[str]]:
        """The count of the whole log and its first ``_MAX_EXAMPLES`` examples."""
        # a ticket is in one part only and has one case order: no two keys are equal
        first = sorted((key, value) for e in found for key, value in zip(e.keys, e.values))[:_MAX_EXAMPLES]
        return sum(e.count for e in found), [value for _key, value in first]


@dataclass(frozen=True)
class ChecksPart:
    """A partition's share of the checks (picklable and small: counts, at most ``_MAX_EXAMPLES`` examples per
    check, and the distinct activity and team labels)."""

    duplicates: _Examples      #: events that copy an earlier event (examples: export rows)
    crowded: _Examples         #: tickets with three or more events at one moment (examples: ticket ids)
    future: _Examples          #: events dated after the moment (examples: export rows)
    before_opening: _Examples  #: tickets with an event before the opening activity (examples: ticket ids)
    single: _Examples          #: tickets of one event (examples: ticket ids)
    tickets: int               #: the part's tickets
    activities: frozenset[Any]  #: the distinct activity labels
    teams: frozenset[Any] | None  #: the distinct team labels (None: the log has no team column)


@dataclass(frozen=True)
class QualityChecks:
    """The data-quality checks as a part per partition and their combination, as an analyser's ``partial`` and
    ``combine``: :func:`run_checks` is the combination of one part, the log in memory.

    Example:
        >>> from ssc_mining.eventlog import EventLog
        >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
        ...     "concept:name": ["Open", "Close", "Open"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2030-01-02"], utc=True)}))
        >>> checks = QualityChecks(pd.Timestamp("2025-01-01", tz="UTC"))
        >>> [(f.check, f.count) for f in checks.combine([checks.partial(log)], LogFacts.of(log)) if f.count]
        [('future_events', 1), ('single_event_cases', 1)]
    """

    #: the moment after which events count as 'in the future' (None: :attr:`now`, "the moment of the run")
    as_of: pd.Timestamp | None = None
    #: the moment used when ``as_of`` is None (fixed once, so that every partition uses the same)
    now: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.now(tz="UTC"))
    name: ClassVar[str] = "data-quality checks"
    thread_safe: ClassVar[bool] = True

    @property
    def moment(self) -> pd.Timestamp:
        """The moment after which events count as 'in the future'."""
        return self.as_of if self.as_of is not None else self.now

    def partial(self, log: EventLog) -> ChecksPart:
        """What the checks find in ``log``, a log in memory or a partition of whole tickets (read with the whole
        log's facts)."""
        frame, index = log.frame, log.cases
        order = case_order(log)
        runs = _same_time_runs(log)
        late = (frame[C.TIMESTAMP] > self.moment).to_numpy(dtype=bool, na_value=False)
        sizes = np.bincount(index.codes, minlength=index.n)
        return ChecksPart(
            duplicates=_events(frame, index, order, _duplicates(frame, runs)),
            crowded=_tickets(index, order, _crowded(index, runs)),
            future=_events(frame, index, order, late),
            before_opening=_tickets(index, order, _before_opening(frame, index, _opening(log))),
            single=_tickets(index, order, np.flatnonzero(sizes == 1)),
            tickets=index.n, activities=_labels(frame, C.ACTIVITY),
            teams=_labels(frame, C.TEAM) if C.TEAM in frame.columns else None)

    def combine(self, parts: Sequence[ChecksPart], facts: LogFacts) -> list[Finding]:
        """The findings of the whole log from its parts' and its ``facts`` (in the current language)."""
        teams = [p.teams for p in parts if p.teams is not None]
        return [
            duplicate_events(*_Examples.merge([p.duplicates for p in parts])),
            shared_timestamps(*_Examples.merge([p.crowded for p in parts])),
            future_events(*_Examples.merge([p.future for p in parts]), moment=self.moment,
                          given=self.as_of is not None),
            events_before_opening(*_Examples.merge([p.before_opening for p in parts]), opening=facts.opening),
            similar_labels(_union(p.activities for p in parts), "activity"),
            *([similar_labels(_union(teams), "team")] if teams else []),
            single_event_cases(*_Examples.merge([p.single for p in parts]), tickets=sum(p.tickets for p in parts)),
        ]


def _events(frame: pd.DataFrame, index: CaseIndex, order: np.ndarray, flags: np.ndarray) -> _Examples:
    """The events with ``flags``: their number, and the export rows of the first ones."""
    where = np.flatnonzero(flags)
    first = where[:_MAX_EXAMPLES]
    return _Examples(len(where), tuple(zip(order[index.codes[first]].tolist(), first.tolist())),
                     tuple(str(r) for r in frame[C.SOURCE_ROW].take(first)))


def _tickets(index: CaseIndex, order: np.ndarray, codes: np.ndarray) -> _Examples:
    """The tickets ``codes`` (distinct, in log order): their number, and the ids of the first ones."""
    first = codes[:_MAX_EXAMPLES]
    return _Examples(len(codes), tuple((k, 0) for k in order[first].tolist()),
                     tuple(str(v) for v in index.ids.take(first)))


def _labels(frame: pd.DataFrame, column: str) -> frozenset[Any]:
    """The distinct values of ``column`` (labels)."""
    return frozenset(frame[column].dropna().unique().tolist())


def _union(sets: Iterable[frozenset[Any]]) -> list[str]:
    """The labels of all parts, as text in order."""
    return sorted(str(v) for v in frozenset().union(*sets))


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


def _duplicates(frame: pd.DataFrame, runs: np.ndarray) -> np.ndarray:
    """Per event: True when it is identical in every column but its row number to an earlier event.

    ``runs``: per event its run of one case at one moment (:func:`_same_time_runs`). Only events that share
    their case and moment with another event are compared column by column: a copy must share both.
    """
    cols = [c for c in frame.columns if c != C.SOURCE_ROW]
    shared = np.bincount(runs)[runs] > 1 if len(runs) else np.zeros(0, dtype=bool)
    dup = np.zeros(len(frame), dtype=bool)
    if shared.any():
        dup[shared] = frame.loc[shared, cols].duplicated(keep="first").to_numpy()
    return dup


def _crowded(index: CaseIndex, runs: np.ndarray, threshold: int = 3) -> np.ndarray:
    """The cases (codes, in log order) where ``threshold`` or more events share one timestamp.

    ``runs``: per event its run of one case at one moment (:func:`_same_time_runs`), so no group-by is needed.
    """
    if not len(runs):
        return np.zeros(0, dtype=np.int64)
    size = np.bincount(runs)
    starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]])
    return np.unique(index.codes[starts[size >= threshold]])


def _opening(log: EventLog) -> str | None:
    """The activity that opens most tickets of the whole log (:attr:`LogFacts.opening`): from the facts a
    partition was given, else from the log itself (as :meth:`LogFacts.of` reads them, without the rest)."""
    if log.facts is not None:
        return log.facts.opening
    return opening_of(first_activities_of(log.frame, log.cases.first), log.cases.n)


def _before_opening(frame: pd.DataFrame, index: CaseIndex, name: str | None) -> np.ndarray:
    """The cases (codes, in log order) with an event dated before their first ``name`` event (none without one).

    Through the log's case index (a log is sorted by case and time) no group-by is needed: a case's opening
    time is that of its first opening event.
    """
    if name is None:
        return np.zeros(0, dtype=np.int64)
    is_open = (frame[C.ACTIVITY] == name).to_numpy(dtype=bool, na_value=False)
    times = frame[C.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    opened = index.first_where(is_open)   # per case: its first opening event (−1: none)
    open_time = np.where(opened >= 0, times[np.maximum(opened, 0)], np.iinfo(np.int64).min)
    early = times < open_time[index.codes]
    return np.unique(index.codes[early])


def duplicate_events(n: int, examples: list[str]) -> Finding:
    """Events identical in every column but their row number: ``n``, the first ones' export rows."""
    return Finding("duplicate_events", _("Exact duplicate events"), n, ngettext("event", "events", n),
                   ngettext("%(n)s event is an exact copy of an earlier event (same ticket, activity, time and "
                            "other columns).",
                            "%(n)s events are exact copies of an earlier event (same ticket, activity, time and "
                            "other columns).", n) % {"n": format_number(n)}
                   if n else _("No event is an exact copy of another."),
                   "warning" if n else "ok", examples)


def shared_timestamps(n: int, examples: list[str], threshold: int = 3) -> Finding:
    """Cases where ``threshold`` or more events share one timestamp (form-based capture): ``n``, the first ones."""
    return Finding("shared_timestamps", _("%(k)s or more events at the same time") % {"k": threshold}, n,
                   ngettext("ticket", "tickets", n),
                   ngettext("In %(n)s ticket, %(k)s or more events have exactly the same time; their order is the "
                            "order in the file and may not be the real order.",
                            "In %(n)s tickets, %(k)s or more events have exactly the same time; their order is the "
                            "order in the file and may not be the real order.", n)
                   % {"n": format_number(n), "k": threshold}
                   if n else _("No ticket has %(k)s or more events at exactly the same time.") % {"k": threshold},
                   "warning" if n else "ok", examples)


def future_events(n: int, examples: list[str], *, moment: pd.Timestamp, given: bool) -> Finding:
    """Events dated after ``moment`` (``given``: a moment asked for; else the moment of the run): ``n``, the
    first ones' export rows."""
    when = format_date(moment.date()) if given else _("the moment of the run")
    return Finding("future_events", _("Events dated in the future"), n, ngettext("event", "events", n),
                   ngettext("%(n)s event is dated after %(when)s.", "%(n)s events are dated after %(when)s.", n)
                   % {"n": format_number(n), "when": when}
                   if n else _("No event is dated after %(when)s.") % {"when": when},
                   "warning" if n else "ok", examples)


def events_before_opening(n: int, examples: list[str], *, opening: str | None) -> Finding:
    """Cases with events before their ``opening`` activity (the activity that opens at least 80 % of the tickets;
    None: no activity does): ``n``, the first ones."""
    title = _("Events before the ticket was opened")
    if opening is None:
        return Finding("events_before_opening", title, 0, ngettext("ticket", "tickets", 0),
                       _("No single activity opens most tickets, so this check does not apply."), "ok")
    return Finding("events_before_opening", title, n, ngettext("ticket", "tickets", n),
                   ngettext("In %(n)s ticket an event is dated before '%(name)s', the activity that opens most "
                            "tickets.",
                            "In %(n)s tickets an event is dated before '%(name)s', the activity that opens most "
                            "tickets.", n)
                   % {"n": format_number(n), "name": opening} if n else
                   _("No event is dated before '%(name)s', the activity that opens most tickets.") % {"name": opening},
                   "warning" if n else "ok", examples)


def similar_labels(labels: list[str], what: str) -> Finding:
    """Labels (distinct, in order) that differ only in upper/lower case, spacing, or a small typo."""
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


def single_event_cases(n: int, examples: list[str], *, tickets: int) -> Finding:
    """Cases with only one event, of ``tickets``: no flow can be seen in them; ``n``, the first ones."""
    return Finding("single_event_cases", _("Tickets with a single event"), n, ngettext("ticket", "tickets", n),
                   ngettext("%(n)s of the %(total)s tickets has only one event; it shows no handovers and no flow.",
                            "%(n)s of the %(total)s tickets have only one event; they show no handovers and no flow.",
                            n)
                   % {"n": format_number(n), "total": format_number(tickets)}
                   if n else _("Every ticket has at least two events."), "info" if n else "ok", examples)
