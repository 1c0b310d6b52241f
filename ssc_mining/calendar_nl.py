"""Dutch working time: 08:00–17:00 Europe/Amsterdam, Monday to Friday, without Dutch public holidays.

Shared by the simulator (:mod:`ssc_mining.simulate.calendar`) and the analysers that count
SLA time in business hours. :func:`business_clock` maps moments to a running count of
business minutes (vectorised with ``numpy.busday_count``), so the business time between two
moments is the difference of their clocks. Times are converted to the local wall clock first:
working hours never touch the DST switch (02:00–03:00), so a business minute is a real minute
on the 23-hour and 25-hour days too. Timezone-naive input is taken to be UTC, as everywhere in
the canonical log.

Example:
    >>> import pandas as pd

from ssc_mining.i18n import N_
    >>> start = pd.Series(pd.to_datetime(["2024-03-28 15:00"], utc=True))   # Thu 16:00 CET
    >>> end = pd.Series(pd.to_datetime(["2024-04-02 07:00"], utc=True))     # Tue 09:00 CEST, after Easter
    >>> business_minutes_between(start, end).tolist()                        # Good Friday and Easter Monday off
    [120.0]
    >>> [str(d) for d in dutch_holidays(2025)][:3]
    ['2025-01-01', '2025-04-18', '2025-04-20']
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from ssc_mining.i18n import N_

TIMEZONE = "Europe/Amsterdam"
DAY_START_MINUTE = 8 * 60
DAY_END_MINUTE = 17 * 60
MINUTES_PER_DAY = DAY_END_MINUTE - DAY_START_MINUTE  # 540

#: how the business-hours rule is stated in results
BUSINESS_HOURS_RULE = N_("08:00–17:00 Europe/Amsterdam, Monday to Friday, without Dutch public holidays "
                       "(Nieuwjaarsdag, Goede Vrijdag, Pasen, Koningsdag, Bevrijdingsdag in lustrum years, "
                       "Hemelvaartsdag, Pinksteren, Kerst)")


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday (Gregorian, anonymous algorithm).

    >>> easter_sunday(2024), easter_sunday(2025)
    (datetime.date(2024, 3, 31), datetime.date(2025, 4, 20))
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def dutch_holidays(year: int) -> list[dt.date]:
    """Days off in ``year``: Nieuwjaarsdag, Goede Vrijdag, Pasen, Koningsdag,
    Bevrijdingsdag (only in lustrum years: 2025, 2030, …), Hemelvaartsdag,
    Pinksteren and Kerst — sorted, including those that fall in a weekend.

    >>> dt.date(2024, 5, 5) in dutch_holidays(2024), dt.date(2025, 5, 5) in dutch_holidays(2025)
    (False, True)
    >>> dt.date(2025, 4, 26) in dutch_holidays(2025)     # 27 April 2025 is a Sunday
    True
    """
    easter = easter_sunday(year)
    king = dt.date(year, 4, 27)
    if king.weekday() == 6:
        king = dt.date(year, 4, 26)
    days = [dt.date(year, 1, 1), easter - dt.timedelta(days=2), easter, easter + dt.timedelta(days=1), king,
            easter + dt.timedelta(days=39), easter + dt.timedelta(days=49), easter + dt.timedelta(days=50),
            dt.date(year, 12, 25), dt.date(year, 12, 26)]
    if year % 5 == 0:
        days.append(dt.date(year, 5, 5))
    return sorted(days)


def is_working_day(day: dt.date) -> bool:
    """Monday–Friday and not a Dutch public holiday.

    >>> is_working_day(dt.date(2024, 12, 25)), is_working_day(dt.date(2024, 12, 27))
    (False, True)
    """
    return day.weekday() < 5 and day not in dutch_holidays(day.year)


@functools.lru_cache(maxsize=64)
def holiday_array(first_year: int, last_year: int) -> np.ndarray:
    """Dutch holidays of ``first_year`` … ``last_year`` as ``datetime64[D]`` (for ``numpy.busday_count``)."""
    days = [d for y in range(first_year, last_year + 1) for d in dutch_holidays(y)]
    return np.array(days, dtype="datetime64[D]")


_EPOCH = np.datetime64("1970-01-01", "D")


def local_wall_clock(times: pd.Series | pd.DatetimeIndex, tz: str = TIMEZONE) -> pd.DatetimeIndex:
    """Aware (or naive = UTC) times as naive local wall-clock times in ``tz``."""
    index = pd.DatetimeIndex(times)
    if index.tz is None:
        index = index.tz_localize("UTC")
    return index.tz_convert(tz).tz_localize(None)


def business_clock(times: pd.Series | pd.DatetimeIndex, tz: str = TIMEZONE) -> np.ndarray:
    """Business minutes from 1 January 1970 up to each moment (float; NaN for missing times).

    A moment outside working time counts as the nearest earlier end or later start of working
    time, so the clock stands still at night, in weekends and on holidays.

    >>> t = pd.Series(pd.to_datetime(["2024-01-05 15:00", "2024-01-06 12:00", "2024-01-08 08:00"], utc=True))
    >>> c = business_clock(t); float(c[1] - c[0]), float(c[2] - c[1])     # Fri 16:00 → Sat → Mon 09:00 (CET)
    (60.0, 60.0)
    """
    wall = local_wall_clock(times, tz)
    out = np.full(len(wall), np.nan)
    ok = ~wall.isna()
    if not ok.any():
        return out
    local = wall[ok].to_numpy().astype("datetime64[s]")
    day = local.astype("datetime64[D]")
    minute = (local - day.astype("datetime64[s]")).astype(np.int64) / 60.0
    years = day.astype("datetime64[Y]").astype(np.int64) + 1970
    # every call counts from the same epoch with all holidays in between, so clocks of separate calls subtract
    holidays = holiday_array(int(min(years.min(), 1970)), int(max(years.max(), 1970)))
    before = np.busday_count(_EPOCH, day, weekmask="1111100", holidays=holidays)
    working = np.is_busday(day, weekmask="1111100", holidays=holidays)
    inside = np.clip(minute - DAY_START_MINUTE, 0, MINUTES_PER_DAY)
    out[np.asarray(ok)] = before * MINUTES_PER_DAY + np.where(working, inside, 0.0)
    return out


def business_minutes_between(start: pd.Series | pd.DatetimeIndex, end: pd.Series | pd.DatetimeIndex,
                             tz: str = TIMEZONE) -> np.ndarray:
    """Business minutes in ``[start, end)`` pairwise (negative when ``end`` is before ``start``; NaN if missing)."""
    return business_clock(end, tz) - business_clock(start, tz)


def real_minutes_between(start: pd.Series | pd.DatetimeIndex, end: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Elapsed real minutes ``end − start`` pairwise (the zone does not matter; NaN if missing).

    >>> s = pd.Series(pd.to_datetime(["2024-03-30 12:00"], utc=True)); e = s + pd.Timedelta(hours=24)
    >>> real_minutes_between(s, e).tolist()
    [1440.0]
    """
    a = pd.DatetimeIndex(start)
    b = pd.DatetimeIndex(end)
    if a.tz is None:
        a = a.tz_localize("UTC")
    if b.tz is None:
        b = b.tz_localize("UTC")
    return np.asarray((b - a).total_seconds(), dtype=float) / 60.0
