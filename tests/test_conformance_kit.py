"""The conformance kit: built-in analysers pass it; broken analysers are caught by name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ssc_mining.analysers import Analyser, discover
from ssc_mining.results import Metric
from ssc_mining.testing import CHECKS, AnalyserCheckError, check_analyser, fixture_log, parametrize_with_checks

BUILTINS = [cls() for cls in discover().analysers.values()]
#: the handoff analyser also with its person-level graph (for auditors), which must be marked personal
PERSON_LEVEL = [discover().analysers["handoffs"](person_level=True)]


@parametrize_with_checks(BUILTINS)
def test_builtin_analysers_conform(analyser, check):
    check(analyser)


@parametrize_with_checks(PERSON_LEVEL)
def test_person_level_handoffs_conform(analyser, check):
    check(analyser)


@dataclass(frozen=True, kw_only=True)
class NamesPeople(Analyser):
    """Lists who did the most events, without saying it is about people."""

    name = "names_people"
    title = {"en": "Busiest", "nl": "Drukste"}

    def analyse(self, log):
        from ssc_mining.results import Column, Table

        top = log.frame["org:resource"].value_counts().head(3)
        return self.result(summary="", items=[Table("busiest", "Busiest", [Column("who"), Column("events")],
                                                    [[str(k), int(v)] for k, v in top.items()])])


@dataclass(frozen=True, kw_only=True)
class MarksButDoesNotDeclare(NamesPeople):
    name = "marks_only"

    def analyse(self, log):
        result = super().analyse(log)
        import dataclasses

        return dataclasses.replace(result, items=[dataclasses.replace(i, personal=True) for i in result.items])


@dataclass(frozen=True, kw_only=True)
class Raises(Analyser):
    name = "raises"
    title = {"en": "Raises", "nl": "Faalt"}

    def analyse(self, log):
        raise KeyError("concept:name")


@dataclass(frozen=True, kw_only=True)
class WrongType(Analyser):
    name = "wrong_type"
    title = {"en": "Wrong type", "nl": "Verkeerd type"}

    def analyse(self, log):
        return {"events": log.n_events}


@dataclass(frozen=True, kw_only=True)
class Mutates(Analyser):
    name = "mutates"
    title = {"en": "Mutates", "nl": "Wijzigt"}

    def analyse(self, log):
        log.frame["helper"] = 1
        return self.result(summary="", items=[Metric("n", "n", log.n_events)])


@dataclass(frozen=True, kw_only=True)
class OrderDependent(Analyser):
    name = "order_dependent"
    title = {"en": "First row", "nl": "Eerste regel"}

    def analyse(self, log):
        first = str(log.frame["ssc:source_row"].iloc[0]) if len(log.frame) else ""
        return self.result(summary=first, items=[])


@dataclass(frozen=True, kw_only=True)
class GroupsWrongly(Analyser):
    """Counts events; its segment hook counts the whole log's events for every segment."""

    name = "groups_wrongly"
    title = {"en": "Events", "nl": "Gebeurtenissen"}

    def analyse(self, log):
        return self.result(summary="", items=[Metric("events", "Events", log.n_events, unit="events",
                                                     description="events in the log", base=log.n_cases)])

    def analyse_segments(self, log, segments, keep):
        return {seg: (self.analyse(log), None) for seg in keep}


@dataclass(frozen=True, kw_only=True)
class CombinesWrongly(Analyser):
    """Runs in partitions, but takes the largest partition's count for the whole."""

    name = "combines_wrongly"
    title = {"en": "Tickets", "nl": "Meldingen"}

    def analyse(self, log):
        return self.combine([self.partial(log)], None)

    def partial(self, log):
        return log.n_cases

    def combine(self, parts, facts):
        return self.result(summary="", items=[Metric("tickets", "Tickets", max(parts), unit="cases",
                                                     description="tickets", base=max(parts))])


@pytest.mark.parametrize("analyser,check", [(Raises(), "returns_result"), (CombinesWrongly(), "partitions"),
                                            (WrongType(), "returns_result"),
                                            (Mutates(), "does_not_mutate"), (NamesPeople(), "people_marked"),
                                            (MarksButDoesNotDeclare(), "people_marked"),
                                            (GroupsWrongly(), "segments")])
def test_broken_analysers_are_caught_naming_the_check(analyser, check):
    with pytest.raises(AnalyserCheckError, match=f"check '{check}' failed for analyser '{analyser.name}'"):
        check_analyser(analyser)


def test_known_failures_are_declared_with_a_reason_and_must_still_fail():
    check_analyser(OrderDependent(), known_failures={"row_order": "demo"})
    with pytest.raises(AnalyserCheckError, match="known failure"):
        check_analyser(OrderDependent(), known_failures={"row_order": "demo", "json": "not really"})
    with pytest.raises(ValueError, match="unknown checks"):
        check_analyser(OrderDependent(), known_failures={"no_such_check": "x"})


def test_fixture_logs():
    assert fixture_log("small").n_cases == 40
    assert fixture_log("empty").n_events == 0
    assert {"metrics_defined", "findings_complete", "json", "renders", "deterministic"} <= set(CHECKS)
    assert len(CHECKS) == 17


_SEEN: list[int] = []   # module state shared by every run: what a thread-safe analyser must not have


@dataclass(frozen=True, kw_only=True)
class SharesState(Analyser):
    """Counts the cases in a module-level list: right alone, wrong when runs overlap."""

    name = "shares_state"
    title = {"en": "Cases", "nl": "Tickets"}

    def analyse(self, log):
        import time

        _SEEN.extend(range(log.cases.n))
        time.sleep(0.05)   # another run adds its cases meanwhile
        n = len(_SEEN)
        _SEEN.clear()
        return self.result(summary=str(n), items=[])


@dataclass(frozen=True, kw_only=True)
class SharesStateDeclared(SharesState):
    name = "shares_state_declared"
    thread_safe = False


def test_the_threads_check_catches_shared_state_and_trusts_a_declaration():
    with pytest.raises(AnalyserCheckError, match="check 'threads'.*thread_safe = False"):
        check_analyser(SharesState())
    check_analyser(SharesStateDeclared())   # runs on its own: passes


def test_an_analyser_that_is_not_thread_safe_runs_on_its_own_in_a_threaded_run():
    from ssc_mining.analysers.runner import run_analysers_deferred
    from ssc_mining.run_context import RunContext

    log = fixture_log()
    analysers = [SharesStateDeclared(), discover().analysers["variants"](), SharesStateDeclared()]
    results = run_analysers_deferred(log, analysers, context=RunContext.of(log, jobs=4))
    assert [r.summary for r in results if r.analyser == "shares_state_declared"] == [str(log.n_cases)] * 2
