"""The file's text as PyYAML reads it: YAML 1.1 surprises and keys written twice."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from llmsync.document import scalar_value
from llmsync.lint.core import Context, Hit, rule

W021 = rule(
    "W021",
    "yaml11-surprise",
    "warning",
    "a plain `yes`/`no`/`on`/`off` (booleans to PyYAML) or `1:30` (a number)",
)
E022 = rule(
    "E022",
    "duplicate-top-level-key",
    "error",
    "a top-level key written twice: PyYAML keeps the last (a second `model_list:` drops the first)",
)
W023 = rule(
    "W023", "duplicate-key", "warning", "a key written twice in one mapping: the last one wins"
)

YAML11_BOOLS = {
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
}  # fmt: skip
SEXAGESIMAL = re.compile(r"[0-9]+(:[0-5]?[0-9])+")


def check_scalars(ctx: Context) -> Iterator[Hit]:
    for doc in ctx.docs:
        for _key, node in scalars(doc.root):
            text = node.value
            if node.style:
                continue
            if text in YAML11_BOOLS:
                yield Hit(
                    doc,
                    node,
                    W021,
                    f"PyYAML (LiteLLM's loader) reads {text} as {scalar_value(node)}; write true/false, or quote it ('{text}') for the string",
                )
            elif SEXAGESIMAL.fullmatch(text):
                yield Hit(
                    doc,
                    node,
                    W021,
                    f"PyYAML (LiteLLM's loader) reads {text} as the number {scalar_value(node)}; quote it for the string",
                )


def check_duplicate_keys(ctx: Context) -> Iterator[Hit]:
    for doc in ctx.docs:
        for mapping in mappings(doc.root):
            seen: dict[str, Node] = {}
            for key, _ in mapping.value:
                if not isinstance(key, ScalarNode) or key.value == "<<":
                    continue
                first = seen.get(key.value)
                if first is None:
                    seen[key.value] = key
                    continue
                top = mapping is doc.root
                message = (
                    f"{key.value!r} is written twice (also line {first.start_mark.line + 1}); "
                    "LiteLLM's loader keeps only the last one"
                )
                yield Hit(doc, key, E022 if top else W023, message)


def scalars(root: Node | None) -> Iterator[tuple[str | None, ScalarNode]]:
    """Every scalar value with the key it sits under; each node once (aliases not repeated)."""
    for key, node in _walk(root):
        if isinstance(node, ScalarNode):
            yield key, node


def mappings(root: Node | None) -> Iterator[MappingNode]:
    for _, node in _walk(root):
        if isinstance(node, MappingNode):
            yield node


def _walk(root: Node | None) -> Iterator[tuple[str | None, Node]]:
    seen: set[int] = set()
    stack: list[tuple[str | None, Node]] = [(None, root)] if root is not None else []
    while stack:
        key, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield key, node
        if isinstance(node, SequenceNode):
            stack.extend((key, item) for item in reversed(node.value))
        elif isinstance(node, MappingNode):
            for k, v in reversed(node.value):
                stack.append((k.value if isinstance(k, ScalarNode) else None, v))
