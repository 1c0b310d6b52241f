"""Coordination overhead: shares against the simulator's truth, mapping, trend, real logs."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import load_real

from ssc_mining.analysers.coordination import Coordination
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.semantics import read_semantics
from ssc_mining.simulate import SimulationConfig, simulate, write_exports


@pytest.fixture(scope="module")
def sim():
    return simulate(SimulationConfig(seed=14, cases=2000))


@pytest.fixture(scope="module")
def logs(sim, tmp_path_factory):
    paths = write_exports(sim, tmp_path_factory.mktemp("sim"), formats=("generic",))
    return {"memory": EventLog.from_frame(sim.events), "generic": load(paths["generic"])}


@pytest.mark.parametrize("which", ["memory", "generic"])
def test_coordination_and_org_handovers_match_the_truth(sim, logs, which):
    log = logs[which]
    pc = Coordination().per_case(log)
    truth = sim.cases.set_index("case_id").loc[pc.index]
    assert (pc["coordination_events"].to_numpy() == truth["coordination_events"].to_numpy()).all()
    assert (pc["handovers_org"].to_numpy() == truth["handovers_org"].to_numpy()).all()
    result = Coordination().analyse(log)
    assert result.item("coordination_event_share").value == round(truth["coordination_events"].sum()
                                                                  / truth["n_events"].sum(), 4)
    assert result.item("mother_to_ssc").value + result.item("ssc_to_mother").value == truth["handovers_org"].sum()


def test_active_time_share_trend_and_team_table(logs):
    log = logs["memory"]
    frame = log.frame
    coordination = {"Intake", "Forward", "Status enquiry", "Escalate", "Assign"}
    # the simulator's status after each event: the ticket is not active while on hold, resolved or closed
    inactive_status = {"On hold", "Resolved", "Closed"}
    total = coord = everything = 0.0
    for _case, events in frame.groupby(C.CASE, sort=False):
        ts, acts, status = list(events[C.TIMESTAMP]), list(events[C.ACTIVITY]), list(events[C.STATUS])
        for k in range(len(ts) - 1):
            inactive = status[k] in inactive_status
            gap = (ts[k + 1] - ts[k]).total_seconds()
            everything += gap
            if not inactive:
                total += gap
                coord += gap if acts[k] in coordination else 0
    result = Coordination().analyse(log)
    assert result.item("coordination_time_share").value == round(coord / total, 4)
    assert result.item("active_hours").value == round(total / 3600, 2)
    assert total < 0.8 * everything            # waiting and the time until closure are left out
    trend = result.item("trend")
    assert trend.kind == "line" and len(trend.x) >= 12
    team = result.item("by_team")
    assert [c.unit for c in team.columns if c.name == "people"] == ["people"]


def test_user_mapping_and_dutch_defaults():
    t = pd.to_datetime(["2024-01-02 09:00", "2024-01-02 10:00", "2024-01-02 12:00", "2024-01-02 13:00"], utc=True)
    log = EventLog.from_frame(pd.DataFrame({C.CASE: "1", C.TIMESTAMP: t,
                                            C.ACTIVITY: ["Aanmelden", "Doorsturen", "Statusvraag", "Oplossen"]}))
    assert Coordination().analyse(log).item("coordination_event_share").value == 0.5
    # the mapping file's [semantics] table changes what a label means, for every analyser at once
    reading = read_semantics(log.frame, overrides={"activities": {"Aanmelden": "route", "statusvraag": "work"}})
    mapped = EventLog.from_frame(log.frame, semantics=reading)
    assert Coordination().analyse(mapped).item("coordination_event_share").value == 0.5
    assert list(Coordination().coordination_flags(mapped)) == [True, True, False, False]


def test_a_log_without_coordination_labels_is_not_measured_not_zero():
    t = pd.to_datetime(["2024-01-02 09:00", "2024-01-02 10:00"], utc=True)
    log = EventLog.from_frame(pd.DataFrame({C.CASE: "1", C.TIMESTAMP: t, C.ACTIVITY: ["Check invoice", "Pay"]}))
    metric = Coordination().analyse(log).item("coordination_event_share")
    assert metric.value is None and "recognised as coordination" in metric.reason


@pytest.mark.realdata
def test_receipt_wabo_with_a_user_mapping():
    log = load_real("receipt-wabo", "receipt.csv")
    metric = Coordination().analyse(log).item("coordination_event_share")
    assert metric.value is None and metric.reason          # no label of this log means coordination
    chosen = "T02 Check confirmation of receipt"
    log = EventLog(frame=log.frame, provenance=log.provenance,
                   semantics=read_semantics(log.frame, overrides={"activities": {chosen: "route"}}))
    result = Coordination().analyse(log)
    frame = log.frame
    count = sum(1 for a in frame[C.ACTIVITY] if a == chosen)
    assert result.item("coordination_event_share").value == round(count / len(frame), 4)
    assert "org_handovers_per_case" not in {i.key for i in result.items}   # no organisation column


def test_months_with_few_tickets_are_not_drawn_as_values():
    from ssc_mining.results.items import SMALL_BASE

    log = load("data/samples/generic-events.csv")
    chart = Coordination().analyse(log).item("trend")
    local = log.frame[C.TIMESTAMP].dt.tz_convert("Europe/Amsterdam").dt.strftime("%Y-%m")
    tickets = log.frame.groupby(local)[C.CASE].nunique()
    few = [m for m in chart.x if tickets[m] < SMALL_BASE]
    assert few and len(few) < len(chart.x)
    for series in chart.series.values():
        for month, value in zip(chart.x, series):
            assert (value is None) == (month in few), month
    assert str(len(few)) in chart.description


@pytest.mark.realdata
def test_bpic13_people_per_team_and_tickets_per_month_match_a_plain_group_by():
    """The team table's people and the months left out of the trend (fewer tickets than the base), counted by
    hand with pandas on the BPIC 2013 incidents."""
    from ssc_mining.analysers.coordination import SMALL_BASE

    log = load_real("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")
    result = Coordination().analyse(log)
    frame = log.frame
    known = frame[frame[C.TEAM].notna()]
    people = known.groupby(known[C.TEAM].astype(object), sort=True)[C.RESOURCE].agg(
        lambda s: s.dropna().astype(object).nunique())
    team = result.item("by_team").to_frame().set_index("team")
    assert len(team) > 50
    assert team["people"].to_dict() == people.loc[team.index].to_dict()
    month = frame[C.TIMESTAMP].dt.tz_convert("Europe/Amsterdam").dt.strftime("%Y-%m")
    tickets = frame.groupby(month.to_numpy(), sort=True)[C.CASE].nunique()
    trend = result.item("trend")
    assert trend.x == tickets.index.tolist()
    drawn = [v is not None for v in next(iter(trend.series.values()))]
    assert drawn == (tickets >= SMALL_BASE).tolist()
    assert not all(drawn) and any(drawn)  # the check means something: some months are left out, some drawn
