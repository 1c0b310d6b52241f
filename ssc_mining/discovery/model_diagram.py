"""A process tree as a BPMN-style diagram for lay readers: shapes, positions and lines, as plain data.

The inductive miner gives a process tree; :func:`tree_diagram` turns it into
BPMN shapes — a start and an end circle, a box per activity, diamonds for
choices (``×``: exactly one of the paths) and for parallel work (``+``: all
paths, in any order) — and places them with the same layered layout as the
process map (:func:`~ssc_mining.discovery.map_layout.layered_layout`: top to
bottom, no wider than the page, no overlapping labels). The tree is first
simplified without changing what it allows
(:func:`~ssc_mining.discovery.model_tree.simplify`): an activity that may be
repeated right away is one box with a loop mark (↻), one that may be skipped a
box with a dashed border, instead of diamonds and lines around them; nested
blocks of the same kind are merged. Interleaving (``<>``: in any order, one at a
time) is drawn as parallel work.

The diagram is deterministic: ids follow the tree's (sorted) order, so the same
tree gives the same data. The report draws it (``report.html.j2``); the JSON
file holds it as it is drawn.

Example:
    >>> from ssc_mining._pm4py import import_pm4py
    >>> _ = import_pm4py()
    >>> from pm4py.objects.process_tree.utils.generic import parse
    >>> d = tree_diagram(parse("->( 'Register', X( 'Approve', 'Reject' ), *( 'Work', tau ), X( tau, 'Close' ) )"))
    >>> [n["kind"] for n in d["nodes"]]
    ['start', 'task', 'xor', 'task', 'task', 'xor', 'task', 'task', 'end']
    >>> [(n["label"], n["repeat"], n["optional"]) for n in d["nodes"] if n["kind"] == "task"][3:]
    [('Work', True, False), ('Close', False, True)]
    >>> len(d["flows"])
    9
"""

from __future__ import annotations

from typing import Any

from ssc_mining.discovery.map_layout import (
    Box,
    Link,
    layered_layout,
    text_width,
    wrap_label,
)
from ssc_mining.discovery.model_tree import Node, simplify
from ssc_mining.i18n import gettext as _

_FONT = 12.0
_GATEWAY = 34.0
_EVENT = 36.0


def tree_diagram(tree: Any, *, max_width: float = 760.0) -> dict[str, Any]:
    """The diagram of a process tree (pm4py's, or :class:`~ssc_mining.discovery.model_tree.Node`):
    ``nodes`` (kind, centre, size, label lines), ``flows`` (SVG path data, whether it runs back) and the
    drawing's ``width`` and ``height``."""
    if not isinstance(tree, Node):
        tree = simplify(tree)
    nodes: list[dict[str, Any]] = []
    flows: list[tuple[int, int]] = []

    def add(kind: str, label: str = "", repeat: bool = False, optional: bool = False) -> int:
        nodes.append({"kind": kind, "label": label, "repeat": repeat, "optional": optional})
        return len(nodes) - 1

    def link(a: int, b: int) -> None:
        if (a, b) not in flows:
            flows.append((a, b))

    def through(a: int, part: tuple[int, int] | None, b: int) -> None:
        """Flows from ``a`` into ``part`` and out of it to ``b`` (straight from ``a`` to ``b`` when it is silent)."""
        if part is None:
            link(a, b)
        else:
            link(a, part[0])
            link(part[1], b)

    def build(node: Node) -> tuple[int, int] | None:
        if node.kind == "tau":
            return None  # a silent step: nothing to draw
        if node.kind == "task":
            n = add("task", str(node.label), node.repeat, node.optional)
            return n, n
        if node.kind == "seq":
            steps = [p for p in (build(c) for c in node.children) if p is not None]
            if not steps:
                return None
            for (_a, exit_), (entry, _b) in zip(steps, steps[1:]):
                link(exit_, entry)
            return steps[0][0], steps[-1][1]
        if node.kind == "loop":
            do, *redo = node.children
            join, split = add("xor"), add("xor")
            through(join, build(do), split)
            for r in redo:
                through(split, build(r), join)
            return join, split
        kind = {"xor": "xor", "and": "and", "interleave": "and", "or": "or"}[node.kind]
        split = add(kind)
        parts = [build(c) for c in node.children]
        join = add(kind)
        for part in parts:
            through(split, part, join)
        return split, join

    start = add("start", _("start"))
    body = build(tree)
    end = add("end", _("end"))
    through(start, body, end)
    # order the nodes as drawn: start first, end last
    boxes = []
    for i, n in enumerate(nodes):
        if n["kind"] == "task":
            lines = wrap_label(n["label"], _FONT, 150, 3)
            w = max(max(text_width(t, _FONT) for t in lines) + 20, 70.0)
            h = 12 + 15.0 * len(lines) + (12 if n["repeat"] else 0)
            n["lines"] = lines
            boxes.append(Box(f"n{i}", w, h))
        elif n["kind"] in ("start", "end"):
            n["lines"] = [n["label"]]
            boxes.append(Box(f"n{i}", max(_EVENT, text_width(n["label"], 9) + 8), _EVENT, ports="centre"))
        else:
            n["lines"] = []
            boxes.append(Box(f"n{i}", _GATEWAY, _GATEWAY, ports="centre"))
    geo = layered_layout(boxes, [Link(f"n{a}", f"n{b}") for a, b in flows], first=f"n{start}", last=f"n{end}",
                         max_width=max_width, node_gap=30.0, min_rank_gap=12.0)
    drawn = []
    for i, (n, b) in enumerate(zip(nodes, boxes)):
        x, y = geo.nodes[f"n{i}"]
        drawn.append({"id": f"n{i}", "kind": n["kind"], "label": n["label"], "lines": n["lines"],
                      "repeat": n["repeat"], "optional": n["optional"], "x": x, "y": y, "w": round(b.width, 1),
                      "h": round(b.height, 1)})
    routes = [{"source": f"n{a}", "target": f"n{b}", "d": geo.routes[(f"n{a}", f"n{b}")].d,
               "backwards": geo.routes[(f"n{a}", f"n{b}")].backwards} for a, b in flows]
    return {"nodes": drawn, "flows": routes, "width": geo.width, "height": geo.height,
            "tasks": sum(1 for n in nodes if n["kind"] == "task"),
            "gateways": sum(1 for n in nodes if n["kind"] in ("xor", "and", "or"))}
