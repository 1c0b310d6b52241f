"""Shared machinery of the ticket-system profiles (TOPdesk, ServiceNow, Jira).

* :func:`clean`: text with ``?`` and empty strings as missing;
* :func:`canonical_status`: Dutch and English status names and ServiceNow state
  codes to one vocabulary (``New``, ``In progress``, ``On hold``, ``Resolved``,
  ``Closed``, ``Reopened``, ``Canceled``);
* :func:`require`: a :class:`~ssc_mining.errors.MappingError` naming the profile
  and listing the columns that are there;
* :func:`snapshot_events`: one event per filled date column of a snapshot row;
* :func:`history_events`: one event per row that records an action or changes
  the status, team or person, found by comparing each row with the previous row
  of the same ticket (``groupby().shift()``); other rows are counted as skipped;
* :func:`actor_team_org`: the team and organisation of whoever acted, as far as
  the export shows it (see ``docs/profiles.md``);
* :func:`finish`: the :class:`~ssc_mining.loaders.profiles.ProfiledTable` with
  row accounting (rows read = used + quarantined + skipped).

Example:
    >>> import pandas as pd
    >>> status, unknown = canonical_status(pd.Series(["Gereed", "In Progress", "7", "Pending", "9", None]),
    ...                                    codes=True)
    >>> status.tolist(), unknown.tolist()
    (['Resolved', 'In progress', 'Closed', 'On hold', '9', None], [False, False, False, False, True, False])
    >>> clean(pd.Series(["?", " x ", ""])).tolist()
    [None, 'x', None]
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError, MappingError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders.profiles import ProfiledTable
from ssc_mining.loaders.raw import RawTable, RejectedRow

#: canonical status per lower-case name (Dutch TOPdesk, English ServiceNow / Jira)
STATUS_NAMES: dict[str, str] = {
    "new": "New", "nieuw": "New", "aangemeld": "New", "open": "New", "to do": "New", "registered": "New",
    "in progress": "In progress", "in behandeling": "In progress", "work in progress": "In progress",
    "active": "In progress", "actief": "In progress",
    "on hold": "On hold", "pending": "On hold", "wachtend": "On hold", "wachten": "On hold",
    "awaiting": "On hold", "waiting for customer": "On hold", "wacht op klant": "On hold",
    "resolved": "Resolved", "gereed": "Resolved", "opgelost": "Resolved", "done": "Resolved",
    "closed": "Closed", "afgemeld": "Closed", "gesloten": "Closed", "afgesloten": "Closed",
    "reopened": "Reopened", "heropend": "Reopened",
    "canceled": "Canceled", "cancelled": "Canceled", "geannuleerd": "Canceled", "vervallen": "Canceled",
}
#: ServiceNow incident state codes
STATE_CODES: dict[str, str] = {"1": "New", "2": "In progress", "3": "On hold", "6": "Resolved", "7": "Closed",
                               "8": "Canceled"}
#: the activity a history row without an action is named after, by the status it moved to
STATUS_ACTIVITY: dict[str, str] = {"New": "Register", "In progress": "Start work", "On hold": "Put on hold",
                                   "Resolved": "Resolve", "Closed": "Close", "Reopened": "Reopen",
                                   "Canceled": "Cancel"}
#: defaults of the special keys of a history profile's activity table
HISTORY_KEYS = {"created": "Register", "team changed": "Forward", "person changed": "Assign",
                "resumed": "Resume", "reopened": "Reopen"}
SSC_NAME = "SSC"


def clean(values: pd.Series, nulls: Iterable[str] = ("?",)) -> pd.Series:
    """Values as stripped text (object dtype); empty strings and ``nulls`` become None."""
    text = values.astype("string").str.strip()
    text = text.mask(text.isin(["", *nulls]))
    return text.astype(object).where(text.notna(), None)


def canonical_status(values: pd.Series, *, codes: bool = False) -> tuple[pd.Series, pd.Series]:
    """Canonical status names; unknown names stay as they are.

    With ``codes``, numbers are ServiceNow state codes; the second result marks
    numbers that are not a known code (to be quarantined).
    """
    text = clean(values)
    lower = text.str.lower()
    out = lower.map(STATUS_NAMES)
    unknown = pd.Series(False, index=values.index)
    if codes:
        numeric = text.str.fullmatch(r"-?\d+").fillna(False).astype(bool)
        out = out.where(~numeric, text.map(STATE_CODES))
        unknown = numeric & out.isna()
    out = out.where(out.notna(), text)
    return out.astype(object).where(out.notna(), None), unknown


def differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise "not equal", where two missing values are equal and one missing value is a change."""
    return pd.Series(a.fillna("\x00").to_numpy() != b.fillna("\x00").to_numpy(), index=a.index)


