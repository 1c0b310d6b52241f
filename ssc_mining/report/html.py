"""Render the report's figures into one self-contained HTML page.

plotly.js is inlined once in the page head; charts carry fixed element ids,
so the same figures give the same bytes. Every value from the data passes
through jinja2's autoescaping. A Content-Security-Policy allows no network
request at all.

Example:
    >>> from ssc_mining.loaders import load
    >>> from ssc_mining.report.model import compute_figures
    >>> html = render_html(compute_figures(load("data/samples/generic-events.csv")))  # doctest: +SKIP
    >>> html.startswith("<!DOCTYPE html>")                                            # doctest: +SKIP
    True
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
import plotly.graph_objects as go
from markupsafe import Markup
from plotly.offline import get_plotlyjs

CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
       "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ssc_mining.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v, digits=0: "–" if v is None else f"{v:,.{digits}f}"
    env.filters["pct"] = lambda v, digits=1: "–" if v is None else f"{100 * v:.{digits}f} %"
    return env


def _chart(fig: go.Figure, div_id: str) -> Markup:
    fig.update_layout(template="plotly_white", margin={"l": 50, "r": 20, "t": 40, "b": 50}, height=360)
    html = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})
    return Markup(html)


def throughput_chart(values: list[float]) -> Markup:
    """Histogram of throughput times in days."""
    fig = go.Figure(go.Histogram(x=values, nbinsx=40, marker_color="#1f77b4",
                                 hovertemplate="%{x} days: %{y} cases<extra></extra>"))
    fig.update_layout(title="Throughput time per case", xaxis_title="days from first to last event",
                      yaxis_title="cases", bargap=0.05)
    return _chart(fig, "chart-throughput")


def render_html(figures: dict[str, Any], *, title: str | None = None, run_date: str | None = None) -> str:
    """The complete report page as a string."""
    template = _environment().get_template("report.html.j2")
    source = figures["provenance"]["source"]["name"]
    return template.render(
        f=figures,
        title=title or f"SSC process report — {source}",
        run_date=run_date,
        csp=CSP,
        plotly_js=Markup(get_plotlyjs()),
        process_map_svg=Markup(figures["process_map"]["svg"]),
        throughput_chart=throughput_chart(figures["throughput"]["values"]),
    )
