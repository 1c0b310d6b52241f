"""Process-map abstraction (which activities and paths are shown) and the layered layout of maps and models.

Drawing lives in :mod:`ssc_mining.report.process_map`; this module only decides *what* is shown and
*where*, so the ``discover`` command, the report and the BPMN export share one set of rules. Nothing
here imports :mod:`ssc_mining.report`.

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

**Levels.** :func:`map_levels` computes the map at a handful of activity and
path levels (the report's sliders switch between them): the activity levels are
the most-frequent prefixes reaching 80, 90, 95 and 99 % of the events, all but
the rare activities, all activities, and the share asked; the path levels reach
50, 80, 90 and 100 % of the transitions, and the share asked. Levels that keep
the same activities (or paths) are merged. **Rare** activities (each fewer than
``rare_share`` of all events, 0.1 % by default) are drawn small, never as full
boxes.

**Layout.** :func:`layered_layout` is a layered (Sugiyama) layout written for
reading on a page: top to bottom; rework loops reversed for layering; layers no
wider than ``max_width`` (activities that do not fit move one layer down, so a
wide map becomes a taller one); a row for arrow labels between every two rows of
boxes, in which each label holds its own place, so no label overlaps a box,
another label or a line; lines cross between rows only; crossings reduced by
barycentre sweeps; positions by weighted isotonic regression (each row keeps its
order and spacing and sits as close as possible to its neighbours). Pure Python
and deterministic: the same graph gives the same coordinates. Text widths are
estimated with DejaVu Sans metrics (wider than Arial and Liberation Sans, so a
label measured here fits in any of them).

Example:
    >>> pos = layered_layout([Box("a", 60, 30), Box("b", 60, 30)], [Link("a", "b", label=(20, 12))])
    >>> pos.nodes["a"][1] < pos.nodes["b"][1], pos.routes[("a", "b")].label is not None
    (True, True)
    >>> round(text_width("Resolve ticket", 12))
    87
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any

import pandas as pd

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import gettext as _

# --------------------------------------------------------------------------------------------------------------
# abstraction


@dataclass(frozen=True)
class MapSettings:
    """How much of the graph to show (Disco-style abstraction) and what else the map section holds.

    ``activity_coverage``: keep the most frequent activities until they cover this
    share of the events (at most ``max_activities``). ``path_coverage``: keep the
    most frequent paths until they cover this share of the transitions between
    the kept activities. ``connect``: add the strongest path into / out of an
    activity that would otherwise float (stated separately). ``rare_share``:
    activities with fewer events than this share of all events are drawn small
    (abstracted), not as full boxes. ``segment_by``: also draw one map per value
    of these case attributes (``mother``, ``category``; the ``max_segments``
    largest values with at least ``min_segment_cases`` cases). ``reference``: a
    BPMN or PNML file to check conformance against. ``model_coverage``: when
    set, discover a process model (inductive miner) on the variants covering
    this share of cases and draw it next to the map, with its fitness.
    """

    activity_coverage: float = 1.0
    path_coverage: float = 0.9
    max_activities: int = 30
    connect: bool = True
    segment_by: tuple[str, ...] = ("mother", "category")
    max_segments: int = 6
    min_segment_cases: int = 20
    reference: str | None = None
    model_coverage: float | None = 0.8
    rare_share: float = 0.001


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


def _ranked_nodes(dfg: DirectlyFollows) -> pd.DataFrame:
    return dfg.nodes.sort_values(["events", "activity"], ascending=[False, True], kind="stable")


def filter_map(dfg: DirectlyFollows, settings: MapSettings) -> FilteredMap:
    """Keep the most frequent activities and paths, exactly as the module docstring defines."""
    nodes = _ranked_nodes(dfg)
    n_act = _prefix_reaching(nodes["events"], settings.activity_coverage)
    return _filter_top(dfg, nodes, n_act, settings)


def _filter_top(dfg: DirectlyFollows, ranked: pd.DataFrame, n_act: int, settings: MapSettings) -> FilteredMap:
    """The map of the ``n_act`` most frequent activities (``ranked``), paths as ``settings`` ask."""
    capped = n_act > settings.max_activities
    nodes = ranked.head(min(n_act, settings.max_activities)).reset_index(drop=True)
    keep = set(nodes["activity"])
    inner = dfg.edges[dfg.edges["source"].isin(keep) & dfg.edges["target"].isin(keep)]
    ranked_paths = inner.sort_values(["events", "source", "target"], ascending=[False, True, True], kind="stable")
    n_paths = _prefix_reaching(ranked_paths["events"], settings.path_coverage)
    chosen = ranked_paths.head(n_paths)
    added: list[tuple[str, str]] = []
    starts = dfg.starts[dfg.starts.index.isin(keep)]
    ends = dfg.ends[dfg.ends.index.isin(keep)]
    if settings.connect:
        proper = ranked_paths[ranked_paths["source"] != ranked_paths["target"]]
        extra = []
        has_in = set(chosen.loc[chosen["source"] != chosen["target"], "target"]) | set(starts.index)
        has_out = set(chosen.loc[chosen["source"] != chosen["target"], "source"]) | set(ends.index)
        for act in nodes["activity"]:
            if act not in has_in:
                extra.append(proper[proper["target"] == act].head(1))
            if act not in has_out:
                extra.append(proper[proper["source"] == act].head(1))
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
        path_share=float(ranked_paths["events"].head(n_paths).sum()) / inner_total, paths_added=added)


def rare_activities(dfg: DirectlyFollows, share: float) -> list[str]:
    """Activities with fewer events than ``share`` of all events (drawn small, not as full boxes)."""
    total = float(dfg.nodes["events"].sum())
    if share <= 0 or total <= 0:
        return []
    return [str(a) for a, n in zip(dfg.nodes["activity"], dfg.nodes["events"]) if n < share * total]


#: the activity and path levels offered besides the share asked (see the module docstring)
ACTIVITY_LEVELS = (0.8, 0.9, 0.95, 0.99, 1.0)
PATH_LEVELS = (0.5, 0.8, 0.9, 1.0)


@dataclass(frozen=True)
class MapLevels:
    """The map at each activity level × path level; ``maps[(a, p)]``; ``default`` is the (a, p) asked."""

    activities: list[int]                       # activities kept at each activity level (ascending)
    activity_shares: list[float]                # their share of the events
    paths: list[float]                          # path coverage of each path level (ascending)
    maps: dict[tuple[int, int], FilteredMap]
    default: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"activities": self.activities, "activity_shares": [round(s, 6) for s in self.activity_shares],
                "paths": self.paths, "default": list(self.default),
                "paths_kept": [[len(self.maps[(a, p)].dfg.edges) for p in range(len(self.paths))]
                               for a in range(len(self.activities))]}


def map_levels(dfg: DirectlyFollows, settings: MapSettings) -> MapLevels:
    """The map at the activity and path levels of the report's sliders (see the module docstring)."""
    ranked = _ranked_nodes(dfg)
    total = max(float(ranked["events"].sum()), 1.0)
    asked = _prefix_reaching(ranked["events"], settings.activity_coverage)
    counts = {asked} | {_prefix_reaching(ranked["events"], s) for s in ACTIVITY_LEVELS}
    rare = set(rare_activities(dfg, settings.rare_share))
    if rare and len(rare) < len(ranked):
        counts.add(len(ranked) - len(rare))
    counts = {min(max(k, 1), settings.max_activities) for k in counts if k > 0} or {0}
    activities = sorted(counts)
    shares = [float(ranked["events"].head(k).sum()) / total for k in activities]
    paths = sorted({*PATH_LEVELS, round(settings.path_coverage, 6)})
    maps = {}
    for a, k in enumerate(activities):
        for p, cov in enumerate(paths):
            maps[(a, p)] = _filter_top(dfg, ranked, k, MapSettings(
                activity_coverage=settings.activity_coverage, path_coverage=cov,
                max_activities=settings.max_activities, connect=settings.connect))
    default = (activities.index(min(asked, settings.max_activities)) if activities != [0] else 0,
               paths.index(round(settings.path_coverage, 6)))
    # the default level keeps the settings asked, so it states them exactly
    maps[default] = filter_map(dfg, settings)
    return MapLevels(activities=activities, activity_shares=shares, paths=paths, maps=maps, default=default)


