"""A block of generated tickets with everything the exports need: names, ids, texts and times.

:class:`Batch` turns the codes of a :class:`~ssc_mining.simulate.scenario.Block`
into the canonical events frame, the per-case ground truth, and lookups by
event / by case that every export module shares. All arrays are aligned: event
arrays follow ``block.events`` (sorted by case number, then time), case arrays
follow ``block.cases`` (case-number order).

Example:
    >>> from ssc_mining.simulate.config import SimulationConfig
    >>> from ssc_mining.simulate.scenario import _World, generate_blocks
    >>> world = _World(SimulationConfig(seed=3, cases=5))
    >>> batch = Batch(world, next(generate_blocks(world.cfg, world)))
    >>> batch.case_id[:2].tolist()
    ['SSC-1', 'SSC-2']
    >>> list(batch.events().columns[:3])
    ['case:concept:name', 'concept:name', 'time:timestamp']
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.simulate.calendar import MINUTES_PER_DAY
from ssc_mining.simulate.organisation import CHANNELS, PRIORITIES, SSC_NAME, sys_id
from ssc_mining.simulate.scenario import ACTIVITIES, LATE_CLASSES, STATUSES, STORIES, Block, _World
from ssc_mining.simulate.timefmt import TimeFormatter

#: extra event columns (not canonical roles): the ticket's assignment after the event, used by the exports
ASSIGNED_GROUP = "ssc:assigned_group"
ASSIGNED_TO = "ssc:assigned_to"

_SUBJECTS = {
    "Wachtwoord": ("Wachtwoord verlopen", "Account geblokkeerd na te veel pogingen", "Wachtwoord vergeten"),
    "Werkplekstoring": ("Laptop start niet op", "Printer op de 2e verdieping doet het niet",
                        "Tweede scherm geeft geen beeld", "Docking station werkt niet"),
    "Applicatiestoring": ("Zaaksysteem geeft foutmelding bij opslaan", "Burgerzakenapplicatie traag",
                          "Koppeling met het archief werkt niet"),
    "Autorisatie": ("Toegang nodig tot het zaaksysteem", "Rechten voor de financiële rapportages",
                    "Nieuwe collega heeft geen toegang tot de teamschijf"),
    "Salariscorrectie": ("Onterechte inhouding op salaris", "Toelage niet uitbetaald",
                         "Salarisstrook klopt niet na functiewijziging"),
    "Personeelsmutatie": ("Verlofsaldo klopt niet", "Wijziging contracturen", "Adreswijziging medewerker"),
    "Factuurvraag": ("Factuur van leverancier nog niet betaald", "Vraag over creditnota",
                     "Factuur dubbel geboekt (€ 1.250,00)"),
    "Declaratie": ("Declaratie reiskosten niet ontvangen", "Declaratie opleiding € 395,00",
                   "Vraag over thuiswerkvergoeding"),
    "Inkoopaanvraag": ("Bureaustoelen voor de publieksbalie", "Catering voor de raadsvergadering (€ 800)",
                       "Vlaggen voor Koningsdag", "Koffieautomaat voor de kantine, budget € 2.400"),
    "Hardwareaanvraag": ("Laptop voor nieuwe medewerker", "Extra beeldscherm", "Headset voor thuiswerken"),
}
_CHRISTMAS_TREE = "Kerstboom voor de hal van het gemeentehuis, budget € 450"
#: how a re-submission's subject starts (the requester asks the same question again)
_AGAIN = ("Nogmaals: ", "Opnieuw: ", "Re: ")


class Batch:
    """Named, formatted view of one block; computed lazily and cached."""

    def __init__(self, world: _World, block: Block, fmt: TimeFormatter | None = None) -> None:
        self.world = world
        self.block = block
        self.fmt = fmt or TimeFormatter(world.calendar)
        org = world.org
        self.person_names = np.array([p.name for p in org.people], dtype=object)
        self.person_users = np.array([p.user_name for p in org.people], dtype=object)
        self.person_sys_ids = np.array([p.sys_id for p in org.people], dtype=object)
        self.team_names = np.array([t.name for t in org.teams], dtype=object)
        self.org_names = np.array([m.name for m in org.mothers] + [SSC_NAME], dtype=object)
        self.category_names = np.array([c.name for c in org.categories], dtype=object)
        self.category_kinds = np.array([c.kind for c in org.categories], dtype=object)
        self.activity_names = np.array(ACTIVITIES, dtype=object)
        self.status_names = np.array(STATUSES, dtype=object)
        self.person_team = np.asarray(world.person_team, dtype=np.int64)
        self.person_org = np.asarray(world.person_org, dtype=np.int64)
        self.team_line = np.asarray(world.team_line, dtype=np.int64)

    # -- per case -------------------------------------------------------------------------------------------
    @property
    def cases(self) -> pd.DataFrame:
        return self.block.cases

    @property
    def n_cases(self) -> int:
        return len(self.block.cases)

    @cached_property
    def number(self) -> np.ndarray:
        return self.block.cases["number"].to_numpy()

    @cached_property
    def case_id(self) -> np.ndarray:
        """``SSC-123``: the case id of the generic CSV and XES, and the Jira issue key."""
        return np.array([f"SSC-{n}" for n in self.number], dtype=object)

    @cached_property
    def topdesk_number(self) -> np.ndarray:
        """``M2403 00123``: TOPdesk-style number with year and month of registration."""
        days = self.block.cases["t0"].to_numpy() // MINUTES_PER_DAY
        yymm = [d.strftime("%y%m") for d in np.asarray(self.world.calendar.days, dtype=object)[days]]
        return np.array([f"M{ym} {n:05d}" for ym, n in zip(yymm, self.number)], dtype=object)

    @cached_property
    def servicenow_number(self) -> np.ndarray:
        return np.array([f"INC{n:07d}" for n in self.number], dtype=object)

    @cached_property
    def servicenow_sys_id(self) -> np.ndarray:
        seed = self.world.cfg.seed
        return np.array([sys_id("incident", seed, n) for n in self.number], dtype=object)

    @cached_property
    def case_of_event(self) -> np.ndarray:
        return self.block.events["case"].to_numpy()

    def case_values(self, column: str) -> np.ndarray:
        return self.block.cases[column].to_numpy()

    @cached_property
    def mother(self) -> np.ndarray:
        return self.org_names[self.case_values("mother")]

    @cached_property
    def requester(self) -> np.ndarray:
        return self.person_names[self.case_values("requester")]

    @cached_property
    def category(self) -> np.ndarray:
        return self.category_names[self.case_values("category")]

    @cached_property
    def priority(self) -> np.ndarray:
        return np.array(PRIORITIES, dtype=object)[self.case_values("priority")]

    @cached_property
    def channel(self) -> np.ndarray:
        return np.array(CHANNELS, dtype=object)[self.case_values("channel")]

    @cached_property
    def due_minute(self) -> np.ndarray:
        """Registration + the category's SLA target in business minutes (the initial target date)."""
        return self.case_values("t0") + self.case_values("sla_target")

    @cached_property
    def has_need_by(self) -> np.ndarray:
        return self.case_values("need_by_day") >= 0

    @cached_property
    def subject(self) -> np.ndarray:
        """Short description; a re-submission repeats its chain's first subject ("Nogmaals: …", the same question)."""
        cats, numbers = self.category, self.number
        need_day = self.case_values("need_by_day")
        out = []
        for k, (cat, n) in enumerate(zip(cats, numbers)):
            if cat == "Inkoopaanvraag" and need_day[k] >= 0 and self.world.calendar.days[need_day[k]].month == 12:
                out.append(_CHRISTMAS_TREE)
            else:
                options = _SUBJECTS[cat]
                out.append(options[(n * 7 + 3) % len(options)])
        subjects = np.array(out, dtype=object)
        chain, position = self.case_values("chain"), self.case_values("chain_position")
        again = (chain >= 0) & (position > 1)
        prefixes = np.array(_AGAIN, dtype=object)[(position[again] - 2) % len(_AGAIN)]
        subjects[again] = prefixes + subjects[chain[again]]
        return subjects

    @cached_property
    def wait_seconds(self) -> np.ndarray:
        """Wall-clock seconds on hold per case (from the planted hold periods)."""
        holds = self.block.holds
        out = np.zeros(self.n_cases, dtype=np.int64)
        if len(holds):
            secs = self.fmt.epoch_seconds(holds["end"].to_numpy()) - self.fmt.epoch_seconds(holds["start"].to_numpy())
            np.add.at(out, holds["case"].to_numpy(), secs)
        return out

    # -- per event ------------------------------------------------------------------------------------------
    def ev(self, column: str) -> np.ndarray:
        return self.block.events[column].to_numpy()

    @cached_property
    def ev_minute(self) -> np.ndarray:
        return self.ev("minute")

    @cached_property
    def ev_team(self) -> np.ndarray:
        return self.person_team[self.ev("resource")]

    @cached_property
    def ev_org(self) -> np.ndarray:
        return self.person_org[self.ev("resource")]

    @cached_property
    def ev_assignee_name(self) -> np.ndarray:
        a = self.ev("assignee")
        # with None as a value numpy's stubs pick the one-argument form of np.where; numpy gives an object array
        return np.where(a >= 0, self.person_names[np.maximum(a, 0)], None)  # type: ignore[return-value]

    def events(self) -> pd.DataFrame:
        """The canonical events frame (timestamps tz-aware UTC), plus the assignment after each event."""
        case = self.case_of_event
        need_epoch = np.where(self.has_need_by,
                              self.fmt.day_end_epoch(np.maximum(self.case_values("need_by_day"), 0)), 0)
        need = pd.to_datetime(need_epoch, unit="s", utc=True).where(self.has_need_by)
        due = self.fmt.utc_timestamps(self.due_minute)
        line = self.team_line[self.ev_team]
        return pd.DataFrame({
            C.CASE: self.case_id[case],
            C.ACTIVITY: self.activity_names[self.ev("activity")],
            C.TIMESTAMP: self.fmt.utc_timestamps(self.ev_minute),
            C.RESOURCE: self.person_names[self.ev("resource")],
            C.TEAM: self.team_names[self.ev_team],
            C.ORGANISATION: self.org_names[self.ev_org],
            C.LINE: pd.Series(line, dtype="Int64").where(line > 0).array,
            C.STATUS: self.status_names[self.ev("status")],
            C.MOTHER: self.mother[case],
            C.REQUESTER: self.requester[case],
            C.CATEGORY: self.category[case],
            C.PRIORITY: self.priority[case],
            C.CHANNEL: self.channel[case],
            C.NEED_BY: need[case],
            C.DUE: due[case],
            ASSIGNED_GROUP: self.team_names[self.ev("group")],
            ASSIGNED_TO: self.ev_assignee_name,
        })

    # -- ground truth ---------------------------------------------------------------------------------------
    def truth(self) -> pd.DataFrame:
        """One row per case: ids, attributes and every planted phenomenon (see :mod:`~ssc_mining.simulate.truth`)."""
        c = self.block.cases
        fmt = self.fmt
        need_day = c["need_by_day"].to_numpy()
        has_need = need_day >= 0
        deliver = c["deliver"].to_numpy()
        need_end = fmt.day_end_minutes(np.maximum(need_day, 0))
        need_met = np.where(has_need, deliver < need_end, pd.NA)
        sla_met = c["sla_elapsed"].to_numpy() <= c["sla_target"].to_numpy()
        chain = c["chain"].to_numpy()
        first_line_only = c["max_line"].to_numpy() <= 1
        return pd.DataFrame({
            "case_id": self.case_id,
            "topdesk_number": self.topdesk_number,
            "servicenow_number": self.servicenow_number,
            "servicenow_sys_id": self.servicenow_sys_id,
            "jira_key": self.case_id,
            "mother": self.mother,
            "requester": self.requester,
            "category": self.category,
            "priority": self.priority,
            "channel": self.channel,
            "subject": self.subject,
            "registered_at": fmt.iso(c["t0"].to_numpy()),
            "first_response_at": fmt.iso(c["first_response"].to_numpy()),
            "resolved_at": fmt.iso(c["resolved"].to_numpy()),
            "closed_at": fmt.iso(c["closed"].to_numpy()),
            "due": fmt.iso(self.due_minute),
            "need_by": np.where(has_need, fmt.day_end_iso(np.maximum(need_day, 0)), ""),
            "delivered_at": np.where(deliver >= 0, fmt.iso(np.maximum(deliver, 0)), ""),
            "n_events": c["n_events"].to_numpy(),
            "distinct_resources": c["distinct_resources"].to_numpy(),
            "distinct_teams": c["distinct_teams"].to_numpy(),
            "handovers_person": c["handovers_person"].to_numpy(),
            "handovers_team": c["handovers_team"].to_numpy(),
            "handovers_org": c["handovers_org"].to_numpy(),
            "pingpong_direct": c["pingpong_direct"].to_numpy(),
            "pingpong_indirect": c["pingpong_indirect"].to_numpy(),
            "reassignments": c["reassignments"].to_numpy(),
            "routing_pingpong_direct": c["routing_pingpong_direct"].to_numpy(),
            "routing_pingpong_indirect": c["routing_pingpong_indirect"].to_numpy(),
            "reopens": c["reopens"].to_numpy(),
            "repeated_activities": c["repeated_activities"].to_numpy(),
            "chain_id": np.where(chain >= 0, self.case_id[np.maximum(chain, 0)], ""),
            "chain_position": c["chain_position"].to_numpy(),
            "story": np.array(STORIES, dtype=object)[c["story"].to_numpy()],
            "late_class": np.array(LATE_CLASSES, dtype=object)[c["late_class"].to_numpy()],
            "sla_target_minutes": c["sla_target"].to_numpy(),
            "sla_elapsed_minutes": c["sla_elapsed"].to_numpy(),
            "sla_met": sla_met,
            "need_met": pd.array(need_met, dtype="boolean"),
            "watermelon": sla_met & has_need & ~np.where(has_need, deliver < need_end, True),
            "waits": c["waits"].to_numpy(),
            "waits_without_user_contact": c["waits_without_user_contact"].to_numpy(),
            "wait_seconds": self.wait_seconds,
            "escalated": c["escalated"].to_numpy().astype(bool),
            "first_line_only": first_line_only,
            "max_line": c["max_line"].to_numpy(),
            "coordination_events": c["coordination_events"].to_numpy(),
        })


