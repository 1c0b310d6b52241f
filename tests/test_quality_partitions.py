"""The data-quality checks in partitions of whole tickets (QualityChecks: a part per partition, combined with the
whole log's facts) give the findings of the log in memory, byte for byte: on every sample and on real logs, in
one, three and more partitions than tickets, with and without pseudonyms; the examples are the first of the whole
log even when they come from several partitions; the opening activity is decided on the whole log."""

from __future__ import annotations

import dataclasses
import functools
import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES, real_path

from ssc_mining.engines.partitioned import Partitions
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import CASE_ORDER, LogFacts
from ssc_mining.loaders import load
from ssc_mining.loaders.importer import import_export
from ssc_mining.privacy import Pseudonymiser, pseudonymise_log
from ssc_mining.quality.checks import _MAX_EXAMPLES, ChecksPart, QualityChecks, run_checks

#: a fixed moment for "dated in the future", inside the samples' months (so that some events are after it)
AS_OF = pd.Timestamp("2024-03-01", tz="UTC")
KEY = Pseudonymiser(b"a key of at least sixteen bytes")
SAMPLE_NAMES = ["generic-events.csv", "generic-events-nl.csv", "topdesk-history.csv", "topdesk-export.csv",
                "jira-changelog.json", "servicenow-history.csv", "servicenow-sys_audit.csv", "events.xes.gz"]


def as_json(findings: list) -> str:
    return json.dumps([f.to_dict() for f in findings], sort_keys=True, default=str)


def in_memory(database: Path, pseudonymiser: Pseudonymiser | None = None) -> EventLog:
    log = load(database)
    return pseudonymise_log(log, pseudonymiser) if pseudonymiser is not None else log


def in_partitions(database: Path, partitions: int, pseudonymiser: Pseudonymiser | None = None,
                  checks: QualityChecks | None = None) -> tuple[list, list[EventLog], LogFacts]:
    """The combined findings, the partitions' logs and the facts of the whole database."""
    checks = checks or QualityChecks(AS_OF)
    with Partitions(database, partitions=partitions, pseudonymiser=pseudonymiser) as parts:
        logs = list(parts.logs())
        found = checks.combine([checks.partial(log) for log in logs], parts.facts)
        return found, logs, parts.facts


def same_findings(database: Path, partitions: int, pseudonymiser: Pseudonymiser | None = None) -> list:
    """Compare the checks in partitions with those of the log in memory (and the facts); the findings."""
    log = in_memory(database, pseudonymiser)
    expected = run_checks(log, as_of=AS_OF)
    found, _logs, facts = in_partitions(database, partitions, pseudonymiser)
    assert facts == LogFacts.of(log)
    assert as_json(found) == as_json(expected)
    return found


def imported(tmp_path: Path, rows: list[tuple[str, str, str]], name: str = "log") -> Path:
    """An export of (ticket, activity, time) rows, imported into a database."""
    export = tmp_path / f"{name}.csv"
    export.write_text("case,activity,timestamp,resource\n" + "".join(
        f"{case},{activity},{when},Ann Smith\n" for case, activity, when in rows))
    database = tmp_path / f"{name}.duckdb"
    import_export(export, database)
    return database


def split(log: EventLog, k: int) -> list[EventLog]:
    """``log`` in ``k`` partitions in memory: every k-th ticket, read with the whole log's facts and case order."""
    facts, index = LogFacts.of(log), log.cases
    parts = []
    for i in range(k):
        chosen = np.flatnonzero(np.arange(index.n) % k == i)
        part = dataclasses.replace(log.subset(np.isin(index.codes, chosen)), facts=facts)
        part.computed(CASE_ORDER, functools.partial(np.asarray, chosen))
        parts.append(part)
    return parts


def frame_log(rows: list[tuple[str, str, str]]) -> EventLog:
    case, activity, when = zip(*rows)
    return EventLog.from_frame(pd.DataFrame({C.CASE: case, C.ACTIVITY: activity,
                                             C.TIMESTAMP: pd.to_datetime(list(when), utc=True)}))


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_partitions_give_the_findings_of_the_log_in_memory_on_every_sample(tmp_path, name):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / name, database)
    for partitions in (1, 3):
        for pseudonymiser in (None, KEY):
            same_findings(database, partitions, pseudonymiser)


