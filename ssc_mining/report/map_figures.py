"""The process-map section's figures: the map at every slider level, maps per segment, the discovered
model with its fit, and conformance.

:func:`map_figures` returns JSON-ready data plus the drawings of the main map
under ``svg`` (the map at the settings asked, then every other slider level in
a ``<template>``, identical drawings once), which the report writer leaves out
of the JSON file. Segment maps are drawn from their data when the page is
rendered (:func:`segment_markup`), so the JSON file holds their counts, not
their drawings. The model (``model``) is data: the process tree, the BPMN-style
diagram with its positions, and how many tickets fit it
(:mod:`ssc_mining.discovery.fitness`); the page template draws it.

Everything here reads the log through its aggregates (:mod:`ssc_mining.discovery.aggregates`: the variants, the
directly-follows graph, the segments' graphs, the mother organisation per ticket), so the section is drawn the
same from a log in memory and from a database whose events stay there
(:class:`~ssc_mining.engines.duckdb_events.DuckDBEvents`); what is computed once is kept by the source
(``computed``) for every language.

Example:
    >>> from ssc_mining.loaders import load
    >>> figures = map_figures(load("data/samples/generic-events.csv"), MapSettings())
    >>> figures["filter"]["activity_share"], figures["svg"].count('class="pm-node"') >= len(figures["nodes"])
    (1.0, True)
    >>> figures["model"]["fit"]["share_fitting"] > 0.8
    True
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from markupsafe import Markup

from ssc_mining.discovery.aggregates import Aggregates, aggregates_of
from ssc_mining.discovery.dfg import STEPS_KEY, DirectlyFollows
from ssc_mining.discovery.map_layout import MapLevels, map_levels, rare_activities
from ssc_mining.discovery.segments import Segment
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import gettext as _
from ssc_mining.report.process_map import (
    MapSettings,
    dfg_from_dict,
    dfg_to_dict,
    filter_map,
    render_svg,
)


def prepare_map(source: EventLog | Aggregates, settings: MapSettings) -> None:
    """Compute what the map section shows in every language — the graph, its slider levels, the segments'
    graphs, the model and its fit — ahead of :func:`map_figures` (which then finds them in ``computed``),
    for instance side by side with the analysers (see :mod:`ssc_mining.parallel`)."""
    source = aggregates_of(source)
    dfg, _levels = _graph_and_levels(source, settings)
    _segment_maps(source, settings)
    # the per-event steps behind both graphs of a log in memory (about 150 MiB at 5M events) have no other user
    source.forget(STEPS_KEY)
    if settings.model_coverage is not None and _has_events(dfg):
        _mined(source, settings.model_coverage)


def _has_events(dfg: DirectlyFollows) -> bool:
    """Whether the log has events (every event is counted at its activity)."""
    return bool(int(dfg.nodes["events"].sum()))


def _graph_and_levels(source: Aggregates, settings: MapSettings) -> tuple[DirectlyFollows, MapLevels]:
    dfg = source.computed("directly_follows", source.directly_follows)
    return dfg, source.computed(("map_levels", settings), lambda: map_levels(dfg, settings))


def _segment_graphs(source: Aggregates, settings: MapSettings) -> list[Segment]:
    return source.computed(("segment_graphs", tuple(settings.segment_by), settings.max_segments,
                            settings.min_segment_cases),
                           lambda: source.segment_graphs(tuple(settings.segment_by), max_segments=settings.max_segments,
                                                         min_cases=settings.min_segment_cases))


def _segment_maps(source: Aggregates, settings: MapSettings) -> list[tuple[Any, Any, list[str]]]:
    """Each segment's graph, the part of it the map shows, and its rare activities (the same in every
    language)."""
    return source.computed(("segment_maps", settings),
                           lambda: [(seg, filter_map(seg.dfg, settings), rare_activities(seg.dfg, settings.rare_share))
                                    for seg in _segment_graphs(source, settings)])


def _mined(source: Aggregates, coverage: float) -> tuple[Any, Any, Any]:
    """The inductive miner's model, its simplified tree and its fit (the same in every language)."""
    from ssc_mining.discovery.fitness import tree_fit
    from ssc_mining.discovery.inductive import discover_model
    from ssc_mining.discovery.model_tree import simplify

    def mine() -> tuple[Any, Any, Any]:
        table = source.variant_table()  # computed once per source
        model = discover_model(table, coverage=coverage)
        tree = simplify(model.tree)
        fit = tree_fit(tree, table, net=model.net, initial_marking=model.initial_marking,
                       final_marking=model.final_marking)
        return model, tree, fit

    return source.computed(("model", coverage), mine)


