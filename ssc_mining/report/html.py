"""Render the report's figures into one self-contained HTML page.

plotly.js is inlined once in the page head; charts carry their figure as
data and fixed element ids, so the same figures give the same bytes. Every
value from the data passes through jinja2's autoescaping, and control
characters (but tab, newline and carriage return) become U+FFFD. A
Content-Security-Policy allows no network request at all, and only the
template's own inline scripts and plotly.js may run: their SHA-256 are
computed from the template and the library, never from a rendered page, so a
script that reached the page through a value is blocked even if escaping
failed.

Example:
    >>> from ssc_mining.loaders import load
    >>> from ssc_mining.report.model import compute_figures
    >>> html = render_html(compute_figures(load("data/samples/generic-events.csv")))
    >>> html.startswith("<!DOCTYPE html>")
    True
    >>> script_hashes().replace("'", "&#39;") in html  # the CSP pins the template's scripts and plotly.js
    True
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from typing import Any

from markupsafe import Markup
from plotly.offline import get_plotlyjs

from ssc_mining import i18n
from ssc_mining._io import clean_text
from ssc_mining.report.explore import explore_page
from ssc_mining.report.key_findings import first_page
from ssc_mining.report.map_figures import segment_markup
from ssc_mining.report.results_html import render_result
from ssc_mining.report.templating import SEVERITIES, environment
from ssc_mining.results import Result

__all__ = ["CSP", "SEVERITIES", "environment", "render_html", "script_hashes"]

CSP = ("default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
       "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_PLOTLY_TAG = "{{ plotly_js }}"
_PLOTLY_SLOT = "/* plotly.js */"


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


@functools.cache
def script_hashes() -> str:
    """The CSP sources of the scripts that may run: each inline script of the templates, and plotly.js.

    Hashed from the template sources, never from a rendered page: a script that reached a page
    through a value is not among them. A template script must not depend on data.
    """
    env = environment()
    assert env.loader is not None
    hashes = set()
    for name in env.list_templates(extensions=["j2"]):
        source = env.loader.get_source(env, name)[0]
        for body in _SCRIPT.findall(source):
            if body == _PLOTLY_TAG:
                hashes.add(_sha256(get_plotlyjs()))
            elif any(tag in body for tag in ("{{", "{%", "{#")):
                raise RuntimeError(f"a script in the template {name} depends on data; it cannot be pinned by a hash")
            else:
                hashes.add(_sha256(re.sub(r"\r\n?", env.newline_sequence, body)))
    return " ".join(sorted(hashes)) or "'none'"


def render_html(figures: dict[str, Any], *, title: str | None = None, run_date: str | None = None,
                lang: str = "en") -> str:
    """The complete report page as a string, in ``lang``, without control characters."""
    with i18n.language(lang):
        page = clean_text(_render(figures, title=title, run_date=run_date, lang=lang))
    # plotly.js holds control characters of its own: it goes in after the cleaning, unchanged
    return page.replace(f"<script>{_PLOTLY_SLOT}</script>", f"<script>{get_plotlyjs()}</script>", 1)


def _render(figures: dict[str, Any], *, title: str | None, run_date: str | None, lang: str) -> str:
    template = environment().get_template("report.html.j2")
    results = [Result.from_dict(r) for r in figures["analysers"]]
    source = figures["provenance"]["source"]["name"]
    return template.render(
        f=figures,
        lang=lang,
        first_page=first_page(figures),
        title=title or i18n.gettext("SSC process report — %(source)s") % {"source": source},
        run_date=run_date,
        csp=CSP.format(scripts=script_hashes()),
        plotly_js=Markup(_PLOTLY_SLOT),
        process_map_svg=Markup(figures["process_map"]["svg"]),
        map_segments=segment_markup(figures["process_map"]),
        explore=explore_page(figures),
        results=results,
        analyser_sections=[Markup(render_result(r)) for r in results],
    )
