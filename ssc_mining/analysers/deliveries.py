"""Late deliveries (the Christmas tree) and SLA compliance, with the watermelon view.

Definitions (per case; times in the log are UTC, business time is counted in ``timezone``):

* **registration**: the case's first event. **Completion**: the event that begins the case's final
  state — resolved, closed, cancelled, or returned to the requester and never submitted again (roles and
  states from :mod:`ssc_mining.semantics`; a log in which nothing means resolved counts each case's
  last event). A case that did not end is **open**. With ``complete_only`` (the default) cases whose
  registration is not in the export are left out and counted.
* **delivered**: the case's last event with the role *deliver* (*Deliver*, *Leveren*, …), else its
  completion; an open case without a delivery event is not delivered.
* **need-by date** (``need_by_column``): delivered at or before it is **on time**. A late case is
  **asked too late** when the **lead time given** (registration → need-by date) is shorter than the
  category's **norm** (``norm_hours`` per category, else the median processing time registration →
  delivery of the category's delivered cases), otherwise **SSC too slow**. Not delivered and past the
  need-by date at ``as_of``: **open, late**; not delivered and not yet due: **open**. How late:
  delivery − need-by date in calendar days.
* **SLA target**: ``sla_hours`` for the case's category (key ``"*"`` for all others), else the time from
  registration to the due date (``due_column``, e.g. TOPdesk *Streefdatum*). **SLA time**: with
  ``sla_clock_stops`` the time from registration during which the ticket was neither waiting (see
  :mod:`~ssc_mining.analysers.waiting`) nor resolved (ServiceNow-style clock), else registration →
  completion. **SLA met** when the SLA time ≤ target; an open case is *breached* once its SLA time up
  to ``as_of`` exceeds the target, else *pending*. A due date before registration is an *invalid target*.
* With ``business_hours`` all these durations (lead time, norm, target, SLA time) are business time
  (:class:`~ssc_mining.business_calendar.BusinessCalendar`): by default 08:00–17:00 Europe/Amsterdam,
  Monday to Friday, without the Dutch public holidays; ``holidays_country`` / ``holidays_subdivision``,
  ``working_hours``, ``working_days`` and ``hours_per_priority`` (e.g. ``{"1": "24/7"}``, matched against
  the case's priority) change it, also from the mapping file's ``[calendar]`` table. Else calendar time.
* **Watermelon**: a case with a need-by date whose SLA was met but whose need-by date was missed;
  the **reverse**: SLA breached but need-by date met. ``watermelon_share`` = watermelons / cases with a
  need-by date.
* **Reconciliation**: where the export carries the system's own verdict (``case:ssc:made_sla``), cases
  whose mined verdict differs are listed.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> t = pd.to_datetime(["2024-12-02 09:00", "2024-12-02 10:00", "2024-12-30 10:00"], utc=True)
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["tree"] * 3,
    ...     "concept:name": ["Register", "Order", "Deliver"], "time:timestamp": t,
    ...     "case:ssc:need_by": pd.Timestamp("2024-12-20 16:00", tz="UTC"),
    ...     "case:ssc:category": "Purchase"}))
    >>> pc = Deliveries(norm_hours={"Purchase": 80}).per_case(log)
    >>> pc.loc["tree", "late_class"], round(float(pc.loc["tree", "days_late"]), 2)
    ('ssc_too_slow', 9.75)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.business_calendar import (
    DEFAULT_COUNTRY,
    DEFAULT_DAYS,
    DEFAULT_HOURS,
    TIMEZONE,
    BusinessCalendar,
    priority_keys,
    real_minutes_between,
)
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Finding, Item, Metric, Result, Table
from ssc_mining.results.items import MetricBasis, Severity
from ssc_mining.semantics.roles import Role, State

LATE_CLASSES = ("on_time", "asked_too_late", "ssc_too_slow", "open_late", "open")
SLA_STATUSES = ("met", "breached", "pending", "no target", "invalid target")


def _as_times(values: pd.Series) -> pd.Series:
    """A column of points in time as tz-aware UTC (text is parsed; unreadable values become NaT)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize("UTC")
    try:
        return pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    except (ValueError, TypeError):
        return pd.to_datetime(values, utc=True, errors="coerce", format="mixed")


def _per_category(categories: pd.Series, table: dict[str, float]) -> np.ndarray:
    """``table[category]`` per case (key ``"*"`` for unlisted categories; NaN when neither); a loop over labels."""
    if not table:
        return np.full(len(categories), np.nan)
    hours = {str(k): float(v) for k, v in table.items()}
    codes, labels = pd.factorize(categories.astype(object), sort=False)
    fallback = hours.get("*", np.nan)
    per_label = np.array([hours.get(str(label), fallback) for label in labels] + [fallback], dtype=float)
    return per_label[codes]


