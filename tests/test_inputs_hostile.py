"""Hostile and unusual inputs (issue 12): packed files, limits, decompression bombs, and errors of the machine.

Every input is made here in ``tmp_path``; the bombs are built from a few repeated packed blocks, so they
take a second and a few MB of disk. Every CLI run must end with a clear message, never "Internal error"
or a traceback.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import os
import resource
import shutil
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, run_cli

from ssc_mining.errors import ConfigError, FormatError, InputError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import MappingSpec, load, read_raw
from ssc_mining.loaders.limits import Limits, using

SAMPLE = SAMPLES / "generic-events.csv"
XES_SAMPLE = SAMPLES / "events.xes.gz"
XES_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
EVENT = (b'<trace><string key="concept:name" value="c1"/><event><string key="concept:name" value="Register"/>'
         b'<date key="time:timestamp" value="2024-03-04T09:00:00.000+01:00"/></event></trace>\n')


def clear_error(result, *words: str) -> None:
    """Exit code 2, the words in the message, and nothing that looks like a bug."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Internal error" not in output and "Traceback" not in output, output
    for word in words:
        assert word in output, output


def analyser_figures(log) -> list[dict]:
    from ssc_mining.analysers import discover, run_analysers

    return [r.to_dict() for r in run_analysers(log, [cls() for cls in discover().analysers.values()])]


# --- packed inputs ---------------------------------------------------------------------------------------------

