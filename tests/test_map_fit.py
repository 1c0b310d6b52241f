"""The map fits and reads (issue 13, item 5) and the discovered model is on the page (item 9).

Geometry in Python: no box, label or line overlaps another's place, in every view; maps fit the page
width; the same input gives the same bytes. In headless Chromium at 1,280 px on the helpdesk and BPIC
2013 logs (with and without sub-statuses): no horizontal scroll, every box inside the map area, no two
labels overlapping, labels inside their boxes, sliders, zoom, the model with its fit, the print
stylesheet; and ``--pdf``. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CHROMIUM, ROOT, SAMPLES, load_real, real_path, run_cli

from ssc_mining.discovery.dfg import DirectlyFollows, directly_follows
from ssc_mining.discovery.fitness import model_fit, tree_fit
from ssc_mining.discovery.inductive import discover_model
from ssc_mining.discovery.map_layout import (
    Box,
    Link,
    layered_layout,
    map_levels,
    rare_activities,
)
from ssc_mining.discovery.model_diagram import tree_diagram
from ssc_mining.discovery.model_tree import accepts, simplify
from ssc_mining.discovery.variants import variant_table
from ssc_mining.loaders import load
from ssc_mining.report.map_figures import map_figures
from ssc_mining.report.process_map import (
    PAGE_WIDTH,
    MapSettings,
    filter_map,
    render_svg,
)

HELPDESK = ("helpdesk-full", "helpdesk.csv")
BPIC13 = ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")


def chain(n: int, seed: int = 1) -> DirectlyFollows:
    """A process-like graph: n activities in order, skips, rework loops and repeats."""
    rng = np.random.default_rng(seed)
    acts = [f"Step {i:02d} of the procedure" for i in range(n)]
    rows = []
    for i in range(n - 1):
        rows.append((acts[i], acts[i + 1], int(rng.integers(200, 1000))))
        if i + 2 < n:
            rows.append((acts[i], acts[i + 2], int(rng.integers(10, 100))))
        if i > 2 and rng.random() < 0.3:
            rows.append((acts[i], acts[i - 2], int(rng.integers(5, 50))))
        if rng.random() < 0.2:
            rows.append((acts[i], acts[i], int(rng.integers(5, 50))))
    edges = pd.DataFrame(rows, columns=["source", "target", "events"]).assign(
        cases=lambda f: f["events"], median_seconds=lambda f: f["events"] * 97.0, mean_seconds=5000.0)
    nodes = pd.DataFrame({"activity": acts, "events": rng.integers(500, 2000, n), "cases": 400})
    return DirectlyFollows(nodes, edges, pd.Series({acts[0]: 400, acts[1]: 3}),
                           pd.Series({acts[-1]: 400, acts[n // 2]: 2}))


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float], tol: float = 0.5) -> bool:
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def assert_no_overlap(boxes: list[Box], links: list[Link], **kw) -> None:  # type: ignore[no-untyped-def]
    """Boxes and labels never overlap; lines run sideways only between rows and never through a box or
    a label that is not their own."""
    lay = layered_layout(boxes, links, **kw)
    size = {b.name: b for b in boxes}
    rects = {("node", n): (x - size[n].width / 2, y - size[n].height / 2, x + size[n].width / 2 + size[n].extra_right,
                           y + size[n].height / 2) for n, (x, y) in lay.nodes.items()}
    for link in links:
        route = lay.routes.get((link.source, link.target))
        if route and route.label and link.label:
            lx, ly = route.label
            rects[("label", link.source, link.target)] = (lx, ly - link.label[1] / 2, lx + link.label[0],
                                                          ly + link.label[1] / 2)
    items = list(rects.items())
    for i, (ka, a) in enumerate(items):
        for kb, b in items[i + 1:]:
            assert not _overlap(a, b), (ka, kb)
    for (src, dst), route in lay.routes.items():
        own = {("node", src), ("node", dst), ("label", src, dst)}
        for (x0, y0), (x1, y1) in zip(route.points, route.points[1:]):
            lo, hi = min(y0, y1), max(y0, y1)
            for key, (rx0, ry0, rx1, ry1) in rects.items():
                if key in own:
                    continue
                if abs(x1 - x0) < 0.05:  # a straight run down a row
                    assert not (rx0 + 0.5 < x0 < rx1 - 0.5 and ry0 + 0.5 < hi and lo < ry1 - 0.5), (src, dst, key)
                else:  # sideways: only in the gap between two rows
                    assert not (ry0 + 0.5 < hi and lo < ry1 - 0.5), (src, dst, key)


def _map_geometry(dfg: DirectlyFollows) -> tuple[list[Box], list[Link]]:
    """The boxes and labelled lines render_svg lays out for ``dfg`` (widest label of the four views)."""
    from ssc_mining.report import process_map as pm

    counts = dict(zip(dfg.nodes["activity"], dfg.nodes["events"]))
    boxes = [Box(pm.START, 60, 26, ports="ellipse")]
    boxes += [Box(a, max(pm.text_width(a, 12) + 20, 72), 39) for a in sorted(counts, key=lambda a: -counts[a])]
    boxes.append(Box(pm.END, 60, 26, ports="ellipse"))
    links = [Link(l_["src"], l_["dst"], l_["events"], pm._label_size(pm._texts(l_)))
             for l_ in pm._links(dfg) if l_["src"] != l_["dst"]]
    return boxes, links


@pytest.mark.parametrize("n", [5, 20, 30])
def test_no_box_label_or_line_in_anothers_place(n: int):
    dfg = filter_map(chain(n), MapSettings(path_coverage=1.0)).dfg
    boxes, links = _map_geometry(dfg)
    assert_no_overlap(boxes, links, first=boxes[0].name, last=boxes[-1].name)


def test_maps_fit_the_page_and_say_what_they_show():
    for n in (5, 30):
        svg = render_svg(filter_map(chain(n), MapSettings()).dfg)
        width = float(svg.split('width="', 1)[1].split('"', 1)[0])
        assert width <= PAGE_WIDTH and 'style="max-width:100%;height:auto"' in svg
    svg = render_svg(chain(6), mode="total")
    assert 'data-mode="total"' in svg and 'class="pm-total"' in svg and 'class="pm-mean"' in svg
    assert 'data-w-mean="' in svg and 'data-total="' in svg


def test_rare_activities_are_chips_not_boxes():
    dfg = chain(8)
    rare = dfg.nodes["activity"].iloc[-1]
    svg = render_svg(dfg, rare=[rare])
    assert svg.count('data-rare="true"') == 1 and svg.count('class="pm-node"') == 8
    nodes = dfg.nodes.assign(events=[10_000] * 7 + [3])
    assert rare_activities(DirectlyFollows(nodes, dfg.edges, dfg.starts, dfg.ends), 0.001) == [rare]


def test_levels_keep_the_settings_asked_at_the_default_and_are_deterministic():
    log = load(SAMPLES / "generic-events.csv")
    dfg = directly_follows(log)
    levels = map_levels(dfg, MapSettings(activity_coverage=0.9, path_coverage=0.8))
    default = levels.maps[levels.default]
    assert default.to_dict() == filter_map(dfg, MapSettings(activity_coverage=0.9, path_coverage=0.8)).to_dict()
    assert levels.activities == sorted(set(levels.activities)) and levels.activities[-1] == len(dfg.nodes)
    assert 0.8 in levels.paths and 1.0 in levels.paths
    first, second = map_figures(log, MapSettings()), map_figures(log, MapSettings())
    assert json.dumps(first, sort_keys=True, default=str) == json.dumps(second, sort_keys=True, default=str)
    assert first["svg"].count("<template") == len(set(first["svg"].split("<template")[1:]))
    assert first["model"]["fit"]["cases_checked"] == log.n_cases and "seconds" not in first["model"]


def test_tree_check_equals_replay_on_the_petri_net():
    log = load(SAMPLES / "generic-events.csv")
    table = variant_table(log)
    for coverage in (0.5, 0.8, 1.0):
        model = discover_model(table, coverage=coverage)
        by_tree = tree_fit(model.tree, table)
        by_net = model_fit(model.net, model.initial_marking, model.final_marking, table)
        assert by_net.stopped is None
        assert (by_tree.cases_fitting, by_tree.variants_fitting) == (by_net.cases_fitting, by_net.variants_fitting)
        assert by_tree.cases_fitting >= model.cases_covered  # the inductive miner fits what it was mined on


def test_simplified_tree_allows_the_same_and_draws_bpmn_shapes():
    from ssc_mining._pm4py import import_pm4py

    import_pm4py()
    from pm4py.objects.process_tree.utils.generic import parse

    tree = parse("->( 'A', X( tau, *( 'B', tau ) ), +( X( tau, 'C' ), 'D' ), *( ->( 'E', 'F' ), 'G' ) )")
    node = simplify(tree)
    yes = [("A", "D", "E", "F"), ("A", "B", "B", "C", "D", "E", "F"), ("A", "D", "C", "E", "F", "G", "E", "F")]
    no = [("A", "E", "F"), ("A", "D", "E", "F", "G"), ("B", "A", "D", "E", "F"), ("A", "D", "E")]
    assert all(accepts(node, t) for t in yes) and not any(accepts(node, t) for t in no)
    diagram = tree_diagram(node)
    kinds = [n["kind"] for n in diagram["nodes"]]
    assert kinds[0] == "start" and kinds[-1] == "end" and "and" in kinds and "xor" in kinds
    tasks = {n["label"]: n for n in diagram["nodes"] if n["kind"] == "task"}
    assert tasks["B"]["repeat"] and tasks["B"]["optional"] and tasks["C"]["optional"] and not tasks["A"]["optional"]
    assert any(f["backwards"] for f in diagram["flows"])  # the loop back from G to E
    boxes = [Box(n["id"], n["w"], n["h"]) for n in diagram["nodes"]]
    for a, b in [(p, q) for i, p in enumerate(diagram["nodes"]) for q in diagram["nodes"][i + 1:]]:
        assert not _overlap((a["x"] - a["w"] / 2, a["y"] - a["h"] / 2, a["x"] + a["w"] / 2, a["y"] + a["h"] / 2),
                            (b["x"] - b["w"] / 2, b["y"] - b["h"] / 2, b["x"] + b["w"] / 2, b["y"] + b["h"] / 2))
    assert len(boxes) == len(diagram["nodes"])


@pytest.mark.realdata
@pytest.mark.parametrize("parts", [HELPDESK, BPIC13])
def test_real_maps_fit_at_every_level_and_their_model_is_checked_fast(parts):
    import time

    log = load_real(*parts)
    dfg = directly_follows(log)
    levels = map_levels(dfg, MapSettings())
    rare = rare_activities(dfg, 0.001)
    for key, kept in levels.maps.items():
        svg = render_svg(kept.dfg, rare=rare)
        width = float(svg.split('width="', 1)[1].split('"', 1)[0])
        if key[1] < len(levels.paths) - 1:  # every arrow of a big log may be wider; it is scaled down
            assert width <= PAGE_WIDTH, (key, width)
    boxes, links = _map_geometry(levels.maps[levels.default].dfg)
    assert_no_overlap(boxes, links, first=boxes[0].name, last=boxes[-1].name)
    table = variant_table(log)
    model = discover_model(table, coverage=0.8)
    started = time.perf_counter()
    fit = tree_fit(model.tree, table)
    assert time.perf_counter() - started < 5 and fit.cases_checked == log.n_cases
    assert fit.cases_fitting >= model.cases_covered


# --- in the browser ---------------------------------------------------------------------------------------
from test_browser import ARTIFACTS, open_report  # noqa: E402

_GEOMETRY = """(sel) => {
  const block = document.querySelector(sel), wrap = block.querySelector('.map-wrap'), svg = wrap.querySelector('svg');
  const w = wrap.getBoundingClientRect();
  const box = (r) => [r.left, r.top, r.right, r.bottom];
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const nodes = [...svg.querySelectorAll('g.pm-node, g.pm-terminal, g.pmod-task, g.pmod-gateway, g.pmod-event')];
  const texts = [...svg.querySelectorAll('text')].filter(visible).map((t) => box(t.getBoundingClientRect()));
  const inBox = [...svg.querySelectorAll('g.pm-node')].map((g) => {
    const r = g.querySelector('rect').getBoundingClientRect();
    return [...g.querySelectorAll('text')].filter(visible).every((t) => {
      const q = t.getBoundingClientRect();
      return q.left >= r.left - 0.5 && q.right <= r.right + 0.5 && q.top >= r.top - 0.5 && q.bottom <= r.bottom + 0.5;
    });
  });
  return {wrap: box(w), nodes: nodes.map((g) => box(g.getBoundingClientRect())), texts, inBox,
          edges: svg.querySelectorAll('g.pm-edge').length, viewBox: svg.getAttribute('viewBox'),
          scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
}"""


def _check_fits(page, selector: str) -> dict:  # type: ignore[no-untyped-def]
    g = page.evaluate(_GEOMETRY, selector)
    assert g["scrollWidth"] <= g["innerWidth"], "the page scrolls sideways"
    left, top, right, bottom = g["wrap"]
    for n in g["nodes"]:
        assert n[0] >= left - 0.5 and n[2] <= right + 0.5 and n[1] >= top - 0.5 and n[3] <= bottom + 0.5, (n, g["wrap"])
    texts = g["texts"]
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert not _overlap(tuple(a), tuple(b)), (a, b)
    assert all(g["inBox"]), "a label is wider than its box"
    return g


def _report(tmp_path: Path, source: Path, *extra: str) -> Path:
    result = run_cli("report", source, "-o", tmp_path, "--lang", "en", "--lang", "nl", *extra)
    assert result.returncode == 0, result.stderr
    return tmp_path


def _bpic13_with_statuses(tmp_path: Path) -> Path:
    """BPIC 2013 incidents with status and sub-status as the activity (13 activities, the widest map)."""
    frame = load_real(*BPIC13).frame
    frame = frame.assign(**{"concept:name": frame["concept:name"].astype(str) + " – "
                            + frame["lifecycle:transition"].astype(str)})
    path = tmp_path / "bpic13-statuses.csv"
    frame[["case:concept:name", "concept:name", "time:timestamp", "org:group"]].to_csv(path, index=False)
    return path


@pytest.mark.browser
@pytest.mark.realdata
@pytest.mark.parametrize("which", ["helpdesk", "bpic13", "bpic13-statuses"])
def test_real_map_fits_reads_slides_and_zooms_in_chromium(browser, tmp_path: Path, which: str):
    source = {"helpdesk": lambda: real_path(*HELPDESK), "bpic13": lambda: real_path(*BPIC13),
              "bpic13-statuses": lambda: _bpic13_with_statuses(tmp_path)}[which]()
    out = _report(tmp_path / "out", Path(source))
    html = min(p for p in out.glob("*.html") if not p.name.endswith(".nl.html"))
    data = json.loads(html.with_suffix(".json").read_text())
    for page_file in (html, html.with_name(html.name[:-5] + ".nl.html")):
        page, errors, external, dialogs = open_report(browser, page_file)
        page.add_style_tag(content="nav{position:static !important}")  # keep the sticky bar out of screenshots
        main = "#process-map .pm-main"
        geometry = _check_fits(page, main)
        assert len(list(geometry["nodes"])) == len(data["process_map"]["nodes"]) + 2
        if page_file == html:
            page.locator(main).scroll_into_view_if_needed()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.locator(main).screenshot(path=str(ARTIFACTS / f"map-fit-{which}.png"))
        # the time views: labels still apart, and the statistic is named
        for mode, word in (("performance", "median"), ("mean", "mean"), ("total", "total")):
            page.locator(f"button[data-pm-mode={mode}]").click()
            _check_fits(page, main)
            if page_file == html:
                assert word in page.locator(f"#process-map [data-pm-for={mode}]").inner_text().lower()
        if page_file == html:
            page.locator(main).screenshot(path=str(ARTIFACTS / f"map-fit-{which}-total.png"))
        page.locator("button[data-pm-mode=frequency]").click()
        # sliders: fewer activities and arrows at the left end, back to the default at its place
        acts, arrows = page.locator("#pm-acts"), page.locator("#pm-arrows")
        default = (acts.input_value(), arrows.input_value())
        before = page.evaluate(_GEOMETRY, main)
        acts.fill("0")
        arrows.fill("0")
        fewer = _check_fits(page, main)
        if data["process_map"]["levels"]["activities"][0] < len(data["process_map"]["nodes"]):
            assert len(fewer["nodes"]) < len(before["nodes"])
        assert fewer["edges"] <= before["edges"]
        arrows.fill(str(len(data["process_map"]["levels"]["paths"]) - 1))
        acts.fill(str(len(data["process_map"]["levels"]["activities"]) - 1))
        more = _check_fits(page, main)
        assert more["edges"] > fewer["edges"]
        assert page.locator("#process-map [data-pm-out=acts]").inner_text()
        acts.fill(default[0])
        arrows.fill(default[1])
        assert page.evaluate(_GEOMETRY, main)["edges"] == before["edges"]
        # zoom: the buttons change the scale, the whole-map button brings every box back in view
        node = page.locator(f"{main} svg.process-map g.pm-node").first
        width = node.bounding_box()["width"]
        page.locator(f"{main} button[data-pm-zoom=in]").click()
        assert node.bounding_box()["width"] > width * 1.2
        page.locator(f"{main} .map-wrap").focus()
        page.keyboard.press("-")
        page.keyboard.press("ArrowRight")
        page.locator(f"{main} button[data-pm-zoom=fit]").click()
        assert abs(node.bounding_box()["width"] - width) < 0.5
        _check_fits(page, main)
        # the model: BPMN shapes, a sentence on its fit, fitting the page too
        model = page.locator("#process-map .pm-model-block svg.process-model")
        assert model.locator("g.pmod-event").count() == 2 and model.locator("g.pmod-task").count() >= 1
        assert page.locator("#process-map .pm-fitness").inner_text().strip()
        _check_fits(page, "#process-map .pm-model-block")
        if page_file == html:
            assert " in 10 tickets" in page.locator(".pm-fitness").inner_text() or "tickets (" in \
                page.locator(".pm-fitness").inner_text()
            page.locator("#process-model").scroll_into_view_if_needed()
            page.locator("#process-map .pm-model").screenshot(path=str(ARTIFACTS / f"model-{which}.png"))
        assert errors == [] and external == [] and dialogs == []
        page.context.close()


@pytest.mark.browser
def test_print_hides_the_instructions_and_keeps_the_map_whole(browser, tmp_path: Path):
    out = _report(tmp_path, SAMPLES / "generic-events.csv")
    page, errors, *_ = open_report(browser, out / "generic-events.html")
    page.locator("#process-map .pm-main button[data-pm-zoom=in]").click()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    for hidden in (".pm-instructions", ".pm-detail", ".pm-toolbar", ".pm-controls"):
        assert not page.locator(f"#process-map {hidden}").first.is_visible(), hidden
    assert page.locator("#process-map .pm-legend").is_visible()
    svg = page.locator("#process-map .pm-main svg.process-map")
    numbers = [[float(v) for v in svg.get_attribute(a).split()] for a in ("viewBox", "data-vb")]
    assert numbers[0] == pytest.approx(numbers[1], abs=0.06)  # zoom reset for printing
    box = svg.bounding_box()
    assert box["height"] <= 160 / 25.4 * 96 + 1  # at most 160 mm high: fits an A4 page with its legend
    page.emulate_media(media="screen")
    assert page.locator("#process-map .pm-instructions").is_visible()
    assert errors == []


@pytest.mark.browser
def test_pdf_is_written_and_listed_in_the_manifest(tmp_path: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (CI installs it in .ci/run)")
    result = run_cli("report", SAMPLES / "generic-events.csv", "-o", tmp_path, "--lang", "en", "--lang", "nl",
                     "--pdf")
    assert result.returncode == 0, result.stderr
    for name in ("generic-events.pdf", "generic-events.nl.pdf"):
        assert (tmp_path / name).read_bytes().startswith(b"%PDF")
        assert f"  {name}\n" in (tmp_path / "generic-events.sha256").read_text()
    check = subprocess.run(["sha256sum", "-c", "generic-events.sha256"], cwd=tmp_path, capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    first = (tmp_path / "generic-events.pdf").read_bytes()
    assert b"/CreationDate (D:2000" in first  # no time of printing in the file


def test_pdf_without_chromium_says_so(tmp_path: Path):
    result = run_cli("report", SAMPLES / "generic-events.csv", "-o", tmp_path, "--pdf",
                     env={"SSC_MINING_CHROMIUM": str(tmp_path / "no-chromium")})
    assert result.returncode == 2
    assert "--pdf needs Chromium" in result.stderr and "apt-get install chromium" in result.stderr
    assert (tmp_path / "generic-events.html").exists() and not (tmp_path / "generic-events.pdf").exists()


def test_reruns_give_the_same_bytes(tmp_path: Path):
    pages = []
    for seed in ("0", "4242"):  # the command line is part of the report: the same options, from two folders
        (tmp_path / seed).mkdir()
        result = run_cli("report", SAMPLES / "generic-events.csv", "-o", "out", "--lang", "en", "--lang", "nl",
                         cwd=tmp_path / seed,
                         env={"PYTHONHASHSEED": seed, "SSC_MINING_PSEUDONYM_KEY": "a fixed key for this test"})
        assert result.returncode == 0, result.stderr
        pages.append([(tmp_path / seed / "out" / name).read_bytes()
                      for name in ("generic-events.html", "generic-events.nl.html", "generic-events.json")])
    assert pages[0] == pages[1]


def test_the_architecture_keeps_layout_out_of_the_report():
    import ast

    for module in ("map_layout", "model_diagram", "model_tree", "fitness"):
        tree = ast.parse((ROOT / "ssc_mining" / "discovery" / f"{module}.py").read_text())
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith("ssc_mining.report")], module
