"""``topdesk`` and ``topdesk-history``: TOPdesk-style exports as a Dutch Excel user gets them.

Both are ``;``-separated, cp1252-encoded, CRLF, with ``dd-mm-jjjj uu:mm`` local times.

* **snapshot** (one row per melding): ``Nummer`` (``M2403 00123``), ``Aanmelddatum``,
  ``Aanmelder``, ``Organisatie`` (the mother), ``Soort binnenkomst``, ``Soort melding``,
  ``Categorie``, ``Korte omschrijving``, ``Prioriteit``, ``Lijn`` (Eerstelijns /
  Tweedelijns: the highest line reached), ``Behandelaarsgroep`` and ``Behandelaar``
  (the last assignment), ``Status``, ``Streefdatum`` (SLA target), ``Gewenste datum``
  (need-by date, empty when none), ``Gereageerd`` (first SSC action after
  registration), ``Gereed`` (last resolution), ``Afgemeld`` (closure),
  ``On hold duur (min)`` (wall-clock minutes on hold; = ground truth ``wait_seconds / 60``).
* **history** (one row per change, ``mutatie_incident`` style): ``Nummer``,
  ``Datum wijziging``, ``Gewijzigd door`` (the person who acted), ``Actie`` (the
  activity label), ``Status``, ``Behandelaarsgroep``, ``Behandelaar``, ``Categorie``,
  ``Streefdatum``, ``Gewenste datum`` (empty when none): the melding's fields after the change.

Statuses: New → Aangemeld, In progress → In behandeling, On hold → On hold,
Resolved → Gereed, Closed → Afgemeld, Reopened → Heropend.

Example:
    >>> STATUS_NL["Resolved"], CHANNEL_NL["telefoon"]
    ('Gereed', 'Telefonisch')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ssc_mining.simulate.batch import Batch, case_bounds
from ssc_mining.simulate.exports.base import CsvWriter
from ssc_mining.simulate.scenario import STATUSES

STATUS_NL = {"New": "Aangemeld", "In progress": "In behandeling", "On hold": "On hold", "Resolved": "Gereed",
             "Closed": "Afgemeld", "Reopened": "Heropend"}
CHANNEL_NL = {"portal": "Selfservice portal", "telefoon": "Telefonisch", "e-mail": "E-mail"}
_STATUS_NL = np.array([STATUS_NL[s] for s in STATUSES], dtype=object)


class _TopdeskCsv(CsvWriter):
    sep = ";"
    encoding = "cp1252"
    eol = "\r\n"


def _need_by_dutch(b: Batch) -> np.ndarray:
    """Per case: the need-by date (17:00 on the need-by day), empty when none."""
    need_day = b.case_values("need_by_day")
    return np.where(need_day >= 0, b.fmt.day_dutch(np.maximum(need_day, 0)) + " 17:00", "")


class TopdeskSnapshotWriter(_TopdeskCsv):
    format = "topdesk"

    def rows(self, b: Batch) -> pd.DataFrame:
        fmt = b.fmt
        _, last = case_bounds(b.case_of_event, b.n_cases)
        assignee = b.ev_assignee_name[last]
        return pd.DataFrame({
            "Nummer": b.topdesk_number,
            "Aanmelddatum": fmt.dutch(b.case_values("t0")),
            "Aanmelder": b.requester,
            "Organisatie": b.mother,
            "Soort binnenkomst": [CHANNEL_NL[c] for c in b.channel],
            "Soort melding": b.category_kinds[b.case_values("category")],
            "Categorie": b.category,
            "Korte omschrijving": b.subject,
            "Prioriteit": b.priority,
            "Lijn": np.where(b.case_values("max_line") <= 1, "Eerstelijns", "Tweedelijns"),
            "Behandelaarsgroep": b.team_names[b.ev("group")[last]],
            "Behandelaar": np.where(pd.isna(assignee), "", assignee),
            "Status": _STATUS_NL[b.ev("status")[last]],
            "Streefdatum": fmt.dutch(b.due_minute),
            "Gewenste datum": _need_by_dutch(b),
            "Gereageerd": fmt.dutch(b.case_values("first_response")),
            "Gereed": fmt.dutch(b.case_values("resolved")),
            "Afgemeld": fmt.dutch(b.case_values("closed")),
            "On hold duur (min)": (b.wait_seconds // 60).astype(str),
        })


class TopdeskHistoryWriter(_TopdeskCsv):
    format = "topdesk-history"

    def rows(self, b: Batch) -> pd.DataFrame:
        assignee = b.ev_assignee_name
        return pd.DataFrame({
            "Nummer": b.topdesk_number[b.case_of_event],
            "Datum wijziging": b.fmt.dutch(b.ev_minute),
            "Gewijzigd door": b.person_names[b.ev("resource")],
            "Actie": b.activity_names[b.ev("activity")],
            "Status": _STATUS_NL[b.ev("status")],
            "Behandelaarsgroep": b.team_names[b.ev("group")],
            "Behandelaar": np.where(pd.isna(assignee), "", assignee),
            "Categorie": b.category[b.case_of_event],
            "Streefdatum": b.fmt.dutch(b.due_minute)[b.case_of_event],
            "Gewenste datum": _need_by_dutch(b)[b.case_of_event],
        })
