"""Languages: English (source) and Dutch, from gettext message catalogues.

Texts in code and templates are English message ids wrapped in :func:`gettext`
(``_``); the Dutch catalogue is every ``.po`` file in ``ssc_mining/locale/nl/LC_MESSAGES/``
(``ssc_mining.po`` for the core, one more file per group of analysers if wished),
read with Babel at run time (no compiled files). The current language is a
context variable, set with :func:`language`; numbers and dates are formatted
for it.

Example:
    >>> with language("nl"):
    ...     gettext("Overview"), format_number(1234.5, 1), format_share(0.125)
    ('Overzicht', '1.234,5', '12,5 %')
    >>> format_number(1234.5, 1)
    '1,234.5'
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
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
    if lang == "en":
        return {}
    out: dict[str, str | tuple[str, ...]] = {}
    for path in sorted((_LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            _merge(out, read_po(handle, locale=_LOCALES[lang].split("_")[0]))
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


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural form in the current language (Dutch and English both have two forms)."""
    found = catalogue(_CURRENT.get()).get(singular)
    if isinstance(found, tuple):
        return found[0] if n == 1 else found[1]
    return singular if n == 1 else plural


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (it is translated where it is shown)."""
    return message


#: units that fmt_value translates when shown after a number
UNITS = (N_("days"), N_("hours"), N_("minutes"))


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


def format_date(value: dt.date | str | None) -> str:
    """A date in the current language, e.g. '4 March 2024' / '4 maart 2024'."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return _babel_date(value, format="long", locale=_LOCALES[_CURRENT.get()])
