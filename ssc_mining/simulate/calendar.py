"""Working time of the SSC: 08:00–17:00 Europe/Amsterdam, Monday to Friday, without Dutch public holidays.

The simulator counts time in *business minutes* (540 per working day) from the
first working day of the calendar; :class:`WorkCalendar` turns those counts into
real moments (vectorised) and back. Working hours never touch the DST switch
(02:00–03:00), so every business minute is one existing local minute.

Example:
    >>> cal = WorkCalendar.starting("2024-01-01", days=30)
    >>> str(cal.days[0])                           # 1 January is Nieuwjaarsdag
    '2024-01-02'
    >>> cal.to_local([0, 539, 540]).astype(str).tolist()
    ['2024-01-02T08:00', '2024-01-02T16:59', '2024-01-03T08:00']
    >>> [str(d) for d in dutch_holidays(2025)][:3]
    ['2025-01-01', '2025-04-18', '2025-04-20']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError

TIMEZONE = "Europe/Amsterdam"
DAY_START_MINUTE = 8 * 60
DAY_END_MINUTE = 17 * 60
MINUTES_PER_DAY = DAY_END_MINUTE - DAY_START_MINUTE  # 540


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


@dataclass(frozen=True)
class WorkCalendar:
    """The working days from a start date on; business minute ``m`` is minute ``m % 540``
    after 08:00 on working day ``m // 540``."""

    days: tuple[dt.date, ...]

    @classmethod
    def starting(cls, start: str | dt.date, *, days: int) -> "WorkCalendar":
        """Working days among the ``days`` calendar days from ``start`` on."""
        try:
            first = dt.date.fromisoformat(str(start)) if not isinstance(start, dt.date) else start
        except ValueError:
            raise ConfigError(f"start {start!r} is not a date", hint="give it as YYYY-MM-DD") from None
        holidays: set[dt.date] = set()
        for year in range(first.year, (first + dt.timedelta(days=days)).year + 1):
            holidays.update(dutch_holidays(year))
        out = []
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            if day.weekday() < 5 and day not in holidays:
                out.append(day)
        return cls(tuple(out))

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def capacity(self) -> int:
        """Number of business minutes the calendar covers."""
        return len(self.days) * MINUTES_PER_DAY

    def _day_array(self) -> np.ndarray:
        return np.array(self.days, dtype="datetime64[D]")

    def to_local(self, minutes: np.ndarray | list[int]) -> np.ndarray:
        """Business minutes → naive local times (``datetime64[m]``, Europe/Amsterdam wall clock)."""
        m = np.asarray(minutes, dtype=np.int64)
        if m.size and (m.min() < 0 or m.max() >= self.capacity):
            raise ConfigError("a simulated moment falls outside the calendar",
                              hint="use fewer months or a later start date")
        day = self._day_array()[m // MINUTES_PER_DAY].astype("datetime64[m]")
        return day + (DAY_START_MINUTE + m % MINUTES_PER_DAY).astype("timedelta64[m]")

    def to_utc(self, minutes: np.ndarray | list[int]) -> pd.DatetimeIndex:
        """Business minutes → tz-aware UTC timestamps (minute precision)."""
        local = pd.DatetimeIndex(self.to_local(minutes).astype("datetime64[ns]"))
        return local.tz_localize(TIMEZONE).tz_convert("UTC")

    def day_end(self, day_index: np.ndarray | list[int]) -> np.ndarray:
        """17:00 local on working day ``day_index`` (naive ``datetime64[m]``): used for need-by dates."""
        d = np.asarray(day_index, dtype=np.int64)
        return self._day_array()[d].astype("datetime64[m]") + np.timedelta64(DAY_END_MINUTE, "m")

    def business_minutes_between(self, start: pd.Timestamp, end: pd.Timestamp) -> int:
        """Business minutes in ``[start, end)`` for two aware timestamps (for checks and analyses).

        >>> cal = WorkCalendar.starting("2024-01-01", days=30)
        >>> s = pd.Timestamp("2024-01-05 16:00", tz=TIMEZONE); e = pd.Timestamp("2024-01-08 09:00", tz=TIMEZONE)
        >>> cal.business_minutes_between(s, e)
        120
        """
        return int(self.business_minute_of(end) - self.business_minute_of(start))

    def business_minute_of(self, moment: pd.Timestamp) -> int:
        """Business minutes from the calendar's start up to ``moment`` (clamped to working time)."""
        local = moment.tz_convert(TIMEZONE)
        days = self._day_array()
        date = np.datetime64(local.date(), "D")
        idx = int(np.searchsorted(days, date, side="left"))
        if idx < len(days) and days[idx] == date:
            minute = local.hour * 60 + local.minute - DAY_START_MINUTE
            return idx * MINUTES_PER_DAY + min(max(minute, 0), MINUTES_PER_DAY)
        return idx * MINUTES_PER_DAY
