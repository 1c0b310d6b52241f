"""`ssc-mining serve` in Debian's headless Chromium: the explorer as an analyst uses it.

The server is started as the user starts it (the installed command, a free port, the bundled sample, a key
file), and the page is driven with Playwright: the first screen's ticket count, a time-frame and an attribute
filter (counts and the map change), removing a filter, a ticket's timeline, and "save as report" — whose
provenance lists the filters and whose files equal those of the `ssc-mining report` command it shows. Every
request the page makes must go to the explorer itself, and no script error may occur.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time

import pandas as pd
import pytest
from conftest import ROOT, SAMPLES, cli_path

pytestmark = pytest.mark.browser

SAMPLE = SAMPLES / "generic-events.csv"


def _expected_tickets(start: str, end: str, mother: str | None = None) -> int:
    """Plain pandas on the CSV: tickets whose first event falls on a day from start to end (Amsterdam time)."""
    frame = pd.read_csv(SAMPLE)
    frame["t"] = pd.to_datetime(frame["timestamp"], utc=True).dt.tz_convert("Europe/Amsterdam")
    first = frame.sort_values("t").groupby("case_id").first()
    day = first["t"].dt.strftime("%Y-%m-%d")
    keep = (day >= start) & (day <= end)
    if mother is not None:
        keep &= frame.groupby("case_id")["mother"].apply(lambda s: (s == mother).any()).reindex(first.index)
    return int(keep.sum())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The explorer on a free port: (base URL, working folder, key file)."""
    work = tmp_path_factory.mktemp("serve")
    key = work / "key.txt"
    key.write_text("a-key-for-the-browser-test-0123456789\n")
    log = (work / "server.log").open("w")
    proc = subprocess.Popen([cli_path(), "serve", str(SAMPLE), "--port", "0", "--pseudonym-key-file", str(key),
                             "-o", str(work / "saved"), "-q"], cwd=ROOT, stdout=subprocess.PIPE, stderr=log,
                            text=True)
    try:
        url = None
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            found = re.search(r"Explorer: (http://127\.0\.0\.1:\d+/)", line)
            if found:
                url = found.group(1)
                break
        assert url, f"the explorer did not say where it listens: {(work / 'server.log').read_text()}"
        yield url, work, key
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _map_boxes(page) -> list[str] | None:
    """The texts of the map's activity boxes (names and counts), from its frame's SVG (None while the frame is
    being replaced)."""
    from playwright.sync_api import Error

    try:
        return page.frame_locator("#map-frame").locator(".pm-node").all_text_contents()
    except Error:   # the frame's document was replaced while it was read: read it again
        return None


