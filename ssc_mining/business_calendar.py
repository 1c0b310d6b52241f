"""Business hours: working days and hours in a local zone, without a country's public holidays.

The public holidays come from the maintained `holidays <https://pypi.org/project/holidays/>`_
package (any country it knows, with an optional subdivision such as ``DE``/``BY``); the default is
the Netherlands, 08:00–17:00 Europe/Amsterdam, Monday to Friday. Working hours can differ per
priority, e.g. ``"24/7"`` for critical incidents (see the ``[calendar]`` table in docs/loading.md).

:meth:`BusinessCalendar.clock` maps moments to a running count of business minutes (vectorised with
``numpy.busday_count``), so the business time between two moments is the difference of their clocks.
Times are converted to the local wall clock first; working hours that keep clear of the DST switch
(02:00–03:00) make every business minute a real minute. 24/7 counts real elapsed minutes.
Timezone-naive input is taken to be UTC, as everywhere in the canonical log.

Example:
    >>> import pandas as pd
    >>> start = pd.Series(pd.to_datetime(["2024-03-28 15:00"], utc=True))   # Thu 16:00 CET
    >>> end = pd.Series(pd.to_datetime(["2024-04-02 07:00"], utc=True))     # Tue 09:00 CEST, after Easter
    >>> BusinessCalendar().minutes_between(start, end).tolist()             # Good Friday and Easter Monday off
    [120.0]
    >>> BusinessCalendar(per_priority={"1": "24/7"}).minutes_between(start, end, priority=["1"]).tolist()
    [6720.0]
"""

from __future__ import annotations

import dataclasses
import functools
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError
from ssc_mining.i18n import fill, join_texts
from ssc_mining.i18n import gettext as _

TIMEZONE = "Europe/Amsterdam"
DEFAULT_COUNTRY = "NL"
DEFAULT_HOURS = "08:00-17:00"
DEFAULT_DAYS = "mon-fri"
#: the hours value that means round the clock, every day, holidays included
ALWAYS = "24/7"

#: analyser parameter ← key of the ``[calendar]`` table (see :func:`calendar_params`)
PARAMS = {"country": "holidays_country", "subdivision": "holidays_subdivision", "hours": "working_hours",
          "days": "working_days", "priority": "hours_per_priority", "timezone": "timezone"}

_DAYS = {name: i for i, names in enumerate((("mon", "monday", "ma", "maandag"), ("tue", "tuesday", "di", "dinsdag"),
                                            ("wed", "wednesday", "wo", "woensdag"),
                                            ("thu", "thursday", "do", "donderdag"), ("fri", "friday", "vr", "vrijdag"),
                                            ("sat", "saturday", "za", "zaterdag"), ("sun", "sunday", "zo", "zondag")))
         for name in names}
_HOURS = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?$")
_EPOCH = np.datetime64("1970-01-01", "D")
_HOURS_HINT = 'write hours as "08:00-17:00" (optionally followed by days, e.g. "07:00-19:00 mon-sat") or "24/7"'
_DAYS_HINT = 'write days as "mon-fri", "mon-sat" or a list such as "mon,tue,thu"'


