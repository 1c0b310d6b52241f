"""One plugin manager for everything ssc_mining finds at run time: analysers, report presets and loader
profiles.

Each kind has an entry-point group — installed packages register there (ssc_mining's own built-ins
too) — and may also come from a one-off ``.py`` file in a ``--plugins-dir`` folder:

=============  ===========================  ==========================================
kind           entry-point group            a folder file contributes
=============  ===========================  ==========================================
``analysers``  ``ssc_mining.analysers``     :class:`~ssc_mining.analysers.Analyser` subclasses
``presets``    ``ssc_mining.presets``       :class:`~ssc_mining.analysers.presets.Preset` objects
``profiles``   ``ssc_mining.profiles``      :class:`~ssc_mining.loaders.profiles.Profile` subclasses
=============  ===========================  ==========================================

The module that owns a kind declares it (:meth:`PluginManager.add_kind`: what a folder member must be,
and its name), so this module imports none of them. Everything from a folder is registered for the
rest of the process: every later lookup — the segment comparison's included — finds it. A folder
plugin may not take a name that is already used by another plugin of its kind; a file that fails to
import, or a name used twice, is reported by name (or raised with ``strict``), never silently skipped.

Example:
    >>> import ssc_mining.analysers  # declares the three kinds
    >>> "throughput" in PLUGINS.names("analysers") and "quick" in PLUGINS.names("presets")
    True
    >>> PLUGINS.origins("profiles")["csv"]
    'ssc_mining.loaders.profiles.generic:GenericTable (ssc-mining)'
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ssc_mining.errors import ConfigError


@dataclass(frozen=True)
class Kind:
    """A kind of plugin: its plural name, entry-point group, and how to recognise and name one in a file."""

    name: str
    group: str
    #: whether a member of a plugin file's module is a plugin of this kind
    accepts: Callable[[object], bool]
    #: the name it is registered under
    name_of: Callable[[object], str]


@dataclass
class FolderLoad:
    """What a plugins folder added (kind → name → origin ``file.py:attribute``) and what it could not."""

    added: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def entry_point_origin(ep: importlib.metadata.EntryPoint) -> str:
    """Where an entry point comes from: ``module:attribute (distribution)``."""
    return f"{ep.value} ({ep.dist.name if ep.dist else '?'})"


class PluginManager:
    """Plugins by kind: entry points of installed packages, and objects registered from plugin folders."""

    def __init__(self) -> None:
        self._kinds: dict[str, Kind] = {}
        self._local: dict[str, dict[str, tuple[object, str]]] = {}
        self._installed: dict[str, list[importlib.metadata.EntryPoint]] = {}

    def add_kind(self, kind: Kind) -> None:
        """Declare a kind (done once by the module that owns it)."""
        self._kinds[kind.name] = kind
        self._local.setdefault(kind.name, {})

    def kind(self, name: str) -> Kind:
        if name not in self._kinds:
            raise ConfigError(f"unknown kind of plugin {name!r}", hint="known: " + ", ".join(sorted(self._kinds)))
        return self._kinds[name]

    def entry_points(self, kind: str) -> list[importlib.metadata.EntryPoint]:
        """The installed entry points of ``kind``, sorted by name and value."""
        group = self.kind(kind).group
        if group not in self._installed:   # read the installed packages' metadata once per process
            eps = importlib.metadata.entry_points(group=group)
            self._installed[group] = sorted(eps, key=lambda e: (e.name, e.value))
        return list(self._installed[group])

    def refresh(self) -> None:
        """Read the installed packages' entry points again (after installing a plugin in this process)."""
        self._installed.clear()

    def local(self, kind: str) -> dict[str, tuple[object, str]]:
        """Plugins of ``kind`` registered from folders in this process: name → (object, origin)."""
        self.kind(kind)
        return dict(self._local[kind])

    def names(self, kind: str) -> list[str]:
        """Every name of ``kind``, installed or from a folder, sorted."""
        return sorted({ep.name for ep in self.entry_points(kind)} | set(self._local[kind]))

    def origins(self, kind: str) -> dict[str, str]:
        """Name → where it comes from (``module:attribute (distribution)`` or ``file.py:attribute``)."""
        found = {ep.name: entry_point_origin(ep) for ep in self.entry_points(kind)}
        found.update({name: origin for name, (_, origin) in self._local[kind].items()})
        return dict(sorted(found.items()))

    def load(self, kind: str, name: str) -> object:
        """The plugin object called ``name``; a ConfigError names the known ones or why it cannot be loaded."""
        if name in self._local[self.kind(kind).name]:
            return self._local[kind][name][0]
        eps = {ep.name: ep for ep in self.entry_points(kind)}
        if name not in eps:
            raise ConfigError(f"unknown {kind[:-1]} {name!r}", hint=f"known {kind}: " + ", ".join(self.names(kind)))
        try:
            return eps[name].load()
        except Exception as err:  # noqa: BLE001 - a broken plugin is named, not a traceback
            raise ConfigError(f"{kind[:-1]} {name!r} ({eps[name].value}) cannot be loaded: {err}") from err

    def register(self, kind: str, name: str, obj: object, origin: str) -> None:
        """Register ``obj`` as ``name`` of ``kind`` for this process; a name another plugin uses is refused."""
        known = self.origins(kind)
        if name in known and known[name] != origin:
            raise ConfigError(f"{kind[:-1]} name {name!r} of {origin} is already used by {known[name]}",
                              hint="rename it in the plugin file")
        self._local[self.kind(kind).name][name] = (obj, origin)

    def load_folder(self, folder: str | Path, *, strict: bool = False) -> FolderLoad:
        """Import every ``.py`` file in ``folder`` (sorted) and register its plugins of every kind."""
        folder = Path(folder)
        if not folder.is_dir():
            raise ConfigError("the plugins folder does not exist", path=folder,
                              hint="give --plugins-dir a folder that holds the plugin .py files")
        out = FolderLoad(added={k: {} for k in self._kinds})
        for path in sorted(folder.glob("*.py")):
            module_name = f"ssc_mining_plugin_{path.stem}"
            try:
                spec = importlib.util.spec_from_file_location(module_name, path)
                assert spec and spec.loader
                module = importlib.util.module_from_spec(spec)
                sys.modules[module_name] = module
                spec.loader.exec_module(module)
            except Exception as err:  # noqa: BLE001 - a broken plugin must not break the rest
                if strict:
                    raise ConfigError(f"plugin file {path.name} cannot be loaded: {err}", path=path) from err
                out.problems[path.name] = f"cannot be loaded: {type(err).__name__}: {err}"
                continue
            for attr, obj in sorted(inspect.getmembers(module)):
                if inspect.isclass(obj) and obj.__module__ != module_name:
                    continue   # imported into the file, not defined there
                for kind in self._kinds.values():
                    if not kind.accepts(obj):
                        continue
                    origin, name = f"{path.name}:{attr}", kind.name_of(obj)
                    if not name:
                        out.problems[origin] = f"{origin} has no name"
                        continue
                    try:
                        self.register(kind.name, name, obj, origin)
                    except ConfigError as err:
                        if strict:
                            raise
                        out.problems[origin] = err.problem
                        continue
                    out.added[kind.name][name] = origin
        return out


#: the process's plugin manager
PLUGINS = PluginManager()
