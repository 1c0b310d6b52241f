"""``ssc-mining report DATABASE --engine duckdb|spark``: the report's figures without the whole log in memory.

The report of an imported database is computed with the same code as for a log in memory, in two ways that never
hold all events at once:

1. **One pass over the partitions of whole tickets** (:mod:`ssc_mining.engines.partitioned`; with Spark, by its
   workers): every analyser's part, and the parts of the report's overview (:class:`ReportBasics`), data-quality
   checks (:class:`~ssc_mining.quality.checks.QualityChecks`) and drill-down lists
   (:class:`~ssc_mining.report.explore.ExploreLists`), each combined as the analysers' parts are.
2. **The process map from aggregates** that DuckDB (or Spark) computes on the database
   (:class:`~ssc_mining.engines.duckdb_events.DuckDBEvents`): the variants, the directly-follows graph, the
   segments' graphs; pm4py mines the model from the variants.

The timelines of single tickets (auditors only) are read from the database for the few tickets chosen. The
figures equal those of the same database read into memory, except the provenance's note on the engine (the tests
hold the JSON files equal).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ssc_mining.engines.duckdb_events import DuckDBEvents
    >>> from ssc_mining.engines.partitioned import Partitions
    >>> from ssc_mining.loaders.importer import import_export
    >>> from ssc_mining.run_context import RunContext
    >>> db = Path(tempfile.mkdtemp()) / "tickets.duckdb"
    >>> _ = import_export("data/samples/generic-events.csv", db)
    >>> with Partitions(db, partitions=2) as parts, DuckDBEvents(db) as events:
    ...     once = EngineReport(parts, events).figures_once(RunContext(timezone=parts.provenance().timezone))
    >>> once["overview"]["cases"], once["explore"]["tickets"]
    (400, 400)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ssc_mining.analysers import Analyser, discover
from ssc_mining.discovery.aggregates import Aggregates
from ssc_mining.discovery.overview import Overview
from ssc_mining.engines.partitioned import Partitions
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts
from ssc_mining.eventlog.log import EventLog
from ssc_mining.eventlog.provenance import Provenance
from ssc_mining.i18n import deferred
from ssc_mining.privacy import apply_privacy, withheld_quarantine
from ssc_mining.progress import phase
from ssc_mining.quality.checks import QualityChecks
from ssc_mining.report.explore import ExploreLists, explore_figures_of
from ssc_mining.report.map_figures import prepare_map
from ssc_mining.report.model import assembled, semantics_data
from ssc_mining.report.process_map import MapSettings
from ssc_mining.run_context import RunContext

__all__ = ["EngineReport", "ReportBasics"]


@dataclass(frozen=True)
class BasicsPart:
    """A partition's share of the overview: its first and last moment, its labels, teams and people, each
    ticket's throughput time in days, and the tickets that lost rows to the quarantine."""

    first: pd.Timestamp | None
    last: pd.Timestamp | None
    activities: frozenset[Any]
    resources: frozenset[Any] | None
    teams: frozenset[Any] | None
    days: np.ndarray
    incomplete: tuple[str, ...]


@dataclass(frozen=True)
class ReportBasics:
    """The overview's figures and the tickets with rows set aside, as a part per partition and their combination
    (:func:`~ssc_mining.discovery.overview.overview` and :func:`~ssc_mining.report.model.incomplete_cases` of the
    whole log).

    >>> from ssc_mining.loaders import load
    >>> from ssc_mining.discovery.overview import overview
    >>> log = load("data/samples/generic-events.csv")
    >>> basics, expected = ReportBasics(), overview(log)
    >>> found, _ = basics.combine([basics.partial(log)], LogFacts.of(log), timezone=log.timezone,
    ...                           variants=expected.variants)
    >>> found == expected
    True
    """

    name: ClassVar[str] = "overview"
    thread_safe: ClassVar[bool] = True

    def partial(self, log: EventLog) -> BasicsPart:
        frame = log.frame
        times = frame[C.TIMESTAMP]
        first, last = (times.min(), times.max()) if len(frame) else (None, None)

        def values(column: str) -> frozenset[Any] | None:
            return frozenset(frame[column].dropna().unique().tolist()) if column in frame.columns else None

        incomplete: tuple[str, ...] = ()
        if C.ROWS_SET_ASIDE in frame.columns:
            incomplete = tuple(str(c) for c in pd.unique(frame.loc[frame[C.ROWS_SET_ASIDE] > 0, C.CASE]))
        return BasicsPart(first=first, last=last, activities=values(C.ACTIVITY) or frozenset(),
                          resources=values(C.RESOURCE), teams=values(C.TEAM),
                          days=np.asarray(log.cases.days(), dtype="float64"), incomplete=incomplete)

    def combine(self, parts: Sequence[BasicsPart], facts: LogFacts, *, timezone: str,
                variants: int) -> tuple[Overview, list[str]]:
        """The overview (``variants``: the number of paths, from the variant table) and the sorted ids of the
        tickets that lost rows to the quarantine."""
        firsts = [p.first for p in parts if p.first is not None]
        lasts = [p.last for p in parts if p.last is not None]

        def local(moments: list[pd.Timestamp], pick: Any) -> str | None:
            if not moments:
                return None
            return str(pd.Series(moments).dt.tz_convert(timezone).agg(pick).isoformat())

        def count(sets: list[frozenset[Any] | None]) -> int | None:
            if not sets or sets[0] is None:
                return None
            return len(frozenset().union(*(s for s in sets if s is not None)))

        days = np.concatenate([p.days for p in parts]) if parts else np.zeros(0)
        overview = Overview(
            cases=facts.cases, events=facts.events, first_event=local(firsts, "min"), last_event=local(lasts, "max"),
            activities=len(frozenset().union(*(p.activities for p in parts))), variants=variants,
            resources=count([p.resources for p in parts]), teams=count([p.teams for p in parts]),
            median_case_days=round(float(pd.Series(days).median()), 4) if len(days) else None)
        return overview, sorted(c for p in parts for c in p.incomplete)


