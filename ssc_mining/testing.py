"""Conformance kit for analysers: the same named checks the built-in analysers pass.

Use it in a plugin's own tests, the way scikit-learn's ``check_estimator`` is used::

    from ssc_mining.testing import check_analyser, parametrize_with_checks

    def test_my_analyser():
        check_analyser(MyAnalyser())              # raises AnalyserCheckError naming the failed check

    @parametrize_with_checks([MyAnalyser()])
    def test_each_check(analyser, check):         # one pytest case per (analyser, check)
        check(analyser)

Known failures can be declared with a reason: ``check_analyser(a, known_failures={"row_order":
"ties are resolved by file order on purpose"})``.

The checks, by name:

* ``returns_result`` — ``analyse`` returns a :class:`~ssc_mining.results.Result` naming the analyser
* ``does_not_mutate`` — the log's frame is unchanged afterwards
* ``deterministic`` — the same log gives the same result twice
* ``row_order`` — shuffling the input rows (then re-sorting as a loader would) gives the same result
* ``empty_log`` — an empty log gives a result (possibly skipped) or a clear ``SSCMiningError``, not a KeyError
* ``one_case`` — a log of one case works
* ``missing_optional`` — dropping each column in ``uses`` works, as declared
* ``timezone`` — the same moments stored from another zone give the same result
* ``json`` — the result survives a JSON round trip unchanged
* ``renders`` — the result renders to HTML
* ``metrics_defined`` — every metric has a description; a measured one its base (cases), else a reason
* ``findings_complete`` — every finding lists all its case ids (``count`` = number of ids)
* ``params_round_trip`` — ``type(a)(**a.params()) == a``
* ``people_marked`` — an item about a person carries ``personal=True`` and the analyser declares ``personal``
* ``segments`` — when the analyser offers ``analyse_segments``, each segment's result and case values
  equal ``analyse`` and ``case_values`` run on that segment's events (segments: the cases' mother
  organisation, and halves of the cases)
* ``partitions`` — when the analyser offers ``partial`` and ``combine`` (it runs on the DuckDB engine), the
  ``combine`` of the parts of three partitions of whole tickets (every third ticket), read with the whole
  log's facts, equals ``analyse`` on the whole log; and ``pinned_of_parts`` of those parts equals ``pinned`` of it
* ``threads`` — four runs at once on one log, on four threads, each give the result of a run on its own
  (unless the analyser declares ``thread_safe = False``: then it never runs beside others)

Example:
    >>> from ssc_mining.analysers.variants import Variants
    >>> check_analyser(Variants())
    >>> sorted(CHECKS)[:3]
    ['deterministic', 'does_not_mutate', 'empty_log']
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.errors import SSCMiningError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog, sort_events
from ssc_mining.results import Finding, Metric, Result

__all__ = ["AnalyserCheckError", "CHECKS", "check_analyser", "parametrize_with_checks", "fixture_log"]


class AnalyserCheckError(AssertionError):
    """A conformance check failed; the message names the check and the analyser."""


@functools.cache
def _simulated(seed: int, cases: int) -> pd.DataFrame:
    from ssc_mining.simulate import SimulationConfig, simulate

    return simulate(SimulationConfig(seed=seed, cases=cases)).events


def fixture_log(name: str = "small") -> EventLog:
    """Small synthetic logs from the simulator: ``small`` (40 cases), ``one_case``, ``empty``.

    >>> fixture_log("one_case").n_cases
    1
    """
    events = _simulated(11, 40)
    if name == "small":
        frame = events
    elif name == "one_case":
        frame = events[events[C.CASE] == events[C.CASE].iloc[0]]
    elif name == "empty":
        frame = events.iloc[0:0]
    else:
        raise ValueError(f"unknown fixture log {name!r}; use small, one_case or empty")
    return EventLog.from_frame(frame.reset_index(drop=True))


def _fail(check: str, analyser: Analyser, why: str) -> None:
    raise AnalyserCheckError(f"check {check!r} failed for analyser {analyser.name!r}: {why}")


def _run(analyser: Analyser, log: EventLog) -> Result:
    result = analyser.analyse(log)
    if not isinstance(result, Result):
        _fail("returns_result", analyser, f"analyse() returned {type(result).__name__}, not a Result")
    return result


def _comparable(result: Result) -> dict[str, Any]:
    return json.loads(json.dumps(result.to_dict(), sort_keys=True))


def check_returns_result(analyser: Analyser, log: EventLog | None = None) -> None:
    result = _run(analyser, log or fixture_log())
    if result.analyser != analyser.name:
        _fail("returns_result", analyser, f"the result names analyser {result.analyser!r}")


def check_does_not_mutate(analyser: Analyser, log: EventLog | None = None) -> None:
    log = log or fixture_log()
    before = log.frame.copy(deep=True)
    _run(analyser, log)
    try:
        pd.testing.assert_frame_equal(log.frame, before)
    except AssertionError as err:
        _fail("does_not_mutate", analyser, f"the log was changed: {str(err).splitlines()[0]}")


def check_deterministic(analyser: Analyser, log: EventLog | None = None) -> None:
    log = log or fixture_log()
    if _comparable(_run(analyser, log)) != _comparable(_run(analyser, log)):
        _fail("deterministic", analyser, "two runs on the same log gave different results")


def check_row_order(analyser: Analyser, log: EventLog | None = None) -> None:
    log = log or fixture_log()
    shuffled = log.frame.sample(frac=1.0, random_state=np.random.RandomState(7)).reset_index(drop=True)
    other = EventLog(frame=sort_events(shuffled), provenance=log.provenance, quarantine=log.quarantine)
    if _comparable(_run(analyser, log)) != _comparable(_run(analyser, other)):
        _fail("row_order", analyser, "the result depends on the order of the input rows")


def check_empty_log(analyser: Analyser, log: EventLog | None = None) -> None:
    try:
        _run(analyser, fixture_log("empty"))
    except SSCMiningError:
        return
    except Exception as err:  # noqa: BLE001 - the point of the check
        _fail("empty_log", analyser, f"an empty log raised {type(err).__name__}: {err} (return a result or "
                                     "raise an SSCMiningError with a clear message)")


def check_one_case(analyser: Analyser, log: EventLog | None = None) -> None:
    try:
        _run(analyser, fixture_log("one_case"))
    except AnalyserCheckError:
        raise
    except Exception as err:  # noqa: BLE001
        _fail("one_case", analyser, f"a one-case log raised {type(err).__name__}: {err}")


def check_missing_optional(analyser: Analyser, log: EventLog | None = None) -> None:
    log = log or fixture_log()
    for column in analyser.uses:
        if column not in log.frame.columns or column in analyser.requires:
            continue
        reduced = EventLog(frame=log.frame.drop(columns=[column]), provenance=log.provenance,
                           quarantine=log.quarantine)
        try:
            _run(analyser, reduced)
        except AnalyserCheckError:
            raise
        except Exception as err:  # noqa: BLE001
            _fail("missing_optional", analyser, f"without the optional column {column!r} it raised "
                                                f"{type(err).__name__}: {err}")


def check_timezone(analyser: Analyser, log: EventLog | None = None) -> None:
    log = log or fixture_log()
    frame = log.frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("Asia/Tokyo")
    other = EventLog(frame=frame, provenance=log.provenance, quarantine=log.quarantine)
    if _comparable(_run(analyser, log)) != _comparable(_run(analyser, other)):
        _fail("timezone", analyser, "the same moments stored in another time zone gave another result")


def check_json(analyser: Analyser, log: EventLog | None = None) -> None:
    result = _run(analyser, log or fixture_log())
    try:
        text = json.dumps(result.to_dict(), allow_nan=False)
    except (TypeError, ValueError) as err:
        _fail("json", analyser, f"the result is not JSON-serialisable: {err}")
    if Result.from_dict(json.loads(text)) != Result.from_dict(result.to_dict()):
        _fail("json", analyser, "the result changes in a JSON round trip")


def check_renders(analyser: Analyser, log: EventLog | None = None) -> None:
    from ssc_mining.report.results_html import render_result

    result = _run(analyser, log or fixture_log())
    try:
        html = render_result(Result.from_dict(result.to_dict()))
    except Exception as err:  # noqa: BLE001
        _fail("renders", analyser, f"rendering to HTML raised {type(err).__name__}: {err}")
    if "<section" not in html:
        _fail("renders", analyser, "the HTML has no section")


def check_metrics_defined(analyser: Analyser, log: EventLog | None = None) -> None:
    """Every metric says what it means (``description``) and what it rests on: a measured one has its ``base``
    (number of cases), one that could not be measured has a ``reason`` — so an auditor can trace every figure."""
    result = _run(analyser, log or fixture_log())
    for item in result.items:
        if not isinstance(item, Metric):
            continue
        if not item.description.strip():
            _fail("metrics_defined", analyser, f"metric {item.key!r} has no description (its definition in words)")
        if item.value is not None and item.base is None and item.key != "cases":
            _fail("metrics_defined", analyser, f"metric {item.key!r} has no base (the number of cases it rests on)")


def check_findings_complete(analyser: Analyser, log: EventLog | None = None) -> None:
    """A finding about cases lists every one of them, so the JSON can be traced ticket by ticket; the page shows
    the first few."""
    result = _run(analyser, log or fixture_log())
    for item in result.items:
        if isinstance(item, Finding) and item.count is not None and item.count != len(item.case_ids):
            _fail("findings_complete", analyser, f"finding {item.key!r} counts {item.count} cases but lists "
                  f"{len(item.case_ids)} case ids; list them all (the page shows the first few)")


def _strings(value: Any) -> Iterator[str]:
    """Every text inside ``value`` (parsed JSON): values and keys."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)


