"""The roles an activity label or a status value can play, and the ticket states they lead to.

Every label of the log (and every value of its status column) is read as exactly one
:class:`Role`. Analysers ask for roles, never for names, so one definition of "resolved"
serves TOPdesk, ServiceNow, Jira, HP Service Manager, the BPI Challenge logs and a
Dutch spreadsheet alike.

A role moves the ticket into a :class:`State` (see :data:`ROLE_STATE`), or leaves the
state as it was (contact, updates, unrecognised labels). Analysers use the groups at the
bottom of this module (:data:`COORDINATION`, :data:`WORK`, …) rather than lists of their own.

Example:
    >>> Role("resolve").state is State.RESOLVED
    True
    >>> Role.ROUTE in COORDINATION, Role.START_WORK in WORK
    (True, True)
    >>> [r.value for r in Role][:4]
    ['register', 'route', 'forward', 'escalate']
"""

from __future__ import annotations

from enum import Enum, IntEnum

from ssc_mining.i18n import N_


class State(IntEnum):
    """What a ticket is doing after an event; stored per event as a small integer (``-1`` = not known yet)."""

    ACTIVE = 0
    WAIT_REQUESTER = 1
    WAIT_THIRD_PARTY = 2
    WAIT = 3
    RETURNED = 4
    RESOLVED = 5
    CLOSED = 6
    CANCELLED = 7


#: state code of "no role has set a state yet" (the case's first events were contact or updates)
UNKNOWN_STATE = -1


class Role(str, Enum):
    """What an activity label or a status value means; the value is the name used in mapping files."""

    REGISTER = "register"
    ROUTE = "route"
    FORWARD = "forward"
    ESCALATE = "escalate"
    START_WORK = "start_work"
    WORK = "work"
    WAIT_REQUESTER = "wait_requester"
    WAIT_THIRD_PARTY = "wait_third_party"
    WAIT = "wait"
    RESUME = "resume"
    REQUESTER_REPLY = "requester_reply"
    ENQUIRY = "enquiry"
    RETURN = "return"
    APPROVE = "approve"
    ORDER = "order"
    DELIVER = "deliver"
    RESOLVE = "resolve"
    CLOSE = "close"
    CANCEL = "cancel"
    REOPEN = "reopen"
    UPDATE = "update"
    OTHER = "other"

    @property
    def code(self) -> int:
        """Position of the role in :class:`Role` (the per-event code)."""
        return _CODES[self]

    @property
    def state(self) -> State | None:
        """The state this role moves the ticket into, or None when it leaves the state as it was."""
        return ROLE_STATE.get(self)

    @property
    def meaning(self) -> str:
        """One plain English sentence (translated where it is shown)."""
        return MEANING[self]


_CODES = {role: i for i, role in enumerate(Role)}

#: role → the state the ticket is in after an event with that role (absent: the state does not change)
ROLE_STATE: dict[Role, State] = {
    **dict.fromkeys((Role.REGISTER, Role.ROUTE, Role.FORWARD, Role.ESCALATE, Role.START_WORK, Role.WORK, Role.RESUME,
                     Role.REOPEN, Role.APPROVE, Role.ORDER, Role.DELIVER), State.ACTIVE),
    Role.WAIT_REQUESTER: State.WAIT_REQUESTER,
    Role.WAIT_THIRD_PARTY: State.WAIT_THIRD_PARTY,
    Role.WAIT: State.WAIT,
    Role.RETURN: State.RETURNED,
    Role.RESOLVE: State.RESOLVED,
    Role.CLOSE: State.CLOSED,
    Role.CANCEL: State.CANCELLED,
}

#: what each role means, in plain words (docs/semantics.md shows the same table)
MEANING: dict[Role, str] = {
    Role.REGISTER: N_("the request is registered or submitted (again, after a return)"),
    Role.ROUTE: N_("intake, triage, assignment or reassignment: deciding who handles the ticket"),
    Role.FORWARD: N_("the ticket is passed to another team or organisation at the same level"),
    Role.ESCALATE: N_("the ticket is passed to a higher support line or to management"),
    Role.START_WORK: N_("someone starts working on the ticket (in progress, taken in charge)"),
    Role.WORK: N_("a step of the work itself (analyse, check, fix, process)"),
    Role.WAIT_REQUESTER: N_("the ticket waits for the requester (information asked, waiting for the user)"),
    Role.WAIT_THIRD_PARTY: N_("the ticket waits for a supplier, vendor or another party"),
    Role.WAIT: N_("the ticket is on hold, for a reason the export does not say"),
    Role.RESUME: N_("work resumes after a wait"),
    Role.REQUESTER_REPLY: N_("the requester answers, reacts or sends information"),
    Role.ENQUIRY: N_("a status question, reminder or other contact about the ticket"),
    Role.RETURN: N_("the request is sent back to the requester or rejected (returned for correction)"),
    Role.APPROVE: N_("someone approves the request"),
    Role.ORDER: N_("something is ordered or requested from another party (purchase, payment)"),
    Role.DELIVER: N_("the result is delivered"),
    Role.RESOLVE: N_("the ticket is resolved (solved, done, completed)"),
    Role.CLOSE: N_("the ticket is closed"),
    Role.CANCEL: N_("the ticket is cancelled, withdrawn, invalid or a duplicate"),
    Role.REOPEN: N_("the ticket is reopened after it was resolved or closed"),
    Role.UPDATE: N_("an administrative update: a note, a field change, a link, a quality flag"),
    Role.OTHER: N_("no rule recognised this label; it counts as neither coordination nor work"),
}

