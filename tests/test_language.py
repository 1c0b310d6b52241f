"""Plain language in both languages: the Dutch report of a Dutch export holds no English prose, the words
follow the glossary (docs/glossary.md), counts never show decimals, shares are always percentages, and
chart axes speak the language of the page.

The reports are built once per module from the bundled samples: the Dutch TOPdesk-like export
``generic-events-nl.csv`` (``--lang nl``) and the English ``generic-events.csv``. Their visible text is
the text of the page without scripts and styles, plus what the charts draw (titles, axis titles,
legends, category labels); code (settings, parameters, file names) and every value of the input file
are taken out first, so only the program's own texts are checked.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po
from conftest import ROOT, SAMPLES, run_cli

from ssc_mining import i18n

LC_MESSAGES = ROOT / "ssc_mining" / "locale" / "nl" / "LC_MESSAGES"
GLOSSARY = ROOT / "docs" / "glossary.md"

#: words of English prose that no Dutch text of the page uses (whole words, any case)
ENGLISH_WORDS = (
    "the", "and", "with", "which", "were", "are", "have", "has", "this", "that", "these", "their", "there",
    "from", "into", "than", "each", "every", "only", "when", "where", "while", "about", "after", "before", "between",
    "other", "more", "most", "less", "still", "first", "last", "not", "no", "yes", "case", "cases", "ticket",
    "tickets", "event", "events", "mother", "mapping", "missing", "proposed", "column", "columns", "row", "rows",
    "share", "shares", "days", "day", "hours", "hour", "minutes", "median", "mean", "average", "push", "front",
    "handover", "handovers", "handoff", "handoffs", "waiting", "wait", "throughput", "requester", "people", "person",
    "times", "activity", "activities", "resolved", "closed", "reopened", "measured", "back", "chain",
    "number", "rule", "found", "none", "true", "false",
)
#: English month names and abbreviations, as plotly or an English formatter would write them (case matters)
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "January",
                  "February", "March", "April", "June", "July", "August", "September", "October", "November",
                  "December")
DUTCH_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
#: words of Dutch prose that no English text of the page uses
DUTCH_WORDS = ("de", "het", "een", "en", "van", "niet", "wordt", "zijn", "meldingen", "melding", "stappen", "stap",
               "gebeurtenissen", "zaken", "aanvrager", "doorlooptijd", "aandeel", "mediaan", "dagen", "uur")
#: units of counts: a figure in such a unit that is a whole number never shows decimals
COUNT_UNITS = {"cases", "tickets", "events", "requests", "returns", "waits", "reopens", "variants", "people",
               "chains", "teams", "segments", "differences", "rows", "groups", "handovers"}


# ---------------------------------------------------------------------------------------------- building


def _build(tmp_path_factory: pytest.TempPathFactory, sample: str, lang: str) -> dict[str, Any]:
    out = tmp_path_factory.mktemp(f"report-{lang}")
    result = run_cli("report", SAMPLES / sample, "-o", out, "--lang", lang)
    assert result.returncode == 0, result.stderr
    stem = sample.removesuffix(".csv")
    suffix = ".nl" if lang == "nl" else ""
    html = (out / f"{stem}{suffix}.html").read_text(encoding="utf-8")
    return {"html": html, "doc": lxml.html.fromstring(html), "lang": lang,
            "json": json.loads((out / f"{stem}{suffix}.json").read_text(encoding="utf-8")),
            "values": data_values(SAMPLES / sample)}


@pytest.fixture(scope="module")
def dutch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _build(tmp_path_factory, "generic-events-nl.csv", "nl")


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _build(tmp_path_factory, "generic-events.csv", "en")


def data_values(path: Path) -> list[str]:
    """Every value of the input file that may appear on the page (names, labels, categories), longest first;
    times and free text never appear, so they are left out."""
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if text.split("\n", 1)[0].count(";") else ","))
    header, body = rows[0], rows[1:]
    skip = {k for k, name in enumerate(header) if re.search(r"(?i)tijd|time|datum|date|due|need|omschrijving|subject",
                                                            name)}
    values = set(header)
    for row in body:
        values.update(v.strip() for k, v in enumerate(row) if k not in skip and v.strip())
    return sorted(values, key=lambda v: (-len(v), v))


def visible_texts(report: dict[str, Any]) -> list[str]:
    """The texts a reader sees, one per element, without code and without the input's values."""
    doc = lxml.html.fromstring(report["html"])
    for bad in doc.xpath("//script | //style | //head | //code | //*[contains(@class, 'mono')]"):
        bad.drop_tree()
    texts = [t for t in (" ".join(s.split()) for s in doc.xpath("//body//text()")) if t]
    texts += [" ".join(t.split()) for t in doc.xpath("//@title | //@aria-label") if t.strip()]
    for chart in charts(report):
        layout = chart["layout"]
        texts += [_text(layout.get("title")), _text(layout.get("xaxis", {}).get("title")),
                  _text(layout.get("yaxis", {}).get("title"))]
        for trace in chart["data"]:
            texts.append(trace.get("name") or "")
            texts += [x for x in trace.get("x") or [] if isinstance(x, str)]
    return [t for t in (without_data(t, report["values"]) for t in texts) if t.strip()]


