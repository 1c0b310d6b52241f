"""Column mapping: which source column plays which role (case, activity, …).

A mapping comes from CLI options, from a TOML file, or is proposed from the
column names (English and Dutch):

.. code-block:: toml

    [columns]
    case = "Zaaknummer"
    activity = "Activiteit"
    timestamp = "Tijdstip"
    resource = "Behandelaar"
    team = "Behandelaarsgroep"

    [timestamps]          # optional
    dayfirst = true
    timezone = "Europe/Amsterdam"

    [csv]                 # optional
    delimiter = ";"
    encoding = "cp1252"

    [input]               # optional: the file to read from a .zip archive with several
    member = "incidents.csv"

    [semantics.activities]    # optional: what a label means (see docs/semantics.md)
    "Aanvraag afgewezen" = "return"

    [semantics.statuses]
    "Wacht op leverancier" = "wait_third_party"

    [calendar]                # optional: business hours for SLA and lead times (see docs/loading.md)
    country = "NL"            # public holidays from the holidays package; subdivision = "BY" for a region
    hours = "08:00-17:00"
    days = "mon-fri"

    [calendar.priority]       # other hours per priority value
    "1" = "24/7"

Example:
    >>> propose_mapping(["Zaaknummer", "Activiteit", "Tijdstip", "Behandelaar"])
    {'case': 'Zaaknummer', 'activity': 'Activiteit', 'timestamp': 'Tijdstip', 'resource': 'Behandelaar'}
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssc_mining.errors import ConfigError, MappingError
from ssc_mining.eventlog.columns import ROLES
from ssc_mining.i18n import N_

#: recognised names per role, normalised (lower case, only letters and digits), most specific first
SYNONYMS: dict[str, tuple[str, ...]] = {
    "case": ("caseconceptname", "caseid", "case", "zaaknummer", "zaakid", "zaak", "ticketid", "ticketnumber",
             "ticket", "incidentnumber", "incident", "meldingnummer", "meldingsnummer", "melding", "number",
             "nummer", "issuekey", "key", "id"),
    "activity": ("conceptname", "activity", "activityname", "activiteit", "handeling", "event", "eventname",
                 "action", "actie", "stap", "task", "taak", "status", "state", "incidentstate"),
    "timestamp": ("timetimestamp", "timestamp", "completetimestamp", "endtimestamp", "tijdstip", "datumtijd",
                  "eventtime", "datetime", "sysupdatedat", "datwijzig", "time", "datum", "date", "created"),
    "resource": ("orgresource", "resource", "behandelaar", "medewerker", "uitvoerder", "agent", "operator",
                 "assignedto", "user", "sysupdatedby", "author", "performer"),
    "team": ("orggroup", "team", "teambehandelaar", "group", "groep", "supportteam", "afdeling", "resourcegroup",
             "performerteam"),
    "assigned_group": ("assignmentgroup", "assignedgroup", "behandelaarsgroep", "operatorgroep", "operatorgroup",
                       "workgroup", "supportgroup", "toegewezengroep", "queue", "wachtrij"),
    "role": ("orgrole", "role", "rol"),
    "lifecycle": ("lifecycletransition", "lifecycle", "transition"),
    "org": ("organisation", "organization", "organisatie", "ssc_organisation"),
    "status": ("status", "state", "incidentstate"),
    "line": ("supportline", "line", "lijn", "organizationinvolved"),
    "mother": ("mother", "moederorganisatie", "moeder", "customer", "klant", "company", "gemeente", "client"),
    "requester": ("requester", "aanmelder", "melder", "aanvrager", "caller", "callerid", "reporter",
                  "openedby"),
    "category": ("category", "categorie", "soortmelding", "subcategory", "subcategorie", "product", "service"),
    "priority": ("priority", "prioriteit"),
    "channel": ("channel", "kanaal", "contacttype", "soortbinnenkomst"),
    "need_by": ("needby", "needbydate", "neededby", "neededbydate", "uneedby", "requiredby", "requiredbydate",
                "urequiredby", "wanteddate", "datewanted", "wantedby", "requesteddate", "requesteddeliverydate",
                "desireddate", "gewenstedatum", "gewenstleverdatum", "gewensteleverdatum", "gewenstedatumlevering",
                "gewenstelevering", "gewenstopleverdatum", "uitersteleverdatum", "nodigop", "nodigvoor",
                "benodigdop", "leverdatumgewenst"),
    "due": ("due", "duedate", "streefdatum", "targetdate", "deadline", "sladue", "datumafspraak"),
    "link": ("link", "linkedticket", "parent", "parentid", "parentincident", "parentticket", "duplicateof",
             "problemid", "relatedticket", "relatedincident", "hoofdmelding", "gekoppeldemelding", "gekoppeldaan",
             "bovenliggendemelding"),
    "subject": ("subject", "summary", "shortdescription", "korteomschrijving", "kortomschrijving", "onderwerp",
                "titel", "title"),
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def propose_mapping(columns: list[str]) -> dict[str, str]:
    """Propose role → column from the column names; each column is used at most once.

    XES case attributes are also recognised without their ``case:`` prefix (``case:deadline`` → due).
    """
    normalised = {_norm(c.removeprefix("case:")): c for c in reversed(columns) if c.startswith("case:")}
    normalised.update({_norm(c): c for c in reversed(columns)})
    taken: set[str] = set()
    proposal: dict[str, str] = {}
    for role, names in SYNONYMS.items():
        for name in names:
            column = normalised.get(name)
            if column is not None and column not in taken:
                proposal[role] = column
                taken.add(column)
                break
    return proposal


@dataclass
class MappingSpec:
    """A mapping with the reading options that can travel with it in a TOML file."""

    columns: dict[str, str] = field(default_factory=dict)
    dayfirst: bool | None = None
    timestamp_format: str | None = None
    timezone: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    profile: str | None = None
    source: str = "options"
    #: per-profile options from ``[profiles.<name>]`` (e.g. ``activities``), see ``docs/profiles.md``
    profile_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ``[semantics.activities]`` / ``[semantics.statuses]``: label → role, overriding the vocabulary
    semantics: dict[str, dict[str, str]] = field(default_factory=dict)
    #: ``[input] member``: the file to read from a zip archive that holds several (``--member``)
    member: str | None = None
    #: ``[calendar]``: business hours as analyser parameters (see :func:`ssc_mining.business_calendar.calendar_params`)
    calendar: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, path: str | Path) -> MappingSpec:
        """Read a mapping file; unknown roles are an error that lists the known ones."""
        path = Path(path)
        try:
            data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("the mapping file does not exist", path=path) from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"the mapping file is not valid TOML: {err}", path=path) from None
        from ssc_mining.eventlog.inputs import record_input

        record_input(N_("mapping file"), path)
        columns = dict(data.get("columns", {}))
        unknown = sorted(set(columns) - set(ROLES))
        if unknown:
            raise ConfigError(f"unknown roles {unknown} in [columns]", path=path,
                              hint="known roles: " + ", ".join(ROLES))
        ts = data.get("timestamps", {})
        csv_opts = data.get("csv", {})
        member = data.get("input", {}).get("member")
        if member is not None and not isinstance(member, str):
            raise ConfigError("[input] member must be a file name in quotes", path=path)
        profile = data.get("profile")
        profile_options = dict(data.get("profiles", {}))
        if isinstance(profile, dict):  # [profile.<name>.activities] is accepted as well as [profiles.<name>…]
            profile_options, profile = {**profile, **profile_options}, None
        semantics = dict(data.get("semantics", {}))
        from ssc_mining.semantics.reading import check_overrides

        check_overrides(semantics, source=f"the mapping file {path.name}")
        calendar = data.get("calendar", {})
        if not isinstance(calendar, dict):
            raise ConfigError("[calendar] must be a table", path=path,
                              hint='write [calendar] and country = "NL" below it')
        from ssc_mining.business_calendar import calendar_params

        calendar = calendar_params(calendar, path=path)
        return cls(columns=columns, profile=profile, profile_options=profile_options, dayfirst=ts.get("dayfirst"),
                   timestamp_format=ts.get("format"), timezone=ts.get("timezone"), delimiter=csv_opts.get("delimiter"),
                   encoding=csv_opts.get("encoding"), source=f"mapping file {path.name}", semantics=semantics,
                   member=member, calendar=calendar)

    def merged(self, other: MappingSpec) -> MappingSpec:
        """This spec with every value that ``other`` sets taking precedence."""
        return MappingSpec(
            columns={**self.columns, **other.columns},
            dayfirst=other.dayfirst if other.dayfirst is not None else self.dayfirst,
            timestamp_format=other.timestamp_format or self.timestamp_format,
            timezone=other.timezone or self.timezone,
            delimiter=other.delimiter or self.delimiter,
            encoding=other.encoding or self.encoding,
            profile=other.profile or self.profile,
            source=other.source if other.columns else self.source,
            profile_options={**self.profile_options, **other.profile_options},
            semantics={table: {**self.semantics.get(table, {}), **other.semantics.get(table, {})}
                       for table in {*self.semantics, *other.semantics}},
            member=other.member or self.member,
            calendar={**self.calendar, **other.calendar},
        )


def resolve_mapping(spec: MappingSpec, available: list[str], *, path: str | Path) -> dict[str, str]:
    """Complete ``spec`` with proposals and check every named column exists.

    Raises :class:`MappingError` listing the columns that do exist.

    >>> resolve_mapping(MappingSpec({"case": "Nr"}), ["Nr", "Activity", "Time"], path="x.csv")
    {'case': 'Nr', 'activity': 'Activity', 'timestamp': 'Time'}
    """
    proposal = propose_mapping(available)
    chosen = set(spec.columns.values())
    mapping = dict(spec.columns)
    for role, column in proposal.items():
        if role not in mapping and column not in chosen:
            mapping[role] = column
            chosen.add(column)
    missing = {role: col for role, col in spec.columns.items() if col not in available}
    if missing:
        role, col = next(iter(missing.items()))
        raise MappingError(
            f"the mapping ({spec.source}) names column {col!r} for --{role.replace('_', '-')}, "
            "but the file has no such column",
            path=path, column=col,
            hint="the columns are: " + ", ".join(repr(c) for c in available))
    for role in ("case", "activity", "timestamp"):
        if role not in mapping:
            raise MappingError(
                f"no column was found for the {role}", path=path,
                hint=f"name it with --{role} COLUMN (see `ssc-mining inspect FILE`); the columns are: "
                     + ", ".join(repr(c) for c in available))
    return {role: mapping[role] for role in ROLES if role in mapping}
