"""Result items: Metric, Table, Finding, Chart, Graph.

Every item is a frozen dataclass with a ``key`` (stable, unique within its
result), a ``type`` discriminator in its JSON form, ``to_dict`` and
``item_from_dict``. Values must be JSON types (str, int, float, bool, None,
lists and dicts of them); :func:`jsonable` converts numpy and pandas scalars.

Example:
    >>> t = Table.from_frame("by_team", "Handovers per team",
    ...                      __import__("pandas").DataFrame({"team": ["HR"], "cases": [3]}),
    ...                      descriptions={"cases": "cases the team worked on"})
    >>> t.columns[1].description, t.rows
    ('cases the team worked on', [['HR', 3]])
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Literal, TypedDict

import numpy as np
import pandas as pd

from ssc_mining.i18n import Text

Severity = Literal["info", "notice", "warning", "critical"]
ChartKind = Literal["bar", "histogram", "line"]


def _already_rounded(values: list[float]) -> bool:
    """True when every value is finite, below 10⁹ in size and has at most six decimals (rounding it to six
    decimals gives it back), checked at once with numpy: then ``round(v, 6)`` would return each value as it is."""
    arr = np.fromiter(values, dtype=np.float64, count=len(values))
    with np.errstate(invalid="ignore"):
        return bool(np.isfinite(arr).all() and np.abs(arr).max() < 1e9 and (np.round(arr, 6) == arr).all())


def jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types (NaN → None)."""
    if value is None or isinstance(value, (str, bool, Text)):
        return value  # a deferred text is written in a language when the report is
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, pd.Timedelta):
        return None if pd.isna(value) else value.total_seconds()
    if value is pd.NaT or (not isinstance(value, (list, tuple, dict)) and pd.api.types.is_scalar(value)
                           and pd.isna(value)):
        return None
    if isinstance(value, dict):
        return {k if isinstance(k, Text) else str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        values = value.tolist() if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" else list(value)
        if all(type(v) is float for v in values):   # a long series of numbers: no check per value
            if len(values) > 64 and _already_rounded(values):
                return values
            return [None if math.isnan(v) or math.isinf(v) else round(v, 6) for v in values]
        if all(type(v) is int for v in values) or all(type(v) is str for v in values):   # ids, counts
            return values
        return [jsonable(v) for v in values]
    return str(value)


@dataclass(frozen=True)
class Item:
    """Base of all result items."""

    TYPE: ClassVar[str] = "item"
    key: str

    def to_dict(self) -> dict[str, Any]:
        # field by field (dataclasses.asdict would deep-copy every value of a long series first)
        data = {"type": self.TYPE, **{f.name: getattr(self, f.name) for f in fields(self)}}
        if isinstance(self, Table):
            data["columns"] = [asdict(c) for c in self.columns]
        return jsonable(data)


#: a figure resting on fewer cases than this is marked on the page ("based on 12 tickets"), and a chart point
#: for a period with fewer cases is not drawn as a value
SMALL_BASE = 30


@dataclass(frozen=True)
class Metric(Item):
    """One figure: ``value`` in ``unit`` (``share`` values are 0–1 and shown as %).

    A figure that cannot be measured on this log has ``value`` None and a ``reason`` (what is
    missing and why); it is shown as "not measured", never as 0.
    """

    TYPE: ClassVar[str] = "metric"
    label: str
    value: float | int | None
    unit: str = ""
    description: str = ""
    based_on: str = ""
    reason: str = ""
    #: how many cases the figure rests on (the analyser's cases unless it says otherwise)
    base: int | None = None

    @property
    def small(self) -> bool:
        """True when the figure rests on fewer than :data:`SMALL_BASE` cases (and should say so)."""
        return self.value is not None and self.base is not None and self.base < SMALL_BASE

    @classmethod
    def not_measured(cls, key: str, label: str, reason: str, *, unit: str = "", description: str = "") -> Metric:
        """A figure this log cannot give, with the reason (value None).

        >>> Metric.not_measured("x", "Reopened", "no resolution is recorded").to_dict()["value"] is None
        True
        """
        return cls(key, label, None, unit=unit, description=description, reason=reason)

    @property
    def measured(self) -> bool:
        """False when the figure could not be measured (it has a reason instead of a value)."""
        return not (self.value is None and self.reason)


class MetricBasis(TypedDict, total=False):
    """What several metrics rest on, given to each as ``Metric(..., **basis)``."""

    base: int
    based_on: str


@dataclass(frozen=True)
class Column:
    """A table column: name, label, what it means and its unit."""

    name: str
    label: str = ""
    description: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Table(Item):
    """Rows of values under described columns."""

    TYPE: ClassVar[str] = "table"
    title: str
    columns: list[Column] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    description: str = ""
    #: the rows describe individual people (shown only to auditors, pseudonymised)
    personal: bool = False

    @classmethod
    def from_frame(cls, key: str, title: str, frame: pd.DataFrame, *, descriptions: dict[str, str] | None = None,
                   labels: dict[str, str] | None = None, units: dict[str, str] | None = None,
                   description: str = "", personal: bool = False) -> Table:
        """Build a table from a DataFrame (its index is dropped; reset it first to keep it)."""
        descriptions, labels, units = descriptions or {}, labels or {}, units or {}
        columns = [Column(str(c), labels.get(str(c), str(c)), descriptions.get(str(c), ""), units.get(str(c), ""))
                   for c in frame.columns]
        rows = [jsonable(list(r)) for r in frame.itertuples(index=False, name=None)]
        return cls(key=key, title=title, columns=columns, rows=rows, description=description, personal=personal)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=[c.name for c in self.columns])