def test_more_partitions_than_tickets_on_a_sample(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "topdesk-export.csv", database)
    tickets = load(database).cases.n
    found = same_findings(database, tickets + 7)
    assert sum(f.count for f in found) > 0


def test_more_partitions_than_tickets_and_an_empty_log(tmp_path):
    database = imported(tmp_path, [("A", "Register", "2024-01-01 09:00"), ("A", "Close", "2024-01-03 09:00"),
                                   ("B", "Register", "2030-01-02 09:00")])
    found = {f.check: f for f in same_findings(database, 9)}
    assert (found["single_event_cases"].examples, found["future_events"].count) == (["B"], 1)
    empty = EventLog.from_frame(pd.DataFrame({C.CASE: pd.Series([], dtype=object),
                                              C.ACTIVITY: pd.Series([], dtype=object),
                                              C.TIMESTAMP: pd.to_datetime(pd.Series([], dtype=object), utc=True)}))
    checks = QualityChecks(AS_OF)
    assert as_json(checks.combine([checks.partial(empty)], LogFacts.of(empty))) == \
        as_json(run_checks(empty, as_of=AS_OF))
    assert all(f.count == 0 for f in run_checks(empty, as_of=AS_OF))


def test_examples_from_several_partitions_come_in_the_order_of_the_whole_log(tmp_path):
    # 40 tickets of one event each, all in the future: every check's examples are the first tickets of the log
    rows = [(f"T{i:02d}", "Register", f"2030-01-{i % 28 + 1:02d} 09:00") for i in range(40)]
    database = imported(tmp_path, rows)
    for partitions in (3, 5):
        found, logs, _facts = in_partitions(database, partitions)
        found_by = {f.check: f for f in found}
        assert found_by["single_event_cases"].examples == [f"T{i:02d}" for i in range(_MAX_EXAMPLES)]
        assert found_by["future_events"].count == 40
        # the examples are spread over several partitions (each partition alone would give its own first ten)
        homes = {str(c): k for k, log in enumerate(logs) for c in log.cases.ids}
        assert len({homes[c] for c in found_by["single_event_cases"].examples}) > 1
        same_findings(database, partitions)
    # in memory, split into interleaved partitions: the same
    log = load(database)
    checks = QualityChecks(AS_OF)
    assert as_json(checks.combine([checks.partial(p) for p in split(log, 3)], LogFacts.of(log))) == \
        as_json(run_checks(log, as_of=AS_OF))


def test_events_before_the_opening_activity_are_found_in_partitions(tmp_path):
    # 17 of 20 tickets begin with Register (85 %); in three a call comes first, and one more has a note before it
    rows = []
    for i in range(20):
        case = f"C{i:02d}"
        if i % 7 == 3:
            rows.append((case, "Call", f"2024-01-{i + 1:02d} 08:00"))
        rows += [(case, "Register", f"2024-01-{i + 1:02d} 09:00"), (case, "Close", f"2024-01-{i + 2:02d} 09:00")]
    rows.append(("C05", "Note", "2024-01-06 07:00"))
    database = imported(tmp_path, rows)
    for partitions in (1, 3, 4):
        found = {f.check: f for f in same_findings(database, partitions)}
        assert found["events_before_opening"].count == 4
        assert found["events_before_opening"].examples == ["C03", "C05", "C10", "C17"]
    log = load(database)
    assert LogFacts.of(log).opening == "Register"
    assert dict(LogFacts.of(log).first_activities) == {"Call": 3, "Note": 1, "Register": 16}


