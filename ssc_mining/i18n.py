"""Languages: English (source) and Dutch, from gettext message catalogues.

Texts in code and templates are English message ids wrapped in :func:`gettext`
(``_``); the Dutch catalogue is every ``.po`` file in ``ssc_mining/locale/nl/LC_MESSAGES/``
(``report.po`` for the page, ``analysers.po``, ``loading.po`` for reading and checking
the data, ``semantics.po``, ``discovery.po``, ``map.po``), read with Babel at run time
(no compiled files). The words used for each concept are fixed in ``docs/glossary.md``.
The current language is a context variable, set with :func:`language`; numbers and
dates are formatted for it.

Texts kept for auditors in English — loading notes, quarantine reasons, how a
timestamp format was decided — are made as ``N_(msgid) % params`` and translated
only when shown, with :func:`recorded`.

Example:
    >>> with language("nl"):
    ...     gettext("Overview"), format_number(1234.5, 1), format_share(0.125)
    ('Overzicht', '1.234,5', '12,5 %')
    >>> format_number(1234.5, 1)
    '1,234.5'
    >>> with language("nl"):
    ...     recorded("missing case id"), format_month("2024-03")
    ('geen meldingnummer', 'mrt 2024')
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.dates import format_date as _babel_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from ssc_mining.errors import ConfigError

LANGUAGES = ("en", "nl")
_LOCALES = {"en": "en_GB", "nl": "nl_NL"}
_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("ssc_mining_language", default="en")
_LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "ssc_mining"


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ConfigError(f"unknown language {lang!r}", hint="use --lang en or --lang nl")
    return lang


@contextlib.contextmanager
def language(lang: str) -> Iterator[str]:
    """Make ``lang`` the current language inside the ``with`` block."""
    token = _CURRENT.set(check_language(lang))
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


def current_language() -> str:
    return _CURRENT.get()


@functools.cache
def catalogue(lang: str) -> dict[str, str | tuple[str, ...]]:
    """msgid → translation for ``lang`` (empty for English, the source language)."""
    out: dict[str, str | tuple[str, ...]] = {}
    for part in catalogue_files(lang).values():
        out.update(part)
    return out


@functools.cache
def catalogue_files(lang: str) -> dict[str, dict[str, str | tuple[str, ...]]]:
    """Per ``.po`` file of ``lang`` (by file name, sorted): msgid → translation."""
    if lang == "en":
        return {}
    out: dict[str, dict[str, str | tuple[str, ...]]] = {}
    for path in sorted((_LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        part: dict[str, str | tuple[str, ...]] = {}
        with path.open("rb") as handle:
            _merge(part, read_po(handle, locale=_LOCALES[lang].split("_")[0]))
        out[path.name] = part
    return out


def _merge(out: dict[str, str | tuple[str, ...]], cat: Any) -> None:
    for message in cat:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        if message.string and (not isinstance(message.string, (list, tuple)) or all(message.string)):
            out[key] = tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string


def gettext(message: str) -> str:
    """``message`` in the current language (the English text when no translation exists)."""
    found = catalogue(_CURRENT.get()).get(message)
    return found if isinstance(found, str) else message


def ngettext(singular: str, plural: str, n: float) -> str:
    """Singular or plural form in the current language (Dutch and English both have two forms)."""
    found = catalogue(_CURRENT.get()).get(singular)
    if isinstance(found, tuple):
        return found[0] if n == 1 else found[1]
    # two separate messages (each marked with N_): each form has a translation of its own
    return gettext(singular) if n == 1 else gettext(plural)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (it is translated where it is shown)."""
    return message


#: units that fmt_value translates when shown after a number
UNITS = (N_("days"), N_("hours"), N_("minutes"))

#: the column roles of a mapping (``--case``, ``--need-by``, …) as shown to readers
COLUMN_ROLES = {
    "case": N_("ticket number"), "activity": N_("activity"), "timestamp": N_("time"),
    "resource": N_("handler"), "team": N_("team"), "assigned_group": N_("assignment group"),
    "role": N_("role"), "lifecycle": N_("lifecycle step"), "org": N_("organisation"),
    "status": N_("status"), "line": N_("support line"), "mother": N_("mother organisation"),
    "requester": N_("requester"), "category": N_("category"), "priority": N_("priority"),
    "channel": N_("channel"), "need_by": N_("need-by date"), "due": N_("SLA target date"),
    "link": N_("linked ticket"), "subject": N_("subject"),
}