def check_people_marked(analyser: Analyser, log: EventLog | None = None) -> None:
    """An item that names people (a value of the person or requester column) is marked ``personal``, so the
    works-council audience never sees it; an analyser that emits such items declares ``personal = True``."""
    log = log or fixture_log()
    people = set()
    for column in (C.RESOURCE, C.REQUESTER):
        if column in log.frame.columns:
            people |= {str(v) for v in log.frame[column].dropna().unique() if len(str(v)) >= 3}
    teams = {str(v) for column in (C.TEAM, C.ORGANISATION, C.MOTHER, C.ASSIGNED_GROUP)
             if column in log.frame.columns for v in log.frame[column].dropna().unique()}
    people -= teams   # a value that is also a team's name says nothing about a person
    result = _run(analyser, log)
    for item in result.items:
        named = sorted(people & set(_strings(json.loads(json.dumps(item.to_dict(), default=str)))))
        if named and not getattr(item, "personal", False):
            _fail("people_marked", analyser, f"item {item.key!r} names people ({', '.join(named[:3])}) but is not "
                  "marked personal=True")
        if getattr(item, "personal", False) and not type(analyser).personal:
            _fail("people_marked", analyser, f"item {item.key!r} is personal but the analyser does not declare "
                  "personal = True")


def check_params_round_trip(analyser: Analyser, log: EventLog | None = None) -> None:
    if not dataclasses.is_dataclass(analyser):
        _fail("params_round_trip", analyser, "analysers must be dataclasses (frozen=True, kw_only=True)")
    if type(analyser)(**analyser.params()) != analyser:
        _fail("params_round_trip", analyser, "type(a)(**a.params()) != a")
    for name in analyser.params():
        if name.startswith("_"):
            _fail("params_round_trip", analyser, f"parameter {name!r} is private")


