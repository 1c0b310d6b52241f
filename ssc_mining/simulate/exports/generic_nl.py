"""``generic-nl``: the events of ``generic`` as a Dutch (TOPdesk-like) user exports them.

UTF-8 with BOM, ``;``-separated, CRLF; one row per event, the same rows in the same order
as ``generic``. Columns, in this order: ``Meldingnummer`` (generic ``case_id``),
``Activiteit``, ``Tijdstip``, ``Behandelaar`` (resource), ``Team`` (the performer's
team), ``Organisatie`` (the performer's organisation), ``Lijn`` (``1e lijn``, ``2e lijn``,
``3e lijn``; empty for events on the mother's side), ``Status``, ``Moederorganisatie``
(mother), ``Aanmelder`` (requester), ``Categorie``, ``Prioriteit``, ``Soort binnenkomst``
(channel), ``Gewenste leverdatum`` (need-by, 17:00; empty when none), ``Streefdatum`` (due),
``Korte omschrijving`` (subject).

Times are Europe/Amsterdam wall-clock ``dd-mm-jjjj uu:mm`` without offset: the same
instants as ``generic``. Working hours (08:00–17:00) never touch the daylight-saving
switch, so no time is ambiguous. Activities and statuses are translated by
:data:`ACTIVITY_NL` and :data:`STATUS_NL`; the channel ``portal`` becomes ``portaal``
(:data:`CHANNEL_NL`), the other channels, priorities and categories are Dutch already.

Example:
    >>> ACTIVITY_NL["Resolve"], STATUS_NL["On hold"], GenericNlWriter.columns[:3]
    ('Gereedmelden', 'Wachtend', ('Meldingnummer', 'Activiteit', 'Tijdstip'))
"""

from __future__ import annotations

import numpy as np

from ssc_mining.simulate.batch import Batch
from ssc_mining.simulate.exports.base import CsvWriter
from ssc_mining.simulate.organisation import CHANNELS
from ssc_mining.simulate.scenario import ACTIVITIES, STATUSES

#: activity label (English, as in the simulator) → Dutch
ACTIVITY_NL = {
    "Register": "Melding registreren", "Intake": "Aanname", "Assign": "Toewijzen", "Forward": "Doorsturen",
    "Start work": "In behandeling nemen", "Escalate": "Escaleren", "Put on hold": "In de wacht zetten",
    "Request information from user": "Informatie opvragen bij aanmelder", "User responds": "Reactie aanmelder",
    "Resume": "Hervatten", "Status enquiry": "Statusvraag", "Approve": "Goedkeuren", "Order": "Bestellen",
    "Deliver": "Leveren", "Resolve": "Gereedmelden", "Close": "Afmelden", "Reopen": "Heropenen",
}
#: status (English, as in the simulator) → Dutch
STATUS_NL = {"New": "Aangemeld", "In progress": "In behandeling", "On hold": "Wachtend", "Resolved": "Gereed",
             "Closed": "Afgemeld", "Reopened": "Heropend"}
#: channels that are not Dutch already → Dutch (the others are written as ``generic`` writes them)
CHANNEL_NL = {"portal": "portaal"}

_ACTIVITY = np.array([ACTIVITY_NL[a] for a in ACTIVITIES], dtype=object)
_STATUS = np.array([STATUS_NL[s] for s in STATUSES], dtype=object)
_CHANNEL = np.array([CHANNEL_NL.get(c, c) for c in CHANNELS], dtype=object)
_LINE = np.array(["", "1e lijn", "2e lijn", "3e lijn"], dtype=object)


class GenericNlWriter(CsvWriter):
    format = "generic-nl"
    sep = ";"
    encoding = "utf-8-sig"
    eol = "\r\n"
    columns = ("Meldingnummer", "Activiteit", "Tijdstip", "Behandelaar", "Team", "Organisatie", "Lijn", "Status",
               "Moederorganisatie", "Aanmelder", "Categorie", "Prioriteit", "Soort binnenkomst",
               "Gewenste leverdatum", "Streefdatum", "Korte omschrijving")

    def rows(self, b: Batch) -> dict[str, np.ndarray]:
        case = b.case_of_event
        fmt = b.fmt
        need = np.where(b.has_need_by, fmt.day_dutch(np.maximum(b.case_values("need_by_day"), 0)) + " 17:00", "")
        return {
            "Meldingnummer": b.case_id[case],
            "Activiteit": _ACTIVITY[b.ev("activity")],
            "Tijdstip": fmt.dutch(b.ev_minute),
            "Behandelaar": b.person_names[b.ev("resource")],
            "Team": b.team_names[b.ev_team],
            "Organisatie": b.org_names[b.ev_org],
            "Lijn": _LINE[b.team_line[b.ev_team]],
            "Status": _STATUS[b.ev("status")],
            "Moederorganisatie": b.mother[case],
            "Aanmelder": b.requester[case],
            "Categorie": b.category[case],
            "Prioriteit": b.priority[case],
            "Soort binnenkomst": _CHANNEL[b.case_values("channel")][case],
            "Gewenste leverdatum": need[case],
            "Streefdatum": fmt.dutch(b.due_minute)[case],
            "Korte omschrijving": b.subject[case],
        }
