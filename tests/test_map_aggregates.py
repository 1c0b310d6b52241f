"""The report's process-map section drawn from aggregates: :func:`map_figures` of a database read by DuckDB without
loading its events (:class:`DuckDBEvents`) equals :func:`map_figures` of the same log in memory — the main map at
every slider level, the segment maps, the mined model with its fit, conformance — on the samples of every format,
on real logs, with a pseudonymiser, and when a ticket's segment is known only after its first event."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, real_path

from ssc_mining.discovery.aggregates import aggregates_of
from ssc_mining.discovery.segments import segment_graphs
from ssc_mining.engines.duckdb_events import DuckDBEvents
from ssc_mining.eventlog import columns as C
from ssc_mining.i18n import language
from ssc_mining.loaders import load
from ssc_mining.loaders.importer import import_export
from ssc_mining.privacy import Pseudonymiser, pseudonymise_log
from ssc_mining.report.map_figures import map_figures, prepare_map
from ssc_mining.report.process_map import MapSettings

REFERENCE = str(SAMPLES / "reference-process.bpmn")
SAMPLE_NAMES = ["generic-events.csv", "generic-events-nl.csv", "topdesk-history.csv", "topdesk-export.csv",
                "jira-changelog.csv", "jira-changelog.json", "servicenow-history.csv", "servicenow-sys_audit.csv",
                "events.xes.gz"]


def _text(source, settings: MapSettings) -> str:
    return json.dumps(map_figures(source, settings), sort_keys=True)


def _imported(export: Path, folder: Path) -> Path:
    database = folder / "events.duckdb"
    import_export(export, database, batch_rows=1_000)
    return database


def _assert_same_map(database: Path, settings: MapSettings, pseudonymiser: Pseudonymiser | None = None) -> dict:
    """map_figures from DuckDB equals map_figures of the log in memory (JSON text, drawings included), in two
    languages; the figures of the log in memory."""
    log = load(database)
    if pseudonymiser is not None:
        log = pseudonymise_log(log, pseudonymiser)
    with DuckDBEvents(database, pseudonymiser=pseudonymiser) as events:
        got = {lang: _with(lang, events, settings) for lang in ("en", "nl")}
    expected = {lang: _with(lang, log, settings) for lang in ("en", "nl")}
    for lang in ("en", "nl"):
        assert got[lang] == expected[lang], lang
    return json.loads(expected["en"])


def _with(lang: str, source, settings: MapSettings) -> str:
    with language(lang):
        return _text(source, settings)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_map_section_from_duckdb_equals_the_log_in_memory_on_every_sample(tmp_path, name):
    figures = _assert_same_map(_imported(SAMPLES / name, tmp_path), MapSettings())
    assert figures["segments"] and figures["model"] is not None   # the samples have segments and a model
    assert {s["attribute"] for s in figures["segments"]} <= {"mother", "category"}


def test_conformance_with_a_reference_model_is_the_same(tmp_path):
    figures = _assert_same_map(_imported(SAMPLES / "generic-events.csv", tmp_path),
                               MapSettings(reference=REFERENCE, segment_by=("mother", "category", "priority")))
    assert figures["conformance"]["cases_checked"] > 0 and figures["conformance"]["by_mother"]
    assert any(s["attribute"] == "priority" for s in figures["segments"])


def test_names_in_segments_are_replaced_as_in_the_log_in_memory(tmp_path):
    frame = pd.read_csv(SAMPLES / "generic-events.csv", dtype=str, keep_default_na=False)
    person = frame["requester"].iloc[0]
    named = frame["case_id"].isin(frame["case_id"].unique()[:60])
    frame.loc[named, "mother"] = f"Gemeente {person}"            # a mother organisation named after a person
    frame.loc[named, "category"] = f"Vraag van {person}"         # and a category too
    export = tmp_path / "named.csv"
    frame.to_csv(export, index=False)
    pseudonymiser = Pseudonymiser(b"k" * 32)
    figures = _assert_same_map(_imported(export, tmp_path), MapSettings(reference=REFERENCE), pseudonymiser)
    values = [s["value"] for s in figures["segments"]]
    assert not any(person in v for v in values)
    assert any(v.startswith("Gemeente P-") for v in values) and any(v.startswith("Vraag van P-") for v in values)


def _late_segments(tmp_path: Path) -> Path:
    """generic-events.csv with the mother organisation and category missing at the first events of many tickets
    and changing later in some: a ticket's segment is its first KNOWN value."""
    frame = pd.read_csv(SAMPLES / "generic-events.csv", dtype=str, keep_default_na=False)
    position = frame.groupby("case_id").cumcount()
    ticket = frame["case_id"].str.extract(r"(\d+)")[0].astype(int)
    frame.loc[(ticket % 3 == 0) & (position == 0), "mother"] = ""
    frame.loc[(ticket % 3 == 0) & (position == 1), "mother"] = "Gemeente Laat"
    frame.loc[(ticket % 4 == 0) & (position < 2), "category"] = ""
    frame.loc[(ticket % 5 == 0) & (position >= 3), "category"] = "Later anders"
    frame.loc[ticket % 7 == 0, "mother"] = ""                       # never known
    export = tmp_path / "late.csv"
    frame.to_csv(export, index=False)
    return export


