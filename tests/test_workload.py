"""Workload: arrivals, completions, backlog, age of open tickets, team workload; simulator and real logs."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import load_real

from ssc_mining.analysers.workload import Workload
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.simulate import SimulationConfig, simulate


@pytest.fixture(scope="module")
def sim():
    return simulate(SimulationConfig(seed=15, cases=2000))


def test_open_tickets_and_backlog_match_the_truth(sim):
    log = EventLog.from_frame(sim.events)
    as_of = "2024-06-14 12:00"
    moment = pd.Timestamp(as_of, tz="Europe/Amsterdam").tz_convert("UTC")
    truth = sim.cases
    registered = pd.to_datetime(truth["registered_at"], utc=True)
    resolved = pd.to_datetime(truth["resolved_at"], utc=True)
    open_ = (registered <= moment) & (resolved > moment)
    result = Workload(as_of=as_of).analyse(log)
    assert open_.sum() > 10
    assert result.item("open_cases").value == open_.sum() == result.item("backlog_end").value
    ages = (moment - registered[open_]).dt.total_seconds() / 86400
    assert result.item("median_open_age_days").value == round(ages.median(), 4)
    weekly = result.item("weekly")
    assert weekly.kind == "line" and sum(weekly.series["arrivals"]) == (registered <= moment).sum()
    ids = set(result.item("oldest_open").case_ids)
    assert ids <= set(truth.loc[open_, "case_id"])


def test_team_workload_has_people_and_no_names(sim):
    log = EventLog.from_frame(sim.events)
    result = Workload().analyse(log)
    table = result.item("team_month")
    assert [c.unit for c in table.columns if c.name == "people"] == ["people"]
    people = set(sim.events[C.RESOURCE])
    assert not any(cell in people for row in table.rows for cell in row)
    frame = table.to_frame()
    assert frame["events"].sum() == len(sim.events)


@pytest.mark.realdata
def test_receipt_wabo_arrivals_per_week_match_a_plain_loop():
    log = load_real("receipt-wabo", "receipt.csv")
    result = Workload().analyse(log)
    assert result.status == "ok"
    weeks: dict = {}
    for _case, events in log.frame.groupby(C.CASE, sort=False):
        local = events[C.TIMESTAMP].min().tz_convert("Europe/Amsterdam")
        monday = (local - pd.Timedelta(days=local.weekday())).date()
        weeks[monday] = weeks.get(monday, 0) + 1
    chart = result.item("weekly")
    by_week = dict(zip(chart.x, chart.series["arrivals"]))
    for monday, n in weeks.items():
        assert by_week[monday.isoformat()] == n
    assert sum(chart.series["arrivals"]) == log.n_cases
    # nothing in this log means resolved: open tickets and the backlog are not measured (never 0)
    for key in ("open_cases", "backlog_end", "completions_per_week"):
        assert result.item(key).value is None and "resolved" in result.item(key).reason


@pytest.mark.realdata
def test_bpic13_team_month_counts_match_a_plain_group_by():
    """Tickets and people per team and month, counted by hand with pandas on the BPIC 2013 incidents."""
    log = load_real("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")
    analyser = Workload()
    table = analyser.analyse(log).item("team_month").to_frame()
    frame = log.frame
    as_of = frame[C.TIMESTAMP].max()  # the default: the last event
    seen = frame[(frame[C.TIMESTAMP] <= as_of) & frame[C.TEAM].notna()]
    month = seen[C.TIMESTAMP].dt.tz_convert("Europe/Amsterdam").dt.strftime("%Y-%m")
    plain = (pd.DataFrame({"month": month.to_numpy(), "team": seen[C.TEAM].astype(object).to_numpy(),
                           "case": seen[C.CASE].astype(object).to_numpy(),
                           "person": seen[C.RESOURCE].astype(object).to_numpy()})
             .groupby(["month", "team"], sort=True)
             .agg(events=("case", "size"), cases=("case", "nunique"), people=("person", "nunique"))
             .reset_index())
    assert len(plain) > 100  # many teams, many months
    assert table["month"].tolist() == plain["month"].tolist()
    assert table["team"].tolist() == plain["team"].tolist()
    for column in ("events", "cases", "people"):
        assert table[column].tolist() == plain[column].tolist(), column
