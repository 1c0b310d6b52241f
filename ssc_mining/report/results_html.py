"""Default HTML renderings of result items, so any analyser appears in the report without report code.

A chart is a ``div`` carrying its plotly figure as JSON in a ``data-plotly`` attribute (escaped like
any value, control characters replaced); the page's own script draws it, so no script is made from
data.

Numbers follow the language and their unit: a count never shows decimals (169, not 169.0), a
share is always a percentage (66.0 %), days, hours and minutes carry their unit. Chart axes do the
same: the language's decimal mark, shares as percentages, months and days as labels in the
language (plotly's own locales are not available offline, so the labels are made here).

Example:
    >>> from ssc_mining.results import Metric, Result
    >>> html = render_result(Result("demo", "Demo", "One.", [Metric("n", "Cases", 3, unit="cases")]))
    >>> "Cases" in html and "<section" in html
    True
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup, escape

from ssc_mining._io import clean_text
from ssc_mining.i18n import current_language, format_day, format_month, ngettext, number_separators
from ssc_mining.i18n import gettext as _
from ssc_mining.report.formatting import TABLE_ROWS, TABLE_ROWS_IN_PAGE, cut_long_words, fmt_value, shorten, table_view
from ssc_mining.report.formatting import slug as _slug
from ssc_mining.report.templating import environment
from ssc_mining.report.words import params_markup
from ssc_mining.results import Chart, Finding, Graph, Item, Metric, Result, Table

# the formatting helpers are re-exported here for code written against earlier versions
__all__ = ["KPIS_SHOWN", "TABLE_ROWS", "TABLE_ROWS_IN_PAGE", "chart_html", "cut_long_words", "fmt_value",
           "render_result", "shorten", "table_view"]


_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}([ T][\d:.]+)?([+-]\d{2}:?\d{2}|Z)?$")


def axis_labels(values: list[Any]) -> list[Any]:
    """Category labels of a chart axis in the current language: months ('2024-03') and days ('2024-03-04')
    become 'mrt 2024' and '4 mrt 2024' in Dutch; other values stay as they are.

    >>> axis_labels(["2024-03", "2024-05"]), axis_labels(["2024-03-04"]), axis_labels(["0", "6+"])
    (['Mar 2024', 'May 2024'], ['4 Mar 2024'], ['0', '6+'])
    """
    if values and all(isinstance(v, str) and _ISO_MONTH.match(v) for v in values):
        return [format_month(v) for v in values]
    if values and all(isinstance(v, str) and _ISO_DAY.match(v) for v in values):
        return [format_day(v) for v in values]
    if values and all(isinstance(v, (dt.date, dt.datetime)) for v in values):
        return [format_day(v.isoformat()) for v in values]
    return values


def _chart_unit(chart: Chart, axis: str) -> str:
    """The unit of a chart axis: the chart's own ``x_unit``/``y_unit`` when it has one; else a y axis
    labelled with the word for "share" holds shares."""
    unit = getattr(chart, f"{axis}_unit", "") or ""
    if not unit and axis == "y" and chart.y_label == _("share"):
        unit = "share"
    return unit


def _percent(values: list[Any]) -> list[Any]:
    return [None if v is None else round(100 * v, 4) for v in values]


@functools.cache
def _template() -> dict[str, Any]:
    """The charts' plotly template ("plotly_white") as plain JSON data, read once per process."""
    return json.loads(pio.to_json(go.Figure(layout={"template": "plotly_white"}), validate=True))["layout"]["template"]


