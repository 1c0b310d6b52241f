"""Every input that can change a figure is recorded with its SHA-256, and the run with its command line."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from conftest import SAMPLES, run_cli


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_side_files_mapping_and_reference_model_are_hashed(tmp_path: Path):
    for name in ("servicenow-sys_audit.csv", "servicenow-sys_audit-incidents.csv",
                 "servicenow-sys_audit-references.csv", "people.csv", "reference-process.bpmn"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[semantics.activities]\n"Status enquiry" = "enquiry"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("report", tmp_path / "servicenow-sys_audit.csv", "-o", out, "--mapping", mapping,
                     "--reference", tmp_path / "reference-process.bpmn", "--run-date", "2026-12-02")
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "servicenow-sys_audit.json").read_text())
    inputs = {i["role"]: i for i in data["provenance"]["inputs"]}
    expected = {"mapping file": mapping, "people directory": tmp_path / "people.csv",
                "reference model": tmp_path / "reference-process.bpmn",
                "ServiceNow incidents side file": tmp_path / "servicenow-sys_audit-incidents.csv",
                "ServiceNow references side file": tmp_path / "servicenow-sys_audit-references.csv"}
    assert set(inputs) == set(expected)
    for role, path in expected.items():
        assert inputs[role]["sha256"] == _sha(path) and inputs[role]["size"] == path.stat().st_size, role
    assert data["provenance"]["source"]["sha256"] == _sha(tmp_path / "servicenow-sys_audit.csv")
    run = data["run"]
    assert run["command"].startswith("ssc-mining report ") and "--mapping" in run["command"]
    assert "--run-date 2026-12-02" in run["command"] and "--debug" not in run["command"]
    assert run["options"]["run_date"] == "2026-12-02" and run["options"]["langs"] == ["en"]   # defaults too


def test_a_changed_people_directory_changes_its_recorded_hash(tmp_path: Path):
    for name in ("servicenow-sys_audit.csv", "servicenow-sys_audit-incidents.csv",
                 "servicenow-sys_audit-references.csv", "people.csv"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    hashes = []
    for k in range(2):
        result = run_cli("analyse", tmp_path / "servicenow-sys_audit.csv", "--json", tmp_path / f"r{k}.json")
        assert result.returncode == 0, result.stderr
        data = json.loads((tmp_path / f"r{k}.json").read_text())
        hashes.append({i["role"]: i["sha256"] for i in data["provenance"]["inputs"]}["people directory"])
        people = tmp_path / "people.csv"
        people.write_text(people.read_text().replace("\n", "\n", 1) + "\n", encoding="utf-8")  # one more line end
    assert hashes[0] != hashes[1]


def test_the_pseudonym_key_file_is_named_but_never_hashed(tmp_path: Path):
    key = tmp_path / "key.bin"
    key.write_bytes(b"k" * 32)
    result = run_cli("analyse", SAMPLES / "generic-events.csv", "--json", tmp_path / "r.json",
                     "--pseudonym-key-file", key)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    [entry] = [i for i in data["provenance"]["inputs"] if i["role"] == "pseudonym key file"]
    assert entry["sha256"] == "not recorded: secret" and _sha(key) not in json.dumps(data)


def test_tickets_that_lost_rows_to_the_quarantine_are_flagged(tmp_path: Path):
    path = tmp_path / "q.csv"
    path.write_text("case,activity,timestamp\n1,Register,2024-01-02 09:00\n1,Resolve,garbage\n"
                    "1,Close,2024-01-03 10:00\n2,Register,2024-01-02 09:00\n,Resolve,2024-01-02 10:00\n"
                    "2,Close,2024-01-04 10:00\n3,Register,2024-01-05 09:00\n3,Close,not a date\n", encoding="utf-8")
    result = run_cli("report", path, "-o", tmp_path / "out", "--no-pseudonymise")
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "out" / "q.json").read_text())
    # ticket 1 and 3 lost a row each; the row without a ticket cannot be linked to one
    assert data["quarantine"]["incomplete_cases"] == ["1", "3"]
    assert data["provenance"]["cases_with_rows_set_aside"] == 2 and data["provenance"]["rows_quarantined"] == 3
