"""The first page: the article's questions answered in plain sentences, the article's stories as named
findings, and what the report cannot show — all read from the analysers' results (the JSON figures).

Each question lists, in order of preference, the analyser figures that can answer it (for handoffs:
reassignments between assignment groups, else changes between the SSC's own teams, else handovers
between the teams doing the work, else between people); the first one this log could measure
answers, in a sentence with its unit and its base ("of the 400 tickets"). When none could, the
answer is "not measured" with the reason the analyser gave — never a 0 — and the question goes into
the "cannot show" box.

The page never names a column, option or parameter: those belong in the sections further down.

Example:
    >>> page = first_page({"analysers": []})
    >>> page["answers"][0]["answer"] is None, len(page["stories"])
    (True, 0)
    >>> figures = {"analysers": [{"analyser": "handoffs", "status": "ok", "reason": "", "items": [
    ...     {"type": "metric", "key": "routing_handovers_mean", "value": None, "unit": "handovers",
    ...      "reason": "no assignment group"},
    ...     {"type": "metric", "key": "team_handovers_mean", "value": 2.25, "unit": "handovers", "reason": "",
    ...      "base": 400}]}]}
    >>> first_page(figures)["answers"][0]["answer"]
    'The work passed from one team to another 2.2 times per ticket on average (the mean of the 400 tickets).'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ssc_mining.analysers.toolkit import mean_text
from ssc_mining.i18n import N_, format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _


@dataclass(frozen=True)
class Source:
    """One figure that can answer a question: the answer's sentence (singular and plural of the base,
    with ``%(value)s`` and ``%(base)s``) and what the figure means for the reader."""

    analyser: str
    key: str
    one: str
    many: str
    meaning: str


#: question → the figures that can answer it, most preferred first
QUESTIONS: list[tuple[str, tuple[Source, ...]]] = [
    (N_("How often does a ticket pass to another team?"), (
        Source("handoffs", "routing_handovers_mean",
               N_("A ticket moved to another assignment group %(value)s times on average (the mean of %(base)s "
                  "ticket)."),
               N_("A ticket moved to another assignment group %(value)s times on average (the mean of the %(base)s "
                  "tickets)."),
               N_("Each move is a moment where the ticket goes to another group, and knowledge can get lost.")),
        Source("handoffs", "service_team_changes_mean",
               N_("The work moved from one of the SSC's teams to another %(value)s times per ticket on average (the "
                  "mean of %(base)s ticket; steps by the requester's own organisation do not count)."),
               N_("The work moved from one of the SSC's teams to another %(value)s times per ticket on average (the "
                  "mean of the %(base)s tickets; steps by the requester's own organisation do not count)."),
               N_("Each move is a moment where the work goes to another team, and knowledge can get lost.")),
        Source("handoffs", "team_handovers_mean",
               N_("The work passed from one team to another %(value)s times per ticket on average (the mean of "
                  "%(base)s ticket)."),
               N_("The work passed from one team to another %(value)s times per ticket on average (the mean of the "
                  "%(base)s tickets)."),
               N_("Each handover is a moment where the work goes to another team, and knowledge can get lost.")),
        Source("handoffs", "person_handovers_mean",
               N_("The work passed from one person to another %(value)s times per ticket on average (the mean of "
                  "%(base)s ticket)."),
               N_("The work passed from one person to another %(value)s times per ticket on average (the mean of "
                  "the %(base)s tickets)."),
               N_("Each handover is a moment where the work goes to someone else, and knowledge can get lost.")))),
    (N_("How often does a ticket come back to a team it already left?"), (
        Source("handoffs", "routing_pingpong_share",
               N_("%(value)s of %(base)s ticket went back to a group it had already left."),
               N_("%(value)s of the %(base)s tickets went back to a group they had already left."),
               N_("Ping-pong: the ticket is passed back and forth instead of being solved.")),
        Source("handoffs", "pingpong_share",
               N_("%(value)s of %(base)s ticket came back to a team it had already left."),
               N_("%(value)s of the %(base)s tickets came back to a team they had already left."),
               N_("Ping-pong: the ticket is passed back and forth instead of being solved.")))),
    (N_("How often is a ticket reopened?"), (
        Source("reopens", "reopened_share",
               N_("%(value)s of %(base)s ticket was reopened after it had been solved or closed."),
               N_("%(value)s of the %(base)s tickets were reopened after they had been solved or closed."),
               N_("A reopened ticket was closed before the problem was really solved.")),)),
    (N_("How often is a request sent back to the requester?"), (
        Source("returns", "returned_share",
               N_("%(value)s of %(base)s request was sent back and then submitted again."),
               N_("%(value)s of the %(base)s requests were sent back and then submitted again."),
               N_("The requester has to correct the request and submit it again: the procedure starts over.")),)),
    (N_("How often is the same question asked again in a new ticket?"), (
        Source("reopens", "same_question_share",
               N_("%(value)s of %(base)s ticket belongs to a question that was asked again in a new ticket."),
               N_("%(value)s of the %(base)s tickets belong to a question that was asked again in a new ticket."),
               N_("The real time to an answer is then the whole chain of tickets, not one ticket.")),)),
    (N_("How long does it take before a ticket is solved?"), (
        Source("throughput", "median_days_to_resolution",
               N_("Half of the %(base)s solved ticket was solved within %(value)s days."),
               N_("Half of the %(base)s solved tickets were solved within %(value)s days."),
               N_("Counted from the first step of the ticket to the moment it was solved.")),
        Source("throughput", "median_days",
               N_("Half of the %(base)s complete ticket took at most %(value)s days from its first to its last "
                  "step."),
               N_("Half of the %(base)s complete tickets took at most %(value)s days from their first to their last "
                  "step."),
               N_("This export does not say when a ticket was solved, so this is the time until its last step.")))),
    (N_("How much of that time does a ticket wait?"), (
        Source("waiting", "waiting_share",
               N_("%(value)s of the time of %(base)s ticket was spent on hold."),
               N_("%(value)s of the time of the %(base)s tickets together was spent on hold."),
               N_("On hold: waiting for the requester, a supplier or another party.")),)),
    (N_("How often is the SLA met while the requester's need is missed?"), (
        Source("deliveries", "watermelon_share",
               N_("%(value)s of %(base)s ticket with a need-by date met the SLA but was delivered after that "
                  "date."),
               N_("%(value)s of the %(base)s tickets with a need-by date met the SLA but were delivered after that "
                  "date."),
               N_("Green on the SLA report, red for the person who needed it on time.")),)),
    (N_("How standard is the work?"), (
        Source("standardisation", "standard_share",
               N_("%(value)s of %(base)s ticket followed the standard path."),
               N_("%(value)s of the %(base)s tickets followed the standard path."),
               N_("The standard path is the most common way a ticket is solved.")),
        Source("variants", "top_share",
               N_("%(value)s of %(base)s ticket followed one of the ten most common paths."),
               N_("%(value)s of the %(base)s tickets followed one of the ten most common paths."),
               N_("A path is the order of steps a ticket went through.")))),
    (N_("How much of the work is coordination?"), (
        Source("coordination", "coordination_event_share",
               N_("%(value)s of the steps of %(base)s ticket were coordination, not work that solves the question."),
               N_("%(value)s of the steps of the %(base)s tickets were coordination, not work that solves the "
                  "question."),
               N_("Coordination: intake, assigning, passing on, escalating, status questions and updates.")),)),
]

#: the reason given when none of a question's figures could be measured and they have different reasons
NONE_MEASURED = {
    "routing_handovers_mean": N_("the export does not say which group, team or person handled each step"),
    "routing_pingpong_share": N_("the export does not say which group or team handled each step"),
}

#: what no ticket export can show, whatever the data
ALWAYS_MISSING = (
    N_("How much working time a ticket took: the export records moments, not effort."),
    N_("Work outside the ticket system: calls, e-mails and conversations that were not recorded."),
    N_("Whether the answer was right and the requester satisfied; only reopened and repeated questions hint at it."),
    N_("What individual employees do: this report is about the process, never about people."),
)


def _slug(text: str) -> str:
    """The same ids as the result sections (``results_html``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _result(figures: dict[str, Any], analyser: str) -> dict[str, Any] | None:
    return next((r for r in figures.get("analysers", []) if r["analyser"] == analyser), None)


def _metric(figures: dict[str, Any], analyser: str, key: str) -> tuple[dict[str, Any] | None, str]:
    """The measured metric, or None and why not."""
    result = _result(figures, analyser)
    if result is None:
        return None, _("this analysis was not run")
    if result["status"] != "ok":
        return None, result.get("reason") or _("this analysis could not be done on this data")
    for item in result["items"]:
        if item["type"] == "metric" and item["key"] == key:
            if item["value"] is None:
                return None, item.get("reason") or _("the analysis gave no such figure for this data")
            return item, ""
    return None, _("the analysis gave no such figure for this data")


def _value(figures: dict[str, Any], analyser: str, key: str) -> float | None:
    metric, _why = _metric(figures, analyser, key)
    return None if metric is None else metric["value"]


def _anchor(analyser: str, key: str | None = None) -> str:
    """The id of an analyser's section, or of one metric in it (where its definition is shown)."""
    section = f"analyser-{_slug(analyser)}"
    return f"{section}-{_slug(key)}" if key else section


def _format(value: float, unit: str) -> str:
    """Shares as percentages (small ones with enough decimals to stay non-zero), days with one decimal, means
    with one decimal (more when that would hide a non-zero value)."""
    if unit == "share":
        return format_share(value, 1 if value == 0 or abs(value) >= 0.001 else 2)
    if unit == "days":
        return format_number(value, 1)
    return mean_text(value)


def _count_of(metric: dict[str, Any]) -> int:
    """The number of cases behind a share: share × base (the share is rounded to 4 decimals or finer)."""
    return int(round(metric["value"] * metric["base"]))


def answers(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per question: question, answer sentence (or None), meaning, link to the figure's definition,
    and why it is not measured."""
    out = []
    for question, sources in QUESTIONS:
        entry: dict[str, Any] = {"question": _(question), "answer": None, "meaning": "",
                                 "anchor": _anchor(sources[0].analyser), "missing": ""}
        reasons = []
        for source in sources:
            metric, why = _metric(figures, source.analyser, source.key)
            reasons.append(why)
            if metric is None:
                continue
            base = metric.get("base")
            if base is None:
                continue   # a figure without its base is not put on the first page
            meaning = _(source.meaning)
            if source.key == "standard_share" and metric.get("description"):
                meaning = _("The standard path is %(chosen)s.") % {"chosen": metric["description"]}
            entry.update(answer=ngettext(source.one, source.many, base)
                         % {"value": _format(metric["value"], metric.get("unit", "")), "base": format_number(base)},
                         meaning=meaning, anchor=_anchor(source.analyser, source.key), base=base)
            break
        if entry["answer"] is None:
            distinct = {r for r in reasons if r}
            why = (_(NONE_MEASURED[sources[0].key]) if len(distinct) > 1 and sources[0].key in NONE_MEASURED
                   else next(iter(r for r in reasons if r), ""))
            entry["missing"] = _("Not measured: %(why)s.") % {"why": why.rstrip(".")}
        out.append(entry)
    return out


# --- the article's stories ----------------------------------------------------------------------------

def _story_longest(figures: dict[str, Any]) -> dict[str, Any] | None:
    """The salary correction: the longest road to an answer — a chain of tickets, else the longest ticket."""
    days = _value(figures, "reopens", "longest_chain_days")
    if days is not None:
        tickets = int(_value(figures, "reopens", "longest_chain_tickets") or 0)
        first = _value(figures, "reopens", "longest_chain_first_ticket_days")
        people = _value(figures, "reopens", "longest_chain_people")
        text = ngettext("One question took %(days)s days from its first ticket to its last, over %(tickets)s ticket.",
                        "One question took %(days)s days from its first ticket to its last, over %(tickets)s "
                        "tickets.", tickets) % {"days": format_number(days, 0), "tickets": format_number(tickets)}
        if people:
            text += " " + ngettext("%(n)s person worked on it.", "%(n)s different people worked on it.",
                                   int(people)) % {"n": format_number(people)}
        if first is not None:
            text += " " + _("The ticket system shows only the first ticket: %(first)s days.") % {
                "first": format_number(first, 0)}
        return {"title": _("The longest road to an answer"), "text": text,
                "anchor": _anchor("reopens", "longest_chain_days"),
                "note": _("Like the salary correction in the article that passed many hands over six months.")}
    longest = _value(figures, "throughput", "max_days")
    metric, _why = _metric(figures, "throughput", "max_days")
    if longest is None or metric is None:
        return None
    text = ngettext("The longest of the %(n)s complete ticket took %(days)s days from its first to its last step.",
                    "The longest of the %(n)s complete tickets took %(days)s days from its first to its last step.",
                    metric.get("base") or 0) % {"n": format_number(metric.get("base") or 0),
                                                "days": format_number(longest, 0)}
    return {"title": _("The longest road to an answer"), "text": text, "anchor": _anchor("throughput", "max_days"),
            "note": _("Like the salary correction in the article that passed many hands over six months. This export "
                      "links no tickets about the same question, so the longest single ticket is shown.")}


def _story_christmas_tree(figures: dict[str, Any]) -> dict[str, Any] | None:
    """The Christmas tree: of the tickets with a need-by date, on time, asked too late, SSC too slow."""
    late, _why = _metric(figures, "deliveries", "late_share")
    if late is None or not late.get("base"):
        return None
    base = int(late["base"])
    too_late, _w1 = _metric(figures, "deliveries", "asked_too_late_share")
    too_slow, _w2 = _metric(figures, "deliveries", "ssc_too_slow_share")
    on_time = _value(figures, "deliveries", "on_time")
    open_late = _value(figures, "deliveries", "open_late")
    parts = {"base": format_number(base), "on_time": format_number(on_time or 0),
             "asked": format_number(_count_of(too_late) if too_late else 0),
             "slow": format_number(_count_of(too_slow) if too_slow else 0)}
    text = ngettext("Of the %(base)s ticket with a date by which it was needed: %(on_time)s on time, %(asked)s late "
                    "because it was asked with less time than the SSC normally needs, %(slow)s late although there "
                    "was enough time.",
                    "Of the %(base)s tickets with a date by which they were needed: %(on_time)s on time, %(asked)s "
                    "late because they were asked with less time than the SSC normally needs, %(slow)s late although "
                    "there was enough time.", base) % parts
    if open_late:
        text += " " + ngettext("%(n)s is still open and past its date.", "%(n)s are still open and past their date.",
                               int(open_late)) % {"n": format_number(open_late)}
    watermelon = _value(figures, "deliveries", "watermelon")
    if watermelon:
        text += " " + ngettext("%(n)s of the late tickets met the SLA all the same.",
                               "%(n)s of the late tickets met the SLA all the same.",
                               int(watermelon)) % {"n": format_number(watermelon)}
    return {"title": _("Needed on time?"), "text": text, "anchor": _anchor("deliveries", "late_share"),
            "note": _("Like the Christmas tree in the article, delivered by the book a week after Christmas: asked "
                      "too late, or the SSC too slow?")}


def _story_waiting(figures: dict[str, Any]) -> dict[str, Any] | None:
    share, _why = _metric(figures, "waiting", "waiting_share")
    if share is None:
        return None
    waited, _w = _metric(figures, "waiting", "cases_waited")
    longest = _value(figures, "waiting", "max_wait_hours")
    base = int(share.get("base") or 0)
    text = ngettext("%(n)s of the %(base)s ticket waited on hold at least once; together, tickets were on hold "
                    "%(share)s of their time.",
                    "%(n)s of the %(base)s tickets waited on hold at least once; together, tickets were on hold "
                    "%(share)s of their time.", base) % {
        "n": format_number(waited["value"] if waited else 0), "base": format_number(base),
        "share": format_share(share["value"])}
    if longest:
        text += " " + _("The longest single wait lasted %(days)s days.") % {"days": format_number(longest / 24, 1)}
    return {"title": _("Waiting"), "text": text, "anchor": _anchor("waiting", "waiting_share"),
            "note": _("Waiting for the requester, a supplier or another party: time in which nobody works on the "
                      "question.")}


def _story_time(figures: dict[str, Any]) -> dict[str, Any] | None:
    closed, _why = _metric(figures, "throughput", "median_days")
    if closed is None:
        return None
    solved = _value(figures, "throughput", "median_days_to_resolution")
    p90 = _value(figures, "throughput", "p90_days")
    longest = _value(figures, "throughput", "max_days")
    base = int(closed.get("base") or 0)
    values = {"base": format_number(base), "solved": format_number(solved, 1),
              "closed": format_number(closed["value"], 1), "p90": format_number(p90, 1),
              "max": format_number(longest, 0)}
    if solved is not None:
        text = ngettext("Half of the %(base)s complete ticket was solved within %(solved)s days and finished (its "
                        "last step) within %(closed)s days.",
                        "Half of the %(base)s complete tickets were solved within %(solved)s days and finished (their "
                        "last step) within %(closed)s days.", base) % values
    else:
        text = ngettext("Half of the %(base)s complete ticket was finished (its last step) within %(closed)s days.",
                        "Half of the %(base)s complete tickets were finished (their last step) within %(closed)s "
                        "days.", base) % values
    text += " " + _("Nine in ten were finished within %(p90)s days; the longest took %(max)s days.") % values
    return {"title": _("Time to an answer"), "text": text, "anchor": _anchor("throughput", "median_days"),
            "note": _("Solved is when the answer was given; finished is the last step, often an automatic closing "
                      "days later.")}


def stories(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The article's stories told with this log's figures (those the log can tell)."""
    found = (_story_longest(figures), _story_christmas_tree(figures), _story_waiting(figures), _story_time(figures))
    return [s for s in found if s is not None]


def cannot_show(entries: list[dict[str, Any]]) -> list[str]:
    """What this report cannot show: the questions this export could not answer, and what no export shows."""
    missing = [e["question"] for e in entries if e["answer"] is None]
    lines = [_("This export cannot answer: %(questions)s (see above why).") % {"questions": " ".join(missing)}] \
        if missing else []
    return lines + [_(text) for text in ALWAYS_MISSING]


def first_page(figures: dict[str, Any]) -> dict[str, Any]:
    """Everything the first page shows: ``answers``, ``stories`` and ``cannot_show``."""
    entries = answers(figures)
    return {"answers": entries, "stories": stories(figures), "cannot_show": cannot_show(entries)}


def key_findings(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers alone (kept for callers of the first edition)."""
    return answers(figures)
