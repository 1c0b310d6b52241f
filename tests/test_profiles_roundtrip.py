"""Simulate → export → load gives back the ground truth, in every format, as far as the format carries it.

History formats (TOPdesk history, ServiceNow history and sys_audit, Jira JSON and CSV) carry every event:
case, activity, time, who acted, status and assignment after the event. Snapshot formats (TOPdesk export,
ServiceNow incident list) carry one event per date column only; those are checked against the matching
ground-truth events. The system's counters are checked against the per-case ground truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import MappingSpec, load
from ssc_mining.simulate import SimulationConfig, simulate, write_exports


@pytest.fixture(scope="module")
def sim():
    return simulate(SimulationConfig(seed=3, cases=120))


@pytest.fixture(scope="module")
def paths(sim, tmp_path_factory):
    return write_exports(sim, tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def truth_events(sim):
    return sim.events.sort_values([C.CASE, C.TIMESTAMP], kind="stable").reset_index(drop=True)


def case_map(sim, column: str) -> dict[str, str]:
    return dict(zip(sim.cases[column], sim.cases["case_id"]))


def loaded(path, sim, id_column: str | None, expected_profile: str, spec=None) -> pd.DataFrame:
    log = load(path, spec)
    assert log.provenance.profile == expected_profile
    assert log.provenance.profile_detection.startswith(("detected: columns", "--profile"))
    p = log.provenance
    assert p.rows_read == p.rows_used + p.rows_quarantined + sum(p.rows_skipped.values())
    assert p.rows_quarantined == 0 and len(log.quarantine) == 0
    frame = log.frame.copy()
    if id_column:
        frame[C.CASE] = frame[C.CASE].map(case_map(sim, id_column))
    assert frame[C.CASE].notna().all()
    return frame.sort_values([C.CASE, C.TIMESTAMP], kind="stable").reset_index(drop=True)


def assert_history(frame: pd.DataFrame, truth: pd.DataFrame, *, resource=None, status=None,
                   group_known_from_start: bool = True, register_resource: bool = True) -> None:
    """Every ground-truth event, in order, with activity, minute, actor, status and assignment."""
    assert len(frame) == len(truth)
    assert frame[C.CASE].tolist() == truth[C.CASE].tolist()
    assert frame[C.ACTIVITY].tolist() == truth[C.ACTIVITY].tolist()
    assert (frame[C.TIMESTAMP].dt.floor("min") == truth[C.TIMESTAMP]).all()
    want_res = truth[C.RESOURCE].map(resource) if resource else truth[C.RESOURCE]
    got_res = frame[C.RESOURCE]
    if not register_resource:
        reg = (truth[C.ACTIVITY] == "Register").to_numpy()
        assert got_res[reg].isna().all()
        got_res, want_res = got_res[~reg], want_res[~reg]
    assert got_res.tolist() == want_res.tolist()
    want_status = truth[C.STATUS].map(status) if status else truth[C.STATUS]
    assert frame[C.STATUS].tolist() == want_status.tolist()
    got_group = frame[C.ASSIGNED_GROUP]
    known = got_group.notna().to_numpy()
    if group_known_from_start:
        assert known.all()
    else:
        assert known.mean() > 0.3
    assert (got_group[known] == truth.loc[known, "ssc:assigned_group"]).all()
    assert frame[C.ASSIGNED_TO].fillna("").tolist() == truth["ssc:assigned_to"].fillna("").tolist()


def assert_team_org(frame: pd.DataFrame, truth: pd.DataFrame, *, min_team: float, min_org: float) -> None:
    """Team and organisation of whoever acted: never wrong, known for most events."""
    for column, least in ((C.TEAM, min_team), (C.ORGANISATION, min_org)):
        known = frame[column].notna().to_numpy()
        assert (frame.loc[known, column] == truth.loc[known, column]).all(), column
        assert known.mean() >= least, (column, known.mean())


def test_topdesk_history_gives_back_every_event(sim, paths, truth_events):
    frame = loaded(paths["topdesk-history"], sim, "topdesk_number", "topdesk-history")
    assert_history(frame, truth_events)
    assert_team_org(frame, truth_events, min_team=1.0, min_org=1.0)  # from the people directory


def test_servicenow_history_gives_back_every_event(sim, paths, truth_events, tmp_path):
    users = pd.DataFrame([(p.user_name, p.name) for p in sim.world.org.people], columns=["user_name", "name"])
    users.to_csv(tmp_path / "sys_user.csv", index=False)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(f'[profiles.servicenow-history]\nusers = "{tmp_path / "sys_user.csv"}"\n')
    states = {"Reopened": "In progress"}  # ServiceNow has no reopened state: code 2 again
    lone = tmp_path / "history.csv"  # without the people directory next to it
    lone.write_bytes(paths["servicenow-history"].read_bytes())
    plain = loaded(lone, sim, "servicenow_number", "servicenow-history")
    logins = {p.name: p.user_name for p in sim.world.org.people}
    assert_history(plain, truth_events, resource=logins, status=lambda s: states.get(s, s))
    assert plain[C.TEAM].isna().all()  # user ids cannot be linked to assignees without a users file
    named = loaded(lone, sim, "servicenow_number", "servicenow-history", MappingSpec.from_toml(mapping))
    assert_history(named, truth_events, status=lambda s: states.get(s, s))
    assert_team_org(named, truth_events, min_team=0.85, min_org=0.95)
    # with the people directory written next to the export: names, and every actor's team and organisation
    full = loaded(paths["servicenow-history"], sim, "servicenow_number", "servicenow-history")
    assert_history(full, truth_events, status=lambda s: states.get(s, s))
    assert_team_org(full, truth_events, min_team=1.0, min_org=1.0)


def test_servicenow_audit_rebuilds_every_event(sim, paths, truth_events):
    frame = loaded(paths["servicenow-audit"], sim, "servicenow_number", "servicenow-audit")
    assert_history(frame, truth_events, status=lambda s: {"Reopened": "In progress"}.get(s, s))
    assert_team_org(frame, truth_events, min_team=1.0, min_org=1.0)
    assert frame[C.REQUESTER].tolist() == truth_events[C.REQUESTER].tolist()
    assert frame[C.MOTHER].tolist() == truth_events[C.MOTHER].tolist()
    assert (frame[C.DUE] == truth_events[C.DUE]).all()


def test_servicenow_audit_without_side_files_uses_number_field(sim, paths, tmp_path, truth_events):
    lone = tmp_path / "audit.csv"
    lone.write_bytes(paths["servicenow-audit"].read_bytes())
    log = load(lone)
    assert log.provenance.profile == "servicenow-audit"
    assert set(log.frame[C.CASE]) == set(sim.cases["servicenow_number"])
    assert log.n_events == len(truth_events)
    assert log.frame[C.ASSIGNED_GROUP].str.len().eq(32).all()  # sys_ids stay sys_ids without references
    assert any("no audit-references.csv" in n for n in log.provenance.notes)


def test_jira_json_gives_back_every_event(sim, paths, truth_events):
    frame = loaded(paths["jira-json"], sim, None, "jira")
    assert_history(frame, truth_events)
    assert_team_org(frame, truth_events, min_team=1.0, min_org=1.0)


def test_jira_csv_gives_back_every_event_but_the_creator(sim, paths, truth_events):
    frame = loaded(paths["jira-csv"], sim, None, "jira-csv")
    assert_history(frame, truth_events, group_known_from_start=False, register_resource=False)
    assert_team_org(frame, truth_events, min_team=0.75, min_org=0.8)


@pytest.mark.parametrize("fmt,profile", [("generic", "csv"), ("xes", "xes")])
def test_generic_formats_give_back_every_event(sim, paths, truth_events, fmt, profile):
    log = load(paths[fmt])
    assert log.provenance.profile == profile
    assert log.provenance.profile_detection.startswith("no ticket-system profile recognised")
    frame = log.frame.sort_values([C.CASE, C.TIMESTAMP], kind="stable").reset_index(drop=True)
    for column in (C.CASE, C.ACTIVITY, C.RESOURCE, C.TEAM, C.ORGANISATION):
        assert frame[column].tolist() == truth_events[column].tolist(), column
    assert (frame[C.TIMESTAMP] == truth_events[C.TIMESTAMP]).all()


SNAPSHOT_DATES = {"Register": "registered_at", "Resolve": "resolved_at", "Close": "closed_at",
                  "First response": "first_response_at"}


@pytest.mark.parametrize("fmt,profile,id_column,activities", [
    ("topdesk", "topdesk", "topdesk_number", ["Register", "First response", "Resolve", "Close"]),
    ("servicenow", "servicenow", "servicenow_number", ["Register", "Resolve", "Close"]),
])
def test_snapshot_gives_back_one_event_per_date_column(sim, paths, truth_events, fmt, profile, id_column,
                                                       activities):
    frame = loaded(paths[fmt], sim, id_column, profile)
    assert len(frame) == len(sim.cases) * len(activities)  # every simulated ticket is closed
    assert sorted(frame[C.ACTIVITY].unique()) == sorted(activities)
    truth = sim.cases.set_index("case_id")
    for activity in activities:
        part = frame[frame[C.ACTIVITY] == activity].set_index(C.CASE)
        want = pd.to_datetime(truth.loc[part.index, SNAPSHOT_DATES[activity]], utc=True)
        assert (part[C.TIMESTAMP] == want.to_numpy()).all(), activity
    # the carried events are ground-truth events (the last Resolve / Close), with who did them
    last = truth_events.drop_duplicates([C.CASE, C.ACTIVITY], keep="last").set_index([C.CASE, C.ACTIVITY])
    for activity in ("Resolve", "Close", "Register"):
        part = frame[frame[C.ACTIVITY] == activity]
        match = last.loc[list(zip(part[C.CASE], part[C.ACTIVITY]))]
        assert (part[C.TIMESTAMP].to_numpy() == match[C.TIMESTAMP].to_numpy()).all()
        known = part[C.RESOURCE].notna().to_numpy()
        for column in (C.RESOURCE, C.TEAM, C.ORGANISATION):
            carried = part[column].notna().to_numpy()  # the requester's own team is not in a snapshot
            assert (part.loc[carried, column].to_numpy() == match.loc[carried, column].to_numpy()).all(), column
        if activity != "Register":
            assert known.all() and part[C.TEAM].notna().all()
    # registration by the requester through the portal is carried; by an agent (phone, e-mail) it is not
    reg = frame[frame[C.ACTIVITY] == "Register"]
    portal = reg[C.CASE].map(truth["channel"]).eq("portal").to_numpy()
    assert reg.loc[portal, C.RESOURCE].notna().all() and reg.loc[~portal, C.RESOURCE].isna().all()
    first = frame.drop_duplicates(C.CASE).set_index(C.CASE)
    assert (first[C.MOTHER] == truth.loc[first.index, "mother"]).all()
    assert (first[C.REQUESTER] == truth.loc[first.index, "requester"]).all()
    assert (first[C.DUE] == pd.to_datetime(truth.loc[first.index, "due"], utc=True).to_numpy()).all()


def per_case(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame.groupby(C.CASE)[column].agg(["first", "nunique"])
    assert (values["nunique"] <= 1).all(), f"{column} differs between events of one case"
    return values["first"]


@pytest.mark.parametrize("fmt,id_column,profile", [
    ("servicenow", "servicenow_number", "servicenow"),
    ("servicenow-history", "servicenow_number", "servicenow-history"),
    ("servicenow-audit", "servicenow_number", "servicenow-audit"),
])
def test_servicenow_counters_agree_with_the_ground_truth(sim, paths, fmt, id_column, profile):
    frame = loaded(paths[fmt], sim, id_column, profile)
    truth = sim.cases.set_index("case_id")
    reassign = per_case(frame, C.REASSIGNMENT_COUNT)
    reopen = per_case(frame, C.REOPEN_COUNT)
    assert (reassign.astype(int) == truth.loc[reassign.index, "reassignments"]).all()
    assert (reopen.astype(int) == truth.loc[reopen.index, "reopens"]).all()
    assert truth["reopens"].sum() > 0 and truth["reassignments"].sum() > 0  # the check can fail
    if fmt == "servicenow":
        made = per_case(frame, C.MADE_SLA)
        assert (made.astype(bool) == truth.loc[made.index, "sla_met"]).all()
        assert not truth["sla_met"].all()


def test_topdesk_on_hold_minutes_agree_with_the_ground_truth(sim, paths):
    frame = loaded(paths["topdesk"], sim, "topdesk_number", "topdesk")
    truth = sim.cases.set_index("case_id")
    minutes = per_case(frame, C.ON_HOLD_MINUTES)
    assert (minutes.astype(int) == truth.loc[minutes.index, "wait_seconds"] // 60).all()
    assert (truth["wait_seconds"] > 0).any()
    lines = per_case(frame, "Lijn")
    assert ((lines == "Eerstelijns") == truth.loc[lines.index, "first_line_only"]).all()


def test_timezone_option_moves_local_exports_but_not_utc_audit(sim, paths):
    local = load(paths["topdesk-history"], timezone="UTC").frame
    default = load(paths["topdesk-history"]).frame
    shift = (local[C.TIMESTAMP].to_numpy() - default[C.TIMESTAMP].to_numpy()).astype("timedelta64[m]")
    assert set(shift.astype(int)) <= {60, 120} and len(set(shift.astype(int))) == 2  # winter and summer time
    audit_utc = load(paths["servicenow-audit"], timezone="UTC").frame[C.TIMESTAMP]
    audit_default = load(paths["servicenow-audit"]).frame[C.TIMESTAMP]
    assert (audit_utc.to_numpy() == audit_default.to_numpy()).all()
    assert np.all(audit_default.notna())
