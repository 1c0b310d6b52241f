"""``generic``: the canonical event log as a plain CSV (UTF-8, comma, one row per event).

Columns, in this order: ``case_id, activity, timestamp, resource, team, organisation,
line, status, mother, requester, category, priority, channel, need_by, due, subject``
(``subject``: the ticket's short description; a re-submission repeats its first ticket's).
Times are ISO 8601 local times with their offset (``2024-03-04T09:15:00+01:00``);
``line`` is 1, 2 or 3 for SSC events and empty for events on the mother's side;
``need_by`` is empty when the ticket has none. The loader's mapping proposal
recognises every column name.

Example:
    >>> GenericWriter.columns[:3]
    ('case_id', 'activity', 'timestamp')
"""

from __future__ import annotations

import numpy as np

from ssc_mining.simulate.batch import Batch
from ssc_mining.simulate.exports.base import CsvWriter


class GenericWriter(CsvWriter):
    format = "generic"
    eol = "\n"
    columns = ("case_id", "activity", "timestamp", "resource", "team", "organisation", "line", "status",
               "mother", "requester", "category", "priority", "channel", "need_by", "due", "subject")

    def rows(self, b: Batch) -> dict[str, np.ndarray]:
        case = b.case_of_event
        line = b.team_line[b.ev_team]
        need = np.where(b.has_need_by, b.fmt.day_end_iso(np.maximum(b.case_values("need_by_day"), 0)), "")
        return {
            "case_id": b.case_id[case],
            "activity": b.activity_names[b.ev("activity")],
            "timestamp": b.fmt.iso(b.ev_minute),
            "resource": b.person_names[b.ev("resource")],
            "team": b.team_names[b.ev_team],
            "organisation": b.org_names[b.ev_org],
            "line": np.array(["", "1", "2", "3"], dtype=object)[line],
            "status": b.status_names[b.ev("status")],
            "mother": b.mother[case],
            "requester": b.requester[case],
            "category": b.category[case],
            "priority": b.priority[case],
            "channel": b.channel[case],
            "need_by": need[case],
            "due": b.fmt.iso(b.due_minute)[case],
            "subject": b.subject[case],
        }
