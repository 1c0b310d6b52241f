"""Compute the figures of the first report from an event log, as plain data.

The same dictionary feeds the HTML template and the JSON file, so both always
show the same figures.

Example:
    >>> from ssc_mining.loaders import load
    >>> figures = compute_figures(load("data/samples/generic-events.csv"))  # doctest: +SKIP
    >>> sorted(figures)                                                    # doctest: +SKIP
    ['overview', 'process_map', 'provenance', 'quality', 'quarantine', 'throughput', 'variants']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ssc_mining.discovery import case_durations, directly_follows, overview, variants
from ssc_mining.eventlog.log import EventLog
from ssc_mining.quality import run_checks
from ssc_mining.report.process_map import MapSettings, filter_dfg, render_svg

SCHEMA = "ssc_mining.report/1"


def _round(value: float) -> float:
    return round(float(value), 4)


def compute_figures(log: EventLog, *, map_settings: MapSettings | None = None,
                    as_of: pd.Timestamp | None = None, top_variants: int = 10) -> dict[str, Any]:
    """All figures of the report, JSON-ready and deterministic."""
    dfg = directly_follows(log)
    shown, map_note = filter_dfg(dfg, map_settings or MapSettings())
    durations = case_durations(log)
    var = variants(log)
    quantiles = {f"p{int(q * 100)}": _round(durations.quantile(q)) for q in (0.1, 0.25, 0.5, 0.75, 0.9)} \
        if len(durations) else {}
    q = log.quarantine
    return {
        "schema": SCHEMA,
        "overview": overview(log).to_dict(),
        "process_map": {
            "note": map_note,
            "nodes": [{"activity": a, "events": int(e), "cases": int(c)}
                      for a, e, c in shown.nodes[["activity", "events", "cases"]].itertuples(index=False)],
            "edges": [{"source": s, "target": t, "events": int(e), "cases": int(c),
                       "median_seconds": _round(m), "mean_seconds": _round(mean)}
                      for s, t, e, c, m, mean in shown.edges[["source", "target", "events", "cases",
                                                              "median_seconds", "mean_seconds"]]
                      .itertuples(index=False)],
            "starts": {str(k): int(v) for k, v in shown.starts.items()},
            "ends": {str(k): int(v) for k, v in shown.ends.items()},
            "svg": render_svg(shown, title="Directly-follows process map"),
        },
        "throughput": {
            "unit": "days",
            "cases": int(len(durations)),
            "mean": _round(durations.mean()) if len(durations) else None,
            "quantiles": quantiles,
            "values": [_round(v) for v in durations.sort_values(kind="stable")],
        },
        "variants": {
            "count": int(len(var)),
            "top": [{"variant": name, "cases": int(n), "share": _round(n / max(log.n_cases, 1))}
                    for name, n in var.head(top_variants).items()],
            "top_share": _round(var.head(top_variants).sum() / max(log.n_cases, 1)) if len(var) else 0.0,
        },
        "quality": [f.to_dict() for f in run_checks(log, as_of=as_of)],
        "quarantine": {
            "rows": int(len(q)),
            "examples": [{"source_row": int(r), "reason": str(why)}
                         for r, why in q[["source_row", "reason"]].head(20).itertuples(index=False)],
        },
        "provenance": log.provenance.to_dict(),
    }
