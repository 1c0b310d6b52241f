"""TOPdesk profiles: ``topdesk`` (incident export, one row per melding) and ``topdesk-history``.

Both read Dutch column labels, day-first local times without seconds
(``dd-mm-jjjj uu:mm``) and Dutch or English status names. What becomes an
activity is in ``docs/profiles.md`` and can be changed under
``[profiles.topdesk.activities]`` / ``[profiles.topdesk-history.activities]``
in the mapping file.

* ``topdesk``: one event per filled date column: ``Aanmelddatum`` → Register,
  ``Gereageerd`` → First response, ``Gereed`` → Resolve, ``Afgemeld`` → Close.
  ``Streefdatum`` (SLA target) and ``Gewenste datum`` (need-by) are case
  attributes, not events; ``On hold duur (min)`` becomes ``case:ssc:on_hold_minutes``.
* ``topdesk-history``: one event per row that names an action (``Actie``) or
  changes the status, operator group or operator; ``Gewijzigd door`` is the resource.
  ``Categorie``, ``Streefdatum`` and ``Gewenste datum``, when the history carries them,
  become the case attributes category, due and need-by with the last known value per melding.

Example:
    >>> import numpy as np, pandas as pd
    >>> from ssc_mining.loaders.raw import RawTable
    >>> raw = RawTable(pd.DataFrame({"Nummer": ["M1"], "Aanmelddatum": ["02-01-2024 09:56"],
    ...                              "Behandelaarsgroep": ["Servicedesk"], "Behandelaar": ["Ugur"],
    ...                              "Gereed": ["03-01-2024 12:27"]}), np.array([2]), reader="csv")
    >>> Topdesk().detect(raw)
    'columns Nummer, Aanmelddatum, Behandelaarsgroep look like a TOPdesk incident export (topdesk profile)'
    >>> Topdesk().to_events(raw, None).raw.frame["activity"].tolist()
    ['Register', 'Resolve']
"""

from __future__ import annotations

from typing import Any

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
)
from ssc_mining.loaders.raw import RawTable

TIME_FORMAT = "%d-%m-%Y %H:%M"
#: date column → activity (the order is the order of events at the same minute)
SNAPSHOT_ACTIVITIES = {"Aanmelddatum": "Register", "Gereageerd": "First response", "Gereed": "Resolve",
                       "Afgemeld": "Close"}
#: the role of the event each date column becomes (docs/semantics.md)
SNAPSHOT_ROLES = {"Aanmelddatum": "register", "Gereageerd": "start_work", "Gereed": "resolve", "Afgemeld": "close"}
#: case attributes: column → role
CASE_ROLES = {"Aanmelder": "requester", "Organisatie": "mother", "Soort binnenkomst": "channel",
              "Categorie": "category", "Prioriteit": "priority", "Streefdatum": "due", "Gewenste datum": "need_by",
              "Korte omschrijving": "subject", "Gekoppelde melding": "link"}
#: case attributes a history repeats on every row: the last known value per melding is kept
HISTORY_ROLES = {"Categorie": "category", "Streefdatum": "due", "Gewenste datum": "need_by"}
ON_HOLD = "On hold duur (min)"
_PORTAL = ("portal", "selfservice", "self-service", "self service", "zelfservice")


class Topdesk(Profile):
    """TOPdesk incident export (snapshot): events from the date columns."""

    name = "topdesk"
    description = "TOPdesk incident export (Nummer, Aanmelddatum, Behandelaarsgroep …): events from the date columns."

    def detect(self, raw: RawTable) -> str | None:
        team = "Behandelaarsgroep" if has_columns(raw, ["Behandelaarsgroep"]) else "Behandelaar"
        if raw.reader == "xes" or not has_columns(raw, ["Nummer", "Aanmelddatum", team]):
            return None
        if has_columns(raw, ["Datum wijziging"]):
            return None
        return evidence(self.name, ["Nummer", "Aanmelddatum", team], N_("a TOPdesk incident export"))

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable:
        require(raw, self.name, ["Nummer", "Aanmelddatum"])
        labels = activity_table(spec, self.name, SNAPSHOT_ACTIVITIES)
        columns = [str(c) for c in raw.frame.columns]
        dates = {c: label for c, label in labels.items() if c in columns and label}
        frame = raw.frame.copy()
        frame.columns = columns
        for column in frame.columns:
            frame[column] = clean(frame[column], nulls=())
        frame["_row"] = raw.source_rows
        events, _ = snapshot_events(raw, frame, dates=dates, first="Aanmelddatum")
        ssc_name = options(spec, self.name).get("ssc_name", SSC_NAME)
        by_assignee = events["activity"].isin([labels.get("Gereed"), labels.get("Afgemeld")]).to_numpy()
        if "Behandelaar" in events:
            events.loc[by_assignee, "resource"] = events.loc[by_assignee, "Behandelaar"]
            events.loc[by_assignee & events["resource"].notna().to_numpy(), "organisation"] = ssc_name
        if "Behandelaarsgroep" in events:
            events.loc[by_assignee, "team"] = events.loc[by_assignee, "Behandelaarsgroep"]
        if {"Aanmelder", "Soort binnenkomst"} <= set(events.columns):
            channel = events["Soort binnenkomst"].fillna("").str.lower()
            portal = channel.str.contains("|".join(_PORTAL), regex=True).to_numpy()
            by_requester = (events["activity"] == labels.get("Aanmelddatum")).to_numpy() & portal
            events.loc[by_requester, "resource"] = events.loc[by_requester, "Aanmelder"]
            if "Organisatie" in events:
                events.loc[by_requester, "organisation"] = events.loc[by_requester, "Organisatie"]
        if ON_HOLD in events:
            events = events.rename(columns={ON_HOLD: C.ON_HOLD_MINUTES})
        mapping = {"case": "Nummer", "activity": "activity", "timestamp": "timestamp", "resource": "resource",
                   "team": "team", "org": "organisation"}
        mapping.update({role: col for col, role in CASE_ROLES.items() if col in events})
        notes = [N_("topdesk: one event per filled date column (%(dates)s); a snapshot does not hold the events in "
                    "between (forwarding, holds, reopens)")
                 % {"dates": ", ".join(f"{c} → {a}" for c, a in dates.items())},
                 N_("topdesk: handler and team of Resolve and Close are the last Behandelaar / Behandelaarsgroep; "
                    "Register is by the requester ('Aanmelder') when the ticket came in through the self-service "
                    "portal")]
        fixed = {dates[c]: role for c, role in SNAPSHOT_ROLES.items() if c in dates}
        return finish(raw, events, mapping, time_format=TIME_FORMAT, dayfirst=True, notes=notes, semantics=fixed)


