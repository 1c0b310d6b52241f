"""The first page: the article's questions answered in plain sentences, from the analysers' results.

Each question lists, in order of preference, the analyser figures that can answer it (for handoffs:
reassignments between assignment groups, else handovers between the teams doing the work, else
between people); the first one this log could measure answers. When none could, the answer is
"not measured" with the reason the analyser gave — never a 0.

Example:
    >>> key_findings({"analysers": []})[0]["answer"] is None
    True
    >>> figures = {"analysers": [{"analyser": "handoffs", "status": "ok", "reason": "", "items": [
    ...     {"type": "metric", "key": "routing_handovers_mean", "value": None, "unit": "handovers",
    ...      "reason": "no assignment group"},
    ...     {"type": "metric", "key": "team_handovers_mean", "value": 2.25, "unit": "handovers", "reason": ""}]}]}
    >>> key_findings(figures)[0]["answer"]
    '2.2 handovers between teams per ticket (mean)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ssc_mining.analysers.toolkit import mean_text
from ssc_mining.i18n import N_, format_share
from ssc_mining.i18n import gettext as _


@dataclass(frozen=True)
class Source:
    """One figure that can answer a question, how to phrase the answer, and what it means."""

    analyser: str
    key: str
    answer: str   # with %(value)s
    meaning: str


#: question → the figures that can answer it, most preferred first
QUESTIONS: list[tuple[str, tuple[Source, ...]]] = [
    (N_("How many handoffs does a ticket see?"), (
        Source("handoffs", "routing_handovers_mean", N_("%(value)s reassignments to another group per ticket (mean)"),
               N_("A reassignment is a moment where the ticket moves to another assignment group, and knowledge can "
                  "get lost.")),
        Source("handoffs", "team_handovers_mean", N_("%(value)s handovers between teams per ticket (mean)"),
               N_("Each handover is a moment where work passes to another team, and knowledge can get lost.")),
        Source("handoffs", "person_handovers_mean", N_("%(value)s handovers between people per ticket (mean)"),
               N_("Each handover is a moment where work passes to another person, and knowledge can get lost.")))),
    (N_("How often does a ticket come back to a team it already left?"), (
        Source("handoffs", "routing_pingpong_share", N_("%(value)s of the tickets"),
               N_("Ping-pong: the ticket is assigned back to a group it already left, instead of being solved.")),
        Source("handoffs", "pingpong_share", N_("%(value)s of the tickets"),
               N_("Ping-pong: the ticket bounces between teams instead of being solved.")))),
    (N_("How often are tickets reopened?"), (
        Source("reopens", "reopened_share", N_("%(value)s of the tickets"),
               N_("A reopened ticket was closed before the problem was solved.")),)),
    (N_("How often is a request sent back to the requester?"), (
        Source("returns", "returned_share", N_("%(value)s of the requests"),
               N_("The requester has to correct the request and submit it again: the procedure starts over.")),)),
    (N_("How often is the same question asked again as a new ticket?"), (
        Source("reopens", "same_question_share", N_("%(value)s of the tickets"),
               N_("The real time to a solution is then the whole chain of tickets, not one ticket.")),)),
    (N_("How long does it take before a ticket is resolved?"), (
        Source("throughput", "median_days_to_resolution", N_("%(value)s days (median)"),
               N_("From the first event to the resolution, for complete tickets.")),
        Source("throughput", "median_days", N_("%(value)s days from first to last event (median)"),
               N_("For complete tickets.")))),
    (N_("How much of that time do tickets wait?"), (
        Source("waiting", "waiting_share", N_("%(value)s of the time"),
               N_("Time on hold: waiting for the requester, a supplier or another party.")),)),
    (N_("How often is a need missed while the SLA is met?"), (
        Source("deliveries", "watermelon_share", N_("%(value)s of the tickets with a need-by date"),
               N_("Green on the SLA report, red for the person who needed it on time.")),)),
    (N_("How standard is the work?"), (
        Source("variants", "top_share", N_("%(value)s of the tickets"),
               N_("The share of tickets that follow one of the ten most common paths.")),)),
    (N_("How much of the work is coordination?"), (
        Source("coordination", "coordination_event_share", N_("%(value)s of the events"),
               N_("Intake, assignment, forwarding, status questions, escalations and updates: work about work.")),)),
]


def _metric(figures: dict[str, Any], analyser: str, key: str) -> tuple[dict[str, Any] | None, str]:
    for result in figures.get("analysers", []):
        if result["analyser"] != analyser:
            continue
        if result["status"] != "ok":
            return None, result["reason"]
        for item in result["items"]:
            if item["type"] == "metric" and item["key"] == key:
                if item["value"] is None:
                    return None, item.get("reason") or _("the analysis gave no such figure for this data")
                return item, ""
        return None, _("the analysis gave no such figure for this data")
    return None, _("this analysis was not run")


def _format(value: float, unit: str) -> str:
    """Shares as percentages; small numbers with enough decimals to stay non-zero (0.002, not 0.0)."""
    if unit == "share":
        return format_share(value, 1 if value == 0 or abs(value) >= 0.001 else 2)
    return mean_text(value)


def key_findings(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per question: question, answer (or None), meaning, link anchor, reason when not measured."""
    out = []
    for question, sources in QUESTIONS:
        answer, meaning, anchor, first_reason = None, "", "", ""
        for source in sources:
            metric, why = _metric(figures, source.analyser, source.key)
            first_reason = first_reason or why
            if metric is not None:
                answer = _(source.answer) % {"value": _format(metric["value"], metric.get("unit", ""))}
                meaning, anchor = _(source.meaning), f"analyser-{source.analyser.replace('_', '-')}"
                break
        if not anchor:
            anchor = f"analyser-{sources[0].analyser.replace('_', '-')}"
        out.append({"question": _(question), "answer": answer, "meaning": meaning, "anchor": anchor,
                    "missing": _("Not measured: %(why)s") % {"why": first_reason}})
    return out