def check_segments(analyser: Analyser, log: EventLog | None = None) -> None:
    log = log or fixture_log()
    pinned = analyser.for_log(log).pinned(log)
    index = log.cases
    mothers = index.case_first(log.frame[C.MOTHER]).astype(str).to_numpy() if C.MOTHER in log.frame.columns \
        else np.full(index.n, "one")
    halves = np.where(np.arange(index.n) % 2 == 0, "even", "odd")
    for labels in (mothers, halves):
        segments = pd.Series(labels, index=index.ids, dtype=object)
        keep = sorted(set(labels))
        grouped = pinned.analyse_segments(log, segments, keep)
        if grouped is None:
            return
        for seg in keep:
            part = log.subset(labels[index.codes] == seg)
            result, values = grouped[seg]
            expected = pinned.analyse(part)
            if _comparable(result) != _comparable(expected):
                _fail("segments", analyser, f"analyse_segments differs from analyse on segment {seg!r}")
            want = pinned.case_values(part) if expected.status == "ok" else None
            if (values is None) != (want is None) or (values is not None and not values.equals(want)):
                _fail("segments", analyser, f"analyse_segments' case values differ on segment {seg!r}")


def check_partitions(analyser: Analyser, log: EventLog | None = None) -> None:
    if not analyser.runs_in_partitions():
        return  # it needs the whole log: nothing to check
    from ssc_mining.eventlog.facts import CASE_ORDER, LogFacts

    log = log or fixture_log()
    facts, index = LogFacts.of(log), log.cases
    parts = []
    for k in range(3):   # every third ticket: the partitions interleave in the log's order
        chosen = np.flatnonzero(np.arange(index.n) % 3 == k)
        part = dataclasses.replace(log.subset(np.isin(index.codes, chosen)), facts=facts)
        part.computed(CASE_ORDER, functools.partial(np.asarray, chosen))
        if part.n_events:
            parts.append(analyser.partial(part))
    combined = analyser.combine(parts, facts)
    if _comparable(combined) != _comparable(_run(analyser, log)):
        _fail("partitions", analyser, "combine() of three partitions' parts differs from analyse() of the whole log")
    settled = analyser.for_log(log)
    if type(analyser).pinned is not Analyser.pinned and settled.pinned_of_parts(parts, facts) != settled.pinned(log):
        _fail("partitions", analyser, "pinned_of_parts() of three partitions' parts differs from pinned() of the "
                                      "whole log")


