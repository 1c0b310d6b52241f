"""Process maps drawn as SVG: boxes, arrows and labels placed by :mod:`ssc_mining.discovery.map_layout`.

Which activities and paths are shown (:func:`filter_map`, :class:`MapSettings`)
and where everything goes (:func:`~ssc_mining.discovery.map_layout.layered_layout`)
are decided in :mod:`ssc_mining.discovery.map_layout`; this module only draws.
No system Graphviz is needed. Every label from the data is XML-escaped.

**Readable on a page.** Long activity names wrap onto up to three lines inside
their box (the full name is in the tooltip); wide maps are laid out in more,
narrower rows; each arrow label has its own place in a label row, so no label
overlaps a box, another label or a line, also when the time view makes lines
thicker. The SVG carries its natural size and ``max-width:100%``: it is scaled
down to the page width, never up. Rare activities (``rare``) are drawn as small
grey chips, not as full boxes.

**Four views.** Every node and edge carries its counts (events, cases) and
times (median, mean, total) as ``data-`` attributes and in its tooltip; arrow
labels have class ``pm-freq`` (how often), ``pm-perf`` (median time),
``pm-mean`` (mean time) or ``pm-total`` (total time); the SVG's ``data-mode``
attribute (``frequency``/``performance``/``mean``/``total``) decides which are
shown (a small script in the report switches it, the line widths from
``data-w-<view>`` and the colour: grey for how often, red for times, light
grey for a line without times).

Example:
    >>> import pandas as pd
    >>> from ssc_mining.discovery.dfg import DirectlyFollows
    >>> dfg = DirectlyFollows(
    ...     nodes=pd.DataFrame({"activity": ["A", "B"], "events": [2, 1], "cases": [1, 1]}),
    ...     edges=pd.DataFrame({"source": ["A"], "target": ["B"], "events": [1], "cases": [1],
    ...                         "median_seconds": [60.0], "mean_seconds": [60.0]}),
    ...     starts=pd.Series({"A": 1}), ends=pd.Series({"B": 1}))
    >>> svg = render_svg(dfg)
    >>> svg.count('class="pm-node"'), svg.count('class="pm-edge"')
    (2, 1)
    >>> filter_map(dfg, MapSettings(activity_coverage=0.5)).activities_kept
    1
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.discovery.map_layout import (
    Box,
    FilteredMap,
    Layout,
    Link,
    MapSettings,
    filter_map,
    layered_layout,
    layout,
    text_width,
    wrap_label,
)
from ssc_mining.i18n import LANGUAGES, format_number, language, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.report.formatting import shorten

__all__ = ["MODES", "PAGE_WIDTH", "FilteredMap", "Layout", "MapSettings", "dfg_from_dict", "dfg_to_dict",
           "duration_text", "export_svg", "filter_map", "layout", "render_svg"]  # abstraction and layout live in
# ssc_mining.discovery.map_layout; they are re-exported here, where the report and its users import them

START, END = "\x00start", "\x00end"
Mode = Literal["frequency", "performance", "mean", "total"]
#: the views: how often, median time, mean time, total time
MODES: tuple[str, ...] = ("frequency", "performance", "mean", "total")
#: the page's width for a map: a layout wider than this is laid out again with narrower rows
PAGE_WIDTH = 1100.0
_LABEL_FONT, _COUNT_FONT, _EDGE_FONT, _RARE_FONT = 12.0, 10.0, 10.0, 10.0
_LINE_H, _PAD = 15.0, 16.0
_TIME_MODES = ("performance", "mean", "total")


def dfg_from_dict(data: dict[str, Any]) -> DirectlyFollows:
    """Rebuild a graph from the report's JSON form (``nodes``, ``edges``, ``starts``, ``ends``)."""
    nodes = pd.DataFrame(data["nodes"], columns=["activity", "events", "cases"])
    edges = pd.DataFrame(data["edges"], columns=["source", "target", "events", "cases", "median_seconds",
                                                 "mean_seconds"])
    return DirectlyFollows(nodes=nodes, edges=edges, starts=pd.Series(data["starts"], dtype="int64"),
                           ends=pd.Series(data["ends"], dtype="int64"))


