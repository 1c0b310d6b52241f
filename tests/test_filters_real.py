"""Filters on the public real logs: every kind keeps the tickets a plain reference computed here keeps.

The reference reads nothing from ``ssc_mining`` but the loaded frame (``log.frame``: one row per event, the events
of a ticket together and in time order): it loops over each ticket's events in plain Python and follows the
module doc of :mod:`ssc_mining.selection.filters`. Only ``complete`` takes the per-event roles and states from
``log.markers`` (their definitions are :mod:`ssc_mining.semantics.markers`'); the per-ticket rule of
``Markers.complete`` is recomputed here. ``finding=`` is compared with the case ids of the analyser's findings.
The filter values are chosen from the data: the median start date, the most frequent values, the third most
frequent variant, a frequent pair of activities.

Run: ``.venv/bin/pytest tests/test_filters_real.py -v`` (skips with a reason without ../shared).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import load_real

from ssc_mining.eventlog import EventLog
from ssc_mining.selection.filters import (
    apply_filters,
    case_mask,
    joined_list,
    parse_filter,
    parse_filters,
    variant_text,
)

pytestmark = pytest.mark.realdata

ZONE = "Europe/Amsterdam"   # the zone the loader reads these logs in (asserted below)
CASE, ACTIVITY, TIME = "case:concept:name", "concept:name", "time:timestamp"

#: the logs, and per log the attr: names to select by with the column each names (written here, not looked up);
#: only roles (ssc_mining.selection.filters.SELECTABLE): other columns of an export may name people
LOGS = {
    "helpdesk": (("helpdesk-full", "helpdesk.csv"),
                 {"mother": "case:ssc:mother", "category": "case:ssc:category",
                  "assigned_group": "ssc:assigned_group"}),
    "receipt": (("receipt-wabo", "receipt.csv"),
                {"channel": "case:ssc:channel", "team": "org:group"}),
    "bpic13": (("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz"),
               {"category": "case:ssc:category", "team": "org:group", "line": "ssc:line"}),
}


@dataclass
class Reference:
    """One real log and, per ticket (in the frame's order), its events as plain Python lists."""

    log: EventLog
    attrs: dict[str, str]
    positions: dict[str, list[int]]        #: row numbers of the ticket's events in the frame
    activities: dict[str, list[str]]
    times: dict[str, list[pd.Timestamp]]

    @property
    def ids(self) -> set[str]:
        return set(self.activities)

    def where(self, keep: Callable[[str], bool]) -> set[str]:
        return {case for case in self.activities if keep(case)}

    def first_day(self, case: str) -> date:
        return self.times[case][0].tz_convert(ZONE).date()

    def last_day(self, case: str) -> date:
        return self.times[case][-1].tz_convert(ZONE).date()

    def seconds(self, case: str) -> float:
        return (self.times[case][-1] - self.times[case][0]).total_seconds()


def _reference(key: str) -> Reference:
    parts, attrs = LOGS[key]
    log = load_real(*parts)
    assert log.timezone == ZONE
    frame = log.frame
    positions: dict[str, list[int]] = {}
    activities: dict[str, list[str]] = {}
    times: dict[str, list[pd.Timestamp]] = {}
    for pos, (case, activity, moment) in enumerate(zip(frame[CASE].tolist(), frame[ACTIVITY].tolist(),
                                                       frame[TIME].tolist())):
        positions.setdefault(case, []).append(pos)
        activities.setdefault(case, []).append(activity)
        times.setdefault(case, []).append(moment)
    for case, stamps in times.items():   # what the reference relies on: each ticket's events in time order
        assert stamps == sorted(stamps), case
        assert positions[case] == list(range(positions[case][0], positions[case][-1] + 1)), case
    return Reference(log, attrs, positions, activities, times)


@pytest.fixture(scope="module", params=sorted(LOGS))
def real(request) -> Reference:
    return _reference(request.param)


def kept(ref: Reference, text: str) -> set[str]:
    """The tickets ``text`` keeps (case_mask, checked against apply_filters and against ``not``)."""
    log = ref.log
    mask = case_mask(log, parse_filter(text))
    ids = [str(c) for c in log.cases.ids]
    assert len(mask) == len(ids) == len(ref.ids)
    keep = {c for c, m in zip(ids, mask) if m}
    negated = case_mask(log, parse_filter("not " + text))
    assert {c for c, m in zip(ids, negated) if m} == ref.ids - keep
    filtered, steps = apply_filters(log, [parse_filter(text)])
    assert set(filtered.frame[CASE].unique().tolist()) == keep
    assert (steps[0].tickets_before, steps[0].tickets_after) == (len(ids), len(keep))
    assert steps[0].events_after == sum(len(ref.activities[c]) for c in keep) == filtered.n_events
    return keep


def _check(ref: Reference, text: str, expected: set[str], *, some: bool = True) -> None:
    if some:   # a filter value chosen from the data keeps some tickets and drops others
        assert expected and expected != ref.ids, (text, len(expected))
    got = kept(ref, text)
    assert got == expected, (text, sorted(got - expected)[:5], sorted(expected - got)[:5])


# ------------------------------------------------------------------------------------------------
# periods
# ------------------------------------------------------------------------------------------------

def _median_start(ref: Reference) -> date:
    return sorted(ref.first_day(c) for c in ref.ids)[len(ref.ids) // 2]


@pytest.mark.parametrize("kind", ["started", "ended", "active", "within"])
@pytest.mark.parametrize("shape", ["closed", "from", "to", "one day"])
def test_periods(real, kind, shape):
    days = sorted(real.last_day(c) if kind == "ended" else real.first_day(c) for c in real.ids)
    middle = days[len(days) // 2]   # the median start (for ended: end) date; closed: the quartiles
    low, high = {"closed": (days[len(days) // 4], days[3 * len(days) // 4]), "from": (middle, None),
                 "to": (None, middle), "one day": (middle, middle)}[shape]
    lowest, highest = low or date.min, high or date.max

    def inside(day: date) -> bool:
        return lowest <= day <= highest

    rule = {"started": lambda c: inside(real.first_day(c)),
            "ended": lambda c: inside(real.last_day(c)),
            "within": lambda c: inside(real.first_day(c)) and inside(real.last_day(c)),
            "active": lambda c: real.first_day(c) <= highest and real.last_day(c) >= lowest}[kind]
    text = f"{kind}={low.isoformat() if low else ''}..{high.isoformat() if high else ''}"
    # each keeps some tickets and drops others, but a ticket within a single day may not exist
    _check(real, text, real.where(rule), some=(kind, shape) != ("within", "one day"))


# ------------------------------------------------------------------------------------------------
# attributes, variants, first and last activities
# ------------------------------------------------------------------------------------------------

def _values_by_tickets(ref: Reference, column: str) -> list[str]:
    """The values of a column, the value held by the most tickets (on some event) first."""
    values = ref.log.frame[column].tolist()
    counts: Counter[str] = Counter()
    for rows in ref.positions.values():
        counts.update({values[p] for p in rows if isinstance(values[p], str)})
    return [v for v, _ in counts.most_common()]


def test_attr(real):
    for name, column in real.attrs.items():
        chosen = _values_by_tickets(real, column)
        assert len(chosen) >= 3, (name, chosen)
        column_values = real.log.frame[column].tolist()
        for wanted in ([chosen[0]], [chosen[2]], [chosen[0], chosen[2]], [chosen[-1]]):
            expected = real.where(lambda c, w=set(wanted), v=column_values: any(v[p] in w for p in real.positions[c]))
            _check(real, f"attr:{name}=" + joined_list(wanted), expected)


def test_variant(real):
    variants = Counter(tuple(acts) for acts in real.activities.values()).most_common()
    third, first = variants[2][0], variants[0][0]
    _check(real, "variant=" + variant_text(third), real.where(lambda c: tuple(real.activities[c]) == third))
    _check(real, "variant=" + variant_text(third) + "|" + variant_text(first),
           real.where(lambda c: tuple(real.activities[c]) in (first, third)))
    assert len(real.where(lambda c: tuple(real.activities[c]) == third)) == variants[2][1]


@pytest.mark.parametrize("end", [0, -1])
def test_start_and_end(real, end):
    kind = "start" if end == 0 else "end"
    common = [a for a, _ in Counter(acts[end] for acts in real.activities.values()).most_common()]
    # receipt's tickets all begin with the same activity: then the first keeps every ticket
    _check(real, f"{kind}=" + joined_list(common[:1]), real.where(lambda c: real.activities[c][end] == common[0]),
           some=len(common) > 1)
    others = common[1:3] or [a for acts in real.activities.values() for a in acts if a != common[0]][:1]
    expected = real.where(lambda c: real.activities[c][end] in others)
    _check(real, f"{kind}=" + joined_list(others), expected, some=len(common) > 1)
    assert len(common) > 1 or not expected


# ------------------------------------------------------------------------------------------------
# complete, throughput, follows
# ------------------------------------------------------------------------------------------------

def test_complete(real):
    # Only the per-event roles and states are taken from the package (log.markers, defined in
    # ssc_mining/semantics/markers.py); the per-ticket rule of Markers.complete is recomputed here:
    # ended = the last event leaves the ticket in a final state (resolved, closed, cancelled, returned), judged
    # only when the log records endings (some event leaves a final state); started = the first event registers
    # the ticket, judged only when at least half the tickets begin so.
    from ssc_mining.semantics.roles import Role, State

    markers = real.log.markers
    state, role = markers.state.tolist(), markers.role.tolist()
    final = {int(State.RESOLVED), int(State.CLOSED), int(State.CANCELLED), int(State.RETURNED)}
    register = list(Role).index(Role.REGISTER)
    ended = {c: state[rows[-1]] in final for c, rows in real.positions.items()}
    started = {c: role[rows[0]] == register for c, rows in real.positions.items()}
    endings_known = any(s in final for s in state)
    starts_known = sum(started.values()) >= len(started) / 2
    expected = real.where(lambda c: (ended[c] or not endings_known) and (started[c] or not starts_known))
    _check(real, "complete", expected, some=False)
    assert expected, "every log here has complete tickets"


@pytest.mark.parametrize("op", [">", ">=", "<", "<="])
def test_throughput(real, op):
    seconds = int(statistics.median(real.seconds(c) for c in real.ids))
    compare = {">": float.__gt__, ">=": float.__ge__, "<": float.__lt__, "<=": float.__le__}[op]
    _check(real, f"throughput{op}{seconds}s", real.where(lambda c: compare(real.seconds(c), float(seconds))))
    days = max(1, round(seconds / 86400))
    _check(real, f"throughput{op}{days}d", real.where(lambda c: compare(real.seconds(c), days * 86400.0)))


def _directly(acts: list[str], a: str, b: str) -> bool:
    return any(x == a and y == b for x, y in zip(acts, acts[1:]))


def _eventually(acts: list[str], a: str, b: str) -> bool:
    return any(x == a and b in acts[i + 1:] for i, x in enumerate(acts))


def test_follows(real):
    pairs = Counter(p for acts in real.activities.values() for p in zip(acts, acts[1:])).most_common()
    chosen = [pairs[0][0], pairs[0][0][::-1], pairs[min(9, len(pairs) - 1)][0]]
    loops = [p for p, _ in pairs if p[0] == p[1]]
    chosen += loops[:1]
    checked = 0
    for a, b in chosen:
        for op, rule in ((">", _directly), (">>", _eventually)):
            expected = real.where(lambda c, r=rule, a=a, b=b: r(real.activities[c], a, b))
            text = f"follows={joined_list([a])}{op}{joined_list([b])}"
            _check(real, text, expected, some=False)
            checked += bool(expected)
    assert checked >= 4


def test_eventually_is_more_than_directly(real):
    # a pair that often follows eventually without following directly: eventually keeps more tickets
    a, b = Counter(p for acts in real.activities.values() for p in zip(acts, acts[1:])).most_common(1)[0][0]
    directly, eventually = kept(real, f"follows={joined_list([a])}>{joined_list([b])}"), \
        kept(real, f"follows={joined_list([a])}>>{joined_list([b])}")
    assert directly <= eventually
    later = {c for c in real.ids if _eventually(real.activities[c], a, b) and not _directly(real.activities[c], a, b)}
    assert eventually - directly == later


# ------------------------------------------------------------------------------------------------
# finding, tickets, several filters
# ------------------------------------------------------------------------------------------------

def test_finding(real):
    from ssc_mining.analysers.registry import discover
    from ssc_mining.results.items import Finding

    installed = discover().analysers
    compared = 0
    for name in ("reopens", "handoffs", "returns"):
        result = installed[name]().analyse(real.log)
        for item in result.items:
            if isinstance(item, Finding) and item.case_ids:
                expected = {str(c) for c in item.case_ids}
                assert expected <= real.ids
                _check(real, f"finding={name}.{item.key}", expected)
                compared += 1
    assert compared, "every log here has a finding that lists tickets"


def test_tickets(real):
    ordered = list(real.activities)
    chosen = ordered[::97][:40]
    _check(real, "tickets=" + joined_list([*chosen, "no such ticket"]), set(chosen))


def test_several_filters_keep_what_each_keeps_and_reconcile(real):
    middle = _median_start(real)
    name, column = next(iter(real.attrs.items()))
    value = _values_by_tickets(real, column)[0]
    column_values = real.log.frame[column].tolist()
    texts = [f"active={(middle - timedelta(days=90)).isoformat()}..{(middle + timedelta(days=90)).isoformat()}",
             f"attr:{name}=" + joined_list([value]), "throughput>=1h",
             "start=" + joined_list([Counter(a[0] for a in real.activities.values()).most_common(1)[0][0]])]
    filtered, steps = apply_filters(real.log, parse_filters(texts))
    expected = set(real.ids)
    for text, step in zip(texts, steps):
        alone = kept(real, text)
        assert step.tickets_before == len(expected)
        expected &= alone   # these filters keep a ticket for what it is, whichever tickets are kept besides
        assert step.tickets_after == len(expected), text
        assert step.to_dict()["tickets_dropped"] == step.tickets_before - step.tickets_after
    assert all(b.tickets_before == a.tickets_after for a, b in zip(steps, steps[1:]))
    assert 0 < len(expected) < len(real.ids)
    assert set(filtered.frame[CASE].unique().tolist()) == expected
    assert all(any(column_values[p] == value for p in real.positions[c]) for c in expected)
    recorded = filtered.provenance.to_dict()
    assert recorded["filters"] == [s.to_dict() for s in steps]
    assert recorded["tickets_before_filters"] == len(real.ids)
    assert recorded["events_before_filters"] == real.log.n_events
    assert steps[-1].events_after == filtered.n_events == int(np.sum([len(real.positions[c]) for c in expected]))
