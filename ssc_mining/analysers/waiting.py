"""Waiting: time a ticket spends on hold (waiting for the requester, for a supplier, parked), per case and per team.

Definitions (events of a case in log order; states from :mod:`ssc_mining.semantics`, so any
vocabulary — a status column, hold and resume activities, BPI Challenge sub-statuses — counts):

* **waiting state**: the ticket waits after an event whose state is one of the wait states: waiting
  for the requester, for a third party, or on hold without a reason.
* **a wait** begins at an event in a waiting state whose previous event (same case) was not;
  its **time** is the wall-clock time from that event to the first later event that is not in a
  waiting state (a wait still running at the case's last event ends there). Its **kind** is the
  wait state it began with.
* **repeated wait without requester contact**: a wait, other than the case's first, with no event
  by the requester (resource equal to the requester, or a *requester reply* such as *User responds*)
  from the start of the previous wait up to this one.
* **share of throughput time spent waiting**: total wait time / total time from first to last event.
* **team** of a wait: the team of the event that started it. Reports show teams, never people.

Waiting is "not measured" when no activity or status of the log means waiting.

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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Item, Metric, Result, Table
from ssc_mining.semantics.roles import Role, State


def waiting_measurable(log: EventLog) -> str:
    """Empty when waiting can be measured on ``log``; else the reason."""
    if log.markers.waiting().any():
        return ""
    return _not_measured_reason()


def _not_measured_reason() -> str:
    """Why waiting is not measured when no event of a log means waiting."""
    return _("no activity or status of this export means waiting (on hold, waiting for the user or a supplier)")


def waiting_hint() -> str:
    """What to do when waiting is not recognised (for the caveats: names the mapping file's table)."""
    return _("When the export has labels for waiting that were not recognised, name them in the mapping file's "
             "[semantics] table (see docs/semantics.md).")


def _kind_label(state: int) -> str:
    return {int(State.WAIT_REQUESTER): _("waiting for the requester"),
            int(State.WAIT_THIRD_PARTY): _("waiting for a supplier or another party"),
            int(State.WAIT): _("on hold (reason not recorded)")}.get(int(state), "–")


@dataclass(frozen=True)
class _Part:
    """A partition's share of the waiting figures: its tickets' waits and times, and the waits themselves."""

    cases: pd.DataFrame   #: per ticket (index: id): the columns of :meth:`Waiting.per_case`, and order
    waits: pd.DataFrame   #: per wait: case (the ticket's order), seconds, repeated_without_contact, kind, team
    people: pd.DataFrame  #: the distinct (team, resource) pairs of the events that began a wait
    measurable: bool      #: some event means waiting
    resources: bool       #: some event that began a wait has a resource


@dataclass(frozen=True, kw_only=True)
class Waiting(Analyser):
    """Time in waiting states per case and per team; repeated waits without contact from the requester."""

    name = "waiting"
    version = "2"
    title = {"en": "Waiting", "nl": "Wachttijd"}
    description = {"en": "How long tickets wait on hold (for the requester or a supplier), per ticket and per team.",
                   "nl": "Hoe lang meldingen in de wacht staan (op de aanvrager of een leverancier), per melding en "
                         "per team."}
    uses = (C.STATUS, C.TEAM, C.RESOURCE, C.REQUESTER)
    definitions = {
        "cases_waited": N_("tickets put on hold at least once (waiting for the requester, a supplier, or parked)"),
        "share_cases_waited": N_("tickets put on hold at least once, out of all tickets"),
        "waits": N_("times a ticket was put on hold; a wait lasts until the next event that is not on hold"),
        "wait_hours": N_("the time on hold, added up over all tickets; wall-clock time, nights and weekends "
                         "included"),
        "waiting_share": N_("the time on hold divided by the time from first to last event, both added up over all "
                            "tickets"),
        "median_wait_hours": N_("half of the waits last at most this long"),
        "p90_wait_hours": N_("nine in ten waits last at most this long"),
        "max_wait_hours": N_("the longest single wait"),
        "repeated_waits_without_contact": N_("waits, other than a ticket's first, with no event from the requester "
                                             "since the previous wait began"),
        "cases_repeated_without_contact": N_("tickets with at least one such repeated wait"),
    }

    def _compute(self, log: EventLog) -> tuple[pd.DataFrame, pd.DataFrame]:
        frame, index, m = log.frame, log.cases, log.markers
        flags = m.waiting()
        n = len(flags)
        prev = np.zeros(n, dtype=bool)
        if n > 1:
            prev[1:] = flags[:-1] & index.same_case
        start = flags & ~prev
        gap = index.gap_to_next()
        wait_gap = np.where(flags, gap, 0.0)
        # contact from the requester: events by the requester, or replies from the requester
        contact = m.has(Role.REQUESTER_REPLY)
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
        wait_id = np.cumsum(start) - 1
        durations = np.bincount(wait_id[flags], weights=wait_gap[flags], minlength=len(starts)) \
            if len(starts) else np.zeros(0)
        waits = pd.DataFrame({
            "case": index.codes[starts], "seconds": durations, "repeated_without_contact": repeated,
            "kind": m.state[starts],
            "team": frame[C.TEAM].array.take(starts) if C.TEAM in frame.columns else None,
            "resource": frame[C.RESOURCE].array.take(starts) if C.RESOURCE in frame.columns else None})
        per_case = pd.DataFrame({
            "waits": np.bincount(index.codes[starts], minlength=index.n),
            "waits_without_contact": np.bincount(index.codes[starts], weights=repeated, minlength=index.n)
            .astype(np.int64),
            "wait_seconds": index.per_case(wait_gap) if index.n else np.zeros(0),
            "throughput_seconds": index.days() * 86_400}, index=index.ids)
        return per_case, waits

    def per_case(self, log: EventLog) -> pd.DataFrame:
        """Per case: ``waits``, ``waits_without_contact``, ``wait_seconds``, ``throughput_seconds``."""
        return self._compute(log)[0]

    def case_values(self, log: EventLog) -> pd.DataFrame:
        """Per-case values behind the metrics (for comparisons between segments)."""
        return self._values(self.per_case(log))

    def case_values_of_parts(self, parts: Sequence[_Part], facts: LogFacts) -> pd.DataFrame:
        """:meth:`case_values` of the log made of ``parts``."""
        return self._values(parts[0].cases if len(parts) == 1 else in_log_order(
            pd.concat([p.cases for p in parts]), np.concatenate([p.cases["order"].to_numpy() for p in parts])))

    @staticmethod
    def _values(pc: pd.DataFrame) -> pd.DataFrame:
        share = (pc["wait_seconds"] / pc["throughput_seconds"].where(pc["throughput_seconds"] > 0))
        return pd.DataFrame({"waiting_share": share, "share_cases_waited": pc["waits"] > 0,
                             "wait_hours_per_waited_case": (pc["wait_seconds"] / 3600).where(pc["waits"] > 0)})

    def analyse(self, log: EventLog) -> Result:
        return self.combine([self.partial(log)], LogFacts.of(log))

    def partial(self, log: EventLog) -> _Part:
        per_case, waits = self._compute(log)
        order = case_order(log)
        people = waits[["team", "resource"]].dropna().drop_duplicates()
        return _Part(cases=per_case.assign(order=order),
                     waits=waits.drop(columns="resource").assign(case=order[waits["case"].to_numpy()]),
                     people=people, measurable=not waiting_measurable(log),
                     resources=bool(waits["resource"].notna().any()))

    def combine(self, parts: Sequence[_Part], facts: LogFacts) -> Result:
        if not any(p.measurable for p in parts):
            why = _not_measured_reason()
            labels = {"share_cases_waited": (_("Share of tickets that waited"), "share"),
                      "waiting_share": (_("Share of throughput time spent waiting"), "share"),
                      "wait_hours": (_("Time spent waiting"), "hours")}
            return self.result(summary=_("Waiting is not measured: %(why)s.") % {"why": why},
                               items=[Metric("cases", _("Tickets"), facts.cases, unit="cases")]
                               + [Metric.not_measured(k, label, why, unit=unit) for k, (label, unit) in labels.items()],
                               caveats=[waiting_hint()])
        if len(parts) == 1:
            per_case, waits, people = parts[0].cases, parts[0].waits, parts[0].people
        else:
            per_case = in_log_order(pd.concat([p.cases for p in parts]),
                                    np.concatenate([p.cases["order"].to_numpy() for p in parts]))
            waits = pd.concat([p.waits for p in parts if len(p.waits)] or [parts[0].waits])
            waits = in_log_order(waits, waits["case"].to_numpy())
            people = pd.concat([p.people for p in parts]).drop_duplicates()
        n = len(per_case)
        waited = per_case["waits"] > 0
        total_wait = float(per_case["wait_seconds"].sum())
        total_tp = float(per_case["throughput_seconds"].sum())
        share = total_wait / total_tp if total_tp > 0 else None
        repeated = int(waits["repeated_without_contact"].sum())
        repeated_cases = per_case.index[per_case["waits_without_contact"] > 0]
        items: list[Item] = [
            Metric("cases", _("Tickets"), n, unit="cases"),
            Metric("cases_waited", _("Tickets that waited at least once"), int(waited.sum()), unit="cases"),
            Metric("share_cases_waited", _("Share of tickets that waited"), round(float(waited.mean()), 4)
                   if n else None, unit="share"),
            Metric("waits", _("Waits"), int(len(waits)), unit="waits"),
            Metric("wait_hours", _("Time spent waiting"), round(total_wait / 3600, 2), unit="hours"),
            Metric("waiting_share", _("Share of throughput time spent waiting"),
                   round(share, 4) if share is not None else None, unit="share"),
            Metric("median_wait_hours", _("Median length of a wait"),
                   round(float(waits["seconds"].median()) / 3600, 2) if len(waits) else None, unit="hours",
                   base=int(waited.sum())),
            Metric("p90_wait_hours", _("Nine in ten waits last at most"),
                   round(float(waits["seconds"].quantile(0.9)) / 3600, 2) if len(waits) else None, unit="hours",
                   base=int(waited.sum())),
            Metric("max_wait_hours", _("Longest wait"),
                   round(float(waits["seconds"].max()) / 3600, 2) if len(waits) else None, unit="hours",
                   base=int(waited.sum())),
            Metric("repeated_waits_without_contact", _("Repeated waits without contact from the requester"),
                   repeated, unit="waits"),
            Metric("cases_repeated_without_contact",
                   _("Tickets with a repeated wait without contact from the requester"),
                   int(len(repeated_cases)), unit="cases"),
        ]
        if len(repeated_cases):
            items.append(Finding(
                "repeated_without_contact", "notice",
                ngettext("%(n)s ticket was put on hold again without any event from the requester since the "
                         "previous wait began.",
                         "%(n)s tickets were put on hold again without any event from the requester since the "
                         "previous wait began.", len(repeated_cases)) % {"n": format_number(len(repeated_cases))},
                case_ids=sorted(str(c) for c in repeated_cases),
                count=int(len(repeated_cases))))
        if len(waits):
            kinds = (waits.assign(hours=waits["seconds"] / 3600).groupby("kind", sort=True)
                     .agg(waits=("hours", "size"), wait_hours=("hours", "sum"), median_wait_hours=("hours", "median"))
                     .reset_index())
            kinds["kind"] = [_kind_label(k) for k in kinds["kind"]]
            kinds[["wait_hours", "median_wait_hours"]] = kinds[["wait_hours", "median_wait_hours"]].round(2)
            items.append(Table.from_frame(
                "by_kind", _("Waits by what the ticket waited for"), kinds,
                labels={"kind": _("waiting for"), "waits": _("waits"), "wait_hours": _("hours waiting"),
                        "median_wait_hours": _("median wait (hours)")},
                units={"wait_hours": "hours", "median_wait_hours": "hours"}))
        if len(waits) and waits["team"].notna().any():
            grouped = waits.assign(hours=waits["seconds"] / 3600).groupby("team", sort=True)
            table = grouped.agg(waits=("hours", "size"), cases=("case", "nunique"), wait_hours=("hours", "sum"),
                                median_wait_hours=("hours", "median"),
                                repeated_without_contact=("repeated_without_contact", "sum")).reset_index()
            units = {"wait_hours": "hours", "median_wait_hours": "hours", "cases": "cases"}
            if any(p.resources for p in parts):
                table["people"] = people.groupby("team").size().reindex(table["team"].to_numpy(),
                                                                        fill_value=0).to_numpy()
                units["people"] = "people"
            table = table.sort_values(["wait_hours", "team"], ascending=[False, True], kind="stable")
            table["wait_hours"] = table["wait_hours"].round(2)
            table["median_wait_hours"] = table["median_wait_hours"].round(2)
            items.append(Table.from_frame(
                "by_team", _("Waits per team"), table,
                labels={"team": _("team"), "waits": _("waits"), "cases": _("tickets"), "wait_hours": _("hours waiting"),
                        "median_wait_hours": _("median wait (hours)"),
                        "repeated_without_contact": _("repeated without contact"), "people": _("people")},
                descriptions={"team": _("team of the event that put the ticket on hold"),
                              "people": _("distinct people who put tickets on hold in this team")},
                units=units))
        if waited.any():
            items.append(Chart("distribution", _("Time waiting per ticket that waited"), "histogram",
                               series={_("tickets"): np.sort((per_case.loc[waited, "wait_seconds"].to_numpy()
                                                           / 3600).round(3)).tolist()},
                               x_label=_("hours on hold"), y_label=_("tickets")))
        summary = (_("%(waited)s of the tickets waited at least once; waiting took %(share)s of the total throughput "
                     "time. %(repeated)s waits began again without any contact from the requester.")
                   % {"waited": format_share(float(waited.mean()) if n else None),
                      "share": format_share(share), "repeated": format_number(repeated)})
        caveats = [_("Waiting states come from the activities and statuses read as waiting (see \"How activities "
                     "were read\"); a wait that is not recorded is not seen."),
                   _("Times are wall-clock time, nights and weekends included.")]
        return self.result(summary=summary, items=items, caveats=caveats)
