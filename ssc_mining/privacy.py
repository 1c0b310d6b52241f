"""Privacy by default: keyed pseudonyms for people, audiences, minimum group sizes.

* People (resources, requesters, assignees) are replaced by pseudonyms made with
  HMAC-SHA-256 and a secret key, before any analysis runs — also where their name
  or e-mail address appears inside another text field (an activity "Call back
  Wilma Wortel", a team, a category, a case id). The key comes from
  ``--pseudonym-key-file``, the environment variable ``SSC_MINING_PSEUDONYM_KEY``,
  or is drawn at random for the run (pseudonyms then differ between runs, and
  the report says so). The key itself never appears in any output.
* The ``works-council`` audience (default) shows no figure about an
  individual person; ``auditor`` may show pseudonymised person-level tables.
* In a table row about fewer than ``min_group_size`` people, the people count
  is shown as "< 5" and every figure per person is withheld; the team's own
  figures (tickets, events) stay. A second row is suppressed when otherwise
  the hidden one could be recomputed from a total.

Example:
    >>> p = Pseudonymiser(b"a key of at least sixteen bytes")
    >>> p.pseudonym("Anna de Vries") == p.pseudonym("Anna de Vries") != p.pseudonym("Bram Jansen")
    True
    >>> p.pseudonym("Anna de Vries")[:2]
    'P-'
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Result, Table

Audience = Literal["works-council", "auditor"]
ENV_KEY = "SSC_MINING_PSEUDONYM_KEY"
PERSON_COLUMNS = (C.RESOURCE, C.REQUESTER, C.ASSIGNED_TO)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"\w+")
#: person values that are codes rather than names ("Value 1", "Resource01", "G97") are not looked for inside text
_CODE = re.compile(r"^\D*\d+\D{0,2}$")


@dataclass(frozen=True)
class PrivacySettings:
    """What the outputs may show about people."""

    audience: Audience = "works-council"
    pseudonymise: bool = True
    min_group_size: int = 5
    key_source: str = "random"  # "file", "environment", "random" or "none"


class Pseudonymiser:
    """Keyed pseudonyms: the same name and key give the same pseudonym; without the key they cannot be reversed."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ConfigError("the pseudonym key is shorter than 16 bytes",
                              hint="use a longer key, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`")
        self._key = key

    def pseudonym(self, name: str) -> str:
        digest = hmac.new(self._key, name.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"P-{digest[:10]}"

    def series(self, values: pd.Series) -> pd.Series:
        """Pseudonymise a column; missing stays missing. Hashes each distinct name once."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return _recoded(values, codes, [self.pseudonym(str(u)) for u in uniques])


def load_key(key_file: str | Path | None) -> tuple[bytes, str]:
    """The key and where it came from: a key file, the environment, or fresh random bytes."""
    if key_file is not None:
        path = Path(key_file)
        try:
            key = path.read_bytes().strip()
        except OSError as err:
            raise ConfigError(f"the pseudonym key file cannot be read: {err.strerror}", path=path) from None
        return key, "file"
    if os.environ.get(ENV_KEY):
        return os.environ[ENV_KEY].encode("utf-8"), "environment"
    return secrets.token_bytes(32), "random"


class NameFinder:
    """Finds people's names and e-mail addresses inside other text and replaces them by their pseudonyms.

    Names are matched as whole words, without regard to case or the characters between the words
    (``w.wortel`` also matches ``W Wortel``); the longest name wins. Codes such as ``Value 1`` are no
    names and are left alone.

    >>> finder = NameFinder(["Wilma Wortel", "Value 1"], Pseudonymiser(b"a key of at least sixteen bytes"))
    >>> finder.replace("Call back wilma  WORTEL today") == "Call back " + finder.pseudonymiser.pseudonym(
    ...     "Wilma Wortel") + " today"
    True
    >>> finder.replace("Value 1"), finder.replace("mail jan@example.org")[:7]
    ('Value 1', 'mail P-')
    """

    def __init__(self, names: list[str], pseudonymiser: Pseudonymiser) -> None:
        self.pseudonymiser = pseudonymiser
        self._names: dict[tuple[str, ...], str] = {}
        for name in names:
            text = str(name).strip()
            if len(text) < 3 or not any(ch.isalpha() for ch in text) or _CODE.match(text):
                continue
            words = tuple(w.casefold() for w in _WORD.findall(text))
            if words:
                self._names.setdefault(words, pseudonymiser.pseudonym(text))
        self._longest = max((len(k) for k in self._names), default=0)
        self._first_words = {k[0] for k in self._names}  # a name can only begin at one of these words

    def replace(self, text: str) -> str:
        """``text`` with every name and e-mail address replaced by its pseudonym."""
        text = _EMAIL.sub(lambda m: self.pseudonymiser.pseudonym(m.group(0).lower()), text)
        if not self._longest:
            return text
        words = list(_WORD.finditer(text))
        out, pos, i = [], 0, 0
        while i < len(words):
            if words[i].group(0).casefold() not in self._first_words:
                i += 1
                continue
            for k in range(min(self._longest, len(words) - i), 0, -1):
                key = tuple(w.group(0).casefold() for w in words[i:i + k])
                if key in self._names:
                    out += [text[pos:words[i].start()], self._names[key]]
                    pos, i = words[i + k - 1].end(), i + k
                    break
            else:
                i += 1
        return "".join(out) + text[pos:]

    def may_change(self, texts: Any) -> np.ndarray | None:
        """Per text: False where :meth:`replace` surely leaves it as it is (ASCII text without ``@`` in which no
        word begins a name), found for all texts at once by one regular expression in Arrow; None when the
        texts are not all strings (then check each one)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            arr = texts.cast(pa.large_string()) if isinstance(texts, (pa.Array, pa.ChunkedArray)) else \
                pa.array(texts, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return None
        maybe = pc.or_(pc.invert(pc.string_is_ascii(arr)), pc.match_substring(arr, "@"))
        if self._first_words:   # whole words, as _WORD finds them (on ASCII text \w means the same in RE2)
            words = "|".join(re.escape(w) for w in sorted(self._first_words))
            try:
                hit = pc.match_substring_regex(arr, rf"(?:^|\W)(?:{words})(?:\W|$)", ignore_case=True)
            except pa.ArrowInvalid:   # an expression too large for RE2: check each text
                return None
            maybe = pc.or_(maybe, hit)
        return np.asarray(maybe.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _changes(distinct: Any, finder: NameFinder) -> dict[str, str]:
    """Distinct text → its text with names replaced, for the distinct texts that change (only those the
    prefilter flags are looked at word by word)."""
    import pyarrow as pa

    maybe = finder.may_change(distinct)
    if maybe is None:
        texts = distinct.to_pylist() if isinstance(distinct, (pa.Array, pa.ChunkedArray)) else list(distinct)
    elif isinstance(distinct, (pa.Array, pa.ChunkedArray)):
        texts = distinct.filter(pa.array(maybe)).to_pylist()
    else:
        texts = [distinct[i] for i in np.flatnonzero(maybe)]
    new = {t: finder.replace(t) for t in texts if isinstance(t, str)}   # a loop over distinct texts, not rows
    return {t: v for t, v in new.items() if v != t}


def _recoded(values: pd.Series, codes: np.ndarray, new: list[Any]) -> pd.Series:
    """The column whose distinct values (``codes`` into them) become ``new``; missing stays missing, and an
    Arrow text column stays one."""
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        text = pd.array(new, dtype=values.dtype)
        return pd.Series(text.take(codes, allow_fill=True), index=values.index, dtype=values.dtype)
    out = pd.Series(pd.Index(new, dtype=object).take(codes, allow_fill=True, fill_value=None), index=values.index,
                    dtype=object)
    return out.where(codes >= 0, None)


def replace_in_column(values: pd.Series, finder: NameFinder) -> tuple[pd.Series, dict[str, str]]:
    """The column with names replaced (one pass per distinct value that may hold one) and the values that
    changed. An Arrow text column's distinct values are found without coding its rows; the rows are coded
    only when a value changes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    changed: dict[str, str] | None = None
    if hasattr(values.array, "__arrow_array__"):
        distinct = pc.unique(pa.array(values.array)).drop_null()
        if pa.types.is_string(distinct.type) or pa.types.is_large_string(distinct.type):
            changed = _changes(distinct, finder)
    if changed is None:
        changed = _changes(np.asarray(pd.unique(values.dropna()), dtype=object), finder)
    if not changed:
        return values, changed
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    new = [changed.get(u, u) if isinstance(u, str) else u for u in uniques]
    return _recoded(values, codes, new), changed


def withheld_quarantine(quarantine: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``quarantine`` (rows set aside) with the raw text of each row withheld: it may contain names.

    >>> withheld_quarantine(pd.DataFrame({"source_row": [3], "reason": ["no date"], "raw": ["Jan;;"]}))["raw"][0]
    '(withheld: may contain names; see the source file at this row)'
    """
    quarantine = quarantine.copy()
    if len(quarantine):
        quarantine["raw"] = "(withheld: may contain names; see the source file at this row)"  # file text: English
    return quarantine


def pseudonymise_log(log: EventLog, pseudonymiser: Pseudonymiser, *, jobs: int | None = None,
                     names: Collection[str] | None = None) -> EventLog:
    """A copy of ``log`` whose person columns hold pseudonyms, with people's names and e-mail addresses inside
    every other text column (activities, teams, categories, case ids …) replaced too; the quarantine's raw text
    is withheld. The readings of activities and statuses follow their new labels. The columns are done side by
    side on ``jobs`` threads (default: as many as the log's size calls for; see :mod:`ssc_mining.parallel`).
    A log that is already pseudonymised comes back as it is (pseudonyms are not pseudonymised again). ``names``:
    the people's names to find in other columns (default: those in this log's person columns; a partition of a
    larger log gets those of the whole log, so that every partition replaces the same names)."""
    from ssc_mining.parallel import auto_jobs, side_by_side

    if log.pseudonymised:
        return log
    frame = log.frame.copy(deep=False)  # the columns that change are replaced, not written into (copy on write)
    jobs = jobs or auto_jobs(len(frame))   # columns side by side on a large log: Arrow's work lets go of the lock

    def person(column: str) -> tuple[set[str], pd.Series]:
        values = frame[column]
        return {str(v) for v in pd.unique(values.dropna())}, pseudonymiser.series(values)

    people = [c for c in PERSON_COLUMNS if c in frame.columns]
    given, names = names, set()
    for column, (found, pseudonyms) in zip(people, side_by_side([functools.partial(person, c) for c in people],
                                                                 jobs)):
        names |= found
        frame[column] = pseudonyms
    finder = NameFinder(sorted(names if given is None else given), pseudonymiser)
    texts = [c for c in frame.columns if c not in PERSON_COLUMNS and c != C.SOURCE_ROW
             and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
    renamed: dict[str, dict[str, str]] = {}
    for column, (values, changed) in zip(texts, side_by_side(
            [functools.partial(replace_in_column, frame[c], finder) for c in texts], jobs)):
        frame[column] = values
        if changed:
            renamed[column] = changed
    semantics = log.semantics
    if semantics is not None and renamed:
        semantics = semantics.renamed(renamed.get(C.ACTIVITY, {}), renamed.get(semantics.status_column or "", {}))
    quarantine = withheld_quarantine(log.quarantine)
    facts = log.facts
    if facts is not None:   # the whole log's labels and mothers, with the same names replaced
        facts = replace(facts, lifecycle_starts=frozenset(renamed.get(C.ACTIVITY, {}).get(a, a)
                                                          for a in facts.lifecycle_starts),
                        mothers=frozenset(renamed.get(C.MOTHER, {}).get(m, m) for m in facts.mothers))
    return EventLog(frame=frame, provenance=log.provenance, quarantine=quarantine, semantics=semantics,
                    pseudonymised=True, facts=facts)


def apply_privacy(results: list[Result], settings: PrivacySettings) -> tuple[list[Result], list[str]]:
    """Remove person-level items for works councils and suppress small groups; returns notes on what was done."""
    notes: list[str] = []
    out = []
    for result in results:
        items = []
        for item in result.items:
            if getattr(item, "personal", False) and settings.audience == "works-council":
                notes.append(_("%(section)s: '%(item)s' is about individual people and is not shown to this "
                               "audience") % {"section": result.title, "item": getattr(item, "title", item.key)})
                continue
            if isinstance(item, Table):
                item, hidden = suppress_small_groups(item, settings.min_group_size)
                if hidden:
                    notes.append(_("%(section)s: in %(n)s rows of '%(item)s' the number of people is shown as "
                                   "'< %(k)s' and figures per person are left out, so that they say nothing about "
                                   "one person") % {"section": result.title, "n": hidden,
                                                             "item": item.title, "k": settings.min_group_size})
            items.append(item)
        out.append(replace(result, items=items))
    return out, notes


#: column units of figures divided by a row's people (suppressed with the people count)
PER_PERSON_UNITS = frozenset({"per_person"})
#: what a suppressed per-person figure shows
WITHHELD = "–"


def suppress_small_groups(table: Table, k: int) -> tuple[Table, int]:
    """Hide what a row about fewer than ``k`` people says about those people: its people count (shown as
    ``< k``) and every figure divided by it (unit ``per_person``, shown as ``–``). The row's other figures
    (tickets, events, hours of the team) stay: they describe the team's work, not a person.

    Complementary suppression: when exactly one row would be hidden, the row with the next smallest people
    count is hidden too, so that no total of the column gives the hidden one away.

    >>> from ssc_mining.results import Column
    >>> t = Table("t", "T", [Column("team"), Column("people", unit="people"), Column("events", unit="events"),
    ...                      Column("per_person", unit="per_person")],
    ...           [["A", 4, 46, 11.5], ["B", 9, 90, 10.0], ["C", 7, 35, 5.0]])
    >>> suppress_small_groups(t, 5)[0].rows
    [['A', '< 5', 46, '–'], ['B', 9, 90, 10.0], ['C', '< 5', 35, '–']]
    """
    people = [i for i, c in enumerate(table.columns) if c.unit == "people"]
    if not people or k <= 1:
        return table, 0
    col = people[0]
    small = [i for i, row in enumerate(table.rows) if isinstance(row[col], (int, float)) and row[col] < k]
    if len(small) == 1 and len(table.rows) > 1:
        others = sorted((row[col], i) for i, row in enumerate(table.rows)
                        if i not in small and isinstance(row[col], (int, float)))
        if others:
            small.append(others[0][1])
    if not small:
        return table, 0
    derived = [j for j, c in enumerate(table.columns) if c.unit in PER_PERSON_UNITS]
    rows = [list(r) for r in table.rows]
    for i in small:
        for j in people:
            rows[i][j] = f"< {k}"
        for j in derived:
            rows[i][j] = WITHHELD
    return replace(table, rows=rows), len(small)
