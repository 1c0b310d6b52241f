"""The result vocabulary: what every analyser returns.

A :class:`Result` holds a list of items, each one of a few small, typed,
JSON-serialisable kinds with a default HTML rendering, so a new analyser
appears in the report without report code:

* :class:`Metric` — one number with its unit
* :class:`Table` — rows with described columns
* :class:`Finding` — a sentence with a severity and the case ids behind it
* :class:`Chart` — a chart specification (bar, histogram, line), drawn by the report with plotly
* :class:`Graph` — nodes and weighted edges (for example a handover-of-work network)

Example:
    >>> r = Result(analyser="demo", title="Demo", summary="One metric.",
    ...            items=[Metric("cases", "Cases", 3, unit="cases")])
    >>> Result.from_dict(r.to_dict()) == r
    True
"""

from ssc_mining.results.items import Chart, Column, Finding, Graph, Item, Metric, Table, item_from_dict
from ssc_mining.results.result import Result, ResultStatus

__all__ = ["Chart", "Column", "Finding", "Graph", "Item", "Metric", "Result", "ResultStatus", "Table",
           "item_from_dict"]