def dfg_to_dict(dfg: DirectlyFollows) -> dict[str, Any]:
    """The report's JSON form of a graph (inverse of :func:`dfg_from_dict`)."""
    return {
        "nodes": [{"activity": str(a), "events": int(e), "cases": int(c)}
                  for a, e, c in dfg.nodes[["activity", "events", "cases"]].itertuples(index=False)],
        "edges": [{"source": str(s), "target": str(t), "events": int(e), "cases": int(c),
                   "median_seconds": _round(m), "mean_seconds": _round(mean)}
                  for s, t, e, c, m, mean in dfg.edges[["source", "target", "events", "cases", "median_seconds",
                                                        "mean_seconds"]].itertuples(index=False)],
        "starts": {str(k): int(v) for k, v in dfg.starts.items()},
        "ends": {str(k): int(v) for k, v in dfg.ends.items()},
    }


def _round(value: float) -> float | None:
    value = float(value)
    return None if value != value else round(value, 4)


def duration_text(seconds: float | None) -> str:
    """A time span in words: '45 min', '3.5 h', '2.1 days' (a dash when unknown).

    >>> duration_text(5400.0), duration_text(None)
    ('1.5 h', '–')
    """
    if seconds is None or seconds != seconds:  # None or NaN
        return "–"
    if seconds < 3600:
        return _("%(n)s min") % {"n": format_number(seconds / 60)}
    if seconds < 86400 * 2:
        return _("%(n)s h") % {"n": format_number(seconds / 3600, 1)}
    if seconds < 86400 * 730:
        return _("%(n)s days") % {"n": format_number(seconds / 86400, 1)}
    return _("%(n)s years") % {"n": format_number(seconds / (86400 * 365.25), 1)}


def _cases(n: int) -> str:
    return ngettext("%(n)s ticket", "%(n)s tickets", n) % {"n": format_number(n)}


def _label(name: str) -> str:
    if name == START:
        return _("start")
    if name == END:
        return _("end")
    return name


def _known(value: Any) -> bool:
    return value is not None and value == value


_STYLE = (".pm-perf,.pm-mean,.pm-total,.pm-cases{display:none}"
          "svg[data-mode=performance] .pm-perf,svg[data-mode=mean] .pm-mean,svg[data-mode=total] .pm-total"
          "{display:inline}"
          "svg[data-mode=performance] .pm-cases,svg[data-mode=mean] .pm-cases,svg[data-mode=total] .pm-cases"
          "{display:inline}"
          "svg[data-mode=performance] .pm-freq,svg[data-mode=mean] .pm-freq,svg[data-mode=total] .pm-freq"
          "{display:none}"
          ".pm-node,.pm-edge{cursor:pointer}"
          ".pm-edge path{fill:none;stroke-opacity:.75}"
          ".pm-edge text{font-size:10px;fill:#333}"
          ".pm-selected rect,.pm-selected path{stroke:#d62728 !important}")


def _edge_width(value: float, top: float) -> float:
    return 1.0 + 5.0 * math.log1p(max(value, 0.0)) / math.log1p(max(top, 1.0))


def _links(dfg: DirectlyFollows, *, tips: bool = True) -> list[dict[str, Any]]:
    """The map's lines (from the start, between activities, to the end), with their tooltips unless ``tips``
    is False."""
    links: list[dict[str, Any]] = []
    for row in dfg.edges.itertuples(index=False):
        median, mean = row.median_seconds, row.mean_seconds
        total = float(mean) * int(row.events) if _known(mean) else None
        tip = "" if not tips else (f"{shorten(row.source)} → {shorten(row.target)}\n"
               + _("%(n)s times in %(cases)s tickets") % {"n": format_number(int(row.events)),
                                                       "cases": format_number(int(row.cases))}
               + "\n" + _("median %(median)s, mean %(mean)s, total %(total)s") % {
                   "median": duration_text(median), "mean": duration_text(mean), "total": duration_text(total)})
        links.append({"src": row.source, "dst": row.target, "events": int(row.events), "cases": int(row.cases),
                      "median": median, "mean": mean, "total": total, "tip": tip})
    for act, n in dfg.starts.items():
        links.append({"src": START, "dst": act, "events": int(n), "cases": int(n), "median": None, "mean": None,
                      "total": None, "tip": "" if not tips else _("%(n)s tickets start with %(activity)s") % {
                          "n": format_number(int(n)), "activity": shorten(act)}})
    for act, n in dfg.ends.items():
        links.append({"src": act, "dst": END, "events": int(n), "cases": int(n), "median": None, "mean": None,
                      "total": None, "tip": "" if not tips else _("%(n)s tickets end with %(activity)s") % {
                          "n": format_number(int(n)), "activity": shorten(act)}})
    return links


