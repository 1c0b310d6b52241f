"""Settings and parameters in words for the page: no Python lists, dictionaries, ``None`` or ``True``.

The JSON keeps the values themselves; the page shows them as a reader writes them.

Example:
    >>> value_in_words(["Servicedesk", "ICT"]), value_in_words([]), value_in_words(None), value_in_words(True)
    ('Servicedesk, ICT', 'none', 'not given', 'yes')
    >>> value_in_words({"P1": 4, "P2": 8.5})
    'P1: 4; P2: 8.5'
    >>> name_in_words("first_line_teams"), name_in_words("map_settings.activity_coverage")
    ('first line teams', 'map settings: activity coverage')
    >>> params_in_words({"top": 10, "first_line_teams": ()})
    'first line teams: none; top: 10'
    >>> str(params_markup({"top": 10, "segment": "mother", "teams": ["A&B"]}))
    '<code>segment</code>: <code>mother</code>; <code>teams</code>: <code>A&amp;B</code>; <code>top</code>: 10'
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from ssc_mining.i18n import format_number
from ssc_mining.i18n import gettext as _


def value_in_words(value: Any) -> str:
    """One value as text: lists joined by commas, empty as "none", missing as "not given", flags as yes/no."""
    if value is None:
        return _("not given")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        return format_number(value, 0 if float(value).is_integer() else len(repr(float(value)).split(".")[1]))
    if isinstance(value, dict):
        if not value:
            return _("none")
        return "; ".join(f"{k}: {value_in_words(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        return ", ".join(value_in_words(v) for v in items) if items else _("none")
    return str(value)


def name_in_words(name: str) -> str:
    """A parameter or setting name as words: underscores become spaces, a dotted part a colon."""
    return ": ".join(part.replace("_", " ").strip() for part in name.split("."))


def params_in_words(params: dict[str, Any]) -> str:
    """An analyser's parameters as one line, sorted by name."""
    return "; ".join(f"{name_in_words(k)}: {value_in_words(v)}" for k, v in sorted(params.items())) or _("none")


def _value_markup(value: Any) -> Markup:
    """A value for the page: names (text) as code, exactly as they are given on the command line; numbers,
    flags and "none" in the reader's language."""
    if isinstance(value, str):
        return Markup("<code>%s</code>") % value
    if isinstance(value, dict) and value:
        return Markup("; ").join(Markup("<code>%s</code>: %s") % (k, _value_markup(v))
                                 for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    if isinstance(value, (list, tuple, set, frozenset)) and value:
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        return Markup(", ").join(_value_markup(v) for v in items)
    return escape(value_in_words(value))


def params_markup(params: dict[str, Any]) -> Markup:
    """Parameters for the page, sorted by name: each name as code (as it is set with ``--param``), its value
    as code when it is a name, else in words."""
    if not params:
        return escape(_("none"))
    return Markup("; ").join(Markup("<code>%s</code>: %s") % (k, _value_markup(v)) for k, v in sorted(params.items()))
