"""The DuckDB engine's aggregates (variants, directly-follows graph, one value per ticket) equal those of the
log in memory, on the samples of every format and on real logs; `discover --engine duckdb` writes the same
model, map and conformance as the pandas engine."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES, real_path, run_cli

from ssc_mining.discovery.aggregates import aggregates_of
from ssc_mining.engines.duckdb_events import DuckDBEvents
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.loaders.importer import import_export
from ssc_mining.privacy import Pseudonymiser, pseudonymise_log


def _same_aggregates(events: DuckDBEvents, log) -> None:
    expected = aggregates_of(log)
    got_table, table = events.variant_table(), expected.variant_table()
    assert got_table.traces == table.traces
    assert got_table.counts.tolist() == table.counts.tolist()
    pd.testing.assert_series_equal(got_table.case_variant, table.case_variant, check_index_type=False)
    assert got_table.case_variant.index.tolist() == table.case_variant.index.tolist()   # the log's ticket order
    got, graph = events.directly_follows(), expected.directly_follows()
    pd.testing.assert_frame_equal(got.nodes, graph.nodes)
    pd.testing.assert_series_equal(got.starts, graph.starts)
    pd.testing.assert_series_equal(got.ends, graph.ends)
    pd.testing.assert_frame_equal(got.edges.drop(columns=["median_seconds", "mean_seconds"]),
                                  graph.edges.drop(columns=["median_seconds", "mean_seconds"]))
    for column in ("median_seconds", "mean_seconds"):   # sums in another order: equal within rounding
        np.testing.assert_allclose(got.edges[column], graph.edges[column], rtol=1e-9, atol=1e-6)
    mother, expected_mother = events.first_per_case(C.MOTHER), expected.first_per_case(C.MOTHER)
    assert (mother is None) == (expected_mother is None)
    if mother is not None:
        assert mother.sort_index().astype(object).tolist() == expected_mother.sort_index().astype(object).tolist()


@pytest.mark.parametrize("name", ["generic-events.csv", "generic-events-nl.csv", "topdesk-history.csv",
                                  "jira-changelog.json", "servicenow-history.csv", "events.xes.gz"])
def test_aggregates_equal_the_log_in_memory_on_every_sample(tmp_path, name):
    database = tmp_path / "events.duckdb"
    import_export(SAMPLES / name, database, batch_rows=1_000)
    with DuckDBEvents(database) as events:
        _same_aggregates(events, load(SAMPLES / name))
        assert events.provenance.events == load(database).n_events


def test_names_are_replaced_as_in_the_log_in_memory(tmp_path):
    export = tmp_path / "names.csv"
    rows = ["Case,Activity,Time,Resource,Mother"]
    for i in range(60):
        person = ["Wilma Wortel", "Jan de Vries", "Ayse Jansen"][i % 3]
        case = f"T{i // 3}" if i % 9 else f"T{i // 3} for Jan de Vries"
        label = "Call back Wilma Wortel" if i % 3 == 1 else ["Register", "Work", "Close"][i % 3]
        rows.append(f"{case},{label},2024-01-{1 + i // 3:02d} 1{i % 3}:00,{person},Gemeente Jan de Vries")
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    database = tmp_path / "events.duckdb"
    import_export(export, database, batch_rows=25)
    pseudonymiser = Pseudonymiser(b"k" * 32)
    expected = pseudonymise_log(load(database), pseudonymiser)
    with DuckDBEvents(database, pseudonymiser=pseudonymiser) as events:
        _same_aggregates(events, expected)
        labels = {a for trace in events.variant_table().traces for a in trace}
        cases = set(events.variant_table().case_variant.index)
        mothers = set(events.first_per_case(C.MOTHER))
    assert "Call back Wilma Wortel" not in labels and any(a.startswith("Call back P-") for a in labels)
    assert not any("Jan de Vries" in c for c in cases) and not any("Jan de Vries" in m for m in mothers)


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "name"), [("helpdesk-full", "helpdesk.csv"), ("receipt-wabo", "receipt.csv"),
                                              ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")])
def test_aggregates_equal_the_log_in_memory_on_real_logs(tmp_path, folder, name):
    export = real_path(folder, name)
    import_export(export, tmp_path / "real.duckdb", batch_rows=5_000)
    with DuckDBEvents(tmp_path / "real.duckdb") as events:
        _same_aggregates(events, load(export))


def test_discover_writes_the_same_files_on_both_engines(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database, batch_rows=1_000)
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    outputs = {}
    for engine in ("pandas", "duckdb"):
        folder = tmp_path / engine
        folder.mkdir()
        done = run_cli("discover", database, "--engine", engine, "--json", folder / "d.json", "--svg",
                       folder / "map.svg", "--reference",
                       SAMPLES / "reference-process.bpmn", "--cases-csv", folder / "cases.csv",
                       "--pseudonym-key-file", key, "--quiet")
        assert done.returncode == 0, done.stderr
        outputs[engine] = folder
    # (the BPMN file is not compared: pm4py writes its elements in an order that changes from run to run, on
    # either engine; the model itself is compared below, as its process tree in the JSON file)
    for name in ("map.svg", "cases.csv"):
        assert (outputs["duckdb"] / name).read_bytes() == (outputs["pandas"] / name).read_bytes(), name
    got, expected = (json.loads((outputs[e] / "d.json").read_text()) for e in ("duckdb", "pandas"))
    for data in (got, expected):
        data["model"].pop("seconds")
        data["conformance"].pop("seconds", None)
        data.pop("run")
        data["provenance"].pop("notes")
    assert got == expected


def test_the_duckdb_engine_asks_for_an_imported_database(tmp_path):
    done = run_cli("discover", SAMPLES / "generic-events.csv", "--engine", "duckdb")
    assert done.returncode == 2
    assert "--engine duckdb reads a database written by `ssc-mining import`" in done.stderr
    assert "ssc-mining import" in done.stderr.split("What to do:")[1]


def test_running_out_of_memory_is_a_message_not_a_crash(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    done = run_cli("discover", database, "--engine", "duckdb", "--max-memory", "4MB")
    assert done.returncode == 5, done.stderr
    assert "DuckDB ran out of room while aggregating the events" in done.stderr
    assert "memory limit 1.9 MiB" in done.stderr   # half of --max-memory
    assert "--max-memory" in done.stderr.split("What to do:")[1]
    assert "bug in ssc_mining" not in done.stderr


def test_duckdb_memory_follows_the_ceiling():
    from ssc_mining.engines.attached import memory_limit_for

    assert memory_limit_for(8 * 2**30) == 4 * 2**30
    assert memory_limit_for(None) <= 4 * 2**30       # what the machine has: half, at most 4 GiB
    assert memory_limit_for(0) == memory_limit_for(-1) == memory_limit_for(None)
