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
import dataclasses
import datetime as dt
import functools
import os
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
_DEFERRED: contextvars.ContextVar[bool] = contextvars.ContextVar("ssc_mining_deferred", default=False)
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
    """``message`` in the current language (the English text when no translation exists); inside
    :func:`deferred`, a :class:`Text` written in a language later."""
    if _DEFERRED.get():
        return Message(message)  # type: ignore[return-value]
    found = catalogue(_CURRENT.get()).get(message)
    return found if isinstance(found, str) else message


def ngettext(singular: str, plural: str, n: float) -> str:
    """Singular or plural form in the current language (Dutch and English both have two forms)."""
    if _DEFERRED.get():
        return Plural(singular, plural, n)  # type: ignore[return-value]
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
    if _DEFERRED.get():
        return Recorded(text)  # type: ignore[return-value]
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
    if _DEFERRED.get():
        return Formatted("number", value, digits)  # type: ignore[return-value]
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_LOCALES[_CURRENT.get()])


def format_share(value: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage: '12.5 %' / '12,5 %'."""
    if value is None:
        return "–"
    if _DEFERRED.get():
        return Formatted("share", value, digits)  # type: ignore[return-value]
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
    if _DEFERRED.get():
        return Formatted("month", value)  # type: ignore[return-value]
    return _babel_date(value, format="LLL y", locale=_LOCALES[_CURRENT.get()])


def format_day(value: dt.date | str) -> str:
    """A day, short, in the current language, e.g. '4 Mar 2024' / '4 mrt 2024' (for chart axes)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if _DEFERRED.get():
        return Formatted("day", value)  # type: ignore[return-value]
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
    if _DEFERRED.get():
        return Formatted("date", value)  # type: ignore[return-value]
    return _babel_date(value, format="long", locale=_LOCALES[_CURRENT.get()])


# texts made now, written in a language later ---------------------------------------------------------------

#: set (to anything) in the tests: a deferred text turned into a string before it is rendered is an error there
_STRICT_ENV = "SSC_MINING_STRICT_TEXTS"


class TextRenderedTooEarlyError(RuntimeError):
    """A deferred :class:`Text` was turned into a string while the figures were still being computed."""


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Inside the block, :func:`gettext`, :func:`ngettext`, :func:`recorded` and the ``format_*`` functions
    return :class:`Text` objects — a message id with its parameters — instead of strings, so the figures are
    computed once and written in any number of languages with :func:`render_texts`.

    >>> with deferred():
    ...     text = ngettext("%(n)s ticket", "%(n)s tickets", 1234) % {"n": format_number(1234)}
    >>> render_texts(text, "en"), render_texts(text, "nl")
    ('1,234 tickets', '1.234 meldingen')
    """
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def is_deferred() -> bool:
    """True inside :func:`deferred`."""
    return _DEFERRED.get()


class Text:
    """A text to be written in a language later: a message id, its parameters, how to join parts.

    Texts combine like strings: ``text % params`` fills in placeholders (each parameter may be a
    text itself), ``a + b`` joins; :func:`join_texts` joins a list. They compare and hash by what
    they are made of, so they can be dictionary keys. ``str(text)`` writes it in the current
    language (in the tests, doing so while the figures are computed is an error: the text would be
    fixed in one language).
    """

    __slots__ = ()

    def _parts(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def _write(self, lang: str) -> str:
        """The text in ``lang``; the current language is ``lang`` and texts are not deferred."""
        raise NotImplementedError

    def render(self, lang: str) -> str:
        """The text written in ``lang``."""
        return render_texts(self, lang)

    def __str__(self) -> str:
        if _DEFERRED.get() and os.environ.get(_STRICT_ENV):
            raise TextRenderedTooEarlyError(f"{self!r} was made into a string before the language is known; "
                                            "keep it a Text (use % or join_texts, not f-strings or str.join)")
        return self.render(_CURRENT.get())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._parts()!r}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and type(other) is type(self) and other._parts() == self._parts()

    def __hash__(self) -> int:
        return hash((type(self).__name__, _hashable(self._parts())))

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)

    def __mod__(self, params: Any) -> Text:
        return Filled(self, params)

    def __add__(self, other: object) -> Text:
        return Joined("", (self, other))

    def __radd__(self, other: object) -> Text:
        return Joined("", (other, self))


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


class Message(Text):
    """A message id (English), translated when written."""

    __slots__ = ("msgid",)

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    def _parts(self) -> tuple[Any, ...]:
        return (self.msgid,)

    def _write(self, lang: str) -> str:
        found = catalogue(lang).get(self.msgid)
        return found if isinstance(found, str) else self.msgid


class Plural(Text):
    """The singular or plural form of a message, chosen by ``n``."""

    __slots__ = ("singular", "plural", "n")

    def __init__(self, singular: str, plural: str, n: float) -> None:
        self.singular, self.plural, self.n = singular, plural, n

    def _parts(self) -> tuple[Any, ...]:
        return (self.singular, self.plural, self.n)

    def _write(self, lang: str) -> str:
        return ngettext(self.singular, self.plural, self.n)


class Filled(Text):
    """A template (a text or a plain string) with its ``%`` parameters filled in."""

    __slots__ = ("template", "params")

    def __init__(self, template: Text | str, params: Any) -> None:
        self.template, self.params = template, params

    def _parts(self) -> tuple[Any, ...]:
        return (self.template, self.params)

    def _write(self, lang: str) -> str:
        return _write(self.template, lang) % _write(self.params, lang)


def fill(template: str, params: Any) -> Text | str:
    """``template % params`` for a template that is not translated (``"%(a)s: %(b)s"``), keeping texts
    among the parameters deferred.

    >>> fill("%(a)s!", {"a": "hi"})
    'hi!'
    """
    return Filled(template, params) if _DEFERRED.get() else template % params


class Joined(Text):
    """Parts (texts or strings) joined by a separator."""

    __slots__ = ("separator", "items")

    def __init__(self, separator: str, items: tuple[Any, ...]) -> None:
        self.separator, self.items = separator, items

    def _parts(self) -> tuple[Any, ...]:
        return (self.separator, self.items)

    def _write(self, lang: str) -> str:
        return self.separator.join(str(_write(p, lang)) for p in self.items)


def join_texts(separator: str, parts: Any) -> Text | str:
    """``separator.join(parts)`` for parts that may be texts (deferred ones stay deferred).

    >>> join_texts(", ", ["a", "b"])
    'a, b'
    """
    items = tuple(parts)
    if any(isinstance(p, Text) for p in items):
        return Joined(separator, items)
    return separator.join(items)


class Localised(Text):
    """A text given in each language (an analyser's title): the one of the language, else English."""

    __slots__ = ("texts",)

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = dict(texts)

    def _parts(self) -> tuple[Any, ...]:
        return (tuple(sorted(self.texts.items())),)

    def _write(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts.get("en", "")


class Recorded(Text):
    """A text recorded in English for auditors (see :func:`recorded`), translated when written."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def _parts(self) -> tuple[Any, ...]:
        return (self.text,)

    def _write(self, lang: str) -> str:
        return recorded(self.text)


class Formatted(Text):
    """A number, share or date written with the language's separators and month names."""

    __slots__ = ("kind", "value", "digits")

    def __init__(self, kind: str, value: Any, digits: int = 0) -> None:
        self.kind, self.value, self.digits = kind, value, digits

    def _parts(self) -> tuple[Any, ...]:
        return (self.kind, self.value, self.digits)

    def _write(self, lang: str) -> str:
        if self.kind == "number":
            return format_number(self.value, self.digits)
        if self.kind == "share":
            return format_share(self.value, self.digits)
        return {"month": format_month, "day": format_day, "date": format_date}[self.kind](self.value)


_PLAIN = (str, int, float, bool, type(None))


def _write(value: Any, lang: str) -> Any:
    """``value`` with every text in it written in ``lang`` (the language is already current)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, Text):
        return value._write(lang)
    if kind is dict:
        return {_write(k, lang): _write(v, lang) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _PLAIN else _write(v, lang) for v in value]
    if kind is tuple:
        return tuple(_write(v, lang) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: _write(getattr(value, f.name), lang) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changed)
    return value


def render_texts(value: Any, lang: str) -> Any:
    """``value`` — a text, or dicts, lists, tuples and dataclasses holding texts — with every
    :class:`Text` written in ``lang``; other values are returned as they are.

    >>> with deferred():
    ...     figures = {"title": gettext("Overview"), "n": 3}
    >>> render_texts(figures, "nl")
    {'title': 'Overzicht', 'n': 3}
    """
    with language(lang):
        token = _DEFERRED.set(False)
        try:
            return _write(value, lang)
        finally:
            _DEFERRED.reset(token)
