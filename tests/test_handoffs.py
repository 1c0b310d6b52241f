"""The handoffs analyser: hand-made logs with known answers, the simulator's ground truth, and BPIC 2013."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import load_real

from ssc_mining.analysers import discover, run_analysers
from ssc_mining.analysers.handoffs import Handoffs, handoffs_per_case
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.report.results_html import render_result

T0 = pd.Timestamp("2024-03-04 09:00", tz="UTC")


def make_log(rows: list[tuple], columns: tuple[str, ...] = (C.CASE, C.TEAM)) -> EventLog:
    """A log from (case, value, …) rows; events one hour apart in the given order unless a timestamp is given."""
    frame = pd.DataFrame(rows, columns=list(columns))
    if C.TIMESTAMP not in frame.columns:
        frame[C.TIMESTAMP] = [T0 + pd.Timedelta(hours=i) for i in range(len(frame))]
    if C.ACTIVITY not in frame.columns:
        frame[C.ACTIVITY] = "work"
    return EventLog.from_frame(frame)


def teams_log(cases: dict[str, str]) -> EventLog:
    """Each case is a string of one-letter team names, e.g. 'XYX'."""
    return make_log([(case, team) for case, seq in cases.items() for team in seq])


# --- ping-pong ----------------------------------------------------------------------------------------

def test_direct_and_indirect_pingpong_on_team_runs():
    log = teams_log({"direct": "XYX", "indirect": "XYZX", "runs": "XXYYX", "twice": "XYXY", "mixed": "XYZYX",
                     "none": "XYZ", "same": "XXX"})
    pc = handoffs_per_case(log)
    got = {c: (int(pc.loc[c, "pingpong_direct"]), int(pc.loc[c, "pingpong_indirect"])) for c in pc.index}
    assert got == {"direct": (1, 0), "indirect": (0, 1), "runs": (1, 0), "twice": (2, 0), "mixed": (1, 1),
                   "none": (0, 0), "same": (0, 0)}
    assert pc.loc["runs", "handovers_team"] == 2 and pc.loc["runs", "teams"] == 2
    assert pc.loc["same", "handovers_team"] == 0


def test_pingpong_metrics_and_findings_name_the_cases():
    log = teams_log({"a": "XYX", "b": "XYZX", "c": "XY", "d": "X"})
    result = Handoffs().analyse(log)
    assert result.status == "ok"
    assert result.item("pingpong_share").value == 0.5
    assert result.item("pingpong_direct_share").value == 0.25
    assert result.item("pingpong_indirect_share").value == 0.25
    assert result.item("pingpong_returns_mean").value == 0.5
    assert sorted(result.item("pingpong_cases").case_ids) == ["a", "b"]
    assert result.item("team_handovers_mean").value == pytest.approx((2 + 3 + 1 + 0) / 4)
    assert "50 %" in result.summary and "1.5 times" in result.summary


def test_throughput_with_and_without_pingpong():
    frame = pd.DataFrame({C.CASE: ["pp"] * 3 + ["ok"] * 2, C.TEAM: ["X", "Y", "X", "X", "Y"],
                          C.ACTIVITY: "work",
                          C.TIMESTAMP: pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-11",
                                                       "2024-01-01", "2024-01-03"], utc=True)})
    result = Handoffs().analyse(EventLog.from_frame(frame))
    assert result.item("days_median_pingpong").value == 10.0
    assert result.item("days_median_no_pingpong").value == 2.0
    assert result.item("days_median_pingpong_extra").value == 8.0


# --- edge cases ---------------------------------------------------------------------------------------

def test_ties_in_timestamps_are_ordered_by_source_row():
    t = [T0, T0 + pd.Timedelta(hours=1), T0 + pd.Timedelta(hours=1), T0 + pd.Timedelta(hours=2)]
    frame = pd.DataFrame({C.CASE: ["1"] * 4, C.ACTIVITY: "work", C.TIMESTAMP: t,
                          C.TEAM: ["X", "Y", "Z", "Y"], C.RESOURCE: ["a", "b", "c", "b"],
                          C.SOURCE_ROW: [1, 3, 2, 4]})   # in file order: X, Z, Y, Y
    pc = handoffs_per_case(EventLog.from_frame(frame))
    assert int(pc.loc["1", "pingpong_direct"]) == 0        # the row order X, Y, Z, Y would give a return to Y
    assert int(pc.loc["1", "handovers_team"]) == 2
    assert int(pc.loc["1", "handovers_person"]) == 2


def test_missing_resource_values_are_not_handovers():
    log = make_log([("1", "Ann"), ("1", None), ("1", "Bob"), ("2", "Ann"), ("2", np.nan), ("2", "Ann"),
                    ("3", "Ann"), ("3", "  "), ("3", "Ann"), ("4", "Ann"), ("4", "Bob")], (C.CASE, C.RESOURCE))
    pc = handoffs_per_case(log)
    assert pc["handovers_person"].to_dict() == {"1": 0, "2": 0, "3": 0, "4": 1}
    assert pc["people"].to_dict() == {"1": 2, "2": 1, "3": 1, "4": 2}
    result = Handoffs().analyse(log)
    assert result.status == "ok" and result.item("person_handovers_mean").value == 0.25
    for key in ("pingpong_share", "team_handovers_mean", "routing_handovers_mean", "routing_pingpong_share"):
        assert result.item(key).value is None and result.item(key).reason, key   # not measured, never 0


def test_one_case_and_one_event_per_case():
    one = teams_log({"only": "XYX"})
    assert Handoffs().analyse(one).item("pingpong_direct_share").value == 1.0
    single = teams_log({"a": "X", "b": "Y", "c": "Z"})
    pc = handoffs_per_case(single)
    assert pc[["handovers_team", "pingpong_direct", "pingpong_indirect"]].to_numpy().sum() == 0
    assert pc["teams"].tolist() == [1, 1, 1]
    result = Handoffs().analyse(single)
    assert result.status == "ok" and result.item("pingpong_share").value == 0.0


def test_empty_log_gives_a_result():
    empty = EventLog.from_frame(pd.DataFrame({C.CASE: pd.Series([], dtype=str), C.ACTIVITY: pd.Series([], dtype=str),
                                              C.TIMESTAMP: pd.Series([], dtype="datetime64[us, UTC]"),
                                              C.TEAM: pd.Series([], dtype=str)}))
    pc = handoffs_per_case(empty)
    assert len(pc) == 0 and {"handovers_team", "pingpong_direct", "escalated"} <= set(pc.columns)
    [result] = run_analysers(empty, [Handoffs()])
    assert result.status in ("ok", "skipped")        # the runner skips a log whose required columns are empty
    assert Handoffs().analyse(empty).item("cases").value == 0


def test_without_people_teams_or_groups_nothing_is_measured_and_it_says_why():
    log = make_log([("1", "a"), ("1", "b")], (C.CASE, C.ACTIVITY))
    [result] = run_analysers(log, [Handoffs()])
    assert result.status == "ok" and "No handovers could be measured" in result.summary
    assert "who did each step" in result.item("person_handovers_mean").reason
    assert "team" in result.item("team_handovers_mean").reason
    assert "assign" in result.item("routing_handovers_mean").reason
    # the plain reason is on the metric; the column names and options that fix it are in the caveats
    assert any("org:group" in c for c in result.caveats)
    assert all(i.value is None for i in result.items if i.TYPE == "metric" and i.key != "cases")


def test_html_resource_name_is_escaped():
    evil = "<img src=x onerror=alert(1)>"
    log = make_log([("1", evil, "X"), ("1", "Bob", "Y"), ("1", evil, "X")], (C.CASE, C.RESOURCE, C.TEAM))
    result = Handoffs(person_level=True).analyse(log)
    graph = result.item("handover_network_person")
    assert evil in {n["id"] for n in graph.nodes}
    html = render_result(result)
    assert evil not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- organisations, push to front, system counters ----------------------------------------------------

def ssc_frame() -> pd.DataFrame:
    """Two tickets; the requester (mother organisation) answers in between; line numbers per SSC event."""
    rows = [  # case, team, organisation, line, resource
        ("1", "Desk", "SSC", 1, "a"), ("1", "Mother staff", "Town A", None, "u"), ("1", "Desk", "SSC", 1, "a"),
        ("1", "HR", "SSC", 2, "b"), ("1", "Desk", "SSC", 1, "a"),
        ("2", "Desk", "SSC", 1, "a"), ("2", "Desk", "SSC", 1, "c"),
    ]
    frame = pd.DataFrame(rows, columns=[C.CASE, C.TEAM, C.ORGANISATION, C.LINE, C.RESOURCE])
    frame[C.LINE] = frame[C.LINE].astype("Int64")
    frame[C.MOTHER] = frame[C.CASE].map({"1": "Town A", "2": "Town B"})
    frame[C.CATEGORY] = frame[C.CASE].map({"1": "Salary", "2": "Password"})
    frame[C.ACTIVITY] = "work"
    frame[C.TIMESTAMP] = [T0 + pd.Timedelta(hours=i) for i in range(len(frame))]
    return frame


def test_mother_events_are_org_handovers_but_not_team_pingpong():
    log = EventLog.from_frame(ssc_frame())
    pc = handoffs_per_case(log)
    # SSC team runs of case 1: Desk, HR, Desk → one direct return; the requester's answer is not a return
    assert (int(pc.loc["1", "pingpong_direct"]), int(pc.loc["1", "pingpong_indirect"])) == (1, 0)
    assert int(pc.loc["1", "handovers_team"]) == 4 and int(pc.loc["1", "handovers_org"]) == 2
    assert int(pc.loc["1", "team_changes"]) == 2
    result = Handoffs().analyse(log)
    assert result.item("org_handovers_mother_ssc").value == 2
    assert result.item("org_handovers_mother_mother").value == 0
    # naming the SSC explicitly gives the same answer; naming no organisation makes the answer a return
    assert handoffs_per_case(log, service_organisations=("SSC",))["pingpong_direct"].tolist() == [1, 0]
    everyone = handoffs_per_case(log, service_organisations=("SSC", "Town A"))
    assert int(everyone.loc["1", "pingpong_direct"]) == 2


def test_push_to_front_from_the_line_column_and_from_named_teams():
    log = EventLog.from_frame(ssc_frame())
    pc = handoffs_per_case(log)
    assert pc["escalated"].tolist() == [True, False] and pc["first_line_only"].tolist() == [False, True]
    result = Handoffs().analyse(log)
    assert result.item("first_line_only_share").value == 0.5
    by_category = result.item("escalation_by_category").to_frame().set_index("group")
    assert by_category.loc["Salary", "escalated_share"] == 1.0
    named = handoffs_per_case(log, first_line_teams=("Desk", "HR"))
    assert named["escalated"].tolist() == [False, False]
    text_lines = ssc_frame().assign(**{C.LINE: lambda f: f[C.LINE].map({1: "1st line", 2: "2e lijn"})})
    assert handoffs_per_case(EventLog.from_frame(text_lines))["escalated"].tolist() == [True, False]


def test_line_column_without_line_numbers_is_a_caveat_not_a_figure():
    frame = ssc_frame().assign(**{C.LINE: "Org line A2"})
    result = Handoffs().analyse(EventLog.from_frame(frame))
    metric = result.item("first_line_only_share")
    assert metric.value is None and "support line" in metric.reason
    assert any("first_line_teams" in c for c in result.caveats)
    assert handoffs_per_case(EventLog.from_frame(frame))["escalated"].isna().all()


def test_reassignment_count_is_compared_with_the_mined_reassignments():
    frame = ssc_frame()
    frame["reassignment_count"] = frame[C.CASE].map({"1": "2", "2": "1"})
    # without an assignment-group column the system's reassignments are not compared with anything
    assert "reassignments_vs_system" not in {i.key for i in Handoffs().analyse(EventLog.from_frame(frame)).items}
    frame[C.ASSIGNED_GROUP] = ["Desk", "Desk", "Desk", "HR", "Desk", "Desk", "Desk"]   # routing: Desk, HR, Desk
    result = Handoffs().analyse(EventLog.from_frame(frame))
    table = result.item("reassignments_vs_system").to_frame().set_index("measure")["value"]
    assert table["equal"] == 1 and table["system more"] == 1
    assert result.item("reassignments_differ").case_ids == ["2"]


def test_registered_through_the_entry_point_group():
    found = discover()
    assert found.analysers["handoffs"] is Handoffs
    assert Handoffs.param_defaults()["person_level"] is False


def test_result_is_json_round_trippable():
    import json

    from ssc_mining.results import Result
    data = Handoffs(person_level=True).analyse(EventLog.from_frame(ssc_frame())).to_dict()
    assert Result.from_dict(json.loads(json.dumps(data))).to_dict() == data


# --- ground truth from the simulator -----------------------------------------------------------------

def _simulation(seed: int, cases: int):
    simulate_mod = pytest.importorskip("ssc_mining.simulate")
    return simulate_mod.simulate(simulate_mod.SimulationConfig(seed=seed, cases=cases))


def precision_recall(found: pd.Series, truth: pd.Series) -> tuple[float, float]:
    found, truth = found.astype(bool), truth.astype(bool)
    tp = int((found & truth).sum())
    return (tp / max(int(found.sum()), 1), tp / max(int(truth.sum()), 1))


@pytest.mark.parametrize("seed", [3, 11])
def test_per_case_counts_equal_the_simulators_ground_truth(seed: int):
    sim = _simulation(seed, 1500)
    pc = handoffs_per_case(EventLog.from_frame(sim.events))
    truth = sim.cases.set_index("case_id").reindex(pc.index)
    assert truth.index.equals(pc.index) and len(pc) == 1500
    for column in ("handovers_person", "handovers_team", "handovers_org", "pingpong_direct", "pingpong_indirect"):
        assert pc[column].tolist() == truth[column].astype(int).tolist(), column
    assert pc["escalated"].astype(bool).tolist() == truth["escalated"].astype(bool).tolist()
    assert pc["first_line_only"].astype(bool).tolist() == truth["first_line_only"].astype(bool).tolist()
    assert pc["team_changes"].tolist() == truth["reassignments"].astype(int).tolist()
    for column in ("pingpong_direct", "pingpong_indirect"):
        assert truth[column].gt(0).any()
        assert precision_recall(pc[column] > 0, truth[column] > 0) == (1.0, 1.0)
    assert precision_recall(pc["escalated"], truth["escalated"]) == (1.0, 1.0)


# --- BPIC 2013 incidents ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bpic13() -> EventLog:
    return load_real("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")


def bpic13_first_line(teams) -> tuple[str, ...]:
    """BPIC 2013 (Volvo IT): support teams whose name carries '2nd' or '3rd' are 2nd/3rd line; the others 1st."""
    return tuple(sorted(t for t in set(teams) if "2nd" not in t and "3rd" not in t))


def reference_bpic13(log: EventLog, first_line: tuple[str, ...]) -> dict[str, float]:
    """A deliberately simple reference: plain Python over each incident's events in file order."""
    frame = log.frame.sort_values([C.TIMESTAMP, C.SOURCE_ROW], kind="stable")
    cases = {}
    for case, team, person, t in zip(frame[C.CASE], frame[C.TEAM], frame[C.RESOURCE], frame[C.TIMESTAMP]):
        cases.setdefault(case, []).append((team, person, t))
    n = direct_cases = indirect_cases = any_cases = first_only = 0
    team_handovers = person_handovers = 0
    firstline = set(first_line)
    for events in cases.values():
        n += 1
        teams = [e[0] for e in events]
        people = [e[1] for e in events]
        team_handovers += sum(1 for a, b in zip(teams, teams[1:]) if a != b)
        # BPIC13 writes "-" for "no person": a placeholder is neither giver nor receiver of a handover
        person_handovers += sum(1 for a, b in zip(people, people[1:]) if a != b and "-" not in (a, b))
        runs = []
        for team in teams:
            if not runs or runs[-1] != team:
                runs.append(team)
        direct = indirect = False
        for i, team in enumerate(runs):
            if team in runs[:i]:
                if i >= 2 and runs[i - 2] == team:
                    direct = True
                else:
                    indirect = True
        direct_cases += direct
        indirect_cases += indirect
        any_cases += direct or indirect
        first_only += all(team in firstline for team in teams)
    return {"pingpong_share": any_cases / n, "pingpong_direct_share": direct_cases / n,
            "pingpong_indirect_share": indirect_cases / n, "first_line_only_share": first_only / n,
            "team_handovers_mean": team_handovers / n, "person_handovers_mean": person_handovers / n,
            "cases": n}


