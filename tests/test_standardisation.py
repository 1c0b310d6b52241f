"""Standardisation: variants, standard path, deviation per mother organisation, cost of deviation."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import load_real

from ssc_mining.analysers.standardisation import Standardisation, edit_distance
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.simulate import SimulationConfig, simulate


def plain_levenshtein(a, b) -> int:
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    return d[-1][-1]


def reference(log: EventLog, standard=None, clean=None) -> dict:
    """Variants, standard share, per-mother mean deviation and the cost of deviation, by plain loops.

    ``clean(events)`` says whether a case ends resolved without reopening or returns, in the log's own words;
    the standard path is the most frequent path of the clean cases (all cases when ``clean`` is None)."""
    seqs, mothers, days, categories, is_clean = {}, {}, {}, {}, {}
    for case, events in log.frame.groupby(C.CASE, sort=False):
        seqs[case] = tuple(events[C.ACTIVITY])
        mothers[case] = events[C.MOTHER].iloc[0] if C.MOTHER in events else None
        categories[case] = events[C.CATEGORY].iloc[0] if C.CATEGORY in events else ""
        days[case] = (events[C.TIMESTAMP].max() - events[C.TIMESTAMP].min()).total_seconds() / 86400
        is_clean[case] = clean(events) if clean else True
    counts: dict = {}
    for c, s in seqs.items():
        counts[s] = counts.get(s, 0) + is_clean[c]
    if standard is None:
        best = max(counts.values())
        standard = min(s for s, c in counts.items() if c == best)
    dev = {c: plain_levenshtein(s, standard) / max(len(s), len(standard)) for c, s in seqs.items()}
    per_mother: dict = {}
    for c, m in mothers.items():
        per_mother.setdefault(m, []).append(dev[c])
    # like with like: per category, median off minus median on, weighted by the deviating cases
    differences, weights = [], []
    for category in set(categories.values()):
        on = [days[c] for c in seqs if categories[c] == category and dev[c] == 0]
        off = [days[c] for c in seqs if categories[c] == category and dev[c] > 0]
        if on and off:
            differences.append(float(pd.Series(off).median() - pd.Series(on).median()))
            weights.append(len(off))
    extra = sum(d * w for d, w in zip(differences, weights)) / sum(weights) if weights else None
    return {"variants": len(counts), "standard": standard, "share": sum(d == 0 for d in dev.values()) / len(dev),
            "mean": sum(dev.values()) / len(dev),
            "mother": {m: sum(v) / len(v) for m, v in per_mother.items()}, "extra": extra}


def sim_clean(events) -> bool:
    """The simulator's words: ends resolved or closed, never reopened."""
    return events[C.STATUS].iloc[-1] in ("Resolved", "Closed") and "Reopen" not in set(events[C.ACTIVITY])


def travel_clean(events) -> bool:
    """BPIC20's words: ends with the payment, nothing rejected on the way."""
    acts = list(events[C.ACTIVITY])
    return acts[-1] == "Payment Handled" and not any("REJECTED" in a for a in acts)


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3 == plain_levenshtein("kitten", "sitting")
    assert edit_distance((), ("a", "b")) == 2 and edit_distance(("a",), ("a",)) == 0


@pytest.fixture(scope="module")
def sim_log():
    return EventLog.from_frame(simulate(SimulationConfig(seed=13, cases=1500)).events)


def test_simulated_log_against_plain_loops(sim_log):
    ref = reference(sim_log, clean=sim_clean)
    result = Standardisation().analyse(sim_log)
    assert "resolved without being reopened" in result.item("standard_share").description
    assert result.item("variants").value == ref["variants"]
    assert result.item("standard_share").value == round(ref["share"], 4)
    assert result.item("deviation_extra_days").value == pytest.approx(ref["extra"], abs=1e-4)
    rows = {r[0]: r for r in result.item("by_mother").rows}
    for mother, mean in ref["mother"].items():
        assert rows[mother][3] == pytest.approx(mean, abs=1e-4)
    assert any(" → ".join(ref["standard"]) in c for c in result.caveats)


def test_reference_sequence_parameter(sim_log):
    path = ("Register", "Intake", "Escalate", "Assign", "Start work", "Resolve", "Close")
    ref = reference(sim_log, standard=path)
    result = Standardisation(reference=path).analyse(sim_log)
    assert result.item("standard_share").value == round(ref["share"], 4)
    assert result.item("mean_deviation").value == pytest.approx(ref["mean"], abs=1e-4)
    assert result.item("standard_share").value != Standardisation().analyse(sim_log).item("standard_share").value


