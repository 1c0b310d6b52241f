"""Privacy in every command: analyse, discover and inspect protect people as report does, and names inside
other fields (an activity "Call back Wilma Wortel", an e-mail address in a category) are pseudonymised too."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, run_cli

from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.privacy import NameFinder, Pseudonymiser, pseudonymise_log
from ssc_mining.semantics import Role, read_semantics

KEY = b"a key of at least sixteen bytes!"


def sample_people() -> set[str]:
    frame = pd.read_csv(SAMPLES / "generic-events.csv", dtype=str)
    return set(frame["resource"].dropna()) | set(frame["requester"].dropna())


NAMES_IN_LABELS = (
    "case_id,activity,timestamp,resource,requester,category\n"
    "T-1,Register,2024-03-04 09:00,Anna de Vries,Wilma Wortel,Salary\n"
    "T-1,Call back Wilma Wortel,2024-03-04 10:00,Anna de Vries,Wilma Wortel,Salary\n"
    "T-1,Forward to Bram Jansen,2024-03-04 11:00,Anna de Vries,Wilma Wortel,Salary\n"
    "T-1,Resolve,2024-03-05 09:00,Bram Jansen,Wilma Wortel,Salary\n"
    "T-2,Register,2024-03-06 09:00,Anna de Vries,Kees Kaas,mail kees.kaas@example.org\n"
    "T-2,Resolve,2024-03-06 12:00,Anna de Vries,Kees Kaas,mail kees.kaas@example.org\n"
)
SECRETS = ("Wilma", "Wortel", "Bram", "Jansen", "Anna de Vries", "Kees", "kees.kaas@example.org")


def test_analyse_pseudonymises_and_keeps_person_level_items_from_works_councils(tmp_path: Path):
    out = tmp_path / "results.json"
    result = run_cli("analyse", SAMPLES / "generic-events.csv", "--json", out, "--analysers", "handoffs,waiting",
                     "--param", "handoffs.person_level=true")
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    leaked = sorted(name for name in sample_people() if name in text)
    assert leaked == []
    data = json.loads(text)
    keys = {i["key"] for r in data["analysers"] for i in r["items"]}
    assert "handover_network_person" not in keys                      # works council: no person-to-person graph
    assert data["privacy"]["audience"] == "works-council" and data["privacy"]["pseudonymise"] is True
    auditor = tmp_path / "auditor.json"
    result = run_cli("analyse", SAMPLES / "generic-events.csv", "--json", auditor, "--analysers", "handoffs",
                     "--param", "handoffs.person_level=true", "--audience", "auditor")
    assert result.returncode == 0, result.stderr
    data = json.loads(auditor.read_text(encoding="utf-8"))
    graph = next(i for r in data["analysers"] for i in r["items"] if i["key"] == "handover_network_person")
    assert graph["personal"] is True and all(n["id"].startswith("P-") for n in graph["nodes"])


@pytest.mark.parametrize("command", ["report", "analyse", "discover"])
def test_no_name_reaches_any_output_even_inside_labels(tmp_path: Path, command: str):
    source = tmp_path / "tickets.csv"
    source.write_text(NAMES_IN_LABELS, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    args = {"report": ("report", source, "-o", out, "--lang", "en", "--lang", "nl", "--export-tables",
                       "--audience", "auditor"),
            "analyse": ("analyse", source, "--json", out / "r.json", "--param", "handoffs.person_level=true",
                        "--audience", "auditor"),
            "discover": ("discover", source, "--json", out / "d.json", "--svg", out / "m.svg", "--bpmn",
                         out / "m.bpmn", "--pnml", out / "m.pnml")}[command]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written
    for path in written:
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            import zipfile
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        text = data.decode("utf-8", errors="replace")
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} in {path.name}"
    for secret in SECRETS:
        assert secret not in result.stdout


def test_pseudonymised_labels_keep_their_roles():
    frame = pd.DataFrame({C.CASE: ["1"] * 3, C.ACTIVITY: ["Register", "Klaar voor Wilma Wortel", "Callback"],
                          C.TIMESTAMP: pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True),
                          C.RESOURCE: ["Wilma Wortel", "Bram", "Bram"]})
    reading = read_semantics(frame, overrides={"activities": {"Klaar voor Wilma Wortel": "resolve"}})
    log = EventLog.from_frame(frame, semantics=reading)
    safe = pseudonymise_log(log, Pseudonymiser(KEY))
    label = safe.frame[C.ACTIVITY].iloc[1]
    assert "Wilma" not in label and label.startswith("Klaar voor P-")
    assert safe.semantics.role_of(label) is Role.RESOLVE                        # the mapping file's reading stays
    assert safe.markers.ended.tolist() == log.markers.ended.tolist() == [True]
    assert safe.frame[C.RESOURCE].iloc[0] == Pseudonymiser(KEY).pseudonym("Wilma Wortel")
    assert label.endswith(safe.frame[C.RESOURCE].iloc[0])                      # the same pseudonym everywhere


def test_names_are_whole_words_and_codes_are_no_names():
    finder = NameFinder(["Ann", "Value 1", "Resource01", "Jo"], Pseudonymiser(KEY))
    assert finder.replace("Annual review by ann") == "Annual review by " + Pseudonymiser(KEY).pseudonym("Ann")
    assert finder.replace("Value 1") == "Value 1" and finder.replace("Resource01 done") == "Resource01 done"
    assert finder.replace("Jo") == "Jo"                                         # too short to be sure


def test_inspect_hides_people_and_strips_control_characters(tmp_path: Path):
    source = tmp_path / "evil.csv"
    source.write_text("case,activity,timestamp,resource,team\n"
                      "1,Register,2024-03-04 09:00,Wilma Wortel,HR\n"
                      "1,Call back Wilma Wortel,2024-03-04 10:00,Bram Jansen,HR\x1b[31m\x07\n", encoding="utf-8")
    result = run_cli("inspect", source)
    assert result.returncode == 0, result.stderr
    assert "Wilma" not in result.stdout and "Bram" not in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\\x1b" in result.stdout
    assert "--show-people" in result.stdout
    shown = run_cli("inspect", source, "--show-people")
    assert shown.returncode == 0 and "Call back Wilma Wortel" in shown.stdout and "\x1b" not in shown.stdout
