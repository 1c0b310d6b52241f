"""Decide one timestamp format per column, parse it, and localise it.

Rules (see ``docs/timestamps.md``):

* One format is decided for the whole column from a sample, then applied to
  every value; values that do not match it are reported, never re-guessed
  row by row.
* Day/month order comes from the evidence in the column (a first number
  above 12 means day-first, a second number above 12 means month-first) or
  from ``dayfirst``; a column with no evidence either way is an error that
  asks for ``--dayfirst`` or ``--monthfirst``.
* Naive times are local times in ``timezone``. In the DST gap (02:30 on the
  last Sunday of March in Europe/Amsterdam) a time is moved forward to the
  first valid instant; in the repeated hour (02:30 on the last Sunday of
  October) the first occurrence (summer time) is taken. Both are counted.

Example:
    >>> import pandas as pd
    >>> values = pd.Series(["13-04-2024 10:00", "03-04-2024 09:15"])
    >>> parsed = parse_timestamps(values, column="Tijdstip")
    >>> parsed.decision.format, parsed.decision.dayfirst
    ('%d-%m-%Y %H:%M', True)
    >>> str(parsed.values.iloc[1])
    '2024-04-03 07:15:00+00:00'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ssc_mining.errors import TimestampError
from ssc_mining.i18n import N_
from ssc_mining.loaders.texts import trimmed

_DATES = [  # (format, order)
    ("%Y-%m-%d", "ymd"), ("%Y/%m/%d", "ymd"), ("%Y.%m.%d", "ymd"), ("%Y%m%d", "ymd"),
    ("%d-%m-%Y", "dmy"), ("%d/%m/%Y", "dmy"), ("%d.%m.%Y", "dmy"),
    ("%m-%d-%Y", "mdy"), ("%m/%d/%Y", "mdy"), ("%m.%d.%Y", "mdy"),
    ("%d-%m-%y", "dmy"), ("%d/%m/%y", "dmy"), ("%m/%d/%y", "mdy"),
]
_TIMES = ["", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", "T%H:%M", "T%H:%M:%S", "T%H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p"]
_ZONES = ["", "%z", " %z"]
_SAMPLE = 2000
_SWAP = {"dmy": "mdy", "mdy": "dmy"}


def candidate_formats() -> list[tuple[str, str]]:
    """All (format, order) pairs tried, in order of preference."""
    out = []
    for date, order in _DATES:
        for time in _TIMES:
            for zone in _ZONES:
                if zone and not time:
                    continue
                out.append((date + time + zone, order))
    return out


@dataclass
class TimestampDecision:
    """How a time column was read, and on what evidence."""

    column: str
    format: str
    order: str
    dayfirst: bool | None
    evidence: str
    has_offset: bool
    timezone: str
    values: int = 0
    unparseable: int = 0
    missing: int = 0
    dst_gap_shifted: int = 0
    dst_repeated_first: int = 0
    examples_unparseable: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ParsedTimestamps:
    """Parsed UTC values (NaT where missing or unparseable) and the decision."""

    values: pd.Series
    decision: TimestampDecision
    unparseable: pd.Series  # boolean mask: a value was there but did not match the format
    missing: pd.Series      # boolean mask: no value


def parse_timestamps(
    raw: pd.Series,
    *,
    column: str,
    dayfirst: bool | None = None,
    fmt: str | None = None,
    timezone: str = "Europe/Amsterdam",
    rows: np.ndarray | None = None,
) -> ParsedTimestamps:
    """Parse a column of timestamps to UTC with one decided format."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return _typed(raw, column=column, timezone=timezone)
    text = trimmed(raw.astype("string"))
    empty = (text == "").to_numpy(dtype=bool, na_value=False)
    if empty.any():   # copies of a large column only where something is missing
        text = text.mask(empty)
    missing = text.isna()
    present = text[~missing] if missing.any() else text
    if present.empty:
        raise TimestampError(N_("the timestamp column is empty in every row"), column=column,
                             hint="map another column with --timestamp")
    if fmt:
        order = "given"
        evidence = N_("format given as %(format)s") % {"format": repr(fmt)}
        chosen_dayfirst = dayfirst
    else:
        fmt, order, evidence, chosen_dayfirst = _decide(present, column=column, dayfirst=dayfirst, rows=rows,
                                                        index_rows=raw.index)
    has_offset = "%z" in fmt
    parsed = _to_datetime(present, fmt, has_offset)
    bad = parsed.isna()
    if bad.sum() > len(present) / 2:
        examples = ", ".join(repr(v) for v in present[bad].head(3))
        raise TimestampError(
            N_("%(n)s of %(total)s values do not match the format %(format)s (e.g. %(examples)s)")
            % {"n": f"{int(bad.sum()):,}", "total": f"{len(present):,}", "format": repr(fmt), "examples": examples},
            column=column, hint="check that this is the timestamp column, or give --timestamp-format")
    decision = TimestampDecision(column=column, format=fmt, order=order, dayfirst=chosen_dayfirst,
                                 evidence=evidence, has_offset=has_offset, timezone=timezone,
                                 values=int(len(present)), unparseable=int(bad.sum()),
                                 missing=int(missing.sum()),
                                 examples_unparseable=[str(v) for v in present[bad].unique()[:5]])
    if not has_offset:
        parsed = _localise(parsed, timezone, decision)
    utc = parsed.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    if len(present) == len(raw):   # no value missing: the parsed column is the whole column
        full = utc.set_axis(raw.index)
        unparseable = pd.Series(bad.to_numpy(dtype=bool), index=raw.index)
    else:
        full = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
        full.loc[parsed.index] = utc
        unparseable = pd.Series(False, index=raw.index)
        unparseable.loc[bad.index[bad.to_numpy()]] = True
    return ParsedTimestamps(values=full, decision=decision, unparseable=unparseable, missing=missing)


