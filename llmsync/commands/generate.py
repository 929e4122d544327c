"""generate: write the entries of live-discovered model servers into config.yaml.

llmsync owns what it generates, and only that: entries carrying ``model_info.llmsync_source``
(plus a comment line above them). Everything else in the file is left byte-identical. A
source that cannot be reached keeps its previous entries.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmsync import steps
from llmsync.catalogues.servers import DiscoveredModel, Discovery, bundled_cost_map, discover_all
from llmsync.commands.cleanup import dangling_references
from llmsync.commands.common import insertion_point
from llmsync.commands.routes import plan_routes
from llmsync.document import ConfigDocument, unwritable_reason
from llmsync.errors import LlmsyncError
from llmsync.finishing import finish
from llmsync.plan import AddEntry, HeldChange, Plan, RemoveEntry, ReplaceEntry
from llmsync.registry import Registry

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import SourceSpec

OWNER_KEY = "llmsync_source"


def model_name_for(model: DiscoveredModel, spec: SourceSpec) -> str:
    """``qwen3:8b`` -> ``qwen3-8b``: names that need no quoting and read well in routes."""
    return spec.model_name_prefix + model.id.lower().replace(":", "-").replace("/", "-")


def desired_entries(
    registry: Registry, discoveries: dict[str, Discovery]
) -> tuple[dict[str, list[dict[str, Any]]], dict[tuple[str, str], str]]:
    """The entries each reachable source should have, after ``routes.patterns``; and why
    some of them must not be written (an upstream price that cannot be trusted)."""
    wanted: dict[str, list[dict[str, Any]]] = {}
    untrusted: dict[tuple[str, str], str] = {}
    for name, found in discoveries.items():
        if found.models is None:
            continue
        spec = registry.sources[name]
        entries = []
        for model in found.models:
            model_name = model_name_for(model, spec)
            order = _route_order(registry, model_name, name)
            if order is not False:
                entries.append(_entry(model, spec, model_name, order, registry.defaults.free_cost))
                why = unwritable_reason(model.id)
                reasons = [f"id {model.id!a} {why}"] if why else list(model.rejected.values())
                if reasons:
                    untrusted[(name, model.model)] = "; ".join(reasons)
        wanted[name] = entries
    return wanted, untrusted


def _route_order(registry: Registry, model_name: str, source: str) -> int | bool | None:
    """The deployment's ``order`` from a matching pattern; False when the pattern excludes it."""
    for pattern, sources in registry.routes.patterns.items():
        if fnmatch.fnmatchcase(model_name, pattern):
            return sources.index(source) + 1 if source in sources else False
    return None


def _entry(
    model: DiscoveredModel, spec: SourceSpec, model_name: str, order: int | None, free: float
) -> dict[str, Any]:
    params: dict[str, Any] = {"model": model.model, "api_base": model.api_base}
    if spec.api_key_env:
        params["api_key"] = f"os.environ/{spec.api_key_env}"
    params.update(_costs(model, free))
    if order is not None:
        params["order"] = order
    info: dict[str, Any] = {OWNER_KEY: model.source}
    if model.mode == "embedding":
        info["mode"] = "embedding"
    if model.max_input_tokens:
        info["max_input_tokens"] = model.max_input_tokens
    info.update(model.flags)
    return {"model_name": model_name, "litellm_params": params, "model_info": info}


def _costs(model: DiscoveredModel, free: float) -> dict[str, float]:
    """Upstream prices, else LiteLLM's bundled map, else free (local hardware)."""
    costs = dict(model.costs)
    if not costs:
        known = bundled_cost_map()
        for key in (model.model, model.id):
            entry = known.get(key)
            if isinstance(entry, dict) and isinstance(
                entry.get("input_cost_per_token"), (int, float)
            ):
                costs = {
                    k: float(entry[k])
                    for k in ("input_cost_per_token", "output_cost_per_token")
                    if isinstance(entry.get(k), (int, float))
                }
                break
    costs.setdefault("input_cost_per_token", 0.0)
    costs.setdefault("output_cost_per_token", 0.0)
    return {k: (free if v == 0 else v) for k, v in costs.items()}


