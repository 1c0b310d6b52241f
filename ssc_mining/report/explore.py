"""Explore inside the report: the tickets behind every box and arrow of the process map, every path and every
finding, the steps of single tickets (auditors only) and the handovers between teams as a network.

:func:`explore_figures` computes the data from the event log and the (privacy-filtered) results, as plain,
sorted, JSON-ready data: it is ``figures["explore"]`` and goes into the JSON file as it is. Activity,
arrow and path → tickets are computed vectorised (one sort of (key, ticket) pairs; the directly-follows
pairs of each ticket in log order, as in :mod:`ssc_mining.discovery.dfg`). Ticket ids are listed in the
order of the export.

:func:`explore_page` turns those figures into what the page needs: the rows of the path table, the list of
findings, the team network drawn as SVG (:func:`team_network_svg`) and the page's data block — capped, so
the page stays small: at most :data:`PAGE_IDS` ticket ids per box, arrow, path or finding, the
:data:`PAGE_PATHS` most frequent paths, and the boxes and arrows the map can draw.

What the JSON file holds: every path (its activities as positions in ``activities``, its text too for the
paths the page lists) with every ticket id; the findings' ticket ids are under ``analysers``; every ticket
id of every activity and arrow while all of them together are at most :data:`JSON_IDS` per kind, else the
first so many per activity or arrow (``ids_per_key`` says how many; None = all).

Privacy: nothing here is about a person, except the timelines, which exist only for the ``auditor``
audience (their ``person`` column holds the pseudonyms); for works councils ``timelines`` is None.

Example:
    >>> from ssc_mining.loaders import load
    >>> from ssc_mining.report.model import compute_figures
    >>> ex = compute_figures(load("data/samples/generic-events.csv"))["explore"]
    >>> sum(v["tickets"] for v in ex["variants"]) == ex["tickets"], ex["timelines"] is None
    (True, True)
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ssc_mining._io import clean_text
from ssc_mining.analysers.toolkit import sorted_codes
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import code_dtype
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number
from ssc_mining.i18n import gettext as _
from ssc_mining.report.formatting import cut_long_words, shorten
from ssc_mining.report.formatting import slug as _slug
from ssc_mining.results import Finding, Graph, Result

#: ticket ids per box, arrow, path or finding in the page (the rest: in the JSON file)
PAGE_IDS = 50
#: paths (variants) listed in the page, most frequent first
PAGE_PATHS = 200
#: tickets whose steps are stored (auditors only): those listed in findings and drill-downs, taken in turns
TIMELINES = 500
#: steps stored per ticket timeline
TIMELINE_STEPS = 100
#: ticket ids per kind (activities, arrows) that the JSON file holds in full; beyond it, the first
#: ``max(PAGE_IDS, JSON_IDS // number of activities or arrows)`` of each
JSON_IDS = 50_000
#: teams and arrows drawn in the team network (the most handovers)
NETWORK_TEAMS = 30
NETWORK_ARROWS = 80
#: the handoff analyser's graphs, by preference: handovers between the teams doing the work, else between
#: assignment groups (never the graph between people)
NETWORK_KEYS = ("handover_network_team", "handover_network_routing")
#: the longest path text shown in the page's table
PATH_CHARS = 400


def _pairs(keys: np.ndarray, cases: np.ndarray, *, cases_sorted: bool = False
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (key, ticket) pairs, sorted by key then ticket: (keys, first position, count, tickets); keys
    and tickets are codes (≥ 0). ``cases_sorted``: the tickets already come in ascending order (used only when
    a key and a ticket do not fit in one 64-bit number together)."""
    width = int(cases.max()) + 1 if len(cases) else 1
    if not len(keys) or int(keys.max()) < np.iinfo(np.int64).max // width - 1:
        # one number per pair, sorted (numpy sorts plain integers far faster than it sorts by two keys)
        pair = keys.astype(np.int64)   # a copy: the pairs are built in it
        pair *= width
        pair += cases
        pair.sort()
        pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if len(pair) else pair
        # ticket codes: four bytes each are enough
        c = (pair % width).astype(np.int32 if width <= np.iinfo(np.int32).max else np.int64)
        k = pair
        k //= width   # in place: the pairs are not needed any more
    else:  # pragma: no cover - more keys × tickets than a 64-bit number holds
        order = np.argsort(keys, kind="stable") if cases_sorted else np.lexsort((cases, keys))
        k, c = keys[order], cases[order]
        keep = np.ones(len(k), dtype=bool)
        keep[1:] = (k[1:] != k[:-1]) | (c[1:] != c[:-1])
        k, c = k[keep], c[keep]
    first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, dtype=np.int64)
    count = np.diff(np.r_[first, len(k)])
    uniq = k[first]
    return uniq, first, count, c


