"""Privacy by default: no real names in any output, stable keyed pseudonyms, small groups suppressed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, run_cli

from ssc_mining.privacy import PrivacySettings, Pseudonymiser, apply_privacy, suppress_small_groups
from ssc_mining.results import Column, Result, Table

SAMPLE = SAMPLES / "generic-events.csv"

PLUGIN = '''
from dataclasses import dataclass
from ssc_mining.analysers import Analyser
from ssc_mining.eventlog import columns as C
from ssc_mining.results import Column, Table

@dataclass(frozen=True, kw_only=True)
class PeoplePerTeam(Analyser):
    name = "people_per_team"
    title = {"en": "People per team", "nl": "Mensen per team"}
    description = {"en": "Test plugin.", "nl": "Testplugin."}
    def analyse(self, log):
        f = log.frame
        g = f.groupby(C.TEAM).agg(people=(C.RESOURCE, "nunique"), events=(C.ACTIVITY, "size")).reset_index()
        per_person = f.groupby(C.RESOURCE).size().rename("events").reset_index()
        return self.result(summary="x", items=[
            Table.from_frame("teams", "Events per team", g, units={"people": "people", "events": "events"}),
            Table.from_frame("persons", "Events per person", per_person, units={"events": "events"},
                             personal=True)])
'''


def output_text(folder: Path) -> str:
    """Everything written into ``folder``, XLSX contents included, as one string."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        elif path.is_file():
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def names() -> set[str]:
    frame = pd.read_csv(SAMPLE, dtype=str)
    return set(frame["resource"].dropna()) | set(frame["requester"].dropna())


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "people.py").write_text(PLUGIN)
    return folder


def test_no_real_name_in_any_output(tmp_path: Path, names: set[str], plugins: Path):
    out = tmp_path / "out"
    result = run_cli("report", SAMPLE, "-o", out, "--audience", "auditor", "--export-tables", "--lang", "en",
                     "--lang", "nl", "--plugins-dir", plugins)
    assert result.returncode == 0, result.stderr
    text = output_text(out)
    assert "P-" in text  # pseudonyms are there (auditor sees the person table)
    leaked = sorted(n for n in names if n in text)
    assert leaked == []


def test_no_pseudonymise_is_explicit_and_stated(tmp_path: Path, names: set[str], plugins: Path):
    result = run_cli("report", SAMPLE, "-o", tmp_path, "--audience", "auditor", "--no-pseudonymise",
                     "--plugins-dir", plugins)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "generic-events.html").read_text()
    assert "Pseudonymisation was switched off" in html
    assert any(n in html for n in names)


def test_same_key_gives_stable_pseudonyms_and_the_key_stays_secret(tmp_path: Path, plugins: Path):
    key = tmp_path / "key"
    key.write_text("correct horse battery staple 1234")
    outs = []
    for run in ("a", "b"):
        # the command line is part of the report: the same options, run from two folders
        (tmp_path / run).mkdir()
        out = tmp_path / run / "out"
        result = run_cli("report", SAMPLE, "-o", "out", "--audience", "auditor", "--pseudonym-key-file", key,
                         "--plugins-dir", plugins, env={"PYTHONHASHSEED": "1" if run == "a" else "99"},
                         cwd=tmp_path / run)
        assert result.returncode == 0, result.stderr
        outs.append(((out / "generic-events.html").read_bytes(), (out / "generic-events.json").read_bytes()))
        assert "correct horse" not in output_text(out)
    assert outs[0] == outs[1]
    other = tmp_path / "other-key"
    other.write_text("a different secret key of enough bytes")
    result = run_cli("report", SAMPLE, "-o", tmp_path / "c", "--audience", "auditor", "--pseudonym-key-file", other,
                     "--plugins-dir", plugins)
    assert result.returncode == 0
    assert (tmp_path / "c" / "generic-events.json").read_bytes() != outs[0][1]


def test_works_council_sees_no_person_level_table(tmp_path: Path, plugins: Path):
    result = run_cli("report", SAMPLE, "-o", tmp_path, "--plugins-dir", plugins)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "generic-events.html").read_text()
    assert "Events per team" in html
    assert "Events per person" not in html.split('id="about"')[1].split("</section>", 1)[1]
    assert "is about individual people and is not shown" in html


