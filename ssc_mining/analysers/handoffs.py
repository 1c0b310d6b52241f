"""Handoffs: how often a ticket passes between people, teams and organisations, and ping-pong between teams.

Definitions (all on the events of a case in log order: time, ties by source row):

* **handover** between people / teams / organisations: two consecutive events of the case whose
  resource / team / organisation differ, both known (an event with a missing value is neither the
  giver nor the receiver of a handover: ``Anna, ?, Bram`` has no handover).
* **team runs**: the teams of the *service-side* events (see below) with missing teams dropped and
  consecutive duplicates collapsed (``A A B A`` → ``A B A``). A **return** is a run whose team
  already had an earlier run in the case. It is **direct** ping-pong when the run two steps back is
  the same team (``X → Y → X``), otherwise **indirect** (``X → Y → Z → X``: two or more other runs
  between).
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
    >>> Handoffs().analyse(log).item("team_handovers_mean").value
    2.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser, top_cases
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Graph, Item, Metric, Result, Table

PER_CASE_COLUMNS = ("handovers_person", "handovers_team", "handovers_org", "people", "teams",
                    "pingpong_direct", "pingpong_indirect", "escalated", "first_line_only")

_LINE = re.compile(r"^\s*(?:(?:support\s*)?(?:line|lijn)\s*)?([0-9]+)\s*(?:st|nd|rd|th|e|de|ste)?"
                   r"(?:\s*(?:support\s*)?(?:line|lijn|level|niveau))?\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# shared vectorised helpers (also used by the reopens analyser)
# --------------------------------------------------------------------------------------------------

def ordered_frame(log: EventLog) -> pd.DataFrame:
    """The log's frame in case → time → source-row order (re-sorted only when ties are out of row order)."""
    frame = log.frame
    if len(frame) < 2 or C.SOURCE_ROW not in frame.columns:
        return frame
    codes = pd.factorize(frame[C.CASE], sort=False)[0]
    times = _times(frame)
    rows = pd.to_numeric(frame[C.SOURCE_ROW], errors="coerce").to_numpy(dtype="float64", na_value=np.inf)
    tie = (codes[1:] == codes[:-1]) & (times[1:] == times[:-1])
    if not np.any(tie & (rows[1:] < rows[:-1])):
        return frame
    order = np.lexsort((rows, times, codes))
    return frame.iloc[order].reset_index(drop=True)


def _times(frame: pd.DataFrame) -> np.ndarray:
    """Timestamps as int64 microseconds (NaT → minimum int64)."""
    if not len(frame):
        return np.array([], dtype="int64")
    return frame[C.TIMESTAMP].to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT")).view("int64")


@dataclass(frozen=True)
class CaseIndex:
    """Per-event case codes (0..n_cases-1, contiguous in an ordered frame) and the case ids."""

    codes: np.ndarray
    ids: pd.Index
    starts: np.ndarray   # position of each case's first event
    ends: np.ndarray     # position of each case's last event

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def same_case(self) -> np.ndarray:
        """For events 1..n-1: True when the event belongs to the same case as the one before it."""
        return self.codes[1:] == self.codes[:-1]

    def count(self, flags: np.ndarray) -> np.ndarray:
        """Per case: number of True flags (flags per event)."""
        return np.bincount(self.codes, weights=flags.astype("float64"), minlength=self.n).astype("int64")

    def any(self, flags: np.ndarray) -> np.ndarray:
        return self.count(flags) > 0


def case_index(frame: pd.DataFrame) -> CaseIndex:
    """Case codes of an ordered frame (events of a case are contiguous)."""
    codes, ids = pd.factorize(frame[C.CASE], sort=False)
    codes = codes.astype("int64")
    n = len(codes)
    if n == 0:
        empty = np.array([], dtype="int64")
        return CaseIndex(codes, pd.Index(ids, name=C.CASE), empty, empty)
    boundary = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate(([0], boundary))
    ends = np.concatenate((boundary - 1, [n - 1]))
    return CaseIndex(codes, pd.Index(ids, name=C.CASE), starts, ends)


