"""The canonical event log: one pandas DataFrame plus its provenance.

The frame uses XES column names (see :mod:`ssc_mining.eventlog.columns`), so
``pm4py`` functions accept it as it is. Timestamps are timezone-aware and
stored in UTC; :attr:`EventLog.timezone` is the zone to show them in. Rows
are grouped by case (in order of first appearance) and sorted by timestamp;
ties keep the file's order.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "case:concept:name": ["1", "1"],
    ...     "concept:name": ["Open", "Close"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-02 09:00", "2024-01-02 10:00"], utc=True),
    ... })
    >>> log = EventLog.from_frame(frame)
    >>> log.n_cases, log.n_events
    (1, 2)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from ssc_mining.errors import InputError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import CaseIndex, case_index
from ssc_mining.eventlog.provenance import Provenance, SourceFile

T = TypeVar("T")

if TYPE_CHECKING:
    from ssc_mining.eventlog.facts import LogFacts
    from ssc_mining.semantics.markers import Markers
    from ssc_mining.semantics.reading import Semantics

_LOCKS_GUARD = threading.Lock()  # hands out the per-key locks of EventLog.computed
_UNPICKLED = ("_locks",)  # per-process state left out when a log is pickled


@dataclass(frozen=True)
class EventLog:
    """An event log in canonical form, with the provenance of its data."""

    frame: pd.DataFrame
    provenance: Provenance
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["source_row", "reason", "raw"]))
    #: how the activity labels and statuses were read (see :mod:`ssc_mining.semantics`); proposed when not given
    semantics: Semantics | None = None
    #: the person columns hold pseudonyms (set by :func:`ssc_mining.privacy.pseudonymise_log`)
    pseudonymised: bool = False
    #: decisions taken on the whole log this one is a part of (see :mod:`ssc_mining.eventlog.facts`); None: its own
    facts: LogFacts | None = None

    def __post_init__(self) -> None:
        if self.semantics is None:
            from ssc_mining.semantics.reading import read_semantics

            object.__setattr__(self, "semantics", read_semantics(self.frame))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, provenance: Provenance | None = None,
                   semantics: Semantics | None = None) -> EventLog:
        """Wrap an already canonical frame (copied, sorted, checked); semantics are proposed when not given."""
        missing = [c for c in C.CORE if c not in frame.columns]
        if missing:
            raise InputError(f"the frame lacks the canonical columns {missing}", hint="map the columns first")
        frame = frame.copy()
        if C.SOURCE_ROW not in frame.columns:
            frame[C.SOURCE_ROW] = range(1, len(frame) + 1)
        frame = sort_events(frame)
        if provenance is None:
            provenance = Provenance(source=SourceFile("<in memory>", 0, ""), loader="frame",
                                    rows_read=len(frame), rows_used=len(frame))
        return cls(frame=frame, provenance=provenance, semantics=semantics)

    @property
    def cases(self) -> CaseIndex:
        """The case index of the frame (computed once, shared by every analyser)."""
        return self.computed("case index", lambda: case_index(self.frame))

    @property
    def markers(self) -> Markers:
        """Per-event roles and states and per-case endings (computed once; see :mod:`ssc_mining.semantics.markers`)."""
        from ssc_mining.semantics.markers import compute_markers

        semantics = self.semantics
        assert semantics is not None
        return self.computed("markers", lambda: compute_markers(self.frame, self.cases, semantics, self.facts))

    def computed(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result of ``compute()``, computed once per log and ``key`` and shared afterwards — by every
        analyser, map and language of a run. For figures that do not depend on the reader's language (a
        directly-follows graph, a discovered model); callers must not change what they get back. Safe to
        call from several threads at once (see :mod:`ssc_mining.parallel`): each key is computed once.

        >>> import pandas as pd
        >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01"], utc=True)}))
        >>> calls = []
        >>> [log.computed("n", lambda: calls.append(1) or log.n_events) for _ in range(2)], len(calls)
        ([1, 1], 1)
        """
        store: dict[Hashable, Any] = self.__dict__.setdefault("_computed", {})
        if key in store:
            return store[key]
        with _LOCKS_GUARD:  # one lock per key: parts of a run that need the same figure compute it once
            lock = self.__dict__.setdefault("_locks", {}).setdefault(key, threading.RLock())
        with lock:
            if key not in store:
                store[key] = compute()
        return store[key]

    def forget(self, key: Hashable) -> None:
        """Drop the figure kept under ``key`` (see :meth:`computed`) once its last user has what it needs, so its
        memory is freed; asked for again, it is computed again.

        >>> import pandas as pd
        >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01"], utc=True)}))
        >>> calls = []
        >>> log.computed("n", lambda: calls.append(1)); log.forget("n"); log.computed("n", lambda: calls.append(1))
        >>> len(calls)
        2
        """
        with _LOCKS_GUARD:
            lock = self.__dict__.setdefault("_locks", {}).setdefault(key, threading.RLock())
        with lock:   # not while it is being computed
            self.__dict__.get("_computed", {}).pop(key, None)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _UNPICKLED}

    def subset(self, mask: np.ndarray | pd.Series) -> EventLog:
        """The events where ``mask`` holds (whole cases, in the same order), read with the same semantics."""
        mask = np.asarray(mask, dtype=bool)
        return EventLog(frame=self.frame[mask].reset_index(drop=True), provenance=self.provenance,
                        quarantine=self.quarantine, semantics=self.semantics, pseudonymised=self.pseudonymised,
                        facts=self.facts)

    @property
    def timezone(self) -> str:
        """IANA zone in which to show this log's times (data are stored in UTC)."""
        return self.provenance.timezone

    @property
    def n_events(self) -> int:
        return len(self.frame)

    @property
    def n_cases(self) -> int:
        return int(self.frame[C.CASE].nunique())

    def has(self, column: str) -> bool:
        """True when ``column`` exists and holds at least one value (looked at once per log and column)."""
        if self.facts is not None:
            return column in self.facts.with_values
        return column in self.frame.columns and self.computed(("has", column),
                                                              lambda: bool(self.frame[column].notna().any()))

    def local_times(self, column: str = C.TIMESTAMP) -> pd.Series:
        """A time column converted to the log's own zone, for display."""
        return self.frame[column].dt.tz_convert(self.timezone)