# --------------------------------------------------------------------------------------------------------------
# text metrics

# advance widths of DejaVu Sans (1/1000 em) for U+0020..U+007E and U+00A0..U+00FF
_ASCII = (318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
          636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
          295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
          500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
          392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838)
_LATIN1 = (318, 401, 636, 636, 636, 636, 337, 500, 500, 1000, 471, 612, 838, 361, 1000, 500, 500, 838, 401, 401, 500,
           636, 636, 318, 500, 401, 471, 612, 969, 969, 969, 531, 684, 684, 684, 684, 684, 684, 974, 698, 632, 632,
           632, 632, 295, 295, 295, 295, 775, 748, 787, 787, 787, 787, 787, 838, 787, 732, 732, 732, 732, 611, 605,
           630, 613, 613, 613, 613, 613, 613, 982, 550, 615, 615, 615, 615, 278, 278, 278, 278, 612, 634, 612, 612,
           612, 612, 612, 838, 612, 634, 634, 634, 634, 592, 635, 592)
_OTHER = {"–": 500, "—": 1000, "…": 1000, "→": 838, "·": 318, "×": 838, "€": 636, "\ufffd": 1000}


def _advance(ch: str) -> int:
    code = ord(ch)
    if 32 <= code <= 126:
        return _ASCII[code - 32]
    if 160 <= code <= 255:
        return _LATIN1[code - 160]
    if ch in _OTHER:
        return _OTHER[ch]
    return 1000 if code >= 0x2E80 else 700  # wide scripts a full em; anything else wider than most letters