def map_figures(source: EventLog | Aggregates, settings: MapSettings) -> dict[str, Any]:
    """Everything the process-map section shows, as plain data (the drawings of the main map under ``svg``)."""
    source = aggregates_of(source)
    dfg, levels = _graph_and_levels(source, settings)  # the same in every language
    kept = levels.maps[levels.default]
    rare = rare_activities(dfg, settings.rare_share)
    total = int(dfg.nodes["events"].sum())
    out: dict[str, Any] = {
        "note": kept.note(),
        "filter": kept.to_dict(),
        **dfg_to_dict(kept.dfg),
        "svg": level_markup(levels, rare, title=_("Directly-follows process map"), map_id="pm-main"),
        "levels": levels.to_dict(),
        "rare": {"share": settings.rare_share, "activities": rare,
                 "events": int(dfg.nodes.loc[dfg.nodes["activity"].isin(rare), "events"].sum()),
                 "below": settings.rare_share * total, "text": rare_text(rare, settings.rare_share, total)},
        "segments": [],
        "model": None,
        "conformance": None,
    }
    for seg, part, seg_rare in _segment_maps(source, settings):
        out["segments"].append({"attribute": seg.attribute, "value": seg.value, "cases": seg.cases,
                                "note": part.note(), "filter": part.to_dict(), **dfg_to_dict(part.dfg),
                                "rare": list(seg_rare)})
    if settings.model_coverage is not None and _has_events(dfg):
        out["model"] = model_figures(source, settings.model_coverage)
    if settings.reference:
        from ssc_mining.discovery.conformance import check_conformance, read_reference

        # not kept: its tickets' table is as long as the log has tickets (the variant table it reads is kept)
        out["conformance"] = check_conformance(source, read_reference(settings.reference)).to_dict()
    return out


def rare_text(rare: list[str], share: float, total: int) -> str:
    """What the small grey chips on the map mean (empty when no activity is rare)."""
    if not rare:
        return ""
    return _("Rare activities — each less than %(share)s of all events (fewer than %(n)s) — are drawn as small "
             "grey chips, not as boxes: %(names)s.") % {
        "share": format_share(share), "n": format_number(share * total, 0 if share * total >= 10 else 1),
        "names": ", ".join(rare)}


def model_figures(source: EventLog | Aggregates, coverage: float) -> dict[str, Any]:
    """The inductive miner's model on the variants covering ``coverage`` of the tickets, drawn as a
    BPMN-style diagram, with how many tickets fit it completely (deterministic: no timings)."""
    from ssc_mining.discovery.model_diagram import tree_diagram

    model, tree, fit = _mined(aggregates_of(source), coverage)
    data = {k: v for k, v in model.to_dict().items() if k != "seconds"}
    return {**data, "fit": fit.to_dict(), "diagram": tree_diagram(tree)}


def level_markup(levels: MapLevels, rare: list[str], *, title: str, map_id: str) -> str:
    """The map at the default level, every other level in a ``<template>`` (each drawing once), and one
    hidden ``span.pm-level`` per slider position naming its drawing and its texts."""
    drawings: dict[str, int] = {}
    first = render_svg(levels.maps[levels.default].dfg, title=title, map_id=map_id, rare=rare)
    drawings[first] = 0
    spans = []
    for (a, p), kept in sorted(levels.maps.items()):
        svg = first if (a, p) == levels.default else render_svg(kept.dfg, title=title, map_id=map_id, rare=rare)
        number = drawings.setdefault(svg, len(drawings))
        acts = _("%(shown)s of %(total)s activities (%(share)s of events)") % {
            "shown": format_number(kept.activities_kept), "total": format_number(kept.activities_total),
            "share": format_share(kept.activity_share)}
        arrows = _("%(shown)s of %(total)s arrows (%(share)s of the transitions between these activities)") % {
            "shown": format_number(len(kept.dfg.edges)), "total": format_number(kept.paths_between_kept),
            "share": format_share(kept.path_share)}
        spans.append(f'<span class="pm-level" data-pm-key="{a}-{p}" data-pm-svg="{number}" '
                     f"data-pm-acts={quoteattr(acts)} data-pm-arrows={quoteattr(arrows)} "
                     f"data-pm-note={quoteattr(kept.note())}></span>")
    templates = [f'<template data-pm-svg="{n}">{svg}</template>' for svg, n in drawings.items() if n]
    return "\n".join([first, *templates, '<div class="pm-levels" hidden>', *spans, "</div>"])


def segment_markup(process_map: dict[str, Any]) -> list[dict[str, Any]]:
    """The segment maps of ``process_map`` (from :func:`map_figures`) drawn as SVG, for the template."""
    out = []
    for i, seg in enumerate(process_map.get("segments", [])):
        label = {"mother": _("mother organisation"), "category": _("category")}.get(seg["attribute"],
                                                                                    seg["attribute"])
        title = _("Process map for %(attribute)s %(value)s") % {"attribute": label, "value": seg["value"]}
        out.append({**seg, "label": label, "title": title,
                    "svg": Markup(render_svg(dfg_from_dict(seg), title=title, map_id=f"pm-seg{i}",
                                             rare=seg.get("rare", ())))})
    return out
