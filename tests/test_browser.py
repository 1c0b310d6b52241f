"""The report in a real browser: Debian's headless Chromium, driven by Playwright.

Skipped with a reason when /usr/bin/chromium is absent; `.ci/run` installs it, so CI runs these.
Screenshots are saved under tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GOOD_CSV, ROOT, run_cli

ARTIFACTS = ROOT / "tests" / "artifacts"
pytestmark = pytest.mark.browser

HOSTILE_ACTIVITY = '"><img src=x onerror=alert(1)>'
HOSTILE_TEAM = "<script>alert(2)</script>"


def open_report(browser, html: Path, screenshot: str | None = None):
    """Open ``html`` with the network blocked; return (page, console errors, requests to other hosts, dialogs)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    external: list[str] = []
    dialogs: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_timeout(500)
    if screenshot:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / screenshot), full_page=False)
    return page, errors, external, dialogs


def test_report_renders_offline_without_errors(browser, write_csv, tmp_path: Path):
    csv = write_csv(GOOD_CSV)
    assert run_cli("report", csv, "-o", tmp_path / "out").returncode == 0
    html = tmp_path / "out" / "input.html"
    page, errors, external, dialogs = open_report(browser, html, screenshot="report-first-page.png")
    assert errors == [] and external == [] and dialogs == []
    data = json.loads((tmp_path / "out" / "input.json").read_text())
    n_nodes = len(data["process_map"]["nodes"])
    assert page.locator("svg.process-map").first.locator("g.pm-node").count() == n_nodes == 3
    assert page.locator("svg.process-map").first.locator("g.pm-terminal").count() == 2
    # every plotly chart drew its SVG
    charts = page.locator("div.plotly-graph-div")
    assert charts.count() >= 1
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg.main-svg").count() >= 1
    page.locator("#process-map").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#process-map").screenshot(path=str(ARTIFACTS / "report-process-map.png"))


def test_hostile_names_run_no_script(browser, write_csv, tmp_path: Path):
    text = GOOD_CSV + f'1e5,"{HOSTILE_ACTIVITY.replace(chr(34), chr(34) * 2)}",2024-03-08 09:00,x,"{HOSTILE_TEAM}"\n'
    csv = write_csv(text)
    result = run_cli("report", csv, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    page, errors, external, dialogs = open_report(browser, tmp_path / "out" / "input.html")
    assert dialogs == [] and errors == [] and external == []
    assert page.locator("img[src=x]").count() == 0
    assert HOSTILE_ACTIVITY in page.locator("svg.process-map").text_content()


def test_sorting_a_table(browser, write_csv, tmp_path: Path):
    csv = write_csv(GOOD_CSV)
    assert run_cli("report", csv, "-o", tmp_path / "out").returncode == 0
    page, errors, *_ = open_report(browser, tmp_path / "out" / "input.html")
    table = page.locator("#analyser-variants table.sortable")
    header = table.locator("thead th").nth(2)  # cases
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    first = table.locator("tbody tr").first.locator("td").nth(2).inner_text()
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert int(table.locator("tbody tr").first.locator("td").nth(2).inner_text()) >= int(first)
    assert errors == []


SAMPLE_FILES = ["generic-events.csv", "topdesk-export.csv", "topdesk-history.csv", "servicenow-incidents.csv",
                "servicenow-history.csv", "servicenow-sys_audit.csv", "jira-changelog.json", "jira-changelog.csv",
                "events.xes.gz"]


@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_every_sample_report_renders_in_both_languages(browser, sample, tmp_path: Path):
    source = ROOT / "data" / "samples" / sample
    result = run_cli("report", source, "-o", tmp_path, "--lang", "en", "--lang", "nl")
    assert result.returncode == 0, result.stderr
    pages = sorted(tmp_path.glob("*.html"))
    assert len(pages) == 2
    for html in pages:
        shot = f"sample-{html.stem}.png" if sample == "generic-events.csv" else None
        page, errors, external, dialogs = open_report(browser, html, screenshot=shot)
        assert errors == [] and external == [] and dialogs == [], (html.name, errors, external)
        data = json.loads(html.with_suffix(".json").read_text())
        assert page.locator("svg.process-map").first.locator("g.pm-node").count() == len(data["process_map"]["nodes"])
        charts = page.locator("div.plotly-graph-div")
        for i in range(charts.count()):
            assert charts.nth(i).locator("svg.main-svg").count() >= 1, f"chart {i} of {html.name} did not draw"
        lang = page.locator("html").get_attribute("lang")
        assert lang == ("nl" if html.stem.endswith(".nl") else "en")
        page.context.close()


def test_section_screenshot(browser, tmp_path: Path):
    source = ROOT / "data" / "samples" / "generic-events.csv"
    assert run_cli("report", source, "-o", tmp_path, "--lang", "nl").returncode == 0
    page, errors, *_ = open_report(browser, tmp_path / "generic-events.nl.html")
    section = page.locator("section.analyser").first
    section.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "report-nl-first-analyser-section.png"))
    assert errors == []
