"""Default HTML renderings of result items, so any analyser appears in the report without report code.

A chart is a ``div`` carrying its plotly figure as JSON in a ``data-plotly`` attribute (escaped like
any value, control characters replaced); the page's own script draws it, so no script is made from
data.

Example:
    >>> from ssc_mining.results import Metric, Result
    >>> html = render_result(Result("demo", "Demo", "One.", [Metric("n", "Cases", 3, unit="cases")]))
    >>> "Cases" in html and "<section" in html
    True
"""

from __future__ import annotations

import json
import re
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup, escape

from ssc_mining._io import clean_text
from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Graph, Item, Metric, Result, Table


def _slug(text: str) -> str:
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


def fmt_value(value: object, unit: str = "") -> str:
    """A value for display: shares as %, numbers with thousands separators, None as a dash, long text cut."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        if unit == "share":
            return format_share(value)
        if isinstance(value, int):
            return format_number(value)
        text = format_number(value, 1 if abs(value) >= 10 else 2)
        if unit not in ("days", "hours", "minutes"):
            return text
        unit_text = _(unit)
        return f"{text} {unit_text}"
    return shorten(value)


def chart_html(chart: Chart, div_id: str) -> Markup:
    """Draw a chart spec with plotly (the library is inlined once in the page head)."""
    fig = go.Figure()
    if chart.kind == "histogram":
        for name, values in chart.series.items():
            fig.add_trace(go.Histogram(x=values, name=name, nbinsx=40))
        fig.update_layout(bargap=0.05)
    elif chart.kind == "bar":
        for name, values in chart.series.items():
            fig.add_trace(go.Bar(x=chart.x, y=values, name=name))
        fig.update_layout(barmode="group")
    else:
        for name, values in chart.series.items():
            fig.add_trace(go.Scatter(x=chart.x, y=values, name=name, mode="lines+markers"))
    fig.update_layout(title=chart.title, xaxis_title=chart.x_label, yaxis_title=chart.y_label,
                      template="plotly_white", margin={"l": 50, "r": 20, "t": 40, "b": 50}, height=360,
                      showlegend=len(chart.series) > 1)
    spec = {**json.loads(pio.to_json(fig, validate=True)), "config": {"displaylogo": False, "responsive": True}}
    figure = json.dumps(_clean(spec), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    alt = escape(chart.description or _("%(title)s: %(y)s by %(x)s") % {"title": chart.title, "y": chart.y_label,
                                                                       "x": chart.x_label})
    return Markup(f'<figure class="chart" role="group" aria-label="{alt}"><div style="height:360px; width:100%;">'
                  f'<div id="{escape(div_id)}" class="plotly-graph-div" style="height:100%; width:100%;" '
                  f'data-plotly="{escape(figure)}"></div></div><figcaption>{alt}</figcaption></figure>')


def _clean(value: Any) -> Any:
    """``value`` (parsed JSON) with control characters replaced in every string."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean(v) for k, v in value.items()}
    return value


def render_result(result: Result, *, macros=None) -> str:  # type: ignore[no-untyped-def]
    """One report section for ``result``."""
    from ssc_mining.report.html import environment

    env = environment()
    macros = macros or env.get_template("items.html.j2").module
    anchor = f"analyser-{_slug(result.analyser)}"
    parts = [f'<section id="{anchor}" class="analyser status-{escape(result.status)}">',
             f"<h2>{escape(result.title)}</h2>"]
    if result.description:
        parts.append(f'<p class="lead">{escape(result.description)}</p>')
    if result.status != "ok":
        text = _("This analysis was skipped:") if result.status == "skipped" else _("This analysis failed:")
        parts.append(f'<p class="finding severity-warning">{escape(text)} {escape(result.reason)}</p>')
        parts.append("</section>")
        return "\n".join(parts)
    if result.summary:
        parts.append(f'<p class="summary">{escape(result.summary)}</p>')
    metrics = [i for i in result.items if isinstance(i, Metric)]
    if metrics:
        parts.append('<div class="kpis">' + "".join(
            str(macros.metric(_with_anchor(m, anchor))) for m in metrics) + "</div>")
    for item in result.items:
        parts.append(_render_item(item, anchor, macros))
    if result.caveats:
        heading = escape(_("Read with care"))
        parts.append(f'<div class="caveats"><h3>{heading}</h3><ul>'
                     + "".join(f"<li>{escape(c)}</li>" for c in result.caveats) + "</ul></div>")
    if result.params:
        label = escape(_("Parameters:"))
        parts.append(f'<p class="params">{label} ' + ", ".join(
            f"<code>{escape(k)}={escape(repr(v))}</code>" for k, v in result.params.items()) + "</p>")
    parts.append("</section>")
    return "\n".join(parts)


class _Anchored:
    def __init__(self, item: Metric, anchor: str) -> None:
        self.__dict__.update(item.__dict__)
        self.anchor = f"{anchor}-{_slug(item.key)}"


def _with_anchor(item: Metric, anchor: str) -> _Anchored:
    return _Anchored(item, anchor)


def _render_item(item: Item, anchor: str, macros) -> str:  # type: ignore[no-untyped-def]
    if isinstance(item, Metric):
        return ""
    if isinstance(item, Table):
        return str(macros.table(item))
    if isinstance(item, Finding):
        return str(macros.finding(item))
    if isinstance(item, Chart):
        return str(chart_html(item, f"chart-{anchor}-{_slug(item.key)}"))
    if isinstance(item, Graph):
        return str(macros.graph(item))
    return f"<p>{escape(type(item).__name__)} {escape(item.key)}</p>"
