"""Returns to the requester: the SSC sends a request back and the requester has to submit it again.

This is the article's "Answer not right? Feel free to ask a new question": the request is rejected,
returned for correction or sent back for more information, and the requester starts over.

Definitions (events of a case in log order; roles from :mod:`ssc_mining.semantics`):

* a **return** is an event with the role *return* (rejected, declined, sent back, returned for
  correction) that is followed, later in the same case, by a new **submission** (an event with the
  role *register*). Its **cost** is the calendar time from the return to that submission.
* a **final rejection** is a return-role event with no submission after it: the request ended there.
* **who returned it**: the role (``org:role``) of the returning event, else its team, else its
  assignment group; never a person.

Returns are "not measured" when nothing in the log means sending a request back, and the cost is
not measured when nothing means submitting.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1"] * 4 + ["2"] * 2,
    ...     "concept:name": ["Submitted", "Rejected", "Submitted", "Approved", "Submitted", "Rejected"],
    ...     "org:role": ["EMPLOYEE", "ADMINISTRATION", "EMPLOYEE", "SUPERVISOR", "EMPLOYEE", "SUPERVISOR"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05", "2024-01-06",
    ...                                       "2024-01-01", "2024-01-03"], utc=True)}))
    >>> r = Returns().analyse(log)
    >>> r.item("returned_share").value, r.item("returns").value, r.item("return_days_median").value
    (0.5, 1, 3.0)
    >>> r.item("final_rejections").value
    1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser, top_cases
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Finding, Item, Metric, Result, Table
from ssc_mining.results.items import MetricBasis
from ssc_mining.semantics.roles import Role


def return_events(log: EventLog) -> pd.DataFrame:
    """One row per return-role event: ``case`` (id), ``position``, ``returned`` and ``resubmitted`` (times;
    NaT when no submission followed), ``days`` (cost), ``by`` (role, team or group of the returning event)."""
    frame, index, m = log.frame, log.cases, log.markers
    ret = m.has(Role.RETURN)
    submit = m.has(Role.REGISTER)
    pos = np.flatnonzero(ret)
    n = len(frame)
    # the first submission at or after each event, within its case
    big = np.iinfo(np.int64).max
    nxt = np.minimum.accumulate(np.where(submit, np.arange(n), big)[::-1])[::-1] if n else np.zeros(0, dtype=np.int64)
    after = np.where(pos + 1 < n, nxt[np.minimum(pos + 1, max(n - 1, 0))], big) if len(pos) else pos
    found = after <= index.last[index.codes[pos]] if len(pos) else np.zeros(0, dtype=bool)
    times = frame[C.TIMESTAMP].reset_index(drop=True)
    returned = times.iloc[pos].reset_index(drop=True)
    resubmitted = times.iloc[np.where(found, after, pos)].reset_index(drop=True).where(pd.Series(found, dtype=bool))
    by = None
    for column in (C.ROLE, C.TEAM, C.ASSIGNED_GROUP):
        if log.has(column):
            by = frame[column].to_numpy()[pos]
            break
    out = pd.DataFrame({"case": np.asarray(index.ids, dtype=object)[index.codes[pos]], "position": pos,
                        "returned": returned, "resubmitted": resubmitted, "by": by if by is not None else None})
    out["days"] = (out["resubmitted"] - out["returned"]).dt.total_seconds() / 86_400
    return out


@dataclass(frozen=True)
class _Part:
    """A partition's share of the returns: its returns followed by a new submission, and counts."""

    back: pd.DataFrame    #: per return followed by a new submission: order (its ticket's), days, by
    per_case: pd.Series   #: per ticket sent back at least once (index: id): returns followed by a new submission
    final: pd.Series      #: final rejections per ``by`` (a missing ``by`` as "–")
    n_final: int          #: final rejections
    by: bool              #: some return-role event has a role, team or group


