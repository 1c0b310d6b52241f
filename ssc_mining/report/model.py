"""Compute the figures of the first report from an event log, as plain data.

The same dictionary feeds the HTML template and the JSON file, so both always
show the same figures.

Example:
    >>> from ssc_mining.loaders import load
    >>> figures = compute_figures(load("data/samples/generic-events.csv"))
    >>> sorted(figures)[:6]
    ['analysers', 'explore', 'overview', 'privacy', 'process_map', 'provenance']
    >>> sorted(figures)[6:]
    ['quality', 'quarantine', 'run', 'schema', 'semantics']
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any, Protocol

import pandas as pd

from ssc_mining.analysers import Analyser, discover
from ssc_mining.analysers.runner import analyser_tasks
from ssc_mining.discovery import overview
from ssc_mining.discovery.aggregates import Aggregates
from ssc_mining.eventlog.log import EventLog
from ssc_mining.eventlog.provenance import Provenance
from ssc_mining.i18n import current_language, deferred, language, render_texts
from ssc_mining.memory import release_unused, releasing
from ssc_mining.parallel import side_by_side
from ssc_mining.privacy import PERSON_COLUMNS, PrivacySettings, apply_privacy
from ssc_mining.progress import phase
from ssc_mining.quality import run_checks
from ssc_mining.report.explore import explore_figures, prepare_explore
from ssc_mining.report.map_figures import map_figures, prepare_map
from ssc_mining.report.process_map import MapSettings
from ssc_mining.results import Result
from ssc_mining.run_context import RunContext
from ssc_mining.semantics.reading import Semantics
from ssc_mining.semantics.roles import Role

SCHEMA = "ssc_mining.report/1"


def compute_figures(log: EventLog, *, map_settings: MapSettings | None = None,
                    as_of: pd.Timestamp | None = None, analysers: list[Analyser] | None = None,
                    strict: bool = False, privacy: PrivacySettings | None = None) -> dict[str, Any]:
    """All figures of the report in the current language, JSON-ready and deterministic.

    ``analysers`` defaults to every installed analyser with its default parameters. For several
    languages, compute :func:`figures_once` and write each with :func:`figures_in`.
    """
    context = RunContext.of(log, as_of=as_of, strict=strict,
                            privacy=privacy or PrivacySettings(pseudonymise=False, key_source="none"))
    settings = map_settings or MapSettings()
    once = figures_once(log, context, analysers=analysers, map_settings=settings)
    return figures_in(once, log, current_language(), map_settings=settings)


def figures_once(log: EventLog, context: RunContext, *, analysers: list[Analyser] | None = None,
                 map_settings: MapSettings | None = None) -> dict[str, Any]:
    """Every figure of the report except the process map, computed once with their texts deferred
    (:class:`~ssc_mining.i18n.Text`) for the run ``context``: :func:`figures_in` writes them in a language.

    The analysers, the data-quality checks, the drill-downs' lists of tickets and — given ``map_settings`` — the
    map's figures that are the same in every language run side by side on ``context.jobs`` threads (see
    :mod:`ssc_mining.parallel`)."""
    if analysers is None:
        analysers = [cls() for cls in discover().analysers.values()]
    privacy = context.privacy
    with deferred():
        with phase("analysers, checks and map"):
            checks = functools.partial(_checks, log, context.as_of)
            # the map first: the longest part, and the analysers share its variant table
            parts: list[Callable[[], Any]] = [functools.partial(_prepare_map, log, map_settings)] \
                if map_settings is not None else []
            parts += [checks, functools.partial(_prepare_explore, log)]
            release_unused()   # what reading and pseudonymising freed, before the analysis's peak
            tasks = [releasing(t) for t in (*parts, *analyser_tasks(log, analysers, context))]
            done = side_by_side(tasks, context.jobs,
                                alone=[False] * len(parts) + [not a.thread_safe for a in analysers])
        quality: list[dict[str, Any]] = done[parts.index(checks)]
        results: list[Result] = done[len(parts):]
        with phase("privacy rules"):
            results, privacy_notes = apply_privacy(results, privacy)
        with phase("drill-downs"):
            # drill-downs to tickets, paths, ticket steps (auditors only), team network; from the filtered results
            explore = explore_figures(log, results, privacy.audience)
        return assembled(overview=overview(log).to_dict(), results=results, explore=explore, privacy=privacy,
                         privacy_notes=privacy_notes, columns=log.frame.columns, quality=quality,
                         quarantine=log.quarantine, incomplete=incomplete_cases(log),
                         semantics=semantics_figures(log), provenance=log.provenance)


def assembled(*, overview: dict[str, Any], results: list[Result], explore: dict[str, Any], privacy: PrivacySettings,
              privacy_notes: list[Any], columns: Iterable[str], quality: list[dict[str, Any]],
              quarantine: pd.DataFrame, incomplete: list[str], semantics: dict[str, Any],
              provenance: Provenance) -> dict[str, Any]:
    """The figures of :func:`figures_once`, put together from their parts (for a log in memory, or an engine's
    source): ``columns`` are the log's, ``incomplete`` the ids of the tickets that lost rows to the quarantine."""
    columns = set(columns)
    return {
        "schema": SCHEMA,
        "overview": overview,
        "analysers": [r.to_dict() for r in results],
        "explore": explore,
        "run": {},  # the writer fills in the run's settings
        "privacy": {**asdict(privacy), "notes": privacy_notes,
                    "person_columns": [c for c in PERSON_COLUMNS if c in columns]},
        "quality": quality,
        "quarantine": {
            "rows": int(len(quarantine)),
            # tickets that lost rows to the quarantine: all their ids (their figures may be incomplete)
            "incomplete_cases": incomplete,
            "examples": [{"source_row": int(r), "reason": str(why)}
                         for r, why in quarantine[["source_row", "reason"]].head(20).itertuples(index=False)],
        },
        "semantics": semantics,
        "provenance": provenance.to_dict(),
    }


