"""The simulator: determinism, ground truth against the events, planted rates, working time."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ssc_mining.business_calendar import BusinessCalendar, public_holidays
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.simulate import Rates, SimulationConfig, simulate, write_exports, write_exports_streaming
from ssc_mining.simulate.calendar import WorkCalendar
from ssc_mining.simulate.scenario import COORDINATION, SLA_RUNNING, STATUSES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sim():
    return simulate(SimulationConfig(seed=11, cases=600))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# -- determinism -------------------------------------------------------------------------------------------------

def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    cfg = SimulationConfig(seed=5, cases=120)
    write_exports(simulate(cfg), tmp_path / "a")
    write_exports(simulate(cfg), tmp_path / "b")
    write_exports(simulate(SimulationConfig(seed=6, cases=120)), tmp_path / "c")
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert len(a) == 15 and a == b  # 10 formats, 2 sys_audit side files, people directory, truth csv + json
    assert all(a[name] != c[name] for name in a)  # people, tickets and times all come from the seed


def test_byte_identical_under_different_pythonhashseed(tmp_path):
    code = ("import sys; from ssc_mining.simulate import SimulationConfig, simulate, write_exports; "
            "write_exports(simulate(SimulationConfig(seed=3, cases=150)), sys.argv[1])")
    for h in ("1", "987"):
        env = {**os.environ, "PYTHONHASHSEED": h}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / h)], check=True, env=env, cwd=ROOT)
    assert _files(tmp_path / "1") == _files(tmp_path / "987")


def test_streaming_writes_the_same_bytes_as_in_memory_across_blocks(tmp_path):
    cfg = SimulationConfig(seed=2, cases=2100)  # two blocks
    fmts = ("generic", "generic-nl", "xes", "topdesk")
    write_exports(simulate(cfg), tmp_path / "mem", formats=fmts)
    write_exports_streaming(cfg, tmp_path / "stream", formats=fmts)
    assert _files(tmp_path / "mem") == _files(tmp_path / "stream")
    assert (tmp_path / "stream" / "ssc-events-nl.csv").read_bytes().count(b"\xef\xbb\xbf") == 1  # one BOM
    truth = pd.read_csv(tmp_path / "stream" / "ssc-truth.csv", dtype=str)
    assert truth["case_id"].tolist() == [f"SSC-{n}" for n in range(1, 2101)]


def test_bad_options_are_config_errors(tmp_path):
    with pytest.raises(ConfigError):
        SimulationConfig(cases=0)
    with pytest.raises(ConfigError):
        Rates(reopen=1.5)
    with pytest.raises(ConfigError):
        SimulationConfig(start="2024-13-01")
    with pytest.raises(ConfigError):
        write_exports(simulate(SimulationConfig(cases=5)), tmp_path, formats=("csv",))


# -- ground truth against the events ----------------------------------------------------------------------------

def _recount(events: pd.DataFrame, cal: WorkCalendar) -> pd.DataFrame:
    """Count every phenomenon again from the events, by the definitions in truth.json."""
    rows = []
    local = events[C.TIMESTAMP].dt.tz_convert("Europe/Amsterdam")
    day = np.searchsorted(np.array(cal.days, dtype="datetime64[D]"), local.dt.date.to_numpy().astype("datetime64[D]"))
    minute = day * 540 + local.dt.hour.to_numpy() * 60 + local.dt.minute.to_numpy() - 480
    bm = dict(zip(events[C.TIMESTAMP], minute))
    for case, ev in events.groupby(C.CASE, sort=False):
        res, team, org = ev[C.RESOURCE].tolist(), ev[C.TEAM].tolist(), ev[C.ORGANISATION].tolist()
        acts, status = ev[C.ACTIVITY].tolist(), ev[C.STATUS].tolist()
        seq: list[str] = []
        direct = indirect = 0
        for t, o in zip(team, org):
            if o != "SSC" or (seq and seq[-1] == t):
                continue
            if t in seq:
                direct += len(seq) >= 2 and seq[-2] == t
                indirect += not (len(seq) >= 2 and seq[-2] == t)
            seq.append(t)
        waits = nc = 0
        contact = False
        for _a, s, prev, r in zip(acts, status, [None] + status[:-1], res):
            if s == "On hold" and prev != "On hold":
                nc += waits > 0 and not contact
                waits += 1
                contact = False
            if r == ev[C.REQUESTER].iloc[0]:
                contact = True
        minutes = [bm[t] for t in ev[C.TIMESTAMP]]
        running = {STATUSES[s] for s in SLA_RUNNING}
        sla = sum(b - a for a, b, s in zip(minutes, minutes[1:], status) if s in running)
        times = ev[C.TIMESTAMP].tolist()
        hold = sum((b - a).total_seconds() for a, b, s, prev in zip(times, times[1:], status[1:], status)
                   if prev == "On hold")
        rows.append({
            "case_id": case, "n_events": len(ev),
            "handovers_person": sum(a != b for a, b in zip(res, res[1:])),
            "handovers_team": sum(a != b for a, b in zip(team, team[1:])),
            "handovers_org": sum(a != b for a, b in zip(org, org[1:])),
            "pingpong_direct": direct, "pingpong_indirect": indirect,
            "reopens": acts.count("Reopen"), "repeated_activities": len(acts) - len(set(acts)),
            "waits": waits, "waits_without_user_contact": nc, "wait_seconds": int(hold),
            "escalated": "Escalate" in acts,
            "first_line_only": bool((ev.loc[ev[C.ORGANISATION] == "SSC", C.LINE] == 1).all()),
            "coordination_events": sum(a in COORDINATION for a in acts),
            "sla_elapsed_minutes": sla,
            "reassignments": sum(a != b for a, b in zip(ev["ssc:assigned_group"], ev["ssc:assigned_group"].iloc[1:])),
        })
    return pd.DataFrame(rows)


def test_ground_truth_counters_agree_with_the_events(sim):
    recount = _recount(sim.events, sim.world.calendar).set_index("case_id").sort_index()
    full = sim.cases.set_index("case_id").sort_index()
    truth = full[recount.columns]
    for column in recount.columns:
        mismatch = truth.index[truth[column].astype(int).to_numpy() != recount[column].astype(int).to_numpy()]
        assert mismatch.empty, (column, list(mismatch[:5]))
    assert (full["sla_met"] == (full["sla_elapsed_minutes"] <= full["sla_target_minutes"])).all()


def test_routing_pingpong_agrees_with_the_assignment_groups_of_the_events(sim):
    """Routing = the assignment group after each event (runs collapsed); a return is direct when the group two
    runs back is the same (X→Y→X), else indirect. Routing handovers are exactly the truth's reassignments."""
    recount = {}
    for case, groups in sim.events.groupby(C.CASE, sort=False)["ssc:assigned_group"]:
        route: list[str] = []
        direct = indirect = handovers = 0
        for group in groups:
            if route and route[-1] == group:
                continue
            if route:
                handovers += 1
            if group in route:
                if len(route) >= 2 and route[-2] == group:
                    direct += 1
                else:
                    indirect += 1
            route.append(group)
        recount[case] = (direct, indirect, handovers)
    truth = sim.cases.set_index("case_id")
    columns = ["routing_pingpong_direct", "routing_pingpong_indirect", "reassignments"]
    mismatch = [(case, got, tuple(truth.loc[case, columns])) for case, got in recount.items()
                if got != tuple(int(v) for v in truth.loc[case, columns])]
    assert len(recount) == len(truth) and not mismatch, mismatch[:5]
    assert (truth["routing_pingpong_direct"] > 0).sum() >= 5 and (truth["routing_pingpong_indirect"] > 0).sum() >= 5
    order = list(sim.cases.columns)
    assert order[order.index("reassignments") + 1:][:2] == columns[:2]  # right after reassignments