def sort_events(frame: pd.DataFrame, *, consume: bool = False) -> pd.DataFrame:
    """Group events by case (cases in order of first appearance), then by timestamp; ties by source row.

    Deterministic: the order depends only on the rows and their order in the file. A frame that
    is already in this order is returned with a fresh index and no copy of its values. With ``consume``, the
    columns are moved out of ``frame`` one at a time as they are put in order (``frame`` is left without
    columns), so that a large log is not held twice.

    Example:
        >>> frame = pd.DataFrame({C.CASE: ["b", "a", "b"], C.TIMESTAMP: pd.to_datetime(["2024-01-02", "2024-01-01",
        ...                       "2024-01-01"], utc=True), C.ACTIVITY: ["y", "x", "z"]})
        >>> sort_events(frame)[C.ACTIVITY].tolist()
        ['z', 'y', 'x']
    """
    codes, _ = pd.factorize(frame[C.CASE], sort=False, use_na_sentinel=True)
    times = frame[C.TIMESTAMP].to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT")).view("int64") \
        if len(frame) else np.array([], dtype="int64")
    rows = frame[C.SOURCE_ROW].to_numpy() if C.SOURCE_ROW in frame.columns else np.arange(len(frame))
    if len(frame) < 2 or _is_sorted(codes, times, rows):
        return frame.reset_index(drop=True)
    order = np.lexsort((rows, times, codes))
    if not consume:
        return frame.iloc[order].reset_index(drop=True)
    del codes, times, rows
    ordered = {}
    for name in list(frame.columns):
        ordered[name] = frame.pop(name).array.take(order)   # the column in file order is freed here
    return pd.DataFrame(ordered)


def _is_sorted(codes: np.ndarray, times: np.ndarray, rows: np.ndarray) -> bool:
    same = codes[1:] == codes[:-1]
    tie = same & (times[1:] == times[:-1])
    return bool(np.all(codes[1:] >= codes[:-1]) and np.all(times[1:][same] >= times[:-1][same])
                and np.all(rows[1:][tie] > rows[:-1][tie]))
