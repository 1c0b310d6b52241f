"""First time right: the share of tickets solved without rework, reopening or bouncing between teams.

Example:
    >>> from ssc_mining.testing import fixture_log
    >>> result = FirstTimeRight(max_teams=2).analyse(fixture_log())
    >>> 0 <= result.item("first_time_right_share").value <= 1
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ssc_mining import Analyser, Finding, Metric, Result, Table, columns as C, format_share, gettext as _
from ssc_mining.analysers.base import top_cases


@dataclass(frozen=True, kw_only=True)
class FirstTimeRight(Analyser):
    """A ticket is first time right when no activity repeats and it involves at most ``max_teams`` teams."""

    name = "first_time_right"
    version = "1"
    title = {"en": "First time right", "nl": "In één keer goed"}
    description = {"en": "Share of tickets solved without repeated steps and with few teams involved.",
                   "nl": "Aandeel meldingen dat zonder herhaalde stappen en met weinig teams is opgelost."}
    uses = (C.TEAM, C.CATEGORY)

    max_teams: int = 1

    def analyse(self, log) -> Result:
        frame = log.frame
        if frame.empty:
            return self.result(summary=_("The log is empty."), items=[])
        case = frame[C.CASE]
        repeats = frame.duplicated([C.CASE, C.ACTIVITY]).groupby(case, sort=True).sum()
        teams = (frame.groupby(C.CASE, sort=True)[C.TEAM].nunique() if log.has(C.TEAM)
                 else pd.Series(1, index=repeats.index))
        ok = (repeats == 0) & (teams <= self.max_teams)
        items = [Metric("first_time_right_share", "Tickets first time right", round(float(ok.mean()), 6),
                        unit="share", based_on=f"no repeated activity and at most {self.max_teams} team(s)",
                        description="tickets in which no activity was done twice and at most "
                                    f"{self.max_teams} team(s) worked, as a share of all tickets",
                        base=int(len(ok)))]
        if log.has(C.CATEGORY):
            category = frame.groupby(C.CASE, sort=True)[C.CATEGORY].first()
            table = (pd.DataFrame({"category": category, "ok": ok}).groupby("category")["ok"]
                     .agg(tickets="size", share="mean").reset_index())
            items.append(Table.from_frame("by_category", "First time right per category", table,
                                          units={"tickets": "tickets", "share": "share"}))
        worst = repeats[~ok]
        if len(worst):
            items.append(Finding("not_first_time_right", "notice",
                                 f"{len(worst)} tickets needed repeated steps or more teams; those with the most "
                                 "repeated steps come first.", top_cases(worst, len(worst)), len(worst)))
        return self.result(summary=_("%(share)s of the tickets were first time right.")
                           % {"share": format_share(float(ok.mean()))},
                           items=items)