def options(spec: Any, name: str) -> dict[str, Any]:
    """The ``[profiles.<name>]`` table of the mapping file (empty when none)."""
    table = getattr(spec, "profile_options", None) or {}
    opts = table.get(name, {})
    if not isinstance(opts, dict):
        raise ConfigError(f"[profiles.{name}] in the mapping file must be a table")
    return opts


def activity_table(spec: Any, name: str, defaults: dict[str, str]) -> dict[str, str]:
    """The default activity table of a profile, updated from ``[profiles.<name>.activities]``."""
    table = options(spec, name).get("activities", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f"[profiles.{name}.activities] must map names to activity labels (text)",
                          hint='e.g. Gereed = "Opgelost"; an empty label "" drops the column')
    return {**defaults, **table}


def has_columns(raw: RawTable, columns: Iterable[str]) -> bool:
    """True when every one of ``columns`` is in the raw table."""
    present = set(map(str, raw.frame.columns))
    return all(c in present for c in columns)


def require(raw: RawTable, profile: str, columns: Iterable[str]) -> None:
    """Raise a MappingError that names the profile and lists the file's columns when one is missing."""
    present = [str(c) for c in raw.frame.columns]
    missing = [c for c in columns if c not in present]
    if missing:
        raise MappingError(
            f"the {profile} profile needs the column(s) {', '.join(repr(m) for m in missing)}, "
            "which the file does not have",
            column=missing[0], path=raw.details.get("path"),
            hint="the columns are: " + ", ".join(repr(c) for c in present)
                 + "; choose another --profile (see `ssc-mining profiles`), or --profile csv to map columns yourself")


def evidence(profile: str, columns: Iterable[str], what: str) -> str:
    """The detection sentence: ``columns A, B, C look like <what>``."""
    return f"columns {', '.join(columns)} look like {what} ({profile} profile)"


