"""Jira profiles: ``jira`` (issues with changelog, JSON as the REST API returns it) and ``jira-csv``.

* ``jira``: ``GET /rest/api/2/issue/{key}?expand=changelog`` (or the search API's
  ``{"issues": [...]}``). The issue's ``created`` by ``fields.creator`` is the
  registration; each ``changelog.histories`` entry (``author``, ``created``,
  ``items``) is one event when it names an action (an ``Activity`` item) or
  changes ``status``, ``assignee`` or the team field (``Team``). Records
  (the "rows") are the issues and their histories, numbered in file order.
* ``jira-csv``: the flattened changelog, one row per history item (``Issue key,
  Issue created, Created, Author, Field, From, To`` …); the items of one change
  (same issue, time and author) form one event. The CSV has no creator, so the
  registration has no resource.

Timestamps carry their offset (``2024-03-04T09:15:00.000+0100``) and are read
with one explicit format. Statuses (Open, In Progress, Pending, Resolved,
Closed, Reopened) become the canonical ones.

Example:
    >>> import numpy as np, pandas as pd
    >>> from ssc_mining.loaders.raw import RawTable
    >>> raw = RawTable(pd.DataFrame({"Issue key": ["SSC-1"], "Issue created": ["2024-03-04T09:15:00.000+0100"],
    ...     "Created": ["2024-03-04T10:00:00.000+0100"], "Author": ["Ann"], "Field": ["status"],
    ...     "From": ["Open"], "To": ["In Progress"]}), np.array([2]), reader="csv")
    >>> JiraCsv().detect(raw)
    'columns Issue key, Issue created, Field, From, To look like a flattened Jira changelog (jira-csv profile)'
    >>> JiraCsv().to_events(raw, None).raw.frame["activity"].tolist()
    ['Register', 'Start work']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.i18n import N_
from ssc_mining.loaders.profiles import Profile, ProfiledTable
from ssc_mining.loaders.profiles._common import (
    SSC_NAME,
    activity_table,
    actor_attributes,
    canonical_status,
    clean,
    find_people,
    finish,
    history_events,
    history_roles,
    options,
    recognise,
    require,
)
from ssc_mining.loaders.raw import RawTable

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"
_CLEARED = "\x00cleared"
_FIELDS = ("status", "assignee", "team", "action")


def _value(obj: Any, key: str = "name") -> Any:
    """``{"name": x}`` → x, ``[{"name": x}]`` → x, ``{"value": x}`` → x, text → text."""
    if isinstance(obj, list):
        obj = obj[0] if obj else None
    if isinstance(obj, dict):
        for k in (key, "displayName", "name", "value"):
            if obj.get(k) is not None:
                return obj[k]
        return None
    return obj if isinstance(obj, str) and obj else None


def _rebuild(issues: pd.DataFrame, updates: pd.DataFrame) -> pd.DataFrame:
    """The state (status, assignee, team) after the creation and after each update of every issue.

    ``issues``: ``_case, _row, _time, _actor`` and ``final_<field>`` (None when unknown);
    ``updates``: ``_case, _row, _time, _actor``, ``<field>_has``, ``<field>_from``, ``<field>_to``, ``_action``.
    """
    updates = updates.assign(_t=pd.to_datetime(updates["_time"], format=TIME_FORMAT, errors="coerce", utc=True))
    updates = updates.sort_values(["_case", "_t", "_row"], kind="stable")
    created = issues[["_case", "_row", "_time", "_actor"]].assign(_action=None, _kind=0)
    changes = updates[["_case", "_row", "_time", "_actor", "_action"]].assign(_kind=1)
    for field in ("status", "assignee", "team"):
        has = updates[f"{field}_has"].to_numpy()
        first_from = updates[has].drop_duplicates("_case").set_index("_case")[f"{field}_from"]
        final = issues.set_index("_case")[f"final_{field}"]
        initial = pd.Series(issues["_case"].map(first_from.fillna(_CLEARED)).to_numpy(), index=issues.index)
        initial = initial.where(issues["_case"].isin(first_from.index).to_numpy(),
                                issues["_case"].map(final).to_numpy())
        created[field] = initial.to_numpy()
        changes[field] = np.where(has, updates[f"{field}_to"].astype(object).fillna(_CLEARED).to_numpy(dtype=object),
                                  None)
    both = pd.concat([created, changes], ignore_index=True)
    both["_t"] = pd.to_datetime(both["_time"], format=TIME_FORMAT, errors="coerce", utc=True)
    both = both.sort_values(["_case", "_t", "_kind", "_row"], kind="stable")
    fields = ["status", "assignee", "team"]
    both[fields] = both.groupby("_case", sort=False)[fields].ffill()
    both[fields] = both[fields].replace(_CLEARED, None)
    return both.drop(columns=["_t", "_kind"])


def _to_events(raw: RawTable, spec: Any, name: str, issues: pd.DataFrame, updates: pd.DataFrame,
               attrs: pd.DataFrame, *, notes: list[str], merged_rows: int = 0, rows_total: int | None = None,
               ) -> ProfiledTable:
    opts = options(spec, name)
    labels = activity_table(spec, name, {})
    state = _rebuild(issues, updates)
    status, _ = canonical_status(state["status"])
    h = pd.DataFrame({"_row": state["_row"].to_numpy(), "_case": state["_case"].to_numpy(),
                      "_time": state["_time"].to_numpy(), "_status": status.to_numpy(),
                      "_status_raw": state["status"].to_numpy(), "_group": state["team"].to_numpy(),
                      "_assignee": state["assignee"].to_numpy(), "_action": state["_action"].to_numpy(),
                      "author": state["_actor"].to_numpy()})
    h = h.merge(attrs, how="left", left_on="_case", right_index=True)
    events, skipped = history_events(h, labels=labels, time_format=TIME_FORMAT,
                                     use_actions=bool(opts.get("use_actions", True)))
    if rows_total is None:  # jira-csv: count skipped changes by their first row, and the other item rows of a change
        used = set(events["_row"].tolist())
        firsts = set(updates["_row"].tolist())
        skipped = dict.fromkeys(skipped, 0)
        if firsts - used:
            skipped[N_("change records no action or change of status, team or person")] = len(firsts - used)
        skipped[N_("further item rows of the same change (merged into its event)")] = merged_rows
    people, people_notes = find_people(raw, spec, name)
    team, org, line, actor_notes = actor_attributes(h["author"], h["_assignee"], h["_group"], people=people,
                                                    profile=name, requester=h.get("reporter"),
                                                    mother=h.get("organization"),
                                                    ssc_name=opts.get("ssc_name", SSC_NAME))
    events = events.assign(**{"key": events["_case"], "created": events["_time"],
                              "team": team.loc[events.index], "organisation": org.loc[events.index],
                              "actor_line": line.loc[events.index],
                              "status": events["_status"], C.ASSIGNED_GROUP: events["_group"],
                              C.ASSIGNED_TO: events["_assignee"]})
    mapping = {"case": "key", "activity": "activity", "timestamp": "created", "resource": "author",
               "team": "team", "org": "organisation", "status": "status"}
    if events["actor_line"].notna().any():
        mapping["line"] = "actor_line"
    else:
        events = events.drop(columns=["actor_line"])
    roles = {"reporter": "requester", "organization": "mother", "category": "category", "priority": "priority",
             "channel": "channel", "duedate": "due", "need_by": "need_by", "summary": "subject"}
    mapping.update({role: col for col, role in roles.items() if col in events})
    notes = notes + [N_("%(profile)s: one event for the creation and one per change that names an action (Activity "
                        "item) or changes status, assignee or team; the handler is the change's author")
                     % {"profile": name}]
    notes += people_notes + actor_notes
    return finish(raw, events, mapping, time_format=TIME_FORMAT, dayfirst=None, skipped=skipped, notes=notes,
                  rows_total=rows_total, semantics=history_roles(labels))


class Jira(Profile):
    """Jira issues with their changelog, as the REST API returns them (JSON)."""

    name = "jira"
    description = "Jira issues with changelog (REST API JSON, expand=changelog): one event per relevant change."

    REQUIRED = ("key", "fields.created", "changelog.histories")

    def detect(self, raw: RawTable) -> str | None:
        return recognise(raw, self.name, self.REQUIRED, N_("Jira issues with their changelog (REST API JSON)"),
                         reader="json")

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable:
        require(raw, self.name, self.REQUIRED)
        opts = options(spec, self.name)
        frame = raw.frame
        names = {}
        for column in frame.columns:
            if str(column).startswith("names.") and len(frame):
                names[str(frame[column].dropna().iloc[0]) if frame[column].notna().any() else ""] = \
                    "fields." + str(column).removeprefix("names.")
        team_name, action_name = opts.get("team_field", "Team"), opts.get("action_field", "Activity")
        team_col = names.get(team_name)

        def col(name: str, key: str = "name") -> pd.Series:
            if name not in frame:
                return pd.Series(None, index=frame.index, dtype=object)
            return frame[name].map(lambda v: _value(v, key))

        histories = frame["changelog.histories"].map(lambda v: v if isinstance(v, list) else [])
        n_hist = histories.map(len).to_numpy()
        issue_record = np.cumsum(np.r_[0, (n_hist + 1)[:-1]]) + 1  # issue k's record number
        issues = pd.DataFrame({"_case": frame["key"].to_numpy(), "_row": issue_record,
                               "_time": frame["fields.created"].to_numpy(),
                               "_actor": col("fields.creator", "displayName").to_numpy(),
                               "final_status": col("fields.status").to_numpy(),
                               "final_assignee": col("fields.assignee", "displayName").to_numpy(),
                               "final_team": (col(team_col, "value") if team_col else col("")).to_numpy()})
        rows = []
        for k, (key, hist) in enumerate(zip(frame["key"].tolist(), histories.tolist())):
            for j, h in enumerate(hist):
                rec = {"_case": key, "_row": int(issue_record[k]) + 1 + j, "_time": h.get("created"),
                       "_actor": _value(h.get("author"), "displayName"), "_action": None}
                for f in ("status", "assignee", "team"):
                    rec[f"{f}_has"], rec[f"{f}_from"], rec[f"{f}_to"] = False, None, None
                for item in h.get("items") or []:
                    field = item.get("field")
                    kind = {"status": "status", "assignee": "assignee", team_name: "team"}.get(field)
                    if field == action_name:
                        rec["_action"] = item.get("toString") or None
                    elif kind:
                        rec[f"{kind}_has"] = True
                        rec[f"{kind}_from"], rec[f"{kind}_to"] = item.get("fromString"), item.get("toString")
                rows.append(rec)
        updates = pd.DataFrame(rows, columns=["_case", "_row", "_time", "_actor", "_action"] +
                               [f"{f}_{s}" for f in ("status", "assignee", "team") for s in ("has", "from", "to")])
        attrs = pd.DataFrame({"reporter": col("fields.reporter", "displayName").to_numpy(),
                              "organization": col(names.get("Organization", "fields.organization")).to_numpy(),
                              "category": col(names.get("Category", "fields.category"), "value").to_numpy(),
                              "channel": col(names.get("Channel", "fields.channel"), "value").to_numpy(),
                              "priority": col("fields.priority").to_numpy(),
                              "issuetype": col("fields.issuetype").to_numpy(),
                              "summary": col("fields.summary").to_numpy(),
                              "duedate": col("fields.duedate").to_numpy(),
                              "need_by": col(names.get("Need by", "fields.need_by")).to_numpy()},
                             index=frame["key"].to_numpy())
        attrs = attrs[~attrs.index.duplicated()]
        total = int(len(frame) + n_hist.sum())
        notes = [N_("jira: %(issues)s issues with %(histories)s changelog histories; a 'row' is an issue or one of "
                    "its histories, numbered in file order")
                 % {"issues": f"{len(frame):,}", "histories": f"{int(n_hist.sum()):,}"}]
        if team_col is None:
            notes.append(N_("jira: no custom field named %(team)s in 'names'; teams only from %(team)s changelog "
                            "items") % {"team": repr(team_name)})
        return _to_events(raw, spec, self.name, issues, updates, attrs, notes=notes, rows_total=total)


class JiraCsv(Profile):
    """The flattened Jira changelog CSV: one row per history item."""

    name = "jira-csv"
    description = "Flattened Jira changelog CSV (Issue key, Created, Author, Field, From, To): one event per change."
    REQUIRED = ["Issue key", "Issue created", "Created", "Author", "Field", "From", "To"]
    RECOGNISED_BY = ("Issue key", "Issue created", "Field", "From", "To")

    def detect(self, raw: RawTable) -> str | None:
        return recognise(raw, self.name, self.RECOGNISED_BY, N_("a flattened Jira changelog"))

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable:
        require(raw, self.name, self.REQUIRED)
        opts = options(spec, self.name)
        team_name, action_name = opts.get("team_field", "Team"), opts.get("action_field", "Activity")
        frame = raw.frame.copy()
        frame.columns = [str(c) for c in frame.columns]
        for column in frame.columns:
            frame[column] = clean(frame[column], nulls=())
        frame["_row"] = raw.source_rows
        frame["_update"] = frame.groupby(["Issue key", "Created", "Author"], sort=False, dropna=False).ngroup()
        field = frame["Field"]
        kinds = field.map({"status": "status", "assignee": "assignee", team_name: "team"})
        first = frame.groupby("_update", sort=False).agg(_case=("Issue key", "first"), _row=("_row", "first"),
                                                          _time=("Created", "first"), _actor=("Author", "first"))
        action = frame[field == action_name].groupby("_update")["To"].last()
        first["_action"] = first.index.map(action)
        for kind in ("status", "assignee", "team"):
            part = frame[(kinds == kind).to_numpy()].groupby("_update").agg(f=("From", "first"), t=("To", "last"))
            first[f"{kind}_has"] = first.index.isin(part.index)
            first[f"{kind}_from"] = first.index.map(part["f"])
            first[f"{kind}_to"] = first.index.map(part["t"])
        updates = first.reset_index(drop=True)
        by_issue = frame.groupby("Issue key", sort=False)
        issues = by_issue.agg(_row=("_row", "first"), _time=("Issue created", "first")).reset_index()
        issues = issues.rename(columns={"Issue key": "_case"}).assign(_actor=None, final_status=None,
                                                                      final_assignee=None, final_team=None)
        names = {"Reporter": "reporter", "Organization": "organization", "Category": "category",
                 "Priority": "priority", "Issue type": "issuetype", "Summary": "summary", "Due date": "duedate",
                 "Due Date": "duedate", "Custom field (Need by)": "need_by", "Need by": "need_by"}
        present = [c for c in names if c in frame]
        present = [c for k, c in enumerate(present) if names[c] not in {names[p] for p in present[:k]}]
        # the issue's fields repeat on every item row: the last known value per issue (rows in time order)
        ordered = frame.assign(_t=pd.to_datetime(frame["Created"], format=TIME_FORMAT, errors="coerce", utc=True))
        ordered = ordered.sort_values(["Issue key", "_t", "_row"], kind="stable").groupby("Issue key", sort=False)
        attrs = ordered[present].last().rename(columns=names) if present else pd.DataFrame(index=issues["_case"])
        merged = len(frame) - len(updates)
        notes = [N_("jira-csv: the items of one change (same Issue key, Created, Author) form one event; the CSV "
                    "has no creator, so the registration (Issue created) has no handler")]
        return _to_events(raw, spec, self.name, issues, updates, attrs, notes=notes, merged_rows=merged)


__all__ = ["Jira", "JiraCsv", "TIME_FORMAT"]
