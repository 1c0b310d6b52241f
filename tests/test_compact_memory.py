"""What keeps a large report's memory down: small integer codes in the shared per-event tables (without a
number overflowing), and a report that pseudonymises first so the columns with the names can be freed."""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES

from ssc_mining.analysers.handoffs import handover_graph
from ssc_mining.analysers.toolkit import changes, code_dtype, value_codes
from ssc_mining.discovery.dfg import directly_follows, log_steps
from ssc_mining.eventlog import EventLog
from ssc_mining.loaders import load
from ssc_mining.privacy import PrivacySettings, Pseudonymiser, pseudonymise_log
from ssc_mining.report.writer import write_reports

SAMPLE = SAMPLES / "generic-events.csv"


@pytest.mark.parametrize("n", [0, 1, 124, 125, 126, 127, 128, 255, 32_764, 32_765, 32_766, 70_000])
def test_code_types_hold_every_code_and_one_more(n: int) -> None:
    dtype = code_dtype(n)
    assert np.iinfo(dtype).min <= -1 and n + 1 <= np.iinfo(dtype).max
    smaller = {np.dtype(np.int16): np.int8, np.dtype(np.int32): np.int16, np.dtype(np.int64): np.int32}.get(dtype)
    if smaller is not None:  # and it is the smallest that does
        assert n + 2 > np.iinfo(smaller).max


