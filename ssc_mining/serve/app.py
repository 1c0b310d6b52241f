"""The explorer's web app (Dash): filters on the left, views of the selection on the right.

Everything is served from this machine: Dash serves its own scripts from the installed package, the process map
is the report's SVG in a frame of its own, and nothing is fetched from another host. The filters are kept in the
page as a list of filter texts (:mod:`ssc_mining.selection.filters`); each one can be removed on its own, and
every view is recomputed from :class:`~ssc_mining.serve.explorer.Explorer` when the list changes. "Save as
report" writes the report set of the selection through ``save`` (see :func:`make_app`) with the filters in its
provenance, and shows the ``ssc-mining report`` command that makes the same files.

Example:
    >>> from ssc_mining.loaders import load
    >>> from ssc_mining.serve.explorer import Explorer
    >>> app = make_app(Explorer(load("data/samples/generic-events.csv")), source="generic-events.csv")
    >>> app.title
    'ssc_mining explorer: generic-events.csv'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ssc_mining.errors import SSCMiningError
from ssc_mining.i18n import N_, column_role, format_number, format_share, language, recorded
from ssc_mining.i18n import gettext as _
from ssc_mining.report.formatting import fmt_value
from ssc_mining.report.results_html import chart_spec
from ssc_mining.results import Result
from ssc_mining.results.items import Chart, Finding, Metric, Table
from ssc_mining.selection.filters import escaped, joined_list, parse_filter
from ssc_mining.serve.explorer import Explorer

__all__ = ["SavedReport", "make_app"]

#: the names of the timeline's and the ticket list's columns
_LABELS = {"time": N_("time"), "activity": N_("activity"), "team": N_("team"), "status": N_("status"),
           "person": N_("handler"), "mother": N_("mother organisation"), "category": N_("category")}

#: rows of the ticket list and variants shown
CASE_ROWS = 500
VARIANT_ROWS = 100


@dataclass(frozen=True)
class SavedReport:
    """What "save as report" wrote: the files and the command line that writes the same files."""

    files: list[str]
    command: str


#: save(filter texts, folder, name or None) -> what was written
Save = Callable[[list[str], str, str | None], SavedReport]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2430; }
header { background: #1f3b5a; color: #fff; padding: .6rem 1.2rem; }
header h1 { font-size: 1.2rem; margin: 0; }
#counts { font-size: 1.05rem; margin-top: .2rem; }
.layout { display: flex; gap: 1rem; padding: .8rem 1.2rem; align-items: flex-start; }
.filters { width: 24rem; flex: none; }
.filters fieldset { border: 1px solid #cfd6df; border-radius: 6px; margin: 0 0 .6rem; padding: .4rem .6rem; }
.filters legend { font-weight: 600; }
.filters input[type=text], .filters input[type=number] { width: 9rem; }
.filters button, .views button { margin: .2rem .2rem .2rem 0; padding: .15rem .6rem; cursor: pointer; }
.active-filters li { margin: .2rem 0; }
.active-filters code { background: #eef2f7; padding: 0 .25rem; }
.error { color: #a00; white-space: pre-line; }
.views { flex: 1; min-width: 0; }
table.plain { border-collapse: collapse; font-size: .9rem; }
table.plain td, table.plain th { border-bottom: 1px solid #dde3ea; padding: .2rem .5rem; text-align: left;
  vertical-align: top; }
.metric { display: inline-block; min-width: 12rem; margin: .2rem 1rem .2rem 0; }
.metric b { font-size: 1.1rem; }
.muted { color: #5b6675; font-size: .9rem; }
.finding { margin: .3rem 0; }
pre { white-space: pre-wrap; word-break: break-all; background: #f4f7fb; padding: .4rem .6rem; }
"""


def _t(text: str, **params: Any) -> str:
    return _(text) % params if params else _(text)


