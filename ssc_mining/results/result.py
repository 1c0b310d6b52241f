"""The result of one analyser run.

Example:
    >>> Result.skipped("handoffs", "Handoffs", "the log has no team column (org:group)").status
    'skipped'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ssc_mining.results.items import Item, item_from_dict, jsonable

ResultStatus = Literal["ok", "skipped", "failed"]


@dataclass(frozen=True)
class Result:
    """What an analyser found: a summary sentence, items, caveats; or why it was skipped or failed."""

    analyser: str
    title: str
    summary: str = ""
    items: list[Item] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    status: ResultStatus = "ok"
    reason: str = ""
    version: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    @classmethod
    def skipped(cls, analyser: str, title: str, reason: str, **kw: Any) -> Result:
        return cls(analyser=analyser, title=title, status="skipped", reason=reason, **kw)

    @classmethod
    def failed(cls, analyser: str, title: str, reason: str, **kw: Any) -> Result:
        return cls(analyser=analyser, title=title, status="failed", reason=reason, **kw)

    def item(self, key: str) -> Item:
        """The item with ``key`` (KeyError names the keys there are)."""
        for it in self.items:
            if it.key == key:
                return it
        raise KeyError(f"{self.analyser} has no item {key!r}; it has {[i.key for i in self.items]}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "analyser": self.analyser, "title": self.title, "summary": self.summary, "status": self.status,
            "reason": self.reason, "version": self.version, "params": jsonable(self.params),
            "description": self.description, "caveats": list(self.caveats),
            "items": [i.to_dict() for i in self.items],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        data = dict(data)
        data["items"] = [item_from_dict(i) for i in data.get("items", [])]
        return cls(**data)
