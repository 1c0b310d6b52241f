"""The bad-input list of the foundation issue, each with its expected outcome."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import GOOD_CSV, run_cli

from ssc_mining.errors import EmptyInputError, FormatError, MappingError, TimestampError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import MappingSpec, load


def test_empty_file(write_csv):
    path = write_csv(b"")
    with pytest.raises(EmptyInputError, match="empty"):
        load(path)
    result = run_cli("report", path, "-o", path.parent / "out")
    assert result.returncode == 2
    assert "input.csv" in result.stderr and "empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_header_only(write_csv):
    path = write_csv("case_id,activity,timestamp\n")
    with pytest.raises(EmptyInputError, match="no data rows"):
        load(path)


def test_binary_garbage(write_csv):
    path = write_csv(bytes(range(256)) * 40, name="garbage.csv")
    with pytest.raises(FormatError, match="binary"):
        load(path)
    result = run_cli("report", path)
    assert result.returncode == 2 and "binary" in result.stderr


def test_utf8_bom(write_csv):
    path = write_csv(b"\xef\xbb\xbf" + GOOD_CSV.encode())
    log = load(path)
    assert log.provenance.encoding == "utf-8-sig"
    assert log.provenance.mapping["case"] == "case_id"  # no BOM glued to the first column name
    assert log.n_events == 5


def test_cp1252_semicolons_and_decimal_commas(write_csv):
    text = ("Zaaknummer;Activiteit;Tijdstip;Behandelaar;Bedrag\n"
            "1;Aanmelden;13-04-2024 10:00;José Müller;1.234,50\n"
            "1;Afmelden;14-04-2024 11:00;Zoë Smit;€ 5\n"
            "2;Aanmelden;15-04-2024 09:00;Zoë Smit;7,25\n")
    path = write_csv(text, encoding="cp1252")
    log = load(path)
    p = log.provenance
    assert (p.encoding, p.delimiter) == ("cp1252", ";")
    assert set(log.frame[C.RESOURCE]) == {"José Müller", "Zoë Smit"}
    # "€ 5" is not a number, so the column stays text (and "€" is read right, not as latin-1)
    assert "€ 5" in set(log.frame["Bedrag"])
    path2 = write_csv(text.replace("€ 5", "5,00"), name="b.csv", encoding="cp1252")
    log2 = load(path2)
    assert log2.provenance.decimal == ","
    assert sorted(log2.frame["Bedrag"]) == [5.0, 7.25, 1234.5]


def test_ambiguous_dates_ask_for_an_order(write_csv):
    path = write_csv("case_id,activity,timestamp\n1,a,03-04-2024 10:00\n1,b,05-06-2024 10:00\n")
    with pytest.raises(TimestampError):
        load(path)
    result = run_cli("report", path, "-o", path.parent / "out")
    assert result.returncode == 2
    assert "--dayfirst" in result.stderr and "'timestamp'" in result.stderr
    ok = run_cli("report", path, "--dayfirst", "-o", path.parent / "out")
    assert ok.returncode == 0, ok.stderr
    data = json.loads((path.parent / "out" / "input.json").read_text())
    assert data["provenance"]["timestamps"]["timestamp"]["dayfirst"] is True


def test_offsets_mixed_are_quarantined_not_guessed(write_csv):
    path = write_csv("case_id,activity,timestamp\n1,a,2024-03-01T10:00:00+01:00\n1,b,2024-03-01T11:00:00+01:00\n"
                     "1,c,2024-03-01 12:00:00\n")
    log = load(path)
    assert log.n_events == 2
    assert log.quarantine["source_row"].tolist() == [4]
    assert "format" in log.quarantine["reason"].iloc[0]


def test_nvt_in_timestamp_column(write_csv):
    path = write_csv("case_id,activity,timestamp\n1,a,13-04-2024 10:00\n1,b,n.v.t.\n1,c,14-04-2024 10:00\n")
    log = load(path)
    assert log.quarantine[["source_row"]].to_dict("list") == {"source_row": [3]}
    assert log.provenance.rows_read == 3 and log.provenance.rows_used == 2
    assert log.frame[C.TIMESTAMP].dtype.kind == "M"  # a real time column, not text sorted alphabetically


def test_dst_gap_and_repeated_hour_are_counted(write_csv):
    path = write_csv("case_id,activity,timestamp\n1,a,2024-03-31 02:30\n1,b,2024-10-27 02:30\n1,c,2024-10-28 09:00\n")
    log = load(path)
    ts = log.provenance.timestamps["timestamp"]
    assert (ts["dst_gap_shifted"], ts["dst_repeated_first"]) == (1, 1)
    assert log.frame[C.TIMESTAMP].iloc[0] == pd.Timestamp("2024-03-31 01:00", tz="UTC")


def test_short_and_long_rows_are_quarantined_with_row_numbers(write_csv):
    path = write_csv("case_id,activity,timestamp\n1,a,2024-01-01 10:00\n1,b\n1,c,2024-01-01 11:00,extra\n"
                     "1,d,2024-01-01 12:00\n")
    log = load(path)
    q = log.quarantine
    assert q["source_row"].tolist() == [3, 4]
    assert "too few fields" in q["reason"].iloc[0] and "too many fields" in q["reason"].iloc[1]
    assert log.frame[C.SOURCE_ROW].tolist() == [2, 5]
    assert log.provenance.reconciles()


def test_strict_turns_quarantine_into_an_error(write_csv):
    path = write_csv("case_id,activity,timestamp\n1,a,2024-01-01 10:00\n1,b\n")
    result = run_cli("report", path, "--strict", "-o", path.parent / "out")
    assert result.returncode == 3
    assert "row 3" in result.stderr and "too few fields" in result.stderr
    assert not (path.parent / "out" / "input.html").exists()


def test_duplicate_column_names_are_renamed_and_noted(write_csv):
    path = write_csv("case_id,activity,timestamp,Status,Status\n1,a,2024-01-01 10:00,x,y\n")
    log = load(path)
    assert {C.STATUS, "Status.1"} <= set(log.frame.columns)  # the first is mapped as the status
    assert log.frame[C.STATUS].tolist() == ["x"] and log.frame["Status.1"].tolist() == ["y"]
    assert any("appears 2 times" in n for n in log.provenance.notes)


def test_case_ids_with_leading_zeros_and_exponents_stay_text(write_csv):
    log = load(write_csv(GOOD_CSV))
    assert set(log.frame[C.CASE]) == {"00123", "1e5"}


def test_ten_megabyte_single_line(write_csv):
    path = write_csv(b"x" * (10 * 1024 * 1024))
    with pytest.raises(FormatError, match="no line break"):
        load(path)
    result = run_cli("report", path)
    assert result.returncode == 2 and "line break" in result.stderr


def test_xes_with_events_lacking_a_timestamp(tmp_path: Path):
    xes = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
 <trace><string key="concept:name" value="A1"/>
  <event><string key="concept:name" value="Register"/><date key="time:timestamp" value="2024-01-01T10:00:00+01:00"/></event>
  <event><string key="concept:name" value="Resolve"/></event>
  <event><string key="concept:name" value="Close"/><date key="time:timestamp" value="2024-01-02T10:00:00+01:00"/></event>
 </trace>
</log>"""  # noqa: E501 -- a literal XES document, kept as its events are written in one line each
    path = tmp_path / "log.xes.gz"
    path.write_bytes(gzip.compress(xes.encode()))
    log = load(path)
    assert log.n_events == 2
    assert log.quarantine["source_row"].tolist() == [2]
    assert log.quarantine["reason"].tolist() == ["missing timestamp"]


