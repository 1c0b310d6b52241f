"""One run context: the log's time zone and the run's moment reach every analyser that uses them.

An analyser's ``timezone`` and ``as_of`` left at None are the run's: the zone the log was read in and
``--as-of``; a value given explicitly wins. The figures are checked against a count by hand.
"""

from __future__ import annotations

import json

import pandas as pd
from conftest import SAMPLES, run_cli

from ssc_mining.analysers import run_analysers
from ssc_mining.analysers.coordination import Coordination
from ssc_mining.analysers.workload import Workload
from ssc_mining.eventlog import EventLog
from ssc_mining.run_context import RunContext


def _log(zone: str) -> EventLog:
    frame = pd.DataFrame({
        "case:concept:name": ["1", "1", "2", "2", "3"],
        "concept:name": ["Register", "Close", "Register", "Close", "Register"],
        # Sunday 4 February 23:30 UTC is already Monday (a new week) in Amsterdam, still Sunday in New York
        "time:timestamp": pd.to_datetime(["2024-02-04 23:30", "2024-02-06 10:00", "2024-01-10 09:00",
                                          "2024-01-12 09:00", "2024-02-05 09:00"], utc=True)})
    log = EventLog.from_frame(frame)
    log.provenance.timezone = zone
    return log


def test_an_analyser_on_its_own_uses_the_logs_zone():
    log = _log("America/New_York")
    settled = Workload().for_log(log)
    assert settled.timezone == "America/New_York" and Workload().timezone is None
    weekly = {zone: Workload(timezone=zone).analyse(log).item("weekly").to_dict()
              for zone in ("America/New_York", "Europe/Amsterdam")}
    assert weekly["America/New_York"] != weekly["Europe/Amsterdam"]   # the Sunday-night ticket changes week
    assert Workload().analyse(log).item("weekly").to_dict() == weekly["America/New_York"]
    coordination = [r.params["timezone"] for r in run_analysers(_log("Asia/Tokyo"), [Coordination()])]
    assert coordination == ["Asia/Tokyo"]


def test_the_runs_moment_ages_open_tickets_and_an_explicit_one_wins():
    log = _log("Europe/Amsterdam")
    moment = pd.Timestamp("2024-02-15", tz="UTC")
    [result] = run_analysers(log, [Workload()], context=RunContext.of(log, as_of=moment))
    # ticket 3 is the only open one: registered 5 February 09:00 UTC, aged at 15 February 00:00 UTC
    expected = (moment - pd.Timestamp("2024-02-05 09:00", tz="UTC")).total_seconds() / 86_400
    assert result.item("median_open_age_days").value == round(expected, 4)
    assert result.params["as_of"] == moment.isoformat()
    [given] = run_analysers(log, [Workload(as_of="2024-02-10")], context=RunContext.of(log, as_of=moment))
    assert given.params["as_of"] == "2024-02-10"
    assert given.item("median_open_age_days").value < result.item("median_open_age_days").value


def test_report_as_of_reaches_the_analysers(tmp_path):
    out = tmp_path / "out"
    result = run_cli("report", SAMPLES / "generic-events.csv", "-o", out, "--as-of", "2030-01-01",
                     "--analysers", "workload")
    assert result.returncode == 0, result.stderr
    [workload] = json.loads((out / "generic-events.json").read_text())["analysers"]
    assert workload["params"]["as_of"].startswith("2030-01-01")
    assert workload["params"]["timezone"] == "Europe/Amsterdam"   # the log's zone (the default)