def _truthy(values: pd.Series) -> pd.Series:
    """A verdict column (bool, 'true'/'false', 'ja'/'nee', 1/0) as nullable boolean."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    text = values.astype("string").str.strip().str.casefold()
    mapping = {"true": True, "1": True, "yes": True, "ja": True, "y": True, "j": True, "t": True,
               "false": False, "0": False, "no": False, "nee": False, "n": False, "f": False}
    return text.map(mapping).astype("boolean")


#: helper columns of a part, used by :meth:`Deliveries.combine` and not in the per-case table
_STARTED = "registered_in_export"
_DUE_MINUTES, _ELAPSED, _STILL, _CLOCK_LAST, _ORDER = ("due_minutes", "sla_elapsed_to_last_event",
                                                       "sla_clock_running_at_end", "sla_clock_at_last_event", "order")


@dataclass(frozen=True)
class _Part:
    """A partition's share of the deliveries figures: one row per ticket, and its latest event."""

    #: per ticket: times (registered, completed, delivered, need-by, due), groups, business minutes (lead time
    #: given, processing, SLA target from the due date, SLA time up to the last event, clock at it and whether it
    #: still runs), the system's SLA verdict, registered in the export or not, order
    cases: pd.DataFrame
    last_event: Any   #: the partition's latest event time (the default ``as_of`` is the whole log's)
    timezone: str | None   #: the zone the part was computed in (the log's when the analyser left it open)


