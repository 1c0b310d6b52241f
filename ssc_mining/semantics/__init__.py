"""The semantics step: what each activity label and status value means, between the event log and the analysers.

Every label and status value of a log is read as one :class:`Role` (register, route, forward, escalate,
start work, wait, resolve, close, reopen, return, …) by rules that live in one data file
(``vocabulary.toml``: English, Dutch, ITIL, ServiceNow, TOPdesk, Jira, HP Service Manager and the public
BPI Challenge logs), by the loader profile, or by the mapping file's ``[semantics]`` tables. Each reading
records why. From the roles, :mod:`~ssc_mining.semantics.markers` derives per event the ticket's state
(active, waiting, returned, resolved, closed, cancelled), reopens and updates after closure, and per case
whether it ended and started inside the export. Analysers read these markers, never names.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["Melding registreren", "Gereedmelden"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)}))
    >>> [(r.value, r.role.value) for r in log.semantics.activities]
    [('Gereedmelden', 'resolve'), ('Melding registreren', 'register')]
    >>> log.markers.ended.tolist()
    [True]
"""

from ssc_mining.semantics.markers import Markers, compute_markers
from ssc_mining.semantics.reading import Reading, Semantics, read_semantics
from ssc_mining.semantics.roles import COORDINATION, DONE_STATES, WAIT_STATES, WORK, Role, State
from ssc_mining.semantics.vocabulary import normalise, read_label

__all__ = ["Role", "State", "Reading", "Semantics", "Markers", "read_semantics", "compute_markers", "read_label",
           "normalise", "COORDINATION", "WORK", "DONE_STATES", "WAIT_STATES"]
