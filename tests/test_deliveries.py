"""Late deliveries, SLA and the watermelon view: ground truth of the simulator, real logs, edge cases."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import load_real

from ssc_mining.analysers.deliveries import Deliveries
from ssc_mining.business_calendar import BusinessCalendar
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.simulate import SimulationConfig, simulate, write_exports


@pytest.fixture(scope="module")
def sim():
    return simulate(SimulationConfig(seed=11, cases=2500))


@pytest.fixture(scope="module")
def logs(sim, tmp_path_factory):
    paths = write_exports(sim, tmp_path_factory.mktemp("sim"), formats=("generic",))
    return {"memory": EventLog.from_frame(sim.events), "generic": load(paths["generic"])}


def norms(sim) -> dict[str, float]:
    """The simulator's norm lead times (business hours) per purchase category, as its truth JSON states them."""
    return {c.name: c.lead_hours for c in sim.world.org.categories if c.purchase}


def precision_recall(found: pd.Series, truth: pd.Series) -> tuple[float, float]:
    tp = int((found & truth).sum())
    return tp / max(int(found.sum()), 1), tp / max(int(truth.sum()), 1)


@pytest.mark.parametrize("which", ["memory", "generic"])
def test_planted_late_deliveries_are_classified_exactly(sim, logs, which):
    pc = Deliveries(norm_hours=norms(sim)).per_case(logs[which])
    truth = sim.cases.set_index("case_id").loc[pc.index]
    assert (truth["late_class"] != "").sum() > 100
    for cls in ("asked_too_late", "ssc_too_slow", "on_time"):
        p, r = precision_recall(pc["late_class"] == cls, truth["late_class"] == cls)
        assert (p, r) == (1.0, 1.0), cls
    p, r = precision_recall(pc["watermelon"], truth["watermelon"])
    assert (p, r) == (1.0, 1.0) and truth["watermelon"].sum() > 10
    assert (pc["sla_met"].astype(bool).to_numpy() == truth["sla_met"].to_numpy()).all()
    assert (pc["sla_elapsed_minutes"].to_numpy() == truth["sla_elapsed_minutes"].to_numpy()).all()
    assert (pc["sla_target_minutes"].to_numpy() == truth["sla_target_minutes"].to_numpy()).all()
    need = truth["late_class"] != ""
    assert (pc.loc[need, "need_met"].astype(bool) == truth.loc[need, "need_met"].astype(bool)).all()


def test_watermelon_share_and_shares_match_the_truth(sim, logs):
    result = Deliveries(norm_hours=norms(sim)).analyse(logs["memory"])
    truth = sim.cases
    need = truth["late_class"] != ""
    assert result.item("watermelon_share").value == round(truth["watermelon"].sum() / need.sum(), 4)
    assert result.item("asked_too_late_share").value == round((truth["late_class"] == "asked_too_late").sum()
                                                              / need.sum(), 4)
    assert result.item("sla_compliance").value == round(truth["sla_met"].mean(), 4)
    assert result.item("reverse_watermelon").value == int((~truth["sla_met"] & (truth["need_met"] == True)).sum())  # noqa: E712
    finding = result.item("watermelons")
    assert finding.count == truth["watermelon"].sum()
    assert any("business hours" in c and "Europe/Amsterdam" in c for c in result.caveats)


def test_reconciliation_lists_exactly_the_cases_whose_verdict_differs(sim):
    frame = sim.events.copy()
    verdict = sim.cases.set_index("case_id")["sla_met"]
    flipped = list(verdict.index[[3, 50, 700]])
    system = verdict.copy()
    system[flipped] = ~system[flipped]
    frame[C.MADE_SLA] = frame[C.CASE].map(system.map({True: "true", False: "false"}))
    result = Deliveries().analyse(EventLog.from_frame(frame))
    assert result.item("sla_differences").value == 3
    assert sorted(result.item("sla_reconciliation").case_ids) == sorted(flipped)
    assert result.item("sla_compared").value == len(verdict)


def ticket(case: str, times: list[str], acts: list[str], **attrs) -> pd.DataFrame:
    """Events of one case; times are Europe/Amsterdam wall clock."""
    ts = pd.to_datetime(times).tz_localize("Europe/Amsterdam").tz_convert("UTC")
    data = {C.CASE: case, C.ACTIVITY: acts, C.TIMESTAMP: ts}
    for key, value in attrs.items():
        data[key] = value
    return pd.DataFrame(data)


def test_no_due_dates_at_all_is_not_measured_with_the_columns_named():
    log = EventLog.from_frame(ticket("1", ["2024-01-02 09:00", "2024-01-02 10:00"], ["Register", "Resolve"]))
    result = Deliveries().analyse(log)
    for key in ("late_share", "asked_too_late_share", "watermelon_share", "sla_compliance"):
        assert result.item(key).value is None and result.item(key).reason, key
    assert "needs the result" in result.item("late_share").reason
    assert any("Gewenste leverdatum" in c and "--need-by" in c for c in result.caveats)   # what to do, for the user
    assert "SLA target" in result.item("sla_compliance").reason
    assert "not measured" in result.summary
    ran = Deliveries(sla_hours={"*": 8}).analyse(log)
    assert ran.status == "ok" and ran.item("sla_compliance").value == 1.0


