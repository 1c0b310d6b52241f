"""Discovery: maps equal pm4py's DFG, abstraction keeps exactly the share asked, the inductive miner's
coverage, and conformance finds every deviation planted in a simulated log."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES, load_real, run_cli

from ssc_mining._pm4py import import_pm4py, quiet
from ssc_mining.discovery import directly_follows
from ssc_mining.discovery.conformance import check_conformance, read_reference
from ssc_mining.discovery.inductive import discover_model
from ssc_mining.discovery.variants import variant_table
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.report.process_map import MapSettings, filter_map, render_svg

REFERENCE = SAMPLES / "reference-process.bpmn"
SHARES = (0.5, 0.8, 0.9, 0.95, 0.99, 1.0)


def assert_exact(fm, dfg, settings: MapSettings) -> None:
    """The kept activities / paths are the smallest most-frequent prefix reaching the share asked."""
    nodes = dfg.nodes.sort_values(["events", "activity"], ascending=[False, True], kind="stable")
    total = nodes["events"].sum()
    kept = fm.dfg.nodes
    assert list(kept["activity"]) == list(nodes["activity"].head(len(kept)))  # a most-frequent prefix
    share = kept["events"].sum() / total
    assert share == pytest.approx(fm.activity_share)
    if not fm.capped:
        assert share >= settings.activity_coverage - 1e-12
        assert len(kept) == 1 or (share - kept["events"].iloc[-1] / total) < settings.activity_coverage
    keep = set(kept["activity"])
    inner = dfg.edges[dfg.edges["source"].isin(keep) & dfg.edges["target"].isin(keep)]
    ranked = inner.sort_values(["events", "source", "target"], ascending=[False, True, True], kind="stable")
    chosen = ranked.head(fm.paths_by_coverage)
    inner_total = inner["events"].sum()
    path_share = chosen["events"].sum() / inner_total
    assert path_share == pytest.approx(fm.path_share)
    assert path_share >= settings.path_coverage - 1e-12
    assert len(chosen) <= 1 or path_share - chosen["events"].iloc[-1] / inner_total < settings.path_coverage
    shown = set(zip(fm.dfg.edges["source"], fm.dfg.edges["target"]))
    assert shown == set(zip(chosen["source"], chosen["target"])) | set(fm.paths_added)
    if not settings.connect:
        assert fm.paths_added == []


@pytest.mark.realdata
@pytest.mark.parametrize("folder,file", [("helpdesk-full", "helpdesk.csv"),
                                          ("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")])
def test_map_equals_pm4py_and_keeps_exactly_the_share_asked(folder: str, file: str):
    log = load_real(folder, file)
    pm4py = import_pm4py()
    with quiet():
        dfg_pm, starts, ends = pm4py.discover_dfg(log.frame)
    dfg = directly_follows(log)
    full = filter_map(dfg, MapSettings(activity_coverage=1.0, path_coverage=1.0, max_activities=10_000))
    activities = set(log.frame[C.ACTIVITY].unique())
    assert set(full.dfg.nodes["activity"]) == activities
    assert {(s, t): int(n) for s, t, n in full.dfg.edges[["source", "target", "events"]].itertuples(index=False)} \
        == dict(dfg_pm)
    assert dict(full.dfg.starts.astype(int)) == dict(starts) and dict(full.dfg.ends.astype(int)) == dict(ends)
    svg = render_svg(full.dfg)
    loops = int((full.dfg.edges["source"] == full.dfg.edges["target"]).sum())
    assert svg.count('class="pm-node"') == len(activities)
    assert svg.count('class="pm-edge"') == len(dfg_pm) - loops
    assert svg.count('class="pm-edge pm-loop"') == loops
    assert svg.count('class="pm-edge pm-boundary"') == len(starts) + len(ends)
    for a in SHARES:
        for p in SHARES:
            for connect in (True, False):
                settings = MapSettings(activity_coverage=a, path_coverage=p, connect=connect, max_activities=10_000)
                assert_exact(filter_map(dfg, settings), dfg, settings)


def test_filter_is_exact_on_ties_and_states_the_cap():
    nodes = pd.DataFrame({"activity": list("ABCD"), "events": [10, 10, 10, 10], "cases": 1})
    edges = pd.DataFrame({"source": list("ABC"), "target": list("BCD"), "events": [5, 3, 2], "cases": 1,
                          "median_seconds": 1.0, "mean_seconds": 1.0})
    from ssc_mining.discovery.dfg import DirectlyFollows
    dfg = DirectlyFollows(nodes, edges, pd.Series({"A": 1}), pd.Series({"D": 1}))
    fm = filter_map(dfg, MapSettings(activity_coverage=0.5, path_coverage=0.5))
    assert list(fm.dfg.nodes["activity"]) == ["A", "B"]          # exactly 50 %: two of four, ties by name
    assert fm.paths_by_coverage == 1 and fm.path_share == 1.0    # A→B is the only path between A and B
    fm = filter_map(dfg, MapSettings(activity_coverage=1.0, path_coverage=0.5, connect=False))
    assert fm.paths_by_coverage == 1 and fm.path_share == 0.5 and fm.paths_added == []
    fm = filter_map(dfg, MapSettings(activity_coverage=1.0, path_coverage=0.5))
    assert fm.paths_added == [("B", "C"), ("C", "D")]              # so that B and C do not float
    assert "2 more paths were added" in fm.note()
    capped = filter_map(dfg, MapSettings(activity_coverage=1.0, max_activities=3))
    assert capped.capped and capped.activities_kept == 3 and "cut at 3 activities" in capped.note()


def test_inductive_miner_states_its_coverage_and_exports(tmp_path):
    result = run_cli("discover", SAMPLES / "generic-events.csv", "--bpmn", tmp_path / "m.bpmn",
                     "--pnml", tmp_path / "m.pnml", "--coverage", "0.8", "--svg", tmp_path / "map.svg")
    assert result.returncode == 0, result.stderr
    assert "PM4Py" not in result.stdout + result.stderr and "Welcome" not in result.stdout + result.stderr
    stated = re.search(r"which cover (\d+\.\d) % of the tickets \(asked: 80 %\)", result.stdout)
    assert stated and float(stated.group(1)) >= 80.0
    bpmn_text = (tmp_path / "m.bpmn").read_text()
    assert stated.group(0) in bpmn_text and "bpmndi:BPMNShape" in bpmn_text
    assert stated.group(0) in (tmp_path / "m.pnml").read_text()
    pm4py = import_pm4py()
    with quiet():
        net, im, fm = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(tmp_path / "m.bpmn")))
        net2, im2, fm2 = pm4py.read_pnml(str(tmp_path / "m.pnml"))
    labels = {t.label for t in net.transitions if t.label}
    assert labels == {t.label for t in net2.transitions if t.label} and "Register" in labels
    svg = (tmp_path / "map.svg").read_text()
    assert svg.startswith("<?xml") and "asked: 90 %" in svg


def test_inductive_miner_uses_the_variants_covering_the_share():
    log = load(SAMPLES / "generic-events.csv")
    table = variant_table(log)
    model = discover_model(table, coverage=0.5)
    assert model.variants_used == table.covering(0.5)
    assert model.case_share >= 0.5 > table.counts[: model.variants_used - 1].sum() / table.n_cases
    assert discover_model(table, coverage=1.0, max_variants=3).variants_used == 3


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    from ssc_mining.simulate import SimulationConfig, simulate

    return simulate(SimulationConfig(seed=11, cases=600)).events


def _plant(events: pd.DataFrame) -> tuple[pd.DataFrame, dict[tuple[str, str], set[str]]]:
    """Plant deviations in disjoint sets of cases; returns the log and which cases got which."""
    rng = np.random.default_rng(5)
    frame = events.copy()
    by_case = frame.groupby(C.CASE)[C.ACTIVITY].agg(set)
    purchase = sorted(c for c, acts in by_case.items() if "Order" in acts)
    other = sorted(c for c, acts in by_case.items() if "Order" not in acts)
    no_approve = set(rng.choice(purchase, 12, replace=False))
    rest = list(other)
    rng.shuffle(rest)
    no_intake, unknown, no_close = set(rest[:9]), set(rest[9:16]), set(rest[16:21])
    drop = ((frame[C.CASE].isin(no_approve) & (frame[C.ACTIVITY] == "Approve"))
            | (frame[C.CASE].isin(no_intake) & (frame[C.ACTIVITY] == "Intake"))
            | (frame[C.CASE].isin(no_close) & (frame[C.ACTIVITY] == "Close")))
    frame = frame[~drop]
    firsts = frame[frame[C.CASE].isin(unknown)].groupby(C.CASE).head(1).copy()
    firsts[C.ACTIVITY] = "Pay invoice"
    firsts[C.TIMESTAMP] = firsts[C.TIMESTAMP] + pd.Timedelta(seconds=1)
    frame = pd.concat([frame, firsts], ignore_index=True)
    planted = {("skipped", "Approve"): no_approve, ("skipped", "Intake"): no_intake,
               ("unknown", "Pay invoice"): unknown, ("skipped", "Close"): no_close}
    return frame, planted


def test_conformance_on_the_simulator_log_finds_each_planted_deviation(simulated):
    reference = read_reference(REFERENCE)
    clean = check_conformance(EventLog.from_frame(simulated), reference)
    assert clean.cases_checked == simulated[C.CASE].nunique()
    assert (clean.cases["fitness"] == 1.0).all() and clean.deviations.empty

    frame, planted = _plant(simulated)
    result = check_conformance(EventLog.from_frame(frame), reference)
    fitness = result.cases.set_index("case")["fitness"]
    deviant = set().union(*planted.values())
    assert (fitness.drop(sorted(deviant)) == 1.0).all()               # conforming cases fit exactly
    assert (fitness.loc[sorted(deviant)] < 1.0).all()
    found = {(k, a): n for k, a, n, _s in result.deviations.itertuples(index=False)}
    assert found == {key: len(cases) for key, cases in planted.items()}  # each one, with its exact count
    per_case = result.variants.set_index("variant")["deviations"]
    for key, cases in planted.items():
        for case in cases:
            assert per_case[result.cases.set_index("case").loc[case, "variant"]] == [key]
    texts = [d["text"] for d in result.deviation_list()]
    n = simulated[C.CASE].nunique()
    assert f"'Approve' skipped in {100 * 12 / n:.1f} % of the tickets (12 tickets)." in texts
    assert any(t.startswith("'Pay invoice', which the reference model does not contain") for t in texts)
    mothers = result.by_mother
    assert mothers is not None and mothers["cases"].sum() == n
    assert set(mothers["mother"]) == set(simulated[C.MOTHER].astype(str))


def test_reference_errors_are_clear(tmp_path):
    from ssc_mining.errors import ConfigError

    bad = tmp_path / "model.txt"
    bad.write_text("x")
    with pytest.raises(ConfigError, match="unknown format"):
        read_reference(bad)
    broken = tmp_path / "model.bpmn"
    broken.write_text("<not-bpmn")
    with pytest.raises(ConfigError, match="could not be read"):
        read_reference(broken)


def _same_graph(a, b) -> None:
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    pd.testing.assert_series_equal(a.starts, b.starts)
    pd.testing.assert_series_equal(a.ends, b.ends)


@pytest.mark.realdata
def test_segment_graphs_in_one_pass_equal_each_segment_on_its_own():
    """Per mother organisation and category (sample) and per channel (WABO receipts): the graphs of one
    group-by equal the graph of each segment's tickets alone, and the first value per ticket decides."""
    from ssc_mining.discovery.dfg import directly_follows_frame
    from ssc_mining.discovery.segments import segment_graphs

    for log, attributes in ((load(SAMPLES / "generic-events.csv"), ("mother", "category")),
                            (load_real("receipt-wabo", "receipt.csv"), ("channel",))):
        frame = log.frame
        graphs = segment_graphs(log, attributes, min_cases=5)
        assert len(graphs) >= 2
        for seg in graphs:
            column = {"mother": C.MOTHER, "category": C.CATEGORY, "channel": C.CHANNEL}[seg.attribute]
            first = frame.dropna(subset=[column]).groupby(C.CASE, sort=False)[column].first().astype(str)
            tickets = first[first == seg.value].index
            assert seg.cases == len(tickets)
            _same_graph(seg.dfg, directly_follows_frame(frame[frame[C.CASE].isin(tickets)]))


