"""`ssc-mining report DATABASE --engine duckdb|spark` writes the report of the same database read into memory: the
JSON files equal (but for the run's own settings and the note naming the engine), the HTML pages equal (but for
those same lines), in English and Dutch, for both audiences, with and without pseudonyms, on every sample format
and on real logs, split into several partitions."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES, real_path

from ssc_mining.cli import main
from ssc_mining.loaders.importer import import_export

ENGINE_NOTE = re.compile(r"analysed by (DuckDB|Spark) [^<\"]*?(partitions of whole tickets|one partition)"
                         r"|geanalyseerd met (DuckDB|Spark) [^<\"]*?(delen met steeds hele meldingen|één deel)")


def _report(database: Path, out: Path, *extra: str) -> Path:
    result = CliRunner().invoke(main, ["report", str(database), "-o", str(out), "--run-date", "2026-01-01",
                                       "--lang", "en", "--lang", "nl", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def _json(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("run")
    notes = data["provenance"]["notes"]
    data["provenance"]["notes"] = [n for n in notes if not ENGINE_NOTE.search(n)]
    return data


def _html(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<li>[^<]*?(?:" + ENGINE_NOTE.pattern + r")[^<]*?</li>\s*", "", text)
    text = re.sub(r'<tr><th scope="row">[^<]*</th><td class="mono">[^<]* report [^<]*</td></tr>', "", text)
    return re.sub(r'<script type="application/json" id="run-settings">.*?</script>', "", text, flags=re.S)


def assert_same_reports(memory: Path, engine: Path) -> None:
    """Every JSON and HTML file of the two report sets is the same, but for the run's settings and engine note."""
    names = sorted(p.name for p in memory.iterdir() if p.suffix in (".json", ".html"))
    assert names == sorted(p.name for p in engine.iterdir() if p.suffix in (".json", ".html"))
    assert len(names) >= 4
    for name in names:
        if name.endswith(".json"):
            want, got = _json(memory / name), _json(engine / name)
            for key in sorted(want):
                assert json.dumps(got[key], sort_keys=True) == json.dumps(want[key], sort_keys=True), (name, key)
        else:
            want_html, got_html = _html(memory / name), _html(engine / name)
            if want_html != got_html:
                at = next(i for i, (a, b) in enumerate(zip(want_html, got_html)) if a != b)
                around = slice(max(at - 200, 0), at + 200)
                pytest.fail(f"{name} differs at {at}: {want_html[around]!r} vs {got_html[around]!r}")
    quarantine = sorted(memory.glob("*.quarantine.csv"))
    assert [p.name for p in quarantine] == [p.name for p in sorted(engine.glob("*.quarantine.csv"))]
    for path in quarantine:
        assert path.read_bytes() == (engine / path.name).read_bytes()


def _both(tmp_path: Path, source: Path, *extra: str, engine: str = "duckdb", events: int = 1500) -> tuple[Path, Path]:
    database = tmp_path / "tickets.duckdb"
    if not database.exists():
        import_export(source, database)
    key = tmp_path / "key"
    key.write_text("a key of at least sixteen bytes for these tests")
    options = ("--pseudonym-key-file", str(key), *extra)
    memory = _report(database, tmp_path / "memory", *options)
    on_engine = _report(database, tmp_path / engine, "--engine", engine, "--partition-events", str(events), *options)
    return memory, on_engine


@pytest.mark.parametrize("name", ["generic-events.csv", "generic-events-nl.csv", "topdesk-history.csv",
                                  "topdesk-export.csv", "jira-changelog.json", "servicenow-history.csv",
                                  "servicenow-sys_audit.csv", "events.xes.gz"])
def test_report_on_duckdb_equals_the_report_in_memory_on_every_sample(tmp_path, name):
    memory, engine = _both(tmp_path, SAMPLES / name)
    provenance = json.loads(next(engine.glob("*.json")).read_text())["provenance"]
    assert any("analysed by DuckDB" in n and "partitions of whole tickets" in n for n in provenance["notes"])
    assert_same_reports(memory, engine)


@pytest.mark.parametrize("extra", [("--audience", "auditor"), ("--no-pseudonymise",),
                                   ("--as-of", "2024-03-01", "--map-segments", "category")])
