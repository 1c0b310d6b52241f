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
* :func:`find_people` / :class:`People`: the optional people directory (``*people.csv``
  next to the export, or ``[profiles.<name>] people = "…"``) that gives each actor's
  team, organisation and support line exactly; :func:`actor_attributes` combines it
  with :func:`actor_team_org`;
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

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError, MappingError
from ssc_mining.eventlog import columns as C
from ssc_mining.i18n import N_
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
#: the role of the label a history profile makes for each special key and each canonical status
KEY_ROLES = {"created": "register", "team changed": "forward", "person changed": "route", "resumed": "resume",
             "reopened": "reopen"}
STATUS_ROLES = {"New": "register", "In progress": "start_work", "On hold": "wait", "Resolved": "resolve",
                "Closed": "close", "Reopened": "reopen", "Canceled": "cancel"}


def history_roles(labels: dict[str, str]) -> dict[str, str]:
    """Label → role for the labels :func:`history_events` makes itself (actions keep the vocabulary's reading).

    >>> history_roles({"created": "Aangemeld"})["Aangemeld"], history_roles({})["Put on hold"]
    ('register', 'wait')
    """
    out = {labels.get(status, STATUS_ACTIVITY[status]): role for status, role in STATUS_ROLES.items()}
    out.update({labels.get(key, HISTORY_KEYS[key]): role for key, role in KEY_ROLES.items()})
    return {label: role for label, role in out.items() if label}


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
    return N_("columns %(columns)s look like %(what)s (%(profile)s profile)") \
        % {"columns": ", ".join(columns), "what": what, "profile": profile}


