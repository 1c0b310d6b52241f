"""The example analyser passes ssc_mining's conformance kit and gets a known case right."""

import pandas as pd

from ssc_mining import EventLog, columns as C
from ssc_mining.testing import check_analyser, fixture_log, parametrize_with_checks
from ssc_mining_example.first_time_right import FirstTimeRight


@parametrize_with_checks([FirstTimeRight(), FirstTimeRight(max_teams=3)])
def test_conformance(analyser, check):
    check(analyser)


def test_whole_kit_at_once():
    check_analyser(FirstTimeRight())


def test_known_answer():
    log = EventLog.from_frame(pd.DataFrame({
        C.CASE: ["1", "1", "2", "2", "2"], C.ACTIVITY: ["Open", "Close", "Open", "Open", "Close"],
        C.TEAM: ["A", "A", "A", "A", "A"],
        C.TIMESTAMP: pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 09:00",
                                     "2024-01-01 09:30", "2024-01-01 11:00"], utc=True)}))
    assert FirstTimeRight().analyse(log).item("first_time_right_share").value == 0.5


def test_fixture_log_has_teams():
    assert fixture_log().has(C.TEAM)
