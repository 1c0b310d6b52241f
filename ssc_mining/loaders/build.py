"""Turn a :class:`RawTable` and a mapping into a canonical :class:`EventLog`.

All problems are collected at once: every row with a missing case, activity
or timestamp, or a timestamp that does not match the column's format, goes to
the quarantine with its row number and all of its reasons. Rows read = rows
used + rows quarantined, always.

Example:
    >>> import numpy as np, pandas as pd
    >>> from ssc_mining.loaders.raw import RawTable
    >>> raw = RawTable(pd.DataFrame({"Case": ["1", None], "Act": ["a", "b"],
    ...                              "Time": ["2024-01-01 10:00", "2024-01-01 11:00"]}),
    ...                np.array([2, 3]), reader="csv")
    >>> log = build_event_log(raw, {"case": "Case", "activity": "Act", "timestamp": "Time"},
    ...                       source=None)
    >>> log.n_events, log.quarantine["reason"].tolist()
    (1, ['missing case id'])
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ssc_mining.errors import StrictModeError, TimestampError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog, sort_events
from ssc_mining.eventlog.provenance import Provenance, SourceFile
from ssc_mining.i18n import N_
from ssc_mining.loaders.raw import RawTable
from ssc_mining.loaders.texts import trimmed
from ssc_mining.loaders.timestamps import arrow_strings, parse_timestamps
from ssc_mining.memory import release_unused
from ssc_mining.semantics.reading import read_semantics

_DECIMAL_COMMA = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DECIMAL_POINT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)\.\d+$")
#: the two ways a number is written, tried in this order
_NUMBER_PATTERNS = ((_DECIMAL_COMMA, ","), (_DECIMAL_POINT, "."))
_INTEGER = r"^-?(0|[1-9]\d{0,17})$"

#: why a row is set aside; recorded in English (JSON, quarantine file) and translated in the report
MISSING_CASE = N_("missing case id")
MISSING_ACTIVITY = N_("missing activity")
MISSING_TIMESTAMP = N_("missing timestamp")


@dataclass
class ReadOptions:
    """Options that decide how values are read."""

    dayfirst: bool | None = None
    timestamp_format: str | None = None
    timezone: str = "Europe/Amsterdam"
    strict: bool = False
    #: formats already decided for the other time columns, by role (``None``: read as text); a batched import
    #: decides them on its first batch and reads every later batch the same way
    time_formats: dict[str, str | None] | None = None
    #: attribute columns become numbers when every value is a decimal number; a batched import keeps them as
    #: text and decides once on the whole column when the database is read
    numbers: bool = True


def build_event_log(
    raw: RawTable,
    mapping: dict[str, str],
    *,
    source: SourceFile | None,
    options: ReadOptions | None = None,
    profile: str = "generic",
    profile_detection: str = "",
    mapping_source: str = "",
    semantics: dict[str, Any] | None = None,
    fixed_semantics: dict[str, str] | None = None,
) -> EventLog:
    """Map, parse, validate and quarantine; returns a sorted canonical log.

    ``semantics`` are the mapping file's ``[semantics]`` tables and ``fixed_semantics`` the roles a
    profile fixes for the labels it makes (see :func:`~ssc_mining.semantics.read_semantics`).
    The log takes over the raw table's columns: ``raw.frame`` is replaced by a frame with its rows and no
    columns (``raw.rows_read`` is unchanged; the frame the caller gave is not changed).
    """
    options = options or ReadOptions()
    rows = raw.source_rows
    notes = list(raw.notes)
    # each of the file's columns is let go once it was read for the last time, so a large export is not held
    # twice (its texts and their trimmed copies); the caller's frame itself is left as it was
    frame = raw.frame
    n_rows, columns = len(frame), {name: frame[name] for name in frame.columns}
    raw.frame = frame.iloc[:, :0]   # the rows still count (raw.rows_read)
    del frame
    uses = Counter(mapping.values())

    def taken(column: str) -> pd.Series:
        values = columns[column]
        uses[column] -= 1
        if uses[column] <= 0:
            del columns[column]
        return values

    case = _text(columns[mapping["case"]])
    activity = _text(columns[mapping["activity"]])
    ts = parse_timestamps(columns[mapping["timestamp"]], column=mapping["timestamp"], dayfirst=options.dayfirst,
                          fmt=options.timestamp_format, timezone=options.timezone, rows=rows)

    problems = {
        MISSING_CASE: case.isna().to_numpy(),
        MISSING_ACTIVITY: activity.isna().to_numpy(),
        MISSING_TIMESTAMP: ts.missing.to_numpy(),
        N_("timestamp does not match the column's format %(format)s") % {"format": repr(ts.decision.format)}:
            ts.unparseable.to_numpy(),
    }
    bad = np.zeros(n_rows, dtype=bool)
    for mask in problems.values():
        bad |= mask
    quarantine = _quarantine_frame(raw, columns, mapping, problems, bad)
    for role in ("case", "activity", "timestamp"):
        taken(mapping[role])
    reasons = {reason: int(mask.sum()) for reason, mask in problems.items() if mask.any()}
    for rejected in raw.rejected:
        key = rejected.reason.split(":")[0]
        reasons[key] = reasons.get(key, 0) + 1

    keep = ~bad
    everything = bool(keep.all())

    def kept(values: pd.Series) -> pd.Series:
        """The rows kept (the column itself, not a copy, when no row was set aside)."""
        return values if everything else values[keep]

    out: dict[str, Any] = {
        C.CASE: kept(case),
        C.ACTIVITY: kept(activity),
        C.TIMESTAMP: kept(ts.values),
    }
    timestamps = {"timestamp": ts.decision.to_dict()}
    values: Any = None
    parsed: Any = None
    for role, column in mapping.items():
        if role in ("case", "activity", "timestamp"):
            continue
        values = kept(taken(column))
        fixed = (options.time_formats or {}).get(role, "")
        if role in C.TIME_ROLES and fixed is None:   # read as text in an earlier batch
            out[column] = values
        elif role in C.TIME_ROLES:
            try:
                parsed = parse_timestamps(values, column=column, dayfirst=options.dayfirst,
                                          timezone=options.timezone, fmt=fixed or None)
            except TimestampError as err:
                notes.append(N_("%(column)s was not read as dates (%(problem)s); kept as text")
                             % {"column": repr(column), "problem": err.problem})
                out[column] = values
                continue
            timestamps[role] = parsed.decision.to_dict()
            if parsed.decision.unparseable:
                notes.append(unparseable_note(timestamps[role]))
            out[C.ROLES[role]] = parsed.values
        else:
            out[C.ROLES[role]] = _text(values)
    decimal = None
    mapped = set(mapping.values())
    for column in list(columns):
        if column in mapped:
            continue
        uses[column] = 1
        values, found = maybe_number(kept(taken(column))) if options.numbers else (kept(taken(column)), None)
        decimal = decimal or found
        out[column if column not in out else f"attr:{column}"] = values
    out[C.SOURCE_ROW] = rows if everything else rows[keep]
    # tickets that lost rows to the quarantine are flagged: their figures may be incomplete
    lost = case[bad].dropna().value_counts()
    raw.set_aside_by_case = lost
    if len(lost):
        out[C.ROWS_SET_ASIDE] = case[keep].map(lost).fillna(0).astype("int64").to_numpy()
    release_unused()   # the file's texts and the timestamps' working copies, before the sort's copies
    unsorted = pd.DataFrame(out).reset_index(drop=True)
    # the frame is made the only holder of the columns, so that each is freed once it is put in order
    out.clear()
    del case, activity, ts, values, parsed
    events = sort_events(unsorted, consume=True)
    del unsorted
    if raw.rows_total is None:  # one row, one event
        rows_used, rows_quarantined = int(keep.sum()), len(quarantine)
    else:  # a row may give several events: it is used when one of them is kept
        used = pd.unique(rows[keep])   # hashing: no sort
        rows_used = len(used)
        rows_quarantined = len(np.setdiff1d(pd.unique(rows[bad]), used)) + len(raw.rejected)

    provenance = Provenance(
        source=source or SourceFile("<in memory>", 0, ""),
        loader=raw.reader,
        profile=profile,
        profile_detection=profile_detection,
        mapping=mapping,
        encoding=raw.details.get("encoding"),
        delimiter=raw.details.get("delimiter"),
        decimal=decimal,
        timestamps=timestamps,
        timezone=options.timezone,
        rows_read=raw.rows_read,
        rows_used=rows_used,
        rows_quarantined=rows_quarantined,
        rows_skipped=dict(sorted(raw.skipped.items())),
        events=len(events),
        quarantine_reasons=dict(sorted(reasons.items())),
        cases_with_rows_set_aside=int(events.loc[events[C.ROWS_SET_ASIDE] > 0, C.CASE].nunique())
        if C.ROWS_SET_ASIDE in events.columns else 0,
        notes=notes,
    )
    if mapping_source:
        provenance.notes.insert(0, N_("mapping: %(source)s") % {"source": mapping_source})
    reading = read_semantics(events, overrides=semantics, fixed=fixed_semantics, fixed_by=profile)
    provenance.notes.extend(reading.notes)
    log = EventLog(frame=events, provenance=provenance, quarantine=quarantine, semantics=reading)
    if options.strict and len(quarantine):
        first = quarantine.iloc[0]
        raise StrictModeError(
            f"{len(quarantine):,} rows would be quarantined (first: row {first['source_row']}: {first['reason']})",
            path=provenance.source.name,
            hint="fix the rows listed, or run without --strict to quarantine them with their reasons")
    return log


def unparseable_note(decision: dict[str, Any]) -> str:
    """The note on the values of a time column (not the main timestamp) left empty, from its decision.

    >>> unparseable_note({"unparseable": 1200, "column": "Due", "format": "%Y-%m-%d"})
    "1,200 values of 'Due' are not dates in the format '%Y-%m-%d' and were left empty"
    """
    return N_("%(n)s values of %(column)s are not dates in the format %(format)s and were left empty") \
        % {"n": f"{decision['unparseable']:,}", "column": repr(decision["column"]), "format": repr(decision["format"])}


def _text(values: pd.Series) -> pd.Series:
    """Values as text; empty or blank becomes missing. Never converts ``00123`` or ``1e5``."""
    text = trimmed(values.astype("str"))
    empty = (text == "").to_numpy(dtype=bool, na_value=False)
    return text.where(~empty) if empty.any() else text


def maybe_number(values: pd.Series) -> tuple[pd.Series, str | None]:
    """Convert an attribute column to numbers when every value is a decimal number."""
    if not _may_be_number(values):
        return values, None
    sample = values.head(200).dropna().astype(str)
    if sample.empty:
        return values, None
    for pattern, decimal in _NUMBER_PATTERNS:
        if not all(pattern.match(v) for v in sample):
            continue
        text = arrow_strings(values)
        if _all_match(text, pattern):
            return _as_number(text, decimal, values.index), decimal
    return values, None


def number_decimals(values: pd.Series) -> frozenset[str]:
    """The decimal marks (``,`` or ``.``) by which every value of ``values`` reads as a number: for a column read in
    parts, a column is a number when some mark fits every part (the first of ``,`` and ``.`` that does, as in
    :func:`maybe_number`).

    >>> sorted(number_decimals(pd.Series(["1,5", "2,25", None]))), sorted(number_decimals(pd.Series(["x"])))
    ([','], [])
    """
    if not _may_be_number(values):
        return frozenset()
    text = arrow_strings(values)
    return frozenset(decimal for pattern, decimal in _NUMBER_PATTERNS if _all_match(text, pattern))


def as_number(values: pd.Series, decimals: frozenset[str]) -> tuple[pd.Series, str | None]:
    """``values`` as numbers read with the first of ``,`` and ``.`` in ``decimals`` (unchanged when none is)."""
    for _pattern, decimal in _NUMBER_PATTERNS:
        if decimal in decimals and _may_be_number(values):
            return _as_number(arrow_strings(values), decimal, values.index), decimal
    return values, None


def _may_be_number(values: pd.Series) -> bool:
    if values.dtype.kind in "iufb" or len(values) == 0:
        return False
    return not (isinstance(values.dtype, pd.DatetimeTZDtype) or values.dtype.kind == "M")


def _all_match(text: pa.Array, pattern: re.Pattern[str]) -> bool:
    matches = pc.match_substring_regex(text, pattern.pattern)
    return bool(pc.all(pc.or_kleene(matches, pc.is_null(text))).as_py())


def _as_number(text: pa.Array, decimal: str, index: pd.Index) -> pd.Series:
    if decimal == ",":
        cleaned = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    else:
        cleaned = pc.replace_substring(text, ",", "")
    return pd.Series(pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), index=index)


def _quarantine_frame(raw: RawTable, columns: dict[str, pd.Series], mapping: dict[str, str],
                      problems: dict[str, np.ndarray], bad: np.ndarray) -> pd.DataFrame:
    idx = np.flatnonzero(bad)
    reason = pd.Series("", index=range(len(idx)), dtype=object)
    for text, mask in problems.items():
        hit = mask[idx]
        reason = reason.where(~hit, reason + "; " + text)
    reason = reason.str.removeprefix("; ")
    shown = [mapping[r] for r in ("case", "activity", "timestamp")]
    part = pd.DataFrame({c: columns[c] for c in shown}).iloc[idx].astype("string").fillna("")
    rawtext = part[shown[0]]
    for column in shown[1:]:
        rawtext = rawtext + " | " + part[column]
    rows = [pd.DataFrame({"source_row": raw.source_rows[idx], "reason": reason.to_numpy(),
                          "raw": rawtext.to_numpy()})]
    if raw.rejected:
        rows.append(pd.DataFrame({"source_row": [r.source_row for r in raw.rejected],
                                  "reason": [r.reason for r in raw.rejected],
                                  "raw": [r.raw for r in raw.rejected]}))
    out = pd.concat(rows, ignore_index=True)
    out["source_row"] = out["source_row"].astype("Int64")
    return out.sort_values("source_row", kind="stable").reset_index(drop=True)
