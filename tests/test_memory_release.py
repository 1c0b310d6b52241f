"""What keeps the peak of a large report down beyond small codes: memory handed back between phases, one lookup
table of case ids shared by every per-case table, analyser tables freed when the analyser returns, and working
tables built in place (each checked against a plain reference where it computes something)."""

from __future__ import annotations

import sys
from collections import defaultdict

import pandas as pd
import pytest
from conftest import SAMPLES

from ssc_mining import memory
from ssc_mining.analysers.case_table import case_table
from ssc_mining.analysers.standardisation import Standardisation
from ssc_mining.analysers.toolkit import sorted_codes
from ssc_mining.discovery.variants import variant_table
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.report.explore import activity_tickets, arrow_tickets
from ssc_mining.report.model import figures_once
from ssc_mining.run_context import RunContext

SAMPLE = SAMPLES / "generic-events.csv"


def test_releasing_hands_memory_back_after_the_task_even_when_it_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(memory, "release_unused", lambda: calls.append("released"))
    assert memory.releasing(lambda: 42)() == 42
    assert calls == ["released"]

    def broken() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError):
        memory.releasing(broken)()
    assert calls == ["released", "released"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is part of glibc (Linux)")
def test_release_unused_finds_glibc_malloc_trim_and_runs() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":   # pragma: no cover - musl: nothing to trim with, by design
        assert memory._malloc_trim() is None
        return
    assert memory._malloc_trim() is not None
    memory.release_unused()   # returns nothing; it must not raise


def test_per_case_tables_share_the_lookup_table_of_case_ids() -> None:
    """Each pandas Index builds its own hash table of the ids on first lookup (about 50 MiB at 5M events, plus
    one Python string per ticket); the per-case tables use the log's one Index, so one table serves them all."""
    log = load(SAMPLE)
    ids = log.cases.ids
    assert variant_table(log).case_variant.index is ids
    assert Standardisation().per_case(log).index is ids
    table = case_table(log)
    assert table.index.name == "case" and table.index._cache is ids._cache   # a renamed view of the same Index
    assert table.index.equals(ids)
    assert ids.name == "case:concept:name"   # renaming the view left the shared Index as it was


def test_handoffs_and_reopens_leave_no_per_event_tables_on_the_log() -> None:
    log = load(SAMPLE)
    figures_once(log, RunContext.of(log, jobs=1))
    kept = {key if isinstance(key, str) else key[0] for key in log.__dict__.get("_computed", {})}
    assert not kept & {"handoffs", "reopens", "resubmission_chains"}
    assert {"case index", "markers", "variant_table"} <= kept   # shared ones stay: the check can fail


def _many_activities_log(n_activities: int) -> EventLog:
    """Tickets walking through more activities than a one-byte code numbers, some steps repeated."""
    rows = []
    for t in range(6):
        steps = [f"act {(t * 37 + k * (t + 1)) % n_activities:03d}" for k in range(60 + t)]
        steps += steps[:3]
        for k, act in enumerate(steps):
            rows.append({"case:concept:name": f"T{t}", "concept:name": act,
                         "time:timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(minutes=k)})
    return EventLog.from_frame(pd.DataFrame(rows))


def test_arrow_and_activity_tickets_with_many_activities_match_a_plain_count() -> None:
    log = _many_activities_log(300)
    arrows: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    acts: dict[str, set[str]] = defaultdict(set)
    for case, group in log.frame.groupby("case:concept:name", sort=False):
        seq = group["concept:name"].tolist()
        for a, b in zip([None, *seq], [*seq, None]):
            arrows[(a, b)].add(str(case))
        for a in seq:
            acts[a].add(str(case))
    ids = log.cases.ids
    got = arrow_tickets(log)
    cases = got.attrs["cases"]
    found = {(s, t): {str(ids[c]) for c in cases[f:f + n]}
             for s, t, f, n in zip(got["source"], got["target"], got["first"], got["tickets"])}
    assert found == dict(arrows)
    per_act = activity_tickets(log)
    cases = per_act.attrs["cases"]
    assert {a: {str(ids[c]) for c in cases[f:f + n]}
            for a, f, n in zip(per_act["activity"], per_act["first"], per_act["tickets"])} == dict(acts)


def _repeating_log(n_activities: int, n_teams: int) -> EventLog:
    """Tickets with repeated and looping activities over many activity and team names (more than a one-byte
    code numbers), coordination steps among them, some events without a team or a person."""
    rows = []
    for t in range(40):
        for k in range(25):
            act = ("Forward" if k % 6 == 2 else "Escalate" if k % 11 == 5
                   else f"act {(t * 7 + k // 2) % n_activities:03d}")
            rows.append({"case:concept:name": f"T{t:02d}", "concept:name": act,
                         "org:group": None if (t + k) % 9 == 0 else f"team {(t * 3 + k) % n_teams:03d}",
                         "org:resource": None if (t + k) % 13 == 0 else f"person {(t + k) % 17}",
                         "time:timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=k + t)})
    return EventLog.from_frame(pd.DataFrame(rows))


def test_sorted_codes_number_the_groups_of_a_groupby_on_the_texts() -> None:
    log = _repeating_log(300, 200)
    codes, values = sorted_codes(log, "org:group")
    assert codes.dtype == "int16"   # 200 teams: more than one byte holds
    column = log.frame["org:group"]
    assert list(values) == sorted(column.dropna().unique())
    assert ((codes >= 0) == column.notna().to_numpy()).all()
    known = codes >= 0
    assert (values.take(codes[known].astype("int64")) == column[known].to_numpy()).all()
    missing_codes, missing_values = sorted_codes(log, "no such column")
    assert (missing_codes == -1).all() and len(missing_values) == 0


def test_rework_per_activity_matches_a_plain_groupby_on_the_texts() -> None:
    from ssc_mining.analysers.reopens import Reopens, _rework

    log = _repeating_log(300, 200)
    table = Reopens(top=10_000).analyse(log).item("rework_by_activity").to_frame()
    flags = _rework(log)
    plain = (pd.DataFrame({"activity": log.frame["concept:name"].astype(object), "repeats": flags["repeat"],
                           "self_loops": flags["self_loop"], "redo": flags["redo"]})
             .groupby("activity").sum().reset_index())
    plain = plain[plain["repeats"] > 0].sort_values(["repeats", "activity"], ascending=[False, True], kind="stable")
    assert len(table) > 100   # the check can fail
    assert table.values.tolist() == plain.values.tolist()


def test_coordination_per_activity_and_team_match_plain_groupbys_on_the_texts() -> None:
    from ssc_mining.analysers.coordination import Coordination

    log = _repeating_log(300, 200)
    analyser = Coordination().for_log(log)
    result = analyser.analyse(log)
    data = analyser._compute(log)
    coord, gap = data["coord"], data["gap"]
    frame = log.frame.assign(coord=coord, hours=gap / 3600)
    per_act = frame.groupby("concept:name").agg(events=("hours", "size"), hours=("hours", "sum"))
    got = result.item("by_activity").to_frame().set_index("activity")
    assert len(got) == len(per_act) > 200
    assert got["events"].to_dict() == per_act["events"].to_dict()
    assert got["hours"].to_dict() == per_act["hours"].round(2).to_dict()
    assert set(result.caveats[0].split(": ", 1)[1].split(" (read as")[0].split(", ")) == \
        set(frame.loc[coord, "concept:name"])
    teams = frame.dropna(subset=["org:group"]).groupby("org:group")
    plain = pd.DataFrame({"events": teams.size(), "people": teams["org:resource"].nunique()})
    got = result.item("by_team").to_frame().set_index("team")
    assert len(got) > 15 or len(got) == len(plain)
    for team, row in got.iterrows():
        if team in plain.index:
            assert (int(row["events"]), int(row["people"])) == tuple(plain.loc[team, ["events", "people"]])


def _pool_after_cli(env_pool: str | None) -> str:
    import os
    import subprocess
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if env_pool:
        env["ARROW_DEFAULT_MEMORY_POOL"] = env_pool
    code = ("import pyarrow as pa\nfrom click.testing import CliRunner\nfrom ssc_mining.cli import main\n"
            "assert CliRunner().invoke(main, ['analysers']).exit_code == 0\n"
            "print(pa.default_memory_pool().backend_name)")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_command_line_lets_arrow_allocate_with_malloc_unless_a_pool_was_chosen() -> None:
    """`ssc-mining` moves Arrow to the C library's allocator (which gives memory back more completely); a pool
    chosen through Arrow's own environment variable is left as chosen."""
    assert _pool_after_cli(None) == "system"
    assert _pool_after_cli("mimalloc") == "mimalloc"


def test_building_the_log_takes_the_raw_columns_over_and_keeps_the_counts() -> None:
    """The raw table's columns are let go (a large export is not held twice); its rows still count, and the
    log is the one built from an untouched copy."""
    import numpy as np

    from ssc_mining.loaders.build import build_event_log
    from ssc_mining.loaders.raw import RawTable
    frame = pd.DataFrame({"c": ["2", "1", None, "2"], "a": ["x", "y", "z", "w"], "team": ["t", "u", "t", " "],
                          "extra": ["1", "2", "3", "4"],
                          "t": ["2024-01-02 10:00", "2024-01-01 10:00", "2024-01-01 09:00", "2024-01-01 08:00"]},
                         dtype="str")
    mapping = {"case": "c", "activity": "a", "timestamp": "t", "team": "team", "org": "team"}
    raw = RawTable(frame.copy(), np.array([2, 3, 4, 5]), reader="csv")
    log = build_event_log(raw, mapping, source=None)
    assert list(raw.frame.columns) == [] and raw.rows_read == 4
    assert log.provenance.rows_used + log.provenance.rows_quarantined == 4
    # the same column mapped twice is read for both roles before it is let go
    teams = [log.frame[column].fillna("-").tolist() for column in (C.TEAM, C.ORGANISATION)]
    assert teams == [["-", "t", "u"]] * 2   # the blank team is missing, like any blank text
    assert log.frame[C.ACTIVITY].tolist() == ["w", "x", "y"] and log.frame["extra"].tolist() == ["4", "1", "2"]
    assert log.quarantine["source_row"].tolist() == [4]


def test_sorting_by_moving_the_columns_gives_the_same_frame() -> None:
    from ssc_mining.eventlog.log import sort_events
    log = load(SAMPLE)
    shuffled = log.frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    expected = sort_events(shuffled.copy())
    moved_from = shuffled.copy()
    got = sort_events(moved_from, consume=True)
    pd.testing.assert_frame_equal(got, expected)
    assert list(moved_from.columns) == []
