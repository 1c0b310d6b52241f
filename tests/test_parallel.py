"""Parts of a run side by side on threads: same results in the same order, each shared figure computed once,
the caller's settings inside every part, and the same report files whatever the number of threads."""

from __future__ import annotations

import io
import pickle
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ssc_mining._pm4py import quiet
from ssc_mining.analysers import discover, run_analysers_deferred
from ssc_mining.cli import main
from ssc_mining.eventlog import EventLog
from ssc_mining.i18n import current_language, language
from ssc_mining.loaders import load
from ssc_mining.parallel import side_by_side
from ssc_mining.privacy import PrivacySettings, Pseudonymiser
from ssc_mining.progress import phase, timings
from ssc_mining.report.writer import write_reports
from ssc_mining.run_context import RunContext

SAMPLE = Path(__file__).parent.parent / "data" / "samples" / "generic-events.csv"


def test_results_come_in_the_given_order_whichever_ends_first() -> None:
    def slow(value: int, seconds: float):
        return lambda: (time.sleep(seconds), value)[1]

    assert side_by_side([slow(1, 0.2), slow(2, 0.0), slow(3, 0.1)], jobs=3) == [1, 2, 3]


def test_every_part_runs_with_the_callers_settings() -> None:
    with language("nl"):
        seen = side_by_side([current_language, current_language], jobs=2)
    assert seen == ["nl", "nl"]


def test_the_first_failing_part_is_raised_after_every_part_ended() -> None:
    ended: list[str] = []

    def fails(name: str):
        def run() -> None:
            ended.append(name)
            raise ValueError(name)
        return run

    def slow() -> None:
        time.sleep(0.2)
        ended.append("slow")

    with pytest.raises(ValueError, match="first"):
        side_by_side([slow, fails("first"), fails("second")], jobs=3)
    assert sorted(ended) == ["first", "second", "slow"]


def test_a_shared_figure_is_computed_once_when_many_threads_ask_at_once() -> None:
    log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
                                            "time:timestamp": pd.to_datetime(["2024-01-01"], utc=True)}))
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to ask before the first is done
        return 42

    assert side_by_side([lambda: log.computed("slow", compute)] * 6, jobs=6) == [42] * 6
    assert len(calls) == 1
    assert pickle.loads(pickle.dumps(log)).computed("slow", compute) == 42  # pickled without its locks
    assert len(calls) == 1


def test_silenced_pm4py_calls_on_two_threads_leave_the_streams_as_they_were() -> None:
    before = sys.stdout, sys.stderr
    started = threading.Barrier(2, timeout=5)

    def silenced() -> None:
        try:
            started.wait()  # both threads try to silence at the same moment
        except threading.BrokenBarrierError:
            pass
        with quiet():
            print("never shown")
            time.sleep(0.02)

    side_by_side([silenced, silenced], jobs=2)
    assert (sys.stdout, sys.stderr) == before


def test_phases_run_side_by_side_nest_under_the_phase_that_started_them() -> None:
    def part(name: str):
        def run() -> None:
            with phase(name):
                time.sleep(0.01)
        return run

    with timings() as done:
        with phase("outer"):
            side_by_side([part("a"), part("b")], jobs=2)
    assert sorted((name, depth) for name, depth, _ in done) == [("a", 1), ("b", 1), ("outer", 0)]


def test_analysers_on_several_threads_give_what_one_thread_gives() -> None:
    log = load(SAMPLE)
    analysers = [cls() for cls in discover().analysers.values()]
    one = run_analysers_deferred(log, analysers, context=RunContext.of(log, jobs=1))
    log = load(SAMPLE)  # nothing shared computed yet: the threads race for it
    four = run_analysers_deferred(log, analysers, context=RunContext.of(log, jobs=4))
    assert [r.to_dict() for r in four] == [r.to_dict() for r in one]
    assert [r.analyser for r in four] == [a.name for a in analysers]


