"""Keep the Dutch catalogues in step with the code: ``make messages`` (or ``python tools/sync_messages.py``).

Every translatable text in the code and templates (``_``, ``gettext``, ``N_``, ``ngettext``) belongs to
exactly one catalogue in ``ssc_mining/locale/nl/LC_MESSAGES``, chosen by where it is used:

* ``analysers.po`` — ``ssc_mining/analysers/`` and the business-hours rule
* ``loading.po`` — ``ssc_mining/loaders/``, ``ssc_mining/quality/``, ``ssc_mining/i18n.py``
  (the texts recorded in English in the JSON and quarantine files and translated when shown)
* ``semantics.po`` — ``ssc_mining/semantics/`` and the rule names of ``vocabulary.toml``
* ``discovery.po`` — process discovery and conformance
* ``report.po`` — everything else: the page, its templates, the key findings, privacy notes

A text already in a catalogue stays where it is; a text that is in ``map.po`` (kept by the process map)
is left to it. New texts are added with an empty translation, texts no longer used are dropped; run
``pytest tests/test_i18n.py`` to see which still need a Dutch translation, and use the words of
``docs/glossary.md`` (``tests/test_language.py`` checks them).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import tomllib
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LC_MESSAGES = ROOT / "ssc_mining" / "locale" / "nl" / "LC_MESSAGES"
KEPT_BY_OTHERS = ("map.po",)
HEADERS = {
    "analysers.po": "Dutch texts of the analysers and the business-hours rule.",
    "discovery.po": "Dutch texts of process discovery and conformance.",
    "loading.po": "Dutch texts of reading an export: loading notes, quarantine reasons, how timestamps and columns "
                  "were read, profiles, column roles, and the data-quality checks.\n"
                  "The loading notes and quarantine reasons are recorded in English in the JSON file and the "
                  "quarantine file; the report translates them with i18n.recorded() from this file.",
    "report.po": "Dutch texts of the report page: sections, overview, about, data quality, provenance, audit trail, "
                 "key findings, privacy notes, number formats.",
    "semantics.po": "Dutch texts of the semantics step (roles, readings, rule names of the vocabulary), the returns "
                    "analyser and the not-measured texts.",
}
FIXED_DATE = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def extracted() -> tuple[dict[str, set[str]], dict[str, str]]:
    """msgid → files using it, and msgid → plural form, from the code and the templates."""
    method_map = [("ssc_mining/**.py", "python"), ("ssc_mining/report/templates/**.j2", "jinja2")]
    options = {"ssc_mining/report/templates/**.j2": {"trim_blocks": "True", "lstrip_blocks": "True"}}
    keywords = {"_": None, "_t": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
    found: dict[str, set[str]] = {}
    plural: dict[str, str] = {}
    for name, _line, message, _comments, _ctx in extract_from_dir(str(ROOT), method_map=method_map,
                                                                   options_map=options, keywords=keywords):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, set()).add(name)
        if isinstance(message, tuple):
            plural[key] = message[1]
    vocabulary = tomllib.loads((ROOT / "ssc_mining" / "semantics" / "vocabulary.toml").read_text())
    for rule in vocabulary.get("rule", []):
        found.setdefault(rule["name"], set()).add("ssc_mining/semantics/vocabulary.toml")
    return found, plural


def existing() -> tuple[dict[str, tuple[str, object]], set[str]]:
    """msgid → (file, message) of the catalogues kept here, and the msgids of the catalogues kept by others."""
    ours: dict[str, tuple[str, object]] = {}
    theirs: set[str] = set()
    for path in sorted(LC_MESSAGES.glob("*.po")):
        for message in read_po(path.open("rb"), locale="nl"):
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            if path.name in KEPT_BY_OTHERS:
                theirs.add(key)
            elif key not in ours or not ours[key][1].string:
                ours[key] = (path.name, message)
    return ours, theirs


def target(key: str, files: set[str], ours: dict[str, tuple[str, object]]) -> str:
    if key in ours and ours[key][0] in HEADERS:
        return ours[key][0]
    where = " ".join(sorted(files))
    if "ssc_mining/analysers/" in where or "ssc_mining/business_calendar.py" in where:
        return "analysers.po"
    if any(part in where for part in ("ssc_mining/loaders/", "ssc_mining/quality/", "ssc_mining/i18n.py")):
        return "loading.po"
    if "ssc_mining/semantics/" in where:
        return "semantics.po"
    if "ssc_mining/discovery/" in where:
        return "discovery.po"
    return "report.po"


def main() -> int:
    found, plural = extracted()
    ours, theirs = existing()
    catalogues = {name: Catalog(locale="nl", project="ssc_mining", version="0.1", creation_date=FIXED_DATE,
                                revision_date=FIXED_DATE, fuzzy=False,
                                header_comment="# " + text.replace("\n", "\n# ")
                                + "\n# The words follow docs/glossary.md (tests/test_language.py checks them)."
                                + "\n# Every message needs a translation (tests/test_i18n.py checks it).")
                  for name, text in HEADERS.items()}
    new = []
    for key in sorted(found):
        if key in theirs:
            continue
        name = target(key, found[key], ours)
        if key in ours:
            message = ours[key][1]
            msgid, msgstr = message.id, message.string
        else:
            msgid = (key, plural[key]) if key in plural else key
            msgstr = ("", "") if key in plural else ""
            new.append(f"{name}: {key}")
        if isinstance(msgid, (list, tuple)) and not isinstance(msgstr, (list, tuple)):
            msgstr = (msgstr, msgstr)
        catalogues[name].add(msgid, string=msgstr, flags={"python-format"} if "%(" in key else set())
    for name, catalogue in catalogues.items():
        buffer = io.BytesIO()
        write_po(buffer, catalogue, width=120, sort_output=True, no_location=True)
        (LC_MESSAGES / name).write_bytes(buffer.getvalue())
    print(f"{len(new)} new texts need a Dutch translation" + "".join(f"\n  {line}" for line in new))
    return 0


if __name__ == "__main__":
    sys.exit(main())
