"""Explore inside the report: drill-downs from activities, arrows, paths and findings to tickets, ticket steps for
auditors only, the team network; checked against plain reference implementations (Python loops)."""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES, load_real

from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import load
from ssc_mining.privacy import PrivacySettings, Pseudonymiser, pseudonymise_log
from ssc_mining.report import explore as E
from ssc_mining.report.html import render_html, script_hashes
from ssc_mining.report.model import compute_figures
from ssc_mining.results import Finding, Graph, Result

SAMPLE = SAMPLES / "generic-events.csv"


def small_log() -> EventLog:
    """Repeats, a loop (B → B), a one-step ticket, equal times (file order decides) and tickets out of order."""
    rows = [("t2", "A", "2024-01-01 09:00"), ("t2", "B", "2024-01-01 10:00"), ("t2", "B", "2024-01-01 11:00"),
            ("t2", "C", "2024-01-01 12:00"),
            ("t1", "A", "2024-01-02 09:00"), ("t1", "C", "2024-01-02 09:00"), ("t1", "B", "2024-01-02 10:00"),
            ("t3", "B", "2024-01-03 09:00"),
            ("t4", "A", "2024-01-04 09:00"), ("t4", "B", "2024-01-04 10:00"), ("t4", "C", "2024-01-04 11:00"),
            ("t5", "A", "2024-01-05 09:00"), ("t5", "B", "2024-01-05 10:00"), ("t5", "C", "2024-01-05 11:00")]
    frame = pd.DataFrame(rows, columns=[C.CASE, C.ACTIVITY, C.TIMESTAMP])
    frame[C.TIMESTAMP] = pd.to_datetime(frame[C.TIMESTAMP], utc=True)
    frame[C.TEAM] = ["Desk", "HR", "HR", "Desk", "Desk", "ICT", "ICT", "Desk", "Desk", "HR", "Desk", "Desk", "ICT",
                     "Desk"]
    frame[C.RESOURCE] = ["P-a", "P-b", "P-b", "P-a", "P-a", "P-c", "P-c", "P-a", "P-a", "P-b", "P-a", "P-a", "P-c",
                         "P-a"]
    return EventLog.from_frame(frame)


def reference(log: EventLog) -> tuple[dict, dict, dict]:
    """activity → tickets, (source, target) → tickets and path → tickets, by a plain loop over the events
    of each ticket in log order (None = start / end); tickets in order of first appearance."""
    steps: dict[str, list[str]] = defaultdict(list)
    for case, act in zip(log.frame[C.CASE].astype(str), log.frame[C.ACTIVITY]):
        steps[case].append(act)
    acts: dict[str, list[str]] = defaultdict(list)
    arrows: dict[tuple, list[str]] = defaultdict(list)
    paths: dict[str, list[str]] = defaultdict(list)
    for case, seq in steps.items():
        for key in dict.fromkeys(seq):
            acts[key].append(case)
        pairs = [(None, seq[0])] + list(zip(seq, seq[1:])) + [(seq[-1], None)]
        for pair in dict.fromkeys(pairs):
            arrows[pair].append(case)
        paths[" → ".join(seq)].append(case)
    return dict(acts), dict(arrows), dict(paths)


def check_against_reference(log: EventLog, ex: dict) -> None:
    acts, arrows, paths = reference(log)
    assert {a["activity"]: a["case_ids"] for a in ex["activities"]} == acts
    assert {(a["source"], a["target"]): a["case_ids"] for a in ex["arrows"]} == arrows
    assert all(a["tickets"] == len(a["case_ids"]) for a in ex["activities"] + ex["arrows"])
    names = [a["activity"] for a in ex["activities"]]
    decoded = {" → ".join(names[int(i)] for i in v["activities"].split()): v["case_ids"] for v in ex["variants"]}
    assert decoded == paths
    counts = [(-v["tickets"], " → ".join(names[int(i)] for i in v["activities"].split())) for v in ex["variants"]]
    assert counts == sorted(counts) and [v["rank"] for v in ex["variants"]] == list(range(1, len(paths) + 1))


def test_small_log_matches_the_reference():
    log = small_log()
    ex = E.explore_figures(log, [], "works-council")
    check_against_reference(log, ex)
    arrows = {(a["source"], a["target"]): a["case_ids"] for a in ex["arrows"]}
    assert arrows[("B", "B")] == ["t2"] and arrows[("A", "C")] == ["t1"] and arrows[(None, "B")] == ["t3"]
    assert arrows[("B", None)] == ["t1", "t3"]
    # sorted: start first, then by source and target, end last within a source
    keys = [(a["source"] is not None, a["source"] or "", a["target"] is None, a["target"] or "") for a in ex["arrows"]]
    assert keys == sorted(keys)
    top = ex["variants"][0]
    assert (top["path"], top["tickets"], top["share"], top["case_ids"]) == ("A → B → C", 2, 0.4, ["t4", "t5"])
    assert ex["timelines"] is None and ex["ids_per_key"] == {"activities": None, "arrows": None, "variants": None}


