"""Seeded simulator of Shared Service Centre ticket data, with ground truth and exports.

Three municipalities ("mothers") are served by one SSC; tickets follow the
SSC's process in working time, and phenomena (handovers, ping-pong, reopens,
re-submission chains, the salary-correction and Christmas-tree stories, waits
for the user, escalations, coordination work) are planted at the rates of
:class:`Rates`. The same configuration gives byte-identical files.

Example:
    >>> from ssc_mining.simulate import SimulationConfig, simulate
    >>> result = simulate(SimulationConfig(seed=7, cases=50))
    >>> result.cases["case_id"].nunique(), str(result.events["time:timestamp"].dt.tz)
    (50, 'UTC')
    >>> import tempfile
    >>> paths = write_exports(result, tempfile.mkdtemp(), formats=("generic",))
    >>> sorted(paths)
    ['generic', 'people', 'truth-csv', 'truth-json']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ssc_mining.errors import ConfigError
from ssc_mining.simulate.batch import Batch
from ssc_mining.simulate.config import Rates, SimulationConfig
from ssc_mining.simulate.exports import FORMATS, SAMPLE_NAMES, WRITERS, default_names
from ssc_mining.simulate.exports.people import write_people
from ssc_mining.simulate.scenario import ACTIVITIES, COORDINATION, STATUSES, _World, generate_blocks
from ssc_mining.simulate.timefmt import TimeFormatter
from ssc_mining.simulate.truth import TruthWriter

__all__ = ["SimulationConfig", "Rates", "Simulation", "simulate", "write_exports", "write_exports_streaming",
           "FORMATS", "SAMPLE_NAMES", "ACTIVITIES", "STATUSES", "COORDINATION"]


@dataclass
class Simulation:
    """A simulated log in memory: canonical ``events`` (UTC), per-case ground truth ``cases``, and ``config``."""

    config: SimulationConfig
    events: pd.DataFrame
    cases: pd.DataFrame
    batches: list[Batch] = field(default_factory=list, repr=False)

    @property
    def world(self) -> _World:
        return self.batches[0].world


def _batches(cfg: SimulationConfig) -> Iterable[Batch]:
    world = _World(cfg)
    fmt = TimeFormatter(world.calendar)
    for block in generate_blocks(cfg, world):
        yield Batch(world, block, fmt)


def simulate(cfg: SimulationConfig | None = None) -> Simulation:
    """Generate the whole log in memory (use :func:`write_exports_streaming` for very large logs)."""
    cfg = cfg or SimulationConfig()
    batches = list(_batches(cfg))
    events = pd.concat([b.events() for b in batches], ignore_index=True)
    cases = pd.concat([b.truth() for b in batches], ignore_index=True)
    return Simulation(config=cfg, events=events, cases=cases, batches=batches)


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    formats = tuple(formats)
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ConfigError(f"unknown export format(s) {unknown}", hint="known formats: " + ", ".join(FORMATS))
    return tuple(dict.fromkeys(formats))


def _write(batches: Iterable[Batch], world_of: Callable[..., object] | None, out_dir: str | Path,
           formats: Iterable[str], prefix: str, names: dict[str, str] | None) -> dict[str, Path]:
    formats = _check_formats(formats)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chosen = {**default_names(prefix), **(names or {})}
    writers = {f: WRITERS[f](out / chosen[f]) for f in formats}
    truth = None
    people = None
    try:
        for batch in batches:
            if truth is None:
                truth = TruthWriter(out / chosen["truth-csv"], out / chosen["truth-json"], batch.world)
                people = write_people(out / chosen["people"], batch.world.org)
            for writer in writers.values():
                writer.write(batch)
            truth.write(batch.truth())
    finally:
        for writer in writers.values():
            writer.close()
    assert truth is not None and people is not None  # a simulation has at least one case, so one batch
    paths: dict[str, Path] = {}
    for f, writer in writers.items():
        paths[f] = writer.path
        paths.update(writer.extra)
    # the truth's file list names the exports only (its bytes do not change with the people directory)
    truth.close({key: p.name for key, p in paths.items() if key not in ("truth-csv", "truth-json")})
    paths["people"] = people
    paths["truth-csv"], paths["truth-json"] = truth.csv_path, truth.json_path
    return paths


def write_exports(result: Simulation, out_dir: str | Path, formats: Iterable[str] = FORMATS, prefix: str = "ssc",
                  *, names: dict[str, str] | None = None) -> dict[str, Path]:
    """Write ``result`` in each format plus the ground truth; returns format → path.

    File names are ``<prefix>-…`` (see :func:`~ssc_mining.simulate.exports.default_names`); ``names``
    overrides them per key (e.g. :data:`SAMPLE_NAMES`). Extra keys in the result:
    ``servicenow-audit-incidents``, ``servicenow-audit-references``, ``truth-csv``, ``truth-json`` and
    ``people`` (the people directory: name, user_name, team, organisation, line of everyone; see
    :mod:`~ssc_mining.simulate.exports.people`).
    """
    return _write(result.batches, None, out_dir, formats, prefix, names)


def write_exports_streaming(cfg: SimulationConfig, out_dir: str | Path, formats: Iterable[str] = ("generic",),
                            prefix: str = "ssc", *, names: dict[str, str] | None = None) -> dict[str, Path]:
    """Generate and write block by block (2,000 cases at a time): memory does not grow with ``cfg.cases``.

    The files are byte-identical to ``write_exports(simulate(cfg), …)``.
    """
    return _write(_batches(cfg), None, out_dir, formats, prefix, names)
