"""The report folder is one consistent set; exports and pages are safe whatever the data hold.

One consistent set, moved into place from a temporary folder, with a ``sha256sum`` manifest; no
leftovers when a run is stopped; distinct names for distinct inputs; symlinks replaced, never
followed; an unwritable folder refused before any work; formula-proof exports; no control
characters; a CSP that blocks a script injected through the data (in Chromium).
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import GOOD_CSV, SAMPLES, cli_path, run_cli

from ssc_mining._io import CONTROL, StagedFolder
from ssc_mining.errors import ConfigError
from ssc_mining.report.writer import report_files

SHA256SUM = shutil.which("sha256sum")
FORMULAS = ("+cmd|'/C calc'!A0", '=HYPERLINK("http://x")', "@SUM(1+1)")


def manifest_names(folder: Path, stem: str) -> set[str]:
    """The files listed in ``STEM.sha256``."""
    return {line.split("  ", 1)[1] for line in (folder / f"{stem}.sha256").read_text().splitlines()}


def files_in(folder: Path) -> set[str]:
    """Every file below ``folder`` (relative, with /), folders left out."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def assert_consistent(folder: Path, stem: str) -> None:
    """``sha256sum -c`` passes in the folder, the manifest lists every other file of the set, nothing temporary
    is left."""
    own = {f for f in files_in(folder) if f.split("/")[0] in report_files(stem)}
    assert own - {f"{stem}.sha256"} == manifest_names(folder, stem)
    assert not [p.name for p in folder.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]
    if SHA256SUM:
        check = subprocess.run([SHA256SUM, "--strict", "-c", f"{stem}.sha256"], cwd=folder, capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    else:  # the same check without coreutils
        for line in (folder / f"{stem}.sha256").read_text().splitlines():
            digest, name = line.split("  ", 1)
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in sorted(files_in(folder))}


# 1. one consistent set

def test_rerun_after_fixing_a_bad_row_leaves_one_consistent_set(write_csv, tmp_path: Path):
    out = tmp_path / "out"
    bad = write_csv(GOOD_CSV + "7,Register,n.v.t.,X,Y\n")
    first = run_cli("report", bad, "-o", out, "--lang", "en", "--lang", "nl", "--export-tables")
    assert first.returncode == 0, first.stderr
    names = manifest_names(out, "input")
    assert {"input.html", "input.nl.html", "input.json", "input.nl.json", "input.quarantine.csv",
            "input.tables.xlsx", "input.nl.tables.xlsx"} <= names
    assert any(n.startswith("input.tables/") and n.endswith(".csv") for n in names)
    assert any(n.startswith("input.nl.tables/") for n in names)
    assert_consistent(out, "input")
    (out / "input.html.sha256").write_text("left by an earlier version\n")  # the former side file

    write_csv(GOOD_CSV)  # the bad row fixed
    second = run_cli("report", bad, "-o", out)
    assert second.returncode == 0, second.stderr
    assert sorted(p.name for p in out.iterdir()) == ["input.html", "input.json", "input.sha256"]
    assert manifest_names(out, "input") == {"input.html", "input.json"}
    assert_consistent(out, "input")
    assert json.loads((out / "input.json").read_text())["provenance"]["rows_quarantined"] == 0


