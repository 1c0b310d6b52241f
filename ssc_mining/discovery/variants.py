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
from ssc_mining.eventlog.cases import CaseIndex
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


#: multipliers of the two polynomial hashes that group the cases' sequences (checked exactly afterwards)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


def _variant_table(log: EventLog) -> VariantTable:
    frame = log.frame
    if frame.empty:
        return VariantTable([], np.zeros(0, dtype=np.int64), pd.Series(dtype="int64"))
    codes, labels = pd.factorize(frame[C.ACTIVITY], sort=True)
    index = log.cases
    group = _groups_by_hash(codes, index)
    if group is None:   # two different sequences met under one hash: group them by their bytes
        group = _groups_by_bytes(codes, index)
    counts = np.bincount(group)
    names = [str(x) for x in labels]
    traces = [tuple(names[c] for c in codes[index.first[k]:index.last[k] + 1])
              for k in _first_case(group)]   # a loop over variants
    order = sorted(range(len(traces)), key=lambda i: (-counts[i], traces[i]))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return VariantTable(traces=[traces[i] for i in order], counts=counts[order].astype(np.int64),
                        case_variant=pd.Series(rank[group], index=index.ids,   # shares the ids' lookup table
                                               name="variant"))


def _first_case(group: np.ndarray) -> np.ndarray:
    """Per group number: its first case (cases in log order)."""
    first = np.full(int(group.max()) + 1 if len(group) else 0, -1, dtype=np.int64)
    first[group[::-1]] = np.arange(len(group))[::-1]
    return first


def _groups_by_hash(codes: np.ndarray, index: CaseIndex) -> np.ndarray | None:
    """Per case a group number: cases with equal activity sequences share one. Grouped by two 64-bit
    polynomial hashes and the length, then checked event by event against each group's first case, so the
    grouping is exact; None when the check finds two different sequences in one group."""
    acts = codes.astype(np.int64).astype(np.uint64) + np.uint64(2)   # missing (−1) → 1, never 0
    pos = np.arange(len(codes)) - index.first[index.codes]
    length = index.last - index.first + 1
    longest = int(length.max())
    with np.errstate(over="ignore"):
        p1 = np.cumprod(np.r_[np.uint64(1), np.full(longest - 1, _M1, dtype=np.uint64)], dtype=np.uint64)
        p2 = np.cumprod(np.r_[np.uint64(1), np.full(longest - 1, _M2, dtype=np.uint64)], dtype=np.uint64)
        h1 = np.add.reduceat(acts * p1[pos], index.first, dtype=np.uint64)
        h2 = np.add.reduceat((acts * np.uint64(31) + np.uint64(7)) * p2[pos], index.first, dtype=np.uint64)
    group = pd.DataFrame({"a": h1, "b": h2, "n": length}).groupby(["a", "b", "n"], sort=False).ngroup().to_numpy()
    same = codes == codes[index.first[_first_case(group)[group[index.codes]]] + pos]   # equal lengths in a group
    return group if bool(same.all()) else None


def _groups_by_bytes(codes: np.ndarray, index: CaseIndex) -> np.ndarray:
    """Per case a group number from its activity codes as bytes (one Python object per case)."""
    dtype = np.int16 if int(codes.max(initial=0)) < 32000 else np.int32
    raw = codes.astype(dtype).tobytes()
    width = np.dtype(dtype).itemsize
    keys = [raw[width * a:width * (b + 1)] for a, b in zip(index.first.tolist(), index.last.tolist())]
    group, _uniques = pd.factorize(pd.Series(keys, dtype=object))
    return group.astype(np.int64)
