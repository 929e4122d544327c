"""Names that must resolve: fallbacks and aliases; deployments LiteLLM would see twice."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from llmsync.document import ConfigDocument, scalar_value
from llmsync.lint.core import Context, Hit, rule, show, value_node

E030 = rule(
    "E030",
    "unknown-fallback-target",
    "error",
    "a `fallbacks` / `context_window_fallbacks` / `content_policy_fallbacks` / `default_fallbacks` "
    "name that is no `model_name` or alias",
)
E031 = rule(
    "E031", "unknown-alias-target", "error", "a `model_group_alias` target that is no `model_name`"
)
W032 = rule(
    "W032",
    "duplicate-deployment",
    "warning",
    "two entries with the same `model_name` and the same `litellm_params` (LiteLLM tells "
    "deployments apart by all of them: region, role, tags, key...)",
)
E033 = rule("E033", "fallbacks-shape", "error", "fallbacks not a list of single-key mappings")

FALLBACK_KEYS = ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks")


def check_duplicates(ctx: Context) -> Iterator[Hit]:
    seen: dict[str, Any] = {}
    for doc, entry in ctx.entries:
        if not isinstance(entry.data, dict):
            continue
        identity = repr(
            (entry.model_name, sorted(entry.litellm_params.items(), key=lambda kv: str(kv[0])))
        )
        first = seen.get(identity)
        if first is not None:
            yield Hit(
                doc,
                entry.node,
                W032,
                f"duplicate deployment: the same model_name and litellm_params as line {first.dash_line + 1}",
            )
        else:
            seen[identity] = entry


def check_references(ctx: Context) -> Iterator[Hit]:
    names = {
        e.model_name
        for _, e in ctx.entries
        if isinstance(e.data, dict) and isinstance(e.model_name, str)
    }
    merged = ctx.merged()
    aliases: set[str] = set()
    router = merged.get("router_settings")
    if router and isinstance(router[1], MappingNode):
        doc, node = router
        alias_node = value_node(node, "model_group_alias")
        if isinstance(alias_node, MappingNode):
            for key, target in alias_node.value:
                aliases.add(str(scalar_value(key)) if isinstance(key, ScalarNode) else "")
                model = value_node(target, "model") if isinstance(target, MappingNode) else target
                wanted = scalar_value(model) if isinstance(model, ScalarNode) else None
                if not _resolves(wanted, names):
                    yield Hit(
                        doc,
                        model or target,
                        E031,
                        f"model_group_alias '{scalar_value(key)}' points to unknown model_name {show(wanted)}",
                    )
    known = names | aliases
    for section in ("router_settings", "litellm_settings"):
        if section in merged and isinstance(merged[section][1], MappingNode):
            doc, node = merged[section]
            for key in FALLBACK_KEYS:
                yield from _fallbacks(doc, f"{section}.{key}", value_node(node, key), known)
            default = value_node(node, "default_fallbacks")
            if isinstance(default, SequenceNode):
                for item in default.value:
                    yield from _target(doc, item, known, f"{section}.default_fallbacks")


def _fallbacks(
    doc: ConfigDocument, label: str, node: Node | None, known: set[str]
) -> Iterator[Hit]:
    if node is None or (isinstance(node, ScalarNode) and scalar_value(node) is None):
        return
    if not isinstance(node, SequenceNode):
        yield Hit(
            doc, node, E033, f"{label} must be a list of single-key mappings like [{{a: [b, c]}}]"
        )
        return
    for item in node.value:
        if not isinstance(item, MappingNode) or len(item.value) != 1:
            yield Hit(
                doc, item, E033, f"each item of {label} must be a mapping with exactly one key"
            )
            continue
        source, targets = item.value[0]
        if scalar_value(source) != "*":
            yield from _target(doc, source, known, label)
        for target in targets.value if isinstance(targets, SequenceNode) else [targets]:
            yield from _target(doc, target, known, label)


def _target(doc: ConfigDocument, node: Node, known: set[str], label: str) -> Iterator[Hit]:
    name = scalar_value(node) if isinstance(node, ScalarNode) else None
    if not _resolves(name, known):
        yield Hit(doc, node, E030, f"{label} names {show(name)}, which is no model_name or alias")


def _resolves(name: Any, known: set[str]) -> bool:
    if not isinstance(name, str):
        return False
    return name in known or any("*" in k and fnmatch.fnmatchcase(name, k) for k in known)
