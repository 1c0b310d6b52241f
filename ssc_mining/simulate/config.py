"""Options of the simulator: size, period, seed and the rates of the planted phenomena.

Example:
    >>> cfg = SimulationConfig(seed=7, cases=300, rates=Rates(reopen=0.1))
    >>> cfg.rates.reopen, cfg.rates.resubmission
    (0.1, 0.05)
    >>> SimulationConfig(cases=0)
    Traceback (most recent call last):
    ...
    ssc_mining.errors.ConfigError: cases must be at least 1, not 0
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ssc_mining.errors import ConfigError


@dataclass(frozen=True)
class Rates:
    """Probabilities (0–1) with which phenomena are planted. Each is per case unless noted."""

    #: the ticket is sent to a wrong team that sends it straight back (direct ping-pong X→Y→X);
    #: like ``pingpong_indirect`` and ``reassign_within_team`` only for tickets that leave the first line
    pingpong_direct: float = 0.08
    #: the ticket passes two wrong teams before it returns (indirect ping-pong X→Y→Z→X)
    pingpong_indirect: float = 0.04
    #: the ticket is reassigned to a colleague in the same team
    reassign_within_team: float = 0.15
    #: the requester reopens the resolved ticket
    reopen: float = 0.07
    #: given one reopen, the ticket is reopened once more
    reopen_again: float = 0.25
    #: the agent asks the user for information (on hold, waiting for the user)
    wait_user: float = 0.20
    #: given a wait, the agent resumes and puts the ticket on hold again without any contact from the user
    wait_without_contact: float = 0.30
    #: the agent parks the ticket on hold without asking anything
    park_on_hold: float = 0.05
    #: purchases: on hold while waiting for the supplier between Order and Deliver
    supplier_hold: float = 0.5
    #: the requester or a liaison asks about the status (coordination)
    status_enquiry: float = 0.15
    #: the same requester files the same question again shortly after closure (re-submission chain)
    resubmission: float = 0.05
    #: salary-correction stories (a chain of Salariscorrectie tickets over months) per case
    salary_story: float = 0.004
    #: share of Inkoopaanvraag tickets that carry a need-by date
    need_by: float = 0.8
    #: of those, share asked with less lead time than the SSC's norm (delivered late, SLA often met)
    asked_too_late: float = 0.25
    #: of those, share delivered late although the lead time was enough
    ssc_too_slow: float = 0.20

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
                raise ConfigError(f"rate {f.name} must be a number between 0 and 1, not {value!r}")
        if self.asked_too_late + self.ssc_too_slow > 1.0:
            raise ConfigError("asked_too_late + ssc_too_slow must not exceed 1")

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate. ``cases`` tickets arrive over ``months`` from ``start`` (YYYY-MM-DD)."""

    seed: int = 7
    cases: int = 300
    start: str = "2024-01-01"
    months: int = 12
    rates: Rates = field(default_factory=Rates)
    #: SSC people per team (inclusive range)
    team_size: tuple[int, int] = (4, 8)
    #: the re-submission window the ground truth assumes (calendar days, as the reopens analyser's
    #: ``window_days``): a ticket of the same requester and category opened within this many days after
    #: the last event of an earlier ticket is a re-submission of it. Planted chains (re-submissions and
    #: salary-correction stories) follow within it; unplanted tickets are kept out of it (see
    #: :mod:`ssc_mining.simulate.scenario`).
    resubmission_window_days: int = 14

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be a non-negative integer, not {self.seed!r}")
        if not isinstance(self.cases, int) or self.cases < 1:
            raise ConfigError(f"cases must be at least 1, not {self.cases!r}")
        if not isinstance(self.months, int) or not 1 <= self.months <= 120:
            raise ConfigError(f"months must be between 1 and 120, not {self.months!r}")
        try:
            dt.date.fromisoformat(str(self.start))
        except ValueError:
            raise ConfigError(f"start {self.start!r} is not a date", hint="give it as YYYY-MM-DD") from None
        if isinstance(self.rates, dict):
            object.__setattr__(self, "rates", Rates(**self.rates))
        lo, hi = self.team_size
        if not 2 <= lo <= hi <= 30:
            raise ConfigError(f"team_size must be a range within 2–30, not {self.team_size!r}")
        window = self.resubmission_window_days
        if isinstance(window, bool) or not isinstance(window, int) or not 7 <= window <= 90:
            raise ConfigError(f"resubmission_window_days must be a whole number of days within 7–90, not {window!r}",
                              hint="a week always holds a working day, so a planted re-submission fits in it")

    @property
    def start_date(self) -> dt.date:
        return dt.date.fromisoformat(str(self.start))

    @property
    def end_date(self) -> dt.date:
        """First day after the arrival period."""
        s = self.start_date
        month = s.month - 1 + self.months
        return dt.date(s.year + month // 12, month % 12 + 1, 1) if s.day == 1 else \
            dt.date(s.year + month // 12, month % 12 + 1, min(s.day, 28))

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "cases": self.cases, "start": str(self.start), "months": self.months,
                "team_size": list(self.team_size), "resubmission_window_days": self.resubmission_window_days,
                "rates": self.rates.to_dict()}
