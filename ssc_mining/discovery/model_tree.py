"""A process tree in a form for reading: simplified without changing what it allows, and a fast fit check.

:func:`simplify` turns a pm4py process tree into :class:`Node` objects and
rewrites it so it reads more easily while allowing exactly the same sequences
of activities:

* nested blocks of the same kind are merged (``->( a, ->( b, c ) )`` is ``->( a, b, c )``);
* an activity that may be repeated right away (``*( 'A', tau )``) is one
  activity marked *repeat*; one that may be skipped (``X( tau, 'A' )``) is one
  activity marked *optional*;
* a choice between skipping and a block that may itself do nothing
  (``X( tau, C )`` where ``C`` may be empty) is just ``C``.

:func:`accepts` says whether a sequence of activities fits the tree. The
inductive miner uses every activity in one leaf only; then the check needs no
search: a sequence block splits the trace in order, a choice takes the one
branch whose activities occur, parallel work checks each branch on its own
activities, a loop splits the trace into runs. It costs microseconds per
variant, where a search through the Petri net's markings can take seconds
(parallel blocks of optional, repeatable activities have very many markings).

Example:
    >>> from ssc_mining._pm4py import import_pm4py
    >>> _ = import_pm4py()
    >>> from pm4py.objects.process_tree.utils.generic import parse
    >>> t = simplify(parse("->( 'A', X( tau, *( 'B', tau ) ), +( X( tau, 'C' ), 'D' ) )"))
    >>> t.kind, [(c.kind, c.label, c.optional, c.repeat) for c in t.children][:2]
    ('seq', [('task', 'A', False, False), ('task', 'B', True, True)])
    >>> accepts(t, ("A", "B", "B", "D", "C")), accepts(t, ("A", "C")), unique_labels(t)
    (True, False, True)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

#: pm4py operator → kind
_KINDS = {"->": "seq", "X": "xor", "+": "and", "<>": "interleave", "O": "or", "*": "loop"}


@dataclass(eq=False)
class Node:
    """A step of the simplified tree: ``task`` (with ``label``, ``optional``, ``repeat``), ``tau`` (a silent
    step), or a block — ``seq``, ``xor`` (choice), ``and`` (parallel), ``interleave``, ``or``, ``loop``
    (``children[0]`` is done, then any of ``children[1:]`` leads back to it)."""

    kind: str
    label: str | None = None
    children: list[Node] = field(default_factory=list)
    optional: bool = False
    repeat: bool = False

    @functools.cached_property
    def alphabet(self) -> frozenset[str]:
        if self.kind == "task":
            return frozenset([str(self.label)])
        return frozenset().union(*(c.alphabet for c in self.children)) if self.children else frozenset()

    @functools.cached_property
    def nullable(self) -> bool:
        """Whether the step may happen without any activity."""
        if self.kind == "tau":
            return True
        if self.kind == "task":
            return self.optional
        if self.kind in ("seq", "and", "interleave"):
            return all(c.nullable for c in self.children)
        if self.kind == "loop":
            return self.children[0].nullable
        return any(c.nullable for c in self.children)  # xor, or


def _op(node: Any) -> str | None:
    if node.operator is None:
        return None
    return _KINDS.get(str(getattr(node.operator, "value", node.operator)), "xor")


def simplify(tree: Any) -> Node:
    """The pm4py process tree as a simplified :class:`Node` tree (see the module docstring)."""
    kind = _op(tree)
    if kind is None:
        return Node("tau") if tree.label is None else Node("task", label=str(tree.label))
    kids = [simplify(c) for c in tree.children]
    if kind == "loop":
        do, redo = kids[0], kids[1:]
        if do.kind == "task" and not do.optional and all(r.kind == "tau" for r in redo):
            return Node("task", label=do.label, repeat=True, optional=False)
        return Node("loop", children=kids)
    flat: list[Node] = []
    for k in kids:
        if k.kind == kind and kind in ("seq", "xor", "and"):
            flat.extend(k.children)
        else:
            flat.append(k)
    if kind == "seq":
        flat = [k for k in flat if k.kind != "tau"]
        if not flat:
            return Node("tau")
        return flat[0] if len(flat) == 1 else Node("seq", children=flat)
    if kind == "xor":
        taus = [k for k in flat if k.kind == "tau"]
        rest = [k for k in flat if k.kind != "tau"]
        if taus and any(k.nullable for k in rest):
            taus = []  # another branch may already do nothing
        if not rest:
            return Node("tau")
        if taus and len(rest) == 1 and rest[0].kind == "task":
            only = rest[0]
            return Node("task", label=only.label, optional=True, repeat=only.repeat)
        if not taus and len(rest) == 1:
            return rest[0]
        return Node("xor", children=rest + taus[:1])
    flat = [k for k in flat if k.kind != "tau"] if kind in ("and", "interleave") else flat
    if kind in ("and", "interleave") and len(flat) == 1:
        return flat[0]
    if not flat:
        return Node("tau")
    return Node(kind, children=flat)


def unique_labels(tree: Node) -> bool:
    """Whether every activity occurs in one leaf only (then :func:`accepts` is exact)."""
    seen: set[str] = set()

    def walk(n: Node) -> bool:
        if n.kind == "task":
            if n.label in seen:
                return False
            seen.add(str(n.label))
            return True
        return all(walk(c) for c in n.children)

    return walk(tree)


def accepts(tree: Node, trace: tuple[str, ...]) -> bool:
    """Whether ``tree`` allows exactly ``trace`` (exact when :func:`unique_labels` holds)."""
    memo: dict[tuple[int, tuple[str, ...]], bool] = {}
    return _accepts(tree, tuple(trace), memo)


def _accepts(n: Node, w: tuple[str, ...], memo: dict[tuple[int, tuple[str, ...]], bool]) -> bool:
    if not w:
        return n.nullable
    key = (id(n), w)
    if key in memo:
        return memo[key]
    alphabet = n.alphabet
    if any(a not in alphabet for a in w):
        result = False
    elif n.kind == "task":
        result = len(w) == 1 or (n.repeat and all(a == n.label for a in w))
    elif n.kind == "seq":
        owner = [next(i for i, c in enumerate(n.children) if a in c.alphabet) for a in w]
        if any(b < a for a, b in zip(owner, owner[1:])):
            result = False
        else:
            result = all(_accepts(c, tuple(a for a, o in zip(w, owner) if o == i), memo)
                         for i, c in enumerate(n.children))
    elif n.kind in ("xor",):
        branch = next(c for c in n.children if w[0] in c.alphabet)
        result = _accepts(branch, w, memo)
    elif n.kind in ("and", "or"):
        parts = [tuple(a for a in w if a in c.alphabet) for c in n.children]
        result = all(_accepts(c, p, memo) if p or n.kind == "and" else True for c, p in zip(n.children, parts))
    elif n.kind == "interleave":
        blocks = _runs(w, lambda a: next(i for i, c in enumerate(n.children) if a in c.alphabet))
        owners = [o for o, _b in blocks]
        result = (len(set(owners)) == len(owners)
                  and all(_accepts(n.children[o], b, memo) for o, b in blocks)
                  and all(c.nullable for i, c in enumerate(n.children) if i not in owners))
    else:  # loop: do (redo do)*
        do, redo = n.children[0], n.children[1:]
        runs = _runs(w, lambda a: 0 if a in do.alphabet else 1)
        result = True
        if runs[0][0] == 1 or runs[-1][0] == 1:
            result = do.nullable
        for kind, run in runs:
            if not result:
                break
            if kind == 0:
                result = _pieces(run, [do], any(r.nullable for r in redo), memo)
            else:
                result = _pieces(run, redo, do.nullable, memo)
    memo[key] = result
    return result


def _runs(w: tuple[str, ...], owner: Any) -> list[tuple[int, tuple[str, ...]]]:
    out: list[tuple[int, list[str]]] = []
    for a in w:
        o = owner(a)
        if out and out[-1][0] == o:
            out[-1][1].append(a)
        else:
            out.append((o, [a]))
    return [(o, tuple(b)) for o, b in out]


def _pieces(w: tuple[str, ...], options: list[Node], several: bool,
            memo: dict[tuple[int, tuple[str, ...]], bool]) -> bool:
    """Whether ``w`` is one word of one of ``options`` or, when ``several``, a sequence of such words."""
    if not several:
        return any(_accepts(o, w, memo) for o in options)
    reach = [True] + [False] * len(w)
    for j in range(1, len(w) + 1):
        reach[j] = any(reach[i] and any(_accepts(o, w[i:j], memo) for o in options) for i in range(j))
    return reach[-1]
