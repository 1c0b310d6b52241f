"""The explorer's core (ssc_mining.serve.explorer) and the `serve` command without a browser.

The explorer combines per-ticket masks computed once on the whole log; these tests hold it to the plain way
(:func:`apply_filters`, a copy of the kept tickets' events, then the ordinary functions on that log): the same
tickets, counts, map, variants and tickets' list, on the sample and on a real log.
"""

from __future__ import annotations

import shlex
import shutil
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLES, load_real

from ssc_mining.cli import main
from ssc_mining.discovery.dfg import directly_follows
from ssc_mining.discovery.variants import variant_table
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.privacy import PrivacySettings
from ssc_mining.selection.filters import apply_filters, parse_filters
from ssc_mining.serve.explorer import Explorer

SAMPLE = SAMPLES / "generic-events.csv"

SELECTIONS = [
    [],
    ["started=2024-01-01..2024-03-31"],
    ["started=2024-01-01..2024-03-31", "attr:mother=Gemeente Beekveld"],
    ["not attr:mother=Gemeente Beekveld", "throughput>10d"],
    ["active=2024-06-01..2024-06-30", "complete"],
    ["follows=Assign>>Escalate", "not end=Close"],
    ["finding=reopens.reopened_cases", "within=2024-01-01.."],
    ["throughput<2d", "finding=reopens.reopened_cases"],
    ["attr:category=Wachtwoord|Factuurvraag", "follows=Register>Intake", "start=Register"],
]


@pytest.fixture(scope="module")
def sample_log():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def explorer(sample_log):
    ex = Explorer(sample_log)
    ex.prepare()
    return ex


@pytest.mark.parametrize("texts", SELECTIONS, ids=lambda t: " & ".join(t) or "none")
def test_selection_equals_the_filtered_log(explorer, sample_log, texts) -> None:
    sel = explorer.select(texts)
    filtered, steps = apply_filters(sample_log, parse_filters(texts))
    assert sel.n_cases == filtered.n_cases and sel.n_events == filtered.n_events
    assert [s.to_dict() for s in sel.steps] == [s.to_dict() for s in steps]
    kept_ids = set(sample_log.cases.ids[sel.keep].astype(str))
    assert kept_ids == set(filtered.frame[C.CASE].astype(str))
    # the map from the whole log's steps with a mask equals the map of the copied events
    if filtered.n_events:
        graph, plain = explorer.graph(sel), directly_follows(filtered)
        pd.testing.assert_frame_equal(graph.nodes, plain.nodes)
        pd.testing.assert_frame_equal(graph.edges, plain.edges)
        pd.testing.assert_series_equal(graph.starts, plain.starts)
        pd.testing.assert_series_equal(graph.ends, plain.ends)
    variants = explorer.variants(sel, limit=10_000)
    table = variant_table(filtered)
    assert sorted((tuple(v["activities"]), v["tickets"]) for v in variants) == \
        sorted(zip(table.traces, table.counts.tolist()))
    assert sum(v["tickets"] for v in variants) == sel.n_cases
    cases = explorer.cases(sel, limit=10_000)
    assert len(cases) == sel.n_cases and set(cases["ticket"]) == kept_ids
    assert cases["events"].sum() == sel.n_events


def test_a_selection_asked_again_is_the_same_object_and_undo_is_immediate(explorer) -> None:
    first = explorer.select(["started=2024-01-01..2024-06-30", "attr:mother=Gemeente Aadorp"])
    explorer.select(["started=2024-01-01..2024-06-30"])
    assert explorer.select(["started=2024-01-01..2024-06-30", "attr:mother=Gemeente Aadorp"]) is first


def test_a_wrong_filter_is_a_clear_error(explorer) -> None:
    with pytest.raises(ConfigError, match="names people"):
        explorer.select(["attr:resource=Ugur van Dam"])
    with pytest.raises(ConfigError, match="not a date"):
        explorer.select(["started=2024-13-45.."])


def test_the_timeline_shows_people_only_to_auditors(sample_log) -> None:
    council = Explorer(sample_log).timeline("SSC-1")
    auditor = Explorer(sample_log, privacy=PrivacySettings(audience="auditor")).timeline("SSC-1")
    assert "person" not in council.events.columns and "person" in auditor.events.columns
    frame = sample_log.frame
    assert council.events["activity"].tolist() == frame.loc[frame[C.CASE] == "SSC-1", C.ACTIVITY].tolist()
    with pytest.raises(ConfigError, match="no ticket"):
        council.events.pipe(lambda _: Explorer(sample_log).timeline("no such ticket"))


def test_the_comparison_needs_enough_tickets_on_both_sides(explorer) -> None:
    small = explorer.select(["tickets=SSC-1|SSC-2"])
    with pytest.raises(ConfigError, match="minimum group size"):
        explorer.comparison(small)
    table = explorer.comparison(explorer.select(["attr:mother=Gemeente Beekveld"]))
    cases = table.loc[table["metric"] == "cases"].iloc[0]
    mother = int(pd.read_csv(SAMPLE).groupby("case_id")["mother"].first().eq("Gemeente Beekveld").sum())
    assert (cases["value"], cases["reference_value"]) == (mother, 400 - mother)


