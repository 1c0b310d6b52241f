"""The semantics step: one vocabulary, readings with reasons, overrides, states, and figures that do not depend
on the words an export uses."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, run_cli

from ssc_mining.analysers import discover, run_analysers
from ssc_mining.analysers.handoffs import Handoffs, handoffs_per_case
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import MappingSpec, load
from ssc_mining.semantics import Role, State, read_label, read_semantics
from ssc_mining.semantics.roles import MEANING, PRECEDENCE, ROLE_NAMES, ROLE_STATE
from ssc_mining.semantics.vocabulary import normalise, rules

T0 = pd.Timestamp("2024-03-04 09:00", tz="UTC")


def frame_of(rows: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    if C.TIMESTAMP not in frame.columns:
        frame[C.TIMESTAMP] = [T0 + pd.Timedelta(hours=i) for i in range(len(frame))]
    return frame


# --- the vocabulary -----------------------------------------------------------------------------------------

def test_every_rule_has_a_known_role_a_name_and_something_to_match():
    assert len(rules()) > 40
    for rule in rules():
        assert isinstance(rule.role, Role) and rule.name
        assert rule.exact or rule.patterns, rule.name
        assert all(e == normalise(e) for e in rule.exact), rule.name


def test_no_exact_label_is_claimed_by_two_rules():
    seen: dict[str, str] = {}
    for rule in rules():
        for label in rule.exact:
            assert label not in seen, f"{label!r} is in {seen.get(label)!r} and {rule.name!r}"
            seen[label] = rule.name


def test_no_label_is_listed_anywhere_else_in_the_package():
    """Meaning lives in one place: no analyser keeps a list of activity or status names of its own."""
    package = Path(__file__).resolve().parents[1] / "ssc_mining" / "analysers"
    words = ("Resolved", "Closed", "On hold", "Reopen", "Gereed", "Afgemeld", "Escalate", "Forward", "Deliver",
             "Wacht", "In progress")
    for path in package.glob("*.py"):
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith((">>>", "...")))   # doctest examples may use labels
        for word in words:
            assert not re.search(rf'["\']{word}["\']', code), f"{path.name} names the label {word!r}"


def test_every_role_has_a_meaning_a_name_and_a_place_in_the_precedence():
    assert set(MEANING) == set(ROLE_NAMES) == set(PRECEDENCE) == set(Role)
    assert Role("resolve").state is State.RESOLVED and Role.UPDATE.state is None
    assert all(state in State for state in ROLE_STATE.values())


@pytest.mark.parametrize("label,role", [
    # English / ITIL / ServiceNow / Jira
    ("Register", "register"), ("Intake", "route"), ("Reassignment", "route"), ("Forward", "forward"),
    ("Escalated", "escalate"), ("In Progress", "start_work"), ("Put on hold", "wait"),
    ("Waiting for customer", "wait_requester"), ("Awaiting Vendor", "wait_third_party"), ("Resume", "resume"),
    ("User responds", "requester_reply"), ("Status enquiry", "enquiry"), ("Resolved", "resolve"),
    ("Closed Complete", "close"), ("Canceled", "cancel"), ("Reopened", "reopen"), ("Operator Update", "update"),
    ("Caused By CI", "update"), ("Declined", "return"), ("Approve", "approve"), ("Deliver", "deliver"),
    # Dutch (TOPdesk)
    ("Melding registreren", "register"), ("Aanname", "route"), ("Doorsturen", "forward"), ("Escaleren", "escalate"),
    ("In behandeling nemen", "start_work"), ("In de wacht zetten", "wait"),
    ("Informatie opvragen bij aanmelder", "wait_requester"), ("Wacht op leverancier", "wait_third_party"),
    ("Reactie aanmelder", "requester_reply"), ("Hervatten", "resume"), ("Statusvraag", "enquiry"),
    ("Gereedmelden", "resolve"), ("Afmelden", "close"), ("Heropenen", "reopen"), ("Wachtend", "wait"),
    ("Afgewezen", "return"), ("Geannuleerd", "cancel"),
    # public logs
    ("Take in charge ticket", "start_work"), ("Assign seriousness", "route"), ("Wait - User", "wait_requester"),
    ("Declaration REJECTED by ADMINISTRATION", "return"), ("Declaration REJECTED by EMPLOYEE", "requester_reply"),
    ("Declaration SUBMITTED by EMPLOYEE", "register"), ("Payment Handled", "resolve"),
])
def test_labels_are_read_as_their_role(label, role):
    assert read_label(label)[0].value == role


def test_an_unknown_label_is_other_and_says_so():
    role, reason = read_label("Require upgrade")
    assert role is Role.OTHER and reason == "no rule matched"


# --- readings of a log --------------------------------------------------------------------------------------

def test_readings_record_their_reason_and_overrides_win():
    frame = frame_of([("1", "Register"), ("1", "Klaar"), ("1", "Require upgrade")], (C.CASE, C.ACTIVITY))
    reading = read_semantics(frame, overrides={"activities": {"KLAAR": "resolve"}}, fixed={"Register": "route"},
                             fixed_by="demo")
    by = {r.value: r for r in reading.activities}
    assert (by["Klaar"].role, by["Klaar"].source) == (Role.RESOLVE, "mapping")
    assert (by["Register"].role, by["Register"].source, by["Register"].rule) == (Role.ROUTE, "profile", "demo")
    assert (by["Require upgrade"].role, by["Require upgrade"].matched) == (Role.OTHER, False)
    assert [r.value for r in reading.unmatched()] == ["Require upgrade"]


def test_unknown_roles_in_overrides_are_named():
    with pytest.raises(ConfigError, match="unknown role 'solved'.*Klaar"):
        read_semantics(frame_of([("1", "Klaar")], (C.CASE, C.ACTIVITY)), overrides={"activities": {"Klaar": "solved"}})
    with pytest.raises(ConfigError, match=r"\[semantics.labels\]"):
        read_semantics(frame_of([("1", "Klaar")], (C.CASE, C.ACTIVITY)), overrides={"labels": {}})


def test_lifecycle_with_statuses_is_read_as_the_status():
    rows = [("1", "Accepted", "In Progress"), ("1", "Accepted", "Wait - User"), ("1", "Completed", "In Call"),
            ("2", "Queued", "Awaiting Assignment"), ("2", "Accepted", "In Progress"), ("2", "Completed", "Resolved"),
            ("2", "Completed", "Closed")]
    log = EventLog.from_frame(frame_of(rows, (C.CASE, C.ACTIVITY, C.LIFECYCLE)))
    assert log.semantics.status_column == C.LIFECYCLE and "statuses" in log.semantics.notes[0]
    m = log.markers
    roles = [list(Role)[c].value for c in m.role]
    assert roles == ["start_work", "wait_requester", "resolve", "route", "start_work", "resolve", "close"]
    assert [State(s).name for s in m.state] == ["ACTIVE", "WAIT_REQUESTER", "RESOLVED", "ACTIVE", "ACTIVE",
                                                "RESOLVED", "CLOSED"]
    standard = EventLog.from_frame(frame_of([("1", "a", "start"), ("1", "a", "complete")],
                                            (C.CASE, C.ACTIVITY, C.LIFECYCLE)))
    assert standard.semantics.status_column is None


def test_a_status_that_does_not_change_does_not_turn_contact_into_a_wait():
    rows = [("1", "Register", "New"), ("1", "Put on hold", "On hold"), ("1", "Status enquiry", "On hold"),
            ("1", "Resume", "In progress")]
    m = EventLog.from_frame(frame_of(rows, (C.CASE, C.ACTIVITY, C.STATUS))).markers
    assert [list(Role)[c].value for c in m.role] == ["register", "wait", "enquiry", "resume"]
    assert m.waiting().tolist() == [False, True, True, False]


def test_the_complete_of_a_started_activity_does_not_move_the_state():
    rows = [("1", "A_SUBMITTED", "complete"), ("1", "W_Valideren aanvraag", "start"),
            ("1", "A_ACTIVATED", "complete"), ("1", "W_Valideren aanvraag", "complete")]
    m = EventLog.from_frame(frame_of(rows, (C.CASE, C.ACTIVITY, C.LIFECYCLE))).markers
    assert m.moves_state.tolist() == [True, True, True, False]
    assert m.ended.tolist() == [True] and m.reopen.tolist() == [False] * 4


def test_endings_and_starts_are_judged_only_when_the_log_records_them():
    done = EventLog.from_frame(frame_of([("1", "Register"), ("1", "Resolve"), ("2", "Register"), ("3", "Start work"),
                                         ("3", "Resolve")], (C.CASE, C.ACTIVITY))).markers
    assert done.endings_known and done.starts_known
    assert done.ended.tolist() == [True, False, True] and done.started.tolist() == [True, True, False]
    assert done.complete.tolist() == [True, False, False]
    neither = EventLog.from_frame(frame_of([("1", "a"), ("1", "b")], (C.CASE, C.ACTIVITY))).markers
    assert not neither.endings_known and not neither.starts_known and neither.complete.tolist() == [True]


# --- the same figures whatever the words ---------------------------------------------------------------------

def _metrics(log: EventLog) -> dict[str, dict[str, object]]:
    results = run_analysers(log, [cls() for cls in discover().analysers.values()])
    return {r.analyser: {i.key: (i.value, bool(getattr(i, "reason", ""))) for i in r.items if i.TYPE == "metric"}
            for r in results}


def test_the_dutch_relabelled_sample_gives_the_english_figures_on_every_metric():
    """Dutch columns and labels, ';', BOM, dd-mm-jjjj local times, no options: the same figures."""
    english = load(SAMPLES / "generic-events.csv")
    dutch = load(SAMPLES / "generic-events-nl.csv")
    assert dutch.provenance.mapping["need_by"] == "Gewenste leverdatum"
    assert dutch.provenance.encoding == "utf-8-sig" and dutch.provenance.delimiter == ";"
    assert set(dutch.frame[C.ACTIVITY]).isdisjoint(set(english.frame[C.ACTIVITY]))   # really other words
    assert not dutch.semantics.unmatched() and not english.semantics.unmatched()
    a, b = _metrics(english), _metrics(dutch)
    assert a.keys() == b.keys()
    compared = 0
    for analyser in a:
        assert a[analyser] == b[analyser], analyser
        compared += len(a[analyser])
    assert compared > 100


def test_a_servicenow_history_without_people_directory_measures_routing_exactly(tmp_path: Path):
    shutil.copy(SAMPLES / "servicenow-history.csv", tmp_path / "servicenow-history.csv")   # no people.csv beside it
    log = load(tmp_path / "servicenow-history.csv")
    assert not log.has(C.TEAM) and log.has(C.ASSIGNED_GROUP)
    pc = handoffs_per_case(log)
    truth = pd.read_csv(SAMPLES / "ground-truth.csv", dtype=str).set_index("servicenow_number").reindex(pc.index)
    for mined, planted in (("handovers_routing", "reassignments"),
                           ("routing_pingpong_direct", "routing_pingpong_direct"),
                           ("routing_pingpong_indirect", "routing_pingpong_indirect")):
        expected = truth[planted].astype(int)
        assert pc[mined].tolist() == expected.tolist(), mined
        found, real = pc[mined].to_numpy() > 0, expected.to_numpy() > 0
        tp = int((found & real).sum())
        assert real.any() and (tp / found.sum(), tp / real.sum()) == (1.0, 1.0), mined
    result = Handoffs().analyse(log)
    assert result.item("routing_pingpong_share").value == round(float(((truth["routing_pingpong_direct"].astype(int)
                                                                          + truth["routing_pingpong_indirect"]
                                                                          .astype(int)) > 0).mean()), 6)
    assert result.item("reassignments_differ").count == 0          # equal to the system's reassignment_count
    assert result.item("team_handovers_mean").value is None        # no people directory: not measured, not 0
    assert "which team" in result.item("team_handovers_mean").reason
    assert any("people directory" in c for c in result.caveats)     # what to do: in the caveats


# --- not measured is never 0 --------------------------------------------------------------------------------

def test_a_log_of_unknown_labels_gives_reasons_not_zeros():
    frame = frame_of([("1", "Alpha"), ("1", "Beta"), ("2", "Alpha"), ("2", "Gamma")], (C.CASE, C.ACTIVITY))
    results = {r.analyser: r for r in run_analysers(EventLog.from_frame(frame),
                                                     [cls() for cls in discover().analysers.values()])}
    expected_unmeasured = {"reopens": ["reopened_share"], "waiting": ["waiting_share"],
                           "coordination": ["coordination_event_share"], "returns": ["returned_share"],
                           "handoffs": ["team_handovers_mean", "routing_handovers_mean", "person_handovers_mean"],
                           "deliveries": ["late_share", "sla_compliance"], "workload": ["open_cases"],
                           "throughput": ["median_days_to_resolution"]}
    for analyser, keys in expected_unmeasured.items():
        for key in keys:
            metric = results[analyser].item(key)
            assert metric.value is None and len(metric.reason) > 20, (analyser, key)


def test_first_page_answers_say_not_measured_with_the_reason(tmp_path: Path):
    path = tmp_path / "plain.csv"
    path.write_text("case,activity,timestamp\n1,Alpha,2024-03-04 09:00\n1,Beta,2024-03-04 10:00\n"
                    "2,Alpha,2024-03-05 09:00\n2,Gamma,2024-03-05 11:00\n", encoding="utf-8")
    result = run_cli("report", path, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    figures = json.loads((tmp_path / "out" / "plain.json").read_text(encoding="utf-8"))
    html = (tmp_path / "out" / "plain.html").read_text(encoding="utf-8")
    first_page = html[html.index('id="key-findings"'):html.index('id="about"')]
    assert "Not measured: nothing in this export means sending a request back" in first_page
    assert "Not measured: no activity or status of this export was recognised as coordination" in first_page
    assert not re.search(r"<b>0(\.0)? ?%", first_page)
    reopen = next(i for r in figures["analysers"] if r["analyser"] == "reopens" for i in r["items"]
                  if i["key"] == "reopened_share")
    assert reopen["value"] is None and reopen["reason"]


# --- inspect, the report and the JSON show the readings ------------------------------------------------------

def test_inspect_shows_how_activities_are_read():
    result = run_cli("inspect", SAMPLES / "generic-events-nl.csv")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "How activities would be read" in out
    assert re.search(r"Informatie opvragen bij aanmelder\s+wait_requester\s+79", out)
    assert re.search(r"Wachtend\s+wait\s+240", out)


def test_a_mapping_file_changes_a_reading_for_every_analyser(tmp_path: Path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[semantics.activities]\n"Status enquiry" = "work"\n', encoding="utf-8")
    spec = MappingSpec.from_toml(mapping)
    log = load(SAMPLES / "generic-events.csv", spec)
    reading = next(r for r in log.semantics.activities if r.value == "Status enquiry")
    assert reading.role is Role.WORK and reading.source == "mapping"
    base = run_analysers(load(SAMPLES / "generic-events.csv"), [discover().analysers["coordination"]()])[0]
    changed = run_analysers(log, [discover().analysers["coordination"]()])[0]
    assert changed.item("coordination_events").value == base.item("coordination_events").value - 115
    bad = tmp_path / "bad.toml"
    bad.write_text('[semantics.activities]\n"Status enquiry" = "chat"\n', encoding="utf-8")
    result = run_cli("report", SAMPLES / "generic-events.csv", "--mapping", bad, "-o", tmp_path / "out")
    assert result.returncode == 2 and "unknown role 'chat'" in result.stderr and "enquiry" in result.stderr


def test_profiles_fix_the_roles_of_the_labels_they_make():
    log = load(SAMPLES / "topdesk-export.csv")
    by = {r.value: r for r in log.semantics.activities}
    assert by["First response"].source == "profile" and by["First response"].rule == "topdesk"
    assert by["Resolve"].role is Role.RESOLVE


def test_report_json_and_html_show_the_readings(tmp_path: Path):
    result = run_cli("report", SAMPLES / "generic-events.csv", "-o", tmp_path, "--lang", "en", "--lang", "nl")
    assert result.returncode == 0, result.stderr
    figures = json.loads((tmp_path / "generic-events.json").read_text(encoding="utf-8"))
    readings = {r["value"]: r for r in figures["semantics"]["activities"]}
    assert readings["Request information from user"]["role"] == "wait_requester"
    assert readings["Status enquiry"]["reason"].startswith("rule ")
    assert figures["semantics"]["status_column"] == C.STATUS
    html = (tmp_path / "generic-events.html").read_text(encoding="utf-8")
    assert 'id="semantics"' in html and "How activities were read" in html
    dutch = (tmp_path / "generic-events.nl.html").read_text(encoding="utf-8")
    assert "Hoe de activiteiten zijn gelezen" in dutch and "wachten op de aanvrager" in dutch