def _ids(ids: np.ndarray, cases: np.ndarray, first: int, count: int, limit: int | None) -> list[str]:
    n = count if limit is None else min(count, limit)
    return ids[cases[first:first + n]].tolist()


def activity_tickets(log: EventLog) -> pd.DataFrame:
    """Per activity: events, tickets and the ticket codes (positions in ``log.cases.ids``), sorted by activity.

    Columns ``activity``, ``events``, ``tickets``, ``first`` (offset into the returned ``attrs["cases"]``)."""
    index = log.cases
    act, labels = sorted_codes(log, C.ACTIVITY)   # shared, small; sorted as the lists are
    known = act >= 0
    uniq, first, count, cases = _pairs(act[known].astype(np.int64), index.codes[known], cases_sorted=True)
    events = np.bincount(act[known], minlength=len(labels))
    out = pd.DataFrame({"activity": [str(labels[i]) for i in uniq], "events": events[uniq], "tickets": count,
                        "first": first})
    out.attrs["cases"] = cases
    return out


def arrow_tickets(log: EventLog) -> pd.DataFrame:
    """Per arrow of the map (directly-follows pair in a ticket, in log order; plus "start → A" for the first
    and "A → end" for the last step of a ticket): tickets and the ticket codes, sorted by source then target
    (start first, end last). ``source``/``target`` are None for the start and the end."""
    index = log.cases
    act, labels = sorted_codes(log, C.ACTIVITY)   # shared, small; sorted as the lists are
    n = len(labels)
    # 0 = start, 1 … n = activities, n + 1 = end; missing activity → 0 (dropped); a byte or two per event
    code = (act + 1).astype(code_dtype(n + 2))
    del act
    at = np.flatnonzero(index.same_case)   # steps within a ticket: from event at to event at + 1
    src, dst = code[at], code[at + 1]
    inner = (src > 0) & (dst > 0)
    at = at[inner]
    first, last = index.first, index.last
    keys = np.concatenate([src[inner].astype(np.int64) * (n + 2) + dst[inner], code[first][code[first] > 0],
                           code[last][code[last] > 0].astype(np.int64) * (n + 2) + n + 1])
    del src, dst, inner
    # a ticket's code is the position of its first and last step in ``first`` and ``last``
    cases = np.concatenate([index.codes[at + 1], np.flatnonzero(code[first] > 0), np.flatnonzero(code[last] > 0)])
    del at, code
    uniq, pos, count, tickets = _pairs(keys, cases)
    del keys, cases
    names: list[str | None] = [None, *[str(x) for x in labels], None]
    out = pd.DataFrame({"source": pd.Series([names[i] for i in (uniq // (n + 2)).tolist()], dtype=object),
                        "target": pd.Series([names[i] for i in (uniq % (n + 2)).tolist()], dtype=object),
                        "tickets": count, "first": pos})
    out.attrs["cases"] = tickets
    return out


def ticket_paths(log: EventLog) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Per ticket the number of its path, and the paths (activity sequences): the log's shared variant table
    (:func:`ssc_mining.discovery.variants.variant_table`, computed once per log)."""
    from ssc_mining.discovery.variants import variant_table

    if not log.cases.n:
        return np.zeros(0, dtype=np.int64), []
    table = variant_table(log)
    return table.case_variant.to_numpy().astype(np.int64), list(table.traces)


def variant_tickets(log: EventLog) -> pd.DataFrame:
    """Per path (variant): rank, path (" → "), steps, tickets, share, most frequent first (ties by path, as in
    the report's table of paths), with the ticket codes."""
    per_case, traces = ticket_paths(log)
    paths = [" → ".join(t) for t in traces]
    counts = np.bincount(per_case, minlength=len(traces))
    order = sorted(range(len(traces)), key=lambda i: (-int(counts[i]), paths[i]))
    rank = np.empty(len(traces), dtype=np.int64)
    rank[order] = np.arange(len(traces))
    uniq, first, count, cases = _pairs(rank[per_case], np.arange(len(per_case), dtype=np.int64), cases_sorted=True)
    total = max(log.cases.n, 1)
    out = pd.DataFrame({"rank": uniq + 1, "path": [paths[order[i]] for i in uniq],
                        "trace": [traces[order[i]] for i in uniq],
                        "steps": [len(traces[order[i]]) for i in uniq], "tickets": count,
                        "share": np.round(count / total, 4), "first": first})
    out.attrs["cases"] = cases
    return out


def per_key_limit(frame: pd.DataFrame) -> int | None:
    """How many ticket ids per key the JSON file holds: all (None) while the kind has at most :data:`JSON_IDS`."""
    if len(frame.attrs["cases"]) <= JSON_IDS:
        return None
    return max(PAGE_IDS, JSON_IDS // max(len(frame), 1))


def _listed(frame: pd.DataFrame, ids: np.ndarray, limit: int | None) -> list[list[str]]:
    cases = frame.attrs["cases"]
    return [_ids(ids, cases, int(f), int(c), limit) for f, c in zip(frame["first"], frame["tickets"])]


def prepare_explore(log: EventLog) -> None:
    """Compute the lists of :func:`explore_figures` that depend on the log alone (tickets per activity, arrow
    and path) ahead of it, for instance side by side with the analysers (see :mod:`ssc_mining.parallel`)."""
    _log_lists(log)


def _log_lists(log: EventLog) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any],
                                       list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    return log.computed("explore lists", lambda: _lists_now(log))


def _lists_now(log: EventLog) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any],
                                       list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    index = log.cases
    ids = np.asarray(index.ids.astype(str).tolist(), dtype=object)   # one conversion, not one per id
    acts, arrows, paths = activity_tickets(log), arrow_tickets(log), variant_tickets(log)
    limits = {"activities": per_key_limit(acts), "arrows": per_key_limit(arrows), "variants": None}
    activities = [{"activity": a, "events": int(e), "tickets": int(t), "case_ids": c}
                  for a, e, t, c in zip(acts["activity"], acts["events"], acts["tickets"],
                                        _listed(acts, ids, limits["activities"]))]
    arrow_list = [{"source": s, "target": t, "tickets": int(n), "case_ids": c}
                  for s, t, n, c in zip(arrows["source"], arrows["target"], arrows["tickets"],
                                        _listed(arrows, ids, limits["arrows"]))]
    # a path as the positions of its activities in ``activities``, separated by spaces (compact: a log such as
    # BPIC 2012 has thousands of long paths); the text too for the paths the page lists
    number = {a: str(i) for i, a in enumerate(acts["activity"])}
    variants = [{"rank": int(r), "activities": " ".join(number[a] for a in trace), "steps": int(s),
                 "tickets": int(t), "share": float(sh), "case_ids": c, **({"path": p} if r <= PAGE_PATHS else {})}
                for r, p, trace, s, t, sh, c in zip(paths["rank"], paths["path"], paths["trace"], paths["steps"],
                                                    paths["tickets"], paths["share"], _listed(paths, ids, None))]
    return ids, acts, arrows, paths, limits, activities, arrow_list, variants


def explore_figures(log: EventLog, results: Sequence[Result], audience: str = "works-council") -> dict[str, Any]:
    """The explore data of ``log`` (see the module docstring); ``results`` are the privacy-filtered results."""
    ids, acts, arrows, paths, limits, activities, arrow_list, variants = _log_lists(log)
    findings = [{"analyser": r.analyser, "key": item.key, "tickets": len(item.case_ids)}
                for r in results for item in r.items if isinstance(item, Finding) and item.case_ids]
    out: dict[str, Any] = {
        "tickets": int(log.cases.n),
        "limits": {"page_ids": PAGE_IDS, "page_paths": PAGE_PATHS, "timelines": TIMELINES,
                   "timeline_steps": TIMELINE_STEPS, "json_ids": JSON_IDS,
                   "network_teams": NETWORK_TEAMS, "network_arrows": NETWORK_ARROWS},
        # None: every ticket id is in the JSON file; a number: the first so many per activity or arrow
        "ids_per_key": limits,
        "activities": activities,
        "arrows": arrow_list,
        "variants": variants,
        "findings": findings,
        "team_network": team_network(results),
        "timelines": None,
    }
    if audience == "auditor":
        wanted = _timeline_tickets(ids, results, acts, arrows, paths)
        out["timelines"] = timelines(log, wanted)
    return out


def _timeline_tickets(ids: np.ndarray, results: Sequence[Result], acts: pd.DataFrame, arrows: pd.DataFrame,
                      paths: pd.DataFrame) -> tuple[np.ndarray, int]:
    """The tickets listed on the page (findings, then paths, activities, arrows), taken in turns — the first
    ticket of every list, then the second … — up to :data:`TIMELINES`; and how many there were in all."""
    lookup = pd.Index(ids)
    lists: list[np.ndarray] = []
    for r in results:
        for item in r.items:
            if isinstance(item, Finding) and item.case_ids:
                codes = lookup.get_indexer([str(c) for c in item.case_ids[:PAGE_IDS]])
                lists.append(codes[codes >= 0])
    for frame in (paths.head(PAGE_PATHS), acts, arrows):
        cases = frame.attrs["cases"]
        lists += [cases[int(f):int(f) + min(int(n), PAGE_IDS)] for f, n in zip(frame["first"], frame["tickets"])]
    if not lists:
        return np.zeros(0, dtype=np.int64), 0
    codes = np.concatenate(lists).astype(np.int64)
    turn = np.concatenate([np.arange(len(x)) for x in lists])
    which = np.concatenate([np.full(len(x), i) for i, x in enumerate(lists)])
    ordered = codes[np.lexsort((which, turn))]
    unique = pd.unique(ordered)
    return unique[:TIMELINES], int(len(unique))


def timelines(log: EventLog, wanted: tuple[np.ndarray, int]) -> dict[str, Any]:
    """The steps of the ``wanted`` tickets (auditors only): time (in the log's zone), activity, team and
    the person (a pseudonym) of each step, at most :data:`TIMELINE_STEPS` per ticket."""
    codes, candidates = wanted
    frame, index = log.frame, log.cases
    team_column = next((c for c in (C.TEAM, C.ASSIGNED_GROUP) if log.has(c)), None)
    columns = ["time", "activity"] + (["team"] if team_column else []) + (["person"] if log.has(C.RESOURCE) else [])
    chosen = np.zeros(index.n, dtype=bool)
    chosen[codes] = True
    position = np.arange(len(frame)) - index.first[index.codes]
    mask = chosen[index.codes] & (position < TIMELINE_STEPS)
    rows = frame.loc[mask]
    local = log.local_times()[mask]
    fmt = "%Y-%m-%d %H:%M:%S" if bool((local.dt.second != 0).any()) else "%Y-%m-%d %H:%M"
    values = [local.dt.strftime(fmt).astype(object).where(local.notna(), None).tolist(),
              rows[C.ACTIVITY].astype(object).where(rows[C.ACTIVITY].notna(), None).tolist()]
    for column in ([team_column] if team_column else []) + ([C.RESOURCE] if "person" in columns else []):
        values.append(rows[column].astype(object).where(rows[column].notna(), None).tolist())
    steps = list(zip(*values)) if values[0] else []
    case_of = index.codes[mask]
    bounds = np.flatnonzero(np.r_[True, case_of[1:] != case_of[:-1]]) if len(case_of) else np.zeros(0, dtype=int)
    ends = np.r_[bounds[1:], len(case_of)]
    total = index.last - index.first + 1
    tickets = {}
    for b, e in zip(bounds.tolist(), ends.tolist()):
        code = int(case_of[b])
        tickets[str(index.ids[code])] = {"steps": int(total[code]),
                                         "rows": [[None if v is None else str(v) for v in s] for s in steps[b:e]]}
    return {"columns": columns, "tickets": dict(sorted(tickets.items())), "candidates": candidates}


def team_network(results: Sequence[Result]) -> dict[str, Any]:
    """The handovers between teams from the handoff analyser's team graph (never the graph between people):
    the :data:`NETWORK_TEAMS` teams with the most handovers and the :data:`NETWORK_ARROWS` heaviest arrows
    between them; ``reason`` when there is none."""
    graphs = {item.key: (r, item) for r in results if r.analyser == "handoffs" for item in r.items
              if isinstance(item, Graph) and not item.personal}
    key = next((k for k in NETWORK_KEYS if k in graphs and graphs[k][1].edges), None)
    if key is None:
        return {"key": None, "reason": _("The export does not say which team did each step, or no ticket passed "
                                         "between teams.")}
    graph = graphs[key][1]
    edges = [(str(e["source"]), str(e["target"]), int(e["weight"])) for e in graph.edges
             if e["source"] != e["target"] and (e["weight"] or 0) > 0]
    volume: dict[str, int] = {}
    for s, t, w in edges:
        volume[s] = volume.get(s, 0) + w
        volume[t] = volume.get(t, 0) + w
    teams = sorted(volume, key=lambda n: (-volume[n], n))[:NETWORK_TEAMS]
    kept = set(teams)
    between = sorted((e for e in edges if e[0] in kept and e[1] in kept), key=lambda e: (-e[2], e[0], e[1]))
    drawn = sorted(between[:NETWORK_ARROWS], key=lambda e: (e[0], e[1]))
    return {"key": key, "title": graph.title, "teams_total": len(volume), "arrows_total": len(edges),
            "handovers_total": int(sum(w for _s, _t, w in edges)),
            "teams": [{"team": n, "handovers": int(volume[n])} for n in teams],
            "arrows": [{"source": s, "target": t, "handovers": w} for s, t, w in drawn]}


# --------------------------------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------------------------------

def _text(value: Any) -> Any:
    """A value from the data as the page shows it: cut like the map's labels, control characters replaced."""
    return clean_text(shorten(value)) if isinstance(value, str) else value


def _page_json(data: Any) -> Markup:
    """``data`` as JSON for a ``<script type="application/json">`` block: every ``<`` escaped."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return Markup(clean_text(text).replace("<", "\\u003c"))


def explore_page(figures: dict[str, Any]) -> dict[str, Any]:
    """What the explore section of the page needs (see the module docstring)."""
    ex = figures["explore"]
    pm = figures.get("process_map", {})
    levels = (pm.get("levels") or {}).get("activities") or []
    # the map draws the most frequent activities (at most as many as its largest level), their arrows, starts
    # and ends: only those can be clicked
    shown = sorted(ex["activities"], key=lambda a: (-a["events"], a["activity"]))
    if levels:
        shown = shown[:max(levels)]
    names = {a["activity"] for a in shown}
    activities = [[_text(a["activity"]), a["tickets"], [_text(i) for i in a["case_ids"][:PAGE_IDS]]]
                  for a in sorted(shown, key=lambda a: a["activity"])]
    arrows = [[_text(a["source"] or ""), _text(a["target"] or ""), a["tickets"],
               [_text(i) for i in a["case_ids"][:PAGE_IDS]]]
              for a in ex["arrows"] if (a["source"] is None or a["source"] in names)
              and (a["target"] is None or a["target"] in names)]
    variants = ex["variants"][:PAGE_PATHS]
    findings, finding_rows = [], []
    titles = {r["analyser"]: r.get("title", r["analyser"]) for r in figures.get("analysers", [])}
    for r in figures.get("analysers", []):
        for item in r.get("items", []):
            if item.get("type") == "finding" and item.get("case_ids"):
                ids = item["case_ids"]
                text = shorten(cut_long_words(item.get("text", "")), 300)
                findings.append([f"analyser-{_slug(r['analyser'])}", len(ids), [_text(str(i)) for i in ids[:PAGE_IDS]],
                                 clean_text(text)])
                finding_rows.append({"section": titles[r["analyser"]], "text": text, "tickets": len(ids),
                                     "severity": item.get("severity", "info")})
    timeline = ex.get("timelines")
    data = {
        "page": PAGE_IDS,
        "per_key": {kind: ex["ids_per_key"][kind] for kind in ("activities", "arrows")},
        "activities": activities,
        "arrows": arrows,
        "variants": [[v["rank"], v["tickets"], [_text(i) for i in v["case_ids"][:PAGE_IDS]]] for v in variants],
        "findings": findings,
        "columns": timeline["columns"] if timeline else [],
        "timelines": [[_text(k), t["steps"], [[_text(v) for v in row] for row in t["rows"]]]
                      for k, t in sorted(timeline["tickets"].items())] if timeline else [],
    }
    path_rows = [{"rank": v["rank"], "path": shorten(cut_long_words(v.get("path", "")), PATH_CHARS),
                  "steps": v["steps"], "tickets": v["tickets"], "share": v["share"]} for v in variants]
    network = ex["team_network"]
    return {
        "json": _page_json(data),
        "paths": path_rows,
        "paths_total": len(ex["variants"]),
        "findings": finding_rows,
        "network": network,
        "network_svg": team_network_svg(network) if network.get("key") else None,
        "auditor": timeline is not None,
        "timelines": len(timeline["tickets"]) if timeline else 0,
        "timeline_candidates": timeline["candidates"] if timeline else 0,
    }


def _width(text: str, size: float) -> float:
    return 0.62 * size * len(text)


def team_network_svg(network: dict[str, Any]) -> Markup:
    """The team network as SVG: teams on a circle (most handovers first, clockwise from the top), an arrow per
    pair of teams, as wide as its number of handovers; labels outside the circle, along the radius.

    Deterministic (no random layout), every label escaped, at most 1,000 px wide (scaled down to the page).
    """
    teams = [t["team"] for t in network["teams"]]
    n = len(teams)
    volume = {t["team"]: t["handovers"] for t in network["teams"]}
    labels = {t: shorten(t, 28) for t in teams}
    font = 12.0
    label_w = max((_width(v, font) for v in labels.values()), default=0.0)
    radius = min(320.0, max(210.0, 11.0 * n)) if n > 1 else 0.0
    half = radius + 16 + label_w + 8
    size = 2 * half
    scale = 1000.0 / size if size > 1000 else 1.0
    top_volume = max(volume.values(), default=1)
    top_edge = max((a["handovers"] for a in network["arrows"]), default=1)
    pos, node_r = {}, {}
    for i, team in enumerate(teams):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        pos[team] = (half + radius * math.cos(angle), half + radius * math.sin(angle), angle)
        node_r[team] = 4.0 + 8.0 * math.sqrt(volume[team] / top_volume)
    title = _("Handovers between teams")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ex-network" role="img" viewBox="0 0 {size:.1f} {size:.1f}" '
           f'width="{size * scale:.0f}" height="{size * scale:.0f}" style="max-width:100%;height:auto" '
           f'font-family="DejaVu Sans, Arial, sans-serif" aria-label="{escape(title)}" data-teams="{n}" '
           f'data-arrows="{len(network["arrows"])}">',
           f"<title>{escape(title)}</title>",
           '<defs><marker id="ex-net-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
           'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker></defs>']
    for a in network["arrows"]:
        s, t, w = a["source"], a["target"], a["handovers"]
        x1, y1, _a1 = pos[s]
        x2, y2, _a2 = pos[t]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        # bend to the right of the direction, so that A → B and B → A are two lines
        cx, cy = (x1 + x2) / 2 - uy * 0.18 * dist, (y1 + y2) / 2 + ux * 0.18 * dist
        sx, sy = _towards(x1, y1, cx, cy, node_r[s] + 1)
        ex, ey = _towards(x2, y2, cx, cy, node_r[t] + 2)
        width = 1.0 + 7.0 * w / top_edge
        tip = _("%(source)s → %(target)s: %(n)s handovers") % {"source": shorten(s), "target": shorten(t),
                                                                "n": format_number(w)}
        out.append(f'<g class="ex-net-arrow" data-source="{escape(_text(s))}" data-target="{escape(_text(t))}" '
                   f'data-handovers="{w}"><title>{escape(tip)}</title><path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} '
                   f'{ex:.1f},{ey:.1f}" fill="none" stroke="#1f4e79" stroke-opacity="{0.25 + 0.6 * w / top_edge:.2f}" '
                   f'stroke-width="{width:.2f}" '
                   f'marker-end="url(#ex-net-arrow)"/></g>')
    for team in teams:
        x, y, angle = pos[team]
        tip = _("%(team)s: %(n)s handovers in and out") % {"team": shorten(team), "n": format_number(volume[team])}
        deg = math.degrees(angle)
        right = math.cos(angle) >= -1e-9
        lx, ly = x + (node_r[team] + 5) * math.cos(angle), y + (node_r[team] + 5) * math.sin(angle)
        rotate = deg if right else deg + 180
        anchor = "start" if right else "end"
        if n == 1:
            lx, ly, rotate, anchor = x, y - node_r[team] - 6, 0.0, "middle"
        out.append(f'<g class="ex-net-team" data-team="{escape(_text(team))}"><title>{escape(tip)}</title>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node_r[team]:.1f}" fill="#1f4e79" fill-opacity="0.85"/>'
                   f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{font:g}" fill="#111" text-anchor="{anchor}" '
                   f'dominant-baseline="middle" transform="rotate({rotate:.1f} {lx:.1f} {ly:.1f})">'
                   f"{escape(labels[team])}</text></g>")
    out.append("</svg>")
    return Markup("".join(out))


def _towards(x: float, y: float, tx: float, ty: float, by: float) -> tuple[float, float]:
    """The point ``by`` from (x, y) towards (tx, ty)."""
    d = math.hypot(tx - x, ty - y) or 1.0
    return x + (tx - x) * by / d, y + (ty - y) * by / d