@pytest.mark.realdata
def test_variants_grouped_by_hash_are_checked_and_equal_to_grouping_by_bytes(monkeypatch):
    """The variant table groups cases by hashes and checks every event against its group's first case; with
    hashes that collide on purpose (multipliers 0: only the first activity and the length count) the check
    must notice and the bytes give the same table. Compared with a plain per-case tuple count."""
    import importlib

    V = importlib.import_module("ssc_mining.discovery.variants")   # the package also exports a function so named
    for log in (load_real("receipt-wabo", "receipt.csv"), load_real("helpdesk-full", "helpdesk.csv")):
        plain = log.frame.groupby(C.CASE, sort=False)[C.ACTIVITY].agg(tuple)
        counts = plain.value_counts()
        expected = sorted(((-n, t) for t, n in counts.items()))
        fresh = EventLog(frame=log.frame, provenance=log.provenance)
        table = V._variant_table(fresh)
        assert [(-int(n), t) for t, n in zip(table.traces, table.counts)] == expected
        assert [table.traces[v] for v in table.case_variant.reindex(plain.index)] == plain.tolist()
        monkeypatch.setattr(V, "_M1", np.uint64(0))
        monkeypatch.setattr(V, "_M2", np.uint64(0))
        assert V._groups_by_hash(pd.factorize(log.frame[C.ACTIVITY], sort=True)[0], fresh.cases) is None
        collided = V._variant_table(EventLog(frame=log.frame, provenance=log.provenance))
        assert collided.traces == table.traces and collided.counts.tolist() == table.counts.tolist()
        pd.testing.assert_series_equal(collided.case_variant, table.case_variant)
        monkeypatch.undo()
