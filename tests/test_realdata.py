"""Every public real log in ../shared/data/real loads with the counts its SOURCE.md states.

These tests skip with a reason when ../shared is absent (a user's fresh clone); CI has it.
"""

from __future__ import annotations

import re

import pytest
from conftest import load_real, real_path

from ssc_mining._pm4py import import_pm4py, quiet
from ssc_mining.discovery import directly_follows
from ssc_mining.eventlog import columns as C

LOGS = [
    ("helpdesk-full", "helpdesk.csv"),
    ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz"),
    ("bpic13-open-problems", "BPI_Challenge_2013_open_problems.xes.gz"),
    ("bpic20-travel-cleaned", "DomesticDeclarations.xes.gz"),
    ("bpic20-travel-cleaned", "PermitLog.xes.gz"),
    ("bpic20-travel-cleaned", "PrepaidTravelCost.xes.gz"),
    ("receipt-wabo", "env_permit.xes.gz"),
    ("receipt-wabo", "receipt.csv"),
    ("bpic12", "BPI_Challenge_2012.xes.gz"),
    ("road-traffic-fines", "road_fine.xes.gz"),
]


def stated_counts(folder: str, file: str) -> tuple[int, int]:
    """Events and cases for ``file`` as written in its SOURCE.md."""
    text = real_path(folder, "SOURCE.md").read_text()
    section = text[text.index(f"## File: `{file}`"):] if f"## File: `{file}`" in text else text
    events = re.search(r"- (?:Events|Rows \(events\)): ([\d,]+)", section)
    cases = re.search(r"- (?:Traces \(cases\)|Cases \(distinct[^)]*\)): ([\d,]+)", section)
    if events is None or cases is None:  # SOURCE.md files that give the counts in a table instead
        events = re.search(r"([\d,]+) events", section)
        cases = re.search(r"([\d,]+) (?:cases|traces)", section)
    assert events and cases, f"no counts found in {folder}/SOURCE.md"
    return int(events.group(1).replace(",", "")), int(cases.group(1).replace(",", ""))


@pytest.mark.realdata
@pytest.mark.parametrize("folder,file", LOGS, ids=[f for _, f in LOGS])
def test_real_log_loads_with_stated_counts(folder: str, file: str):
    real_path(folder, file)
    events, cases = stated_counts(folder, file)
    log = load_real(folder, file)
    p = log.provenance
    assert p.rows_read == events
    assert p.reconciles()
    assert log.n_events + p.rows_quarantined == events
    assert log.frame[C.CASE].nunique() <= cases
    if p.rows_quarantined == 0:
        assert log.n_cases == cases
    assert log.frame[C.TIMESTAMP].dt.tz is not None


@pytest.mark.realdata
@pytest.mark.parametrize("folder,file", [("helpdesk-full", "helpdesk.csv"),
                                          ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")])
def test_directly_follows_equals_pm4py(folder: str, file: str):
    log = load_real(folder, file)
    pm4py = import_pm4py()
    with quiet():
        dfg, starts, ends = pm4py.discover_dfg(log.frame)
    ours = directly_follows(log)
    assert ours.as_pm4py() == dict(dfg)
    assert {k: int(v) for k, v in ours.starts.items()} == dict(starts)
    assert {k: int(v) for k, v in ours.ends.items()} == dict(ends)