def test_small_groups_are_suppressed_with_a_complementary_cell():
    table = Table("t", "T", [Column("team"), Column("people", unit="people"), Column("cases", unit="cases")],
                  [["A", 3, 10], ["B", 12, 40], ["C", 6, 25], ["D", 20, 60]])
    suppressed, hidden = suppress_small_groups(table, 5)
    assert hidden == 2  # A, plus the next smallest (C), so A cannot be recomputed from a total
    # the people count is hidden; the team's ticket count is not about a person and stays
    assert suppressed.rows[0] == ["A", "< 5", 10] and suppressed.rows[2] == ["C", "< 5", 25]
    assert suppressed.rows[1] == ["B", 12, 40]


def test_min_group_size_reaches_the_report(tmp_path: Path, plugins: Path):
    result = run_cli("report", SAMPLE, "-o", tmp_path, "--plugins-dir", plugins, "--min-group-size", "1000")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "generic-events.html").read_text()
    assert "&lt; 1000" in html


def test_pseudonymiser_is_keyed():
    a, b = Pseudonymiser(b"k" * 32), Pseudonymiser(b"j" * 32)
    assert a.pseudonym("Anna") == a.pseudonym("Anna") != b.pseudonym("Anna")
    for column in (pd.Series(["Anna", None, "Anna", "Bram"]), pd.Series(["Anna", None, "Anna", "Bram"], dtype=object)):
        series = a.series(column)
        assert series[0] == series[2] and pd.isna(series[1]) and series[3] != series[0]
        assert series.dtype == column.dtype   # a text column stays one (Arrow), as it came


def test_apply_privacy_drops_personal_items_for_works_councils():
    result = Result("x", "X", items=[Table("p", "Per person", [Column("who")], [["P-1"]], personal=True)])
    [kept], notes = apply_privacy([result], PrivacySettings(audience="works-council"))
    assert kept.items == [] and notes
    [kept], _ = apply_privacy([result], PrivacySettings(audience="auditor"))
    assert len(kept.items) == 1


def test_exported_tables_neutralise_formulas(tmp_path: Path):
    from ssc_mining.report.tables_export import export_tables
    result = Result("demo", "Demo", items=[Table("t", "T", [Column("a"), Column("b", unit="cases")],
                                                 [["=HYPERLINK(\"x\")", 1], ["@SUM(A1)", -2], ["ok", 3]])])
    paths = export_tables([result], tmp_path, "r")
    csv = (tmp_path / "r.tables" / "demo-t.csv").read_text()
    assert "'=HYPERLINK" in csv and "'@SUM" in csv and "-2" in csv
    import openpyxl
    sheet = openpyxl.load_workbook(paths[-1]).active
    assert sheet["A2"].value.startswith("'=") and sheet["B3"].value == -2


def test_the_prefilter_never_hides_a_text_with_a_name():
    """may_change (one Arrow regular expression for all texts) may flag too much, never too little: every text
    it passes over is left unchanged by replace (checked text by text on random texts of names, parts of names,
    non-ASCII case foldings such as ß/SS, e-mail addresses and noise)."""
    import random
    import string

    from ssc_mining.privacy import NameFinder, Pseudonymiser

    rng = random.Random(7)
    finder = NameFinder(["Wilma Wortel", "Jan de Vries", "Straße Müller", "Ann", "O'Brien Kate", "Jürgen Klopp",
                         "Value 1"], Pseudonymiser(b"a key of at least sixteen bytes"))
    words = ["wilma", "WORTEL", "jan", "de", "vries", "STRASSE", "straße", "müller", "ann", "anna", "o", "brien",
             "kate", "JÜRGEN", "value", "1", "mail@x.org", "ANN_"]
    noise = string.ascii_letters + "  .,-_'@ßüÜ0123"
    texts = [" ".join(rng.choice(words) if rng.random() < 0.7 else
                      "".join(rng.choice(noise) for _ in range(rng.randint(1, 6))) for _ in range(rng.randint(0, 6)))
             for _ in range(5000)]
    flagged = finder.may_change(texts)
    assert flagged is not None and 0 < flagged.sum() < len(texts)
    changed = [finder.replace(t) != t for t in texts]
    assert sum(changed) > 100
    assert not any(c and not f for c, f in zip(changed, flagged))
    assert finder.may_change([1, "Ann"]) is None   # not all strings: every text is checked