#: the short name of each role as shown in reports (translated there)
ROLE_NAMES: dict[Role, str] = {
    Role.REGISTER: N_("register / submit"), Role.ROUTE: N_("intake / assign"), Role.FORWARD: N_("forward"),
    Role.ESCALATE: N_("escalate"), Role.START_WORK: N_("start work"), Role.WORK: N_("work"),
    Role.WAIT_REQUESTER: N_("wait for the requester"), Role.WAIT_THIRD_PARTY: N_("wait for another party"),
    Role.WAIT: N_("on hold"), Role.RESUME: N_("resume"), Role.REQUESTER_REPLY: N_("requester answers"),
    Role.ENQUIRY: N_("status question / contact"), Role.RETURN: N_("send back / reject"), Role.APPROVE: N_("approve"),
    Role.ORDER: N_("order"), Role.DELIVER: N_("deliver"), Role.RESOLVE: N_("resolve"), Role.CLOSE: N_("close"),
    Role.CANCEL: N_("cancel"), Role.REOPEN: N_("reopen"), Role.UPDATE: N_("update"), Role.OTHER: N_("other"),
}

#: when an event's label and its status change both carry a role, the earlier one in this list counts
PRECEDENCE: tuple[Role, ...] = (
    Role.REOPEN, Role.CANCEL, Role.CLOSE, Role.RESOLVE, Role.RETURN, Role.DELIVER, Role.ORDER, Role.APPROVE,
    Role.ESCALATE, Role.FORWARD, Role.ROUTE, Role.WAIT_REQUESTER, Role.WAIT_THIRD_PARTY, Role.WAIT, Role.RESUME,
    Role.REGISTER, Role.START_WORK, Role.WORK, Role.REQUESTER_REPLY, Role.ENQUIRY, Role.UPDATE, Role.OTHER,
)

#: when a label and a status imply different states, the earlier one in this list counts
STATE_PRECEDENCE: tuple[State, ...] = (
    State.CANCELLED, State.CLOSED, State.RESOLVED, State.RETURNED, State.WAIT_REQUESTER, State.WAIT_THIRD_PARTY,
    State.WAIT, State.ACTIVE,
)

# -- groups the analysers use ---------------------------------------------------------------------------------

#: work about the work: deciding who handles it, passing it on, chasing it, administrative updates
COORDINATION = frozenset({Role.ROUTE, Role.FORWARD, Role.ESCALATE, Role.ENQUIRY, Role.UPDATE})
#: steps that are the work itself (evidence that a reopened ticket was really worked on again)
WORK = frozenset({Role.START_WORK, Role.WORK, Role.RESUME, Role.APPROVE, Role.ORDER, Role.DELIVER})
#: roles that end the work on a ticket
DONE_ROLES = frozenset({Role.RESOLVE, Role.CLOSE, Role.CANCEL})
WAIT_ROLES = frozenset({Role.WAIT_REQUESTER, Role.WAIT_THIRD_PARTY, Role.WAIT})
#: states in which the work is finished (a later return to work is a reopen)
DONE_STATES = frozenset({State.RESOLVED, State.CLOSED, State.CANCELLED})
WAIT_STATES = frozenset({State.WAIT_REQUESTER, State.WAIT_THIRD_PARTY, State.WAIT})
#: states a case can end in and count as finished (a request returned and never submitted again ended there)
FINAL_STATES = DONE_STATES | {State.RETURNED}


def done_level(state: int) -> int:
    """How final a done state is: resolved 1, closed or cancelled 2, anything else 0.

    A later resolution of the same or a lower level is a new resolution (Resolve → … → Resolve);
    Resolve followed by Close is not.

    >>> done_level(State.RESOLVED), done_level(State.CLOSED), done_level(State.ACTIVE)
    (1, 2, 0)
    """
    return 1 if state == State.RESOLVED else 2 if state in (State.CLOSED, State.CANCELLED) else 0