def recognise(raw: RawTable, profile: str, columns: Iterable[str], what: str, *,
              reader: str | None = None) -> str | None:
    """The detection sentence when ``raw`` has every one of ``columns``, else None.

    ``reader`` restricts detection to files read by that reader (e.g. ``json``); XES logs never match.

    >>> import numpy as np, pandas as pd
    >>> raw = RawTable(pd.DataFrame(columns=["Nr", "Wanneer"]), np.array([]), reader="csv")
    >>> recognise(raw, "demo", ["Nr", "Wanneer"], "a demo export")
    'columns Nr, Wanneer look like a demo export (demo profile)'
    """
    if raw.reader == "xes" or (reader is not None and raw.reader != reader) or not has_columns(raw, columns):
        return None
    return evidence(profile, columns, what)


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
            # numpy's stubs reject None as a value of np.where; numpy takes it (an object array)
            melted.loc[hit, "organisation"] = np.where(melted.loc[hit, "resource"].notna(), org, None)  # type: ignore[call-overload]
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

    # numpy's stubs reject default=None; numpy takes it (an object array)
    derived = np.select(  # type: ignore[call-overload]
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
        reason = (N_("history row records no action, change of status, team or person")
                  if "_action" in h and use_actions else N_("history row records no change of status, team or person"))
        skipped[reason] = int((~relevant).sum())
    if no_label.any():
        skipped[N_("history row whose activity is mapped to an empty label")] = int(no_label.sum())
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
    # numpy's stubs reject None as a value of np.where; numpy takes it (an object array)
    org = pd.Series(np.where(team.notna(), ssc_name, None), index=actor.index, dtype=object)  # type: ignore[call-overload]
    if requester is not None and mother is not None:
        is_requester = (actor.to_numpy() == requester.to_numpy()) & team.isna().to_numpy()
        org = org.where(~is_requester, mother)
    return team.astype(object).where(team.notna(), None), org.where(org.notna(), None)


#: columns of a people directory (``name`` is required, the others optional)
PEOPLE_COLUMNS = ("name", "user_name", "team", "organisation", "line")


@dataclass
class People:
    """A people directory: per person ``name``, ``user_name``, ``team``, ``organisation``, ``line``.

    Example:
        >>> people = People("people.csv", pd.DataFrame({"name": ["Ann Bos", "Piet Kok"],
        ...     "user_name": ["a.bos", "p.kok"], "team": ["Servicedesk", "Medewerkers X"],
        ...     "organisation": ["SSC", "Gemeente X"], "line": ["1", None]}))
        >>> people.lookup(pd.Series(["a.bos", "Piet Kok", "Onbekend"]))["team"].tolist()
        ['Servicedesk', 'Medewerkers X', None]
    """

    source: str
    frame: pd.DataFrame

    def lookup(self, actors: pd.Series) -> pd.DataFrame:
        """Per actor (matched on ``name``, else on ``user_name``): name, team, organisation, line, matched."""
        frame = self.frame.reset_index(drop=True)
        by_name = pd.Series(frame.index, index=frame["name"])
        by_name = by_name[~by_name.index.duplicated()]
        pos = actors.map(by_name)
        if "user_name" in frame:
            by_user = pd.Series(frame.index, index=frame["user_name"])
            by_user = by_user[by_user.index.notna() & ~by_user.index.duplicated()]
            pos = pos.where(pos.notna(), actors.map(by_user))
        matched = pos.notna().to_numpy()
        take = pos.fillna(-1).astype(np.int64).to_numpy()
        out = pd.DataFrame({"matched": matched}, index=actors.index)
        for column in ("name", "team", "organisation", "line"):
            values = frame[column].to_numpy(dtype=object) if column in frame else np.full(len(frame), None, object)
            picked = np.where(matched, values[np.maximum(take, 0)] if len(values) else None, None)
            out[column] = pd.Series(picked, index=actors.index, dtype=object)
        return out


def people_candidates(path: Path) -> list[Path]:
    """Where a people directory is looked for next to the export ``path`` (first existing wins).

    The export's name without extensions, cut at each ``-`` from the right, plus ``-people.csv``;
    last plain ``people.csv``: ``ssc-topdesk-history.csv`` → ``ssc-topdesk-history-people.csv``,
    ``ssc-topdesk-people.csv``, ``ssc-people.csv``, ``people.csv``.

    >>> [p.name for p in people_candidates(Path("data/ssc-topdesk-history.csv"))]
    ['ssc-topdesk-history-people.csv', 'ssc-topdesk-people.csv', 'ssc-people.csv', 'people.csv']
    """
    stem = path.name.split(".")[0]
    parts = stem.split("-")
    names = ["-".join(parts[:k]) + "-people.csv" for k in range(len(parts), 0, -1) if "-".join(parts[:k])]
    return [path.with_name(n) for n in dict.fromkeys(names + ["people.csv"]) if n != path.name]


def read_people(path: Path, *, need: Iterable[str] = ("name",), what: str = N_("people directory")) -> People:
    """Read a people directory (any delimiter and encoding the CSV reader recognises)."""
    from ssc_mining.eventlog.inputs import record_input
    from ssc_mining.loaders.csv_reader import read_csv

    frame = read_csv(path).frame
    record_input(what, path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ConfigError(f"the {what} {path.name} needs the column(s) {', '.join(missing)}", path=path,
                          hint="columns: " + ", ".join(PEOPLE_COLUMNS) + " (name required)")
    keep = [c for c in PEOPLE_COLUMNS if c in frame.columns]
    frame = frame[keep].copy()
    for column in keep:
        frame[column] = clean(frame[column], nulls=())
    return People(path.name, frame[frame["name"].notna().to_numpy()].reset_index(drop=True))


def _given(value: str, base: Path | None, profile: str, key: str) -> Path:
    given = Path(value)
    tries = [given] if given.is_absolute() else ([base.parent / given] if base is not None else []) + [given]
    for candidate in tries:
        if candidate.exists():
            return candidate
    raise ConfigError(f"the {key} file {value} given for [profiles.{profile}] does not exist",
                      hint=f"looked at {', '.join(str(t) for t in tries)}; a relative name is relative to the "
                           "export's folder (or the current directory)")


def find_people(raw: RawTable, spec: Any, profile: str) -> tuple[People | None, list[str]]:
    """The people directory for this export, and a note on where it came from (or that none was found).

    ``[profiles.<profile>] people = "file.csv"`` names it (relative to the export's folder, else to
    the current directory; ``people = ""`` switches the lookup off); ``users = "…"`` (a user table
    with ``user_name, name``) is accepted as the older name of the same option. Otherwise the first
    of :func:`people_candidates` that exists next to the export is used.
    """
    opts = options(spec, profile)
    base = Path(raw.details["path"]) if raw.details.get("path") else None
    for key in ("people", "users"):
        if key in opts:
            if not opts[key]:
                return None, [N_("%(profile)s: people directory switched off (%(key)s = \"\")")
                              % {"profile": profile, "key": key}]
            path = _given(str(opts[key]), base, profile, key)
            need = ("name", "user_name") if key == "users" else ("name",)
            people = read_people(path, need=need, what=N_("users file") if key == "users" else N_("people directory"))
            return people, [N_("%(profile)s: team, organisation and support line of whoever acted from the people "
                               "directory %(name)s (%(key)s in the mapping file; %(n)s people)")
                            % {"profile": profile, "name": path.name, "key": key, "n": f"{len(people.frame):,}"}]
    if base is not None:
        for candidate in people_candidates(base):
            if candidate.is_file():
                people = read_people(candidate)
                return people, [N_("%(profile)s: team, organisation and support line of whoever acted from the "
                                   "people directory %(name)s found next to the export (%(n)s people)")
                                % {"profile": profile, "name": candidate.name, "n": f"{len(people.frame):,}"}]
    return None, []


def actor_attributes(actor: pd.Series, assignee: pd.Series, group: pd.Series, *, people: People | None,
                     profile: str, requester: pd.Series | None = None, mother: pd.Series | None = None,
                     ssc_name: str = SSC_NAME) -> tuple[pd.Series, pd.Series, pd.Series, list[str]]:
    """Team, organisation and support line of each actor, and notes on how they were found.

    With a people directory: the actor's team, organisation and line from it; actors not in the
    directory (and fields it leaves empty) fall back to :func:`actor_team_org`. Without one: the
    inference of :func:`actor_team_org`, no line, and a note that teams were inferred.
    """
    team, org = actor_team_org(actor, assignee, group, requester=requester, mother=mother, ssc_name=ssc_name)
    line = pd.Series(None, index=actor.index, dtype=object)
    if people is None:
        return team, org, line, [
            N_("%(profile)s: no people directory (a *people.csv next to the export, or [profiles.%(profile)s] people = "
               "\"…\"): the team of whoever acted is inferred from the assignments (the group they are most often "
               "assigned in), the organisation from the assignments and the requester; no support line")
            % {"profile": profile}]
    found = people.lookup(actor)
    team = found["team"].where(found["team"].notna(), team)
    org = found["organisation"].where(found["organisation"].notna(), org)
    line = found["line"]
    known = actor.notna().to_numpy()
    unmatched = pd.unique(actor[known & ~found["matched"].to_numpy()])
    notes = []
    if len(unmatched):
        notes.append(N_("%(profile)s: %(n)s people who acted are not in the people directory %(name)s (e.g. "
                        "%(examples)s); their team is inferred from the assignments")
                     % {"profile": profile, "n": f"{len(unmatched):,}", "name": people.source,
                        "examples": ", ".join(map(str, unmatched[:3]))})
    return (team.astype(object).where(team.notna(), None), org.astype(object).where(org.notna(), None),
            line.astype(object).where(line.notna(), None), notes)


#: the reason a row gives no event when the profile gives none of its own
NO_EVENT = N_("row gives no event")


def finish(raw: RawTable, events: pd.DataFrame, mapping: dict[str, str], *, time_format: str | None,
           dayfirst: bool | None, skipped: dict[str, int] | None = None,
           rejected: list[RejectedRow] | None = None, notes: list[str] | None = None,
           rows_total: int | None = None, semantics: dict[str, str] | None = None) -> ProfiledTable:
    """Wrap the events (with ``_row``) as a ProfiledTable; rows with no event are counted as skipped.

    ``semantics`` fixes the roles of the labels the profile made (label → role).

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
        skipped[NO_EVENT] = skipped.get(NO_EVENT, 0) + total - accounted
    table = RawTable(frame=frame, source_rows=rows, reader=raw.reader, rejected=rejected, details=raw.details,
                     notes=list(raw.notes), rows_total=total, skipped=skipped)
    return ProfiledTable(raw=table, mapping=mapping, timestamp_format=time_format, dayfirst=dayfirst,
                         notes=list(notes or []), semantics=dict(semantics or {}))


def with_utc_offset(values: pd.Series) -> pd.Series:
    """UTC times without a zone (``2024-03-04 08:15:00``) marked as UTC (``…+0000``), so they are not localised."""
    text = clean(values, nulls=())
    return text.where(text.isna(), text + "+0000")


def last_known(frame: pd.DataFrame, case: str, time: str, columns: Iterable[str], *,
               time_format: str | None) -> dict[str, pd.Series]:
    """Per column: the last non-missing value per case (rows ordered by ``time``, then file order).

    For case attributes that a history repeats on every row (a ticket's target and need-by
    dates): the value as it stands after the ticket's last change, even when it was changed or
    cleared-and-set along the way. ``frame`` needs ``_row``; columns not in it are left out.
    """
    present = [c for c in columns if c in frame]
    if not present:
        return {}
    t = pd.to_datetime(frame[time], format=time_format, errors="coerce", utc=True)
    ordered = frame.assign(_t=t.to_numpy()).sort_values([case, "_t", "_row"], kind="stable")
    return {c: ordered.dropna(subset=[c]).groupby(case, sort=False)[c].last() for c in present}


def case_attribute(events: pd.DataFrame, case: str, column: str, how: str = "last") -> pd.Series:
    """The last (or first) non-missing value of ``column`` per case, spread over every event of the case."""
    present = events[[case, column]].dropna()
    per_case = present.groupby(case, sort=False)[column].agg(how)
    return events[case].map(per_case)


__all__ = ["clean", "canonical_status", "require", "has_columns", "evidence", "snapshot_events",
           "history_events", "actor_team_org", "actor_attributes", "find_people", "people_candidates",
           "read_people", "People", "PEOPLE_COLUMNS", "finish", "history_roles", "options", "activity_table",
           "with_utc_offset",
           "case_attribute", "last_known", "STATUS_NAMES", "STATE_CODES", "C"]
