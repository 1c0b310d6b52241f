"""The analyser contract.

An analyser is a small frozen dataclass:

* class attributes: ``name`` (stable id), ``version``, ``title`` and
  ``description`` (one plain line each, in English and Dutch),
  ``requires`` (canonical columns it cannot do without) and ``uses``
  (columns it uses when present);
* dataclass fields: its parameters, keyword-only, with defaults, stored
  unchanged (so it can be printed, compared and copied, like a
  scikit-learn estimator);
* one pure method, :meth:`Analyser.analyse`, taking an
  :class:`~ssc_mining.eventlog.EventLog` and returning a
  :class:`~ssc_mining.results.Result`. It does no I/O and never changes the log;
* ``personal = True`` when it can emit items about individual people (who did
  an event, who asked); such items carry ``personal=True`` and the works-council
  audience never sees them (checked by the conformance kit);
* two optional hooks for logs beyond memory, :meth:`Analyser.partial` and :meth:`Analyser.combine`: the part of
  the result one partition of whole tickets holds (per-ticket values, counts that add up), and the result made
  of all the parts and the whole log's :class:`~ssc_mining.eventlog.facts.LogFacts`. An analyser that offers
  them runs on the DuckDB engine (:mod:`ssc_mining.engines.partitioned`); its ``analyse`` should be
  ``self.combine([self.partial(log)], LogFacts.of(log))``, so both engines run the same code;
* three optional hooks the segment comparison uses: :meth:`Analyser.case_values`
  (one row per case with the values its metrics are made of, so a statistical
  test can compare segments), :meth:`Analyser.pinned` (a copy with the
  choices it derives from data — a standard path, a norm — fixed on the whole
  log, so every segment is measured against the same yardstick) and
  :meth:`Analyser.analyse_segments` (every segment's result from one pass over
  the whole log, a group-by on its per-case table, instead of one run per
  segment; it must give exactly what ``analyse`` gives on each segment's events);
* three more for the segment comparison on logs beyond memory, where the whole log is never at hand, only the
  parts of :meth:`Analyser.partial`: :meth:`Analyser.pinned_of_parts` (``pinned`` of the whole log, made of the
  parts), :meth:`Analyser.case_values_of_parts` (``case_values`` of the log the parts make) and
  :meth:`Analyser.segments_of_parts` (``analyse_segments`` from the parts).

Register it under the entry-point group ``ssc_mining.analysers`` (the built-in
ones are registered the same way).

Example:
    >>> from dataclasses import dataclass
    >>> from ssc_mining.results import Metric, Result
    >>> @dataclass(frozen=True, kw_only=True)
    ... class CaseCount(Analyser):
    ...     name = "case_count"
    ...     title = {"en": "Cases", "nl": "Zaken"}
    ...     description = {"en": "Counts the cases.", "nl": "Telt de zaken."}
    ...     minimum: int = 0
    ...     def analyse(self, log):
    ...         return self.result(summary=f"{log.n_cases} cases.",
    ...                            items=[Metric("cases", "Cases", log.n_cases, unit="cases")])
    >>> CaseCount(minimum=1).params()
    {'minimum': 1}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, Localised, current_language, format_number, gettext, is_deferred, ngettext
from ssc_mining.results import Item, Metric, Result

#: the definition every analyser's ``cases`` metric gets
CASES_DEFINITION = {"cases": N_("the tickets this analysis looked at")}


@dataclass(frozen=True, kw_only=True)
class Analyser:
    """Base class of every analyser; subclass it as ``@dataclass(frozen=True, kw_only=True)``."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    title: ClassVar[dict[str, str]] = {}
    description: ClassVar[dict[str, str]] = {}
    requires: ClassVar[tuple[str, ...]] = (C.CASE, C.ACTIVITY, C.TIMESTAMP)
    uses: ClassVar[tuple[str, ...]] = ()
    #: metric key → its definition in words (English message id, translated when the result is made); filled in
    #: as the ``description`` of metrics that have none
    definitions: ClassVar[dict[str, str]] = {}
    #: True when the analyser can emit items about individual people (they must carry ``personal=True``)
    personal: ClassVar[bool] = False
    #: True when ``analyse`` may run at the same time as other analysers on the same log, on another thread
    #: (see :mod:`ssc_mining.parallel`): it changes nothing shared — not the log, not module state — and gets
    #: shared values through ``log.computed``. Set False and it runs on its own, after the others.
    thread_safe: ClassVar[bool] = True

    def analyse(self, log: EventLog) -> Result:
        """Analyse ``log`` and return a result. Pure: no I/O, the log is not changed."""
        raise NotImplementedError

    # optional hooks for logs beyond memory (the DuckDB engine uses them) ---------------------

    def partial(self, log: EventLog) -> Any:
        """What ``log`` — a partition of whole tickets of a larger log, read with that log's facts — contributes
        to the result, in any form :meth:`combine` understands (kept in memory until all partitions are done:
        per-ticket values and sums, not events). None (the default): the analyser needs the whole log."""
        return None

    def combine(self, parts: Sequence[Any], facts: LogFacts) -> Result:
        """The result of the log made of the partitions whose :meth:`partial` gave ``parts`` (in the partitions'
        order), with the whole log's ``facts``. Must equal ``analyse`` of that log."""
        raise NotImplementedError

    @classmethod
    def runs_in_partitions(cls) -> bool:
        """True when the analyser offers :meth:`partial` and :meth:`combine`."""
        return cls.partial is not Analyser.partial and cls.combine is not Analyser.combine

    # optional hooks (the segment comparison uses them) --------------------------------------

    def case_values(self, log: EventLog) -> pd.DataFrame | None:
        """One row per case (index: case id) with a column per metric key whose value is made of per-case
        values (a yes/no for a share, a number for a mean or median); None when it has none (the default).

        The comparison tests a difference between segments on these values: shares with a two-proportion
        z-test, numbers with a Mann–Whitney U test.
        """
        return None

    def pinned(self, log: EventLog) -> Analyser:
        """A copy of this analyser with the choices it derives from ``log`` (a standard path, a norm per
        category) fixed as parameters, so every segment of ``log`` is measured against the same choice. The
        default has no such choices and returns the analyser itself."""
        return self

    def analyse_segments(self, log: EventLog, segments: pd.Series,
                         keep: Sequence[str]) -> dict[str, tuple[Result, pd.DataFrame | None]] | None:
        """Per segment in ``keep``: the result and the case values, computed from one pass over ``log``.

        ``segments`` holds each case's segment label (index: case id, in the log's case order). Offer this
        when the results per segment are group-bys of one per-case table; it must equal ``analyse`` and
        ``case_values`` run on each segment's events (the conformance kit checks this). None (the default):
        the comparison runs the analyser once per segment.
        """
        return None

    # optional hooks of the segment comparison in partitions (the whole log is only known by its parts) ------

    def pinned_of_parts(self, parts: Sequence[Any], facts: LogFacts) -> Analyser:
        """What :meth:`pinned` gives on the whole log, made of the :meth:`partial` parts of all its partitions
        (in their order) and its ``facts``: override it together with ``pinned`` when that makes choices.

        The copy's :meth:`combine` is given parts made by this (unpinned) analyser's ``partial``, so ``partial``
        must not depend on the pinned choices (those of the built-in analysers — a standard path, a norm per
        category — are made in ``combine``). The default has no such choices and returns the analyser itself.
        """
        return self

    def case_values_of_parts(self, parts: Sequence[Any], facts: LogFacts) -> pd.DataFrame | None:
        """What :meth:`case_values` gives on the log made of the partitions whose :meth:`partial` gave ``parts``,
        with that log's ``facts``; None (the default): the analyser has no case values in partitions (the
        comparison of an analyser that has them in memory then does not run in partitions)."""
        return None

    def segments_of_parts(self, parts: Sequence[Any], facts: LogFacts, segments: pd.Series,
                          keep: Sequence[str]) -> dict[str, tuple[Result, pd.DataFrame | None]] | None:
        """What :meth:`analyse_segments` gives on the whole log, made of the :meth:`partial` parts of all its
        partitions and its ``facts``; ``segments`` holds each ticket's label in the whole log's ticket order.

        Offer it with ``analyse_segments``, answering (not None) whenever that does (the comparison asks a
        pinned copy); then the comparison keeps one part per partition instead of one per segment. None (the
        default): the comparison combines each segment's own parts.
        """
        return None

    # helpers every analyser gets for free -------------------------------------------------

    def for_log(self, log: EventLog) -> Analyser:
        """This analyser with the run-wide settings it leaves open (a ``timezone`` or ``as_of`` parameter set to
        None) taken from ``log`` (its time zone), for a call outside a run; in a run the runner fills them in
        from the :class:`~ssc_mining.run_context.RunContext`."""
        from ssc_mining.run_context import RunContext

        return RunContext.of(log).settle(self)


    def params(self) -> dict[str, Any]:
        """The parameters and their values."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def param_defaults(cls) -> dict[str, Any]:
        """Each parameter with its default value."""
        out = {}
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                out[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                out[f.name] = f.default_factory()
        return out

    @classmethod
    def text(cls, what: dict[str, str], lang: str | None = None) -> str:
        """``what`` in ``lang`` (default: the current language, or every language while texts are deferred),
        falling back to English."""
        if lang is None and is_deferred():
            return Localised(what)  # type: ignore[return-value]
        lang = lang or current_language()
        return what.get(lang) or what.get("en", "")

    def missing_columns(self, log: EventLog) -> list[str]:
        """Required columns that the log lacks or holds no value in."""
        return [c for c in self.requires if not log.has(c)]

    def result(self, *, summary: str, items: Sequence[Item], caveats: list[str] | None = None,
               lang: str | None = None) -> Result:
        """A successful result carrying this analyser's name, version, parameters and texts.

        A measured metric without a ``base`` rests on all the result's cases (its ``cases`` metric).
        """
        cases = next((i.value for i in items if isinstance(i, Metric) and i.key == "cases"), None)
        definitions = {**CASES_DEFINITION, **self.definitions}
        out: list[Item] = []
        for item in items:
            if isinstance(item, Metric):
                if not item.description and item.key in definitions:
                    item = dataclasses.replace(item, description=gettext(definitions[item.key]))
                if item.base is None and item.value is not None and isinstance(cases, int):
                    item = dataclasses.replace(item, base=cases)
                if not item.based_on and item.base is not None and item.key != "cases":
                    item = dataclasses.replace(item, based_on=ngettext("%(n)s ticket", "%(n)s tickets", item.base)
                                               % {"n": format_number(item.base)})
            out.append(item)
        items = out
        return Result(analyser=self.name, title=self.text(self.title, lang), summary=summary, items=items,
                      caveats=caveats or [], version=self.version, params=self.params(),
                      description=self.text(self.description, lang))


def top_cases(values: pd.Series, n: int) -> list[str]:
    """The ids of the ``n`` cases with the largest values; ties by case id, so row order never matters.

    >>> top_cases(pd.Series({"B": 2, "A": 2, "C": 5}), 2)
    ['C', 'A']
    """
    frame = pd.DataFrame({"value": values.to_numpy(), "case": values.index.astype(str)})
    frame = frame.sort_values(["value", "case"], ascending=[False, True], kind="stable")
    return frame["case"].head(n).tolist()