@dataclass(frozen=True)
class Finding(Item):
    """A plain sentence with a severity and the case ids it is about."""

    TYPE: ClassVar[str] = "finding"
    severity: Severity
    text: str
    case_ids: list[str] = field(default_factory=list)
    count: int | None = None
    personal: bool = False


@dataclass(frozen=True)
class Chart(Item):
    """A chart specification; the report draws it with plotly.

    ``x`` holds category labels or numbers; ``series`` maps a series name to
    its y values (for ``histogram``: the values to bin, and ``x`` is empty).
    """

    TYPE: ClassVar[str] = "chart"
    title: str
    kind: ChartKind
    x: list[Any] = field(default_factory=list)
    series: dict[str, list[Any]] = field(default_factory=dict)
    x_label: str = ""
    y_label: str = ""
    description: str = ""
    personal: bool = False
    #: unit of the axis values (``share``: drawn as percentages); empty: plain numbers
    x_unit: str = ""
    y_unit: str = ""


@dataclass(frozen=True)
class Graph(Item):
    """Nodes and weighted directed edges, e.g. a handover-of-work network."""

    TYPE: ClassVar[str] = "graph"
    title: str
    nodes: list[dict[str, Any]] = field(default_factory=list)   # {"id": str, "label": str, "weight": number}
    edges: list[dict[str, Any]] = field(default_factory=list)   # {"source": str, "target": str, "weight": number}
    description: str = ""
    personal: bool = False

    @classmethod
    def from_networkx(cls, key: str, title: str, graph: Any, *, weight: str = "weight",
                      description: str = "", personal: bool = False) -> Graph:
        """Build from a networkx DiGraph (node attribute and edge attribute ``weight``)."""
        nodes = [{"id": str(n), "label": str(d.get("label", n)), "weight": jsonable(d.get(weight, 0))}
                 for n, d in sorted(graph.nodes(data=True), key=lambda t: str(t[0]))]
        edges = [{"source": str(u), "target": str(v), "weight": jsonable(d.get(weight, 0))}
                 for u, v, d in sorted(graph.edges(data=True), key=lambda t: (str(t[0]), str(t[1])))]
        return cls(key=key, title=title, nodes=nodes, edges=edges, description=description, personal=personal)


_TYPES: dict[str, type[Item]] = {cls.TYPE: cls for cls in (Metric, Table, Finding, Chart, Graph)}


def item_from_dict(data: dict[str, Any]) -> Item:
    """Rebuild an item from its ``to_dict`` form."""
    data = dict(data)
    cls = _TYPES[data.pop("type")]
    if cls is Table:
        data["columns"] = [Column(**c) for c in data.get("columns", [])]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})
