"""Comparisons: segments side by side, differences and the stated tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import load_real
from scipy.stats import mannwhitneyu

from ssc_mining.analysers.compare import Comparison, compare, mann_whitney, sub_log, two_proportion_z
from ssc_mining.analysers.standardisation import Standardisation
from ssc_mining.analysers.waiting import Waiting
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.simulate import SimulationConfig, simulate


def test_two_proportion_z_by_hand():
    z, p = two_proportion_z(30, 100, 50, 100)
    pooled = 0.4
    expected = (0.3 - 0.5) / math.sqrt(pooled * 0.6 * (2 / 100))
    assert z == pytest.approx(expected) and p == pytest.approx(math.erfc(abs(expected) / math.sqrt(2)))
    assert two_proportion_z(0, 0, 1, 2) == (pytest.approx(float("nan"), nan_ok=True), 1.0)
    a, b = np.arange(20.0), np.arange(10.0, 30.0)
    assert mann_whitney(a, b)[1] == pytest.approx(mannwhitneyu(a, b, alternative="two-sided").pvalue)


def planted(n: int, share_a: float, share_b: float) -> EventLog:
    """Two mothers; a share of each one's cases take the standard path a→b, the others a→c→b."""
    rows = []
    for mother, share in (("A", share_a), ("B", share_b)):
        for k in range(n):
            acts = ["a", "b"] if k < share * n else ["a", "c", "b"]
            for j, act in enumerate(acts):
                rows.append((f"{mother}{k}", act, pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=j),
                             mother))
    return EventLog.from_frame(pd.DataFrame(rows, columns=[C.CASE, C.ACTIVITY, C.TIMESTAMP, C.MOTHER]))


def test_a_planted_difference_is_significant_and_no_difference_is_not():
    diff = compare(Standardisation(), planted(200, 0.9, 0.6), "mother", metrics=("standard_share",)).table
    assert diff.loc[0, "difference"] == pytest.approx(-0.3) and diff.loc[0, "significant"]
    assert diff.loc[0, "test"] == "two-proportion z-test"
    same = compare(Standardisation(), planted(200, 0.7, 0.7), "mother", metrics=("standard_share",)).table
    assert same.loc[0, "difference"] == 0 and not same.loc[0, "significant"]


@pytest.fixture(scope="module")
def sim_log():
    return EventLog.from_frame(simulate(SimulationConfig(seed=16, cases=1500)).events)


def test_segment_values_equal_running_the_analyser_on_the_segment(sim_log):
    c = compare(Waiting(), sim_log, "mother", metrics=("waiting_share", "share_cases_waited"))
    frame = sim_log.frame
    for seg in c.cases:
        alone = Waiting().analyse(sub_log(sim_log, (frame[C.MOTHER] == seg).to_numpy()))
        assert c.wide.loc["waiting_share", seg] == alone.item("waiting_share").value
    assert c.reference == max(c.cases, key=c.cases.get)
    assert set(c.table["test"]) == {"two-proportion z-test", "Mann–Whitney U"}
    a = Waiting().case_values(sub_log(sim_log, (frame[C.MOTHER] == c.table.loc[0, "segment"]).to_numpy()))
    b = Waiting().case_values(sub_log(sim_log, (frame[C.MOTHER] == c.reference).to_numpy()))
    row = c.table[(c.table["metric"] == "waiting_share")].iloc[0]
    assert row["p_value"] == pytest.approx(mannwhitneyu(a["waiting_share"].dropna(), b["waiting_share"].dropna(),
                                                        alternative="two-sided").pvalue, abs=1e-6)


def test_before_and_after_a_date_and_bad_segments(sim_log):
    c = compare(Waiting(), sim_log, "2024-07-01", metrics=("waiting_share",))
    assert list(c.cases) == ["before 2024-07-01", "from 2024-07-01"] and c.reference == "before 2024-07-01"
    firsts = sim_log.frame.groupby(C.CASE)[C.TIMESTAMP].min()
    assert c.cases["before 2024-07-01"] == (firsts < pd.Timestamp("2024-06-30 22:00", tz="UTC")).sum()
    with pytest.raises(ConfigError):
        compare(Waiting(), sim_log, "no such column")
    result = Comparison(analyser="deliveries", segment="category",
                        metrics=("sla_compliance", "median_days_late")).analyse(sim_log)
    assert result.status == "ok" and result.item("segments").value >= 8
    assert result.params["segment"] == "category"


@pytest.mark.realdata
def test_real_logs_segment_by_channel_or_say_what_is_missing():
    log = load_real("receipt-wabo", "receipt.csv")
    skipped = Comparison().analyse(log)
    assert skipped.status == "skipped" and C.MOTHER in skipped.reason
    assert log.provenance.mapping.get("channel") == "case:channel"   # proposed from the XES case attribute
    result = Comparison(segment="channel", metrics=("standard_share",)).analyse(log)
    assert result.status == "ok"
    per_channel = {}
    for _case, events in log.frame.groupby(C.CASE, sort=False):
        per_channel.setdefault(events[C.CHANNEL].iloc[0], 0)
        per_channel[events[C.CHANNEL].iloc[0]] += 1
    rows = {r[0]: r[1] for r in result.item("segment_cases").rows}
    assert rows == {k: v for k, v in per_channel.items() if k in rows}
    assert len(rows) == min(len(per_channel), 8)


class _PerSegment(Standardisation):
    """The standardisation without its group-by: the comparison falls back to one run per segment."""

    def analyse_segments(self, log, segments, keep):
        return None


@pytest.mark.realdata
@pytest.mark.parametrize("split", ["mother", "channel", "date"])
def test_segments_as_group_bys_give_what_one_run_per_segment_gives(sim_log, split):
    logs = [sim_log, load_real("receipt-wabo", "receipt.csv")]
    for log in logs:
        middle = log.frame[C.TIMESTAMP].sort_values().iloc[len(log.frame) // 2]
        segment = middle.date().isoformat() if split == "date" else split
        if segment == "mother" and C.MOTHER not in log.frame.columns:
            continue
        if segment == "channel" and C.CHANNEL not in log.frame.columns:
            continue
        grouped = compare(Standardisation(), log, segment)
        assert Standardisation().pinned(log).analyse_segments(log, pd.Series(dtype=object), []) is not None
        alone = compare(_PerSegment(), log, segment)
        assert grouped.cases == alone.cases and len(grouped.cases) >= 2
        pd.testing.assert_frame_equal(grouped.table, alone.table)
        pd.testing.assert_frame_equal(grouped.wide, alone.wide)
        for seg in grouped.cases:
            assert grouped.results[seg].to_dict() == alone.results[seg].to_dict()