@dataclass(frozen=True, kw_only=True)
class Deliveries(Analyser):
    """Late deliveries split into "asked too late" and "SSC too slow"; SLA compliance; the watermelon view."""

    name = "deliveries"
    title = {"en": "Late deliveries and SLA", "nl": "Te late leveringen en SLA"}
    description = {"en": "Delivered by the date it was needed? Late because it was asked too late or because the "
                         "SSC was too slow; SLA compliance and the tickets that met the SLA but missed the need-by "
                         "date.",
                   "nl": "Op tijd geleverd voor de datum waarop het nodig was? Te laat omdat het te laat gevraagd "
                         "was of omdat het SSC te traag was; het halen van de SLA, en meldingen die de SLA haalden "
                         "maar de gewenste leverdatum misten."}
    uses = (C.NEED_BY, C.DUE, C.CATEGORY, C.MOTHER, C.PRIORITY, C.TEAM, C.STATUS, C.MADE_SLA)
    definitions = {
        "cases": N_("the tickets registered inside the export (all tickets with --include-incomplete)"),
        "cases_left_out": N_("tickets whose registration is not in the export: they began before it"),
        "cases_with_need_by": N_("tickets that say by when the requester needs the result"),
        "on_time": N_("tickets with a need-by date delivered on or before it"),
        "late_share": N_("tickets delivered after their need-by date, or still open past it, out of the tickets "
                         "with a need-by date"),
        "asked_too_late_share": N_("late tickets that were asked with less lead time than the SSC normally needs "
                                   "for their category, out of the tickets with a need-by date"),
        "ssc_too_slow_share": N_("late tickets whose requester gave at least the usual lead time, out of the "
                                 "tickets with a need-by date"),
        "open_late": N_("tickets still open at the end of the export and past their need-by date"),
        "median_days_late": N_("half of the late deliveries came at most this many days after the need-by date"),
        "max_days_late": N_("the latest delivery: days after its need-by date"),
        "cases_with_sla_verdict": N_("tickets with an SLA target that were finished, or that are open and already "
                                     "past it"),
        "sla_compliance": N_("tickets that met their SLA target, out of the tickets with an SLA verdict"),
        "sla_pending": N_("open tickets still within their SLA target"),
        "sla_no_target": N_("tickets without an SLA target"),
        "watermelon": N_("tickets that met their SLA target but were delivered after the need-by date (green "
                         "outside, red inside)"),
        "watermelon_share": N_("tickets that met their SLA but missed the need-by date, out of the tickets with a "
                               "need-by date"),
        "reverse_watermelon": N_("tickets that missed their SLA target but were delivered by the need-by date"),
        "sla_compared": N_("tickets with both the ticket system's own SLA verdict and the one worked out here"),
        "sla_differences": N_("tickets where the SLA verdict worked out here differs from the ticket system's own"),
    }

    #: column with the date by which the requester needs the result
    need_by_column: str = C.NEED_BY
    #: column with the ticket system's target date (SLA)
    due_column: str = C.DUE
    #: norm lead time per category, in hours (business hours when ``business_hours``); default: the median
    norm_hours: dict[str, float] = field(default_factory=dict)
    #: SLA target per category in hours (``"*"``: every other category); default: the due date in the data
    sla_hours: dict[str, float] = field(default_factory=dict)
    #: count lead times, norms and SLA time in business hours (the working hours below, public holidays off)
    business_hours: bool = True
    #: country whose public holidays are days off (ISO code known to the ``holidays`` package: NL, BE, DE, …)
    holidays_country: str = DEFAULT_COUNTRY
    #: region of that country with its own holidays (e.g. ``BY`` for Bavaria); empty: the national ones
    holidays_subdivision: str = ""
    #: working hours ``"HH:MM-HH:MM"``, or ``"24/7"``
    working_hours: str = DEFAULT_HOURS
    #: working days, e.g. ``"mon-fri"``
    working_days: str = DEFAULT_DAYS
    #: other working hours per priority value, e.g. ``{"1": "24/7"}`` or ``{"2": "07:00-22:00 mon-sat"}``
    hours_per_priority: dict[str, str] = field(default_factory=dict)
    #: zone of the working day
    #: zone of months, weeks and working hours; None: the run's (the log's zone)
    timezone: str | None = None
    #: the SLA clock stops while the ticket waits and once it is resolved
    sla_clock_stops: bool = True
    #: moment at which open cases are judged (ISO date-time); default: the last event in the log
    as_of: str | None = None
    #: leave out cases whose registration is not in the export (see :mod:`ssc_mining.semantics.markers`)
    complete_only: bool = True
    #: rows in the per-case tables
    max_rows: int = 500

    def __post_init__(self) -> None:
        """Checks the calendar parameters at once: a ConfigError names the wrong one."""
        self.calendar.describe()

    # -- computation -----------------------------------------------------------------------------------------
    @property
    def calendar(self) -> BusinessCalendar:
        """The working time business hours are counted in (raises ConfigError for a value it cannot use)."""
        return BusinessCalendar(country=self.holidays_country, subdivision=self.holidays_subdivision,
                                timezone=self.timezone or TIMEZONE, hours=self.working_hours,
                                days=self.working_days,
                                per_priority=self.hours_per_priority)

    def _minutes(self, start: pd.Series, end: pd.Series, priority: pd.Series | None = None) -> np.ndarray:
        if self.business_hours:
            return self.calendar.minutes_between(start, end, priority)
        return real_minutes_between(start, end)

    def _as_of(self, last_event: Any) -> pd.Timestamp:
        """The moment open cases are judged at: ``as_of``, else ``last_event`` (the log's last event)."""
        if self.as_of:
            moment = pd.Timestamp(self.as_of)
            return moment.tz_localize(self.timezone).tz_convert("UTC") if moment.tzinfo is None else \
                moment.tz_convert("UTC")
        return last_event

    def partial(self, log: EventLog) -> _Part:
        """The tickets of ``log`` (a partition of whole tickets): the per-ticket times and business minutes that
        need its events; whatever compares tickets (the norm) or depends on ``as_of`` is left to :meth:`combine`."""
        if self.timezone is None:  # the run's zone: the log's when run on its own
            return self.for_log(log).partial(log)
        return self._rows(log)

    def _rows(self, log: EventLog) -> _Part:
        frame, index, m = log.frame, log.cases, log.markers
        if m.endings_known:
            done = m.done()
            ended_idx = m.ended_at(index)
            open_ = ~m.ended
        else:  # nothing in the log means resolved: every case counts as finished at its last event
            done = np.zeros(len(frame), dtype=bool)
            done[index.last] = True
            ended_idx = index.last.copy()
            open_ = np.zeros(index.n, dtype=bool)
        # the SLA clock also stops while a returned request is with the requester
        waiting = m.waiting() | (m.state == int(State.RETURNED))
        completion_idx = np.where(open_, -1, ended_idx)
        delivery_idx = index.last_where(m.has(Role.DELIVER))
        delivery_idx = np.where(delivery_idx >= 0, delivery_idx, completion_idx)
        n = len(frame)
        ts = frame[C.TIMESTAMP].reset_index(drop=True)

        def at(idx: np.ndarray) -> pd.Series:
            out = ts.iloc[np.maximum(idx, 0)].reset_index(drop=True)
            return out.where(pd.Series(idx >= 0))

        registered = ts.iloc[index.first].reset_index(drop=True)
        completed, delivered = at(completion_idx), at(delivery_idx)
        pc = pd.DataFrame({"registered": registered, "completed": completed, "open": open_,
                           "delivered": delivered})
        for key, column in (("category", C.CATEGORY), ("mother", C.MOTHER), ("priority", C.PRIORITY)):
            pc[key] = index.case_first(frame[column]).to_numpy() if column in frame.columns else None
        if C.TEAM in frame.columns:
            team_idx = np.where(completion_idx >= 0, completion_idx, index.last)
            pc["team"] = frame[C.TEAM].array.take(team_idx) if index.n else []
        else:
            pc["team"] = None
        has_need = self.need_by_column in frame.columns and frame[self.need_by_column].notna().any()
        has_due = self.due_column in frame.columns and frame[self.due_column].notna().any()
        need_by = index.case_first(frame[self.need_by_column]).reset_index(drop=True) if has_need else None
        pc["need_by"] = _as_times(need_by) if need_by is not None else \
            pd.Series(pd.NaT, index=pc.index, dtype="datetime64[us, UTC]")
        pc["due"] = _as_times(index.case_first(frame[self.due_column]).reset_index(drop=True)) if has_due else \
            pd.Series(pd.NaT, index=pc.index, dtype="datetime64[us, UTC]")
        priority = pc["priority"] if self.hours_per_priority else None
        pc["lead_given_minutes"] = self._minutes(pc["registered"], pc["need_by"], priority)
        pc["processing_minutes"] = self._minutes(pc["registered"], pc["delivered"], priority)
        pc[_DUE_MINUTES] = self._minutes(pc["registered"], pc["due"], priority)
        # SLA time up to the last event; combine adds the time of open tickets up to as_of
        if self.sla_clock_stops:
            per_event = pc["priority"].to_numpy()[index.codes] if priority is not None else None
            clock = self.calendar.clock(frame[C.TIMESTAMP], per_event) if self.business_hours else \
                index.seconds / 60.0
            step = np.zeros(n)
            if n > 1:
                step[:-1] = np.diff(clock)
            running = ~done & ~waiting & index.same_next()
            elapsed = index.per_case(np.where(running, step, 0.0)) if index.n else np.zeros(0)
            last = index.last
            pc[_ELAPSED] = elapsed
            pc[_STILL] = open_ & ~done[last] & ~waiting[last]
            pc[_CLOCK_LAST] = clock[last] if index.n else np.zeros(0)
        else:  # registration → completion; combine counts to as_of where there is no completion
            pc[_ELAPSED] = self._minutes(pc["registered"], pc["completed"], priority)
        if log.has(C.MADE_SLA):
            pc["made_sla"] = _truthy(index.case_first(frame[C.MADE_SLA]).reset_index(drop=True)).to_numpy() \
                if C.MADE_SLA in frame.columns else pd.array([pd.NA] * index.n, dtype="boolean")
        pc[_STARTED] = m.started   # left out or not is decided in _finish, with the log's facts
        pc[_ORDER] = case_order(log)
        pc.index = index.ids
        return _Part(cases=pc, last_event=frame[C.TIMESTAMP].max(), timezone=self.timezone)

    def _compute(self, log: EventLog) -> tuple[pd.DataFrame, dict[str, Any]]:
        return self._finish([self._rows(log)], LogFacts.of(log))

    def _finish(self, parts: Sequence[_Part], facts: LogFacts) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The per-case table of the log made of ``parts``: norms, classes and SLA verdicts over all its tickets."""
        pc = parts[0].cases if len(parts) == 1 else in_log_order(
            pd.concat([p.cases for p in parts]), np.concatenate([p.cases[_ORDER].to_numpy() for p in parts]))
        ids = pc.index
        pc = pc.reset_index(drop=True)
        n_cases = len(pc)
        known = [p.last_event for p in parts if pd.notna(p.last_event)]
        as_of = self._as_of(max(known) if known else pd.NaT)
        info: dict[str, Any] = {"endings_known": facts.endings_known, "as_of": as_of}
        info["has_need_by"], info["has_due"] = bool(pc["need_by"].notna().any()), bool(pc["due"].notna().any())
        open_ = pc["open"].to_numpy(dtype=bool)
        helpers = [_DUE_MINUTES, _ELAPSED, _STILL, _CLOCK_LAST, "made_sla", _STARTED, _ORDER]
        extra = {key: pc.pop(key) for key in helpers if key in pc.columns}

        # -- need-by: lead time, norm, class -----------------------------------------------------------
        priority = pc["priority"] if self.hours_per_priority else None
        norm_default = pc.groupby(pc["category"].fillna(""), sort=False)["processing_minutes"].transform("median")
        configured = pd.Series(_per_category(pc["category"], self.norm_hours) * 60, index=pc.index)
        pc["norm_minutes"] = configured.astype(float).where(configured.notna(), norm_default)
        pc["norm_source"] = np.where(configured.notna(), "table", np.where(norm_default.notna(), "median", ""))
        need = pc["need_by"].notna().to_numpy()
        delivered_ok = pc["delivered"].notna().to_numpy()
        on_time = delivered_ok & (pc["delivered"] <= pc["need_by"]).fillna(False).to_numpy()
        late_delivered = delivered_ok & need & ~on_time
        short = (pc["lead_given_minutes"] < pc["norm_minutes"]).fillna(False).to_numpy()
        open_late = need & ~delivered_ok & (pc["need_by"] < as_of).fillna(False).to_numpy()
        cls = np.full(n_cases, "", dtype=object)
        cls[need & ~delivered_ok] = "open"
        cls[open_late] = "open_late"
        cls[need & on_time] = "on_time"
        cls[late_delivered & short] = "asked_too_late"
        cls[late_delivered & ~short] = "ssc_too_slow"
        pc["late_class"] = cls
        pc["days_late"] = ((pc["delivered"] - pc["need_by"]).dt.total_seconds() / 86400).where(
            pd.Series(late_delivered))
        pc["need_met"] = pd.array(np.where(need & (delivered_ok | open_late), on_time, pd.NA), dtype="boolean")
        pc["need_by_before_registration"] = (pc["need_by"] < pc["registered"]).fillna(False)

        # -- SLA ----------------------------------------------------------------------------------------
        target = pd.Series(np.nan, index=pc.index)
        source = np.full(n_cases, "", dtype=object)
        if self.sla_hours:
            target = pd.Series(_per_category(pc["category"], self.sla_hours) * 60, index=pc.index)
            source[target.notna().to_numpy()] = "table"
        from_due = extra[_DUE_MINUTES].to_numpy(dtype=float)
        use_due = target.isna().to_numpy() & ~np.isnan(from_due)
        target[use_due] = from_due[use_due]
        source[use_due] = "due"
        pc["sla_target_minutes"] = target
        pc["sla_target_source"] = source
        elapsed = extra[_ELAPSED].to_numpy(dtype=float)
        if self.sla_clock_stops:
            still = extra[_STILL].to_numpy(dtype=bool)
            end_clock = self.calendar.clock(pd.DatetimeIndex([as_of]).repeat(n_cases), priority) \
                if self.business_hours else as_of.value / 6e10 if pd.notna(as_of) else np.nan
            tail = end_clock - extra[_CLOCK_LAST].to_numpy(dtype=float) if n_cases else np.zeros(0)
            elapsed = elapsed + np.where(still, np.maximum(tail, 0), 0.0)
        else:
            unended = pc["completed"].isna().to_numpy()
            if unended.any():
                elapsed = elapsed.copy()
                elapsed[unended] = self._minutes(
                    pc["registered"][unended], pd.Series(as_of, index=pc.index[unended]),
                    priority[unended] if priority is not None else None)
        pc["sla_elapsed_minutes"] = elapsed
        invalid = (target < 0).to_numpy()
        has_target = target.notna().to_numpy() & ~invalid
        over = has_target & (elapsed > target.fillna(np.inf).to_numpy())
        status = np.full(n_cases, "no target", dtype=object)
        status[invalid] = "invalid target"
        status[has_target & ~open_ & ~over] = "met"
        status[has_target & over] = "breached"
        status[has_target & open_ & ~over] = "pending"
        pc["sla_status"] = status
        verdict = np.isin(status, ("met", "breached"))
        pc["sla_met"] = pd.array(np.where(verdict, status == "met", pd.NA), dtype="boolean")
        met = status == "met"
        missed_need = np.isin(cls, ("asked_too_late", "ssc_too_slow", "open_late"))
        pc["watermelon"] = need & met & missed_need
        pc["reverse_watermelon"] = need & (status == "breached") & (cls == "on_time")
        if "made_sla" in extra:
            pc["made_sla"] = extra["made_sla"].to_numpy()
            pc["sla_differs"] = (pc["made_sla"].notna() & pc["sla_met"].notna()
                                 & (pc["made_sla"] != pc["sla_met"])).fillna(False).astype(bool)
        # registered before the export began: judged when most tickets of the log begin with a registration
        started = extra[_STARTED].to_numpy(dtype=bool)
        pc["left_out"] = ~started if self.complete_only and facts.starts_known else np.zeros(n_cases, dtype=bool)
        pc.index = ids
        return pc, info

    def pinned(self, log: EventLog) -> Deliveries:
        """A copy whose norms are this log's medians for the categories without a configured norm."""
        if self.timezone is None:
            return self.for_log(log).pinned(log)  # type: ignore[return-value]
        return self._with_norms(self.per_case(log))

    def pinned_of_parts(self, parts: Sequence[_Part], facts: LogFacts) -> Deliveries:
        """:meth:`pinned` of the log made of ``parts``: the medians over all of its tickets."""
        if self.timezone is None and parts and parts[0].timezone is not None:  # the zone the parts were made in
            return dataclasses.replace(self, timezone=parts[0].timezone).pinned_of_parts(parts, facts)
        return self._with_norms(self._finish(parts, facts)[0])

    def _with_norms(self, pc: pd.DataFrame) -> Deliveries:
        """A copy whose norms are those of the per-case table ``pc`` for the categories without a configured one."""
        norms = (pc.dropna(subset=["category"]).groupby("category")["norm_minutes"].first() / 60).dropna()
        return dataclasses.replace(self, norm_hours={**{str(k): float(v) for k, v in norms.items()},
                                                     **self.norm_hours})

    def per_case(self, log: EventLog) -> pd.DataFrame:
        """One row per case with every intermediate figure (see the module's definitions)."""
        return self._compute(log)[0]

    def case_values(self, log: EventLog) -> pd.DataFrame:
        """Per-case values behind the metrics (for comparisons between segments)."""
        if self.timezone is None:
            return self.for_log(log).case_values(log)
        return self._values(self.per_case(log))

    def case_values_of_parts(self, parts: Sequence[_Part], facts: LogFacts) -> pd.DataFrame:
        """:meth:`case_values` of the log made of ``parts``."""
        if self.timezone is None and parts and parts[0].timezone is not None:  # the zone the parts were made in
            return dataclasses.replace(self, timezone=parts[0].timezone).case_values_of_parts(parts, facts)
        return self._values(self._finish(parts, facts)[0])

    @staticmethod
    def _values(pc: pd.DataFrame) -> pd.DataFrame:
        pc = pc[~pc["left_out"].to_numpy(dtype=bool)]
        need = pc["late_class"] != ""
        late = pc["late_class"].isin(["asked_too_late", "ssc_too_slow", "open_late"])
        return pd.DataFrame({
            "late_share": late.where(need), "asked_too_late_share": (pc["late_class"] == "asked_too_late").where(need),
            "ssc_too_slow_share": (pc["late_class"] == "ssc_too_slow").where(need),
            "sla_compliance": pc["sla_met"].astype(object).where(pc["sla_met"].notna()),
            "watermelon_share": pc["watermelon"].where(need), "median_days_late": pc["days_late"]})

    # -- result ----------------------------------------------------------------------------------------------
    def analyse(self, log: EventLog) -> Result:
        if self.timezone is None:  # the run's zone: the log's when run on its own
            return self.for_log(log).analyse(log)
        return self.combine([self.partial(log)], LogFacts.of(log))

    def combine(self, parts: Sequence[_Part], facts: LogFacts) -> Result:
        if self.timezone is None and parts and parts[0].timezone is not None:  # the zone the parts were made in
            return dataclasses.replace(self, timezone=parts[0].timezone).combine(parts, facts)
        pc, info = self._finish(parts, facts)
        left_out = int(pc["left_out"].sum())
        pc = pc[~pc["left_out"].to_numpy(dtype=bool)]
        items: list[Item] = [Metric("cases", _("Tickets"), len(pc), unit="cases")]
        caveats: list[str] = []
        if left_out:
            items.append(Metric("cases_left_out", _("Tickets left out: registered before the export began"), left_out,
                                unit="cases"))
            caveats.append(ngettext("%(n)s ticket is left out because its registration is not in the export (it "
                                    "began before it); run with --include-incomplete to count it.",
                                    "%(n)s tickets are left out because their registration is not in the export "
                                    "(they began before it); run with --include-incomplete to count them.", left_out)
                           % {"n": format_number(left_out)})
        need = pc["late_class"] != ""
        n_need = int(need.sum())
        counts = pc.loc[need, "late_class"].value_counts()
        count = lambda k: int(counts.get(k, 0))  # noqa: E731
        late = count("asked_too_late") + count("ssc_too_slow") + count("open_late")
        share = lambda x, d: round(x / d, 4) if d else None  # noqa: E731
        need_by = ngettext("%(n)s ticket with a need-by date", "%(n)s tickets with a need-by date", n_need) \
            % {"n": format_number(n_need)}
        days_late = pc["days_late"].dropna()
        on_late: MetricBasis = {"base": int(len(days_late)),
                                "based_on": ngettext("%(n)s late delivery", "%(n)s late deliveries", len(days_late))
                                % {"n": format_number(len(days_late))}}
        labels = {"late_share": _("Share late (of tickets with a need-by date)"),
                  "asked_too_late_share": _("Share late because asked too late"),
                  "ssc_too_slow_share": _("Share late because the SSC was too slow"),
                  "median_days_late": _("Median days late (late deliveries)"),
                  "sla_compliance": _("SLA met"),
                  "watermelon_share": _("Share of tickets with a need-by date: SLA met, need missed")}
        no_need = _("the export has no date by which the requester needs the result")
        no_target = _("the export has no SLA target date and no SLA targets were given")
        if not info["has_need_by"]:
            caveats.append(_("A need-by column is often called 'Gewenste leverdatum', 'Wensdatum' or 'need by'; when "
                             "the export has one under another name, name it with --need-by."))
        if not (info["has_due"] or self.sla_hours):
            caveats.append(_("An SLA target date is often called 'Streefdatum' or 'due'; when the export has none, "
                             "SLA targets per priority can be given in a configuration file (sla_hours)."))
        if info["has_need_by"]:
            items += [
                Metric("cases_with_need_by", _("Tickets with a need-by date"), n_need, unit="cases"),
                Metric("on_time", _("Delivered on time"), count("on_time"), unit="cases", base=n_need,
                       based_on=need_by),
                Metric("late_share", labels["late_share"], share(late, n_need), unit="share", based_on=need_by,
                       base=n_need),
                Metric("asked_too_late_share", labels["asked_too_late_share"],
                       share(count("asked_too_late"), n_need), unit="share", based_on=need_by, base=n_need),
                Metric("ssc_too_slow_share", labels["ssc_too_slow_share"],
                       share(count("ssc_too_slow"), n_need), unit="share", based_on=need_by, base=n_need),
                Metric("open_late", _("Open and past the need-by date"), count("open_late"), unit="cases",
                       base=n_need, based_on=need_by),
                Metric("median_days_late", labels["median_days_late"],
                       round(float(days_late.median()), 3) if len(days_late) else None,
                       unit="days", reason="" if len(days_late) else _("no delivery was late"), **on_late),
                Metric("max_days_late", _("Latest delivery (days after the need-by date)"),
                       round(float(days_late.max()), 3) if len(days_late) else None,
                       unit="days", reason="" if len(days_late) else _("no delivery was late"), **on_late),
            ]
        else:
            items += [Metric.not_measured(k, labels[k], no_need, unit="days" if k == "median_days_late" else "share")
                      for k in ("late_share", "asked_too_late_share", "ssc_too_slow_share", "median_days_late")]
        verdicts = pc["sla_met"].dropna()
        n_water = int(pc["watermelon"].sum())
        has_target = info["has_due"] or bool(self.sla_hours)
        if has_target:
            items += [
                Metric("cases_with_sla_verdict", _("Tickets with an SLA verdict"), int(len(verdicts)), unit="cases"),
                Metric("sla_compliance", labels["sla_compliance"],
                       round(float(verdicts.mean()), 4) if len(verdicts) else None, unit="share", base=len(verdicts),
                       based_on=ngettext("%(n)s ticket with an SLA verdict", "%(n)s tickets with an SLA verdict",
                                         len(verdicts)) % {"n": format_number(len(verdicts))}),
                Metric("sla_pending", _("Open tickets still within their SLA"),
                       int((pc["sla_status"] == "pending").sum()), unit="cases"),
                Metric("sla_no_target", _("Tickets without an SLA target"),
                       int((pc["sla_status"] == "no target").sum()), unit="cases"),
            ]
        else:
            items.append(Metric.not_measured("sla_compliance", labels["sla_compliance"], no_target, unit="share"))
        if info["has_need_by"] and has_target:
            items += [
                Metric("watermelon", _("SLA met, need missed"), n_water, unit="cases", base=n_need,
                       based_on=need_by),
                Metric("watermelon_share", labels["watermelon_share"], share(n_water, n_need), unit="share",
                       based_on=need_by, base=n_need),
                Metric("reverse_watermelon", _("SLA missed, need met"), int(pc["reverse_watermelon"].sum()),
                       unit="cases", base=n_need, based_on=need_by),
            ]
        else:
            items.append(Metric.not_measured("watermelon_share", labels["watermelon_share"],
                                             no_need if not info["has_need_by"] else no_target, unit="share"))
        if not info["has_need_by"] and not has_target:
            return self.result(summary=_("Late deliveries and SLA are not measured: %(why)s; and %(target)s.")
                               % {"why": no_need, "target": no_target}, items=items, caveats=caveats)
        severity: Severity
        for key, one, many, severity in (
                ("asked_too_late", N_("%(n)s ticket was late because it was asked with less lead time than the SSC "
                                      "normally needs."),
                 N_("%(n)s tickets were late because they were asked with less lead time than the SSC normally "
                    "needs."), "notice"),
                ("ssc_too_slow", N_("%(n)s ticket was late although the requester gave enough lead time."),
                 N_("%(n)s tickets were late although the requester gave enough lead time."), "warning")):
            ids = pc.index[pc["late_class"] == key]
            if len(ids):
                items.append(Finding(key, severity, ngettext(one, many, len(ids)) % {"n": format_number(len(ids))},
                                     case_ids=[str(c) for c in ids], count=int(len(ids))))
        if n_water:
            ids = pc.index[pc["watermelon"]]
            items.append(Finding("watermelons", "warning",
                                 ngettext("%(n)s ticket met its SLA but missed the date it was needed by (green "
                                          "outside, red inside).",
                                          "%(n)s tickets met their SLA but missed the date they were needed by (green "
                                          "outside, red inside).", n_water) % {"n": format_number(n_water)},
                                 case_ids=[str(c) for c in ids], count=n_water))
        bad_need = pc.index[pc["need_by_before_registration"]]
        if len(bad_need):
            items.append(Finding("need_by_before_registration", "notice",
                                 ngettext("%(n)s ticket has a need-by date before it was registered; it counts as "
                                          "asked too late when late.",
                                          "%(n)s tickets have a need-by date before they were registered; they count "
                                          "as asked too late when late.", len(bad_need))
                                 % {"n": format_number(len(bad_need))},
                                 case_ids=[str(c) for c in bad_need], count=int(len(bad_need))))
        invalid = pc.index[pc["sla_status"] == "invalid target"]
        if len(invalid):
            items.append(Finding("due_before_registration", "notice",
                                 ngettext("%(n)s ticket has an SLA target date before it was registered; it is left "
                                          "out of SLA compliance.",
                                          "%(n)s tickets have an SLA target date before they were registered; they are "
                                          "left out of SLA compliance.", len(invalid))
                                 % {"n": format_number(len(invalid))},
                                 case_ids=[str(c) for c in invalid], count=int(len(invalid))))
        items += self._group_tables(pc, need)
        if late:
            rows = pc[pc["late_class"].isin(["asked_too_late", "ssc_too_slow", "open_late"])]
            rows = rows.sort_values("days_late", ascending=False, kind="stable").head(self.max_rows)
            tz = self.timezone
            table = pd.DataFrame({
                "case": rows.index.astype(str), "category": rows["category"].to_numpy(),
                "mother": rows["mother"].to_numpy(),
                "need_by": rows["need_by"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
                "delivered": rows["delivered"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
                "days_late": rows["days_late"].round(2).to_numpy(),
                "lead_given_hours": (rows["lead_given_minutes"] / 60).round(1).to_numpy(),
                "norm_hours": (rows["norm_minutes"] / 60).round(1).to_numpy(),
                "class": rows["late_class"].map(self._class_label).to_numpy()})
            items.append(Table.from_frame(
                "late_cases", _("Late deliveries"), table,
                labels={"case": _("ticket"), "category": _("category"), "mother": _("mother organisation"),
                        "need_by": _("needed by"), "delivered": _("delivered"), "days_late": _("days late"),
                        "lead_given_hours": _("lead time given (hours)"), "norm_hours": _("norm (hours)"),
                        "class": _("why late")},
                units={"days_late": "days", "lead_given_hours": "hours", "norm_hours": "hours"}))
        if C.MADE_SLA in facts.with_values and "sla_differs" in pc.columns:
            compared = pc["made_sla"].notna() & pc["sla_met"].notna()
            differs = pc[pc["sla_differs"]]
            items += [Metric("sla_compared", _("Tickets with both the system's and the measured SLA verdict"),
                             int(compared.sum()), unit="cases"),
                      Metric("sla_differences", _("Tickets where the measured SLA verdict differs from the system's"),
                             int(len(differs)), unit="cases")]
            if len(differs):
                diff_table = pd.DataFrame({
                    "case": differs.index.astype(str)[: self.max_rows],
                    "system": differs["made_sla"].astype(object).to_numpy()[: self.max_rows],
                    "mined": differs["sla_met"].astype(object).to_numpy()[: self.max_rows],
                    "target_hours": (differs["sla_target_minutes"] / 60).round(2).to_numpy()[: self.max_rows],
                    "elapsed_hours": (differs["sla_elapsed_minutes"] / 60).round(2).to_numpy()[: self.max_rows]})
                items.append(Table.from_frame(
                    "sla_differences_list", _("Tickets where the system's SLA verdict differs from the measured one"),
                    diff_table, labels={"case": _("ticket"), "system": _("system: SLA met"),
                                        "mined": _("measured: SLA met"), "target_hours": _("target (hours)"),
                                        "elapsed_hours": _("SLA time (hours)")},
                    units={"target_hours": "hours", "elapsed_hours": "hours"}))
                items.append(Finding("sla_reconciliation", "notice",
                                     _("For %(n)s tickets the measured SLA verdict differs from the ticket system's "
                                       "own.") % {"n": format_number(len(differs))},
                                     case_ids=[str(c) for c in differs.index],
                                     count=int(len(differs))))
        caveats.append(_("Lead times, norms and SLA time are counted in business hours: %(rule)s.")
                       % {"rule": self.calendar.describe()} if self.business_hours else
                       _("Lead times, norms and SLA time are counted in calendar hours (nights and weekends "
                         "included)."))
        if self.business_hours and self.hours_per_priority:
            present = set(priority_keys(pc["priority"].dropna()))
            unused = [k for k in self.hours_per_priority if priority_keys([k]).iloc[0] not in present]
            if unused:
                caveats.append(_("No ticket has the priority %(values)s named in the working hours per priority; "
                                 "check how the priorities are written in the export.")
                               % {"values": ", ".join(unused)})
        if n_need:
            caveats.append(_("The norm lead time is the configured table for the categories it lists and otherwise "
                             "the median time from registration to delivery of the category's delivered tickets.")
                           if self.norm_hours else
                           _("The norm lead time of a category is the median time from registration to delivery "
                             "of its delivered tickets."))
        if self.sla_clock_stops:
            caveats.append(_("The SLA clock stops while a ticket waits, while a returned request is with the "
                             "requester, and once it is resolved (from the activities and statuses read as such; see "
                             "\"How activities were read\")."))
        if not info["endings_known"]:
            caveats.append(_("Nothing in this export means resolved or closed, so every ticket counts as finished "
                             "at its last event."))
        missing = sorted(pc.loc[pc["sla_status"] == "no target", "category"].dropna().astype(str).unique())
        if missing:
            caveats.append(_("No SLA target for the categories: %(categories)s.") % {"categories": ", ".join(missing)})
        caveats.append(_("Open tickets are judged as of %(moment)s.")
                       % {"moment": info["as_of"].tz_convert(self.timezone).strftime("%Y-%m-%d %H:%M")
                          if pd.notna(info["as_of"]) else "–"})
        summary = (ngettext("%(n)s ticket had a need-by date; %(late)s of them were late: %(atl)s asked too late and "
                            "%(slow)s because the SSC was too slow. SLA met: %(sla)s; SLA met but need missed: "
                            "%(water)s.",
                            "%(n)s tickets had a need-by date; %(late)s of them were late: %(atl)s asked too late and "
                            "%(slow)s because the SSC was too slow. SLA met: %(sla)s; SLA met but need missed: "
                            "%(water)s.", n_need)
                   % {"n": format_number(n_need), "late": format_share(share(late, n_need)),
                      "atl": format_share(share(count("asked_too_late"), n_need)),
                      "slow": format_share(share(count("ssc_too_slow"), n_need)),
                      "sla": format_share(float(verdicts.mean()) if len(verdicts) else None),
                      "water": format_share(share(n_water, n_need))})
        return self.result(summary=summary, items=items, caveats=caveats)

    @staticmethod
    def _class_label(value: str) -> str:
        return {"on_time": _("on time"), "asked_too_late": _("asked too late"), "ssc_too_slow": _("SSC too slow"),
                "open_late": _("open, late"), "open": _("open")}.get(value, value)

    def _group_tables(self, pc: pd.DataFrame, need: pd.Series) -> list[Item]:
        items: list[Item] = []
        labels = {"category": _("category"), "mother": _("mother organisation"), "priority": _("priority"),
                  "team": _("team")}
        need_rows = pc[need]
        for key in ("category", "mother"):
            if not len(need_rows) or need_rows[key].isna().all():
                continue
            t = pd.crosstab(need_rows[key].astype(object).fillna("?"), need_rows["late_class"])
            t = t.reindex(columns=list(LATE_CLASSES), fill_value=0)
            t.insert(0, "cases", t.sum(axis=1))
            t["late_share"] = ((t["asked_too_late"] + t["ssc_too_slow"] + t["open_late"]) / t["cases"]).round(4)
            t["asked_too_late_share"] = (t["asked_too_late"] / t["cases"]).round(4)
            t["ssc_too_slow_share"] = (t["ssc_too_slow"] / t["cases"]).round(4)
            t = t.reset_index().rename(columns={key: "group"})
            items.append(Table.from_frame(
                f"late_by_{key}", _("Late deliveries per %(group)s") % {"group": labels[key]}, t,
                labels={"group": labels[key], "cases": _("tickets with a need-by date"), "on_time": _("on time"),
                        "asked_too_late": _("asked too late"), "ssc_too_slow": _("SSC too slow"),
                        "open_late": _("open, late"), "open": _("open"), "late_share": _("share late"),
                        "asked_too_late_share": _("share asked too late"),
                        "ssc_too_slow_share": _("share SSC too slow")},
                units={"late_share": "share", "asked_too_late_share": "share", "ssc_too_slow_share": "share",
                       "cases": "cases"}))
        for key in ("category", "priority", "team", "mother"):
            if pc[key].isna().all():
                continue
            t = pd.crosstab(pc[key].astype(object).fillna("?"), pc["sla_status"])
            t = t.reindex(columns=list(SLA_STATUSES), fill_value=0)
            t.columns = [c.replace(" ", "_") for c in t.columns]
            t.insert(0, "cases", t.sum(axis=1))
            judged = t["met"] + t["breached"]
            t["sla_met_share"] = (t["met"] / judged.where(judged > 0)).round(4)
            t = t.reset_index().rename(columns={key: "group"})
            items.append(Table.from_frame(
                f"sla_by_{key}", _("SLA compliance per %(group)s") % {"group": labels[key]}, t,
                labels={"group": labels[key], "cases": _("tickets"), "met": _("met"), "breached": _("breached"),
                        "pending": _("open, within target"), "no_target": _("no target"),
                        "invalid_target": _("target before registration"), "sla_met_share": _("share met"),
                        "people": _("people")},
                descriptions={"group": _("team of the event that resolved the ticket") if key == "team" else ""},
                units={"sla_met_share": "share", "cases": "cases"}))
        return items
