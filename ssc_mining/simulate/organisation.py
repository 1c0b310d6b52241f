"""Who is involved: three mother organisations, one SSC with teams and people, and the request categories.

Everything is drawn from the seed (a separate random stream from the tickets),
so the same seed always gives the same people.

Example:
    >>> org = build_organisation(seed=7, team_size=(4, 8), requesters_per_mother=40)
    >>> [m.name for m in org.mothers]
    ['Gemeente Aadorp', 'Gemeente Beekveld', 'Gemeente Corlaer']
    >>> [t.name for t in org.teams][:3]
    ['Servicedesk', 'HR & Salarissen', 'Financiën']
    >>> sorted({p.organisation for p in org.people})[:2]
    ['Gemeente Aadorp', 'Gemeente Beekveld']
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

SSC_NAME = "SSC"


@dataclass(frozen=True)
class Mother:
    name: str
    short: str
    weight: float  # share of the ticket volume


@dataclass(frozen=True)
class Team:
    """A team; SSC teams have a support line, mother-side teams have line 0 (none)."""

    index: int
    name: str
    organisation: str
    line: int


@dataclass(frozen=True)
class Person:
    index: int
    name: str
    team: int
    organisation: str
    role: str  # agent, coordinator, liaison, employee
    user_name: str
    sys_id: str


@dataclass(frozen=True)
class Category:
    """A request category; ``sla_hours`` and ``lead_hours`` are business hours."""

    index: int
    name: str
    kind: str             # Storing / Aanvraag / Vraag (TOPdesk "Soort melding")
    team: str             # the team that resolves it beyond the first line
    sla_hours: int
    first_line: float     # share solved by the Servicedesk itself
    weight: float
    purchase: bool = False  # path with Approve, Order, Deliver
    lead_hours: int = 0   # the SSC's norm lead time for purchases


MOTHERS = (Mother("Gemeente Aadorp", "Aadorp", 0.45), Mother("Gemeente Beekveld", "Beekveld", 0.35),
           Mother("Gemeente Corlaer", "Corlaer", 0.20))

#: (name, line) of the SSC teams; the Servicedesk is the first line
SSC_TEAMS = (("Servicedesk", 1), ("HR & Salarissen", 2), ("Financiën", 2), ("Inkoop", 2),
             ("ICT Werkplek", 2), ("ICT Applicaties", 3))

CATEGORIES = (
    Category(0, "Wachtwoord", "Storing", "ICT Werkplek", 8, 0.85, 0.16),
    Category(1, "Werkplekstoring", "Storing", "ICT Werkplek", 16, 0.35, 0.15),
    Category(2, "Applicatiestoring", "Storing", "ICT Applicaties", 24, 0.10, 0.10),
    Category(3, "Autorisatie", "Aanvraag", "ICT Applicaties", 24, 0.30, 0.08),
    Category(4, "Salariscorrectie", "Aanvraag", "HR & Salarissen", 40, 0.05, 0.07),
    Category(5, "Personeelsmutatie", "Aanvraag", "HR & Salarissen", 24, 0.40, 0.09),
    Category(6, "Factuurvraag", "Vraag", "Financiën", 24, 0.30, 0.12),
    Category(7, "Declaratie", "Aanvraag", "Financiën", 40, 0.20, 0.07),
    Category(8, "Inkoopaanvraag", "Aanvraag", "Inkoop", 80, 0.0, 0.08, purchase=True, lead_hours=80),
    Category(9, "Hardwareaanvraag", "Aanvraag", "ICT Werkplek", 80, 0.0, 0.08, purchase=True, lead_hours=80),
)

PRIORITIES = ("Hoog", "Normaal", "Laag")
PRIORITY_WEIGHTS = (0.15, 0.65, 0.20)
CHANNELS = ("portal", "telefoon", "e-mail")
CHANNEL_WEIGHTS = (0.5, 0.3, 0.2)

FIRST_NAMES = (
    "Anne", "Bram", "Daan", "Emma", "Fleur", "Gerrit", "Hanneke", "Inge", "Jan", "Joost", "Karin", "Lars",
    "Lotte", "Marieke", "Mark", "Niels", "Noor", "Pieter", "Priya", "Ruud", "Sanne", "Sem", "Thijs", "Tim",
    "Vera", "Wim", "Yara", "Bart", "Carla", "Dirk", "Esther", "Frank", "Hans", "Ilse", "Jeroen", "Kees",
    "Linda", "Maarten", "Mohamed", "Nina", "Olga", "Paul", "Rik", "Sophie", "Tamara", "Ugur", "Wouter",
    "Ayse", "Fatima", "Hugo", "Julia", "Koen", "Lieke", "Mila", "Roos", "Stijn", "Tess", "Youssef", "Zeynep")
ACCENTED_FIRST_NAMES = ("René", "Chloë", "Zoë", "Noëlle", "André", "Désirée", "Daniël", "Joëlle", "Michiel")
LAST_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
    "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
    "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "de Bruin",
    "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas",
    "Verhoeven", "Koster", "van Dam", "van der Wal", "Prins", "Blom", "Huisman", "Peeters", "Kuipers",
    "Yilmaz", "El Amrani", "Çelik", "Bouzid", "Koç", "Sarmo", "Wijnands", "Groenewegen")


@dataclass(frozen=True)
class Organisation:
    """Mothers, teams (SSC first, then per mother: employees and liaisons), people and categories."""

    mothers: tuple[Mother, ...]
    teams: tuple[Team, ...]
    people: tuple[Person, ...]
    categories: tuple[Category, ...]

    def team_index(self, name: str) -> int:
        return next(t.index for t in self.teams if t.name == name)

    def members(self, team: int, role: str | None = None) -> list[int]:
        return [p.index for p in self.people if p.team == team and (role is None or p.role == role)]

    def employees_team(self, mother: int) -> int:
        return len(SSC_TEAMS) + 2 * mother

    def liaison_team(self, mother: int) -> int:
        return len(SSC_TEAMS) + 2 * mother + 1

    def to_dict(self) -> dict:
        return {
            "mothers": [m.name for m in self.mothers],
            "ssc": SSC_NAME,
            "teams": [{"name": t.name, "organisation": t.organisation, "line": t.line or None}
                      for t in self.teams],
            "people": [{"name": p.name, "team": self.teams[p.team].name, "organisation": p.organisation,
                        "role": p.role, "user_name": p.user_name, "sys_id": p.sys_id}
                       for p in self.people if p.role != "employee"],
            "categories": [{"name": c.name, "kind": c.kind, "team": c.team, "sla_hours": c.sla_hours,
                            "first_line_share": c.first_line, "purchase": c.purchase,
                            "norm_lead_hours": c.lead_hours or None} for c in self.categories],
        }


def sys_id(*parts: object) -> str:
    """A deterministic 32-hex id (like a ServiceNow sys_id) from the given parts.

    >>> len(sys_id("incident", 7, 1)), sys_id("incident", 7, 1) == sys_id("incident", 7, 1)
    (32, True)
    """
    return hashlib.md5("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def _user_name(name: str, taken: set[str]) -> str:
    first, *rest = name.split(" ")
    base = (first[0] + "." + "".join(rest)).lower()
    base = base.translate(str.maketrans("éëışçğ", "eeiscg"))
    user, n = base, 2
    while user in taken:
        user, n = f"{base}{n}", n + 1
    taken.add(user)
    return user


def build_organisation(seed: int, team_size: tuple[int, int], requesters_per_mother: int) -> Organisation:
    """Draw people for every team and requesters for every mother from ``seed``."""
    rng = np.random.default_rng([seed, 0])
    teams: list[Team] = [Team(i, name, SSC_NAME, line) for i, (name, line) in enumerate(SSC_TEAMS)]
    for m in MOTHERS:
        teams.append(Team(len(teams), f"Medewerkers {m.short}", m.name, 0))
        teams.append(Team(len(teams), f"Regie {m.short}", m.name, 0))

    n_combos = len(FIRST_NAMES) * len(LAST_NAMES)
    # a large organisation (more requesters than first × last names allow) also draws a middle initial
    space = n_combos if 3 * (requesters_per_mother + 10) + 100 <= n_combos else n_combos * 27
    used: set[int] = set()
    taken_users: set[str] = set()

    def draw_name() -> str:
        while True:
            k = int(rng.integers(space))
            if k not in used:
                used.add(k)
                initial, k = divmod(k, n_combos)
                middle = f" {chr(64 + initial)}." if initial else ""
                return f"{FIRST_NAMES[k // len(LAST_NAMES)]}{middle} {LAST_NAMES[k % len(LAST_NAMES)]}"

    people: list[Person] = []

    def add(name: str, team: int, role: str) -> None:
        user = _user_name(name, taken_users)
        people.append(Person(len(people), name, team, teams[team].organisation, role, user,
                             sys_id("sys_user", user)))

    lo, hi = team_size
    for t in teams[:len(SSC_TEAMS)]:
        size = int(rng.integers(lo, hi + 1))
        for k in range(size):
            name = draw_name()
            if t.index == 0 and k == 0:  # at least one accented name, for encoding checks
                accented = ACCENTED_FIRST_NAMES[int(rng.integers(len(ACCENTED_FIRST_NAMES) - 1))]
                name = accented + " " + name.split(" ", 1)[1]
            add(name, t.index, "coordinator" if k == 0 else "agent")
    for mi in range(len(MOTHERS)):
        liaison_team = len(SSC_TEAMS) + 2 * mi + 1
        for _ in range(3):
            add(draw_name(), liaison_team, "liaison")
    cap = min(requesters_per_mother, (space - len(used)) // len(MOTHERS) - 10)
    for mi in range(len(MOTHERS)):
        for _ in range(cap):
            add(draw_name(), len(SSC_TEAMS) + 2 * mi, "employee")
    return Organisation(MOTHERS, tuple(teams), tuple(people), CATEGORIES)