def value_codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column (missing or blank → -1) and the distinct values."""
    if column not in frame.columns:
        return np.full(len(frame), -1, dtype="int64"), pd.Index([])
    codes, uniques = pd.factorize(frame[column], sort=False, use_na_sentinel=True)
    codes = codes.astype("int64")
    blank = np.array([isinstance(u, str) and not u.strip() for u in uniques], dtype=bool)
    if blank.any():  # blank text counts as missing; renumber the rest
        keep = np.flatnonzero(~blank)
        remap = np.full(len(uniques) + 1, -1, dtype="int64")
        remap[keep] = np.arange(len(keep))
        codes = remap[codes]
        uniques = uniques[keep]
    return codes, pd.Index(uniques)


def changes(codes: np.ndarray, index: CaseIndex) -> np.ndarray:
    """Per event: True when it differs from the previous event of the same case (both known)."""
    out = np.zeros(len(codes), dtype=bool)
    if len(codes) > 1:
        out[1:] = index.same_case & (codes[1:] != codes[:-1]) & (codes[1:] >= 0) & (codes[:-1] >= 0)
    return out


def distinct_per_case(codes: np.ndarray, index: CaseIndex) -> np.ndarray:
    """Per case: number of distinct known values."""
    known = codes >= 0
    if not known.any():
        return np.zeros(index.n, dtype="int64")
    width = int(codes.max()) + 1
    keys = index.codes * width + codes
    first = known & ~pd.Series(keys).duplicated(keep="first").to_numpy()   # hash table: faster than sorting
    return np.bincount(index.codes[first], minlength=index.n).astype("int64")


def case_days(frame: pd.DataFrame, index: CaseIndex) -> np.ndarray:
    """Per case: days from the first to the last event."""
    if index.n == 0:
        return np.array([], dtype="float64")
    ts = frame[C.TIMESTAMP]
    t = ts.to_numpy(dtype="datetime64[us]").view("int64")
    first = np.minimum.reduceat(t, index.starts)
    last = np.maximum.reduceat(t, index.starts)
    return (last - first) / 86_400e6


def case_first(frame: pd.DataFrame, index: CaseIndex, column: str) -> pd.Series:
    """Per case: the first known value of a (case-level) column."""
    if column not in frame.columns or index.n == 0:
        return pd.Series([pd.NA] * index.n, index=index.ids, dtype="object")
    values = frame[column]
    known = values.notna().to_numpy()
    first = pd.Series(values.to_numpy()[known], index=index.codes[known]).groupby(level=0, sort=True).first()
    return pd.Series(first.reindex(range(index.n)).to_numpy(), index=index.ids)


def find_column(frame: pd.DataFrame, name: str) -> str | None:
    """``name`` or its ``case:`` / ``case:ssc:`` variants, when present with at least one value."""
    for candidate in (name, f"case:{name}", f"case:ssc:{name}", f"ssc:{name}"):
        if candidate in frame.columns and frame[candidate].notna().any():
            return candidate
    return None


def pct(share: float | None) -> str:
    """A share as a whole percentage in the current language ('12 %'); None or NaN as a dash."""
    return "–" if share is None or share != share else format_share(share, 0)


# --------------------------------------------------------------------------------------------------
# per-case computation
# --------------------------------------------------------------------------------------------------

def service_side(frame: pd.DataFrame, service_organisations: tuple[str, ...] = ()) -> np.ndarray:
    """Per event: True for events of the organisation(s) that handle the tickets (see the module doc)."""
    if C.ORGANISATION not in frame.columns or not frame[C.ORGANISATION].notna().any():
        return np.ones(len(frame), dtype=bool)
    org = frame[C.ORGANISATION]
    if service_organisations:
        return (org.isin(list(service_organisations)) | org.isna()).to_numpy()
    if C.MOTHER in frame.columns and frame[C.MOTHER].notna().any():
        mothers = pd.unique(frame[C.MOTHER].dropna())
        return (~org.isin(list(mothers))).to_numpy()
    return np.ones(len(frame), dtype=bool)


def _pingpong(codes: np.ndarray, index: CaseIndex, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                               dict[str, np.ndarray]]:
    """Direct returns, indirect returns and runs per case, on the runs of ``codes`` over events in ``mask``.

    Also returns the run arrays (case code, value code, position of the run's first event, flags).
    """
    keep = mask & (codes >= 0)
    pos = np.flatnonzero(keep)
    c, v = index.codes[pos], codes[pos]
    start = np.ones(len(pos), dtype=bool)
    if len(pos) > 1:
        start[1:] = (c[1:] != c[:-1]) | (v[1:] != v[:-1])
    rc, rv, rpos = c[start], v[start], pos[start]
    width = int(v.max()) + 1 if len(v) else 1
    returned = pd.Series(rc * width + rv).duplicated(keep="first").to_numpy()
    direct = np.zeros(len(rc), dtype=bool)
    if len(rc) > 2:
        direct[2:] = (rc[2:] == rc[:-2]) & (rv[2:] == rv[:-2])
    indirect = returned & ~direct
    n = index.n
    count = lambda flags: np.bincount(rc, weights=flags.astype("float64"), minlength=n).astype("int64")  # noqa: E731
    runs = {"case": rc, "value": rv, "pos": rpos, "direct": direct, "indirect": indirect}
    return count(direct), count(indirect), count(np.ones(len(rc), dtype=bool)), runs


def _line_numbers(frame: pd.DataFrame) -> pd.Series | None:
    """Support line per event as a number, or None when the line column does not hold line numbers."""
    if C.LINE not in frame.columns or not frame[C.LINE].notna().any():
        return None
    line = frame[C.LINE]
    if pd.api.types.is_numeric_dtype(line):
        return pd.to_numeric(line, errors="coerce").astype("float64")
    distinct = pd.Series(pd.unique(line.dropna()).astype(str))
    parsed = distinct.str.extract(_LINE, expand=False)
    if parsed.isna().any():
        return None
    mapping = dict(zip(distinct, parsed.astype("float64")))
    return line.astype("string").map(mapping).astype("float64")


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
    """Handovers, distinct people and teams, ping-pong and escalation per case (index: case id).

    Columns: ``handovers_person``, ``handovers_team``, ``handovers_org``, ``people``, ``teams``,
    ``pingpong_direct``, ``pingpong_indirect`` (team returns), ``escalated``, ``first_line_only``
    (nullable booleans, missing when the support line is unknown), ``team_changes`` (service-side team
    runs − 1, comparable with a system's reassignment count), ``days`` (first to last event); with
    ``person_level`` also ``pingpong_person_direct`` and ``pingpong_person_indirect``.

    Example:
        >>> import pandas as pd
        >>> from ssc_mining.eventlog import EventLog
        >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["a"] * 4,
        ...     "concept:name": ["w"] * 4, "org:group": ["X", "Y", "Z", "X"],
        ...     "time:timestamp": pd.to_datetime(["2024-01-01"] * 4, utc=True)}))
        >>> handoffs_per_case(log)[["pingpong_direct", "pingpong_indirect"]].iloc[0].tolist()
        [0, 1]
    """
    return _compute(ordered_frame(log), first_line_teams=first_line_teams,
                    service_organisations=service_organisations, person_level=person_level)["per_case"]


def _compute(frame: pd.DataFrame, *, first_line_teams: tuple[str, ...], service_organisations: tuple[str, ...],
             person_level: bool) -> dict[str, Any]:
    index = case_index(frame)
    person, persons = value_codes(frame, C.RESOURCE)
    team, teams = value_codes(frame, C.TEAM)
    org, orgs = value_codes(frame, C.ORGANISATION)
    service = service_side(frame, service_organisations)
    hp, ht, ho = changes(person, index), changes(team, index), changes(org, index)
    direct, indirect, runs, team_runs = _pingpong(team, index, service)
    out = pd.DataFrame({
        "handovers_person": index.count(hp), "handovers_team": index.count(ht), "handovers_org": index.count(ho),
        "people": distinct_per_case(person, index), "teams": distinct_per_case(team, index),
        "pingpong_direct": direct, "pingpong_indirect": indirect,
    }, index=index.ids)
    esc = _escalation(frame, index, service, team, teams, first_line_teams)
    unknown = np.full(index.n, esc is None)
    out["escalated"] = pd.arrays.BooleanArray(np.zeros(index.n, dtype=bool) if esc is None else esc[0], unknown)
    out["first_line_only"] = pd.arrays.BooleanArray(np.zeros(index.n, dtype=bool) if esc is None else esc[1],
                                                    unknown.copy())
    out["team_changes"] = np.maximum(runs - 1, 0)
    out["days"] = case_days(frame, index)
    person_runs = None
    if person_level:
        pdirect, pindirect, _runs, person_runs = _pingpong(person, index, service)
        out["pingpong_person_direct"], out["pingpong_person_indirect"] = pdirect, pindirect
    return {"per_case": out, "index": index, "frame": frame, "person": (person, persons, hp),
            "team": (team, teams, ht), "org": (org, orgs, ho), "service": service, "team_runs": team_runs,
            "person_runs": person_runs, "escalation_how": esc[2] if esc else None}


def handover_graph(codes: np.ndarray, labels: pd.Index, flags: np.ndarray, *, max_edges: int | None = None
                   ) -> nx.DiGraph:
    """Handover-of-work network: edge A→B weighted by the handovers from A to B; node weight = events.

    ``flags`` marks the events that receive a handover (see :func:`changes`).
    """
    graph = nx.DiGraph()
    known = codes >= 0
    events = np.bincount(codes[known], minlength=len(labels))
    receivers = np.flatnonzero(flags)
    width = len(labels) + 1
    keys, counts = np.unique(codes[receivers - 1] * width + codes[receivers], return_counts=True)
    order = np.argsort(-counts, kind="stable")
    if max_edges is not None:
        order = order[:max_edges]
    used: set[int] = set()
    for k, w in zip(keys[order], counts[order]):
        used.update((int(k // width), int(k % width)))
    for i in sorted(used) if max_edges is not None else range(len(labels)):
        graph.add_node(str(labels[i]), weight=int(events[i]))
    for k, w in zip(keys[order], counts[order]):
        graph.add_edge(str(labels[int(k // width)]), str(labels[int(k % width)]), weight=int(w))
    return graph


# --------------------------------------------------------------------------------------------------
# the analyser
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Handoffs(Analyser):
    """Handovers between people, teams and organisations; team ping-pong; push to front."""

    name = "handoffs"
    title = {"en": "Handoffs and ping-pong", "nl": "Overdrachten en pingpong"}
    description = {"en": "How often a ticket passes between people, teams and organisations, and how often it "
                         "comes back to a team it already left.",
                   "nl": "Hoe vaak een melding van mens naar mens, team naar team en organisatie naar organisatie "
                         "gaat, en hoe vaak ze terugkomt bij een team dat ze al had verlaten."}
    requires = (C.CASE, C.ACTIVITY, C.TIMESTAMP)
    uses = (C.TEAM, C.RESOURCE, C.ORGANISATION, C.LINE, C.MOTHER, C.CATEGORY)

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
    #: case ids listed in a finding
    max_case_ids: int = 20

    def analyse(self, log: EventLog) -> Result:
        if not (log.has(C.RESOURCE) or log.has(C.TEAM)):
            return Result.skipped(self.name, self.text(self.title),
                                  _("the log has neither a resource (org:resource) nor a team (org:group) column "
                                    "with values"), version=self.version, params=self.params(),
                                  description=self.text(self.description))
        if log.n_events == 0:
            return self.result(summary=_("The log is empty."), items=[Metric("cases", _("Cases"), 0, unit="cases")])
        data = _compute(ordered_frame(log), first_line_teams=tuple(self.first_line_teams),
                        service_organisations=tuple(self.service_organisations), person_level=self.person_level)
        pc: pd.DataFrame = data["per_case"]
        index: CaseIndex = data["index"]
        frame: pd.DataFrame = data["frame"]
        n = len(pc)
        has_team, has_person, has_org = log.has(C.TEAM), log.has(C.RESOURCE), log.has(C.ORGANISATION)
        items: list[Item] = [Metric("cases", _("Cases"), n, unit="cases")]
        caveats = [_("Handovers are counted between consecutive events; an event without a person, team or "
                     "organisation is skipped, so a handover around it is not counted."),
                   _("Cases still open at the time of the export may look shorter and have fewer handovers.")]
        pingpong = (pc["pingpong_direct"] + pc["pingpong_indirect"]) > 0
        direct_any, indirect_any = pc["pingpong_direct"] > 0, pc["pingpong_indirect"] > 0
        labels = {
            "person": (_("Handovers between people per case (mean)"), _("Handovers between people per case (median)")),
            "team": (_("Handovers between teams per case (mean)"), _("Handovers between teams per case (median)")),
            "org": (_("Handovers between organisations per case (mean)"),
                    _("Handovers between organisations per case (median)")),
        }
        for key, col, present in (("person", "handovers_person", has_person), ("team", "handovers_team", has_team),
                                  ("org", "handovers_org", has_org)):
            if not present:
                continue
            items += [
                Metric(f"{key}_handovers_mean", labels[key][0], round(float(pc[col].mean()), 4), unit="handovers"),
                Metric(f"{key}_handovers_median", labels[key][1], float(pc[col].median()), unit="handovers"),
            ]
        if has_person:
            items.append(Metric("people_mean", _("Distinct people per case (mean)"),
                                round(float(pc["people"].mean()), 4), unit="people"))
        if has_team:
            returns = pc["pingpong_direct"] + pc["pingpong_indirect"]
            items += [
                Metric("teams_mean", _("Distinct teams per case (mean)"), round(float(pc["teams"].mean()), 4),
                       unit="teams"),
                Metric("team_handover_share", _("Share of cases with at least one handover between teams"),
                       round(float((pc["handovers_team"] > 0).mean()), 6), unit="share"),
                Metric("pingpong_share", _("Share of cases that come back to a team they already left"),
                       round(float(pingpong.mean()), 6), unit="share"),
                Metric("pingpong_direct_share", _("Share of cases with direct ping-pong (X → Y → X)"),
                       round(float(direct_any.mean()), 6), unit="share"),
                Metric("pingpong_indirect_share", _("Share of cases with indirect ping-pong (X → … → X)"),
                       round(float(indirect_any.mean()), 6), unit="share"),
                Metric("pingpong_returns_mean", _("Returns to a team already left, per case (mean)"),
                       round(float(returns.mean()), 4), unit="returns"),
                Metric("pingpong_returns_mean_affected", _("Returns per case with ping-pong (mean)"),
                       round(float(returns[pingpong].mean()), 4) if pingpong.any() else None, unit="returns"),
            ]
            with_pp = float(pc.loc[pingpong, "days"].median()) if pingpong.any() else None
            without_pp = float(pc.loc[~pingpong, "days"].median()) if (~pingpong).any() else None
            items += [
                Metric("days_median_pingpong", _("Median throughput time of cases with ping-pong"), with_pp,
                       unit="days"),
                Metric("days_median_no_pingpong", _("Median throughput time of cases without ping-pong"), without_pp,
                       unit="days"),
                Metric("days_median_pingpong_extra", _("Extra median throughput time with ping-pong"),
                       None if with_pp is None or without_pp is None else round(with_pp - without_pp, 6),
                       unit="days"),
            ]
            items += self._pingpong_findings(pc, data)
        if self.person_level and has_person:
            pp = (pc["pingpong_person_direct"] + pc["pingpong_person_indirect"]) > 0
            items += [
                Metric("person_pingpong_share", _("Share of cases that come back to a person who already handed it on"),
                       round(float(pp.mean()), 6), unit="share"),
                Metric("person_pingpong_direct_share", _("Share of cases with direct ping-pong between people"),
                       round(float((pc["pingpong_person_direct"] > 0).mean()), 6), unit="share"),
            ]
        if has_org:
            items += self._org_items(frame, data)
        items += self._push_to_front(pc, frame, index, data, caveats)
        items += self._breakdowns(pc, frame, index)
        items += self._reassignments(pc, frame, index)
        items.append(self._chart(pc, has_person, has_team))
        items += self._graphs(data, has_team, has_org)
        return self.result(summary=self._summary(pc, has_team, has_person), items=items, caveats=caveats)

    # --- pieces ------------------------------------------------------------------------------------

    def _summary(self, pc: pd.DataFrame, has_team: bool, has_person: bool) -> str:
        values = {"n": format_number(len(pc)), "team": format_number(pc["handovers_team"].mean(), 1),
                  "person": format_number(pc["handovers_person"].mean(), 1),
                  "pingpong": pct(((pc["pingpong_direct"] + pc["pingpong_indirect"]) > 0).mean())}
        if has_team and has_person:
            text = _("On average a ticket passes between teams %(team)s times and between people %(person)s times "
                     "(%(n)s tickets); %(pingpong)s of tickets come back to a team they already left.") % values
        elif has_team:
            text = _("On average a ticket passes between teams %(team)s times (%(n)s tickets); %(pingpong)s of "
                     "tickets come back to a team they already left.") % values
        elif has_person:
            text = _("On average a ticket passes between people %(person)s times (%(n)s tickets).") % values
        else:
            text = _("No handovers could be measured (%(n)s tickets).") % values
        esc = pc["first_line_only"]
        if esc.notna().any():
            share = float(esc.fillna(False).sum() / max(esc.notna().sum(), 1))
            text += " " + _("%(share)s of the tickets are solved by the first line alone.") % {"share": pct(share)}
        return text

    def _pingpong_findings(self, pc: pd.DataFrame, data: dict[str, Any]) -> list[Item]:
        returns = pc["pingpong_direct"] + pc["pingpong_indirect"]
        affected = returns[returns > 0]
        if affected.empty:
            return [Finding("pingpong_cases", "info", _("No ticket came back to a team it had already left."), [], 0)]
        top_ids = top_cases(affected, self.max_case_ids)
        top = affected.loc[top_ids]
        n = int(len(affected))
        items: list[Item] = [Finding(
            "pingpong_cases", "notice" if len(affected) / len(pc) < 0.1 else "warning",
            ngettext("%(n)s ticket (%(share)s) came back to a team it had already left; the most returns in one "
                     "ticket: %(most)s. The tickets with the most returns are listed.",
                     "%(n)s tickets (%(share)s) came back to a team they had already left; the most returns in one "
                     "ticket: %(most)s. The tickets with the most returns are listed.", n)
            % {"n": format_number(n), "share": pct(n / len(pc)), "most": format_number(int(top.iloc[0]))},
            top_ids, n)]
        runs = data["team_runs"]
        teams = data["team"][1]
        if len(runs["case"]):
            back = runs["direct"] | runs["indirect"]
            per_team = pd.Series(np.asarray(teams)[runs["value"][back]]).value_counts() if back.any() \
                else pd.Series(dtype="int64")
            if len(per_team):
                table = per_team.head(self.max_groups).rename_axis("team").reset_index(name="returns")
                items.append(Table.from_frame("pingpong_by_team", _("Teams that tickets come back to"), table,
                                              labels={"team": _("team"), "returns": _("returns")},
                                              descriptions={"returns": _("times a ticket came back to this team "
                                                                         "after it had left")}))
        return items

    def _org_items(self, frame: pd.DataFrame, data: dict[str, Any]) -> list[Item]:
        org, orgs, flags = data["org"]
        receivers = np.flatnonzero(flags)
        if not len(receivers) or C.MOTHER not in frame.columns:
            return []
        mothers = set(pd.unique(frame[C.MOTHER].dropna()).tolist())
        is_mother = np.array([o in mothers for o in orgs] + [False])
        a, b = is_mother[org[receivers - 1]], is_mother[org[receivers]]
        return [
            Metric("org_handovers_mother_ssc", _("Handovers between a mother organisation and the SSC"),
                   int(np.sum(a != b)), unit="handovers"),
            Metric("org_handovers_mother_mother", _("Handovers between two mother organisations"),
                   int(np.sum(a & b)), unit="handovers"),
        ]

    def _push_to_front(self, pc: pd.DataFrame, frame: pd.DataFrame, index: CaseIndex, data: dict[str, Any],
                       caveats: list[str]) -> list[Item]:
        if data["escalation_how"] is None:
            if C.LINE in frame.columns and frame[C.LINE].notna().any():
                caveats.append(_("Push to front is not measured: the support line column holds no line numbers "
                                 "(1, 2, 3); name the first-line teams with the parameter first_line_teams."))
            return []
        known = pc["first_line_only"].notna() & (pc["escalated"] | pc["first_line_only"])
        base = pc[known.to_numpy(dtype=bool)]
        if base.empty:
            return []
        escalated = base["escalated"].to_numpy(dtype=bool)
        how, first_line_count = data["escalation_how"]
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
            Metric("first_line_only_share", _("Share of tickets solved by the first line alone (push to front)"),
                   round(float((~escalated).mean()), 6), unit="share", based_on=based_on),
            Metric("escalated_share", _("Share of tickets escalated beyond the first line"),
                   round(float(escalated.mean()), 6), unit="share"),
            Metric("days_median_escalated", _("Median throughput time of escalated tickets"),
                   float(np.median(base["days"][escalated])) if escalated.any() else None, unit="days"),
            Metric("days_median_first_line", _("Median throughput time of tickets solved by the first line"),
                   float(np.median(base["days"][~escalated])) if (~escalated).any() else None, unit="days"),
        ]
        groups: list[tuple[str, str, str, pd.Series]] = []
        if C.CATEGORY in frame.columns and frame[C.CATEGORY].notna().any():
            groups.append(("category", _("Escalation rate per category"), _("category"),
                           case_first(frame, index, C.CATEGORY)))
        team, teams, _flags = data["team"]
        service = data["service"]
        keep = service & (team >= 0)
        if keep.any():
            first = pd.Series(team[keep], index=index.codes[keep]).groupby(level=0).first()
            labels = np.asarray(teams, dtype=object)
            first_team = pd.Series(labels[first.to_numpy()], index=first.index).reindex(range(index.n))
            groups.append(("team", _("Escalation rate per first team"), _("first team"),
                           pd.Series(first_team.to_numpy(), index=index.ids)))
        for key, title, label, group in groups:
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
                labels={"group": label, "tickets": _("tickets"), "escalated_share": _("escalated"),
                        "median_days": _("median (days)")},
                units={"escalated_share": "share", "median_days": "days"},
                descriptions={"escalated_share": _("share of tickets that went beyond the first line")}))
        return items

    def _breakdowns(self, pc: pd.DataFrame, frame: pd.DataFrame, index: CaseIndex) -> list[Item]:
        items: list[Item] = []
        for column, title, label in ((C.MOTHER, _("Handovers and ping-pong per mother organisation"),
                                      _("mother organisation")),
                                     (C.CATEGORY, _("Handovers and ping-pong per category"), _("category"))):
            if not (column in frame.columns and frame[column].notna().any()):
                continue
            g = pc.assign(group=case_first(frame, index, column).to_numpy(),
                          pingpong=(pc["pingpong_direct"] + pc["pingpong_indirect"]) > 0,
                          first_line=pc["first_line_only"].astype("float64"))
            table = (g.groupby("group", dropna=False)
                     .agg(tickets=("handovers_team", "size"), team_handovers=("handovers_team", "mean"),
                          person_handovers=("handovers_person", "mean"), org_handovers=("handovers_org", "mean"),
                          pingpong_share=("pingpong", "mean"), first_line_share=("first_line", "mean"),
                          median_days=("days", "median"))
                     .reset_index().sort_values(["tickets", "group"], ascending=[False, True], kind="stable"))
            if len(table) > self.max_groups:
                table = table.head(self.max_groups)
            for c in table.columns[2:]:
                table[c] = table[c].astype("float64").round(4)
            items.append(Table.from_frame(
                f"by_{column.rsplit(':', 1)[-1]}", title, table,
                labels={"group": label, "tickets": _("tickets"), "team_handovers": _("team handovers (mean)"),
                        "person_handovers": _("person handovers (mean)"),
                        "org_handovers": _("organisation handovers (mean)"),
                        "pingpong_share": _("ping-pong"), "first_line_share": _("first line only"),
                        "median_days": _("median (days)")},
                units={"pingpong_share": "share", "first_line_share": "share", "median_days": "days"},
                descriptions={"pingpong_share": _("share of tickets that came back to a team they had already "
                                                  "left"),
                              "first_line_share": _("share of tickets solved by the first line alone")}))
        return items

    def _reassignments(self, pc: pd.DataFrame, frame: pd.DataFrame, index: CaseIndex) -> list[Item]:
        column = find_column(frame, self.reassignment_column)
        if column is None:
            return []
        system = pd.to_numeric(case_first(frame, index, column), errors="coerce")
        known = system.notna()
        if not known.any():
            return []
        mined = pc["team_changes"][known]
        diff = mined - system[known]
        differ = diff[diff != 0]
        table = pd.DataFrame({"measure": [_("tickets compared"), _("equal"), _("mined more"), _("system more"),
                                          _("mean mined team changes"), _("mean system reassignments")],
                              "value": [int(known.sum()), int((diff == 0).sum()), int((diff > 0).sum()),
                                        int((diff < 0).sum()), round(float(mined.mean()), 4),
                                        round(float(system[known].mean()), 4)]})
        order = top_cases(differ.abs(), self.max_case_ids)
        values = {"n": format_number(len(differ)), "total": format_number(int(known.sum())), "column": column}
        return [
            Table.from_frame("reassignments_vs_system",
                             _("Mined team changes versus the system's %(column)s") % values, table,
                             labels={"measure": _("measure"), "value": _("value")},
                             description=_("Team changes: changes of team between consecutive service-side events "
                                           "(runs of the same team collapsed), compared ticket by ticket.")),
            Finding("reassignments_differ", "info" if differ.empty else "notice",
                    _("The mined team changes equal the system's reassignment count for every ticket.")
                    if differ.empty else
                    _("For %(n)s of %(total)s tickets the mined team changes differ from the system's "
                      "reassignment count (%(column)s); the largest differences are listed.") % values,
                    order, int(len(differ))),
        ]

    def _chart(self, pc: pd.DataFrame, has_person: bool, has_team: bool) -> Chart:
        cap = 15
        x = list(range(cap + 1))
        series: dict[str, list[int]] = {}
        for present, col, label in ((has_team, "handovers_team", _("between teams")),
                                    (has_person, "handovers_person", _("between people"))):
            if present:
                counts = np.bincount(np.minimum(pc[col].to_numpy(), cap), minlength=cap + 1)
                series[label] = [int(v) for v in counts]
        return Chart("handovers_distribution", _("Handovers per ticket"), "bar",
                     x=[str(v) for v in x[:-1]] + [f"{cap}+"],
                     series=series, x_label=_("handovers in the ticket"), y_label=_("tickets"),
                     description=_("Number of tickets by how many times they passed between teams and between "
                                   "people"))

    def _graphs(self, data: dict[str, Any], has_team: bool, has_org: bool) -> list[Item]:
        out: list[Item] = []
        levels = []
        values = {"edges": format_number(self.max_graph_edges)}
        if has_team:
            levels.append(("team", _("Handover of work between teams"),
                           _("An arrow A → B counts how often team B did the next event of a ticket after team A "
                             "(the %(edges)s strongest links).") % values))
        if has_org:
            levels.append(("org", _("Handover of work between organisations"),
                           _("An arrow A → B counts how often organisation B did the next event of a ticket after "
                             "organisation A (the %(edges)s strongest links).") % values))
        if self.person_level:
            levels.append(("person", _("Handover of work between people"),
                           _("An arrow A → B counts how often person B did the next event of a ticket after person A "
                             "(the %(edges)s strongest links).") % values))
        for key, title, description in levels:
            codes, labels, flags = data[key]
            if not flags.any():
                continue
            graph = handover_graph(codes, labels, flags, max_edges=self.max_graph_edges)
            out.append(Graph.from_networkx(f"handover_network_{key}", title, graph, description=description))
        return out
