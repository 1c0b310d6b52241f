"""The jinja2 environment of the report templates: autoescaping on, undefined names are errors, gettext from
the catalogues, and the filters and names the templates use.

Example:
    >>> environment().from_string("{{ 0.25|fmtvalue('share') }} · {{ 3.0|fmtvalue('cases') }}").render()
    '25.0 % · 3'
"""

from __future__ import annotations

import functools

import jinja2

from ssc_mining import i18n
from ssc_mining.report.formatting import cut_long_words, fmt_value, shorten
from ssc_mining.report.words import params_markup, value_in_words
from ssc_mining.results.items import SMALL_BASE
from ssc_mining.semantics.roles import MEANING, ROLE_NAMES, Role

__all__ = ["SEVERITIES", "environment"]

#: the severities of findings, as shown on their badge
SEVERITIES = {"info": i18n.N_("info"), "notice": i18n.N_("notice"), "warning": i18n.N_("warning"),
              "critical": i18n.N_("critical")}


@functools.cache
def environment() -> jinja2.Environment:
    """The jinja2 environment of the report templates (autoescaping on, strict undefined)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ssc_mining.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = i18n.format_number
    env.filters["pct"] = i18n.format_share
    env.filters["date"] = i18n.format_date
    env.filters["fmtvalue"] = fmt_value
    env.filters["shorten"] = shorten
    env.filters["cutwords"] = cut_long_words
    env.filters["inwords"] = value_in_words
    env.filters["paramsinwords"] = params_markup

    def severity_label(severity: str) -> str:
        return i18n.gettext(SEVERITIES.get(severity, severity))

    env.globals["severity_label"] = severity_label
    env.globals["role_name"] = lambda role: i18n.gettext(ROLE_NAMES[Role(role)])
    env.globals["role_meaning"] = lambda role: i18n.gettext(MEANING[Role(role)])
    env.globals["small_base"] = SMALL_BASE
    env.globals["recorded"] = i18n.recorded
    env.globals["column_role"] = i18n.column_role
    return env
