"""Values for the page: numbers in their unit and the reader's language, long texts cut, tables cut to their
first rows. Pure functions, no templates: the templates use them as filters (see
:mod:`ssc_mining.report.templating`).

Numbers follow the language and their unit: a count never shows decimals (169, not 169.0), a
share is always a percentage (66.0 %), days, hours and minutes carry their unit.

Example:
    >>> fmt_value(169.0, "cases"), fmt_value(0.6612, "share"), shorten("x" * 300)[-2:]
    ('169', '66.1 %', 'x…')
"""

from __future__ import annotations

import re
from typing import Any

from ssc_mining.i18n import format_count, format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Table

__all__ = ["DISPLAY_CHARS", "TABLE_ROWS", "TABLE_ROWS_IN_PAGE", "TIME_UNITS", "cut_long_words", "fmt_value",
           "shorten", "slug", "table_view"]


def slug(text: str) -> str:
    """``text`` as a part of an HTML id: lower case letters, digits and hyphens.

    >>> slug("Handoffs & ping-pong")
    'handoffs-ping-pong'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


#: longest text shown for one value on the page; the JSON and the exported tables keep it whole
DISPLAY_CHARS = 200


def shorten(text: object, limit: int = DISPLAY_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for display.

    >>> shorten("x" * 300)[-3:], len(shorten("x" * 300)), shorten("short")
    ('xx…', 200, 'short')
    """
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut_long_words(text: object, limit: int = DISPLAY_CHARS) -> str:
    """``text`` with every run of more than ``limit`` characters without a space cut to ``limit`` (with '…'):
    a label from the export inside a sentence stays readable and bounded on the page.

    >>> len(cut_long_words("Path: " + "L" * 9000 + " → Resolve")), cut_long_words("short text")
    (216, 'short text')
    """
    text = str(text)
    if len(text) <= limit:
        return text
    return re.sub(rf"\S{{{limit + 1},}}", lambda m: m.group(0)[: limit - 1] + "…", text)


#: units of time, shown after the number
TIME_UNITS = ("days", "hours", "minutes")


def _time_unit(unit: str, one: bool) -> str:
    n = 1 if one else 2
    if unit == "days":
        return ngettext("day", "days", n)
    if unit == "hours":
        return ngettext("hour", "hours", n)
    return ngettext("minute", "minutes", n)


def fmt_value(value: object, unit: str = "") -> str:
    """A value for display: shares as %, numbers with thousands separators, None as a dash, long text cut.

    A whole number (a count, also when it arrives as ``169.0``) never shows decimals; other numbers
    show one decimal from 10 on, else two.

    >>> fmt_value(169.0, "cases"), fmt_value(0.6612, "share"), fmt_value(3.528, "handovers"), fmt_value(1.0, "days")
    ('169', '66.1 %', '3.53', '1 day')
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        if unit == "share":
            return format_share(value)
        if unit == "p":   # a p-value: a chance, as a percentage; never a bare 0
            return "< " + format_share(0.001) if value < 0.001 else format_share(value)
        whole = isinstance(value, int) or float(value).is_integer()
        text = format_count(value) if whole else format_number(value, 1 if abs(value) >= 10 else 2)
        if unit not in TIME_UNITS:
            return text
        return f"{text} {_time_unit(unit, whole and abs(value) == 1)}"
    return shorten(value)


#: rows of one table shown on the page at first (the largest first); the others follow a click
TABLE_ROWS = 10
#: rows of one table put into the page at all; the JSON file and the exported tables hold every row
TABLE_ROWS_IN_PAGE = 1000


def table_view(table: Table, shown: int = TABLE_ROWS, in_page: int = TABLE_ROWS_IN_PAGE) -> dict[str, Any]:
    """The columns to show and the rows' cells as (text, numeric, sort key) for ``table``.

    A column named ``unit`` gives the unit of its row: it is not shown, and the numbers of the row
    in columns without a unit of their own take it (so a table of metrics shows each metric in its
    unit: counts without decimals, shares as percentages). The rows keep the analyser's order (the
    largest first, by the analysers' convention); the page shows the first ``shown`` of them, holds
    at most ``in_page`` and says how many there are (``total``). The sort key of a number is the
    number itself, so sorting works in every language's notation.

    >>> from ssc_mining.results import Column, Table
    >>> view = table_view(Table("t", "T", [Column("n", unit="cases")], [[k * 1000] for k in range(40)]))
    >>> view["shown"], len(view["rows"]), view["total"], view["rows"][2]
    (10, 40, 40, [('2,000', True, '2000')])
    """
    names = [c.name for c in table.columns]
    row_unit = names.index("unit") if "unit" in names else None
    columns = [k for k in range(len(names)) if k != row_unit]
    rows = []
    for row in table.rows[:in_page]:
        unit_of_row = str(row[row_unit] or "") if row_unit is not None else ""
        cells = []
        for k in columns:
            value: Any = row[k] if k < len(row) else None
            unit = table.columns[k].unit or (unit_of_row if isinstance(value, (int, float)) else "")
            is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
            numeric = bool(table.columns[k].unit) or is_number
            key = repr(float(value) if unit != "share" else round(float(value), 6)) if is_number else ""
            cells.append((fmt_value(value, unit), numeric, key.removesuffix(".0")))
        rows.append(cells)
    return {"columns": [table.columns[k] for k in columns], "rows": rows, "total": len(table.rows),
            "shown": min(shown, len(rows))}