def pack(kind: str, source: Path, target: Path) -> Path:
    data = source.read_bytes()
    if kind == "zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(source.name, data)
    else:
        target.write_bytes({"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind](data))
    return target


@pytest.fixture(scope="module")
def sample_figures():
    log = load(SAMPLE)
    return log, analyser_figures(log)


@pytest.mark.parametrize("kind", ["zip", "gz", "bz2", "xz"])
def test_packed_sample_gives_the_same_figures(kind, tmp_path, sample_figures):
    plain, figures = sample_figures
    path = pack(kind, SAMPLE, tmp_path / f"export.{kind}.dat")  # the name says nothing: the bytes decide
    log = load(path)
    pd.testing.assert_frame_equal(log.frame, plain.frame)
    assert log.provenance.loader == "csv"  # a zip of a CSV is not taken for a broken Excel file
    assert log.provenance.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert log.provenance.source.size == path.stat().st_size
    assert any("SHA-256 is of the" in n for n in log.provenance.notes)
    if kind in ("zip", "gz"):
        assert analyser_figures(log) == figures
        assert any("'generic-events.csv' from the zip archive" in n for n in log.provenance.notes) == (kind == "zip")


def test_zip_with_several_files_asks_which_one(tmp_path):
    path = tmp_path / "exports.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(SAMPLE, "tickets/generic-events.csv")
        archive.writestr("readme.txt", "two files")
        archive.writestr("__MACOSX/._readme.txt", "clutter, not counted")
    clear_error(run_cli("analyse", path, "--json", tmp_path / "r.json"),
                "holds 2 files", "'tickets/generic-events.csv'", "'readme.txt'", "--member")
    ok = run_cli("analyse", path, "--member", "generic-events.csv", "--json", tmp_path / "r.json",
                 "--analysers", "variants")
    assert ok.returncode == 0, ok.stderr
    mapping = tmp_path / "m.toml"
    mapping.write_text('[input]\nmember = "tickets/generic-events.csv"\n')
    assert load(path, MappingSpec.from_toml(mapping)).n_events == load(SAMPLE).n_events


def test_gzip_xes_named_xes_and_plain_xes_named_gz(tmp_path):
    named_plain = tmp_path / "log.xes"
    shutil.copy(XES_SAMPLE, named_plain)  # gzip bytes, plain name
    named_gz = tmp_path / "log.xes.gz"
    named_gz.write_bytes(gzip.decompress(XES_SAMPLE.read_bytes()))  # plain bytes, gzip name
    a, b = load(named_plain), load(named_gz)
    assert a.n_events == b.n_events == load(XES_SAMPLE).n_events > 0
    pd.testing.assert_frame_equal(a.frame, b.frame)


def test_packed_twice_and_damaged_packings_are_clear(tmp_path):
    inner = tmp_path / "inner.zip"
    pack("zip", SAMPLE, inner)
    twice = pack("zip", inner, tmp_path / "twice.zip")
    with pytest.raises(FormatError, match="packed again"):
        load(twice)
    data = gzip.compress(SAMPLE.read_bytes())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    broken_bz2 = tmp_path / "broken.bz2"
    broken_bz2.write_bytes(b"BZh91AY&SY" + b"garbage" * 20)
    xz = lzma.compress(SAMPLE.read_bytes())
    broken_xz = tmp_path / "broken.xz"
    broken_xz.write_bytes(xz[:40] + b"x" * 40 + xz[80:])
    broken_zip = tmp_path / "broken.zip"
    broken_zip.write_bytes(b"PK\x03\x04" + b"not really a zip archive" * 10)
    for path in (cut, broken_bz2, broken_xz, broken_zip):
        with pytest.raises(FormatError, match="damaged"):
            load(path)
    clear_error(run_cli("inspect", cut), "damaged or incomplete")


# --- decompression bombs -----------------------------------------------------------------------------------------

def deflate_parts(head: bytes, block: bytes, repeat: int, tail: bytes) -> tuple[list[bytes], int, int]:
    """Raw deflate data of head + block * repeat + tail, compressing the block once (a full flush makes
    its packed bytes self-contained, so they can be repeated); returns the parts, CRC-32 and size."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    middle = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    last = packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(repeat):
        crc = zlib.crc32(block, crc)
    return [first, *[middle] * repeat, last], zlib.crc32(tail, crc), len(head) + len(block) * repeat + len(tail)


def write_zip(path: Path, members: dict[str, tuple[list[bytes], int, int]]) -> None:
    """A zip archive of deflated members, written by hand (zipfile cannot take packed data)."""
    central, offset = [], 0
    with path.open("wb") as out:
        for name, (parts, crc, size) in members.items():
            raw, packed = name.encode(), sum(len(p) for p in parts)
            header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, packed, size, len(raw), 0)
            out.write(header + raw)
            for part in parts:
                out.write(part)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, packed, size,
                                       len(raw), 0, 0, 0, 0, 0, offset) + raw)
            offset += len(header) + len(raw) + packed
        directory = b"".join(central)
        out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                                          len(directory), offset, 0))


def xlsx(path: Path, sheet_head: bytes, block: bytes = b"", repeat: int = 0) -> Path:
    """A minimal workbook whose one sheet is sheet_head + block * repeat + the closing tags."""
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    small = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        b'"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": b'<Relationships ' + pkg + b'><Relationship Id="rId1" Type="' + rel
        + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b"<workbook " + main + b' xmlns:r="' + rel
        + b'"><sheets><sheet name="Tickets" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b"<Relationships " + pkg + b'><Relationship Id="rId1" Type="' + rel
        + b'/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    members = {name: deflate_parts(data, b"", 0, b"") for name, data in small.items()}
    members["xl/worksheets/sheet1.xml"] = deflate_parts(b"<worksheet " + main + b">" + sheet_head, block, repeat,
                                                        b"</sheetData></worksheet>")
    write_zip(path, members)
    return path


def run_timed(*args, env=None):
    start = time.perf_counter()
    result = run_cli(*args, env=env)
    return result, time.perf_counter() - start


def peak_child_memory() -> int:
    """Largest resident set of any child process so far, in bytes (an upper bound for the last one)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def test_xes_bomb_stops_quickly_with_little_memory(tmp_path):
    path = tmp_path / "bomb.xes.gz"
    block = EVENT * ((16 << 20) // len(EVENT))
    member = gzip.compress(block, compresslevel=9, mtime=0)
    with path.open("wb") as out:  # gzip members may be concatenated: 64 copies of one packed 16 MiB block
        out.write(gzip.compress(XES_HEAD, mtime=0) + member * 64 + gzip.compress(b"</log>\n", mtime=0))
    assert path.stat().st_size < 8 << 20  # ≈ 4 MB packed, 1 GiB unpacked
    result, seconds = run_timed("report", path, "-o", tmp_path / "out")
    clear_error(result, "bomb.xes.gz", "decompression bomb", "--max-ratio")
    assert seconds < 60 and peak_child_memory() < 3 << 30
    # with the ratio check off, the byte budget stops it while unpacking, before any parsing
    result, budget = run_timed("report", path, "--max-ratio", "0", "--max-input-size", "200MB", "-o", tmp_path / "o")
    clear_error(result, "is larger than 190.7 MiB (unpacked)", "--max-input-size")
    assert budget < 60 and peak_child_memory() < 3 << 30
    print(f"xes bomb: {seconds:.1f} s (ratio), {budget:.1f} s (budget); peak child memory so far "
          f"{peak_child_memory() / 2**20:.0f} MiB")


def test_xlsx_bomb_is_refused_before_openpyxl(tmp_path):
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>Register</t></is></c></row>'
    block = row * ((16 << 20) // len(row))
    path = xlsx(tmp_path / "bomb.xlsx", b"<sheetData>", block, 64)
    assert path.stat().st_size < 8 << 20  # ≈ 3.5 MB packed, 1 GiB sheet
    result, seconds = run_timed("report", path, "-o", tmp_path / "out")
    clear_error(result, "xl/worksheets/sheet1.xml", "decompression bomb")
    assert seconds < 60 and peak_child_memory() < 3 << 30
    result, _ = run_timed("report", path, "--max-ratio", "0", "--max-input-size", "500MB", "-o", tmp_path / "o")
    clear_error(result, "the Excel file is larger than 476.8 MiB (unpacked)")
    print(f"xlsx bomb: {seconds:.1f} s; peak child memory so far {peak_child_memory() / 2**20:.0f} MiB")


def test_xlsx_declaring_more_rows_than_the_limit(tmp_path):
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>case</t></is></c></row>'
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c></row>')
    path = xlsx(tmp_path / "big.xlsx", b'<dimension ref="A1:C30000001"/><sheetData>' + rows)
    with pytest.raises(InputError, match="30,000,000 rows, more than the limit of 20,000,000"):
        read_raw(path)
    wide = xlsx(tmp_path / "wide.xlsx", b'<dimension ref="A1:ZZZZ2"/><sheetData>' + rows)
    with pytest.raises(FormatError, match="more than Excel allows"):
        read_raw(wide)
    ok = xlsx(tmp_path / "ok.xlsx", b'<dimension ref="A1:A2"/><sheetData>' + rows)
    assert read_raw(ok).frame["case"].tolist() == ["1"]


# --- limits --------------------------------------------------------------------------------------------------------

def test_row_limit_stops_before_parsing_and_can_be_set_three_ways(tmp_path, monkeypatch):
    clear_error(run_cli("inspect", SAMPLE, "--max-rows", "100"), "more than 100 rows", "--max-rows")
    with using(max_rows=100), pytest.raises(InputError, match="more than the limit of 100"):
        load(SAMPLE)
    monkeypatch.setenv("SSC_MINING_MAX_ROWS", "100")
    with pytest.raises(InputError, match="more than the limit of 100"):
        load(pack("gz", SAMPLE, tmp_path / "s.gz"))
    with using(max_rows=0):  # an option overrides the environment; 0 = no limit
        assert load(SAMPLE).n_events > 100
    monkeypatch.setenv("SSC_MINING_MAX_ROWS", "many")
    with pytest.raises(ConfigError, match="SSC_MINING_MAX_ROWS"):
        load(SAMPLE)
    clear_error(run_cli("inspect", SAMPLE, env={"SSC_MINING_MAX_ROWS": "many"}), "SSC_MINING_MAX_ROWS")


def test_row_limit_counts_records_not_lines(tmp_path):
    row = '1,Register,2024-03-04 09:00,"line one\nline two\nline three"\n'
    path = tmp_path / "multiline.csv"
    path.write_text("case,activity,timestamp,notes\n" + row * 5)  # 16 lines, 5 records
    with using(max_rows=5):
        assert load(path).n_events == 5
    path.write_text("case,activity,timestamp,notes\n" + row * 6)
    with using(max_rows=5), pytest.raises(InputError, match="more than 5 rows"):
        load(path)


def test_help_states_the_limits_and_their_defaults():
    text = " ".join(run_cli("report", "--help").stdout.split())
    defaults = Limits()
    assert defaults.max_input_bytes == 2 << 30 and "default 2GiB" in text
    assert f"default {defaults.max_rows}" in text and f"default {defaults.max_cell_chars}" in text
    assert f"default {defaults.max_ratio:g}" in text
    for option, env in Limits.OPTIONS.values():
        assert option in text and env in text
    assert "--member" in text


def test_csv_field_larger_than_the_csv_modules_limit_in_the_first_lines(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("case,activity,timestamp,description\n"
                    f'1,Register,2024-03-04 09:00,"{"lang verhaal, " * 12_000}"\n'
                    "1,Resolve,2024-03-05 09:00,short\n")
    log = load(path)
    assert log.n_events == 2
    cut = log.frame.sort_values(C.SOURCE_ROW)["description"].iloc[0]
    assert len(cut) == 10_000 and cut.endswith("…")
    assert any("cut to 10,000 (first: row 2, column 'description')" in n for n in log.provenance.notes)
    with using(max_cell_chars=0):
        assert load(path).frame["description"].str.len().max() == len("lang verhaal, ") * 12_000


def test_csv_field_larger_than_pyarrows_block(tmp_path):
    path = tmp_path / "huge-field.csv"
    with path.open("w") as out:
        out.write("case,activity,timestamp,notes\n" + "1,Register,2024-03-04 09:00,a\n" * 10)
        out.write('1,Resolve,2024-03-05 09:00,"' + "y" * (66 << 20) + '"\n' + "1,Close,2024-03-06 09:00,b\n")
    log = load(path)
    assert log.n_events == 12 and log.frame["notes"].str.len().max() == 10_000


# --- ordinary exports that crashed before -----------------------------------------------------------------------

def test_json_records_with_objects_and_lists(tmp_path):
    records = [{"id": "T1", "activity": "Register", "time": "2024-03-04 09:00",
                "person": {"name": "Anna", "team": {"name": "HR"}}, "tags": ["urgent", "payroll"]},
               {"id": "T1", "activity": "Resolve", "time": "2024-03-05 09:00",
                "person": {"name": "Bram", "team": {"name": "ICT"}}, "tags": []}]
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(records))
    log = load(path, MappingSpec(columns={"case": "id"}))
    frame = log.frame.sort_values(C.SOURCE_ROW)
    assert frame["person.team.name"].tolist() == ["HR", "ICT"]
    assert frame["tags"].tolist() == ['["urgent", "payroll"]', "[]"]
    assert any("'person.team'" in n for n in log.provenance.notes)
    assert any("lists in column 'tags'" in n for n in log.provenance.notes)
    result = run_cli("report", path, "--case", "id", "-o", tmp_path / "out")
    assert result.returncode == 0 and "Internal error" not in result.stderr, result.stderr


def test_xes_with_a_list_attribute(tmp_path):
    path = tmp_path / "list.xes"
    path.write_bytes(XES_HEAD + b'<trace><string key="concept:name" value="c1"/>'
                     b'<event><string key="concept:name" value="Register"/>'
                     b'<date key="time:timestamp" value="2024-03-04T09:00:00.000+01:00"/>'
                     b'<list key="items"><values><string key="item" value="laptop"/><string key="item" value="bag"/>'
                     b'</values></list></event>'
                     b'<event><string key="concept:name" value="Resolve"/>'
                     b'<date key="time:timestamp" value="2024-03-05T09:00:00.000+01:00"/></event></trace></log>\n')
    log = load(path)
    assert log.frame.sort_values(C.SOURCE_ROW)["items"].iloc[0] == '[{"item": "laptop"}, {"item": "bag"}]'
    assert any("XES list attribute 'items'" in n for n in log.provenance.notes)
    result = run_cli("report", path, "-o", tmp_path / "out")
    assert result.returncode == 0 and "Internal error" not in result.stderr, result.stderr


def test_xml_entities_are_not_expanded_or_resolved(tmp_path):
    laughs = tmp_path / "laughs.xes"
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 20}">' for i in range(1, 8))
    laughs.write_text(f'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY e0 "{"a" * 60}">{entities}]>'
                      '<log xes.version="1.0"><trace><string key="concept:name" value="&e7;"/></trace></log>')
    secret = tmp_path / "secret.txt"
    secret.write_text("do-not-read")
    external = tmp_path / "external.xes"
    external.write_text(f'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x SYSTEM "file://{secret}">]>'
                        '<log xes.version="1.0"><trace><string key="concept:name" value="c"/><event>'
                        '<string key="concept:name" value="&x;"/></event></trace></log>')
    for path in (laughs, external):
        with pytest.raises(FormatError, match="XES file cannot be read"):
            load(path)
    clear_error(run_cli("inspect", laughs), "laughs.xes", "entity")


def test_json_nested_too_deeply(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(FormatError, match="nested too deeply"):
        load(path)


# --- errors of the machine ------------------------------------------------------------------------------------------

def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.csv"
    shutil.copy(SAMPLE, path)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not stop this user reading")
        with pytest.raises(InputError, match="permission denied"):
            load(path)
        clear_error(run_cli("inspect", path), "locked.csv", "permission")
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    """The same path as chmod 000, for a user (root) whom permissions do not stop: opening raises EACCES."""
    path = tmp_path / "locked.csv"
    shutil.copy(SAMPLE, path)
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(InputError, match="cannot be opened: permission denied") as err:
        load(path)
    assert err.value.path == str(path) and "permissions" in (err.value.hint or "")


def test_directory_given_as_file(tmp_path):
    clear_error(run_cli("report", tmp_path, "-o", tmp_path / "out"), "folder, not a file")


def test_memory_and_disk_errors_anywhere_become_messages(monkeypatch, tmp_path):
    from click.testing import CliRunner

    import ssc_mining.analysers
    from ssc_mining.cli import main

    def fail(error):
        def run(*args, **kwargs):
            raise error
        return run

    cases = [(MemoryError(), "not enough memory"),
             (OSError(28, "No space left on device", str(tmp_path / "r.json")), "disk is full"),
             (RecursionError("maximum recursion depth exceeded"), "nested too deeply")]
    for error, words in cases:
        monkeypatch.setattr(ssc_mining.analysers, "run_analysers", fail(error))
        result = CliRunner().invoke(main, ["analyse", str(SAMPLE), "--json", str(tmp_path / "r.json")])
        output = result.output
        assert result.exit_code == 2, output
        assert words in output and "Internal error" not in output, output


def test_line_count_before_the_row_limit_equals_a_plain_count(tmp_path):
    """The pre-count of line breaks (a memory map read by numpy, in 16 MiB blocks) equals Python's own count,
    across a block boundary, without a final line break, for an empty file, and stops once past ``stop``."""
    from ssc_mining.loaders.csv_reader import _count_lines
    line = b"SSC-1,Register,2024-01-02 07:02:00\n"
    body = line * ((17 << 20) // len(line)) + b"last,line,without break"
    path = tmp_path / "big.csv"
    path.write_bytes(body)
    assert _count_lines(path, 10**9) == body.count(b"\n") > (16 << 20) // len(line)
    stopped = _count_lines(path, 100)
    assert 100 < stopped <= (16 << 20) // len(line) + 1   # the first block is enough to know
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _count_lines(empty, 10) == 0


def test_the_cell_length_check_reads_every_piece_of_an_arrow_column():
    """A long cell in a later piece (or a piece that is a slice) is found, as a plain check of every value's
    length finds it; short cells in every piece pass."""
    import pyarrow as pa

    from ssc_mining.loaders.limits import _fits
    pieces = [pa.array(["ab", "c"], type=pa.large_string()),
              pa.array(["x" * 30, "de", None], type=pa.large_string()).slice(1)]
    short = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(pieces)))
    assert _fits(short, 2) is (max(len(v) for v in short.dropna()) <= 2) is True
    long = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pieces[0], pa.array(["de", "x" * 30])
                                                                  .cast(pa.large_string())])))
    assert _fits(long, 29) is (max(len(v) for v in long.dropna()) <= 29) is False
