"""Waiting: time a ticket spends on hold (waiting for the user, for a supplier, parked), per case and per team.

Definitions (events of a case in log order):

* **waiting state**: from the status column when it holds one of ``wait_statuses`` (compared without
  case; English and Dutch defaults: *On hold*, *Waiting for user*, *Wacht op gebruiker*, …): the
  ticket waits after an event whose status is a wait status. Without such statuses, from the
  activities: a ``hold_activities`` event (*Put on hold*, *Request information from user*,
  *In de wacht zetten*, …) starts a wait, a ``resume_activities`` event (*Resume*, *Hervatten*, …)
  ends it, other events keep the state.
* **a wait** begins at an event in the waiting state whose previous event (same case) was not;
  its **time** is the wall-clock time from that event to the first later event that is not in the
  waiting state (a wait still running at the case's last event ends there).
* **repeated wait without user contact**: a wait, other than the case's first, with no event by the
  requester (resource equal to the requester, or a ``contact_activities`` event such as
  *User responds*) from the start of the previous wait up to this one.
* **share of throughput time spent waiting**: total wait time / total time from first to last event.
* **team** of a wait: the team of the event that started it. Reports show teams, never people.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case:concept:name": ["1"] * 5,
    ...     "concept:name": ["Register", "Put on hold", "Resume", "Put on hold", "Resolve"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 12:00",
    ...                                       "2024-01-01 13:00", "2024-01-01 14:00"], utc=True)}))
    >>> pc = Waiting().per_case(log)
    >>> int(pc.at["1", "waits"]), int(pc.at["1", "waits_without_contact"]), float(pc.at["1", "wait_seconds"])
    (2, 1, 10800.0)
    >>> Waiting().analyse(log).item("waiting_share").value
    0.6
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Item, Metric, Result, Table

WAIT_STATUSES = ("On hold", "Waiting", "Waiting for user", "Waiting for customer", "Waiting for caller",
                 "Awaiting user info", "Awaiting caller", "Awaiting customer", "Waiting for supplier",
                 "Waiting for vendor", "Awaiting vendor", "Pending", "Wacht", "In de wacht", "Wachten",
                 "Wacht op gebruiker", "Wachten op gebruiker", "Wacht op aanmelder", "Wachten op aanmelder",
                 "Wacht op klant", "Wacht op leverancier", "Wachten op leverancier", "Aangehouden", "Opgeschort")
HOLD_ACTIVITIES = ("Put on hold", "On hold", "Hold", "Request information from user", "Request information",
                   "Wait for user", "Wait for supplier", "Awaiting user info", "In de wacht zetten", "In de wacht",
                   "Aanhouden", "Opschorten", "Informatie opvragen", "Informatie opvragen bij gebruiker",
                   "Vraag aan aanmelder", "Wachten op leverancier", "Wachten op gebruiker")
RESUME_ACTIVITIES = ("Resume", "Resume work", "Continue", "Hervatten", "Hervat", "Uit de wacht",
                     "Uit de wacht halen", "Verder behandelen")
CONTACT_ACTIVITIES = ("User responds", "Caller responds", "Customer responds", "Requester responds",
                      "Gebruiker reageert", "Aanmelder reageert", "Reactie aanmelder", "Reactie gebruiker")
DONE_STATUSES = ("Resolved", "Closed", "Cancelled", "Canceled", "Completed", "Done", "Opgelost", "Gereed",
                 "Afgemeld", "Afgehandeld", "Gesloten", "Geannuleerd", "Vervallen")
RESOLVE_ACTIVITIES = ("Resolve", "Resolved", "Close", "Closed", "Complete", "Cancel", "Opgelost", "Oplossen",
                      "Gereed", "Gereedmelden", "Afmelden", "Afgemeld", "Afhandelen", "Afgehandeld", "Sluiten",
                      "Gesloten", "Annuleren")
REOPEN_ACTIVITIES = ("Reopen", "Reopened", "Heropenen", "Heropend", "Opnieuw openen")


# -- helpers shared by the issue-5 analysers ---------------------------------------------------------------

@dataclass(frozen=True)
class CaseIndex:
    """Events grouped by case (the canonical log's order): code per event, first/last event per case."""

    codes: np.ndarray
    first: np.ndarray
    last: np.ndarray
    ids: np.ndarray
    seconds: np.ndarray   # event time, seconds since 1970 (float)

    @property
    def n(self) -> int:
        return len(self.first)

    def same_next(self) -> np.ndarray:
        """True where the next event belongs to the same case."""
        out = np.zeros(len(self.codes), dtype=bool)
        out[:-1] = self.codes[1:] == self.codes[:-1]
        return out

    def gap_to_next(self) -> np.ndarray:
        """Seconds from each event to the next event of its case (0 for a case's last event)."""
        gap = np.zeros(len(self.codes))
        if len(gap) > 1:
            gap[:-1] = np.diff(self.seconds)
        return np.where(self.same_next(), gap, 0.0)

    def last_where(self, flags: np.ndarray) -> np.ndarray:
        """Per case, the index of the last event with ``flags`` (−1 when none)."""
        idx = np.where(flags, np.arange(len(flags)), -1)
        if not len(idx):
            return np.zeros(0, dtype=np.int64)
        return np.maximum.reduceat(idx, self.first)

    def per_case(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` per case."""
        return np.bincount(self.codes, weights=values, minlength=self.n)


def case_index(frame: pd.DataFrame) -> CaseIndex:
    """Index the canonical frame (rows grouped by case, sorted by time within a case)."""
    codes, ids = pd.factorize(frame[C.CASE], sort=False)
    codes = codes.astype(np.int64)
    n = len(codes)
    if n:
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:] - 1, n - 1]
        if len(starts) != len(ids):
            raise ValueError("the events of a case are not contiguous; build the log with EventLog.from_frame")
    else:
        starts = ends = np.zeros(0, dtype=np.int64)
    times = frame[C.TIMESTAMP].to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT"))
    seconds = times.astype("datetime64[us]").view("int64") / 1e6
    return CaseIndex(codes=codes, first=starts, last=ends, ids=np.asarray(ids, dtype=object), seconds=seconds)


def matches(series: pd.Series, names: Iterable[str]) -> np.ndarray:
    """True where ``series`` equals one of ``names``, ignoring case and surrounding space (loop over labels only)."""
    wanted = {str(n).strip().casefold() for n in names}
    codes, labels = pd.factorize(series, sort=False)
    hit = np.array([str(label).strip().casefold() in wanted for label in labels], dtype=bool)
    return np.r_[hit, False][codes] if len(hit) else np.zeros(len(series), dtype=bool)


def carry_state(index: CaseIndex, on: np.ndarray, off: np.ndarray) -> np.ndarray:
    """A per-event state set by ``on`` events and cleared by ``off`` events, carried forward within a case."""
    n = len(on)
    mark = np.where(on, np.arange(n), -1)
    clear = np.where(off & ~on, np.arange(n), -1)
    last_on = np.maximum.accumulate(mark) if n else mark
    last_off = np.maximum.accumulate(clear) if n else clear
    start = index.first[index.codes] if n else np.zeros(0, dtype=np.int64)
    return (last_on >= start) & (last_on > last_off)


def waiting_flags(log: EventLog, index: CaseIndex, *, wait_statuses: Iterable[str],
                  hold_activities: Iterable[str], resume_activities: Iterable[str]) -> tuple[np.ndarray, str]:
    """Per event: is the ticket waiting after it? And the source used: ``status``, ``activities`` or ``""``."""
    frame = log.frame
    if log.has(C.STATUS):
        flags = matches(frame[C.STATUS], wait_statuses)
        if flags.any():
            return flags, "status"
    hold = matches(frame[C.ACTIVITY], hold_activities)
    if hold.any():
        return carry_state(index, hold, matches(frame[C.ACTIVITY], resume_activities)), "activities"
    return np.zeros(len(frame), dtype=bool), ""


def done_flags(log: EventLog, index: CaseIndex, *, done_statuses: Iterable[str] = DONE_STATUSES,
               resolve_activities: Iterable[str] = RESOLVE_ACTIVITIES,
               reopen_activities: Iterable[str] = REOPEN_ACTIVITIES) -> tuple[np.ndarray, str]:
    """Per event: is the ticket resolved/closed after it? Source ``status``, ``activities`` or ``last event``.

    Without a done status or resolve activity every case counts as finished at its last event.
    """
    frame = log.frame
    if log.has(C.STATUS):
        flags = matches(frame[C.STATUS], done_statuses)
        if flags.any():
            return flags, "status"
    resolve = matches(frame[C.ACTIVITY], resolve_activities)
    if resolve.any():
        return carry_state(index, resolve, matches(frame[C.ACTIVITY], reopen_activities)), "activities"
    flags = np.zeros(len(frame), dtype=bool)
    flags[index.last] = True
    return flags, "last event"


def month_labels(times: pd.Series, tz: str) -> np.ndarray:
    """``YYYY-MM`` of each moment in zone ``tz`` (vectorised; the strings are built once per month)."""
    local = times.dt.tz_convert(tz)
    key = (local.dt.year.to_numpy() * 100 + local.dt.month.to_numpy()).astype(np.int64)
    codes, uniques = pd.factorize(key)
    labels = np.array([f"{u // 100:04d}-{u % 100:02d}" for u in uniques] + [""], dtype=object)
    return labels[codes]


def source_label(source: str) -> str:
    """A readable, translated name for where a state was taken from."""
    return {"status": _("the status column"), "activities": _("the activities"),
            "last event": _("each case's last event"), "": _("none found")}.get(source, source)


def first_per_case(frame: pd.DataFrame, index: CaseIndex, column: str) -> pd.Series:
    """The first non-missing value of ``column`` per case (case attributes), in case order."""
    if column not in frame.columns:
        return pd.Series([None] * index.n, dtype=object)
    values = frame[column]
    if not values.isna().any():
        return values.iloc[index.first].reset_index(drop=True)
    return values.groupby(index.codes, sort=True).first().reindex(range(index.n)).reset_index(drop=True)


# -- the analyser ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Waiting(Analyser):
    """Time in waiting states per case and per team; repeated waits without contact from the requester."""

    name = "waiting"
    title = {"en": "Waiting", "nl": "Wachttijd"}
    description = {"en": "How long tickets wait on hold (for the user or a supplier), per case and per team.",
                   "nl": "Hoe lang tickets in de wacht staan (op de gebruiker of een leverancier), per zaak en "
                         "per team."}
    uses = (C.STATUS, C.TEAM, C.RESOURCE, C.REQUESTER)

    #: statuses that mean the ticket waits (compared without case)
    wait_statuses: tuple[str, ...] = WAIT_STATUSES
    #: activities that put a ticket on hold, when the log has no wait status
    hold_activities: tuple[str, ...] = HOLD_ACTIVITIES
    #: activities that end a wait, when the log has no wait status
    resume_activities: tuple[str, ...] = RESUME_ACTIVITIES
    #: activities that are contact from the requester (besides events done by the requester)
    contact_activities: tuple[str, ...] = CONTACT_ACTIVITIES
    #: case ids listed in a finding
    max_case_ids: int = 20

    def _compute(self, log: EventLog) -> tuple[pd.DataFrame, pd.DataFrame, str]:
        frame = log.frame
        index = case_index(frame)
        flags, source = waiting_flags(log, index, wait_statuses=self.wait_statuses,
                                      hold_activities=self.hold_activities,
                                      resume_activities=self.resume_activities)
        n = len(flags)
        prev = np.zeros(n, dtype=bool)
        if n > 1:
            prev[1:] = flags[:-1] & (index.codes[1:] == index.codes[:-1])
        start = flags & ~prev
        gap = index.gap_to_next()
        wait_gap = np.where(flags, gap, 0.0)
        # contact from the requester: events by the requester, or contact activities
        contact = matches(frame[C.ACTIVITY], self.contact_activities)
        if log.has(C.REQUESTER) and log.has(C.RESOURCE):
            contact |= (frame[C.RESOURCE] == frame[C.REQUESTER]).fillna(False).to_numpy(dtype=bool)
        cum = np.cumsum(contact.astype(np.int64))
        starts = np.flatnonzero(start)
        repeated = np.zeros(len(starts), dtype=bool)
        if len(starts) > 1:
            same = index.codes[starts[1:]] == index.codes[starts[:-1]]
            prev_start, cur = starts[:-1], starts[1:]
            contacts = cum[cur - 1] - np.where(prev_start > 0, cum[np.maximum(prev_start - 1, 0)], 0)
            repeated[1:] = same & (contacts == 0)
        # each wait: its start event, case, duration, team
        wait_id = np.cumsum(start) - 1
        durations = np.bincount(wait_id[flags], weights=wait_gap[flags], minlength=len(starts)) \
            if len(starts) else np.zeros(0)
        waits = pd.DataFrame({
            "case": index.codes[starts], "seconds": durations, "repeated_without_contact": repeated,
            "team": frame[C.TEAM].to_numpy()[starts] if C.TEAM in frame.columns else None,
            "resource": frame[C.RESOURCE].to_numpy()[starts] if C.RESOURCE in frame.columns else None})
        throughput = index.seconds[index.last] - index.seconds[index.first] if index.n else np.zeros(0)
        per_case = pd.DataFrame({
            "waits": np.bincount(index.codes[starts], minlength=index.n),
            "waits_without_contact": np.bincount(index.codes[starts], weights=repeated, minlength=index.n)
            .astype(np.int64),
            "wait_seconds": index.per_case(wait_gap) if index.n else np.zeros(0),
            "throughput_seconds": throughput}, index=pd.Index(index.ids, name=C.CASE))
        return per_case, waits, source

    def per_case(self, log: EventLog) -> pd.DataFrame:
        """Per case: ``waits``, ``waits_without_contact``, ``wait_seconds``, ``throughput_seconds``."""
        return self._compute(log)[0]

    def case_values(self, log: EventLog) -> pd.DataFrame:
        """Per-case values behind the metrics (for comparisons between segments)."""
        pc = self.per_case(log)
        share = (pc["wait_seconds"] / pc["throughput_seconds"].where(pc["throughput_seconds"] > 0))
        return pd.DataFrame({"waiting_share": share, "share_cases_waited": pc["waits"] > 0,
                             "wait_hours_per_waited_case": (pc["wait_seconds"] / 3600).where(pc["waits"] > 0)})

    def analyse(self, log: EventLog) -> Result:
        per_case, waits, source = self._compute(log)
        if not source:
            return Result.skipped(
                self.name, self.text(self.title),
                _("the log has no waiting state: no status column (%(status)s) with a waiting status and no "
                  "activity that puts a ticket on hold") % {"status": C.STATUS},
                version=self.version, params=self.params(), description=self.text(self.description))
        n = len(per_case)
        waited = per_case["waits"] > 0
        total_wait = float(per_case["wait_seconds"].sum())
        total_tp = float(per_case["throughput_seconds"].sum())
        share = total_wait / total_tp if total_tp > 0 else None
        repeated = int(waits["repeated_without_contact"].sum())
        repeated_cases = per_case.index[per_case["waits_without_contact"] > 0]
        items: list[Item] = [
            Metric("cases", _("Cases"), n, unit="cases"),
            Metric("cases_waited", _("Cases that waited at least once"), int(waited.sum()), unit="cases"),
            Metric("share_cases_waited", _("Share of cases that waited"), round(float(waited.mean()), 4)
                   if n else None, unit="share"),
            Metric("waits", _("Waits"), int(len(waits)), unit="waits"),
            Metric("wait_hours", _("Time spent waiting"), round(total_wait / 3600, 2), unit="hours"),
            Metric("waiting_share", _("Share of throughput time spent waiting"),
                   round(share, 4) if share is not None else None, unit="share",
                   description=_("total time on hold divided by the total time from first to last event")),
            Metric("median_wait_hours", _("Median length of a wait"),
                   round(float(waits["seconds"].median()) / 3600, 2) if len(waits) else None, unit="hours"),
            Metric("repeated_waits_without_contact", _("Repeated waits without contact from the requester"),
                   repeated, unit="waits"),
            Metric("cases_repeated_without_contact",
                   _("Cases with a repeated wait without contact from the requester"),
                   int(len(repeated_cases)), unit="cases"),
        ]
        if len(repeated_cases):
            items.append(Finding(
                "repeated_without_contact", "notice",
                _("%(n)s cases were put on hold again without any event from the requester since the previous "
                  "wait began.") % {"n": format_number(len(repeated_cases))},
                case_ids=sorted(str(c) for c in repeated_cases)[: self.max_case_ids],
                count=int(len(repeated_cases))))
        if len(waits) and waits["team"].notna().any():
            grouped = waits.assign(hours=waits["seconds"] / 3600).groupby("team", sort=True)
            table = grouped.agg(waits=("hours", "size"), cases=("case", "nunique"), wait_hours=("hours", "sum"),
                                median_wait_hours=("hours", "median"),
                                repeated_without_contact=("repeated_without_contact", "sum")).reset_index()
            units = {"wait_hours": "hours", "median_wait_hours": "hours", "cases": "cases"}
            if waits["resource"].notna().any():
                table["people"] = grouped["resource"].nunique().to_numpy()
                units["people"] = "people"
            table = table.sort_values(["wait_hours", "team"], ascending=[False, True], kind="stable")
            table["wait_hours"] = table["wait_hours"].round(2)
            table["median_wait_hours"] = table["median_wait_hours"].round(2)
            items.append(Table.from_frame(
                "by_team", _("Waits per team"), table,
                labels={"team": _("team"), "waits": _("waits"), "cases": _("cases"), "wait_hours": _("hours waiting"),
                        "median_wait_hours": _("median wait (hours)"),
                        "repeated_without_contact": _("repeated without contact"), "people": _("people")},
                descriptions={"team": _("team of the event that put the ticket on hold"),
                              "people": _("distinct people who put tickets on hold in this team")},
                units=units))
        if waited.any():
            items.append(Chart("distribution", _("Time waiting per case that waited"), "histogram",
                               series={_("cases"): np.sort((per_case.loc[waited, "wait_seconds"].to_numpy()
                                                           / 3600).round(3)).tolist()},
                               x_label=_("hours on hold"), y_label=_("cases")))
        summary = (_("%(waited)s of the cases waited at least once; waiting took %(share)s of the total throughput "
                     "time. %(repeated)s waits began again without any contact from the requester.")
                   % {"waited": format_share(float(waited.mean()) if n else None),
                      "share": format_share(share), "repeated": format_number(repeated)})
        caveats = [_("Waiting states were taken from the status column.") if source == "status" else
                   _("Waiting states were taken from the activities (put on hold / resume); a wait that is not "
                     "recorded as an activity is not seen."),
                   _("Times are wall-clock time, nights and weekends included.")]
        return self.result(summary=summary, items=items, caveats=caveats)
