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

from dataclasses import dataclass, field
from typing import Any

from ssc_mining.analysers.base import Analyser
from ssc_mining.errors import ConfigError
from ssc_mining.plugins import PLUGINS, Kind

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


PLUGINS.add_kind(Kind("presets", GROUP, accepts=lambda obj: isinstance(obj, Preset),
                      name_of=lambda preset: getattr(preset, "name", "")))


def register_preset(preset: Preset, origin: str) -> None:
    """Make a preset available by its name for this process (as a plugins folder does)."""
    PLUGINS.register("presets", preset.name, preset, origin)


def available_presets() -> dict[str, str]:
    """Preset name → where it comes from."""
    return PLUGINS.origins("presets")


def get_preset(name: str) -> Preset:
    """The preset called ``name``."""
    obj = PLUGINS.load("presets", name)
    where = PLUGINS.origins("presets").get(name, name)
    try:
        preset = obj() if callable(obj) and not isinstance(obj, Preset) else obj
    except Exception as err:  # noqa: BLE001 - a broken plugin is named, not a traceback
        raise ConfigError(f"preset {name!r} ({where}) cannot be loaded: {err}") from err
    if not isinstance(preset, Preset):
        raise ConfigError(f"preset {name!r} ({where}) is not a Preset")
    return preset