def test_sample_matches_the_reference_the_map_and_the_path_table():
    log = load(SAMPLE)
    figures = compute_figures(log)
    ex = figures["explore"]
    check_against_reference(log, ex)
    from ssc_mining.discovery.dfg import directly_follows

    dfg = directly_follows(log)
    assert ({a["activity"]: a["tickets"] for a in ex["activities"]}
            == dict(zip(dfg.nodes["activity"], dfg.nodes["cases"])))
    inner = {(a["source"], a["target"]): a["tickets"] for a in ex["arrows"] if a["source"] and a["target"]}
    assert inner == {(s, t): int(c) for s, t, c in dfg.edges[["source", "target", "cases"]].itertuples(index=False)}
    assert {a["target"]: a["tickets"] for a in ex["arrows"] if a["source"] is None} == dfg.starts.to_dict()
    assert {a["source"]: a["tickets"] for a in ex["arrows"] if a["target"] is None} == dfg.ends.to_dict()
    table = next(i for r in figures["analysers"] if r["analyser"] == "variants" for i in r["items"]
                 if i["key"] == "top")
    assert [[v["path"], v["tickets"]] for v in ex["variants"][:len(table["rows"])]] == [
        [row[1], row[2]] for row in table["rows"]]
    assert sum(v["tickets"] for v in ex["variants"]) == ex["tickets"] == figures["overview"]["cases"]
    assert len(ex["variants"]) == figures["overview"]["variants"]
    assert all(("path" in v) == (v["rank"] <= E.PAGE_PATHS) for v in ex["variants"])
    findings = [(r["analyser"], i["key"], len(i["case_ids"])) for r in figures["analysers"] for i in r["items"]
                if i["type"] == "finding" and i["case_ids"]]
    assert [(f["analyser"], f["key"], f["tickets"]) for f in ex["findings"]] == findings


@pytest.mark.realdata
def test_bpic13_arrows_match_a_plain_loop_and_stay_cheap():
    log = load_real("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")
    start = time.perf_counter()
    ex = E.explore_figures(log, [], "works-council")
    assert time.perf_counter() - start < 20
    check_against_reference(log, ex)
    assert ex["ids_per_key"]["arrows"] is None  # BPIC 2013's arrows fit: every id is in the JSON