def make_app(explorer: Explorer, *, source: str, lang: str = "en", save: Save | None = None,
             output: str = "reports") -> Any:
    """The Dash app of ``explorer`` (``source``: the file's name, shown in the title); ``save`` writes a report of
    a selection (None: the save view says it is not available); ``output`` is the folder it proposes."""
    import dash
    from dash import ALL, Dash, Input, Output, State, dcc, html

    app = Dash(__name__, title=f"ssc_mining explorer: {source}", update_title="", serve_locally=True,
               assets_folder="__no_assets__", compress=False)

    def in_language(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any) -> Any:
            with language(lang):
                return func(*args)
        return wrapper

    with language(lang):
        app.layout = _layout(explorer, source=source, output=output, html=html, dcc=dcc)
        app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + _CSS + "</style>") \
            .replace("<html>", f'<html lang="{lang}">')

    # -- the list of filters ---------------------------------------------------------------------------------
    @app.callback(Output("filters", "data"), Output("filter-error", "children"),
                  Input("add-time", "n_clicks"), Input("add-attr", "n_clicks"), Input("add-ends", "n_clicks"),
                  Input("add-complete", "n_clicks"), Input("add-throughput", "n_clicks"),
                  Input("add-follows", "n_clicks"), Input("add-text", "n_clicks"),
                  Input("filter-text", "n_submit"), Input("undo", "n_clicks"), Input("clear", "n_clicks"),
                  Input({"type": "remove", "index": ALL}, "n_clicks"),
                  Input({"type": "keep-variant", "index": ALL}, "n_clicks"),
                  Input({"type": "keep-finding", "index": ALL}, "n_clicks"),
                  State("filters", "data"),
                  State("time-kind", "value"), State("time-from", "value"), State("time-to", "value"),
                  State("attr-name", "value"), State("attr-values", "value"), State("attr-negate", "value"),
                  State("start-acts", "value"), State("end-acts", "value"),
                  State("tp-op", "value"), State("tp-n", "value"), State("tp-unit", "value"),
                  State("fol-a", "value"), State("fol-b", "value"), State("fol-how", "value"),
                  State("filter-text", "value"), State("variant-filters", "data"),
                  prevent_initial_call=True)
    @in_language
    def change_filters(*args: Any) -> tuple[Any, Any]:
        trigger = dash.ctx.triggered_id
        fired = dash.ctx.triggered[0]["value"] if dash.ctx.triggered else None
        (texts, kind, low, high, attr, values, negate, starts, ends, op, number, unit, fa, fb, how, typed,
         variant_filters) = args[13:]
        texts = list(texts or [])
        if not fired:
            return dash.no_update, dash.no_update
        new: list[str] = []
        if trigger == "add-time":
            new = [f"{kind}={(low or '').strip()}..{(high or '').strip()}"]
        elif trigger == "add-attr":
            if not attr or not values:
                return dash.no_update, _("Choose an attribute and at least one value.")
            new = [f"{'not ' if negate else ''}attr:{attr}={joined_list(values)}"]
        elif trigger == "add-ends":
            new = ([f"start={joined_list(starts)}"] if starts else []) + ([f"end={joined_list(ends)}"] if ends else [])
            if not new:
                return dash.no_update, _("Choose the activities tickets start or end with.")
        elif trigger == "add-complete":
            new = ["complete"]
        elif trigger == "add-throughput":
            if number is None:
                return dash.no_update, _("Give a number for the throughput time.")
            new = [f"throughput{op}{number:g}{unit}"]
        elif trigger == "add-follows":
            if not fa or not fb:
                return dash.no_update, _("Choose both activities.")
            new = [f"follows={escaped(fa)}{'>>' if how == 'eventually' else '>'}{escaped(fb)}"]
        elif trigger in ("add-text", "filter-text"):
            if not (typed or "").strip():
                return dash.no_update, _("Type a filter, for example started=2024-01-01..2024-03-31.")
            new = [typed.strip()]
        elif trigger == "undo":
            return texts[:-1], ""
        elif trigger == "clear":
            return [], ""
        elif isinstance(trigger, dict) and trigger.get("type") == "remove":
            index = int(trigger["index"])
            return [t for i, t in enumerate(texts) if i != index], ""
        elif isinstance(trigger, dict) and trigger.get("type") == "keep-variant":
            new = [variant_filters[int(trigger["index"])]]
        elif isinstance(trigger, dict) and trigger.get("type") == "keep-finding":
            new = [f"finding={trigger['index']}"]
        try:
            new = [parse_filter(t).text for t in new]
            explorer.select(texts + new)
        except SSCMiningError as err:
            return dash.no_update, str(err)
        return texts + new, ""

    @app.callback(Output("attr-values", "options"), Output("attr-values", "value"), Input("attr-name", "value"))
    @in_language
    def attribute_values(name: str | None) -> tuple[list[dict[str, str]], list[str]]:
        return attribute_options(explorer, name), []

    # -- counts, the list of filters, variants, tickets ------------------------------------------------------
    @app.callback(Output("counts", "children"), Output("filter-list", "children"),
                  Output("variants", "children"), Output("variant-filters", "data"),
                  Output("case-list", "children"), Output("case-note", "children"),
                  Input("filters", "data"), Input("case-order", "value"))
    @in_language
    def show_selection(texts: list[str] | None, order: str | None) -> tuple[Any, ...]:
        sel = explorer.select(texts or [])
        whole = explorer.whole
        counts = _t("%(kept)s of %(all)s tickets (%(share)s), %(events)s of %(all_events)s events",
                    kept=format_number(sel.n_cases), all=format_number(whole.cases.n),
                    share=format_share(sel.n_cases / max(whole.cases.n, 1)), events=format_number(sel.n_events),
                    all_events=format_number(whole.n_events))
        items = [html.Li([html.Code(s.text), " ",
                          html.Span(_t("%(kept)s of %(before)s tickets kept", kept=format_number(s.tickets_after),
                                       before=format_number(s.tickets_before)), className="muted"), " ",
                          html.Button(_("remove"), id={"type": "remove", "index": i},
                                      title=_("Remove this filter")),
                          html.Div(recorded(s.note), className="muted") if s.note else ""])
                 for i, s in enumerate(sel.steps)]
        listing = html.Ol(items, className="active-filters") if items else html.P(_("No filter: every ticket."),
                                                                                className="muted")
        variants = explorer.variants(sel, VARIANT_ROWS)
        rows = [html.Tr([html.Td(str(v["rank"])), html.Td(format_number(v["tickets"])),
                         html.Td(format_share(v["share"])), html.Td(" → ".join(v["activities"])),
                         html.Td(html.Button(_("keep only this path"), id={"type": "keep-variant", "index": i}))])
                for i, v in enumerate(variants)]
        table = html.Table([html.Thead(html.Tr([html.Th(_("Path")), html.Th(_("Tickets")), html.Th(_("Share")),
                                                html.Th(_("Activities in order")), html.Th("")])),
                            html.Tbody(rows)], className="plain", id="variant-table")
        cases = explorer.cases(sel, CASE_ROWS, order or "first")
        note = _t("The first %(shown)s of %(n)s tickets. Click a ticket to see its steps.",
                  shown=format_number(len(cases)), n=format_number(sel.n_cases))
        return (counts, listing, table, [v["filter"] for v in variants], _case_table(cases, html), note)

    # -- the process map ----------------------------------------------------------------------------------------
    @app.callback(Output("map-frame", "srcDoc"), Output("map-note", "children"),
                  Input("filters", "data"), Input("map-activities", "value"), Input("map-paths", "value"),
                  Input("map-mode", "value"))
    @in_language
    def show_map(texts: list[str] | None, activities: float, paths: float, mode: str) -> tuple[str, str]:
        sel = explorer.select(texts or [])
        svg, note = explorer.process_map(sel, activities=float(activities), paths=float(paths), mode=mode,
                                         title=_("Directly-follows process map"))
        if not svg:
            return "<p>" + _("No ticket is selected.") + "</p>", ""
        return ('<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;font-family:sans-serif}'
                'svg{max-width:100%;height:auto}</style></head><body>' + svg + "</body></html>"), note

    # -- one ticket's steps -------------------------------------------------------------------------------------
    @app.callback(Output("timeline", "children"), Input({"type": "ticket", "index": ALL}, "n_clicks"),
                  State("filters", "data"), prevent_initial_call=True)
    @in_language
    def show_timeline(_clicks: list[int | None], texts: list[str] | None) -> Any:
        trigger = dash.ctx.triggered_id
        if not isinstance(trigger, dict) or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
            return dash.no_update
        ticket = str(trigger["index"])
        line = explorer.timeline(ticket, explorer.select(texts or []))
        head = [html.Th(_(_LABELS.get(c, c))) for c in line.events.columns]
        body = [html.Tr([html.Td(str(v)) for v in row]) for row in line.events.itertuples(index=False)]
        return [html.H3(_t("Ticket %(id)s: %(n)s steps", id=ticket, n=format_number(len(line.events)))),
                _timeline_figure(line.events, dcc),
                html.Table([html.Thead(html.Tr(head)), html.Tbody(body)], className="plain", id="timeline-table")]

    # -- analysers and comparison -------------------------------------------------------------------------------
    @app.callback(Output("analyser-results", "children"), Input("run-analysers", "n_clicks"),
                  State("filters", "data"), prevent_initial_call=True)
    @in_language
    def show_results(_clicks: int, texts: list[str] | None) -> Any:
        sel = explorer.select(texts or [])
        if sel.n_cases == 0:
            return html.P(_("No ticket is selected."))
        return [html.P(_t("Results for the %(n)s selected tickets.", n=format_number(sel.n_cases)),
                       className="muted")] + [_result_html(r, html, dcc) for r in explorer.results(sel, lang)]

    @app.callback(Output("comparison-result", "children"), Input("run-comparison", "n_clicks"),
                  State("compare-analyser", "value"), State("filters", "data"), prevent_initial_call=True)
    @in_language
    def show_comparison(_clicks: int, analyser: str, texts: list[str] | None) -> Any:
        sel = explorer.select(texts or [])
        try:
            table = explorer.comparison(sel, analyser, lang)
        except SSCMiningError as err:
            return html.P(str(err), className="error")
        wanted = [c for c in ("label", "value", "reference_value", "difference", "p_value", "significant")
                  if c in table.columns]
        names = {"label": _("Figure"), "value": _("Selection"), "reference_value": _("Rest"),
                 "difference": _("Difference"), "p_value": _("Chance of a difference this large (p)"),
                 "significant": _("Larger than chance?")}
        units = table["unit"].tolist() if "unit" in table.columns else [""] * len(table)
        def cell(row: dict[str, Any], column: str, unit: str) -> str:
            if column in ("p_value", "significant") and row.get("p_value") is None:
                return _("not tested")
            if column == "p_value":
                return fmt_value(row[column], "p")
            return fmt_value(row[column], "" if column in ("label", "significant") else unit)

        body = [html.Tr([html.Td(cell(row, c, unit)) for c in wanted])
                for row, unit in zip(table.to_dict("records"), units)]
        untested = "p_value" not in table.columns or table["p_value"].isna().all()
        return [html.P(_t("%(n)s selected tickets against the other %(rest)s.", n=format_number(sel.n_cases),
                          rest=format_number(explorer.whole.cases.n - sel.n_cases)), className="muted"),
                html.P(_("This analyser gives no value per ticket, so its differences cannot be tested against "
                         "chance; choose another analyser for a test.") if untested else "", className="muted"),
                html.Table([html.Thead(html.Tr([html.Th(names[c]) for c in wanted])), html.Tbody(body)],
                           className="plain", id="comparison-table")]

    # -- save as report -----------------------------------------------------------------------------------------
    @app.callback(Output("save-result", "children"), Input("save-report", "n_clicks"),
                  State("save-folder", "value"), State("save-name", "value"), State("filters", "data"),
                  prevent_initial_call=True)
    @in_language
    def save_report(_clicks: int, folder: str | None, name: str | None, texts: list[str] | None) -> Any:
        if save is None:
            return html.P(_("Saving is not available here."), className="error")
        folder = (folder or "").strip()
        if not folder:
            return html.P(_("Give the folder to write the report into."), className="error")
        try:
            saved = save(list(texts or []), folder, (name or "").strip() or None)
        except SSCMiningError as err:
            return html.P(str(err), className="error")
        return [html.P(_("Written:")), html.Ul([html.Li(html.Code(f)) for f in saved.files], id="saved-files"),
                html.P(_("The same files are made by this command (the filters are also in the report's "
                         "provenance):")), html.Pre(saved.command, id="saved-command")]

    return app