class TopdeskHistory(Profile):
    """TOPdesk change history (``mutatie_incident`` style): one event per relevant change."""

    name = "topdesk-history"
    description = ("TOPdesk change history (Nummer, Datum wijziging, Gewijzigd door …): "
                   "one event per action or change of status, group or operator.")

    REQUIRED = ("Nummer", "Datum wijziging", "Gewijzigd door")

    def detect(self, raw: RawTable) -> str | None:
        return recognise(raw, self.name, self.REQUIRED, N_("a TOPdesk change history"))

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable:
        require(raw, self.name, self.REQUIRED)
        opts = options(spec, self.name)
        labels = activity_table(spec, self.name, {})
        frame = raw.frame.copy()
        frame.columns = [str(c) for c in frame.columns]
        for column in frame.columns:
            frame[column] = clean(frame[column], nulls=())
        raw_status = frame["Status"] if "Status" in frame else pd.Series(None, index=frame.index, dtype=object)
        status, _ = canonical_status(raw_status)
        action_col = opts.get("action_column", "Actie")
        h = pd.DataFrame({
            "_row": raw.source_rows, "_case": frame["Nummer"], "_time": frame["Datum wijziging"],
            "_status": status, "_status_raw": raw_status,
            "_group": frame.get("Behandelaarsgroep"), "_assignee": frame.get("Behandelaar"),
        }, index=frame.index)
        if action_col and action_col in frame:
            h["_action"] = frame[action_col]
        other = [c for c in frame.columns if c not in ("Nummer", "Datum wijziging", "Status", "Behandelaarsgroep",
                                                       "Behandelaar", action_col)]
        h = pd.concat([h, frame[other]], axis=1)
        events, skipped = history_events(h, labels=labels, time_format=TIME_FORMAT,
                                         use_actions=bool(opts.get("use_actions", True)))
        # team, organisation and line of whoever acted: from the people directory, else inferred from every row
        people, people_notes = find_people(raw, spec, self.name)
        team_all, org_all, line_all, actor_notes = actor_attributes(
            h["Gewijzigd door"], h["_assignee"], h["_group"], people=people, profile=self.name,
            ssc_name=opts.get("ssc_name", SSC_NAME))
        events = events.assign(**{"Nummer": events["_case"], "Datum wijziging": events["_time"],
                                  "team": team_all.loc[events.index], "organisation": org_all.loc[events.index],
                                  "actor_line": line_all.loc[events.index],
                                  "status": events["_status"], C.ASSIGNED_GROUP: events["_group"],
                                  C.ASSIGNED_TO: events["_assignee"]})
        mapping = {"case": "Nummer", "activity": "activity", "timestamp": "Datum wijziging",
                   "resource": "Gewijzigd door", "team": "team", "org": "organisation", "status": "status"}
        if events["actor_line"].notna().any():
            mapping["line"] = "actor_line"
        else:
            events = events.drop(columns=["actor_line"])
        frame["_row"] = raw.source_rows
        for column, last in last_known(frame, "Nummer", "Datum wijziging", HISTORY_ROLES,
                                       time_format=TIME_FORMAT).items():
            events[column] = events["_case"].map(last)
            mapping[HISTORY_ROLES[column]] = column
        derived = []
        if people is not None and "Organisatie" not in frame:
            # the history has no organisation column: the ticket's organisation is that of the people outside
            # the SSC (requester, liaison) who acted on it, so the analysers can tell both sides apart
            ssc_name = opts.get("ssc_name", SSC_NAME)
            outside = pd.DataFrame({"case": h["_case"], "org": org_all}).dropna()
            outside = outside[outside["org"] != ssc_name]
            mother = outside.groupby("case", sort=False)["org"].first()
            events["Organisatie"] = events["_case"].map(mother)
            mapping["mother"] = "Organisatie"
            derived = [N_("topdesk-history: the ticket's organisation (Organisatie) is that of the people outside "
                          "%(ssc)s who acted on it, from the people directory (%(n)s tickets)")
                       % {"ssc": repr(ssc_name), "n": f"{len(mother):,}"}]
        notes = [N_("topdesk-history: one event per row that names an action ('Actie') or changes Status, "
                    "Behandelaarsgroep or Behandelaar; the handler is 'Gewijzigd door'")]
        notes += people_notes + actor_notes + derived
        return finish(raw, events, mapping, time_format=TIME_FORMAT, dayfirst=True, skipped=skipped, notes=notes,
                      semantics=history_roles(labels))


__all__ = ["Topdesk", "TopdeskHistory", "TIME_FORMAT", "SNAPSHOT_ACTIVITIES"]