def test_every_phenomenon_is_present_in_a_small_log(sim):
    t = sim.cases
    for column in ("handovers_person", "handovers_team", "handovers_org", "pingpong_direct", "pingpong_indirect",
                   "routing_pingpong_direct", "routing_pingpong_indirect", "reopens", "repeated_activities", "waits",
                   "waits_without_user_contact", "coordination_events"):
        assert (t[column] > 0).any(), column
    assert t["escalated"].any() and t["first_line_only"].any() and t["watermelon"].any()
    assert set(t["late_class"]) == {"", "on_time", "asked_too_late", "ssc_too_slow"}
    assert (t["story"] == "salary_correction").sum() >= 3
    assert (t["chain_position"] >= 2).any()


def test_with_all_rates_zero_nothing_is_planted():
    zero = Rates(**dict.fromkeys(Rates.__dataclass_fields__, 0.0))
    t = simulate(SimulationConfig(seed=4, cases=400, rates=zero)).cases
    for column in ("pingpong_direct", "pingpong_indirect", "routing_pingpong_direct", "routing_pingpong_indirect",
                   "reopens", "waits", "chain_position"):
        assert (t[column] == 0).all(), column
    assert (t["story"] == "").all() and (t["late_class"] == "").all()


def test_rates_are_roughly_respected():
    rates = Rates(reopen=0.2, wait_user=0.4, resubmission=0.1, pingpong_direct=0.2, status_enquiry=0.3)
    t = simulate(SimulationConfig(seed=9, cases=4000, rates=rates)).cases
    plain = t[t["story"] == ""]
    assert abs((plain["reopens"] > 0).mean() - 0.2) < 0.03
    assert abs((t["chain_position"] >= 2).mean() - 0.1) < 0.02
    beyond = plain[~plain["first_line_only"]]
    assert 0.17 < (beyond["pingpong_direct"] > 0).mean() < 0.26
    simple = plain[(plain["reopens"] == 0) & ~plain["category"].isin(["Inkoopaanvraag", "Hardwareaanvraag"])]
    assert 0.38 < (simple["waits"] > 0).mean() < 0.48  # wait_user, plus parking (0.05 of the rest)
    purchase = t[t["category"] == "Inkoopaanvraag"]
    share = purchase["late_class"].value_counts(normalize=True)
    assert abs(share.get("", 0) - 0.2) < 0.06 and abs(share["asked_too_late"] - 0.8 * 0.25) < 0.06


