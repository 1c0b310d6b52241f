"""Business hours from the holidays package: NL against a plain minute-by-minute reference, other countries,
working hours per priority (24/7), and clear errors for a bad [calendar] table."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from ssc_mining.analysers.deliveries import Deliveries
from ssc_mining.business_calendar import BusinessCalendar, calendar_params, with_calendar
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders.mapping import MappingSpec

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: Dutch days off in the periods below, written out by hand (not from any library)
NL_DAYS_OFF = {dt.date(2024, 3, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 1),      # Goede Vrijdag, Pasen
               dt.date(2026, 4, 3), dt.date(2026, 4, 5), dt.date(2026, 4, 6),       # Goede Vrijdag, Pasen 2026
               dt.date(2026, 4, 27),                                                # Koningsdag, a Monday
               dt.date(2025, 12, 25), dt.date(2025, 12, 26), dt.date(2026, 1, 1)}   # Kerst, Nieuwjaarsdag


def reference_minutes(start: str, end: str, days_off: set[dt.date], first: int = 8 * 60, last: int = 17 * 60,
                      weekdays: int = 5) -> int:
    """Business minutes in [start, end) (Amsterdam wall clock), counted one real minute at a time."""
    moment = dt.datetime.fromisoformat(start).replace(tzinfo=AMSTERDAM).astimezone(dt.UTC)
    stop = dt.datetime.fromisoformat(end).replace(tzinfo=AMSTERDAM).astimezone(dt.UTC)
    count = 0
    while moment < stop:
        local = moment.astimezone(AMSTERDAM)
        minute = local.hour * 60 + local.minute
        if local.weekday() < weekdays and local.date() not in days_off and first <= minute < last:
            count += 1
        moment += dt.timedelta(minutes=1)
    return count


def local(times: list[str]) -> pd.Series:
    return pd.Series(pd.to_datetime(times).tz_localize("Europe/Amsterdam").tz_convert("UTC"))


CASES = [("2024-03-28 16:00", "2024-04-02 09:00"),   # Easter 2024 and the switch to summer time
         ("2026-04-02 14:30", "2026-04-08 10:00"),   # Easter 2026
         ("2026-04-24 12:00", "2026-04-29 09:30"),   # Koningsdag on a Monday
         ("2025-12-23 10:15", "2026-01-02 16:45"),   # Christmas and New Year
         ("2024-10-25 16:30", "2024-10-28 08:30"),   # back to winter time
         ("2026-04-27 07:00", "2026-04-27 18:00")]   # all of Koningsdag


def test_dutch_business_minutes_match_a_minute_by_minute_reference():
    starts, ends = local([s for s, _ in CASES]), local([e for _, e in CASES])
    found = BusinessCalendar().minutes_between(starts, ends).tolist()
    assert found == [float(reference_minutes(s, e, NL_DAYS_OFF)) for s, e in CASES]
    assert found[-1] == 0 and found[0] == 120


def test_other_hours_and_days_match_the_reference():
    cal = BusinessCalendar(hours="07:30-19:00", days="mon-sat")
    starts, ends = local([s for s, _ in CASES]), local([e for _, e in CASES])
    expected = [float(reference_minutes(s, e, NL_DAYS_OFF, 7 * 60 + 30, 19 * 60, weekdays=6)) for s, e in CASES]
    assert cal.minutes_between(starts, ends).tolist() == expected


def test_another_country_has_its_own_holidays():
    # Thursday 30 May 2024 is Fronleichnam in Bavaria, a working day in the Netherlands and in Germany as a whole;
    # Wednesday 1 May 2024 is Labour Day in Belgium, a working day in the Netherlands
    corpus_christi = (local(["2024-05-30 08:00"]), local(["2024-05-30 17:00"]))
    labour_day = (local(["2024-05-01 08:00"]), local(["2024-05-01 17:00"]))
    assert BusinessCalendar().minutes_between(*corpus_christi).tolist() == [540.0]
    assert BusinessCalendar(country="DE").minutes_between(*corpus_christi).tolist() == [540.0]
    assert BusinessCalendar(country="DE", subdivision="BY").minutes_between(*corpus_christi).tolist() == [0.0]
    assert BusinessCalendar(country="BE").minutes_between(*labour_day).tolist() == [0.0]
    assert BusinessCalendar().minutes_between(*labour_day).tolist() == [540.0]


def test_priority_with_24_7_counts_real_minutes_and_others_keep_office_hours():
    cal = BusinessCalendar(per_priority={"1": "24/7", "P2": "07:00-19:00 mon-sun"})
    start, end = local(["2024-03-28 16:00"] * 4), local(["2024-04-02 09:00"] * 4)
    minutes = cal.minutes_between(start, end, priority=[1.0, "p2", "3", None])
    real = (end - start).dt.total_seconds().iloc[0] / 60        # 112 hours: the night of the switch has 23
    assert minutes.tolist() == [real, 3 * 60 + 12 * 60 + 2 * 60, 120.0, 120.0]   # Thu, Sat, Tue


def sla_log() -> EventLog:
    frames = []
    for case, priority in (("crit", "1"), ("normal", "3")):
        frames.append(pd.DataFrame({C.CASE: case, C.ACTIVITY: ["Register", "Resolve"],
                                    C.TIMESTAMP: local(["2024-12-24 16:00", "2024-12-27 09:00"]),
                                    C.PRIORITY: priority, C.CATEGORY: "A"}))
    return EventLog.from_frame(pd.concat(frames, ignore_index=True))


def test_deliveries_counts_24_7_for_critical_tickets_and_says_which_calendar_it_used():
    log = sla_log()
    analyser = Deliveries(sla_hours={"A": 8}, hours_per_priority={"1": "24/7"})
    pc = analyser.per_case(log)
    assert pc.loc["crit", "sla_elapsed_minutes"] == 65 * 60 and pc.loc["crit", "sla_status"] == "breached"
    assert pc.loc["normal", "sla_elapsed_minutes"] == 120 and pc.loc["normal", "sla_status"] == "met"
    result = analyser.analyse(log)
    assert result.params["hours_per_priority"] == {"1": "24/7"} and result.params["holidays_country"] == "NL"
    rule = next(c for c in result.caveats if "business hours" in c)
    assert "08:00–17:00 Europe/Amsterdam, Monday to Friday, without the public holidays of NL" in rule
    assert "priority 1: round the clock, every day (24/7)" in rule
    other = Deliveries(sla_hours={"A": 8}, hours_per_priority={"urgent": "24/7"}).analyse(log)
    assert any("urgent" in c for c in other.caveats)


def test_default_figures_stay_those_of_the_dutch_calendar():
    pc = Deliveries(sla_hours={"A": 8}).per_case(sla_log())
    assert pc["sla_elapsed_minutes"].tolist() == [120.0, 120.0]   # 24, 25 and 26 December: 1 hour each side


def write_mapping(tmp_path, text: str):
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_calendar_table_of_the_mapping_file_reaches_the_analysers(tmp_path):
    path = write_mapping(tmp_path, '[calendar]\ncountry = "DE"\nsubdivision = "BY"\nhours = "07:00-16:00"\n'
                                   '[calendar.priority]\n"1" = "24/7"\n')
    spec = MappingSpec.from_toml(path)
    assert spec.calendar == {"holidays_country": "DE", "holidays_subdivision": "BY", "working_hours": "07:00-16:00",
                             "hours_per_priority": {"1": "24/7"}}
    analyser, = with_calendar([Deliveries()], spec.calendar)
    assert analyser.calendar.describe().startswith("07:00–16:00 Europe/Amsterdam, Monday to Friday, without the "
                                                   "public holidays of DE (BY)")
    kept, = with_calendar([Deliveries(working_hours="09:00-17:00")], spec.calendar, {"deliveries.working_hours"})
    assert kept.working_hours == "09:00-17:00" and kept.holidays_country == "DE"


@pytest.mark.parametrize("table, words", [
    ('country = "XX"', ["mapping.toml", "[calendar] country", "'XX'", "ISO 3166"]),
    ('country = "DE"\nsubdivision = "ZZ"', ["[calendar] subdivision", "'ZZ'", "BY"]),
    ('hours = "9 to 5"', ["[calendar] hours", "08:00-17:00", "24/7"]),
    ('hours = "17:00-08:00"', ["[calendar] hours", "end must come after the start"]),
    ('days = "weekdays"', ["[calendar] days", "mon-fri"]),
    ('country = 31', ["[calendar] country", "in quotes"]),
    ('weekend = "sat"', ["unknown key", "weekend", "known keys"]),
    ('[calendar.priority]\n"1" = "always"', ["[calendar] priority", "'1'", "24/7"]),
])
def test_a_bad_calendar_table_is_a_clear_error(tmp_path, table, words):
    text = table if table.startswith("[calendar.") else "[calendar]\n" + table
    with pytest.raises(ConfigError) as err:
        MappingSpec.from_toml(write_mapping(tmp_path, text))
    message = err.value.message()
    for word in words:
        assert word in message, message


def test_bad_analyser_parameters_fail_at_once():
    with pytest.raises(ConfigError, match="no country 'XX'"):
        Deliveries(holidays_country="XX")
    with pytest.raises(ConfigError, match="time zone"):
        BusinessCalendar(timezone="Mars/Olympus")
    assert calendar_params({}) == {}


def test_the_table_of_days_gives_what_counting_per_moment_gives():
    """Working days before each day and whether it is one, looked up per calendar day, equal numpy's count per
    moment (random days over 30 years, Dutch holidays, a six-day week)."""
    import numpy as np

    from ssc_mining.business_calendar import _EPOCH, _per_day

    rng = np.random.default_rng(9)
    day = (np.datetime64("2000-01-01") + rng.integers(0, 365 * 30, 20_000)).astype("datetime64[D]")
    holidays = BusinessCalendar().holidays(2000, 2030)
    for weekmask in ("1111100", "1111110"):
        before, working = _per_day(day, weekmask, holidays)
        assert (before == np.busday_count(_EPOCH, day, weekmask=weekmask, holidays=holidays)).all()
        assert (working == np.is_busday(day, weekmask=weekmask, holidays=holidays)).all()