class FigureSource(Protocol):
    """What a report is computed from besides an event log in memory: an engine's source
    (:class:`~ssc_mining.report.on_engine.EngineReport`), which computes the figures its own way."""

    provenance: Provenance
    quarantine: pd.DataFrame
    timezone: str
    pseudonymised: bool

    @property
    def map_source(self) -> Aggregates:
        """What the process map is drawn from."""
        ...

    def figures_once(self, context: RunContext, *, analysers: list[Analyser] | None = None,
                     map_settings: MapSettings | None = None) -> dict[str, Any]:
        """What :func:`figures_once` gives for a log in memory."""
        ...


def _prepare_map(log: EventLog, settings: MapSettings) -> None:
    with phase("process map and model (same in every language)"):
        prepare_map(log, settings)


def _prepare_explore(log: EventLog) -> None:
    with phase("drill-down lists"):
        prepare_explore(log)


def _checks(log: EventLog, as_of: pd.Timestamp | None) -> list[dict[str, Any]]:
    with phase("data-quality checks"):
        return [f.to_dict() for f in run_checks(log, as_of=as_of)]


def figures_in(once: dict[str, Any], log: EventLog | Aggregates, lang: str, *,
               map_settings: MapSettings | None = None) -> dict[str, Any]:
    """The figures of :func:`figures_once` written in ``lang``, with the process map drawn in it from ``log`` (or
    from an engine's aggregates)."""
    figures = dict(render_texts(once, lang))
    with language(lang), phase("process map and model"):
        figures["process_map"] = map_figures(log, map_settings or MapSettings())
    return figures


def incomplete_cases(log: EventLog) -> list[str]:
    """The ids of the tickets that lost at least one row to the quarantine, sorted."""
    from ssc_mining.eventlog import columns as C

    frame = log.frame
    if C.ROWS_SET_ASIDE not in frame.columns:
        return []
    return sorted(str(c) for c in pd.unique(frame.loc[frame[C.ROWS_SET_ASIDE] > 0, C.CASE]))


def semantics_figures(log: EventLog) -> dict[str, Any]:
    """How the activities and statuses were read (every label with its role and reason), and which roles the
    log lacks, as plain data for the report section "How activities were read" and the JSON."""
    assert log.semantics is not None
    return semantics_data(log.semantics, log.markers.roles_present)


def semantics_data(semantics: Semantics, present: frozenset[Role]) -> dict[str, Any]:
    """:func:`semantics_figures` of a log read with ``semantics`` in which the roles ``present`` occur."""
    data = semantics.to_dict()
    data["roles_missing"] = [r.value for r in Role if r not in present and r is not Role.OTHER]
    unmatched = semantics.unmatched()
    data["unmatched"] = {"labels": len(unmatched), "events": int(sum(r.events for r in unmatched))}
    return data