def test_results_are_those_of_the_filtered_log(explorer, sample_log) -> None:
    from ssc_mining.analysers.throughput import ThroughputTime

    ex = Explorer(sample_log, analysers=[ThroughputTime()])
    sel = ex.select(["attr:mother=Gemeente Corlaer"])
    (result,) = ex.results(sel)
    plain = ThroughputTime().analyse(apply_filters(sample_log, sel.filters)[0])
    assert result.item("median_days").value == plain.item("median_days").value  # type: ignore[union-attr]
    assert result.item("cases").value == sel.n_cases  # type: ignore[union-attr]


def test_serve_refuses_a_port_in_use_before_reading(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", str(SAMPLE), "--port", str(port), "-q"])
    assert result.exit_code == 2
    assert f"port {port}" in result.output and "--port 0" in result.output
    assert "Read " not in result.output   # said before the file was read


def test_saved_report_equals_the_report_command_it_shows(tmp_path: Path, monkeypatch) -> None:
    """The save function serve hands to the app, called as the app calls it (no browser needed)."""
    import ssc_mining.serve.server as server

    key = tmp_path / "key.txt"
    key.write_text("a-key-for-the-save-test-0123456789\n")
    handed: dict[str, object] = {}
    monkeypatch.setattr(server, "run_server", lambda explorer, **kw: handed.update(kw, explorer=explorer))
    result = CliRunner().invoke(main, ["serve", str(SAMPLE), "--pseudonym-key-file", str(key), "--lang", "nl",
                                       "--lang", "en", "--analysers", "throughput,reopens,handoffs", "-q"])
    assert result.exit_code == 0, result.output
    saved = tmp_path / "saved"
    texts = ["started=2024-01-01..2024-06-30", "not attr:mother=Gemeente Corlaer", "throughput>3d"]
    report = handed["save"](texts, str(saved), "selection")   # type: ignore[operator]
    files = sorted(p.name for p in saved.iterdir())
    assert files == ["selection.html", "selection.json", "selection.nl.html", "selection.nl.json",
                     "selection.sha256"]
    assert {Path(f).name for f in report.files} == set(files)
    kept = tmp_path / "kept"
    shutil.copytree(saved, kept)
    words = shlex.split(report.command)
    assert words[:2] == ["ssc-mining", "report"] and words.count("--filter") == 3
    again = CliRunner().invoke(main, words[1:] + ["-q"], prog_name="ssc-mining")
    assert again.exit_code == 0, again.output
    for name in files:
        assert (saved / name).read_bytes() == (kept / name).read_bytes(), name


@pytest.mark.realdata
def test_selection_equals_the_filtered_log_on_a_real_log() -> None:
    log = load_real("helpdesk-full", "helpdesk.csv")
    ex = Explorer(log)
    index = log.cases
    first = pd.to_datetime(pd.Series(index.seconds[index.first]), unit="s", utc=True)
    middle = first.median().tz_convert(log.timezone).date().isoformat()
    top = ex.variants(ex.select([]))[2]["filter"]
    for texts in (["started=" + middle + ".."], ["complete", top], ["not " + top, "throughput>30d"],
                  ["ended=.." + middle, "follows=Take in charge ticket>>Resolve ticket"]):
        sel = ex.select(texts)
        filtered, steps = apply_filters(log, parse_filters(texts))
        assert [s.to_dict() for s in sel.steps] == [s.to_dict() for s in steps], texts
        assert set(log.cases.ids[sel.keep].astype(str)) == set(filtered.frame[C.CASE].astype(str))
        assert 0 < sel.n_cases < log.cases.n, texts
        graph, plain = ex.graph(sel), directly_follows(filtered)
        pd.testing.assert_frame_equal(graph.edges, plain.edges)
        assert np.array_equal(np.sort(sel.keep.nonzero()[0]), sel.keep.nonzero()[0])


@pytest.mark.parametrize("order", ["first", "longest", "events"])
def test_the_ticket_list_in_each_order(explorer, sample_log, order) -> None:
    sel = explorer.select(["attr:mother=Gemeente Corlaer"])
    listed = explorer.cases(sel, limit=20, order=order)
    frame = pd.read_csv(SAMPLE)
    frame["t"] = pd.to_datetime(frame["timestamp"], utc=True)
    per = frame[frame["mother"] == "Gemeente Corlaer"].groupby("case_id", sort=False) \
        .agg(first=("t", "min"), last=("t", "max"), events=("t", "size"))
    per["days"] = (per["last"] - per["first"]).dt.total_seconds() / 86400
    key = {"first": ["first"], "longest": ["days", "first"], "events": ["events", "first"]}[order]
    expected = per.sort_values(key, ascending=[order == "first"] + [True] * (len(key) - 1), kind="stable")
    assert listed["ticket"].tolist() == expected.index[:20].tolist()
    with pytest.raises(ConfigError, match="unknown order"):
        explorer.cases(sel, order="alphabetical")
