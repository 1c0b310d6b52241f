"""Per-event roles and ticket states, and per-case endings: computed once per log, vectorised.

Definitions (events of a case in log order: time, ties by source row):

* **event role**: the role of the event's activity label; when the event also changes the
  status (or is the case's first event with a status), the role of the new status competes,
  and the earlier one in :data:`~ssc_mining.semantics.roles.PRECEDENCE` counts
  (``Accepted`` + status ``Wait - User`` is a wait; ``Status enquiry`` while on hold stays an enquiry).
  When the statuses come from ``lifecycle:transition`` they describe each event itself, so they
  compete on every event (a repeated ``Accepted`` + ``Assigned`` is an assignment).
* **state after an event**: the state its status implies (every event with a status), or its
  label's role implies; when both imply one, the earlier in
  :data:`~ssc_mining.semantics.roles.STATE_PRECEDENCE` counts (``Completed`` + ``In Call`` is
  resolved). Contact, updates and unrecognised labels keep the state of the event before. An
  event at the same moment as a resolution and after it in the file is part of that resolution:
  it does not take the ticket out of its done state, and it is not an update after closure.
  In logs with XES lifecycle ``start``/``complete`` pairs, only an activity's ``start`` moves
  the state (its ``complete`` ends work begun earlier).
* **reopen**: an event with the role *reopen*, or an event that takes a resolved, closed or
  cancelled ticket back to another state (later than the moment it was resolved), evidenced by
  work (a *work* role) before the next resolution, or by a new resolution of the same level
  (Resolve → … → Resolve; Closed → … → Closed; Resolve → Close is the normal end, not a reopen). An unevidenced
  return is an update after closure: the ticket stays in its done state. A new registration or submission
  after the resolution starts a new request in the same case (the next declaration of a travel
  permit): the ticket is active again, but not reopened.
* **update after resolution or closure**: any other event with a recognised role while the
  ticket is resolved, closed or cancelled, except a further resolution or closure (an event no
  rule recognised is not called an update).
* **repeated resolution**: a resolution or closure recorded while the ticket already was in a
  done state of the same or a higher level, with nothing in between (often a double entry).
* **ended**: the case's last state is resolved, closed, cancelled or returned (a request sent
  back and never submitted again ended there). Only known when the log records endings.
* **started in the export**: the case's first event registers it; only judged when most cases
  (at least half) begin with a registration.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1"] * 5,
    ...     "concept:name": ["Register", "Resolve", "Add note", "Start work", "Resolve"],
    ...     "time:timestamp": pd.date_range("2024-01-01", periods=5, freq="D", tz="UTC")}))
    >>> m = log.markers
    >>> m.reopen.tolist(), m.after_done.tolist()
    ([False, False, False, True, False], [False, False, True, False, False])
    >>> [State(s).name for s in m.state]
    ['ACTIVE', 'RESOLVED', 'RESOLVED', 'ACTIVE', 'RESOLVED']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import CaseIndex, code_dtype
from ssc_mining.semantics.reading import Semantics
from ssc_mining.semantics.roles import (
    DONE_STATES,
    FINAL_STATES,
    PRECEDENCE,
    ROLE_STATE,
    STATE_PRECEDENCE,
    UNKNOWN_STATE,
    WAIT_STATES,
    WORK,
    Role,
    State,
)
from ssc_mining.semantics.vocabulary import normalise

if TYPE_CHECKING:
    from ssc_mining.eventlog.facts import LogFacts

_ROLES = list(Role)
#: rank of each role code in PRECEDENCE (lower wins)
_ROLE_RANK = np.array([PRECEDENCE.index(r) for r in _ROLES] + [len(PRECEDENCE)], dtype=np.int8)
#: state code of each role code (−1: keeps the state); one extra entry for "no role"
_ROLE_STATE = np.array([int(ROLE_STATE[r]) if r in ROLE_STATE else -1 for r in _ROLES] + [-1], dtype=np.int8)
_STATE_RANK = np.full(len(State) + 1, len(STATE_PRECEDENCE), dtype=np.int8)   # index −1 → last entry
for _rank, _state in enumerate(STATE_PRECEDENCE):
    _STATE_RANK[int(_state)] = _rank
_DONE = np.array([s in DONE_STATES for s in State] + [False])
_WAIT = np.array([s in WAIT_STATES for s in State] + [False])
_FINAL = np.array([s in FINAL_STATES for s in State] + [False])
_LEVEL = np.array([1 if s == State.RESOLVED else 2 if s in (State.CLOSED, State.CANCELLED) else 0
                   for s in State] + [0], dtype=np.int64)
_WORK_CODES = np.array([r in WORK for r in _ROLES] + [False])
_NONE = len(_ROLES)   # code of "no role"
_SMALL = np.int8   # a handful of roles and states: one byte per event


@dataclass(frozen=True)
class Markers:
    """Per-event roles and states and per-case endings of one log (see the module doc)."""

    role: np.ndarray        #: role code per event (index into ``list(Role)``; int8, as are the states)
    state: np.ndarray       #: state after the event (``State`` value, −1 unknown)
    prev_state: np.ndarray  #: state before the event (−1 at a case's first event)
    reopen: np.ndarray      #: the event reopens the ticket
    after_done: np.ndarray  #: update after resolution or closure
    repeat_resolution: np.ndarray  #: resolution recorded again without anything in between
    moves_state: np.ndarray  #: False for the ``complete`` of an activity that has ``start`` events
    ended: np.ndarray       #: per case: the last state is a final state
    started: np.ndarray     #: per case: the first event registers the case
    endings_known: bool     #: the log records resolutions, closures, cancellations or returns
    starts_known: bool      #: at least half of the cases begin with a registration
    roles_present: frozenset[Role]

    def has(self, *roles: Role) -> np.ndarray:
        """Per event: True when its role is one of ``roles``."""
        return np.isin(self.role, [r.code for r in roles])

    def present(self, *roles: Role) -> bool:
        """True when some event of the log has one of ``roles``."""
        return any(r in self.roles_present for r in roles)

    def waiting(self) -> np.ndarray:
        """Per event: True when the ticket waits after it (any wait state)."""
        return _WAIT[self.state]

    def done(self) -> np.ndarray:
        """Per event: True when the ticket is resolved, closed or cancelled after it."""
        return _DONE[self.state]

    def resolved_at(self, index: CaseIndex) -> np.ndarray:
        """Per case: position of the event that began its final resolved, closed or cancelled state (−1: none)."""
        into = _DONE[self.state] & ~_DONE[self.prev_state]
        pos = index.last_where(into)
        return np.where(self.done()[index.last] if index.n else np.zeros(0, dtype=bool), pos, -1)

    def ended_at(self, index: CaseIndex) -> np.ndarray:
        """Per case: position of the event that began its final state (resolved, closed, cancelled or returned);
        −1 for a case that did not end."""
        pos = index.last_where(_FINAL[self.state] & ~_FINAL[self.prev_state])
        return np.where(self.ended, pos, -1)

    @property
    def complete(self) -> np.ndarray:
        """Per case: ended (when endings are known) and started in the export (when starts are judged)."""
        out = np.ones(len(self.ended), dtype=bool)
        if self.endings_known:
            out &= self.ended
        if self.starts_known:
            out &= self.started
        return out


def _codes(values: pd.Series, role_of) -> np.ndarray:
    """Role code per event for a column of labels (``_NONE`` where missing); one lookup per distinct value."""
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=True)
    return _role_codes(codes, uniques, role_of)


def _role_codes(codes: np.ndarray, uniques: Any, role_of) -> np.ndarray:
    """Role code per event from a column's factorised codes and distinct values (code −1 → ``_NONE``)."""
    return np.array([role_of(str(u)).code for u in uniques] + [_NONE], dtype=_SMALL)[codes]