@pytest.fixture(scope="module")
def slow_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated export large enough that its report takes seconds."""
    folder = tmp_path_factory.mktemp("slow")
    result = run_cli("simulate", "-o", folder, "--cases", "20000", "--seed", "3")
    assert result.returncode == 0, result.stderr
    return folder / "ssc-events.csv"


@pytest.mark.parametrize("signum,expected", [(signal.SIGTERM, (-signal.SIGTERM, 128 + signal.SIGTERM)),
                                             (signal.SIGINT, (130,))], ids=["SIGTERM", "SIGINT"])
def test_stopped_run_leaves_no_temporary_files_and_the_earlier_set(slow_input: Path, tmp_path: Path, signum: int,
                                                                   expected: tuple[int, ...]):
    out = tmp_path / "out"
    small = tmp_path / "small" / "ssc-events.csv"  # the same name as the slow input: the same report set
    small.parent.mkdir()
    small.write_text(GOOD_CSV)
    assert run_cli("report", small, "-o", out, "--export-tables").returncode == 0
    before = snapshot(out)
    process = subprocess.Popen([cli_path(), "report", str(slow_input), "-o", str(out), "--export-tables",
                                "--lang", "en", "--lang", "nl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline = time.monotonic() + 120
        # stop it half-way: the English files are written (into the temporary folder), the Dutch ones not yet
        while not any((p / "ssc-events.json").exists() for p in out.glob(".ssc-mining-*")):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the run wrote no English report"
            time.sleep(0.005)
        assert process.poll() is None, "the run ended before it could be stopped"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode in expected, (process.returncode, stderr)
    assert "Internal error" not in stderr
    assert snapshot(out) == before
    assert_consistent(out, "ssc-events")


def test_a_failed_run_removes_the_output_folder_it_made(write_csv, tmp_path: Path):
    path = write_csv("case_id,activity,timestamp\n1,a,2024-01-01 10:00\n1,b\n")
    result = run_cli("report", path, "--strict", "-o", tmp_path / "new" / "out")
    assert result.returncode == 3
    assert not (tmp_path / "new").exists()


def test_names_never_collide_silently(write_csv, tmp_path: Path):
    out = tmp_path / "out"
    csv_input = write_csv(GOOD_CSV, name="tickets.csv")
    xlsx_input = tmp_path / "tickets.xlsx"
    pd.read_csv(csv_input, dtype=str).to_excel(xlsx_input, index=False)
    for source in (csv_input, xlsx_input):
        result = run_cli("report", source, "-o", out)
        assert result.returncode == 0, result.stderr
    assert (out / "tickets.html").exists() and (out / "tickets.xlsx.html").exists()
    assert json.loads((out / "tickets.json").read_text())["provenance"]["source"]["name"] == "tickets.csv"
    assert json.loads((out / "tickets.xlsx.json").read_text())["provenance"]["source"]["name"] == "tickets.xlsx"
    assert_consistent(out, "tickets")
    assert_consistent(out, "tickets.xlsx")

    # a name that would still meet another input's report (its Dutch one) is refused, not overwritten
    assert run_cli("report", csv_input, "-o", out, "--lang", "en", "--lang", "nl").returncode == 0
    before = snapshot(out)
    other = write_csv(GOOD_CSV, name="tickets.nl.csv")
    refused = run_cli("report", other, "-o", out)
    assert refused.returncode == 2
    assert "report of another input, tickets.csv" in refused.stderr and "--name" in refused.stderr
    assert snapshot(out) == before
    assert run_cli("report", other, "-o", out, "--name", "tickets-nl").returncode == 0

    # a JSON file that is no report is never replaced
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "tickets.json").write_text('{"my": "data"}')
    result = run_cli("report", csv_input, "-o", foreign)
    assert result.returncode == 2 and "not a report of ssc_mining" in result.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["tickets.json"]


def test_symlinks_at_output_paths_are_replaced_not_followed(write_csv, tmp_path: Path):
    outside = tmp_path / "outside"
    (outside / "tables").mkdir(parents=True)
    (outside / "page.html").write_text("not yours")
    (outside / "tables" / "keep.csv").write_text("keep me")
    (outside / "rows.csv").write_text("keep these rows")
    out = tmp_path / "out"
    out.mkdir()
    (out / "input.html").symlink_to(outside / "page.html")
    (out / "input.tables").symlink_to(outside / "tables", target_is_directory=True)
    (out / "input.json").symlink_to(outside / "missing.json")  # dangling
    (out / "input.quarantine.csv").symlink_to(outside / "rows.csv")  # stale: this run sets nothing aside
    before = snapshot(outside)
    result = run_cli("report", write_csv(GOOD_CSV), "-o", out, "--export-tables")
    assert result.returncode == 0, result.stderr
    assert snapshot(outside) == before
    assert sorted(p.name for p in outside.iterdir()) == ["page.html", "rows.csv", "tables"]
    for name in ("input.html", "input.json", "input.tables"):
        assert not (out / name).is_symlink()
    assert (out / "input.tables").is_dir() and not os.path.lexists(out / "input.quarantine.csv")
    assert_consistent(out, "input")


# the output folder is checked before any work

def test_unwritable_output_folder_is_refused_before_reading_the_input(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    fifo = tmp_path / "never-written.csv"  # reading it would block for ever: the folder must be checked first
    os.mkfifo(fifo)
    start = time.monotonic()
    result = subprocess.run([cli_path(), "report", str(fifo), "-o", str(blocker / "out")], capture_output=True,
                            text=True, timeout=60)
    assert time.monotonic() - start < 30
    assert result.returncode == 2, result.stderr
    assert str(blocker / "out") in result.stderr and "What to do:" in result.stderr
    assert "Internal error" not in result.stderr and "Read " not in result.stdout
    result = run_cli("report", fifo, "-o", blocker)  # the output "folder" is a file
    assert result.returncode == 2 and "is a file" in result.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write into any folder")
def test_read_only_output_folder_is_refused(tmp_path: Path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = run_cli("report", SAMPLES / "generic-events.csv", "-o", out)
    finally:
        out.chmod(0o755)
    assert result.returncode == 2
    assert str(out) in result.stderr and "no permission" in result.stderr and "Internal error" not in result.stderr


def test_a_file_that_cannot_be_written_is_a_clear_error(write_csv, tmp_path: Path):
    out = tmp_path / "out"
    path = write_csv(GOOD_CSV)
    assert run_cli("report", path, "-o", out).returncode == 0
    before = snapshot(out)

    def small_files() -> None:  # as a full disk does: writing more than 64 KiB fails (EFBIG)
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    result = subprocess.run([cli_path(), "report", str(path), "-o", str(out)], capture_output=True, text=True,
                            timeout=120, preexec_fn=small_files)
    assert result.returncode == 2, result.stderr
    assert "cannot write input." in result.stderr and "What to do:" in result.stderr
    assert "Internal error" not in result.stderr
    assert snapshot(out) == before
    assert_consistent(out, "input")


def test_a_full_disk_is_named_and_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from ssc_mining.loaders import load
    from ssc_mining.report import writer

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer, "atomic_write_bytes", full)
    with pytest.raises(ConfigError) as caught:
        writer.write_report(load(SAMPLES / "generic-events.csv"), tmp_path / "out")
    assert "the disk is full" in caught.value.message() and "free some disk space" in caught.value.message()
    assert not (tmp_path / "out").exists()


def test_staged_folder_cleans_up_on_an_exception(tmp_path: Path):
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with pytest.raises(RuntimeError), StagedFolder(tmp_path / "new") as staged:
        (staged.path / "half.html").write_text("half")
        assert signal.getsignal(signal.SIGTERM) != handlers[1]
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


# 2. exports

def test_formula_headers_reach_exports_neutralised(tmp_path: Path):
    frame = pd.read_csv(SAMPLES / "generic-events.csv", dtype=str, keep_default_na=False)
    mothers = sorted(frame["mother"].unique())
    frame["mother"] = frame["mother"].map(dict(zip(mothers, FORMULAS)))
    source = tmp_path / "hostile.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "out"
    result = run_cli("report", source, "-o", out, "--export-tables")
    assert result.returncode == 0, result.stderr
    with open(out / "hostile.tables" / "comparison-side_by_side.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    for formula in FORMULAS:
        assert "'" + formula in header
    for path in (out / "hostile.tables").glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        for cell in {c for row in csv.reader(io.StringIO(text)) for c in row}:
            assert not any(cell.startswith(f) for f in FORMULAS), (path.name, cell)

    import openpyxl
    book = openpyxl.load_workbook(out / "hostile.tables.xlsx")
    headers = {c.value: c.data_type for c in next(book["comparison-side_by_side"].iter_rows(max_row=1))}
    for formula in FORMULAS:
        assert headers["'" + formula] == "s"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(out / "hostile.tables.xlsx") as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/"))
    assert_consistent(out, "hostile")


def test_sheet_and_file_names_are_guarded(tmp_path: Path):
    import openpyxl

    from ssc_mining.report.tables_export import export_tables
    from ssc_mining.results import Column, Result, Table

    result = Result("=evil", "Evil", items=[Table("../../x", "T", [Column("=h")], [["@a"]]),
                                            Table("@2", "U", [Column("b")], [["ok"]])])
    paths = export_tables([result], tmp_path, "r")
    assert all(p.resolve().is_relative_to(tmp_path) for p in paths)
    assert sorted(p.name for p in (tmp_path / "r.tables").iterdir()) == ["_evil-.._.._x.csv", "_evil-_2.csv"]
    book = openpyxl.load_workbook(paths[-1])
    assert [s.title for s in book.worksheets] == ["_=evil-.._.._x", "_=evil-@2"]
    assert book.worksheets[0]["A1"].value == "'=h" and book.worksheets[0]["A2"].value == "'@a"


# 4. control characters

CONTROLS = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\x9f"


def test_control_characters_never_reach_the_page_or_the_exports(tmp_path: Path):
    rows = [("00123", "Reg\x00ister", "2024-03-04 09:00", "Anna\x01 de Vries", "Service\x1bdesk", "Gem\x7f A\x85"),
            ("00123", "Forward\x0b", "2024-03-04 09:30", "Anna\x01 de Vries", "Service\x1bdesk", "Gem\x7f A\x85"),
            ("00123", "Resolve", "2024-03-05 11:00", "Bram\x9f", "HR\x00", "Gem\x7f A\x85"),
            ("2", "Reg\x00ister", "2024-03-06 10:00", "Anna\x01 de Vries", "Service\x1bdesk", "\x00=HYPERLINK(1)"),
            ("2", "Resolve\x08", "2024-03-07 16:45", "Chris\x0c", "ICT", "\x00=HYPERLINK(1)")]
    source = tmp_path / "controls.parquet"
    pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "resource", "team", "mother"]).to_parquet(source)
    out = tmp_path / "out"
    result = run_cli("report", source, "-o", out, "--export-tables", "--audience", "auditor", "--no-pseudonymise",
                     "--lang", "en", "--lang", "nl")
    assert result.returncode == 0, result.stderr
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 2
    for page in pages:
        html = page.read_text(encoding="utf-8")
        start = html.index("<script>")
        html = html[:start] + html[html.index("</script>", start):]  # plotly.js has control characters of its own
        assert not CONTROL.search(html), page.name
        assert "Reg\ufffdister" in html
        # not in chart data either
        assert not re.search(r"\\u00(0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])", html, re.IGNORECASE)
    exports = list(out.rglob("*.csv"))
    assert exports
    for path in exports:
        assert not CONTROL.search(path.read_text(encoding="utf-8")), path.name
    for path in out.glob("*.xlsx"):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                assert not CONTROL.search(z.read(name).decode("utf-8")), (path.name, name)
    assert_consistent(out, "controls.parquet")


# 3. CSP: a script that reached the page is blocked even with escaping switched off

# the browser fixture (Debian's headless Chromium) comes from conftest.py

INJECTED = "<script>document.title='pwned'</script>"


@pytest.mark.browser
def test_csp_blocks_a_script_injected_through_the_data(browser, write_csv, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path):
    from ssc_mining.loaders import load
    from ssc_mining.report import html as report_html
    from ssc_mining.report.writer import write_report

    unsafe = report_html.environment().overlay(autoescape=False, cache_size=0)
    monkeypatch.setattr(report_html, "environment", lambda: unsafe)
    path = write_csv(GOOD_CSV + f'1e5,"{INJECTED}",2024-03-08 09:00,x,"{INJECTED}"\n')
    paths = write_report(load(path), tmp_path / "out", name="injected")
    page_source = paths.html.read_text(encoding="utf-8")
    assert INJECTED in page_source  # escaping really was off
    assert report_html._sha256("document.title='pwned'") not in report_html.script_hashes()

    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    page.goto(paths.html.as_uri(), wait_until="load")
    page.wait_for_timeout(500)
    try:
        assert page.title() == "SSC process report — input.csv"
        assert any("Content Security Policy" in m for m in console), console
        # the page's own scripts ran: sortable tables, the map switch, plotly's charts
        assert page.locator("table.sortable thead th[aria-sort]").count() > 0
        button = page.locator("button[data-pm-mode=performance]")
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        assert page.locator("svg.process-map").first.get_attribute("data-mode") == "performance"
        charts = page.locator("div.plotly-graph-div")
        assert charts.count() >= 1
        for i in range(charts.count()):
            assert charts.nth(i).locator("svg.main-svg").count() >= 1
        assert all("Content Security Policy" in m for m in console), console  # no other error
    finally:
        context.close()


def test_a_huge_label_is_cut_for_display_and_bounded_everywhere(tmp_path: Path):
    """A 9,000-character label is cut to 200 characters on the page and kept whole in the JSON and the exported
    tables; a 5 MB label is cut to the reading limit (10,000 characters, noted in the provenance) first."""
    long_label, huge_label = "L" * 9_000, "H" * 5_000_000
    source = tmp_path / "long.csv"
    source.write_text("case,activity,timestamp\n"
                      f"1,{long_label},2024-03-04 09:00\n1,Resolve,2024-03-04 10:00\n"
                      f"2,{huge_label},2024-03-05 09:00\n2,Resolve,2024-03-05 10:00\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("report", source, "-o", out, "--export-tables")
    assert result.returncode == 0, result.stderr
    html = (out / "long.html").read_text(encoding="utf-8")
    assert "L" * 201 not in html and "L" * 199 + "…" in html
    assert "H" * 10_001 not in html and len(html) < 8_000_000
    data = (out / "long.json").read_text(encoding="utf-8")
    assert long_label in data and "H" * 10_001 not in data
    assert any("cut" in note for note in json.loads(data)["provenance"]["notes"])
    tables = "".join(p.read_text(encoding="utf-8") for p in (out / "long.tables").glob("*.csv"))
    assert long_label in tables