# -- stories ----------------------------------------------------------------------------------------------------

def test_christmas_tree_classes_follow_their_definition(sim):
    t = sim.cases[sim.cases["late_class"] != ""]
    reg = pd.to_datetime(t["registered_at"], utc=True)
    need = pd.to_datetime(t["need_by"], utc=True)
    delivered = pd.to_datetime(t["delivered_at"], utc=True)
    lead = BusinessCalendar().minutes_between(reg, need)
    norm = 80 * 60
    late = (delivered > need).to_numpy()
    cls = t["late_class"].to_numpy()
    assert (late == (cls != "on_time")).all()
    assert (lead[cls == "asked_too_late"] < norm).all() and (lead[cls == "ssc_too_slow"] >= norm).all()
    assert (t["need_met"].astype(bool).to_numpy() == ~late).all()
    assert (t["watermelon"] == (t["sla_met"] & late)).all()


def test_salary_story_reaches_a_different_agent_each_time(sim):
    ev, t = sim.events, sim.cases
    story = t[t["story"] == "salary_correction"]
    for _chain, tickets in story.groupby("chain_id"):
        tickets = tickets.sort_values("chain_position")
        assert tickets["chain_position"].tolist() == list(range(1, len(tickets) + 1))
        assert tickets["requester"].nunique() == 1 and len(tickets) >= 3
        agents = [ev[(ev[C.CASE] == c) & (ev[C.ACTIVITY] == "Start work") & (ev[C.TEAM] == "HR & Salarissen")]
                  [C.RESOURCE].iloc[0] for c in tickets["case_id"]]
        assert len(set(agents)) == len(agents)
        span = pd.Timestamp(tickets["closed_at"].iloc[-1]) - pd.Timestamp(tickets["registered_at"].iloc[0])
        assert span > pd.Timedelta(days=60)
        last = ev[ev[C.CASE] == tickets["case_id"].iloc[-1]]
        assert last[C.TEAM].iloc[0].startswith("Regie ")  # filed by the mother's liaison


def test_resubmissions_follow_closure_within_a_few_days(sim):
    t = sim.cases[(sim.cases["chain_id"] != "") & (sim.cases["story"] == "")].set_index("case_id")
    assert len(t)
    for _case, row in t[t["chain_position"] >= 2].iterrows():
        prev = t[(t["chain_id"] == row["chain_id"]) & (t["chain_position"] == row["chain_position"] - 1)].iloc[0]
        assert (row["requester"], row["category"]) == (prev["requester"], prev["category"])
        gap = pd.Timestamp(row["registered_at"]) - pd.Timestamp(prev["closed_at"])
        assert pd.Timedelta(0) < gap < pd.Timedelta(days=8)


def _chains_by_definition(truth: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """Reference: the domain's re-submission chains from the truth table alone (per requester and category,
    by registration; a ticket continues the chain when registered at most ``window_days`` after the latest
    Close of the chain so far), as (chain_id, chain_position) per case; ("", 0) for a lone ticket."""
    rows = {}
    t = truth.assign(reg=pd.to_datetime(truth["registered_at"], utc=True),
                     closed=pd.to_datetime(truth["closed_at"], utc=True))
    window = pd.Timedelta(days=window_days)
    for _, group in t.sort_values(["reg", "case_id"], kind="stable").groupby(["requester", "category"], sort=False):
        chains: list[list[str]] = []
        latest = None
        for case, reg, closed in zip(group["case_id"], group["reg"], group["closed"]):
            if latest is None or reg > latest + window:
                chains.append([])
                latest = closed
            chains[-1].append(case)
            latest = max(latest, closed)
        for chain in chains:
            for pos, case in enumerate(chain, 1):
                rows[case] = (chain[0], pos) if len(chain) > 1 else ("", 0)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["chain_id", "chain_position"])