def test_mapping_naming_a_missing_column_lists_the_columns(write_csv):
    path = write_csv(GOOD_CSV)
    with pytest.raises(MappingError) as err:
        load(path, MappingSpec(columns={"case": "Zaak"}, source="command-line options"))
    message = err.value.message()
    assert "'Zaak'" in message and "'case_id'" in message and "'resource'" in message
    result = run_cli("report", path, "--case", "Zaak")
    assert result.returncode == 2 and "'case_id'" in result.stderr and "--case" in result.stderr


def test_missing_core_values_are_quarantined_with_all_reasons(write_csv):
    path = write_csv("case_id,activity,timestamp\n1,a,2024-01-01 10:00\n,,\n2,,2024-01-01 11:00\n")
    log = load(path)
    reasons = dict(zip(log.quarantine["source_row"], log.quarantine["reason"]))
    assert reasons[3] == "missing case id; missing activity; missing timestamp"
    assert reasons[4] == "missing activity"
    assert log.provenance.rows_read == log.provenance.rows_used + log.provenance.rows_quarantined == 3


def test_loading_does_not_mutate_the_callers_frame():
    import numpy as np

    from ssc_mining.loaders.build import build_event_log
    from ssc_mining.loaders.raw import RawTable
    frame = pd.DataFrame({"c": ["2", "1"], "a": ["x", "y"], "t": ["2024-01-02 10:00", "2024-01-01 10:00"]})
    before = frame.copy()
    build_event_log(RawTable(frame, np.array([2, 3]), reader="csv"),
                    {"case": "c", "activity": "a", "timestamp": "t"}, source=None)
    pd.testing.assert_frame_equal(frame, before)


def test_a_cp1252_byte_far_into_a_utf8_looking_file_and_bytes_of_neither(tmp_path):
    """A file read as UTF-8 whose parser meets a non-UTF-8 byte after many megabytes is checked whole and read
    again as Windows-1252; bytes that are neither give a clear message naming the file and what to do."""
    rows = "".join(f"{k},Aanmelden,2024-01-01 10:00,Jan\n" for k in range(300_000))
    path = tmp_path / "late.csv"
    path.write_bytes(("Zaak,Activiteit,Tijdstip,Behandelaar\n" + rows + "9,Afmelden,2024-01-02 10:00,Zoë\n")
                     .encode("cp1252"))
    log = load(path)
    assert log.provenance.encoding == "cp1252" and "Zoë" in set(log.frame[C.RESOURCE])
    bad = tmp_path / "neither.csv"
    bad.write_bytes(b"Zaak,Activiteit,Tijdstip\n1,A\x81\x8d,2024-01-01 10:00\n")
    with pytest.raises(FormatError, match="neither UTF-8 nor Windows-1252") as err:
        load(bad)
    assert "neither.csv" in err.value.message()
