"""`ssc-mining import`: an export read in batches into a DuckDB database gives the same log, quarantine and
figures as reading the export directly; every batch reconciles; failures leave no database."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SAMPLES, real_path, run_cli

from ssc_mining.analysers import run_analysers
from ssc_mining.analysers.registry import discover
from ssc_mining.errors import ConfigError, InputError, StrictModeError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import MappingSpec, load
from ssc_mining.loaders import batches as batches_module
from ssc_mining.loaders.importer import import_export

ANALYSERS = [cls() for cls in discover().analysers.values()]


def _rows(n_rows: int = 2_000, seed: int = 1) -> str:
    """A CSV with every kind of bad row spread over the file: missing case, activity or time, an unreadable
    time, too many and too few fields, a value over two lines, and a rejected last record."""
    rng = np.random.default_rng(seed)
    lines = ["Case,Activity,Time,Team,Cost"]
    for i in range(n_rows):
        case, act = f"C{i // 7:04d}", ["Register", "Assign", "Resolve", "Close"][int(rng.integers(4))]
        time = f"2024-0{1 + i % 9}-{1 + i % 27:02d} 10:{i % 60:02d}"
        cost = f"{rng.integers(1, 999)},{rng.integers(10, 99)}"
        r = rng.random()
        if r < 0.01:
            case = ""
        elif r < 0.02:
            act = "  "
        elif r < 0.03:
            time = "not a date"
        if r > 0.995:
            lines.append(f"{case},{act}")
        elif r > 0.99:
            lines.append(f'{case},{act},{time},T1,"{cost}",extra')
        elif i == 1000:
            lines.append(f'{case},"Assign\nagain",{time},T2,"{cost}"')
        else:
            lines.append(f'{case},{act},{time},T{i % 3},"{cost}"')
    lines.append("C9999,Close")
    return "\n".join(lines) + "\n"


def _same_log(imported, direct) -> None:
    """The same events (every column and type), quarantine and provenance, but for what says it was imported."""
    pd.testing.assert_frame_equal(imported.frame.reset_index(drop=True)[sorted(imported.frame.columns)],
                                  direct.frame.reset_index(drop=True)[sorted(direct.frame.columns)])
    assert imported.quarantine["source_row"].dtype == "Int64"
    pd.testing.assert_frame_equal(imported.quarantine.reset_index(drop=True), direct.quarantine.reset_index(drop=True),
                                  check_dtype=False)   # a reading's text columns are object or str by chance
    a, b = imported.provenance.to_dict(), direct.provenance.to_dict()
    assert [i for i in a.pop("inputs") if i["role"] != "imported database"] == b.pop("inputs")
    notes = [n for n in a.pop("notes") if "read from the database" not in n and "batches of up to" not in n]
    assert notes == b.pop("notes")
    for decision in (*a["timestamps"].values(), *b["timestamps"].values()):
        decision.pop("evidence")   # counts in the sample of the first batch, not of the whole column
    assert a == b


def _same_results(imported, direct) -> None:
    assert imported.semantics == direct.semantics
    got, expected = run_analysers(imported, ANALYSERS), run_analysers(direct, ANALYSERS)
    assert [r.status for r in got] == [r.status for r in expected]
    assert [r.to_dict() for r in got] == [r.to_dict() for r in expected]


def test_a_file_with_bad_rows_everywhere_imports_as_it_reads(tmp_path):
    export = tmp_path / "h.csv"
    export.write_text(_rows(), encoding="utf-8")
    database = tmp_path / "h.duckdb"
    seen = []
    result = import_export(export, database, batch_rows=300, on_batch=seen.append)
    direct = load(export)
    imported = load(database)
    _same_log(imported, direct)
    assert len(seen) == len(result.batches) == 7
    assert all(b.reconciles() for b in result.batches)
    assert sum(b.rows_read for b in result.batches) == direct.provenance.rows_read == 2_001
    assert sum(b.rows_quarantined for b in result.batches) == direct.provenance.rows_quarantined
    # batches follow each other: the last row of one is just before the first of the next
    assert [b.first_row for b in result.batches[1:]] == [b.last_row + 1 for b in result.batches[:-1]]
    assert result.batches[0].first_row == 2 and result.batches[-1].last_row == 2_002
    # a ticket that lost a row in one batch and kept rows in another is flagged with all its lost rows
    flagged = imported.frame.groupby(C.CASE)[C.ROWS_SET_ASIDE].first()
    assert flagged.sum() > 0
    assert imported.provenance.cases_with_rows_set_aside == direct.provenance.cases_with_rows_set_aside
    assert imported.provenance.decimal == ","   # Cost: numbers with a decimal comma, decided on the whole column
    _same_results(imported, direct)


def test_the_sample_gives_the_same_figures_through_a_database(tmp_path):
    database = tmp_path / "sample.duckdb"
    result = import_export(SAMPLES / "generic-events.csv", database, batch_rows=997)
    assert len(result.batches) == 4 and result.streamed
    imported, direct = load(database), load(SAMPLES / "generic-events.csv")
    _same_log(imported, direct)
    _same_results(imported, direct)


@pytest.mark.parametrize("name", ["topdesk-history.csv", "jira-changelog.json", "events.xes.gz"])
def test_profiles_and_other_formats_are_read_whole_and_give_the_same_figures(tmp_path, name):
    database = tmp_path / "export.duckdb"
    result = import_export(SAMPLES / name, database, batch_rows=500)
    assert not result.streamed and len(result.batches) == 1 and result.batches[0].reconciles()
    imported, direct = load(database), load(SAMPLES / name)
    _same_log(imported, direct)
    _same_results(imported, direct)


def test_parquet_is_read_in_batches(tmp_path):
    frame = load(SAMPLES / "generic-events.csv").frame
    export = tmp_path / "events.parquet"
    pq.write_table(pa.Table.from_pandas(frame.drop(columns=[C.SOURCE_ROW]), preserve_index=False), export,
                   row_group_size=1_000)
    result = import_export(export, tmp_path / "events.duckdb", batch_rows=800)
    assert result.streamed and len(result.batches) == 5
    _same_log(load(tmp_path / "events.duckdb"), load(export))


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "name", "rows"), [("helpdesk-full", "helpdesk.csv", 5_000),
                                                      ("receipt-wabo", "receipt.csv", 2_000)])
def test_real_logs_give_the_same_figures_through_a_database(tmp_path, folder, name, rows):
    export = real_path(folder, name)
    result = import_export(export, tmp_path / "real.duckdb", batch_rows=rows)
    assert len(result.batches) > 1
    imported, direct = load(tmp_path / "real.duckdb"), load(export)
    _same_log(imported, direct)
    _same_results(imported, direct)


def test_a_value_longer_than_a_parser_block_is_read_with_bigger_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(batches_module, "_BLOCK", 1 << 10)
    export = tmp_path / "long.csv"
    rows = [f"C{i},Register,2024-01-0{1 + i % 9} 10:00,{'x' * (3_000 if i == 40 else 5)}" for i in range(100)]
    export.write_text("Case,Activity,Time,Note\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_export(export, tmp_path / "long.duckdb", batch_rows=30)
    _same_log(load(tmp_path / "long.duckdb"), load(export))


def test_windows_1252_is_detected_before_the_first_batch(tmp_path):
    export = tmp_path / "cp.csv"
    rows = [f"C{i},Behandeling gestart ({'é' if i == 90 else 'e'}),2024-01-02 10:{i % 60:02d}" for i in range(100)]
    export.write_bytes(("Case,Activity,Time\n" + "\n".join(rows) + "\n").encode("cp1252"))
    result = import_export(export, tmp_path / "cp.duckdb", batch_rows=10)
    assert result.provenance.encoding == "cp1252"
    _same_log(load(tmp_path / "cp.duckdb"), load(export))


def test_a_failed_import_leaves_no_database(tmp_path):
    export = tmp_path / "h.csv"
    export.write_text(_rows(), encoding="utf-8")
    with pytest.raises(StrictModeError):
        import_export(export, tmp_path / "h.duckdb", batch_rows=300, strict=True)
    assert list(tmp_path.iterdir()) == [export]


def test_an_existing_database_is_kept_unless_replaced(tmp_path):
    database = tmp_path / "t.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    before = database.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        import_export(SAMPLES / "generic-events.csv", database)
    assert database.read_bytes() == before
    import_export(SAMPLES / "generic-events.csv", database, replace=True, batch_rows=2_000)
    assert load(database).n_events == 3_724


def test_reading_options_cannot_be_given_to_a_database(tmp_path):
    database = tmp_path / "t.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    with pytest.raises(ConfigError, match="timezone"):
        load(database, MappingSpec(timezone="UTC"))
    # the meaning of labels may be given again: it is read when the database is read
    log = load(database, MappingSpec(semantics={"activities": {"Close": "register"}}))
    assert log.semantics.role_of("Close").value == "register"


def test_import_then_report_on_the_command_line(tmp_path):
    export = tmp_path / "h.csv"
    export.write_text(_rows(), encoding="utf-8")
    database = tmp_path / "h.duckdb"
    done = run_cli("import", export, "--db", database, "--batch-rows", "300", "--quiet")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    pattern = r"Batch (\d+): rows ([\d,]+)–([\d,]+): ([\d,]+) read, ([\d,]+) used, ([\d,]+) set aside\."
    per_batch = [re.fullmatch(pattern, line) for line in lines[:7]]
    figures = [[int(g.replace(",", "")) for g in m.groups()] for m in per_batch if m]
    assert [f[0] for f in figures] == list(range(1, 8)) and all(f[3] == f[4] + f[5] for f in figures)
    p = load(export).provenance
    assert sum(f[3] for f in figures) == p.rows_read == 2_001 and sum(f[5] for f in figures) == p.rows_quarantined
    line = f"Read {p.rows_read:,} rows from h.csv in 7 batches: {p.rows_used:,} used, {p.rows_quarantined:,} set aside."
    assert line in lines
    again = run_cli("import", export, "--db", database)
    assert again.returncode == 2 and "already exists" in again.stderr and "--replace" in again.stderr
    out = tmp_path / "out"
    report = run_cli("report", database, "-o", out, "--run-date", "2026-01-01", "--quiet")
    assert report.returncode == 0, report.stderr
    assert line.replace("in 7 batches", "(imported into h.duckdb)") in report.stdout
    direct = run_cli("report", export, "-o", tmp_path / "direct", "--run-date", "2026-01-01", "--quiet")
    assert direct.returncode == 0, direct.stderr
    assert (out / "h.quarantine.csv").read_bytes() == (tmp_path / "direct" / "h.quarantine.csv").read_bytes()
    provenance = json.loads((out / "h.json").read_text())["provenance"]
    assert provenance["source"]["name"] == "h.csv" and provenance["reconciles"]
    assert provenance["inputs"][0]["role"] == "imported database"
    wrong = run_cli("report", database, "-o", tmp_path / "x", "--timezone", "UTC")
    assert wrong.returncode == 2 and "ssc-mining import" in wrong.stderr
