"""Business minutes as text, in the style of each export (vectorised: per-day and per-minute lookup tables).

Working hours (08:00–17:00 local) never cross midnight in UTC either, so a
moment's date is the same in Europe/Amsterdam and UTC; only the offset differs
(``+01:00`` in winter, ``+02:00`` in summer).

Example:
    >>> from ssc_mining.simulate.calendar import WorkCalendar
    >>> fmt = TimeFormatter(WorkCalendar.starting("2024-03-28", days=10))
    >>> fmt.iso([0, 540 + 75]).tolist()      # 28 March (winter time), 2 April (summer time; Easter Monday is off)
    ['2024-03-28T08:00:00+01:00', '2024-04-02T09:15:00+02:00']
    >>> fmt.dutch([0]).tolist(), fmt.servicenow([0]).tolist(), fmt.jira([0]).tolist(), fmt.utc([0]).tolist()
    (['28-03-2024 08:00'], ['28/3/2024 8:00'], ['2024-03-28T08:00:00.000+0100'], ['2024-03-28 07:00:00'])
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from ssc_mining.simulate.calendar import DAY_START_MINUTE, MINUTES_PER_DAY, TIMEZONE, WorkCalendar


def _obj(values: list[str]) -> np.ndarray:
    return np.array(values, dtype=object)


class TimeFormatter:
    """Formats business minutes (or working-day ends) of one :class:`WorkCalendar`."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        days = pd.DatetimeIndex([pd.Timestamp(d) for d in calendar.days])
        noon = (days + pd.Timedelta(hours=12)).tz_localize(TIMEZONE)
        self.offset_minutes = np.asarray([int(ts.utcoffset().total_seconds() // 60) for ts in noon], dtype=np.int64)
        self.day_epoch = days.as_unit("s").asi8.astype(np.int64)  # local midnight as if UTC, in seconds
        self._days = days

    # per-day tables
    @cached_property
    def _iso_day(self) -> np.ndarray:
        return _obj([d.strftime("%Y-%m-%d") for d in self._days])

    @cached_property
    def _off_colon(self) -> np.ndarray:
        return _obj([f"+{o // 60:02d}:{o % 60:02d}" for o in self.offset_minutes])

    @cached_property
    def _off_plain(self) -> np.ndarray:
        return _obj([f"+{o // 60:02d}{o % 60:02d}" for o in self.offset_minutes])

    @cached_property
    def _dutch_day(self) -> np.ndarray:
        return _obj([d.strftime("%d-%m-%Y") for d in self._days])

    @cached_property
    def _sn_day(self) -> np.ndarray:
        return _obj([f"{d.day}/{d.month}/{d.year}" for d in self._days])

    # per-minute-of-day tables (index: minute of the day, 0 … 1439)
    @cached_property
    def _hhmm(self) -> np.ndarray:
        return _obj([f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)])

    @cached_property
    def _h_mm(self) -> np.ndarray:
        return _obj([f"{m // 60}:{m % 60:02d}" for m in range(1440)])

    def _split(self, minutes: np.ndarray | list[int]) -> tuple[np.ndarray, np.ndarray]:
        m = np.asarray(minutes, dtype=np.int64)
        self.calendar.to_local(m[:0])  # type check only
        if m.size and m.max() >= self.calendar.capacity:
            self.calendar.to_local(m)  # raises the ConfigError
        return m // MINUTES_PER_DAY, DAY_START_MINUTE + m % MINUTES_PER_DAY

    def iso(self, minutes: np.ndarray | list[int]) -> np.ndarray:
        """``2024-03-04T09:15:00+01:00``"""
        d, t = self._split(minutes)
        return self._iso_day[d] + "T" + self._hhmm[t] + ":00" + self._off_colon[d]

    def dutch(self, minutes: np.ndarray | list[int]) -> np.ndarray:
        """``04-03-2024 09:15`` (local)"""
        d, t = self._split(minutes)
        return self._dutch_day[d] + " " + self._hhmm[t]

    def servicenow(self, minutes: np.ndarray | list[int]) -> np.ndarray:
        """``4/3/2024 9:15`` (local, day first)"""
        d, t = self._split(minutes)
        return self._sn_day[d] + " " + self._h_mm[t]

    def jira(self, minutes: np.ndarray | list[int]) -> np.ndarray:
        """``2024-03-04T09:15:00.000+0100``"""
        d, t = self._split(minutes)
        return self._iso_day[d] + "T" + self._hhmm[t] + ":00.000" + self._off_plain[d]

    def utc(self, minutes: np.ndarray | list[int]) -> np.ndarray:
        """``2024-03-04 08:15:00`` (UTC, as in ServiceNow's sys_audit)"""
        d, t = self._split(minutes)
        return self._iso_day[d] + " " + self._hhmm[t - self.offset_minutes[d]] + ":00"

    def epoch_seconds(self, minutes: np.ndarray | list[int]) -> np.ndarray:
        """Seconds since 1970-01-01 UTC."""
        d, t = self._split(minutes)
        return self.day_epoch[d] + (t - self.offset_minutes[d]) * 60

    def utc_timestamps(self, minutes: np.ndarray | list[int]) -> pd.DatetimeIndex:
        """Tz-aware UTC timestamps (minute precision)."""
        return pd.to_datetime(self.epoch_seconds(minutes), unit="s", utc=True)

    # working-day ends (need-by dates)
    def day_end_minutes(self, day_index: np.ndarray) -> np.ndarray:
        """The moment 17:00 of a working day, as the (exclusive) business minute ``(day + 1) * 540``."""
        return (np.asarray(day_index, dtype=np.int64) + 1) * MINUTES_PER_DAY

    def day_end_iso(self, day_index: np.ndarray) -> np.ndarray:
        d = np.asarray(day_index, dtype=np.int64)
        return self._iso_day[d] + "T17:00:00" + self._off_colon[d]

    def day_end_epoch(self, day_index: np.ndarray) -> np.ndarray:
        d = np.asarray(day_index, dtype=np.int64)
        return self.day_epoch[d] + (17 * 60 - self.offset_minutes[d]) * 60

    def day_iso(self, day_index: np.ndarray) -> np.ndarray:
        """``2024-03-04`` (a date only, as Jira's ``duedate``)."""
        return self._iso_day[np.asarray(day_index, dtype=np.int64)]

    def day_dutch(self, day_index: np.ndarray) -> np.ndarray:
        return self._dutch_day[np.asarray(day_index, dtype=np.int64)]

    def day_servicenow(self, day_index: np.ndarray) -> np.ndarray:
        return self._sn_day[np.asarray(day_index, dtype=np.int64)]