def plan_generate(
    doc: ConfigDocument, registry: Registry, discoveries: dict[str, Discovery]
) -> Plan:
    plan = Plan()
    wanted, untrusted = desired_entries(registry, discoveries)
    for name, found in discoveries.items():
        report = plan.report(name)
        report.error = found.error
        report.entries = sum(1 for e in doc.all_entries if _owner(e.data) == name)
    owned_now: dict[tuple[str, str], Any] = {}
    for entry in doc.all_entries:
        owner = _owner(entry.data)
        if owner is None:
            continue
        if owner not in registry.sources:
            plan.changes.append(
                RemoveEntry(entry, owner, f"source {owner!r} is no longer in providers.yaml")
            )
        elif discoveries.get(owner) is not None and discoveries[owner].models is not None:
            owned_now[(owner, entry.model or "")] = entry
    additions = []
    for name, entries in wanted.items():
        keep = {(name, e["litellm_params"]["model"]) for e in entries}
        for key, entry in owned_now.items():
            if key[0] == name and key not in keep:
                reason = f"{key[1]} is no longer served by {name}"
                plan.changes.append(RemoveEntry(entry, name, reason))
        for data in entries:
            key = (name, data["litellm_params"]["model"])
            existing = owned_now.get(key)
            if key in untrusted:  # neither written nor, if it exists, removed
                plan.held.append(HeldChange(AddEntry(data, None, name), untrusted[key]))
            elif existing is None:
                additions.append((name, data))
            elif existing.data != data:
                plan.changes.append(ReplaceEntry(existing, data, name))
    removed = {id(c.entry) for c in plan.of(RemoveEntry)}
    available = {e.model_name for e in doc.all_entries if id(e) not in removed} | {
        data["model_name"] for _, data in additions
    }
    plan_routes(doc, registry.routes, plan, available)
    managed = set(registry.routes.aliases) | set(registry.routes.fallbacks)
    plan.notes.extend(dangling_references(doc, plan.of(RemoveEntry), managed))
    # Sorted among themselves, so several additions at one spot land in order.
    for name, data in sorted(
        additions, key=lambda a: (a[1]["model_name"], a[1]["litellm_params"]["model"])
    ):
        comment = f"generated by llmsync from source {name}; edit providers.yaml, not this entry"
        plan.changes.append(AddEntry(data, insertion_point(doc, data), name, comment))
    return plan


def _owner(data: Any) -> str | None:
    info = data.get("model_info") if isinstance(data, dict) else None
    owner = info.get(OWNER_KEY) if isinstance(info, dict) else None
    return owner if isinstance(owner, str) else None


def run(
    *,
    config: Path,
    providers: Path | None,
    dry_run: bool,
    check: bool,
    backup: bool,
    in_place: bool,
    verbose: bool,
    timeout: float | None,
    output_format: str,
) -> int:
    """``llmsync generate``: the exit code."""
    steps.load_env()
    steps.check_outputs(None, output_format)
    registry = steps.load_registry(providers)
    if not registry.sources:  # not "no changes": there was nothing to ask
        raise LlmsyncError(
            f"no sources to generate from: declare model servers under `sources:` in "
            f"providers.yaml or providers.local.yaml ({registry.source} has none)"
        )
    return generate(
        config, registry, dry_run, check, backup, verbose, in_place, timeout, output_format
    )


def generate(
    config: Path,
    registry: Registry,
    dry_run: bool,
    check: bool,
    backup: bool,
    verbose: bool,
    in_place: bool = False,
    timeout: float | None = None,
    output_format: str = "text",
) -> int:
    """Ask the sources, plan, finish (also each round of ``push --every``). The exit code."""
    with steps.editing(config, dry_run or check):
        doc = steps.load_config(config)
        discoveries = discover_all(registry.sources, registry.defaults, timeout)
        plan = plan_generate(doc, registry, discoveries)
        if check:
            finish(
                doc, plan, dry_run=True, backup=False, verbose=verbose, output_format=output_format
            )
            return 1 if plan.changes or plan.needs_attention else 0
        return finish(
            doc,
            plan,
            dry_run=dry_run,
            backup=backup,
            in_place=in_place,
            verbose=verbose,
            output_format=output_format,
        )
