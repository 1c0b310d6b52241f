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

import inspect
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ssc_mining.errors import ConfigError
from ssc_mining.i18n import N_
from ssc_mining.loaders.raw import RawTable
from ssc_mining.plugins import PLUGINS, Kind

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


PLUGINS.add_kind(Kind("profiles", GROUP,
                      accepts=lambda obj: inspect.isclass(obj) and issubclass(obj, Profile) and obj is not Profile,
                      name_of=lambda cls: getattr(cls, "name", "")))


def register_profile(cls: type[Profile], origin: str) -> None:
    """Make a profile class available by its name for this process (as a plugins folder does)."""
    PLUGINS.register("profiles", cls.name, cls, origin)


def _names() -> list[str]:
    return PLUGINS.names("profiles")


def available_profiles() -> dict[str, str]:
    """Profile name → where it comes from."""
    return PLUGINS.origins("profiles")


def get_profile(name: str) -> Profile:
    """The profile called ``name``; a ConfigError lists the known ones."""
    cls = PLUGINS.load("profiles", name)
    if not (inspect.isclass(cls) and issubclass(cls, Profile)):
        raise ConfigError(f"profile {name!r} ({PLUGINS.origins('profiles').get(name)}) is not a Profile subclass")
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
