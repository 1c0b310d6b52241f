"""The vocabulary: rules that read a label or a status value as a :class:`~ssc_mining.semantics.roles.Role`.

All names live in ``vocabulary.toml`` next to this module (English, Dutch, ITIL, ServiceNow,
TOPdesk, Jira, HP Service Manager and the public BPI Challenge logs). A label is normalised
(accents removed, lower case, punctuation to spaces); exact labels of every rule are tried
first, then the rules' regular expressions in file order; nothing matching means ``other``.

Example:
    >>> role, reason = read_label("Wait - User")
    >>> role, reason.split(",")[0]
    (<Role.WAIT_REQUESTER: 'wait_requester'>, 'rule "wait for the requester (English')
    >>> read_label("Gereedmelden")[0], read_label("Take in charge ticket")[0], read_label("Foo")[0]
    (<Role.RESOLVE: 'resolve'>, <Role.START_WORK: 'start_work'>, <Role.OTHER: 'other'>)
    >>> normalise("Geëscaleerd: 2e-lijn")
    'geescaleerd 2e lijn'
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ssc_mining.semantics.roles import Role

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")
NO_RULE = "no rule matched"

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(label: str) -> str:
    """Accents removed, lower case, every run of other characters than letters and digits one space."""
    text = unicodedata.normalize("NFKD", str(label))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NOT_WORD.sub(" ", text).strip()


@dataclass(frozen=True)
class Rule:
    """One rule of the vocabulary: a name (the reason shown), a role, exact labels and patterns."""

    name: str
    role: Role
    exact: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()


@functools.lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The rules of ``vocabulary.toml`` in file order (read once)."""
    data = tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    out = []
    for entry in data["rule"]:
        out.append(Rule(name=entry["name"], role=Role(entry["role"]),
                        exact=tuple(normalise(e) for e in entry.get("exact", ())),
                        patterns=tuple(re.compile(p) for p in entry.get("patterns", ()))))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _exact() -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for rule in rules():
        for label in rule.exact:
            table.setdefault(label, rule)
    return table


def read_label(label: str) -> tuple[Role, str]:
    """The role of ``label`` and the reason (which rule matched, and how)."""
    role, rule, how = match(label)
    if rule is None:
        return role, NO_RULE
    return role, f'rule "{rule}", {how}'


@functools.lru_cache(maxsize=65536)
def match(label: str) -> tuple[Role, str | None, str]:
    """The role of ``label``, the name of the rule that matched (None: none did) and how it matched."""
    text = normalise(label)
    rule = _exact().get(text)
    if rule is not None:
        return rule.role, rule.name, f'exact label "{text}"'
    for rule in rules():
        for pattern in rule.patterns:
            if pattern.search(text):
                return rule.role, rule.name, f"pattern {pattern.pattern}"
    return Role.OTHER, None, ""
