"""The memory a report will need is estimated before reading, and a file that would not fit is refused with a
message that names the estimate (never a crash or swapping)."""

from __future__ import annotations

import gzip
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SAMPLES, run_cli

from ssc_mining.errors import InputError
from ssc_mining.loaders import load
from ssc_mining.loaders.footprint import BASE, FACTORS, available_bytes, check_memory, footprint, size_text
from ssc_mining.loaders.importer import import_export
from ssc_mining.loaders.limits import using

CSV = SAMPLES / "generic-events.csv"


def test_the_unpacked_size_is_read_from_what_each_kind_declares(tmp_path):
    data = CSV.read_bytes()
    assert footprint(CSV, "csv").unpacked == len(data)
    packed = tmp_path / "events.csv.gz"
    packed.write_bytes(gzip.compress(data))
    found = footprint(packed, "gzip", inner="csv")
    assert (found.kind, found.unpacked) == ("csv", len(data))
    archive = tmp_path / "events.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("small.txt", "x")
        z.writestr("events.csv", data)
    assert footprint(archive, "zip", inner="csv").unpacked == len(data)
    table = pa.table({"a": ["x" * 100] * 1_000})
    pq.write_table(table, tmp_path / "t.parquet")
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata
    assert footprint(tmp_path / "t.parquet", "parquet").unpacked == sum(
        meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    assert footprint(tmp_path / "t.parquet", "xz") is None


def test_a_database_counts_its_rows_times_a_row_written_as_csv(tmp_path):
    database = tmp_path / "t.duckdb"
    import_export(CSV, database)
    found = footprint(database, "duckdb")
    events = load(database).n_events
    assert str(f"{events:,} events") in found.basis
    # the events as CSV: near the export's own size (the export has the same columns, one row per event)
    assert 0.7 < found.unpacked / len(CSV.read_bytes()) < 1.5
    assert found.needed == BASE + FACTORS["duckdb"] * found.unpacked


def test_a_file_that_would_not_fit_is_refused_before_it_is_read(tmp_path):
    needed = footprint(CSV, "csv").needed
    with pytest.raises(InputError) as caught:
        check_memory(CSV, "csv", ceiling=needed - 1)
    message = caught.value.message()
    assert "would need about" in message and "--max-memory" in message and "0 switches the check off" in message
    assert "ssc-mining import FILE --db tickets.duckdb" in message and "--engine duckdb" in message
    check_memory(CSV, "csv", ceiling=needed)   # fits exactly
    check_memory(CSV, "csv", ceiling=0)        # no check
    with using(max_memory=needed - 1), pytest.raises(InputError, match="would need about"):
        load(CSV)


def test_a_database_that_would_not_fit_points_to_the_duckdb_engine(tmp_path):
    database = tmp_path / "t.duckdb"
    import_export(CSV, database)
    with pytest.raises(InputError) as caught:
        check_memory(database, "duckdb", ceiling=footprint(database, "duckdb").needed - 1)
    assert "`ssc-mining report FILE --engine duckdb -o DIR`" in caught.value.message()


def test_the_machine_reports_its_available_memory():
    available = available_bytes()
    assert available is not None and available > BASE


def test_the_command_line_refuses_with_the_estimate(tmp_path):
    done = run_cli("report", CSV, "-o", tmp_path, "--max-memory", "100MB")
    assert done.returncode == 2
    needed = size_text(footprint(CSV, "csv").needed)
    assert f"a report on this file would need about {needed} of memory" in done.stderr
    assert "more than the --max-memory ceiling (95.4 MiB)" in done.stderr
    assert not list(tmp_path.iterdir())
    by_env = run_cli("analyse", CSV, "--json", tmp_path / "r.json", env={"SSC_MINING_MAX_MEMORY": "100MB"})
    assert by_env.returncode == 2 and "would need about" in by_env.stderr
    off = run_cli("analyse", CSV, "--json", tmp_path / "r.json", "--max-memory", "0", "--analysers", "variants")
    assert off.returncode == 0, off.stderr
