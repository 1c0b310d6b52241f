"""Loader profiles: how one ticket system's export becomes events.

A profile recognises its export from the column names (:meth:`Profile.detect`)
and turns the raw table into one row per event with a fixed mapping
(:meth:`Profile.to_events`): a snapshot export becomes events from its date
columns, a history export one event per relevant change. The generic ``csv``
profile maps columns by name and is used when no other profile recognises the
file. Profiles are found through the entry-point group ``ssc_mining.profiles``,
so a plugin can add one for another ticket system.

Example:
    >>> {"csv", "xes", "topdesk"} <= set(available_profiles())
    True
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ssc_mining.errors import ConfigError
from ssc_mining.i18n import N_
from ssc_mining.loaders.raw import RawTable

GROUP = "ssc_mining.profiles"


@dataclass
class ProfiledTable:
    """Events ready for :func:`~ssc_mining.loaders.build.build_event_log`: table, mapping and reading options."""

    raw: RawTable
    mapping: dict[str, str]
    timestamp_format: str | None = None
    dayfirst: bool | None = None
    notes: list[str] = field(default_factory=list)
    #: the roles of the activity labels the profile made (label → role name; see docs/semantics.md)
    semantics: dict[str, str] = field(default_factory=dict)


class Profile:
    """Base class of loader profiles."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: values that mean "missing" in this system's exports, besides the empty string
    null_values: ClassVar[tuple[str, ...]] = ()

    def detect(self, raw: RawTable) -> str | None:
        """A sentence of evidence when ``raw`` looks like this profile's export, else None."""
        return None

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable | None:
        """Turn ``raw`` into events with a fixed mapping; None means: use the generic column mapping."""
        return None


#: profiles from ``--plugins-dir`` files, registered for this process by the plugin loader
_LOCAL: dict[str, tuple[type[Profile], str]] = {}


def register_profile(cls: type[Profile], origin: str) -> None:
    """Make a profile class from a one-off plugin file available by its name."""
    _LOCAL[cls.name] = (cls, origin)


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda e: e.name)}


def _names() -> list[str]:
    return sorted(set(_entry_points()) | set(_LOCAL))


def available_profiles() -> dict[str, str]:
    """Profile name → where it comes from."""
    eps = _entry_points()
    return {name: _LOCAL[name][1] if name in _LOCAL else eps[name].value for name in _names()}


def get_profile(name: str) -> Profile:
    """The profile called ``name``; a ConfigError lists the known ones."""
    if name in _LOCAL:
        return _LOCAL[name][0]()
    eps = _entry_points()
    if name not in eps:
        raise ConfigError(f"unknown profile {name!r}", hint="known profiles: " + ", ".join(_names()))
    try:
        cls = eps[name].load()
    except Exception as err:  # noqa: BLE001 - a broken plugin is named, not a traceback
        raise ConfigError(f"profile {name!r} ({eps[name].value}) cannot be loaded: {err}") from err
    return cls()


def detect_profile(raw: RawTable) -> tuple[Profile, str]:
    """The first specific profile (alphabetical) that recognises ``raw``, else the generic one for its reader."""
    for name in _names():
        if name in ("csv", "xes"):
            continue
        try:
            profile = get_profile(name)
            evidence = profile.detect(raw)
        except ConfigError:
            continue
        if evidence:
            return profile, N_("detected: %(evidence)s") % {"evidence": evidence}
    generic = "xes" if raw.reader == "xes" else "csv"
    return get_profile(generic), N_("no ticket-system profile recognised the columns; columns mapped by name")