@dataclass(frozen=True, kw_only=True)
class Returns(Analyser):
    """Requests sent back to the requester and submitted again: how often, how much time each cost, by whom."""

    name = "returns"
    title = {"en": "Returned to the requester", "nl": "Teruggestuurd naar de aanvrager"}
    description = {"en": "How often the SSC sends a request back (rejected, returned for correction) so that the "
                         "requester has to submit it again, and how much time each return costs.",
                   "nl": "Hoe vaak het SSC een aanvraag terugstuurt (afgewezen, terug voor correctie), zodat de "
                         "aanvrager die opnieuw moet indienen, en hoeveel tijd elke keer kost."}
    uses = (C.ROLE, C.TEAM, C.ASSIGNED_GROUP)
    definitions = {
        "cases": N_("the requests (tickets) in the export"),
        "returned_share": N_("requests rejected or sent back for correction at least once and then submitted again, "
                             "out of all requests"),
        "returns": N_("times a request was sent back and later submitted again in the same ticket"),
        "returns_per_returned_case": N_("returns per request that was sent back at least once, on average"),
        "return_days_median": N_("half of the returns cost at most this long, from the return to the new "
                                 "submission"),
        "return_days_p90": N_("nine in ten returns cost at most this long, from the return to the new submission"),
        "return_days_max": N_("the longest time one return cost, from the return to the new submission"),
        "return_days_total": N_("the time from return to new submission, added up over all returns"),
        "final_rejections": N_("requests sent back or rejected with no new submission after it: the request "
                               "ended there"),
    }

    #: rows in the table of who returned requests
    max_groups: int = 15

    def analyse(self, log: EventLog) -> Result:
        return self.combine([self.partial(log)], LogFacts.of(log))

    def partial(self, log: EventLog) -> _Part:
        events = return_events(log)
        again = events["resubmitted"].notna()
        back, final = events[again], events[~again]
        order = case_order(log)[log.cases.codes[back["position"].to_numpy()]]
        return _Part(back=pd.DataFrame({"order": order, "days": back["days"].to_numpy(), "by": back["by"].to_numpy()}),
                     per_case=back.groupby("case").size(),
                     final=final["by"].astype(object).fillna("–").value_counts(sort=False),
                     n_final=int(len(final)), by=bool(events["by"].notna().any()))

    def combine(self, parts: Sequence[_Part], facts: LogFacts) -> Result:
        n = facts.cases
        labels = {"returned_share": _("Share of requests sent back and submitted again"),
                  "returns": _("Returns followed by a new submission"),
                  "return_days_median": _("Median time a return cost"),
                  "final_rejections": _("Requests rejected for good (no new submission)")}
        why = (_("nothing in this export means sending a request back (rejected, returned for correction)")
               if Role.RETURN not in facts.roles_present else
               _("nothing in this export means submitting a request, so a new submission after a return cannot "
                 "be seen") if Role.REGISTER not in facts.roles_present else "")
        if why:
            return self.result(summary=_("Returns are not measured: %(why)s.") % {"why": why},
                               items=[Metric("cases", _("Tickets"), n, unit="cases")]
                               + [Metric.not_measured(k, label, why, unit="share" if k.endswith("share") else "")
                                  for k, label in labels.items()])
        if len(parts) == 1:
            back, per_case, finals = parts[0].back, parts[0].per_case, parts[0].final
        else:
            back = pd.concat([p.back for p in parts if len(p.back)] or [parts[0].back])
            back = in_log_order(back, back["order"].to_numpy())
            per_case = pd.concat([p.per_case for p in parts]).sort_index()
            finals = pd.concat([p.final for p in parts]).groupby(level=0).sum()
        n_final = sum(p.n_final for p in parts)
        share = len(per_case) / n if n else None
        based_on = ngettext("%(n)s request", "%(n)s requests", n) % {"n": format_number(n)}
        # figures about the returns rest on the requests that were sent back
        on_returns: MetricBasis = {
            "base": int(len(per_case)),
            "based_on": (ngettext("%(n)s return", "%(n)s returns", len(back)) % {"n": format_number(len(back))}
                         + " " + ngettext("in %(n)s request", "in %(n)s requests", len(per_case))
                         % {"n": format_number(len(per_case))})}
        items: list[Item] = [
            Metric("cases", _("Tickets"), n, unit="cases"),
            Metric(
                "returned_share", labels["returned_share"], round(share, 6) if share is not None else None,
                unit="share", based_on=based_on),
            Metric("returns", labels["returns"], int(len(back)), unit="returns"),
            Metric("returns_per_returned_case", _("Returns per request sent back (mean)"),
                   round(float(per_case.mean()), 4) if len(per_case) else None, unit="returns", **on_returns,
                   reason="" if len(per_case) else _("no request was sent back and submitted again")),
            Metric("return_days_median", labels["return_days_median"],
                   round(float(back["days"].median()), 6) if len(back) else None, unit="days", **on_returns,
                   reason="" if len(back) else _("no request was sent back and submitted again")),
            Metric("return_days_p90", _("Nine in ten returns cost at most"),
                   round(float(back["days"].quantile(0.9)), 6) if len(back) else None, unit="days", **on_returns,
                   reason="" if len(back) else _("no request was sent back and submitted again")),
            Metric("return_days_max", _("Longest time one return cost"),
                   round(float(back["days"].max()), 6) if len(back) else None, unit="days", **on_returns,
                   reason="" if len(back) else _("no request was sent back and submitted again")),
            Metric("return_days_total", _("Time lost to returns in all"), round(float(back["days"].sum()), 4),
                   unit="days", **on_returns),
            Metric("final_rejections", labels["final_rejections"], n_final, unit="requests"),
        ]
        if any(p.by for p in parts):
            grouped = back.assign(by=back["by"].astype(object).fillna("–")).groupby("by", sort=True)["days"]
            table = pd.DataFrame({"returns": grouped.size(), "final": finals, "median_days": grouped.median()})
            table[["returns", "final"]] = table[["returns", "final"]].fillna(0).astype("int64")
            table = (table.rename_axis("by").reset_index()
                     .sort_values(["returns", "by"], ascending=[False, True], kind="stable").head(self.max_groups))
            table["median_days"] = table["median_days"].round(2)
            items.append(Table.from_frame(
                "by_who", _("Who sent requests back"), table,
                labels={"by": _("returned by (role or team)"), "returns": _("returns, submitted again"),
                        "final": _("rejected for good"), "median_days": _("median cost (days)")},
                units={"median_days": "days"},
                descriptions={"by": _("the role, else the team, of the event that sent the request back; never a "
                                      "person")}))
        if len(per_case):
            top = top_cases(per_case, len(per_case))
            items.append(Finding("returned_cases", "notice" if share is not None and share < 0.1 else "warning",
                                 ngettext("%(n)s request (%(share)s) was sent back and submitted again; the requests "
                                          "sent back most often come first.",
                                          "%(n)s requests (%(share)s) were sent back and submitted again; the requests "
                                          "sent back most often come first.", len(per_case))
                                 % {"n": format_number(len(per_case)), "share": format_share(share, 0)},
                                 top, int(len(per_case))))
        summary = (_("%(share)s of the %(n)s requests were sent back and submitted again (%(returns)s returns; a "
                     "return cost %(days)s days, median); %(final)s requests were rejected for good.")
                   % {"share": format_share(share, 0), "n": format_number(n), "returns": format_number(len(back)),
                      "days": format_number(float(back["days"].median()), 1) if len(back) else "–",
                      "final": format_number(n_final)})
        caveats = [_("A return counts when the request is submitted again later in the same ticket; a new request "
                     "filed as a new ticket is a re-submission chain (see Reopen loops).")]
        return self.result(summary=summary, items=items, caveats=caveats)
