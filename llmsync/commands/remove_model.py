"""remove-model: remove entries by model_name (or model id), and say what routes would dangle.

A fallback or alias that names a model_name whose last deployment goes is accepted by LiteLLM at
startup and fails at request time, so such a removal is refused unless ``--force`` (keep the
routes, reported) or ``--prune-routes`` (edit the router_settings lines that name it too).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode

from llmsync import steps
from llmsync.commands.cleanup import dangling_references
from llmsync.commands.common import entries_by_provider
from llmsync.commands.routes import _existing, _line
from llmsync.document import ConfigDocument, ModelEntry, _is_flow, last_line, mapping_pair
from llmsync.errors import LlmsyncError
from llmsync.finishing import finish
from llmsync.plan import REMOVED, Plan, RemoveEntry, SetRouterSetting
from llmsync.registry import Registry

ROUTE_KEYS = ("model_group_alias", "fallbacks")


def plan_remove(
    doc: ConfigDocument,
    names: list[str],
    by_model: bool = False,
    force: bool = False,
    prune_routes: bool = False,
) -> Plan:
    entries = doc.all_entries
    field = "model" if by_model else "model_name"
    known = {str(getattr(e, field)) for e in entries}
    missing = [n for n in names if n not in known]
    if missing:
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
            hints.append(f"{name}" + (f" (did you mean: {', '.join(close)}?)" if close else ""))
        raise LlmsyncError(f"no entry has {field} " + "; ".join(hints) + "; nothing was removed")
    wanted = set(names)
    chosen = [
        (entry, f"{field} {getattr(entry, field)} removed")
        for entry in entries
        if str(getattr(entry, field)) in wanted
    ]
    return _removal(doc, chosen, force, prune_routes)


def plan_remove_provider(
    doc: ConfigDocument,
    registry: Registry,
    providers: list[str],
    force: bool = False,
    prune_routes: bool = False,
) -> Plan:
    """Every entry of the named providers (as cleanup recognises them), with the same rules
    for routes that would dangle."""
    groups = entries_by_provider(doc, registry, providers)
    empty = [name for name, members in groups.items() if not members]
    if empty:
        raise LlmsyncError(f"no entry belongs to {', '.join(empty)}; nothing was removed")
    chosen = [
        (entry, f"every {name} entry removed")
        for name, members in groups.items()
        for entry, _ in members
    ]
    return _removal(doc, chosen, force, prune_routes)


def _removal(
    doc: ConfigDocument, chosen: list[tuple[ModelEntry, str]], force: bool, prune_routes: bool
) -> Plan:
    doc.require_block_list("remove", allow_flow=False)
    plan = Plan()
    for entry, reason in chosen:
        plan.changes.append(RemoveEntry(entry, "remove-model", reason))
    dangling = dangling_references(doc, plan.of(RemoveEntry))
    if dangling and prune_routes:
        gone = _gone_names(doc, plan)
        _prune_routes(doc, plan, gone)  # shown as "routes" lines: nothing left to report
    elif dangling and not force:
        raise LlmsyncError(
            "removing it would leave routes pointing at nothing: "
            + "; ".join(dangling)
            + ". Re-run with --prune-routes to edit those lines too, or --force to keep them"
        )
    else:
        plan.notes += dangling
    return plan


def _gone_names(doc: ConfigDocument, plan: Plan) -> set[str]:
    removed = {id(c.entry) for c in plan.of(RemoveEntry)}
    left = {e.model_name for e in doc.all_entries if id(e) not in removed}
    return {e.model_name for e in doc.all_entries if id(e) in removed} - left


def _prune_routes(doc: ConfigDocument, plan: Plan, gone: set[str]) -> None:
    """Edit the one-line router_settings routes that name a model_name that is gone."""
    settings = mapping_pair(doc.root, "router_settings")
    if settings is None or not isinstance(settings[1], MappingNode):
        return
    for key in ROUTE_KEYS:
        pair = mapping_pair(settings[1], key)
        if pair is None:
            continue
        if _is_flow(pair[1]):
            _prune_flow(doc, plan, key, pair, gone)
            continue
        existing = _existing(doc, key, pair[1]) or {}
        final: Any = doc.data["router_settings"].get(key)
        splices, summary = [], []
        for name, (line, _, target) in existing.items():
            targets = target if isinstance(target, list) else [target]
            kept = [t for t in targets if t not in gone]
            if name in gone or not kept:
                splices.append((line, line, ()))
                summary.append(f"- {key} {name}")
                final = _without(final, name)
            elif len(kept) != len(targets):
                indent = len(doc.lines[line]) - len(doc.lines[line].lstrip(" "))
                text = _line(key, name, kept, indent).removesuffix("  # llmsync")
                splices.append((line, line, (text,)))
                summary.append(f"~ {key} {name}")
                final = _with(final, name, kept)
        if splices:
            value = final if final else REMOVED
            if value is REMOVED:
                splices.append((pair[0].start_mark.line, pair[0].start_mark.line, ()))
            plan.changes.append(SetRouterSetting({key: value}, tuple(splices), tuple(summary)))


def _without(final: Any, name: str) -> Any:
    if isinstance(final, list):
        return [i for i in final if not (isinstance(i, dict) and name in i)]
    return {k: v for k, v in (final or {}).items() if k != name}


def _with(final: Any, name: str, targets: list[str]) -> Any:
    if isinstance(final, list):
        return [{name: targets} if isinstance(i, dict) and name in i else i for i in final]
    return final


def _prune_flow(doc: ConfigDocument, plan: Plan, key: str, pair: tuple, gone: set[str]) -> None:
    """A route written in flow style (``fallbacks: [{"a": ["b"]}]``): its one line is written
    again without the names that are gone; one spanning several lines is left to a person."""
    key_node, node = pair
    final: Any = doc.data["router_settings"].get(key)
    pruned = _pruned(final, gone)
    if pruned == final:
        return
    line = key_node.start_mark.line
    if last_line(node) != line:
        raise LlmsyncError(
            f"{doc.where(node)}: router_settings.{key} is flow style over several lines; "
            "edit it by hand, or re-run with --force to keep it"
        )
    if not pruned:
        plan.changes.append(SetRouterSetting({key: REMOVED}, ((line, line, ()),), (f"- {key}",)))
        return
    text = doc.lines[line].rstrip("\r\n")
    flow = json.dumps(pruned, separators=(", ", ": "))  # JSON is YAML flow, quoted safely
    written = text[: node.start_mark.column] + flow + text[node.end_mark.column :]
    summary = tuple(f"~ {key} {name}" for name in sorted(gone))
    plan.changes.append(SetRouterSetting({key: pruned}, ((line, line, (written,)),), summary))


def _pruned(final: Any, gone: set[str]) -> Any:
    """A route value without the model_names that are gone (a route left empty goes too)."""
    if isinstance(final, list):
        out = []
        for item in final:
            if not isinstance(item, dict):
                out.append(item)
                continue
            kept = {}
            for name, value in item.items():
                targets = value if isinstance(value, list) else [value]
                left = [t for t in targets if t not in gone]
                if name not in gone and left:
                    kept[name] = value if len(left) == len(targets) else left
            if kept:
                out.append(kept)
        return out
    if isinstance(final, dict):
        return {a: t for a, t in final.items() if a not in gone and t not in gone}
    return final


def run(
    *,
    names: list[str] | None,
    provider: list[str],
    by_model: bool,
    force: bool,
    prune_routes: bool,
    config: Path,
    providers: Path | None,
    dry_run: bool,
    backup: bool,
    in_place: bool,
    verbose: bool,
) -> int:
    """``llmsync remove-model``: the exit code."""
    if bool(names) == bool(provider):
        raise LlmsyncError("remove-model takes model names or --provider NAME, one of the two")
    if provider and ("all" in provider or by_model):
        raise LlmsyncError("--provider takes provider names (not 'all'), without --model")
    with steps.editing(config, dry_run):
        doc = steps.load_config(config)
        if provider:
            registry = steps.load_registry(providers)
            chosen = registry.select(provider)
            plan = plan_remove_provider(doc, registry, chosen, force, prune_routes)
        else:
            plan = plan_remove(doc, names or [], by_model, force, prune_routes)
        return finish(doc, plan, dry_run=dry_run, backup=backup, in_place=in_place, verbose=verbose)