def test_caps_in_the_json_and_on_the_page(monkeypatch):
    log = load(SAMPLE)
    monkeypatch.setattr(E, "JSON_IDS", 200)
    ex = E.explore_figures(log, [], "auditor")
    limit = ex["ids_per_key"]["arrows"]
    assert limit == max(E.PAGE_IDS, 200 // len(ex["arrows"]))
    assert all(len(a["case_ids"]) == min(a["tickets"], limit) for a in ex["arrows"])
    assert len(ex["variants"][0]["case_ids"]) == ex["variants"][0]["tickets"]  # paths: always every id
    monkeypatch.setattr(E, "PAGE_IDS", 3)
    monkeypatch.setattr(E, "TIMELINES", 7)
    monkeypatch.setattr(E, "TIMELINE_STEPS", 2)
    ex = E.explore_figures(log, [], "auditor")
    assert len(ex["timelines"]["tickets"]) == 7 and ex["timelines"]["candidates"] > 7
    assert all(len(t["rows"]) <= 2 <= t["steps"] or len(t["rows"]) == t["steps"]
               for t in ex["timelines"]["tickets"].values())
    page = json.loads(E.explore_page({"explore": ex, "analysers": []})["json"])
    assert all(len(a[3]) <= 3 for a in page["arrows"]) and all(len(v[2]) <= 3 for v in page["variants"])


def test_timelines_take_the_first_ticket_of_every_list_first():
    log = small_log()
    result = Result("demo", "Demo", items=[Finding("f", "notice", "Two tickets.", ["t5", "t4"], 2)])
    ex = E.explore_figures(log, [result], "auditor")
    tl = ex["timelines"]
    assert tl["columns"] == ["time", "activity", "team", "person"]
    assert log.timezone == "Europe/Amsterdam"  # times in the log's zone: 10:00 UTC is 11:00 there
    assert tl["tickets"]["t2"]["rows"][1] == ["2024-01-01 11:00", "B", "HR", "P-b"]
    assert set(tl["tickets"]) == {"t1", "t2", "t3", "t4", "t5"}
    assert E._timeline_tickets(np.array(["t2", "t1", "t3", "t4", "t5"], dtype=object), [result],
                               *[f(log) for f in (E.activity_tickets, E.arrow_tickets, E.variant_tickets)]
                               )[0].tolist()[:2] == [4, 3]  # the finding's tickets t5, t4 come first


def test_works_council_sees_no_person_in_the_explore_data(tmp_path):
    key = b"a key of at least sixteen bytes!!"
    log = pseudonymise_log(load(SAMPLE), Pseudonymiser(key))
    people = {str(p) for p in log.frame[C.RESOURCE].dropna().unique()}
    council = compute_figures(log, privacy=PrivacySettings(audience="works-council", key_source="file"))
    text = json.dumps(council["explore"], ensure_ascii=False)
    assert council["explore"]["timelines"] is None
    assert not any(p in text for p in people)
    html = render_html(council)
    section = html.split('<section id="explore"', 1)[1].split('<section id="data-quality"', 1)[0]
    assert not any(p in section for p in people) and '"timelines":[]' in section
    auditor = compute_figures(log, privacy=PrivacySettings(audience="auditor", key_source="file"))
    steps = auditor["explore"]["timelines"]["tickets"]
    assert steps and {row[3] for t in steps.values() for row in t["rows"]} <= people


def test_deterministic_and_sorted():
    log = load(SAMPLE)
    a = E.explore_figures(log, [], "auditor")
    b = E.explore_figures(load(SAMPLE), [], "auditor")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert [x["activity"] for x in a["activities"]] == sorted(x["activity"] for x in a["activities"])
    assert list(a["timelines"]["tickets"]) == sorted(a["timelines"]["tickets"])
    pa, pb = E.explore_page({"explore": a, "analysers": []}), E.explore_page({"explore": b, "analysers": []})
    assert pa["json"] == pb["json"]


HOSTILE = '"><img src=x onerror=alert(1)></script><!--'


def test_hostile_labels_cannot_leave_the_data_block_or_the_drawing():
    graph = Graph("handover_network_team", "Between teams",
                  nodes=[{"id": HOSTILE, "label": HOSTILE, "weight": 3}, {"id": "HR", "label": "HR", "weight": 2}],
                  edges=[{"source": HOSTILE, "target": "HR", "weight": 4}, {"source": "HR", "target": HOSTILE,
                                                                           "weight": 1}])
    people = Graph("handover_network_person", "Between people", nodes=[], personal=True,
                   edges=[{"source": "P-1", "target": "P-2", "weight": 99}])
    results = [Result("handoffs", "Handoffs", items=[people, graph])]
    network = E.team_network(results)
    assert network["key"] == "handover_network_team" and {t["team"] for t in network["teams"]} == {HOSTILE, "HR"}
    svg = str(E.team_network_svg(network))
    assert "<img" not in svg and "&lt;img" in svg and "P-1" not in svg
    ex = {"activities": [{"activity": HOSTILE + "\x00", "events": 1, "tickets": 1, "case_ids": ["<b>1"]}],
          "arrows": [], "variants": [], "ids_per_key": {"activities": None, "arrows": None}, "timelines": None,
          "team_network": network}
    data = str(E.explore_page({"explore": ex, "analysers": []})["json"])
    assert "<" not in data and "\x00" not in data
    assert json.loads(data)["activities"][0][0] == HOSTILE + "\ufffd"


def test_team_network_is_drawn_deterministically_within_the_page_width():
    log = load(SAMPLE)
    figures = compute_figures(log)
    network = figures["explore"]["team_network"]
    assert network["key"] == "handover_network_team"
    svg = str(E.team_network_svg(network))
    assert svg == str(E.team_network_svg(network))
    width = float(re.search(r'width="([\d.]+)"', svg).group(1))
    assert width <= 1000 and 'style="max-width:100%' in svg
    assert svg.count('class="ex-net-team"') == len(network["teams"]) <= E.NETWORK_TEAMS
    assert svg.count('class="ex-net-arrow"') == len(network["arrows"]) <= E.NETWORK_ARROWS
    widths = {(a["source"], a["target"]): a["handovers"] for a in network["arrows"]}
    drawn = {(m[0], m[1]): float(m[2]) for m in re.findall(
        r'data-source="([^"]*)" data-target="([^"]*)".*?stroke-width="([\d.]+)"', svg)}
    heaviest = max(widths, key=widths.get)
    assert drawn[heaviest] == max(drawn.values())
    assert E.team_network([])["key"] is None


def test_the_explore_script_is_pinned_and_reads_no_template_data():
    from ssc_mining.report.html import _SCRIPT, _sha256, environment

    source = environment().loader.get_source(environment(), "explore.html.j2")[0]
    scripts = _SCRIPT.findall(source)
    assert len(scripts) == 1 and _sha256(scripts[0]) in script_hashes()
    assert "innerHTML" not in scripts[0] and "eval(" not in scripts[0]
