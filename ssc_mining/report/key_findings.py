"""The first page: the article's questions answered in plain sentences, from the analysers' results.

Each question names the analyser and metric that answer it. A question whose
analyser did not run (or lacks the data) says so instead of guessing.

Example:
    >>> key_findings({"analysers": []})[0]["answer"] is None
    True
"""

from __future__ import annotations

from typing import Any

from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import N_
from ssc_mining.i18n import gettext as _

#: (question, analyser, metric key, unit, what it means)
QUESTIONS: list[tuple[str, str, str, str, str]] = [
    (N_("How many handoffs does a ticket see?"), "handoffs", "team_handovers_mean", "number",
     N_("Each handoff is a moment where work passes to another team, and knowledge can get lost.")),
    (N_("How often does a ticket come back to a team it already left?"), "handoffs", "pingpong_share", "share",
     N_("Ping-pong: the ticket bounces between teams instead of being solved.")),
    (N_("How often are tickets reopened?"), "reopens", "reopened_share", "share",
     N_("A reopened ticket was closed before the problem was solved.")),
    (N_("How often is the same question asked again as a new ticket?"), "reopens", "chain_tickets_share", "share",
     N_("The real time to a solution is then the whole chain of tickets, not one ticket.")),
    (N_("How often is a need missed while the SLA is met?"), "deliveries", "watermelon_share", "share",
     N_("Green on the SLA report, red for the person who needed it on time.")),
    (N_("How standard is the work?"), "variants", "top_share", "share",
     N_("The share of tickets that follow one of the ten most common paths.")),
    (N_("How much of the work is coordination?"), "coordination", "coordination_event_share", "share",
     N_("Intake, forwarding, status questions and escalations: work about work.")),
]


def _metric(figures: dict[str, Any], analyser: str, key: str) -> tuple[dict[str, Any] | None, str]:
    for result in figures.get("analysers", []):
        if result["analyser"] != analyser:
            continue
        if result["status"] != "ok":
            return None, result["reason"]
        for item in result["items"]:
            if item["type"] == "metric" and item["key"] == key:
                return item, ""
        return None, _("the analysis gave no such figure for this data")
    return None, _("this analysis was not run")


def key_findings(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per question: question, answer (or None), meaning, link anchor, reason when missing."""
    out = []
    for question, analyser, key, unit, meaning in QUESTIONS:
        metric, missing = _metric(figures, analyser, key)
        answer = None
        if metric is not None and metric["value"] is not None:
            answer = format_share(metric["value"]) if unit == "share" else format_number(metric["value"], 1)
        out.append({"question": _(question), "answer": answer, "meaning": _(meaning),
                    "anchor": f"analyser-{analyser.replace('_', '-')}",
                    "missing": _("Not measured: %(why)s") % {"why": missing}})
    return out