def lifecycle_starts(frame: pd.DataFrame) -> frozenset[str]:
    """The activities that have lifecycle ``start`` events (none when the log has no lifecycle column)."""
    if C.LIFECYCLE not in frame.columns or not frame[C.LIFECYCLE].notna().any():
        return frozenset()
    start = _starts(frame)
    return frozenset(pd.unique(frame[C.ACTIVITY][start])) if start.any() else frozenset()


def _starts(frame: pd.DataFrame) -> np.ndarray:
    life = frame[C.LIFECYCLE].astype("string").str.strip().str.lower()
    return (life == "start").fillna(False).to_numpy(dtype=bool)


def _paired(frame: pd.DataFrame, with_start: frozenset[str] | None = None) -> np.ndarray:
    """Per event: True when it is a lifecycle transition other than ``start`` of an activity that has starts
    (``with_start``: those activities, when decided on a whole log of which ``frame`` is a part)."""
    with_start = lifecycle_starts(frame) if with_start is None else with_start
    if not with_start or C.LIFECYCLE not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[C.ACTIVITY].isin(with_start).to_numpy() & ~_starts(frame)


def _fill(case_start: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Carry the last state set (−1: none) forward within each case (``case_start``: per event, the position of
    its case's first event)."""
    n = len(sets)
    if not n:
        return sets.copy()
    pos = np.where(sets >= 0, np.arange(n, dtype=case_start.dtype), -1)
    last = np.maximum.accumulate(pos)
    valid = last >= case_start
    return np.where(valid, sets[np.maximum(last, 0)], UNKNOWN_STATE)


def compute_markers(frame: pd.DataFrame, index: CaseIndex, semantics: Semantics,
                    facts: LogFacts | None = None, *, with_start: frozenset[str] | None = None) -> Markers:
    """The markers of a canonical frame (see the module doc); with ``facts``, the decisions taken on a whole log
    (endings and starts known, roles present, lifecycle starts) are those of the whole log ``frame`` is part of;
    ``with_start`` fixes only the activities with lifecycle starts."""
    n = len(frame)
    # roles and states in one byte and positions in four (on logs below 2**31 events): a dozen arrays per event
    # are alive at once (eight bytes each, they took about 200 MiB at 1M events; the peak at 5M fell ~400 MiB)
    position = np.int32 if n < np.iinfo(np.int32).max else np.int64
    case_start = index.first.astype(position)[index.codes]   # per event: its case's first event
    label_role = _codes(frame[C.ACTIVITY], semantics.role_of) if n else np.zeros(0, dtype=_SMALL)
    moves = ~_paired(frame, facts.lifecycle_starts if facts is not None else with_start)
    status_role = np.full(n, _NONE, dtype=_SMALL)
    changed = np.zeros(n, dtype=bool)
    if semantics.status_column and n:
        status = frame[semantics.status_column]
        codes, uniques = pd.factorize(status, sort=False, use_na_sentinel=True)   # once: roles and changes
        status_role = _role_codes(codes, uniques, semantics.role_of_status)
        same_as = pd.factorize(pd.Index([normalise(str(u)) for u in uniques], dtype=object), sort=False)[0]
        status_codes = np.r_[same_as, -1].astype(code_dtype(len(same_as)))[codes]   # code −1 → −1
        changed = (status_codes >= 0) & (index.previous(status_codes, -2) != status_codes)
        if semantics.status_column == C.LIFECYCLE:   # a sub-status describes the event itself, not a carried state
            changed = status_codes >= 0
    # event role: label, or the new status when it changed and ranks higher
    candidate = np.where(changed, status_role, _NONE)
    role = np.where(_ROLE_RANK[candidate] < _ROLE_RANK[label_role], candidate, label_role)
    # state set by each event
    label_state = np.where(moves, _ROLE_STATE[label_role], -1)
    status_state = _ROLE_STATE[status_role]
    sets = np.where(_STATE_RANK[status_state] < _STATE_RANK[label_state], status_state, label_state)
    done_set = (sets >= 0) & _DONE[sets]
    # an event at the very moment of a resolution (same case, same time, after it in the file) is part of that
    # resolution: it cannot take the ticket out of its done state, whatever the order of the rows
    simultaneous = np.zeros(n, dtype=bool)
    if done_set.any():
        done_pos = np.maximum.accumulate(np.where(done_set, np.arange(n, dtype=position), -1))
        before = np.r_[np.array([-1], dtype=position), done_pos[:-1]] if n else done_pos
        valid = before >= case_start
        simultaneous = valid & (index.seconds == index.seconds[np.maximum(before, 0)]) & (role != Role.REOPEN.code)
        sets = np.where(simultaneous & ~done_set, -1, sets)
    raw = _fill(case_start, sets)
    prev_raw = index.previous(raw, UNKNOWN_STATE)

    # returns from a done state to work, and their evidence
    transition = _DONE[prev_raw] & (raw >= 0) & ~_DONE[raw]
    work = _WORK_CODES[role] & moves
    ids = np.flatnonzero(transition)
    evidenced = np.zeros(n, dtype=bool)
    suppress = np.zeros(n + 1, dtype=np.int64)
    if len(ids):
        big = np.iinfo(np.int64).max
        next_done = np.minimum.accumulate(np.where(done_set, np.arange(n), big)[::-1])[::-1]
        after = np.where(ids + 1 < n, next_done[np.minimum(ids + 1, n - 1)], big)
        case_last = index.last[index.codes[ids]]
        found = after <= case_last
        end = np.where(found, after - 1, case_last)
        work_cum = np.concatenate(([0], np.cumsum(work)))
        worked = work_cum[end + 1] - work_cum[ids] > 0
        level = _LEVEL[prev_raw[ids]]
        new_resolution = found & (_LEVEL[sets[np.where(found, after, 0)]] <= level)
        ok = worked | new_resolution | (role[ids] == Role.REOPEN.code)
        fresh = role[ids] == Role.REGISTER.code   # a new request in the same case: active again, not reopened
        evidenced[ids[ok & ~fresh]] = True
        bad, bad_end = ids[~ok & ~fresh], end[~ok & ~fresh]
        np.add.at(suppress, bad, 1)
        np.add.at(suppress, bad_end + 1, -1)
    hidden = np.cumsum(suppress[:n]) > 0
    state = _fill(case_start, np.where(hidden, -1, sets)) if hidden.any() else raw
    prev_state = index.previous(state, UNKNOWN_STATE)

    reopen = evidenced | (role == Role.REOPEN.code)
    in_done = _DONE[prev_state] & _DONE[state]
    after_done = in_done & ~done_set & moves & ~simultaneous & (role != Role.OTHER.code)
    repeat = in_done & done_set & (_LEVEL[np.where(sets >= 0, sets, 0)] <= _LEVEL[prev_state])

    last_state = state[index.last] if index.n else np.zeros(0, dtype=_SMALL)
    ended = _FINAL[last_state]
    endings_known = bool(((sets >= 0) & _FINAL[sets]).any())
    started = (role[index.first] == Role.REGISTER.code) if index.n else np.zeros(0, dtype=bool)
    starts_known = bool(index.n) and bool(started.mean() >= 0.5)
    present = frozenset(_ROLES[c] for c in pd.unique(role) if c != _NONE)   # hashing: no sort
    if facts is not None:
        endings_known, starts_known, present = facts.endings_known, facts.starts_known, facts.roles_present
    return Markers(role=role.astype(_SMALL), state=state.astype(_SMALL), prev_state=prev_state.astype(_SMALL),
                   reopen=reopen, after_done=after_done,
                   repeat_resolution=repeat, moves_state=moves, ended=ended, started=started,
                   endings_known=endings_known, starts_known=starts_known, roles_present=present)
