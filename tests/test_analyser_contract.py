"""The analyser contract: registry, runner (skip / fail / strict), result vocabulary, rendering."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import EVENT_COUNT_PLUGIN, GOOD_CSV, SAMPLES, run_cli

from ssc_mining.analysers import Analyser, AnalyserFailedError, discover, run_analysers
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.report.results_html import render_result
from ssc_mining.results import Chart, Column, Finding, Graph, Metric, Result, Table


def small_log() -> EventLog:
    return EventLog.from_frame(pd.DataFrame({
        C.CASE: ["1", "1", "2"], C.ACTIVITY: ["Open", "Close", "Open"],
        C.TIMESTAMP: pd.to_datetime(["2024-01-01 09:00", "2024-01-02 09:00", "2024-01-03 09:00"], utc=True)}))


@dataclass(frozen=True, kw_only=True)
class NeedsTeam(Analyser):
    name = "needs_team"
    title = {"en": "Needs team", "nl": "Heeft team nodig"}
    description = {"en": "x", "nl": "x"}
    requires = (C.CASE, C.TEAM)

    def analyse(self, log):
        return self.result(summary="ran", items=[])


@dataclass(frozen=True, kw_only=True)
class Raises(Analyser):
    name = "raises"
    title = {"en": "Raises", "nl": "Faalt"}

    def analyse(self, log):
        raise ValueError("boom")


@dataclass(frozen=True, kw_only=True)
class WrongType(Analyser):
    name = "wrong_type"
    title = {"en": "Wrong type", "nl": "Verkeerd type"}

    def analyse(self, log):
        return {"not": "a result"}


def test_builtins_are_found_through_the_entry_point_group():
    found = discover()
    assert {"throughput", "variants"} <= set(found.analysers)
    assert "ssc-mining" in found.origins["throughput"]


def test_missing_required_column_skips_with_reason():
    [result] = run_analysers(small_log(), [NeedsTeam()])
    assert result.status == "skipped" and "org:group" in result.reason


def test_failing_analysers_are_reported_not_raised():
    results = run_analysers(small_log(), [Raises(), WrongType(), discover().analysers["variants"]()])
    assert [r.status for r in results] == ["failed", "failed", "ok"]
    assert "ValueError: boom" in results[0].reason
    assert "not a Result" in results[1].reason


def test_strict_makes_a_failure_fatal():
    with pytest.raises(AnalyserFailedError, match="raises"):
        run_analysers(small_log(), [Raises()], strict=True)


def test_params_are_keyword_fields_stored_unchanged():
    cls = discover().analysers["variants"]
    assert cls.param_defaults() == {"top": 10}
    assert cls(top=3).params() == {"top": 3}
    assert cls(top=3) == cls(top=3)
    with pytest.raises(TypeError):
        cls(3)  # keyword-only


def test_result_round_trips_through_json():
    result = Result(analyser="demo", title="Demo", summary="s", items=[
        Metric("m", "M", 0.25, unit="share"),
        Table("t", "T", [Column("a", "A", "what a is")], [[1]]),
        Finding("f", "warning", "text", ["c1"], 1),
        Chart("c", "C", "bar", ["x"], {"y": [1]}),
        Graph("g", "G", [{"id": "a", "label": "a", "weight": 1}], [{"source": "a", "target": "a", "weight": 2}]),
    ], caveats=["care"], params={"p": 1})
    again = Result.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result


def test_every_item_type_renders_and_escapes_data():
    hostile = "<script>alert(1)</script>"
    result = Result(analyser="demo", title=hostile, summary=hostile, items=[
        Metric("m", hostile, 3), Table("t", hostile, [Column("a", hostile)], [[hostile]]),
        Finding("f", "warning", hostile, [hostile]), Chart("c", hostile, "bar", [hostile], {hostile: [1]}),
        Graph("g", hostile, [], [{"source": hostile, "target": "b", "weight": 1}])], caveats=[hostile])
    html = render_result(result)
    assert "<script>alert(1)</script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6
    assert 'id="chart-analyser-demo-c"' in html


def test_skipped_and_failed_results_render_their_reason():
    html = render_result(Result.skipped("x", "X", "the log has no values in the column(s) org:group"))
    assert "was skipped" in html and "org:group" in html


def test_cli_lists_analysers_with_parameters():
    result = run_cli("analysers")
    assert result.returncode == 0
    assert "variants" in result.stdout and "top=10" in result.stdout and "nl:" in result.stdout


def test_cli_analyse_writes_json(write_csv, tmp_path: Path):
    path = write_csv(GOOD_CSV)
    out = tmp_path / "r.json"
    result = run_cli("analyse", path, "--json", out, "--analysers", "variants", "--param", "variants.top=1")
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    [variants] = data["analysers"]
    assert variants["params"] == {"top": 1} and variants["status"] == "ok"


def test_plugins_dir_and_broken_plugin(write_csv, tmp_path: Path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "good.py").write_text(EVENT_COUNT_PLUGIN)
    (plugins / "broken.py").write_text("import no_such_module_here\n")
    path = write_csv(GOOD_CSV)
    result = run_cli("report", path, "-o", tmp_path / "out", "--plugins-dir", plugins)
    assert result.returncode == 0, result.stderr
    assert "broken.py" in result.stderr and "no_such_module_here" in result.stderr
    html = (tmp_path / "out" / "input.html").read_text()
    assert "Event count" in html and "5 events." in html


def test_plugins_dir_adds_profiles_and_presets(tmp_path: Path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "extras.py").write_text(
        "from ssc_mining import Preset, Profile, ProfiledTable\n"
        "class Tiny(Profile):\n"
        "    name = 'tiny-system'\n"
        "    description = 'A tiny ticket system.'\n"
        "    def detect(self, raw):\n"
        "        return 'column Ticketnr' if 'Ticketnr' in raw.frame.columns else None\n"
        "    def to_events(self, raw, spec):\n"
        "        return ProfiledTable(raw=raw,\n"
        "                             mapping={'case': 'Ticketnr', 'activity': 'Stap', 'timestamp': 'Wanneer'})\n"
        "ONLY_VARIANTS = Preset('only-variants', 'Just variants.', {'variants': {'top': 2}})\n")
    export = tmp_path / "tiny.csv"
    export.write_text("Ticketnr;Stap;Wanneer\n1;Open;2024-01-01 10:00\n1;Dicht;2024-01-02 10:00\n")
    listed = run_cli("profiles", "--plugins-dir", plugins)
    assert "tiny-system" in listed.stdout
    assert "only-variants" in run_cli("presets", "--plugins-dir", plugins).stdout
    inspected = run_cli("inspect", export, "--plugins-dir", plugins)
    assert inspected.returncode == 0 and "Profile: tiny-system" in inspected.stdout
    out = tmp_path / "out"
    result = run_cli("report", export, "-o", out, "--plugins-dir", plugins, "--preset", "only-variants")
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "tiny.json").read_text())
    assert data["provenance"]["profile"] == "tiny-system"
    assert [r["analyser"] for r in data["analysers"]] == ["variants"] and data["analysers"][0]["params"] == {"top": 2}


def test_an_analyser_from_the_plugins_folder_can_be_compared_across_segments(tmp_path: Path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "counting.py").write_text(
        "from dataclasses import dataclass\n"
        "from ssc_mining.analysers import Analyser\n"
        "from ssc_mining.results import Metric\n"
        "@dataclass(frozen=True, kw_only=True)\n"
        "class Events(Analyser):\n"
        "    name = 'event_count'\n"
        "    title = {'en': 'Event count', 'nl': 'Aantal gebeurtenissen'}\n"
        "    description = {'en': 'Counts events.', 'nl': 'Telt gebeurtenissen.'}\n"
        "    def analyse(self, log):\n"
        "        return self.result(summary='Events counted.', items=[\n"
        "            Metric('cases', 'Tickets', log.n_cases, unit='cases'),\n"
        "            Metric('events', 'Events', log.n_events, unit='events')])\n")
    out = tmp_path / "out.json"
    result = run_cli("analyse", SAMPLES / "generic-events.csv", "--json", out, "--plugins-dir", plugins,
                     "--analysers", "comparison", "--param", "comparison.analyser=event_count",
                     "--param", "comparison.segment=mother")
    assert result.returncode == 0, result.stderr
    [comparison] = json.loads(out.read_text())["analysers"]
    assert comparison["status"] == "ok", comparison["reason"]
    rows = {row[0]: row[2:] for row in next(i for i in comparison["items"] if i["key"] == "side_by_side")["rows"]}
    frame = pd.read_csv(SAMPLES / "generic-events.csv")
    mother = next(c for c in frame.columns if "mother" in c.lower() or "moeder" in c.lower())
    expected = frame.groupby(mother).size().sort_values(ascending=False)
    assert sorted(rows["Events"]) == sorted(expected.tolist())   # events per mother organisation, counted by hand


def test_one_plugin_manager_lists_every_kind_and_refuses_a_name_twice(tmp_path: Path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "clash.py").write_text(
        "from dataclasses import dataclass\n"
        "from ssc_mining import Preset, Profile\n"
        "from ssc_mining.analysers import Analyser\n"
        "@dataclass(frozen=True, kw_only=True)\n"
        "class MyVariants(Analyser):\n"
        "    name = 'variants'\n"
        "class Mine(Profile):\n"
        "    name = 'my-system'\n"
        "    description = 'Mine.'\n"
        "SHORT = Preset('short', 'Short.', {'variants': {}})\n")
    (plugins / "broken.py").write_text("raise RuntimeError('half-written plugin')\n")
    result = run_cli("plugins", "--plugins-dir", plugins)
    assert result.returncode == 1
    sections = dict(re.findall(r"^(\w+):\n((?:  .*\n)*)", result.stdout, flags=re.M))
    assert set(sections) == {"analysers", "presets", "profiles"}
    assert re.search(r"^  short\s+clash\.py:SHORT$", sections["presets"], flags=re.M)
    assert re.search(r"^  my-system\s+clash\.py:Mine$", sections["profiles"], flags=re.M)
    # the built-in analyser keeps its name; the folder's is refused with both origins named
    assert re.search(r"^  variants\s+ssc_mining\.analysers\.variants:Variants", sections["analysers"], flags=re.M)
    assert "clash.py:MyVariants: NOT LOADED: analyser name 'variants'" in result.stderr
    assert "broken.py: NOT LOADED" in result.stderr and "half-written plugin" in result.stderr
    builtin = run_cli("plugins")
    assert builtin.returncode == 0 and "clash.py" not in builtin.stdout
    missing = run_cli("plugins", "--plugins-dir", tmp_path / "nowhere")
    assert missing.returncode == 2 and "nowhere: the plugins folder does not exist" in missing.stderr
    assert "What to do: give --plugins-dir a folder" in missing.stderr
