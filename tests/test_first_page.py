"""The first page: plain answers with their unit and base, the article's stories from the same figures, what the
report cannot show, and no internal names."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, run_cli

from ssc_mining.report.key_findings import QUESTIONS, first_page

#: what a reader must never see on the first page: column names, options, parameters, mapping sections
INTERNAL = re.compile(r"(case:|ssc:|org:|concept:|time:|lifecycle:|--[a-z]|\[semantics\]|sla_hours|need_by"
                      r"|\b[a-z]+_[a-z_]+\b)")


def _visible(fragment: str) -> str:
    text = re.sub(r"<[^>]+>", " ", fragment)
    return html_lib.unescape(re.sub(r"\s+", " ", text)).strip()


def _first_page(page: str) -> str:
    return page.split('<section id="key-findings">')[1].split("</section>")[0]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[dict, str, str]:
    out = tmp_path_factory.mktemp("report")
    result = run_cli("report", SAMPLES / "generic-events.csv", "-o", out, "--lang", "en", "--lang", "nl")
    assert result.returncode == 0, result.stderr
    return (json.loads((out / "generic-events.json").read_text()), (out / "generic-events.html").read_text(),
            (out / "generic-events.nl.html").read_text())


def _metric(figures: dict, analyser: str, key: str) -> dict:
    result = next(r for r in figures["analysers"] if r["analyser"] == analyser)
    return next(i for i in result["items"] if i["type"] == "metric" and i["key"] == key)


def test_every_answer_has_its_base_and_links_to_its_definition(sample):
    figures, page, _nl = sample
    entries = first_page(figures)["answers"]
    assert len(entries) == len(QUESTIONS)
    for entry in entries:
        if entry["answer"] is None:
            assert entry["missing"].startswith("Not measured: ")
            continue
        assert f"{entry['base']:,}" in entry["answer"], entry["answer"]      # "of the 400 tickets"
        assert f'id="{entry["anchor"]}"' in page, entry["anchor"]            # the link lands on the definition
    handoffs = entries[0]
    # the sample names the requester's organisation, so its own department is not counted as one of the SSC's teams
    assert "requester's own organisation do not count" in handoffs["answer"]
    value = _metric(figures, "handoffs", "service_team_changes_mean")["value"]
    assert f"{value:.2f}".rstrip("0").rstrip(".") in handoffs["answer"]
    watermelon = next(e for e in entries if "need-by" in (e["answer"] or ""))
    assert "of the 49 tickets with a need-by date" in watermelon["answer"]


def test_the_stories_are_told_with_the_figures_of_the_json(sample):
    figures, page, _nl = sample
    stories = {s["title"]: s["text"] for s in first_page(figures)["stories"]}
    longest = stories["The longest road to an answer"]
    days = _metric(figures, "reopens", "longest_chain_days")["value"]
    people = _metric(figures, "reopens", "longest_chain_people")["value"]
    assert f"took {round(days)} days" in longest and f"{people} different people" in longest
    tree = stories["Needed on time?"]
    base = _metric(figures, "deliveries", "late_share")["base"]
    numbers = [int(n) for n in re.findall(r"(\d+) (?:on time|late)", tree)]
    assert len(numbers) == 3 and sum(numbers) + (_metric(figures, "deliveries", "open_late")["value"]) == base
    time = stories["Time to an answer"]
    solved = _metric(figures, "throughput", "median_days_to_resolution")["value"]
    closed = _metric(figures, "throughput", "median_days")["value"]
    assert f"solved within {solved:.1f} days" in time and f"within {closed:.1f} days" in time
    assert "The stories behind the figures" in _first_page(page)


def test_what_the_report_cannot_show_lists_what_this_export_lacks(sample):
    figures, page, _nl = sample
    box = _visible(_first_page(page).split('class="cannot-show"')[1])
    assert "How often is a request sent back to the requester?" in box        # not measured on the sample
    assert "never about people" in box


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_no_internal_names_on_the_first_page(sample, lang):
    _figures, page_en, page_nl = sample
    text = _visible(_first_page(page_en if lang == "en" else page_nl))
    assert not INTERNAL.findall(text), INTERNAL.findall(text)


def test_no_internal_names_when_much_cannot_be_measured(tmp_path: Path):
    """A bare export (no teams, dates, statuses): the not-measured reasons are plain too."""
    frame = pd.read_csv(SAMPLES / "generic-events.csv")[["case_id", "activity", "timestamp"]]
    frame["activity"] = frame["activity"].map(lambda a: f"Step {len(a)}")
    path = tmp_path / "bare.csv"
    frame.to_csv(path, index=False)
    result = run_cli("report", path, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = _visible(_first_page((tmp_path / "out" / "bare.html").read_text()))
    assert text.count("Not measured") >= 5
    assert not INTERNAL.findall(text), INTERNAL.findall(text)