def _text(title: Any) -> str:
    return (title or {}).get("text", "") if isinstance(title, dict) else str(title or "")


def without_data(text: str, values: list[str]) -> str:
    """``text`` without the input's values; a text made only of words of those values (a label the process
    map wraps over several lines) is taken out whole."""
    text = re.sub(r"P-[0-9a-f]{10}", " ", text)  # pseudonyms
    for value in values:
        if value in text:
            text = text.replace(value, " ")
    words = re.findall(r"[^\W\d_]+", text)
    if words and all(w in _data_words(tuple(values)) for w in words):
        return ""
    return text


@functools.cache
def _data_words(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for v in values if " " in v for w in re.findall(r"[^\W\d_]+", v))


def charts(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(div.get("data-plotly")) for div in report["doc"].xpath("//div[@data-plotly]")]


def words_found(texts: list[str], words: tuple[str, ...], *, case: bool = False) -> dict[str, str]:
    """word → the first text it occurs in (whole words)."""
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])", 0 if case else re.I)
    found: dict[str, str] = {}
    for text in texts:
        for match in pattern.finditer(text):
            found.setdefault(match.group(1).lower() if not case else match.group(1), text[:200])
    return found


# ---------------------------------------------------------------------------------------------- prose


def test_the_dutch_report_of_a_dutch_export_has_no_english_prose(dutch):
    texts = visible_texts(dutch)
    found = words_found(texts, ENGLISH_WORDS)
    assert found == {}, "English on the Dutch page (word: where):\n" + "\n".join(f"{w}: {t}" for w, t in found.items())


def test_the_dutch_report_uses_the_glossary_words(dutch):
    avoid = glossary_avoid("Nederlands")
    texts = [re.sub(r"'[^']*'", " ", t) for t in visible_texts(dutch)]
    found = words_found(texts, tuple(avoid))
    assert found == {}, "words the glossary avoids:\n" + "\n".join(f"{w}: {t}" for w, t in found.items())


def test_jargon_is_explained_or_kept_to_how_it_is_computed(dutch):
    texts = visible_texts(dutch)
    assert not [t for t in texts if re.search(r"(?i)bewerkingsafstand|edit distance", t)]
    named = [t for t in texts if "Mann" in t or "z-toets" in t]
    assert named and all("Hoe dit is berekend" in t for t in named), named


def test_the_english_report_has_no_dutch_prose(english):
    found = words_found(visible_texts(english), DUTCH_WORDS)
    assert found == {}, "Dutch on the English page:\n" + "\n".join(f"{w}: {t}" for w, t in found.items())


