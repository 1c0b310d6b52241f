"""``jira-json`` and ``jira-csv``: Jira Service Management issues with their changelog.

* **JSON**: a list of issues as ``GET /rest/api/2/issue/{key}?expand=changelog,names``
  returns them: ``id``, ``key`` (``SSC-123``, the same as the generic case id),
  ``fields`` (``summary``, ``issuetype``, ``created``/``updated``/``resolutiondate`` as
  ``2024-03-04T09:15:00.000+0100``, ``reporter``, ``assignee``, ``status``, ``priority``,
  ``duedate`` ``YYYY-MM-DD``, custom fields: ``customfield_10010`` Organization (the
  mother), ``customfield_10020`` Team (assignment group), ``customfield_10030`` Category,
  ``customfield_10040`` Channel, ``customfield_10050`` Need by: a date-time picker field,
  17:00 on the need-by day, ``null`` when none), ``names``, and
  ``changelog.histories``: one history per event after creation, with ``author``
  (``displayName``, ``name``), ``created`` and ``items`` (``field``, ``fieldtype``,
  ``from``, ``fromString``, ``to``, ``toString``) for ``status``, ``assignee``, ``Team``
  and always ``Activity`` (the activity label). The registration itself is the
  issue's ``created``, done by ``fields.creator``.
* **CSV**: the flattened form people make of it, one row per history item:
  ``Issue key, Issue id, Issue type, Summary, Reporter, Organization, Category,
  Priority, Issue created, Due date, Custom field (Need by), Created, Author, Field, From, To``
  (UTF-8, comma; ``Due date`` and ``Custom field (Need by)`` as in the JSON, the need-by empty
  when none).

Statuses: New → Open, In progress → In Progress, On hold → Pending,
Resolved → Resolved, Closed → Closed, Reopened → Reopened.

Example:
    >>> STATUS_JIRA["On hold"], PRIORITY_JIRA["Hoog"]
    ('Pending', 'High')
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ssc_mining.simulate.batch import Batch, case_bounds
from ssc_mining.simulate.exports.base import CsvWriter, ExportWriter
from ssc_mining.simulate.scenario import STATUSES

STATUS_JIRA = {"New": "Open", "In progress": "In Progress", "On hold": "Pending", "Resolved": "Resolved",
               "Closed": "Closed", "Reopened": "Reopened"}
STATUS_ID = {"New": "1", "In progress": "3", "On hold": "10001", "Resolved": "5", "Closed": "6", "Reopened": "4"}
PRIORITY_JIRA = {"Hoog": "High", "Normaal": "Medium", "Laag": "Low"}
ISSUE_TYPE = {"Storing": "Incident", "Aanvraag": "Service Request", "Vraag": "Question"}
NAMES = {"customfield_10010": "Organization", "customfield_10020": "Team", "customfield_10030": "Category",
         "customfield_10040": "Channel", "customfield_10050": "Need by"}
BASE_URL = "https://ssc.atlassian.example"


def _user(name: str, user_name: str) -> dict:
    return {"name": user_name, "displayName": name}


def issues(b: Batch) -> list[dict]:
    """The batch's issues as Jira REST dictionaries (deterministic key order)."""
    fmt = b.fmt
    case = b.case_of_event
    first, last = case_bounds(case, b.n_cases)
    jira_times = fmt.jira(b.ev_minute)
    act, res, status, group, assignee = (b.ev(c).tolist() for c in ("activity", "resource", "status", "group",
                                                                      "assignee"))
    names, users = b.person_names.tolist(), b.person_users.tolist()
    teams = b.team_names.tolist()
    need_day = b.case_values("need_by_day")
    need_iso = fmt.day_end_iso(np.maximum(need_day, 0))  # 2024-03-04T17:00:00+01:00 → Jira's date-time form
    # numpy's stubs do not accept None as a value, numpy does (it gives an object array)
    need = np.where(need_day >= 0, [t[:19] + ".000" + t[19:].replace(":", "") for t in need_iso], None)  # type: ignore[call-overload]
    due = fmt.day_iso(b.due_minute // 540)
    out = []
    for k in range(b.n_cases):
        f, end = int(first[k]), int(last[k])
        issue_id = str(10000 + int(b.number[k]))
        requester = int(b.case_values("requester")[k])
        histories = []
        for e in range(f + 1, end + 1):
            items: list[dict[str, str | None]] = []
            if status[e] != status[e - 1]:
                old, new = STATUSES[status[e - 1]], STATUSES[status[e]]
                items.append({"field": "status", "fieldtype": "jira", "from": STATUS_ID[old],
                              "fromString": STATUS_JIRA[old], "to": STATUS_ID[new], "toString": STATUS_JIRA[new]})
            if assignee[e] != assignee[e - 1]:
                a0, a1 = assignee[e - 1], assignee[e]
                items.append({"field": "assignee", "fieldtype": "jira", "from": users[a0] if a0 >= 0 else None,
                              "fromString": names[a0] if a0 >= 0 else None, "to": users[a1] if a1 >= 0 else None,
                              "toString": names[a1] if a1 >= 0 else None})
            if group[e] != group[e - 1]:
                items.append({"field": "Team", "fieldtype": "custom", "from": None, "fromString": teams[group[e - 1]],
                              "to": None, "toString": teams[group[e]]})
            items.append({"field": "Activity", "fieldtype": "custom", "from": None, "fromString": None,
                          "to": None, "toString": b.activity_names[act[e]]})
            histories.append({"id": str(100000 + int(b.number[k]) * 100 + e - f),
                              "author": _user(names[res[e]], users[res[e]]),
                              "created": jira_times[e], "items": items})
        resolved = int(b.case_values("resolved")[k])
        out.append({
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue_id,
            "self": f"{BASE_URL}/rest/api/2/issue/{issue_id}",
            "key": b.case_id[k],
            "fields": {
                "summary": b.subject[k],
                "issuetype": {"name": ISSUE_TYPE[b.category_kinds[b.case_values("category")[k]]]},
                "created": jira_times[f],
                "updated": jira_times[end],
                "resolutiondate": fmt.jira([resolved])[0],
                "creator": _user(names[res[f]], users[res[f]]),
                "reporter": _user(names[requester], users[requester]),
                "assignee": _user(names[assignee[end]], users[assignee[end]]) if assignee[end] >= 0 else None,
                "status": {"name": STATUS_JIRA[STATUSES[status[end]]], "id": STATUS_ID[STATUSES[status[end]]]},
                "priority": {"name": PRIORITY_JIRA[b.priority[k]]},
                "duedate": due[k],
                "customfield_10010": [{"name": b.mother[k]}],
                "customfield_10020": {"value": teams[group[end]]},
                "customfield_10030": {"value": b.category[k]},
                "customfield_10040": {"value": b.channel[k]},
                "customfield_10050": need[k],
            },
            "names": NAMES,
            "changelog": {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                          "histories": histories},
        })
    return out


class JiraJsonWriter(ExportWriter):
    """Streams a JSON list: one issue per line."""

    format = "jira-json"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._handle = open(path, "w", encoding="utf-8", newline="\n")
        self._handle.write("[")

    def write(self, batch: Batch) -> None:
        for issue in issues(batch):
            self._handle.write(("\n" if self._first else ",\n") +
                               json.dumps(issue, ensure_ascii=False, separators=(",", ":")))
            self._first = False

    def close(self) -> None:
        self._handle.write("\n]\n")
        self._handle.close()


class JiraCsvWriter(CsvWriter):
    format = "jira-csv"

    def rows(self, b: Batch) -> pd.DataFrame:
        rows = []
        for issue in issues(b):
            fl = issue["fields"]
            head = (issue["key"], issue["id"], fl["issuetype"]["name"], fl["summary"], fl["reporter"]["displayName"],
                    fl["customfield_10010"][0]["name"], fl["customfield_10030"]["value"], fl["priority"]["name"],
                    fl["created"], fl["duedate"] or "", fl["customfield_10050"] or "")
            for h in issue["changelog"]["histories"]:
                for item in h["items"]:
                    rows.append(head + (h["created"], h["author"]["displayName"], item["field"],
                                        item["fromString"] or "", item["toString"] or ""))
        return pd.DataFrame(rows, columns=["Issue key", "Issue id", "Issue type", "Summary", "Reporter",
                                           "Organization", "Category", "Priority", "Issue created", "Due date",
                                           "Custom field (Need by)", "Created",
                                           "Author", "Field", "From", "To"])
