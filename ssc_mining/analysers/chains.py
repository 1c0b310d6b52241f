"""Re-submission chains: the same question filed again as a new ticket, with the evidence that links them.

Three levels of evidence, strongest first; a log is chained with the strongest it has:

* ``link`` (strong): an explicit link column (parent, duplicate of, problem, related ticket):
  tickets that link to each other, or to the same parent or problem, form one chain.
* ``subject`` (medium): same requester and category, and a similar short description
  (``rapidfuzz`` token-set similarity of the normalised subjects at least ``similarity`` out of 100,
  compared with the previous ticket of the chain), each opened within ``window_days`` after
  the last event of the chain's earlier tickets. Subjects are only compared, never shown.
* ``requester_category`` (weak): same requester and category within the window. With broad
  categories much of this is coincidence: :func:`broad_categories` says when.

Tickets are ordered by their first event; a chain has two or more tickets. Its real time to a
solution runs from its first opening to its last closing.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["a", "b", "c"],
    ...     "concept:name": ["Open"] * 3, "case:ssc:requester": ["Eva"] * 3, "case:ssc:category": ["Pay"] * 3,
    ...     "case:ssc:subject": ["Salary too low", "Again: salary too low", "New laptop"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-09"], utc=True)}))
    >>> chains = resubmission_chains(log)
    >>> chains.evidence, chains.table["chain_position"].tolist()
    ('subject', [1, 2, 0])
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_

#: evidence levels, strongest first
LEVELS = ("link", "subject", "requester_category")
#: the levels strong enough to call a chain "the same question asked again"
SAME_QUESTION = ("link", "subject")
LEVEL_TEXT = {"link": N_("an explicit link between the tickets"),
              "subject": N_("same requester and category, and a similar subject"),
              "requester_category": N_("same requester and category only")}


@dataclass(frozen=True)
class Chains:
    """Per case (index: case id): ``chain_id`` (first ticket of its chain, None when in none),
    ``chain_position`` (1, 2, …; 0 when in none), ``chain_length`` (1 when in none), ``opened``, ``closed``;
    the evidence level used (None when the log cannot be chained) and, then, the reason."""

    table: pd.DataFrame
    evidence: str | None
    reason: str = ""


def _empty(index_ids: pd.Index, opened: np.ndarray, closed: np.ndarray) -> pd.DataFrame:
    n = len(index_ids)
    return pd.DataFrame({"chain_id": pd.Series([None] * n, index=index_ids, dtype="object"),
                         "chain_position": np.zeros(n, dtype="int64"), "chain_length": np.ones(n, dtype="int64"),
                         "opened": pd.to_datetime(opened, unit="us", utc=True),
                         "closed": pd.to_datetime(closed, unit="us", utc=True)}, index=index_ids)


def _write(out: pd.DataFrame, order: np.ndarray, new_chain: np.ndarray) -> pd.DataFrame:
    """Fill ``out`` from cases in ``order`` where ``new_chain`` marks the first ticket of each group."""
    chain = np.cumsum(new_chain) - 1
    length = np.bincount(chain)[chain]
    first = np.flatnonzero(new_chain)[chain]
    position = np.arange(len(order)) - first + 1
    linked = length > 1
    ids = np.asarray(out.index, dtype=object)
    rows = order[linked]
    out.iloc[rows, out.columns.get_loc("chain_id")] = ids[order[first[linked]]]
    out.iloc[rows, out.columns.get_loc("chain_position")] = position[linked]
    out.iloc[rows, out.columns.get_loc("chain_length")] = length[linked]
    return out


def _by_link(out: pd.DataFrame, links: pd.Series, opened: np.ndarray) -> pd.DataFrame:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = pd.Index(out.index.astype(str))
    known = links.notna().to_numpy()
    targets = links[known].astype(str).to_numpy()
    nodes = pd.Index(ids.tolist() + [t for t in pd.unique(targets) if t not in set(ids)])
    src = np.flatnonzero(known)
    dst = nodes.get_indexer(targets)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(len(nodes), len(nodes)))
    _, component = connected_components(graph, directed=False)
    comp = component[: len(ids)]
    order = np.lexsort((np.arange(len(ids)), opened, comp))
    c = comp[order]
    new_chain = np.r_[True, c[1:] != c[:-1]]
    return _write(out, order, new_chain)


def _by_requester(out: pd.DataFrame, req: np.ndarray, cat: np.ndarray, opened: np.ndarray, closed: np.ndarray,
                  window_days: float, subjects: pd.Series | None, similarity: float) -> pd.DataFrame:
    cases = np.flatnonzero((req >= 0) & (cat >= 0))
    if len(cases) < 2:
        return out
    order = cases[np.lexsort((cases, opened[cases], cat[cases], req[cases]))]
    r, c, o, e = req[order], cat[order], opened[order], closed[order]
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (r[1:] == r[:-1]) & (c[1:] == c[:-1])
    group = np.cumsum(~same)
    latest = pd.Series(e).groupby(group).cummax().to_numpy()  # latest close so far in the group
    before = np.empty_like(latest)
    before[0], before[1:] = np.iinfo("int64").min // 2, latest[:-1]
    new_chain = ~same | (o > before + int(round(float(window_days) * 86_400e6)))
    if subjects is not None:
        from rapidfuzz import fuzz, process, utils

        text = subjects.to_numpy(dtype=object)[order]
        prev = np.r_[[None], text[:-1]]
        check = np.flatnonzero(~new_chain)
        a = [str(v) if isinstance(v, str) else "" for v in text[check]]
        b = [str(v) if isinstance(v, str) else "" for v in prev[check]]
        score = process.cpdist(a, b, scorer=fuzz.token_set_ratio, processor=utils.default_process) \
            if len(check) else np.zeros(0)
        empty = np.array([not x or not y for x, y in zip(a, b)], dtype=bool)
        new_chain[check[(np.asarray(score) < similarity) | empty]] = True
    return _write(out, order, new_chain)


#: the columns chains are found from: name in :func:`chain_values` → column of the log
COLUMNS = {"link": C.LINK, "subject": C.SUBJECT, "requester": C.REQUESTER, "category": C.CATEGORY}


def chain_evidence(present: Collection[str], evidence: str = "auto") -> str | None:
    """The strongest evidence level the columns ``present`` (names of :data:`COLUMNS`) allow (or the level named by
    ``evidence`` when they allow it); None when they allow none."""
    possible = [level for level, ok in (("link", "link" in present),
                                        ("subject", {"subject", "requester", "category"} <= set(present)),
                                        ("requester_category", {"requester", "category"} <= set(present))) if ok]
    if evidence != "auto":
        if evidence not in LEVELS:
            raise ValueError(f"evidence must be one of {LEVELS} or 'auto', not {evidence!r}")
        possible = [level for level in possible if level == evidence]
    return possible[0] if possible else None


def chain_values(log: EventLog) -> pd.DataFrame:
    """Per case (index: case id, in log order) what chains are found from, all per ticket: ``opened`` and
    ``closed`` (its first and last event, in microseconds since 1970) and the first known value of each column of
    :data:`COLUMNS` the log has (``link``, ``subject``, ``requester``, ``category``)."""
    index = log.cases
    times = log.frame[C.TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    values: dict[str, object] = {
        "opened": times[index.first] if index.n else np.zeros(0, dtype="int64"),
        "closed": times[index.last] if index.n else np.zeros(0, dtype="int64")}
    for name, column in COLUMNS.items():
        if log.has(column) and column in log.frame.columns:
            values[name] = index.case_first(log.frame[column])
    return pd.DataFrame(values, index=index.ids)


def chains_of(values: pd.DataFrame, *, window_days: float = 14, similarity: float = 80,
              evidence: str = "auto") -> Chains:
    """The chains of the tickets ``values`` describes (as :func:`chain_values` gives them, in log order; the tickets
    may come from several parts of a log put together), with the strongest evidence their columns hold."""
    opened = values["opened"].to_numpy(dtype="int64")
    closed = values["closed"].to_numpy(dtype="int64")
    out = _empty(values.index, opened, closed)
    level = chain_evidence([name for name in COLUMNS if name in values.columns], evidence)
    if level is None:
        return Chains(out, None, N_("the export links no tickets to each other and has no requester and category "
                                    "to compare them by"))
    if not len(values):
        return Chains(out, level)
    if level == "link":
        return Chains(_by_link(out, values["link"], opened), level)
    req, _ = pd.factorize(values["requester"], use_na_sentinel=True)
    cat, _ = pd.factorize(values["category"], use_na_sentinel=True)
    subjects = values["subject"] if level == "subject" else None
    return Chains(_by_requester(out, req, cat, opened, closed, window_days, subjects, similarity), level)


def resubmission_chains(log: EventLog, *, window_days: float = 14, similarity: float = 80,
                        evidence: str = "auto") -> Chains:
    """The chains of ``log`` with the strongest evidence it has (or the level named by ``evidence``)."""
    return chains_of(chain_values(log), window_days=window_days, similarity=similarity, evidence=evidence)


def broad_categories(log: EventLog, *, largest_share: float = 0.25, fewest: int = 10) -> tuple[str, float] | None:
    """The largest category and its share of the tickets when categories are too broad to mean "the same
    question" (fewer than ``fewest`` categories, or one holding more than ``largest_share``); else None."""
    if not log.has(C.CATEGORY) or not log.cases.n:
        return None
    return broad_among(log.cases.case_first(log.frame[C.CATEGORY]), largest_share=largest_share, fewest=fewest)


def broad_among(categories: pd.Series, *, largest_share: float = 0.25, fewest: int = 10) -> tuple[str, float] | None:
    """:func:`broad_categories` of the tickets whose categories (one per ticket) are ``categories``."""
    categories = categories.dropna().astype(str)
    if categories.empty:
        return None
    counts = categories.value_counts()
    top, share = str(counts.index[0]), float(counts.iloc[0] / len(categories))
    if len(counts) < fewest or share > largest_share:
        return top, share
    return None
