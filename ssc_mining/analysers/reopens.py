"""Reopen loops: reopened tickets, updates after closure, rework inside a ticket, and the same question filed again.

Definitions (events of a case in log order: time, ties by source row; roles and states from
:mod:`ssc_mining.semantics`, so they hold for any vocabulary):

* **reopen**: an event with the role *reopen*, or a return from a resolved, closed or cancelled
  state to work, evidenced by work before the next resolution or by a new resolution of the same
  level (see :mod:`ssc_mining.semantics.markers`). Resolve followed by Close is not a reopen.
* **update after resolution or closure**: an event while the ticket is resolved, closed or
  cancelled that does not reopen it (linking a configuration item, quality flags, surveys, notes).
* **repeated resolution**: a resolution or closure recorded again with nothing in between.
* **rework** (bupaR's edeaR): a *repeat* is an event whose activity already occurred earlier in the
  case (per case: events − distinct activities); a *self-loop* is an event with the same activity as
  the event just before it; a *redo* is a repeat done by another person than the previous
  occurrence of that activity (both known).
* **re-submission chain**: see :mod:`ssc_mining.analysers.chains` (explicit link > similar subject >
  requester and category); the first page only counts chains with link or subject evidence.

Reopens are "not measured" when no activity or status of the log means resolved or closed.

On a log in partitions of whole tickets (the DuckDB engine) each partition gives its tickets' figures and the
values chains are found from (first and last event, link, requester, category, subject: all per ticket), the
distinct people of each ticket that can be in a chain, and its repeats per activity; the chains, which link
different tickets, are found when the parts are put together, as are the shares, medians and rankings.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case:concept:name": ["1", "1", "1", "1", "2", "2"],
    ...     "concept:name": ["Register", "Resolve", "Reopen", "Resolve", "Register", "Resolve"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04",
    ...                                       "2024-01-08", "2024-01-09"], utc=True),
    ...     "case:ssc:requester": ["Eva"] * 6, "case:ssc:category": ["Salary"] * 6}))
    >>> reopens_per_case(log)["reopens"].tolist()
    [1, 0]
    >>> resubmission_chains(log, window_days=14).table["chain_position"].tolist()
    [1, 2]
    >>> Reopens().analyse(log).item("reopened_share").value
    0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser, top_cases
from ssc_mining.analysers.chains import (
    COLUMNS,
    LEVEL_TEXT,
    SAME_QUESTION,
    Chains,
    broad_among,
    chain_evidence,
    chain_values,
    chains_of,
    resubmission_chains,
)
from ssc_mining.analysers.toolkit import pct, sorted_codes, value_codes
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import repeated
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_date, format_number, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Item, Metric, Result, Table
from ssc_mining.results.items import MetricBasis
from ssc_mining.semantics.roles import Role

__all__ = ["Reopens", "reopens_per_case", "resubmission_chains", "reopens_measurable"]


def reopens_measurable(log: EventLog) -> str:
    """Empty when reopens can be measured on ``log``; else the reason (no resolution is recorded)."""
    m = log.markers
    return _not_measurable(bool(m.done().any()) or m.present(Role.REOPEN))


def _not_measurable(measurable: bool) -> str:
    if measurable:
        return ""
    return _("nothing in this export means resolved, closed or reopened, so a return to work after a resolution "
             "cannot be seen")


def _rework(log: EventLog) -> dict[str, np.ndarray]:
    """Per event flags: repeat, self-loop, redo."""
    frame, index = log.frame, log.cases
    n = len(frame)
    act, _unused = value_codes(frame, C.ACTIVITY)
    person, _unused = value_codes(frame, C.RESOURCE)
    width = int(act.max()) + 2 if n else 1
    key = index.codes * width + (act + 1)
    repeat = repeated(key) & (act >= 0)
    self_loop = np.zeros(n, dtype=bool)
    if n > 1:
        self_loop[1:] = index.same_case & (act[1:] == act[:-1]) & (act[1:] >= 0)
    redo = np.zeros(n, dtype=bool)
    if n > 1:
        order = np.argsort(key, kind="stable")  # occurrences of an activity in a case, in log order
        k, p = key[order], person[order]
        again = (k[1:] == k[:-1]) & (p[1:] != p[:-1]) & (p[1:] >= 0) & (p[:-1] >= 0)
        redo[order[1:][again]] = True
    return {"repeat": repeat, "self_loop": self_loop, "redo": redo}


def reopens_per_case(log: EventLog) -> pd.DataFrame:
    """Reopens, updates after closure and rework per case (index: case id).

    Columns: ``reopens``, ``updates_after_closure``, ``repeated_resolutions``, ``repeated_activities``
    (events − distinct activities), ``self_loops``, ``redo`` (repeats by another person than the previous
    occurrence), ``days`` (first to last event).

    Example:
        >>> import pandas as pd
        >>> from ssc_mining.eventlog import EventLog
        >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["a"] * 4,
        ...     "concept:name": ["Check", "Check", "Fix", "Check"], "org:resource": ["Ann", "Bob", "Bob", "Bob"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], utc=True)}))
        >>> reopens_per_case(log).loc["a", ["repeated_activities", "self_loops", "redo"]].astype(int).tolist()
        [2, 1, 1]
    """
    return _per_case(log, _rework(log))


def _per_case(log: EventLog, flags: dict[str, np.ndarray]) -> pd.DataFrame:
    index, m = log.cases, log.markers
    return pd.DataFrame({"reopens": index.count(m.reopen), "updates_after_closure": index.count(m.after_done),
                         "repeated_resolutions": index.count(m.repeat_resolution),
                         "repeated_activities": index.count(flags["repeat"]),
                         "self_loops": index.count(flags["self_loop"]), "redo": index.count(flags["redo"]),
                         "days": index.days()}, index=index.ids)


def _candidates(name: str) -> tuple[str, ...]:
    """The columns :func:`~ssc_mining.analysers.toolkit.find_column` looks at for ``name``, in its order."""
    return name, f"case:{name}", f"case:ssc:{name}", f"ssc:{name}"


@dataclass(frozen=True)
class _Part:
    """A partition's share of the reopen figures."""

    #: per ticket (index: case id): the columns of :func:`reopens_per_case`, ``order`` (case order in the whole
    #: log), the values chains are found from (:func:`~ssc_mining.analysers.chains.chain_values`: ``opened``,
    #: ``closed`` and those of ``link``, ``subject``, ``requester``, ``category`` the log has) and, per column the
    #: system's reopen counter may be in, ``system <column>`` (its first value as a number)
    cases: pd.DataFrame
    #: per activity with repeats (missing activity included): ``activity``, ``repeats``, ``self_loops``, ``redo``
    rework: pd.DataFrame
    #: the distinct (``case``, ``person``) pairs of the tickets that can be in a chain (None: no resource column,
    #: or no chains possible)
    people: pd.DataFrame | None
    done: bool                        #: some event leaves its ticket resolved, closed or cancelled
    reopen: bool                      #: the whole log has reopen events
    counter_columns: tuple[str, ...]  #: the candidate reopen-counter columns holding a value in this partition
    timezone: str                     #: the zone dates are shown in (the log's)


