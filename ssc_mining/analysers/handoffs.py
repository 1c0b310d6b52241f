"""Handoffs: how often a ticket passes between people, teams and organisations, and ping-pong between teams.

Two team notions, both named in the report:

* **routing** — the ticket's assignment group (``ssc:assigned_group``; ServiceNow ``assignment_group``,
  TOPdesk *Behandelaarsgroep*, Jira's team field). A change of assignment group between consecutive
  events is a **reassignment** (ITSM's handoff); measured whenever the log has that column.
* **performer team** — the team of whoever did the event (``org:group``); history exports need a
  people directory for it (see ``docs/profiles.md``).

Definitions (all on the events of a case in log order: time, ties by source row):

* **handover** between people / performer teams / routing groups / organisations: two consecutive events
  of the case whose value differs, both known (an event with a missing value is neither the giver nor
  the receiver of a handover: ``Anna, ?, Bram`` has no handover).
* **runs**: the values of the events with missing ones dropped and consecutive duplicates collapsed
  (``A A B A`` → ``A B A``). A **return** is a run whose value already had an earlier run in the case; it
  is **direct** ping-pong when the run two steps back is the same (``X → Y → X``), otherwise **indirect**
  (``X → Y → Z → X``). Performer-team runs use the *service-side* events only (below); routing runs all
  events. **Team changes** = runs − 1 (comparable with a system's reassignment count, for routing).
* **service side**: events of the organisation(s) that handle tickets. With an organisation column
  these are the events of ``service_organisations`` or, when that parameter is empty and the log
  names the mother organisations, of every organisation that is not a mother; without an
  organisation column, every event. A customer answering a question is not ping-pong.
* **push to front**: a case is **escalated** when a service-side event was done by a team outside
  ``first_line_teams`` (when given) or, else, with a support line above 1 in the line column
  (values such as ``1``, ``2``, ``"2nd line"``, ``"2e lijn"``); **first line only** when it has at
  least one such event with a known line and none above the first line.
* **handover of work** (van der Aalst): A hands over to B when B performs the next event of the
  same case; the networks count handovers between different teams / organisations.

A figure whose column is absent is "not measured" with the reason, never 0.

On a log in partitions of whole tickets (the DuckDB engine) each partition gives its per-ticket figures and its
events and handovers per team, group, organisation and person; the shares, medians, rankings and networks are
made of them all. One decision is the whole log's: which organisations are mothers (the service side, without
``service_organisations``); a partition takes it from the whole log's facts (``LogFacts.mothers``).

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case:concept:name": ["1"] * 4,
    ...     "concept:name": ["Register", "Assign", "Return", "Resolve"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], utc=True),
    ...     "org:resource": ["Ann", "Bob", "Cem", "Ann"],
    ...     "org:group": ["Desk", "HR", "HR", "Desk"]}))
    >>> per_case = handoffs_per_case(log)
    >>> per_case.loc["1", ["handovers_person", "handovers_team", "people", "teams", "pingpong_direct"]].tolist()
    [3, 2, 3, 2, 1]
    >>> r = Handoffs().analyse(log)
    >>> r.item("team_handovers_mean").value, r.item("routing_handovers_mean").reason[:34]
    (2.0, 'the export does not say which grou')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser, top_cases
from ssc_mining.analysers.toolkit import changes, distinct_per_case, mean_text, pct, runs, value_codes
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import CaseIndex
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, join_texts, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Graph, Item, Metric, Result, Table

PER_CASE_COLUMNS = ("handovers_person", "handovers_team", "handovers_routing", "handovers_org", "people", "teams",
                    "routing_groups", "pingpong_direct", "pingpong_indirect", "routing_pingpong_direct",
                    "routing_pingpong_indirect", "escalated", "first_line_only")

_LINE = re.compile(r"^\s*(?:(?:support\s*)?(?:line|lijn)\s*)?([0-9]+)\s*(?:st|nd|rd|th|e|de|ste)?"
                   r"(?:\s*(?:support\s*)?(?:line|lijn|level|niveau))?\s*$", re.IGNORECASE)

#: level → (column, per-case handover column, per-case ping-pong prefix)
LEVELS = {"person": C.RESOURCE, "team": C.TEAM, "routing": C.ASSIGNED_GROUP, "org": C.ORGANISATION}


def level_reason(level: str) -> str:
    """Why a level cannot be measured when its column is absent (plain words; :func:`level_hint` says what to do)."""
    return {
        "person": _("the export does not say who did each step"),
        "team": _("the export does not say which team did each step"),
        "routing": _("the export does not say which group each ticket was assigned to"),
        "org": _("the export does not say which organisation did each step"),
    }[level]


def level_hint(level: str) -> str:
    """What to do when a level cannot be measured (for the caveats: names columns and options)."""
    return {
        "person": _("Handovers between people need a column with the person who did each event (--resource)."),
        "team": _("Handovers between teams need the team of whoever did each event (org:group, --team); for a "
                  "history export a people directory gives it (see the documentation on profiles)."),
        "routing": _("Reassignments need the group each ticket is assigned to after each event (an assignment "
                     "group column, --assigned-group)."),
        "org": _("Handovers between organisations need the organisation of whoever did each event (--org)."),
    }[level]


# --------------------------------------------------------------------------------------------------
# per-case computation
# --------------------------------------------------------------------------------------------------

def service_side(frame: pd.DataFrame, service_organisations: tuple[str, ...] = (),
                 mothers: frozenset[Any] | None = None) -> np.ndarray:
    """Per event: True for events of the organisation(s) that handle the tickets (see the module doc);
    ``mothers``: the mother organisations of the whole log ``frame`` is a partition of (default: ``frame``'s)."""
    if C.ORGANISATION not in frame.columns or not frame[C.ORGANISATION].notna().any():
        return np.ones(len(frame), dtype=bool)
    org = frame[C.ORGANISATION]
    if service_organisations:
        return (org.isin(list(service_organisations)) | org.isna()).to_numpy()
    if mothers is not None:
        return (~org.isin(list(mothers))).to_numpy() if mothers else np.ones(len(frame), dtype=bool)
    if C.MOTHER in frame.columns and frame[C.MOTHER].notna().any():
        found = pd.unique(frame[C.MOTHER].dropna())
        return (~org.isin(list(found))).to_numpy()
    return np.ones(len(frame), dtype=bool)


def _pingpong(codes: np.ndarray, index: CaseIndex, mask: np.ndarray | None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Direct returns, indirect returns and runs per case, and the run arrays."""
    rc, rv, rpos, direct, indirect = runs(codes, index, mask)
    count = lambda flags: np.bincount(rc, weights=flags.astype("float64"), minlength=index.n).astype("int64")  # noqa: E731
    return count(direct), count(indirect), count(np.ones(len(rc), dtype=bool)), \
        {"case": rc, "value": rv, "pos": rpos, "direct": direct, "indirect": indirect}


def _line_numbers(frame: pd.DataFrame) -> pd.Series | None:
    """Support line per event as a number, or None when the line column does not hold line numbers."""
    if C.LINE not in frame.columns or not frame[C.LINE].notna().any():
        return None
    line = frame[C.LINE]
    if pd.api.types.is_numeric_dtype(line):
        return pd.to_numeric(line, errors="coerce").astype("float64")
    codes, distinct = pd.factorize(line, use_na_sentinel=True)   # each distinct value parsed once
    parsed = pd.Series(np.asarray(distinct, dtype=object).astype(str)).str.extract(_LINE, expand=False)
    if parsed.isna().any():
        return None
    numbers = np.append(parsed.astype("float64").to_numpy(), np.nan)   # code −1 (missing) → NaN
    return pd.Series(numbers[codes], index=frame.index, dtype="float64")


def _escalation(frame: pd.DataFrame, index: CaseIndex, service: np.ndarray, team_codes: np.ndarray,
                teams: pd.Index, first_line_teams: tuple[str, ...]
                ) -> tuple[np.ndarray, np.ndarray, tuple[str, int]] | None:
    """Per case (escalated, first_line_only) and how the line was determined (``("teams", number of
    first-line teams)`` or ``("line", 0)``); None when unknown."""
    if first_line_teams:
        first = np.zeros(len(teams) + 1, dtype=bool)
        first[:-1] = pd.Index(teams).isin(list(first_line_teams))
        known = service & (team_codes >= 0)
        above = known & ~first[team_codes]
        how = ("teams", len(first_line_teams))
    else:
        line = _line_numbers(frame)
        if line is None:
            return None
        values = line.to_numpy()
        known = service & ~np.isnan(values)
        above = known & (np.nan_to_num(values, nan=0.0) > 1)
        how = ("line", 0)
    escalated = index.any(above)
    first_only = index.any(known) & ~escalated
    return escalated, first_only, how


def handoffs_per_case(log: EventLog, *, first_line_teams: tuple[str, ...] = (),
                      service_organisations: tuple[str, ...] = (), person_level: bool = False) -> pd.DataFrame:
    """Handovers, distinct people, teams and routing groups, ping-pong and escalation per case (index: case id).

    Columns: ``handovers_person``, ``handovers_team`` (performer team), ``handovers_routing`` (assignment
    group), ``handovers_org``, ``people``, ``teams``, ``routing_groups``, ``pingpong_direct`` and
    ``pingpong_indirect`` (performer-team returns), ``routing_pingpong_direct`` and
    ``routing_pingpong_indirect``, ``escalated``, ``first_line_only`` (nullable booleans, missing when the
    support line is unknown), ``team_changes`` and ``routing_changes`` (runs − 1), ``days`` (first to last
    event); with ``person_level`` also ``pingpong_person_direct`` and ``pingpong_person_indirect``.

    Example:
        >>> import pandas as pd
        >>> from ssc_mining.eventlog import EventLog
        >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["a"] * 4,
        ...     "concept:name": ["w"] * 4, "org:group": ["X", "Y", "Z", "X"],
        ...     "ssc:assigned_group": ["X", "Y", "Y", "X"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01"] * 4, utc=True)}))
        >>> handoffs_per_case(log)[["pingpong_direct", "pingpong_indirect", "routing_pingpong_direct"]].iloc[0].tolist()
        [0, 1, 1]
    """
    return _compute(log, first_line_teams=first_line_teams, service_organisations=service_organisations,
                    person_level=person_level)["per_case"]


def _compute(log: EventLog, *, first_line_teams: tuple[str, ...], service_organisations: tuple[str, ...],
             person_level: bool) -> dict[str, Any]:
    frame, index = log.frame, log.cases
    codes = {level: value_codes(frame, column) for level, column in LEVELS.items()}
    flags = {level: changes(codes[level][0], index) for level in LEVELS}
    service = service_side(frame, service_organisations, log.facts.mothers if log.facts is not None else None)
    direct, indirect, team_runs_count, team_runs = _pingpong(codes["team"][0], index, service)
    r_direct, r_indirect, routing_runs_count, routing_runs = _pingpong(codes["routing"][0], index, None)
    out = pd.DataFrame({
        "handovers_person": index.count(flags["person"]), "handovers_team": index.count(flags["team"]),
        "handovers_routing": index.count(flags["routing"]), "handovers_org": index.count(flags["org"]),
        "people": distinct_per_case(codes["person"][0], index), "teams": distinct_per_case(codes["team"][0], index),
        "routing_groups": distinct_per_case(codes["routing"][0], index),
        "pingpong_direct": direct, "pingpong_indirect": indirect,
        "routing_pingpong_direct": r_direct, "routing_pingpong_indirect": r_indirect,
    }, index=index.ids)
    team, teams = codes["team"]
    esc = _escalation(frame, index, service, team, teams, first_line_teams)
    unknown = np.full(index.n, esc is None)
    out["escalated"] = pd.arrays.BooleanArray(np.zeros(index.n, dtype=bool) if esc is None else esc[0], unknown)
    out["first_line_only"] = pd.arrays.BooleanArray(np.zeros(index.n, dtype=bool) if esc is None else esc[1],
                                                    unknown.copy())
    out["team_changes"] = np.maximum(team_runs_count - 1, 0)
    out["routing_changes"] = np.maximum(routing_runs_count - 1, 0)
    out["days"] = index.days()
    person_runs = None
    if person_level:
        pdirect, pindirect, _runs, person_runs = _pingpong(codes["person"][0], index, service)
        out["pingpong_person_direct"], out["pingpong_person_indirect"] = pdirect, pindirect
    return {"per_case": out, "index": index, "frame": frame,
            **{level: (codes[level][0], codes[level][1], flags[level]) for level in LEVELS},
            "service": service, "team_runs": team_runs, "routing_runs": routing_runs,
            "person_runs": person_runs, "escalation_how": esc[2] if esc else None}


def handover_graph(codes: np.ndarray, labels: pd.Index, flags: np.ndarray, *, max_edges: int | None = None
                   ) -> nx.DiGraph:
    """Handover-of-work network: edge A→B weighted by the handovers from A to B; node weight = events.

    ``flags`` marks the events that receive a handover (see :func:`~ssc_mining.analysers.toolkit.changes`).
    """
    known = codes >= 0
    events = np.bincount(codes[known], minlength=len(labels))
    keys, counts = _pair_counts(codes, len(labels), flags)
    return _network_graph(labels, events, keys, counts, max_edges=max_edges)


def _pair_counts(codes: np.ndarray, n_labels: int, flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The handovers per (giver, receiver) pair of value codes, as keys ``giver * (n_labels + 1) + receiver`` in
    ascending order and their counts; ``flags`` marks the events that receive a handover."""
    receivers = np.flatnonzero(flags)
    width = n_labels + 1
    pairs = codes[receivers - 1].astype(np.int64) * width + codes[receivers]
    del receivers
    if width * width <= max(len(pairs), 1 << 20) and (not len(pairs) or int(pairs.min()) >= 0):
        # few teams: one counter per (from, to) pair instead of sorting every handover (same keys, same order)
        counted = np.bincount(pairs, minlength=width * width)
        keys = np.flatnonzero(counted)
        counts = counted[keys]
    else:
        keys, counts = np.unique(pairs, return_counts=True)
    return keys, counts


def _network_graph(labels: Sequence[Any] | np.ndarray, events: np.ndarray, keys: np.ndarray, counts: np.ndarray, *,
                   max_edges: int | None) -> nx.DiGraph:
    """The network of :func:`handover_graph` from the events per value (in code order) and the counted pairs."""
    graph = nx.DiGraph()
    width = len(labels) + 1
    order = np.argsort(-counts, kind="stable")
    if max_edges is not None:
        order = order[:max_edges]
    used: set[int] = set()
    for k in keys[order]:
        used.update((int(k // width), int(k % width)))
    for i in sorted(used) if max_edges is not None else range(len(labels)):
        graph.add_node(str(labels[i]), weight=int(events[i]))
    for k, w in zip(keys[order], counts[order]):
        graph.add_edge(str(labels[int(k // width)]), str(labels[int(k % width)]), weight=int(w))
    return graph


# --------------------------------------------------------------------------------------------------
# a partition's share (see ssc_mining.engines.partitioned): per ticket, and counts per value that add up
# --------------------------------------------------------------------------------------------------

def _places(positions: np.ndarray, index: CaseIndex, order: np.ndarray) -> np.ndarray:
    """Per event position: its place in the whole log's event order, as (case order of its ticket, place in the
    ticket) — the whole log's events are grouped by ticket in case order (shape ``(n, 2)``)."""
    case = index.codes[positions]
    return np.column_stack([order[case], positions - index.first[case]]).astype(np.int64)


@dataclass(frozen=True)
class _Values:
    """One level's handovers in a partition, by value (they add up over partitions)."""

    labels: np.ndarray     #: the distinct known values, in the order of their first event
    events: np.ndarray     #: events per value
    first: np.ndarray      #: per value: the place of its first event in the whole log (see :func:`_places`)
    giver: np.ndarray      #: per (giver, receiver) pair that occurs: the giving value (a position in ``labels``)
    receiver: np.ndarray   #: per pair: the receiving value
    handovers: np.ndarray  #: per pair: handovers

    @classmethod
    def of(cls, codes: np.ndarray, labels: pd.Index, flags: np.ndarray, index: CaseIndex,
           order: np.ndarray) -> _Values:
        known = np.flatnonzero(codes >= 0)
        events = np.bincount(codes[known], minlength=len(labels)).astype(np.int64)
        _seen, at = np.unique(codes[known], return_index=True)   # every value occurs: one first event per code
        keys, counts = _pair_counts(codes, len(labels), flags)
        width = len(labels) + 1
        return cls(labels=np.asarray(labels), events=events, first=_places(known[at], index, order),
                   giver=keys // width, receiver=keys % width, handovers=counts.astype(np.int64))


@dataclass(frozen=True)
class _Returns:
    """Returns to a value already left (team or assignment group) in a partition, per value."""

    labels: np.ndarray   #: the values tickets came back to, in the order of their first return
    returns: np.ndarray  #: returns per value
    first: np.ndarray    #: per value: the place of its first return in the whole log (see :func:`_places`)

    @classmethod
    def of(cls, run: dict[str, np.ndarray], labels: pd.Index, index: CaseIndex, order: np.ndarray) -> _Returns:
        back = run["direct"] | run["indirect"]
        values = run["value"][back]
        seen, at = np.unique(values, return_index=True)
        by_first = np.argsort(at, kind="stable")
        seen, at = seen[by_first], at[by_first]
        returns = np.bincount(values, minlength=len(labels)).astype(np.int64)[seen]
        return cls(labels=np.asarray(labels)[seen], returns=returns, first=_places(run["pos"][back][at], index, order))


@dataclass(frozen=True)
class _Part:
    """A partition's share of the handoff figures."""

    #: per ticket (index: case id): the per-case figures of :func:`handoffs_per_case` (``escalated`` and
    #: ``first_line_only`` as plain yes/no, decided in :meth:`Handoffs.combine`), ``order`` (case order in the
    #: whole log), ``mother`` and ``category`` (first value), ``first_team`` (first service-side team) and
    #: ``system <column>`` (the system's reassignment count, per candidate column)
    cases: pd.DataFrame
    values: dict[str, _Values]    #: per level present (person only with ``person_level``)
    returns: dict[str, _Returns]  #: per team level (team, routing)
    all_service: bool             #: every event is on the service side
    line_not_numbers: bool        #: the support line column holds values that are not line numbers
    mother_column: bool           #: the log has a mother organisation column
    mothers: frozenset[Any]       #: the mother organisations of the partition's tickets
    organisations: frozenset[Any]  #: the organisations of the partition's events


@dataclass(frozen=True)
class _Whole:
    """What :meth:`Handoffs.combine` makes of the parts, besides the per-ticket table."""

    networks: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]  #: labels, events, keys, handovers
    returns: dict[str, pd.Series]   #: per team level: returns per value, most first (as ``value_counts``)
    all_service: bool
    escalation_how: tuple[str, int] | None
    mothers: frozenset[Any] | None  #: None: the log has no mother organisation column


def _first_in_log(labels: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``labels`` (the parts' values, put together) in the order of their first place in
    the whole log (``first``), and for each entry of ``labels`` its position among them."""
    ids, uniques = pd.factorize(labels, use_na_sentinel=False)
    ranked = pd.unique(ids[np.lexsort((first[:, 1], first[:, 0]))]) if len(ids) else np.zeros(0, dtype=np.int64)
    code = np.empty(len(uniques), dtype=np.int64)
    code[ranked] = np.arange(len(ranked))
    return np.asarray(uniques)[ranked], code[ids]


def _joined(arrays: list[np.ndarray], empty: np.ndarray) -> np.ndarray:
    """The arrays put together; empty ones left out, so that their type does not change the others'."""
    arrays = [a for a in arrays if len(a)]
    return np.concatenate(arrays) if arrays else empty


def _network(parts: list[_Values]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One level's handovers of all parts: the values in the whole log's code order, events per value, and the
    pairs as :func:`_pair_counts` gives them."""
    labels = _joined([p.labels for p in parts], np.zeros(0, dtype=object))
    first = _joined([p.first for p in parts], np.zeros((0, 2), dtype=np.int64))
    values, code = _first_in_log(labels, first)
    events = np.zeros(len(values), dtype=np.int64)
    np.add.at(events, code, _joined([p.events for p in parts], np.zeros(0, dtype=np.int64)))
    offsets = np.cumsum([0] + [len(p.labels) for p in parts])
    width = len(values) + 1
    pairs = _joined([code[p.giver + o] * width + code[p.receiver + o] for p, o in zip(parts, offsets)],
                    np.zeros(0, dtype=np.int64))
    keys, where = np.unique(pairs, return_inverse=True)
    counts = np.zeros(len(keys), dtype=np.int64)
    np.add.at(counts, where, _joined([p.handovers for p in parts], np.zeros(0, dtype=np.int64)))
    return values, events, keys, counts


def _returns_per_value(parts: list[_Returns]) -> pd.Series:
    """Returns per value of all parts, most first, ties in the order of the first return in the whole log —
    as ``value_counts`` of the returns in the log's order gives them."""
    labels = _joined([p.labels for p in parts], np.zeros(0, dtype=object))
    first = _joined([p.first for p in parts], np.zeros((0, 2), dtype=np.int64))
    values, code = _first_in_log(labels, first)
    returns = np.zeros(len(values), dtype=np.int64)
    np.add.at(returns, code, _joined([p.returns for p in parts], np.zeros(0, dtype=np.int64)))
    return pd.Series(returns, index=pd.Index(pd.Series(values)), name="count").sort_values(ascending=False,
                                                                                           kind="stable")


def _candidates(name: str) -> tuple[str, ...]:
    """The columns :func:`~ssc_mining.analysers.toolkit.find_column` looks at for ``name``, in its order."""
    return name, f"case:{name}", f"case:ssc:{name}", f"ssc:{name}"


# --------------------------------------------------------------------------------------------------
# the analyser
# --------------------------------------------------------------------------------------------------

def _texts(level: str) -> dict[str, str]:
    """The labels of one team level's figures (performer team or routing)."""
    if level == "team":
        return {
            "mean": _("Handovers between the teams doing the work, per ticket (mean)"),
            "median": _("Handovers between the teams doing the work, per ticket (median)"),
            "distinct": _("Distinct teams doing the work, per ticket (mean)"),
            "share": _("Share of tickets handed to another team at least once"),
            "pingpong": _("Share of tickets that come back to a team they already left"),
            "direct": _("Share of tickets with direct ping-pong between teams (X → Y → X)"),
            "indirect": _("Share of tickets with indirect ping-pong between teams (X → … → X)"),
            "returns": _("Returns to a team already left, per ticket (mean)"),
            "returns_affected": _("Returns per ticket with ping-pong (mean)"),
            "with": _("Median throughput time of tickets with ping-pong"),
            "without": _("Median throughput time of tickets without ping-pong"),
            "extra": _("Extra median throughput time with ping-pong"),
        }
    return {
        "mean": _("Reassignments to another assignment group, per ticket (mean)"),
        "median": _("Reassignments to another assignment group, per ticket (median)"),
        "distinct": _("Distinct assignment groups per ticket (mean)"),
        "share": _("Share of tickets reassigned to another group at least once"),
        "pingpong": _("Share of tickets assigned back to a group they already left"),
        "direct": _("Share of tickets with direct ping-pong between assignment groups (X → Y → X)"),
        "indirect": _("Share of tickets with indirect ping-pong between assignment groups (X → … → X)"),
        "returns": _("Returns to an assignment group already left, per ticket (mean)"),
        "returns_affected": _("Returns per ticket with routing ping-pong (mean)"),
        "with": _("Median throughput time of tickets with routing ping-pong"),
        "without": _("Median throughput time of tickets without routing ping-pong"),
        "extra": _("Extra median throughput time with routing ping-pong"),
        "first_group": _("Share of tickets that stayed with their first assignment group"),
    }


#: per team level: metric key suffix → (key prefix, per-case columns)
_KEYS = {"team": {"mean": "team_handovers_mean", "median": "team_handovers_median", "distinct": "teams_mean",
                  "share": "team_handover_share", "pingpong": "pingpong_share", "direct": "pingpong_direct_share",
                  "indirect": "pingpong_indirect_share", "returns": "pingpong_returns_mean",
                  "returns_affected": "pingpong_returns_mean_affected", "with": "days_median_pingpong",
                  "without": "days_median_no_pingpong", "extra": "days_median_pingpong_extra"},
         "routing": {"mean": "routing_handovers_mean", "median": "routing_handovers_median",
                     "distinct": "routing_groups_mean", "share": "routing_handover_share",
                     "pingpong": "routing_pingpong_share", "direct": "routing_pingpong_direct_share",
                     "indirect": "routing_pingpong_indirect_share", "returns": "routing_returns_mean",
                     "returns_affected": "routing_returns_mean_affected", "with": "days_median_routing_pingpong",
                     "without": "days_median_no_routing_pingpong", "extra": "days_median_routing_pingpong_extra",
                     "first_group": "first_group_share"}}
_COLS = {"team": ("handovers_team", "teams", "pingpong_direct", "pingpong_indirect"),
         "routing": ("handovers_routing", "routing_groups", "routing_pingpong_direct", "routing_pingpong_indirect")}
_UNITS = {"mean": "handovers", "median": "handovers", "distinct": "teams", "share": "share", "pingpong": "share",
          "direct": "share", "indirect": "share", "returns": "returns", "returns_affected": "returns", "with": "days",
          "without": "days", "extra": "days", "first_group": "share"}


@dataclass(frozen=True, kw_only=True)
class Handoffs(Analyser):
    """Handovers between people, performer teams, assignment groups and organisations; ping-pong; push to front."""

    name = "handoffs"
    version = "2"
    title = {"en": "Handoffs and ping-pong", "nl": "Overdrachten en pingpong"}
    description = {"en": "How often a ticket passes between people, teams and organisations, and how often it "
                         "comes back to a team it already left.",
                   "nl": "Hoe vaak een melding van mens naar mens, team naar team en organisatie naar organisatie "
                         "gaat, en hoe vaak ze terugkomt bij een team dat ze al had verlaten."}
    requires = (C.CASE, C.ACTIVITY, C.TIMESTAMP)
    personal = True   # with person_level=True: the handover graph between people (marked personal)
    uses = (C.TEAM, C.ASSIGNED_GROUP, C.RESOURCE, C.ORGANISATION, C.LINE, C.MOTHER, C.CATEGORY)

    definitions = {
        "person_handovers_mean": N_("times a ticket passes from one person to another between consecutive events, on "
                                    "average per ticket"),
        "person_handovers_median": N_("half of the tickets pass between people at most this often"),
        "org_handovers_mean": N_("times a ticket passes from one organisation to another between consecutive "
                                 "events, on average per ticket"),
        "org_handovers_median": N_("half of the tickets pass between organisations at most this often"),
        "people_mean": N_("different people who worked on a ticket, on average"),
        "team_handovers_mean": N_("times the work passes from one team to another between consecutive events, on "
                                  "average per ticket"),
        "team_handovers_median": N_("half of the tickets pass between teams at most this often"),
        "teams_mean": N_("different teams that worked on a ticket, on average"),
        "service_team_changes_mean": N_("times the work moves from one of the SSC's teams to another, on average per "
                                        "ticket; steps by the requester's own organisation are left out, so a "
                                        "question and its answer by the requester do not count"),
        "team_handover_share": N_("tickets handed to another team at least once, as a share of all tickets"),
        "pingpong_share": N_("tickets that came back to a team they had already left, as a share of all tickets"),
        "pingpong_direct_share": N_("tickets that went straight back to the team before (X → Y → X), as a share of "
                                    "all tickets"),
        "pingpong_indirect_share": N_("tickets that came back to a team via other teams (X → Y → Z → X), as a share "
                                      "of all tickets"),
        "pingpong_returns_mean": N_("times a ticket came back to a team it had already left, on average per ticket"),
        "pingpong_returns_mean_affected": N_("times a ticket with ping-pong came back, on average"),
        "days_median_pingpong": N_("half of the tickets with ping-pong take at most this long from first to last "
                                   "event"),
        "days_median_no_pingpong": N_("half of the tickets without ping-pong take at most this long"),
        "days_median_pingpong_extra": N_("the median throughput time with ping-pong minus the one without"),
        "routing_handovers_mean": N_("times a ticket moves to another assignment group, on average per ticket"),
        "routing_handovers_median": N_("half of the tickets move to another assignment group at most this often"),
        "routing_groups_mean": N_("different assignment groups a ticket had, on average"),
        "routing_handover_share": N_("tickets moved to another assignment group at least once, as a share of all "
                                     "tickets"),
        "routing_pingpong_share": N_("tickets assigned back to a group they had already left, as a share of all "
                                     "tickets"),
        "routing_pingpong_direct_share": N_("tickets assigned straight back to the group before (X → Y → X), as a "
                                            "share of all tickets"),
        "routing_pingpong_indirect_share": N_("tickets assigned back to a group via other groups (X → Y → Z → X), as "
                                              "a share of all tickets"),
        "routing_returns_mean": N_("times a ticket was assigned back to a group it had already left, on average per "
                                   "ticket"),
        "routing_returns_mean_affected": N_("times a ticket with routing ping-pong was assigned back, on average"),
        "days_median_routing_pingpong": N_("half of the tickets with routing ping-pong take at most this long from "
                                           "first to last event"),
        "days_median_no_routing_pingpong": N_("half of the tickets without routing ping-pong take at most this long"),
        "days_median_routing_pingpong_extra": N_("the median throughput time with routing ping-pong minus the one "
                                                 "without"),
        "first_group_share": N_("tickets that never left the first group they were assigned to, as a share of the "
                                "tickets with an assignment group"),
        "person_pingpong_share": N_("tickets that came back to a person who had already handed them on"),
        "person_pingpong_direct_share": N_("tickets that went straight back to the person before"),
        "org_handovers_mother_ssc": N_("handovers between a mother organisation and the SSC, in both directions"),
        "org_handovers_mother_mother": N_("handovers from one mother organisation to another"),
        "first_line_only_share": N_("tickets solved by the first line alone, as a share of the tickets with a known "
                                    "support line"),
        "escalated_share": N_("tickets that went beyond the first line, as a share of the tickets with a known "
                              "support line"),
        "days_median_escalated": N_("half of the escalated tickets take at most this long from first to last event"),
        "days_median_first_line": N_("half of the tickets solved by the first line take at most this long"),
    }

    #: also report ping-pong and the handover network between individual people (off by default: works councils)
    person_level: bool = False
    #: teams that form the first support line (push to front); when empty the line column is used
    first_line_teams: tuple[str, ...] = ()
    #: organisations that handle tickets; empty: every organisation that is not a mother organisation
    service_organisations: tuple[str, ...] = ()
    #: system's own reassignment counter (also looked up with ``case:`` / ``case:ssc:`` prefixes)
    reassignment_column: str = "reassignment_count"
    #: groups shown in breakdown tables before the rest is pooled
    max_groups: int = 15
    #: strongest edges kept in each network
    max_graph_edges: int = 150

    def analyse(self, log: EventLog) -> Result:
        return self.combine([self.partial(log)], LogFacts.of(log))

    def partial(self, log: EventLog) -> _Part | None:
        """Per ticket the figures of :func:`handoffs_per_case`, and per level the events and handovers per value
        (the per-event tables of the computation are freed when this returns). None for a log without events."""
        if log.n_events == 0:
            return None
        data = _compute(log, first_line_teams=tuple(self.first_line_teams),
                        service_organisations=tuple(self.service_organisations), person_level=self.person_level)
        index: CaseIndex = data["index"]
        frame: pd.DataFrame = data["frame"]
        order = case_order(log)
        cases = data["per_case"].assign(
            escalated=data["per_case"]["escalated"].to_numpy(dtype=bool, na_value=False),
            first_line_only=data["per_case"]["first_line_only"].to_numpy(dtype=bool, na_value=False),
            order=order)
        for column, key in ((C.MOTHER, "mother"), (C.CATEGORY, "category")):
            if column in frame.columns:
                cases[key] = index.case_first(frame[column])
        team, teams, _flags = data["team"]
        keep = data["service"] & (team >= 0)
        first_team = np.full(index.n, np.nan, dtype=object)
        if keep.any():
            first = pd.Series(team[keep], index=index.codes[keep]).groupby(level=0).first()
            labels = np.asarray(teams, dtype=object)
            first_team = pd.Series(labels[first.to_numpy()], index=first.index).reindex(range(index.n)).to_numpy()
        cases["first_team"] = first_team
        for column in _candidates(self.reassignment_column):
            if column in frame.columns:
                cases[f"system {column}"] = pd.to_numeric(index.case_first(frame[column]), errors="coerce")
        levels = [level for level, column in LEVELS.items()
                  if log.has(column) and (level != "person" or self.person_level)]
        line_values = C.LINE in frame.columns and bool(frame[C.LINE].notna().any())
        has_org = C.ORGANISATION in frame.columns
        return _Part(
            cases=cases,
            values={level: _Values.of(data[level][0], data[level][1], data[level][2], index, order)
                    for level in levels},
            returns={level: _Returns.of(data[f"{level}_runs"], data[level][1], index, order)
                     for level in ("team", "routing")},
            all_service=bool(data["service"].all()),
            line_not_numbers=not self.first_line_teams and line_values and _line_numbers(frame) is None,
            mother_column=C.MOTHER in frame.columns,
            mothers=frozenset(pd.unique(frame[C.MOTHER].dropna()).tolist()) if C.MOTHER in frame.columns
            else frozenset(),
            organisations=frozenset(pd.unique(frame[C.ORGANISATION].dropna()).tolist()) if has_org
            else frozenset())

    def combine(self, parts: Sequence[_Part | None], facts: LogFacts) -> Result:
        present = {level: column in facts.with_values for level, column in LEVELS.items()}
        if facts.events == 0:
            return self.result(summary=_("The export is empty."),
                               items=[Metric("cases", _("Tickets"), 0, unit="cases")])
        found = [p for p in parts if p is not None]
        mothers = frozenset().union(*(p.mothers for p in found))
        frames = [p.cases for p in found if len(p.cases)] or [found[0].cases]
        pc = frames[0] if len(frames) == 1 else in_log_order(
            pd.concat(frames), np.concatenate([f["order"].to_numpy() for f in frames]))
        if self.first_line_teams:
            how: tuple[str, int] | None = ("teams", len(self.first_line_teams))
        else:
            how = ("line", 0) if C.LINE in facts.with_values and not any(p.line_not_numbers for p in found) else None
        unknown = np.full(len(pc), how is None)
        pc = pc.assign(
            escalated=pd.arrays.BooleanArray(np.zeros(len(pc), dtype=bool) if how is None
                                             else pc["escalated"].to_numpy(dtype=bool), unknown),
            first_line_only=pd.arrays.BooleanArray(np.zeros(len(pc), dtype=bool) if how is None
                                                   else pc["first_line_only"].to_numpy(dtype=bool), unknown.copy()))
        whole = _Whole(
            networks={level: _network([p.values[level] for p in found]) for level in LEVELS
                      if all(level in p.values for p in found)},
            returns={level: _returns_per_value([p.returns[level] for p in found]) for level in ("team", "routing")},
            all_service=all(p.all_service for p in found), escalation_how=how,
            mothers=mothers if any(p.mother_column for p in found) else None)
        items: list[Item] = [Metric("cases", _("Tickets"), len(pc), unit="cases")]
        caveats = [_("Handovers are counted between consecutive events; an event without a person, team or "
                     "organisation is skipped, so a handover around it is not counted."),
                   _("Tickets still open at the time of the export may look shorter and have fewer handovers.")]
        for level, label_mean, label_median in (
                ("person", _("Handovers between people per ticket (mean)"),
                 _("Handovers between people per ticket (median)")),
                ("org", _("Handovers between organisations per ticket (mean)"),
                 _("Handovers between organisations per ticket (median)"))):
            col = f"handovers_{level}"
            if present[level]:
                items += [Metric(f"{level}_handovers_mean", label_mean, round(float(pc[col].mean()), 4),
                                 unit="handovers"),
                          Metric(f"{level}_handovers_median", label_median, float(pc[col].median()),
                                 unit="handovers")]
            else:
                items += [Metric.not_measured(f"{level}_handovers_mean", label_mean, level_reason(level),
                                              unit="handovers")]
                caveats.append(level_hint(level))
        if present["person"]:
            items.append(Metric("people_mean", _("Distinct people per ticket (mean)"),
                                round(float(pc["people"].mean()), 4), unit="people"))
        for level in ("routing", "team"):
            items += self._team_items(level, present[level], pc, whole, caveats)
        if self.person_level and present["person"]:
            pp = (pc["pingpong_person_direct"] + pc["pingpong_person_indirect"]) > 0
            items += [
                Metric("person_pingpong_share",
                       _("Share of tickets that come back to a person who already handed it on"),
                       round(float(pp.mean()), 6), unit="share"),
                Metric("person_pingpong_direct_share", _("Share of tickets with direct ping-pong between people"),
                       round(float((pc["pingpong_person_direct"] > 0).mean()), 6), unit="share"),
            ]
        if present["org"]:
            items += self._org_items(whole)
        items += self._push_to_front(pc, facts, whole, caveats)
        items += self._breakdowns(pc, facts, present)
        items += self._reassignments(pc, facts, present["routing"])
        if present["person"] or present["team"] or present["routing"]:
            items.append(self._chart(pc, present))
        items += self._graphs(whole, present)
        return self.result(summary=self._summary(pc, present), items=items, caveats=caveats)

    # --- pieces ------------------------------------------------------------------------------------

    def _team_items(self, level: str, present: bool, pc: pd.DataFrame, whole: _Whole,
                    caveats: list[str]) -> list[Item]:
        keys, texts = _KEYS[level], _texts(level)
        if not present:
            reason = level_reason(level)
            caveats.append(level_hint(level))
            return [Metric.not_measured(keys[k], texts[k], reason, unit=_UNITS[k])
                    for k in ("mean", "share", "pingpong", "direct", "indirect")]
        handovers, distinct, direct_col, indirect_col = _COLS[level]
        returns = pc[direct_col] + pc[indirect_col]
        pingpong = returns > 0
        with_pp = float(pc.loc[pingpong, "days"].median()) if pingpong.any() else None
        without_pp = float(pc.loc[~pingpong, "days"].median()) if (~pingpong).any() else None
        none = _("no ticket had ping-pong")
        items: list[Item] = [
            Metric(keys["mean"], texts["mean"], round(float(pc[handovers].mean()), 4), unit="handovers"),
            Metric(keys["median"], texts["median"], float(pc[handovers].median()), unit="handovers"),
            Metric(keys["distinct"], texts["distinct"], round(float(pc[distinct].mean()), 4), unit="teams"),
            Metric(keys["share"], texts["share"], round(float((pc[handovers] > 0).mean()), 6), unit="share"),
            Metric(keys["pingpong"], texts["pingpong"], round(float(pingpong.mean()), 6), unit="share"),
            Metric(keys["direct"], texts["direct"], round(float((pc[direct_col] > 0).mean()), 6), unit="share"),
            Metric(keys["indirect"], texts["indirect"], round(float((pc[indirect_col] > 0).mean()), 6),
                   unit="share"),
            Metric(keys["returns"], texts["returns"], round(float(returns.mean()), 4), unit="returns"),
            Metric(keys["returns_affected"], texts["returns_affected"],
                   round(float(returns[pingpong].mean()), 4) if pingpong.any() else None, unit="returns",
                   reason="" if pingpong.any() else none, base=int(pingpong.sum())),
            Metric(keys["with"], texts["with"], with_pp, unit="days", reason="" if pingpong.any() else none,
                   base=int(pingpong.sum())),
            Metric(keys["without"], texts["without"], without_pp, unit="days", base=int((~pingpong).sum())),
            Metric(keys["extra"], texts["extra"],
                   None if with_pp is None or without_pp is None else round(with_pp - without_pp, 6), unit="days",
                   reason="" if pingpong.any() else none),
        ]
        if level == "routing":
            known = pc[distinct] > 0
            items.append(Metric(keys["first_group"], texts["first_group"],
                                round(float((pc.loc[known, "routing_changes"] == 0).mean()), 6) if known.any()
                                else None, unit="share", base=int(known.sum()),
                                based_on=ngettext("%(n)s ticket with an assignment group",
                                                  "%(n)s tickets with an assignment group", int(known.sum()))
                                % {"n": format_number(int(known.sum()))}))
        elif not whole.all_service:
            # the requester's own side (a mother organisation's department) is not one of the SSC's teams
            items.insert(2, Metric(
                "service_team_changes_mean", _("Changes between the SSC's own teams, per ticket (mean)"),
                round(float(pc["team_changes"].mean()), 4), unit="handovers"))
        if level == "team" and not (pc[handovers] > 0).any() and len(pc) > 1:
            caveats.append(_("The team column never changes within a ticket, so it shows no handovers between "
                             "teams; it may hold a property of the ticket rather than the team of each event."))
        items += self._pingpong_findings(level, pc, whole)
        return items

    def _summary(self, pc: pd.DataFrame, present: dict[str, bool]) -> str:
        values = {"n": format_number(len(pc)), "team": mean_text(pc["handovers_team"].mean()),
                  "routing": mean_text(pc["handovers_routing"].mean()),
                  "person": mean_text(pc["handovers_person"].mean()),
                  "pingpong": pct(((pc["pingpong_direct"] + pc["pingpong_indirect"]) > 0).mean()),
                  "routing_pingpong": pct(((pc["routing_pingpong_direct"] + pc["routing_pingpong_indirect"]) > 0)
                                          .mean())}
        parts = []
        if present["routing"]:
            parts.append(_("A ticket is reassigned to another assignment group %(routing)s times on average "
                           "(%(n)s tickets); %(routing_pingpong)s of tickets are assigned back to a group they "
                           "already left.") % values)
        if present["team"]:
            parts.append(_("The work passes between teams %(team)s times per ticket on average; %(pingpong)s of "
                           "tickets come back to a team they already left.") % values)
        if present["person"]:
            parts.append(_("A ticket passes between people %(person)s times on average.") % values)
        if not parts:
            return _("No handovers could be measured (%(n)s tickets): the export has no person, team, assignment group "
                     "or organisation column.") % values
        esc = pc["first_line_only"]
        if esc.notna().any():
            share = float(esc.fillna(False).sum() / max(esc.notna().sum(), 1))
            parts.append(_("%(share)s of the tickets are solved by the first line alone.") % {"share": pct(share)})
        return join_texts(" ", parts)  # type: ignore[return-value]

    def _pingpong_findings(self, level: str, pc: pd.DataFrame, whole: _Whole) -> list[Item]:
        direct_col, indirect_col = _COLS[level][2:]
        returns = pc[direct_col] + pc[indirect_col]
        affected = returns[returns > 0]
        key = "pingpong_cases" if level == "team" else "routing_pingpong_cases"
        if affected.empty:
            text = _("No ticket came back to a team it had already left.") if level == "team" else \
                _("No ticket was assigned back to a group it had already left.")
            return [Finding(key, "info", text, [], 0)]
        top_ids = top_cases(affected, len(affected))
        top = affected.loc[top_ids]
        n = int(len(affected))
        values = {"n": format_number(n), "share": pct(n / len(pc)), "most": format_number(int(top.iloc[0]))}
        text = (ngettext("%(n)s ticket (%(share)s) came back to a team it had already left; the most returns in one "
                         "ticket: %(most)s. The tickets with the most returns come first.",
                         "%(n)s tickets (%(share)s) came back to a team they had already left; the most returns in "
                         "one ticket: %(most)s. The tickets with the most returns come first.", n)
                if level == "team" else
                ngettext("%(n)s ticket (%(share)s) was assigned back to a group it had already left; the most "
                         "returns in one ticket: %(most)s. The tickets with the most returns come first.",
                         "%(n)s tickets (%(share)s) were assigned back to a group they had already left; the most "
                         "returns in one ticket: %(most)s. The tickets with the most returns come first.", n))
        items: list[Item] = [Finding(key, "notice" if n / len(pc) < 0.1 else "warning", text % values, top_ids, n)]
        per_team = whole.returns[level]
        if len(per_team):
            table = per_team.head(self.max_groups).rename_axis("team").reset_index(name="returns")
            title = _("Teams that tickets come back to") if level == "team" else \
                _("Assignment groups that tickets are assigned back to")
            items.append(Table.from_frame("pingpong_by_team" if level == "team" else "routing_pingpong_by_group",
                                          title, table,
                                          labels={"team": _("team") if level == "team" else _("assignment group"),
                                                  "returns": _("returns")},
                                          descriptions={"returns": _("times a ticket came back after it had "
                                                                     "left")}))
        return items

    def _org_items(self, whole: _Whole) -> list[Item]:
        orgs, _events, keys, handovers = whole.networks["org"]
        if not handovers.sum() or whole.mothers is None:
            return []
        mothers = whole.mothers
        is_mother = np.array([o in mothers for o in orgs] + [False])
        width = len(orgs) + 1
        a, b = is_mother[keys // width], is_mother[keys % width]
        return [
            Metric("org_handovers_mother_ssc", _("Handovers between a mother organisation and the SSC"),
                   int(handovers[a != b].sum()), unit="handovers"),
            Metric("org_handovers_mother_mother", _("Handovers between two mother organisations"),
                   int(handovers[a & b].sum()), unit="handovers"),
        ]

    def _push_to_front(self, pc: pd.DataFrame, facts: LogFacts, whole: _Whole, caveats: list[str]) -> list[Item]:
        label = _("Share of tickets solved by the first line alone")
        if whole.escalation_how is None:
            if C.LINE in facts.with_values:
                why = _("the support line in the export is not a number (1, 2, 3)")
            else:
                why = _("the export does not say which support line did each step")
            caveats.append(_("To measure how much the first line solves alone, name the first-line teams with the "
                             "parameter first_line_teams (or map a support line column with numbers 1, 2, 3: --line)."))
            return [Metric.not_measured("first_line_only_share", label, why, unit="share")]
        known = pc["first_line_only"].notna() & (pc["escalated"] | pc["first_line_only"])
        base = pc[known.to_numpy(dtype=bool)]
        if base.empty:
            return [Metric.not_measured("first_line_only_share", label,
                                        _("no ticket has an event with a known support line"), unit="share")]
        escalated = base["escalated"].to_numpy(dtype=bool)
        how, first_line_count = whole.escalation_how
        values = {"tickets": format_number(len(base)), "teams": format_number(first_line_count)}
        if how == "teams":
            based_on = ngettext("%(tickets)s tickets with a known support line; a ticket counts as escalated when a "
                                "team other than the %(teams)s first-line team worked on it",
                                "%(tickets)s tickets with a known support line; a ticket counts as escalated when a "
                                "team other than the %(teams)s first-line teams worked on it",
                                first_line_count) % values
        else:
            based_on = _("%(tickets)s tickets with a known support line; a ticket counts as escalated when the "
                         "support line column shows a line above 1") % values
        items: list[Item] = [
            Metric("first_line_only_share", label, round(float((~escalated).mean()), 6), unit="share",
                   based_on=based_on, base=len(base)),
            Metric("escalated_share", _("Share of tickets escalated beyond the first line"),
                   round(float(escalated.mean()), 6), unit="share", base=len(base)),
            Metric("days_median_escalated", _("Median throughput time of escalated tickets"),
                   float(np.median(base["days"][escalated])) if escalated.any() else None, unit="days",
                   base=int(escalated.sum())),
            Metric("days_median_first_line", _("Median throughput time of tickets solved by the first line"),
                   float(np.median(base["days"][~escalated])) if (~escalated).any() else None, unit="days",
                   base=int((~escalated).sum())),
        ]
        groups: list[tuple[str, str, str, pd.Series]] = []
        if C.CATEGORY in facts.with_values:
            groups.append(("category", _("Escalation rate per category"), _("category"), pc["category"]))
        if pc["first_team"].notna().any():
            groups.append(("team", _("Escalation rate per first team"), _("first team"),
                           pd.Series(pc["first_team"].to_numpy(), index=pc.index)))
        for key, title, group_label, group in groups:
            g = pd.DataFrame({"group": group.reindex(base.index).to_numpy(), "escalated": escalated,
                              "days": base["days"].to_numpy()})
            table = (g.groupby("group", dropna=False)
                     .agg(tickets=("escalated", "size"), escalated_share=("escalated", "mean"),
                          median_days=("days", "median")).reset_index()
                     .sort_values(["tickets", "group"], ascending=[False, True], kind="stable")
                     .head(self.max_groups))
            table["escalated_share"] = table["escalated_share"].round(4)
            items.append(Table.from_frame(
                f"escalation_by_{key}", title, table,
                labels={"group": group_label, "tickets": _("tickets"), "escalated_share": _("escalated"),
                        "median_days": _("median (days)")},
                units={"escalated_share": "share", "median_days": "days"},
                descriptions={"escalated_share": _("share of tickets that went beyond the first line")}))
        return items

    def _breakdowns(self, pc: pd.DataFrame, facts: LogFacts, present: dict[str, bool]) -> list[Item]:
        items: list[Item] = []
        for column, title, label in ((C.MOTHER, _("Handovers and ping-pong per mother organisation"),
                                      _("mother organisation")),
                                     (C.CATEGORY, _("Handovers and ping-pong per category"), _("category"))):
            if column not in facts.with_values:
                continue
            g = pc.assign(group=pc["mother" if column == C.MOTHER else "category"].to_numpy(),
                          pingpong=(pc["pingpong_direct"] + pc["pingpong_indirect"]) > 0,
                          routing_pingpong=(pc["routing_pingpong_direct"] + pc["routing_pingpong_indirect"]) > 0,
                          first_line=pc["first_line_only"].astype("float64"))
            spec = {"tickets": ("handovers_team", "size")}
            if present["routing"]:
                spec.update(routing_handovers=("handovers_routing", "mean"),
                            routing_pingpong_share=("routing_pingpong", "mean"))
            if present["team"]:
                spec.update(team_handovers=("handovers_team", "mean"), pingpong_share=("pingpong", "mean"))
            if present["person"]:
                spec["person_handovers"] = ("handovers_person", "mean")
            if present["org"]:
                spec["org_handovers"] = ("handovers_org", "mean")
            if pc["first_line_only"].notna().any():
                spec["first_line_share"] = ("first_line", "mean")
            spec["median_days"] = ("days", "median")
            table = (g.groupby("group", dropna=False).agg(**spec)
                     .reset_index().sort_values(["tickets", "group"], ascending=[False, True], kind="stable"))
            if len(table) > self.max_groups:
                table = table.head(self.max_groups)
            for c in table.columns[2:]:
                table[c] = table[c].astype("float64").round(4)
            items.append(Table.from_frame(
                f"by_{column.rsplit(':', 1)[-1]}", title, table,
                labels={"group": label, "tickets": _("tickets"),
                        "routing_handovers": _("reassignments (mean)"),
                        "routing_pingpong_share": _("routing ping-pong"),
                        "team_handovers": _("team handovers (mean)"),
                        "person_handovers": _("person handovers (mean)"),
                        "org_handovers": _("organisation handovers (mean)"),
                        "pingpong_share": _("ping-pong"), "first_line_share": _("first line only"),
                        "median_days": _("median (days)")},
                units={"pingpong_share": "share", "routing_pingpong_share": "share", "first_line_share": "share",
                       "median_days": "days"},
                descriptions={"pingpong_share": _("share of tickets that came back to a team they had already "
                                                  "left"),
                              "routing_pingpong_share": _("share of tickets assigned back to a group they had "
                                                          "already left"),
                              "first_line_share": _("share of tickets solved by the first line alone")}))
        return items

    def _reassignments(self, pc: pd.DataFrame, facts: LogFacts, routing: bool) -> list[Item]:
        column = next((c for c in _candidates(self.reassignment_column) if c in facts.with_values), None)
        if column is None or not routing:
            return []
        system = pc[f"system {column}"]
        known = system.notna()
        if not known.any():
            return []
        mined = pc["routing_changes"][known]
        diff = mined - system[known]
        differ = diff[diff != 0]
        table = pd.DataFrame({"measure": [_("tickets compared"), _("equal"), _("measured more"), _("system more"),
                                          _("mean measured reassignments"), _("mean system reassignments")],
                              "value": [int(known.sum()), int((diff == 0).sum()), int((diff > 0).sum()),
                                        int((diff < 0).sum()), round(float(mined.mean()), 4),
                                        round(float(system[known].mean()), 4)]})
        order = top_cases(differ.abs(), len(differ))
        values = {"n": format_number(len(differ)), "total": format_number(int(known.sum())), "column": column}
        return [
            Table.from_frame("reassignments_vs_system",
                             _("Measured reassignments versus the system's %(column)s") % values, table,
                             labels={"measure": _("measure"), "value": _("value")},
                             description=_("Reassignments: changes of assignment group between consecutive events, "
                                           "compared ticket by ticket.")),
            Finding("reassignments_differ", "info" if differ.empty else "notice",
                    _("The measured reassignments equal the system's reassignment count for every ticket.")
                    if differ.empty else
                    _("For %(n)s of %(total)s tickets the measured reassignments differ from the system's "
                      "reassignment count (%(column)s); the largest differences are listed.") % values,
                    order, int(len(differ))),
        ]

    def _chart(self, pc: pd.DataFrame, present: dict[str, bool]) -> Chart:
        cap = 15
        x = list(range(cap + 1))
        series: dict[str, list[int]] = {}
        for level, col, label in (("routing", "handovers_routing", _("between assignment groups")),
                                  ("team", "handovers_team", _("between teams")),
                                  ("person", "handovers_person", _("between people"))):
            if present[level]:
                counts = np.bincount(np.minimum(pc[col].to_numpy(), cap), minlength=cap + 1)
                series[label] = [int(v) for v in counts]
        return Chart("handovers_distribution", _("Handovers per ticket"), "bar",
                     x=[str(v) for v in x[:-1]] + [f"{cap}+"],
                     series=series, x_label=_("handovers in the ticket"), y_label=_("tickets"),
                     description=_("Number of tickets by how many times they passed between assignment groups, "
                                   "teams and people"))

    def _graphs(self, whole: _Whole, present: dict[str, bool]) -> list[Item]:
        out: list[Item] = []
        values = {"edges": format_number(self.max_graph_edges)}
        levels = []
        if present["routing"]:
            levels.append(("routing", _("Reassignments between assignment groups"),
                           _("An arrow A → B counts how often a ticket was reassigned from group A to group B "
                             "(the %(edges)s strongest links).") % values, False))
        if present["team"]:
            levels.append(("team", _("Handover of work between teams"),
                           _("An arrow A → B counts how often team B did the next event of a ticket after team A "
                             "(the %(edges)s strongest links).") % values, False))
        if present["org"]:
            levels.append(("org", _("Handover of work between organisations"),
                           _("An arrow A → B counts how often organisation B did the next event of a ticket after "
                             "organisation A (the %(edges)s strongest links).") % values, False))
        if self.person_level and present["person"]:
            levels.append(("person", _("Handover of work between people"),
                           _("An arrow A → B counts how often person B did the next event of a ticket after person A "
                             "(the %(edges)s strongest links).") % values, True))
        for key, title, description, personal in levels:
            labels, events, keys, handovers = whole.networks[key]
            if not len(keys):
                continue
            graph = _network_graph(labels, events, keys, handovers, max_edges=self.max_graph_edges)
            out.append(Graph.from_networkx(f"handover_network_{key}", title, graph, description=description,
                                           personal=personal))
        return out
