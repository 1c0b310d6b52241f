"""The ground truth: what was planted in every case, written beside the exports.

``<prefix>-truth.csv`` has one row per case (columns below); ``<prefix>-truth.json``
holds the configuration, the rates, the re-submission window the chains assume
(``resubmission_window_days``), the definitions, the organisation (teams,
SSC staff and liaisons with their team and organisation), and per phenomenon the
list of case ids. Every counter is taken from the generator's own bookkeeping
while it built the case (:class:`~ssc_mining.simulate.scenario._Ticket`), not from
analysing the output.

Example:
    >>> "pingpong_direct" in DEFINITIONS and "watermelon" in PHENOMENA
    True
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ssc_mining.simulate.calendar import MINUTES_PER_DAY, TIMEZONE
from ssc_mining.simulate.scenario import ACTIVITIES, COORDINATION, SLA_RUNNING, STATUSES, _World

DEFINITIONS = {
    "case_id": "SSC-<n>: case id of the generic CSV and XES and the Jira key; topdesk_number, servicenow_number "
               "and servicenow_sys_id are the same ticket in those exports",
    "handovers_person": "consecutive events of the case (in time order) with a different resource",
    "handovers_team": "consecutive events with a different team (the performer's team)",
    "handovers_org": "consecutive events with a different organisation (a mother or SSC)",
    "pingpong_direct": "returns to a team in the sequence of teams of SSC events (organisation == SSC; runs of the "
                       "same team collapsed) where the team two steps back is the same (X→Y→X)",
    "pingpong_indirect": "other returns to a team already left in that sequence (X→Y→Z→X)",
    "reassignments": "changes of the assignment group between consecutive events of the case (the group after each "
                     "event), i.e. the routing handovers (ServiceNow reassignment_count)",
    "routing_pingpong_direct": "returns to an assignment group in the routing sequence (the assignment group after "
                               "each event of the case; runs of the same group collapsed) where the group two steps "
                               "back is the same (X→Y→X)",
    "routing_pingpong_indirect": "other returns to an assignment group already left in the routing sequence "
                                 "(X→Y→Z→X)",
    "reopens": "Reopen events (ServiceNow reopen_count)",
    "repeated_activities": "events whose activity already occurred earlier in the case "
                           "(n_events − distinct activities)",
    "chain_id": "case id of the first ticket of a chain, else empty. A chain is the domain's re-submission chain "
                "with the window resubmission_window_days (W, calendar days; the reopens analyser's window_days): "
                "tickets of the same requester and category, ordered by registration, where each is registered at "
                "most W days after the last event (Close) of the earlier tickets of the chain. Planted chains are "
                "re-submissions (filed again 0.1–3 working days after the previous ticket closed) and "
                "salary-correction stories (the next change request 1–8 working days after the previous one "
                "closed); every planted follow-up is registered at most W days minus one hour after the previous "
                "Close, and no other ticket of that requester and category is registered between a chain's (or a "
                "lone ticket's) registration and W days plus one hour after its last Close (the hour covers a "
                "daylight-saving change), so the chains found by that definition are exactly the planted ones",
    "chain_position": "1, 2, … within the chain, in order of registration; 0 when not in a chain",
    "story": "salary_correction for the tickets of a salary-correction story (each handled by another HR agent, "
             "on hold until the next monthly payroll run, the first working day on or after the 20th; the last "
             "filed by the mother's liaison), else empty",
    "late_class": "tickets with a need-by date: on_time (delivered by the need-by date), asked_too_late (lead time "
                  "given, registration → need-by 17:00 in business minutes, below the category's norm lead time; "
                  "delivered late), ssc_too_slow (enough lead time, delivered late); empty without a need-by date",
    "need_met": "Deliver event at or before the need-by date (17:00 local of that working day)",
    "sla_elapsed_minutes": "business minutes (08:00–17:00 Mon–Fri, Dutch holidays off) between registration and the "
                           "last Resolve during which the status was New, In progress or Reopened (the clock stops "
                           "on hold and while resolved)",
    "sla_met": "sla_elapsed_minutes <= sla_target_minutes (ServiceNow made_sla)",
    "due": "registration + SLA target in business time, not moved by holds (TOPdesk Streefdatum, ServiceNow due_date)",
    "watermelon": "sla_met and need-by date missed",
    "waits": "times the status became On hold (Request information from user, Put on hold)",
    "waits_without_user_contact": "waits, other than the first, with no event by the requester since the previous "
                                  "wait began",
    "wait_seconds": "wall-clock seconds on hold (TOPdesk On hold duur (min) × 60)",
    "escalated": "the case has an Escalate event (to a higher support line)",
    "first_line_only": "every SSC event was done by a first-line team (the Servicedesk)",
    "max_line": "highest support line of any event",
    "coordination_events": "events with a coordination activity: " + ", ".join(COORDINATION),
    "first_response_at": "first event by the SSC after registration (TOPdesk Gereageerd)",
}

#: phenomenon → rule on the truth table selecting its cases (listed in the JSON)
PHENOMENA = {
    "handover_org": lambda t: t["handovers_org"] > 0,
    "pingpong_direct": lambda t: t["pingpong_direct"] > 0,
    "pingpong_indirect": lambda t: t["pingpong_indirect"] > 0,
    "routing_pingpong_direct": lambda t: t["routing_pingpong_direct"] > 0,
    "routing_pingpong_indirect": lambda t: t["routing_pingpong_indirect"] > 0,
    "reopened": lambda t: t["reopens"] > 0,
    "repeated_activities": lambda t: t["repeated_activities"] > 0,
    "resubmission_chain": lambda t: (t["chain_id"] != "") & (t["story"] == ""),
    "salary_correction": lambda t: t["story"] == "salary_correction",
    "need_by": lambda t: t["late_class"] != "",
    "on_time": lambda t: t["late_class"] == "on_time",
    "asked_too_late": lambda t: t["late_class"] == "asked_too_late",
    "ssc_too_slow": lambda t: t["late_class"] == "ssc_too_slow",
    "watermelon": lambda t: t["watermelon"],
    "sla_breached": lambda t: ~t["sla_met"],
    "waited": lambda t: t["waits"] > 0,
    "waits_without_user_contact": lambda t: t["waits_without_user_contact"] > 0,
    "escalated": lambda t: t["escalated"],
    "first_line_only": lambda t: t["first_line_only"],
}


class TruthWriter:
    """Appends truth rows batch by batch; keeps only case-id lists per phenomenon for the JSON."""

    def __init__(self, csv_path: Path, json_path: Path, world: _World) -> None:
        self.csv_path, self.json_path, self.world = csv_path, json_path, world
        self._handle = open(csv_path, "w", encoding="utf-8", newline="")
        self._first = True
        self._ids: dict[str, list[np.ndarray]] = {name: [] for name in PHENOMENA}
        self.n_cases = 0
        self.n_events = 0

    def write(self, truth: pd.DataFrame) -> None:
        out = truth.copy()
        for col in ("sla_met", "watermelon", "escalated", "first_line_only"):
            out[col] = np.where(out[col].to_numpy(dtype=bool), "true", "false")
        out["need_met"] = out["need_met"].map({True: "true", False: "false"}).astype(object).fillna("")
        out.to_csv(self._handle, index=False, header=self._first, lineterminator="\n")
        self._first = False
        numbers = truth["case_id"].str.slice(4).astype(np.int64).to_numpy()
        for name, rule in PHENOMENA.items():
            self._ids[name].append(numbers[np.asarray(rule(truth), dtype=bool)])
        self.n_cases += len(truth)
        self.n_events += int(truth["n_events"].sum())

    def close(self, files: dict[str, str]) -> None:
        self._handle.close()
        w = self.world
        cfg = w.cfg
        phenomena = {name: [f"SSC-{n}" for n in np.concatenate(parts).tolist()] if parts else []
                     for name, parts in self._ids.items()}
        doc = {
            "generator": "ssc_mining.simulate",
            "config": cfg.to_dict(),
            "rates": cfg.rates.to_dict(),
            "resubmission_window_days": cfg.resubmission_window_days,
            "counts": {"cases": self.n_cases, "events": self.n_events,
                       **{name: len(ids) for name, ids in phenomena.items()}},
            "calendar": {"timezone": TIMEZONE, "working_hours": "08:00-17:00", "working_days": "Monday-Friday",
                         "minutes_per_day": MINUTES_PER_DAY,
                         "holidays": "Nieuwjaarsdag, Goede Vrijdag, Pasen, Koningsdag, Bevrijdingsdag (lustrum "
                                     "years), Hemelvaartsdag, Pinksteren, Kerst"},
            "activities": list(ACTIVITIES),
            "statuses": list(STATUSES),
            "sla_clock_statuses": [STATUSES[s] for s in SLA_RUNNING],
            "coordination_activities": list(COORDINATION),
            "definitions": DEFINITIONS,
            "organisation": w.org.to_dict(),
            "files": files,
            "phenomena": phenomena,
        }
        with open(self.json_path, "w", encoding="utf-8", newline="\n") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