@dataclass(frozen=True)
class WorkingHours:
    """One schedule: minutes ``start`` … ``end`` after midnight on the days of ``weekmask`` (Monday first),
    or round the clock (``always``).

    >>> WorkingHours.parse("07:30-18:00 mon-sat")
    WorkingHours(start=450, end=1080, weekmask='1111110', always=False)
    >>> WorkingHours.parse("24/7").always
    True
    """

    start: int = 8 * 60
    end: int = 17 * 60
    weekmask: str = "1111100"
    always: bool = False

    @classmethod
    def parse(cls, text: str, days: str = DEFAULT_DAYS) -> WorkingHours:
        """``"HH:MM-HH:MM"`` with optional days after a space (else ``days``), or ``"24/7"``; raises ValueError."""
        if not isinstance(text, str):
            raise ValueError(f"{text!r} is not text in quotes")
        text = text.strip()
        if text.replace(" ", "").casefold() in ("24/7", "24x7"):
            return cls(0, 24 * 60, "1111111", always=True)
        hours, _space, day_text = text.partition(" ")
        match = _HOURS.match(hours.strip())
        if not match:
            raise ValueError(f"{text!r} is not a time span")
        h1, m1, h2, m2 = (int(g or 0) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or not 0 <= start < end <= 24 * 60:
            raise ValueError(f"{text!r}: the end must come after the start on the same day (00:00-24:00)")
        return cls(start, end, parse_days(day_text.strip() or days))

    @property
    def minutes_per_day(self) -> int:
        return self.end - self.start

    def describe(self) -> str:
        """The schedule in words (translated).

        >>> WorkingHours().describe()
        '08:00–17:00, Monday to Friday'
        """
        if self.always:
            return _("round the clock, every day (24/7)")
        hours = f"{self.start // 60:02d}:{self.start % 60:02d}–{self.end // 60:02d}:{self.end % 60:02d}"
        return fill("%(hours)s, %(days)s", {"hours": hours, "days": self.describe_days()})  # type: ignore[return-value]

    def describe_days(self) -> str:
        """The working days in words (translated): 'Monday to Friday'."""
        names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
        on = [i for i, flag in enumerate(self.weekmask) if flag == "1"]
        if on == list(range(on[0], on[-1] + 1)) and len(on) > 2:
            return _("%(first)s to %(last)s") % {"first": names[on[0]], "last": names[on[-1]]}
        return join_texts(", ", [names[i] for i in on])  # type: ignore[return-value]


def parse_days(text: str) -> str:
    """Days such as ``"mon-fri"``, ``"ma-vr"`` or ``"mon,wed,fri"`` as a numpy weekmask (Monday first).

    >>> parse_days("mon-fri"), parse_days("sat,sun"), parse_days("fri-mon")
    ('1111100', '0000011', '1000111')
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{text!r} names no days")
    mask = [0] * 7
    for part in text.replace(" ", "").casefold().split(","):
        first, _dash, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise ValueError(f"{text!r} is not a list of days")
        a, b = _DAYS[first], _DAYS[last or first]
        for i in range(7):
            if (a <= i <= b) if a <= b else (i >= a or i <= b):
                mask[i] = 1
    return "".join(map(str, mask))


@functools.lru_cache(maxsize=64)
def public_holidays(country: str, subdivision: str, first_year: int, last_year: int) -> np.ndarray:
    """Public holidays of ``first_year`` … ``last_year`` from the ``holidays`` package, sorted, as ``datetime64[D]``.

    >>> [str(d) for d in public_holidays("NL", "", 2025, 2025)][:3]
    ['2025-01-01', '2025-04-18', '2025-04-20']
    """
    import holidays

    days = holidays.country_holidays(country, subdiv=subdivision or None, years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


#: rows of :meth:`BusinessCalendar.clock` computed at a time (its working arrays take a few MiB per slice)
_CLOCK_ROWS = 1 << 18


def local_wall_clock(times: pd.Series | pd.DatetimeIndex | Sequence[Any], tz: str = TIMEZONE) -> pd.DatetimeIndex:
    """Aware (or naive = UTC) times as naive local wall-clock times in ``tz``."""
    index = pd.DatetimeIndex(times)
    if index.tz is None:
        index = index.tz_localize("UTC")
    return index.tz_convert(tz).tz_localize(None)


def priority_keys(values: Iterable[Any]) -> pd.Series:
    """Priority values as comparable keys: text, trimmed, case-folded, ``1.0`` → ``1``."""
    text = pd.Series(values, dtype=object).astype("string").str.strip().str.casefold()
    return text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def _per_day(day: np.ndarray, weekmask: str, holidays: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per moment's day: working days from 1970-01-01 up to it, and whether it is a working day. Looked up in a
    table of the days from the first to the last (one entry per calendar day, not per moment)."""
    number = day.astype(np.int64)
    low, high = int(number.min()), int(number.max())
    if high - low > 1_000_000:   # a range of millennia: count per moment
        return (np.busday_count(_EPOCH, day, weekmask=weekmask, holidays=holidays),
                np.is_busday(day, weekmask=weekmask, holidays=holidays))
    days = np.arange(low, high + 1).astype("datetime64[D]")
    before = np.busday_count(_EPOCH, days, weekmask=weekmask, holidays=holidays)
    working = np.is_busday(days, weekmask=weekmask, holidays=holidays)
    return before[number - low], working[number - low]


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours and days in ``timezone`` without the public holidays of ``country`` (and ``subdivision``);
    ``per_priority`` maps priority values to other hours (``"24/7"`` or ``"HH:MM-HH:MM [days]"``).

    Raises :class:`~ssc_mining.errors.ConfigError` for a value it cannot use.

    >>> BusinessCalendar(country="XX")
    Traceback (most recent call last):
    ...
    ssc_mining.errors.ConfigError: the holidays package knows no country 'XX'
      What to do: use a two-letter ISO 3166 code such as NL, BE, DE, GB or US
    """

    country: str = DEFAULT_COUNTRY
    subdivision: str = ""
    timezone: str = TIMEZONE
    hours: str = DEFAULT_HOURS
    days: str = DEFAULT_DAYS
    per_priority: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        import holidays

        country = str(self.country or "").strip().upper()
        subdivision = str(self.subdivision or "").strip()
        supported = holidays.list_supported_countries()
        if country not in supported:
            raise ConfigError(f"the holidays package knows no country {self.country!r}",
                              hint="use a two-letter ISO 3166 code such as NL, BE, DE, GB or US")
        if subdivision:
            known = {s.casefold(): s for s in supported[country]}
            if subdivision.casefold() not in known:
                raise ConfigError(f"{country} has no subdivision {self.subdivision!r} in the holidays package",
                                  hint="use one of: " + (", ".join(supported[country]) or "none (leave it empty)"))
            subdivision = known[subdivision.casefold()]
        try:
            zoneinfo.ZoneInfo(str(self.timezone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"unknown time zone {self.timezone!r}",
                              hint="use an IANA name such as Europe/Amsterdam or Europe/Berlin") from None
        try:
            parse_days(self.days)
        except ValueError as err:
            raise ConfigError(f"working days: {err}", hint=_DAYS_HINT) from None
        schedules = {}
        for name, text in [("hours", self.hours), *[(f"priority {k!r}", v) for k, v in self.per_priority.items()]]:
            try:
                schedules[name] = WorkingHours.parse(text, self.days)
            except ValueError as err:
                raise ConfigError(f"working hours ({name}): {err}", hint=_HOURS_HINT) from None
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "subdivision", subdivision)
        object.__setattr__(self, "per_priority", {str(k): str(v) for k, v in self.per_priority.items()})
        object.__setattr__(self, "_default", schedules["hours"])

    @property
    def schedules(self) -> list[WorkingHours]:
        """The default schedule first, then one per distinct priority override."""
        out = [self._default]  # type: ignore[attr-defined]
        for text in self.per_priority.values():
            hours = WorkingHours.parse(text, self.days)
            if hours not in out:
                out.append(hours)
        return out

    def holidays(self, first_year: int, last_year: int) -> np.ndarray:
        """This calendar's public holidays in the years given (``datetime64[D]``)."""
        return public_holidays(self.country, self.subdivision, first_year, last_year)

    def schedule_of(self, priority: Iterable[Any] | None, n: int) -> np.ndarray:
        """Per row: index into :attr:`schedules` (0, the default, where no override matches)."""
        if priority is None or not self.per_priority:
            return np.zeros(n, dtype=np.int64)
        schedules = self.schedules
        lookup = {key: schedules.index(WorkingHours.parse(text, self.days))
                  for key, text in zip(priority_keys(list(self.per_priority)), self.per_priority.values())}
        return priority_keys(priority).map(lookup).fillna(0).to_numpy(dtype=np.int64)

    def clock(self, times: pd.Series | pd.DatetimeIndex | Sequence[Any],
              priority: Iterable[Any] | None = None) -> np.ndarray:
        """Business minutes from 1 January 1970 up to each moment (float; NaN for missing times).

        A moment outside working time counts as the nearest earlier end or later start of working time,
        so the clock stands still at night, in weekends and on holidays. Rows with 24/7 (by ``priority``)
        count real minutes.

        >>> t = pd.Series(pd.to_datetime(["2024-01-05 15:00", "2024-01-06 12:00", "2024-01-08 08:00"], utc=True))
        >>> c = BusinessCalendar().clock(t); float(c[1] - c[0]), float(c[2] - c[1])   # Fri 16:00 → Sat → Mon 09:00
        (60.0, 60.0)
        """
        moments = pd.DatetimeIndex(times)
        which = self.schedule_of(priority, len(moments))
        out = np.full(len(moments), np.nan)
        for start in range(0, len(moments), _CLOCK_ROWS):   # in slices: the working arrays stay small
            stop = start + _CLOCK_ROWS
            out[start:stop] = self._clock(moments[start:stop], which[start:stop])
        return out

    def _clock(self, times: pd.DatetimeIndex, which: np.ndarray) -> np.ndarray:
        wall = local_wall_clock(times, self.timezone)
        out = np.full(len(wall), np.nan)
        ok = ~np.asarray(wall.isna())
        if not ok.any():
            return out
        local = wall.to_numpy().astype("datetime64[s]")
        for k, hours in enumerate(self.schedules):
            rows = ok & (which == k)
            if not rows.any():
                continue
            if hours.always:
                utc = pd.DatetimeIndex(times)
                utc = (utc.tz_localize("UTC") if utc.tz is None else utc.tz_convert("UTC")).tz_localize(None)
                seconds = (utc.to_numpy().astype("datetime64[s]")[rows] - _EPOCH.astype("datetime64[s]"))
                out[rows] = seconds.astype(np.int64) / 60.0
                continue
            moment = local[rows]
            day = moment.astype("datetime64[D]")
            minute = (moment - day.astype("datetime64[s]")).astype(np.int64) / 60.0
            years = day.astype("datetime64[Y]").astype(np.int64) + 1970
            # every call counts from the same epoch with all holidays in between, so clocks of separate calls subtract
            holidays = self.holidays(int(min(years.min(), 1970)), int(max(years.max(), 1970)))
            before, working = _per_day(day, hours.weekmask, holidays)
            inside = np.clip(minute - hours.start, 0, hours.minutes_per_day)
            out[rows] = before * hours.minutes_per_day + np.where(working, inside, 0.0)
        return out

    def minutes_between(self, start: pd.Series | pd.DatetimeIndex | Sequence[Any],
                        end: pd.Series | pd.DatetimeIndex | Sequence[Any],
                        priority: Iterable[Any] | None = None) -> np.ndarray:
        """Business minutes in ``[start, end)`` pairwise (negative when ``end`` is before ``start``; NaN if missing)."""
        if priority is not None:
            priority = list(priority)
        return self.clock(end, priority) - self.clock(start, priority)

    def describe(self) -> str:
        """The calendar in words (translated), for the report.

        >>> text = BusinessCalendar(country="de", subdivision="by", per_priority={"1": "24/7"}).describe()
        >>> text == ("08:00–17:00 Europe/Amsterdam, Monday to Friday, without the public holidays of DE (BY); "
        ...          "priority 1: round the clock, every day (24/7)")
        True
        """
        default = self._default  # type: ignore[attr-defined]
        where = f"{self.country} ({self.subdivision})" if self.subdivision else self.country
        if default.always:
            head = default.describe()
        else:
            hours = f"{default.start // 60:02d}:{default.start % 60:02d}–{default.end // 60:02d}:{default.end % 60:02d}"
            head = fill("%(hours)s %(zone)s, %(days)s, %(holidays)s", {
                "hours": hours, "zone": self.timezone, "days": default.describe_days(),
                "holidays": _("without the public holidays of %(country)s") % {"country": where}})
        overrides = [_("priority %(priority)s: %(hours)s") % {"priority": key,
                                                               "hours": WorkingHours.parse(text, self.days).describe()}
                     for key, text in self.per_priority.items()]
        return join_texts("; ", [head, *overrides])  # type: ignore[return-value]

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> BusinessCalendar:
        """The calendar an analyser's parameters (``holidays_country``, ``working_hours``, …) describe."""
        names = {v: k for k, v in PARAMS.items()}
        keyword = {"priority": "per_priority"}
        return cls(**{keyword.get(names[k], names[k]): v for k, v in params.items() if k in names})


def calendar_params(table: Mapping[str, Any], *, path: str | Path | None = None) -> dict[str, Any]:
    """A mapping file's ``[calendar]`` table, checked, as analyser parameters.

    >>> calendar_params({"country": "DE", "subdivision": "BY", "priority": {"1": "24/7"}})
    {'holidays_country': 'DE', 'holidays_subdivision': 'BY', 'hours_per_priority': {'1': '24/7'}}
    >>> calendar_params({"hours": "9 to 5"})
    Traceback (most recent call last):
    ...
    ssc_mining.errors.ConfigError: [calendar] hours: working hours (hours): '9 to 5' is not a time span
      What to do: write hours as "08:00-17:00" (optionally followed by days, e.g. "07:00-19:00 mon-sat") or "24/7"
    """
    unknown = sorted(set(table) - set(PARAMS))
    if unknown:
        raise ConfigError(f"unknown key(s) {unknown} in [calendar]", path=path,
                          hint="known keys: " + ", ".join(PARAMS) + " (and the table [calendar.priority])")
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key == "priority":
            if not isinstance(value, Mapping):
                raise ConfigError("[calendar] priority must be a table", path=path,
                                  hint='write [calendar.priority] with lines such as "1" = "24/7"')
            value = {str(k): v for k, v in value.items()}
            bad = [k for k, v in value.items() if not isinstance(v, str)]
        else:
            bad = [key] if not isinstance(value, str) else []
        if bad:
            raise ConfigError(f"[calendar] {key}: {bad[0]!r} must be text in quotes", path=path,
                              hint='e.g. country = "NL", hours = "08:00-17:00", "1" = "24/7"')
        out[PARAMS[key]] = value
        try:
            alone = {PARAMS[key]: value}
            if key == "subdivision":  # a subdivision belongs to its country
                alone["holidays_country"] = table.get("country", DEFAULT_COUNTRY)
            BusinessCalendar.from_params(alone)
        except ConfigError as err:
            raise ConfigError(f"[calendar] {key}: {err.problem}", path=path, hint=err.hint) from None
    return out


def with_calendar(analysers: Sequence[Any], params: Mapping[str, Any],
                  explicit: Iterable[str] = ()) -> list[Any]:
    """``analysers`` with the calendar parameters set on those that have them, except ``ANALYSER.NAME`` in
    ``explicit`` (given with ``--param``, which wins)."""
    given = set(explicit)
    out = []
    for analyser in analysers:
        defaults = analyser.param_defaults()
        update = {k: v for k, v in params.items() if k in defaults and f"{analyser.name}.{k}" not in given}
        out.append(dataclasses.replace(analyser, **update) if update else analyser)
    return out


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
