"""Names of the canonical event-log columns.

The core columns use the XES standard keys, so pm4py works on the frame
without conversion. SSC-specific attributes use the ``ssc:`` namespace;
attributes that belong to the whole case carry pm4py's ``case:`` prefix.

Example:
    >>> from ssc_mining.eventlog import columns as C
    >>> C.CASE, C.ACTIVITY, C.TIMESTAMP
    ('case:concept:name', 'concept:name', 'time:timestamp')
"""

from __future__ import annotations

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
RESOURCE = "org:resource"
TEAM = "org:group"
ROLE = "org:role"
LIFECYCLE = "lifecycle:transition"

#: which organisation performed the event: a mother organisation or the SSC
ORGANISATION = "ssc:organisation"
#: the ticket's status after this event (open, on hold, resolved, …)
STATUS = "ssc:status"
#: support line of the team that handled the event (1, 2, 3)
LINE = "ssc:line"
#: the mother organisation the case is for
MOTHER = "case:ssc:mother"
REQUESTER = "case:ssc:requester"
CATEGORY = "case:ssc:category"
PRIORITY = "case:ssc:priority"
CHANNEL = "case:ssc:channel"
#: date by which the requester needs the result (the Christmas tree)
NEED_BY = "case:ssc:need_by"
#: the SLA / target date of the ticket system
DUE = "case:ssc:due"
#: the ticket system's own counters and SLA outcome, kept on every event of the case (for reconciliation)
REASSIGNMENT_COUNT = "case:ssc:reassignment_count"
REOPEN_COUNT = "case:ssc:reopen_count"
MADE_SLA = "case:ssc:made_sla"
ON_HOLD_MINUTES = "case:ssc:on_hold_minutes"
#: a ticket this one is explicitly linked to (parent, duplicate of, problem, related ticket)
LINK = "case:ssc:link"
#: the ticket's short description (used only to compare tickets; never shown)
SUBJECT = "case:ssc:subject"
#: the ticket's assignment (group, person) after the event, as the ticket system records it; the
#: assignment group is the routing team (ITSM's reassignments), the team column the performer's team
ASSIGNED_GROUP = "ssc:assigned_group"
ASSIGNED_TO = "ssc:assigned_to"
#: 1-based row number of the event in the source file (header = row 1 for CSV/Excel)
SOURCE_ROW = "ssc:source_row"
#: per ticket: how many of its rows were set aside in the quarantine (present only when some were); such a
#: ticket may miss steps, so its figures may be incomplete
ROWS_SET_ASIDE = "case:ssc:rows_set_aside"

CORE = (CASE, ACTIVITY, TIMESTAMP)

#: role name → canonical column; the keys are the CLI option names (--case, --team, …)
ROLES: dict[str, str] = {
    "case": CASE,
    "activity": ACTIVITY,
    "timestamp": TIMESTAMP,
    "resource": RESOURCE,
    "team": TEAM,
    "assigned_group": ASSIGNED_GROUP,
    "role": ROLE,
    "lifecycle": LIFECYCLE,
    "org": ORGANISATION,
    "status": STATUS,
    "line": LINE,
    "mother": MOTHER,
    "requester": REQUESTER,
    "category": CATEGORY,
    "priority": PRIORITY,
    "channel": CHANNEL,
    "need_by": NEED_BY,
    "due": DUE,
    "link": LINK,
    "subject": SUBJECT,
}

#: roles whose values are points in time
TIME_ROLES = ("timestamp", "need_by", "due")

#: roles that name people: pseudonymised in outputs
PERSON_ROLES = ("resource", "requester")
