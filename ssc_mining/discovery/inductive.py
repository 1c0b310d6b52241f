"""A process model from pm4py's inductive miner, on the variants covering a share of the cases.

The inductive miner's cost follows the number of variants (about 1.4 ms each on
this project's machines), so :func:`discover_model` mines only the most
frequent variants that together cover ``coverage`` of the cases (at most
``max_variants``). The model states the coverage it was mined on
(:meth:`DiscoveredModel.caption`), and so do the exported files: a text
annotation in the BPMN file, the net's name in the PNML file.

BPMN files are laid out with grandalf (no Graphviz needed) and their element
ids are numbered in order, so a model gives the same file every run.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": list("112233"),
    ...     "concept:name": ["A", "B", "A", "B", "A", "C"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"] * 3, utc=True)}))
    >>> model = discover_model(log, coverage=0.6)
    >>> str(model.tree), model.variants_used, model.variants_total
    ("->( 'A', 'B' )", 1, 2)
    >>> model.caption()
    'Found by the inductive miner from the 1 most frequent of 2 paths, which cover 66.7 % of the tickets (asked: 60 %).'
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ssc_mining._io import atomic_write_text
from ssc_mining._pm4py import import_pm4py, quiet
from ssc_mining.discovery.variants import VariantTable, variant_table
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import gettext as _


@dataclass
class DiscoveredModel:
    """The process tree, its Petri net and BPMN, and the coverage it was mined on."""

    tree: Any
    net: Any
    initial_marking: Any
    final_marking: Any
    bpmn: Any
    coverage: float              # asked
    variants_used: int
    variants_total: int
    cases_covered: int
    cases_total: int
    seconds: float               # inductive miner and conversions (not the loading)

    @property
    def case_share(self) -> float:
        return self.cases_covered / max(self.cases_total, 1)

    def caption(self) -> str:
        """The coverage the model was mined on, in words."""
        return _("Found by the inductive miner from the %(used)s most frequent of %(total)s paths, which cover "
                 "%(share)s of the tickets (asked: %(asked)s).") % {
            "used": format_number(self.variants_used), "total": format_number(self.variants_total),
            "share": format_share(self.case_share), "asked": format_share(self.coverage, 0)}

    def to_dict(self) -> dict[str, Any]:
        return {"tree": str(self.tree), "coverage": self.coverage, "variants_used": self.variants_used,
                "variants_total": self.variants_total, "cases_covered": self.cases_covered,
                "cases_total": self.cases_total, "case_share": round(self.case_share, 6),
                "seconds": round(self.seconds, 3), "caption": self.caption()}


def mine_tree(uvcl: Any, noise_threshold: float = 0.0) -> Any:
    """pm4py's inductive miner (IMf when ``noise_threshold`` > 0) on a variant Counter, quietly."""
    import_pm4py()  # banner off before pm4py's submodules load
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.im import IMUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
    from pm4py.objects.process_tree.utils.generic import fold, tree_sort

    params = {"noise_threshold": noise_threshold, "multiprocessing": False}
    with quiet():
        miner = IMFUVCL(params) if noise_threshold > 0 else IMUVCL(params)
        tree = fold(miner.apply(IMDataStructureUVCL(uvcl), params))
        tree_sort(tree)
    return tree


def discover_model(log: EventLog | VariantTable, *, coverage: float = 0.8, max_variants: int = 5000,
                   noise_threshold: float = 0.0) -> DiscoveredModel:
    """Mine a process tree on the most frequent variants covering ``coverage`` of the cases."""
    pm4py = import_pm4py()
    table = log if isinstance(log, VariantTable) else variant_table(log)
    k = table.covering(coverage, max_variants)
    started = time.perf_counter()
    tree = mine_tree(table.uvcl(k), noise_threshold)
    with quiet():
        net, im, fm = pm4py.convert_to_petri_net(tree)
        bpmn = pm4py.convert_to_bpmn(tree)
    return DiscoveredModel(tree=tree, net=net, initial_marking=im, final_marking=fm, bpmn=bpmn,
                           coverage=coverage, variants_used=k, variants_total=table.n,
                           cases_covered=int(table.counts[:k].sum()), cases_total=table.n_cases,
                           seconds=time.perf_counter() - started)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _renumber(xml: str) -> str:
    """Replace pm4py's random uuids by numbers in order of appearance (stable files)."""
    seen: dict[str, str] = {}
    return _UUID.sub(lambda m: seen.setdefault(m.group(0), f"{len(seen) + 1:04d}"), xml)


