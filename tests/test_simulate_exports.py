"""The simulator's export formats: each is written, parseable, and its counters agree with the ground truth."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.simulate import ACTIVITIES, FORMATS, STATUSES, SimulationConfig, simulate, write_exports
from ssc_mining.simulate.exports.generic_nl import ACTIVITY_NL, CHANNEL_NL, STATUS_NL

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    result = simulate(SimulationConfig(seed=13, cases=300))
    folder = tmp_path_factory.mktemp("exports")
    paths = write_exports(result, folder)
    return result, paths


def _truth(paths) -> pd.DataFrame:
    return pd.read_csv(paths["truth-csv"], dtype=str, keep_default_na=False)


def test_every_format_and_the_truth_are_written(out):
    _, paths = out
    assert set(FORMATS) <= set(paths) and {"truth-csv", "truth-json"} <= set(paths)
    assert all(p.stat().st_size > 0 for p in paths.values())
    doc = json.loads(paths["truth-json"].read_text(encoding="utf-8"))
    assert doc["config"]["seed"] == 13 and doc["counts"]["cases"] == 300 and "reopen" in doc["rates"]
    truth = _truth(paths)
    assert sorted(doc["phenomena"]["reopened"]) == sorted(truth.loc[truth["reopens"] != "0", "case_id"])


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    cols = [C.CASE, C.ACTIVITY, C.TIMESTAMP, C.RESOURCE, C.TEAM, C.ORGANISATION, C.STATUS, C.MOTHER, C.REQUESTER,
            C.CATEGORY, C.PRIORITY, C.CHANNEL, C.DUE, C.NEED_BY]
    f = frame[cols].copy()
    for c in (C.TIMESTAMP, C.DUE, C.NEED_BY):
        f[c] = f[c].dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    f = f.astype({c: object for c in cols if c not in (C.TIMESTAMP, C.DUE, C.NEED_BY)})
    return f.sort_values([C.CASE, C.TIMESTAMP], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("fmt", ["generic", "xes"])
def test_generic_csv_and_xes_load_back_with_identical_events(out, fmt):
    result, paths = out
    log = load(paths[fmt])
    assert log.provenance.rows_quarantined == 0
    pd.testing.assert_frame_equal(_canonical(log.frame), _canonical(result.events))
    line = pd.to_numeric(log.frame.sort_values([C.CASE, C.TIMESTAMP], kind="stable")[C.LINE]).to_numpy()
    expected = result.events.sort_values([C.CASE, C.TIMESTAMP], kind="stable")[C.LINE].astype("Float64").to_numpy()
    assert ((line == expected) | (pd.isna(line) & pd.isna(expected))).all()


def test_generic_csv_has_the_agreed_columns_and_offsets(out):
    _, paths = out
    text = paths["generic"].read_text(encoding="utf-8")
    assert text.splitlines()[0] == ("case_id,activity,timestamp,resource,team,organisation,line,status,mother,"
                                    "requester,category,priority,channel,need_by,due,subject")
    assert "+01:00," in text and "+02:00," in text


NL_COLUMNS = ["Meldingnummer", "Activiteit", "Tijdstip", "Behandelaar", "Team", "Organisatie", "Lijn", "Status",
              "Moederorganisatie", "Aanmelder", "Categorie", "Prioriteit", "Soort binnenkomst", "Gewenste leverdatum",
              "Streefdatum", "Korte omschrijving"]


def test_every_activity_and_status_has_a_dutch_label():
    assert set(ACTIVITY_NL) == set(ACTIVITIES) and set(STATUS_NL) == set(STATUSES)
    for table in (ACTIVITY_NL, STATUS_NL, CHANNEL_NL):
        assert len(set(table.values())) == len(table)  # reversible


def _local_instants(text: pd.Series) -> pd.Series:
    """``dd-mm-jjjj uu:mm`` Europe/Amsterdam wall-clock → UTC; none may be ambiguous (the repeated autumn
    hour) or non-existent (the skipped spring hour)."""
    naive = pd.to_datetime(text, format="%d-%m-%Y %H:%M")
    autumn = (naive.dt.month == 10) & (naive.dt.day_of_week == 6) & (naive.dt.day >= 25) & (naive.dt.hour == 2)
    assert not autumn.any(), text[autumn].head().tolist()
    local = naive.dt.tz_localize("Europe/Amsterdam", ambiguous="NaT", nonexistent="NaT")
    assert (local.isna() == naive.isna()).all()
    return local.dt.tz_convert("UTC")


def _assert_nl_is_generic(nl_path: Path, generic_path: Path) -> None:
    raw = nl_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\n") == raw.count(b"\r\n") > 1
    nl = pd.read_csv(nl_path, sep=";", encoding="utf-8-sig", dtype=str)
    gen = pd.read_csv(generic_path, dtype=str)
    assert list(nl.columns) == NL_COLUMNS and len(nl) == len(gen)
    assert nl["Tijdstip"].str.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d").all()
    back = pd.DataFrame({
        "case_id": nl["Meldingnummer"],
        "activity": nl["Activiteit"].map({v: k for k, v in ACTIVITY_NL.items()}),
        "timestamp": _local_instants(nl["Tijdstip"]),
        "resource": nl["Behandelaar"], "team": nl["Team"], "organisation": nl["Organisatie"],
        "line": nl["Lijn"].str.extract(r"^(\d)e lijn$", expand=False),
        "status": nl["Status"].map({v: k for k, v in STATUS_NL.items()}),
        "mother": nl["Moederorganisatie"], "requester": nl["Aanmelder"], "category": nl["Categorie"],
        "priority": nl["Prioriteit"],
        "channel": nl["Soort binnenkomst"].replace({v: k for k, v in CHANNEL_NL.items()}),
        "need_by": _local_instants(nl["Gewenste leverdatum"]),
        "due": _local_instants(nl["Streefdatum"]),
        "subject": nl["Korte omschrijving"],
    })
    for column in ("timestamp", "need_by", "due"):
        gen[column] = pd.to_datetime(gen[column], utc=True)
    assert back["activity"].notna().all() and back["status"].notna().all()
    assert nl["Gewenste leverdatum"].notna().any() and nl["Lijn"].isna().any()
    pd.testing.assert_frame_equal(back, gen[list(back.columns)], check_dtype=False)


def test_generic_nl_is_the_generic_log_in_dutch(out):
    _, paths = out
    _assert_nl_is_generic(paths["generic-nl"], paths["generic"])


def test_committed_generic_nl_sample_is_the_generic_sample_in_dutch():
    _assert_nl_is_generic(SAMPLES / "generic-events-nl.csv", SAMPLES / "generic-events.csv")


def test_topdesk_is_cp1252_semicolon_dutch_and_agrees_with_truth(out):
    _, paths = out
    raw = paths["topdesk"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "€" in text and re.search("[éë]", text)
    snap = pd.read_csv(paths["topdesk"], sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    assert re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d", snap["Aanmelddatum"].iloc[0])
    truth = _truth(paths)
    assert snap["Nummer"].tolist() == truth["topdesk_number"].tolist()
    assert (snap["On hold duur (min)"].astype(int) * 60 == truth["wait_seconds"].astype(int)).all()
    hist = pd.read_csv(paths["topdesk-history"], sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    assert len(hist) == truth["n_events"].astype(int).sum()
    assert set(hist["Status"]) <= {"Aangemeld", "In behandeling", "On hold", "Gereed", "Afgemeld", "Heropend"}


def test_servicenow_snapshot_counters_agree_with_truth(out):
    _, paths = out
    snap = pd.read_csv(paths["servicenow"], dtype=str, keep_default_na=False)
    truth = _truth(paths)
    assert snap["number"].tolist() == truth["servicenow_number"].tolist()
    assert (snap["reassignment_count"] == truth["reassignments"]).all()
    assert (snap["reopen_count"] == truth["reopens"]).all()
    assert (snap["made_sla"] == truth["sla_met"]).all()
    assert (snap == "").sum().sum() == 0 and (snap["u_need_by"] == "?").any()
    assert set(snap["state"]) == {"Closed"}
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d", snap["opened_at"].iloc[0])


def test_servicenow_history_uses_codes_and_ends_with_the_truth_counters(out):
    _, paths = out
    hist = pd.read_csv(paths["servicenow-history"], dtype=str, keep_default_na=False)
    assert set(hist["state"]) <= {"1", "2", "3", "6", "7"} and (hist == "").sum().sum() == 0
    last = hist.groupby("number", sort=False).tail(1).set_index("number")
    truth = _truth(paths).set_index("servicenow_number")
    assert (last.loc[truth.index, "reassignment_count"] == truth["reassignments"]).all()
    assert (last.loc[truth.index, "reopen_count"] == truth["reopens"]).all()
    assert (last.loc[truth.index, "sys_mod_count"].astype(int) + 1 == truth["n_events"].astype(int)).all()


def test_servicenow_audit_rows_rebuild_every_update(out):
    _, paths = out
    audit = pd.read_csv(paths["servicenow-audit"], dtype=str, keep_default_na=False)
    incidents = pd.read_csv(paths["servicenow-audit-incidents"], dtype=str)
    refs = pd.read_csv(paths["servicenow-audit-references"], dtype=str, keep_default_na=False)
    assert audit["documentkey"].str.fullmatch("[0-9a-f]{32}").all()
    assert set(audit["documentkey"]) == set(incidents["sys_id"])
    assert audit["sys_created_on"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    actions = audit[audit["fieldname"] == "u_action"]
    assert len(actions) == _truth(paths)["n_events"].astype(int).sum()
    groups = audit.loc[audit["fieldname"] == "assignment_group", "newvalue"]
    assert set(groups) <= set(refs.loc[refs["table"] == "sys_user_group", "sys_id"])
    assert set(audit["user"]) <= set(refs["user_name"])
    reopen = audit[audit["fieldname"] == "reopen_count"].groupby("documentkey")["newvalue"].last().astype(int)
    truth = _truth(paths).set_index("servicenow_sys_id")
    assert (truth.loc[reopen.index, "reopens"].astype(int) == reopen).all()


def test_jira_json_and_csv(out):
    result, paths = out
    issues = json.loads(paths["jira-json"].read_text(encoding="utf-8"))
    assert [i["key"] for i in issues] == _truth(paths)["jira_key"].tolist()
    first = issues[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0[12]00", first["fields"]["created"])
    histories = sum(len(i["changelog"]["histories"]) for i in issues)
    assert histories == len(result.events) - len(issues)
    flat = pd.read_csv(paths["jira-csv"], dtype=str, keep_default_na=False)
    items = sum(len(h["items"]) for i in issues for h in i["changelog"]["histories"])
    assert len(flat) == items and {"Issue key", "Created", "Author", "Field", "From", "To"} <= set(flat.columns)


def test_xes_is_gzip_without_name_or_time_and_pm4py_reads_it(out):
    result, paths = out
    raw = paths["xes"].read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    assert gzip.decompress(raw).startswith(b'<?xml version="1.0" encoding="UTF-8" ?>')
