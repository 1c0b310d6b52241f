"""Vectorised helpers every analyser may use (plugin authors too): codes, changes, months, shares.

They work on a log's canonical frame together with its :class:`~ssc_mining.eventlog.cases.CaseIndex`
(``log.cases``); none loops over cases in Python.

Example:
    >>> import pandas as pd
    >>> codes, values = value_codes(pd.DataFrame({"team": ["A", " ", "B", None, "EMPTY", "-"]}), "team")
    >>> codes.tolist(), list(values)
    ([0, -1, 1, -1, -1, -1], ['A', 'B'])
    >>> pct(0.126), pct(None)
    ('13 %', '–')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ssc_mining.business_calendar import local_wall_clock
from ssc_mining.eventlog.cases import CaseIndex, code_dtype, repeated
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number, format_share

__all__ = ["PLACEHOLDERS", "value_codes", "sorted_codes", "code_dtype", "changes", "distinct_per_case",
           "distinct_per_group",
           "find_column", "pct", "mean_text", "month_codes", "month_label", "month_labels", "month_numbers", "runs"]


#: values that exports write for "no value" (compared without case): not a team, person or organisation
PLACEHOLDERS = frozenset({"", "-", "--", "?", "empty", "none", "null", "n/a", "na", "unknown", "onbekend", "nvt",
                          "n.v.t.", "(blank)", "(leeg)", "leeg"})


def value_codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column (missing, blank or a placeholder such as ``-`` or ``EMPTY`` → −1, in the smallest
    type that holds them: :func:`code_dtype`) and the distinct known values."""
    if column not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int8), pd.Index([])
    codes, uniques = pd.factorize(frame[column], sort=False, use_na_sentinel=True)
    blank = np.array([isinstance(u, str) and u.strip().casefold() in PLACEHOLDERS for u in uniques], dtype=bool)
    small = code_dtype(len(uniques))
    if blank.any():  # blank text counts as missing; renumber the rest
        keep = np.flatnonzero(~blank)
        remap = np.full(len(uniques) + 1, -1, dtype=small)
        remap[keep] = np.arange(len(keep))
        return remap[codes], pd.Index(uniques[keep])
    return codes.astype(small), pd.Index(uniques)


def sorted_codes(log: EventLog, column: str) -> tuple[np.ndarray, pd.Index]:
    """Per event the number of its value in the column's sorted distinct values (missing → −1), in the smallest
    integer type (:func:`code_dtype`), and those values; computed once per log and column and shared.

    Group by these codes instead of by the texts: a group-by on a text column hashes every text again (at 5M
    events that takes seconds and a working table of hundreds of MiB), and groups numbered in sorted order are
    the groups ``groupby(column, sort=True)`` gives, in the same order. Unlike :func:`value_codes`, blanks and
    placeholders are values here, as they are to pandas.

    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1"] * 3, "concept:name": ["b", "a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"] * 3, utc=True)}))
    >>> codes, values = sorted_codes(log, "concept:name")
    >>> codes.tolist(), list(values)
    ([1, 0, 1], ['a', 'b'])
    """
    def compute() -> tuple[np.ndarray, pd.Index]:
        if column not in log.frame.columns:
            return np.full(log.n_events, -1, dtype=np.int8), pd.Index([])
        codes, values = pd.factorize(log.frame[column], sort=True, use_na_sentinel=True)
        return codes.astype(code_dtype(len(values))), pd.Index(values)

    return log.computed(("sorted codes", column), compute)


def changes(codes: np.ndarray, index: CaseIndex) -> np.ndarray:
    """Per event: True when it differs from the previous event of the same case (both known)."""
    out = np.zeros(len(codes), dtype=bool)
    if len(codes) > 1:
        out[1:] = index.same_case & (codes[1:] != codes[:-1]) & (codes[1:] >= 0) & (codes[:-1] >= 0)
    return out


def distinct_per_case(codes: np.ndarray, index: CaseIndex) -> np.ndarray:
    """Per case: number of distinct known values."""
    return distinct_per_group(index.codes, codes, index.n)


