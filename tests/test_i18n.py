"""Dutch is complete: every translatable text in code and templates has a Dutch translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from conftest import ROOT, run_cli

from ssc_mining.i18n import catalogue, format_date, format_number, format_share, gettext, language


def extracted_messages() -> set[str]:
    method_map = [("ssc_mining/**.py", "python"), ("ssc_mining/report/templates/**.j2", "jinja2")]
    options = {"ssc_mining/report/templates/**.j2": {"trim_blocks": "True", "lstrip_blocks": "True"}}
    keywords = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT), method_map=method_map,
                                                                    options_map=options, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_has_a_dutch_translation():
    messages = extracted_messages()
    assert len(messages) > 100
    missing = sorted(m for m in messages if m not in catalogue("nl"))
    assert missing == [], f"add Dutch translations (make messages) for: {missing}"


def test_placeholders_survive_translation():
    for msgid, msgstr in catalogue("nl").items():
        if isinstance(msgstr, str):
            assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid


def test_numbers_and_dates_follow_the_language():
    assert (format_number(1234.5, 1), format_share(0.125), format_date("2024-03-04")) == \
        ("1,234.5", "12.5 %", "4 March 2024")
    with language("nl"):
        assert (format_number(1234.5, 1), format_share(0.125), format_date("2024-03-04")) == \
            ("1.234,5", "12,5 %", "4 maart 2024")
        assert gettext("Overview") == "Overzicht"


def test_dutch_and_english_reports(tmp_path: Path):
    sample = ROOT / "data" / "samples" / "generic-events.csv"
    result = run_cli("report", sample, "-o", tmp_path, "--lang", "en", "--lang", "nl")
    assert result.returncode == 0, result.stderr
    en = (tmp_path / "generic-events.html").read_text()
    nl = (tmp_path / "generic-events.nl.html").read_text()
    assert '<html lang="en">' in en and '<html lang="nl">' in nl
    assert "Key findings" in en and "Belangrijkste uitkomsten" in nl
    assert "Overzicht" in nl and "Doorlooptijd" in nl
    for english in ("About this report", "Rows read:", "Data quality", "Process map"):
        assert english not in nl, english


def test_unknown_language_is_refused():
    result = run_cli("report", ROOT / "data" / "samples" / "generic-events.csv", "--lang", "de")
    assert result.returncode == 2 and "de" in result.stderr


def test_no_translation_call_hidden_in_an_f_string():
    """Python 3.11's tokenizer hides calls inside f-strings from the message extractor."""
    pattern = re.compile(r"""\bf(["'])(?:(?!\1).)*\{[^}]*\b(?:_|gettext|N_)\(""")
    hidden = []
    for path in sorted((ROOT / "ssc_mining").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                hidden.append(f"{path.relative_to(ROOT)}:{number}")
    assert hidden == [], "move _() out of the f-string: " + ", ".join(hidden)