def test_report_on_duckdb_with_other_options(tmp_path, extra):
    memory, engine = _both(tmp_path, SAMPLES / "topdesk-export.csv", *extra, events=700)
    assert_same_reports(memory, engine)
    if extra[0] == "--audience":   # the auditor's page holds ticket timelines, read from the database
        data = json.loads(next(engine.glob("*.json")).read_text())
        assert data["explore"]["timelines"]["tickets"]


def test_report_on_duckdb_with_rows_set_aside(tmp_path):
    source = tmp_path / "export.csv"
    lines = (SAMPLES / "generic-events.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].split(",", 1)[0] + ",,not a date"   # a row the import sets aside
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    memory, engine = _both(tmp_path, source)
    assert sorted(engine.glob("*.quarantine.csv"))
    assert json.loads(next(engine.glob("*.json")).read_text())["quarantine"]["rows"] >= 1
    assert_same_reports(memory, engine)


@pytest.mark.parametrize("folder,name", [("helpdesk-full", "helpdesk.csv"), ("receipt-wabo", "receipt.csv")])
def test_report_on_duckdb_equals_the_report_in_memory_on_real_logs(tmp_path, folder, name):
    path = real_path(folder, name)
    database = tmp_path / "tickets.duckdb"
    import_export(path, database, batch_rows=20_000)
    memory, engine = _both(tmp_path, path, events=6_000)
    assert_same_reports(memory, engine)


def test_report_on_duckdb_asks_for_a_database(tmp_path):
    result = CliRunner().invoke(main, ["report", str(SAMPLES / "generic-events.csv"), "-o", str(tmp_path),
                                       "--engine", "duckdb"])
    assert result.exit_code != 0
    assert "reads a database written by `ssc-mining import`" in result.output
    assert "ssc-mining import" in result.output
    missing = CliRunner().invoke(main, ["report", str(tmp_path / "gone.parquet"), "-o", str(tmp_path),
                                        "--engine", "duckdb"])
    assert missing.exit_code == 2 and "gone.parquet: the file does not exist" in missing.output


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 (.ci/run installs it)")
def test_report_on_spark_equals_the_report_in_memory(tmp_path):
    memory, engine = _both(tmp_path, SAMPLES / "topdesk-export.csv", "--audience", "auditor", engine="spark",
                           events=700)
    provenance = json.loads(next(engine.glob("*.json")).read_text())["provenance"]
    assert any("analysed by Spark" in n for n in provenance["notes"])
    assert_same_reports(memory, engine)


def test_a_parquet_export_is_imported_by_the_engine_itself(tmp_path):
    """A Parquet export goes to the DuckDB engine directly: imported into a temporary database first (same checks,
    same quarantine), analysed, and the temporary database removed; the report equals the one of the export read
    into memory."""
    import pandas as pd

    source = tmp_path / "events.parquet"
    frame = pd.read_csv(SAMPLES / "generic-events.csv", dtype=str)
    frame.loc[5, "timestamp"] = "not a date"   # a row set aside
    frame.to_parquet(source, index=False)
    key = tmp_path / "key"
    key.write_text("a key of at least sixteen bytes for these tests")
    memory = _report(source, tmp_path / "memory", "--pseudonym-key-file", str(key))
    engine = _report(source, tmp_path / "duckdb", "--pseudonym-key-file", str(key), "--engine", "duckdb",
                     "--partition-events", "1500")
    notes = json.loads((engine / "events.parquet.json").read_text())["provenance"]["notes"]
    assert "imported into a temporary database first, with the checks and the quarantine of ssc-mining import" in notes
    data = json.loads((memory / "events.parquet.json").read_text())
    assert data["quarantine"]["rows"] == 1
    for path in [*memory.glob("*.json"), *engine.glob("*.json")]:   # without the engine's own note
        data = json.loads(path.read_text())
        data["provenance"]["notes"] = [n for n in data["provenance"]["notes"]
                                       if not n.startswith(("imported into", "eerst ingelezen"))]
        path.write_text(json.dumps(data))
    notes = ("<li>imported into a temporary database first, with the checks and the quarantine of ssc-mining import"
             "</li>", "<li>eerst ingelezen in een tijdelijke database, met dezelfde controles en quarantaine als "
             "ssc-mining import</li>")
    for path in engine.glob("*.html"):
        text = path.read_text()
        assert any(note in text for note in notes), path.name
        for note in notes:
            text = text.replace(note, "")
        path.write_text(text)
    assert_same_reports(memory, engine)
