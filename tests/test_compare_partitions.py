"""The segment comparison runs in partitions of whole tickets (the DuckDB and Spark engines) and gives the result
of the log in memory: the segments ranked over all tickets, the inner analyser's choices (standard path, norms)
pinned on the whole log from the parts, each segment measured as a log of its own, and the same per-ticket values
in the same order behind each test."""

from __future__ import annotations

import dataclasses
import functools
import json
import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES, real_path

from ssc_mining.analysers import compare as compare_module
from ssc_mining.analysers.compare import Comparison
from ssc_mining.analysers.deliveries import Deliveries
from ssc_mining.analysers.runner import run_analysers, run_in_partitions
from ssc_mining.analysers.standardisation import Standardisation
from ssc_mining.engines.partitioned import Partitions
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog.facts import CASE_ORDER, LogFacts
from ssc_mining.i18n import render_texts
from ssc_mining.loaders.database import read_database
from ssc_mining.loaders.importer import import_export
from ssc_mining.privacy import Pseudonymiser, pseudonymise_log
from ssc_mining.run_context import RunContext
from ssc_mining.testing import AnalyserCheckError, check_analyser, check_partitions

SAMPLE_NAMES = ["generic-events.csv", "generic-events-nl.csv", "topdesk-history.csv", "topdesk-export.csv",
                "jira-changelog.json", "servicenow-history.csv", "servicenow-sys_audit.csv", "events.xes.gz"]
#: the comparisons every sample is compared in: the default, other inner analysers, a date, a category
COMPARISONS = [{}, {"analyser": "deliveries"}, {"analyser": "throughput"}, {"segment": "2024-06-01"},
               {"segment": "category"}, {"analyser": "deliveries", "segment": "category"}]


def _json(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True, default=str)


@pytest.fixture
def tests_called(monkeypatch):
    """Every call of the two tests, with its arguments, in the order made."""
    calls: list[tuple] = []
    z_test, mwu = compare_module.two_proportion_z, compare_module.mann_whitney

    def z(*args):
        calls.append(("z", *args))
        return z_test(*args)

    def mw(a, b):
        calls.append(("mwu", a.tolist(), b.tolist()))
        return mwu(a, b)

    monkeypatch.setattr(compare_module, "two_proportion_z", z)
    monkeypatch.setattr(compare_module, "mann_whitney", mw)
    return calls


def _same(database, partitions: int, comparisons, calls: list, pseudonymiser=None) -> None:
    """Each comparison's combination of the partitions' parts equals its result on the log in memory, and the
    tests got the same values in the same order."""
    log = read_database(database)
    if pseudonymiser is not None:
        log = pseudonymise_log(log, pseudonymiser)
    context = RunContext.of(log, jobs=1)
    for params in comparisons:
        comparison = context.settle(Comparison(**params))
        calls.clear()
        want = _json(comparison.analyse(log))
        in_memory = list(calls)
        calls.clear()
        with Partitions(database, partitions=partitions, pseudonymiser=pseudonymiser) as parts:
            made = [pickle.loads(pickle.dumps(comparison.partial(p))) for p in parts.logs()]   # as Spark sends them
            got = _json(comparison.combine(made, parts.facts))
        assert got == want, params
        assert calls == in_memory, params


def _imported(tmp_path, name: str):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / name, database)
    return database


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_comparisons_in_partitions_equal_the_log_in_memory_on_every_sample(tmp_path, name, tests_called):
    _same(_imported(tmp_path, name), 3, COMPARISONS, tests_called)


@pytest.mark.parametrize("partitions", [1, 3])
def test_the_number_of_partitions_does_not_matter(tmp_path, partitions, tests_called):
    _same(_imported(tmp_path, "topdesk-history.csv"), partitions, COMPARISONS, tests_called)


def test_pseudonymised_partitions_compare_as_the_pseudonymised_log(tmp_path, tests_called):
    _same(_imported(tmp_path, "generic-events.csv"), 3,
          [{}, {"segment": "requester"}, {"analyser": "throughput", "segment": "category"}], tests_called,
          pseudonymiser=Pseudonymiser(b"k" * 32))


def test_the_other_analysers_compare_in_partitions_as_in_memory(tmp_path, tests_called):
    _same(_imported(tmp_path, "generic-events.csv"), 3,
          [{"analyser": "waiting"}, {"analyser": "workload", "segment": "category"},
           {"analyser": "reopens", "segment": "category"}, {"analyser": "handoffs", "segment": "category"}],
          tests_called)


def test_an_analyser_without_case_values_in_partitions_is_reported_as_not_run(tmp_path):
    # coordination has per-ticket values in memory only: its comparison says so instead of leaving out the tests
    database = _imported(tmp_path, "generic-events.csv")
    comparison = Comparison(analyser="coordination").for_log(read_database(database))
    with Partitions(database, partitions=2) as parts:
        result = comparison.combine([comparison.partial(p) for p in parts.logs()], parts.facts)
    assert result.status == "skipped"
    assert "comparing coordination needs all events in memory" in result.reason