def _typed(raw: pd.Series, *, column: str, timezone: str) -> ParsedTimestamps:
    decision = TimestampDecision(column=column, format="typed", order="typed", dayfirst=None,
                                 evidence=N_("the file stores typed date-time values"), has_offset=False,
                                 timezone=timezone, values=int(raw.notna().sum()), missing=int(raw.isna().sum()))
    values = raw
    if values.dt.tz is None:
        values = _localise(values, timezone, decision)
    else:
        decision.has_offset = True
    values = values.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    return ParsedTimestamps(values=values, decision=decision,
                            unparseable=pd.Series(False, index=raw.index), missing=raw.isna())


_ARROW_SAFE = re.compile(r"^(%[YmdHMSzy]|[^%])*$")
_REGEX_PARTS = {"%Y": r"\d{4}", "%y": r"\d{2}", "%m": r"\d{1,2}", "%d": r"\d{1,2}", "%H": r"\d{1,2}",
                "%I": r"\d{1,2}", "%M": r"\d{2}", "%S": r"\d{2}", "%f": r"\d{1,9}", "%p": r"(?:AM|PM|am|pm)",
                "%z": r"(?:Z|[+-]\d{2}:?\d{2})"}


def _format_regex(fmt: str) -> re.Pattern[str]:
    """A regular expression that every value written in ``fmt`` matches (a cheap pre-filter)."""
    parts = re.split(r"(%[A-Za-z])", fmt)
    return re.compile("".join(_REGEX_PARTS.get(p, re.escape(p)) for p in parts if p))