def distinct_per_group(groups: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group ``0 … n_groups − 1``: the number of distinct known values (``codes`` ≥ 0) among its rows, as
    ``groupby(...).nunique()`` counts them, from one in-place sort of (group, value) pairs packed into one
    number (rows with a group < 0 count nowhere).

    >>> distinct_per_group(np.array([0, 0, 0, 1, 1, -1]), np.array([5, 5, 7, -1, 2, 9]), 3).tolist()
    [2, 1, 0]
    """
    groups, codes = np.asarray(groups), np.asarray(codes)
    known = codes >= 0
    known &= groups >= 0
    if not known.any():
        return np.zeros(n_groups, dtype="int64")
    codes = codes[known]
    width = int(codes.max()) + 1
    keys = groups[known].astype(np.int64)   # (group, value) as one number, built in place: few copies at 5M rows
    del known
    keys *= width
    keys += codes
    del codes
    keys.sort()   # in place; numpy's sort of integers is several times faster than a hash table here
    distinct = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    return np.bincount(keys[distinct] // width, minlength=n_groups).astype("int64")


def runs(codes: np.ndarray, index: CaseIndex, mask: np.ndarray | None = None
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Runs of equal known values per case (missing values and events outside ``mask`` dropped, repeats collapsed).

    Returns, per run: case code, value code, position of its first event, and whether it is a direct
    return (the run two back in the case has the same value: X → Y → X) or an indirect one (the value had
    an earlier run, further back: X → Y → Z → X).

    >>> import numpy as np, pandas as pd
    >>> from ssc_mining.eventlog.cases import case_index
    >>> idx = case_index(pd.DataFrame({"case:concept:name": ["a"] * 5,
    ...                                "time:timestamp": pd.to_datetime(["2024-01-01"] * 5, utc=True)}))
    >>> case, value, pos, direct, indirect = runs(np.array([0, 0, 1, 0, 2]), idx)
    >>> value.tolist(), direct.tolist(), indirect.tolist()
    ([0, 1, 0, 2], [False, False, True, False], [False, False, False, False])
    """
    keep = codes >= 0 if mask is None else mask & (codes >= 0)
    pos = np.flatnonzero(keep)
    c, v = index.codes[pos], codes[pos]
    start = np.ones(len(pos), dtype=bool)
    if len(pos) > 1:
        start[1:] = (c[1:] != c[:-1]) | (v[1:] != v[:-1])
    rc, rv, rpos = c[start], v[start], pos[start]
    width = int(v.max()) + 1 if len(v) else 1
    returned = repeated(rc * width + rv)
    direct = np.zeros(len(rc), dtype=bool)
    if len(rc) > 2:
        direct[2:] = (rc[2:] == rc[:-2]) & (rv[2:] == rv[:-2])
    return rc, rv, rpos, direct, returned & ~direct


def find_column(frame: pd.DataFrame, name: str) -> str | None:
    """``name`` or its ``case:`` / ``case:ssc:`` / ``ssc:`` variants, when present with at least one value."""
    for candidate in (name, f"case:{name}", f"case:ssc:{name}", f"ssc:{name}"):
        if candidate in frame.columns and frame[candidate].notna().any():
            return candidate
    return None


def pct(share: float | None) -> str:
    """A share as a whole percentage in the current language ('12 %'); None or NaN as a dash."""
    return "–" if share is None or share != share else format_share(share, 0)


def mean_text(value: float | None) -> str:
    """A mean for a sentence: one decimal, more when that would hide a non-zero value (0.002, not 0.0).

    >>> mean_text(2.25), mean_text(0.0024), mean_text(0.0), mean_text(None)
    ('2.2', '0.002', '0.0', '–')
    """
    if value is None or value != value:
        return "–"
    size = abs(value)
    return format_number(value, 1 if size == 0 or size >= 1 else 2 if size >= 0.1 else 3)


def month_numbers(times: pd.Series, tz: str) -> np.ndarray:
    """``YYYYMM`` of each moment in zone ``tz`` as an integer (−1 for a missing moment): a key to group by
    that sorts like the month's label (:func:`month_label`), without a text per event."""
    local = times.dt.tz_convert(tz)
    key = local.dt.year.to_numpy(dtype="float64", na_value=np.nan) * 100 + \
        local.dt.month.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(key), -1, key).astype(np.int64)


def month_codes(times: pd.Series | pd.api.extensions.ExtensionArray, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """Per moment: the number of its month in zone ``tz``, counted from the first month of ``times`` (−1 for a
    missing moment), in the smallest integer type; and ``YYYYMM`` of every month from the first to the last
    (:func:`month_numbers` of the same moments is ``months[codes]``). Two bytes per event instead of the eight
    of :func:`month_numbers`, and no per-event calendar fields.

    >>> t = pd.Series(pd.to_datetime(["2024-12-31 23:30", None, "2025-02-01 00:10"], utc=True))  # 00:30 in NL
    >>> codes, months = month_codes(t, "Europe/Amsterdam")
    >>> codes.tolist(), months.tolist()
    ([0, -1, 1], [202501, 202502])
    """
    local = local_wall_clock(times, tz)
    missing = local.isna()
    if missing.all():
        return np.full(len(local), -1, dtype=np.int8), np.zeros(0, dtype=np.int64)
    lo, hi = local.min(), local.max()
    starts = pd.date_range(pd.Timestamp(lo.year, lo.month, 1), pd.Timestamp(hi.year, hi.month, 1), freq="MS")
    months = (starts.year * 100 + starts.month).to_numpy(dtype=np.int64)
    at = np.searchsorted(starts.as_unit(local.unit).asi8, local.asi8, side="right") - 1
    codes = at.astype(code_dtype(len(months)))
    codes[missing] = -1
    return codes, months


def month_label(number: int) -> str:
    """``YYYY-MM`` of a :func:`month_numbers` key ("" for −1).

    >>> month_label(202407), month_label(-1)
    ('2024-07', '')
    """
    return "" if number < 0 else f"{number // 100:04d}-{number % 100:02d}"


def month_labels(times: pd.Series, tz: str) -> np.ndarray:
    """``YYYY-MM`` of each moment in zone ``tz`` (vectorised; the strings are built once per month)."""
    codes, uniques = pd.factorize(month_numbers(times, tz))
    labels = np.array([month_label(int(u)) for u in uniques], dtype=object)
    return labels[codes]