def _map_changed(page, before: list[str], seconds: float = 30) -> bool:
    """True once the map's boxes differ from ``before`` (within ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = _map_boxes(page)
        if now is not None and now and now != before:
            return True
        time.sleep(0.2)
    return False


def test_explorer_filters_timeline_and_saved_report(browser, server) -> None:
    url, work, key = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    hosts: set[str] = set()
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("request", lambda r: hosts.add(re.sub(r"^\w+://([^/]+).*$", r"\1", r.url)))

    page.goto(url)
    page.wait_for_selector("#counts:has-text('tickets')", timeout=60_000)
    everyone = pd.read_csv(SAMPLE)["case_id"].nunique()
    assert page.inner_text("#counts").startswith(f"{everyone} of {everyone} tickets")
    page.frame_locator("#map-frame").locator(".pm-node").first.wait_for(timeout=60_000)
    map_before = None
    while not map_before:   # None while the frame is replaced
        map_before = _map_boxes(page)

    # a time frame: tickets started in the first quarter of 2024
    page.fill("#time-from", "2024-01-01")
    page.fill("#time-to", "2024-03-31")
    page.click("#add-time")
    quarter = _expected_tickets("2024-01-01", "2024-03-31")
    page.wait_for_selector(f"#counts:has-text('{quarter} of {everyone} tickets')", timeout=30_000)

    # an attribute: the tickets of one mother organisation, chosen in the attribute's dropdowns
    page.click("#attr-name")
    page.get_by_role("option", name="mother organisation", exact=True).click()
    page.click("#attr-values")
    page.get_by_role("option", name=re.compile(r"^Gemeente Beekveld \(\d+\)$")).click()
    page.keyboard.press("Escape")
    page.click("#add-attr")
    both = _expected_tickets("2024-01-01", "2024-03-31", "Gemeente Beekveld")
    assert 0 < both < quarter
    page.wait_for_selector(f"#counts:has-text('{both} of {everyone} tickets')", timeout=30_000)
    assert page.locator("#filter-list li").count() == 2
    assert _map_changed(page, map_before), "the process map did not change with the selection"

    # a ticket's timeline
    page.click("#views .tab:has-text('Tickets')")
    page.locator("#case-table button.ticket").first.click()
    page.wait_for_selector("#timeline-table tbody tr", timeout=30_000)
    ticket = page.locator("#case-table button.ticket").first.inner_text()
    steps = pd.read_csv(SAMPLE)
    assert page.locator("#timeline-table tbody tr").count() == int((steps["case_id"] == ticket).sum()) > 0
    assert page.inner_text("#timeline h3").startswith(f"Ticket {ticket}:")
    assert "person" not in page.inner_text("#timeline-table thead")   # works council audience: no people

    # the selection against the rest: throughput gives no value per ticket, so nothing is called (in)significant
    page.click("#views .tab:has-text('Comparison')")
    page.click("#run-comparison")
    page.wait_for_selector("#comparison-table tbody tr", timeout=60_000)
    first_row = page.locator("#comparison-table tbody tr").first.inner_text()
    assert f"{both}" in first_row and f"{everyone - both}" in first_row
    assert "not tested" in page.inner_text("#comparison-table")

    # save as report: the provenance lists the filters
    page.click("#views .tab:has-text('Save as report')")
    page.click("#save-report")
    page.wait_for_selector("#saved-command", timeout=120_000)
    command = page.inner_text("#saved-command")
    saved = work / "saved"
    data = json.loads((saved / "generic-events.json").read_text())
    filters = data["provenance"]["filters"]
    assert [f["filter"] for f in filters] == ["started=2024-01-01..2024-03-31", "attr:mother=Gemeente Beekveld"]
    assert [f["tickets_after"] for f in filters] == [quarter, both]
    assert data["overview"]["cases"] == both
    assert "--filter started=2024-01-01..2024-03-31" in command

    # removing the first filter leaves the attribute filter alone
    page.locator("#filter-list li button").first.click()
    mother_only = int(pd.read_csv(SAMPLE).groupby("case_id")["mother"].first().eq("Gemeente Beekveld").sum())
    page.wait_for_selector(f"#counts:has-text('{mother_only} of {everyone} tickets')", timeout=30_000)

    # every analyser for the selection, with charts; a finding's tickets become a filter
    page.click("#views .tab:has-text('Analysers')")
    page.click("#run-analysers")
    page.wait_for_selector("#analyser-results .result", timeout=120_000)
    assert page.locator("#analyser-results .result").count() >= 5
    assert page.locator("#analyser-results .chart .main-svg").count() >= 1
    keep = page.locator("#analyser-results .finding button").first
    listed = int(re.search(r"keep these (\d+) tickets", keep.inner_text()).group(1))
    keep.click()
    page.wait_for_selector(f"#counts:has-text('{listed} of {everyone} tickets')", timeout=60_000)
    assert page.locator("#filter-list li code").last.inner_text().startswith("finding=")

    assert errors == []
    assert hosts == {url.split("/")[2]}, f"requests to other hosts: {hosts}"
    page.close()

    # the saved report equals the report the shown command writes (run in the same folder, as recorded)
    kept = work / "kept"
    shutil.copytree(saved, kept)
    words = shlex.split(command)
    assert words[:2] == ["ssc-mining", "report"]
    done = subprocess.run([cli_path(), *words[1:], "-q"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in kept.iterdir())
    assert names == sorted(p.name for p in saved.iterdir())
    for name in names:
        assert (kept / name).read_bytes() == (saved / name).read_bytes(), f"{name} differs"
