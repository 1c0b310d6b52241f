"""The process map's SVG: escaped labels, both modes, readable for 5 and for 60 activities; and in the browser:
the map is drawn, the frequency/performance switch and click-for-details work, nothing is logged as an error."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES, run_cli

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.report.process_map import MapSettings, filter_map, render_svg

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
NS = "{http://www.w3.org/2000/svg}"


def chain(n: int, seed: int = 1) -> DirectlyFollows:
    """A process-like graph: n activities in order, with skips and some rework loops."""
    rng = np.random.default_rng(seed)
    acts = [f"Step {i:02d} of the procedure" for i in range(n)]
    rows = []
    for i in range(n - 1):
        rows.append((acts[i], acts[i + 1], int(rng.integers(200, 1000))))
        if i + 2 < n:
            rows.append((acts[i], acts[i + 2], int(rng.integers(10, 100))))
        if i > 2 and rng.random() < 0.3:
            rows.append((acts[i], acts[i - 2], int(rng.integers(5, 50))))
    edges = pd.DataFrame(rows, columns=["source", "target", "events"]).assign(
        cases=lambda f: f["events"], median_seconds=3600.0, mean_seconds=5000.0)
    nodes = pd.DataFrame({"activity": acts, "events": rng.integers(500, 2000, n), "cases": 400})
    return DirectlyFollows(nodes, edges, pd.Series({acts[0]: 400}), pd.Series({acts[-1]: 400}))


def test_hostile_labels_are_escaped():
    nodes = pd.DataFrame({"activity": HOSTILE + ["B"], "events": [3, 2, 1], "cases": 1})
    edges = pd.DataFrame({"source": [HOSTILE[0], HOSTILE[1]], "target": [HOSTILE[1], "B"], "events": [1, 1],
                          "cases": 1, "median_seconds": 60.0, "mean_seconds": 60.0})
    dfg = DirectlyFollows(nodes, edges, pd.Series({HOSTILE[0]: 1}), pd.Series({"B": 1}))
    svg = render_svg(dfg, title=HOSTILE[0], note=HOSTILE[1])
    for text in HOSTILE:
        assert text not in svg
    root = ET.fromstring(svg)  # well-formed XML
    assert [g.get("data-activity") for g in root.iter(f"{NS}g") if g.get("class") == "pm-node"][:2] == HOSTILE
    assert "\x00" not in svg


@pytest.mark.parametrize("n", [5, 60])
def test_readable_for_few_and_many_activities(n: int):
    kept = filter_map(chain(n), MapSettings(max_activities=60))
    svg = render_svg(kept.dfg)
    root = ET.fromstring(svg)
    assert sum(1 for g in root.iter(f"{NS}g") if g.get("class") == "pm-node") == n
    width, height = float(root.get("width")), float(root.get("height"))
    if n == 5:
        assert width < 1100 and "max-width:100%" in root.get("style")
    else:  # a wide map is drawn at natural size (it scrolls), never shrunk into illegible text
        assert width < 4000 and height < 8000
        assert root.get("style") == ("max-width:none" if width > 1100 else "max-width:100%;height:auto")
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("class") is None and t.text]
    assert all(len(label) <= 34 for label in labels)


def test_both_modes_carry_counts_and_times():
    dfg = chain(5)
    freq, perf = render_svg(dfg, mode="frequency"), render_svg(dfg, mode="performance")
    assert 'data-mode="frequency"' in freq and 'data-mode="performance"' in perf
    root = ET.fromstring(perf)
    edge = next(g for g in root.iter(f"{NS}g") if g.get("class") == "pm-edge")
    assert edge.get("data-median") == "3600.0" and edge.get("data-mean") == "5000.0" and edge.get("data-events")
    assert [t.text for t in edge.iter(f"{NS}text") if t.get("class") == "pm-perf"] == ["1.0 h"]
    with pytest.raises(ValueError):
        render_svg(dfg, mode="colour")  # type: ignore[arg-type]



def test_same_drawing_in_every_language_with_room_for_the_widest_labels():
    """The layout is the same in EN and NL; every label fits the room the layout gave it in both."""
    from ssc_mining.discovery.map_layout import text_width
    from ssc_mining.i18n import language

    base = chain(8, seed=3)
    dfg = DirectlyFollows(base.nodes, base.edges.assign(median_seconds=3.5 * 86400, mean_seconds=40 * 86400.0),
                          base.starts, base.ends)
    drawn = {}
    for lang in ("en", "nl"):
        with language(lang):
            drawn[lang] = ET.fromstring(render_svg(dfg))

    def geometry(root: ET.Element) -> list[tuple[str, ...]]:
        return [(el.tag, el.get("x", ""), el.get("y", ""), el.get("width", ""), el.get("d", ""), el.get("rx", ""))
                for el in root.iter() if el.tag in (f"{NS}rect", f"{NS}path", f"{NS}ellipse")]

    assert geometry(drawn["en"]) == geometry(drawn["nl"]) and drawn["en"].get("viewBox") == drawn["nl"].get(
        "viewBox")
    perf = {lang: [t.text for t in root.iter(f"{NS}text") if t.get("class") == "pm-perf"]
            for lang, root in drawn.items()}
    assert perf["en"][0] == "3.5 days" and perf["nl"][0] != perf["en"][0]  # the texts are translated
    for lang, root in drawn.items():  # each box is wide enough for its count line in this language
        for g in root.iter(f"{NS}g"):
            if g.get("class") != "pm-node":
                continue
            box = g.find(f"{NS}rect")
            cases = next(t.text for t in g.iter(f"{NS}text") if t.get("class") == "pm-cases")
            with language(lang):
                assert text_width(cases, 10) + 20 <= float(box.get("width")) + 1e-6, (lang, cases)


# --- in the browser ---------------------------------------------------------------------------------------
from test_browser import ARTIFACTS, open_report  # noqa: E402


@pytest.mark.browser
def test_map_in_chromium_switches_modes_and_shows_details(browser, tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("report", SAMPLES / "generic-events.csv", "-o", out,
                     "--reference", SAMPLES / "reference-process.bpmn")
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "generic-events.json").read_text())
    page, errors, external, dialogs = open_report(browser, out / "generic-events.html")
    main = page.locator("#process-map .pm-block").first.locator("svg.process-map")
    assert main.locator("g.pm-node").count() == len(data["process_map"]["nodes"]) == data["overview"]["activities"]
    assert main.locator("g.pm-terminal").count() == 2
    page.locator("#process-map").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#process-map .map-wrap").first.screenshot(path=str(ARTIFACTS / "process-map-frequency.png"))
    edge = main.locator("g.pm-edge:not(.pm-boundary):not(.pm-loop)").first
    assert edge.locator("text.pm-freq").is_visible() and not edge.locator("text.pm-perf").is_visible()
    width_freq = edge.locator("path").get_attribute("stroke-width")
    page.locator("button[data-pm-mode=performance]").click()
    assert main.get_attribute("data-mode") == "performance"
    assert edge.locator("text.pm-perf").is_visible() and not edge.locator("text.pm-freq").is_visible()
    assert edge.locator("path").get_attribute("stroke-width") == edge.get_attribute("data-w-performance") \
        != width_freq or edge.get_attribute("data-w-performance") == width_freq
    page.locator("#process-map .map-wrap").first.screenshot(path=str(ARTIFACTS / "process-map-performance.png"))
    node = main.locator("g.pm-node").first
    node.click()
    detail = page.locator("#process-map .pm-detail").first.text_content()
    assert node.get_attribute("data-activity") in detail and "events in" in detail
    page.locator("button[data-pm-mode=frequency]").click()
    assert main.get_attribute("data-mode") == "frequency"
    assert page.locator("#conformance").count() == 1
    n = data["overview"]["cases"]
    assert data["process_map"]["conformance"]["cases_fitting"] == n  # the sample is simulated: every case fits
    assert f"{n:,} of {n:,} cases checked" in page.locator("#process-map").text_content()
    assert page.locator("details.pm-segment").count() == len(data["process_map"]["segments"]) > 0
    assert errors == [] and external == [] and dialogs == []
