"""How the activities and statuses of one log were read: every label with its role and the reason.

:func:`read_semantics` proposes a role for every distinct activity label and every value of the
status column, from (in this order of precedence) the mapping file's ``[semantics]`` tables,
the loader profile's fixed readings and the vocabulary. The status column is ``ssc:status``
when the log has one, else ``lifecycle:transition`` when it holds statuses rather than the
standard XES lifecycle transitions (BPI Challenge 2013: ``In Progress``, ``Wait - User`` …).

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"concept:name": ["Register", "Solve it", "Register"],
    ...                       "ssc:status": ["Nieuw", "Gereed", None]})
    >>> s = read_semantics(frame, overrides={"activities": {"solve it": "resolve"}})
    >>> [(r.value, r.role.value, r.events) for r in s.activities]
    [('Register', 'register', 2), ('Solve it', 'resolve', 1)]
    >>> s.activities[1].reason, s.status_column, s.role_of_status("Gereed").value
    ('mapping file [semantics]', 'ssc:status', 'resolve')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.semantics.roles import Role
from ssc_mining.semantics.vocabulary import NO_RULE, match, normalise, read_label

#: the values of the XES standard lifecycle extension; a lifecycle column holding others holds statuses
STANDARD_LIFECYCLE = frozenset({"schedule", "assign", "reassign", "start", "suspend", "resume", "autoskip",
                                "manualskip", "withdraw", "complete", "ate abort", "pi abort", "unknown"})
OVERRIDE_REASON = "mapping file [semantics]"


#: where a reading came from
SOURCES = ("mapping", "profile", "vocabulary", "none")


@dataclass(frozen=True)
class Reading:
    """One label (or status value), the role it was given, why, and how many events carry it.

    ``source`` is ``mapping`` (the mapping file's ``[semantics]``), ``profile`` (fixed by the loader
    profile), ``vocabulary`` (a rule of ``vocabulary.toml``; ``rule`` names it) or ``none`` (no rule
    matched: ``other``).
    """

    value: str
    role: Role
    reason: str
    events: int
    source: str = "vocabulary"
    rule: str = ""

    @property
    def matched(self) -> bool:
        """False when no rule recognised the label (its role is ``other`` by default)."""
        return self.source != "none"

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "role": self.role.value, "events": self.events, "source": self.source,
                "rule": self.rule, "reason": self.reason}


@dataclass(frozen=True)
class Semantics:
    """The readings of a log's activity labels and status values (most frequent first)."""

    activities: tuple[Reading, ...] = ()
    statuses: tuple[Reading, ...] = ()
    #: the column the statuses were read from (None: the log has no statuses)
    status_column: str | None = None
    notes: tuple[str, ...] = ()
    _by_activity: dict[str, Role] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_status: dict[str, Role] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_activity.update({r.value: r.role for r in self.activities})
        self._by_status.update({r.value: r.role for r in self.statuses})

    def role_of(self, label: str) -> Role:
        """The role of an activity label (labels not in this log are read with the vocabulary)."""
        role = self._by_activity.get(label)
        return role if role is not None else read_label(label)[0]

    def role_of_status(self, value: str) -> Role:
        """The role of a status value (values not in this log are read with the vocabulary)."""
        role = self._by_status.get(value)
        return role if role is not None else read_label(value)[0]

    def unmatched(self) -> list[Reading]:
        """Activity labels and status values no rule recognised (read as ``other``)."""
        return [r for r in (*self.activities, *self.statuses) if not r.matched]

    def roles(self) -> set[Role]:
        """Every role some label or status value of the log was given."""
        return {r.role for r in (*self.activities, *self.statuses)}

    def renamed(self, activities: Mapping[str, str], statuses: Mapping[str, str]) -> Semantics:
        """The same readings under new labels (``old → new``; e.g. after names in labels were pseudonymised).

        Labels that become equal are merged (events added; the first reading's role and reason kept).
        """
        def rename(readings: tuple[Reading, ...], table: Mapping[str, str]) -> tuple[Reading, ...]:
            merged: dict[str, Reading] = {}
            for r in readings:
                value = table.get(r.value, r.value)
                if value in merged:
                    merged[value] = replace(merged[value], events=merged[value].events + r.events)
                else:
                    merged[value] = replace(r, value=value)
            return tuple(sorted(merged.values(), key=lambda r: (-r.events, r.value)))
        return Semantics(activities=rename(self.activities, activities), statuses=rename(self.statuses, statuses),
                         status_column=self.status_column, notes=self.notes)

    def to_dict(self) -> dict[str, Any]:
        return {"status_column": self.status_column, "notes": list(self.notes),
                "activities": [r.to_dict() for r in self.activities],
                "statuses": [r.to_dict() for r in self.statuses]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Semantics:
        def readings(rows: Any) -> tuple[Reading, ...]:
            return tuple(Reading(r["value"], Role(r["role"]), r["reason"], int(r["events"]),
                                 r.get("source", "vocabulary"), r.get("rule", "")) for r in rows)
        return cls(activities=readings(data.get("activities", ())), statuses=readings(data.get("statuses", ())),
                   status_column=data.get("status_column"), notes=tuple(data.get("notes", ())))


def check_overrides(overrides: Mapping[str, Any] | None, *, source: str = "the mapping file"
                    ) -> dict[str, dict[str, Role]]:
    """``[semantics.activities]`` / ``[semantics.statuses]`` as normalised label → Role; errors name the role."""
    out: dict[str, dict[str, Role]] = {"activities": {}, "statuses": {}}
    for table, entries in (overrides or {}).items():
        if table not in out:
            raise ConfigError(f"unknown table [semantics.{table}] in {source}",
                              hint="use [semantics.activities] and [semantics.statuses]")
        if not isinstance(entries, Mapping):
            raise ConfigError(f"[semantics.{table}] in {source} must map labels to roles")
        for label, role in entries.items():
            try:
                out[table][normalise(label)] = Role(str(role).strip().lower())
            except ValueError:
                raise ConfigError(f"unknown role {role!r} for {label!r} in [semantics.{table}] of {source}",
                                  hint="the roles are: " + ", ".join(r.value for r in Role)) from None
    return out


def status_column(frame: pd.DataFrame) -> tuple[str | None, str]:
    """The column holding ticket statuses, and a note when it is the lifecycle column."""
    has_status = C.STATUS in frame.columns and bool(frame[C.STATUS].notna().any())
    lifecycle = None
    if not has_status and C.LIFECYCLE in frame.columns and frame[C.LIFECYCLE].notna().any():
        lifecycle = [str(v) for v in pd.unique(frame[C.LIFECYCLE].dropna().astype(str))]
    return status_column_of(has_status, lifecycle)


def status_column_of(has_status: bool, lifecycle: list[str] | None) -> tuple[str | None, str]:
    """The status column of a log whose status column holds a value (``has_status``) and whose lifecycle column
    holds the distinct values ``lifecycle`` (None: no value), and a note when it is the lifecycle column."""
    if has_status:
        return C.STATUS, ""
    if lifecycle:
        odd = sorted(v for v in lifecycle if normalise(v) not in STANDARD_LIFECYCLE)
        if odd:
            shown = ", ".join(odd[:6]) + (", …" if len(odd) > 6 else "")
            return C.LIFECYCLE, (f"lifecycle:transition holds ticket statuses ({shown}), not the standard XES "
                                 "lifecycle transitions, so it is read as the status")
    return None, ""


def _readings(values: pd.Series, overrides: Mapping[str, Role], fixed: Mapping[str, Role],
              fixed_by: str) -> tuple[Reading, ...]:
    return _readings_of(values.dropna().astype(str).value_counts(sort=False), overrides, fixed, fixed_by)


def _readings_of(counts: pd.Series, overrides: Mapping[str, Role], fixed: Mapping[str, Role],
                 fixed_by: str) -> tuple[Reading, ...]:
    out = []
    for value, events in counts.items():
        key = normalise(value)
        if key in overrides:
            reading = Reading(str(value), overrides[key], OVERRIDE_REASON, int(events), "mapping")
        elif value in fixed:
            reading = Reading(str(value), fixed[value], f"fixed by the {fixed_by} profile", int(events), "profile",
                              fixed_by)
        else:
            role, rule, how = match(value)
            reading = Reading(str(value), role, f'rule "{rule}", {how}' if rule else NO_RULE, int(events),
                              "vocabulary" if rule else "none", rule or "")
        out.append(reading)
    return tuple(sorted(out, key=lambda r: (-r.events, r.value)))


def read_semantics(frame: pd.DataFrame, *, overrides: Mapping[str, Any] | None = None,
                   fixed: Mapping[str, str] | None = None, fixed_by: str = "") -> Semantics:
    """Read every activity label and status value of ``frame`` (see the module doc)."""
    checked = check_overrides(overrides)
    fixed_roles = {label: Role(role) for label, role in (fixed or {}).items()}
    column, note = status_column(frame)
    activities = _readings(frame[C.ACTIVITY], checked["activities"], fixed_roles, fixed_by) \
        if C.ACTIVITY in frame.columns else ()
    statuses = _readings(frame[column], checked["statuses"], fixed_roles, fixed_by) if column else ()
    notes = (note,) if note else ()
    return Semantics(activities=activities, statuses=statuses, status_column=column, notes=notes)


def read_semantics_of_counts(activities: pd.Series, statuses: pd.Series | None, column: str | None, note: str = "",
                             *, overrides: Mapping[str, Any] | None = None, fixed: Mapping[str, str] | None = None,
                             fixed_by: str = "") -> Semantics:
    """:func:`read_semantics` from the events per activity label and per status value (index: the value as text),
    for a log that is not in memory; ``column`` and ``note`` as :func:`status_column_of` gives them.

    >>> counts = pd.Series({"Register": 2, "Close": 2})
    >>> read_semantics_of_counts(counts, None, None).role_of("Close").value
    'close'
    """
    checked = check_overrides(overrides)
    fixed_roles = {label: Role(role) for label, role in (fixed or {}).items()}
    readings = _readings_of(activities, checked["activities"], fixed_roles, fixed_by)
    states = _readings_of(statuses, checked["statuses"], fixed_roles, fixed_by) \
        if column and statuses is not None else ()
    return Semantics(activities=readings, statuses=states, status_column=column, notes=(note,) if note else ())
