"""routes: model_group_alias and fallbacks written into router_settings for ``generate``.

Lines llmsync writes end in ``# llmsync``; only those are ever changed or removed. A name a
person already routes by hand keeps its hand-written route and the conflict is reported.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from llmsync.document import (
    ConfigDocument,
    _is_flow,
    last_line,
    mapping_pair,
    scalar_value,
    to_python,
    yaml_str,
)
from llmsync.plan import REMOVED, Plan, SetRouterSetting

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import Routes

MARK = "  # llmsync"


def plan_routes(
    doc: ConfigDocument, routes: Routes, plan: Plan, available: set[str] | None = None
) -> None:
    """Route lines for providers.yaml's ``routes``. With ``available`` (the model_names the file
    will have), a route to a name that is gone is not written (an owned line is removed) and
    said, rather than left pointing at nothing."""
    wanted = {
        "model_group_alias": {alias: target for alias, target in routes.aliases.items()},
        "fallbacks": {name: list(targets) for name, targets in routes.fallbacks.items()},
    }
    if available is not None:
        wanted = _routable(wanted, available, plan)
    settings = mapping_pair(doc.root, "router_settings")
    if settings is None:
        lines = [line for key, items in wanted.items() for line in _block(key, items, 2)]
        if lines:
            values = {key: _value(key, items) for key, items in wanted.items() if items}
            summary = tuple(s for key, items in wanted.items() for s in _summary(key, items))
            end = len(doc.lines)
            plan.changes.append(
                SetRouterSetting(
                    values, ((end, end - 1, ("", "router_settings:", *lines)),), summary
                )
            )
        return
    key_node, node = settings
    if not isinstance(node, MappingNode) or _is_flow(node) or not node.value:
        if any(wanted.values()):
            plan.notes.append(
                f"{doc.where(key_node)}: router_settings is not a block mapping; add routes by hand"
            )
        return
    indent = node.value[0][0].start_mark.column
    # Keys already present first: lines appended to the last one (a hand-written fallbacks list
    # ending router_settings) must come before a new key's block inserted at the same place.
    for key in sorted(wanted, key=lambda k: mapping_pair(node, k) is None):
        _plan_key(doc, plan, node, indent, key, wanted[key])


def _plan_key(
    doc: ConfigDocument, plan: Plan, settings: MappingNode, indent: int, key: str, items: dict
) -> None:
    pair = mapping_pair(settings, key)
    if pair is None:
        if items:
            lines = tuple(_block(key, items, indent))
            at = last_line(settings) + 1
            splices = ((at, at - 1, lines),)
            plan.changes.append(
                SetRouterSetting({key: _value(key, items)}, splices, tuple(_summary(key, items)))
            )
        return
    key_node, node = pair
    existing = _existing(doc, key, node)
    if existing is None:
        if items:
            plan.notes.append(
                f"{doc.where(key_node)}: router_settings.{key} is in flow style; add generated routes by hand"
            )
        return
    splices, summary = [], []
    scalar = isinstance(node, ScalarNode)  # "key:" with nothing, or an explicit null
    final = (None if scalar else to_python(node)) or ([] if key == "fallbacks" else {})
    if scalar and node.value:  # "fallbacks: null" -> "fallbacks:" so items can follow
        line = key_node.start_mark.line
        splices.append((line, line, (" " * key_node.start_mark.column + f"{key}:",)))
    for name, (line, owned, current) in existing.items():
        if name in items and not owned and current != items[name]:
            plan.notes.append(
                f"{doc.name}:{line + 1}: router_settings.{key} routes {name!r} by hand; left as written (routes in providers.yaml differ)"
            )
        elif name not in items and owned:
            splices.append((line, line, ()))
            summary.append(f"- {key} {name}")
            final = _drop(final, name)
        elif name in items and owned and current != items[name]:
            splices.append((line, line, (_line(key, name, items[name], _indent_of(doc, line)),)))
            summary.append(f"~ {key} {name}")
            final = _put(final, name, items[name])
    new = [name for name in items if name not in existing]
    if new:
        at = key_node.end_mark.line + 1 if scalar else last_line(node) + 1
        item_indent = _child_indent(doc, key, node, key_node)
        splices.append((at, at - 1, tuple(_line(key, n, items[n], item_indent) for n in new)))
        summary += [f"+ {key} {n}" for n in new]
        for name in new:
            final = _put(final, name, items[name])
    value = final
    if not final and not new and existing and all(owned for _, owned, _ in existing.values()):
        # Every line under the key was llmsync's and none is left: the key line goes too.
        splices.append((key_node.start_mark.line, key_node.start_mark.line, ()))
        value = REMOVED
    if splices:
        plan.changes.append(SetRouterSetting({key: value}, tuple(splices), tuple(summary)))


def _existing(doc: ConfigDocument, key: str, node: Node) -> dict[str, tuple[int, bool, Any]] | None:
    """name -> (line, owned by llmsync, current target) for a block alias map / fallback list."""
    if isinstance(node, ScalarNode) and scalar_value(node) is None:
        return {}
    if _is_flow(node) or not isinstance(node, (MappingNode, SequenceNode)):
        return None
    found = {}
    if key == "model_group_alias" and isinstance(node, MappingNode):
        for k, v in node.value:
            line = k.start_mark.line
            if last_line(v) == line:  # one-line pairs only; others are hand-written structures
                found[str(scalar_value(k))] = (
                    line,
                    doc.lines[line].rstrip().endswith(MARK.strip()),
                    to_python(v),
                )
    elif key == "fallbacks" and isinstance(node, SequenceNode):
        for item in node.value:
            if (
                isinstance(item, MappingNode)
                and len(item.value) == 1
                and last_line(item) == item.start_mark.line
            ):
                line = item.start_mark.line
                name, targets = to_python(item).popitem()
                found[str(name)] = (line, doc.lines[line].rstrip().endswith(MARK.strip()), targets)
    else:
        return None
    return found


def _block(key: str, items: dict, indent: int) -> list[str]:
    if not items:
        return []
    return [" " * indent + f"{key}:"] + [_line(key, n, t, indent + 2) for n, t in items.items()]


def _line(key: str, name: str, target: Any, indent: int) -> str:
    if key == "model_group_alias":
        return " " * indent + f"{yaml_str(name)}: {yaml_str(target)}{MARK}"
    return " " * indent + f"- {{{json.dumps(name)}: {json.dumps(target)}}}{MARK}"


def _child_indent(doc: ConfigDocument, key: str, node: Node, key_node: Node) -> int:
    if isinstance(node, MappingNode) and node.value:
        return node.value[0][0].start_mark.column
    if isinstance(node, SequenceNode) and node.value:
        line = doc.lines[node.value[0].start_mark.line]
        return len(line) - len(line.lstrip(" "))
    return key_node.start_mark.column + 2


def _indent_of(doc: ConfigDocument, line: int) -> int:
    text = doc.lines[line]
    return len(text) - len(text.lstrip(" "))


def _value(key: str, items: dict) -> Any:
    return [{n: t} for n, t in items.items()] if key == "fallbacks" else dict(items)


def _put(final: Any, name: str, target: Any) -> Any:
    if isinstance(final, list):
        for item in final:
            if isinstance(item, dict) and name in item:
                item[name] = target
                return final
        return [*final, {name: target}]
    return {**final, name: target}


def _drop(final: Any, name: str) -> Any:
    if isinstance(final, list):
        return [i for i in final if not (isinstance(i, dict) and name in i)]
    return {k: v for k, v in final.items() if k != name}


def _summary(key: str, items: dict) -> list[str]:
    return [f"+ {key} {name}" for name in items]


def _routable(wanted: dict[str, dict], available: set[str], plan: Plan) -> dict[str, dict]:
    aliases = {}
    for alias, target in wanted["model_group_alias"].items():
        if target in available:
            aliases[alias] = target
        else:
            plan.notes.append(
                f"routes: alias {alias!r} not written: {target!r} has no deployment now"
            )
    fallbacks = {}
    for name, targets in wanted["fallbacks"].items():
        kept = [t for t in targets if t in available or t in aliases]
        if name not in available:
            plan.notes.append(
                f"routes: fallbacks for {name!r} not written: it has no deployment now"
            )
            continue
        for gone in (t for t in targets if t not in kept):
            plan.notes.append(
                f"routes: fallback {name!r} -> {gone!r} dropped: {gone!r} has no deployment now"
            )
        if kept:
            fallbacks[name] = kept
    return {"model_group_alias": aliases, "fallbacks": fallbacks}
