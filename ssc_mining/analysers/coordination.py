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

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.analysers.toolkit import distinct_per_group, month_codes, month_label, sorted_codes
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Item, Metric, Result, Table
from ssc_mining.results.items import SMALL_BASE
from ssc_mining.semantics.roles import COORDINATION, UNKNOWN_STATE, State

_COORDINATION = tuple(sorted(COORDINATION, key=lambda r: r.code))


def coordination_measurable(log: EventLog) -> str:
    """Empty when coordination can be measured on ``log``; else the reason."""
    return _unmeasurable(log.markers.roles_present)


def _unmeasurable(roles_present: frozenset) -> str:
    if any(r in roles_present for r in _COORDINATION):
        return ""
    return _("no activity or status of this export was recognised as coordination (intake, assignment, forwarding, "
             "escalation, status questions, administrative updates), so coordination cannot be told apart from "
             "work")


def _org_changes(log: EventLog) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Per event its organisation's code (−1: none) and the organisations; and whether the event's organisation
    differs from that of the event before it in the same case (both known): a handover between organisations."""
    index = log.cases
    codes, labels = pd.factorize(log.frame[C.ORGANISATION], sort=False)
    known = codes >= 0
    same = np.zeros(len(codes), dtype=bool)
    same[1:] = (index.codes[1:] == index.codes[:-1]) & known[1:] & known[:-1]
    change = np.zeros(len(codes), dtype=bool)
    change[1:] = same[1:] & (codes[1:] != codes[:-1])
    return codes, pd.Index(labels), change


def _mothers(log: EventLog) -> set[str]:
    """The values of the mother column (as text)."""
    frame = log.frame
    return set(frame[C.MOTHER].dropna().astype(str).unique()) if log.has(C.MOTHER) else set()


#: times are added up in whole microseconds, exactly, as two parts: the high bits and the low 20 bits
_LOW_BITS = 20


def _micro_sums(groups: np.ndarray, micros: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Per group 0 … n − 1 the sum of ``micros`` (whole microseconds) as ``hi`` and ``lo`` with sum =
    hi · 2²⁰ + lo, both exact (each part stays far below 2⁵³, where a sum of floats is exact): sums that are the
    same in any order and in any split into partitions."""
    return {"hi": np.bincount(groups, weights=micros >> _LOW_BITS, minlength=n).astype(np.int64),
            "lo": np.bincount(groups, weights=micros & ((1 << _LOW_BITS) - 1), minlength=n).astype(np.int64)}


def _micros(hi: Any, lo: Any) -> list[int]:
    """The exact sums of :func:`_micro_sums` parts (added up over partitions), as Python integers."""
    return [(int(h) << _LOW_BITS) + int(v) for h, v in zip(hi, lo)]


@dataclass(frozen=True)
class _Figures:
    """A partition's share of the coordination figures: per ticket values, and counts and exact time sums per
    activity, month and team (tickets are each in one partition; people, activities and organisations are not)."""

    #: per ticket (index: id): events, coordination_events, [handovers_org], [mother], order
    cases: pd.DataFrame
    activities: pd.DataFrame       #: per activity: events, hi, lo (active time), first (ticket order), coordination
    months: pd.DataFrame           #: per month YYYYMM (−1: none): events, coord, hi, lo, coord_hi, coord_lo, cases
    teams: pd.DataFrame | None     #: per team: events, coord
    team_people: pd.DataFrame | None   #: the distinct (team, person) pairs
    handovers: pd.DataFrame | None     #: per (from, to) organisation (as text): handovers
    mothers: frozenset[str]        #: the values of the mother column (as text)
    coordination_labels: frozenset[str]   #: the activities (as text) of coordination events


