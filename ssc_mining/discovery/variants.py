"""Variants of a log as a table: each distinct activity sequence once, with its number of cases.

Vectorised: one factorisation of the activities and one split at case
boundaries (no per-case Python strings). The inductive miner and the
alignments run per variant, so their cost follows :attr:`VariantTable.n`, not
the number of events; :meth:`VariantTable.covering` says how many of the most
frequent variants cover a share of the cases.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2", "2", "3"],
    ...     "concept:name": ["A", "B", "A", "B", "A"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2 + ["2024-01-03"], utc=True)}))
    >>> table = variant_table(log)
    >>> table.traces, table.counts.tolist()
    ([('A', 'B'), ('A',)], [2, 1])
    >>> table.covering(0.6)
    1
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog


@dataclass(frozen=True)
class VariantTable:
    """Variants, most frequent first (ties by sequence), and which variant each case follows."""

    traces: list[tuple[str, ...]]
    counts: np.ndarray          # cases per variant, aligned with traces
    case_variant: pd.Series     # case id -> index into traces

    @property
    def n(self) -> int:
        return len(self.traces)

    @property
    def n_cases(self) -> int:
        return int(self.counts.sum())

    def covering(self, share: float, max_variants: int | None = None) -> int:
        """How many of the most frequent variants are needed to cover ``share`` of the cases (capped)."""
        if self.n == 0:
            return 0
        cum = np.cumsum(self.counts)
        k = self.n if share >= 1.0 else int(np.searchsorted(cum, share * cum[-1] - 1e-9 * cum[-1])) + 1
        k = max(1, min(k, self.n))
        return min(k, max_variants) if max_variants else k

    def uvcl(self, k: int | None = None) -> Counter:
        """The first ``k`` variants as pm4py's univariate variant log (a Counter of tuples)."""
        k = self.n if k is None else k
        return Counter({t: int(n) for t, n in zip(self.traces[:k], self.counts[:k])})


def variant_table(log: EventLog) -> VariantTable:
    """The variants of ``log`` (sorted by case and time), computed once per log and shared (do not change it)."""
    return log.computed("variant_table", lambda: _variant_table(log))


def _variant_table(log: EventLog) -> VariantTable:
    frame = log.frame
    if frame.empty:
        return VariantTable([], np.zeros(0, dtype=np.int64), pd.Series(dtype="int64"))
    codes, labels = pd.factorize(frame[C.ACTIVITY], sort=True)
    case = frame[C.CASE].to_numpy()
    bounds = np.flatnonzero(case[1:] != case[:-1]) + 1
    starts = np.concatenate([[0], bounds])
    dtype = np.int16 if len(labels) < 32000 else np.int32
    keys = [p.tobytes() for p in np.split(codes.astype(dtype), bounds)]
    key_codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
    counts = np.bincount(key_codes)
    traces = [tuple(str(labels[i]) for i in np.frombuffer(u, dtype=dtype)) for u in uniques]
    order = sorted(range(len(traces)), key=lambda i: (-counts[i], traces[i]))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return VariantTable(traces=[traces[i] for i in order], counts=counts[order].astype(np.int64),
                        case_variant=pd.Series(rank[key_codes], index=case[starts], name="variant"))
