"""Nodes and locating: the YAML node graph of a config, composed only to find things.

ruamel's C composer locates every node (start/end line and column); values are read with
PyYAML's YAML 1.1 rules (``scalar_value``, ``to_python``) because that is how LiteLLM reads the
file. Also here: looking keys up through merge keys (``mapping_pair``), where a node's text
ends (``last_line``) and where YAML aliases point (``References``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


# Nodes are only located with ruamel; values are read with PyYAML's rules (scalar_value). So the
# composer needs no implicit tag resolution (a regex cascade per scalar, a third of the parse):
# every plain scalar gets one shared tag object, and only the merge key "<<" is told apart.
_PLAIN = Tag(suffix=_STR_TAG)
_MERGE = Tag(suffix=_MERGE_TAG)


class _LocatingResolver(VersionedResolver):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            return _MERGE if implicit[0] and value == "<<" else _PLAIN
        return super().resolve(kind, value, implicit)


def _composer() -> YAML:
    # pure=False uses the libyaml-based composer when ruamel.yaml.clib is installed: ~10x
    # faster than the pure-Python round-trip loader on large configs.
    yaml_ = YAML(typ="safe", pure=False)
    yaml_.Resolver = _LocatingResolver
    return yaml_


def _is_merge(key: Node) -> bool:
    return key.ctag is _MERGE or (key.ctag is not _PLAIN and key.tag == _MERGE_TAG)


# --------------------------------------------------------------------------- node helpers


def scalar_value(node: Node) -> Any:
    """The value PyYAML (YAML 1.1, LiteLLM's loader) gives a scalar node."""
    if node.style:  # quoted or block scalars are strings
        return node.value
    if node.ctag is _PLAIN:  # untagged: resolved implicitly, the common case
        return _plain_scalar(node.value)
    tag = node.tag
    if not (tag.startswith("tag:yaml.org,2002:") or tag == "!"):
        return node.value  # a custom tag: keep the text, LiteLLM would fail on it anyway
    return _plain_scalar(node.value)


@functools.lru_cache(maxsize=65536)  # keys and common values repeat in every entry
def _plain_scalar(text: str) -> Any:
    """A plain scalar's value by PyYAML's implicit resolution (results are immutable)."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    constructor = _CONSTRUCTOR.yaml_constructors.get(tag)
    if constructor is None:
        return text
    try:
        return constructor(_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except (ValueError, yaml.YAMLError):
        return text


def to_python(node: Node, known: dict[int, Any] | None = None) -> Any:
    """Construct plain Python data from a node (merge keys resolved), YAML 1.1 semantics.

    ``known``: data already built for some nodes (by ``id``), reused rather than rebuilt.
    """
    if known and id(node) in known:
        return known[id(node)]
    if isinstance(node, ScalarNode):
        return scalar_value(node)
    if isinstance(node, SequenceNode):
        return [to_python(item, known) for item in node.value]
    result: dict[Any, Any] = {}
    for key, value in node.value:
        if _is_merge(key):
            merged = value.value if isinstance(value, SequenceNode) else [value]
            for source in merged:
                for k, v in to_python(source, known).items():
                    result.setdefault(k, v)
            continue
        k = to_python(key)
        result[k if isinstance(k, (str, int, float, bool, type(None))) else str(k)] = to_python(
            value, known
        )
    return result


def mapping_pair(node: Node | None, key: str) -> tuple[Node, Node] | None:
    """The (key, value) pair for ``key``, looking through merge keys like LiteLLM would."""
    if not isinstance(node, MappingNode):
        return None
    merges, found = [], None
    for k, v in node.value:
        if not isinstance(k, ScalarNode):
            continue
        if k.ctag is not _PLAIN and _is_merge(k):  # most keys are plain: no call
            merges.append(v)
        elif k.value == key:
            found = (k, v)  # a repeated key: PyYAML, and so LiteLLM, keeps the last one
    if found:
        return found
    for merge in merges:
        for source in merge.value if isinstance(merge, SequenceNode) else [merge]:
            found = mapping_pair(source, key)
            if found:
                return found
    return None


def mapping_value(node: Node | None, key: str) -> Node | None:
    pair = mapping_pair(node, key)
    return pair[1] if pair else None


def _is_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def last_line(node: Node) -> int:
    """The last line holding text of ``node`` (end marks of block nodes point past it)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark
        line = end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
        return max(line, node.start_mark.line)
    if _is_flow(node) or not node.value:
        return node.end_mark.line
    if isinstance(node, SequenceNode):
        item = node.value[-1]
        return (
            last_line(item) if item.start_mark.line >= node.start_mark.line else node.end_mark.line
        )
    key, value = node.value[-1]
    # An alias value points at a node defined earlier: the alias token sits on the key's line.
    if value.start_mark.line < key.start_mark.line or (
        value.start_mark.line == key.start_mark.line
        and value.start_mark.column < key.start_mark.column
    ):
        return key.end_mark.line
    return max(key.end_mark.line, last_line(value))


@dataclass
class References:
    """Where YAML aliases point. ``aliases`` holds (anchor line, alias site line) pairs."""

    aliases: list[tuple[int, int]] = field(default_factory=list)
    shared: set[int] = field(default_factory=set)

    @classmethod
    def scan(cls, root: Node | None) -> References:
        refs = cls()
        seen: set[int] = set()

        def mark_shared(node: Node) -> None:
            stack = [node]
            while stack:
                n = stack.pop()
                if id(n) in refs.shared:
                    continue
                refs.shared.add(id(n))
                if isinstance(n, SequenceNode):
                    stack.extend(n.value)
                elif isinstance(n, MappingNode):
                    for k, v in n.value:
                        stack.extend((k, v))

        def walk(node: Node, site: int) -> None:
            if id(node) in seen:
                refs.aliases.append((node.start_mark.line, site))
                mark_shared(node)
                return
            seen.add(id(node))
            if isinstance(node, SequenceNode):
                for item in node.value:
                    walk(item, max(site, item.start_mark.line))
            elif isinstance(node, MappingNode):
                for k, v in node.value:
                    walk(k, k.start_mark.line)
                    walk(v, k.start_mark.line)

        if root is not None:
            walk(root, 0)
        return refs