@dataclass(frozen=True)
class _Part:
    """What a partition contributes: its figures (None: no events, or nothing to measure) and the zone of months."""

    zone: str                     #: the analyser's time zone, or the log's when it had none
    figures: _Figures | None


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
            codes, labels, change = _org_changes(log)
            mothers = _mothers(log)
            if self.service_organisations:
                service = {str(s) for s in self.service_organisations}
                is_mother = np.array([str(lab) not in service for lab in labels] + [False])
            else:
                is_mother = np.array([str(lab) in mothers for lab in labels] + [False])
            side = is_mother[codes]
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
        return self.combine([self.partial(log)], LogFacts.of(log))

    def _zone(self) -> str:
        if self.timezone is None:
            raise ValueError("Coordination.partial/combine need a timezone: settle the analyser first (for_log or a "
                             "run)")
        return self.timezone

    def partial(self, log: EventLog) -> _Part:
        if self.timezone is None:  # the log's zone, as analyse takes it
            return self.for_log(log).partial(log)
        if not log.n_events or coordination_measurable(log):   # nothing to measure
            return _Part(zone=self.timezone, figures=None)
        return _Part(zone=self.timezone, figures=self._figures(log))

    def _figures(self, log: EventLog) -> _Figures:
        frame, index = log.frame, log.cases
        coord = self.coordination_flags(log)
        # active time only: not the wait for the requester or a supplier, not the time until closure; in whole
        # microseconds (the times' resolution), so that sums are exact
        times = frame[C.TIMESTAMP].to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT"))
        counted = index.same_next() & np.isin(log.markers.state, (int(State.ACTIVE), UNKNOWN_STATE))
        counted &= ~np.isnat(times)
        counted[:-1] &= ~np.isnat(times[1:])
        micros = np.zeros(len(times), dtype=np.int64)
        micros[:-1] = np.diff(times.view(np.int64))
        micros[~counted] = 0
        del counted
        cmicros = micros * coord
        order = case_order(log)
        cases = pd.DataFrame({"events": np.bincount(index.codes, minlength=index.n),
                              "coordination_events": np.bincount(index.codes, weights=coord, minlength=index.n)
                              .astype(np.int64)}, index=index.ids)
        handovers = None
        if log.has(C.ORGANISATION):
            codes, labels, change = _org_changes(log)
            cases["handovers_org"] = np.bincount(index.codes, weights=change, minlength=index.n).astype(np.int64)
            names = np.array([str(lab) for lab in labels], dtype=object)
            at = np.flatnonzero(change)
            handovers = pd.DataFrame({"from": names[codes[at - 1]], "to": names[codes[at]]}) \
                .groupby(["from", "to"], sort=True).size().rename("handovers").reset_index()
        if log.has(C.MOTHER):
            cases["mother"] = index.case_first(frame[C.MOTHER]).to_numpy()
        cases["order"] = order
        # per activity (missing activities count nowhere, as in a group-by): events, active time, and whether
        # its first event — in the order of the whole log: its ticket's order — is coordination
        act_codes, act_values = sorted_codes(log, C.ACTIVITY)
        known = act_codes >= 0
        acts = act_codes[known].astype(np.int64)
        present, first = np.unique(acts, return_index=True)
        at = np.flatnonzero(known)[first]
        activities = pd.DataFrame({"activity": act_values.take(present),
                                   "events": np.bincount(acts, minlength=len(act_values))[present].astype(np.int64),
                                   **{k: v[present] for k, v in _micro_sums(acts, micros[known],
                                                                            len(act_values)).items()},
                                   "first": order[index.codes[at]], "coordination": coord[at]})
        labels_of_coordination = frozenset(str(v) for v in act_values.take(np.unique(acts[coord[known]])))
        del acts, known
        # per month in the zone (−1: no time)
        month, months = month_codes(frame[C.TIMESTAMP], self._zone())
        key = np.full(len(month), -1, dtype=np.int64)
        dated = month >= 0
        key[dated] = months[month[dated]]
        del dated
        m_code, m_values = pd.factorize(key, sort=True)
        n = len(m_values)
        monthly = pd.DataFrame({"month": np.asarray(m_values, dtype=np.int64),
                                "events": np.bincount(m_code, minlength=n).astype(np.int64),
                                "coord": np.bincount(m_code, weights=coord, minlength=n).astype(np.int64),
                                **_micro_sums(m_code, micros, n),
                                **{f"coord_{k}": v for k, v in _micro_sums(m_code, cmicros, n).items()},
                                "cases": distinct_per_group(m_code, index.codes, n)})
        teams = team_people = None
        if log.has(C.TEAM):
            team_codes, team_values = sorted_codes(log, C.TEAM)
            known = team_codes >= 0
            t_codes = team_codes[known].astype(np.int64)
            teams = pd.DataFrame({"team": team_values,
                                  "events": np.bincount(t_codes, minlength=len(team_values)).astype(np.int64),
                                  "coord": np.bincount(t_codes, weights=coord[known], minlength=len(team_values))
                                  .astype(np.int64)})
            if log.has(C.RESOURCE):
                person_codes, person_values = sorted_codes(log, C.RESOURCE)
                both = known & (person_codes >= 0)
                pairs = np.unique(np.stack([team_codes[both].astype(np.int64), person_codes[both].astype(np.int64)],
                                           axis=1), axis=0)
                team_people = pd.DataFrame({"team": team_values.take(pairs[:, 0]),
                                            "person": person_values.take(pairs[:, 1])})
        return _Figures(cases=cases, activities=activities, months=monthly, teams=teams, team_people=team_people,
                        handovers=handovers,
                        mothers=frozenset(_mothers(log)) if handovers is not None else frozenset(),
                        coordination_labels=labels_of_coordination)

    def combine(self, parts: Sequence[_Part], facts: LogFacts) -> Result:
        if self.timezone is None and parts:  # settled as the parts were
            return dataclasses.replace(self, timezone=parts[0].zone).combine(parts, facts)
        why = _unmeasurable(facts.roles_present)
        if why and facts.events:
            return self.result(
                summary=_("Coordination is not measured: %(why)s.") % {"why": why},
                caveats=[_("When the export has labels for such steps that were not recognised, name them in the "
                           "mapping file's [semantics] table (see docs/semantics.md).")],
                items=[Metric("cases", _("Tickets"), facts.cases, unit="cases"),
                       Metric.not_measured("coordination_event_share", _("Share of events that are coordination"),
                                           why, unit="share"),
                       Metric.not_measured("coordination_time_share", _("Share of active time in coordination"),
                                           why, unit="share")])
        n_events = facts.events
        if not n_events:
            return self.result(summary=_("The export is empty."),
                               items=[Metric("cases", _("Tickets"), 0, unit="cases")])
        given = [p.figures for p in parts if p.figures is not None]
        one = len(given) == 1

        def together(frames: list[pd.DataFrame]) -> pd.DataFrame:
            return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

        pc = given[0].cases if one else in_log_order(
            pd.concat([p.cases for p in given]), np.concatenate([p.cases["order"].to_numpy() for p in given]))
        monthly = together([p.months for p in given]).groupby("month", sort=True).sum()
        coordination_events = int(monthly["coord"].sum())
        total = _micros([monthly["hi"].sum()], [monthly["lo"].sum()])[0] / 1_000_000
        coordination_time = _micros([monthly["coord_hi"].sum()], [monthly["coord_lo"].sum()])[0] / 1_000_000
        event_share = coordination_events / n_events
        time_share = coordination_time / total if total > 0 else None
        items: list[Item] = [
            Metric("cases", _("Tickets"), int(len(pc)), unit="cases"),
            Metric("coordination_events", _("Coordination events"), coordination_events, unit="events"),
            Metric("coordination_event_share", _("Share of events that are coordination"), round(event_share, 4),
                   unit="share"),
            Metric("coordination_time_share", _("Share of active time in coordination"),
                   round(time_share, 4) if time_share is not None else None, unit="share"),
            Metric("active_hours", _("Active time in all"), round(total / 3600, 2), unit="hours"),
        ]
        # grouped by the activities' texts in sorted order (as a group-by on the texts); the kind of an activity
        # is that of its first event in the log (of the earliest ticket)
        acts = together([p.activities for p in given]).sort_values("first", kind="stable") \
            .groupby("activity", sort=True).agg(events=("events", "sum"), hi=("hi", "sum"), lo=("lo", "sum"),
                                                coordination=("coordination", "first"))
        act_table = pd.DataFrame({"events": acts["events"].to_numpy(),
                                  "hours": np.array([t / 3_600_000_000 for t in _micros(acts["hi"], acts["lo"])],
                                                    dtype=np.float64),
                                  "coordination": acts["coordination"].to_numpy(dtype=bool)},
                                 index=acts.index.rename("activity"))
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
        monthly = pd.DataFrame({"events": monthly["events"], "coord": monthly["coord"],
                                "gap": [t / 1_000_000 for t in _micros(monthly["hi"], monthly["lo"])],
                                "cgap": [t / 1_000_000 for t in _micros(monthly["coord_hi"], monthly["coord_lo"])],
                                "cases": monthly["cases"]}, index=monthly.index)
        monthly.index = pd.Index([month_label(int(k)) for k in monthly.index], name="month")
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
        if C.TEAM in facts.with_values:
            g = together([p.teams for p in given if p.teams is not None]).groupby("team", sort=True)
            t = g[["events", "coord"]].sum()
            t = pd.DataFrame({"events": t["events"], "coordination_share": t["coord"] / t["events"]},
                             index=t.index.rename("team")).reset_index()
            units = {"coordination_share": "share"}
            if C.RESOURCE in facts.with_values:   # distinct people per team, each counted once over the parts
                pairs = [p.team_people for p in given if p.team_people is not None]
                seen = pairs[0] if len(pairs) == 1 else pd.concat(pairs, ignore_index=True).drop_duplicates()
                t["people"] = seen.groupby("team", sort=False).size().reindex(t["team"], fill_value=0) \
                    .to_numpy().astype("int64")
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
            mothers = frozenset().union(*(p.mothers for p in given))
            if mothers or self.service_organisations:
                service = {str(s) for s in self.service_organisations}
                handovers = together([p.handovers for p in given if p.handovers is not None])
                if self.service_organisations:
                    side = {lab: lab not in service for lab in {*handovers["from"], *handovers["to"]}}
                else:
                    side = {lab: lab in mothers for lab in {*handovers["from"], *handovers["to"]}}
                before = handovers["from"].map(side).to_numpy(dtype=bool)
                after = handovers["to"].map(side).to_numpy(dtype=bool)
                n = handovers["handovers"].to_numpy()
                items += [Metric("mother_to_ssc", _("Handovers from a mother organisation to the SSC"),
                                 int(n[before & ~after].sum()), unit="handovers"),
                          Metric("ssc_to_mother", _("Handovers from the SSC to a mother organisation"),
                                 int(n[~before & after].sum()), unit="handovers")]
        if C.MOTHER in facts.with_values:
            g = pc.groupby(pc["mother"].astype(object).fillna("?"), sort=True)
            spec = {"cases": ("events", "size"), "events": ("events", "sum"),
                    "coordination_events": ("coordination_events", "sum")}
            if "handovers_org" in pc.columns:
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
        labels = frozenset().union(*(p.coordination_labels for p in given))
        caveats = [_("Coordination activities: %(list)s (read as intake, assignment, forwarding, escalation, status "
                     "questions or updates; see \"How activities were read\").")
                   % {"list": ", ".join(sorted(labels)) or "–"},
                   _("Active time is the time until the next event of the ticket while the ticket is not on hold, not "
                     "sent back and not yet resolved. It includes time in a queue, so it is an upper bound of the "
                     "effort; the wait for the requester and the time until closure are left out.")]
        return self.result(summary=summary, items=items, caveats=caveats)
