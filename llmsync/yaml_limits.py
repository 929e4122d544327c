"""Bounds that keep a hostile YAML file from hanging or crashing llmsync.

- **Nesting depth.** ruamel's C composer recurses per level: 30,000 nested ``[`` overflow the C
  stack (SIGSEGV, no message); a few thousand levels exhaust Python's recursion limit in any
  walker. The depth is measured on libyaml's event stream, which is an explicit-stack state
  machine, *before* anything recursive runs. Files that cannot be that deep (few brackets,
  shallow indentation: every real config) skip the scan.
- **Alias expansion.** Aliases are shared nodes after composing, but anything that turns the
  graph into plain data (LiteLLM's own loader too) copies them: nine anchors of nine aliases are
  a billion values from 700 bytes. The composed graph is measured once, memoised per node: the
  number of values it expands to and its depth through aliases and merge keys.

Both are refused with ``file:line: what`` (exit 2) in well under a second. The limits are far
beyond any real config: LiteLLM configs nest about eight levels deep.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from llmsync.errors import ConfigError

MAX_DEPTH = 100
MAX_EXPANDED_EXTRA = 100_000  # values aliases may add beyond 10x the distinct ones
_DEEP_INDENT = re.compile(rf"^[ \t?:-]{{{MAX_DEPTH // 2},}}", re.M)
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s,\[\]{}]")


def check_nesting(text: str, name: str) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` before it is composed."""
    if text.count("[") + text.count("{") <= MAX_DEPTH and not _DEEP_INDENT.search(text):
        return  # neither flow nor block nesting can reach the limit
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    _too_deep(name, event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # libyaml stops at 1,000 flow levels itself, while it scans ahead for a key, before
        # any event: that is too deep as well. Any other error the composer reports.
        if "nesting depth" in str(exc.problem):
            _too_deep(name, exc.problem_mark)
    except yaml.YAMLError:
        return


def _too_deep(name: str, mark: yaml.Mark | None) -> None:
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    raise ConfigError(
        f"{name}:{line}: nested more than {MAX_DEPTH} levels deep; not read",
        line,
        column,
        kind="syntax",
        detail=f"nested more than {MAX_DEPTH} levels deep; not read",
    )


def may_have_aliases(text: str) -> bool:
    return _ANCHOR.search(text) is not None


def check_expansion(root: Any, name: str) -> None:
    """Refuse a composed graph (ruamel's or PyYAML's nodes) whose aliases expand too far or
    nest too deep through them."""
    if root is None:
        return
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values it expands to, depth)
    open_nodes: set[int] = set()  # on the current path: met again below itself = a cycle
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            if id(node) in open_nodes:  # an anchor used inside itself (`&a {<<: *a}`)
                _refuse(name, node.start_mark.line + 1, node, "an anchor is used inside itself")
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        open_nodes.discard(id(node))
        size = 1 + sum(sizes[id(c)][0] for c in children)
        depth = 1 + max((sizes[id(c)][1] for c in children), default=0)
        sizes[id(node)] = (size, depth)
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            _refuse(name, line, node, f"nested more than {MAX_DEPTH} levels deep through aliases")
        limit = 10 * len(sizes) + MAX_EXPANDED_EXTRA
        if size > limit:
            _refuse(
                name,
                line,
                node,
                f"aliases expand to more than {limit:,} values (nested anchors, a 'billion "
                "laughs')",
            )


def _children(node: Any) -> list[Any]:
    if node.id == "sequence":
        return list(node.value)
    if node.id == "mapping":
        return [n for pair in node.value for n in pair]
    return []


def check_text(text: str, name: str) -> None:
    """Both checks for a file read with PyYAML alone (providers.yaml): the graph is composed
    only when the text has anchors."""
    check_nesting(text, name)
    if may_have_aliases(text):
        try:
            root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            return  # the loader reports it with its position
        check_expansion(root, name)


def _refuse(name: str, line: int, node: Any, what: str) -> None:
    raise ConfigError(
        f"{name}:{line}: {what}; not read",
        line,
        node.start_mark.column + 1,
        kind="syntax",
        detail=f"{what}; not read",
    )