def arrow_strings(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The values as an Arrow string array (zero-copy for pandas' Arrow-backed strings)."""
    array = values.array
    if hasattr(array, "__arrow_array__"):
        arrow = array.__arrow_array__()
        if pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type):
            return arrow
    # missing values (None, NaN, NaT, NA) stay missing: from_pandas reads NaN as null
    texts = values.astype(object).map(str, na_action="ignore")
    return pa.array(texts.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _to_datetime(values: pd.Series, fmt: str, aware: bool) -> pd.Series:
    """Parse with exactly ``fmt``; NaT where a value does not match. Uses Arrow's strptime when it can."""
    if _ARROW_SAFE.match(fmt):
        parsed = pc.strptime(arrow_strings(values), format=fmt, unit="us", error_is_null=True)
        out = pd.Series(parsed.to_pandas().array, index=values.index)
        if aware and out.dt.tz is None:
            out = out.dt.tz_localize("UTC")
        return out
    return pd.to_datetime(values, format=fmt, errors="coerce", utc=aware)


def _sample(values: pd.Series) -> pd.Series:
    if len(values) <= _SAMPLE:
        return values
    step = len(values) // _SAMPLE
    # by positions: a strided slice of a column read in many chunks is slow
    return values.iloc[np.arange(0, len(values), step)[:_SAMPLE]]


def _decide(present: pd.Series, *, column: str, dayfirst: bool | None, rows: np.ndarray | None,
            index_rows: pd.Index) -> tuple[str, str, str, bool | None]:
    sample = _sample(present)
    first = [str(v) for v in sample.head(20)]
    scores: list[tuple[int, int, str, str]] = []
    for rank, (fmt, order) in enumerate(candidate_formats()):
        if dayfirst is True and order == "mdy" or dayfirst is False and order == "dmy":
            continue
        pattern = _format_regex(fmt)
        if not any(pattern.fullmatch(v) for v in first):
            continue
        ok = int(_to_datetime(sample, fmt, "%z" in fmt).notna().sum())
        scores.append((ok, -rank, fmt, order))
    if not scores:
        examples = ", ".join(repr(v) for v in present.head(3))
        raise TimestampError(N_("no known date-time format fits the values (e.g. %(examples)s)")
                             % {"examples": examples}, column=column,
                             hint="give the format with --timestamp-format, e.g. '%d-%m-%Y %H:%M'")
    scores.sort(reverse=True)
    best_ok, _, fmt, order = scores[0]
    if order == "ymd":
        return fmt, order, N_("year first (ISO-like order), no day/month ambiguity"), None
    if dayfirst is not None:
        return fmt, order, N_("day-first as asked") if dayfirst else N_("month-first as asked"), dayfirst
    swapped_fmt = _swap(fmt)
    swapped_ok = next((ok for ok, _, f, _ in scores if f == swapped_fmt), 0)
    if best_ok > swapped_ok:
        evidence = _evidence(sample, fmt, swapped_fmt, order, rows=None)
        return fmt, order, evidence, order == "dmy"
    # the sample cannot tell: look at the whole column
    full_best = _to_datetime(present, fmt, "%z" in fmt).notna()
    full_swap = _to_datetime(present, swapped_fmt, "%z" in swapped_fmt).notna()
    only_best, only_swap = int((full_best & ~full_swap).sum()), int((full_swap & ~full_best).sum())
    if only_best and only_swap:
        raise TimestampError(
            N_("the column mixes day-first and month-first dates (%(one)s values fit only one order, %(other)s only "
               "the other)") % {"one": f"{only_best:,}", "other": f"{only_swap:,}"}, column=column,
            hint="correct the export, or give --dayfirst/--monthfirst and the other rows will be quarantined")
    if not only_best and not only_swap:
        examples = ", ".join(repr(v) for v in present.head(3))
        raise TimestampError(
            N_("day/month order cannot be decided: no value has a day above 12 (e.g. %(examples)s)")
            % {"examples": examples},
            column=column, hint="give --dayfirst (31-12-2024) or --monthfirst (12/31/2024), or --timestamp-format")
    if only_swap:
        fmt, order = swapped_fmt, _SWAP[order]
    winner = full_best if not only_swap else full_swap
    loser = full_swap if not only_swap else full_best
    decisive = present[winner & ~loser]
    row = _row_of(decisive.index[0], index_rows, rows)
    params = {"n": f"{len(decisive):,}", "example": repr(decisive.iloc[0]), "row": row}
    if order == "dmy":
        evidence = (N_("day-first: %(n)s values only fit that order (first: %(example)s, row %(row)s)") if row
                    else N_("day-first: %(n)s values only fit that order (first: %(example)s)")) % params
    else:
        evidence = (N_("month-first: %(n)s values only fit that order (first: %(example)s, row %(row)s)") if row
                    else N_("month-first: %(n)s values only fit that order (first: %(example)s)")) % params
    return fmt, order, evidence, order == "dmy"


def _evidence(sample: pd.Series, fmt: str, swapped: str, order: str, rows: np.ndarray | None) -> str:
    ok = _to_datetime(sample, fmt, "%z" in fmt).notna()
    alt = _to_datetime(sample, swapped, "%z" in swapped).notna()
    decisive = sample[ok & ~alt]
    params = {"n": f"{len(decisive):,}", "example": repr(decisive.iloc[0]) if len(decisive) else ""}
    if order == "dmy":
        text = (N_("day-first: %(n)s sampled values only fit that order (first: %(example)s)") if len(decisive)
                else N_("day-first: %(n)s sampled values only fit that order"))
    else:
        text = (N_("month-first: %(n)s sampled values only fit that order (first: %(example)s)") if len(decisive)
                else N_("month-first: %(n)s sampled values only fit that order"))
    return text % params


def _row_of(label: Any, index: pd.Index, rows: np.ndarray | None) -> str:
    """The row number (in the file) of the value labelled ``label``, as text; empty when unknown."""
    if rows is None:
        return ""
    return str(int(rows[index.get_loc(label)]))


def _swap(fmt: str) -> str:
    return re.sub(r"%d(.)%m", r"%m\1%d", fmt) if fmt.find("%d") < fmt.find("%m") else re.sub(r"%m(.)%d", r"%d\1%m", fmt)


def _localise(naive: pd.Series, timezone: str, decision: TimestampDecision) -> pd.Series:
    """Localise naive local times; count and resolve the DST gap and repeated hour."""
    if naive.empty:
        return naive.dt.tz_localize(timezone)
    try:  # fast path: no value falls in a DST gap or repeated hour
        return naive.dt.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
    except (ValueError, OverflowError):  # pytz/zoneinfo raise ValueError subclasses for both cases
        pass
    summer = naive.dt.tz_localize(timezone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
    winter = naive.dt.tz_localize(timezone, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="NaT")
    gap = summer.isna() & naive.notna()
    repeated = summer.notna() & winter.notna() & (summer != winter)
    decision.dst_gap_shifted = int(gap.sum())
    decision.dst_repeated_first = int(repeated.sum())
    if gap.any():
        shifted = naive[gap].dt.tz_localize(timezone, ambiguous=np.ones(int(gap.sum()), dtype=bool),
                                            nonexistent="shift_forward")
        summer = summer.astype(shifted.dtype)
        summer.loc[gap] = shifted
    return summer
