"""Workload and trends: arrivals, completions and backlog per week; age of open tickets; workload per team.

Definitions (weeks start on Monday, months and weeks in ``timezone``):

* **arrival**: a case's first event. **Completion**: the event that begins its final state (resolved,
  closed, cancelled, or returned and never submitted again; see :mod:`ssc_mining.semantics`). A case that
  did not end is **open**; cases completed after ``as_of`` count as open too. When nothing in the log
  means resolved, open tickets, completions and the backlog are "not measured".
* **backlog** at the end of a week: cases arrived by then minus cases completed by then.
* **age** of an open case: ``as_of`` (default: the last event in the log) minus its arrival, in days.
* **workload per team per month**: events by the team's people, cases they touched, and the number of
  distinct people (column unit ``people``, so a report can hide small teams). No figures per person.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
    ...     "concept:name": ["Register", "Resolve", "Register"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-03 09:00", "2024-01-10 09:00"],
    ...                                      utc=True)}))
    >>> r = Workload(as_of="2024-01-20 10:00").analyse(log)
    >>> r.item("open_cases").value, r.item("median_open_age_days").value
    (1, 10.0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.analysers.toolkit import code_dtype, distinct_per_group, month_codes, month_label
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_date, format_number, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Item, Metric, Result, Table

AGE_BANDS = (0, 7, 30, 90, 365, np.inf)


@dataclass(frozen=True)
class _Part:
    """A partition's share of the workload figures: its tickets' arrival and completion, and its team workload."""

    zone: str                    #: the time zone of months and weeks (the analyser's, or the log's when it had none)
    cases: pd.DataFrame | None   #: per ticket (index: id): arrived, completed (before ``as_of``), order; None: empty
    last: pd.Timestamp           #: the partition's last event (the default ``as_of`` is the last of all)
    teams: pd.DataFrame | None   #: per (month ``YYYYMM``, team) seen: events, cases (tickets are in one partition)
    people: pd.DataFrame | None  #: the distinct (month, team, person) triples seen (people work in many partitions)


@dataclass(frozen=True, kw_only=True)
class Workload(Analyser):
    """Arrivals, completions and backlog per week; age of open tickets; workload per team per month."""

    name = "workload"
    title = {"en": "Workload and backlog", "nl": "Werkvoorraad en werkdruk"}
    description = {"en": "How many tickets arrive and are completed each week, how the backlog develops, how old "
                         "open tickets are, and the workload per team (never per person).",
                   "nl": "Hoeveel meldingen er per week binnenkomen en worden afgehandeld, hoe de werkvoorraad zich "
                         "ontwikkelt, hoe oud open meldingen zijn, en de werkdruk per team (nooit per persoon)."}
    uses = (C.TEAM, C.RESOURCE, C.STATUS)
    definitions = {
        "cases": N_("the tickets registered on or before the reference moment (the last event, unless another "
                    "moment was given)"),
        "arrivals_per_week": N_("tickets registered per week (Monday to Sunday): the middle value of all weeks"),
        "completions_per_week": N_("tickets resolved, closed, cancelled or returned for good per week: the middle "
                                   "value of all weeks"),
        "open_cases": N_("tickets not resolved, closed, cancelled or returned for good at the reference moment"),
        "backlog_end": N_("tickets registered minus tickets completed, counted from the first week of the export "
                          "to the last"),
        "median_open_age_days": N_("half of the open tickets were registered at most this many days before the "
                                   "reference moment"),
        "max_open_age_days": N_("days since the oldest open ticket was registered"),
    }

    #: moment at which open tickets are aged (ISO date or date-time, in ``timezone``); default: the last event
    as_of: str | None = None
    #: zone of months, weeks and working hours; None: the run's (the log's zone)
    timezone: str | None = None

    def _as_of(self, log: EventLog) -> pd.Timestamp:
        return self._moment(log.frame[C.TIMESTAMP].max())

    def _moment(self, last: pd.Timestamp) -> pd.Timestamp:
        """``as_of`` in UTC; when not given, ``last`` (the last event)."""
        if self.as_of:
            moment = pd.Timestamp(self.as_of)
            return moment.tz_localize(self.timezone).tz_convert("UTC") if moment.tzinfo is None else \
                moment.tz_convert("UTC")
        return last

    def _zone(self) -> str:
        if self.timezone is None:
            raise ValueError("Workload.partial/combine need a timezone: settle the analyser first (for_log or a run)")
        return self.timezone

    @staticmethod
    def _arrivals(log: EventLog) -> pd.DataFrame:
        """Per case (index: id): ``arrived`` and ``completed`` (NaT when it did not end), whatever ``as_of`` is."""
        frame, index, m = log.frame, log.cases, log.markers
        completion = m.ended_at(index)
        finished = m.ended if m.endings_known else np.ones(index.n, dtype=bool)
        if not m.endings_known:
            completion = index.last.copy()
        ts = frame[C.TIMESTAMP].reset_index(drop=True)
        arrived = ts.iloc[index.first].reset_index(drop=True)
        completed = ts.iloc[np.maximum(completion, 0)].reset_index(drop=True).where(
            pd.Series(finished & (completion >= 0)))
        pc = pd.DataFrame({"arrived": arrived, "completed": completed})
        pc.index = index.ids
        return pc

    @staticmethod
    def _at(cases: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
        """Per case: ``arrived``, ``completed`` (NaT when open at ``as_of``), ``open``, ``age_days``."""
        completed = cases["completed"]
        pc = pd.DataFrame({"arrived": cases["arrived"], "completed": completed.where(completed <= as_of)})
        pc["open"] = pc["completed"].isna() & (pc["arrived"] <= as_of)
        pc["age_days"] = ((as_of - pc["arrived"]).dt.total_seconds() / 86400).where(pc["open"])
        return pc

    def per_case(self, log: EventLog) -> pd.DataFrame:
        """Per case: ``arrived``, ``completed`` (NaT when open at ``as_of``), ``open``, ``age_days``."""
        as_of = self._as_of(log)
        pc = self._at(self._arrivals(log), as_of)
        pc.attrs["endings_known"] = log.markers.endings_known
        pc.attrs["as_of"] = as_of
        return pc

    def case_values(self, log: EventLog) -> pd.DataFrame:
        """Per-case values behind the metrics (for comparisons between segments)."""
        if self.timezone is None:
            return self.for_log(log).case_values(log)
        return self._values(self.per_case(log))

    def case_values_of_parts(self, parts: Sequence[_Part], facts: LogFacts) -> pd.DataFrame:
        """:meth:`case_values` of the log made of ``parts``."""
        if self.timezone is None and parts:  # settled as the parts were
            return dataclasses.replace(self, timezone=parts[0].zone).case_values_of_parts(parts, facts)
        frames = [p.cases for p in parts if p.cases is not None]
        if not frames:
            return pd.DataFrame({"median_open_age_days": pd.Series(dtype=float), "open_share": pd.Series(dtype=bool)})
        cases = frames[0] if len(frames) == 1 else in_log_order(
            pd.concat(frames), np.concatenate([f["order"].to_numpy() for f in frames]))
        return self._values(self._at(cases, self._moment(max(p.last for p in parts if p.cases is not None))))

    @staticmethod
    def _values(pc: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"median_open_age_days": pc["age_days"], "open_share": pc["open"]})

    def analyse(self, log: EventLog) -> Result:
        if self.timezone is None:  # the run's zone: the log's when run on its own
            return self.for_log(log).analyse(log)
        return self.combine([self.partial(log)], LogFacts.of(log))

    def partial(self, log: EventLog) -> _Part:
        if self.timezone is None:  # the log's zone, as analyse takes it
            return self.for_log(log).partial(log)
        if not log.n_events:
            return _Part(zone=self.timezone, cases=None, last=pd.NaT, teams=None, people=None)
        teams, people = self._team_month(log) if log.has(C.TEAM) else (None, None)
        return _Part(zone=self.timezone, cases=self._arrivals(log).assign(order=case_order(log)),
                     last=log.frame[C.TIMESTAMP].max(), teams=teams, people=people)

    def _team_month(self, log: EventLog) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Events and tickets per (month, team) seen by ``as_of``, and the distinct (month, team, person) triples.

        Without a given ``as_of`` the moment is this log's last event: every event of the log is seen by it, as
        by the last event of a larger log it is part of."""
        frame = log.frame
        # grouped as numbers (months, teams and people as codes; teams coded in name order), labelled after
        team, teams = pd.factorize(frame[C.TEAM], sort=True)
        team = team.astype(code_dtype(len(teams)))
        seen = (frame[C.TIMESTAMP] <= self._as_of(log)).to_numpy() & (team >= 0)
        month, months = month_codes(frame[C.TIMESTAMP], self._zone())
        # one group per (month, team) seen, numbered in (month, team) order: a bincount over all pairs
        pair = month[seen].astype(np.int64) * len(teams) + team[seen]
        events = np.bincount(pair, minlength=len(months) * len(teams))
        keys = np.flatnonzero(events)
        number = np.zeros(len(events), dtype=np.int64)
        number[keys] = np.arange(len(keys))
        group = number[pair]
        del pair
        names = np.asarray(teams, dtype=object)
        t = pd.DataFrame({"month": months[keys // len(teams)].astype(np.int64), "team": names[keys % len(teams)],
                          "events": events[keys].astype("int64"),
                          "cases": distinct_per_group(group, log.cases.codes[seen], len(keys))})
        people = None
        if log.has(C.RESOURCE):
            person, persons = pd.factorize(frame[C.RESOURCE])   # missing (−1): not a person
            person = person[seen]
            known = person >= 0
            triples = pd.DataFrame({"group": group[known], "person": person[known]}).drop_duplicates()
            g = triples["group"].to_numpy()
            people = pd.DataFrame({"month": t["month"].to_numpy()[g], "team": t["team"].to_numpy()[g],
                                   "person": np.asarray(persons, dtype=object)[triples["person"].to_numpy()]})
        return t, people

    def combine(self, parts: Sequence[_Part], facts: LogFacts) -> Result:
        if self.timezone is None and parts:  # settled as the parts were
            return dataclasses.replace(self, timezone=parts[0].zone).combine(parts, facts)
        if not facts.events:
            return self.result(summary=_("The export is empty."),
                               items=[Metric("cases", _("Tickets"), 0, unit="cases")])
        tz = self._zone()
        parts = [p for p in parts if p.cases is not None]
        frames = [p.cases for p in parts if p.cases is not None]
        cases = frames[0] if len(frames) == 1 else in_log_order(
            pd.concat(frames), np.concatenate([f["order"].to_numpy() for f in frames]))
        as_of = self._moment(max(p.last for p in parts))
        pc = self._at(cases, as_of)

        def week(times: pd.Series) -> pd.Series:
            local = times.dt.tz_convert(tz).dt.tz_localize(None)
            return (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D"))

        arrived = pc["arrived"][pc["arrived"] <= as_of]
        if not len(arrived):
            return self.result(summary=_("No ticket had arrived by %(moment)s.") % {
                "moment": as_of.tz_convert(tz).strftime("%Y-%m-%d")}, items=[Metric("cases", _("Tickets"), 0,
                                                                                     unit="cases")])
        arrivals = week(arrived).value_counts()
        completions = week(pc["completed"].dropna()).value_counts()
        weeks = pd.date_range(arrivals.index.min(), week(pd.Series([as_of]))[0], freq="7D")
        weekly = pd.DataFrame({"arrivals": arrivals.reindex(weeks, fill_value=0),
                               "completions": completions.reindex(weeks, fill_value=0)})
        weekly["backlog"] = weekly["arrivals"].cumsum() - weekly["completions"].cumsum()
        labels = [d.strftime("%Y-%m-%d") for d in weeks]
        open_ = pc["open"]
        ages = pc.loc[open_, "age_days"]
        known = facts.endings_known
        no_end = _("nothing in this export means resolved, closed or cancelled, so it cannot tell which tickets are "
                   "still open")
        items: list[Item] = [
            Metric("cases", _("Tickets arrived by the reference moment"), int(len(arrived)), unit="cases"),
            Metric("arrivals_per_week", _("Median arrivals per week"), float(weekly["arrivals"].median()),
                   unit="cases"),
        ]
        if known:
            items += [
                Metric("completions_per_week", _("Median completions per week"),
                       float(weekly["completions"].median()), unit="cases"),
                Metric("open_cases", _("Open tickets"), int(open_.sum()), unit="cases"),
                Metric("backlog_end", _("Backlog at the end of the last week"), int(weekly["backlog"].iloc[-1]),
                       unit="cases"),
                Metric("median_open_age_days", _("Median age of open tickets"),
                       round(float(ages.median()), 4) if len(ages) else None, unit="days", base=int(len(ages)),
                       reason="" if len(ages) else _("no ticket was open")),
                Metric("max_open_age_days", _("Oldest open ticket"), round(float(ages.max()), 4) if len(ages) else None,
                       unit="days", base=int(len(ages)), reason="" if len(ages) else _("no ticket was open")),
            ]
        else:
            items += [Metric.not_measured(key, label, no_end, unit=unit) for key, label, unit in (
                ("completions_per_week", _("Median completions per week"), "cases"),
                ("open_cases", _("Open tickets"), "cases"),
                ("backlog_end", _("Backlog at the end of the last week"), "cases"),
                ("median_open_age_days", _("Median age of open tickets"), "days"))]
            ages = ages.iloc[:0]
        items += [
            Chart("weekly", _("Arrivals, completions and backlog per week"), "line", x=labels,
                  series={_("arrivals"): weekly["arrivals"].astype(int).tolist(),
                          _("completions"): weekly["completions"].astype(int).tolist(),
                          _("backlog"): weekly["backlog"].astype(int).tolist()},
                  x_label=_("week (Monday)"), y_label=_("tickets")),
        ]
        if len(ages):
            names = [_("under a week"), _("1–4 weeks"), _("1–3 months"), _("3–12 months"), _("over a year")]
            codes = pd.cut(ages, list(AGE_BANDS), right=False, labels=False).dropna().astype(int)
            band_table = pd.DataFrame({"age": names, "cases": np.bincount(codes, minlength=len(names))})
            items.append(Table.from_frame("open_age", _("Age of open tickets"), band_table,
                                          labels={"age": _("age"), "cases": _("open tickets")},
                                          units={"cases": "cases"}))
            oldest = ages.sort_values(ascending=False, kind="stable")
            items.append(Finding("oldest_open", "info",
                                 ngettext("%(n)s ticket was open on %(moment)s; it was registered %(days)s days "
                                          "earlier.",
                                          "%(n)s tickets were open on %(moment)s; the oldest was registered %(days)s "
                                          "days earlier. The oldest come first.", len(ages))
                                 % {"n": format_number(len(ages)),
                                    "moment": format_date(as_of.tz_convert(tz).date()),
                                                  "days": format_number(float(oldest.iloc[0]), 0)},
                                 case_ids=[str(c) for c in oldest.index], count=int(len(ages))))
        if C.TEAM in facts.with_values:
            t = self._team_table([p.teams for p in parts if p.teams is not None],
                                 [p.people for p in parts if p.people is not None],
                                 C.RESOURCE in facts.with_values)
            units = {"cases": "cases"}
            if "people" in t.columns:
                t["events_per_person"] = (t["events"] / t["people"].where(t["people"] > 0)).round(2)
                units["people"] = "people"
                units["events_per_person"] = "per_person"   # withheld with the people count of a small team
            items.append(Table.from_frame(
                "team_month", _("Workload per team per month"), t,
                labels={"month": _("month"), "team": _("team"), "events": _("events"), "cases": _("tickets"),
                        "people": _("people"), "events_per_person": _("events per person (team average)")},
                descriptions={"people": _("distinct people of the team with events that month")},
                units=units))
        if known:
            summary = (_("A median of %(arr)s tickets arrived and %(done)s were completed per week; %(open)s were open "
                         "at the end (median age %(age)s days).")
                       % {"arr": format_number(float(weekly["arrivals"].median()), 0),
                          "done": format_number(float(weekly["completions"].median()), 0),
                          "open": format_number(int(open_.sum())),
                          "age": format_number(float(ages.median()), 1) if len(ages) else "–"})
        else:
            summary = (_("A median of %(arr)s tickets arrived per week. Open tickets and the backlog are not "
                         "measured: %(why)s.") % {"arr": format_number(float(weekly["arrivals"].median()), 0),
                                                  "why": no_end})
        caveats = [_("A ticket is completed when it was resolved, closed, cancelled or returned for good (see "
                     "\"How activities were read\")."),
                   _("The age of open tickets is counted up to %(moment)s.") % {
                       "moment": format_date(as_of.tz_convert(tz).date())},
                   _("Workload is shown per team and month only, never per person.")]
        return self.result(summary=summary, items=items, caveats=caveats)

    @staticmethod
    def _team_table(teams: list[pd.DataFrame], people: list[pd.DataFrame], with_people: bool) -> pd.DataFrame:
        """Events, tickets and (``with_people``) distinct people per (month, team), in (month, team name) order,
        from the partitions' counts: tickets add up (each is in one partition), people are counted once."""
        counts = teams[0] if len(teams) == 1 else pd.concat(teams, ignore_index=True)
        code, names = pd.factorize(counts["team"], sort=True)
        t = (counts[["month", "events", "cases"]].assign(team=code.astype(np.int64))
             .groupby(["month", "team"], sort=True)[["events", "cases"]].sum().reset_index())
        if with_people:
            # each part's triples are distinct; one person can be in several parts
            seen = people[0] if len(people) == 1 else pd.concat(people, ignore_index=True).drop_duplicates()
            per_group = seen.assign(team=pd.Index(names).get_indexer(seen["team"])).groupby(["month", "team"]).size()
            t["people"] = per_group.reindex(pd.MultiIndex.from_frame(t[["month", "team"]]), fill_value=0) \
                .to_numpy().astype("int64")
        t["month"] = [month_label(int(k)) for k in t["month"]]
        t["team"] = np.asarray(names, dtype=object)[t["team"].to_numpy(dtype=np.int64)]
        return t
