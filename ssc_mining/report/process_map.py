"""Render a directly-follows graph as a self-contained SVG, laid out with grandalf.

No system Graphviz is needed: grandalf (pure Python, Sugiyama layered layout)
places the nodes. Every label from the data is XML-escaped; hovering a node or
an edge shows its counts and times (SVG ``<title>``).

Example:
    >>> import pandas as pd
    >>> from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import gettext as _
    >>> dfg = DirectlyFollows(
    ...     nodes=pd.DataFrame({"activity": ["A", "B"], "events": [2, 1], "cases": [1, 1]}),
    ...     edges=pd.DataFrame({"source": ["A"], "target": ["B"], "events": [1], "cases": [1],
    ...                         "median_seconds": [60.0], "mean_seconds": [60.0]}),
    ...     starts=pd.Series({"A": 1}), ends=pd.Series({"B": 1}))
    >>> svg = render_svg(dfg)
    >>> svg.count('class="pm-node"')
    2
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import gettext as _

START, END = "\x00start", "\x00end"
_CHAR_W, _NODE_H, _MAX_LABEL = 7.2, 34.0, 34


@dataclass(frozen=True)
class MapSettings:
    """How much of the graph to show (Disco-style abstraction).

    ``activity_coverage``: keep the most frequent activities until they cover this
    share of the events (at most ``max_activities``). ``path_coverage``: keep the
    most frequent paths until they cover this share of the transitions, plus each
    kept activity's most frequent incoming and outgoing path so nothing floats.
    """

    activity_coverage: float = 1.0
    path_coverage: float = 0.9
    max_activities: int = 30


class _Box:
    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy = (0.0, 0.0)


class _Path:
    def __init__(self) -> None:
        self.pts: list[tuple[float, float]] = []

    def setpath(self, pts: list[tuple[float, float]]) -> None:
        self.pts = list(pts)


def _label(name: str) -> str:
    if name == START:
        return _("start")
    if name == END:
        return _("end")
    return name if len(name) <= _MAX_LABEL else name[: _MAX_LABEL - 1] + "…"


def _duration(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "–"
    if seconds < 3600:
        return _("%(n)s min") % {"n": format_number(seconds / 60)}
    if seconds < 86400 * 2:
        return _("%(n)s h") % {"n": format_number(seconds / 3600, 1)}
    return _("%(n)s days") % {"n": format_number(seconds / 86400, 1)}


def filter_dfg(dfg: DirectlyFollows, settings: MapSettings) -> tuple[DirectlyFollows, str]:
    """Keep the most frequent activities and sufficiently used edges; returns a sentence saying what was kept."""
    nodes = dfg.nodes  # sorted by events, descending
    covered = nodes["events"].cumsum().shift(fill_value=0) / max(int(nodes["events"].sum()), 1)
    nodes = nodes[(covered < settings.activity_coverage)].head(settings.max_activities)
    keep = list(nodes["activity"])
    inner = dfg.edges[dfg.edges["source"].isin(keep) & dfg.edges["target"].isin(keep)]
    ranked = inner.sort_values(["events", "source", "target"], ascending=[False, True, True], kind="stable")
    share = ranked["events"].cumsum().shift(fill_value=0) / max(int(ranked["events"].sum()), 1)
    chosen = ranked[share < settings.path_coverage]
    strongest_out = ranked.drop_duplicates("source")
    strongest_in = ranked.drop_duplicates("target")
    edges = pd.concat([chosen, strongest_out, strongest_in]).drop_duplicates(["source", "target"])
    edges = edges.sort_values(["source", "target"], kind="stable").reset_index(drop=True)
    note = _("Showing %(shown)s of %(total)s activities (the most frequent, covering %(act_share)s of events) "
             "and %(paths)s of %(all_paths)s paths (the most frequent paths, covering %(path_share)s of "
             "transitions, plus the strongest path into and out of each activity).") % {
        "shown": len(nodes), "total": len(dfg.nodes), "paths": len(edges), "all_paths": len(dfg.edges),
        "act_share": format_share(nodes["events"].sum() / max(dfg.nodes["events"].sum(), 1), 0),
        "path_share": format_share(settings.path_coverage, 0)}
    return DirectlyFollows(nodes=nodes, edges=edges, starts=dfg.starts[dfg.starts.index.isin(keep)],
                           ends=dfg.ends[dfg.ends.index.isin(keep)]), note


def render_svg(dfg: DirectlyFollows, *, title: str = "Process map") -> str:
    """Lay out and draw ``dfg``; nodes are activities, edge width follows frequency."""
    counts = dict(zip(dfg.nodes["activity"], dfg.nodes["events"]))
    names = [START] + sorted(counts, key=lambda a: (-counts[a], a)) + [END]
    vertices = {name: Vertex(name) for name in names}
    for name, vertex in vertices.items():
        width = max(70.0, len(_label(name)) * _CHAR_W + 24) if name not in (START, END) else 60.0
        vertex.view = _Box(width, _NODE_H)
    links: list[tuple[str, str, int, str]] = []
    for row in dfg.edges.itertuples(index=False):
        tip = (f"{row.source} → {row.target}\n"
               + _("%(n)s times in %(cases)s cases") % {"n": format_number(int(row.events)),
                                                       "cases": format_number(int(row.cases))}
               + "\n" + _("median %(median)s, mean %(mean)s") % {"median": _duration(row.median_seconds),
                                                                 "mean": _duration(row.mean_seconds)})
        links.append((row.source, row.target, int(row.events), tip))
    for act, n in dfg.starts.items():
        links.append((START, act, int(n), _("%(n)s cases start with %(activity)s")
                      % {"n": format_number(int(n)), "activity": act}))
    for act, n in dfg.ends.items():
        links.append((act, END, int(n), _("%(n)s cases end with %(activity)s")
                      % {"n": format_number(int(n)), "activity": act}))
    edges = []
    for src, dst, n, tip in links:
        if src == dst:
            continue
        edge = Edge(vertices[src], vertices[dst])
        edge.view = _Path()
        edges.append((edge, src, dst, n, tip))
    graph = Graph(list(vertices.values()), [e[0] for e in edges])
    offset = 0.0
    for component in graph.C:
        layout = SugiyamaLayout(component)
        layout.xspace, layout.yspace = 30, 46
        roots = [vertices[START]] if vertices[START] in component.sV else None
        layout.init_all(roots=roots)
        layout.draw()
        xs = [v.view.xy[0] - v.view.w / 2 for v in component.sV]
        shift = offset - min(xs)
        for v in component.sV:
            v.view.xy = (v.view.xy[0] + shift, v.view.xy[1])
        for e in component.sE:
            e.view.pts = [(x + shift, y) for x, y in e.view.pts]
        offset = max(v.view.xy[0] + v.view.w / 2 for v in component.sV) + 40
    return _draw(vertices, edges, dfg, counts, title, links)


def _draw(vertices, edges, dfg, counts, title, links) -> str:  # type: ignore[no-untyped-def]
    pad = 20.0
    xs = [v.view.xy[0] for v in vertices.values()]
    ys = [v.view.xy[1] for v in vertices.values()]
    route_xs = [x for e in edges for x, _ in e[0].view.pts]
    min_x = min([x - v.view.w / 2 for x, v in zip(xs, vertices.values())] + route_xs) - pad - 60
    max_x = max([x + v.view.w / 2 for x, v in zip(xs, vertices.values())] + route_xs) + pad + 60
    min_y, max_y = min(ys) - _NODE_H - pad, max(ys) + _NODE_H + pad
    width, height = max_x - min_x, max_y - min_y
    top = max((n for *_, n, _ in [(None, None, e[3], None) for e in edges]), default=1)
    node_top = max(counts.values(), default=1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" role="img" '
           f'viewBox="{min_x:.1f} {min_y:.1f} {width:.1f} {height:.1f}" '
           f'width="{width:.0f}" height="{height:.0f}" style="max-width:100%;height:auto" aria-label={quoteattr(title)}>',
           f"<title>{escape(title)}</title>",
           '<defs><marker id="pm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
           'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for edge, src, dst, n, tip in edges:
        pts = edge.view.pts or [vertices[src].view.xy, vertices[dst].view.xy]
        (x0, y0), (x1, y1) = vertices[src].view.xy, vertices[dst].view.xy
        back = y1 <= y0
        stroke = 1.0 + 5.0 * math.log1p(n) / math.log1p(top)
        if back:
            bend = 60 + 10 * (abs(y1 - y0) / 50)
            d = (f"M{x0 + vertices[src].view.w / 2:.1f},{y0:.1f} C{x0 + vertices[src].view.w / 2 + bend:.1f},"
                 f"{y0:.1f} {x1 + vertices[dst].view.w / 2 + bend:.1f},{y1:.1f} "
                 f"{x1 + vertices[dst].view.w / 2:.1f},{y1:.1f}")
        else:
            pts = [(x0, y0 + _NODE_H / 2)] + list(pts[1:-1]) + [(x1, y1 - _NODE_H / 2)]
            d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        kind = "pm-edge pm-boundary" if START in (src, dst) or END in (src, dst) else "pm-edge"
        out.append(f'<g class="{kind}" data-count="{n}"><title>{escape(tip)}</title>'
                   f'<path d="{d}" fill="none" stroke="#555" stroke-opacity="0.75" stroke-width="{stroke:.2f}" '
                   f'marker-end="url(#pm-arrow)"/></g>')
    loops = {(r.source, r.events, r.median_seconds) for r in dfg.edges.itertuples(index=False) if r.source == r.target}
    for name, vertex in vertices.items():
        x, y = vertex.view.xy
        w = vertex.view.w
        if name in (START, END):
            out.append(f'<g class="pm-terminal"><title>{_("start of cases") if name == START else _("end of cases")}'
                       f'</title><ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{w / 2:.1f}" ry="{_NODE_H / 2:.1f}" '
                       f'fill="#eee" stroke="#333"/><text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                       f'font-size="12">{_label(name)}</text></g>')
            continue
        n = int(counts[name])
        shade = 0.15 + 0.6 * math.log1p(n) / math.log1p(node_top)
        tip = f"{name}\n" + _("%(n)s events") % {"n": format_number(n)}
        out.append(f'<g class="pm-node" data-activity={quoteattr(name)} data-count="{n}">'
                   f"<title>{escape(tip)}</title>"
                   f'<rect x="{x - w / 2:.1f}" y="{y - _NODE_H / 2:.1f}" width="{w:.1f}" height="{_NODE_H:.1f}" '
                   f'rx="6" fill="rgba(31,119,180,{shade:.2f})" stroke="#1f4e79"/>'
                   f'<text x="{x:.1f}" y="{y - 2:.1f}" text-anchor="middle" font-size="12">{escape(_label(name))}</text>'
                   f'<text x="{x:.1f}" y="{y + 11:.1f}" text-anchor="middle" font-size="10">{format_number(n)}</text></g>')
    for src, events, median in sorted(loops, key=lambda t: t[0]):
        x, y = vertices[src].view.xy
        w = vertices[src].view.w
        tip = (f"{src} → {src} " + _("(repeated)") + "\n" + _("%(n)s times") % {"n": format_number(int(events))}
               + "\n" + _("median %(median)s") % {"median": _duration(median)})
        out.append(f'<g class="pm-edge pm-loop" data-count="{int(events)}"><title>{escape(tip)}</title>'
                   f'<path d="M{x - w / 2:.1f},{y - 6:.1f} c-28,-18 -28,30 0,12" fill="none" stroke="#a33" '
                   f'stroke-width="1.5" marker-end="url(#pm-arrow)"/></g>')
    out.append("</svg>")
    return "\n".join(out)