def _timeline_figure(events: Any, dcc: Any) -> Any:
    """The ticket's steps on a time axis (one row per activity, in order of first appearance)."""
    import plotly.graph_objects as go

    order = list(dict.fromkeys(events["activity"]))
    figure = go.Figure(go.Scatter(x=list(events["time"]), y=list(events["activity"]), mode="lines+markers",
                                  marker={"size": 9}, line={"color": "#1f3b5a"}, hoverinfo="x+y"))
    figure.update_layout(height=120 + 26 * len(order), margin={"l": 10, "r": 10, "t": 10, "b": 30},
                         yaxis={"categoryorder": "array", "categoryarray": order[::-1], "automargin": True},
                         xaxis={"title": _("time")}, plot_bgcolor="#fff")
    return dcc.Graph(figure=figure, config={"displayModeBar": False, "displaylogo": False}, id="timeline-graph")


#: the ticket list's columns and their names
_CASE_COLUMNS = {"first_event": N_("first event"), "last_event": N_("last event"), "days": N_("days"),
                 "events": N_("events"), "first_activity": N_("first activity"), "last_activity": N_("last activity"),
                 "mother": N_("mother organisation"), "category": N_("category")}


def _case_table(cases: Any, html: Any) -> Any:
    """The selected tickets, each id a button that opens its steps."""
    shown = [c for c in _CASE_COLUMNS if c in cases.columns]
    head = html.Thead(html.Tr([html.Th(_("ticket"))] + [html.Th(_(_CASE_COLUMNS[c])) for c in shown]))
    def cell(row: dict[str, Any], column: str) -> str:
        if column in ("days", "events"):
            return format_number(row[column], 1 if column == "days" else 0)
        return str(row[column])

    rows = [html.Tr([html.Td(html.Button(str(row["ticket"]), id={"type": "ticket", "index": str(row["ticket"])},
                                         className="ticket", title=_("Show the steps of this ticket")))]
                    + [html.Td(cell(row, c)) for c in shown])
            for row in cases.to_dict("records")]
    return html.Table([head, html.Tbody(rows)], className="plain", id="case-table")


