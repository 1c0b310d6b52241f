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

from dataclasses import asdict
from typing import Any

import pandas as pd

from ssc_mining.analysers import Analyser, discover, run_analysers_deferred
from ssc_mining.discovery import overview
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import current_language, deferred, language, render_texts
from ssc_mining.privacy import PERSON_COLUMNS, PrivacySettings, apply_privacy
from ssc_mining.progress import phase
from ssc_mining.quality import run_checks
from ssc_mining.report.explore import explore_figures
from ssc_mining.report.map_figures import map_figures
from ssc_mining.report.process_map import MapSettings
from ssc_mining.run_context import RunContext

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
    once = figures_once(log, context, analysers=analysers)
    return figures_in(once, log, current_language(), map_settings=map_settings)


def figures_once(log: EventLog, context: RunContext, *, analysers: list[Analyser] | None = None) -> dict[str, Any]:
    """Every figure of the report except the process map, computed once with their texts deferred
    (:class:`~ssc_mining.i18n.Text`) for the run ``context``: :func:`figures_in` writes them in a language."""
    if analysers is None:
        analysers = [cls() for cls in discover().analysers.values()]
    privacy = context.privacy
    with phase("analysers"):
        results = run_analysers_deferred(log, analysers, context=context)
    with deferred():
        with phase("privacy rules"):
            results, privacy_notes = apply_privacy(results, privacy)
        with phase("drill-downs"):
            # drill-downs to tickets, paths, ticket steps (auditors only), team network; from the filtered results
            explore = explore_figures(log, results, privacy.audience)
        with phase("data-quality checks"):
            quality = [f.to_dict() for f in run_checks(log, as_of=context.as_of)]
        q = log.quarantine
        return {
            "schema": SCHEMA,
            "overview": overview(log).to_dict(),
            "analysers": [r.to_dict() for r in results],
            "explore": explore,
            "run": {},  # the writer fills in the run's settings
            "privacy": {**asdict(privacy), "notes": privacy_notes,
                        "person_columns": [c for c in PERSON_COLUMNS if c in log.frame.columns]},
            "quality": quality,
            "quarantine": {
                "rows": int(len(q)),
                # tickets that lost rows to the quarantine: all their ids (their figures may be incomplete)
                "incomplete_cases": incomplete_cases(log),
                "examples": [{"source_row": int(r), "reason": str(why)}
                             for r, why in q[["source_row", "reason"]].head(20).itertuples(index=False)],
            },
            "semantics": semantics_figures(log),
            "provenance": log.provenance.to_dict(),
        }


def figures_in(once: dict[str, Any], log: EventLog, lang: str, *,
               map_settings: MapSettings | None = None) -> dict[str, Any]:
    """The figures of :func:`figures_once` written in ``lang``, with the process map drawn in it."""
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
    from ssc_mining.semantics.roles import Role

    assert log.semantics is not None
    data = log.semantics.to_dict()
    present = log.markers.roles_present
    data["roles_missing"] = [r.value for r in Role if r not in present and r is not Role.OTHER]
    unmatched = log.semantics.unmatched()
    data["unmatched"] = {"labels": len(unmatched), "events": int(sum(r.events for r in unmatched))}
    return data
