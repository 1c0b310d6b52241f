"""Bad input per native profile: a clear error, or quarantined / skipped rows with their reason."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES

from ssc_mining.errors import MappingError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import MappingSpec, load

TD = ("Nummer;Aanmelddatum;Behandelaarsgroep;Behandelaar;Status;Gereed;Afgemeld\r\n"
      "M1;02-01-2024 09:56;Servicedesk;Ann;Afgemeld;03-01-2024 12:27;08-01-2024 10:47\r\n"
      "M2;;Servicedesk;Ann;Gereed;03-01-2024 12:27;\r\n")
TDH = ("Nummer;Datum wijziging;Gewijzigd door;Status;Behandelaarsgroep;Behandelaar\r\n"
       "M1;02-01-2024 09:56;Ann;Aangemeld;Servicedesk;\r\n"
       "M1;02-01-2024 09:58;Ann;Aangemeld;Servicedesk;Ann\r\n"
       "M1;02-01-2024 10:05;Ann;Aangemeld;Servicedesk;Ann\r\n"
       "M1;02-01-2024 11:00;Bob;In behandeling;ICT;Bob\r\n"
       "M1;03-01-2024 11:00;Bob;Gereed;ICT;Bob\r\n")
SN = ("number,state,assignment_group,assigned_to,opened_at,resolved_at,closed_at,reassignment_count\n"
      "INC1,7,ICT,Ann,2/1/2024 9:56,3/1/2024 12:27,8/1/2024 10:47,1\n"
      "INC2,9,ICT,Ann,2/1/2024 9:56,?,?,0\n"
      "INC3,Closed,ICT,?,13/1/2024 9:56,?,?,0\n")
SNH = ("number,state,assignment_group,assigned_to,sys_updated_at,sys_updated_by\n"
       "INC1,1,Servicedesk,?,2/1/2024 9:56,ann\n"
       "INC1,9,Servicedesk,?,2/1/2024 9:58,ann\n"
       "INC1,1,Servicedesk,?,2/1/2024 10:00,ann\n"
       "INC1,2,ICT,?,13/1/2024 10:00,ann\n")
AUDIT = ("sys_id,documentkey,tablename,fieldname,oldvalue,newvalue,user,record_checkpoint,sys_created_on\n"
         "a1,d1,incident,number,,INC1,ann,0,2024-01-02 08:56:00\n"
         "a2,d1,incident,state,,1,ann,0,2024-01-02 08:56:00\n"
         "a3,d1,incident,state,1,9,ann,1,2024-01-02 09:00:00\n"
         "a4,d1,incident,reassignment_count,0,many,ann,2,2024-01-02 09:10:00\n"
         "a5,d1,incident,state,1,2,bob,3,2024-01-02 09:20:00\n"
         "a6,d2,incident,state,,1,ann,0,2024-01-02 10:00:00\n"
         "a7,d1,incident,due_date,,not a date,ann,4,2024-01-02 09:30:00\n"
         "a8,d1,problem,state,,1,ann,0,2024-01-02 09:30:00\n")


def reconciles(log) -> bool:
    p = log.provenance
    return p.rows_read == p.rows_used + p.rows_quarantined + sum(p.rows_skipped.values())


@pytest.mark.parametrize("profile,text,missing", [
    ("topdesk", "Nummer;Status\r\nM1;Gereed\r\n", "Aanmelddatum"),
    ("topdesk-history", "Nummer;Status\r\nM1;Gereed\r\n", "Datum wijziging"),
    ("servicenow", "number,state\nINC1,7\n", "opened_at"),
    ("servicenow-history", "number,state\nINC1,7\n", "sys_updated_at"),
    ("servicenow-audit", "documentkey,fieldname\nd1,state\n", "newvalue"),
    ("jira-csv", "Issue key,Field\nSSC-1,status\n", "Issue created"),
])
def test_missing_required_column_names_the_profile_and_lists_the_columns(write_csv, profile, text, missing):
    path = write_csv(text)
    with pytest.raises(MappingError) as err:
        load(path, profile=profile)
    message = str(err.value)
    assert f"the {profile} profile needs" in message and repr(missing) in message
    assert "the columns are:" in message


def test_jira_json_without_changelog_is_a_clear_error(tmp_path):
    path = tmp_path / "issues.json"
    path.write_text(json.dumps([{"key": "SSC-1", "fields": {"created": "2024-03-04T09:15:00.000+0100"}}]))
    with pytest.raises(MappingError, match="the jira profile needs the column.*changelog.histories"):
        load(path, profile="jira")


def test_topdesk_snapshot_without_registration_date_is_quarantined(write_csv):
    log = load(write_csv(TD))
    assert log.provenance.profile == "topdesk"
    assert log.quarantine["reason"].tolist() == ["missing timestamp"]
    assert log.quarantine["source_row"].tolist() == [3]
    assert log.frame[C.ACTIVITY].tolist() == ["Register", "Resolve", "Close", "Resolve"]
    assert reconciles(log)


def test_topdesk_history_row_without_change_is_skipped_with_reason(write_csv):
    log = load(write_csv(TDH))
    assert log.provenance.profile == "topdesk-history"
    assert log.frame[C.ACTIVITY].tolist() == ["Register", "Assign", "Start work", "Resolve"]
    assert log.frame[C.STATUS].tolist() == ["New", "New", "In progress", "Resolved"]
    assert log.provenance.rows_skipped == {"history row records no change of status, team or person": 1}
    assert log.frame[C.TEAM].tolist() == ["Servicedesk", "Servicedesk", "ICT", "ICT"]
    assert reconciles(log)


def test_servicenow_unknown_state_code_is_quarantined(write_csv):
    log = load(write_csv(SN))
    assert log.provenance.profile == "servicenow"
    assert log.quarantine["reason"].tolist() == ["unknown state code 9"]
    assert log.quarantine["source_row"].tolist() == [3]
    assert log.provenance.quarantine_reasons == {"unknown state code 9": 1}
    assert sorted(log.frame[C.CASE].unique()) == ["INC1", "INC3"]
    assert reconciles(log)


def test_servicenow_history_unknown_state_code_is_quarantined(write_csv):
    log = load(write_csv(SNH))
    assert log.quarantine["reason"].tolist() == ["unknown state code 9"]
    assert log.frame[C.ACTIVITY].tolist() == ["Register", "Start work"]  # the row after it changes nothing
    assert log.provenance.rows_skipped == {"history row records no change of status, team or person": 1}
    assert reconciles(log)


def test_servicenow_audit_bad_rows_are_quarantined_with_their_reason(tmp_path):
    path = tmp_path / "x-sys_audit.csv"
    path.write_text(AUDIT)
    (tmp_path / "x-sys_audit-incidents.csv").write_text("sys_id,number\nd1,INC1\n")
    log = load(path)
    assert log.provenance.profile == "servicenow-audit"
    reasons = dict(zip(log.quarantine["source_row"], log.quarantine["reason"]))
    assert reasons == {4: "unknown state code 9", 5: "unparseable value 'many' for reassignment_count",
                       7: "unknown ticket: documentkey d2 is not in the incidents side file",
                       8: "unparseable value 'not a date' for due_date"}
    assert log.frame[C.ACTIVITY].tolist() == ["Register", "Start work"]
    assert log.frame[C.RESOURCE].tolist() == ["ann", "bob"]
    assert log.provenance.rows_skipped["sys_audit row of another table than incident"] == 1
    assert reconciles(log)


def test_activities_can_be_renamed_from_the_mapping_file(tmp_path, write_csv):
    toml = tmp_path / "m.toml"
    toml.write_text('[profiles.topdesk.activities]\nAanmelddatum = "Aangemeld"\nAfgemeld = ""\n'
                    'Streefdatum = "Streefdatum"\n'
                    '[profiles.topdesk-history.activities]\n"Gereed" = "Opgelost"\n"person changed" = "Toewijzen"\n')
    spec = MappingSpec.from_toml(toml)
    td = load(write_csv(TD.replace("Afgemeld\r\n", "Afgemeld;Streefdatum\r\n", 1)
                        .replace("10:47\r\n", "10:47;04-01-2024 10:00\r\n").replace(";\r\n", ";;\r\n")), spec)
    assert td.frame[C.ACTIVITY].tolist() == ["Aangemeld", "Resolve", "Streefdatum", "Resolve"]
    tdh = load(write_csv(TDH, name="h.csv"), spec)
    assert tdh.frame[C.ACTIVITY].tolist() == ["Register", "Toewijzen", "Start work", "Opgelost"]
    legacy = tmp_path / "legacy.toml"
    legacy.write_text('[profile.topdesk.activities]\nGereed = "Klaar"\n')
    assert "Klaar" in load(write_csv(TD, name="t2.csv"), MappingSpec.from_toml(legacy)).frame[C.ACTIVITY].tolist()


def test_history_actions_can_be_ignored_to_derive_activities_from_changes():
    toml_spec = MappingSpec(profile_options={"topdesk-history": {"use_actions": False}})
    log = load(SAMPLES / "topdesk-history.csv", toml_spec)
    p = log.provenance
    assert sum(p.rows_skipped.values()) > 0 and reconciles(log)
    assert {"Register", "Assign", "Start work", "Put on hold", "Resolve", "Close"} <= set(log.frame[C.ACTIVITY])
    assert "Status enquiry" not in set(log.frame[C.ACTIVITY])