@pytest.mark.realdata
@pytest.mark.parametrize("folder,file,clean", [("receipt-wabo", "receipt.csv", None),
                                               ("bpic20-travel-cleaned", "DomesticDeclarations.xes.gz", travel_clean)])
def test_real_logs_against_plain_loops(folder, file, clean):
    log = load_real(folder, file)
    ref = reference(log, clean=clean)
    result = Standardisation().analyse(log)
    assert result.status == "ok"
    assert result.item("variants").value == ref["variants"]
    assert result.item("standard_share").value == round(ref["share"], 4)
    assert result.item("deviation_extra_days").value == pytest.approx(ref["extra"], abs=1e-4)


def _tickets(spec) -> EventLog:
    """spec: (case, category, activities, days between events)."""
    rows = []
    for case, category, acts, step in spec:
        for k, act in enumerate(acts):
            rows.append({C.CASE: case, C.ACTIVITY: act, C.CATEGORY: category,
                         C.TIMESTAMP: pd.Timestamp("2024-03-04", tz="UTC") + pd.Timedelta(days=step * k)})
    return EventLog.from_frame(pd.DataFrame(rows))


def test_standard_path_is_the_most_frequent_clean_path_not_the_most_frequent_one():
    reopened = ("Register", "Resolve", "Reopen", "Resolve")
    clean = ("Register", "Start work", "Resolve")
    log = _tickets([(f"r{i}", "x", reopened, 1) for i in range(5)] + [(f"c{i}", "x", clean, 1) for i in range(3)])
    result = Standardisation().analyse(log)
    assert result.item("standard_share").value == 3 / 8
    assert any("Register → Start work → Resolve" in c for c in result.caveats)


def test_cost_of_deviation_compares_within_a_category():
    # category "quick": on the path in 1 day, off it in 2; category "slow" is all slow and mostly off the path:
    # pooled, deviating looks 9+ days dearer; within the categories it is 1 day
    standard = ("Register", "Resolve")
    detour = ("Register", "Forward", "Resolve")
    spec = ([(f"q{i}", "quick", standard, 1) for i in range(6)] + [(f"d{i}", "quick", detour, 1) for i in range(2)]
            + [("s0", "slow", standard, 10)] + [(f"t{i}", "slow", detour, 5.5) for i in range(4)])
    result = Standardisation().analyse(_tickets(spec))
    # quick: on 1 day, off 2 days (+1); slow: on 10 days, off 11 days (+1)
    assert result.item("deviation_extra_days").value == pytest.approx(1.0)
    pooled = result.item("median_days_deviating").value - result.item("median_days_standard").value
    assert pooled > 5
    table = result.item("cost_by_category")
    assert [row[0] for row in table.rows] == ["slow", "quick"]     # most deviating tickets first


def test_a_suspiciously_fast_standard_path_is_flagged_with_its_tickets():
    spec = ([(f"auto{i}", "x", ("Register", "Close"), 0.001) for i in range(5)]
            + [(f"w{i}", "x", ("Register", "Start work", "Close"), 3) for i in range(4)])
    result = Standardisation().analyse(_tickets(spec))
    finding = result.item("standard_path_fast")
    assert finding.severity == "warning" and finding.count == 5 == len(finding.case_ids)
    assert sorted(finding.case_ids) == [f"auto{i}" for i in range(5)]
    calm = Standardisation().analyse(_tickets([(c, k, a, 1) for c, k, a, _s in spec]))
    assert all(i.key != "standard_path_fast" for i in calm.items)


@pytest.mark.realdata
@pytest.mark.parametrize("parts", [("receipt-wabo", "receipt.csv"), ("helpdesk-full", "helpdesk.csv")])
def test_pinning_to_the_own_standard_path_shares_the_table_it_would_compute(parts):
    """The comparison pins the analyser to the log's own standard path; the table it then reuses equals the one
    computed from scratch with that path given as the reference."""
    log = load_real(*parts)
    pinned = Standardisation().pinned(log)
    assert pinned.reference
    shared = pinned._compute(log)
    fresh = Standardisation(reference=pinned.reference)._compute_now(load_real(*parts))
    pd.testing.assert_frame_equal(shared[0], fresh[0])
    assert shared[0].attrs == fresh[0].attrs == {"chosen": "reference"}
    assert shared[1] == fresh[1] and shared[2].tolist() == fresh[2].tolist() and shared[3] == fresh[3]
    assert pinned.analyse(log).to_dict() == Standardisation(reference=pinned.reference).analyse(
        load_real(*parts)).to_dict()
