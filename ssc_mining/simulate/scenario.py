"""Generate tickets: the SSC's process, with phenomena planted at the configured rates.

Tickets are built one at a time in blocks of :data:`BLOCK_CASES` case slots; each
block has its own random stream ``default_rng([seed, 1, block])``, so a block
gives the same tickets whether the whole log is kept in memory or streamed.
Time is counted in business minutes (see :mod:`ssc_mining.simulate.calendar`);
every event of a ticket is at least one minute after the previous one.

The ground truth of each ticket is counted *while it is built* (what was
planted), in :class:`_Ticket`; :mod:`ssc_mining.simulate.truth` only turns the
counters into a table.

Re-submissions follow the domain definition exactly, with the window
``cfg.resubmission_window_days`` (*W*, calendar days): a ticket of the same
requester and category opened at most *W* days after the last event of the
earlier tickets of a chain belongs to that chain. So

* every planted follow-up (a re-submission, or the next ticket of a
  salary-correction story) is opened at most *W* days minus an hour after the
  previous ticket closed (the hour absorbs a daylight-saving change: the
  analysers measure in UTC, the generator in local wall-clock time);
* no other ticket coincides: a *unit* (a lone ticket, a re-submission chain or
  a story) is only given to a requester whose previous unit in that category
  ended (its last Close) more than *W* days plus an hour before the new unit's
  registration. The requester is drawn at random; if that one is busy, another
  is drawn uniformly from the mother's free employees; only when none is free
  (a very large log over a short period) the unit's registration is moved to
  just after the earliest moment one of them is free. The bookkeeping
  (:class:`_Requesters`, a fixed-size array) carries over from block to block,
  so the blocks must be built in order, as :func:`generate_blocks` does.

Example:
    >>> from ssc_mining.simulate.config import SimulationConfig
    >>> blocks = list(generate_blocks(SimulationConfig(seed=1, cases=20)))
    >>> len(blocks), len(blocks[0].cases)
    (1, 20)
    >>> ACTIVITIES[blocks[0].events["activity"].iloc[0]]
    'Register'
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError
from ssc_mining.simulate.calendar import DAY_START_MINUTE, MINUTES_PER_DAY, WorkCalendar
from ssc_mining.simulate.config import SimulationConfig
from ssc_mining.simulate.organisation import (
    CHANNEL_WEIGHTS,
    PRIORITY_WEIGHTS,
    SSC_TEAMS,
    Organisation,
    build_organisation,
)

#: activity labels (stable, English); the index is the activity code
ACTIVITIES = ("Register", "Intake", "Assign", "Forward", "Start work", "Escalate", "Put on hold",
              "Request information from user", "User responds", "Resume", "Status enquiry", "Approve", "Order",
              "Deliver", "Resolve", "Close", "Reopen")
(REGISTER, INTAKE, ASSIGN, FORWARD, START, ESCALATE, HOLD, REQUEST_INFO, USER_RESPONDS, RESUME, ENQUIRY,
 APPROVE, ORDER, DELIVER, RESOLVE, CLOSE, REOPEN) = range(len(ACTIVITIES))
#: the ticket's status after an event; the index is the status code
STATUSES = ("New", "In progress", "On hold", "Resolved", "Closed", "Reopened")
NEW, IN_PROGRESS, ON_HOLD, RESOLVED, CLOSED, REOPENED = range(len(STATUSES))
#: statuses in which the SLA clock runs (it stops on hold and once resolved)
SLA_RUNNING = (NEW, IN_PROGRESS, REOPENED)
#: activities counted as coordination (work about the work, not work that resolves)
COORDINATION = ("Intake", "Forward", "Status enquiry", "Escalate", "Assign")
_COORD_CODES = frozenset(ACTIVITIES.index(a) for a in COORDINATION)
#: stories a ticket can belong to
STORIES = ("", "salary_correction")
LATE_CLASSES = ("", "on_time", "asked_too_late", "ssc_too_slow")

BLOCK_CASES = 2000
SSC_ORG = 3  # organisation code of the SSC; mothers are 0, 1, 2
SERVICEDESK = 0
_PRIORITY_SPEED = (0.45, 1.0, 1.5)
_MONTH_LOAD = (1.15, 1.05, 1.0, 1.0, 1.0, 0.95, 0.7, 0.65, 1.1, 1.05, 1.0, 0.85)
_WEEKDAY_LOAD = (1.25, 1.1, 1.0, 1.0, 0.75)
_HOUR_LOAD = (0.9, 1.4, 1.3, 1.1, 0.6, 1.0, 1.0, 0.9, 0.6)  # 08:00 … 16:00


@dataclass
class Block:
    """Events and per-case facts of one block of tickets (codes, business minutes; see :func:`generate_blocks`)."""

    first_number: int
    events: pd.DataFrame   # case (local index), minute, activity, resource, status, group, assignee
    cases: pd.DataFrame    # one row per case, in case-number order; local index = row
    holds: pd.DataFrame    # case, start, end (business minutes) of every on-hold period


class _Random:
    """Uniform numbers drawn in bulk from a numpy Generator (fast scalar draws, same sequence every run)."""

    __slots__ = ("rng", "buf", "i")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.buf: list[float] = rng.random(1 << 15).tolist()
        self.i = 0

    def u(self) -> float:
        i = self.i
        if i >= len(self.buf):
            self.buf = self.rng.random(1 << 15).tolist()
            i = 0
        self.i = i + 1
        return self.buf[i]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def expo(self, mean: float) -> int:
        return int(-mean * math.log(1.0 - self.u()))

    def between(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.u()

    def pick(self, items: list[int] | tuple[int, ...]) -> int:
        return items[int(self.u() * len(items))]

    def weighted(self, cumulative: list[float]) -> int:
        x = self.u() * cumulative[-1]
        for k, c in enumerate(cumulative):
            if x < c:
                return k
        return len(cumulative) - 1


def _cumulative(weights: tuple[float, ...] | list[float]) -> list[float]:
    return np.cumsum(np.asarray(weights, dtype=float)).tolist()


class _World:
    """Fixed facts shared by all blocks: organisation, calendar, lookup tables."""

    def __init__(self, cfg: SimulationConfig) -> None:
        self.cfg = cfg
        # about one requester per six tickets up to 1,100 per mother; a larger log gets more requesters, at
        # most about six tickets per requester per month of arrivals, so that re-submissions stay rare
        # coincidences the generator can avoid (see _Requesters)
        self.org: Organisation = build_organisation(cfg.seed, cfg.team_size, requesters_per_mother=max(
            40, min(1100, cfg.cases // 6), -(-cfg.cases // (6 * cfg.months))))
        days = (cfg.end_date - cfg.start_date).days
        self.calendar = WorkCalendar.starting(cfg.start_date, days=days + 550)
        self.arrival_days = sum(1 for d in self.calendar.days if d < cfg.end_date)
        org = self.org
        self.person_team = [p.team for p in org.people]
        n_ssc = len(SSC_TEAMS)
        self.team_org = [SSC_ORG if t.index < n_ssc else (t.index - n_ssc) // 2 for t in org.teams]
        self.person_org = [self.team_org[t] for t in self.person_team]
        self.team_line = [t.line for t in org.teams]
        self.members = [org.members(t.index) for t in org.teams]
        self.coordinator = [next((p for p in m if org.people[p].role == "coordinator"), m[0]) if m else -1
                            for m in self.members]
        self.employees = [self.members[org.employees_team(m)] for m in range(len(org.mothers))]
        self.liaisons = [self.members[org.liaison_team(m)] for m in range(len(org.mothers))]
        self.category_team = [org.team_index(c.team) for c in org.categories]
        self.cat_cum = _cumulative([c.weight for c in org.categories])
        self.mother_cum = _cumulative([m.weight for m in org.mothers])
        self.prio_cum = _cumulative(PRIORITY_WEIGHTS)
        self.channel_cum = _cumulative(CHANNEL_WEIGHTS)
        self.second_line = [t.index for t in org.teams if t.organisation == "SSC" and t.line >= 2]
        self.salary_cat = next(c.index for c in org.categories if c.name == "Salariscorrectie")
        self.finance = org.team_index("Financiën")
        self.werkplek = org.team_index("ICT Werkplek")
        self._arrival_cdf = self._arrival_profile()
        #: proleptic ordinal of every working day, for local wall-clock minutes (see :meth:`wall`)
        self.day_ordinal: list[int] = [d.toordinal() for d in self.calendar.days]
        #: the re-submission window in wall-clock minutes, and the margin for a daylight-saving change
        self.window = cfg.resubmission_window_days * 1440
        self.margin = 60
        #: working-day index of each month's payroll run: the first working day on or after the 20th
        runs: dict[tuple[int, int], int] = {}
        for k, d in enumerate(self.calendar.days):
            if d.day >= 20:
                runs.setdefault((d.year, d.month), k)
        self.payroll_days: list[int] = sorted(runs.values())

    def next_payroll_run(self, minute: int) -> int:
        """08:00 of the next monthly payroll run (the first working day on or after the 20th) that is at
        least two working days after business minute ``minute``."""
        idx = bisect.bisect_left(self.payroll_days, minute // MINUTES_PER_DAY + 2)
        return self.payroll_days[min(idx, len(self.payroll_days) - 1)] * MINUTES_PER_DAY

    def wall(self, minute: int) -> int:
        """Business minute → local wall-clock minutes since 0001-01-01 (differences are calendar time)."""
        day, rest = divmod(minute, MINUTES_PER_DAY)
        if day >= len(self.day_ordinal):
            raise ConfigError("a simulated moment falls outside the calendar",
                              hint="use fewer cases per month or fewer months")
        return self.day_ordinal[day] * 1440 + DAY_START_MINUTE + rest

    def last_minute_at_most(self, wall: int) -> int:
        """The latest business minute whose wall-clock time is at or before ``wall``."""
        date, rest = divmod(wall, 1440)
        idx = bisect.bisect_right(self.day_ordinal, date) - 1
        if idx >= 0 and self.day_ordinal[idx] == date and rest < DAY_START_MINUTE:
            idx -= 1
        elif idx >= 0 and self.day_ordinal[idx] == date:
            return idx * MINUTES_PER_DAY + min(rest - DAY_START_MINUTE, MINUTES_PER_DAY - 1)
        return idx * MINUTES_PER_DAY + MINUTES_PER_DAY - 1

    def first_minute_after(self, wall: int) -> int:
        """The earliest business minute whose wall-clock time is after ``wall``."""
        date, rest = divmod(wall, 1440)
        idx = bisect.bisect_left(self.day_ordinal, date)
        if idx < len(self.day_ordinal) and self.day_ordinal[idx] == date:
            if rest < DAY_START_MINUTE + MINUTES_PER_DAY - 1:
                return idx * MINUTES_PER_DAY + max(0, rest - DAY_START_MINUTE + 1)
            idx += 1
        return idx * MINUTES_PER_DAY

    def follow_up(self, closed: int, planned: int) -> int:
        """Registration of a planted follow-up: ``planned``, but within the window after ``closed``."""
        return min(planned, self.last_minute_at_most(self.wall(closed) + self.window - self.margin))

    def _arrival_profile(self) -> np.ndarray:
        days = self.calendar.days[: self.arrival_days]
        dayw = np.array([_MONTH_LOAD[d.month - 1] * _WEEKDAY_LOAD[d.weekday()] for d in days])
        w = (dayw[:, None] * np.asarray(_HOUR_LOAD)[None, :]).ravel()
        cdf = np.cumsum(w)
        return cdf / cdf[-1]

    def arrival_minutes(self, quantiles: np.ndarray) -> np.ndarray:
        """Map quantiles in [0, 1) to business minutes, following the load profile (month, weekday, hour)."""
        cdf = self._arrival_cdf
        bins = np.searchsorted(cdf, quantiles, side="right").clip(0, len(cdf) - 1)
        lower = np.where(bins > 0, cdf[np.maximum(bins - 1, 0)], 0.0)
        frac = ((quantiles - lower) / (cdf[bins] - lower)).clip(0, 0.999)
        return bins * 60 + (frac * 60).astype(np.int64)


class _Block:
    """Builds the tickets of one block into flat lists."""

    def __init__(self, world: _World, rnd: _Random) -> None:
        self.w = world
        self.r = rnd
        self.e_case: list[int] = []
        self.e_t: list[int] = []
        self.e_act: list[int] = []
        self.e_res: list[int] = []
        self.e_status: list[int] = []
        self.e_group: list[int] = []
        self.e_assignee: list[int] = []
        self.h_case: list[int] = []
        self.h_start: list[int] = []
        self.h_end: list[int] = []
        self.cases: list[dict] = []

    # -- one ticket -------------------------------------------------------------------------------
    def ticket(self, t0: int, cat: int, mother: int, requester: int, *, chain: int = -1, position: int = 0,
               story: int = 0, story_agent: int = -1, story_last: bool = False) -> _Ticket:
        w, r = self.w, self.r
        org = w.org
        category = org.categories[cat]
        channel = r.weighted(w.channel_cum)
        prio = r.weighted(w.prio_cum)
        if story:
            channel, prio = (2 if story_last else r.pick((0, 1))), 1
        tk = _Ticket(self, len(self.cases), t0, requester, mother)
        speed = _PRIORITY_SPEED[prio]
        sd_agent = r.pick(w.members[SERVICEDESK])
        if story_last:
            tk.emit(REGISTER, r.pick(w.liaisons[mother]), NEW, SERVICEDESK, -1)
        elif channel == 0:
            tk.emit(REGISTER, requester, NEW, SERVICEDESK, -1)
        else:
            tk.emit(REGISTER, sd_agent, NEW, SERVICEDESK, -1)
        tk.t += (r.expo(80) + 5) if channel != 1 else (r.expo(3) + 1)
        intake_agent = sd_agent if channel == 1 else r.pick(w.members[SERVICEDESK])
        tk.emit(INTAKE, intake_agent, NEW, SERVICEDESK, intake_agent)
        late_class, need_by_day, deliver = 0, -1, -1
        target = w.category_team[cat]

        if not story and not category.purchase and r.chance(category.first_line):
            tk.t += r.expo(30 * speed) + 1
            tk.emit(START, intake_agent, IN_PROGRESS)
            self.work(tk, intake_agent, category.sla_hours * 60 * 0.25 * speed)
            tk.emit(RESOLVE, intake_agent, RESOLVED)
            resolver = intake_agent
        else:
            current, sender = SERVICEDESK, intake_agent
            tk.t += r.expo(40 * speed) + 1
            rates = w.cfg.rates
            # ping-pong planted at the Servicedesk or later at the resolving team
            pp = r.u()
            direct = pp < rates.pingpong_direct
            indirect = rates.pingpong_direct <= pp < rates.pingpong_direct + rates.pingpong_indirect
            pp_at_sd = (direct or indirect) and r.chance(0.4)
            if story:  # the earlier story tickets bounce between HR and Financiën
                direct, indirect, pp_at_sd = r.chance(0.5) and not story_last, False, False
            if pp_at_sd:
                sender = self.bounce(tk, current, sender, [target], direct, speed)
            if cat in (2, 3) and r.chance(0.5) and not story:  # via ICT Werkplek (2nd line) to ICT Applicaties (3rd)
                agent = self.hand_to(tk, sender, current, w.werkplek, speed)
                tk.t += r.expo(60 * speed) + 1
                tk.emit(START, agent, IN_PROGRESS)
                tk.t += r.expo(240 * speed) + 10
                current, sender = w.werkplek, agent
            agent = self.hand_to(tk, sender, current, target, speed, agent=story_agent)
            current = target
            tk.t += r.expo(90 * speed) + 1
            tk.emit(START, agent, IN_PROGRESS)
            if (direct or indirect) and not pp_at_sd:
                tk.t += r.expo(120 * speed) + 5
                excluded = [target]
                if story:
                    excluded = [t for t in w.second_line if t != w.finance]
                back = self.bounce(tk, current, agent, excluded, direct, speed, keep_agent=bool(story))
                agent = back
            if r.chance(rates.reassign_within_team) and not story and len(w.members[current]) > 1:
                tk.t += r.expo(180 * speed) + 5
                colleague = r.pick([p for p in w.members[current] if p != agent])
                tk.emit(ASSIGN, w.coordinator[current] if r.chance(0.5) else agent, IN_PROGRESS, current,
                        colleague)
                agent = colleague
                tk.t += r.expo(90 * speed) + 1
                tk.emit(START, agent, IN_PROGRESS)
            if category.purchase:
                late_class, need_by_day, deliver = self.purchase(tk, agent, mother, category.lead_hours * 60, speed)
            elif story_last:
                tk.t += r.expo(600) + 30
                tk.emit(APPROVE, r.pick(w.liaisons[mother]), IN_PROGRESS)
                tk.t += r.expo(300) + 10
                self.payroll_hold(tk, agent)
            else:
                self.work(tk, agent, category.sla_hours * 60 * 0.3 * speed)
                if story:
                    self.payroll_hold(tk, agent)
            tk.emit(RESOLVE, agent, RESOLVED)
            resolver = agent

        # reopen loop: the requester rejects the resolution
        if not story:
            p = w.cfg.rates.reopen
            team = w.person_team[resolver]
            while r.chance(p):
                tk.t += r.expo(400) + 30
                tk.emit(REOPEN, requester, REOPENED)
                tk.reopens += 1
                tk.t += r.expo(120 * speed) + 5
                again = resolver if r.chance(0.6) or len(w.members[team]) < 2 else \
                    r.pick([m for m in w.members[team] if m != resolver])
                tk.emit(ASSIGN, w.coordinator[team] if team != SERVICEDESK else again, IN_PROGRESS, team, again)
                tk.t += r.expo(60 * speed) + 1
                tk.emit(START, again, IN_PROGRESS)
                self.work(tk, again, 300 * speed)
                tk.emit(RESOLVE, again, RESOLVED)
                resolver = again
                p = w.cfg.rates.reopen_again
        tk.t += int(r.between(1, 3) * MINUTES_PER_DAY)
        tk.emit(CLOSE, resolver, CLOSED)
        self.finish(tk, cat, mother, requester, channel, prio, chain, position, story, late_class, need_by_day,
                    deliver)
        return tk

    def hand_to(self, tk: _Ticket, sender: int, current: int, team: int, speed: float, *,
                agent: int = -1) -> int:
        """Escalate (to a higher line) or Forward the ticket from ``current`` to ``team``; the team assigns it."""
        w, r = self.w, self.r
        activity = ESCALATE if w.team_line[team] > w.team_line[current] else FORWARD
        tk.emit(activity, sender, None, team, -1)
        tk.t += r.expo(200 * speed) + 5
        if agent < 0:
            agent = r.pick(w.members[team])
        self.maybe_enquiry(tk)
        self_assign = r.chance(0.4) or agent == w.coordinator[team]
        tk.emit(ASSIGN, agent if self_assign else w.coordinator[team], IN_PROGRESS, team, agent)
        return agent

    def bounce(self, tk: _Ticket, current: int, agent: int, excluded: list[int], direct: bool, speed: float,
               *, keep_agent: bool = False) -> int:
        """Send the ticket to one (direct) or two (indirect) wrong teams; it comes back to ``current``."""
        w, r = self.w, self.r
        wrong = [t for t in w.second_line if t != current and t not in excluded]
        first = r.pick(wrong)
        path = [first] if direct else [first, r.pick([t for t in wrong if t != first])]
        sender, team = agent, current
        for t in path:
            got = self.hand_to(tk, sender, team, t, speed)
            tk.t += r.expo(60 * speed) + 1
            if r.chance(0.6):
                tk.emit(START, got, IN_PROGRESS)
                tk.t += r.expo(90 * speed) + 1
            sender, team = got, t
        back = self.hand_to(tk, sender, team, current, speed, agent=agent if keep_agent or r.chance(0.5) else -1)
        tk.t += r.expo(60 * speed) + 1
        return back

    def payroll_hold(self, tk: _Ticket, agent: int) -> None:
        """A salary correction takes effect in the monthly payroll run: the agent puts the ticket on hold
        until the next run (at least two working days ahead) and resolves it after the run."""
        r = self.r
        tk.t += r.expo(60) + 5
        tk.emit(HOLD, agent, ON_HOLD)
        run = self.w.next_payroll_run(tk.t)
        tk.t = max(tk.t + 60, run + r.expo(60) + 30)
        tk.emit(RESUME, agent, IN_PROGRESS)
        tk.t += r.expo(120) + 10

    def maybe_enquiry(self, tk: _Ticket) -> None:
        """A status question from the requester (mostly) or a liaison, while the ticket waits."""
        r = self.r
        if r.chance(self.w.cfg.rates.status_enquiry):
            tk.t += r.expo(60) + 1
            who = tk.requester if r.chance(0.7) else r.pick(self.w.liaisons[tk.mother])
            tk.emit(ENQUIRY, who)
            tk.t += r.expo(60) + 1

    def work(self, tk: _Ticket, agent: int, mean: float) -> None:
        """Work on the ticket, with an optional wait for the user or a parked period."""
        r, rates = self.r, self.w.cfg.rates
        tk.t += r.expo(mean * 0.5) + 5
        if r.chance(rates.wait_user):
            tk.emit(REQUEST_INFO, agent, ON_HOLD)
            if r.chance(rates.wait_without_contact):
                tk.t += r.expo(1600) + 60
                tk.emit(RESUME, agent, IN_PROGRESS)
                tk.t += r.expo(60) + 5
                tk.emit(HOLD, agent, ON_HOLD)
            tk.t += r.expo(900) + 30
            tk.emit(USER_RESPONDS, tk.requester)
            tk.t += r.expo(120) + 5
            tk.emit(RESUME, agent, IN_PROGRESS)
        elif r.chance(rates.park_on_hold):
            tk.emit(HOLD, agent, ON_HOLD)
            tk.t += r.expo(1200) + 60
            tk.emit(RESUME, agent, IN_PROGRESS)
        else:
            self.maybe_enquiry(tk)
        tk.t += r.expo(mean * 0.5) + 5

    def purchase(self, tk: _Ticket, agent: int, mother: int, lead: int, speed: float) -> tuple[int, int, int]:
        """Approve, Order, (wait for the supplier), Deliver; with a need-by date planted by late class."""
        w, r, rates = self.w, self.r, self.w.cfg.rates
        t0 = tk.t0
        tk.t += r.expo(300 * speed) + 10
        tk.emit(APPROVE, r.pick(w.liaisons[mother]), IN_PROGRESS)
        tk.t += r.expo(400 * speed) + 10
        tk.emit(ORDER, agent, IN_PROGRESS)
        t_order = tk.t
        late_class, need_by_day = 0, -1
        if r.chance(rates.need_by):
            x = r.u()
            late_class = 2 if x < rates.asked_too_late else 3 if x < rates.asked_too_late + rates.ssc_too_slow else 1
        if late_class == 2:      # asked too late: less lead time than the norm; the SSC works at its normal pace
            need_by_day = (t0 + int(r.between(0.2, 0.75) * lead)) // MINUTES_PER_DAY
            end = (need_by_day + 1) * MINUTES_PER_DAY
            deliver = max(t_order + 30, end + int(r.between(0.05, 1.0) * max(60, t0 + lead - end - 120)))
        elif late_class == 3:    # enough lead time, the SSC is late
            need_by_day = (t0 + lead + int(r.between(0, 10) * MINUTES_PER_DAY)) // MINUTES_PER_DAY
            end = (need_by_day + 1) * MINUTES_PER_DAY
            deliver = max(t_order, end) + r.expo(3 * MINUTES_PER_DAY) + 30
        elif late_class == 1:    # on time
            need_by_day = (t0 + lead + int(r.between(0, 15) * MINUTES_PER_DAY)) // MINUTES_PER_DAY
            while (need_by_day + 1) * MINUTES_PER_DAY - t_order < 120:
                need_by_day += 1
            room = (need_by_day + 1) * MINUTES_PER_DAY - t_order - 60
            deliver = t_order + 30 + int(r.between(0.1, 0.95) * room)
        else:
            deliver = t_order + r.expo(int(0.4 * lead)) + 30
        if deliver - t_order > 240 and r.chance(rates.supplier_hold):
            tk.t = min(t_order + r.expo(30) + 5, deliver - 200)
            tk.emit(HOLD, agent, ON_HOLD)
            if late_class == 3 or r.chance(0.2):
                tk.t += (deliver - tk.t) // 2
                who = tk.requester if r.chance(0.6) else r.pick(w.liaisons[mother])
                tk.emit(ENQUIRY, who)
            tk.t = max(tk.t + 1, deliver - 20)
            tk.emit(RESUME, agent, IN_PROGRESS)
        tk.t = max(tk.t + 1, deliver)
        tk.emit(DELIVER, agent, IN_PROGRESS)
        deliver = tk.t
        tk.t += r.expo(60) + 5
        return late_class, need_by_day, deliver

    def finish(self, tk: _Ticket, cat: int, mother: int, requester: int, channel: int, prio: int, chain: int,
               position: int, story: int, late_class: int, need_by_day: int, deliver: int) -> None:
        category = self.w.org.categories[cat]
        self.cases.append({
            "t0": tk.t0, "category": cat, "mother": mother, "requester": requester, "channel": channel,
            "priority": prio, "chain": chain, "chain_position": position, "story": story,
            "late_class": late_class, "need_by_day": need_by_day, "deliver": deliver,
            "sla_target": category.sla_hours * 60, "sla_elapsed": tk.sla, "resolved": tk.last_resolve,
            "closed": tk.t, "n_events": tk.n, "handovers_person": tk.h_person, "handovers_team": tk.h_team,
            "handovers_org": tk.h_org, "pingpong_direct": tk.pp_direct, "pingpong_indirect": tk.pp_indirect,
            "reassignments": tk.reassignments, "routing_pingpong_direct": tk.rp_direct,
            "routing_pingpong_indirect": tk.rp_indirect, "reopens": tk.reopens, "repeated_activities": tk.repeated,
            "waits": tk.waits, "waits_without_user_contact": tk.waits_nc, "escalated": tk.escalated,
            "max_line": tk.max_line, "coordination_events": tk.coordination,
            "distinct_resources": len(tk.resources), "distinct_teams": len(tk.teams),
            "first_response": tk.first_response,
        })


class _Ticket:
    """One ticket under construction: appends its events and counts what is planted, event by event."""

    __slots__ = ("b", "local", "t", "t0", "requester", "mother", "status", "group", "assignee", "last_t",
                 "prev_res", "prev_team", "prev_org", "h_person", "h_team", "h_org", "ssc_seq", "pp_direct",
                 "pp_indirect", "route", "rp_direct", "rp_indirect", "reassignments", "reopens", "seen", "repeated",
                 "coordination", "waits", "waits_nc", "contact", "hold_start", "sla", "escalated", "max_line", "n",
                 "resources", "teams", "last_resolve", "first_response")

    def __init__(self, block: _Block, local: int, t0: int, requester: int, mother: int) -> None:
        self.b = block
        self.local = local
        self.t = self.t0 = t0
        self.last_t = t0 - 1
        self.requester = requester
        self.mother = mother
        self.status = NEW
        self.group = SERVICEDESK
        self.assignee = -1
        self.prev_res = self.prev_team = self.prev_org = -1
        self.h_person = self.h_team = self.h_org = 0
        self.ssc_seq: list[int] = []
        self.pp_direct = self.pp_indirect = 0
        self.route: list[int] = []  # routing: the assignment group after each event, runs collapsed
        self.rp_direct = self.rp_indirect = 0
        self.reassignments = self.reopens = self.repeated = self.coordination = 0
        self.seen = [False] * len(ACTIVITIES)
        self.waits = self.waits_nc = 0
        self.contact = False
        self.hold_start = -1
        self.sla = 0
        self.escalated = False
        self.max_line = 0
        self.n = 0
        self.resources: set[int] = set()
        self.teams: set[int] = set()
        self.last_resolve = -1
        self.first_response = -1

    def emit(self, activity: int, resource: int, status: int | None = None, group: int | None = None,
             assignee: int | None = None) -> None:
        """Append an event at ``self.t`` (at least a minute after the previous one) and update the counters."""
        b, w = self.b, self.b.w
        if self.t <= self.last_t:
            self.t = self.last_t + 1
        t = self.t
        if self.n and self.status in SLA_RUNNING:
            self.sla += t - self.last_t
        new_status = self.status if status is None else status
        if new_status == ON_HOLD and self.status != ON_HOLD:
            if self.waits and not self.contact:
                self.waits_nc += 1
            self.waits += 1
            self.contact = False
            self.hold_start = t
        elif self.status == ON_HOLD and new_status != ON_HOLD:
            b.h_case.append(self.local)
            b.h_start.append(self.hold_start)
            b.h_end.append(t)
        if group is not None and group != self.group:
            self.reassignments += 1
            self.group = group
        route = self.route
        if not route or route[-1] != self.group:
            if self.group in route:
                if len(route) >= 2 and route[-2] == self.group:
                    self.rp_direct += 1
                else:
                    self.rp_indirect += 1
            route.append(self.group)
        if assignee is not None:
            self.assignee = assignee
        self.status = new_status
        team = w.person_team[resource]
        org = w.person_org[resource]
        if self.n:
            self.h_person += resource != self.prev_res
            self.h_team += team != self.prev_team
            self.h_org += org != self.prev_org
        if resource == self.requester:
            self.contact = True
        if org == SSC_ORG:
            if self.n and self.first_response < 0:
                self.first_response = t
            line = w.team_line[team]
            if line > self.max_line:
                self.max_line = line
            seq = self.ssc_seq
            if not seq or seq[-1] != team:
                if team in seq:
                    if len(seq) >= 2 and seq[-2] == team:
                        self.pp_direct += 1
                    else:
                        self.pp_indirect += 1
                seq.append(team)
        if activity == ESCALATE:
            self.escalated = True
        elif activity == RESOLVE:
            self.last_resolve = t
        if activity in _COORD_CODES:
            self.coordination += 1
        if self.seen[activity]:
            self.repeated += 1
        else:
            self.seen[activity] = True
        self.resources.add(resource)
        self.teams.add(team)
        self.prev_res, self.prev_team, self.prev_org = resource, team, org
        self.n += 1
        self.last_t = t
        b.e_case.append(self.local)
        b.e_t.append(t)
        b.e_act.append(activity)
        b.e_res.append(resource)
        b.e_status.append(new_status)
        b.e_group.append(self.group)
        b.e_assignee.append(self.assignee)


def _plan_chains(r: _Random, candidates: list[int], n_followups: int) -> dict[int, int]:
    """Which primary tickets start a re-submission chain, and how many follow-ups each gets."""
    plan: dict[int, int] = {}
    left = n_followups
    while left > 0 and candidates:
        k = candidates.pop(int(r.u() * len(candidates)))
        extra = min(left, 1 if r.chance(0.7) else 2 if r.chance(0.8) else 3)
        plan[k] = extra
        left -= extra
    return plan


class _Requesters:
    """Which requester may file a new unit (a lone ticket, a re-submission chain or a salary story) without
    it coinciding with their previous unit in the same category (see the module doc).

    ``busy[category, person]`` is the wall-clock minute (:meth:`_World.wall`) of that person's last Close
    in that category plus the window and the daylight-saving margin: a unit registered after it is no
    re-submission. Fixed size (categories × people), carried from block to block.
    """

    def __init__(self, world: _World) -> None:
        self.w = world
        self.busy = np.full((len(world.org.categories), len(world.org.people)), np.iinfo(np.int64).min,
                            dtype=np.int64)
        self.employees = [np.asarray(e, dtype=np.int64) for e in world.employees]

    def choose(self, r: _Random, mother: int, cat: int, requester: int, t0: int) -> tuple[int, int]:
        """``(requester, t0)`` when ``requester`` is free at ``t0``; else another free employee of the mother,
        drawn uniformly; else the one free first, with the registration moved to just after that moment."""
        wall = self.w.wall(t0)
        busy = self.busy[cat]
        if busy[requester] < wall:
            return requester, t0
        candidates = self.employees[mother]
        free = candidates[busy[candidates] < wall]
        if len(free):
            return int(free[int(r.u() * len(free))]), t0
        first = int(candidates[int(np.argmin(busy[candidates]))])
        return first, self.w.first_minute_after(int(busy[first]))

    def taken(self, cat: int, requester: int, closed: int) -> None:
        """The requester's unit in ``cat`` ended (last Close) at business minute ``closed``."""
        self.busy[cat, requester] = self.w.wall(closed) + self.w.window + self.w.margin


