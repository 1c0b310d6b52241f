"""The report's drill-down lists (ssc_mining.report.explore) made in partitions of whole tickets (the DuckDB and
Spark engines) equal those of the log in memory: every sample format and real logs, one, three and more partitions
than tickets, both audiences, lists cut per key, a part that pickles and stays small."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES, real_path

from ssc_mining.analysers.registry import discover
from ssc_mining.analysers.runner import run_analysers
from ssc_mining.engines.partitioned import Partitions
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog.facts import LogFacts, case_order
from ssc_mining.loaders import load
from ssc_mining.loaders.importer import import_export
from ssc_mining.report import explore as E
from ssc_mining.results import Result
from ssc_mining.run_context import RunContext

AUDIENCES = ("auditor", "works-council")


def _results(log: EventLog) -> list[Result]:
    """Every analyser's result on the log in memory (the same results go both ways: only the lists are tested)."""
    return run_analysers(log, [cls() for cls in discover().analysers.values()], context=RunContext.of(log, jobs=1),
                         lang="en")


def _text(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _events_from(parts: Partitions) -> Callable[[np.ndarray], EventLog]:
    """``ticket_events`` for the partitioned run: the events of the tickets with those case_order keys, collected
    from the partitions again (read as the engine reads them)."""
    def ticket_events(keys: np.ndarray) -> EventLog:
        frames, found, first = [], 0, None
        for log in parts.logs():
            chosen = np.isin(case_order(log), keys)
            found += int(chosen.sum())
            if chosen.any():
                frames.append(log.subset(chosen[log.cases.codes]).frame)
                first = first or log
        assert found == len(keys) and first is not None
        return EventLog(frame=pd.concat(frames, ignore_index=True), provenance=first.provenance,
                        semantics=first.semantics, facts=first.facts, pseudonymised=first.pseudonymised)
    return ticket_events


def _partitioned(database: Path, partitions: int, results: list[Result]) -> tuple[dict[str, str], list[set[str]]]:
    """The explore data per audience from the partitions (each part pickled and read back), and the ticket ids of
    each partition."""
    lists = E.ExploreLists()
    with Partitions(database, partitions=partitions) as parts:
        assert parts.n == partitions
        made = [lists.partial(log) for log in parts.logs()]
        owners = [set(p.ids) for p in made]
        combined = lists.combine([pickle.loads(pickle.dumps(p)) for p in reversed(made)], parts.facts)
        events = _events_from(parts)
        got = {a: _text(E.explore_figures_of(combined, results, a, ticket_events=events)) for a in AUDIENCES}
    return got, owners


def _same(database: Path, partitions: tuple[int, ...] = (1, 3)) -> tuple[dict, list[set[str]]]:
    """Compare the partitioned lists with the log in memory's; the auditor's data and the partitions' ids (of the
    last partitioning)."""
    log = load(database)
    results = _results(log)
    want = {a: _text(E.explore_figures(log, results, a)) for a in AUDIENCES}
    owners: list[set[str]] = []
    for n in partitions:
        got, owners = _partitioned(database, n, results)
        for audience in AUDIENCES:
            assert got[audience] == want[audience], (n, audience)
    return json.loads(want["auditor"]), owners


def _imported(tmp_path: Path, export: Path) -> Path:
    database = tmp_path / "tickets.duckdb"
    import_export(export, database, batch_rows=20_000)
    return database


@pytest.mark.parametrize("name", ["generic-events.csv", "generic-events-nl.csv", "topdesk-history.csv",
                                  "topdesk-export.csv", "jira-changelog.json", "servicenow-history.csv",
                                  "servicenow-sys_audit.csv", "events.xes.gz"])
def test_partitions_give_the_drill_downs_of_the_log_in_memory_on_every_sample(tmp_path, name):
    data, _owners = _same(_imported(tmp_path, SAMPLES / name))
    assert data["tickets"] > 0 and data["activities"] and data["variants"]
    assert data["timelines"]["tickets"]   # the timelines' steps came through ticket_events


def test_lists_cut_per_key_take_the_first_tickets_of_the_whole_log(tmp_path, monkeypatch):
    # lower limits, so that the lists are cut per key, ids come from several partitions, and the timelines choose
    monkeypatch.setattr(E, "JSON_IDS", 120)
    monkeypatch.setattr(E, "PAGE_IDS", 4)
    monkeypatch.setattr(E, "PAGE_PATHS", 7)
    monkeypatch.setattr(E, "TIMELINES", 25)
    monkeypatch.setattr(E, "TIMELINE_STEPS", 3)
    data, owners = _same(_imported(tmp_path, SAMPLES / "generic-events.csv"), partitions=(1, 3, 5))
    limit = data["ids_per_key"]["activities"]
    assert limit is not None and data["ids_per_key"]["arrows"] is not None
    assert any(a["tickets"] > len(a["case_ids"]) == limit for a in data["activities"])
    listed = [a["case_ids"] for a in data["activities"]] + [a["case_ids"] for a in data["arrows"]]
    assert any(len({i for i, own in enumerate(owners) for c in ids if c in own}) > 1 for ids in listed)
    assert data["timelines"]["candidates"] > len(data["timelines"]["tickets"]) == 25


def test_more_partitions_than_tickets(tmp_path):
    export = tmp_path / "few.csv"
    export.write_text("case,activity,timestamp,team,resource\nA,Register,2024-01-01 09:00,HR,ann\n"
                      "A,Close,2024-01-03 09:00:30,,bob\nB,Register,2024-01-02 09:00,,\nC,Work,2024-01-02 10:00,IT,\n"
                      "C,Register,2024-01-02 11:00,IT,cy\n")
    database = _imported(tmp_path, export)
    data, owners = _same(database, partitions=(1, 3, 9))
    assert len(owners) <= 3 and sum(len(o) for o in owners) == 3
    assert set(data["timelines"]["tickets"]) == {"A", "B", "C"}


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "name"), [
    ("helpdesk-full", "helpdesk.csv"), ("receipt-wabo", "receipt.csv"),
    ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")])
def test_partitions_give_the_drill_downs_of_the_log_in_memory_on_real_logs(tmp_path, folder, name):
    data, owners = _same(_imported(tmp_path, real_path(folder, name)), partitions=(1, 3, 4))
    assert len(owners) == 4 and data["timelines"]["candidates"] > 0


def test_a_part_pickles_and_holds_a_few_bytes_per_event(monkeypatch):
    # many tickets with long, looping paths: at 200 activities and arrows per key the lists are cut
    monkeypatch.setattr(E, "JSON_IDS", 2_000)
    rng = np.random.default_rng(5)
    tickets, steps = 3_000, 40
    frame = pd.DataFrame({"case:concept:name": np.repeat([f"T{i:05d}" for i in range(tickets)], steps),
                          "concept:name": [f"step {k}" for k in rng.integers(0, 12, tickets * steps)],
                          "time:timestamp": pd.Timestamp("2024-01-01", tz="UTC")
                          + pd.to_timedelta(np.tile(np.arange(steps), tickets), unit="h")})
    log = EventLog.from_frame(frame)
    part = E.ExploreLists().partial(log)
    data = pickle.dumps(part)
    # per ticket its id, order key and path; per path its activities (every path here is new: a byte per event);
    # per activity and arrow at most the tickets the whole log can list: no Python object per event
    assert len(data) < 3 * log.n_events
    assert part.trace.dtype.itemsize == 1 and len(part.trace) == log.n_events
    assert len(part.activities.cases) <= E.JSON_IDS + 12 * E.PAGE_IDS
    back = pickle.loads(data)
    combined = E.ExploreLists().combine([back], LogFacts.of(log))
    for audience in AUDIENCES:
        got = E.explore_figures_of(combined, [], audience, ticket_events=lambda keys: log)
        assert _text(got) == _text(E.explore_figures(log, [], audience))


def test_an_empty_log_and_no_parts():
    frame = pd.DataFrame({"case:concept:name": pd.Series([], dtype=str), "concept:name": pd.Series([], dtype=str),
                          "time:timestamp": pd.Series([], dtype="datetime64[ns, UTC]")})
    log = EventLog.from_frame(frame)
    lists = E.ExploreLists()
    empty = lists.combine([], LogFacts.of(log))
    for audience in AUDIENCES:
        want = _text(E.explore_figures(log, [], audience))
        assert _text(E.explore_figures_of(lists.combine([lists.partial(log)], LogFacts.of(log)), [], audience,
                                          ticket_events=lambda keys: log)) == want
        assert _text(E.explore_figures_of(empty, [], audience, ticket_events=lambda keys: log)) == want


def test_parts_in_log_order_are_required():
    log = load(SAMPLES / "generic-events.csv")
    log.computed("case order in the whole log", lambda: np.arange(log.cases.n)[::-1].copy())
    with pytest.raises(ValueError, match="order of the whole log"):
        E.ExploreLists().partial(log)
