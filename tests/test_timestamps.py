"""Timestamp decisions: one format per column, day/month evidence, DST policy."""

from __future__ import annotations

import pandas as pd
import pytest

from ssc_mining.errors import TimestampError
from ssc_mining.loaders.timestamps import parse_timestamps


def parse(values, **kw):
    return parse_timestamps(pd.Series(values, dtype=object), column="T", **kw)


def test_day_above_12_decides_dayfirst_for_the_whole_column():
    result = parse(["03-04-2024 10:00", "13-04-2024 10:00"])
    assert result.decision.dayfirst is True
    assert "13-04-2024" in result.decision.evidence
    # 03-04 is the 3rd of April (day-first), not the 4th of March
    assert result.values.iloc[0] == pd.Timestamp("2024-04-03 08:00", tz="UTC")


def test_month_above_12_in_second_place_decides_monthfirst():
    result = parse(["04/03/2024 10:00", "04/13/2024 10:00"])
    assert result.decision.dayfirst is False
    assert result.values.iloc[0] == pd.Timestamp("2024-04-03 08:00", tz="UTC")


def test_ambiguous_column_is_an_error_that_names_the_options():
    with pytest.raises(TimestampError) as err:
        parse(["03-04-2024 10:00", "05-06-2024 10:00"])
    assert "--dayfirst" in err.value.message() and "--monthfirst" in err.value.message()


def test_ambiguous_column_with_explicit_order():
    assert parse(["03-04-2024 10:00"], dayfirst=False).values.iloc[0].month == 3
    assert parse(["03-04-2024 10:00"], dayfirst=True).values.iloc[0].month == 4


def test_iso_dates_are_never_read_day_first():
    result = parse(["2024-04-05 10:00", "2024-04-06 10:00"], dayfirst=True)
    assert result.values.iloc[0] == pd.Timestamp("2024-04-05 08:00", tz="UTC")
    assert result.decision.order == "ymd"


def test_value_that_is_not_a_date_is_marked_unparseable_not_guessed():
    result = parse(["13-04-2024 10:00", "n.v.t.", "14-04-2024 10:00"])
    assert result.unparseable.tolist() == [False, True, False]
    assert result.decision.examples_unparseable == ["n.v.t."]
    assert pd.isna(result.values.iloc[1])


def test_mixed_offsets_keep_one_format_and_mark_the_others():
    result = parse(["2024-03-01T10:00:00+01:00", "2024-03-01T11:00:00Z", "2024-03-01 12:00"])
    assert "%z" in result.decision.format
    assert result.unparseable.tolist() == [False, False, True]
    assert result.values.iloc[1] == pd.Timestamp("2024-03-01 11:00", tz="UTC")


def test_dst_gap_moves_forward_and_repeated_hour_takes_summer_time():
    result = parse(["31-03-2024 02:30", "27-10-2024 02:30", "15-10-2024 12:00"])
    assert result.values.iloc[0] == pd.Timestamp("2024-03-31 01:00", tz="UTC")  # 03:00 CEST
    assert result.values.iloc[1] == pd.Timestamp("2024-10-27 00:30", tz="UTC")  # 02:30 CEST
    assert result.decision.dst_gap_shifted == 1
    assert result.decision.dst_repeated_first == 1


def test_other_timezone_is_used_for_naive_times():
    result = parse(["2024-01-15 12:00"], timezone="America/New_York")
    assert result.values.iloc[0] == pd.Timestamp("2024-01-15 17:00", tz="UTC")


def test_column_that_is_no_timestamp_is_an_error():
    with pytest.raises(TimestampError) as err:
        parse(["Open", "Closed", "Open"])
    assert "--timestamp-format" in err.value.message()


def test_explicit_format_is_used_as_given():
    result = parse(["2024|03|04 10h00"], fmt="%Y|%m|%d %Hh%M")
    assert result.values.iloc[0] == pd.Timestamp("2024-03-04 09:00", tz="UTC")


def test_evidence_outside_the_sample_is_found_in_the_whole_column():
    values = ["03-04-2024 10:00"] * 5000 + ["25-04-2024 10:00"]
    result = parse(values)
    assert result.decision.dayfirst is True
    assert "25-04-2024" in result.decision.evidence