def test_dates_before_opening_open_cases_and_missing_targets():
    due = lambda s: pd.Timestamp(s, tz="Europe/Amsterdam").tz_convert("UTC")  # noqa: E731
    frame = pd.concat([
        # due date before registration: invalid target; need-by before registration and delivered: asked too late
        ticket("early", ["2024-02-05 09:00", "2024-02-06 09:00"], ["Register", "Resolve"],
               **{C.DUE: due("2024-02-01 12:00"), C.NEED_BY: due("2024-02-02 17:00"), C.CATEGORY: "A"}),
        # still open, past its need-by date and past its SLA target
        ticket("open", ["2024-02-05 09:00", "2024-02-05 10:00"], ["Register", "Start work"],
               **{C.DUE: due("2024-02-05 12:00"), C.NEED_BY: due("2024-02-07 17:00"), C.CATEGORY: "A"}),
        # still open, within target (the log ends the same day)
        ticket("young", ["2024-02-09 09:00", "2024-02-09 09:30"], ["Register", "Start work"],
               **{C.CATEGORY: "B"}),
        ticket("done", ["2024-02-05 09:00", "2024-02-05 11:00"], ["Register", "Resolve"], **{C.CATEGORY: "B"}),
    ], ignore_index=True)
    log = EventLog.from_frame(frame)
    pc = Deliveries(norm_hours={"A": 16}).per_case(log)
    assert pc.loc["early", "sla_status"] == "invalid target"
    assert bool(pc.loc["early", "need_by_before_registration"]) and pc.loc["early", "late_class"] == "asked_too_late"
    assert pc.loc["open", "late_class"] == "open_late" and pc.loc["open", "sla_status"] == "breached"
    assert pc.loc["young", "sla_status"] == "no target"
    result = Deliveries(norm_hours={"A": 16}).analyse(log)
    assert result.item("due_before_registration").case_ids == ["early"]
    assert any("B" in c and "No SLA target" in c for c in result.caveats)
    # a target table that lists only A: B's cases have no target; "*" covers every other category
    pc = Deliveries(sla_hours={"A": 1}).per_case(log)
    assert pc.loc["young", "sla_status"] == "no target" and pc.loc["open", "sla_target_source"] == "table"
    pc = Deliveries(sla_hours={"A": 1, "*": 4}).per_case(log)
    assert pc.loc["young", "sla_status"] == "pending" and pc.loc["done", "sla_status"] == "met"


def test_business_hours_across_the_dst_switch_and_easter():
    # Thursday 28 March 2024 16:00 CET → Tuesday 2 April 09:00 CEST: Good Friday, the weekend with the
    # switch to summer time (31 March, also Easter) and Easter Monday are not working time
    frame = ticket("1", ["2024-03-28 16:00", "2024-04-02 09:00"], ["Register", "Resolve"], **{C.CATEGORY: "A"})
    log = EventLog.from_frame(frame)
    pc = Deliveries(sla_hours={"A": 2}).per_case(log)
    assert pc.loc["1", "sla_elapsed_minutes"] == 120 and pc.loc["1", "sla_status"] == "met"
    pc = Deliveries(sla_hours={"A": 2}, business_hours=False).per_case(log)
    assert pc.loc["1", "sla_elapsed_minutes"] == 112 * 60          # the night of the switch has 23 hours
    # back to winter time: Friday 25 October 2024 16:30 CEST → Monday 28 October 08:30 CET
    start = pd.Series([pd.Timestamp("2024-10-25 16:30", tz="Europe/Amsterdam")])
    end = pd.Series([pd.Timestamp("2024-10-28 08:30", tz="Europe/Amsterdam")])
    assert BusinessCalendar().minutes_between(start, end).tolist() == [60.0]
    assert (end - start).iloc[0] == pd.Timedelta(hours=65)          # the night of the switch has 25 hours


@pytest.mark.realdata
@pytest.mark.parametrize("file", ["receipt.csv", "env_permit.xes.gz"])
def test_receipt_wabo_deadline_compliance_matches_a_plain_loop(file):
    log = load_real("receipt-wabo", file)
    default = Deliveries().analyse(log)
    assert default.item("late_share").value is None and "needs the result" in default.item("late_share").reason
    assert log.provenance.mapping.get("due") == "case:deadline"      # proposed from the XES case attribute
    assert default.item("sla_compliance").value is not None
    analyser = Deliveries(business_hours=False, sla_clock_stops=False)
    result = analyser.analyse(log)
    assert result.status == "ok"
    met = judged = 0
    for _case, events in log.frame.groupby(C.CASE, sort=False):
        first, last = events[C.TIMESTAMP].min(), events[C.TIMESTAMP].max()
        deadline = pd.to_datetime(events[C.DUE].iloc[0], utc=True)
        if pd.isna(deadline) or deadline < first:
            continue
        judged += 1
        met += last <= deadline
    assert result.item("cases_with_sla_verdict").value == judged
    assert result.item("sla_compliance").value == round(met / judged, 4)
    assert 0.5 < met / judged <= 1.0


@pytest.mark.realdata
def test_bpic20_has_no_dates_and_says_so():
    log = load_real("bpic20-travel-cleaned", "DomesticDeclarations.xes.gz")
    result = Deliveries().analyse(log)
    assert result.item("late_share").value is None and "needs the result" in result.item("late_share").reason
    assert result.item("sla_compliance").value is None and "SLA target" in result.item("sla_compliance").reason
