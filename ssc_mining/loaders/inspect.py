"""Profile the columns of a raw table and explain the proposed mapping.

Example:
    >>> import numpy as np, pandas as pd
    >>> from ssc_mining.loaders.raw import RawTable
    >>> raw = RawTable(pd.DataFrame({"Zaaknummer": ["1", "2", None]}), np.array([2, 3, 4]), reader="csv")
    >>> profile_columns(raw)[0]["filled"]
    2
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from ssc_mining.errors import SSCMiningError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders.build import ReadOptions
from ssc_mining.loaders.mapping import MappingSpec, propose_mapping
from ssc_mining.loaders.raw import RawTable
from ssc_mining.loaders.timestamps import parse_timestamps
from ssc_mining.semantics.reading import Semantics, status_column

#: normalised column names that hold people (besides the resource and requester synonyms of the mapping)
_PERSON_NAMES = frozenset({"assignedto", "openedby", "resolvedby", "closedby", "createdby", "creator",
                           "casecreator", "responsible", "caseresponsible", "owner", "email", "mail", "emailaddress",
                           "username", "userid", "login", "employee", "medewerker", "naam", "name", "contact",
                           "contactpersoon", "gewijzigddoor", "sysupdatedby", "author", "reporter", "assignee"})


def person_columns(columns: list[str]) -> set[str]:
    """The columns that (by their name, or the mapping that would be proposed) hold people."""
    from ssc_mining.loaders.mapping import SYNONYMS, propose_mapping

    known = set(SYNONYMS["resource"]) | set(SYNONYMS["requester"]) | _PERSON_NAMES
    proposal = propose_mapping(columns)
    found = {proposal[r] for r in ("resource", "requester") if r in proposal}
    return found | {c for c in columns if re.sub(r"[^a-z0-9]", "", c.lower()) in known}


def printable(text: str) -> str:
    """``text`` with control characters (terminal escape sequences, NUL, …) shown as ``\\xNN``, so printing it
    cannot change the terminal.

    >>> printable("ok\\x1b[31mred\\x00")
    'ok\\\\x1b[31mred\\\\x00'
    """
    return "".join(ch if ch.isprintable() or ch == "\t" else f"\\x{ord(ch):02x}" for ch in text)


def profile_columns(raw: RawTable, *, show_people: bool = False) -> list[dict[str, Any]]:
    """Per column: filled values, distinct values and up to three examples (none for columns that hold people,
    unless ``show_people``)."""
    people = set() if show_people else person_columns([str(c) for c in raw.frame.columns])
    finder = None
    if people:   # names of people inside other columns (an activity "Call back Wilma Wortel") are hidden too
        from ssc_mining.privacy import NameFinder, Pseudonymiser, load_key

        names = {str(v) for c in raw.frame.columns if str(c) in people for v in pd.unique(raw.frame[c].dropna())}
        finder = NameFinder(sorted(names), Pseudonymiser(load_key(None)[0]))
    out = []
    for column in raw.frame.columns:
        values = raw.frame[column]
        filled = values.dropna()
        examples = ["(hidden: may name people; --show-people shows them)"] if str(column) in people \
            else [str(v)[:40] for v in filled.unique()[:3]]
        if finder is not None and str(column) not in people:
            examples = [finder.replace(e) for e in examples]
        out.append({"column": str(column), "filled": int(len(filled)), "distinct": int(filled.nunique()),
                    "examples": examples})
    return out


def format_profile(path: Path, raw: RawTable, profile: list[dict[str, Any]], spec: MappingSpec) -> str:
    """The text `ssc-mining inspect` prints."""
    lines = [f"File: {path}", f"Reader: {raw.reader}"]
    for key in ("encoding", "delimiter_name"):
        if key in raw.details:
            lines.append(f"{key.replace('_name', '').capitalize()}: {raw.details[key]}")
    lines.append(f"Rows: {raw.rows_read:,} ({len(raw.rejected):,} with the wrong number of fields)")
    lines += raw.notes
    lines.append("")
    width = max(len(p["column"]) for p in profile)
    lines.append(f"{'column':<{width}}  {'filled':>9}  {'distinct':>9}  examples")
    for p in profile:
        lines.append(f"{p['column']:<{width}}  {p['filled']:>9,}  {p['distinct']:>9,}  {' | '.join(p['examples'])}")
    mapping = {**propose_mapping([p["column"] for p in profile]), **spec.columns}
    lines += ["", "Proposed mapping (override with --case, --activity, --timestamp, … or a --mapping file):"]
    for role, column in mapping.items():
        lines.append(f"  --{role.replace('_', '-'):<14} {column!r}")
    for role in ("case", "activity", "timestamp"):
        if role not in mapping:
            lines.append(f"  --{role:<14} (not found: name it)")
    lifecycle = mapping.get("lifecycle")
    if "status" not in mapping and lifecycle in raw.frame.columns:
        status_col, _note = status_column(raw.frame[[lifecycle]].rename(columns={lifecycle: C.LIFECYCLE}))
        if status_col:
            lines.append(f"  --{'status':<14} {lifecycle!r} (its values are ticket statuses, not XES lifecycle "
                         "transitions; read as the status)")
    if "timestamp" in mapping and mapping["timestamp"] in raw.frame.columns:
        options = ReadOptions(dayfirst=spec.dayfirst, timestamp_format=spec.timestamp_format)
        try:
            parsed = parse_timestamps(raw.frame[mapping["timestamp"]], column=mapping["timestamp"],
                                      dayfirst=options.dayfirst, fmt=options.timestamp_format,
                                      timezone=spec.timezone or options.timezone)
            d = parsed.decision
            lines += ["", f"Timestamps: format {d.format!r}; {d.evidence}; {d.unparseable:,} values do not match, "
                          f"{d.missing:,} empty"]
        except SSCMiningError as err:
            lines += ["", f"Timestamps: cannot be decided: {err.problem}", f"  What to do: {err.hint}"]
    return "\n".join(lines)


def format_semantics(semantics: Semantics, roles_present: set | frozenset | None = None) -> str:
    """The text `ssc-mining inspect` prints under "How activities would be read"."""
    lines = ["How activities would be read (change any line with [semantics] in a --mapping file):"]
    lines += [f"  {note}" for note in semantics.notes]
    for title, readings in (("activity", semantics.activities),
                            (f"status ({semantics.status_column})" if semantics.status_column else "status",
                             semantics.statuses)):
        if not readings:
            continue
        width = min(max(len(title), *(len(r.value) for r in readings)), 48)
        lines.append(f"  {title:<{width}}  {'role':<16}  {'events':>9}  why")
        for r in readings:
            value = r.value if len(r.value) <= width else r.value[: width - 1] + "…"
            why = r.reason if r.source != "none" else "NO RULE MATCHED (read as other)"
            lines.append(f"  {value:<{width}}  {r.role.value:<16}  {r.events:>9,}  {why}")
    unmatched = [f"activity {r.value!r}" for r in semantics.activities if not r.matched]
    unmatched += [f"status {r.value!r}" for r in semantics.statuses if not r.matched]
    if unmatched:
        lines.append(f"  {len(unmatched)} label(s) matched no rule and count as neither coordination nor work: "
                     + ", ".join(unmatched[:10]) + (", …" if len(unmatched) > 10 else ""))
    if roles_present is not None:
        from ssc_mining.semantics.roles import Role

        missing = [r.value for r in Role if r not in roles_present and r is not Role.OTHER]
        if missing:
            lines.append("  No event was read as: " + ", ".join(missing))
    return "\n".join(lines)
