"""ServiceNow profiles: ``servicenow`` (incident list), ``servicenow-history`` and ``servicenow-audit``.

Quirks handled: ``?`` and empty strings are missing; ``state`` as numeric code
(1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled) or label,
an unknown code is quarantined ("unknown state code 9"); list exports have
local day-first times without seconds (``d/m/yyyy H:MM``), ``sys_audit`` has
UTC times (``yyyy-mm-dd HH:MM:SS``) and sys_ids in reference fields.

* ``servicenow``: one event per filled date: ``opened_at`` → Register,
  ``resolved_at`` → Resolve, ``closed_at`` → Close; the counters
  ``reassignment_count``, ``reopen_count`` and ``made_sla`` become case attributes.
* ``servicenow-history``: one row per update (the record after it, with
  ``sys_updated_at`` / ``sys_updated_by``) → one event per update that names an
  action (``u_action``) or changes state, assignment group or assignee. With a
  people directory (``*people.csv`` next to the export, or ``people`` / ``users``
  under ``[profiles.servicenow-history]``) ``sys_updated_by`` user ids become names.
* ``servicenow-audit``: ``sys_audit`` rows (one per changed field) grouped per
  update (``documentkey`` + ``record_checkpoint``) and rebuilt into the same
  events. Side files next to the audit file, when present: ``<stem>-incidents.csv``
  (``sys_id, number``: the incident numbers, and the list of known tickets) and
  ``<stem>-references.csv`` (``sys_id, table, name, user_name``: names of users,
  groups and companies). Without them the case id is the ``number`` field of the
  insert and references stay sys_ids.

In the histories ``due_date`` and ``u_need_by`` (sys_audit: their field rows) become the
case attributes due and need-by with the last known value per ticket.

The history profiles take the team, organisation and support line of whoever acted
from the people directory when there is one (see ``_common.find_people`` and
``docs/profiles.md``), else they infer team and organisation from the assignments.

Example:
    >>> import numpy as np, pandas as pd
    >>> from ssc_mining.loaders.raw import RawTable
    >>> raw = RawTable(pd.DataFrame({"number": ["INC1", "INC2"], "state": ["7", "9"],
    ...     "assignment_group": ["ICT", "ICT"], "opened_at": ["2/1/2024 9:56", "3/1/2024 9:00"],
    ...     "closed_at": ["8/1/2024 10:47", "?"]}), np.array([2, 3]), reader="csv")
    >>> print(ServiceNow().detect(raw))
    columns number, opened_at, state, assignment_group look like a ServiceNow incident list export (servicenow profile)
    >>> table = ServiceNow().to_events(raw, None)
    >>> table.raw.frame["activity"].tolist(), table.raw.rejected[0].reason
    (['Register', 'Close'], 'unknown state code 9')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.inputs import record_input
from ssc_mining.i18n import N_
from ssc_mining.loaders.profiles import Profile, ProfiledTable
from ssc_mining.loaders.profiles._common import (
    SSC_NAME,
    People,
    activity_table,
    actor_attributes,
    canonical_status,
    clean,
    evidence,
    find_people,
    finish,
    has_columns,
    history_events,
    history_roles,
    last_known,
    options,
    recognise,
    require,
    snapshot_events,
    with_utc_offset,
)
from ssc_mining.loaders.raw import RawTable, RejectedRow

TIME_FORMAT = "%d/%m/%Y %H:%M"
AUDIT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S%z"
SNAPSHOT_ACTIVITIES = {"opened_at": "Register", "resolved_at": "Resolve", "closed_at": "Close"}
SNAPSHOT_ROLES = {"opened_at": "register", "resolved_at": "resolve", "closed_at": "close"}
CASE_ROLES = {"caller_id": "requester", "company": "mother", "contact_type": "channel", "category": "category",
              "priority": "priority", "due_date": "due", "u_need_by": "need_by", "short_description": "subject",
              "problem_id": "link", "parent_incident": "link"}
#: date case attributes a history repeats on every row: the last known value per ticket is kept
DATE_ROLES = ("due_date", "u_need_by")
COUNTERS = {"reassignment_count": C.REASSIGNMENT_COUNT, "reopen_count": C.REOPEN_COUNT, "made_sla": C.MADE_SLA}
_SELF_SERVICE = ("self-service", "self service", "portal")
_TRUE = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _state_column(frame: pd.DataFrame) -> str | None:
    return next((c for c in ("state", "incident_state") if c in frame), None)


def _clean_frame(raw: RawTable) -> pd.DataFrame:
    frame = raw.frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        frame[column] = clean(frame[column])
    frame["_row"] = raw.source_rows
    return frame


def _reject_unknown_states(frame: pd.DataFrame, state_col: str | None) -> tuple[pd.DataFrame, list[RejectedRow],
                                                                                    pd.Series | None]:
    if state_col is None:
        return frame, [], None
    status, unknown = canonical_status(frame[state_col], codes=True)
    rejected = [RejectedRow(int(r), N_("unknown state code %(code)s") % {"code": v}, f"{state_col}={v}")
                for r, v in zip(frame.loc[unknown, "_row"], frame.loc[unknown, state_col])]
    return frame[~unknown.to_numpy()], rejected, status[~unknown.to_numpy()]


def _counters(events: pd.DataFrame) -> pd.DataFrame:
    renames = {c: name for c, name in COUNTERS.items() if c in events}
    events = events.rename(columns=renames)
    if C.MADE_SLA in events:
        events[C.MADE_SLA] = events[C.MADE_SLA].str.lower().map(_TRUE).astype("boolean")
    return events


def _display_names(people: People | None) -> dict[str, str]:
    """user_name → display name from the people directory (ServiceNow ``sys_user``)."""
    if people is None or "user_name" not in people.frame:
        return {}
    known = people.frame.dropna(subset=["user_name"])
    return dict(zip(known["user_name"], known["name"]))


class ServiceNow(Profile):
    """ServiceNow incident list export (snapshot): events from the date columns."""

    name = "servicenow"
    description = "ServiceNow incident list (number, opened_at, state …): events from opened/resolved/closed dates."
    null_values = ("?",)

    def detect(self, raw: RawTable) -> str | None:
        state = _state_column(raw.frame)
        needed = ["number", "opened_at", state or "state", "assignment_group"]
        if raw.reader == "xes" or not has_columns(raw, needed) or has_columns(raw, ["sys_updated_at"]):
            return None
        return evidence(self.name, needed, N_("a ServiceNow incident list export"))

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable:
        require(raw, self.name, ["number", "opened_at"])
        labels = activity_table(spec, self.name, SNAPSHOT_ACTIVITIES)
        frame = _clean_frame(raw)
        state_col = _state_column(frame)
        frame, rejected, status = _reject_unknown_states(frame, state_col)
        if status is not None:
            frame[state_col] = status
        dates = {c: a for c, a in labels.items() if c in frame and a}
        events, _ = snapshot_events(raw, frame, dates=dates, first="opened_at")
        ssc_name = options(spec, self.name).get("ssc_name", SSC_NAME)
        by_assignee = events["activity"].isin([labels.get("resolved_at"), labels.get("closed_at")]).to_numpy()
        if "assigned_to" in events:
            events.loc[by_assignee, "resource"] = events.loc[by_assignee, "assigned_to"]
            events.loc[by_assignee & events["resource"].notna().to_numpy(), "organisation"] = ssc_name
        if "assignment_group" in events:
            events.loc[by_assignee, "team"] = events.loc[by_assignee, "assignment_group"]
        if {"caller_id", "contact_type"} <= set(events.columns):
            portal = events["contact_type"].fillna("").str.lower().str.contains("|".join(_SELF_SERVICE)).to_numpy()
            by_caller = (events["activity"] == labels.get("opened_at")).to_numpy() & portal
            events.loc[by_caller, "resource"] = events.loc[by_caller, "caller_id"]
            if "company" in events:
                events.loc[by_caller, "organisation"] = events.loc[by_caller, "company"]
        events = _counters(events)
        mapping = {"case": "number", "activity": "activity", "timestamp": "timestamp", "resource": "resource",
                   "team": "team", "org": "organisation"}
        mapping.update({role: col for col, role in CASE_ROLES.items() if col in events})
        notes = [N_("servicenow: one event per filled date (%(dates)s); a list export does not hold the updates in "
                    "between") % {"dates": ", ".join(f"{c} → {a}" for c, a in dates.items())},
                 N_("servicenow: handler and team of Resolve and Close are the last assigned_to / assignment_group; "
                    "Register is by the requester (caller_id) when contact_type is self-service")]
        fixed = {dates[c]: role for c, role in SNAPSHOT_ROLES.items() if c in dates}
        return finish(raw, events, mapping, time_format=TIME_FORMAT, dayfirst=True, rejected=rejected, notes=notes,
                      semantics=fixed)


class ServiceNowHistory(Profile):
    """ServiceNow incident history: one row per update, the record's fields after it."""

    name = "servicenow-history"
    description = ("ServiceNow incident history (number, sys_updated_at, sys_updated_by …): "
                   "one event per action or change of state, group or assignee.")
    null_values = ("?",)

    REQUIRED = ("number", "sys_updated_at", "sys_updated_by")

    def detect(self, raw: RawTable) -> str | None:
        return recognise(raw, self.name, self.REQUIRED, N_("a ServiceNow incident history (one row per update)"))

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable:
        require(raw, self.name, self.REQUIRED)
        opts = options(spec, self.name)
        labels = activity_table(spec, self.name, {})
        frame = _clean_frame(raw)
        state_col = _state_column(frame)
        frame, rejected, status = _reject_unknown_states(frame, state_col)
        people, people_notes = find_people(raw, spec, self.name)
        users = _display_names(people)
        if users:
            frame["sys_updated_by"] = frame["sys_updated_by"].map(lambda u: users.get(u, u))
        action_col = opts.get("action_column", "u_action")
        empty = pd.Series(None, index=frame.index, dtype=object)
        h = pd.DataFrame({"_row": frame["_row"], "_case": frame["number"], "_time": frame["sys_updated_at"],
                          "_status": status if status is not None else empty,
                          "_status_raw": frame[state_col] if state_col else empty,
                          "_group": frame.get("assignment_group", empty), "_assignee": frame.get("assigned_to", empty)})
        if action_col and action_col in frame:
            h["_action"] = frame[action_col]
        drop = {"number", "sys_updated_at", "assignment_group", "assigned_to", action_col, "_row",
                *(c for c in COUNTERS if c in frame)}
        if state_col:
            drop.add(state_col)
        h = pd.concat([h, frame[[c for c in frame.columns if c not in drop]]], axis=1)
        events, skipped = history_events(h, labels=labels, time_format=TIME_FORMAT,
                                         use_actions=bool(opts.get("use_actions", True)))
        team, org, line, actor_notes = actor_attributes(
            h["sys_updated_by"], h["_assignee"], h["_group"], people=people, profile=self.name,
            requester=h.get("caller_id"), mother=h.get("company"), ssc_name=opts.get("ssc_name", SSC_NAME))
        events = events.assign(**{"number": events["_case"], "sys_updated_at": events["_time"],
                                  "team": team.loc[events.index], "organisation": org.loc[events.index],
                                  "actor_line": line.loc[events.index],
                                  "status": events["_status"], C.ASSIGNED_GROUP: events["_group"],
                                  C.ASSIGNED_TO: events["_assignee"]})
        ordered = frame.assign(_t=pd.to_datetime(frame["sys_updated_at"], format=TIME_FORMAT, errors="coerce"))
        ordered = ordered.sort_values(["number", "_t", "_row"], kind="stable")
        for column, name in COUNTERS.items():
            if column in ordered:
                last = ordered.dropna(subset=[column]).groupby("number")[column].last()
                events[name] = events["_case"].map(last)
        events = _counters(events)
        for column, last in last_known(frame, "number", "sys_updated_at", DATE_ROLES, time_format=TIME_FORMAT).items():
            events[column] = events["_case"].map(last)
        mapping = {"case": "number", "activity": "activity", "timestamp": "sys_updated_at",
                   "resource": "sys_updated_by", "team": "team", "org": "organisation", "status": "status"}
        mapping.update({role: col for col, role in CASE_ROLES.items() if col in events})
        if events["actor_line"].notna().any():
            mapping["line"] = "actor_line"
        else:
            events = events.drop(columns=["actor_line"])
        notes = [N_("servicenow-history: one event per update that names an action (u_action) or changes state, "
                    "assignment_group or assigned_to; the handler is sys_updated_by (user ids translated to names "
                    "with the people directory)") if users else
                 N_("servicenow-history: one event per update that names an action (u_action) or changes state, "
                    "assignment_group or assigned_to; the handler is sys_updated_by")]
        notes += people_notes + actor_notes
        if people is None and not team.notna().any():
            notes.append(N_("servicenow-history: sys_updated_by holds user ids and assigned_to display names, so the "
                            "team of whoever acted cannot be linked; put a people directory (name, user_name, team, "
                            "organisation, line) next to the export or name it as [profiles.servicenow-history] "
                            "people = \"people.csv\" (a users file with user_name, name also works)"))
        return finish(raw, events, mapping, time_format=TIME_FORMAT, dayfirst=True, skipped=skipped,
                      rejected=rejected, notes=notes, semantics=history_roles(labels))