def layout_bpmn(bpmn: Any) -> None:
    """Give every BPMN node a position and every flow its waypoints (left to right), with grandalf."""
    from pm4py.objects.bpmn.obj import BPMN

    from ssc_mining.discovery.map_layout import layout

    nodes = sorted(bpmn.get_nodes(), key=lambda n: (type(n).__name__, n.get_name(), n.get_id()))
    size = {}
    for n in nodes:
        if isinstance(n, BPMN.Task):
            size[n.get_id()] = (100.0, 60.0)
        elif isinstance(n, BPMN.Gateway):
            size[n.get_id()] = (50.0, 50.0)
        elif isinstance(n, BPMN.TextAnnotation):
            size[n.get_id()] = (300.0, 40.0)
        else:
            size[n.get_id()] = (36.0, 36.0)
    flows = sorted(bpmn.get_flows(), key=lambda f: (f.get_source().get_id(), f.get_target().get_id()))
    # grandalf lays out top-down with widths across; swap the axes for BPMN's left-to-right convention
    pos, routes = layout({k: (h, w) for k, (w, h) in size.items()},
                         [(f.get_source().get_id(), f.get_target().get_id()) for f in flows], xspace=30, yspace=50)
    lay = bpmn.get_layout()
    for n in nodes:
        w, h = size[n.get_id()]
        y, x = pos[n.get_id()]
        node_layout = lay.get(n)
        node_layout.set_x(round(x - w / 2, 1))
        node_layout.set_y(round(y - h / 2, 1))
        node_layout.set_width(w)
        node_layout.set_height(h)
    for f in flows:
        s, t = f.get_source(), f.get_target()
        (sy, sx), (ty, tx) = pos[s.get_id()], pos[t.get_id()]
        inner = [(round(x, 1), round(y, 1)) for y, x in routes.get((s.get_id(), t.get_id()), [])[1:-1]]
        edge = lay.get(f)
        edge.del_waypoints()
        for point in [(round(sx + size[s.get_id()][0] / 2, 1), round(sy, 1)), *inner,
                      (round(tx - size[t.get_id()][0] / 2, 1), round(ty, 1))]:
            edge.add_waypoint(point)


def bpmn_xml(bpmn: Any, caption: str | None = None) -> str:
    """The BPMN 2.0 XML of ``bpmn`` with a layout, and ``caption`` as a text annotation."""
    import_pm4py()
    from pm4py.objects.bpmn.exporter.variants.etree import get_xml_string
    from pm4py.objects.bpmn.obj import BPMN

    if caption:
        process = next(iter(bpmn.get_nodes())).get_process()
        bpmn.add_node(BPMN.TextAnnotation(name="", process=process, text=caption))
    layout_bpmn(bpmn)
    with quiet():
        xml = get_xml_string(bpmn, parameters={"encoding": "utf-8"})
    return _renumber(xml.decode("utf-8") if isinstance(xml, bytes) else xml)


def write_bpmn(bpmn: Any, path: str | Path, caption: str | None = None) -> Path:
    """Write ``bpmn`` as a BPMN 2.0 XML file (laid out, stable ids)."""
    path = Path(path)
    atomic_write_text(path, bpmn_xml(bpmn, caption))
    return path


def write_pnml(net: Any, initial_marking: Any, final_marking: Any, path: str | Path,
               caption: str | None = None) -> Path:
    """Write a Petri net as PNML, named with ``caption``."""
    import_pm4py()
    from xml.sax.saxutils import escape

    from pm4py.objects.petri_net.exporter.variants.pnml import export_petri_as_string

    net.name = "net1"
    with quiet():
        xml = export_petri_as_string(net, initial_marking, final_marking)
    xml = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    if caption:
        xml = xml.replace("<name>\n      <text>net1</text>", f"<name>\n      <text>{escape(caption)}</text>", 1)
        xml = xml.replace("<text>net1</text>", f"<text>{escape(caption)}</text>", 1)
    path = Path(path)
    atomic_write_text(path, _renumber(xml))
    return path