def snapshot_events(raw: RawTable, frame: pd.DataFrame, *, dates: dict[str, str], first: str,
                    actor: dict[str, tuple[str | None, str | None, str | None]] | None = None,
                    drop: Iterable[str] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """Melt the date columns of a snapshot: one event per filled date (activity = ``dates[column]``).

    ``first`` is the registration column: its event is kept even when empty, so a row
    without a registration date is quarantined ("missing timestamp") instead of vanishing.
    ``actor[label] = (resource column, team column, organisation value)`` names who did that
    event when the snapshot records it. Returns the events (``activity``, ``timestamp`` and all
    other columns, ``_row``) and the source row numbers.
    """
    if "_row" not in frame:
        frame = frame.assign(_row=raw.source_rows)
    date_cols = [c for c in dates if dates[c]]
    keep = [c for c in frame.columns if c not in date_cols and c not in drop]
    melted = frame.melt(id_vars=keep, value_vars=date_cols, var_name="_date_column", value_name="timestamp",
                        ignore_index=False)
    melted["_order"] = melted["_date_column"].map({c: i for i, c in enumerate(date_cols)})
    melted = melted.reset_index(names="_pos").sort_values(["_pos", "_order"], kind="stable")
    filled = clean(melted["timestamp"]).notna() | (melted["_date_column"] == first)
    melted = melted[filled.to_numpy()].copy()
    melted.insert(0, "activity", melted["_date_column"].map(dates))
    for col in ("resource", "team", "organisation"):
        melted[col] = None
    for label, (res_col, team_col, org) in (actor or {}).items():
        hit = (melted["activity"] == label).to_numpy()
        if res_col:
            melted.loc[hit, "resource"] = melted.loc[hit, res_col]
        if team_col:
            melted.loc[hit, "team"] = melted.loc[hit, team_col]
        if org:
            melted.loc[hit, "organisation"] = np.where(melted.loc[hit, "resource"].notna(), org, None)
    melted = melted.drop(columns=["_pos", "_order", "_date_column"]).reset_index(drop=True)
    return melted, melted["_row"].to_numpy()


def history_events(h: pd.DataFrame, *, labels: dict[str, str], time_format: str | None,
                   use_actions: bool = True) -> tuple[pd.DataFrame, pd.Series]:
    """One event per row of ``h`` that records an action or changes status, team or person.

    ``h`` has one row per state of a ticket: ``_case``, ``_time`` (text), ``_row``,
    ``_status`` (canonical), ``_status_raw``, ``_group``, ``_assignee`` and optionally
    ``_action``. Rows are ordered by ticket and time, compared with the previous row
    of the same ticket, and given an ``activity``. Returns (the rows that are events,
    the number of rows that are not, per reason).
    """
    order = pd.to_datetime(h["_time"], format=time_format, errors="coerce", utc=True) if time_format else None
    h = h.assign(_t=order if order is not None else pd.NaT).sort_values(["_case", "_t", "_row"], kind="stable")
    grouped = h.groupby("_case", sort=False)
    prev = grouped[["_status", "_group", "_assignee"]].shift(1)
    first = (grouped.cumcount() == 0).to_numpy()
    ch_status = differs(h["_status"], prev["_status"]).to_numpy() & ~first
    ch_group = differs(h["_group"], prev["_group"]).to_numpy() & ~first
    ch_person = differs(h["_assignee"], prev["_assignee"]).to_numpy() & ~first
    action = h["_action"] if use_actions and "_action" in h else pd.Series(None, index=h.index, dtype=object)
    has_action = action.notna().to_numpy()

    status, raw_status, prev_status = h["_status"], h["_status_raw"], prev["_status"]
    by_status = raw_status.map(lambda s: labels.get(s) if isinstance(s, str) else None)
    by_status = by_status.where(by_status.notna(), status.map(lambda s: labels.get(s, STATUS_ACTIVITY.get(s))
                                                             if isinstance(s, str) else None))
    by_status = by_status.where(by_status.notna(), "Status " + raw_status.fillna("?").astype(str))
    reopened = prev_status.isin(["Resolved", "Closed"]) & status.isin(["New", "In progress", "Reopened"])
    by_status = by_status.where(~reopened.to_numpy(), labels.get("reopened", HISTORY_KEYS["reopened"]))
    resumed = (prev_status == "On hold") & (status == "In progress")
    by_status = by_status.where(~resumed.to_numpy(), labels.get("resumed", HISTORY_KEYS["resumed"]))

    derived = np.select(
        [first, ch_status, ch_group, ch_person],
        [labels.get("created", HISTORY_KEYS["created"]), by_status.to_numpy(dtype=object),
         labels.get("team changed", HISTORY_KEYS["team changed"]),
         labels.get("person changed", HISTORY_KEYS["person changed"])], default=None)
    relabelled = action.map(lambda a: labels.get(a, a) if isinstance(a, str) else None)
    activity = np.where(has_action, relabelled.to_numpy(dtype=object), derived)
    relevant = first | ch_status | ch_group | ch_person | has_action
    activity = pd.Series(activity, index=h.index).replace("", None)
    h = h.assign(activity=activity)
    no_label = relevant & h["activity"].isna().to_numpy()  # an activity mapped to "" on purpose
    skipped: dict[str, int] = {}
    if (~relevant).any():
        what = "an action, " if "_action" in h and use_actions else ""
        skipped[f"history row records no {what}change of status, team or person"] = int((~relevant).sum())
    if no_label.any():
        skipped["history row whose activity is mapped to an empty label"] = int(no_label.sum())
    return h[relevant & ~no_label].drop(columns=["_t"]), skipped


def actor_team_org(actor: pd.Series, assignee: pd.Series, group: pd.Series, *,
                   requester: pd.Series | None = None, mother: pd.Series | None = None,
                   ssc_name: str = SSC_NAME) -> tuple[pd.Series, pd.Series]:
    """Team and organisation of each actor as the export shows them.

    An actor who holds assignments works in the SSC, in the group they are most
    often assigned in; an actor who is the ticket's requester belongs to the
    ticket's organisation (``mother``). Anyone else: unknown (None).
    """
    pairs = pd.DataFrame({"person": assignee.to_numpy(), "group": group.to_numpy()}).dropna()
    if len(pairs):
        counts = pairs.groupby(["person", "group"], sort=True).size().reset_index(name="n")
        counts = counts.sort_values(["person", "n"], ascending=[True, False], kind="stable")
        team_of = counts.drop_duplicates("person").set_index("person")["group"]
    else:
        team_of = pd.Series(dtype=object)
    team = actor.map(team_of)
    org = pd.Series(np.where(team.notna(), ssc_name, None), index=actor.index, dtype=object)
    if requester is not None and mother is not None:
        is_requester = (actor.to_numpy() == requester.to_numpy()) & team.isna().to_numpy()
        org = org.where(~is_requester, mother)
    return team.astype(object).where(team.notna(), None), org.where(org.notna(), None)


def finish(raw: RawTable, events: pd.DataFrame, mapping: dict[str, str], *, time_format: str | None,
           dayfirst: bool | None, skipped: dict[str, int] | None = None,
           rejected: list[RejectedRow] | None = None, notes: list[str] | None = None,
           rows_total: int | None = None) -> ProfiledTable:
    """Wrap the events (with ``_row``) as a ProfiledTable; rows with no event are counted as skipped.

    Rows that give no event and are neither rejected nor counted in ``skipped`` with a
    reason are counted under "row gives no event"; so rows read = used + quarantined + skipped.
    """
    rejected = list(raw.rejected) + list(rejected or [])
    rows = events["_row"].to_numpy(dtype=np.int64)
    frame = events.drop(columns=[c for c in events.columns if str(c).startswith("_")]).reset_index(drop=True)
    total = rows_total if rows_total is not None else raw.rows_read
    skipped = {k: v for k, v in (skipped or {}).items() if v}
    accounted = len(np.unique(rows)) + len(rejected) + sum(skipped.values())
    if accounted < total:
        skipped["row gives no event"] = skipped.get("row gives no event", 0) + total - accounted
    table = RawTable(frame=frame, source_rows=rows, reader=raw.reader, rejected=rejected, details=raw.details,
                     notes=list(raw.notes), rows_total=total, skipped=skipped)
    return ProfiledTable(raw=table, mapping=mapping, timestamp_format=time_format, dayfirst=dayfirst,
                         notes=list(notes or []))


def with_utc_offset(values: pd.Series) -> pd.Series:
    """UTC times without a zone (``2024-03-04 08:15:00``) marked as UTC (``…+0000``), so they are not localised."""
    text = clean(values, nulls=())
    return text.where(text.isna(), text + "+0000")


def case_attribute(events: pd.DataFrame, case: str, column: str, how: str = "last") -> pd.Series:
    """The last (or first) non-missing value of ``column`` per case, spread over every event of the case."""
    present = events[[case, column]].dropna()
    per_case = present.groupby(case, sort=False)[column].agg(how)
    return events[case].map(per_case)


__all__ = ["clean", "canonical_status", "require", "has_columns", "evidence", "snapshot_events",
           "history_events", "actor_team_org", "finish", "options", "activity_table", "with_utc_offset",
           "case_attribute", "STATUS_NAMES", "STATE_CODES", "C"]
