"""Reopen loops: reopened tickets, rework inside a ticket, and the same question filed again as a new ticket.

Definitions (events of a case in log order: time, ties by source row):

* **state** of an event: *closed* when its status (the status column when the log has one, else
  the activity) is one of ``closed_states`` (case-insensitive), *open* when it is another known
  status, unknown when missing. An event whose activity is a reopen activity (``reopen_activities``)
  is always *open*.
* **reopen**: an event that is a reopen activity, or an *open* event whose previous event with a
  known state (in the same case) was *closed*. One event counts once.
* **rework** (bupaR's edeaR): a *repeat* is an event whose activity already occurred earlier in the
  case (per case: events − distinct activities); a *self-loop* is an event with the same activity as
  the event just before it; a *redo* is a repeat done by another person than the previous
  occurrence of that activity (both known).
* **re-submission chain**: tickets with the same requester and the same category, where each ticket
  was opened (first event) no later than ``window_days`` after the last event of the earlier tickets
  of the chain. Tickets are ordered by their first event; a chain has two or more tickets. The real
  time to a solution is the chain's: from its first opening to its last closing.

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
    >>> resubmission_chains(log, window_days=14)[["chain_id", "chain_position", "chain_length"]].values.tolist()
    [['1', 1, 2], ['1', 2, 2]]
    >>> Reopens().analyse(log).item("reopened_share").value
    0.5
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser, top_cases
from ssc_mining.analysers.handoffs import (CaseIndex, case_days, case_first, case_index, find_column, ordered_frame,
                                           pct, value_codes)
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_date, format_number, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Item, Metric, Result, Table

#: resolved / closed / cancelled labels: English, Dutch (TOPdesk), ServiceNow (labels and state numbers 6, 7, 8)
CLOSED_STATES: tuple[str, ...] = (
    "Resolved", "Closed", "Canceled", "Cancelled", "Done", "Closed Complete", "Closed Incomplete",
    "Closed Skipped", "Opgelost", "Gereed", "Afgemeld", "Gesloten", "Afgesloten", "Geannuleerd", "Vervallen",
    "6", "7", "8",
)
#: activities that reopen a ticket
REOPEN_ACTIVITIES: tuple[str, ...] = ("Reopen", "Reopened", "Re-open", "Reopen ticket", "Heropend", "Heropenen",
                                      "Heropen", "Opnieuw geopend", "Opnieuw openen")


def _in(labels: pd.Index, wanted: tuple[str, ...]) -> np.ndarray:
    """Per distinct label: True when it is one of ``wanted`` (case- and space-insensitive); one extra False
    at the end for the missing code -1."""
    targets = {w.strip().casefold() for w in wanted}
    flags = [str(v).strip().casefold() in targets for v in labels]
    return np.array(flags + [False], dtype=bool)


def _reopen_events(frame: pd.DataFrame, index: CaseIndex, closed_states: tuple[str, ...],
                   reopen_activities: tuple[str, ...]) -> np.ndarray:
    """Per event: True when it reopens the ticket (see the module doc)."""
    n = len(frame)
    status_col = C.STATUS if (C.STATUS in frame.columns and frame[C.STATUS].notna().any()) else C.ACTIVITY
    status, statuses = value_codes(frame, status_col)
    act, acts = value_codes(frame, C.ACTIVITY)
    is_reopen = _in(acts, reopen_activities)[act]
    state = np.where(status >= 0, np.where(_in(statuses, closed_states)[status], 1, 0), -1)  # 1 closed, 0 open
    state[is_reopen] = 0
    known = np.flatnonzero(state >= 0)
    transition = np.zeros(n, dtype=bool)
    if len(known) > 1:
        k_case, k_state = index.codes[known], state[known]
        hit = (k_case[1:] == k_case[:-1]) & (k_state[:-1] == 1) & (k_state[1:] == 0)
        transition[known[1:][hit]] = True
    return is_reopen | transition


def _rework(frame: pd.DataFrame, index: CaseIndex) -> dict[str, np.ndarray]:
    """Per event flags: repeat, self-loop, redo."""
    n = len(frame)
    act, _ = value_codes(frame, C.ACTIVITY)
    person, _ = value_codes(frame, C.RESOURCE)
    width = int(act.max()) + 2 if n else 1
    key = index.codes * width + (act + 1)
    repeat = pd.Series(key).duplicated(keep="first").to_numpy() & (act >= 0)
    self_loop = np.zeros(n, dtype=bool)
    if n > 1:
        self_loop[1:] = index.same_case & (act[1:] == act[:-1]) & (act[1:] >= 0)
    redo = np.zeros(n, dtype=bool)
    if n > 1:
        order = np.argsort(key, kind="stable")   # occurrences of an activity in a case, in log order
        k, p = key[order], person[order]
        again = (k[1:] == k[:-1]) & (p[1:] != p[:-1]) & (p[1:] >= 0) & (p[:-1] >= 0)
        redo[order[1:][again]] = True
    return {"repeat": repeat, "self_loop": self_loop, "redo": redo}


def reopens_per_case(log: EventLog, *, closed_states: tuple[str, ...] = CLOSED_STATES,
                     reopen_activities: tuple[str, ...] = REOPEN_ACTIVITIES) -> pd.DataFrame:
    """Reopens and rework per case (index: case id).

    Columns: ``reopens``, ``repeated_activities`` (events − distinct activities), ``self_loops``,
    ``redo`` (repeats by another person than the previous occurrence), ``days`` (first to last event).

    Example:
        >>> import pandas as pd
        >>> from ssc_mining.eventlog import EventLog
        >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["a"] * 4,
        ...     "concept:name": ["Check", "Check", "Fix", "Check"], "org:resource": ["Ann", "Bob", "Bob", "Bob"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], utc=True)}))
        >>> reopens_per_case(log).loc["a", ["repeated_activities", "self_loops", "redo"]].astype(int).tolist()
        [2, 1, 1]
    """
    frame = ordered_frame(log)
    return _per_case(frame, case_index(frame), closed_states, reopen_activities)[0]


def _per_case(frame: pd.DataFrame, index: CaseIndex, closed_states: tuple[str, ...],
              reopen_activities: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    flags = _rework(frame, index)
    flags["reopen"] = _reopen_events(frame, index, tuple(closed_states), tuple(reopen_activities))
    out = pd.DataFrame({"reopens": index.count(flags["reopen"]), "repeated_activities": index.count(flags["repeat"]),
                        "self_loops": index.count(flags["self_loop"]), "redo": index.count(flags["redo"]),
                        "days": case_days(frame, index)}, index=index.ids)
    return out, flags


def resubmission_chains(log: EventLog, *, window_days: float = 14) -> pd.DataFrame:
    """Re-submission chains (index: case id): ``chain_id`` (case id of the chain's first ticket; missing
    when the ticket is in no chain), ``chain_position`` (1, 2, …; 0 when in no chain), ``chain_length``
    (tickets in its chain; 1 when in no chain), plus ``opened`` and ``closed`` (first and last event).

    Example:
        >>> import pandas as pd
        >>> from ssc_mining.eventlog import EventLog
        >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["a", "b", "c"],
        ...     "concept:name": ["Open"] * 3, "case:ssc:requester": ["Eva", "Eva", "Eva"],
        ...     "case:ssc:category": ["Pay", "Pay", "Pay"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-03-01"], utc=True)}))
        >>> resubmission_chains(log, window_days=14)["chain_position"].tolist()
        [1, 2, 0]
    """
    frame = ordered_frame(log)
    return _chains(frame, case_index(frame), window_days)


def _chains(frame: pd.DataFrame, index: CaseIndex, window_days: float) -> pd.DataFrame:
    n = index.n
    out = pd.DataFrame({"chain_id": pd.Series([None] * n, index=index.ids, dtype="object"),
                        "chain_position": np.zeros(n, dtype="int64"), "chain_length": np.ones(n, dtype="int64")},
                       index=index.ids)
    if n == 0:
        out["opened"] = pd.Series([], dtype="datetime64[us, UTC]")
        out["closed"] = pd.Series([], dtype="datetime64[us, UTC]")
        return out
    t = frame[C.TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    opened = np.minimum.reduceat(t, index.starts)
    closed = np.maximum.reduceat(t, index.starts)
    out["opened"] = pd.to_datetime(opened, unit="us", utc=True)
    out["closed"] = pd.to_datetime(closed, unit="us", utc=True)
    if not all(c in frame.columns and frame[c].notna().any() for c in (C.REQUESTER, C.CATEGORY)):
        return out
    req, _ = pd.factorize(case_first(frame, index, C.REQUESTER), use_na_sentinel=True)
    cat, _ = pd.factorize(case_first(frame, index, C.CATEGORY), use_na_sentinel=True)
    cases = np.flatnonzero((req >= 0) & (cat >= 0))
    if len(cases) < 2:
        return out
    order = cases[np.lexsort((cases, opened[cases], cat[cases], req[cases]))]
    r, c, o, e = req[order], cat[order], opened[order], closed[order]
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (r[1:] == r[:-1]) & (c[1:] == c[:-1])
    group = np.cumsum(~same)
    latest = pd.Series(e).groupby(group).cummax().to_numpy()          # latest close so far in the group
    before = np.empty_like(latest)
    before[0], before[1:] = np.iinfo("int64").min, latest[:-1]
    window = int(round(float(window_days) * 86_400e6))
    new_chain = ~same | (o > before + window)
    chain = np.cumsum(new_chain) - 1
    length = np.bincount(chain)[chain]
    first = np.flatnonzero(new_chain)[chain]
    position = np.arange(len(order)) - first + 1
    linked = length > 1
    ids = np.asarray(index.ids, dtype=object)
    rows = order[linked]
    out.iloc[rows, out.columns.get_loc("chain_id")] = ids[order[first[linked]]]
    out.iloc[rows, out.columns.get_loc("chain_position")] = position[linked]
    out.iloc[rows, out.columns.get_loc("chain_length")] = length[linked]
    return out


@dataclass(frozen=True, kw_only=True)
class Reopens(Analyser):
    """Reopened tickets, rework inside tickets, and re-submission chains."""

    name = "reopens"
    title = {"en": "Reopen loops and re-submissions", "nl": "Heropende meldingen en herhaalde vragen"}
    description = {"en": "Tickets that are reopened, work that is done again, and the same question filed again "
                         "as a new ticket.",
                   "nl": "Meldingen die heropend worden, werk dat opnieuw gedaan wordt, en dezelfde vraag die "
                         "opnieuw als nieuwe melding wordt ingediend."}
    requires = (C.CASE, C.ACTIVITY, C.TIMESTAMP)
    uses = (C.STATUS, C.RESOURCE, C.REQUESTER, C.CATEGORY, C.MOTHER)

    #: statuses (or activities, without a status column) that mean resolved, closed or cancelled
    closed_states: tuple[str, ...] = CLOSED_STATES
    #: activities that reopen a ticket
    reopen_activities: tuple[str, ...] = REOPEN_ACTIVITIES
    #: a ticket of the same requester and category opened within this many days after the previous one's
    #: last event continues its chain
    window_days: float = 14
    #: system's own reopen counter (also looked up with ``case:`` / ``case:ssc:`` prefixes)
    reopen_column: str = "reopen_count"
    #: rows in tables and case ids in findings
    top: int = 15

    def analyse(self, log: EventLog) -> Result:
        frame = ordered_frame(log)
        index = case_index(frame)
        if index.n == 0:
            return self.result(summary=_("The log is empty."), items=[Metric("cases", _("Cases"), 0, unit="cases")])
        pc, flags = _per_case(frame, index, tuple(self.closed_states), tuple(self.reopen_activities))
        n = index.n
        reopened = pc["reopens"] > 0
        items: list[Item] = [
            Metric("cases", _("Cases"), n, unit="cases"),
            Metric("reopened_share", _("Share of tickets reopened at least once"), round(float(reopened.mean()), 6),
                   unit="share"),
            Metric("reopens", _("Reopens"), int(pc["reopens"].sum()), unit="reopens"),
            Metric("reopens_per_reopened", _("Reopens per reopened ticket (mean)"),
                   round(float(pc.loc[reopened, "reopens"].mean()), 4) if reopened.any() else None, unit="reopens"),
            Metric("days_median_reopened", _("Median throughput time of reopened tickets"),
                   float(pc.loc[reopened, "days"].median()) if reopened.any() else None, unit="days"),
            Metric("days_median_not_reopened", _("Median throughput time of tickets never reopened"),
                   float(pc.loc[~reopened, "days"].median()) if (~reopened).any() else None, unit="days"),
            Metric("rework_share", _("Share of tickets with an activity done more than once"),
                   round(float((pc["repeated_activities"] > 0).mean()), 6), unit="share"),
            Metric("self_loop_share", _("Share of tickets with the same activity twice in a row"),
                   round(float((pc["self_loops"] > 0).mean()), 6), unit="share"),
        ]
        caveats = [_("A ticket counts as reopened when its status goes from a resolved or closed state back to "
                     "another state, or when a reopen activity occurs.") if log.has(C.STATUS) else
                   _("A ticket counts as reopened when its activity goes from a resolved or closed state back to "
                     "another state, or when a reopen activity occurs.")]
        if log.has(C.RESOURCE):
            items.append(Metric("redo_share", _("Share of tickets where a repeat was done by another person"),
                                round(float((pc["redo"] > 0).mean()), 6), unit="share"))
        if reopened.any():
            top = top_cases(pc.loc[reopened, "reopens"], self.top)
            count = int(reopened.sum())
            items.append(Finding("reopened_cases", "notice",
                                 ngettext("%(n)s ticket (%(share)s) was reopened; the tickets reopened most often "
                                          "are listed.",
                                          "%(n)s tickets (%(share)s) were reopened; the tickets reopened most often "
                                          "are listed.", count)
                                 % {"n": format_number(count), "share": pct(reopened.mean())}, top, count))
        items += self._rework_table(frame, flags)
        items += self._chain_items(frame, index, caveats, log)
        items += self._system_counter(pc, frame, index)
        items.append(Chart("reopens_distribution", _("Reopens per ticket"), "bar",
                           x=[str(v) for v in range(6)] + ["6+"],
                           series={_("tickets"): [int(v) for v in np.bincount(np.minimum(pc["reopens"], 6),
                                                                              minlength=7)]},
                           x_label=_("reopens in the ticket"), y_label=_("tickets"),
                           description=_("Number of tickets by how many times they were reopened")))
        return self.result(summary=self._summary(pc, items), items=items, caveats=caveats)

    def _summary(self, pc: pd.DataFrame, items: list[Item]) -> str:
        text = _("%(reopened)s of the %(n)s tickets were reopened; in %(rework)s an activity was done more than "
                 "once.") % {"reopened": pct((pc["reopens"] > 0).mean()), "n": format_number(len(pc)),
                             "rework": pct((pc["repeated_activities"] > 0).mean())}
        chains = next((i for i in items if i.key == "chains"), None)
        if chains is not None and chains.value:
            tickets = next(i for i in items if i.key == "chain_tickets_share")
            median = next(i for i in items if i.key == "chain_days_median")
            text += " " + ngettext(
                "%(n)s question was filed again as a new ticket (%(share)s of all tickets are in such a chain); "
                "such a chain takes %(days)s days from first opening to last closing (median).",
                "%(n)s questions were filed again as new tickets (%(share)s of all tickets are in such a chain); "
                "such a chain takes %(days)s days from first opening to last closing (median).", chains.value,
            ) % {"n": format_number(chains.value), "share": pct(tickets.value),
                 "days": format_number(median.value, 1)}
        return text

    def _rework_table(self, frame: pd.DataFrame, flags: dict[str, np.ndarray]) -> list[Item]:
        if not flags["repeat"].any():
            return []
        acts = frame[C.ACTIVITY]
        table = pd.DataFrame({"activity": acts.to_numpy(), "repeats": flags["repeat"], "self_loops": flags["self_loop"],
                              "redo": flags["redo"]})
        table = (table.groupby("activity", dropna=False)[["repeats", "self_loops", "redo"]].sum().reset_index()
                 .sort_values(["repeats", "activity"], ascending=[False, True], kind="stable"))
        table = table[table["repeats"] > 0].head(self.top)
        return [Table.from_frame("rework_by_activity", _("Activities done more than once in a ticket"), table,
                                 labels={"activity": _("activity"), "repeats": _("repeats"),
                                         "self_loops": _("twice in a row"), "redo": _("by another person")},
                                 descriptions={"repeats": _("events whose activity already occurred earlier in the "
                                                            "ticket"),
                                               "self_loops": _("events with the same activity as the event before"),
                                               "redo": _("repeats done by another person than the previous time")})]

    def _chain_items(self, frame: pd.DataFrame, index: CaseIndex, caveats: list[str], log: EventLog) -> list[Item]:
        if not (log.has(C.REQUESTER) and log.has(C.CATEGORY)):
            caveats.append(_("Re-submissions are not measured: the log needs a requester and a category column."))
            return []
        chains = _chains(frame, index, self.window_days)
        linked = chains[chains["chain_position"] > 0]
        n_chains = int(linked["chain_id"].nunique())
        window = float(self.window_days)
        items: list[Item] = [
            Metric("chains", _("Questions filed again as new tickets (chains of two or more tickets)"), n_chains,
                   unit="chains", based_on=_("same requester and category, within %(days)s days")
                   % {"days": format_number(window, 0 if window.is_integer() else 1)}),
            Metric("chain_tickets_share", _("Share of tickets that belong to a re-submission chain"),
                   round(float(len(linked) / index.n), 6), unit="share"),
        ]
        if not n_chains:
            return items
        # people per chain: distinct resources over all events of the chain's tickets
        chain_of = linked["chain_id"]
        events_chain = frame[C.CASE].map(chain_of)
        people = (frame.loc[events_chain.notna(), [C.RESOURCE]].assign(chain=events_chain.dropna())
                  .groupby("chain")[C.RESOURCE].nunique()) if log.has(C.RESOURCE) else None
        per_chain = (linked.groupby("chain_id")
                     .agg(tickets=("chain_length", "first"), first_opened=("opened", "min"),
                          last_closed=("closed", "max")))
        per_chain["chain_days"] = (per_chain["last_closed"] - per_chain["first_opened"]).dt.total_seconds() / 86400
        first_ticket = linked[linked["chain_position"] == 1].set_index("chain_id")
        per_chain["first_ticket_days"] = ((first_ticket["closed"] - first_ticket["opened"]).dt.total_seconds()
                                          / 86400).reindex(per_chain.index)
        if people is not None:
            per_chain["people"] = people.reindex(per_chain.index).fillna(0).astype("int64")
        if C.CATEGORY in frame.columns:
            per_chain["category"] = case_first(frame, index, C.CATEGORY).reindex(per_chain.index)
        per_chain = (per_chain.rename_axis("chain_id").reset_index()
                     .sort_values(["chain_days", "tickets", "chain_id"], ascending=[False, False, True],
                                  kind="stable")
                     .set_index("chain_id"))
        items += [
            Metric("chain_days_median", _("Median time from first opening to last closing of a chain"),
                   round(float(per_chain["chain_days"].median()), 6), unit="days"),
            Metric("chain_first_ticket_days_median", _("Median duration of the first ticket of a chain alone"),
                   round(float(per_chain["first_ticket_days"].median()), 6), unit="days"),
            Metric("chain_tickets_mean", _("Tickets per chain (mean)"), round(float(per_chain["tickets"].mean()), 4),
                   unit="tickets"),
        ]
        table = per_chain.head(self.top).reset_index()
        for column in ("first_opened", "last_closed"):
            table[column] = [format_date(d.date()) for d in table[column].dt.tz_convert(log.timezone)]
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
        longest = per_chain.index[: self.top]
        first = per_chain.iloc[0]
        items.append(Finding(
            "chains_longest", "warning" if first["chain_days"] > 30 else "notice",
            ngettext("%(n)s question was filed again as a new ticket; the longest chain took %(days)s days over "
                     "%(tickets)s tickets, while its first ticket alone took %(first)s days. The tickets of the "
                     "longest chains are listed.",
                     "%(n)s questions were filed again as new tickets; the longest chain took %(days)s days over "
                     "%(tickets)s tickets, while its first ticket alone took %(first)s days. The tickets of the "
                     "longest chains are listed.", n_chains)
            % {"n": format_number(n_chains), "days": format_number(first["chain_days"]),
               "tickets": format_number(int(first["tickets"])), "first": format_number(first["first_ticket_days"])},
            _chain_members(linked, longest), n_chains))
        return items

    def _system_counter(self, pc: pd.DataFrame, frame: pd.DataFrame, index: CaseIndex) -> list[Item]:
        column = find_column(frame, self.reopen_column)
        if column is None:
            return []
        system = pd.to_numeric(case_first(frame, index, column), errors="coerce")
        known = system.notna()
        if not known.any():
            return []
        diff = pc["reopens"][known] - system[known]
        differ = diff[diff != 0]
        table = pd.DataFrame({"measure": [_("tickets compared"), _("equal"), _("mined more"), _("system more"),
                                          _("reopened (mined)"), _("reopened (system)")],
                              "value": [int(known.sum()), int((diff == 0).sum()), int((diff > 0).sum()),
                                        int((diff < 0).sum()), int((pc["reopens"][known] > 0).sum()),
                                        int((system[known] > 0).sum())]})
        order = top_cases(differ.abs(), self.top)
        values = {"n": format_number(len(differ)), "total": format_number(int(known.sum())), "column": column}
        return [Table.from_frame("reopens_vs_system", _("Mined reopens versus the system's %(column)s") % values,
                                 table, labels={"measure": _("measure"), "value": _("value")}),
                Finding("reopens_differ", "info" if differ.empty else "notice",
                        _("The mined reopens equal the system's reopen count for every ticket.") if differ.empty else
                        _("For %(n)s of %(total)s tickets the mined reopens differ from the system's reopen count "
                          "(%(column)s); the largest differences are listed.") % values,
                        order, int(len(differ)))]


def _chain_members(linked: pd.DataFrame, chains: pd.Index) -> list[str]:
    """The case ids of ``chains``, chain by chain in the given order, each in chain position order."""
    rank = pd.Series(range(len(chains)), index=chains)
    members = linked[linked["chain_id"].isin(chains)]
    members = members.assign(_rank=members["chain_id"].map(rank).to_numpy())
    return [str(c) for c in members.sort_values(["_rank", "chain_position"], kind="stable").index]
