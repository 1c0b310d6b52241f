"""``servicenow``, ``servicenow-history`` and ``servicenow-audit``: ServiceNow ``incident`` exports.

All are UTF-8, comma-separated; missing values are written ``?``.

* **snapshot** (one row per incident): ``number``, ``short_description``, ``caller_id``,
  ``company`` (the mother), ``category``, ``subcategory`` (always ``?``), ``contact_type``,
  ``priority``, ``state`` (labels: New, In Progress, On Hold, Resolved, Closed),
  ``assignment_group``, ``assigned_to``, ``opened_at``, ``resolved_at``, ``closed_at``,
  ``due_date``, ``u_need_by``, ``reassignment_count`` (changes of assignment group),
  ``reopen_count``, ``made_sla`` (``true``/``false``), ``sys_mod_count``, ``hold_reason``.
  Local times ``d/m/yyyy H:MM``.
* **history** (one row per update, the record's fields after it): ``number``, ``state``
  as numeric code (1 New, 2 In Progress — also after a reopen —, 3 On Hold, 6 Resolved,
  7 Closed), ``assignment_group``, ``assigned_to``, ``caller_id``, ``company``,
  ``category``, ``priority``, ``hold_reason``, ``reassignment_count``, ``reopen_count``,
  ``opened_at``, ``resolved_at`` (cleared by a reopen), ``closed_at``, ``due_date``,
  ``u_need_by`` (``?`` when the ticket has none), ``u_action`` (the activity label),
  ``sys_updated_at``, ``sys_updated_by`` (user name), ``sys_mod_count`` (0 = insert).
* **audit** (``sys_audit``, one row per changed field): ``sys_id``, ``documentkey`` (the
  incident's sys_id), ``tablename``, ``fieldname``, ``oldvalue``, ``newvalue``, ``user``
  (user name), ``record_checkpoint``, ``sys_created_on`` (UTC ``yyyy-mm-dd HH:MM:SS``).
  Reference fields (``assignment_group``, ``assigned_to``, ``caller_id``, ``company``) hold
  sys_ids; ``state`` numeric codes; dates UTC (``due_date`` and ``u_need_by`` are set by the
  insert, ``u_need_by`` only when the ticket has one). Every update writes a ``u_action`` row, so
  updates that change no other field are visible too. Side files: ``…-incidents.csv``
  (``sys_id, number``) and ``…-references.csv`` (``sys_id, table, name, user_name`` for
  users, groups and companies).

Example:
    >>> STATE_CODE["Reopened"], STATE_LABEL["On hold"]
    (2, 'On Hold')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ssc_mining.simulate.batch import Batch, case_bounds, changed, previous, running_count
from ssc_mining.simulate.exports.base import CsvWriter, write_rows
from ssc_mining.simulate.organisation import sys_id
from ssc_mining.simulate.scenario import ACTIVITIES, HOLD, REOPEN, RESOLVE, STATUSES

STATE_CODE = {"New": 1, "In progress": 2, "On hold": 3, "Resolved": 6, "Closed": 7, "Reopened": 2}
STATE_LABEL = {"New": "New", "In progress": "In Progress", "On hold": "On Hold", "Resolved": "Resolved",
               "Closed": "Closed", "Reopened": "In Progress"}
PRIORITY_SN = {"Hoog": "2 - High", "Normaal": "3 - Moderate", "Laag": "4 - Low"}
CONTACT_TYPE = {"portal": "Self-service", "telefoon": "Phone", "e-mail": "Email"}
MISSING = "?"
_CODES = np.array([str(STATE_CODE[s]) for s in STATUSES], dtype=object)
_LABELS = np.array([STATE_LABEL[s] for s in STATUSES], dtype=object)


def _hold_reason(b: Batch) -> np.ndarray:
    """``Awaiting Caller`` after a request for information, ``Awaiting Vendor`` / ``Awaiting Change`` when parked."""
    act = b.ev("activity")
    status = b.ev("status")
    purchase = np.array([c.purchase for c in b.world.org.categories])[b.case_values("category")][b.case_of_event]
    start = np.where(act == ACTIVITIES.index("Request information from user"), "Awaiting Caller",
                     np.where(act == HOLD, np.where(purchase, "Awaiting Vendor", "Awaiting Change"), ""))
    # carry the reason through the hold period (events while on hold that do not start it)
    reason = np.empty(len(act), dtype=object)
    current = ""
    case_prev = -1
    for k, (s, st, c) in enumerate(zip(start.tolist(), status.tolist(), b.case_of_event.tolist())):
        if c != case_prev:
            current, case_prev = "", c
        if st != 2:
            current = ""
        elif s:
            current = s
        reason[k] = current or MISSING
    return reason


def _resolved_at(b: Batch) -> np.ndarray:
    """The resolution time as it stands after each event (set by Resolve, cleared by Reopen)."""
    act = b.ev("activity")
    case = b.case_of_event
    # numpy's stubs reject None as a value of np.where; numpy takes it (an object array)
    marks = np.where(act == RESOLVE, b.fmt.servicenow(b.ev_minute), np.where(act == REOPEN, MISSING, None))  # type: ignore[call-overload]
    s = pd.Series(marks, dtype=object)
    group_start = np.r_[True, case[1:] != case[:-1]]
    s[group_start & pd.isna(s).to_numpy()] = MISSING
    return s.ffill().to_numpy()


def _need_by_servicenow(b: Batch) -> np.ndarray:
    """Per case: the need-by date (17:00 local of the need-by day) as the list exports write it, ``?`` when none."""
    need_day = b.case_values("need_by_day")
    return np.where(need_day >= 0, b.fmt.day_servicenow(np.maximum(need_day, 0)) + " 17:00", MISSING)


def _need_by_utc(b: Batch) -> np.ndarray:
    """Per case: the need-by date in UTC as ``sys_audit`` writes it, empty when none."""
    need_day = b.case_values("need_by_day")
    epoch = b.fmt.day_end_epoch(np.maximum(need_day, 0))
    text = pd.to_datetime(epoch, unit="s").strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
    return np.where(need_day >= 0, text, "")


class ServiceNowSnapshotWriter(CsvWriter):
    format = "servicenow"

    def rows(self, b: Batch) -> pd.DataFrame:
        fmt = b.fmt
        _, last = case_bounds(b.case_of_event, b.n_cases)
        assignee = b.ev_assignee_name[last]
        truth_sla = b.case_values("sla_elapsed") <= b.case_values("sla_target")
        return pd.DataFrame({
            "number": b.servicenow_number,
            "short_description": b.subject,
            "caller_id": b.requester,
            "company": b.mother,
            "category": b.category,
            "subcategory": MISSING,
            "contact_type": [CONTACT_TYPE[c] for c in b.channel],
            "priority": [PRIORITY_SN[p] for p in b.priority],
            "state": _LABELS[b.ev("status")[last]],
            "assignment_group": b.team_names[b.ev("group")[last]],
            "assigned_to": np.where(pd.isna(assignee), MISSING, assignee),
            "opened_at": fmt.servicenow(b.case_values("t0")),
            "resolved_at": fmt.servicenow(b.case_values("resolved")),
            "closed_at": fmt.servicenow(b.case_values("closed")),
            "due_date": fmt.servicenow(b.due_minute),
            "u_need_by": _need_by_servicenow(b),
            "reassignment_count": b.case_values("reassignments").astype(str),
            "reopen_count": b.case_values("reopens").astype(str),
            "made_sla": np.where(truth_sla, "true", "false"),
            "sys_mod_count": (b.case_values("n_events") - 1).astype(str),
            "hold_reason": MISSING,
        })


class ServiceNowHistoryWriter(CsvWriter):
    format = "servicenow-history"

    def rows(self, b: Batch) -> pd.DataFrame:
        fmt = b.fmt
        case = b.case_of_event
        first, _ = case_bounds(case, b.n_cases)
        group = b.ev("group")
        act = b.ev("activity")
        closed = np.where(b.ev("status") == STATUSES.index("Closed"), fmt.servicenow(b.ev_minute), MISSING)
        assignee = b.ev_assignee_name
        return pd.DataFrame({
            "number": b.servicenow_number[case],
            "state": _CODES[b.ev("status")],
            "assignment_group": b.team_names[group],
            "assigned_to": np.where(pd.isna(assignee), MISSING, assignee),
            "caller_id": b.requester[case],
            "company": b.mother[case],
            "category": b.category[case],
            "priority": np.array([PRIORITY_SN[p] for p in b.priority], dtype=object)[case],
            "hold_reason": _hold_reason(b),
            "reassignment_count": running_count(case, changed(case, group)).astype(str),
            "reopen_count": running_count(case, act == REOPEN).astype(str),
            "opened_at": fmt.servicenow(b.case_values("t0"))[case],
            "resolved_at": _resolved_at(b),
            "closed_at": closed,
            "due_date": fmt.servicenow(b.due_minute)[case],
            "u_need_by": _need_by_servicenow(b)[case],
            "u_action": b.activity_names[act],
            "sys_updated_at": fmt.servicenow(b.ev_minute),
            "sys_updated_by": b.person_users[b.ev("resource")],
            "sys_mod_count": (np.arange(len(case)) - first[case]).astype(str),
        })


class ServiceNowAuditWriter(CsvWriter):
    format = "servicenow-audit"
    columns = ("sys_id", "documentkey", "tablename", "fieldname", "oldvalue", "newvalue", "user",
               "record_checkpoint", "sys_created_on")

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        stem = path.name.removesuffix(".csv")
        self.extra = {"servicenow-audit-incidents": path.with_name(stem + "-incidents.csv"),
                      "servicenow-audit-references": path.with_name(stem + "-references.csv")}
        self._incidents = open(self.extra["servicenow-audit-incidents"], "w", encoding="utf-8", newline="")
        self._references_written = False

    def rows(self, b: Batch) -> pd.DataFrame:
        fmt = b.fmt
        case = b.case_of_event
        first, _ = case_bounds(case, b.n_cases)
        n = len(case)
        act = b.ev("activity")
        mod = np.arange(n) - first[case]
        created = fmt.utc(b.ev_minute)
        user = b.person_users[b.ev("resource")]
        team_ids = np.array([sys_id("sys_user_group", t) for t in b.team_names], dtype=object)
        company_ids = np.array([sys_id("core_company", o) for o in b.org_names], dtype=object)
        person_ids = b.person_sys_ids
        doc = b.servicenow_sys_id[case]
        is_insert = mod == 0
        group = b.ev("group")
        assignee = b.ev("assignee")
        state = _CODES[b.ev("status")]
        group_id = team_ids[group]
        assignee_id = np.where(assignee >= 0, person_ids[np.maximum(assignee, 0)], "")
        reassign = running_count(case, changed(case, group)).astype(str)
        reopen = running_count(case, act == REOPEN).astype(str)
        hold = _hold_reason(b)
        hold = np.where(hold == MISSING, "", hold)
        resolved = _resolved_at_utc(b)

        fields: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []  # (name, mask, new, old)

        def field(name: str, values: np.ndarray, on_insert: bool = True, always: bool = False) -> None:
            values = np.asarray(values, dtype=object)
            old = previous(case, values, "")
            mask = np.where(is_insert, on_insert & (values != ""), always | (values != old))
            fields.append((name, mask, values, old))

        c_caller = person_ids[b.case_values("requester")][case]
        c_company = company_ids[b.case_values("mother")][case]
        field("number", b.servicenow_number[case], True)
        field("caller_id", c_caller)
        field("company", c_company)
        field("category", b.category[case])
        field("priority", np.array([PRIORITY_SN[p] for p in b.priority], dtype=object)[case])
        field("opened_at", fmt.utc(b.case_values("t0"))[case])
        field("due_date", fmt.utc(b.due_minute)[case])
        field("u_need_by", _need_by_utc(b)[case])
        field("state", state)
        field("assignment_group", group_id)
        field("assigned_to", assignee_id)
        field("hold_reason", hold)
        field("reassignment_count", reassign, on_insert=False)
        field("reopen_count", reopen, on_insert=False)
        field("resolved_at", resolved)
        field("closed_at", np.where(b.ev("status") == STATUSES.index("Closed"), created, ""))
        field("u_action", b.activity_names[act], always=True)
        frames = []
        for k, (name, mask, new, old) in enumerate(fields):
            idx = np.flatnonzero(mask)
            frames.append(pd.DataFrame({"_ev": idx, "_f": k, "fieldname": name, "oldvalue": old[idx],
                                        "newvalue": new[idx]}))
        rows = pd.concat(frames, ignore_index=True).sort_values(["_ev", "_f"], kind="stable")
        ev = rows["_ev"].to_numpy()
        rows.insert(0, "documentkey", doc[ev])
        rows.insert(1, "tablename", "incident")
        rows["user"] = user[ev]
        rows["record_checkpoint"] = mod[ev].astype(str)
        rows["sys_created_on"] = created[ev]
        rows.insert(0, "sys_id", [sys_id("sys_audit", d, m, f) for d, m, f in
                                  zip(rows["documentkey"], rows["record_checkpoint"], rows["fieldname"])])
        self._write_side_files(b)
        return rows[list(self.columns)]

    def _write_side_files(self, b: Batch) -> None:
        write_rows(self._incidents, pd.DataFrame({"sys_id": b.servicenow_sys_id, "number": b.servicenow_number}),
                   sep=",", header=self._first, eol="\n")
        if not self._references_written:
            org = b.world.org
            refs = ([(p.sys_id, "sys_user", p.name, p.user_name) for p in org.people] +
                    [(sys_id("sys_user_group", t.name), "sys_user_group", t.name, "") for t in org.teams] +
                    [(sys_id("core_company", o), "core_company", o, "") for o in b.org_names])
            with open(self.extra["servicenow-audit-references"], "w", encoding="utf-8", newline="") as fh:
                write_rows(fh, pd.DataFrame(refs, columns=["sys_id", "table", "name", "user_name"]), sep=",",
                           header=True, eol="\n")
            self._references_written = True

    def close(self) -> None:
        super().close()
        self._incidents.close()


def _resolved_at_utc(b: Batch) -> np.ndarray:
    act = b.ev("activity")
    case = b.case_of_event
    # numpy's stubs reject None as a value of np.where; numpy takes it (an object array)
    marks = np.where(act == RESOLVE, b.fmt.utc(b.ev_minute), np.where(act == REOPEN, "", None))  # type: ignore[call-overload]
    s = pd.Series(marks, dtype=object)
    group_start = np.r_[True, case[1:] != case[:-1]]
    s[group_start & pd.isna(s).to_numpy()] = ""
    return s.ffill().to_numpy()
