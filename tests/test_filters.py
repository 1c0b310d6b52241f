"""The filter language (ssc_mining.selection.filters) on small hand-made logs, and `report --filter`.

Every kind of filter keeps exactly the tickets written down here by hand (periods in whole days of the log's
time zone, Europe/Amsterdam; ``follows`` directly and eventually; escaped ``|`` and ``>`` in values); ``not ``
keeps the others; wrong texts give a ConfigError that names the filter; canonical texts read back as the same
filter; the steps of :func:`apply_filters` reconcile and are recorded in the provenance (and only then).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ssc_mining.cli import main
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import EventLog
from ssc_mining.selection.filters import (
    FILTER_KINDS,
    Filter,
    apply_filters,
    case_mask,
    joined_list,
    parse_filter,
    parse_filters,
    period_text,
    split_list,
    variant_text,
)

SAMPLE = Path(__file__).parent.parent / "data" / "samples" / "generic-events.csv"
ZONE = "Europe/Amsterdam"


def make_log(rows: list[tuple], columns: tuple[str, ...] = ()) -> EventLog:
    """A log of (case, activity, local time in Amsterdam, *extra columns) rows; times stored in UTC."""
    names = ["case:concept:name", "concept:name", "time:timestamp", *columns]
    frame = pd.DataFrame([list(r) for r in rows], columns=names)
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], format="ISO8601") \
        .dt.tz_localize(ZONE).dt.tz_convert("UTC")
    log = EventLog.from_frame(frame)
    assert log.timezone == ZONE
    return log


def kept(log: EventLog, text: str) -> set[str]:
    """The tickets ``text`` keeps, by case_mask; apply_filters must keep the same ones."""
    flt = parse_filter(text)
    mask = case_mask(log, flt)
    assert mask.dtype == bool and len(mask) == log.cases.n
    by_mask = {str(c) for c in log.cases.ids[mask]}
    filtered, steps = apply_filters(log, [flt])
    assert {str(c) for c in filtered.frame["case:concept:name"].unique()} == by_mask
    assert steps[0].tickets_after == len(by_mask)
    return by_mask


def cases(log: EventLog) -> set[str]:
    return {str(c) for c in log.cases.ids}


# ------------------------------------------------------------------------------------------------
# periods: started, ended, active, within
# ------------------------------------------------------------------------------------------------

#: (case, first event, last event) in Amsterdam local time; the period looked at is 2024-01-01..2024-03-31
PERIOD_CASES = [
    ("before", "2023-12-31 23:59", "2024-01-10 10:00"),     # starts a minute before the period, ends in it
    ("firstday", "2024-01-01 00:30", "2024-01-02 12:00"),   # 2023-12-31 23:30 in UTC: in the period all the same
    ("inside", "2024-02-10 09:00", "2024-02-12 17:00"),
    ("lastday", "2024-03-31 23:30", "2024-04-01 00:30"),    # summer time: 21:30 UTC; ends the day after
    ("after", "2024-04-01 00:10", "2024-04-03 09:00"),      # 2024-03-31 22:10 in UTC: after the period
    ("midnight", "2024-04-01 00:00", "2024-04-02 00:00"),   # on the first moment after the period
    ("span", "2023-11-01 09:00", "2024-05-01 09:00"),       # spans the whole period without an event in it
    ("old", "2023-10-01 09:00", "2023-10-05 09:00"),
]


@pytest.fixture(scope="module")
def period_log() -> EventLog:
    rows = []
    for case, first, last in PERIOD_CASES:
        rows += [(case, "Register", first), (case, "Close", last)]
    return make_log(rows)


@pytest.mark.parametrize("text, expected", [
    ("started=2024-01-01..2024-03-31", {"firstday", "inside", "lastday"}),
    ("ended=2024-01-01..2024-03-31", {"before", "firstday", "inside"}),
    ("within=2024-01-01..2024-03-31", {"firstday", "inside"}),
    ("active=2024-01-01..2024-03-31", {"before", "firstday", "inside", "lastday", "span"}),
    # open ends
    ("started=2024-01-01..", {"firstday", "inside", "lastday", "after", "midnight"}),
    ("started=..2024-03-31", {"before", "firstday", "inside", "lastday", "span", "old"}),
    ("ended=2024-04-01..", {"lastday", "after", "span", "midnight"}),
    ("within=..2023-12-31", {"old"}),
    ("active=2024-04-02..", {"after", "span", "midnight"}),   # its last event on the period's first moment
    ("active=..2023-10-31", {"old"}),
    # one day: the whole day in Amsterdam, not in UTC
    ("started=2024-01-01..2024-01-01", {"firstday"}),
    ("started=2023-12-31..2023-12-31", {"before"}),
    ("started=2024-03-31..2024-03-31", {"lastday"}),
    ("started=2024-04-01..2024-04-01", {"after", "midnight"}),
    ("ended=2024-04-01..2024-04-01", {"lastday"}),
    ("ended=2024-04-02..2024-04-02", {"midnight"}),
    # a period between two events of a ticket: active (it spans it), but none of its events is in it
    ("active=2024-02-01..2024-02-05", {"span"}),
    ("started=2024-02-01..2024-02-05", set()),
    # a moment as a bound (in the log's zone)
    ("started=2024-03-31T23:30..", {"lastday", "after", "midnight"}),
    ("started=2024-01-01T00:31..2024-02-10T09:01", {"inside"}),
])
def test_periods_keep_the_tickets_of_whole_days_in_the_logs_zone(period_log, text, expected):
    assert kept(period_log, text) == expected


def test_a_period_with_an_explicit_offset_is_that_moment(period_log):
    # 2024-04-01 00:10 in Amsterdam is 2024-03-31 22:10 UTC: a UTC bound just before it keeps it
    assert kept(period_log, "started=2024-03-31T22:09+00:00..2024-03-31T22:11+00:00") == {"after"}


def test_period_text_writes_what_a_period_filter_reads(period_log):
    assert period_text("2024-01-01", "2024-03-31") == "2024-01-01..2024-03-31"
    assert period_text(None, pd.Timestamp("2024-03-31 23:00")) == "..2024-03-31"
    assert kept(period_log, "started=" + period_text("2024-04-01", None)) == {"after", "midnight"}


# ------------------------------------------------------------------------------------------------
# attributes
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def attr_log() -> EventLog:
    rows = [
        ("a", "Register", "2024-01-01 09:00", "Gemeente A", "Servicedesk"),
        ("a", "Close", "2024-01-02 09:00", "Gemeente A", "Servicedesk"),
        ("b", "Register", "2024-01-01 09:00", "Gemeente B", "Servicedesk"),
        ("b", "Forward", "2024-01-01 10:00", "Gemeente B", "ICT"),   # only a later event is ICT's
        ("b", "Close", "2024-01-03 09:00", "Gemeente B", "Servicedesk"),
        ("pipe", "Register", "2024-01-01 09:00", "Gemeente A|B", "HR"),
        ("arrow", "Register", "2024-01-01 09:00", "Noord>Zuid", "HR"),
        ("slash", "Register", "2024-01-01 09:00", "C:\\temp", "HR"),
        ("none", "Register", "2024-01-01 09:00", None, None),
    ]
    return make_log(rows, ("case:ssc:mother", "org:group"))


@pytest.mark.parametrize("text, expected", [
    ("attr:mother=Gemeente A", {"a"}),
    ("attr:mother=Gemeente A|Gemeente B", {"a", "b"}),
    ("attr:case:ssc:mother=Gemeente B", {"b"}),       # the column's own name
    ("attr: mother = Gemeente B", {"b"}),
    ("attr:team=ICT", {"b"}),                         # some event has the value
    ("attr:org:group=HR|ICT", {"b", "pipe", "arrow", "slash"}),
    ("attr:mother=Gemeente", set()),                  # whole values, not parts
    ("attr:mother=gemeente a", set()),                # exact values
    (r"attr:mother=Gemeente A\|B", {"pipe"}),
    (r"attr:mother=Noord\>Zuid", {"arrow"}),
    ("attr:mother=Noord>Zuid", {"arrow"}),            # '>' needs no escape in a list of values
    (r"attr:mother=C:\\temp", {"slash"}),
    ("not attr:mother=Gemeente A|Gemeente B", {"pipe", "arrow", "slash", "none"}),
])
def test_attr_keeps_tickets_with_one_of_the_values(attr_log, text, expected):
    assert kept(attr_log, text) == expected


@pytest.mark.parametrize("values, expected", [
    (["Gemeente A|B"], {"pipe"}),
    (["Noord>Zuid", "C:\\temp"], {"arrow", "slash"}),
    (["Gemeente A", "Gemeente A|B"], {"a", "pipe"}),
])
def test_attr_values_written_with_joined_list_select_exactly_those(attr_log, values, expected):
    text = "attr:mother=" + joined_list(values)
    assert split_list(parse_filter(text).value) == values
    assert kept(attr_log, text) == expected


def test_attr_values_that_no_ticket_has_are_noted(attr_log):
    filtered, steps = apply_filters(attr_log, [parse_filter("attr:mother=Gemeente A|Gemeente X|Gemeente B")])
    assert cases(filtered) == {"a", "b"}
    assert "'Gemeente X'" in steps[0].note and "Gemeente A'" not in steps[0].note
    _, steps = apply_filters(attr_log, [parse_filter("attr:mother=Gemeente A|Gemeente B")])
    assert steps[0].note == "" and "note" not in steps[0].to_dict()


def test_a_column_that_is_no_role_is_refused_and_a_role_the_log_lacks_too(attr_log):
    with pytest.raises(ConfigError) as caught:
        parse_filter("attr:nosuch=x")   # other columns may name people: only the roles of SELECTABLE
    assert "cannot be selected by 'nosuch'" in caught.value.problem
    assert caught.value.hint is not None and "mother, category" in caught.value.hint
    flt = parse_filter("attr:priority=x")   # a role: whether the log has it is known only with the log
    with pytest.raises(ConfigError) as caught:
        case_mask(attr_log, flt)
    assert "attr:priority=x" in caught.value.problem and "no column 'priority'" in caught.value.problem
    assert caught.value.hint is not None and "mother, team" in caught.value.hint


# ------------------------------------------------------------------------------------------------
# activities: variant, start, end, follows
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trace_log() -> EventLog:
    traces = {
        "t1": ["Register", "Assign", "Close"],
        "t2": ["Register", "Close"],
        "t3": ["Register", "Assign", "Assign", "Close"],
        "t4": ["Register", "Assign", "Close"],
        "t5": ["Create", "Assign"],
        "odd": ["Reg>ister", "Close|Done", "C\\D"],
    }
    rows = [(case, activity, f"2024-01-{day + 1:02d} 09:00")
            for case, trace in traces.items() for day, activity in enumerate(trace)]
    return make_log(rows)


@pytest.mark.parametrize("text, expected", [
    ("variant=Register>Assign>Close", {"t1", "t4"}),
    ("variant=Register>Assign>Close|Register>Close", {"t1", "t2", "t4"}),
    ("variant=Register>Assign", set()),               # a prefix is not the variant
    ("variant=Register>Assign>Assign>Close", {"t3"}),
    ("not variant=Register>Assign>Close", {"t2", "t3", "t5", "odd"}),
    ("start=Create", {"t5"}),
    ("start=Create|Register", {"t1", "t2", "t3", "t4", "t5"}),
    ("start=Assign", set()),
    ("end=Assign", {"t5"}),
    ("end=Close|Assign", {"t1", "t2", "t3", "t4", "t5"}),
    (r"start=Reg\>ister", {"odd"}),
    (r"end=C\\D", {"odd"}),
    ("not end=Close", {"t5", "odd"}),
])
def test_variant_start_and_end(trace_log, text, expected):
    assert kept(trace_log, text) == expected


def test_variant_text_round_trips_labels_with_special_characters(trace_log):
    text = "variant=" + variant_text(["Reg>ister", "Close|Done", "C\\D"])
    assert kept(trace_log, text) == {"odd"}
    both = "variant=" + "|".join(variant_text(t) for t in (["Register", "Close"], ["Reg>ister", "Close|Done", "C\\D"]))
    assert kept(trace_log, both) == {"t2", "odd"}


@pytest.fixture(scope="module")
def follows_log() -> EventLog:
    traces = {
        "c1": ["A", "X", "B"],      # eventually, not directly
        "c2": ["A", "B"],           # both
        "c3": ["B", "A"],           # B before A: neither
        "c4": ["B", "A", "B"],      # both
        "c5": ["A"],
        "c6": ["A", "A"],
        "c7": ["X", "A"],           # ends with A …
        "c8": ["B", "X"],           # … and the next ticket begins with B: no pair across tickets
        "c9": ["A>X", "B|Y"],
    }
    rows = [(case, activity, f"2024-01-01 {hour + 9:02d}:00")
            for case, trace in traces.items() for hour, activity in enumerate(trace)]
    return make_log(rows)


@pytest.mark.parametrize("text, expected", [
    ("follows=A>>B", {"c1", "c2", "c4"}),
    ("follows=A>B", {"c2", "c4"}),
    ("follows=B>>A", {"c3", "c4"}),
    ("follows=B>A", {"c3", "c4"}),
    ("follows=A>>A", {"c6"}),
    ("follows=A>A", {"c6"}),
    ("follows=X>>B", {"c1"}),
    ("follows=X>B", {"c1"}),
    ("follows=X>>A", {"c7"}),
    ("follows=B>>X", {"c8"}),
    ("follows=A>X", {"c1"}),
    ("follows = A>>B", {"c1", "c2", "c4"}),
    ("not follows=A>>B", {"c3", "c5", "c6", "c7", "c8", "c9"}),
    ("not follows=A>B", {"c1", "c3", "c5", "c6", "c7", "c8", "c9"}),
    (r"follows=A\>X>>B\|Y", {"c9"}),
    (r"follows=A\>X>B\|Y", {"c9"}),
])
def test_follows_directly_and_eventually(follows_log, text, expected):
    assert kept(follows_log, text) == expected


def test_follows_written_with_joined_list_of_single_activities(follows_log):
    a, b = joined_list(["A>X"]), joined_list(["B|Y"])
    assert kept(follows_log, f"follows={a}>>{b}") == {"c9"}
    assert kept(follows_log, f"follows={a}>{b}") == {"c9"}


# ------------------------------------------------------------------------------------------------
# throughput, complete, finding, tickets
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def duration_log() -> EventLog:
    spans = {"single": None, "45s": "2024-01-01 09:00:45", "1h": "2024-01-01 10:00", "90min": "2024-01-01 10:30",
             "1d": "2024-01-02 09:00", "36h": "2024-01-02 21:00", "2w": "2024-01-15 09:00",
             "30d": "2024-01-31 09:00"}
    rows = []
    for case, end in spans.items():
        rows.append((case, "Register", "2024-01-01 09:00"))
        if end:
            rows.append((case, "Close", end))
    return make_log(rows)


@pytest.mark.parametrize("text, expected", [
    ("throughput>1d", {"36h", "2w", "30d"}),
    ("throughput>=1d", {"1d", "36h", "2w", "30d"}),
    ("throughput>=24h", {"1d", "36h", "2w", "30d"}),
    ("throughput<1h", {"single", "45s"}),
    ("throughput<=1h", {"single", "45s", "1h"}),
    ("throughput<=90min", {"single", "45s", "1h", "90min"}),
    ("throughput>=1.5d", {"36h", "2w", "30d"}),
    ("throughput>2w", {"30d"}),
    ("throughput>=2w", {"2w", "30d"}),
    ("throughput>=45s", {"45s", "1h", "90min", "1d", "36h", "2w", "30d"}),
    ("throughput<45s", {"single"}),
    ("throughput > 29 d", {"30d"}),
    ("not throughput>1d", {"single", "45s", "1h", "90min", "1d"}),
])
def test_throughput_compares_first_to_last_event(duration_log, text, expected):
    assert kept(duration_log, text) == expected


@pytest.fixture(scope="module")
def ending_log() -> EventLog:
    rows = [
        ("done", "Register", "2024-01-01 09:00"), ("done", "Close", "2024-01-02 09:00"),
        ("open", "Register", "2024-01-01 09:00"), ("open", "Start work", "2024-01-03 09:00"),
        ("cut", "Start work", "2024-01-01 09:00"), ("cut", "Close", "2024-01-05 09:00"),   # registered before
        ("reopened", "Register", "2024-01-01 09:00"), ("reopened", "Resolve", "2024-01-02 09:00"),
        ("reopened", "Start work", "2024-01-03 09:00"), ("reopened", "Resolve", "2024-01-04 09:00"),
    ]
    return make_log(rows)


def test_complete_keeps_tickets_ended_and_registered_inside_the_export(ending_log):
    markers = ending_log.markers
    assert markers.endings_known and markers.starts_known
    assert kept(ending_log, "complete") == {"done", "reopened"}
    assert kept(ending_log, "not complete") == {"open", "cut"}


def test_complete_without_recorded_endings_asks_only_for_the_registration():
    log = make_log([("r1", "Register", "2024-01-01 09:00"), ("r1", "Start work", "2024-01-02 09:00"),
                    ("r2", "Register", "2024-01-01 09:00"), ("w", "Start work", "2024-01-01 09:00")])
    assert not log.markers.endings_known and log.markers.starts_known
    assert kept(log, "complete") == {"r1", "r2"}


def test_finding_keeps_the_tickets_the_analyser_lists(ending_log):
    assert kept(ending_log, "finding=reopens.reopened_cases") == {"reopened"}
    assert kept(ending_log, "not finding=reopens.reopened_cases") == {"done", "open", "cut"}


def test_finding_that_does_not_occur_keeps_no_ticket_and_says_so(ending_log):
    notes: list[str] = []
    mask = case_mask(ending_log, parse_filter("finding=reopens.nonsense"), notes=notes)
    assert not mask.any() and len(mask) == 4
    assert len(notes) == 1 and "'nonsense'" in notes[0] and "reopened_cases" in notes[0]
    notes.clear()
    assert case_mask(ending_log, parse_filter("not finding=reopens.nonsense"), notes=notes).all() and notes


def test_finding_and_tickets_with_numeric_case_ids():
    # EventLog.from_frame keeps integer case ids; findings list ids as text
    frame = pd.DataFrame({"case:concept:name": [1, 1, 1, 1, 2, 2],
                          "concept:name": ["Register", "Resolve", "Start work", "Resolve", "Register", "Close"],
                          "time:timestamp": pd.date_range("2024-01-01", periods=6, freq="D", tz="UTC")})
    log = EventLog.from_frame(frame)
    assert case_mask(log, parse_filter("finding=reopens.reopened_cases")).tolist() == [True, False]
    assert case_mask(log, parse_filter("tickets=2")).tolist() == [False, True]


def test_finding_of_an_analyser_that_does_not_exist_names_those_that_do(ending_log):
    with pytest.raises(ConfigError) as caught:
        case_mask(ending_log, parse_filter("finding=nosuch.key"))
    assert "'nosuch'" in caught.value.problem and "reopens" in caught.value.problem


def test_tickets_keeps_these_tickets(period_log, attr_log):
    assert kept(period_log, "tickets=inside|old|no-such-ticket") == {"inside", "old"}
    assert kept(period_log, "not tickets=inside|old") == cases(period_log) - {"inside", "old"}
    log = make_log([("INC|1", "Register", "2024-01-01 09:00"), ("INC>2", "Register", "2024-01-01 09:00"),
                    ("INC", "Register", "2024-01-01 09:00"), ("1", "Register", "2024-01-01 09:00")])
    assert kept(log, "tickets=" + joined_list(["INC|1", "INC>2"])) == {"INC|1", "INC>2"}
    assert kept(log, "tickets=INC|1") == {"INC", "1"}


# ------------------------------------------------------------------------------------------------
# negation, on every kind
# ------------------------------------------------------------------------------------------------

NEGATED = [
    ("period_log", "started=2024-01-01..2024-03-31"), ("period_log", "ended=..2024-01-31"),
    ("period_log", "active=2024-02-01..2024-02-05"), ("period_log", "within=2024-01-01.."),
    ("attr_log", "attr:team=ICT|HR"), ("trace_log", "variant=Register>Close|Create>Assign"),
    ("trace_log", "start=Register"), ("trace_log", "end=Close"), ("ending_log", "complete"),
    ("duration_log", "throughput>=1d"), ("follows_log", "follows=A>>B"), ("follows_log", "follows=A>B"),
    ("ending_log", "finding=reopens.reopened_cases"), ("period_log", "tickets=old|span"),
]


def test_every_kind_is_negated_in_the_table():
    assert {parse_filter(t).kind for _, t in NEGATED} == set(FILTER_KINDS)


@pytest.mark.parametrize("fixture, text", NEGATED)
def test_not_keeps_exactly_the_other_tickets(request, fixture, text):
    log = request.getfixturevalue(fixture)
    keep, drop = kept(log, text), kept(log, "not " + text)
    assert keep and drop, "pick a filter that keeps some tickets and drops others"
    assert keep.isdisjoint(drop) and keep | drop == cases(log)
    assert parse_filter("not  " + text).negate and parse_filter("not " + text).text == "not " + parse_filter(text).text


# ------------------------------------------------------------------------------------------------
# parse errors
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, says", [
    ("nonsense=1", "'nonsense' is not a kind of filter"),
    ("", "KIND=VALUE"),
    ("Started=2024-01-01..", "KIND=VALUE"),
    ("started=2024-01-01", "FROM..TO"),
    ("started=..", "at least one end"),
    ("started=2024-13-01..", "'2024-13-01' is not a date"),
    ("ended=2024-02-30..2024-03-01", "'2024-02-30' is not a date"),
    ("active=2024-03-31..2024-01-01", "ends before it starts"),
    ("within=0001-01-01..", "too far in the past or future"),
    ("started=..9999-12-31", "too far in the past or future"),
    ("throughput>30", "'30' is not a duration"),
    ("throughput>30 days", "is not a duration"),
    ("throughput>-1d", "is not a duration"),
    ("throughput=30d", "compare the throughput with"),
    ("throughput>", "no value"),
    ("attr:resource=Anna de Vries", "'resource' names people"),
    ("attr:org:resource=Anna de Vries", "names people"),
    ("attr:requester=Anna", "names people"),
    ("attr:case:ssc:requester=Anna", "names people"),
    ("attr:assigned_to=Anna", "names people"),
    ("attr:timestamp=2024-01-01", "cannot be selected by 'timestamp'"),
    ("attr:activity=Close", "cannot be selected by 'activity'"),
    ("attr=Gemeente A", "name the column"),
    ("attr:mother", "no value"),
    ("start:mother=A", "only attr takes a column name"),
    ("variant>A", "variant takes '=', not '>'"),
    ("complete=yes", "'complete' takes no value"),
    ("follows=A", "follows=A>>B"),
    ("follows=A>>B>>C", "follows=A>>B"),
    ("follows=>>B", "follows=A>>B"),
    ("finding=reopens", "ANALYSER.KEY"),
    ("tickets=", "no value"),
])
def test_a_wrong_filter_is_a_config_error_that_names_it(text, says):
    with pytest.raises(ConfigError) as caught:
        parse_filter(text)
    assert caught.value.problem.startswith(f"filter {text!r}:"), caught.value.problem
    assert says in caught.value.problem, caught.value.problem
    assert caught.value.hint   # says what to do
    assert caught.value.exit_code == 2


def test_a_wrong_filter_in_a_list_is_named():
    with pytest.raises(ConfigError, match="frobnicate"):
        parse_filters(["complete", "frobnicate=1"])


def test_the_hint_of_an_unknown_kind_lists_every_kind():
    with pytest.raises(ConfigError) as caught:
        parse_filter("nonsense=1")
    assert all(form in caught.value.hint for form in FILTER_KINDS.values())


# ------------------------------------------------------------------------------------------------
# canonical texts and lists
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, canonical", [
    ("not  throughput >= 1.5 d", "not throughput>=1.5d"),
    ("attr: mother = A|B", "attr:mother=A|B"),
    ("  complete ", "complete"),
    ("not\tcomplete", "not complete"),
    ("started = 2024-01-01.. ", "started=2024-01-01.."),
    ("follows=A>>B", "follows=A>>B"),
    (r"tickets=INC\|1|INC2", r"tickets=INC\|1|INC2"),
])
def test_canonical_texts(text, canonical):
    flt = parse_filter(text)
    assert flt.text == canonical == str(flt)
    assert parse_filter(flt.text) == flt


def test_split_list_reads_escapes():
    assert split_list(r"A|B\|C|D\\") == ["A", "B|C", "D\\"]
    assert split_list(r"A\>B") == ["A>B"]
    assert split_list("A") == ["A"]
    assert joined_list(["A", "B|C", "D>E", "F\\"]) == r"A|B\|C|D\>E|F\\"
    assert variant_text(["A>B", "C|D"]) == r"A\>B>C\|D"


#: texts as they occur in values; no NUL (loaders remove control characters)
_VALUE_TEXT = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))
_NASTY = st.sampled_from(["|", ">", "\\", ">>", "\\|", " ", "a", "Gemeente A", "=", ":", "..", "not "])
_VALUE = st.one_of(_VALUE_TEXT, st.lists(st.one_of(_NASTY, _VALUE_TEXT), max_size=5).map("".join))


@given(st.lists(_VALUE, min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_split_list_inverts_joined_list(values):
    assert split_list(joined_list(values)) == values


_DATE = st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2100-12-31").date())


@st.composite
def filters(draw) -> Filter:
    kind = draw(st.sampled_from(sorted(FILTER_KINDS)))
    negate = draw(st.booleans())
    if kind == "complete":
        return Filter("complete", negate=negate)
    if kind in ("started", "ended", "active", "within"):
        low, high = sorted(draw(st.lists(_DATE, min_size=2, max_size=2)))
        shape = draw(st.sampled_from(["both", "from", "to"]))
        value = period_text(low if shape != "to" else None, high if shape != "from" else None)
        return Filter(kind, value, negate=negate)
    if kind == "throughput":
        number = draw(st.one_of(st.integers(0, 10_000).map(str),
                                st.decimals(0, 1000, places=2).map(lambda d: f"{d:.2f}")))
        unit = draw(st.sampled_from(["s", "min", "h", "d", "w"]))
        return Filter(kind, number + unit, op=draw(st.sampled_from([">", ">=", "<", "<="])), negate=negate)
    if kind == "follows":
        a, b = draw(st.lists(_VALUE.filter(bool), min_size=2, max_size=2))
        value = joined_list([a]) + draw(st.sampled_from([">", ">>"])) + joined_list([b])
    elif kind == "variant":
        traces = draw(st.lists(st.lists(_VALUE.filter(bool), min_size=1, max_size=4), min_size=1, max_size=3))
        value = "|".join(variant_text(t) for t in traces)
    elif kind == "finding":
        value = draw(st.sampled_from(["reopens", "handoffs", "x"])) + "." + draw(_VALUE_TEXT.filter(bool))
    else:   # attr, start, end, tickets
        value = joined_list(draw(st.lists(_VALUE, min_size=1, max_size=4)))
    # a filter text cannot begin or end its value with a space: the parser strips them
    assume(value and value.strip() == value)
    name = draw(st.sampled_from(["mother", "team", "category", "case:ssc:channel", "priority"])) \
        if kind == "attr" else None
    return Filter(kind, value, name=name, negate=negate)


@given(filters())
@settings(max_examples=400, deadline=None)
def test_the_text_of_a_filter_reads_back_as_the_same_filter(flt):
    assert parse_filter(flt.text) == flt
    assert parse_filter(flt.text).text == flt.text


@given(filters(), st.sampled_from(["", " ", "  ", "\t"]))
@settings(max_examples=200, deadline=None)
def test_spaces_around_a_filter_do_not_change_it(flt, space):
    assert parse_filter(f"{space}{flt.text}{space}") == flt


@given(st.lists(st.sampled_from(["Gemeente A", "A|B", "N>Z", "C:\\x", "x\\|y", "B", "A"]), min_size=1, max_size=3))
@settings(max_examples=60, deadline=None)
def test_attr_values_from_joined_list_select_the_tickets_that_have_them(values):
    pool = ["Gemeente A", "A|B", "N>Z", "C:\\x", "x\\|y", "B", "A"]
    log = make_log([(f"t{i}", "Register", "2024-01-01 09:00", v) for i, v in enumerate(pool)], ("case:ssc:mother",))
    assert kept(log, "attr:mother=" + joined_list(values)) == {f"t{i}" for i, v in enumerate(pool) if v in values}


# ------------------------------------------------------------------------------------------------
# apply_filters: steps and provenance
# ------------------------------------------------------------------------------------------------

def test_steps_reconcile_and_are_recorded_in_the_provenance(period_log):
    texts = ["active=2024-01-01..2024-03-31", "not tickets=span", "throughput>=1d", "started=2024-01-01.."]
    filtered, steps = apply_filters(period_log, parse_filters(texts))
    assert [s.text for s in steps] == texts
    assert steps[0].tickets_before == period_log.n_cases == 8
    assert [(s.tickets_before, s.tickets_after) for s in steps] == [(8, 5), (5, 4), (4, 3), (3, 2)]
    for previous, step in zip(steps, steps[1:]):
        assert step.tickets_before == previous.tickets_after
    for step in steps:
        row = step.to_dict()
        assert row["tickets_before"] - row["tickets_after"] == row["tickets_dropped"] >= 0
    assert cases(filtered) == {"firstday", "inside"} and filtered.n_cases == steps[-1].tickets_after
    assert steps[-1].events_after == filtered.n_events == 4
    recorded = filtered.provenance.to_dict()
    assert recorded["filters"] == [s.to_dict() for s in steps]
    assert recorded["tickets_before_filters"] == 8 and recorded["events_before_filters"] == period_log.n_events
    assert json.loads(json.dumps(recorded))["filters"][2] == {
        "filter": "throughput>=1d", "tickets_before": 4, "tickets_after": 3, "tickets_dropped": 1, "events_after": 6}
    # the log filtered is left as it was
    assert "filters" not in period_log.provenance.to_dict() and period_log.n_cases == 8
    assert filtered.timezone == period_log.timezone and filtered.semantics == period_log.semantics


def test_a_filter_that_keeps_nothing_leaves_nothing_for_the_next(period_log):
    filtered, steps = apply_filters(period_log, parse_filters(["tickets=nobody", "not complete", "follows=A>>B"]))
    assert [(s.tickets_before, s.tickets_after, s.events_after) for s in steps] == [(8, 0, 0), (0, 0, 0), (0, 0, 0)]
    assert filtered.n_events == 0 and filtered.provenance.to_dict()["filters"][0]["tickets_dropped"] == 8


def test_a_filter_that_keeps_everything_keeps_every_event(period_log):
    filtered, steps = apply_filters(period_log, [parse_filter("start=Register")])
    assert (steps[0].tickets_before, steps[0].tickets_after) == (8, 8)
    assert filtered.frame.equals(period_log.frame)
    assert filtered.provenance.to_dict()["filters"][0]["tickets_dropped"] == 0


def test_later_filters_see_only_the_tickets_kept_before_them(ending_log):
    filtered, steps = apply_filters(ending_log, parse_filters(["tickets=done|reopened|cut",
                                                               "finding=reopens.reopened_cases"]))
    assert [(s.tickets_before, s.tickets_after) for s in steps] == [(4, 3), (3, 1)] and cases(filtered) == {"reopened"}
    assert "note" not in steps[1].to_dict()
    # the reopens analyser runs on the tickets the first filter kept: without a reopened ticket among them its
    # finding does not occur, so no ticket is kept, and the step says why
    filtered, steps = apply_filters(ending_log, parse_filters(["tickets=done|open", "finding=reopens.reopened_cases",
                                                               "complete"]))
    assert [(s.tickets_before, s.tickets_after) for s in steps] == [(4, 2), (2, 0), (0, 0)]
    assert "reopened_cases" in steps[1].note and filtered.provenance.to_dict()["filters"][1]["note"] == steps[1].note
    assert not steps[0].note and "note" not in steps[0].to_dict()


def test_an_unfiltered_log_has_no_filters_in_its_provenance(period_log):
    same, steps = apply_filters(period_log, [])
    assert same is period_log and steps == []
    data = period_log.provenance.to_dict()
    assert not {"filters", "tickets_before_filters", "events_before_filters"} & set(data)
    assert "filters" not in json.loads(json.dumps(data))


# ------------------------------------------------------------------------------------------------
# ssc-mining report --filter
# ------------------------------------------------------------------------------------------------

def _expected_from_the_csv() -> tuple[int, int, int, int]:
    """Tickets before, after 'started' and after also 'mother', and their events, by plain pandas on the CSV."""
    frame = pd.read_csv(SAMPLE, dtype=str)
    local = pd.to_datetime(frame["timestamp"], utc=True).dt.tz_convert(ZONE)
    first_day = local.groupby(frame["case_id"]).min().dt.date
    started = set(first_day[(first_day >= pd.Timestamp("2024-01-01").date())
                            & (first_day <= pd.Timestamp("2024-03-31").date())].index)
    beekveld = set(frame.loc[frame["mother"] == "Gemeente Beekveld", "case_id"])
    chosen = started & beekveld
    return frame["case_id"].nunique(), len(started), len(chosen), int(frame["case_id"].isin(chosen).sum())


def _key(tmp_path: Path) -> Path:
    key = tmp_path / "key"
    key.write_text("a key of at least sixteen bytes for the filter tests", encoding="utf-8")
    return key


def test_report_with_filters_records_them_and_reports_on_the_tickets_kept(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "report", str(SAMPLE), "--filter", "started=2024-01-01..2024-03-31",
        "--filter", "attr:mother=Gemeente Beekveld", "-o", str(out),
        "--pseudonym-key-file", str(_key(tmp_path)), "--analysers", "throughput"])
    assert result.exit_code == 0, result.output
    total, started, chosen, events = _expected_from_the_csv()
    assert 0 < chosen < started < total   # the conditions select something and each drops some
    data = json.loads((out / "generic-events.json").read_text(encoding="utf-8"))
    assert data["provenance"]["filters"] == [
        {"filter": "started=2024-01-01..2024-03-31", "tickets_before": total, "tickets_after": started,
         "tickets_dropped": total - started, "events_after": data["provenance"]["filters"][0]["events_after"]},
        {"filter": "attr:mother=Gemeente Beekveld", "tickets_before": started, "tickets_after": chosen,
         "tickets_dropped": started - chosen, "events_after": events}]
    assert data["provenance"]["tickets_before_filters"] == total
    assert data["provenance"]["events_before_filters"] == data["provenance"]["rows_used"]
    assert data["overview"]["cases"] == chosen and data["overview"]["events"] == events
    assert f"Filter attr:mother=Gemeente Beekveld: {chosen:,} of {started:,} tickets kept" in result.output


@pytest.mark.parametrize("bad, says", [("started=2024-13-01..", "is not a date"),
                                       ("attr:nosuch=x", "cannot be selected by 'nosuch'"),
                                       ("attr:resource=Anna", "names people")])
def test_report_with_a_wrong_filter_stops_before_writing_anything(tmp_path, bad, says):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(SAMPLE), "--filter", "complete", "--filter", bad, "-o", str(out),
                                         "--pseudonym-key-file", str(_key(tmp_path)), "--analysers", "throughput"])
    assert result.exit_code == 2, result.output
    assert f"filter {bad!r}" in result.output and says in result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    assert not out.exists() or not any(out.iterdir())

