"""The Spark engine (``--engine spark``, :mod:`ssc_mining.engines.spark`) gives the results of the log in memory.

Spark runs here in local mode (two cores), as on a laptop; on a cluster the same code runs with the session that
spark-submit gives. These tests need PySpark (in the ``test`` extra) and a Java 17 runtime (CI's ``.ci/run``
installs Debian's when it is missing); they are not skipped without them, they fail with Spark's own message.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import SAMPLES, real_path, run_cli

from ssc_mining.analysers.base import Analyser
from ssc_mining.analysers.on_spark import run_on_spark
from ssc_mining.analysers.registry import discover
from ssc_mining.analysers.runner import run_analysers
from ssc_mining.engines.spark import SparkPartitions, spark_session
from ssc_mining.eventlog.facts import LogFacts
from ssc_mining.i18n import render_texts
from ssc_mining.loaders.database import read_database
from ssc_mining.loaders.importer import import_export
from ssc_mining.privacy import Pseudonymiser, pseudonymise_log
from ssc_mining.run_context import RunContext


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("ssc-mining tests")
               .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield spark_session()   # the engine's own set-up, on the session started here
    session.stop()


def _partitioned() -> list:
    return [a for a in (cls() for cls in discover().analysers.values()) if a.runs_in_partitions()]


def _dumped(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True, default=str)


def _same_results(spark, database, partitions: int, pseudonymiser=None, *, spill=False, piece=None) -> None:
    """The Spark engine's results equal those of the log in memory, analyser for analyser, byte for byte."""
    log = read_database(database)
    if pseudonymiser is not None:
        log = pseudonymise_log(log, pseudonymiser)
    analysers = _partitioned()
    context = RunContext.of(log, jobs=1)
    expected = run_analysers(log, analysers, context=context, lang="en")
    with SparkPartitions(database, spark, partitions=partitions, pseudonymiser=pseudonymiser) as parts:
        assert parts.n == partitions
        assert parts.facts == LogFacts.of(log)
        if piece:
            parts.piece_bytes = piece
        assert parts.semantics == log.semantics
        got = render_texts(run_on_spark(parts, analysers, context=context,
                                        spill=parts.scratch / "parts" if spill else None), "en")
    assert len(got) == len(expected) >= 10
    assert sum(r.status == "ok" for r in expected) >= 10   # (the comparison is skipped where no mother is known)
    for want, have in zip(expected, got, strict=True):
        assert have.status == want.status, (want.analyser, have.reason)
        assert _dumped(have) == _dumped(want), want.analyser


@pytest.mark.parametrize("name", ["generic-events.csv", "generic-events-nl.csv", "topdesk-history.csv",
                                  "topdesk-export.csv", "jira-changelog.json", "servicenow-history.csv",
                                  "servicenow-sys_audit.csv", "events.xes.gz"])
def test_spark_gives_the_results_of_the_log_in_memory_on_every_sample(spark, tmp_path, name):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / name, database)
    _same_results(spark, database, partitions=3)


