"""The committed samples load with the right profile detected, rows reconcile, and `report` works on each;
real logs are not grabbed by a ticket-system profile."""

from __future__ import annotations

import pytest
from conftest import SAMPLES, real_path, run_cli

from ssc_mining.loaders import load, read_raw
from ssc_mining.loaders.profiles import detect_profile

SAMPLE_PROFILES = {
    "topdesk-export.csv": "topdesk",
    "topdesk-history.csv": "topdesk-history",
    "servicenow-incidents.csv": "servicenow",
    "servicenow-history.csv": "servicenow-history",
    "servicenow-sys_audit.csv": "servicenow-audit",
    "jira-changelog.json": "jira",
    "jira-changelog.csv": "jira-csv",
    "generic-events.csv": "csv",
    "events.xes.gz": "xes",
}


@pytest.mark.parametrize("name,profile", SAMPLE_PROFILES.items())
def test_sample_loads_with_its_profile_and_rows_reconcile(name, profile):
    log = load(SAMPLES / name)
    p = log.provenance
    assert p.profile == profile
    if profile not in ("csv", "xes"):
        assert p.profile_detection.startswith("detected: columns ") and profile in p.profile_detection
    assert p.rows_read == p.rows_used + p.rows_quarantined + sum(p.rows_skipped.values())
    assert p.rows_quarantined == 0
    assert log.n_events > 0 and log.frame["case:concept:name"].nunique() == 400


@pytest.mark.parametrize("name", ["servicenow-sys_audit-incidents.csv", "servicenow-sys_audit-references.csv",
                                  "ground-truth.csv"])
def test_side_files_are_not_taken_for_a_ticket_export(name):
    profile, _ = detect_profile(read_raw(SAMPLES / name))
    assert profile.name == "csv"


@pytest.mark.parametrize("folder,file", [("helpdesk-full", "helpdesk.csv"), ("receipt-wabo", "receipt.csv")])
@pytest.mark.realdata
def test_real_csv_logs_are_detected_as_generic_csv(folder, file):
    profile, detection = detect_profile(read_raw(real_path(folder, file)))
    assert profile.name == "csv", detection


@pytest.mark.parametrize("name", [n for n, p in SAMPLE_PROFILES.items() if p not in ("csv", "xes")])
def test_report_runs_end_to_end_on_each_sample(name, tmp_path):
    result = run_cli("report", SAMPLES / name, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.glob("*.html")) and list(tmp_path.glob("*.json"))
    assert SAMPLE_PROFILES[name] in (list(tmp_path.glob("*.json"))[0].read_text(encoding="utf-8"))