#: pinned figures for BPIC 2013 incidents (7,554 incidents, 65,533 events);
#: first line = support teams without "2nd" or "3rd" in their name
BPIC13_PINNED = {
    "cases": 7554,
    "pingpong_share": 0.166534,            # 1,258 incidents come back to a support team they already left
    "pingpong_direct_share": 0.155811,     # 1,177 incidents with X → Y → X
    "pingpong_indirect_share": 0.058644,   # 443 incidents with X → … → X
    "first_line_only_share": 0.6018,       # 4,546 incidents never reach a '2nd' / '3rd' line team
    "team_handovers_mean": 1.2515,
    "person_handovers_mean": 2.729,        # 2.7335 when the 30 events with person "-" counted as a person
}


@pytest.mark.realdata
def test_bpic13_figures_equal_an_independent_reference_and_are_pinned(bpic13: EventLog):
    first_line = bpic13_first_line(bpic13.frame[C.TEAM].dropna())
    result = Handoffs(first_line_teams=first_line).analyse(bpic13)
    reference = reference_bpic13(bpic13, first_line)
    for key, expected in reference.items():
        assert result.item(key).value == pytest.approx(expected, abs=1e-4), key
    for key, pinned in BPIC13_PINNED.items():
        assert result.item(key).value == pytest.approx(pinned, abs=1e-6), key
    assert "solved by the first line alone" in result.summary
    print({k: result.item(k).value for k in BPIC13_PINNED})


def test_changes_between_the_sscs_own_teams_leave_the_requesters_side_out():
    """The sample: the requester's own department (a mother organisation) is not one of the SSC's teams."""
    from ssc_mining.loaders import load
    log = load("data/samples/generic-events.csv")
    frame = log.frame
    mothers = set(frame[C.MOTHER].dropna())
    changes = []
    for _case, events in frame.groupby(C.CASE, sort=False):
        teams = [t for t, org in zip(events[C.TEAM], events[C.ORGANISATION])
                 if org not in mothers and isinstance(t, str)]
        changes.append(sum(1 for a, b in zip(teams, teams[1:]) if a != b))
    result = Handoffs().analyse(log)
    assert result.item("service_team_changes_mean").value == round(sum(changes) / len(changes), 4)
    # all teams, the requester's department included, give more handovers
    assert result.item("team_handovers_mean").value > result.item("service_team_changes_mean").value
    # without an organisation column there is no requester side to leave out, and no such figure
    plain = Handoffs().analyse(EventLog.from_frame(frame.drop(columns=[C.ORGANISATION])))
    assert all(i.key != "service_team_changes_mean" for i in plain.items)