def check_threads(analyser: Analyser, log: EventLog | None = None) -> None:
    if not analyser.thread_safe:
        return  # it runs on its own: nothing to check
    from ssc_mining.parallel import side_by_side

    log = log or fixture_log()
    expected = _comparable(_run(analyser, log))
    shared = log.subset(np.ones(log.n_events, dtype=bool))  # a fresh copy: nothing computed yet, the threads race
    runs = side_by_side([functools.partial(_run, analyser, shared)] * 4, jobs=4)  # one log, four threads at once
    if any(_comparable(r) != expected for r in runs):
        _fail("threads", analyser, "run on four threads at once on one log it gives another result; make it "
                                   "thread-safe or set thread_safe = False")


CHECKS: dict[str, Callable[..., None]] = {
    "returns_result": check_returns_result,
    "does_not_mutate": check_does_not_mutate,
    "deterministic": check_deterministic,
    "row_order": check_row_order,
    "empty_log": check_empty_log,
    "one_case": check_one_case,
    "missing_optional": check_missing_optional,
    "timezone": check_timezone,
    "json": check_json,
    "renders": check_renders,
    "metrics_defined": check_metrics_defined,
    "findings_complete": check_findings_complete,
    "params_round_trip": check_params_round_trip,
    "people_marked": check_people_marked,
    "segments": check_segments,
    "partitions": check_partitions,
    "threads": check_threads,
}


def _guarded(name: str, check: Callable[..., None], analyser: Analyser, log: EventLog | None = None) -> None:
    """Run one check; any unexpected exception becomes a failure of that check."""
    try:
        check(analyser, log)
    except AnalyserCheckError:
        raise
    except Exception as err:  # noqa: BLE001 - an analyser that raises fails the check it raised in
        _fail(name, analyser, f"raised {type(err).__name__}: {err}")


def check_analyser(analyser: Analyser, *, log: EventLog | None = None,
                   known_failures: dict[str, str] | None = None) -> None:
    """Run every check; raise :class:`AnalyserCheckError` naming the first unexpected failure.

    A check listed in ``known_failures`` (name → reason) must fail; if it passes, that is reported too,
    so the declaration does not outlive the bug.
    """
    known = known_failures or {}
    unknown = set(known) - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown checks {sorted(unknown)}; the checks are {sorted(CHECKS)}")
    for name, check in CHECKS.items():
        try:
            _guarded(name, check, analyser, log)
        except AnalyserCheckError:
            if name in known:
                continue
            raise
        else:
            if name in known:
                raise AnalyserCheckError(f"check {name!r} was declared a known failure of {analyser.name!r} "
                                         f"({known[name]}) but it passes: remove the declaration")


def parametrize_with_checks(analysers: Iterable[Analyser], *, known_failures: dict[str, dict[str, str]] | None = None
                            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A pytest decorator: one test case per (analyser, check), ids like ``variants-row_order``.

    ``known_failures`` maps analyser name → {check name → reason}; those cases are marked xfail(strict=True).
    """
    import pytest

    known = known_failures or {}
    params = []
    for analyser in analysers:
        for name, check in CHECKS.items():
            marks: tuple[pytest.MarkDecorator, ...] = ()
            reason = known.get(analyser.name, {}).get(name)
            if reason:
                marks = (pytest.mark.xfail(reason=reason, strict=True, raises=AnalyserCheckError),)
            guarded = functools.partial(_guarded, name, check)
            params.append(pytest.param(analyser, guarded, id=f"{analyser.name}-{name}", marks=marks))
    return pytest.mark.parametrize("analyser, check", params)
