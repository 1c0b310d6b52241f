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


def reference(log: EventLog, standard=None) -> dict:
    """Variants, standard share, per-mother mean deviation and the cost of deviation, by plain loops."""
    seqs, mothers, days = {}, {}, {}
    for case, events in log.frame.groupby(C.CASE, sort=False):
        seqs[case] = tuple(events[C.ACTIVITY])
        mothers[case] = events[C.MOTHER].iloc[0] if C.MOTHER in events else None
        days[case] = (events[C.TIMESTAMP].max() - events[C.TIMESTAMP].min()).total_seconds() / 86400
    counts: dict = {}
    for s in seqs.values():
        counts[s] = counts.get(s, 0) + 1
    if standard is None:
        best = max(counts.values())
        standard = min(s for s, c in counts.items() if c == best)
    dev = {c: plain_levenshtein(s, standard) / max(len(s), len(standard)) for c, s in seqs.items()}
    per_mother: dict = {}
    for c, m in mothers.items():
        per_mother.setdefault(m, []).append(dev[c])
    on = [days[c] for c in seqs if dev[c] == 0]
    off = [days[c] for c in seqs if dev[c] > 0]
    return {"variants": len(counts), "standard": standard, "share": sum(d == 0 for d in dev.values()) / len(dev),
            "mean": sum(dev.values()) / len(dev),
            "mother": {m: sum(v) / len(v) for m, v in per_mother.items()},
            "extra": float(pd.Series(off).median() - pd.Series(on).median()) if on and off else None}


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3 == plain_levenshtein("kitten", "sitting")
    assert edit_distance((), ("a", "b")) == 2 and edit_distance(("a",), ("a",)) == 0


@pytest.fixture(scope="module")
def sim_log():
    return EventLog.from_frame(simulate(SimulationConfig(seed=13, cases=1500)).events)


def test_simulated_log_against_plain_loops(sim_log):
    ref = reference(sim_log)
    result = Standardisation().analyse(sim_log)
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
@pytest.mark.parametrize("folder,file", [("receipt-wabo", "receipt.csv"),
                                         ("bpic20-travel-cleaned", "DomesticDeclarations.xes.gz")])
def test_real_logs_against_plain_loops(folder, file):
    log = load_real(folder, file)
    ref = reference(log)
    result = Standardisation().analyse(log)
    assert result.status == "ok"
    assert result.item("variants").value == ref["variants"]
    assert result.item("standard_share").value == round(ref["share"], 4)
    assert result.item("deviation_extra_days").value == pytest.approx(ref["extra"], abs=1e-4)
