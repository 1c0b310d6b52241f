"""The DuckDB engine for analyse (partitions of whole tickets, see ssc_mining.engines.partitioned) gives the same
results as the log in memory: every analyser that runs in partitions, on every sample format and on real logs,
split into several partitions; the decisions on the whole log (facts, numbers, semantics) equal those of the log
in memory; and the CLI writes the same JSON on both engines."""

from __future__ import annotations

import json

import pytest
from conftest import EVENT_COUNT_PLUGIN, SAMPLES, real_path, run_cli

from ssc_mining.analysers.registry import discover
from ssc_mining.analysers.runner import run_analysers, run_in_partitions
from ssc_mining.engines.partitioned import Partitions
from ssc_mining.eventlog.facts import LogFacts
from ssc_mining.i18n import render_texts
from ssc_mining.loaders.database import read_database
from ssc_mining.loaders.importer import import_export
from ssc_mining.privacy import Pseudonymiser, pseudonymise_log
from ssc_mining.run_context import RunContext


def _partitioned() -> list:
    analysers = [cls() for cls in discover().analysers.values()]
    return [a for a in analysers if a.runs_in_partitions()]


def _same_results(database, partitions: int, pseudonymiser=None) -> list[str]:
    """Compare the results of both engines; the names of the analysers compared."""
    log = read_database(database)
    if pseudonymiser is not None:
        log = pseudonymise_log(log, pseudonymiser)
    analysers = _partitioned()
    context = RunContext.of(log, jobs=1)
    expected = run_analysers(log, analysers, context=context, lang="en")
    with Partitions(database, partitions=partitions, pseudonymiser=pseudonymiser) as parts:
        assert parts.n == partitions
        assert parts.facts == LogFacts.of(log)
        assert parts.semantics == log.semantics
        got = render_texts(run_in_partitions(parts.logs(), parts.facts, analysers, context=context), "en")
    for want, have in zip(expected, got, strict=True):
        assert have.status == want.status, (want.analyser, have.reason)
        assert json.dumps(have.to_dict(), sort_keys=True, default=str) == \
            json.dumps(want.to_dict(), sort_keys=True, default=str), want.analyser
    return [a.name for a in analysers]


def test_some_analysers_run_in_partitions():
    assert {"throughput", "variants"} <= {a.name for a in _partitioned()}


@pytest.mark.parametrize("name", ["generic-events.csv", "generic-events-nl.csv", "topdesk-history.csv",
                                  "topdesk-export.csv", "jira-changelog.json", "servicenow-history.csv",
                                  "servicenow-sys_audit.csv", "events.xes.gz"])
def test_partitions_give_the_results_of_the_log_in_memory_on_every_sample(tmp_path, name):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / name, database)
    _same_results(database, partitions=4)


