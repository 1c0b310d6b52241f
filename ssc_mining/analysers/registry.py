"""Find analysers: installed packages register them under the entry-point group
``ssc_mining.analysers`` (ssc_mining's own included); ``--plugins-dir`` adds
one-off ``.py`` files, whose loader profiles (Profile subclasses) and presets
(Preset objects) are registered too.

Analysers from a plugins folder are registered for the rest of the process,
like its profiles and presets: every later :func:`discover` — the segment
comparison's included — finds them too.

A plugin that fails to import, or whose entry point is not an
:class:`Analyser` subclass, is reported with its name, not raised, unless
``strict``.

Example:
    >>> found = discover()
    >>> "throughput" in found.analysers
    True
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

import ssc_mining.analysers.presets  # noqa: F401 - declares the presets kind, so a plugins folder's presets are found
import ssc_mining.loaders.profiles  # noqa: F401 - declares the profiles kind
from ssc_mining.analysers.base import Analyser
from ssc_mining.errors import ConfigError
from ssc_mining.plugins import PLUGINS, Kind, entry_point_origin

GROUP = "ssc_mining.analysers"


def _is_analyser(obj: object) -> TypeGuard[type[Analyser]]:
    return inspect.isclass(obj) and issubclass(obj, Analyser) and obj is not Analyser


PLUGINS.add_kind(Kind("analysers", GROUP, accepts=_is_analyser, name_of=lambda cls: getattr(cls, "name", "")))


@dataclass
class Discovery:
    """Analyser classes by name, and the plugins that could not be loaded (name → problem)."""

    analysers: dict[str, type[Analyser]] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    #: loader profiles and presets found in a plugins folder (name → origin); registered for this process
    profiles: dict[str, str] = field(default_factory=dict)
    presets: dict[str, str] = field(default_factory=dict)


def _accept(found: Discovery, obj: object, origin: str, label: str) -> None:
    if not _is_analyser(obj):
        found.problems[label] = f"{origin} is not an Analyser subclass"
        return
    if not obj.name:
        found.problems[label] = f"{origin} has no name"
        return
    found.analysers[obj.name] = obj
    found.origins[obj.name] = origin


def discover(plugins_dir: str | Path | None = None, *, strict: bool = False) -> Discovery:
    """All installed analysers (sorted by name), plus those in ``plugins_dir`` (with its profiles and presets)."""
    found = Discovery()
    if plugins_dir is not None:
        loaded = PLUGINS.load_folder(plugins_dir, strict=strict)
        found.problems.update(loaded.problems)
        found.profiles = loaded.added.get("profiles", {})
        found.presets = loaded.added.get("presets", {})
    for ep in PLUGINS.entry_points("analysers"):
        try:
            obj = ep.load()
        except Exception as err:  # noqa: BLE001 - a broken plugin must not break the rest
            if strict:
                raise ConfigError(f"plugin {ep.name!r} ({ep.value}) cannot be loaded: {err}") from err
            found.problems[ep.name] = f"cannot be loaded: {type(err).__name__}: {err}"
            continue
        _accept(found, obj, entry_point_origin(ep), ep.name)
    for name, (cls, origin) in PLUGINS.local("analysers").items():
        _accept(found, cls, origin, name)
    found.analysers = dict(sorted(found.analysers.items()))
    return found
