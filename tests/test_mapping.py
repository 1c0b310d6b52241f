"""Column mapping: proposals from English and Dutch names, TOML files, CLI options, inspect."""

from __future__ import annotations

import re

import pytest
from conftest import GOOD_CSV, run_cli

from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import MappingSpec, load, propose_mapping


def test_dutch_names_are_recognised():
    proposal = propose_mapping(["Zaaknummer", "Activiteit", "Tijdstip", "Behandelaar", "Behandelaarsgroep",
                                "Aanmelder", "Streefdatum"])
    assert proposal == {"case": "Zaaknummer", "activity": "Activiteit", "timestamp": "Tijdstip",
                        "resource": "Behandelaar", "assigned_group": "Behandelaarsgroep", "requester": "Aanmelder",
                        "due": "Streefdatum"}


@pytest.mark.parametrize("name", ["Gewenste leverdatum", "Gewenste datum", "Need by", "need_by_date", "Required by",
                                  "u_required_by", "Wanted date", "u_need_by", "Requested delivery date",
                                  "Uiterste leverdatum", "Nodig op"])
def test_need_by_dates_are_proposed_from_english_and_dutch_names(name):
    assert propose_mapping(["Nummer", "Actie", "Datum", name]).get("need_by") == name


def test_team_of_the_person_and_the_assignment_group_are_two_roles():
    proposal = propose_mapping(["number", "state", "sys_updated_at", "assignment_group", "Team", "short_description",
                                "problem_id"])
    assert proposal["assigned_group"] == "assignment_group" and proposal["team"] == "Team"
    assert proposal["subject"] == "short_description" and proposal["link"] == "problem_id"


def test_english_names_are_recognised():
    proposal = propose_mapping(["Case ID", "Activity", "Complete Timestamp", "Resource", "Group"])
    assert proposal == {"case": "Case ID", "activity": "Activity", "timestamp": "Complete Timestamp",
                        "resource": "Resource", "team": "Group"}


def test_status_is_the_activity_when_there_is_no_activity_column():
    assert propose_mapping(["Nummer", "Status", "Datum"])["activity"] == "Status"


def test_toml_mapping_file(write_csv, tmp_path):
    path = write_csv("Nr;Wat;Wanneer;Wie\n1;Open;03-04-2024 10:00;Ann\n1;Dicht;05-04-2024 10:00;Ann\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\ncase = "Nr"\nactivity = "Wat"\ntimestamp = "Wanneer"\nresource = "Wie"\n'
                       '[timestamps]\ndayfirst = true\n')
    log = load(path, MappingSpec.from_toml(mapping))
    assert log.frame[C.TIMESTAMP].iloc[0].month == 4
    assert log.frame[C.RESOURCE].tolist() == ["Ann", "Ann"]
    assert any("map.toml" in n for n in log.provenance.notes)
    result = run_cli("report", path, "--mapping", mapping, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr


def test_toml_with_unknown_role_is_a_config_error(tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nticket = "Nr"\n')
    with pytest.raises(ConfigError, match="unknown roles"):
        MappingSpec.from_toml(mapping)


def test_cli_options_override_the_proposal(write_csv, tmp_path):
    path = write_csv(GOOD_CSV.replace("team", "afdeling_x"))
    result = run_cli("report", path, "--team", "afdeling_x", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr


def test_inspect_profiles_and_proposes(write_csv):
    path = write_csv("Zaaknummer;Activiteit;Tijdstip;Behandelaar\n1;Aanmelden;13-04-2024 10:00;Jan\n")
    result = run_cli("inspect", path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Delimiter: semicolon" in out
    assert re.search(r"--case\s+'Zaaknummer'", out) and re.search(r"--resource\s+'Behandelaar'", out)
    assert "%d-%m-%Y %H:%M" in out and "day-first" in out
    assert re.search(r"Aanmelden\s+register", out)          # how the activity would be read


def test_column_options_with_a_detected_profile_are_applied_or_refused(tmp_path):
    """A column option given together with a ticket-system profile is applied on top of the profile's mapping,
    and recorded; a column the profile's table lacks stops the run with the columns it offers."""
    import json

    from conftest import SAMPLES, run_cli

    source = SAMPLES / "servicenow-history.csv"
    out = tmp_path / "a.json"
    done = run_cli("analyse", source, "--json", out, "--analysers", "throughput", "--category", "priority")
    assert done.returncode == 0, done.stderr
    provenance = json.loads(out.read_text(encoding="utf-8"))["provenance"]
    assert provenance["profile"] == "servicenow-history" and provenance["mapping"]["category"] == "priority"
    assert any("given by" in note and "category" in note for note in provenance["notes"])
    refused = run_cli("analyse", source, "--json", tmp_path / "b.json", "--category", "no_such_column")
    assert refused.returncode == 2 and "no column 'no_such_column'" in refused.stderr
    assert "--profile csv" in refused.stderr and "caller_id" in refused.stderr
    assert not (tmp_path / "b.json").exists()
