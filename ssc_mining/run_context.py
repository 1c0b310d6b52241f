"""The settings of one run, in one place: passed to the analysers, the checks and the report writer.

* ``timezone`` — the zone in which times are shown and counted (months, weeks, working hours); the
  log's own zone (``--timezone`` when it was read, else Europe/Amsterdam) unless given;
* ``as_of`` — the moment of the export: events after it count as "in the future" (default: now), and
  open tickets are aged and judged at it (default: the last event of the log);
* ``privacy`` — who reads the outputs and what they may show about people;
* ``languages`` — the languages the report is written in (the figures are computed once);
* ``strict`` — an analyser that fails stops the run;
* ``jobs`` — how many parts of the run (analysers, checks, the map) may run side by side on threads
  (default with :meth:`RunContext.of`: one for a small log, else the machine's cores, at most 4; see
  :mod:`ssc_mining.parallel`). The figures are the same for any number; one uses the least memory.

An analyser parameter that is a run-wide setting — ``timezone`` and ``as_of`` — defaults to None,
meaning "the run's"; :meth:`RunContext.settle` fills it in before the analyser runs, so its recorded
parameters show the value used. A value given explicitly (``--param workload.as_of=…``) wins.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.analysers.workload import Workload
    >>> context = RunContext(timezone="Europe/Brussels", as_of=pd.Timestamp("2024-03-01", tz="UTC"))
    >>> settled = context.settle(Workload())
    >>> settled.timezone, settled.as_of
    ('Europe/Brussels', '2024-03-01T00:00:00+00:00')
    >>> context.settle(Workload(as_of="2024-02-01")).as_of   # given explicitly: kept
    '2024-02-01'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pandas as pd

from ssc_mining.business_calendar import TIMEZONE
from ssc_mining.parallel import auto_jobs
from ssc_mining.privacy import PrivacySettings

if TYPE_CHECKING:
    from ssc_mining.eventlog.log import EventLog

A = TypeVar("A")


@dataclass(frozen=True)
class RunContext:
    """The settings every part of one run reads (see the module's description)."""

    timezone: str = TIMEZONE
    as_of: pd.Timestamp | None = None
    privacy: PrivacySettings = field(default_factory=lambda: PrivacySettings(pseudonymise=False,
                                                                            key_source="none"))
    languages: tuple[str, ...] = ("en",)
    strict: bool = False
    jobs: int = 1

    @classmethod
    def of(cls, log: EventLog, **settings: Any) -> RunContext:
        """The context of a run on ``log``: its time zone and the threads its size calls for, unless ``settings``
        name others."""
        settings.setdefault("timezone", log.timezone)
        if settings.get("jobs") is None:
            settings["jobs"] = auto_jobs(log.n_events)
        return cls(**settings)

    def settle(self, analyser: A) -> A:
        """``analyser`` with the run-wide settings it leaves open (``timezone``, ``as_of`` set to None) filled in."""
        obj: Any = analyser
        if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
            return analyser
        current = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        changes: dict[str, Any] = {}
        if "timezone" in current and current["timezone"] is None:
            changes["timezone"] = self.timezone
        if "as_of" in current and current["as_of"] is None and self.as_of is not None:
            changes["as_of"] = self.as_of.isoformat()
        return cast(A, dataclasses.replace(obj, **changes)) if changes else analyser
