"""Waiting: waits, repeated waits without contact and time on hold against the simulator's truth; real logs."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import load_real

from ssc_mining.analysers.waiting import Waiting
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.semantics import read_semantics
from ssc_mining.simulate import SimulationConfig, simulate, write_exports


@pytest.fixture(scope="module")
def sim():
    return simulate(SimulationConfig(seed=12, cases=2500))


@pytest.fixture(scope="module")
def logs(sim, tmp_path_factory):
    paths = write_exports(sim, tmp_path_factory.mktemp("sim"), formats=("generic",))
    without_status = sim.events.drop(columns=[C.STATUS])
    return {"memory": EventLog.from_frame(sim.events), "generic": load(paths["generic"]),
            "activities only": EventLog.from_frame(without_status)}


@pytest.mark.parametrize("which", ["memory", "generic", "activities only"])
def test_waits_match_the_truth_case_by_case(sim, logs, which):
    pc = Waiting().per_case(logs[which])
    truth = sim.cases.set_index("case_id").loc[pc.index]
    assert truth["waits"].sum() > 200 and truth["waits_without_user_contact"].sum() > 20
    assert (pc["waits"].to_numpy() == truth["waits"].to_numpy()).all()
    assert (pc["waits_without_contact"].to_numpy() == truth["waits_without_user_contact"].to_numpy()).all()
    assert (pc["wait_seconds"].to_numpy() == truth["wait_seconds"].to_numpy()).all()
    # precision and recall of the cases with a repeated wait without contact
    found, planted = pc["waits_without_contact"] > 0, truth["waits_without_user_contact"] > 0
    assert (found == planted).all()


def test_share_of_throughput_time_spent_waiting(sim, logs):
    result = Waiting().analyse(logs["memory"])
    truth = sim.cases
    throughput = (pd.to_datetime(truth["closed_at"], utc=True) - pd.to_datetime(truth["registered_at"], utc=True)
                  ).dt.total_seconds()
    assert result.item("waiting_share").value == round(truth["wait_seconds"].sum() / throughput.sum(), 4)
    assert result.item("repeated_waits_without_contact").value == truth["waits_without_user_contact"].sum()
    table = result.item("by_team")
    names = [c.name for c in table.columns]
    assert "people" in names and table.columns[names.index("people")].unit == "people"
    resources = set(sim.events[C.RESOURCE])
    assert not any(cell in resources for row in table.rows for cell in row)   # teams only, never people


def test_dutch_statuses_and_activity_names():
    t = pd.to_datetime(["2024-01-02 09:00", "2024-01-02 10:00", "2024-01-02 12:00", "2024-01-02 13:00"], utc=True)
    log = EventLog.from_frame(pd.DataFrame({C.CASE: "1", C.ACTIVITY: ["Aanmelden", "Vraag", "Antwoord", "Gereed"],
                                            C.TIMESTAMP: t,
                                            C.STATUS: ["Nieuw", "Wacht op gebruiker", "In behandeling", "Gereed"]}))
    assert Waiting().per_case(log).loc["1", "wait_seconds"] == 7200
    log = EventLog.from_frame(pd.DataFrame({C.CASE: "1", C.ACTIVITY: ["Aanmelden", "In de wacht zetten",
                                                                      "Hervatten", "Gereed"], C.TIMESTAMP: t}))
    assert Waiting().per_case(log).loc["1", "wait_seconds"] == 7200
    frame = pd.DataFrame({C.CASE: "1", C.ACTIVITY: ["Aanmelden", "Vraag", "Antwoord", "Gereed"], C.TIMESTAMP: t})
    assert Waiting().analyse(EventLog.from_frame(frame)).item("waiting_share").value is None   # no wait label
    reading = read_semantics(frame, overrides={"activities": {"Vraag": "wait_requester", "Antwoord": "resume"}})
    assert Waiting().per_case(EventLog.from_frame(frame, semantics=reading)).loc["1", "waits"] == 1


@pytest.mark.realdata
@pytest.mark.parametrize("folder,file", [("receipt-wabo", "receipt.csv"),
                                         ("bpic20-travel-cleaned", "DomesticDeclarations.xes.gz")])
def test_real_logs_without_a_waiting_state_say_so(folder, file):
    log = load_real(folder, file)
    result = Waiting().analyse(log)
    assert result.status == "ok" and result.item("waiting_share").value is None
    assert "waiting" in result.item("waiting_share").reason
    assert any("[semantics]" in c for c in result.caveats)           # what to do is in the caveats
    # the receipt log's "T16 Report reasons to hold request" marks a hold when the user says so (and, for the
    # reference below, every other label but T17 leaves the state as it is)
    if folder == "receipt-wabo":
        hold, resume = "T16 Report reasons to hold request", "T17 Check report Y to stop indication"
        overrides = dict.fromkeys(log.frame[C.ACTIVITY].unique(), "other")
        overrides.update({hold: "wait", resume: "resume"})
        log = EventLog(frame=log.frame, provenance=log.provenance,
                       semantics=read_semantics(log.frame, overrides={"activities": overrides}))
        result = Waiting().analyse(log)
        assert result.status == "ok"
        frame = log.frame
        expected, waits = 0.0, 0
        for _case, events in frame.groupby(C.CASE, sort=False):
            waiting, last = False, None
            for act, ts in zip(events[C.ACTIVITY], events[C.TIMESTAMP]):
                if waiting:
                    expected += (ts - last).total_seconds()
                if act == "T16 Report reasons to hold request":
                    waits += not waiting
                    waiting = True
                elif act == "T17 Check report Y to stop indication":
                    waiting = False
                last = ts
        assert result.item("wait_hours").value == round(expected / 3600, 2)
        assert result.item("waits").value == waits and waits > 10