def _result_html(result: Result, html: Any, dcc: Any) -> Any:
    """One analyser's result in plain components: figures, findings (each with its tickets as a filter), its
    charts (drawn as the report draws them) and the first rows of its tables."""
    parts: list[Any] = [html.H3(result.title)]
    if result.status != "ok":
        parts.append(html.P(_t("Not measured here: %(reason)s", reason=result.reason), className="muted"))
        return html.Section(parts, className="result")
    if result.summary:
        parts.append(html.P(result.summary))
    metrics = [i for i in result.items if isinstance(i, Metric)]
    for m in metrics:
        value = fmt_value(m.value, m.unit) if m.value is not None else _("not measured")
        extra = m.reason if m.value is None else (_t("based on %(n)s tickets", n=format_number(m.base))
                                                 if m.base is not None else "")
        parts.append(html.Div([html.Div(m.label), html.B(value), html.Div(extra, className="muted")],
                              className="metric"))
    for f in (i for i in result.items if isinstance(i, Finding)):
        button = html.Button(_t("keep these %(n)s tickets", n=format_number(len(f.case_ids))),
                             id={"type": "keep-finding", "index": f"{result.analyser}.{f.key}"}) if f.case_ids else ""
        parts.append(html.P([f.text, " ", button], className="finding"))
    for c in (i for i in result.items if isinstance(i, Chart)):
        spec = chart_spec(c)
        parts.append(dcc.Graph(figure={"data": spec["data"], "layout": spec["layout"]},
                               config={**spec.get("config", {}), "displayModeBar": False}, className="chart"))
    for t in (i for i in result.items if isinstance(i, Table)):
        shown = t.rows[:10]
        parts.append(html.Details([
            html.Summary(_t("%(title)s (%(n)s rows)", title=t.title, n=format_number(len(t.rows)))),
            html.Table([html.Thead(html.Tr([html.Th(c.label or c.name) for c in t.columns])),
                        html.Tbody([html.Tr([html.Td(fmt_value(v, c.unit)) for v, c in zip(row, t.columns)])
                                    for row in shown])], className="plain")]))
    return html.Section(parts, className="result")