def test_more_partitions_than_tickets_and_an_empty_log(tmp_path, tests_called):
    export = tmp_path / "few.csv"
    export.write_text("case,activity,timestamp,category\nA,Register,2024-01-01 09:00,x\nA,Close,2024-01-03 09:00,x\n"
                      "B,Register,2024-07-02 09:00,y\nC,Register,2024-07-03 09:00,x\nC,Close,2024-07-05 09:00,x\n")
    database = tmp_path / "few.duckdb"
    import_export(export, database)
    _same(database, 9, COMPARISONS, tests_called)
    empty = read_database(database)
    empty = empty.subset(np.zeros(empty.n_events, dtype=bool))
    for params in COMPARISONS:
        comparison = Comparison(**params).for_log(empty)
        assert _json(comparison.combine([comparison.partial(empty)], LogFacts.of(empty))) == \
            _json(comparison.analyse(empty))


def test_the_engine_writes_the_comparison_of_the_log_in_memory(tmp_path):
    # through the runner, texts deferred (a date split is left out: its labels are texts the comparison turns into
    # strings while it computes, in memory as in partitions)
    database = _imported(tmp_path, "servicenow-history.csv")
    log = read_database(database)
    analysers = [Comparison(**params) for params in COMPARISONS if "segment" not in params or
                 params["segment"] == "category"]
    context = RunContext.of(log, jobs=1)
    want = run_analysers(log, analysers, context=context, lang="en")
    with Partitions(database, partitions=4) as parts:
        got = render_texts(run_in_partitions(parts.logs(), parts.facts, analysers, context=context), "en")
    assert [r.status for r in got] == ["ok"] * len(analysers)
    assert [_json(r) for r in got] == [_json(r) for r in want]


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "name", "comparisons"), [
    ("helpdesk-full", "helpdesk.csv", [{}, {"segment": "category"}, {"analyser": "throughput", "segment": "category"},
                                        {"analyser": "deliveries"}, {"segment": "2012-01-01"}]),
    ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz",
     [{"segment": "category"}, {"analyser": "throughput", "segment": "category"},
      {"analyser": "deliveries", "segment": "category"}, {"segment": "2012-05-01"}])])
def test_comparisons_in_partitions_equal_the_log_in_memory_on_real_logs(tmp_path, folder, name, comparisons,
                                                                        tests_called):
    database = tmp_path / "real.duckdb"
    import_export(real_path(folder, name), database, batch_rows=20_000)
    _same(database, 4, comparisons, tests_called)


# the choices are made on the whole log, not per partition ---------------------------------------------------

def _log(rows: list[tuple[str, str, str, str, str]]) -> EventLog:
    """A log of (case, activity, day, mother, category) rows."""
    case, activity, day, mother, category = zip(*rows)
    return EventLog.from_frame(pd.DataFrame({"case:concept:name": case, "concept:name": activity,
                                             "time:timestamp": pd.to_datetime(day, utc=True),
                                             "case:ssc:mother": mother, "case:ssc:category": category}))


def _partitions(log: EventLog, groups: list[list[str]]) -> list[EventLog]:
    """The tickets of ``log`` in the given partitions, read with the whole log's facts, as the engine reads them."""
    facts, index = LogFacts.of(log), log.cases
    ids = index.ids.astype(str)
    out = []
    for group in groups:
        chosen = np.flatnonzero(np.isin(ids, group))
        part = dataclasses.replace(log.subset(np.isin(index.codes, chosen)), facts=facts)
        part.computed(CASE_ORDER, functools.partial(np.asarray, chosen))
        out.append(part)
    return out


def _paths_log() -> tuple[EventLog, list[list[str]]]:
    """Tickets 1–3 take a → b → c, tickets 4–7 a → c: the standard path is a → c, though the first partition
    alone (tickets 1–3 and 4) would choose a → b → c; mothers X and Y in both partitions."""
    rows = []
    for k in range(1, 8):
        path = ["a", "b", "c"] if k <= 3 else ["a", "c"]
        mother = "X" if k % 2 else "Y"
        rows += [(str(k), step, f"2024-01-{k:02d} {9 + i:02d}:00", mother, "P") for i, step in enumerate(path)]
    return _log(rows), [["1", "2", "3", "4"], ["5", "6", "7"]]


def test_the_standard_path_is_chosen_on_the_whole_log_not_per_partition():
    log, groups = _paths_log()
    parts = _partitions(log, groups)
    first_alone = Standardisation().pinned(parts[0])
    assert first_alone.reference == ("a", "b", "c")   # the first partition alone would choose another path
    assert Standardisation().pinned(log).reference == ("a", "c")
    assert Standardisation().pinned_of_parts([Standardisation().partial(p) for p in parts],
                                             LogFacts.of(log)).reference == ("a", "c")
    comparison = Comparison(segment="mother").for_log(log)
    want = comparison.analyse(log)
    got = comparison.combine([comparison.partial(p) for p in parts], LogFacts.of(log))
    assert _json(got) == _json(want)
    # against a → c, X (tickets 1, 3, 5, 7) has 2 of 4 on the path and Y (2, 4, 6) 2 of 3; against a → b → c for
    # the first partition's tickets, X would have 4 of 4 and Y 2 of 3
    wide = got.item("side_by_side").to_frame().set_index("metric")
    assert wide.loc["Share of tickets on the standard path", ["X", "Y"]].tolist() == [0.5, 0.6667]