def _chain_log(n_teams: int) -> EventLog:
    """Two tickets passed along many teams (more than a one-byte code can number), with returns."""
    teams = [f"team {i:03d}" for i in range(n_teams)]
    rows = []
    for case, order in (("a", teams), ("b", teams[::-1] + teams[:5])):
        for k, team in enumerate(order):
            rows.append({"case:concept:name": case, "concept:name": f"step {k % 7}", "org:group": team,
                         "org:resource": f"person {k % 150}",
                         "time:timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(minutes=k)})
    return EventLog.from_frame(pd.DataFrame(rows))


def test_handover_graph_with_more_teams_than_one_byte_holds_matches_a_plain_count() -> None:
    log = _chain_log(300)
    codes, labels = value_codes(log.frame, "org:group")
    assert codes.dtype == np.int16
    graph = handover_graph(codes, labels, changes(codes, log.cases))
    expected: Counter[tuple[str, str]] = Counter()
    for _case, group in log.frame.groupby("case:concept:name", sort=False):
        teams = group["org:group"].tolist()
        expected.update((a, b) for a, b in zip(teams, teams[1:]) if a != b)
    got = {(a, b): int(d["weight"]) for a, b, d in graph.edges(data=True)}
    assert got == dict(expected)


def test_directly_follows_with_many_activities_matches_a_plain_count() -> None:
    rows = [{"case:concept:name": f"c{c}", "concept:name": f"activity {(c * 7 + k) % 400}",
             "time:timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(minutes=k)}
            for c in range(30) for k in range(40)]
    log = EventLog.from_frame(pd.DataFrame(rows))
    assert log_steps(log).act.dtype == np.int16
    expected: Counter[tuple[str, str]] = Counter()
    for _case, group in log.frame.groupby("case:concept:name", sort=False):
        acts = group["concept:name"].tolist()
        expected.update(zip(acts, acts[1:]))
    dfg = directly_follows(log)
    got = {(s, t): int(n) for s, t, n in dfg.edges[["source", "target", "events"]].itertuples(index=False)}
    assert got == dict(expected)


def test_the_shared_per_event_tables_use_small_codes() -> None:
    log = load(SAMPLE)
    m = log.markers
    assert {m.role.dtype, m.state.dtype, m.prev_state.dtype} == {np.dtype(np.int8)}
    steps = log_steps(log)
    assert steps.act.itemsize == 1 and steps.at.itemsize == 4


def test_a_log_pseudonymised_by_the_caller_gives_the_same_report(tmp_path: Path) -> None:
    """`ssc-mining report` pseudonymises before the analysis, so it can let go of the names; the files equal
    those of write_reports pseudonymising itself (nothing is pseudonymised twice)."""
    key = Pseudonymiser(b"k" * 32)
    log = load(SAMPLE)
    original = weakref.ref(log.frame)
    write_reports(log, tmp_path / "inside", run_date="2026-01-01", privacy=PrivacySettings(), pseudonymiser=key)
    early = pseudonymise_log(log, key)
    del log
    gc.collect()
    assert original() is None   # the frame with the names is gone once the caller lets go of it
    assert early.pseudonymised and pseudonymise_log(early, Pseudonymiser(b"x" * 32)) is early  # never twice
    write_reports(early, tmp_path / "first", run_date="2026-01-01", privacy=PrivacySettings(), pseudonymiser=key)
    for name in ("generic-events.json", "generic-events.html"):
        assert (tmp_path / "inside" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()


@pytest.mark.parametrize("tz", ["UTC", "Europe/Amsterdam", "America/Sao_Paulo", "Asia/Beirut", "Pacific/Chatham"])
def test_month_codes_give_the_months_of_month_numbers(tz: str) -> None:
    """Around daylight-saving changes too (Beirut and São Paulo changed their clocks at midnight)."""
    from ssc_mining.analysers.toolkit import month_codes, month_numbers

    rng = np.random.default_rng(7)
    base = pd.Timestamp("2015-01-01", tz="UTC").value // 1000
    micros = base + rng.integers(0, 10 * 365 * 86_400_000_000, 20_000)
    edges = [pd.Timestamp(f"{y}-{m:02d}-01", tz=tz).tz_convert("UTC").value // 1000 + d
             for y in (2016, 2019) for m in (1, 3, 4, 10, 11) for d in (-1, 0, 1)]  # around the months' starts
    times = pd.Series(pd.to_datetime(np.r_[micros, edges], unit="us", utc=True))
    times[::97] = pd.NaT
    codes, months = month_codes(times, tz)
    expected = month_numbers(times, tz)
    assert np.array_equal(np.where(codes >= 0, months[np.maximum(codes, 0)], -1), expected)
    known = expected[expected >= 0]
    assert codes.itemsize <= 2 and months[0] == known.min() and months[-1] == known.max()
    assert len(months) == len(pd.period_range(str(known.min())[:4] + "-" + str(known.min())[4:],
                                              str(known.max())[:4] + "-" + str(known.max())[4:], freq="M"))


def test_the_business_clock_in_slices_equals_the_clock_in_one_go(monkeypatch: pytest.MonkeyPatch) -> None:
    import ssc_mining.business_calendar as bc

    rng = np.random.default_rng(3)
    micros = pd.Timestamp("2023-12-20", tz="UTC").value // 1000 + rng.integers(0, 400 * 86_400_000_000, 3_000)
    times = pd.Series(pd.to_datetime(micros, unit="us", utc=True))
    times[::50] = pd.NaT
    priority = rng.choice(["1", "2", "3", None], len(times))
    calendar = bc.BusinessCalendar(per_priority={"1": "24/7", "2": "07:00-19:00"})
    whole = calendar.clock(times, priority)
    monkeypatch.setattr(bc, "_CLOCK_ROWS", 7)
    sliced = calendar.clock(times, priority)
    assert np.array_equal(whole, sliced, equal_nan=True) and np.isnan(whole).sum() == 60
    assert len(np.unique(np.round(np.diff(whole[~np.isnan(whole)]), 6))) > 100   # a clock that moves


@pytest.mark.parametrize("n, top", [(1, 0), (2, 5), (1_000, 7), (50_000, 10**9), (3_000, 2**61)])
def test_repeated_keys_as_a_hash_table_finds_them(n: int, top: int) -> None:
    """Packed and sorted, or (keys too large to pack with the row number) hashed: the same flags."""
    from ssc_mining.eventlog.cases import repeated

    keys = np.random.default_rng(n).integers(0, top + 1, n)
    assert np.array_equal(repeated(keys), pd.Series(keys).duplicated(keep="first").to_numpy())
    if n > 1_000:
        assert repeated(keys).any() == (len(np.unique(keys)) < n)
