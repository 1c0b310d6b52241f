"""Process maps: Disco-style abstraction of a directly-follows graph and an interactive SVG.

No system Graphviz is needed: grandalf (pure Python, Sugiyama layered layout)
places the nodes. Every label from the data is XML-escaped.

**Abstraction, exactly.** :func:`filter_map` ranks activities by events
(descending, ties by name) and keeps the *smallest* prefix whose events reach
``activity_coverage`` of all events (at least one activity; at most
``max_activities``, which is stated when it cuts). Among the paths between kept
activities it ranks paths by transitions (descending, ties by source, target)
and keeps the smallest prefix whose transitions reach ``path_coverage`` of the
transitions between kept activities. So the kept share is at least the share
asked, and dropping the last kept item would fall below it. With
``connect=True`` (default) the strongest path into and out of an activity that
would otherwise float is added; these additions are counted and stated
separately, never mixed into the share.

**Two modes.** Every node and edge carries its counts (events, cases) and times
(median, mean) as ``data-`` attributes and in its tooltip; frequency labels have
class ``pm-freq``, performance labels ``pm-perf``; the SVG's ``data-mode``
attribute (``frequency``/``performance``) decides which are shown (a small
script in the report switches it and the edge widths).

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
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.i18n import format_number, format_share
from ssc_mining.report.results_html import shorten
from ssc_mining.i18n import gettext as _

START, END = "\x00start", "\x00end"
_CHAR_W, _NODE_H, _MAX_LABEL = 7.0, 38.0, 34
Mode = Literal["frequency", "performance"]
MODES: tuple[str, ...] = ("frequency", "performance")


@dataclass(frozen=True)
class MapSettings:
    """How much of the graph to show (Disco-style abstraction) and what else the map section holds.

    ``activity_coverage``: keep the most frequent activities until they cover this
    share of the events (at most ``max_activities``). ``path_coverage``: keep the
    most frequent paths until they cover this share of the transitions between
    the kept activities. ``connect``: add the strongest path into / out of an
    activity that would otherwise float (stated separately). ``segment_by``:
    also draw one map per value of these case attributes (``mother``,
    ``category``; the ``max_segments`` largest values with at least
    ``min_segment_cases`` cases). ``reference``: a BPMN or PNML file to check
    conformance against. ``model_coverage``: when set, discover a process model
    (inductive miner) on the variants covering this share of cases.
    """

    activity_coverage: float = 1.0
    path_coverage: float = 0.9
    max_activities: int = 30
    connect: bool = True
    segment_by: tuple[str, ...] = ("mother", "category")
    max_segments: int = 6
    min_segment_cases: int = 20
    reference: str | None = None
    model_coverage: float | None = None


@dataclass(frozen=True)
class FilteredMap:
    """The abstracted graph and exactly what was kept."""

    dfg: DirectlyFollows
    activity_coverage: float          # asked
    path_coverage: float              # asked
    activities_total: int
    activities_kept: int
    activity_share: float             # events of the kept activities / all events
    capped: bool                      # max_activities cut the activity list
    paths_total: int                  # all paths of the log
    paths_between_kept: int           # paths between kept activities
    paths_by_coverage: int            # the smallest prefix reaching path_coverage
    path_share: float                 # their transitions / transitions between kept activities
    paths_added: list[tuple[str, str]] = field(default_factory=list)

    def note(self) -> str:
        """One sentence stating the settings and what they kept (shown on the map)."""
        text = _("Activities: %(shown)s of %(total)s, the most frequent, covering %(act_share)s of events "
                 "(asked: %(act_asked)s). Paths: %(paths)s of %(between)s between these activities, the most "
                 "frequent, covering %(path_share)s of their transitions (asked: %(path_asked)s).") % {
            "shown": format_number(self.activities_kept), "total": format_number(self.activities_total),
            "act_share": format_share(self.activity_share), "act_asked": format_share(self.activity_coverage, 0),
            "paths": format_number(self.paths_by_coverage), "between": format_number(self.paths_between_kept),
            "path_share": format_share(self.path_share), "path_asked": format_share(self.path_coverage, 0)}
        if self.capped:
            text += " " + _("The activity list was cut at %(n)s activities for readability.") % {
                "n": format_number(self.activities_kept)}
        if self.paths_added:
            text += " " + _("%(n)s more paths were added so that no activity floats unconnected.") % {
                "n": format_number(len(self.paths_added))}
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"activity_coverage": self.activity_coverage, "path_coverage": self.path_coverage,
                "activities_total": self.activities_total, "activities_kept": self.activities_kept,
                "activity_share": round(self.activity_share, 6), "capped": self.capped,
                "paths_total": self.paths_total, "paths_between_kept": self.paths_between_kept,
                "paths_by_coverage": self.paths_by_coverage, "path_share": round(self.path_share, 6),
                "paths_added": [list(p) for p in self.paths_added]}


def _prefix_reaching(values: pd.Series, share: float) -> int:
    """Length of the smallest prefix of ``values`` whose sum reaches ``share`` of the total (≥ 1 if any)."""
    total = float(values.sum())
    if len(values) == 0:
        return 0
    if share >= 1.0:
        return len(values)
    cum = values.cumsum().to_numpy(dtype=float)
    return max(1, int((cum < share * total - 1e-9 * total).sum()) + 1)


def filter_map(dfg: DirectlyFollows, settings: MapSettings) -> FilteredMap:
    """Keep the most frequent activities and paths, exactly as the module docstring defines."""
    nodes = dfg.nodes.sort_values(["events", "activity"], ascending=[False, True], kind="stable")
    n_act = _prefix_reaching(nodes["events"], settings.activity_coverage)
    capped = n_act > settings.max_activities
    nodes = nodes.head(min(n_act, settings.max_activities)).reset_index(drop=True)
    keep = set(nodes["activity"])
    inner = dfg.edges[dfg.edges["source"].isin(keep) & dfg.edges["target"].isin(keep)]
    ranked = inner.sort_values(["events", "source", "target"], ascending=[False, True, True], kind="stable")
    n_paths = _prefix_reaching(ranked["events"], settings.path_coverage)
    chosen = ranked.head(n_paths)
    added: list[tuple[str, str]] = []
    starts = dfg.starts[dfg.starts.index.isin(keep)]
    ends = dfg.ends[dfg.ends.index.isin(keep)]
    if settings.connect:
        proper = ranked[ranked["source"] != ranked["target"]]
        extra = []
        has_in = set(chosen.loc[chosen["source"] != chosen["target"], "target"]) | set(starts.index)
        has_out = set(chosen.loc[chosen["source"] != chosen["target"], "source"]) | set(ends.index)
        for act in nodes["activity"]:
            if act not in has_in:
                best = proper[proper["target"] == act].head(1)
                extra.append(best)
            if act not in has_out:
                best = proper[proper["source"] == act].head(1)
                extra.append(best)
        if extra:
            more = pd.concat(extra).drop_duplicates(["source", "target"])
            known = set(zip(chosen["source"], chosen["target"]))
            mask = [(s, t) not in known for s, t in zip(more["source"], more["target"])]
            more = more[pd.Series(mask, index=more.index, dtype=bool)]
            added = sorted(zip(more["source"], more["target"]))
            chosen = pd.concat([chosen, more])
    edges = chosen.sort_values(["source", "target"], kind="stable").reset_index(drop=True)
    inner_total = max(int(inner["events"].sum()), 1)
    return FilteredMap(
        dfg=DirectlyFollows(nodes=nodes, edges=edges, starts=starts, ends=ends),
        activity_coverage=settings.activity_coverage, path_coverage=settings.path_coverage,
        activities_total=len(dfg.nodes), activities_kept=len(nodes),
        activity_share=float(nodes["events"].sum()) / max(int(dfg.nodes["events"].sum()), 1), capped=capped,
        paths_total=len(dfg.edges), paths_between_kept=len(inner), paths_by_coverage=n_paths,
        path_share=float(ranked["events"].head(n_paths).sum()) / inner_total, paths_added=added)


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
    return _("%(n)s days") % {"n": format_number(seconds / 86400, 1)}


class _Vertex(Vertex):
    """A grandalf vertex with a stable hash: grandalf keeps vertices in sets, whose order would otherwise
    follow memory addresses and change the layout from run to run."""

    def __init__(self, data: str, key: int) -> None:
        super().__init__(data)
        self._key = key

    def __hash__(self) -> int:
        return self._key


class _Edge(Edge):
    """A grandalf edge with a stable hash (see :class:`_Vertex`)."""

    def __init__(self, x: Vertex, y: Vertex, key: int) -> None:
        super().__init__(x, y)
        self._key = key

    def __hash__(self) -> int:
        return self._key


def layout(nodes: dict[str, tuple[float, float]], links: list[tuple[str, str]], *, root: str | None = None,
           xspace: float = 36, yspace: float = 56) -> tuple[dict[str, tuple[float, float]],
                                                              dict[tuple[str, str], list[tuple[float, float]]]]:
    """Layered layout (grandalf): node name → centre, (source, target) → route points; top to bottom.

    ``nodes`` maps each name to its (width, height). Components are placed side by side.

    >>> pos, routes = layout({"a": (60, 30), "b": (60, 30)}, [("a", "b")])
    >>> pos["a"][1] < pos["b"][1]
    True
    """
    vertices = {name: _Vertex(name, i) for i, name in enumerate(nodes)}
    for name, (w, h) in nodes.items():
        vertices[name].view = _Box(w, h)
    edges = {}
    for src, dst in links:
        if src == dst or (src, dst) in edges:
            continue
        e = _Edge(vertices[src], vertices[dst], len(edges))
        e.view = _Path()
        edges[(src, dst)] = e
    graph = Graph(list(vertices.values()), list(edges.values()))
    offset = 0.0
    for component in graph.C:
        lay = SugiyamaLayout(component)
        lay.xspace, lay.yspace = xspace, yspace
        roots = [vertices[root]] if root is not None and vertices[root] in component.sV else None
        lay.init_all(roots=roots)
        lay.draw()
        shift = offset - min(v.view.xy[0] - v.view.w / 2 for v in component.sV)
        for v in component.sV:
            v.view.xy = (v.view.xy[0] + shift, v.view.xy[1])
        for e in component.sE:
            e.view.pts = [(x + shift, y) for x, y in e.view.pts]
        offset = max(v.view.xy[0] + v.view.w / 2 for v in component.sV) + 40
    pos = {name: vertices[name].view.xy for name in nodes}
    routes = {key: list(e.view.pts) for key, e in edges.items()}
    return pos, routes


_STYLE = (".pm-perf{display:none}"
          "svg[data-mode=performance] .pm-perf{display:inline}"
          "svg[data-mode=performance] .pm-freq{display:none}"
          ".pm-node,.pm-edge{cursor:pointer}"
          ".pm-edge text{font-size:10px;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:3px}"
          ".pm-selected rect,.pm-selected path{stroke:#d62728 !important}")


def _edge_width(value: float, top: float) -> float:
    return 1.0 + 5.0 * math.log1p(max(value, 0.0)) / math.log1p(max(top, 1.0))


def render_svg(dfg: DirectlyFollows, *, title: str = "Process map", mode: Mode = "frequency",
               note: str | None = None, map_id: str = "pm") -> str:
    """Lay out and draw ``dfg`` as SVG; ``mode`` is the initial mode (the other's labels are hidden).

    ``note`` (the abstraction settings) is written into the SVG as a caption so a
    standalone export states them. ``map_id`` keeps marker ids unique when a page
    holds several maps.
    """
    counts = dict(zip(dfg.nodes["activity"], dfg.nodes["events"]))
    cases = dict(zip(dfg.nodes["activity"], dfg.nodes["cases"]))
    names = [START] + sorted(counts, key=lambda a: (-counts[a], a)) + [END]
    sizes = {n: ((max(76.0, len(_label(n)) * _CHAR_W + 24) if n not in (START, END) else 60.0), _NODE_H)
             for n in names}
    links: list[dict[str, Any]] = []
    for row in dfg.edges.itertuples(index=False):
        tip = (f"{shorten(row.source)} → {shorten(row.target)}\n"
               + _("%(n)s times in %(cases)s cases") % {"n": format_number(int(row.events)),
                                                       "cases": format_number(int(row.cases))}
               + "\n" + _("median %(median)s, mean %(mean)s") % {"median": duration_text(row.median_seconds),
                                                                 "mean": duration_text(row.mean_seconds)})
        links.append({"src": row.source, "dst": row.target, "events": int(row.events), "cases": int(row.cases),
                      "median": row.median_seconds, "mean": row.mean_seconds, "tip": tip})
    for act, n in dfg.starts.items():
        links.append({"src": START, "dst": act, "events": int(n), "cases": int(n), "median": None, "mean": None,
                      "tip": _("%(n)s cases start with %(activity)s") % {"n": format_number(int(n)),
                                                                        "activity": shorten(act)}})
    for act, n in dfg.ends.items():
        links.append({"src": act, "dst": END, "events": int(n), "cases": int(n), "median": None, "mean": None,
                      "tip": _("%(n)s cases end with %(activity)s") % {"n": format_number(int(n)),
                                                                      "activity": shorten(act)}})
    pos, routes = layout(sizes, _backbone(links, len(names)), root=START)
    top_n = max((l_["events"] for l_ in links), default=1)
    times = [float(l_["median"]) for l_ in links if l_["median"] is not None and l_["median"] == l_["median"]]
    top_t = max(times, default=1.0)
    pad = 24.0
    xs = [pos[n][0] - sizes[n][0] / 2 for n in names] + [pos[n][0] + sizes[n][0] / 2 + 90 for n in names]
    xs += [x for pts in routes.values() for x, _y in pts]
    ys = [pos[n][1] for n in names]
    min_x, max_x = min(xs) - pad - 40, max(xs) + pad
    min_y, max_y = min(ys) - _NODE_H - pad, max(ys) + _NODE_H + pad + (18 if note else 0)
    width, height = max_x - min_x, max_y - min_y
    size_style = "max-width:100%;height:auto" if width <= 1100 else "max-width:none"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" role="img" data-mode="{mode}" '
           f'data-nodes="{len(counts)}" viewBox="{min_x:.1f} {min_y:.1f} {width:.1f} {height:.1f}" '
           f'width="{width:.0f}" height="{height:.0f}" style="{size_style}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" aria-label={quoteattr(title)}>',
           f"<title>{escape(title)}</title><style>{_STYLE}</style>",
           f'<defs><marker id="{map_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
           'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    for link in links:
        src, dst = link["src"], link["dst"]
        if src == dst:
            continue
        out.append(_edge(link, pos, sizes, routes.get((src, dst), []), top_n, top_t, mode, map_id))
    for link in links:
        if link["src"] == link["dst"]:
            out.append(_loop(link, pos, sizes, top_n, top_t, mode, map_id))
    node_top = max(counts.values(), default=1)
    for name in names:
        x, y = pos[name]
        w = sizes[name][0]
        if name in (START, END):
            tip = _("start of cases") if name == START else _("end of cases")
            out.append(f'<g class="pm-terminal"><title>{escape(tip)}</title><ellipse cx="{x:.1f}" cy="{y:.1f}" '
                       f'rx="{w / 2:.1f}" ry="{_NODE_H / 2:.1f}" fill="#eee" stroke="#333"/><text x="{x:.1f}" '
                       f'y="{y + 4:.1f}" text-anchor="middle" font-size="12">{escape(_label(name))}</text></g>')
            continue
        n, c = int(counts[name]), int(cases[name])
        shade = 0.12 + 0.6 * math.log1p(n) / math.log1p(node_top)
        case_text = _("%(n)s cases") % {"n": format_number(c)}
        ink = "#fff" if shade > 0.5 else "#111"
        tip = f"{shorten(name)}\n" + _("%(n)s events in %(cases)s cases") % {"n": format_number(n),
                                                                    "cases": format_number(c)}
        out.append(f'<g class="pm-node" data-activity={quoteattr(shorten(name))} data-events="{n}" data-cases="{c}" '
                   f'tabindex="0"><title>{escape(tip)}</title>'
                   f'<rect x="{x - w / 2:.1f}" y="{y - _NODE_H / 2:.1f}" width="{w:.1f}" height="{_NODE_H:.1f}" '
                   f'rx="6" fill="rgba(31,78,121,{shade:.2f})" stroke="#1f4e79"/>'
                   f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="12" fill="{ink}">'
                   f'{escape(_label(name))}</text>'
                   f'<text class="pm-freq" x="{x:.1f}" y="{y + 12:.1f}" text-anchor="middle" font-size="10" '
                   f'fill="{ink}">{escape(format_number(n))}</text>'
                   f'<text class="pm-perf" x="{x:.1f}" y="{y + 12:.1f}" text-anchor="middle" font-size="10" '
                   f'fill="{ink}">{escape(case_text)}</text></g>')
    if note:
        out.append(f'<text class="pm-note" x="{min_x + pad:.1f}" y="{max_y - 8:.1f}" font-size="10" '
                   f'fill="#555">{escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _backbone(links: list[dict[str, Any]], n_nodes: int) -> list[tuple[str, str]]:
    """The links that shape the layout: all of them for small maps; for dense maps the start and end arcs,
    each activity's strongest incoming and outgoing path and the most frequent others, up to twice the
    number of nodes (the remaining paths are drawn as curves between the placed nodes)."""
    proper = [l_ for l_ in links if l_["src"] != l_["dst"]]
    budget = 2 * n_nodes
    if len(proper) <= budget:
        return [(l_["src"], l_["dst"]) for l_ in proper]
    ranked = sorted(proper, key=lambda l_: (-l_["events"], str(l_["src"]), str(l_["dst"])))
    chosen: dict[tuple[str, str], None] = {}
    seen_out: set[str] = set()
    seen_in: set[str] = set()
    for l_ in ranked:
        key = (l_["src"], l_["dst"])
        if l_["src"] in (START,) or l_["dst"] in (END,) or l_["src"] not in seen_out or l_["dst"] not in seen_in:
            chosen[key] = None
            seen_out.add(l_["src"])
            seen_in.add(l_["dst"])
    for l_ in ranked:
        if len(chosen) >= budget:
            break
        chosen[(l_["src"], l_["dst"])] = None
    return list(chosen)


def _edge_attrs(link: dict[str, Any], top_n: int, top_t: float, mode: str) -> tuple[str, float, str]:
    w_freq = _edge_width(link["events"], top_n)
    has_time = link["median"] is not None and link["median"] == link["median"]
    w_perf = _edge_width(float(link["median"]) / 3600, top_t / 3600) if has_time else 1.0
    colour_perf = "#b2182b" if has_time else "#999"
    ends = {START: "", END: ""}
    data = (f'data-source={quoteattr(shorten(ends.get(link["src"], link["src"])))} '
            f'data-target={quoteattr(shorten(ends.get(link["dst"], link["dst"])))} '
            f'data-events="{link["events"]}" data-cases="{link["cases"]}" '
            f'data-median="{_num(link["median"])}" data-mean="{_num(link["mean"])}" '
            f'data-w-frequency="{w_freq:.2f}" data-w-performance="{w_perf:.2f}" '
            f'data-c-frequency="#555" data-c-performance="{colour_perf}"')
    width = w_freq if mode == "frequency" else w_perf
    colour = "#555" if mode == "frequency" else colour_perf
    return data, width, colour


def _num(value: Any) -> str:
    if value is None or value != value:
        return ""
    return f"{float(value):.1f}"


def _labels(link: dict[str, Any], x: float, y: float) -> str:
    freq = escape(format_number(link["events"]))
    perf = escape(duration_text(link["median"]) if link["median"] is not None else "")
    return (f'<text class="pm-freq" x="{x:.1f}" y="{y:.1f}">{freq}</text>'
            f'<text class="pm-perf" x="{x:.1f}" y="{y:.1f}">{perf}</text>')


def _edge(link, pos, sizes, route, top_n, top_t, mode, map_id) -> str:  # type: ignore[no-untyped-def]
    src, dst = link["src"], link["dst"]
    (x0, y0), (x1, y1) = pos[src], pos[dst]
    data, width, colour = _edge_attrs(link, top_n, top_t, mode)
    if y1 <= y0:  # back edge: a curve on the right-hand side
        a, b = x0 + sizes[src][0] / 2, x1 + sizes[dst][0] / 2
        bend = 50 + 12 * (abs(y1 - y0) / 50)
        d = f"M{a:.1f},{y0:.1f} C{a + bend:.1f},{y0:.1f} {b + bend:.1f},{y1:.1f} {b:.1f},{y1:.1f}"
        lx, ly = (a + b) / 2 + 0.75 * bend, (y0 + y1) / 2
    elif not route:  # not part of the layout's backbone: a smooth curve between the placed nodes
        ya, yb = y0 + _NODE_H / 2, y1 - _NODE_H / 2
        d = f"M{x0:.1f},{ya:.1f} C{x0:.1f},{(ya + yb) / 2:.1f} {x1:.1f},{(ya + yb) / 2:.1f} {x1:.1f},{yb:.1f}"
        lx, ly = (x0 + x1) / 2 + 4, (ya + yb) / 2 + 3
    else:
        pts = [(x0, y0 + _NODE_H / 2)] + list(route[1:-1]) + [(x1, y1 - _NODE_H / 2)]
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        mid = len(pts) // 2
        (ax, ay), (bx, by) = pts[mid - 1], pts[mid]
        lx, ly = (ax + bx) / 2 + 4, (ay + by) / 2 + 3
    kind = "pm-edge pm-boundary" if START in (src, dst) or END in (src, dst) else "pm-edge"
    return (f'<g class="{kind}" {data}><title>{escape(link["tip"])}</title>'
            f'<path d="{d}" fill="none" stroke="{colour}" stroke-opacity="0.75" stroke-width="{width:.2f}" '
            f'marker-end="url(#{map_id}-arrow)"/>{_labels(link, lx, ly)}</g>')


def _loop(link, pos, sizes, top_n, top_t, mode, map_id) -> str:  # type: ignore[no-untyped-def]
    x, y = pos[link["src"]]
    w = sizes[link["src"]][0]
    data, width, colour = _edge_attrs(link, top_n, top_t, mode)
    tip = (f'{shorten(link["src"])} → {shorten(link["src"])} ' + _("(repeated)") + "\n"
           + _("%(n)s times in %(cases)s cases") % {"n": format_number(link["events"]),
                                                   "cases": format_number(link["cases"])}
           + "\n" + _("median %(median)s, mean %(mean)s") % {"median": duration_text(link["median"]),
                                                             "mean": duration_text(link["mean"])})
    return (f'<g class="pm-edge pm-loop" {data}><title>{escape(tip)}</title>'
            f'<path d="M{x - w / 2:.1f},{y - 6:.1f} c-28,-18 -28,30 0,12" fill="none" stroke="{colour}" '
            f'stroke-width="{min(width, 3.0):.2f}" marker-end="url(#{map_id}-arrow)"/>'
            f'{_labels(link, x - w / 2 - 30, y - 12)}</g>')


def export_svg(dfg: DirectlyFollows, path: str, *, title: str = "Process map", mode: Mode = "frequency",
               note: str | None = None) -> None:
    """Write a standalone SVG file of the map (for documents), with the settings as a caption."""
    from pathlib import Path

    from ssc_mining._io import atomic_write_text

    svg = render_svg(dfg, title=title, mode=mode, note=note)
    atomic_write_text(Path(path), '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n")
