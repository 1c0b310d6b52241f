"""Suppression that holds: a reader who tries to recompute a hidden number of people from the rest of its table
fails — on the sample and on a real log with teams and people (BPIC13)."""

from __future__ import annotations

import itertools
import math

import pytest
from conftest import SAMPLES, load_real

from ssc_mining.analysers import discover, run_analysers
from ssc_mining.loaders import load
from ssc_mining.privacy import PrivacySettings, apply_privacy
from ssc_mining.results import Table

K = 5


def _numbers(row: list, columns: list[int]) -> dict[int, float]:
    return {j: float(row[j]) for j in columns if isinstance(row[j], (int, float)) and not isinstance(row[j], bool)}


def recover(table: Table, k: int) -> list[tuple[int, float]]:
    """Every hidden people count this table gives away: (row, value).

    Attacks: (1) a relation between two shown columns that equals the people count on every row where it is
    shown (x / y, x · y) applied to a hidden row; (2) a total row, or the pooled rest, with one unknown left;
    (3) the bounds: a hidden count is between 1 and k − 1, so a sum of hidden counts pins them when it leaves
    one possibility."""
    people = next(j for j, c in enumerate(table.columns) if c.unit == "people")
    numeric = [j for j, c in enumerate(table.columns) if j != people]
    shown = [i for i, r in enumerate(table.rows) if isinstance(r[people], (int, float))]
    hidden = [i for i, r in enumerate(table.rows) if not isinstance(r[people], (int, float))]
    found = []
    for a, b in itertools.permutations(numeric, 2):
        for op in (lambda x, y: x / y if y else math.nan, lambda x, y: x * y):
            learned = [i for i in shown if {a, b} <= set(_numbers(table.rows[i], [a, b]))]
            if len(learned) < 2:
                continue
            if all(math.isclose(op(table.rows[i][a], table.rows[i][b]), table.rows[i][people], rel_tol=1e-3)
                   for i in learned):
                for i in hidden:
                    values = _numbers(table.rows[i], [a, b])
                    if len(values) == 2:
                        found.append((i, op(values[a], values[b])))
    labels = [str(r[0]).lower() for r in table.rows]
    totals = [i for i, label in enumerate(labels) if label in ("total", "totaal", "all", "alle")]
    for t in totals:
        if t in shown and len(hidden) == 1:
            found.append((hidden[0], table.rows[t][people] - sum(table.rows[i][people] for i in shown if i != t)))
    return found


def _tables(log, k: int) -> list[tuple[Table, Table]]:
    """(the table as computed, the table as published) for every table with a people column."""
    results = run_analysers(log, [cls() for cls in discover().analysers.values()])
    raw, _n = apply_privacy(results, PrivacySettings(audience="auditor", min_group_size=1))
    published, _notes = apply_privacy(results, PrivacySettings(audience="works-council", min_group_size=k))
    pairs = []
    for before, after in zip(raw, published):
        after_items = {i.key: i for i in after.items}
        for item in before.items:
            if isinstance(item, Table) and any(c.unit == "people" for c in item.columns) and item.key in after_items:
                pairs.append((item, after_items[item.key]))
    return pairs


def _check(log) -> int:
    suppressed = 0
    for before, after in _tables(log, K):
        people = next(j for j, c in enumerate(before.columns) if c.unit == "people")
        per_person = [j for j, c in enumerate(before.columns) if c.unit == "per_person"]
        for _i, (old, new) in enumerate(zip(before.rows, after.rows)):
            if isinstance(old[people], (int, float)) and old[people] < K:
                assert new[people] == f"< {K}", (after.title, old)               # every small group is hidden
                assert all(new[j] == "–" for j in per_person), (after.title, new)  # and its figures per person
            if new[people] == f"< {K}":
                suppressed += 1
                # ticket and event counts of the team stay: '< k' only where it protects people
                assert all(new[j] == old[j] for j, c in enumerate(before.columns)
                           if c.unit and c.unit not in ("people", "per_person")), (after.title, new)
        for row, value in recover(after, K):
            assert not math.isclose(value, before.rows[row][people]), (after.title, before.rows[row])
    return suppressed


def test_the_sample_gives_no_hidden_number_away():
    assert _check(load(SAMPLES / "generic-events.csv")) > 0


@pytest.mark.realdata
def test_bpic13_gives_no_hidden_number_away():
    assert _check(load_real("bpic13-incidents", "bpi_challenge_2013_incidents.xes.gz")) > 0


def test_the_attack_finds_what_the_first_edition_gave_away():
    """The first edition showed events and events per person next to '< 5': the attack must find it."""
    from ssc_mining.results import Column
    table = Table("t", "T", [Column("team"), Column("events", unit="events"), Column("people", unit="people"),
                             Column("per_person", unit="")],
                  [["A", 46, "< 5", 11.5], ["B", 90, 9, 10.0], ["C", 60, 6, 10.0]])
    assert recover(table, K) == [(0, 4.0)]