def column_role(role: str) -> str:
    """A column role of the mapping (``need_by``) in the current language ("need-by date")."""
    return gettext(COLUMN_ROLES[role]) if role in COLUMN_ROLES else role


#: the catalogue files whose messages are recorded in English and translated when shown
RECORDED_FILES = ("loading.po",)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_ENGLISH_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+$")


@functools.cache
def _recorded_templates(lang: str) -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """(pattern, msgid, translation) of every recorded message with placeholders, most specific first."""
    messages: dict[str, str] = {}
    files = catalogue_files("nl")  # the msgids are the same in every language; Dutch has them all
    for name in RECORDED_FILES:
        for msgid, text in files.get(name, {}).items():
            if isinstance(text, str) and _PLACEHOLDER.search(msgid):
                found = catalogue(lang).get(msgid, msgid)
                messages[msgid] = found if isinstance(found, str) else msgid
    out = []
    for msgid, text in messages.items():
        parts, seen = [], set()
        for piece in re.split(r"(%\(\w+\)s)", msgid):
            hole = _PLACEHOLDER.fullmatch(piece)
            if not hole:
                parts.append(re.escape(piece.replace("%%", "%")))
            elif hole.group(1) in seen:
                parts.append(f"(?P={hole.group(1)})")
            else:
                seen.add(hole.group(1))
                parts.append(f"(?P<{hole.group(1)}>.+?)")
        out.append((re.compile("".join(parts), re.S), msgid, text))
    out.sort(key=lambda t: (-len(_PLACEHOLDER.sub("", t[1])), t[1]))
    return tuple(out)


def recorded(text: str) -> str:
    """``text``, recorded in English for auditors (a loading note, a quarantine reason), in the current language.

    The text was made as ``N_(msgid) % params`` from a message of a :data:`RECORDED_FILES`
    catalogue; it is matched against those msgids and shown with the translation, its
    parameters translated in turn: a parameter that is a message itself (or a list of column
    roles) is translated, a number written with English thousands separators gets the
    language's; names from the export (quoted) stay as they are. A text that matches no
    message is shown as it is.

    >>> recorded("mapping: proposed from the column names: case, need_by")
    'mapping: proposed from the column names: ticket number, need-by date'
    """
    if not text:
        return text
    found = catalogue(_CURRENT.get()).get(text)
    if isinstance(found, str):
        return found
    for pattern, _msgid, translation in _recorded_templates(_CURRENT.get()):
        match = pattern.fullmatch(text)
        if match:
            params = {k: _recorded_param(v) for k, v in match.groupdict().items()}
            return translation % params
    return text


def _recorded_param(value: str) -> str:
    if _ENGLISH_THOUSANDS.match(value):
        return format_number(int(value.replace(",", "")))
    items = value.split(", ")
    if all(item in COLUMN_ROLES for item in items):
        return ", ".join(column_role(item) for item in items)
    if isinstance(catalogue("nl").get(value), str):
        return gettext(value)
    return recorded(value)


def format_number(value: float | int | None, digits: int = 0) -> str:
    """A number with the current language's separators; None as a dash."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_LOCALES[_CURRENT.get()])


def format_share(value: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage: '12.5 %' / '12,5 %'."""
    if value is None:
        return "–"
    return f"{format_number(100 * value, digits)} %"


def format_count(value: float | int | None) -> str:
    """A count: never with decimals (a count that arrives as 169.0 is shown as 169)."""
    if value is None:
        return "–"
    return format_number(round(value))


def format_month(value: dt.date | str) -> str:
    """A month in the current language, e.g. 'Mar 2024' / 'mrt 2024' (from '2024-03' or a date)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:7] + "-01")
    return _babel_date(value, format="LLL y", locale=_LOCALES[_CURRENT.get()])


def format_day(value: dt.date | str) -> str:
    """A day, short, in the current language, e.g. '4 Mar 2024' / '4 mrt 2024' (for chart axes)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return _babel_date(value, format="d MMM y", locale=_LOCALES[_CURRENT.get()])


def number_separators() -> str:
    """The decimal mark and the thousands separator of the current language ('.,' / ',.'), for plotly."""
    return format_number(1000.5, 1)[-2] + format_number(1000.5, 1)[1]


def format_date(value: dt.date | str | None) -> str:
    """A date in the current language, e.g. '4 March 2024' / '4 maart 2024'."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return _babel_date(value, format="long", locale=_LOCALES[_CURRENT.get()])
