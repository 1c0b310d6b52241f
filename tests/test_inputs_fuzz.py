"""Property-based tests (Hypothesis): random and mutated exports give either an event log whose row counts
reconcile, or a clear error — never an internal error.

The CLI turns every :class:`~ssc_mining.errors.SSCMiningError` into a message and exit code 2, and anything
else into "Internal error … this is a bug"; so "no other exception escapes ``load``" is the property that
matters. A few generated inputs also go through the real CLI.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssc_mining.errors import SSCMiningError
from ssc_mining.loaders import load

SAMPLE_LINES = (SAMPLES / "generic-events.csv").read_text(encoding="utf-8").splitlines()[:40]
HEADER, ROWS = SAMPLE_LINES[0], SAMPLE_LINES[1:]
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: bytes that stress readers: separators, quotes, line ends, NUL, BOMs, control characters, non-ASCII
_TRICKY = st.sampled_from([b",", b";", b"\t", b'"', b"\n", b"\r", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe",
                           b"\x1b[31m", b"=cmd|' /C calc'!A0", "é€".encode(), "é".encode("cp1252"), b"\\", b"<", b">",
                           b"&", b"'", b"0", b"1e5", b"2024-13-45 25:61", b"NaN", b"-", b"?"])


def _check(path: Path) -> None:
    """The property: a log whose rows reconcile, or an SSCMiningError (exit 2) — nothing else."""
    try:
        log = load(path)
    except SSCMiningError as err:
        assert err.message().strip()
        return
    p = log.provenance
    assert p.reconciles(), (p.rows_read, p.rows_used, p.rows_quarantined, p.rows_skipped)
    assert log.n_events + 0 == len(log.frame)
    log.markers  # the semantics step copes with whatever labels came in  # noqa: B018


@st.composite
def mutated_csv(draw: st.DrawFn) -> bytes:
    lines = [HEADER] + draw(st.lists(st.sampled_from(ROWS), min_size=0, max_size=12))
    data = bytearray("\n".join(lines).encode("utf-8"))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        if action == "insert":
            data[pos:pos] = draw(_TRICKY)
        elif action == "delete":
            del data[pos:pos + draw(st.integers(1, 20))]
        elif action == "replace":
            data[pos:pos + 1] = draw(_TRICKY)
        else:
            del data[pos:]
    return bytes(data)


@given(data=mutated_csv())
@FUZZ
def test_mutated_csv_reconciles_or_fails_clearly(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    path.write_bytes(data)
    _check(path)


@given(data=st.binary(min_size=0, max_size=400))
@FUZZ
def test_random_bytes_fail_clearly(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bin") / "export.csv"
    path.write_bytes(data)
    _check(path)


_XES_EVENT = ('<event><string key="concept:name" value="{a}"/><date key="time:timestamp" value="{t}"/>'
              '<string key="org:resource" value="{r}"/>{extra}</event>')
_EXTRA = st.sampled_from(["", '<list key="ssc:tags"><values><string key="x" value="y"/></values></list>',
                          '<int key="n" value="x"/>', '<container key="c"><string key="a" value="b"/></container>',
                          '<string key="concept:name" value=""/>', "<!-- comment -->", "&amp;", "<event>", "</trace>"])


@st.composite
def xes_document(draw: st.DrawFn) -> bytes:
    traces = []
    for i in range(draw(st.integers(0, 4))):
        events = [_XES_EVENT.format(a=draw(st.sampled_from(["Register", "Resolve", "Wait", "&lt;b&gt;", ""])),
                                    t=draw(st.sampled_from(["2024-03-04T09:00:00+01:00", "2024-03-04", "not a date",
                                                            "2024-03-31T02:30:00"])),
                                    r=draw(st.sampled_from(["Ann", "", "Bob"])), extra=draw(_EXTRA))
                  for _ in range(draw(st.integers(0, 4)))]
        traces.append(f'<trace><string key="concept:name" value="c{i}"/>{"".join(events)}</trace>')
    text = '<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0">' + "".join(traces) + "</log>"
    cut = draw(st.integers(0, 3))
    if cut == 0:   # sometimes truncated in the middle
        text = text[: draw(st.integers(0, len(text)))]
    data = text.encode("utf-8")
    return gzip.compress(data, mtime=0) if draw(st.booleans()) else data


@given(data=xes_document())
@FUZZ
def test_xes_fragments_reconcile_or_fail_clearly(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("xes") / "log.xes"
    path.write_bytes(data)
    _check(path)


_JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                        max_size=3),
                           max_leaves=6)


@st.composite
def json_records(draw: st.DrawFn) -> bytes:
    records = []
    for i in range(draw(st.integers(0, 6))):
        record = {"case_id": draw(st.sampled_from([f"C{i % 3}", None, 7, ""])),
                  "activity": draw(st.sampled_from(["Register", "Resolve", None, ["a", "b"]])),
                  "timestamp": draw(st.sampled_from(["2024-03-04 09:00", "yesterday", None, 1709542800]))}
        record.update(draw(st.dictionaries(st.sampled_from(["team", "meta", "tags"]), _JSON_VALUE, max_size=2)))
        records.append(record)
    shape = draw(st.sampled_from(["list", "records", "lines", "broken"]))
    if shape == "list":
        return json.dumps(records).encode()
    if shape == "records":
        return json.dumps({"records": records}).encode()
    if shape == "lines":
        return "\n".join(json.dumps(r) for r in records).encode()
    return json.dumps(records).encode()[: draw(st.integers(0, 50))]


@given(data=json_records())
@FUZZ
def test_json_records_reconcile_or_fail_clearly(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("json") / "export.json"
    path.write_bytes(data)
    _check(path)


@given(data=mutated_csv(), kind=st.sampled_from(["gz", "zip"]))
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_the_cli_never_reports_an_internal_error(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                                 kind: str) -> None:
    folder = tmp_path_factory.mktemp("cli")
    if kind == "gz":
        path = folder / "export.csv.gz"
        path.write_bytes(gzip.compress(data, mtime=0))
    else:
        path = folder / "export.zip"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("export.csv", data)
        path.write_bytes(buffer.getvalue())
    result = run_cli("report", path, "-o", folder / "out", "--analysers", "variants")
    assert result.returncode in (0, 2, 3), result.stderr
    assert "Internal error" not in result.stderr and "Traceback" not in result.stderr
    if result.returncode:
        assert result.stderr.startswith("Error:")
