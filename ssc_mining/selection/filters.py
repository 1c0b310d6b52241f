"""Filters: which tickets a report or the explorer looks at, in one small language shared by both.

A filter keeps or drops **whole tickets** (never single events of a ticket), so every figure of a filtered
report is the figure of those tickets as if they were the whole export. Filters are applied one after the other,
each to the tickets the ones before it kept; :func:`apply_filters` records for each how many tickets it kept, so
the counts reconcile (``tickets before = tickets kept + tickets dropped``, step by step). The same texts are
written by ``ssc-mining serve`` and read by ``ssc-mining report --filter``, so a saved selection can be
reproduced from the command line.

The language (one filter per text; ``not `` in front inverts any of them; lists are separated by ``|``, and
``\\|``, ``\\>`` and ``\\\\`` stand for the characters themselves):

=====================================  ===============================================================
``started=2024-01-01..2024-03-31``     the ticket's first event is in the period (dates are whole days
                                       in the log's time zone; either end may be left open: ``2024-01-01..``)
``ended=PERIOD``                       its last event is in the period
``active=PERIOD``                      it has an event in the period or spans it (first event before the end,
                                       last event after the start)
``within=PERIOD``                      all its events are in the period
``attr:mother=Gemeente A|Gemeente B``  some event has one of these values in the column (``mother``,
                                       ``category``, ``team``, ``channel``, ``priority``, … or a column name;
                                       never a column that names people)
``variant=Register>Assign>Close``      its activities are exactly this sequence (several: ``|``)
``start=Register|Create``              its first activity is one of these
``end=Close``                          its last activity is one of these
``complete``                           it is complete as the report counts it: ended inside the export (when the
                                       log records endings) and registered inside it (when most tickets are)
``throughput>30d``                     its first to last event took longer than this (``>``, ``>=``, ``<``,
                                       ``<=``; units ``s``, ``min``, ``h``, ``d``, ``w``)
``follows=Assign>>Escalate``           some ``Assign`` is eventually followed by ``Escalate``;
``follows=Assign>Escalate``            … directly followed (the next event of the ticket)
``finding=reopens.reopened_cases``           the tickets a finding lists (analyser name ``.`` finding key), as that
                                       analyser finds them in the tickets kept so far
``tickets=INC1|INC7``                  these tickets
=====================================  ===============================================================

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2", "2"],
    ...     "concept:name": ["Register", "Close", "Register", "Escalate"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-03-01", "2024-03-02"], utc=True)}))
    >>> kept, steps = apply_filters(log, [parse_filter("follows=Register>Escalate")])
    >>> kept.n_cases, [(s.text, s.tickets_before, s.tickets_after) for s in steps]
    (1, [('follows=Register>Escalate', 2, 1)])
    >>> parse_filter("not  throughput >= 1.5 d").text
    'not throughput>=1.5d'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.i18n import N_

if TYPE_CHECKING:
    from ssc_mining.analysers.base import Analyser
    from ssc_mining.eventlog.log import EventLog

__all__ = ["FILTER_KINDS", "Filter", "FilterStep", "apply_filters", "case_mask", "parse_filter", "parse_filters",
           "period_text", "split_list", "joined_list", "attribute_names", "variant_text", "absent_note",
           "attr_values", "SELECTABLE", "escaped"]

#: each kind of filter with the form of its text (for messages and --help)
FILTER_KINDS: dict[str, str] = {
    "started": "started=YYYY-MM-DD..YYYY-MM-DD",
    "ended": "ended=YYYY-MM-DD..YYYY-MM-DD",
    "active": "active=YYYY-MM-DD..YYYY-MM-DD",
    "within": "within=YYYY-MM-DD..YYYY-MM-DD",
    "attr": "attr:COLUMN=VALUE|VALUE",
    "variant": "variant=A>B>C|A>C",
    "start": "start=ACTIVITY|ACTIVITY",
    "end": "end=ACTIVITY|ACTIVITY",
    "complete": "complete",
    "throughput": "throughput>30d (or >=, <, <=; s, min, h, d, w)",
    "follows": "follows=A>>B (eventually) or follows=A>B (directly)",
    "finding": "finding=ANALYSER.KEY",
    "tickets": "tickets=ID|ID",
}
_PERIODS = ("started", "ended", "active", "within")
_UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_OPS = (">=", "<=", ">", "<")
_TEXT = re.compile(r"^\s*(?P<not>not\s+)?(?P<kind>[a-z]+)\s*(?::\s*(?P<name>[^=<>]+?)\s*)?"
                   r"(?:(?P<op>>=|<=|=|>|<)\s*(?P<value>.*?))?\s*$", re.DOTALL)
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_DURATION = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>s|min|h|d|w)$")


@dataclass(frozen=True)
class Filter:
    """One parsed filter (see the module doc); :attr:`text` is its canonical text."""

    kind: str
    value: str = ""
    name: str | None = None   #: the column of an ``attr`` filter
    op: str = "="
    negate: bool = False

    @property
    def text(self) -> str:
        """The canonical text, which :func:`parse_filter` reads back as this filter.

        >>> parse_filter("attr: mother = A|B").text
        'attr:mother=A|B'
        """
        head = f"{'not ' if self.negate else ''}{self.kind}{':' + self.name if self.name else ''}"
        return head if self.kind == "complete" else f"{head}{self.op}{self.value}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class FilterStep:
    """What one filter did: its text and the tickets and events before and after it."""

    text: str
    tickets_before: int
    tickets_after: int
    events_after: int
    #: what the reader should know about this step (e.g. a finding that does not occur in these tickets)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {"filter": self.text, "tickets_before": self.tickets_before, "tickets_after": self.tickets_after,
               "tickets_dropped": self.tickets_before - self.tickets_after, "events_after": self.events_after}
        if self.note:
            out["note"] = self.note
        return out


def _bad(text: str, problem: str, hint: str | None = None) -> ConfigError:
    return ConfigError(f"filter {text!r}: {problem}",
                       hint=hint or "write a filter as one of: " + "; ".join(FILTER_KINDS.values())
                       + " (see docs/explore.md)")


def parse_filter(text: str) -> Filter:
    """Read one filter text; :class:`ConfigError` names the filter and what is wrong with it.

    >>> parse_filter("started=2024-01-01..").value
    '2024-01-01..'
    >>> parse_filter("nonsense=1")
    Traceback (most recent call last):
    ...
    ssc_mining.errors.ConfigError: filter 'nonsense=1': 'nonsense' is not a kind of filter
      What to do: write a filter as one of: ...
    """
    match = _TEXT.match(text)
    if not match:
        raise _bad(text, "it does not have the form KIND=VALUE")
    kind, name, op, value = match["kind"], match["name"], match["op"], match["value"]
    if kind not in FILTER_KINDS:
        raise _bad(text, f"{kind!r} is not a kind of filter")
    negate = bool(match["not"])
    if kind == "complete":
        if op or name:
            raise _bad(text, "'complete' takes no value")
        return Filter("complete", negate=negate)
    if name and kind != "attr":
        raise _bad(text, f"only attr takes a column name, not {kind}")
    if kind == "attr" and not name:
        raise _bad(text, "name the column: attr:COLUMN=VALUE")
    if op is None or not value:
        raise _bad(text, "it has no value")
    if kind == "throughput":
        if op not in _OPS:
            raise _bad(text, "compare the throughput with >, >=, < or <=")
        _seconds(text, value)
        return Filter("throughput", re.sub(r"\s+", "", value), op=op, negate=negate)
    if op != "=":
        raise _bad(text, f"{kind} takes '=', not {op!r}")
    if kind in _PERIODS:
        _period(text, value, "UTC")
    if kind == "follows":
        _follows(text, value)
    if kind == "finding" and "." not in value:
        raise _bad(text, "name the finding as ANALYSER.KEY, for example reopens.reopened_cases")
    if kind == "attr":
        _attr_column(text, name.strip(), None)
    return Filter(kind, value, name=name.strip() if name else None, negate=negate)


def parse_filters(texts: Sequence[str]) -> list[Filter]:
    """Each of ``texts`` read with :func:`parse_filter`, in order."""
    return [parse_filter(t) for t in texts]


def split_list(value: str) -> list[str]:
    """A ``|``-separated list, with ``\\|``, ``\\>`` and ``\\\\`` read as the characters themselves.

    >>> split_list(r"A|B\\|C|D\\\\")
    ['A', 'B|C', 'D\\\\']
    """
    return [_unescape(v) for v in _split(value, "|")]


def _split(value: str, sep: str) -> list[str]:
    """Split at ``sep`` where it is not escaped (escapes kept, for a second split)."""
    out, start, i = [], 0, 0
    while i < len(value):
        if value[i] == "\\":
            i += 2
            continue
        if value.startswith(sep, i):
            out.append(value[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    out.append(value[start:])
    return out


def _unescape(value: str) -> str:
    return re.sub(r"\\([|>\\])", r"\1", value)


def escaped(value: str) -> str:
    """One value (an activity, an attribute's value) as a filter writes it: ``|``, ``>`` and ``\\`` escaped.

    >>> escaped("Wait > 2 days")
    'Wait \\\\> 2 days'
    """
    return re.sub(r"([|>\\])", r"\\\1", value)


def joined_list(values: Sequence[str]) -> str:
    """The inverse of :func:`split_list`: values joined with ``|``, special characters escaped.

    >>> joined_list(["A", "B|C"])
    'A|B\\\\|C'
    """
    return "|".join(escaped(v) for v in values)


def variant_text(trace: Sequence[str]) -> str:
    """A variant (activity sequence) as it is written in a ``variant`` filter.

    >>> variant_text(["Register", "Close"])
    'Register>Close'
    """
    return ">".join(escaped(a) for a in trace)


def _items(value: str) -> list[str]:
    """The values of a ``|`` list, without the spaces around them."""
    return [_unescape(v.strip()) for v in _split(value, "|")]


def _variants(value: str) -> set[tuple[str, ...]]:
    return {tuple(_unescape(a.strip()) for a in _split(v, ">")) for v in _split(value, "|")}


def _follows(text: str, value: str) -> tuple[str, str, bool]:
    """(A, B, directly) of a ``follows`` value."""
    eventually = [v.strip() for v in _split(value, ">>")]
    if len(eventually) == 2 and all(eventually):
        return _unescape(eventually[0]), _unescape(eventually[1]), False
    directly = [v.strip() for v in _split(value, ">")]
    if len(directly) == 2 and all(directly):
        return _unescape(directly[0]), _unescape(directly[1]), True
    raise _bad(text, "write follows=A>>B (eventually) or follows=A>B (directly)")


def _seconds(text: str, value: str) -> float:
    match = _DURATION.match(re.sub(r"\s+", "", value))
    if not match:
        raise _bad(text, f"{value!r} is not a duration such as 30d, 12h, 90min, 2w or 45s")
    return float(match["n"]) * _UNITS[match["unit"]]


def _moment(text: str, value: str, timezone: str, *, end: bool) -> pd.Timestamp | None:
    """A period bound in UTC: a date means its whole day (its end: the start of the next day)."""
    value = value.strip()
    if not value:
        return None
    if not _MOMENT.fullmatch(value):   # a date or a moment, not 'now' or '2024'
        raise _bad(text, f"{value!r} is not a date (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM, an offset such as "
                         "+01:00 may follow)")
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        raise _bad(text, f"{value!r} is not a date (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM)") from None
    if stamp is pd.NaT:
        raise _bad(text, f"{value!r} is not a date")
    date_only = re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None
    try:   # in nanoseconds, as the log's times are compared (a date such as 0001-01-01 is refused here)
        if end and date_only:
            stamp = stamp + pd.Timedelta(days=1)
        if stamp.tzinfo is None:
            stamp = stamp.tz_localize(timezone, ambiguous=False, nonexistent="shift_forward")
        return stamp.tz_convert("UTC").as_unit("ns")
    except (ValueError, OverflowError, NotImplementedError):
        raise _bad(text, f"{value!r} is too far in the past or future (a period lies between 1678 and 2261)",
                   hint="leave that end of the period open instead, for example 2024-01-01..") from None


def _period(text: str, value: str, timezone: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """[start, end) of a period value ``FROM..TO`` in UTC (None: open)."""
    if ".." not in value:
        raise _bad(text, "write a period as FROM..TO, for example 2024-01-01..2024-03-31 (either end may be empty)")
    low, high = value.split("..", 1)
    start, stop = _moment(text, low, timezone, end=False), _moment(text, high, timezone, end=True)
    if start is None and stop is None:
        raise _bad(text, "give at least one end of the period")
    if start is not None and stop is not None and stop <= start:
        raise _bad(text, "the period ends before it starts")
    return start, stop


def period_text(start: Any, end: Any) -> str:
    """A period from two dates (either may be None), as a time-frame filter writes it.

    >>> period_text("2024-01-01", None)
    '2024-01-01..'
    """
    return f"{pd.Timestamp(start).date().isoformat() if start is not None else ''}.." \
           f"{pd.Timestamp(end).date().isoformat() if end is not None else ''}"


def _attr_column(text: str, name: str, frame: pd.DataFrame | None) -> str:
    """The canonical column of an ``attr`` filter's name (``mother``, ``team``, … or its canonical column name)."""
    if name in _PEOPLE:
        raise _bad(text, f"{name!r} names people; ssc_mining selects tickets by what they are about, "
                         "never by who worked on them", hint="select by " + ", ".join(SELECTABLE))
    role = _SELECTABLE_COLUMNS.get(name, name)
    if role not in SELECTABLE:
        raise _bad(text, f"tickets cannot be selected by {name!r}",
                   hint="select by " + ", ".join(SELECTABLE) + " (other columns of an export may name people, so "
                        "they are not offered); a period with started=, ended=, active= or within=; activities with "
                        "start=, end=, variant= or follows=")
    column = C.ROLES[role]
    if frame is not None and column not in frame.columns:
        known = ", ".join(attribute_names(frame)) or "none"
        raise _bad(text, f"the log has no column {name!r}", hint=f"the columns tickets can be selected by: {known}")
    return column


#: columns that name people: never a filter
_PEOPLE = frozenset(C.PERSON_ROLES) | {C.RESOURCE, C.REQUESTER, C.ASSIGNED_TO, "assigned_to"}
#: the roles tickets can be selected by (``attr:``): what a ticket is about and where it went, never who
SELECTABLE = ("mother", "category", "priority", "channel", "team", "assigned_group", "org", "status", "line")
_SELECTABLE_COLUMNS = {C.ROLES[r]: r for r in SELECTABLE}


def attribute_names(frame: pd.DataFrame) -> list[str]:
    """The names ``attr:`` filters accept for this frame: those of :data:`SELECTABLE` it has.

    >>> attribute_names(pd.DataFrame(columns=["case:ssc:mother", "org:resource", "x"]))
    ['mother']
    """
    return sorted(r for r in SELECTABLE if C.ROLES[r] in frame.columns)


def case_mask(log: EventLog, flt: Filter, *, analysers: Sequence[Analyser] = (),
              notes: list[str] | None = None) -> np.ndarray:
    """Per ticket of ``log`` (in its case order): True when ``flt`` keeps it.

    ``analysers`` are the configured analysers a ``finding`` filter may name (an analyser not among them is
    run with its default parameters). What the reader should know about the result (a finding that does not
    occur in these tickets, values that occur in none of them) is appended to ``notes``.
    """
    index = log.cases
    frame = log.frame
    text = flt.text
    if index.n == 0:
        return np.zeros(0, dtype=bool)
    if flt.kind in _PERIODS:
        keep = _in_period(log, flt)
    elif flt.kind == "attr":
        assert flt.name is not None
        column = _attr_column(text, flt.name, frame)
        values = frame[column].astype("string").to_numpy(dtype=object, na_value=None)
        wanted = _items(flt.value)
        hit = pd.Series(values).isin(wanted).to_numpy()
        keep = index.any(hit)
        absent = sorted(set(wanted) - set(pd.unique(values[hit]).tolist()))
        if absent and notes is not None:
            notes.append(absent_note(flt.name, absent))
    elif flt.kind == "variant":
        from ssc_mining.discovery.variants import variant_table

        table = variant_table(log)
        traces = _variants(flt.value)
        ranks = np.array([i for i, t in enumerate(table.traces) if t in traces], dtype=np.int64)
        keep = np.isin(table.case_variant.to_numpy(), ranks)
    elif flt.kind in ("start", "end"):
        positions = index.first if flt.kind == "start" else index.last
        keep = frame[C.ACTIVITY].take(positions).isin(_items(flt.value)).to_numpy()
    elif flt.kind == "complete":
        keep = np.asarray(log.markers.complete, dtype=bool)
    elif flt.kind == "throughput":
        limit = _seconds(text, flt.value)
        seconds = index.seconds[index.last] - index.seconds[index.first]
        compare: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
            ">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}
        with np.errstate(invalid="ignore"):
            keep = compare[flt.op](seconds, limit) & ~np.isnan(seconds)
    elif flt.kind == "follows":
        keep = _follows_mask(log, *_follows(text, flt.value))
    elif flt.kind == "finding":
        keep = index.ids.astype(str).isin(_finding_ids(log, flt, analysers, notes))   # ids as the findings give them
    elif flt.kind == "tickets":
        keep = index.ids.astype(str).isin(_items(flt.value))
    else:  # pragma: no cover - parse_filter knows every kind
        raise _bad(text, "unknown kind")
    keep = np.asarray(keep, dtype=bool)
    return ~keep if flt.negate else keep


def absent_note(name: str, values: Sequence[str]) -> str:
    """The note of an ``attr`` filter some of whose values occur in none of the tickets it looked at.

    >>> absent_note("mother", ["Gemeente X"])
    "no ticket here has mother 'Gemeente X'"
    """
    return N_("no ticket here has %(column)s %(values)s") % {"column": name,
                                                           "values": ", ".join(repr(v) for v in values)}


def attr_values(flt: Filter) -> list[str]:
    r"""The values of an ``attr`` filter.

    >>> attr_values(parse_filter("attr:mother=A|B\\|C"))
    ['A', 'B|C']
    """
    return _items(flt.value)


def _in_period(log: EventLog, flt: Filter) -> np.ndarray:
    index = log.cases
    start, stop = _period(flt.text, flt.value, log.timezone)
    low = start.value / 1e9 if start is not None else -np.inf
    high = stop.value / 1e9 if stop is not None else np.inf
    first, last = index.seconds[index.first], index.seconds[index.last]
    with np.errstate(invalid="ignore"):
        if flt.kind == "started":
            return (first >= low) & (first < high)
        if flt.kind == "ended":
            return (last >= low) & (last < high)
        if flt.kind == "within":
            return (first >= low) & (last < high)
        return (first < high) & (last >= low)   # active: the ticket's span meets the period


def _follows_mask(log: EventLog, a: str, b: str, directly: bool) -> np.ndarray:
    index = log.cases
    acts = log.frame[C.ACTIVITY].to_numpy(dtype=object)
    is_a, is_b = acts == a, acts == b
    if directly:
        pair = np.zeros(len(acts), dtype=bool)
        pair[:-1] = is_a[:-1] & is_b[1:] & index.same_case
        return index.any(pair)
    first_a = index.first_where(is_a)   # −1: none
    last_b = index.last_where(is_b)
    return (first_a >= 0) & (last_b > first_a)


def _finding_ids(log: EventLog, flt: Filter, analysers: Sequence[Analyser], notes: list[str] | None) -> list[str]:
    """The ticket ids of the finding ``flt`` names, as its analyser finds them in ``log``; none (with a note) when
    the finding does not occur in these tickets."""
    from ssc_mining.analysers.registry import discover
    from ssc_mining.results.items import Finding

    name, key = flt.value.split(".", 1)
    chosen = next((a for a in analysers if a.name == name), None)
    if chosen is None:
        installed = discover().analysers
        if name not in installed:
            raise _bad(flt.text, f"no analyser is called {name!r}; installed: {', '.join(installed)}")
        chosen = installed[name]()
    result = chosen.analyse(log)
    for item in result.items:
        if isinstance(item, Finding) and item.key == key:
            return [str(c) for c in item.case_ids]
    if result.status != "ok":
        raise _bad(flt.text, f"the analyser {name!r} could not measure these tickets ({result.status})")
    keys = sorted(i.key for i in result.items if isinstance(i, Finding))
    if notes is not None:
        notes.append(N_("the analyser %(analyser)s finds no %(finding)s in these tickets (its findings here: "
                        "%(found)s)") % {"analyser": repr(name), "finding": repr(key),
                                         "found": ", ".join(repr(k) for k in keys) or "none"})
    return []


def apply_filters(log: EventLog, filters: Sequence[Filter], *,
                  analysers: Sequence[Analyser] = ()) -> tuple[EventLog, list[FilterStep]]:
    """``log`` with only the tickets every one of ``filters`` keeps (applied in order), and what each did.

    The result is a log of its own (its semantics kept, its facts read from the tickets kept), with the
    filters and their counts recorded in its provenance (``provenance.filters``). Without filters, ``log``
    itself is returned.
    """
    from dataclasses import replace

    if not filters:
        return log, []
    steps: list[FilterStep] = []
    current = log
    for flt in filters:
        before = current.cases.n
        notes: list[str] = []
        keep = case_mask(current, flt, analysers=analysers, notes=notes)
        if not keep.all():
            current = current.subset(keep[current.cases.codes])
        steps.append(FilterStep(flt.text, before, current.cases.n, current.n_events, "; ".join(notes)))
    earlier = log.provenance   # a log filtered before: its filters come first, its counts before them stay
    provenance = replace(earlier, filters=[*earlier.filters, *(s.to_dict() for s in steps)],
                         tickets_before_filters=earlier.tickets_before_filters if earlier.filters else log.cases.n,
                         events_before_filters=earlier.events_before_filters if earlier.filters else log.n_events)
    return type(current)(frame=current.frame, provenance=provenance, quarantine=log.quarantine,
                         semantics=log.semantics, pseudonymised=log.pseudonymised), steps
