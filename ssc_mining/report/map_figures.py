"""The process-map section's figures: the abstracted map, maps per segment, and conformance.

:func:`map_figures` returns JSON-ready data (the main map's SVG under ``svg``,
which the report writer leaves out of the JSON file); segment maps are drawn
from their data when the page is rendered (:func:`segment_markup`), so the
JSON file holds their counts, not their drawings.

Example:
    >>> from ssc_mining.loaders import load
    >>> figures = map_figures(load("data/samples/generic-events.csv"), MapSettings())
    >>> figures["filter"]["activity_share"], figures["svg"].count('class="pm-node"') == len(figures["nodes"])
    (1.0, True)
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ssc_mining.discovery.dfg import directly_follows
from ssc_mining.discovery.segments import segment_graphs
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import gettext as _
from ssc_mining.report.process_map import MapSettings, dfg_from_dict, dfg_to_dict, filter_map, render_svg


def map_figures(log: EventLog, settings: MapSettings) -> dict[str, Any]:
    """Everything the process-map section shows, as plain data."""
    kept = filter_map(directly_follows(log), settings)
    out: dict[str, Any] = {
        "note": kept.note(),
        "filter": kept.to_dict(),
        **dfg_to_dict(kept.dfg),
        "svg": render_svg(kept.dfg, title=_("Directly-follows process map"), map_id="pm-main"),
        "segments": [],
        "conformance": None,
    }
    for seg in segment_graphs(log, tuple(settings.segment_by), max_segments=settings.max_segments,
                              min_cases=settings.min_segment_cases):
        part = filter_map(seg.dfg, settings)
        out["segments"].append({"attribute": seg.attribute, "value": seg.value, "cases": seg.cases,
                                "note": part.note(), "filter": part.to_dict(), **dfg_to_dict(part.dfg)})
    if settings.reference:
        from ssc_mining.discovery.conformance import check_conformance, read_reference

        out["conformance"] = check_conformance(log, read_reference(settings.reference)).to_dict()
    return out


def segment_markup(process_map: dict[str, Any]) -> list[dict[str, Any]]:
    """The segment maps of ``process_map`` (from :func:`map_figures`) drawn as SVG, for the template."""
    out = []
    for i, seg in enumerate(process_map.get("segments", [])):
        label = {"mother": _("mother organisation"), "category": _("category")}.get(seg["attribute"],
                                                                                    seg["attribute"])
        title = _("Process map for %(attribute)s %(value)s") % {"attribute": label, "value": seg["value"]}
        out.append({**seg, "label": label, "title": title,
                    "svg": Markup(render_svg(dfg_from_dict(seg), title=title, map_id=f"pm-seg{i}"))})
    return out
