"""Coordination overhead: work about the work (intake, forwarding, status questions, escalation) versus work
that resolves; its share of events and of active time, its trend, and handovers between the mothers and the SSC.

Definitions:

* an event is **coordination** when its role (see :mod:`ssc_mining.semantics`) is intake or
  assignment (*route*), *forward*, *escalate*, a status question or other contact (*enquiry*), or an
  administrative *update*. Everything else is **work**. Coordination is "not measured" when no label
  of the log has one of these roles: then it cannot be told apart from work.
* **active time** of an event: the time from it to the next event of the same case while the ticket
  is active after it (not on hold, not sent back, not resolved, closed or cancelled; 0 for a case's
  last event), attributed to the event's activity. It is time the ticket is being handled or queued
  for handling: an upper bound of the effort, never the wait for the requester or until closure.
* ``coordination_event_share``: coordination events / all events; ``coordination_time_share``: their
  active time / all active time. Per month by the event's month in ``timezone``.
* **handover between organisations**: two consecutive events of a case whose organisation
  (``ssc:organisation``) differs, both known; *mother → SSC* when the earlier one is a mother
  organisation (a value of the case's mother column, or not in ``service_organisations``) and the later
  one is not, *SSC → mother* the other way round.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1"] * 4,
    ...     "concept:name": ["Register", "Forward", "Start work", "Resolve"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 13:00",
    ...                                       "2024-01-01 17:00"], utc=True)}))
    >>> r = Coordination().analyse(log)
    >>> r.item("coordination_event_share").value, r.item("coordination_time_share").value
    (0.25, 0.375)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.analysers.toolkit import distinct_per_group, month_codes, month_label, sorted_codes
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Item, Metric, Result, Table
from ssc_mining.results.items import SMALL_BASE
from ssc_mining.semantics.roles import COORDINATION, UNKNOWN_STATE, State

_COORDINATION = tuple(sorted(COORDINATION, key=lambda r: r.code))


def coordination_measurable(log: EventLog) -> str:
    """Empty when coordination can be measured on ``log``; else the reason."""
    if log.markers.present(*_COORDINATION):
        return ""
    return _("no activity or status of this export was recognised as coordination (intake, assignment, forwarding, "
             "escalation, status questions, administrative updates), so coordination cannot be told apart from "
             "work")


@dataclass(frozen=True, kw_only=True)
class Coordination(Analyser):
    """Share of events and of active time spent on coordination, per month; organisation handovers per case."""

    name = "coordination"
    version = "2"
    title = {"en": "Coordination overhead", "nl": "Coördinatielast"}
    description = {"en": "How much of the work is coordination (intake, forwarding, status questions, escalation) "
                         "rather than work that resolves, and how it develops.",
                   "nl": "Hoeveel van het werk coördinatie is (intake, doorsturen, statusvragen, escalatie) in "
                         "plaats van werk dat oplost, en hoe zich dat ontwikkelt."}
    uses = (C.ORGANISATION, C.MOTHER, C.TEAM, C.RESOURCE)
    definitions = {
        "coordination_events": N_("events whose activity or status means intake, assignment, forwarding, "
                                  "escalation, a status question or an administrative update"),
        "coordination_event_share": N_("coordination events out of all events"),
        "coordination_time_share": N_("active time after coordination events out of all active time; active time "
                                      "is the time from an event to the next one while the ticket is not on hold, "
                                      "not sent back and not yet resolved"),
        "active_hours": N_("the active time of all tickets added up: time from an event to the next one while the "
                           "ticket is not on hold, not sent back and not yet resolved (queues included)"),
        "org_handovers_per_case": N_("times a ticket passes from one organisation to another, on average per "
                                     "ticket"),
        "cases_with_org_handover": N_("tickets that pass between organisations at least once, out of all tickets"),
        "mother_to_ssc": N_("handovers from a mother organisation to the SSC, all tickets together"),
        "ssc_to_mother": N_("handovers from the SSC back to a mother organisation, all tickets together"),
    }

    #: organisations that handle tickets (the SSC); default: every organisation that is not a mother
    service_organisations: tuple[str, ...] = ()
    #: zone in which months begin
    #: zone of months, weeks and working hours; None: the run's (the log's zone)
    timezone: str | None = None
    #: groups shown per table
    max_groups: int = 15

    def coordination_flags(self, log: EventLog) -> np.ndarray:
        """Per event: is its role coordination (route, forward, escalate, enquiry, update)?"""
        return log.markers.has(*_COORDINATION)

    def _compute(self, log: EventLog) -> dict:
        frame = log.frame
        index = log.cases
        coord = self.coordination_flags(log)
        # active time only: not the wait for the requester or a supplier, not the time until closure
        state = log.markers.state
        gap = index.gap_to_next() * np.isin(state, (int(State.ACTIVE), UNKNOWN_STATE))
        out: dict = {"index": index, "coord": coord, "gap": gap}
        pc = pd.DataFrame({"events": np.bincount(index.codes, minlength=index.n),
                           "coordination_events": np.bincount(index.codes, weights=coord, minlength=index.n)
                           .astype(np.int64),
                           "seconds": index.per_case(gap), "coordination_seconds": index.per_case(gap * coord)},
                          index=index.ids)
        if log.has(C.ORGANISATION):
            org = frame[C.ORGANISATION]
            mothers = set(frame[C.MOTHER].dropna().astype(str).unique()) if log.has(C.MOTHER) else set()
            codes, labels = pd.factorize(org, sort=False)
            if self.service_organisations:
                service = {str(s) for s in self.service_organisations}
                is_mother = np.array([str(lab) not in service for lab in labels] + [False])
            else:
                is_mother = np.array([str(lab) in mothers for lab in labels] + [False])
            known = codes >= 0
            side = is_mother[codes]
            same = np.zeros(len(codes), dtype=bool)
            same[1:] = (index.codes[1:] == index.codes[:-1]) & known[1:] & known[:-1]
            change = np.zeros(len(codes), dtype=bool)
            change[1:] = same[1:] & (codes[1:] != codes[:-1])
            to_ssc = np.zeros(len(codes), dtype=bool)
            to_ssc[1:] = change[1:] & side[:-1] & ~side[1:]
            to_mother = np.zeros(len(codes), dtype=bool)
            to_mother[1:] = change[1:] & ~side[:-1] & side[1:]
            pc["handovers_org"] = np.bincount(index.codes, weights=change, minlength=index.n).astype(np.int64)
            pc["mother_to_ssc"] = np.bincount(index.codes, weights=to_ssc, minlength=index.n).astype(np.int64)
            pc["ssc_to_mother"] = np.bincount(index.codes, weights=to_mother, minlength=index.n).astype(np.int64)
            out["has_mothers"] = bool(mothers) or bool(self.service_organisations)
        out["per_case"] = pc
        return out

    def per_case(self, log: EventLog) -> pd.DataFrame:
        """Per case: events, coordination events, active time (seconds) and its coordination part, org handovers."""
        return self._compute(log)["per_case"]

    def case_values(self, log: EventLog) -> pd.DataFrame:
        """Per-case values behind the metrics (for comparisons between segments)."""
        if self.timezone is None:
            return self.for_log(log).case_values(log)
        pc = self.per_case(log)
        out = pd.DataFrame({"coordination_event_share": pc["coordination_events"] / pc["events"],
                            "coordination_time_share": pc["coordination_seconds"] / pc["seconds"].where(
                                pc["seconds"] > 0)})
        if "handovers_org" in pc.columns:
            out["org_handovers_per_case"] = pc["handovers_org"]
        return out

    def analyse(self, log: EventLog) -> Result:
        if self.timezone is None:  # the run's zone: the log's when run on its own
            return self.for_log(log).analyse(log)
        why = coordination_measurable(log)
        if why and log.n_events:
            return self.result(
                summary=_("Coordination is not measured: %(why)s.") % {"why": why},
                caveats=[_("When the export has labels for such steps that were not recognised, name them in the "
                           "mapping file's [semantics] table (see docs/semantics.md).")],
                items=[Metric("cases", _("Tickets"), log.cases.n, unit="cases"),
                       Metric.not_measured("coordination_event_share", _("Share of events that are coordination"),
                                           why, unit="share"),
                       Metric.not_measured("coordination_time_share", _("Share of active time in coordination"),
                                           why, unit="share")])
        data = self._compute(log)
        pc: pd.DataFrame = data["per_case"]
        coord, gap = data["coord"], data["gap"]
        frame = log.frame
        n_events = len(frame)
        if not n_events:
            return self.result(summary=_("The export is empty."),
                               items=[Metric("cases", _("Tickets"), 0, unit="cases")])
        event_share = float(coord.mean())
        total = float(gap.sum())
        time_share = float((gap * coord).sum() / total) if total > 0 else None
        items: list[Item] = [
            Metric("cases", _("Tickets"), int(len(pc)), unit="cases"),
            Metric("coordination_events", _("Coordination events"), int(coord.sum()), unit="events"),
            Metric("coordination_event_share", _("Share of events that are coordination"), round(event_share, 4),
                   unit="share"),
            Metric("coordination_time_share", _("Share of active time in coordination"),
                   round(time_share, 4) if time_share is not None else None, unit="share"),
            Metric("active_hours", _("Active time in all"), round(total / 3600, 2), unit="hours"),
        ]
        # grouped by the activities' sorted codes (the groups and the order of a group-by on the texts, without
        # hashing every text again); missing activities count nowhere, as in a group-by
        act_codes, act_values = sorted_codes(log, C.ACTIVITY)
        known = act_codes >= 0
        acts = pd.DataFrame({"activity": act_codes[known], "coordination": coord[known], "hours": gap[known] / 3600})
        del known
        act_table = acts.groupby("activity", sort=True).agg(events=("hours", "size"), hours=("hours", "sum"),
                                                            coordination=("coordination", "first"))
        del acts
        act_table.index = act_values.take(act_table.index.to_numpy()).rename("activity")
        act_table = act_table.reset_index().sort_values(["events", "activity"], ascending=[False, True],
                                                        kind="stable")
        act_table["hours"] = act_table["hours"].round(2)
        act_table["coordination"] = np.where(act_table["coordination"], _("coordination"), _("work"))
        items.append(Table.from_frame("by_activity", _("Coordination and work per activity"), act_table,
                                      labels={"activity": _("activity"), "events": _("events"),
                                              "hours": _("active time (hours)"), "coordination": _("kind")},
                                      units={"hours": "hours"},
                                      descriptions={"hours": _("time from these events to the next event while the "
                                                               "ticket is active (not on hold, not yet resolved)")}))
        month, months = month_codes(frame[C.TIMESTAMP], self.timezone)   # grouped as small codes, labelled after
        monthly = pd.DataFrame({"month": month, "coord": coord, "gap": gap, "cgap": gap * coord}) \
            .groupby("month", sort=True).agg(events=("coord", "size"), coord=("coord", "sum"), gap=("gap", "sum"),
                                              cgap=("cgap", "sum"))
        month_code = pd.factorize(month, sort=True)[0]   # numbered as the groups above
        monthly["cases"] = distinct_per_group(month_code, data["index"].codes, len(monthly))
        monthly.index = pd.Index([month_label(int(months[k]) if k >= 0 else -1) for k in monthly.index],
                                 name="month")
        monthly["event_share"] = (monthly["coord"] / monthly["events"]).round(4)
        monthly["time_share"] = (monthly["cgap"] / monthly["gap"].where(monthly["gap"] > 0)).round(4)
        # a month with few tickets is not drawn as a value: its share says little
        few = monthly["cases"] < SMALL_BASE
        drawn = {column: [None if skip or value != value else float(value)
                          for skip, value in zip(few, monthly[column])] for column in ("event_share", "time_share")}
        items.append(Chart("trend", _("Coordination per month"), "line", x=list(monthly.index),
                           series={_("share of events"): drawn["event_share"],
                                   _("share of active time"): drawn["time_share"]},
                           x_label=_("month"), y_label=_("share"), y_unit="share",
                           description=ngettext("Months with fewer than %(n)s ticket are left out of the line "
                                                "(%(months)s months).",
                                                "Months with fewer than %(n)s tickets are left out of the line "
                                                "(%(months)s months).", SMALL_BASE)
                           % {"n": SMALL_BASE, "months": int(few.sum())} if few.any() else ""))
        if log.has(C.TEAM):
            team_codes, team_values = sorted_codes(log, C.TEAM)   # the groups of a group-by on the texts
            known = team_codes >= 0
            g = pd.DataFrame({"team": team_codes[known], "coord": coord[known]}).groupby("team", sort=True)
            del known
            t = g.agg(events=("coord", "size"), coordination_share=("coord", "mean"))
            t.index = team_values.take(t.index.to_numpy()).rename("team")
            t = t.reset_index()
            units = {"coordination_share": "share"}
            if log.has(C.RESOURCE):   # teams numbered as the groups above; missing team or person: none
                t["people"] = distinct_per_group(team_codes, sorted_codes(log, C.RESOURCE)[0], len(t))
                units["people"] = "people"
            t["coordination_share"] = t["coordination_share"].round(4)
            t = t.sort_values(["events", "team"], ascending=[False, True], kind="stable")
            items.append(Table.from_frame("by_team", _("Coordination per team"), t,
                                          labels={"team": _("team"), "events": _("events"),
                                                  "coordination_share": _("share coordination"),
                                                  "people": _("people")},
                                          descriptions={"people": _("distinct people with events in this team")},
                                          units=units))
        if "handovers_org" in pc.columns:
            items += [
                Metric("org_handovers_per_case", _("Handovers between organisations per ticket"),
                       round(float(pc["handovers_org"].mean()), 4), unit="handovers"),
                Metric("cases_with_org_handover", _("Share of tickets handed between organisations"),
                       round(float((pc["handovers_org"] > 0).mean()), 4), unit="share")]
            if data.get("has_mothers"):
                items += [Metric("mother_to_ssc", _("Handovers from a mother organisation to the SSC"),
                                 int(pc["mother_to_ssc"].sum()), unit="handovers"),
                          Metric("ssc_to_mother", _("Handovers from the SSC to a mother organisation"),
                                 int(pc["ssc_to_mother"].sum()), unit="handovers")]
        if log.has(C.MOTHER):
            mothers = data["index"].case_first(frame[C.MOTHER]).to_numpy()
            m = pc.assign(mother=mothers)
            g = m.groupby(m["mother"].astype(object).fillna("?"), sort=True)
            spec = {"cases": ("events", "size"), "events": ("events", "sum"),
                    "coordination_events": ("coordination_events", "sum")}
            if "handovers_org" in m.columns:
                spec["handovers_per_case"] = ("handovers_org", "mean")
            t = g.agg(**spec).reset_index()
            t["coordination_share"] = (t["coordination_events"] / t["events"]).round(4)
            if "handovers_per_case" in t.columns:
                t["handovers_per_case"] = t["handovers_per_case"].round(3)
            t = t.head(self.max_groups)
            items.append(Table.from_frame("by_mother", _("Coordination per mother organisation"), t,
                                          labels={"mother": _("mother organisation"), "cases": _("tickets"),
                                                  "events": _("events"),
                                                  "coordination_events": _("coordination events"),
                                                  "coordination_share": _("share coordination"),
                                                  "handovers_per_case": _("handovers between organisations per "
                                                                          "ticket")},
                                          units={"coordination_share": "share", "cases": "cases"}))
        summary = (_("%(share)s of the events and %(time)s of the active time are coordination rather than work that "
                     "resolves.") % {"share": format_share(event_share), "time": format_share(time_share)})
        if "handovers_org" in pc.columns:
            summary += " " + _("A ticket passes between organisations %(n)s times on average.") % {
                "n": format_number(float(pc["handovers_org"].mean()), 1)}
        caveats = [_("Coordination activities: %(list)s (read as intake, assignment, forwarding, escalation, status "
                     "questions or updates; see \"How activities were read\").")
                   % {"list": ", ".join(sorted(str(v) for v in act_values.take(
                       np.unique(act_codes[coord & (act_codes >= 0)]).astype(np.int64)))) or "–"},
                   _("Active time is the time until the next event of the ticket while the ticket is not on hold, not "
                     "sent back and not yet resolved. It includes time in a queue, so it is an upper bound of the "
                     "effort; the wait for the requester and the time until closure are left out.")]
        return self.result(summary=summary, items=items, caveats=caveats)
