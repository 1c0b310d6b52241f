"""End-to-end: the installed CLI writes a self-contained, deterministic, escaped report."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import GOOD_CSV, SAMPLES, run_cli

HOSTILE = '<img src=x onerror=alert(1)>'


@pytest.fixture
def report_dir(write_csv, tmp_path: Path) -> Path:
    path = write_csv(GOOD_CSV + f'1e5,"{HOSTILE}",2024-03-08 09:00,"<script>alert(2)</script>",Servicedesk\n')
    result = run_cli("report", path, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "Report (en):" in result.stdout
    return tmp_path / "out"


def test_report_files_are_written(report_dir: Path):
    names = sorted(p.name for p in report_dir.iterdir())
    assert names == ["input.html", "input.json", "input.sha256"]
    manifest = dict(reversed(line.split("  ", 1)) for line in (report_dir / "input.sha256").read_text().splitlines())
    assert set(manifest) == {"input.html", "input.json"}      # sha256sum format: every file written, by name
    for name, digest in manifest.items():
        assert digest == hashlib.sha256((report_dir / name).read_bytes()).hexdigest()


def test_json_holds_figures_and_reconciled_provenance(report_dir: Path):
    data = json.loads((report_dir / "input.json").read_text())
    assert data["overview"]["cases"] == 2 and data["overview"]["events"] == 6
    p = data["provenance"]
    assert p["rows_read"] == 6 and p["rows_used"] == 6 and p["rows_quarantined"] == 0 and p["reconciles"]
    assert len(p["source"]["sha256"]) == 64
    assert p["versions"]["pm4py"] and p["versions"]["pandas"]
    edges = {(e["source"], e["target"]): e["events"] for e in data["process_map"]["edges"]}
    assert edges[("Register", "Forward")] == 1 and edges[("Register", "Resolve")] == 1


def test_names_from_the_data_are_escaped(report_dir: Path):
    html = (report_dir / "input.html").read_text()
    assert HOSTILE not in html
    assert "<script>alert(2)</script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_report_is_self_contained(report_dir: Path):
    html = (report_dir / "input.html").read_text()
    library_start = html.index("<script>") + len("<script>")
    library_end = html.index("</script>", library_start)
    assert "plotly.js" in html[library_start:library_start + 200]  # plotly.js inlined in the head
    page = html[:library_start] + html[library_end:]
    # no element of the page loads anything from another host (the browser test checks it live)
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page, re.I)
    assert html.count("plotly.js v") == 1
    import html as htmllib
    assert "Content-Security-Policy" in html and "default-src 'none'" in htmllib.unescape(html[:2000])


def test_report_is_byte_identical_across_runs_and_hash_seeds(write_csv, tmp_path: Path):
    path = write_csv(GOOD_CSV)
    outputs = []
    for seed in ("0", "12345"):
        # the command line is part of the report: the same options, run from two folders
        (tmp_path / seed).mkdir()
        out = tmp_path / seed / "out"
        result = run_cli("report", path, "-o", "out", env={"PYTHONHASHSEED": seed}, cwd=tmp_path / seed)
        assert result.returncode == 0, result.stderr
        outputs.append(((out / "input.html").read_bytes(), (out / "input.json").read_bytes()))
    assert outputs[0] == outputs[1]


def test_quarantine_file_lists_rows_and_reasons(write_csv, tmp_path: Path):
    path = write_csv(GOOD_CSV + "7,Register,n.v.t.,X,Y\n=cmd|' /C calc'!A0,Register\n")
    default = run_cli("report", path, "-o", tmp_path / "default")
    assert default.returncode == 0, default.stderr
    withheld = (tmp_path / "default" / "input.quarantine.csv").read_text()
    assert "calc" not in withheld and "withheld" in withheld  # raw text may hold names: not copied by default
    result = run_cli("report", path, "-o", tmp_path / "out", "--no-pseudonymise")
    assert result.returncode == 0, result.stderr
    assert "2 set aside" in result.stdout
    text = (tmp_path / "out" / "input.quarantine.csv").read_text()
    lines = text.splitlines()
    assert lines[0] == "source_row,reason,raw"
    assert lines[1].startswith("7,timestamp does not match")
    assert lines[2].startswith("8,too few fields")
    assert "'=cmd" in lines[2]  # a formula is neutralised for spreadsheets
    data = json.loads((tmp_path / "out" / "input.json").read_text())
    assert data["provenance"]["rows_read"] == 7 and data["provenance"]["rows_quarantined"] == 2


def test_run_date_comes_only_from_the_option(write_csv, tmp_path: Path):
    path = write_csv(GOOD_CSV)
    result = run_cli("report", path, "-o", tmp_path / "out", "--run-date", "2026-11-27")
    assert result.returncode == 0
    assert "report date 2026-11-27" in (tmp_path / "out" / "input.html").read_text()


def test_bundled_sample_report(tmp_path: Path):
    sample = SAMPLES / "generic-events.csv"
    assert sample.exists(), "the bundled sample is missing"
    result = run_cli("report", sample, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "generic-events.json").read_text())
    assert data["overview"]["cases"] > 100 and data["provenance"]["reconciles"]


def test_no_pm4py_banner_or_progress_leaks(tmp_path: Path, write_csv):
    path = write_csv(GOOD_CSV)
    result = run_cli("report", path, "-o", tmp_path / "out")
    assert "PM4Py" not in result.stdout + result.stderr
    assert result.stderr == ""  # quiet when stderr is not a terminal


def test_key_findings_answer_every_question_on_the_sample(tmp_path: Path):
    from ssc_mining.report.key_findings import QUESTIONS

    result = run_cli("report", SAMPLES / "generic-events.csv", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "generic-events.json").read_text())
    keys = {(r["analyser"], i["key"]) for r in data["analysers"] for i in r["items"] if i["type"] == "metric"}
    missing = [(s.analyser, s.key) for _, sources in QUESTIONS for s in sources if (s.analyser, s.key) not in keys]
    assert missing == []
    html = (tmp_path / "generic-events.html").read_text()
    first_page = html.split('id="key-findings"')[1].split("</section>")[0]
    answers = first_page.split('<dl class="answers">')[1].split("</dl>")[0]
    # the simulated SSC sends no request back to its requester: that one question says so, with the reason
    assert answers.count("Not measured") == 1
    assert "Not measured: nothing in this export means sending a request back" in first_page


# --- a section as the page shows it: small bases, long tables, figures not measured, parameters in words --------

def _section(items, params=None) -> str:
    from ssc_mining.report.results_html import render_result
    from ssc_mining.results import Result

    return render_result(Result("demo", "Demo", "A demo section.", items, params=params or {}))


def test_a_figure_on_few_tickets_says_so_and_a_large_base_does_not():
    from ssc_mining.results import Metric

    html = _section([Metric("few", "Few", 0.4, unit="share", base=5, based_on="5 tickets"),
                     Metric("many", "Many", 0.3, unit="share", base=400, based_on="400 tickets")])
    few = html[html.index('id="analyser-demo-few"'):html.index('id="analyser-demo-many"')]
    many = html[html.index('id="analyser-demo-many"'):]
    assert "only 5 tickets: read as an example" in few
    assert "read as an example" not in many


def test_a_long_table_shows_its_first_rows_and_says_how_many_there_are():
    from ssc_mining.report.results_html import TABLE_ROWS
    from ssc_mining.results import Column, Table

    rows = [[f"team {k}", 1000 - k] for k in range(37)]
    html = _section([Table("t", "Teams", [Column("team"), Column("tickets", unit="cases")], rows)])
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    assert body.count("<tr") == 37 and body.count("<tr hidden") == 37 - TABLE_ROWS
    assert f"The first {TABLE_ROWS} of 37 rows" in html
    assert 'data-v="1000"' in html and ">1,000<" in html


def test_figures_not_measured_take_one_line_per_reason_and_parameters_read_as_words():
    from ssc_mining.results import Metric

    reason = "the export does not say which group each ticket was assigned to"
    items = [Metric.not_measured(k, k.upper(), reason) for k in ("a", "b", "c")]
    html = _section(items, params={"max_groups": 15, "first_line_teams": (), "segment": "mother", "exact": True})
    assert html.count(reason) == 1 and all(f'id="analyser-demo-{k}"' in html for k in "abc")
    assert "[" not in html.split("Parameters:")[1] and "True" not in html and "()" not in html
    assert "<code>max_groups</code>: 15" in html and "<code>exact</code>: yes" in html


def test_figures_shared_between_languages_are_the_same_as_computed_alone(tmp_path: Path):
    """Computations shared by the languages of a run (maps, model, variants, per-case tables) are not changed by
    the first language: the Dutch figures of an English+Dutch run equal those of a Dutch-only run."""
    both, alone = tmp_path / "both", tmp_path / "alone"
    for folder, langs in ((both, ("--lang", "en", "--lang", "nl")), (alone, ("--lang", "nl"))):
        done = run_cli("report", SAMPLES / "generic-events.csv", "-o", folder, *langs)
        assert done.returncode == 0, done.stderr
    first = json.loads((both / "generic-events.nl.json").read_text(encoding="utf-8"))
    second = json.loads((alone / "generic-events.nl.json").read_text(encoding="utf-8"))
    first.pop("run"), second.pop("run")
    assert first == second