def test_pseudonyms_are_the_same_in_every_partition(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    _same_results(database, partitions=3, pseudonymiser=Pseudonymiser(b"k" * 32))


def test_numbers_are_decided_on_the_whole_column(tmp_path):
    # "cost" is a number everywhere; "code" is a number in every partition but the one with ticket C41
    export = tmp_path / "numbers.csv"
    lines = ["case,activity,timestamp,cost,code"]
    for i in range(60):
        lines += [f"C{i},Register,2024-01-{i % 28 + 1:02d} 09:00,{i}.5,{i}.25",
                  f"C{i},Close,2024-02-{i % 28 + 1:02d} 09:00,{i}.75,{'x' if i == 41 else f'{i}.5'}"]
    export.write_text("\n".join(lines) + "\n")
    database = tmp_path / "numbers.duckdb"
    import_export(export, database)
    whole = read_database(database)
    with Partitions(database, partitions=5) as parts:
        kinds = {column: {part.frame[column].dtype.kind for part in parts.logs()} for column in ("cost", "code")}
    assert (whole.frame["cost"].dtype.kind, whole.frame["code"].dtype.kind) == ("f", "O")
    assert kinds == {"cost": {"f"}, "code": {"O"}}


def test_analyse_writes_the_same_json_on_both_engines(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    names = ",".join(a.name for a in _partitioned())
    out = {}
    for engine in ("pandas", "duckdb"):
        done = run_cli("analyse", database, "--engine", engine, "--partition-events", "1000", "--analysers", names,
                       "--json", tmp_path / f"{engine}.json", "--quiet")
        assert done.returncode == 0, done.stderr
        out[engine] = json.loads((tmp_path / f"{engine}.json").read_text())
    notes = out["duckdb"]["provenance"].pop("notes")
    assert notes[-1].startswith("analysed by DuckDB") and "in 4 partitions of whole tickets" in notes[-1]
    assert notes[:-1] == out["pandas"]["provenance"].pop("notes")
    for data in out.values():
        data.pop("run")
    assert out["duckdb"] == out["pandas"]


def test_analysers_that_need_the_whole_log_say_so(tmp_path):
    """Every built-in analyser runs in partitions; a plugin without partial/combine is reported as not run, with
    the reason, and the others still run."""
    assert [cls().name for cls in discover().analysers.values() if not cls.runs_in_partitions()] == []
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "whole.py").write_text(EVENT_COUNT_PLUGIN)   # no partial/combine
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    done = run_cli("analyse", database, "--engine", "duckdb", "--json", tmp_path / "r.json", "--quiet",
                   "--plugins-dir", plugins)
    assert done.returncode == 0, done.stderr
    results = {r["analyser"]: r for r in json.loads((tmp_path / "r.json").read_text())["analysers"]}
    assert results["event_count"]["status"] == "skipped"
    assert "does not run on the DuckDB or Spark engine yet" in results["event_count"]["reason"]
    assert results["variants"]["status"] == "ok"


@pytest.mark.parametrize(("command", "engine"), [("analyse", "duckdb"), ("analyse", "spark"),
                                                ("discover", "spark")])
def test_the_partitioned_engines_ask_for_an_imported_database(command, engine):
    done = run_cli(command, SAMPLES / "generic-events.csv", "--engine", engine, "--json", "/dev/null")
    assert done.returncode == 2
    assert f"--engine {engine} reads a database written by `ssc-mining import`" in done.stderr
    assert "ssc-mining import" in done.stderr and "--db tickets.duckdb" in done.stderr


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "name", "partitions"), [
    ("helpdesk-full", "helpdesk.csv", 5), ("receipt-wabo", "receipt.csv", 3),
    ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz", 4)])
def test_partitions_give_the_results_of_the_log_in_memory_on_real_logs(tmp_path, folder, name, partitions):
    database = tmp_path / "real.duckdb"
    import_export(real_path(folder, name), database, batch_rows=20_000)
    _same_results(database, partitions=partitions)


def test_more_partitions_than_tickets(tmp_path):
    # most partitions are empty: they are left out, and the results are still those of the whole log
    export = tmp_path / "few.csv"
    export.write_text("case,activity,timestamp\nA,Register,2024-01-01 09:00\nA,Close,2024-01-03 09:00\n"
                      "B,Register,2024-01-02 09:00\n")
    database = tmp_path / "few.duckdb"
    import_export(export, database)
    with Partitions(database, partitions=9) as parts:
        assert 1 <= len(list(parts.logs())) <= 2
    _same_results(database, partitions=9)


def test_parts_spilled_to_disk_give_the_same_results(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "topdesk-history.csv", database)
    analysers = _partitioned()
    with Partitions(database, partitions=3) as parts:
        context = RunContext(timezone=parts.provenance().timezone, jobs=1)
        kept = render_texts(run_in_partitions(parts.logs(), parts.facts, analysers, context=context), "en")
        spilled = render_texts(run_in_partitions(parts.logs(), parts.facts, analysers, context=context,
                                                 spill=tmp_path / "parts"), "en")
    assert [r.to_dict() for r in spilled] == [r.to_dict() for r in kept]
    assert not list((tmp_path / "parts").rglob("*.pickle"))   # read back and removed


def test_analysers_side_by_side_on_each_partition_give_the_same_results(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "topdesk-history.csv", database)
    analysers = _partitioned()
    got = {}
    for jobs in (1, 2):
        with Partitions(database, partitions=3) as parts:
            context = RunContext(timezone=parts.provenance().timezone, jobs=jobs)
            got[jobs] = [json.dumps(r.to_dict(), sort_keys=True, default=str) for r in render_texts(
                run_in_partitions(parts.logs(), parts.facts, analysers, context=context), "en")]
    assert len(got[1]) == len(analysers) >= 10
    assert got[2] == got[1]
