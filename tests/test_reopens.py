"""The reopens analyser: reopened tickets, rework and re-submission chains, on hand-made logs and ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ssc_mining.analysers import discover, run_analysers
from ssc_mining.analysers.reopens import Reopens, reopens_per_case, resubmission_chains
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.report.results_html import render_result
from ssc_mining.semantics import read_semantics

T0 = pd.Timestamp("2024-03-04 09:00", tz="UTC")


def make_log(rows: list[tuple], columns: tuple[str, ...]) -> EventLog:
    frame = pd.DataFrame(rows, columns=list(columns))
    if C.TIMESTAMP not in frame.columns:
        frame[C.TIMESTAMP] = [T0 + pd.Timedelta(hours=i) for i in range(len(frame))]
    if C.ACTIVITY not in frame.columns:
        frame[C.ACTIVITY] = "work"
    return EventLog.from_frame(frame)


# --- reopens ------------------------------------------------------------------------------------------

def test_reopens_from_status_and_from_reopen_activities_count_once_per_event():
    rows = [
        ("status", "Register", "New"), ("status", "Resolve", "Resolved"), ("status", "Work", "In progress"),
        ("status", "Resolve", "Resolved"), ("status", "Close", "Closed"),
        ("both", "Resolve", "Resolved"), ("both", "Reopen", "Reopened"), ("both", "Work", "In progress"),
        ("act", "Work", "In progress"), ("act", "Reopen", None),
        ("closed", "Resolve", "Resolved"), ("closed", "Close", "Closed"), ("closed", "Close", "Closed"),
        ("dutch", "Afhandelen", "Gereed"), ("dutch", "Oppakken", "In behandeling"), ("dutch", "Afmelden", "Afgemeld"),
        ("gap", "Resolve", "Resolved"), ("gap", "Note", None), ("gap", "Work", "In progress"),
        ("never", "Work", "In progress"),
    ]
    pc = reopens_per_case(make_log(rows, (C.CASE, C.ACTIVITY, C.STATUS)))
    assert pc["reopens"].to_dict() == {"status": 1, "both": 1, "act": 1, "closed": 0, "dutch": 1, "gap": 1,
                                       "never": 0}


def test_without_a_status_column_the_activity_roles_decide():
    rows = [("1", "Open"), ("1", "Closed"), ("1", "Take in charge"), ("1", "Closed"), ("2", "Open"), ("2", "Closed")]
    log = make_log(rows, (C.CASE, C.ACTIVITY))
    assert reopens_per_case(log)["reopens"].tolist() == [1, 0]
    # the mapping file's [semantics] decides: with "Closed" read as something else nothing is ever closed,
    # so reopens cannot be measured at all (not 0)
    reading = read_semantics(log.frame, overrides={"activities": {"closed": "other"}})
    custom = EventLog.from_frame(log.frame, semantics=reading)
    assert reopens_per_case(custom)["reopens"].tolist() == [0, 0]
    result = Reopens().analyse(custom)
    assert result.item("reopened_share").value is None
    assert "resolved, closed or reopened" in result.item("reopened_share").reason


def test_updates_after_closure_are_not_reopens():
    """HP Service Manager style: a CI linked after closure is an update, not a reopen; a reassignment after
    closure without further work or a new closure is not a reopen either; a real second closure is."""
    rows = [("a", "Open"), ("a", "Assignment"), ("a", "Closed"), ("a", "Caused By CI"), ("a", "Quality Indicator Set"),
            ("b", "Open"), ("b", "Closed"), ("b", "Reassignment"),
            ("c", "Open"), ("c", "Closed"), ("c", "Reassignment"), ("c", "Operator Update"), ("c", "Closed"),
            ("d", "Open"), ("d", "Resolved"), ("d", "Closed")]
    pc = reopens_per_case(make_log(rows, (C.CASE, C.ACTIVITY)))
    assert pc["reopens"].to_dict() == {"a": 0, "b": 0, "c": 1, "d": 0}
    assert pc["updates_after_closure"].to_dict() == {"a": 2, "b": 1, "c": 0, "d": 0}
    result = Reopens().analyse(make_log(rows, (C.CASE, C.ACTIVITY)))
    assert result.item("reopened_share").value == 0.25
    assert result.item("updates_after_closure_share").value == 0.5


def test_a_resolution_recorded_twice_is_not_a_reopen():
    rows = [("a", "Take in charge ticket"), ("a", "Resolve ticket"), ("a", "Resolve ticket"), ("a", "Closed"),
            ("b", "Take in charge ticket"), ("b", "Resolve ticket"), ("b", "Take in charge ticket"),
            ("b", "Resolve ticket"), ("b", "Closed")]
    pc = reopens_per_case(make_log(rows, (C.CASE, C.ACTIVITY)))
    assert pc["reopens"].to_dict() == {"a": 0, "b": 1}
    assert pc["repeated_resolutions"].to_dict() == {"a": 1, "b": 0}


def test_rework_repeats_self_loops_and_redo():
    rows = [("1", "Check", "Ann"), ("1", "Check", "Bob"), ("1", "Fix", "Bob"), ("1", "Check", "Bob"),
            ("2", "Check", "Ann"), ("2", "Fix", None), ("2", "Fix", "Ann"), ("2", "Check", "Ann"),
            ("3", "Check", "Ann"), ("3", "Fix", "Ann")]
    pc = reopens_per_case(make_log(rows, (C.CASE, C.ACTIVITY, C.RESOURCE)))
    assert pc.loc["1", ["repeated_activities", "self_loops", "redo"]].astype(int).tolist() == [2, 1, 1]
    assert pc.loc["2", ["repeated_activities", "self_loops", "redo"]].astype(int).tolist() == [2, 1, 0]
    assert pc.loc["3", ["repeated_activities", "self_loops", "redo"]].astype(int).tolist() == [0, 0, 0]


def test_analyser_metrics_and_finding():
    rows = [("1", "Resolve", "Resolved"), ("1", "Reopen", "Reopened"), ("1", "Resolve", "Resolved"),
            ("1", "Reopen", "Reopened"), ("2", "Resolve", "Resolved"), ("3", "Resolve", "Resolved"),
            ("4", "Resolve", "Resolved")]
    result = Reopens().analyse(make_log(rows, (C.CASE, C.ACTIVITY, C.STATUS)))
    assert result.item("reopened_share").value == 0.25
    assert result.item("reopens").value == 2
    assert result.item("reopened_cases").case_ids == ["1"]
    assert result.summary.startswith("25 % of the 4 tickets were reopened")
    assert "requester and category" in result.item("chains").reason
    assert result.item("chains").value is None


def test_reopen_count_is_compared_with_the_mined_reopens():
    rows = [("1", "Resolve", "Resolved", "1"), ("1", "Reopen", "Reopened", "1"),
            ("2", "Resolve", "Resolved", "2"), ("3", "Resolve", "Resolved", None)]
    result = Reopens().analyse(make_log(rows, (C.CASE, C.ACTIVITY, C.STATUS, "reopen_count")))
    table = result.item("reopens_vs_system").to_frame().set_index("measure")["value"]
    assert table["tickets compared"] == 2 and table["equal"] == 1 and table["system more"] == 1
    assert result.item("reopens_differ").case_ids == ["2"]


# --- re-submission chains -----------------------------------------------------------------------------

def tickets_log(tickets: list[tuple[str, str, str, str, str]]) -> EventLog:
    """(case, requester, category, opened, closed) → a log with an Open and a Close event per ticket."""
    rows = []
    for case, requester, category, opened, closed in tickets:
        for activity, t in (("Open", opened), ("Close", closed)):
            rows.append((case, activity, pd.Timestamp(t, tz="UTC"), requester, category, f"agent {case}"))
    return make_log(rows, (C.CASE, C.ACTIVITY, C.TIMESTAMP, C.REQUESTER, C.CATEGORY, C.RESOURCE))


def test_chains_link_the_same_requester_and_category_within_the_window():
    log = tickets_log([
        ("a1", "Eva", "Salary", "2024-01-01", "2024-01-05"),
        ("a2", "Eva", "Salary", "2024-01-19", "2024-01-25"),          # exactly 14 days after a1 closed
        ("a3", "Eva", "Salary", "2024-02-08 00:00:01", "2024-02-10"),  # 14 days + 1 s after a2: new start
        ("b1", "Eva", "Password", "2024-01-06", "2024-01-07"),         # other category
        ("c1", "Tom", "Salary", "2024-01-06", "2024-01-20"),
        ("c2", "Tom", "Salary", "2024-01-10", "2024-01-12"),           # filed while c1 was open: same question
        ("c3", "Tom", "Salary", "2024-01-30", "2024-02-01"),           # 10 days after c1, the latest close
        ("d1", None, "Salary", "2024-01-06", "2024-01-07"),            # no requester: never in a chain
    ])
    found = resubmission_chains(log, window_days=14)
    assert found.evidence == "requester_category"
    chains = found.table
    got = {c: (chains.loc[c, "chain_id"], int(chains.loc[c, "chain_position"]), int(chains.loc[c, "chain_length"]))
           for c in chains.index}
    assert got == {"a1": ("a1", 1, 2), "a2": ("a1", 2, 2), "a3": (None, 0, 1), "b1": (None, 0, 1),
                   "c1": ("c1", 1, 3), "c2": ("c1", 2, 3), "c3": ("c1", 3, 3), "d1": (None, 0, 1)}
    result = Reopens(window_days=14).analyse(log)
    assert result.item("chains").value == 2
    assert result.item("chain_tickets_share").value == 5 / 8
    longest = result.item("longest_chains").to_frame().set_index("chain_id")
    assert longest.loc["a1", "chain_days"] == 24.0 and longest.loc["a1", "first_ticket_days"] == 4.0
    assert longest.loc["c1", "people"] == 3 and longest.loc["a1", "tickets"] == 2
    assert sorted(result.item("chains_longest").case_ids) == ["a1", "a2", "c1", "c2", "c3"]
    assert "filed again" in result.summary
    # requester and category alone are weak evidence: the first page's figure is not measured
    assert result.item("same_question_share").value is None
    assert "weak" in result.item("same_question_share").reason


def test_window_parameter_changes_the_chains():
    log = tickets_log([("a", "Eva", "Salary", "2024-01-01", "2024-01-05"),
                       ("b", "Eva", "Salary", "2024-02-20", "2024-02-25")])
    assert resubmission_chains(log, window_days=14).table["chain_position"].tolist() == [0, 0]
    assert resubmission_chains(log, window_days=60).table["chain_position"].tolist() == [1, 2]


def test_similar_subjects_are_medium_evidence_and_different_subjects_break_a_chain():
    rows = []
    for case, subject, day in (("a1", "Salary too low in March", 1), ("a2", "Again: salary too low in march!", 5),
                               ("a3", "New laptop please", 9), ("a4", "Laptop: new one please", 12)):
        for activity, hours in (("Open", 0), ("Close", 5)):
            rows.append((case, activity, T0 + pd.Timedelta(days=day, hours=hours), "Eva", "HR", subject))
    log = make_log(rows, (C.CASE, C.ACTIVITY, C.TIMESTAMP, C.REQUESTER, C.CATEGORY, C.SUBJECT))
    found = resubmission_chains(log)
    assert found.evidence == "subject"
    assert found.table["chain_id"].tolist() == ["a1", "a1", "a3", "a3"]
    result = Reopens().analyse(log)
    assert result.item("same_question_share").value == 1.0
    assert "similar subject" in result.item("same_question_share").based_on
    # the subjects themselves never reach the result
    assert "salary too low" not in str([i.to_dict() for i in result.items]).lower()


def test_an_explicit_link_is_the_strongest_evidence():
    rows = []
    for case, link, requester, day in (("p1", None, "Eva", 1), ("p2", "p1", "Tom", 3), ("p3", "PRB9", "Eva", 4),
                                       ("p4", "PRB9", "Ann", 40), ("p5", None, "Eva", 5)):
        for activity, hours in (("Open", 0), ("Close", 5)):
            rows.append((case, activity, T0 + pd.Timedelta(days=day, hours=hours), requester, "HR", link))
    log = make_log(rows, (C.CASE, C.ACTIVITY, C.TIMESTAMP, C.REQUESTER, C.CATEGORY, C.LINK))
    found = resubmission_chains(log)
    assert found.evidence == "link"
    table = found.table
    assert table["chain_id"].tolist() == ["p1", "p1", "p3", "p3", None]
    assert table["chain_position"].tolist() == [1, 2, 1, 2, 0]


# --- edge cases ---------------------------------------------------------------------------------------

def test_empty_log_one_case_and_one_event_per_case():
    empty = EventLog.from_frame(pd.DataFrame({C.CASE: pd.Series([], dtype=str), C.ACTIVITY: pd.Series([], dtype=str),
                                              C.TIMESTAMP: pd.Series([], dtype="datetime64[us, UTC]")}))
    [result] = run_analysers(empty, [Reopens()])
    assert result.status in ("ok", "skipped")        # the runner skips a log whose required columns are empty
    assert Reopens().analyse(empty).item("cases").value == 0
    assert len(reopens_per_case(empty)) == 0 and len(resubmission_chains(empty).table) == 0
    single = make_log([("a", "Resolved"), ("b", "Resolved"), ("c", "Open")], (C.CASE, C.ACTIVITY))
    pc = reopens_per_case(single)
    assert pc[["reopens", "repeated_activities", "self_loops", "redo"]].to_numpy().sum() == 0
    one = make_log([("x", "Resolved"), ("x", "Reopen"), ("x", "Resolved")], (C.CASE, C.ACTIVITY))
    assert Reopens().analyse(one).item("reopened_share").value == 1.0


def test_ties_in_timestamps_are_ordered_by_source_row():
    frame = pd.DataFrame({C.CASE: ["1"] * 3, C.ACTIVITY: ["Check", "Fix", "Check"],
                          C.TIMESTAMP: [T0, T0, T0], C.SOURCE_ROW: [1, 3, 2]})   # file order: Check, Check, Fix
    assert reopens_per_case(EventLog.from_frame(frame))["self_loops"].tolist() == [1]
    swapped = frame.assign(**{C.SOURCE_ROW: [1, 2, 3]})                       # Check, Fix, Check
    assert reopens_per_case(EventLog.from_frame(swapped))["self_loops"].tolist() == [0]


def test_an_event_at_the_moment_of_the_resolution_is_part_of_it_whatever_the_row_order():
    for rows in ([1, 2, 3], [1, 3, 2]):   # Register, Resolve, note / Register, note, Resolve (same second)
        frame = pd.DataFrame({C.CASE: ["1"] * 3, C.ACTIVITY: ["Register", "Resolve", "Add note"],
                              C.TIMESTAMP: [T0 - pd.Timedelta(hours=1), T0, T0], C.SOURCE_ROW: rows})
        log = EventLog.from_frame(frame)
        assert reopens_per_case(log)[["reopens", "updates_after_closure"]].iloc[0].tolist() == [0, 0]
        assert log.markers.ended.tolist() == [True]


def test_work_at_the_very_moment_of_the_resolution_is_not_a_reopen():
    hour = pd.Timedelta(hours=1)
    rows = [("1", "Register", T0), ("1", "Resolve", T0 + hour), ("1", "Work", T0 + hour),
            ("2", "Register", T0), ("2", "Resolve", T0 + hour),
            ("2", "Start work", T0 + pd.Timedelta(hours=2)), ("2", "Resolve", T0 + pd.Timedelta(hours=3))]
    assert reopens_per_case(make_log(rows, (C.CASE, C.ACTIVITY, C.TIMESTAMP)))["reopens"].tolist() == [0, 1]


def test_html_activity_name_is_escaped():
    evil = "<img src=x onerror=alert(1)>"
    log = make_log([("1", evil, "Ann"), ("1", evil, "Bob")], (C.CASE, C.ACTIVITY, C.RESOURCE))
    result = Reopens().analyse(log)
    assert result.item("rework_by_activity").rows[0][0] == evil
    html = render_result(result)
    assert evil not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_registered_through_the_entry_point_group():
    assert discover().analysers["reopens"] is Reopens
    assert Reopens.param_defaults()["window_days"] == 14


# --- ground truth from the simulator -----------------------------------------------------------------

def _simulation(seed: int, cases: int):
    simulate_mod = pytest.importorskip("ssc_mining.simulate")
    return simulate_mod.simulate(simulate_mod.SimulationConfig(seed=seed, cases=cases))


@pytest.fixture(scope="module", params=[5, 11])
def sim(request):
    return _simulation(request.param, 1500)


def test_reopens_and_repeats_equal_the_ground_truth(sim):
    pc = reopens_per_case(EventLog.from_frame(sim.events))
    truth = sim.cases.set_index("case_id").reindex(pc.index)
    assert pc["reopens"].tolist() == truth["reopens"].astype(int).tolist()
    assert pc["repeated_activities"].tolist() == truth["repeated_activities"].astype(int).tolist()
    found, planted = pc["reopens"] > 0, truth["reopens"] > 0
    assert planted.any()
    tp = int((found & planted).sum())
    assert (tp / found.sum(), tp / planted.sum()) == (1.0, 1.0)


def _containment(chains: pd.DataFrame, truth: pd.DataFrame, story: bool) -> float:
    """Share of planted chains whose tickets all lie in one mined chain (recall of the links)."""
    planted = truth[(truth["chain_id"] != "") & ((truth["story"] != "") == story)]
    mined = chains["chain_id"].reindex(planted.index)
    per_chain = pd.DataFrame({"truth": planted["chain_id"], "mined": mined.fillna("<none>")}).groupby("truth")
    return float(((per_chain["mined"].nunique() == 1) & ~per_chain["mined"].agg(lambda m: (m == "<none>").any()))
                 .mean())


def test_planted_resubmission_chains_are_all_found(sim):
    log = EventLog.from_frame(sim.events)
    truth = sim.cases.set_index("case_id")
    chains = resubmission_chains(log, window_days=sim.config.resubmission_window_days).table
    assert _containment(chains, truth.reindex(chains.index), story=False) == 1.0
    # salary-correction stories are one chain at the same window: each change request follows within it
    assert _containment(chains, truth.reindex(chains.index), story=True) == 1.0


def _assert_chains_equal_truth(log: EventLog, truth: pd.DataFrame, window_days: int, id_column: str = "case_id"):
    """Per case: chain id, position and length mined from ``log`` equal the ground truth (``truth``: the
    truth CSV as strings, one row per ticket; ``id_column``: the truth column naming the log's case ids).
    The mined chain id names the chain's first ticket in the log's ids, mapped to the truth's case id."""
    chains = resubmission_chains(log, window_days=window_days).table
    to_case = dict(zip(truth[id_column], truth["case_id"]))
    ids = pd.Index(chains.index.astype(str))
    assert sorted(ids) == sorted(truth[id_column])
    expected = truth.set_index(id_column).reindex(ids)
    mined_id = chains["chain_id"].map(lambda c: to_case[str(c)] if isinstance(c, str) else "").to_numpy()
    expected_length = expected.groupby("chain_id")["chain_id"].transform("size").where(expected["chain_id"] != "", 1)
    assert mined_id.tolist() == expected["chain_id"].tolist()
    assert chains["chain_position"].astype(int).tolist() == expected["chain_position"].astype(int).tolist()
    assert chains["chain_length"].astype(int).tolist() == expected_length.astype(int).tolist()
    # as precision and recall of the tickets filed again (position 2 and later) and of the chains (first tickets)
    for mined, planted in ((chains["chain_position"].to_numpy() >= 2, expected["chain_position"].astype(int) >= 2),
                           (chains["chain_position"].to_numpy() == 1, expected["chain_position"].astype(int) == 1)):
        planted = planted.to_numpy()
        tp = int((mined & planted).sum())
        assert planted.any() and (tp / mined.sum(), tp / planted.sum()) == (1.0, 1.0)
    stories = expected.loc[expected["story"] == "salary_correction", "chain_id"]
    assert stories.nunique() >= 1 and (chains.loc[stories.index, "chain_length"] >= 3).all()


def test_chains_equal_the_ground_truth_exactly(sim, tmp_path):
    simulate_mod = pytest.importorskip("ssc_mining.simulate")
    from ssc_mining.loaders import load
    paths = simulate_mod.write_exports(sim, tmp_path, formats=("generic",))
    truth = pd.read_csv(paths["truth-csv"], dtype=str, keep_default_na=False)
    window = json.loads(paths["truth-json"].read_text(encoding="utf-8"))["resubmission_window_days"]
    assert window == sim.config.resubmission_window_days == 14
    _assert_chains_equal_truth(load(paths["generic"]), truth, window)


#: sample file → the ground-truth column holding its case ids (topdesk-history has no requester or category)
SAMPLE_IDS = {"generic-events.csv": "case_id", "events.xes.gz": "case_id", "jira-changelog.json": "jira_key",
              "jira-changelog.csv": "jira_key", "topdesk-export.csv": "topdesk_number",
              "servicenow-incidents.csv": "servicenow_number", "servicenow-history.csv": "servicenow_number",
              "servicenow-sys_audit.csv": "servicenow_number"}


@pytest.mark.parametrize("name", list(SAMPLE_IDS))
def test_sample_chains_equal_the_ground_truth_exactly(name):
    from ssc_mining.loaders import load
    samples = Path(__file__).resolve().parents[1] / "data" / "samples"
    truth = pd.read_csv(samples / "ground-truth.csv", dtype=str, keep_default_na=False)
    window = json.loads((samples / "ground-truth.json").read_text(encoding="utf-8"))["resubmission_window_days"]
    _assert_chains_equal_truth(load(samples / name), truth, window, SAMPLE_IDS[name])


def test_handlers_per_chain_match_a_plain_count(sim):
    """The longest chains' handlers, counted by hand: the distinct people on the events of each chain's tickets.
    (No public real log records requesters, so chains are checked on the simulator's planted ones.)"""
    log = EventLog.from_frame(sim.events)
    result = Reopens().analyse(log)
    chains = resubmission_chains(log, window_days=Reopens().window_days).table
    table = result.item("longest_chains").to_frame().set_index("chain_id")
    assert len(table) >= 3
    frame = log.frame
    for chain_id, row in table.iterrows():
        tickets = set(chains.index[chains["chain_id"] == chain_id])
        people = frame.loc[frame[C.CASE].isin(tickets), C.RESOURCE].dropna().astype(object).nunique()
        assert row["people"] == people, chain_id
