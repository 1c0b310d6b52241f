"""The fast XES reader (r4pm) gives the same event log as pm4py's parser, or leaves the file to it.

Every bundled XES sample and every public real XES log is compared in full (all rows and
columns; the largest, road fines with 561,470 events, takes ≈ 25 s of the ≈ 90 s).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, real_path

from ssc_mining.errors import FormatError
from ssc_mining.loaders import load, xes_fast
from ssc_mining.loaders.xes_reader import PARSER_ENV, read_xes

pytestmark = pytest.mark.skipif(not xes_fast.available(), reason="r4pm has no wheel for this platform")

REAL_XES = [("bpic12", "BPI_Challenge_2012.xes.gz"), ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz"),
            ("bpic13-open-problems", "BPI_Challenge_2013_open_problems.xes.gz"),
            ("bpic20-travel-cleaned", "DomesticDeclarations.xes.gz"), ("bpic20-travel-cleaned", "PermitLog.xes.gz"),
            ("bpic20-travel-cleaned", "PrepaidTravelCost.xes.gz"), ("receipt-wabo", "env_permit.xes.gz"),
            ("road-traffic-fines", "road_fine.xes.gz")]
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'


def assert_same_table(path: Path) -> None:
    slow, fast = read_xes(path, parser="pm4py"), read_xes(path, parser="r4pm")
    assert (slow.details["xes_parser"], fast.details["xes_parser"]) == ("pm4py", "r4pm")
    assert list(fast.frame.columns) == list(slow.frame.columns)
    assert fast.frame.dtypes.to_dict() == slow.frame.dtypes.to_dict()
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)  # same rows, order, values, UTC instants
    assert fast.source_rows.tolist() == slow.source_rows.tolist()
    assert fast.notes[:-1] == slow.notes[:-1]  # all but the note naming the reader


def assert_same_log(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PARSER_ENV, "pm4py")
    slow = load(path)
    monkeypatch.setenv(PARSER_ENV, "auto")
    fast = load(path)
    assert any(n.startswith("XES read with the fast reader r4pm") for n in fast.provenance.notes)
    assert any(n.startswith("XES read with pm4py's parser") for n in slow.provenance.notes)
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    pd.testing.assert_frame_equal(fast.quarantine, slow.quarantine, check_exact=True)
    assert (fast.provenance.rows_read, fast.provenance.quarantine_reasons) == \
        (slow.provenance.rows_read, slow.provenance.quarantine_reasons)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.xes*")), ids=lambda p: p.name)
def test_bundled_samples_give_the_same_log(path: Path, monkeypatch: pytest.MonkeyPatch):
    assert_same_table(path)
    assert_same_log(path, monkeypatch)


@pytest.mark.parametrize("parts", REAL_XES, ids=lambda parts: parts[1])
def test_public_real_logs_give_the_same_table(parts: tuple[str, str]):
    assert_same_table(real_path(*parts))


@pytest.mark.parametrize("parts", [REAL_XES[2], REAL_XES[6]], ids=lambda parts: parts[1])
def test_public_real_logs_give_the_same_log_and_quarantine(parts: tuple[str, str], monkeypatch: pytest.MonkeyPatch):
    # the whole load (mapping, timestamps, quarantine) on the two small real logs; the larger ones are
    # compared as tables above, and the table is all the loading steps after it depend on
    assert_same_log(real_path(*parts), monkeypatch)


def test_global_defaults_are_not_filled_in(tmp_path: Path):
    path = tmp_path / "globals.xes.gz"
    path.write_bytes(gzip.compress(
        HEAD + b'<global scope="event"><date key="time:timestamp" value="1970-01-01T00:00:00+01:00"/>'
        b'<string key="org:resource" value="UNKNOWN"/></global>'
        b'<trace><string key="concept:name" value="c1"/>'
        b'<event><string key="concept:name" value="Register"/><string key="org:resource" value="Ann"/>'
        b'<date key="time:timestamp" value="2024-03-04T09:00:00.000+01:00"/></event>'
        b'<event><string key="concept:name" value="Resolve"/></event></trace></log>\n'))
    assert_same_table(path)
    log = load(path)
    assert log.quarantine["reason"].tolist() == ["missing timestamp"]


@pytest.mark.parametrize(("body", "why"), [
    (b'<event><string key="concept:name" value="a"/><list key="items"><values><string key="x" value="y"/></values>'
     b'</list></event>', "<list>"),
    (b'<event><string key="concept:name" value="a"/><int key="n" value="x"/></event>', "did not read every value"),
    (b'<event><string key="concept:name" value="a"/><boolean key="b" value="TRUE"/></event>',
     "did not read every value"),
    (b'<event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-03-04"/></event>',
     "did not read every value"),
    (b'<event><string key="concept:name" value="a\nb"/></event>', "did not read every value"),
    (b'<event><string key="concept:name" value="a"/><id key="u" value="abc"/></event>', "<id>"),
    (b'<event><string key="concept:name" value="a"><string key="inner" value="x"/></string></event>',
     "nested attributes"),
])
def test_what_the_fast_reader_reads_differently_goes_to_pm4py(tmp_path: Path, body: bytes, why: str):
    path = tmp_path / "log.xes"
    path.write_bytes(HEAD + b'<trace><string key="concept:name" value="c1"/>' + body + b"</trace></log>\n")
    with pytest.raises(xes_fast.NotFaithful, match=why):
        read_xes(path, parser="r4pm")
    raw = read_xes(path)
    assert raw.details["xes_parser"] == "pm4py"
    assert any(n.startswith("XES read with pm4py's parser") and why in n for n in raw.notes)
    assert raw.frame.equals(read_xes(path, parser="pm4py").frame)


def test_cut_off_and_entity_files_are_left_to_pm4py(tmp_path: Path):
    cut = tmp_path / "cut.xes"
    cut.write_bytes(HEAD + b'<trace><string key="concept:name" value="c1"/><event><string key="concept:name" '
                           b'value="a"/></event>')
    laughs = tmp_path / "laughs.xes"
    laughs.write_text('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY e0 "aaaa">]><log xes.version="1.0"><trace>'
                      '<event><string key="concept:name" value="&e0;"/></event></trace></log>')
    for path in (cut, laughs):
        with pytest.raises(xes_fast.NotFaithful):
            read_xes(path, parser="r4pm")
    with pytest.raises(FormatError, match="XES file cannot be read"):
        read_xes(cut)
    raw = read_xes(laughs)  # whatever pm4py's parser makes of it (an unexpanded entity here)
    assert raw.details["xes_parser"] == "pm4py" and raw.frame.equals(read_xes(laughs, parser="pm4py").frame)


def test_the_environment_variable_forces_pm4py(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(PARSER_ENV, "pm4py")
    raw = read_xes(SAMPLES / "events.xes.gz")
    assert raw.details["xes_parser"] == "pm4py"
    assert "XES read with pm4py's parser, as SSC_MINING_XES_READER=pm4py asks" in raw.notes