def test_two_first_activities_that_tie(tmp_path):
    # half the tickets begin with Open, half with Start: neither opens 80 %, so the check does not apply (though
    # in each ticket an event comes before the other activity); the partitions' facts count both as the log does
    rows = []
    for i in range(12):
        first, other = ("Open", "Start") if i % 2 else ("Start", "Open")
        rows += [(f"C{i:02d}", first, f"2024-01-{i + 1:02d} 09:00"),
                 (f"C{i:02d}", "Work", f"2024-01-{i + 1:02d} 10:00"),
                 (f"C{i:02d}", other, f"2024-01-{i + 2:02d} 09:00")]
    database = imported(tmp_path, rows)
    log = load(database)
    assert LogFacts.of(log).first_activities == (("Open", 6), ("Start", 6))
    assert LogFacts.of(log).opening is None
    for partitions in (1, 3, 20):
        found = {f.check: f for f in same_findings(database, partitions)}
        assert found["events_before_opening"].message.startswith("No single activity opens most tickets")
    tie = frame_log(rows)   # its own facts per third of the tickets, merged: those of the whole
    assert LogFacts.merge(LogFacts.of(tie.subset(tie.cases.codes % 3 == k)) for k in range(3)) == \
        LogFacts.of(tie)


def test_the_opening_activity_is_named_with_pseudonyms(tmp_path):
    # the activity that opens the tickets holds a person's name: the partitions decide on its pseudonymised label
    rows = []
    for i in range(10):
        case = f"C{i}"
        rows += [(case, "Note", f"2024-01-{i + 1:02d} 08:00")] if i == 4 else []
        rows += [(case, "Registered by Ann Smith", f"2024-01-{i + 1:02d} 09:00"),
                 (case, "Close", f"2024-01-{i + 2:02d} 09:00")]
    rows += [("C7", "Note", "2024-01-08 07:00")]
    database = imported(tmp_path, rows)
    plain = {f.check: f for f in same_findings(database, 3)}["events_before_opening"]
    assert (plain.count, plain.examples) == (2, ["C4", "C7"]) and "Registered by Ann Smith" in plain.message
    for partitions in (1, 3):
        found = {f.check: f for f in same_findings(database, partitions, KEY)}
        assert found["events_before_opening"].count == 2
        assert "Ann Smith" not in found["events_before_opening"].message
        assert KEY.pseudonym("Ann Smith") in found["events_before_opening"].message


def test_a_part_pickles_and_is_small(tmp_path):
    database = tmp_path / "tickets.duckdb"
    import_export(SAMPLES / "generic-events.csv", database)
    checks = QualityChecks(AS_OF)
    with Partitions(database, partitions=3) as parts:
        logs = list(parts.logs())
    for log in logs:
        part = checks.partial(log)
        assert isinstance(part, ChecksPart)
        copy = pickle.loads(pickle.dumps(part))   # noqa: S301
        assert copy == part
        assert len(pickle.dumps(part)) < 4_000   # counts, ten examples per check and the labels: no events
    assert pickle.loads(pickle.dumps(checks)) == checks   # noqa: S301


def test_future_events_without_a_moment_use_one_moment_for_every_partition(tmp_path):
    database = imported(tmp_path, [("A", "Register", "2024-01-01 09:00"), ("B", "Register", "2999-01-01 09:00")])
    checks = QualityChecks()
    found, _logs, _facts = in_partitions(database, 2, checks=checks)
    future = {f.check: f for f in found}["future_events"]
    assert future.count == 1
    assert "the moment of the run" in future.message
    late = QualityChecks(now=pd.Timestamp("3000-01-01", tz="UTC"))
    assert {f.check: f for f in in_partitions(database, 2, checks=late)[0]}["future_events"].count == 0
    assert as_json(found) == as_json(run_checks(load(database)))


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "name", "partitions", "what"), [
    ("helpdesk-full", "helpdesk.csv", 5, "duplicate_events"),
    ("receipt-wabo", "receipt.csv", 3, "single_event_cases"),
    ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz", 4, "events_before_opening")])
def test_partitions_give_the_findings_of_the_log_in_memory_on_real_logs(tmp_path, folder, name, partitions, what):
    database = tmp_path / "real.duckdb"
    import_export(real_path(folder, name), database, batch_rows=20_000)
    found = {f.check: f for f in same_findings(database, partitions)}
    assert found[what].count > 0
    same_findings(database, 1, KEY)
    same_findings(database, partitions, KEY)