def _texts(link: dict[str, Any]) -> dict[str, str]:
    """The label of a line in each view (none for times a line does not have)."""
    out = {"frequency": format_number(link["events"])}
    for mode, key in (("performance", "median"), ("mean", "mean"), ("total", "total")):
        if _known(link[key]):
            out[mode] = duration_text(link[key])
    return out


def _label_size(texts: dict[str, str]) -> tuple[float, float]:
    return max(text_width(t, _EDGE_FONT) for t in texts.values()) + 2, 12.0


@dataclass(frozen=True)
class MapGeometry:
    """Where a map's boxes and lines go: the same in every language (each size is the largest any language
    needs), so the EN and NL reports show the same drawing and it is laid out once."""

    names: tuple[str, ...]
    shapes: dict[str, dict[str, Any]]
    layout: Layout


_GEOMETRIES: dict[tuple[Any, ...], MapGeometry] = {}  # content of a map → its geometry (at most _GEOMETRIES_MAX)
_GEOMETRIES_LOCK = threading.Lock()
_GEOMETRIES_MAX = 512


def _content(dfg: DirectlyFollows, rare: Collection[str]) -> tuple[Any, ...]:
    """Everything the geometry of ``dfg`` depends on, as a hashable key."""
    return (tuple(map(tuple, dfg.nodes[["activity", "events", "cases"]].itertuples(index=False))),
            tuple(map(tuple, dfg.edges[["source", "target", "events", "cases", "median_seconds", "mean_seconds"]]
                      .itertuples(index=False))),
            tuple(dfg.starts.items()), tuple(dfg.ends.items()), tuple(sorted(rare)))


def _widest(measure: Any) -> float:
    """The largest ``measure()`` over the report's languages."""
    widths = []
    for lang in LANGUAGES:
        with language(lang):
            widths.append(float(measure()))
    return max(widths)


def map_geometry(dfg: DirectlyFollows, rare: Collection[str] = ()) -> MapGeometry:
    """The layout of ``dfg`` (computed once per content, shared by every language and thread).

    >>> import pandas as pd
    >>> dfg = DirectlyFollows(
    ...     nodes=pd.DataFrame({"activity": ["A"], "events": [1], "cases": [1]}),
    ...     edges=pd.DataFrame({"source": [], "target": [], "events": [], "cases": [],
    ...                         "median_seconds": [], "mean_seconds": []}),
    ...     starts=pd.Series({"A": 1}), ends=pd.Series({"A": 1}))
    >>> map_geometry(dfg) is map_geometry(dfg), map_geometry(dfg).names[1]
    (True, 'A')
    """
    key = _content(dfg, rare)
    with _GEOMETRIES_LOCK:
        known = _GEOMETRIES.get(key)
    if known is not None:
        return known
    geometry = _geometry(dfg, rare)
    with _GEOMETRIES_LOCK:
        if len(_GEOMETRIES) >= _GEOMETRIES_MAX:
            del _GEOMETRIES[next(iter(_GEOMETRIES))]
        return _GEOMETRIES.setdefault(key, geometry)


