"""The import structure follows the data: exports → loaders → event log → analysers → results → report.

Checked on the source (every import, also those inside functions): discovery never imports the report; the
event log, loaders and results never import analysers, discovery or the report; the selection of tickets
(filters) comes after the analysers and before the report and the explorer (serve), which nothing but the command
line imports; analysers do not import each other (only the shared toolkit, base and helpers); and the package has
no import cycle among its modules' top-level imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ssc_mining"
#: analyser modules that are shared infrastructure, not analysers
ANALYSER_SHARED = {"base", "toolkit", "case_table", "chains", "registry", "runner", "presets", "__init__"}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The ssc_mining modules ``path`` imports (``from a.b import c`` counts as a.b, and a.b.c when c is one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ssc_mining"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ssc_mining"):
            found.add(node.module)
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists():
                    found.add(candidate)
    return found


SOURCES = {_module(p): p for p in PACKAGE.rglob("*.py")}


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("lower,higher", [
    ("ssc_mining.discovery", "ssc_mining.report"),
    ("ssc_mining.eventlog", "ssc_mining.analysers"), ("ssc_mining.eventlog", "ssc_mining.report"),
    ("ssc_mining.loaders", "ssc_mining.analysers"), ("ssc_mining.loaders", "ssc_mining.report"),
    ("ssc_mining.loaders", "ssc_mining.discovery"),
    ("ssc_mining.results", "ssc_mining.analysers"), ("ssc_mining.results", "ssc_mining.report"),
    ("ssc_mining.analysers", "ssc_mining.report"),
    ("ssc_mining.engines", "ssc_mining.report"), ("ssc_mining.engines", "ssc_mining.analysers"),
    ("ssc_mining.loaders", "ssc_mining.engines"), ("ssc_mining.eventlog", "ssc_mining.engines"),
    ("ssc_mining.discovery", "ssc_mining.engines"),
    # the selection of tickets (filters) comes after the analysers, before the report and the explorer
    ("ssc_mining.eventlog", "ssc_mining.selection"), ("ssc_mining.loaders", "ssc_mining.selection"),
    ("ssc_mining.analysers", "ssc_mining.selection"), ("ssc_mining.discovery", "ssc_mining.selection"),
    ("ssc_mining.selection", "ssc_mining.report"), ("ssc_mining.selection", "ssc_mining.serve"),
    # the explorer is the top: nothing but the command line imports it
    ("ssc_mining.report", "ssc_mining.serve"), ("ssc_mining.analysers", "ssc_mining.serve"),
    ("ssc_mining.engines", "ssc_mining.serve"), ("ssc_mining.eventlog", "ssc_mining.serve"),
])
def test_no_upward_import(lower: str, higher: str):
    upward = sorted(f"{m} → {i}" for m, p in SOURCES.items() if _under(m, lower)
                    for i in _imports(p) if _under(i, higher))
    assert upward == [], f"{lower} must not import {higher}: {upward}"


def test_analysers_do_not_import_each_other():
    analysers = {m for m in SOURCES if m.startswith("ssc_mining.analysers.")
                 and m.rsplit(".", 1)[1] not in ANALYSER_SHARED}
    assert {"ssc_mining.analysers.handoffs", "ssc_mining.analysers.waiting"} <= analysers
    crossing = sorted(f"{m} → {i}" for m in analysers for i in _imports(SOURCES[m]) if i in analysers and i != m
                      and not i.endswith(".compare"))
    assert crossing == [], f"analysers import each other (move the shared part to the toolkit): {crossing}"


def test_no_import_cycle_at_module_level():
    graph = nx.DiGraph()
    for module, path in SOURCES.items():
        for imported in _imports(path, top_level_only=True):
            target = imported if imported in SOURCES else imported.rsplit(".", 1)[0]
            if target in SOURCES and target != module and not module.startswith(target + "."):
                graph.add_edge(module, target)
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert cycles == [], f"import cycles: {cycles[:5]}"


def test_report_html_and_results_html_do_not_import_each_other():
    html, results = SOURCES["ssc_mining.report.html"], SOURCES["ssc_mining.report.results_html"]
    assert "ssc_mining.report.html" not in _imports(results)
    assert "ssc_mining.report.results_html" in _imports(html)
