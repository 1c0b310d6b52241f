"""Report presets: a named list of analysers with parameters, found through the entry-point
group ``ssc_mining.presets`` (a plugin can add its own).

A preset is a :class:`Preset` object (or a function returning one) registered under a name::

    [project.entry-points."ssc_mining.presets"]
    works-council = "ssc_mining.analysers.presets:WORKS_COUNCIL"

Example:
    >>> from ssc_mining.analysers import discover
    >>> preset = get_preset("quick")
    >>> [a.name for a in preset.instantiate(discover().analysers)]
    ['throughput', 'variants']
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ssc_mining.analysers.base import Analyser
from ssc_mining.errors import ConfigError

GROUP = "ssc_mining.presets"


@dataclass(frozen=True)
class Preset:
    """Analysers to run, in order, with parameters: ``{"variants": {"top": 20}, "handoffs": {}}``."""

    name: str
    description: str
    analysers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def instantiate(self, available: dict[str, type[Analyser]]) -> list[Analyser]:
        """The analyser objects; a name that is not installed is a ConfigError naming what is."""
        missing = [n for n in self.analysers if n not in available]
        if missing:
            raise ConfigError(f"preset {self.name!r} needs analysers that are not installed: {missing}",
                              hint="installed: " + ", ".join(available))
        return [available[n](**params) for n, params in self.analysers.items()]


QUICK = Preset("quick", "Throughput time and variants only: a first look at a new export.",
               {"throughput": {}, "variants": {}})


#: presets from ``--plugins-dir`` files, registered for this process by the plugin loader
_LOCAL: dict[str, tuple[Preset, str]] = {}


def register_preset(preset: Preset, origin: str) -> None:
    """Make a preset from a one-off plugin file available by its name."""
    _LOCAL[preset.name] = (preset, origin)


def available_presets() -> dict[str, str]:
    """Preset name → where it comes from."""
    found = {ep.name: ep.value for ep in importlib.metadata.entry_points(group=GROUP)}
    found.update({name: origin for name, (_, origin) in _LOCAL.items()})
    return dict(sorted(found.items()))


def get_preset(name: str) -> Preset:
    """The preset called ``name``."""
    if name in _LOCAL:
        return _LOCAL[name][0]
    eps = {ep.name: ep for ep in importlib.metadata.entry_points(group=GROUP)}
    if name not in eps:
        raise ConfigError(f"unknown preset {name!r}", hint="known presets: " + ", ".join(available_presets()))
    try:
        obj: Preset | Callable[[], Preset] = eps[name].load()
        preset = obj() if callable(obj) and not isinstance(obj, Preset) else obj
    except Exception as err:  # noqa: BLE001 - a broken plugin is named, not a traceback
        raise ConfigError(f"preset {name!r} ({eps[name].value}) cannot be loaded: {err}") from err
    if not isinstance(preset, Preset):
        raise ConfigError(f"preset {name!r} ({eps[name].value}) is not a Preset")
    return preset