def _geometry(dfg: DirectlyFollows, rare: Collection[str]) -> MapGeometry:
    counts = dict(zip(dfg.nodes["activity"], dfg.nodes["events"]))
    cases = dict(zip(dfg.nodes["activity"], dfg.nodes["cases"]))
    rare = {a for a in rare if a in counts}
    names = [START] + sorted(counts, key=lambda a: (-counts[a], a)) + [END]
    links = _links(dfg, tips=False)
    loops = {link["src"]: link for link in links if link["src"] == link["dst"]}

    def label_size(link: dict[str, Any]) -> tuple[float, float]:
        return _widest(lambda: _label_size(_texts(link))[0]), 12.0

    shapes: dict[str, dict[str, Any]] = {}
    for name in names:
        if name in (START, END):  # wider when many lines meet it, so their arrowheads stay apart
            ports = len(dfg.starts) if name == START else len(dfg.ends)
            w = max(56.0, _widest(lambda name=name: text_width(_label(name), 11)) + 22, min(7.0 * ports + 20, 240.0))
            shapes[name] = {"kind": "terminal", "w": w, "h": 26.0}
            continue
        n, c = int(counts[name]), int(cases[name])
        if name in rare:
            lines = wrap_label(name, _RARE_FONT, 140, 2)
            tail_width = _widest(lambda n=n, c=c: max(text_width(f" {format_number(n)}", _RARE_FONT),
                                                       text_width(" " + _cases(c), _RARE_FONT)))
            w = max(max(text_width(t, _RARE_FONT) for t in lines[:-1]) if len(lines) > 1 else 0.0,
                    text_width(lines[-1], _RARE_FONT) + tail_width) + 14
            shapes[name] = {"kind": "rare", "w": max(w, 40.0), "h": 8 + 12.0 * len(lines), "lines": lines}
        else:
            lines = wrap_label(name, _LABEL_FONT, 150, 3)
            w = max(max(text_width(t, _LABEL_FONT) for t in lines),
                    _widest(lambda c=c: text_width(_cases(c), _COUNT_FONT))) + 20
            shapes[name] = {"kind": "box", "w": max(w, 72.0), "h": 10 + _LINE_H * len(lines) + 14, "lines": lines}
        if name in loops:
            shapes[name]["loop"] = label_size(loops[name])[0]
    boxes = []
    for name in names:
        s = shapes[name]
        extra = 24.0 + s["loop"] if "loop" in s else 0.0
        boxes.append(Box(name, s["w"], s["h"], extra, "ellipse" if s["kind"] == "terminal" else "spread"))
    lay_links = [Link(link["src"], link["dst"], float(link["events"]), label_size(link))
                 for link in links if link["src"] != link["dst"]]
    budget = 760.0
    geo = layered_layout(boxes, lay_links, first=START, last=END, max_width=budget)
    while geo.width > PAGE_WIDTH and budget > 200:
        budget *= 0.75
        geo = layered_layout(boxes, lay_links, first=START, last=END, max_width=budget)
    return MapGeometry(tuple(names), shapes, geo)


