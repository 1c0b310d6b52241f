"""Explore inside the report, in Debian's headless Chromium: clicking a map box, an arrow, a path and a finding
lists the right tickets (checked against the JSON file), ticket steps for auditors only, no horizontal scroll.

Skipped with a reason when /usr/bin/chromium is absent; `.ci/run` installs it, so CI runs these.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GOOD_CSV, ROOT, SAMPLES, run_cli

ARTIFACTS = ROOT / "tests" / "artifacts"
SAMPLE = SAMPLES / "generic-events.csv"
pytestmark = pytest.mark.browser

HOSTILE_ACTIVITY = '"><img src=x onerror=alert(1)>'
HOSTILE_TEAM = "<script>alert(2)</script>"


# the browser fixture (Debian's headless Chromium) comes from conftest.py

@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The sample's report for auditors and for the works council (the default)."""
    out = {}
    for audience in ("auditor", "works-council"):
        folder = tmp_path_factory.mktemp(audience)
        result = run_cli("report", SAMPLE, "-o", folder, "--audience", audience)
        assert result.returncode == 0, result.stderr
        out[audience] = folder / "generic-events.html"
    return out


def open_page(browser, html: Path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            problems.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(d.message), d.dismiss()))
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    return page, problems


def click(locator) -> None:
    """Click ``locator`` in the middle of the window (the sticky navigation bar covers the top)."""
    locator.evaluate("e => e.scrollIntoView({block: 'center', inline: 'center'})")
    locator.click()


def panel_ids(page) -> list[str]:
    return page.locator("#explore-panel [data-ex-list] li").all_inner_texts()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_map_paths_and_findings_list_their_tickets(browser, reports):
    html = reports["auditor"]
    data = json.loads(html.with_suffix(".json").read_text())
    ex = data["explore"]
    page, problems = open_page(browser, html)
    panel = page.locator("#explore-panel")
    assert not panel.is_visible()

    # a box of the map
    acts = {a["activity"]: a for a in ex["activities"]}
    node = page.locator('.pm-main svg.process-map g.pm-node[data-activity="Assign"]')
    click(node)
    assert panel.is_visible()
    assert panel_ids(page) == acts["Assign"]["case_ids"][:50]
    assert panel.get_attribute("data-ex-total") == str(acts["Assign"]["tickets"])
    assert page.locator("#explore-panel [data-ex-more]").inner_text() == \
        f"and {acts['Assign']['tickets'] - 50} more (all in the JSON file)"
    assert no_horizontal_scroll(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "explore-map-box.png"))

    # an arrow between two activities (its label is part of the arrow), and the arrow into the first activity
    arrows = {(a["source"] or "", a["target"] or ""): a for a in ex["arrows"]}
    for source, target in (("Start work", "Resolve"), ("", "Register")):
        edge = page.locator(f'.pm-main svg.process-map g.pm-edge[data-source="{source}"][data-target="{target}"]')
        assert edge.count() == 1
        click(edge.locator("text.pm-freq"))
        assert panel_ids(page) == arrows[(source, target)]["case_ids"][:50]
        assert edge.get_attribute("data-cases") == panel.get_attribute("data-ex-total")

    # a path of the explorer (its details open first), sorted by tickets ascending, then filtered
    page.locator("#explore summary").click()
    rank = 3
    page.locator(f'button[data-ex-variant="{rank}"]').click()
    assert panel_ids(page) == ex["variants"][rank - 1]["case_ids"][:50]
    heading = page.locator("table[data-ex-sortable] button[data-ex-col='3']")
    heading.click()
    counts = [int(t.replace(",", "")) for t in
              page.locator("table[data-ex-sortable] tbody tr td:nth-child(4)").all_inner_texts()]
    assert counts == sorted(counts)
    page.locator("input[data-ex-filter]").fill("approve")
    visible = page.locator("table[data-ex-sortable] tbody tr:not([hidden]) td:nth-child(2)").all_inner_texts()
    assert visible and all("approve" in v.lower() for v in visible)
    assert len(visible) == sum("Approve" in v.get("path", "") for v in ex["variants"][:200])

    # a finding: from the explorer's list and from its own section
    findings = [(r["analyser"], i) for r in data["analysers"] for i in r["items"]
                if i["type"] == "finding" and i["case_ids"]]
    page.locator('button[data-ex-finding="1"]').click()
    assert panel_ids(page) == findings[1][1]["case_ids"][:50]
    analyser, finding = findings[0]
    span = page.locator(f"#analyser-{analyser.replace('_', '-')} [data-ex-finding-list]").first
    click(span)
    assert panel_ids(page) == finding["case_ids"][:50]
    assert panel.get_attribute("data-ex-total") == str(len(finding["case_ids"]))

    # a ticket's steps (auditors): time, activity, team, person, as in the JSON file
    first = page.locator("#explore-panel button.ex-ticket").first
    ticket = first.inner_text()
    first.click()
    rows = page.locator("#explore-panel [data-ex-steps] tbody tr")
    stored = ex["timelines"]["tickets"][ticket]["rows"]
    assert rows.count() == len(stored)
    assert rows.first.locator("td").all_inner_texts() == [v if v is not None else "–" for v in stored[0]]
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "explore-ticket-steps.png"))
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    page.locator("#explore").screenshot(path=str(ARTIFACTS / "explore-section-open.png"))
    assert problems == []
    page.context.close()


def test_works_council_gets_ticket_numbers_and_no_steps_or_people(browser, reports):
    html = reports["works-council"]
    ex = json.loads(html.with_suffix(".json").read_text())["explore"]
    page, problems = open_page(browser, html)
    click(page.locator('.pm-main svg.process-map g.pm-node[data-activity="Resolve"]'))
    ids = panel_ids(page)
    assert ids == next(a for a in ex["activities"] if a["activity"] == "Resolve")["case_ids"][:50]
    assert page.locator("#explore-panel button.ex-ticket").count() == 0
    assert ex["timelines"] is None
    data = json.loads(page.locator("#explore-data").text_content())
    assert data["timelines"] == [] and data["columns"] == []
    assert not page.locator("#explore").text_content().count("P-")
    assert no_horizontal_scroll(page)
    page.locator("#explore").screenshot(path=str(ARTIFACTS / "explore-section-closed.png"))
    assert problems == []
    page.context.close()


def test_hostile_labels_in_the_panel_stay_text(browser, write_csv, tmp_path: Path):
    text = GOOD_CSV + f'1e5,"{HOSTILE_ACTIVITY.replace(chr(34), chr(34) * 2)}",2024-03-08 09:00,x,"{HOSTILE_TEAM}"\n'
    result = run_cli("report", write_csv(text), "-o", tmp_path / "out", "--audience", "auditor")
    assert result.returncode == 0, result.stderr
    page, problems = open_page(browser, tmp_path / "out" / "input.html")
    node = page.locator(".pm-main svg.process-map g.pm-node").filter(has_text="onerror")
    click(node)
    assert HOSTILE_ACTIVITY in page.locator("#explore-panel [data-ex-title]").inner_text()
    assert panel_ids(page) == ["1e5"]
    page.locator("#explore-panel button.ex-ticket").first.click()
    assert HOSTILE_TEAM in page.locator("#explore-panel [data-ex-steps]").inner_text()
    page.locator("#explore summary").click()
    assert HOSTILE_TEAM in page.locator("svg.ex-network").text_content()
    assert page.locator("img[src=x]").count() == 0 and page.title() != "pwned"
    assert problems == []
    page.context.close()