def test_pseudonyms_parts_on_disk_and_parts_in_small_pieces(spark, tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    # parts pass through Spark in pieces of 1,000 bytes here (32 MiB by default): they are put together again
    _same_results(spark, database, partitions=4, pseudonymiser=Pseudonymiser(b"k" * 32), spill=True, piece=1000)


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "name", "partitions"), [
    ("helpdesk-full", "helpdesk.csv", 5), ("receipt-wabo", "receipt.csv", 3),
    ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz", 4)])
def test_spark_gives_the_results_of_the_log_in_memory_on_real_logs(spark, tmp_path, folder, name, partitions):
    database = tmp_path / "real.duckdb"
    import_export(real_path(folder, name), database, batch_rows=20_000)
    _same_results(spark, database, partitions=partitions)


class FailsOnSecondTicket(Analyser):
    """An analyser of this test file (not importable by Spark's workers: sent by value) that fails in its part."""

    name = "fails_in_part"
    title = {"en": "Fails in its part", "nl": "Faalt in zijn deel"}
    requires = ("case:concept:name",)

    def partial(self, log):
        if log.n_cases > 1:
            raise ValueError(f"cannot take {log.n_cases} tickets")
        return log.n_cases

    def combine(self, parts, facts):
        return self.result(summary=f"{sum(parts)} tickets", items=[])


def test_an_analyser_that_fails_on_a_worker_is_reported_failed_with_its_message(spark, tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    with SparkPartitions(database, spark, partitions=2, stage=tmp_path / "stage") as parts:
        assert parts.staged.is_file() and parts.staged.parent.parent == tmp_path / "stage"   # staged where asked
        context = RunContext(timezone=parts.provenance().timezone, jobs=1)
        [result] = render_texts(run_on_spark(parts, [FailsOnSecondTicket()], context=context), "en")
    assert not parts.staged.exists() and not list((tmp_path / "stage").iterdir())   # and removed after
    assert result.status == "failed"
    assert result.reason.startswith("ValueError: cannot take ") and "test_engine_spark.py" in result.reason


def test_analyse_writes_the_same_json_on_spark_as_in_memory(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "topdesk-history.csv", database)
    names = ",".join(a.name for a in _partitioned())
    out = {}
    for engine in ("pandas", "spark"):
        done = run_cli("analyse", database, "--engine", engine, "--analysers", names, "--spark-stage",
                       tmp_path / "stage", "--json", tmp_path / f"{engine}.json", "--quiet")
        assert done.returncode == 0, done.stderr
        out[engine] = json.loads((tmp_path / f"{engine}.json").read_text())
    notes = out["spark"]["provenance"].pop("notes")
    assert notes[-1].startswith("analysed by Spark ") and "local" in notes[-1], notes[-1]
    assert notes[:-1] == out["pandas"]["provenance"].pop("notes")
    for data in out.values():
        data.pop("run")
    assert out["spark"] == out["pandas"]
    assert (tmp_path / "stage").is_dir() and not list((tmp_path / "stage").iterdir())   # staged there, then removed


def test_without_java_spark_says_what_to_install(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    done = run_cli("analyse", database, "--engine", "spark", "--json", tmp_path / "r.json",
                   env={"JAVA_HOME": str(tmp_path / "no-java"), "PATH": str(tmp_path)})
    assert done.returncode != 0
    assert "Spark did not start" in done.stderr and "Java 17 runtime" in done.stderr, done.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("name", ["generic-events.csv", "topdesk-history.csv", "events.xes.gz"])
def test_spark_gives_the_variants_and_the_map_of_duckdb_and_pandas(spark, tmp_path, name):
    import pandas as pd

    from ssc_mining.discovery.dfg import directly_follows
    from ssc_mining.discovery.variants import variant_table
    from ssc_mining.engines.spark import SparkEvents

    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / name, database)
    log = read_database(database)
    want_variants, want_graph = variant_table(log), directly_follows(log)
    with SparkEvents(database, spark) as events:
        variants, graph = events.variant_table(), events.directly_follows()
        assert events.provenance.notes[-1].startswith("aggregated by Spark ")
    assert variants.traces == want_variants.traces
    assert variants.counts.tolist() == want_variants.counts.tolist()
    pd.testing.assert_series_equal(variants.case_variant, want_variants.case_variant, check_index_type=False)
    pd.testing.assert_frame_equal(graph.nodes, want_graph.nodes)
    pd.testing.assert_frame_equal(graph.edges, want_graph.edges, rtol=1e-12)   # sums in another order
    pd.testing.assert_series_equal(graph.starts, want_graph.starts)
    pd.testing.assert_series_equal(graph.ends, want_graph.ends)


def test_discover_draws_the_same_map_on_spark_as_on_duckdb(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "topdesk-history.csv", database)
    for engine in ("duckdb", "spark"):
        done = run_cli("discover", database, "--engine", engine, "--svg", tmp_path / f"{engine}.svg", "--mode",
                       "performance", "--json", tmp_path / f"{engine}.json", "--quiet")
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "spark.svg").read_bytes() == (tmp_path / "duckdb.svg").read_bytes()
    found = {e: json.loads((tmp_path / f"{e}.json").read_text()) for e in ("duckdb", "spark")}
    for key in ("tree", "variants_used", "variants_total", "cases_covered"):
        assert found["spark"]["model"][key] == found["duckdb"]["model"][key], key
    assert any(note.startswith("aggregated by Spark") for note in found["spark"]["provenance"]["notes"])