def render_svg(dfg: DirectlyFollows, *, title: str = "Process map", mode: Mode = "frequency",
               note: str | None = None, map_id: str = "pm", rare: Collection[str] = ()) -> str:
    """Lay out and draw ``dfg`` as SVG; ``mode`` is the initial view (the others' labels are hidden).

    ``note`` (the abstraction settings) is written into the SVG as a caption so a
    standalone export states them. ``map_id`` keeps marker ids unique when a page
    holds several maps. Activities in ``rare`` are drawn as small chips. The layout
    (:func:`map_geometry`) is the same in every language.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    counts = dict(zip(dfg.nodes["activity"], dfg.nodes["events"]))
    cases = dict(zip(dfg.nodes["activity"], dfg.nodes["cases"]))
    geometry = map_geometry(dfg, rare)
    names, shapes, geo = geometry.names, geometry.shapes, geometry.layout
    links = _links(dfg)
    loops = {link["src"]: link for link in links if link["src"] == link["dst"]}
    texts = {id(link): _texts(link) for link in links}

    note_lines = wrap_label(note, 10, max(geo.width, 300.0), 12) if note else []
    min_x, min_y = -_PAD, -_PAD
    width = max(geo.width, 300.0 if note else 0.0) + 2 * _PAD
    height = geo.height + 2 * _PAD + 13.0 * len(note_lines)
    tops = {}
    for key in ("events", "median", "mean", "total"):
        values = [float(link[key]) for link in links if _known(link[key])]
        tops[key] = max(values, default=1.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" role="img" data-mode="{mode}" '
           f'data-nodes="{len(counts)}" data-edges="{len(dfg.edges)}" '
           f'viewBox="{min_x:g} {min_y:g} {width:.1f} {height:.1f}" width="{width:.0f}" height="{height:.0f}" '
           f'style="max-width:100%;height:auto" font-family="DejaVu Sans, Arial, sans-serif" '
           f'aria-label={quoteattr(title)}>',
           f"<title>{escape(title)}</title><style>{_STYLE}</style>",
           f'<defs><marker id="{map_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
           'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for link in links:
        if link["src"] == link["dst"]:
            continue
        route = geo.routes.get((link["src"], link["dst"]))
        if route is None:
            continue
        out.append(_edge(link, route.d, route.label, texts[id(link)], tops, mode, map_id))
    node_top = max(counts.values(), default=1)
    for name in names:
        x, y = geo.nodes[name]
        s = shapes[name]
        w, h = s["w"], s["h"]
        if name in loops:
            out.append(_loop(loops[name], x + w / 2, y, texts[id(loops[name])], tops, mode, map_id))
        if s["kind"] == "terminal":
            tip = _("first step of every ticket") if name == START else _("last step of every ticket")
            out.append(f'<g class="pm-terminal"><title>{escape(tip)}</title><ellipse cx="{x:g}" cy="{y:g}" '
                       f'rx="{w / 2:.1f}" ry="{h / 2:.1f}" fill="#eee" stroke="#333"/><text x="{x:g}" '
                       f'y="{y + 4:.1f}" text-anchor="middle" font-size="11">{escape(_label(name))}</text></g>')
            continue
        n, c = int(counts[name]), int(cases[name])
        tip = f"{shorten(name)}\n" + _("%(n)s events in %(cases)s tickets") % {"n": format_number(n),
                                                                    "cases": format_number(c)}
        case_text = _cases(c)
        rare_attr = ' data-rare="true"' if s["kind"] == "rare" else ""
        head = (f'<g class="pm-node" data-activity={quoteattr(shorten(name))} data-events="{n}" data-cases="{c}"'
                f'{rare_attr} tabindex="0"><title>{escape(tip)}</title>')
        if s["kind"] == "rare":
            lines = s["lines"]
            y0 = y - h / 2 + 4 + 9.5
            body = [f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{h / 2:.1f}" '
                    f'fill="#fff" stroke="#8a8a8a" stroke-dasharray="3 2"/>']
            for i, line in enumerate(lines):
                tail = ""
                if i == len(lines) - 1:
                    tail = (f'<tspan class="pm-freq" fill="#1f4e79"> {escape(format_number(n))}</tspan>'
                            f'<tspan class="pm-cases" fill="#1f4e79"> {escape(case_text)}</tspan>')
                body.append(f'<text x="{x:g}" y="{y0 + 12 * i:.1f}" text-anchor="middle" font-size="10" '
                            f'fill="#555">{escape(line)}{tail}</text>')
            out.append(head + "".join(body) + "</g>")
            continue
        shade = 0.12 + 0.6 * math.log1p(n) / math.log1p(node_top)
        ink = "#fff" if shade > 0.5 else "#111"
        lines = s["lines"]
        y0 = y - h / 2 + 5 + 11
        body = [f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
                f'fill="rgba(31,78,121,{shade:.2f})" stroke="#1f4e79"/>']
        for i, line in enumerate(lines):
            body.append(f'<text x="{x:g}" y="{y0 + _LINE_H * i:.1f}" text-anchor="middle" font-size="12" '
                        f'fill="{ink}">{escape(line)}</text>')
        yc = y0 + _LINE_H * (len(lines) - 1) + 14
        body.append(f'<text class="pm-freq" x="{x:g}" y="{yc:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="{ink}">{escape(format_number(n))}</text>'
                    f'<text class="pm-cases" x="{x:g}" y="{yc:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="{ink}">{escape(case_text)}</text>')
        out.append(head + "".join(body) + "</g>")
    for i, line in enumerate(note_lines):
        out.append(f'<text class="pm-note" x="0" y="{geo.height + _PAD + 4 + 13 * i:.1f}" font-size="10" '
                   f'fill="#555">{escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _edge_attrs(link: dict[str, Any], tops: dict[str, float], mode: str) -> tuple[str, float, str]:
    widths = {"frequency": _edge_width(link["events"], tops["events"])}
    colours = {"frequency": "#555"}
    for m, key in (("performance", "median"), ("mean", "mean"), ("total", "total")):
        has = _known(link[key])
        widths[m] = _edge_width(float(link[key]) / 3600, tops[key] / 3600) if has else 1.0
        colours[m] = "#b2182b" if has else "#999"
    ends = {START: "", END: ""}
    data = (f'data-source={quoteattr(shorten(ends.get(link["src"], link["src"])))} '
            f'data-target={quoteattr(shorten(ends.get(link["dst"], link["dst"])))} '
            f'data-events="{link["events"]}" data-cases="{link["cases"]}" '
            f'data-median="{_num(link["median"])}" data-mean="{_num(link["mean"])}" '
            f'data-total="{_num(link["total"])}" '
            + " ".join(f'data-w-{m}="{widths[m]:.2f}"' for m in MODES))
    return data, widths[mode], colours[mode]


def _num(value: Any) -> str:
    if not _known(value):
        return ""
    return f"{float(value):.1f}"


_TEXT_CLASS = {"frequency": "pm-freq", "performance": "pm-perf", "mean": "pm-mean", "total": "pm-total"}


def _labels(texts: dict[str, str], x: float, y: float) -> str:
    return "".join(f'<text class="{_TEXT_CLASS[m]}" x="{x:g}" y="{y:.1f}">{escape(t)}</text>'
                   for m, t in texts.items())


def _edge(link: dict[str, Any], d: str, label_at: tuple[float, float] | None, texts: dict[str, str],
          tops: dict[str, float], mode: str, map_id: str) -> str:
    data, width, colour = _edge_attrs(link, tops, mode)
    boundary = START in (link["src"], link["dst"]) or END in (link["src"], link["dst"])
    kind = "pm-edge pm-boundary" if boundary else "pm-edge"
    label = _labels(texts, label_at[0], label_at[1] + 3.5) if label_at else ""
    return (f'<g class="{kind}" {data}><title>{escape(link["tip"])}</title>'
            f'<path d="{d}" stroke="{colour}" stroke-width="{width:.2f}" marker-end="url(#{map_id}-arrow)"/>'
            f'{label}</g>')


def _loop(link: dict[str, Any], x: float, y: float, texts: dict[str, str], tops: dict[str, float], mode: str,
          map_id: str) -> str:
    """A repeated activity: a small arc on the right of its box (``x`` is the box's right side)."""
    data, width, colour = _edge_attrs(link, tops, mode)
    tip = (f'{shorten(link["src"])} → {shorten(link["src"])} ' + _("(repeated)") + "\n"
           + _("%(n)s times in %(cases)s tickets") % {"n": format_number(link["events"]),
                                                   "cases": format_number(link["cases"])}
           + "\n" + _("median %(median)s, mean %(mean)s, total %(total)s") % {
               "median": duration_text(link["median"]), "mean": duration_text(link["mean"]),
               "total": duration_text(link["total"])})
    return (f'<g class="pm-edge pm-loop" {data}><title>{escape(tip)}</title>'
            f'<path d="M{x:g},{y - 7:.1f} c16,-10 16,24 0,14" stroke="{colour}" '
            f'stroke-width="{min(width, 3.0):.2f}" marker-end="url(#{map_id}-arrow)"/>'
            f'{_labels(texts, x + 19, y + 3.5)}</g>')


def export_svg(dfg: DirectlyFollows, path: str, *, title: str = "Process map", mode: Mode = "frequency",
               note: str | None = None, rare: Collection[str] = ()) -> None:
    """Write a standalone SVG file of the map (for documents), with the settings as a caption."""
    from pathlib import Path

    from ssc_mining._io import atomic_write_text

    svg = render_svg(dfg, title=title, mode=mode, note=note, rare=rare)
    atomic_write_text(Path(path), '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n")