class EngineReport:
    """The source of a report on an imported database: the figures computed in ``parts`` (partitions of whole
    tickets, on DuckDB or on Spark), the process map drawn from ``events`` (its aggregates). Both must stay open
    until the report is written; both read the database with the same pseudonymiser (or none)."""

    def __init__(self, parts: Partitions, events: Aggregates, *, provenance: Provenance | None = None,
                 spark: bool = False) -> None:
        self.parts, self.events, self.spark = parts, events, spark
        self.provenance = provenance or parts.provenance()
        self.pseudonymised = parts.pseudonymiser is not None
        self.quarantine = parts.quarantine()
        if self.pseudonymised:
            self.quarantine = withheld_quarantine(self.quarantine)
        self.timezone = self.provenance.timezone
        self.n_events = parts.events

    @property
    def map_source(self) -> Aggregates:
        """What the process map is drawn from."""
        return self.events

    def figures_once(self, context: RunContext, *, analysers: list[Analyser] | None = None,
                     map_settings: MapSettings | None = None) -> dict[str, Any]:
        """What :func:`~ssc_mining.report.model.figures_once` gives for the log in memory: every figure but the
        process map, texts deferred."""
        if analysers is None:
            analysers = [cls() for cls in discover().analysers.values()]
        parts, facts, privacy = self.parts, self.parts.facts, context.privacy
        basics, checks, lists = ReportBasics(), QualityChecks(as_of=context.as_of), ExploreLists()
        with deferred():
            with phase("analysers, checks and drill-down lists, partition by partition"):
                results, (basic_parts, check_parts, list_parts) = self._pass(analysers, [basics, checks, lists],
                                                                              context)
            with phase("data-quality checks, combined"):
                quality = [f.to_dict() for f in checks.combine(check_parts, facts)]
            del check_parts
            if map_settings is not None:
                with phase("process map and model (same in every language)"):
                    prepare_map(self.events, map_settings)
            overview, incomplete = basics.combine(basic_parts, facts, timezone=self.timezone,
                                                  variants=len(self.events.variant_table().counts))
            del basic_parts
            with phase("drill-down lists, combined"):
                combined = lists.combine(list_parts, facts)
            del list_parts
            with phase("privacy rules"):
                results, privacy_notes = apply_privacy(results, privacy)
            with phase("drill-downs"):
                explore = explore_figures_of(combined, results, privacy.audience, ticket_events=parts.tickets_log)
            return assembled(overview=overview.to_dict(), results=results, explore=explore, privacy=privacy,
                             privacy_notes=privacy_notes, columns=parts.columns, quality=quality,
                             quarantine=self.quarantine, incomplete=incomplete,
                             semantics=semantics_data(parts.semantics, facts.roles_present),
                             provenance=self.provenance)

    def _pass(self, analysers: list[Analyser], pieces: list[Any],
              context: RunContext) -> tuple[list[Any], list[list[Any]]]:
        """The analysers' results and the pieces' parts, from one pass over the partitions."""
        spill: Path | None = self.parts.scratch / "parts" if self.parts.n > 1 else None
        if self.spark:
            from ssc_mining.analysers.on_spark import spark_results_and_parts

            return spark_results_and_parts(self.parts, analysers, pieces, context=context,  # type: ignore[arg-type]
                                           spill=spill)
        from ssc_mining.analysers.runner import results_and_parts

        return results_and_parts(self.parts.logs(), self.parts.facts, analysers, pieces, context=context,
                                 spill=spill)