def test_the_report_files_are_the_same_bytes_for_one_thread_and_for_four(tmp_path: Path) -> None:
    key = b"k" * 32
    files = {}
    for jobs in (1, 4):
        write_reports(load(SAMPLE), tmp_path / str(jobs), langs=("en", "nl"), run_date="2026-01-01",
                      privacy=PrivacySettings(), pseudonymiser=Pseudonymiser(key), jobs=jobs)
        files[jobs] = {p.name: p.read_bytes() for p in sorted((tmp_path / str(jobs)).iterdir())}
    assert sorted(files[1]) == sorted(files[4])
    assert len(files[1]) >= 5  # two HTML, two JSON, the checksums
    for name in files[1]:
        assert files[1][name] == files[4][name], name


def test_the_cli_refuses_a_number_of_threads_below_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(SAMPLE), "-o", str(tmp_path), "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.output and "0" in result.output


def test_the_number_of_threads_is_not_recorded_so_runs_compare_equal(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["analyse", str(SAMPLE), "--json", str(tmp_path / "r.json"), "--jobs", "1",
                                       "--analysers", "throughput"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert '"jobs"' not in text and '"--jobs' not in text
    assert '"throughput"' in text


def test_progress_lines_are_not_swallowed_by_a_silenced_call_on_another_thread() -> None:
    from ssc_mining import progress

    shown = io.StringIO()
    real = sys.stderr
    sys.stderr = shown  # the terminal the progress display binds to
    try:
        terminal = progress._Terminal()
    finally:
        sys.stderr = real
    with quiet():  # a pm4py call elsewhere redirects the process's streams
        with terminal.phase("analyser x"):
            pass
    assert "analyser x" in shown.getvalue()


def test_a_small_log_is_analysed_on_one_thread_and_a_large_one_on_several() -> None:
    from ssc_mining.parallel import THREADS_FROM_EVENTS, auto_jobs, default_jobs

    small = load(SAMPLE)
    assert small.n_events < THREADS_FROM_EVENTS
    assert RunContext.of(small).jobs == 1
    assert RunContext.of(small, jobs=3).jobs == 3  # asked for: kept
    assert auto_jobs(THREADS_FROM_EVENTS) == default_jobs() >= 1


def test_pseudonymising_columns_side_by_side_gives_what_one_thread_gives() -> None:
    from ssc_mining.privacy import pseudonymise_log

    log = load(SAMPLE)
    key = Pseudonymiser(b"k" * 32)
    one, four = pseudonymise_log(log, key, jobs=1), pseudonymise_log(log, key, jobs=4)
    pd.testing.assert_frame_equal(one.frame, four.frame)
    assert one.frame["org:resource"].str.startswith("P-").all()
    assert not one.frame["org:resource"].equals(log.frame["org:resource"])


def test_a_report_runs_an_analyser_that_is_not_thread_safe_on_its_own(tmp_path: Path) -> None:
    import json
    from dataclasses import dataclass

    from ssc_mining.analysers import Analyser

    running: list[int] = []

    @dataclass(frozen=True, kw_only=True)
    class Alone(Analyser):
        name = "alone"
        title = {"en": "Alone", "nl": "Alleen"}
        thread_safe = False

        def analyse(self, log):
            running.append(1)
            time.sleep(0.05)
            overlapping = len(running)
            running.clear()
            return self.result(summary=f"{overlapping} at once, {threading.current_thread().name}", items=[])

    analysers = [Alone(), discover().analysers["variants"](), Alone()]
    [paths] = write_reports(load(SAMPLE), tmp_path, analysers=analysers, jobs=4, privacy=PrivacySettings(),
                            pseudonymiser=Pseudonymiser(b"k" * 32))
    data = json.loads(paths.json.read_text(encoding="utf-8"))
    summaries = [r["summary"] for r in data["analysers"] if r["analyser"] == "alone"]
    assert summaries == ["1 at once, MainThread"] * 2


def test_the_warm_up_fills_the_report_caches_and_ends() -> None:
    from ssc_mining.report.results_html import _template
    from ssc_mining.report.templating import environment
    from ssc_mining.report.warmup import warm_up

    environment.cache_clear()
    _template.cache_clear()
    thread = warm_up()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert environment.cache_info().currsize == 1 and _template.cache_info().currsize == 1
    assert "report.html.j2" in str(environment().cache.keys() if environment().cache is not None else "")
