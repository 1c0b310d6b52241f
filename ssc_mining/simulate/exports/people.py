"""The people directory written next to every export: ``<prefix>-people.csv`` (sample: ``people.csv``).

Real ticket systems can export who belongs to which group (ServiceNow ``sys_user`` and
``sys_user_grmember``, TOPdesk's operators with their operator groups, Jira users and groups).
The history exports record only the *assignment* after each change, so the loader profiles
read this directory to give each event the team, organisation and support line of the person
who acted (see ``docs/profiles.md``, "People directory").

One row per person, in the organisation's order (UTF-8, comma, ``\\n``):

* ``name``: display name, as in TOPdesk ``Gewijzigd door``, Jira ``author`` and the generic ``resource``;
* ``user_name``: login id, as in ServiceNow ``sys_updated_by`` and sys_audit ``user``;
* ``team``: the team whose events they perform (``org:group`` in the generic export); people at a
  mother organisation (employees who request, liaisons) have their mother-side team
  (``Medewerkers <mother>``, ``Regie <mother>``), as in the generic export;
* ``organisation``: the mother's name or ``SSC``;
* ``line``: the support line of their team (1, 2, 3), empty for mother-side people.

Written from the organisation alone: no random draws, so no other export changes.

Example:
    >>> from ssc_mining.simulate.organisation import build_organisation
    >>> rows = people_rows(build_organisation(seed=7, team_size=(4, 8), requesters_per_mother=40))
    >>> list(rows.columns), rows["line"].iloc[0]
    (['name', 'user_name', 'team', 'organisation', 'line'], '1')
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ssc_mining.simulate.exports.base import write_rows
from ssc_mining.simulate.organisation import Organisation

COLUMNS = ("name", "user_name", "team", "organisation", "line")


def people_rows(org: Organisation) -> pd.DataFrame:
    """The directory as text columns (``line`` empty for teams without a support line)."""
    teams = org.teams
    return pd.DataFrame({
        "name": [p.name for p in org.people],
        "user_name": [p.user_name for p in org.people],
        "team": [teams[p.team].name for p in org.people],
        "organisation": [p.organisation for p in org.people],
        "line": [str(teams[p.team].line) if teams[p.team].line else "" for p in org.people],
    }, columns=list(COLUMNS))


def write_people(path: Path, org: Organisation) -> Path:
    """Write the people directory of ``org`` to ``path``."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        write_rows(handle, people_rows(org), sep=",", header=True, eol="\n")
    return path


__all__ = ["people_rows", "write_people", "COLUMNS"]
