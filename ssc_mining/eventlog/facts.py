"""Facts about a whole log that per-ticket figures depend on, so that parts of a log are read as the whole.

A log split into parts of whole tickets (the DuckDB engine's partitions, see
:mod:`ssc_mining.engines.partitioned`) must be measured as if it were one log. A few decisions are taken on the
whole log, not per ticket: whether the log records endings at all, whether most tickets begin with a
registration (so a ticket without one is cut off by the export), which roles occur, which columns hold values,
which activities have lifecycle ``start`` events, and which activities open how many tickets (the data-quality
checks' opening activity). :class:`LogFacts` holds them; :meth:`LogFacts.of` reads them from a log,
:meth:`LogFacts.merge` combines those of the parts, and an :class:`~ssc_mining.eventlog.EventLog` made with
``facts=`` uses them instead of its own (its markers, :meth:`~ssc_mining.eventlog.EventLog.has`).

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
    ...     "concept:name": ["Register", "Close", "Work"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"], utc=True)}))
    >>> one, two = (LogFacts.of(log.subset(log.frame["case:concept:name"] == c)) for c in ("1", "2"))
    >>> two.starts_known, LogFacts.merge([one, two]).starts_known, LogFacts.merge([one, two]) == LogFacts.of(log)
    (False, True, True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ssc_mining.semantics.vocabulary import Role

if TYPE_CHECKING:
    from ssc_mining.eventlog.log import EventLog

__all__ = ["CASE_ORDER", "LogFacts", "case_order", "first_activities_of", "in_log_order", "opening_of"]


#: the key under which a log keeps its own facts (see :meth:`LogFacts.of`)
_FACTS = "facts of the whole log"


@dataclass(frozen=True)
class LogFacts:
    """Decisions taken on a whole log (see the module doc)."""

    cases: int                     #: tickets
    events: int                    #: events
    started: int                   #: tickets whose first event registers them
    endings_known: bool            #: some event resolves, closes, cancels or returns a ticket for good
    roles_present: frozenset[Role]  #: the roles some event has
    with_values: frozenset[str]    #: the columns that hold at least one value
    lifecycle_starts: frozenset[str]  #: activities with lifecycle ``start`` events
    mothers: frozenset[Any] = frozenset()  #: the mother organisations (values of the mother column)
    #: each activity that is the first of some ticket, with its number of tickets, in label order
    first_activities: tuple[tuple[str, int], ...] = ()

    @property
    def starts_known(self) -> bool:
        """At least half of the tickets begin with a registration."""
        return bool(self.cases) and self.started / self.cases >= 0.5

    @classmethod
    def of(cls, log: EventLog) -> LogFacts:
        """The facts of ``log`` as it is (its own, read once per log, or those it was given)."""
        if log.facts is not None:
            return log.facts
        return log.computed(_FACTS, lambda: cls._read(log))

    @classmethod
    def _read(cls, log: EventLog) -> LogFacts:
        from ssc_mining.semantics.markers import lifecycle_starts

        markers = log.markers
        return cls(cases=log.cases.n, events=log.n_events, started=int(markers.started.sum()),
                   endings_known=markers.endings_known, roles_present=markers.roles_present,
                   with_values=frozenset(c for c in log.frame.columns if log.has(c)),
                   lifecycle_starts=lifecycle_starts(log.frame), mothers=mothers_of(log.frame),
                   first_activities=first_activities_of(log.frame, log.cases.first))

    @classmethod
    def merge(cls, parts: Iterable[LogFacts]) -> LogFacts:
        """The facts of a log made of ``parts`` (disjoint sets of whole tickets)."""
        parts = list(parts)
        return cls(cases=sum(p.cases for p in parts), events=sum(p.events for p in parts),
                   started=sum(p.started for p in parts), endings_known=any(p.endings_known for p in parts),
                   roles_present=frozenset().union(*(p.roles_present for p in parts)),
                   with_values=frozenset().union(*(p.with_values for p in parts)),
                   lifecycle_starts=frozenset().union(*(p.lifecycle_starts for p in parts)),
                   mothers=frozenset().union(*(p.mothers for p in parts)),
                   first_activities=_counted(pair for p in parts for pair in p.first_activities))

    def renamed(self, activities: Mapping[str, str]) -> LogFacts:
        """The same facts with the activities that open tickets under new labels (``old → new``; e.g. after names
        in labels were pseudonymised); labels that become equal are counted together."""
        return replace(self, first_activities=_counted((activities.get(a, a), n) for a, n in self.first_activities))

    @property
    def opening(self) -> str | None:
        """The activity that opens most tickets when it opens at least 80 % of them (else None)."""
        return opening_of(self.first_activities, self.cases)


def opening_of(first_activities: tuple[tuple[str, int], ...], cases: int) -> str | None:
    """Of ``first_activities`` (as :attr:`LogFacts.first_activities`) of ``cases`` tickets: the one that opens most
    of them when it opens at least 80 % (else None).

    >>> opening_of((("Close", 1), ("Open", 4)), 5), opening_of((("Close", 2), ("Open", 3)), 5)
    ('Open', None)
    """
    if not first_activities:
        return None
    # two activities that open as many tickets each open at most half of them: which one is taken in a tie
    # never matters, as neither reaches 80 %
    name, count = max(first_activities, key=lambda pair: pair[1])
    return name if count >= 0.8 * cases else None


def first_activities_of(frame: pd.DataFrame, first: np.ndarray) -> tuple[tuple[str, int], ...]:
    """Per activity that is the first of some ticket (``first``: each ticket's first event): its tickets."""
    from ssc_mining.eventlog import columns as C

    counts = frame[C.ACTIVITY].take(first).value_counts(sort=False)
    return _counted(zip(counts.index.tolist(), counts.tolist()))


def _counted(pairs: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """``(label, count)`` pairs summed per label, in label order (labels of no ticket left out)."""
    total: Counter[str] = Counter()
    for label, n in pairs:
        total[label] += int(n)
    return tuple(sorted((label, n) for label, n in total.items() if n))


def mothers_of(frame: pd.DataFrame) -> frozenset[Any]:
    """The mother organisations named in ``frame`` (none when it has no mother column)."""
    from ssc_mining.eventlog import columns as C

    return frozenset(pd.unique(frame[C.MOTHER].dropna()).tolist()) if C.MOTHER in frame.columns else frozenset()


#: the key under which a partition keeps the place of each of its tickets in the whole log (see :func:`case_order`)
CASE_ORDER = "case order in the whole log"


def case_order(log: EventLog) -> np.ndarray:
    """Per ticket of ``log`` (in its case order): a number that orders the tickets as the whole log orders them —
    for a partition, the database row of the ticket's first event; for a whole log, 0 … n−1. Parts put together
    in this order add up in the same order as the whole log, so even sums of floats come out the same.

    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["b", "a"], "concept:name": ["x", "y"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)}))
    >>> case_order(log).tolist()
    [0, 1]
    """
    return log.computed(CASE_ORDER, lambda: np.arange(log.cases.n, dtype=np.int64))


def in_log_order(frame: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """``frame`` (per-ticket parts put together) sorted by ``order`` (their :func:`case_order`), stably."""
    return frame.iloc[np.argsort(order, kind="stable")]