def chart_html(chart: Chart, div_id: str) -> Markup:
    """Draw a chart spec with plotly (the library is inlined once in the page head)."""
    figure = json.dumps(chart_spec(chart), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    alt = escape(chart.description or _("%(title)s: %(y)s by %(x)s") % {"title": chart.title, "y": chart.y_label,
                                                                       "x": chart.x_label})
    return Markup(f'<figure class="chart" role="group" aria-label="{alt}"><div style="height:360px; width:100%;">'
                  f'<div id="{escape(div_id)}" class="plotly-graph-div" style="height:100%; width:100%;" '
                  f'data-plotly="{escape(figure)}"></div></div><figcaption>{alt}</figcaption></figure>')


def chart_spec(chart: Chart) -> dict[str, Any]:
    """A chart as plotly's JSON (``data``, ``layout``, ``config``), in the current language; the report's pages
    and the explorer draw the same charts from it."""
    fig = go.Figure()
    x_unit, y_unit = _chart_unit(chart, "x"), _chart_unit(chart, "y")
    x = axis_labels(list(chart.x))
    binned: list[list[Any]] = []  # the values of each histogram, put into the spec after plotly's checks
    if chart.kind == "histogram":
        for name, values in chart.series.items():
            binned.append(_percent(values) if x_unit == "share" else list(values))
            fig.add_trace(go.Histogram(x=[], name=name, nbinsx=40,
                                       hovertemplate="%{x}: %{y:,d}<extra>%{fullData.name}</extra>"))
        fig.update_layout(bargap=0.05)
        counts_small = max((len(v) for v in chart.series.values()), default=0) <= 10
    else:
        for name, values in chart.series.items():
            values = _percent(values) if y_unit == "share" else values
            hover = ("%{x}: %{y:,.1f} %" if y_unit == "share" else "%{x}: %{y:,.2~f}") + \
                "<extra>%{fullData.name}</extra>"
            if chart.kind == "bar":
                fig.add_trace(go.Bar(x=x, y=values, name=name, hovertemplate=hover))
            else:
                fig.add_trace(go.Scatter(x=x, y=values, name=name, mode="lines+markers", hovertemplate=hover))
        if chart.kind == "bar":
            fig.update_layout(barmode="group")
        counts_small = y_unit != "share" and all(
            all(isinstance(v, int) for v in values) and max(values, default=0) <= 10
            for values in chart.series.values())
    fig.update_layout(title=chart.title, xaxis_title=chart.x_label, yaxis_title=chart.y_label,
                      template="none", margin={"l": 50, "r": 20, "t": 40, "b": 50}, height=360,
                      showlegend=len(chart.series) > 1, separators=number_separators())
    if chart.kind != "histogram":
        fig.update_xaxes(type="category")
    if y_unit == "share":
        fig.update_yaxes(ticksuffix=" %", tickformat=",~r")
    elif counts_small:
        fig.update_yaxes(tick0=0, dtick=1, tickformat=",d")
    if x_unit == "share":
        fig.update_xaxes(ticksuffix=" %")
    config: dict[str, Any] = {"displaylogo": False, "responsive": True}
    if current_language() != "en":  # the toolbar's tooltips exist in English only offline
        config["displayModeBar"] = False
    spec = {**json.loads(pio.to_json(fig, validate=True)), "config": config}
    spec["layout"]["template"] = _template()   # in its place; built and checked once, not once per chart
    for trace, values in zip(spec["data"], binned):  # plain numbers: checking each one costs seconds per million
        trace["x"] = values
    cleaned: dict[str, Any] = _clean(spec)
    return cleaned


def _clean(value: Any) -> Any:
    """``value`` (parsed JSON) with control characters replaced in every string."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        if all(type(v) in (int, float) for v in value):   # a long series of numbers: nothing to clean
            return value
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean(v) for k, v in value.items()}
    return value


#: figures of one section shown as boxes at first; the others are one click away (analysers list the main ones first)
KPIS_SHOWN = 8


def render_result(result: Result, *, macros=None) -> str:
    """One report section for ``result``."""
    env = environment()
    macros = macros or env.get_template("items.html.j2").module
    anchor = f"analyser-{_slug(result.analyser)}"
    parts = [f'<section id="{anchor}" class="analyser status-{escape(result.status)}">',
             f"<h2>{escape(result.title)}</h2>"]
    if result.description:
        parts.append(f'<p class="lead">{escape(cut_long_words(result.description))}</p>')
    if result.status != "ok":
        text = _("This analysis was skipped:") if result.status == "skipped" else _("This analysis failed:")
        parts.append(f'<p class="finding severity-warning">{escape(text)} {escape(cut_long_words(result.reason))}</p>')
        parts.append("</section>")
        return "\n".join(parts)
    if result.summary:
        parts.append(f'<p class="summary">{escape(cut_long_words(result.summary))}</p>')
    metrics = [i for i in result.items if isinstance(i, Metric)]
    measured = [m for m in metrics if not (m.value is None and m.reason)]
    if measured:
        boxes = [str(macros.metric(_with_anchor(m, anchor))) for m in measured]
        parts.append('<div class="kpis">' + "".join(boxes[:KPIS_SHOWN]) + "</div>")
        if len(boxes) > KPIS_SHOWN:
            more = escape(ngettext("%(num)s more figure of this section", "%(num)s more figures of this section",
                                   len(boxes) - KPIS_SHOWN) % {"num": len(boxes) - KPIS_SHOWN})
            parts.append(f'<details class="more-figures"><summary>{more}</summary><div class="kpis">'
                         + "".join(boxes[KPIS_SHOWN:]) + "</div></details>")
    parts.extend(_unmeasured(metrics, anchor))
    for item in result.items:
        parts.append(_render_item(item, anchor, macros))
    if result.caveats:
        heading = escape(_("Read with care"))
        parts.append(f'<div class="caveats"><h3>{heading}</h3><ul>'
                     + "".join(f"<li>{escape(cut_long_words(c))}</li>" for c in result.caveats) + "</ul></div>")
    if result.params:
        label = escape(_("Parameters:"))
        parts.append(f'<p class="params">{label} {params_markup(result.params)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _unmeasured(metrics: list[Metric], anchor: str) -> list[str]:
    """The figures that could not be measured, one line per reason (the reason is said once, not per figure)."""
    reasons: dict[str, list[Metric]] = {}
    for m in metrics:
        if m.value is None and m.reason:
            reasons.setdefault(m.reason, []).append(m)
    lines = []
    for reason, group in reasons.items():
        labels = "; ".join(f'<span id="{escape(anchor)}-{escape(_slug(m.key))}">'
                           f'{escape(cut_long_words(m.label))}</span>' for m in group)
        heading, why = escape(_("Not measured:")), escape(_("Why:"))
        lines.append(f'<p class="unmeasured"><b>{heading}</b> {labels}. '
                     f'<span class="why">{why} {escape(cut_long_words(reason))}</span></p>')
    return lines


class _Anchored:
    def __init__(self, item: Metric, anchor: str) -> None:
        self.__dict__.update(item.__dict__)
        self.anchor = f"{anchor}-{_slug(item.key)}"


def _with_anchor(item: Metric, anchor: str) -> _Anchored:
    return _Anchored(item, anchor)


def _render_item(item: Item, anchor: str, macros) -> str:
    if isinstance(item, Metric):
        return ""
    if isinstance(item, Table):
        return str(macros.table(item, table_view(item)))
    if isinstance(item, Finding):
        return str(macros.finding(item))
    if isinstance(item, Chart):
        return str(chart_html(item, f"chart-{anchor}-{_slug(item.key)}"))
    if isinstance(item, Graph):
        return str(macros.graph(item))
    return f"<p>{escape(type(item).__name__)} {escape(item.key)}</p>"