def text_width(text: str, size: float) -> float:
    """Width in px of ``text`` at font size ``size`` (DejaVu Sans metrics, rounded up a little)."""
    return sum(_advance(c) for c in text) * size / 1000.0 * 1.02 + 1.0


_MIN_ADVANCE = 275  # the narrowest advance in the tables above (1/1000 em)


def _fit(word: str, size: float, max_width: float) -> int:
    """How many leading characters of ``word`` fit in ``max_width`` (at least one); one pass, no re-measuring."""
    room = (max_width - 1.0) * 1000.0 / (size * 1.02)
    used = 0.0
    for i, ch in enumerate(word):
        used += _advance(ch)
        if used > room:
            return max(i, 1)
    return len(word)


def wrap_label(text: str, size: float, max_width: float, max_lines: int = 3) -> list[str]:
    """``text`` in at most ``max_lines`` lines no wider than ``max_width`` (words kept whole when they fit;
    the last line ends in '…' when the text is longer).

    Only as much of ``text`` is looked at as could ever be shown, so a label of millions of characters
    costs no more than a short one.

    Example:
        >>> wrap_label("Resolve ticket", 12, 60)
        ['Resolve', 'ticket']
        >>> lines = wrap_label("x" * 1_000_000, 12, 60); len(lines), lines[-1].endswith("…")
        (3, True)
    """
    # characters beyond this many can never be drawn (every character is at least _MIN_ADVANCE wide)
    budget = int(max_lines * (max_width * 1000.0 / (size * _MIN_ADVANCE)) + max_lines + 1)
    cut_short = len(text) > budget
    words = text[:budget].split()
    if not words:
        return [text[:1] or " "]
    lines: list[str] = []
    current = ""
    for word in words:
        if len(lines) > max_lines:
            break
        trial = f"{current} {word}" if current else word
        if text_width(trial, size) <= max_width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        while len(lines) <= max_lines and text_width(current, size) > max_width:
            cut = _fit(current, size, max_width)  # a word longer than a line is cut across lines
            lines.append(current[:cut])
            current = current[cut:]
    lines.append(current)
    if cut_short or len(lines) > max_lines:
        last = lines[max_lines - 1] if len(lines) >= max_lines else lines[-1]
        while last and text_width(last + "…", size) > max_width:
            last = last[:-1]
        lines = lines[: min(len(lines), max_lines) - 1] + [last.rstrip() + "…"]
    return lines


# --------------------------------------------------------------------------------------------------------------
# layered layout


@dataclass(frozen=True)
class Box:
    """A node to place: its box (the anchor is the box's centre), room to its right (a loop and its label),
    and where lines attach: spread along the side (``spread``), at the middle (``centre``: circles,
    diamonds) or spread on an ellipse (``ellipse``)."""

    name: str
    width: float
    height: float
    extra_right: float = 0.0
    ports: str = "spread"