def _layout(explorer: Explorer, *, source: str, output: str, html: Any, dcc: Any) -> Any:
    first, last = explorer.period()
    activities = explorer.activities()
    attributes = explorer.attributes()
    acts = [{"label": a, "value": a} for a in activities]

    def box(title: str, *children: Any) -> Any:
        return html.Fieldset([html.Legend(title), *children])

    filters = html.Div([
        html.H2(_("Filters")),
        html.Div(id="filter-list"),
        html.Button(_("undo last filter"), id="undo"), html.Button(_("remove all filters"), id="clear"),
        html.Div(id="filter-error", className="error", role="alert"),
        box(_("Time frame"),
            dcc.Dropdown(id="time-kind", clearable=False, value="started", options=[
                {"label": _("tickets started in the period"), "value": "started"},
                {"label": _("tickets ended in the period"), "value": "ended"},
                {"label": _("tickets active in the period"), "value": "active"},
                {"label": _("tickets entirely in the period"), "value": "within"}]),
            dcc.Input(id="time-from", type="text", placeholder=first or "YYYY-MM-DD", debounce=False), " – ",
            dcc.Input(id="time-to", type="text", placeholder=last or "YYYY-MM-DD", debounce=False),
            html.Button(_("add"), id="add-time"),
            html.Div(_t("Dates as YYYY-MM-DD, whole days; leave one empty for an open end. The log runs from "
                        "%(first)s to %(last)s.", first=first or "–", last=last or "–"), className="muted")),
        box(_("Attribute"),
            dcc.Dropdown(id="attr-name", options=[{"label": column_role(a), "value": a} for a in attributes],
                         value=attributes[0] if attributes else None, clearable=False),
            dcc.Dropdown(id="attr-values", multi=True, placeholder=_("values")),
            dcc.Checklist(id="attr-negate", options=[{"label": _("leave these out instead"), "value": "not"}],
                          value=[]),
            html.Button(_("add"), id="add-attr")),
        box(_("Start and end"),
            html.Button(_("complete tickets only"), id="add-complete",
                        title=_("Tickets that ended inside the export and were registered inside it")),
            dcc.Dropdown(id="start-acts", options=acts, multi=True, placeholder=_("starts with")),
            dcc.Dropdown(id="end-acts", options=acts, multi=True, placeholder=_("ends with")),
            html.Button(_("add"), id="add-ends")),
        box(_("Throughput time (first to last event)"),
            dcc.Dropdown(id="tp-op", clearable=False, value=">", options=[
                {"label": _("longer than"), "value": ">"}, {"label": _("shorter than"), "value": "<"}]),
            dcc.Input(id="tp-n", type="number", min=0, placeholder="30"),
            dcc.Dropdown(id="tp-unit", clearable=False, value="d", options=[
                {"label": _("days"), "value": "d"}, {"label": _("hours"), "value": "h"},
                {"label": _("weeks"), "value": "w"}]),
            html.Button(_("add"), id="add-throughput")),
        box(_("Follower"),
            dcc.Dropdown(id="fol-a", options=acts, placeholder=_("activity A")),
            dcc.RadioItems(id="fol-how", value="eventually", inline=True, options=[
                {"label": _("eventually followed by"), "value": "eventually"},
                {"label": _("directly followed by"), "value": "directly"}]),
            dcc.Dropdown(id="fol-b", options=acts, placeholder=_("activity B")),
            html.Button(_("add"), id="add-follows")),
        box(_("Type a filter"),
            dcc.Input(id="filter-text", type="text", placeholder="throughput>30d", style={"width": "16rem"}),
            html.Button(_("add"), id="add-text"),
            html.Div(_("The same language as ssc-mining report --filter (see docs/explore.md)."),
                     className="muted")),
    ], className="filters")

    map_view = html.Div([
        html.Div([
            html.Label([_("Activities"), dcc.Slider(id="map-activities", min=0.1, max=1.0, step=0.05, value=1.0,
                                                    marks={0.1: "10 %", 0.5: "50 %", 1.0: "100 %"})]),
            html.Label([_("Arrows"), dcc.Slider(id="map-paths", min=0.1, max=1.0, step=0.05, value=0.9,
                                               marks={0.1: "10 %", 0.5: "50 %", 1.0: "100 %"})]),
            dcc.RadioItems(id="map-mode", value="frequency", inline=True, options=[
                {"label": _("Frequency (how often)"), "value": "frequency"},
                {"label": _("Median time"), "value": "performance"},
                {"label": _("Mean time"), "value": "mean"},
                {"label": _("Total time"), "value": "total"}]),
        ]),
        html.P(id="map-note", className="muted"),
        html.Iframe(id="map-frame", style={"width": "100%", "height": "75vh", "border": "1px solid #cfd6df"},
                    title=_("Process map")),
    ])
    cases_view = html.Div([
        dcc.RadioItems(id="case-order", value="first", inline=True, options=[
            {"label": _("in order of their first event"), "value": "first"},
            {"label": _("longest throughput time first"), "value": "longest"},
            {"label": _("most events first"), "value": "events"}]),
        html.P(id="case-note", className="muted"),
        html.Div(id="case-list", style={"maxHeight": "28rem", "overflowY": "auto"}),
        html.Div(id="timeline"),
    ])
    analysers = [a.name for a in explorer.analysers] or ["throughput"]
    views = dcc.Tabs(id="views", value="map", children=[
        dcc.Tab(label=_("Process map"), value="map", children=map_view),
        dcc.Tab(label=_("Paths"), value="variants", children=html.Div(id="variants")),
        dcc.Tab(label=_("Tickets"), value="tickets", children=cases_view),
        dcc.Tab(label=_("Analysers"), value="analysers", children=html.Div([
            html.P(_("Every analyser of the report, computed again for the selected tickets (this can take a "
                     "while on a large log).")),
            html.Button(_("compute for this selection"), id="run-analysers"),
            dcc.Loading(html.Div(id="analyser-results"))])),
        dcc.Tab(label=_("Comparison"), value="comparison", children=html.Div([
            html.P(_("The selected tickets against all other tickets of the log.")),
            dcc.Dropdown(id="compare-analyser", clearable=False,
                         value="throughput" if "throughput" in analysers else analysers[0],
                         options=[{"label": n, "value": n} for n in analysers if n != "comparison"]),
            html.Button(_("compare"), id="run-comparison"),
            dcc.Loading(html.Div(id="comparison-result"))])),
        dcc.Tab(label=_("Save as report"), value="save", children=html.Div([
            html.P(_("Write the report of the selected tickets: the same HTML and JSON files as ssc-mining report, "
                     "with the filters in the provenance.")),
            html.Label([_("folder"), " ", dcc.Input(id="save-folder", type="text", value=output)]), " ",
            html.Label([_("name (optional)"), " ", dcc.Input(id="save-name", type="text")]),
            html.Button(_("save as report"), id="save-report"),
            dcc.Loading(html.Div(id="save-result"))])),
    ])
    return html.Div([
        dcc.Store(id="filters", data=[]), dcc.Store(id="variant-filters", data=[]),
        html.Header([html.H1(_t("ssc_mining explorer: %(source)s", source=source)), html.Div(id="counts")]),
        html.Div([filters, html.Div(views, className="views")], className="layout"),
    ])


def attribute_options(explorer: Explorer, name: str | None) -> list[dict[str, str]]:
    """The values of an attribute as dropdown options, with their numbers of tickets."""
    if not name:
        return []
    return [{"label": f"{v} ({format_number(n)})", "value": v} for v, n in explorer.attribute_values(name)]