_AUDIT_FIELDS = ("number", "state", "assignment_group", "assigned_to", "u_action", "caller_id", "company",
                 "category", "priority", "due_date", "u_need_by", "opened_at", "reassignment_count",
                 "reopen_count")
_AUDIT_DATES = ("opened_at", "due_date", "u_need_by", "resolved_at", "closed_at")
_CLEARED = "\x00cleared"


class ServiceNowAudit(Profile):
    """ServiceNow ``sys_audit`` rows (one per changed field), rebuilt into one event per update."""

    name = "servicenow-audit"
    description = ("ServiceNow sys_audit (documentkey, fieldname, oldvalue, newvalue …), with its -incidents and "
                   "-references side files when present: one event per action or change of state, group or assignee.")

    RECOGNISED_BY = ("documentkey", "fieldname", "newvalue", "sys_created_on")

    def detect(self, raw: RawTable) -> str | None:
        return recognise(raw, self.name, self.RECOGNISED_BY, N_("ServiceNow sys_audit rows"))

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable:
        require(raw, self.name, [*self.RECOGNISED_BY, "user"])
        opts = options(spec, self.name)
        labels = activity_table(spec, self.name, {})
        path = Path(raw.details["path"]) if raw.details.get("path") else None
        incidents, refs, notes = self._side_files(path, opts)
        frame = raw.frame.copy()
        frame.columns = [str(c) for c in frame.columns]
        for column in frame.columns:
            frame[column] = clean(frame[column], nulls=())
        frame["_row"] = raw.source_rows
        skipped: dict[str, int] = {}
        if "tablename" in frame:
            other = frame["tablename"].fillna("incident") != "incident"
            skipped["sys_audit row of another table than incident"] = int(other.sum())
            frame = frame[~other.to_numpy()]
        rejected: list[RejectedRow] = []

        def reject(mask: pd.Series, reason: Any) -> None:
            nonlocal frame
            hit = frame[mask.to_numpy()]
            reasons = hit.apply(reason, axis=1) if callable(reason) else [reason] * len(hit)
            for (_, r), text in zip(hit.iterrows(), reasons):
                rejected.append(RejectedRow(int(r["_row"]), text,
                                            f"{r['documentkey']} | {r['fieldname']} | {r['newvalue']}"))
            frame = frame[~mask.to_numpy()]

        if incidents is not None:
            reject(~frame["documentkey"].isin(incidents.index),
                   lambda r: N_("unknown ticket: documentkey %(key)s is not in the incidents side file")
                   % {"key": r["documentkey"]})
        field, value = frame["fieldname"], frame["newvalue"]
        _, unknown = canonical_status(value.where(field == "state"), codes=True)
        reject(unknown & (field == "state"), lambda r: N_("unknown state code %(code)s") % {"code": r["newvalue"]})
        field, value = frame["fieldname"], frame["newvalue"]
        counts = field.isin(["reassignment_count", "reopen_count", "record_checkpoint"]) & value.notna()
        reject(counts & ~value.str.fullmatch(r"\d+").fillna(False).astype(bool),
               lambda r: N_("unparseable value %(value)s for %(field)s")
               % {"value": repr(r["newvalue"]), "field": r["fieldname"]})
        field, value = frame["fieldname"], frame["newvalue"]
        dates = field.isin(_AUDIT_DATES) & value.notna()
        parsed = pd.to_datetime(value.where(dates), format="%Y-%m-%d %H:%M:%S", errors="coerce")
        reject(dates & parsed.isna(), lambda r: N_("unparseable value %(value)s for %(field)s")
               % {"value": repr(r["newvalue"]), "field": r["fieldname"]})

        key = ["documentkey", "record_checkpoint"] if "record_checkpoint" in frame else \
            ["documentkey", "sys_created_on", "user"]
        frame = frame.assign(_value=frame["newvalue"].fillna(_CLEARED))
        frame["_update"] = frame.groupby(key, sort=False, dropna=False).ngroup()
        updates = frame.groupby("_update", sort=False).agg(
            _row=("_row", "first"), documentkey=("documentkey", "first"), sys_created_on=("sys_created_on", "first"),
            user=("user", "first"), n=("_row", "size"))
        wanted = frame[frame["fieldname"].isin(_AUDIT_FIELDS)]
        wide = wanted.pivot_table(index="_update", columns="fieldname", values="_value", aggfunc="last")
        updates = updates.join(wide)
        for name in _AUDIT_FIELDS:
            if name not in updates:
                updates[name] = None
        updates["_checkpoint"] = pd.to_numeric(frame.groupby("_update")[key[1]].first(), errors="coerce") \
            if key[1] == "record_checkpoint" else np.nan
        updates["_t"] = pd.to_datetime(updates["sys_created_on"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        updates = updates.sort_values(["documentkey", "_checkpoint", "_t", "_row"], kind="stable")
        state_fields = [f for f in _AUDIT_FIELDS if f != "u_action"]
        updates[state_fields] = updates.groupby("documentkey", sort=False)[state_fields].ffill()
        updates = updates.replace(_CLEARED, None)

        group_names = refs.get("sys_user_group", {}) if refs else {}
        user_names = refs.get("sys_user", {}) if refs else {}
        login_names = refs.get("login", {}) if refs else {}
        company_names = refs.get("core_company", {}) if refs else {}
        if incidents is not None:
            case = updates["documentkey"].map(incidents)
        else:
            case = updates.groupby("documentkey")["number"].transform("first")
            if case.isna().any():
                notes.append(N_("servicenow-audit: no incidents side file and no number field for some tickets; "
                                "their case id is the sys_id"))
            case = case.fillna(updates["documentkey"])

        def name_of(values: pd.Series, table: dict[str, str]) -> pd.Series:
            return values.map(lambda v: table.get(v, v) if isinstance(v, str) else None)

        status, _ = canonical_status(updates["state"], codes=True)
        h = pd.DataFrame({
            "_row": updates["_row"], "_case": case, "_time": with_utc_offset(updates["sys_created_on"]),
            "_status": status, "_status_raw": updates["state"],
            "_group": name_of(updates["assignment_group"], group_names),
            "_assignee": name_of(updates["assigned_to"], user_names),
            "_action": updates["u_action"],
            "user": name_of(updates["user"], login_names),
            "caller_id": name_of(updates["caller_id"], user_names),
            "company": name_of(updates["company"], company_names),
            "category": updates["category"], "priority": updates["priority"],
            "due_date": with_utc_offset(updates["due_date"]),
            "u_need_by": with_utc_offset(updates["u_need_by"]),
            "opened_at": with_utc_offset(updates["opened_at"]),
            C.REASSIGNMENT_COUNT: updates["reassignment_count"], C.REOPEN_COUNT: updates["reopen_count"],
        })
        events, skipped_updates = history_events(h, labels=labels, time_format=AUDIT_TIME_FORMAT,
                                                 use_actions=bool(opts.get("use_actions", True)))
        skipped.update(skipped_updates)
        merged = int(updates["n"].sum() - len(updates))
        skipped["further field rows of the same update (merged into its event)"] = merged
        people, people_notes = find_people(raw, spec, self.name)
        team, org, line, actor_notes = actor_attributes(h["user"], h["_assignee"], h["_group"], people=people,
                                                        profile=self.name, requester=h["caller_id"],
                                                        mother=h["company"], ssc_name=opts.get("ssc_name", SSC_NAME))
        notes += people_notes + actor_notes
        events = events.assign(**{"number": events["_case"], "sys_created_on": events["_time"],
                                  "team": team.loc[events.index], "organisation": org.loc[events.index],
                                  "actor_line": line.loc[events.index],
                                  "status": events["_status"], C.ASSIGNED_GROUP: events["_group"],
                                  C.ASSIGNED_TO: events["_assignee"]})
        for name in (C.REASSIGNMENT_COUNT, C.REOPEN_COUNT, "caller_id", "company", "category", "priority",
                     "due_date", "u_need_by"):
            last = h.dropna(subset=[name]).groupby("_case")[name].last()
            events[name] = events["_case"].map(last)
        for name in (C.REASSIGNMENT_COUNT, C.REOPEN_COUNT):
            events[name] = events[name].astype(object).fillna("0")
        mapping = {"case": "number", "activity": "activity", "timestamp": "sys_created_on", "resource": "user",
                   "team": "team", "org": "organisation", "status": "status", "requester": "caller_id",
                   "mother": "company", "category": "category", "priority": "priority", "due": "due_date",
                   "need_by": "u_need_by"}
        if events["actor_line"].notna().any():
            mapping["line"] = "actor_line"
        else:
            events = events.drop(columns=["actor_line"])
        notes += [N_("servicenow-audit: sys_audit rows grouped per update (documentkey + record_checkpoint) into one "
                     "event per update that names an action (u_action) or changes state, assignment_group or "
                     "assigned_to; times are UTC")]
        return finish(raw, events, mapping, time_format=AUDIT_TIME_FORMAT, dayfirst=None, skipped=skipped,
                      rejected=rejected, notes=notes, semantics=history_roles(labels))

    @staticmethod
    def _side_files(path: Path | None, opts: dict[str, Any]) -> tuple[pd.Series | None, dict | None, list[str]]:
        """The incidents (sys_id → number) and references (table → sys_id → name) side files, if there."""
        from ssc_mining.loaders.csv_reader import read_csv

        notes: list[str] = []
        if path is None:
            return None, None, notes
        stem = path.name.removesuffix(".csv")
        found: dict[str, Path | None] = {}
        for kind in ("incidents", "references"):
            given = opts.get(kind)
            candidate = (path.parent / given) if given else path.with_name(f"{stem}-{kind}.csv")
            if given and not candidate.exists():
                raise ConfigError(f"the {kind} side file {candidate} does not exist",
                                  hint=f"fix [profiles.servicenow-audit] {kind} in the mapping file")
            found[kind] = candidate if candidate.exists() else None
        incidents = refs = None
        if found["incidents"] is not None:
            table = read_csv(found["incidents"]).frame
            record_input(N_("ServiceNow incidents side file"), found["incidents"])
            if not {"sys_id", "number"} <= set(table.columns):
                raise ConfigError(f"the incidents side file {found['incidents'].name} needs columns sys_id, number",
                                  path=found["incidents"])
            incidents = pd.Series(table["number"].to_numpy(), index=table["sys_id"].to_numpy())
            notes.append(N_("servicenow-audit: case ids from %(name)s (%(n)s incidents); audit rows of other tickets "
                            "are set aside") % {"name": found["incidents"].name, "n": f"{len(incidents):,}"})
        else:
            notes.append(N_("servicenow-audit: no %(name)s next to the file; case ids from the number field")
                         % {"name": f"{stem}-incidents.csv"})
        if found["references"] is not None:
            table = read_csv(found["references"]).frame
            record_input(N_("ServiceNow references side file"), found["references"])
            refs = {}
            for tname, part in table.groupby("table"):
                refs[str(tname)] = dict(zip(part["sys_id"], part["name"]))
            users = table[table["table"] == "sys_user"]
            if "user_name" in table:
                refs["login"] = dict(zip(users["user_name"], users["name"]))
            notes.append(N_("servicenow-audit: names of users, groups and companies from %(name)s")
                         % {"name": found["references"].name})
        else:
            notes.append(N_("servicenow-audit: no %(name)s next to the file; reference fields stay sys_ids")
                         % {"name": f"{stem}-references.csv"})
        return incidents, refs, notes


__all__ = ["ServiceNow", "ServiceNowHistory", "ServiceNowAudit", "TIME_FORMAT"]