def test_the_norms_are_the_medians_of_the_whole_log_not_per_partition():
    rows = []
    for k in range(1, 9):   # the first partition's tickets take 1 day, the second's 5: the median over all is 3
        days = 1 if k <= 4 else 5
        rows += [(str(k), "Register", "2024-03-04 09:00", "X" if k % 2 else "Y", "P"),
                 (str(k), "Deliver", f"2024-03-{4 + days:02d} 09:00",
                  "X" if k % 2 else "Y", "P")]
    log = _log(rows)
    parts = _partitions(log, [["1", "2", "3", "4"], ["5", "6", "7", "8"]])
    deliveries = Deliveries().for_log(log)
    whole = deliveries.pinned(log).norm_hours
    assert deliveries.pinned(parts[0]).norm_hours != whole
    assert deliveries.pinned_of_parts([deliveries.partial(p) for p in parts], LogFacts.of(log)).norm_hours == whole
    comparison = Comparison(analyser="deliveries", segment="mother").for_log(log)
    assert _json(comparison.combine([comparison.partial(p) for p in parts], LogFacts.of(log))) == \
        _json(comparison.analyse(log))


@pytest.mark.parametrize("analyser", ["throughput", "deliveries"])
def test_a_segment_that_decides_endings_and_registrations_unlike_the_whole_log_is_measured_as_in_memory(analyser):
    # mother Y never ends and its tickets do not begin with a registration; mother X's do: in memory Y is a log
    # that records no endings and no registrations, though its partitions are read with the whole log's facts
    rows = [("1", "Register", "2024-01-01 09:00", "X", "P"), ("1", "Close", "2024-01-02 09:00", "X", "P"),
            ("2", "Register", "2024-01-01 09:00", "X", "P"), ("2", "Close", "2024-01-04 09:00", "X", "P"),
            ("3", "Work", "2024-01-01 09:00", "Y", "P"), ("3", "Work", "2024-01-03 09:00", "Y", "P"),
            ("4", "Work", "2024-01-02 09:00", "Y", "P"), ("4", "Work", "2024-01-05 09:00", "Y", "P")]
    log = _log(rows)
    y = log.subset(log.frame["case:ssc:mother"].eq("Y").to_numpy())
    assert LogFacts.of(log).endings_known and LogFacts.of(log).starts_known
    assert not LogFacts.of(y).endings_known and not LogFacts.of(y).starts_known
    comparison = Comparison(analyser=analyser, segment="mother").for_log(log)
    want = _json(comparison.analyse(log))
    for groups in ([["1", "3"], ["2", "4"]], [["1", "2", "3"], ["4"]], [["3"], ["1"], ["4", "2"]]):
        parts = _partitions(log, groups)
        assert _json(comparison.combine([comparison.partial(p) for p in parts], LogFacts.of(log))) == want


def test_a_segment_with_other_lifecycle_starts_is_refused_not_misreported():
    # "Work" has lifecycle start events only in segment X: in memory segment Y reads its Work events otherwise
    frame = pd.DataFrame({"case:concept:name": ["1", "1", "1", "2", "2"],
                          "concept:name": ["Register", "Work", "Work", "Register", "Work"],
                          "lifecycle:transition": ["complete", "start", "complete", "complete", "complete"],
                          "time:timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
                                                            "2024-01-01 11:00", "2024-01-02 09:00",
                                                            "2024-01-02 10:00"], utc=True),
                          "case:ssc:mother": ["X", "X", "X", "Y", "Y"]})
    log = EventLog.from_frame(frame)
    parts = _partitions(log, [["1"], ["2"]])
    comparison = Comparison(analyser="throughput", segment="mother").for_log(log)
    with pytest.raises(ConfigError, match="cannot be measured in partitions"):
        comparison.combine([comparison.partial(p) for p in parts], LogFacts.of(log))


def test_comparison_passes_the_conformance_kit_with_its_partitions_check():
    check_analyser(Comparison())
    check_analyser(Comparison(analyser="throughput", segment="category"))
    assert Comparison.runs_in_partitions()


def test_the_kit_finds_a_choice_made_per_partition():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Careless(Standardisation):
        def pinned_of_parts(self, parts, facts):   # pins on the first partition alone
            return Standardisation.pinned_of_parts(self, parts[:1], facts)

    with pytest.raises(AnalyserCheckError, match="pinned_of_parts"):
        check_partitions(Careless(), _interleaved_paths_log())


def _interleaved_paths_log() -> EventLog:
    """Every third ticket (the kit's first partition) takes a → b → c, the others a → c."""
    rows = []
    for k in range(9):
        path = ["a", "b", "c"] if k % 3 == 0 else ["a", "c"]
        rows += [(f"{k}", step, f"2024-01-{k + 1:02d} {9 + i:02d}:00", "X", "P") for i, step in enumerate(path)]
    return _log(rows)