def case_bounds(case_of_event: np.ndarray, n_cases: int) -> tuple[np.ndarray, np.ndarray]:
    """Index of the first and last event of every case (events sorted by case).

    >>> case_bounds(np.array([0, 0, 1, 1, 1]), 2)
    (array([0, 2]), array([1, 4]))
    """
    first = np.searchsorted(case_of_event, np.arange(n_cases), side="left")
    last = np.searchsorted(case_of_event, np.arange(n_cases), side="right") - 1
    return first, last


def running_count(case_of_event: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Cumulative count of ``flags`` within each case (events sorted by case).

    >>> running_count(np.array([0, 0, 1, 1]), np.array([1, 1, 0, 1])).tolist()
    [1, 2, 0, 1]
    """
    total = np.cumsum(flags.astype(np.int64))
    starts = np.searchsorted(case_of_event, case_of_event, side="left")
    before = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0)
    return total - before


def changed(case_of_event: np.ndarray, values: np.ndarray) -> np.ndarray:
    """True where ``values`` differs from the previous event of the same case (False on a case's first event).

    >>> changed(np.array([0, 0, 0, 1]), np.array([5, 5, 6, 6])).tolist()
    [False, False, True, False]
    """
    out = np.zeros(len(values), dtype=bool)
    if len(values) > 1:
        out[1:] = (values[1:] != values[:-1]) & (case_of_event[1:] == case_of_event[:-1])
    return out


def previous(case_of_event: np.ndarray, values: np.ndarray, missing: object) -> np.ndarray:
    """The value at the previous event of the same case (``missing`` on a case's first event)."""
    out = np.empty(len(values), dtype=object)
    out[:] = missing
    if len(values) > 1:
        same = case_of_event[1:] == case_of_event[:-1]
        prev = values[:-1].astype(object)
        # numpy's stubs reject an object as a value of np.where; numpy takes it (an object array)
        out[1:] = np.where(same, prev, missing)  # type: ignore[call-overload]
    return out