@dataclass(frozen=True, kw_only=True)
class Reopens(Analyser):
    """Reopened tickets, updates after closure, rework inside tickets, and re-submission chains."""

    name = "reopens"
    version = "2"
    title = {"en": "Reopen loops and re-submissions", "nl": "Heropende meldingen en herhaalde vragen"}
    description = {"en": "Tickets that are reopened, work that is done again, and the same question filed again "
                         "as a new ticket.",
                   "nl": "Meldingen die heropend worden, werk dat opnieuw gedaan wordt, en dezelfde vraag die "
                         "opnieuw als nieuwe melding wordt ingediend."}
    requires = (C.CASE, C.ACTIVITY, C.TIMESTAMP)
    uses = (C.STATUS, C.RESOURCE, C.REQUESTER, C.CATEGORY, C.MOTHER, C.LINK, C.SUBJECT)

    definitions = {
        "reopened_share": N_("tickets that went back to work after they were resolved or closed (shown by later work "
                             "or a new resolution), as a share of all tickets"),
        "reopens": N_("times a ticket went back to work after it was resolved or closed"),
        "reopens_per_reopened": N_("reopens per reopened ticket, on average"),
        "days_median_reopened": N_("half of the reopened tickets take at most this long from first to last event"),
        "days_median_not_reopened": N_("half of the tickets never reopened take at most this long from first to last "
                                       "event"),
        "updates_after_closure": N_("events after a ticket was resolved or closed that did not reopen it, such as "
                                    "linking a configuration item or a survey"),
        "updates_after_closure_share": N_("tickets with at least one update after resolution or closure, as a share "
                                          "of all tickets"),
        "repeated_resolution_share": N_("tickets with a resolution or closure recorded again without any event in "
                                        "between (often entered twice, not reopened), as a share of all tickets"),
        "rework_share": N_("tickets in which an activity was done more than once, as a share of all tickets"),
        "self_loop_share": N_("tickets in which the same activity was done twice in a row, as a share of all "
                              "tickets"),
        "redo_share": N_("tickets in which an activity was done again by another person than the time before, as a "
                         "share of all tickets"),
        "chains": N_("questions filed again as a new ticket: groups of two or more tickets that belong together, "
                     "found by the evidence named"),
        "chain_tickets_share": N_("tickets that belong to a re-submission chain, as a share of all tickets"),
        "same_question_share": N_("tickets in a chain that rests on a link between the tickets or a similar subject, "
                                  "as a share of all tickets"),
        "chain_days_median": N_("half of the chains take at most this long from the first opening to the last "
                                "closing: the real time to a solution"),
        "chain_first_ticket_days_median": N_("half of the chains' first tickets take at most this long on their own"),
        "longest_chain_days": N_("the chain of tickets about one question that took longest, from the opening of "
                                 "its first ticket to the closing of its last"),
        "longest_chain_tickets": N_("tickets in that longest chain"),
        "longest_chain_first_ticket_days": N_("how long the first ticket of that chain took on its own: what the "
                                              "ticket system shows"),
        "longest_chain_people": N_("different people who worked on the tickets of that chain"),
        "chain_tickets_mean": N_("tickets per chain, on average"),
    }

    #: a ticket of the same requester and category opened within this many days after the previous one's
    #: last event continues its chain
    window_days: float = 14
    #: subjects at least this similar (0–100, rapidfuzz token-set ratio) count as the same question
    subject_similarity: float = 80
    #: system's own reopen counter (also looked up with ``case:`` / ``case:ssc:`` prefixes)
    reopen_column: str = "reopen_count"
    #: rows in tables and case ids in findings
    top: int = 15

    def analyse(self, log: EventLog) -> Result:
        return self.combine([self.partial(log)], LogFacts.of(log))

    def partial(self, log: EventLog) -> _Part | None:
        index = log.cases
        if index.n == 0:
            return None
        # not kept on the log (only this analyser uses them; its result serves every language): freed on return
        flags = _rework(log)
        cases = _per_case(log, flags).assign(order=case_order(log))
        values = chain_values(log)
        cases = pd.concat([cases, values], axis=1)
        frame = log.frame
        counters = []
        for column in _candidates(self.reopen_column):
            if column in frame.columns:
                cases[f"system {column}"] = pd.to_numeric(index.case_first(frame[column]), errors="coerce")
                if frame[column].notna().any():
                    counters.append(column)
        level = chain_evidence([name for name in COLUMNS if name in values.columns])
        people = None
        if level is not None and log.has(C.RESOURCE):
            # the people of each ticket that can be in a chain (a chain counts those of all its tickets)
            chained = np.ones(index.n, dtype=bool) if level == "link" else \
                (values["requester"].notna() & values["category"].notna()).to_numpy()
            person, names = sorted_codes(log, C.RESOURCE)
            keep = (person >= 0) & chained[index.codes]
            width = len(names) + 1
            pairs = np.unique(index.codes[keep].astype(np.int64) * width + person[keep])
            people = pd.DataFrame({"case": np.asarray(index.ids, dtype=object)[pairs // width],
                                   "person": pd.Categorical.from_codes(pairs % width, categories=names)})
        m = log.markers
        return _Part(cases=cases, rework=self._rework_counts(log, flags), people=people,
                     done=bool(m.done().any()), reopen=m.present(Role.REOPEN), counter_columns=tuple(counters),
                     timezone=log.timezone)

    @staticmethod
    def _rework_counts(log: EventLog, flags: dict[str, np.ndarray]) -> pd.DataFrame:
        """Repeats, self-loops and redos per activity with repeats (missing: a group of its own, last), counted on
        the activity codes, not the texts."""
        codes, values = sorted_codes(log, C.ACTIVITY)
        n = len(values)
        slot = codes.astype(np.int64)
        slot[slot < 0] = n
        repeats = np.bincount(slot[flags["repeat"]], minlength=n + 1)
        present = np.flatnonzero(repeats)
        return pd.DataFrame({
            "activity": pd.array([values[i] if i < n else None for i in present], dtype=log.frame[C.ACTIVITY].dtype),
            **{name: np.bincount(slot[flags[flag]], minlength=n + 1)[present]
               for name, flag in (("repeats", "repeat"), ("self_loops", "self_loop"), ("redo", "redo"))}})

    def combine(self, parts: Sequence[_Part | None], facts: LogFacts) -> Result:
        found = [p for p in parts if p is not None]
        if facts.cases == 0 or not found:
            return self.result(summary=_("The export is empty."),
                               items=[Metric("cases", _("Tickets"), 0, unit="cases")])
        cases = found[0].cases if len(found) == 1 else in_log_order(
            pd.concat([p.cases for p in found]), np.concatenate([p.cases["order"].to_numpy() for p in found]))
        pc = cases[["reopens", "updates_after_closure", "repeated_resolutions", "repeated_activities", "self_loops",
                    "redo", "days"]]
        n = facts.cases
        items: list[Item] = [Metric("cases", _("Tickets"), n, unit="cases")]
        caveats: list[str] = []
        why = _not_measurable(any(p.done for p in found) or any(p.reopen for p in found))
        if why:
            caveats.append(_("If some activities or statuses of this export do mean resolved, closed or reopened, "
                             "name them in the mapping file's [semantics] table (see the documentation)."))
        items += self._reopen_items(pc, why, caveats)
        items += [
            Metric("rework_share", _("Share of tickets with an activity done more than once"),
                   round(float((pc["repeated_activities"] > 0).mean()), 6), unit="share"),
            Metric("self_loop_share", _("Share of tickets with the same activity twice in a row"),
                   round(float((pc["self_loops"] > 0).mean()), 6), unit="share"),
        ]
        if C.RESOURCE in facts.with_values:
            items.append(Metric("redo_share", _("Share of tickets where a repeat was done by another person"),
                                round(float((pc["redo"] > 0).mean()), 6), unit="share"))
        else:
            items.append(Metric.not_measured("redo_share", _("Share of tickets where a repeat was done by another "
                                                             "person"),
                                             _("the export has no person (resource) column"), unit="share"))
        items += self._rework_table([p.rework for p in found])
        values = cases[["opened", "closed", *(name for name in COLUMNS if name in cases.columns)]]
        chains = chains_of(values, window_days=self.window_days, similarity=self.subject_similarity)
        people = None
        if C.RESOURCE in facts.with_values and chains.evidence is not None:
            people = [p.people for p in found if p.people is not None]
        items += self._chain_items(cases, chains, people, found[0].timezone, facts, caveats)
        if not why:
            items += self._system_counter(pc, cases, found)
            items.append(Chart("reopens_distribution", _("Reopens per ticket"), "bar",
                               x=[str(v) for v in range(6)] + ["6+"],
                               series={_("tickets"): [int(v) for v in np.bincount(np.minimum(pc["reopens"], 6),
                                                                                  minlength=7)]},
                               x_label=_("reopens in the ticket"), y_label=_("tickets"),
                               description=_("Number of tickets by how many times they were reopened")))
        return self.result(summary=self._summary(pc, items, why), items=items, caveats=caveats)

    def _reopen_items(self, pc: pd.DataFrame, why: str, caveats: list[str]) -> list[Item]:
        labels = {"reopened_share": _("Share of tickets reopened at least once"), "reopens": _("Reopens"),
                  "reopens_per_reopened": _("Reopens per reopened ticket (mean)"),
                  "days_median_reopened": _("Median throughput time of reopened tickets"),
                  "days_median_not_reopened": _("Median throughput time of tickets never reopened"),
                  "updates_after_closure": _("Updates after resolution or closure"),
                  "updates_after_closure_share": _("Share of tickets updated after resolution or closure"),
                  "repeated_resolution_share": _("Share of tickets resolved again with nothing in between")}
        units = {"reopened_share": "share", "reopens": "reopens", "reopens_per_reopened": "reopens",
                 "days_median_reopened": "days", "days_median_not_reopened": "days",
                 "updates_after_closure": "events", "updates_after_closure_share": "share",
                 "repeated_resolution_share": "share"}
        if why:
            return [Metric.not_measured(key, label, why, unit=units[key]) for key, label in labels.items()]
        reopened = pc["reopens"] > 0
        n_reopened = int(reopened.sum())
        items: list[Item] = [
            Metric("reopened_share", labels["reopened_share"], round(float(reopened.mean()), 6), unit="share",
                   based_on=ngettext("%(n)s ticket", "%(n)s tickets", len(pc)) % {"n": format_number(len(pc))}),
            Metric("reopens", labels["reopens"], int(pc["reopens"].sum()), unit="reopens"),
            Metric("reopens_per_reopened", labels["reopens_per_reopened"],
                   round(float(pc.loc[reopened, "reopens"].mean()), 4) if n_reopened else None, unit="reopens",
                   reason="" if n_reopened else _("no ticket was reopened"), base=n_reopened),
            Metric("days_median_reopened", labels["days_median_reopened"],
                   float(pc.loc[reopened, "days"].median()) if n_reopened else None, unit="days",
                   reason="" if n_reopened else _("no ticket was reopened"), base=n_reopened),
            Metric("days_median_not_reopened", labels["days_median_not_reopened"],
                   float(pc.loc[~reopened, "days"].median()) if (~reopened).any() else None, unit="days",
                   base=int((~reopened).sum())),
            Metric("updates_after_closure", labels["updates_after_closure"], int(pc["updates_after_closure"].sum()),
                   unit="events"),
            Metric("updates_after_closure_share", labels["updates_after_closure_share"],
                   round(float((pc["updates_after_closure"] > 0).mean()), 6), unit="share"),
            Metric("repeated_resolution_share", labels["repeated_resolution_share"],
                   round(float((pc["repeated_resolutions"] > 0).mean()), 6), unit="share"),
        ]
        if n_reopened:
            top = top_cases(pc.loc[reopened, "reopens"], n_reopened)
            items.append(Finding("reopened_cases", "notice",
                                 ngettext("%(n)s ticket (%(share)s) was reopened; the tickets reopened most often "
                                          "come first.",
                                          "%(n)s tickets (%(share)s) were reopened; the tickets reopened most often "
                                          "come first.", n_reopened)
                                 % {"n": format_number(n_reopened), "share": pct(reopened.mean())}, top, n_reopened))
        caveats.append(_("A ticket counts as reopened when it goes back to work after it was resolved or closed, "
                         "shown by later work or a new resolution; a resolution followed by closure is not a reopen, "
                         "and updates after closure are counted apart."))
        return items

    def _summary(self, pc: pd.DataFrame, items: list[Item], why: str) -> str:
        values = {"reopened": pct((pc["reopens"] > 0).mean()), "n": format_number(len(pc)),
                  "rework": pct((pc["repeated_activities"] > 0).mean())}
        if why:
            text = _("Reopens are not measured: %(why)s. In %(rework)s of the %(n)s tickets an activity was done "
                     "more than once.") % {**values, "why": why}
        else:
            text = _("%(reopened)s of the %(n)s tickets were reopened; in %(rework)s an activity was done more than "
                     "once.") % values
        chains = next((i for i in items if i.key == "chains"), None)
        if isinstance(chains, Metric) and chains.value:
            tickets = next(i for i in items if i.key == "chain_tickets_share")
            median = next(i for i in items if i.key == "chain_days_median")
            assert isinstance(tickets, Metric) and isinstance(median, Metric)
            text += " " + ngettext(
                "%(n)s question was filed again as a new ticket (%(share)s of all tickets are in such a chain); "
                "such a chain takes %(days)s days from first opening to last closing (median).",
                "%(n)s questions were filed again as new tickets (%(share)s of all tickets are in such a chain); "
                "such a chain takes %(days)s days from first opening to last closing (median).", chains.value,
            ) % {"n": format_number(chains.value), "share": pct(tickets.value),
                 "days": format_number(median.value, 1)}
        return text

    def _rework_table(self, counts: list[pd.DataFrame]) -> list[Item]:
        counts = [c for c in counts if len(c)]
        if not counts:
            return []
        if len(counts) == 1:
            table = counts[0]
        else:   # the parts' counts per activity added up, activities in sorted order (missing last)
            joined = pd.concat(counts, ignore_index=True)
            codes, values = pd.factorize(joined["activity"], sort=True, use_na_sentinel=True)
            n = len(values)
            slot = codes.astype(np.int64)
            slot[slot < 0] = n
            present = np.unique(slot)
            sums = {name: np.bincount(slot, weights=joined[name].to_numpy(dtype=np.float64),
                                      minlength=n + 1)[present].astype(np.int64)
                    for name in ("repeats", "self_loops", "redo")}
            table = pd.DataFrame({"activity": pd.array([values[i] if i < n else None for i in present],
                                                       dtype=joined["activity"].dtype), **sums})
        table = table.sort_values(["repeats", "activity"], ascending=[False, True], kind="stable")
        table = table[table["repeats"] > 0].head(self.top)
        return [Table.from_frame("rework_by_activity", _("Activities done more than once in a ticket"), table,
                                 labels={"activity": _("activity"), "repeats": _("repeats"),
                                         "self_loops": _("twice in a row"), "redo": _("by another person")},
                                 descriptions={"repeats": _("events whose activity already occurred earlier in the "
                                                            "ticket"),
                                               "self_loops": _("events with the same activity as the event before"),
                                               "redo": _("repeats done by another person than the previous time")})]

    def _chain_items(self, cases: pd.DataFrame, found: Chains, people_parts: list[pd.DataFrame] | None,
                     timezone: str, facts: LogFacts, caveats: list[str]) -> list[Item]:
        chain_labels = {
            "chains": _("Questions filed again as new tickets (chains of two or more tickets)"),
            "chain_tickets_share": _("Share of tickets that belong to a re-submission chain"),
            "same_question_share": _("Share of tickets in a chain with evidence of the same question"),
        }
        if found.evidence is None:
            why = _(found.reason)
            return [Metric.not_measured("chains", chain_labels["chains"], why, unit="chains"),
                    Metric.not_measured("chain_tickets_share", chain_labels["chain_tickets_share"], why, unit="share"),
                    Metric.not_measured("same_question_share", chain_labels["same_question_share"], why,
                                        unit="share")]
        chains = found.table
        linked = chains[chains["chain_position"] > 0]
        n_chains = int(linked["chain_id"].nunique())
        window = float(self.window_days)
        evidence = _(LEVEL_TEXT[found.evidence])
        based_on = (evidence if found.evidence == "link" else
                    _("%(evidence)s, within %(days)s days") % {
                        "evidence": evidence, "days": format_number(window, 0 if window.is_integer() else 1)})
        share = round(float(len(linked) / facts.cases), 6)
        items: list[Item] = [
            Metric("chains", chain_labels["chains"], n_chains, unit="chains", based_on=based_on),
            Metric("chain_tickets_share", chain_labels["chain_tickets_share"], share, unit="share", based_on=based_on),
            Metric("same_question_share", chain_labels["same_question_share"], share, unit="share",
                   based_on=based_on)
            if found.evidence in SAME_QUESTION else
            Metric.not_measured("same_question_share", chain_labels["same_question_share"],
                                _("the export links no tickets and has no subject to compare, so chains rest on the "
                                  "same requester and category alone, which is a weak sign of the same question"),
                                unit="share"),
        ]
        caveats.append(_("Re-submission chains are found by %(evidence)s.") % {"evidence": evidence})
        broad = broad_among(cases["category"]) if found.evidence == "requester_category" else None
        if broad is not None:
            caveats.append(_("The categories are broad (the largest, %(category)s, holds %(share)s of the tickets): "
                             "two tickets of one requester in the same category need not be the same question.")
                           % {"category": broad[0], "share": pct(broad[1])})
        if not n_chains:
            return items
        chain_of = linked["chain_id"]
        people = None
        if people_parts is not None:   # people per chain: those of its tickets, without repeats
            # the tickets in chains are looked up in one index, whose hash table serves every part (a lookup per
            # part in a new table took minutes at millions of tickets and dozens of parts)
            in_chain, chain_ids = pd.Index(chain_of.index), chain_of.to_numpy(dtype=object)
            pairs = []
            for part in people_parts:
                at = in_chain.get_indexer(part["case"])
                keep = at >= 0
                if keep.any():
                    pairs.append(pd.DataFrame({"chain": chain_ids[at[keep]],
                                               "person": part["person"].to_numpy(dtype=object)[keep]}))
            people = (pd.concat(pairs, ignore_index=True).drop_duplicates().groupby("chain").size() if pairs else
                      pd.Series(dtype="int64"))
        per_chain = (linked.groupby("chain_id")
                     .agg(tickets=("chain_length", "first"), first_opened=("opened", "min"),
                          last_closed=("closed", "max")))
        per_chain["chain_days"] = (per_chain["last_closed"] - per_chain["first_opened"]).dt.total_seconds() / 86400
        first_ticket = linked[linked["chain_position"] == 1].set_index("chain_id")
        per_chain["first_ticket_days"] = ((first_ticket["closed"] - first_ticket["opened"]).dt.total_seconds()
                                          / 86400).reindex(per_chain.index)
        if people is not None:
            per_chain["people"] = people.reindex(per_chain.index).fillna(0).astype("int64")
        if C.CATEGORY in facts.with_values and "category" in cases.columns:
            per_chain["category"] = cases["category"].reindex(per_chain.index)
        per_chain = (per_chain.rename_axis("chain_id").reset_index()
                     .sort_values(["chain_days", "tickets", "chain_id"], ascending=[False, False, True],
                                  kind="stable")
                     .set_index("chain_id"))
        in_chains = int(len(linked))
        items += [
            Metric("chain_days_median", _("Median time from first opening to last closing of a chain"),
                   round(float(per_chain["chain_days"].median()), 6), unit="days", base=in_chains),
            Metric("chain_first_ticket_days_median", _("Median duration of the first ticket of a chain alone"),
                   round(float(per_chain["first_ticket_days"].median()), 6), unit="days", base=in_chains),
            Metric("chain_tickets_mean", _("Tickets per chain (mean)"), round(float(per_chain["tickets"].mean()), 4),
                   unit="tickets", base=in_chains),
        ]
        top_chain = per_chain.iloc[0]
        on_longest: MetricBasis = {"base": int(top_chain["tickets"])}
        items += [
            Metric("longest_chain_days", _("Longest chain: first opening to last closing"),
                   round(float(top_chain["chain_days"]), 6), unit="days", **on_longest),
            Metric("longest_chain_tickets", _("Longest chain: tickets"), int(top_chain["tickets"]), unit="tickets",
                   **on_longest),
            Metric("longest_chain_first_ticket_days", _("Longest chain: its first ticket alone"),
                   round(float(top_chain["first_ticket_days"]), 6), unit="days", **on_longest),
        ]
        if "people" in per_chain.columns:
            items.append(Metric("longest_chain_people", _("Longest chain: handlers"), int(top_chain["people"]),
                                unit="people", **on_longest))
        table = per_chain.head(self.top).reset_index()
        for column in ("first_opened", "last_closed"):
            table[column] = [format_date(d.date()) for d in table[column].dt.tz_convert(timezone)]
        table["chain_days"] = table["chain_days"].round(2)
        table["first_ticket_days"] = table["first_ticket_days"].round(2)
        items.append(Table.from_frame(
            "longest_chains", _("Longest re-submission chains"), table,
            labels={"chain_id": _("first ticket"), "tickets": _("tickets"), "chain_days": _("chain (days)"),
                    "first_ticket_days": _("first ticket (days)"), "first_opened": _("first opened"),
                    "last_closed": _("last closed"), "people": _("handlers"), "category": _("category")},
            units={"chain_days": "days", "first_ticket_days": "days"},
            descriptions={"people": _("distinct people who worked on the chain's tickets"),
                          "chain_days": _("first opening to last closing: the real time to a solution")}))
        longest = per_chain.index
        first = per_chain.iloc[0]
        members = _chain_members(linked, longest)
        items.append(Finding(
            "chains_longest", "warning" if first["chain_days"] > 30 else "notice",
            ngettext("%(n)s question was filed again as a new ticket; the longest chain took %(days)s days over "
                     "%(tickets)s tickets, while its first ticket alone took %(first)s days. The tickets of the "
                     "chains are listed, longest chain first.",
                     "%(n)s questions were filed again as new tickets; the longest chain took %(days)s days over "
                     "%(tickets)s tickets, while its first ticket alone took %(first)s days. The tickets of the "
                     "chains are listed, longest chain first.", n_chains)
            % {"n": format_number(n_chains), "days": format_number(first["chain_days"]),
               "tickets": format_number(int(first["tickets"])), "first": format_number(first["first_ticket_days"])},
            members, len(members)))
        return items

    def _system_counter(self, pc: pd.DataFrame, cases: pd.DataFrame, parts: list[_Part]) -> list[Item]:
        with_values = {c for p in parts for c in p.counter_columns}
        column = next((c for c in _candidates(self.reopen_column) if c in with_values), None)
        if column is None:
            return []
        system = cases[f"system {column}"]
        known = system.notna()
        if not known.any():
            return []
        diff = pc["reopens"][known] - system[known]
        differ = diff[diff != 0]
        table = pd.DataFrame({"measure": [_("tickets compared"), _("equal"), _("measured more"), _("system more"),
                                          _("reopened (measured)"), _("reopened (system)")],
                              "value": [int(known.sum()), int((diff == 0).sum()), int((diff > 0).sum()),
                                        int((diff < 0).sum()), int((pc["reopens"][known] > 0).sum()),
                                        int((system[known] > 0).sum())]})
        order = top_cases(differ.abs(), len(differ))
        values = {"n": format_number(len(differ)), "total": format_number(int(known.sum())), "column": column}
        return [Table.from_frame("reopens_vs_system", _("Measured reopens versus the system's %(column)s") % values,
                                 table, labels={"measure": _("measure"), "value": _("value")}),
                Finding("reopens_differ", "info" if differ.empty else "notice",
                        _("The measured reopens equal the system's reopen count for every ticket.") if differ.empty else
                        _("For %(n)s of %(total)s tickets the measured reopens differ from the system's reopen count "
                          "(%(column)s); the largest differences are listed.") % values,
                        order, int(len(differ)))]


def _chain_members(linked: pd.DataFrame, chains: pd.Index) -> list[str]:
    """The case ids of ``chains``, chain by chain in the given order, each in chain position order."""
    rank = pd.Series(range(len(chains)), index=chains)
    members = linked[linked["chain_id"].isin(chains)]
    members = members.assign(_rank=members["chain_id"].map(rank).to_numpy())
    return members.sort_values(["_rank", "chain_position"], kind="stable").index.astype(str).tolist()

