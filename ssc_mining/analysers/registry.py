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

import importlib.metadata
import importlib.util
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ssc_mining.analysers.base import Analyser
from ssc_mining.errors import ConfigError
from ssc_mining.loaders.profiles import Profile, register_profile

GROUP = "ssc_mining.analysers"

#: analysers loaded from a plugins folder in this process (name → (class, origin))
_FROM_FOLDERS: dict[str, tuple[type[Analyser], str]] = {}


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
    if not (inspect.isclass(obj) and issubclass(obj, Analyser) and obj is not Analyser):
        found.problems[label] = f"{origin} is not an Analyser subclass"
        return
    if not obj.name:
        found.problems[label] = f"{origin} has no name"
        return
    if obj.name in found.analysers and found.origins[obj.name] != origin:
        found.problems[label] = f"name {obj.name!r} is already used by {found.origins[obj.name]}"
        return
    found.analysers[obj.name] = obj
    found.origins[obj.name] = origin


def discover(plugins_dir: str | Path | None = None, *, strict: bool = False) -> Discovery:
    """All installed analysers (sorted by name), plus those in ``plugins_dir``."""
    found = Discovery()
    for ep in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        try:
            obj = ep.load()
        except Exception as err:  # noqa: BLE001 - a broken plugin must not break the rest
            if strict:
                raise ConfigError(f"plugin {ep.name!r} ({ep.value}) cannot be loaded: {err}") from err
            found.problems[ep.name] = f"cannot be loaded: {type(err).__name__}: {err}"
            continue
        _accept(found, obj, f"{ep.value} ({ep.dist.name if ep.dist else '?'})", ep.name)
    for cls, origin in _FROM_FOLDERS.values():
        _accept(found, cls, origin, origin.split(":", 1)[0])
    if plugins_dir is not None:
        _load_dir(found, Path(plugins_dir), strict=strict)
    found.analysers = dict(sorted(found.analysers.items()))
    return found


def _load_dir(found: Discovery, folder: Path, *, strict: bool) -> None:
    from ssc_mining.analysers.presets import Preset, register_preset  # presets import this module

    if not folder.is_dir():
        raise ConfigError("the plugins folder does not exist", path=folder)
    for path in sorted(folder.glob("*.py")):
        module_name = f"ssc_mining_plugin_{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except Exception as err:  # noqa: BLE001
            if strict:
                raise ConfigError(f"plugin file {path.name} cannot be loaded: {err}", path=path) from err
            found.problems[path.name] = f"cannot be loaded: {type(err).__name__}: {err}"
            continue
        for attr, obj in sorted(inspect.getmembers(module)):
            origin = f"{path.name}:{attr}"
            if inspect.isclass(obj) and obj.__module__ == module_name:
                if issubclass(obj, Analyser) and obj is not Analyser:
                    _accept(found, obj, origin, path.name)
                    if found.origins.get(obj.name) == origin:
                        _FROM_FOLDERS[obj.name] = (obj, origin)
                elif issubclass(obj, Profile) and obj is not Profile and obj.name:
                    register_profile(obj, origin)
                    found.profiles[obj.name] = origin
            elif isinstance(obj, Preset):
                register_preset(obj, origin)
                found.presets[obj.name] = origin