def test_planted_chains_are_exactly_the_chains_by_the_definition(sim):
    window = sim.config.resubmission_window_days
    expected = _chains_by_definition(sim.cases, window).reindex(sim.cases["case_id"])
    assert expected["chain_id"].tolist() == sim.cases["chain_id"].tolist()
    assert expected["chain_position"].tolist() == sim.cases["chain_position"].tolist()
    # every salary-correction ticket waits for the monthly payroll run, so a story spans months
    assert (sim.cases.loc[sim.cases["story"] == "salary_correction", "waits"] >= 1).all()


def test_no_unplanted_coincidence_even_when_requesters_run_short():
    from ssc_mining.simulate.batch import Batch
    from ssc_mining.simulate.scenario import _World, generate_blocks
    cfg = SimulationConfig(seed=12, cases=400, months=1, resubmission_window_days=10)
    world = _World(cfg)
    world.employees = [members[:4] for members in world.employees]   # 4 requesters per mother: saturated
    truth = pd.concat([Batch(world, b).truth() for b in generate_blocks(cfg, world)], ignore_index=True)
    # tickets arrive in January; many first tickets had to wait for a requester to be out of the window
    first = truth["chain_position"] <= 1
    registered = pd.to_datetime(truth.loc[first, "registered_at"], utc=True)
    assert (registered >= pd.Timestamp("2024-02-01", tz="UTC")).sum() > 50
    assert truth["requester"].nunique() <= 12 and (truth["chain_position"] >= 2).any()
    expected = _chains_by_definition(truth, 10).reindex(truth["case_id"])
    assert expected["chain_id"].tolist() == truth["chain_id"].tolist()
    assert expected["chain_position"].tolist() == truth["chain_position"].tolist()


def test_resubmission_window_is_an_option_recorded_in_the_truth(tmp_path):
    with pytest.raises(ConfigError):
        SimulationConfig(resubmission_window_days=3)
    result = simulate(SimulationConfig(seed=8, cases=300, resubmission_window_days=21))
    paths = write_exports(result, tmp_path, formats=("generic",))
    doc = json.loads(paths["truth-json"].read_text(encoding="utf-8"))
    assert doc["resubmission_window_days"] == doc["config"]["resubmission_window_days"] == 21
    assert "resubmission_window_days" in doc["definitions"]["chain_id"]
    expected = _chains_by_definition(result.cases, 21).reindex(result.cases["case_id"])
    assert expected["chain_id"].tolist() == result.cases["chain_id"].tolist()


# -- calendar ---------------------------------------------------------------------------------------------------

def test_simulated_working_days_skip_the_dutch_holidays():
    days = set(WorkCalendar.starting("2024-01-01", days=731).days)
    for day in (dt.date(2024, 1, 1), dt.date(2024, 3, 29), dt.date(2024, 4, 1), dt.date(2024, 4, 27),
                dt.date(2024, 5, 9), dt.date(2024, 5, 20), dt.date(2024, 12, 25), dt.date(2024, 12, 26),
                dt.date(2025, 4, 26), dt.date(2025, 5, 5)):  # Koningsdag moves off Sunday 27 April 2025
        assert day not in days
    assert dt.date(2024, 12, 27) in days and dt.date(2024, 5, 6) in days


def test_events_fall_in_working_time_including_the_dst_weeks(sim):
    local = sim.events[C.TIMESTAMP].dt.tz_convert("Europe/Amsterdam")
    assert local.dt.hour.between(8, 16).all()
    assert (local.dt.day_of_week < 5).all()
    holidays = set(public_holidays("NL", "", 2024, 2025).astype(object))
    assert not local.dt.date.isin(holidays).any()
    dates = set(local.dt.date)
    assert any(dt.date(2024, 4, 1) <= d <= dt.date(2024, 4, 5) for d in dates)     # week after summer time starts
    assert any(dt.date(2024, 10, 28) <= d <= dt.date(2024, 11, 1) for d in dates)  # week after it ends
    assert (sim.events[C.TIMESTAMP].dt.second == 0).all()