@dataclass(frozen=True)
class Link:
    """A line from ``source`` to ``target``; ``weight`` orders the main flow; ``label`` is the (width, height)
    of its label, or None."""

    source: str
    target: str
    weight: float = 1.0
    label: tuple[float, float] | None = None


@dataclass(frozen=True)
class Route:
    """A placed line: SVG path data from the source to the target (the arrowhead goes at its end), the
    point where its label starts (left end, vertical middle), and whether it runs against the flow."""

    d: str
    points: tuple[tuple[float, float], ...]
    label: tuple[float, float] | None
    backwards: bool


@dataclass(frozen=True)
class Layout:
    """Where every box (centre) and line goes; the drawing spans (0, 0)–(width, height)."""

    nodes: dict[str, tuple[float, float]]
    routes: dict[tuple[str, str], Route]
    width: float
    height: float


_LINE = 3.0  # half the room a line takes in a row (the thickest line is 6 px)


def layered_layout(boxes: list[Box], links: list[Link], *, first: str | None = None, last: str | None = None,
                   max_width: float = 760.0, node_gap: float = 26.0, line_gap: float = 9.0, label_gap: float = 5.0,
                   min_rank_gap: float = 14.0, max_rank_gap: float = 60.0, sweeps: int = 10) -> Layout:
    """Place ``boxes`` in rows from top to bottom and route ``links`` between them (see the module docstring).

    ``first`` goes alone in the top row and ``last`` alone in the bottom row. Self-loops are not routed
    (draw them in the box's ``extra_right`` room). The order of ``boxes`` breaks ties (give the most
    frequent first).
    """
    box = {b.name: b for b in boxes}
    order = [b.name for b in boxes]
    index = {n: i for i, n in enumerate(order)}
    unique: dict[tuple[str, str], Link] = {}
    for link in links:
        if link.source != link.target and link.source in box and link.target in box:
            unique.setdefault((link.source, link.target), link)
    links = list(unique.values())
    if not order:
        return Layout({}, {}, 0.0, 0.0)

    # 1. cycles: depth first from `first`, strongest paths first; a path back to a node on the stack is reversed
    out: dict[str, list[Link]] = {n: [] for n in order}
    for link in links:
        out[link.source].append(link)
    for n in order:
        out[n].sort(key=lambda lk: (-lk.weight, index[lk.target]))
    state: dict[str, int] = {}
    seen: list[str] = []
    back: set[tuple[str, str]] = set()
    roots = ([first] if first in box else []) + [n for n in order if n not in (first, last)]
    roots += [last] if last in box else []
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        seen.append(root)
        stack = [(root, iter(out[root]))]
        while stack:
            node, it = stack[-1]
            for link in it:
                nxt = link.target
                if state.get(nxt) == 1:
                    back.add((link.source, link.target))
                elif nxt not in state:
                    state[nxt] = 1
                    seen.append(nxt)
                    stack.append((nxt, iter(out[nxt])))
                    break
            else:
                state[node] = 2
                stack.pop()
    key = {n: i for i, n in enumerate(seen)}
    dag: list[tuple[Link, str, str]] = []  # link, upper, lower
    for link in links:
        if (link.source, link.target) in back:
            dag.append((link, link.target, link.source))
        else:
            dag.append((link, link.source, link.target))
    preds: dict[str, list[str]] = {n: [] for n in order}
    succs: dict[str, list[str]] = {n: [] for n in order}
    for _link, a, b in dag:
        preds[b].append(a)
        succs[a].append(b)

    # 2. layers: longest path, then each box moved towards the side with more lines, then rows no wider than asked
    indegree = {n: len(preds[n]) for n in order}
    heap = [(key[n], n) for n in order if indegree[n] == 0]
    heap.sort()
    topo: list[str] = []
    while heap:
        _k, n = heappop(heap)
        topo.append(n)
        for s in succs[n]:
            indegree[s] -= 1
            if indegree[s] == 0:
                heappush(heap, (key[s], s))
    layer = dict.fromkeys(order, 0)
    for n in topo:
        for s in succs[n]:
            layer[s] = max(layer[s], layer[n] + 1)
    inner = [n for n in topo if n not in (first, last)]
    for _round in range(4):
        deepest = max((layer[n] for n in inner), default=0)
        for n in inner:
            lo = max((layer[p] + 1 for p in preds[n]), default=0)
            if first in box:
                lo = max(lo, 1)
            ups = [layer[s] - 1 for s in succs[n] if s != last]
            hi = min(ups) if ups else deepest
            hi = max(hi, lo)
            ins, outs = len(preds[n]), len(succs[n])
            layer[n] = hi if outs > ins else lo if ins > outs else min(max(layer[n], lo), hi)
    placed: dict[str, int] = {}
    used: dict[int, float] = {}
    for n in sorted(inner, key=lambda n: (layer[n], key[n])):
        bx = box[n]
        w = bx.width + bx.extra_right
        at = max([layer[n]] + [placed[p] + 1 for p in preds[n] if p in placed] + ([1] if first in box else []))
        while at in used and used[at] + node_gap + w > max_width:
            at += 1
        used[at] = used.get(at, -node_gap) + node_gap + w
        placed[n] = at
    if first in box:
        placed[first] = 0
    if last in box:
        placed[last] = max(placed.values(), default=-1) + 1
    layer = placed

    # 3. ranks: boxes on even ranks, a label row (odd rank) between every two rows of boxes; a line gets an
    #    element on every rank it crosses, its label on the least crowded label row it crosses
    rank_of = {n: 2 * layer[n] for n in order}
    n_ranks = max(rank_of.values()) + 1
    el_rank: list[int] = []
    el_left: list[float] = []
    el_right: list[float] = []
    el_node: list[str | None] = []
    el_key: list[tuple[float, float, float]] = []
    up: list[list[int]] = []
    down: list[list[int]] = []

    def element(rank: int, left: float, right: float, node: str | None, k: tuple[float, float, float]) -> int:
        el_rank.append(rank)
        el_left.append(left)
        el_right.append(right)
        el_node.append(node)
        el_key.append(k)
        up.append([])
        down.append([])
        return len(el_rank) - 1

    node_el = {n: element(rank_of[n], box[n].width / 2, box[n].width / 2 + box[n].extra_right, n,
                          (key[n], -1.0, -1.0)) for n in order}
    load: dict[int, float] = {}
    chains: list[tuple[Link, list[int], int | None]] = []
    for link, a, b in sorted(dag, key=lambda t: (-t[0].weight, key[t[1]], key[t[2]])):
        ra, rb = rank_of[a], rank_of[b]
        label_rank = None
        if link.label is not None:
            middle = (ra + rb) / 2
            label_rank = min(range(ra + 1, rb, 2), key=lambda r: (load.get(r, 0.0), abs(r - middle), r))
            load[label_rank] = load.get(label_rank, 0.0) + link.label[0]
        chain = [node_el[a]]
        label_el = None
        for r in range(ra + 1, rb):
            right = _LINE + (label_gap + link.label[0] if r == label_rank and link.label else 0.0)
            e = element(r, _LINE, right, None, (key[a], key[b], float(r)))
            if r == label_rank:
                label_el = e
            chain.append(e)
        chain.append(node_el[b])
        for u, v in zip(chain, chain[1:]):
            down[u].append(v)
            up[v].append(u)
        chains.append((link, chain, label_el))
    ranks: list[list[int]] = [[] for _ in range(n_ranks)]
    for e, r in enumerate(el_rank):
        ranks[r].append(e)

    # 4. order within rows: barycentre sweeps, keeping the order with the fewest crossings, then swaps
    pos = [0] * len(el_rank)
    ranks[0].sort(key=lambda e: el_key[e])
    for i, e in enumerate(ranks[0]):
        pos[e] = i
    for r in range(1, n_ranks):
        ranks[r].sort(key=lambda e: (sum(pos[u] for u in up[e]) / len(up[e]) if up[e] else math.inf, el_key[e]))
        for i, e in enumerate(ranks[r]):
            pos[e] = i

    def reorder(row: list[int], nbrs: list[list[int]]) -> None:
        movable = [e for e in row if nbrs[e]]
        movable.sort(key=lambda e: (sum(pos[u] for u in nbrs[e]) / len(nbrs[e]), pos[e]))
        it = iter(movable)
        row[:] = [e if not nbrs[e] else next(it) for e in row]
        for i, e in enumerate(row):
            pos[e] = i

    def crossings() -> int:
        total = 0
        for r in range(n_ranks - 1):
            pairs = sorted((pos[u], pos[v]) for u in ranks[r] for v in down[u])
            total += _inversions([v for _u, v in pairs])
        return total

    best = [list(row) for row in ranks]
    best_count = crossings()
    for _sweep in range(sweeps):
        for r in range(1, n_ranks):
            reorder(ranks[r], up)
        for r in range(n_ranks - 2, -1, -1):
            reorder(ranks[r], down)
        count = crossings()
        if count < best_count:
            best, best_count = [list(row) for row in ranks], count
    ranks = best
    for row in ranks:
        for i, e in enumerate(row):
            pos[e] = i
    for _pass in range(3):  # swap neighbours in a row when that removes crossings
        improved = False
        for r in range(n_ranks):
            row = ranks[r]
            for i in range(len(row) - 1):
                ea, eb = row[i], row[i + 1]
                if _pair_crossings(eb, ea, pos, up, down) < _pair_crossings(ea, eb, pos, up, down):
                    row[i], row[i + 1] = eb, ea
                    pos[ea], pos[eb] = i + 1, i
                    improved = True
        if not improved:
            break

    # 5. x: each row keeps its order and spacing and sits as close as possible to its neighbours
    is_node = [n is not None for n in el_node]
    weight = [1.0 if is_node[e] else 4.0 for e in range(len(el_rank))]

    def gap(a: int, b: int) -> float:
        return el_right[a] + el_left[b] + (node_gap if is_node[a] and is_node[b] else line_gap)

    x = [0.0] * len(el_rank)
    for row in ranks:
        left = 0.0
        for i, e in enumerate(row):
            if i:
                left += gap(row[i - 1], e)
            x[e] = left
    widest = max((x[row[-1]] for row in ranks if row), default=0.0)
    for row in ranks:
        if row:
            shift = (widest - x[row[-1]]) / 2
            for e in row:
                x[e] += shift

    def align(row: list[int], nbr_lists: tuple[list[list[int]], ...]) -> None:
        if not row:
            return
        want, wts = [], []
        for e in row:
            nb = [u for lists in nbr_lists for u in lists[e]]
            if not is_node[e] and any(not is_node[u] for u in nb):  # a long line follows its own course
                nb = [u for u in nb if not is_node[u]]
            if nb:
                want.append(sum(x[u] for u in nb) / len(nb))
                wts.append(weight[e])
            else:
                want.append(x[e])
                wts.append(0.01)
        offsets = [0.0]
        for a, b in zip(row, row[1:]):
            offsets.append(offsets[-1] + gap(a, b))
        values = _isotonic([w - o for w, o in zip(want, offsets)], wts)
        for e, v, o in zip(row, values, offsets):
            x[e] = v + o

    for _sweep in range(8):
        for r in range(1, n_ranks):
            align(ranks[r], (up,))
        for r in range(n_ranks - 2, -1, -1):
            align(ranks[r], (down,))
    for _sweep in range(3):
        for r in range(n_ranks):
            align(ranks[r], (up, down))
    for _pass in range(2):  # long lines straight down wherever their rows leave room
        for _link, chain, _label in chains:
            inner_els = chain[1:-1]
            if not inner_els:
                continue
            xs = sorted(x[e] for e in inner_els)
            median = xs[len(xs) // 2]
            for target in sorted({median, x[chain[0]], x[chain[-1]]}, key=lambda t: (abs(t - median), t)):
                if all(_fits(e, target, ranks[el_rank[e]], pos, x, gap) for e in inner_els):
                    for e in inner_els:
                        x[e] = target
                    break
            else:  # no room for one straight line: at least no jog where a row leaves room
                for run in (inner_els, inner_els[::-1]):
                    for prev, e in zip(run, run[1:]):
                        if x[e] != x[prev] and _fits(e, x[prev], ranks[el_rank[e]], pos, x, gap):
                            x[e] = x[prev]
    low = min(x[e] - el_left[e] for e in range(len(x)))
    x = [v - low for v in x]
    width = max(x[e] + el_right[e] for e in range(len(x)))

    # 6. y: rows as tall as their tallest box or label; more room between rows where lines run far sideways
    height_of = [0.0] * n_ranks
    for (link, _chain, label_el) in chains:
        if label_el is not None and link.label:
            height_of[el_rank[label_el]] = max(height_of[el_rank[label_el]], link.label[1])
    for n in order:
        height_of[rank_of[n]] = max(height_of[rank_of[n]], box[n].height)
    top = [0.0] * n_ranks
    y_at = 0.0
    for r in range(n_ranks):
        if r:
            reach = max((abs(x[u] - x[v]) for u in ranks[r - 1] for v in down[u]), default=0.0)
            y_at += min(max_rank_gap, max(min_rank_gap, 0.16 * reach))
        top[r] = y_at
        y_at += height_of[r]
    total_height = y_at

    # 7. routes: lines leave a box at its bottom and enter at its top, spread along the side in the order
    #    of where they go, so they do not cross at the box
    bottom_ports: dict[str, list[tuple[float, int]]] = {n: [] for n in order}
    top_ports: dict[str, list[tuple[float, int]]] = {n: [] for n in order}
    for i, (_link, chain, _label) in enumerate(chains):
        bottom_ports[el_node[chain[0]]].append((x[chain[1]], i))  # type: ignore[index]
        top_ports[el_node[chain[-1]]].append((x[chain[-2]], i))  # type: ignore[index]
    port_x: dict[tuple[int, str], float] = {}
    for side, table in (("bottom", bottom_ports), ("top", top_ports)):
        for n, items in table.items():
            items.sort()
            bx = box[n]
            cx = x[node_el[n]]
            k = len(items)
            step = 0.0
            if bx.ports != "centre" and k > 1:
                margin = min(10.0, bx.width / 4)
                step = min(12.0, (bx.width - 2 * margin) / (k - 1))
            for j, (_tx, i) in enumerate(items):
                port_x[(i, side)] = cx + (j - (k - 1) / 2) * step

    def edge_y(n: str, px: float, side: str) -> float:
        b = box[n]
        cy = top[rank_of[n]] + height_of[rank_of[n]] / 2
        half = b.height / 2
        if b.ports == "ellipse":
            dx = (px - x[node_el[n]]) / max(b.width / 2, 1.0)
            half *= math.sqrt(max(0.0, 1 - dx * dx))
        return cy + half if side == "bottom" else cy - half

    centres = {n: (round(x[node_el[n]], 1), round(top[rank_of[n]] + height_of[rank_of[n]] / 2, 1)) for n in order}
    routes: dict[tuple[str, str], Route] = {}
    for i, (link, chain, label_el) in enumerate(chains):
        upper, lower = el_node[chain[0]], el_node[chain[-1]]
        assert upper is not None and lower is not None
        pa, pb = port_x[(i, "bottom")], port_x[(i, "top")]
        pts = [(pa, edge_y(upper, pa, "bottom")), (pa, top[rank_of[upper]] + height_of[rank_of[upper]])]
        for e in chain[1:-1]:
            r = el_rank[e]
            pts += [(x[e], top[r]), (x[e], top[r] + height_of[r])]
        pts += [(pb, top[rank_of[lower]]), (pb, edge_y(lower, pb, "top"))]
        clean = [pts[0]]
        for p in pts[1:]:
            if abs(p[0] - clean[-1][0]) > 1e-6 or abs(p[1] - clean[-1][1]) > 1e-6:
                clean.append(p)
        backwards = (link.source, link.target) in back
        if backwards:
            clean.reverse()
        label = None
        if label_el is not None:
            r = el_rank[label_el]
            label = (round(x[label_el] + _LINE + label_gap, 1), round(top[r] + height_of[r] / 2, 1))
        points = tuple((round(px, 1), round(py, 1)) for px, py in clean)
        routes[(link.source, link.target)] = Route(d=_path(points), points=points, label=label, backwards=backwards)
    return Layout(nodes=centres, routes=routes, width=round(width, 1), height=round(total_height, 1))


def _path(points: tuple[tuple[float, float], ...]) -> str:
    """SVG path data: straight where x stays, an S-curve with vertical ends where it changes."""
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{x0:g},{y0:g}"]
    for x1, y1 in rest:
        if abs(x1 - x0) < 0.05:
            parts.append(f"L{x1:g},{y1:g}")
        else:
            ym = round((y0 + y1) / 2, 1)
            parts.append(f"C{x0:g},{ym:g} {x1:g},{ym:g} {x1:g},{y1:g}")
        x0, y0 = x1, y1
    return " ".join(parts)


def _inversions(values: list[int]) -> int:
    """Number of pairs i < j with values[i] > values[j] (crossings between two rows)."""
    if len(values) < 2:
        return 0
    size = max(values) + 1
    tree = [0] * (size + 1)
    count = 0
    for seen, v in enumerate(values):
        j = v + 1
        at_most = 0
        while j > 0:  # how many seen values are <= v
            at_most += tree[j]
            j -= j & -j
        count += seen - at_most
        j = v + 1
        while j <= size:
            tree[j] += 1
            j += j & -j
    return count


def _fits(e: int, target: float, row: list[int], pos: list[int], x: list[float], gap: Any) -> bool:
    """Whether element ``e`` can move to ``target`` without coming closer than allowed to its row neighbours."""
    i = pos[e]
    if i > 0 and x[row[i - 1]] + gap(row[i - 1], e) > target + 1e-6:
        return False
    return not (i + 1 < len(row) and target + gap(e, row[i + 1]) > x[row[i + 1]] + 1e-6)


def _pair_crossings(a: int, b: int, pos: list[int], up: list[list[int]], down: list[list[int]]) -> int:
    """Crossings between the lines of ``a`` and ``b`` when ``a`` stands left of ``b``."""
    total = 0
    for nbrs in (up, down):
        for u in nbrs[a]:
            for v in nbrs[b]:
                if pos[u] > pos[v]:
                    total += 1
    return total


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [sum of weights, weighted sum, count]
    for v, w in zip(values, weights):
        blocks.append([w, w * v, 1])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            w2, s2, c2 = blocks.pop()
            blocks[-1][0] += w2
            blocks[-1][1] += s2
            blocks[-1][2] += c2
    out: list[float] = []
    for w, s, c in blocks:
        out.extend([s / w] * int(c))
    return out


# --------------------------------------------------------------------------------------------------------------
# grandalf layout (BPMN diagram interchange of exported models)


def layout(nodes: dict[str, tuple[float, float]], links: list[tuple[str, str]], *, root: str | None = None,
           xspace: float = 36, yspace: float = 56) -> tuple[dict[str, tuple[float, float]],
                                                              dict[tuple[str, str], list[tuple[float, float]]]]:
    """Layered layout (grandalf): node name → centre, (source, target) → route points; top to bottom.

    ``nodes`` maps each name to its (width, height). Components are placed side by side. Used for the
    diagram interchange of exported BPMN files; the report's drawings use :func:`layered_layout`.

    >>> pos, routes = layout({"a": (60, 30), "b": (60, 30)}, [("a", "b")])
    >>> pos["a"][1] < pos["b"][1]
    True
    """
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    class _Vertex(Vertex):  # a stable hash: grandalf keeps vertices in sets (see the ordering of the layout)
        def __init__(self, data: str, k: int) -> None:
            super().__init__(data)
            self._key = k

        def __hash__(self) -> int:
            return self._key

    class _Edge(Edge):
        def __init__(self, a: Vertex, b: Vertex, k: int) -> None:
            super().__init__(a, b)
            self._key = k

        def __hash__(self) -> int:
            return self._key

    class _View:
        def __init__(self, w: float = 0.0, h: float = 0.0) -> None:
            self.w, self.h = w, h
            self.xy = (0.0, 0.0)
            self.pts: list[tuple[float, float]] = []

        def setpath(self, pts: list[tuple[float, float]]) -> None:
            self.pts = list(pts)

    vertices = {name: _Vertex(name, i) for i, name in enumerate(nodes)}
    for name, (w, h) in nodes.items():
        vertices[name].view = _View(w, h)
    edges: dict[tuple[str, str], _Edge] = {}
    for src, dst in links:
        if src == dst or (src, dst) in edges:
            continue
        e = _Edge(vertices[src], vertices[dst], len(edges))
        e.view = _View()
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
    routes = {k: list(e.view.pts) for k, e in edges.items()}
    return pos, routes