def test_a_tickets_segment_is_its_first_known_value(tmp_path):
    database = _imported(_late_segments(tmp_path), tmp_path)
    log = load(database)
    first = log.frame.drop_duplicates(C.CASE)
    assert first[C.MOTHER].isna().any() and first[C.CATEGORY].isna().any()   # missing at the first event
    expected = segment_graphs(log, ("mother", "category"), min_cases=5)
    assert "Gemeente Laat" in [s.value for s in expected]
    assert "Later anders" not in [s.value for s in expected]
    with DuckDBEvents(database) as events:
        got = events.segment_graphs(("mother", "category"), min_cases=5)
        mother = events.first_per_case(C.MOTHER)   # conformance per mother: the value at the first event, missing too
    expected_mother = aggregates_of(log).first_per_case(C.MOTHER)
    assert mother.isna().sum() == expected_mother.isna().sum() > 0
    assert mother.sort_index().astype(object).fillna("-").tolist() == \
        expected_mother.sort_index().astype(object).fillna("-").tolist()
    assert [(s.attribute, s.value, s.cases) for s in got] == [(s.attribute, s.value, s.cases) for s in expected]
    for mine, theirs in zip(got, expected):
        pd.testing.assert_frame_equal(mine.dfg.nodes, theirs.dfg.nodes)
        pd.testing.assert_series_equal(mine.dfg.starts, theirs.dfg.starts)
        pd.testing.assert_series_equal(mine.dfg.ends, theirs.dfg.ends)
        pd.testing.assert_frame_equal(mine.dfg.edges, theirs.dfg.edges, check_exact=False, rtol=1e-9, atol=1e-6)
    _assert_same_map(database, MapSettings(reference=REFERENCE))


@pytest.mark.parametrize(("segments", "most", "least"), [(("category", "mother"), 2, 1), (("mother",), 6, 200),
                                                         (("channel", "no-such-column"), 1, 10)])
def test_segment_limits_are_kept(tmp_path, segments, most, least):
    database = _imported(_late_segments(tmp_path), tmp_path)
    settings = MapSettings(segment_by=segments, max_segments=most, min_segment_cases=least)
    figures = _assert_same_map(database, settings)
    assert all(s["cases"] >= least for s in figures["segments"])
    assert len(figures["segments"]) <= most * len(segments)


@pytest.mark.parametrize("rows", [["T1,Register,2024-01-02 09:00,"],
                                  ["T1,Register,2024-01-02 09:00,", "T1,Close,2024-01-02 10:00,Noord",
                                   "T2,Register,2024-01-03 09:00,Zuid"]])
def test_a_tiny_log(tmp_path, rows):
    export = tmp_path / "tiny.csv"
    export.write_text("\n".join(["case_id,activity,timestamp,mother", *rows]) + "\n", encoding="utf-8")
    figures = _assert_same_map(_imported(export, tmp_path), MapSettings(min_segment_cases=1))
    assert len(figures["segments"]) == len(rows) - 1


def test_what_is_computed_once_is_kept(tmp_path):
    database = _imported(SAMPLES / "generic-events.csv", tmp_path)
    settings = MapSettings()
    with DuckDBEvents(database) as events:
        prepare_map(events, settings)
        before = _text(events, settings)

        def no_more_queries(*_args, **_kwargs):
            raise AssertionError("the map asked the database again")

        events._sql = no_more_queries
        assert _text(events, settings) == before
        assert events.variant_table() is events.variant_table()
    log = load(database)
    prepare_map(aggregates_of(log), settings)   # through the aggregates, kept by the log itself
    assert log.computed(("segment_maps", settings), lambda: None) is not None
    assert _text(log, settings) == before


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "name", "segments"), [
    ("helpdesk-full", "helpdesk.csv", ("mother", "category")),
    ("receipt-wabo", "receipt.csv", ("channel", "org:group")),
    ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz", ("category", "org:group"))])
def test_the_map_section_is_the_same_on_real_logs(tmp_path, folder, name, segments):
    database = tmp_path / "real.duckdb"
    import_export(real_path(folder, name), database, batch_rows=5_000)
    figures = _assert_same_map(database, MapSettings(segment_by=segments))
    assert figures["segments"] and figures["model"] is not None


def test_the_map_section_from_spark_equals_the_log_in_memory(tmp_path):
    """SparkEvents: the main graph and the variants by Spark, the segments' graphs by DuckDB on the driver."""
    import os

    from pyspark.sql import SparkSession

    from ssc_mining.engines.spark import SparkEvents, spark_session

    database = _imported(SAMPLES / "generic-events.csv", tmp_path)
    settings = MapSettings(reference=REFERENCE)
    expected = _text(load(database), settings)
    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("ssc-mining tests")
               .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate())
    try:
        session.sparkContext.setLogLevel("ERROR")
        with SparkEvents(database, spark_session()) as events:
            assert _text(events, settings) == expected
            assert events.variant_table() is events.variant_table()   # kept, as DuckDB's
    finally:
        session.stop()
