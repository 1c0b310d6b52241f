"""Working time of the SSC: 08:00–17:00 Europe/Amsterdam, Monday to Friday, without Dutch public holidays.

The simulator counts time in *business minutes* (540 per working day) from the
first working day of the calendar; :class:`WorkCalendar` turns those counts into
real moments (vectorised) and back. Working hours never touch the DST switch
(02:00–03:00), so every business minute is one existing local minute. The public holidays are the
Dutch ones of the ``holidays`` package (:func:`ssc_mining.business_calendar.public_holidays`).

Example:
    >>> cal = WorkCalendar.starting("2024-01-01", days=30)
    >>> str(cal.days[0])                           # 1 January is Nieuwjaarsdag
    '2024-01-02'
    >>> cal.to_local([0, 539, 540]).astype(str).tolist()
    ['2024-01-02T08:00', '2024-01-02T16:59', '2024-01-03T08:00']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.business_calendar import TIMEZONE, public_holidays
from ssc_mining.errors import ConfigError

DAY_START_MINUTE = 8 * 60
DAY_END_MINUTE = 17 * 60
MINUTES_PER_DAY = DAY_END_MINUTE - DAY_START_MINUTE  # 540


@dataclass(frozen=True)
class WorkCalendar:
    """The working days from a start date on; business minute ``m`` is minute ``m % 540``
    after 08:00 on working day ``m // 540``."""

    days: tuple[dt.date, ...]

    @classmethod
    def starting(cls, start: str | dt.date, *, days: int) -> WorkCalendar:
        """Working days among the ``days`` calendar days from ``start`` on."""
        try:
            first = dt.date.fromisoformat(str(start)) if not isinstance(start, dt.date) else start
        except ValueError:
            raise ConfigError(f"start {start!r} is not a date", hint="give it as YYYY-MM-DD") from None
        dates = np.datetime64(first, "D") + np.arange(max(days, 0))
        holidays = public_holidays("NL", "", first.year, (first + dt.timedelta(days=max(days, 0))).year)
        working = dates[np.is_busday(dates, weekmask="1111100", holidays=holidays)]
        return cls(tuple(working.astype(object)))

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
