"""Render the report's figures into one self-contained HTML page.

plotly.js is inlined once in the page head; charts carry fixed element ids,
so the same figures give the same bytes. Every value from the data passes
through jinja2's autoescaping. A Content-Security-Policy allows no network
request at all, and only the page's own inline scripts, pinned by their
SHA-256, may run.

Example:
    >>> from ssc_mining.loaders import load
    >>> from ssc_mining.report.model import compute_figures
    >>> html = render_html(compute_figures(load("data/samples/generic-events.csv")))
    >>> html.startswith("<!DOCTYPE html>")
    True
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from typing import Any

import jinja2
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from ssc_mining import i18n
from ssc_mining.report.key_findings import key_findings
from ssc_mining.report.map_figures import segment_markup
from ssc_mining.report.results_html import fmt_value, render_result
from ssc_mining.results import Result
from ssc_mining.semantics.roles import MEANING, ROLE_NAMES, Role

#: the severities of findings, as shown on their badge
SEVERITIES = {"info": i18n.N_("info"), "notice": i18n.N_("notice"), "warning": i18n.N_("warning"),
              "critical": i18n.N_("critical")}

_CSP_PLACEHOLDER = "__SSC_MINING_SCRIPT_HASHES__"
CSP = (f"default-src 'none'; script-src {_CSP_PLACEHOLDER}; style-src 'unsafe-inline'; "
       "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")
_SCRIPT = re.compile(r"<script(?:\s+type=\"text/javascript\")?>(.*?)</script>", re.S)


def _pin_scripts(html: str) -> str:
    """Allow exactly the page's own inline scripts (by SHA-256), nothing else: no injected script can run."""
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
                     + "'" for m in _SCRIPT.finditer(html)})
    return html.replace(_CSP_PLACEHOLDER, " ".join(hashes) or "'none'", 1)


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
    env.globals["severity_label"] = lambda severity: i18n.gettext(SEVERITIES.get(severity, severity))
    env.globals["role_name"] = lambda role: i18n.gettext(ROLE_NAMES[Role(role)])
    env.globals["role_meaning"] = lambda role: i18n.gettext(MEANING[Role(role)])
    return env


def render_html(figures: dict[str, Any], *, title: str | None = None, run_date: str | None = None,
                lang: str = "en") -> str:
    """The complete report page as a string, in ``lang``."""
    with i18n.language(lang):
        return _pin_scripts(_render(figures, title=title, run_date=run_date, lang=lang))


def _render(figures: dict[str, Any], *, title: str | None, run_date: str | None, lang: str) -> str:
    template = environment().get_template("report.html.j2")
    results = [Result.from_dict(r) for r in figures["analysers"]]
    source = figures["provenance"]["source"]["name"]
    return template.render(
        f=figures,
        lang=lang,
        key_findings=key_findings(figures),
        title=title or i18n.gettext("SSC process report — %(source)s") % {"source": source},
        run_date=run_date,
        csp=CSP,
        plotly_js=Markup(get_plotlyjs()),
        process_map_svg=Markup(figures["process_map"]["svg"]),
        map_segments=segment_markup(figures["process_map"]),
        results=results,
        analyser_sections=[Markup(render_result(r)) for r in results],
    )