def generate_blocks(cfg: SimulationConfig, world: _World | None = None) -> Iterator[Block]:
    """Yield the tickets block by block (at most :data:`BLOCK_CASES` cases each), in case-number order."""
    world = world or _World(cfg)
    requesters = _Requesters(world)
    n = cfg.cases
    for k, g0 in enumerate(range(0, n, BLOCK_CASES)):
        g1 = min(n, g0 + BLOCK_CASES)
        yield _build_block(world, k, g0, g1, requesters)


def _build_block(world: _World, k: int, g0: int, g1: int, requesters: _Requesters) -> Block:
    cfg = world.cfg
    rng = np.random.default_rng([cfg.seed, 1, k])
    r = _Random(rng)
    b = _Block(world, r)
    size = g1 - g0
    rates = cfg.rates
    # salary stories: a few tickets each, counted in this block's slots
    n_stories = int(rates.salary_story * size + r.u())
    hr = world.category_team[world.salary_cat]
    story_lengths: list[int] = []
    for _ in range(n_stories):
        length = min(len(world.members[hr]), 4 + int(r.u() * 3))
        if sum(story_lengths) + length <= size // 3:
            story_lengths.append(length)
    story_extra = sum(x - 1 for x in story_lengths)
    n_followups = min(int(rates.resubmission * size + r.u()), (size - story_extra) // 3)
    n_primary = size - story_extra - n_followups
    quant = (g0 + (np.arange(n_primary) + rng.random(n_primary)) * (size / n_primary)) / cfg.cases
    arrivals = world.arrival_minutes(np.minimum(quant, np.nextafter(1.0, 0))).tolist()
    story_at = sorted({int(x) for x in rng.choice(n_primary, size=len(story_lengths), replace=False)}) \
        if story_lengths else []
    story_of = dict(zip(story_at, story_lengths))
    chains = _plan_chains(r, [j for j in range(n_primary) if j not in story_of], n_followups)
    for j in range(n_primary):
        t0 = arrivals[j]
        mother = r.weighted(world.mother_cum)
        requester = r.pick(world.employees[mother])
        if j in story_of:
            requester, t0 = requesters.choose(r, mother, world.salary_cat, requester, t0)
            closed = _salary_story(b, t0, mother, requester, story_of[j])
            requesters.taken(world.salary_cat, requester, closed)
            continue
        cat = r.weighted(world.cat_cum)
        requester, t0 = requesters.choose(r, mother, cat, requester, t0)
        extra = chains.get(j, 0)
        tk = b.ticket(t0, cat, mother, requester, chain=len(b.cases) if extra else -1, position=1 if extra else 0)
        head = tk.local
        for pos in range(2, extra + 2):
            t_next = world.follow_up(tk.t, tk.t + int(r.between(0.1, 3.0) * MINUTES_PER_DAY))
            tk = b.ticket(t_next, cat, mother, requester, chain=head, position=pos)
        requesters.taken(cat, requester, tk.t)
    return _to_block(b, g0)


def _salary_story(b: _Block, t0: int, mother: int, requester: int, length: int) -> int:
    """One unjustified salary change: ``length`` Salariscorrectie tickets over months, each to another
    HR agent; the last is filed by the mother's liaison and fixes it. Each change request is filed 1–8
    working days after the previous one closed (within the re-submission window), so the story is one
    chain. Returns the business minute of the last Close."""
    w, r = b.w, b.r
    hr = w.category_team[w.salary_cat]
    agents = list(w.members[hr])
    order = []
    while agents:
        order.append(agents.pop(int(r.u() * len(agents))))
    head = len(b.cases)
    t = t0
    for pos in range(1, length + 1):
        tk = b.ticket(t, w.salary_cat, mother, requester, chain=head, position=pos, story=1,
                      story_agent=order[pos - 1], story_last=pos == length)
        t = w.follow_up(tk.t, tk.t + int(r.between(1, 8) * MINUTES_PER_DAY))
    return tk.t


def _to_block(b: _Block, g0: int) -> Block:
    cases = pd.DataFrame(b.cases)
    order = np.lexsort((np.arange(len(cases)), cases["t0"].to_numpy()))  # by registration, stable
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    cases = cases.iloc[order].reset_index(drop=True)
    cases["chain"] = np.where(cases["chain"] >= 0, rank[cases["chain"].clip(lower=0)], -1)
    cases.insert(0, "number", g0 + 1 + np.arange(len(cases)))
    events = pd.DataFrame({
        "case": rank[np.asarray(b.e_case, dtype=np.int64)], "minute": np.asarray(b.e_t, dtype=np.int64),
        "activity": np.asarray(b.e_act, dtype=np.int8), "resource": np.asarray(b.e_res, dtype=np.int32),
        "status": np.asarray(b.e_status, dtype=np.int8), "group": np.asarray(b.e_group, dtype=np.int16),
        "assignee": np.asarray(b.e_assignee, dtype=np.int32)})
    events = events.iloc[np.lexsort((events["minute"].to_numpy(), events["case"].to_numpy()))].reset_index(drop=True)
    holds = pd.DataFrame({"case": rank[np.asarray(b.h_case, dtype=np.int64)] if b.h_case else
                          np.zeros(0, dtype=np.int64),
                          "start": np.asarray(b.h_start, dtype=np.int64), "end": np.asarray(b.h_end, dtype=np.int64)})
    return Block(first_number=g0 + 1, events=events, cases=cases, holds=holds)