def test_loading_notes_and_quarantine_reasons_are_dutch_on_the_page_and_english_in_the_files(tmp_path: Path):
    source = (SAMPLES / "generic-events-nl.csv").read_text(encoding="utf-8-sig").splitlines()
    header, rows = source[0], source[1:40]
    broken = [";" + rows[0].split(";", 1)[1],                                   # no ticket number
              rows[1].replace(rows[1].split(";")[2], "2x-01-2024 10:00")]       # not a time
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *rows, *broken]) + "\n", encoding="utf-8")
    result = run_cli("report", path, "-o", tmp_path / "out", "--lang", "nl", "--lang", "en", "--dayfirst")
    assert result.returncode == 0, result.stderr
    quarantine = (tmp_path / "out" / "export.quarantine.csv").read_text()
    assert "missing case id" in quarantine and "timestamp does not match the column's format" in quarantine
    data = json.loads((tmp_path / "out" / "export.nl.json").read_text())
    assert set(data["provenance"]["quarantine_reasons"]) == {
        "missing case id", "timestamp does not match the column's format '%d-%m-%Y %H:%M'"}
    assert data["provenance"]["notes"][0].startswith("mapping: proposed from the column names: ")
    page = lxml.html.fromstring((tmp_path / "out" / "export.nl.html").read_text())
    section = " ".join(page.xpath("//section[@id='data-quality']")[0].text_content().split())
    assert "geen meldingnummer" in section
    assert "tijdstip past niet bij de notatie '%d-%m-%Y %H:%M' van de kolom" in section
    assert "koppeling van kolommen: voorgesteld op grond van de kolomnamen: activiteit, meldingnummer" in section
    assert "missing" not in section and "mapping" not in section
    english = lxml.html.fromstring((tmp_path / "out" / "export.html").read_text())
    assert "missing case id" in english.xpath("//section[@id='data-quality']")[0].text_content()


def test_every_recorded_message_is_translated_back_from_its_english_text():
    """recorded() finds the message and its parameters in every loading text, and no other message matches."""
    messages = i18n.catalogue_files("nl")["loading.po"]
    with i18n.language("nl"):
        for msgid, msgstr in messages.items():
            if not isinstance(msgstr, str):
                continue
            names = dict.fromkeys(re.findall(r"%\((\w+)\)s", msgid))
            params = {name: f"'x{k}y'" for k, name in enumerate(names)}
            assert i18n.recorded(msgid % params) == msgstr % params, msgid


# ---------------------------------------------------------------------------------------------- numbers


def rendered_tables(report: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Caption (title) → rows of cell texts, for every table of the analyser sections."""
    out = {}
    for table in report["doc"].xpath("//section[contains(@class, 'analyser')]//table"):
        rows = [[" ".join(td.text_content().split()) for td in tr.xpath("./td")] for tr in table.xpath(".//tbody/tr")]
        out[table.get("aria-label")] = rows
    return out


def items(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [i for r in report["json"]["analysers"] for i in r.get("items", []) if i["type"] == kind]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_counts_never_show_decimals_and_shares_are_percentages_in_tables(lang, dutch, english):
    report = dutch if lang == "nl" else english
    tables = rendered_tables(report)
    decimal = "," if lang == "nl" else "."
    problems = []
    for table in items(report, "table"):
        if table["title"] not in tables:
            continue
        shown = [c for c in table["columns"] if c["name"] != "unit"]
        unit_of_row = [c["name"] for c in table["columns"]].index("unit") if any(
            c["name"] == "unit" for c in table["columns"]) else None
        for row, cells in zip(table["rows"], tables[table["title"]]):
            values = [v for k, v in enumerate(row) if k != unit_of_row]
            for column, value, text in zip(shown, values, cells):
                unit = column["unit"] or (row[unit_of_row] if unit_of_row is not None else "")
                if text.startswith("<") or isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                if unit == "share" and not text.endswith("%"):
                    problems.append(f"{table['title']} / {column['label']}: share shown as {text!r}")
                if unit != "share" and float(value).is_integer() and decimal in text.split()[0]:
                    problems.append(f"{table['title']} / {column['label']}: whole number shown as {text!r}")
    assert problems == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_counts_never_show_decimals_and_shares_are_percentages_in_figures(lang, dutch, english):
    report = dutch if lang == "nl" else english
    doc, decimal = report["doc"], "," if lang == "nl" else "."
    problems = []
    for result in report["json"]["analysers"]:
        anchor = "analyser-" + re.sub(r"[^a-z0-9]+", "-", result["analyser"].lower()).strip("-")
        for metric in (i for i in result.get("items", []) if i["type"] == "metric" and i["value"] is not None):
            key = re.sub(r"[^a-z0-9]+", "-", metric["key"].lower()).strip("-")
            shown = doc.xpath(f"//*[@id='{anchor}-{key}']/b")
            if not shown:
                continue
            text = shown[0].text_content().strip()
            if metric["unit"] == "share" and not text.endswith("%"):
                problems.append(f"{metric['label']}: share shown as {text!r}")
            if metric["unit"] in COUNT_UNITS and float(metric["value"]).is_integer() and decimal in text:
                problems.append(f"{metric['label']}: count shown as {text!r}")
    overview = " ".join(doc.xpath("//section[@id='overview']")[0].text_content().split())
    assert not re.search(r"\d" + re.escape(decimal) + r"0\b(?! ?%)", overview.split("Periode")[0]), overview
    assert problems == []


def test_a_share_is_never_shown_as_a_fraction_next_to_percentages(dutch):
    """In a table where some cells of a row are percentages, no other number of that row is a bare fraction."""
    problems = []
    for title, rows in rendered_tables(dutch).items():
        for cells in rows:
            if any(c.endswith("%") for c in cells):
                problems += [f"{title}: {c!r} in {cells}" for c in cells if re.fullmatch(r"-?0,\d+", c)]
    assert problems == []


def test_comparison_tables_show_each_metric_in_its_unit(dutch):
    shares = {i["label"] for i in items(dutch, "metric") if i["unit"] == "share"}
    p_value = i18n.catalogue("nl")["p-value"]
    problems = []
    for table in dutch["doc"].xpath("//section[@id='analyser-comparison']//table"):
        headers = [" ".join(th.text_content().split()) for th in table.xpath(".//thead//th")]
        for tr in table.xpath(".//tbody/tr"):
            cells = [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
            if cells and cells[0] in shares:
                problems += [f"{cells[0]}: {c!r}" for h, c in zip(headers, cells)
                             if h != p_value and re.fullmatch(r"-?[\d.,]+", c)]
    assert problems == []


# ---------------------------------------------------------------------------------------------- charts


def test_chart_axes_follow_the_language(dutch, english):
    english_months = (*(m[:3] for m in ENGLISH_MONTHS[:12]), "Sept")
    for report, months, other, separators in ((dutch, DUTCH_MONTHS, ENGLISH_MONTHS, ",."),
                                              (english, english_months, DUTCH_MONTHS, ".,")):
        dated = 0
        for chart in charts(report):
            assert chart["layout"]["separators"] == separators
            for trace in chart["data"]:
                labels = [x for x in trace.get("x") or [] if isinstance(x, str)]
                assert not [x for x in labels if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", x)], "ISO dates on an axis"
                if labels and all(re.fullmatch(r"(\d{1,2} )?[A-Za-z]{3,4}\.? \d{4}", x) for x in labels):
                    dated += 1
                    assert {x.split()[-2] for x in labels} <= set(months), labels
                    assert not words_found(labels, other, case=True), labels
        assert dated >= 2, "the month and week charts have month and day labels"


def test_share_axes_are_percentages(dutch):
    shares = [c for c in charts(dutch) if c["layout"].get("yaxis", {}).get("ticksuffix") == " %"]
    assert shares, "the coordination chart shows shares"
    for chart in shares:
        values = [v for trace in chart["data"] for v in trace.get("y") or [] if v is not None]
        assert values and max(values) > 1, "shares are drawn as percentages (0–100)"


# ---------------------------------------------------------------------------------------------- catalogues


def glossary_avoid(language: str) -> list[str]:
    """The words of the *avoid* column of the glossary table under ``## <language>``."""
    text = GLOSSARY.read_text(encoding="utf-8")
    part = text.split(f"## {language}\n", 1)[1].split("\n## ", 1)[0]
    words = []
    for line in part.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and not set(cells[2]) <= set("-— ") and cells[0] not in ("begrip", "concept"):
            words += [w.strip() for w in cells[2].split(",") if w.strip() and w.strip() not in ("—", "-")]
    return words


def po_messages() -> dict[str, list[tuple[str, str]]]:
    """msgid → [(file, each msgstr)] of every Dutch catalogue."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(LC_MESSAGES.glob("*.po")):
        for message in read_po(path.open("rb"), locale="nl"):
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
            out.setdefault(key, []).extend((path.name, s) for s in strings)
    return out


def test_the_glossary_has_a_table_per_language():
    assert len(glossary_avoid("English")) > 10 and len(glossary_avoid("Nederlands")) > 10
    assert {"zaak", "zaken", "ticket", "tickets", "gebeurtenis", "bewerkingsafstand", "aanmelder"} <= \
        set(glossary_avoid("Nederlands"))


def test_no_dutch_translation_uses_a_word_the_glossary_avoids():
    avoid = glossary_avoid("Nederlands")
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, avoid)) + r")(?![\w-])", re.I)
    found = []
    for strings in po_messages().values():
        for name, msgstr in strings:
            text = re.sub(r"'[^']*'|%\(\w+\)s", " ", msgstr)   # names from the export, placeholders
            match = pattern.search(text)
            if match:
                found.append(f"{name}: {match.group(1)!r} in {msgstr!r}")
    assert found == []


def own_english_messages() -> set[str]:
    """The English texts of the loading notes, checks and report page (not those of the analysers, the first
    page's key findings or the process map, which have owners of their own)."""
    keywords = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _c, _x in extract_from_dir(
            str(ROOT / "ssc_mining"), method_map=[("loaders/**.py", "python"), ("quality/**.py", "python"),
                                                  ("i18n.py", "python"), ("report/results_html.py", "python"),
                                                  ("report/formatting.py", "python"), ("report/words.py", "python")],
            keywords=keywords):
        found.update(message if isinstance(message, tuple) else [message])
    template = (ROOT / "ssc_mining" / "report" / "templates" / "report.html.j2").read_text()
    template = re.sub(r'<section id="(key-findings|process-map)">.*?</section>', "", template, flags=re.S)
    for _line, message, _c, _x in extract("jinja2", io.BytesIO(template.encode()), keywords=keywords,
                                          options={"trim_blocks": "True", "lstrip_blocks": "True"}):
        found.update(message if isinstance(message, tuple) else [message])
    return found


def test_the_english_texts_of_loading_checks_and_page_use_the_glossary_words():
    avoid = glossary_avoid("English")
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, avoid)) + r")(?![\w-])", re.I)
    found = []
    for message in own_english_messages():
        text = re.sub(r"'[^']*'|%\(\w+\)s|\bcase ids?\b", " ", message)  # names, placeholders, the recorded id
        match = pattern.search(text)
        if match:
            found.append(f"{match.group(1)!r} in {message!r}")
    assert found == []


def test_catalogue_files_have_their_new_names_and_no_message_twice():
    names = {p.name for p in LC_MESSAGES.glob("*.po")}
    assert {"analysers.po", "loading.po", "report.po", "semantics.po"} <= names
    assert not [n for n in names if "issue" in n or n == "ssc_mining.po"]
    twice = {k: [f for f, _ in v] for k, v in po_messages().items()
             if len({f for f, _ in v if f != "map.po"}) > 1}
    assert twice == {}


def test_rule_names_of_the_vocabulary_are_translated():
    import tomllib

    rules = tomllib.loads((ROOT / "ssc_mining" / "semantics" / "vocabulary.toml").read_text())["rule"]
    missing = sorted({r["name"] for r in rules} - set(i18n.catalogue("nl")))
    assert missing == []
