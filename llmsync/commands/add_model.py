"""add-model: add catalogue models as new entries, in sorted position."""

from __future__ import annotations

import difflib

from llmsync.catalogues.hosted import Provider
from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.commands.common import additions, entries_by_provider
from llmsync.document import ConfigDocument
from llmsync.errors import LlmsyncError
from llmsync.plan import Plan
from llmsync.registry import Registry


def plan_add(
    doc: ConfigDocument,
    registry: Registry,
    provider_name: str,
    model_ids: list[str],
    catalog: Catalog,
    model_name: str | None = None,
) -> Plan:
    if model_name is not None and len(model_ids) != 1:
        raise LlmsyncError("--model-name needs exactly one model id")
    if model_name is not None and not model_name.strip():
        raise LlmsyncError("--model-name must not be empty")
    provider = registry.providers[provider_name]
    present = {
        model_id
        for _, model_id in entries_by_provider(doc, registry, [provider_name])[provider_name]
    }
    wanted = list(dict.fromkeys(model_ids))
    _refuse_bad_ids(wanted, present, catalog, provider_name)
    doc.require_block_list("add", allow_flow=True)

    plan = Plan()
    plan.notes.extend(catalog.notes)
    named = []
    for model_id in wanted:
        model = catalog.get(model_id)
        name = model_name or provider.default_model_name(model_id)
        named += [
            (item, name) for item in [model, *_twins(provider, model, catalog, present, wanted)]
        ]
    for item, _ in named:
        if not any(f in item.costs for f in ("input_cost_per_token", "output_cost_per_token")):
            plan.notes.append(
                f"{provider_name}: {item.id} has no per-token price in the catalogue; added without costs"
            )
    additions(doc, provider, named, plan)
    plan.report(provider_name).entries = len(present)
    return plan


def _refuse_bad_ids(
    wanted: list[str], present: set[str], catalog: Catalog, provider_name: str
) -> None:
    problems = []
    for model_id in wanted:
        if model_id in present:
            problems.append(f"{model_id} is already in the config")
        elif model_id not in catalog:
            close = difflib.get_close_matches(model_id, list(catalog.models), n=3, cutoff=0.5)
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
            problems.append(f"{model_id} is not in the {provider_name} catalogue{hint}")
    if problems:
        raise LlmsyncError("; ".join(problems) + "; nothing was added")


def _twins(
    provider: Provider, model: CatalogModel, catalog: Catalog, present: set[str], wanted: list[str]
) -> list[CatalogModel]:
    """The ``:free`` twin of a paid model, added under the same model_name."""
    suffix = provider.spec.free_variant_suffix
    if not suffix or model.id.endswith(suffix):
        return []
    twin = catalog.get(model.id + suffix)
    if twin is None or twin.id in present or twin.id in wanted:
        return []
    return [twin]


def plan_group(
    doc: ConfigDocument,
    registry: Registry,
    group: str,
    query: str,
    catalogs: dict[str, Catalog],
    named: dict[str, str | None] | None = None,
) -> tuple[Plan, dict[str, str]]:
    """The best match of ``query`` from each provider, added as one load-balancing group.

    ``named``: the providers the user named (not through ``all``), each with why its catalogue
    could not be read (None when it was). Returns the plan and the named members the group lost,
    with why: the caller decides whether a partial group may be written."""
    from llmsync.commands.find import best_per_provider

    if not group.strip():
        raise LlmsyncError("--group must not be empty")
    chosen = best_per_provider(query, catalogs)
    if not chosen:
        raise LlmsyncError(f"no catalogue has a model like {query!r}; nothing was added")
    doc.require_block_list("add", allow_flow=True)
    plan = Plan()
    for name, model in chosen.items():
        present = {m for _, m in entries_by_provider(doc, registry, [name])[name]}
        plan.report(name).entries = len(present)
        plan.notes.extend(catalogs[name].notes)
        if model.id in present:
            plan.notes.append(f"{name}: {model.id} is already in the config; not added again")
            continue
        additions(doc, registry.providers[name], [(model, group)], plan)
    missing = sorted(set(catalogs) - set(chosen))
    if missing:
        plan.notes.append(f"no match for {query!r} at: {', '.join(missing)}")
    lost = {
        name: why or f"its catalogue has no model like {query!r}"
        for name, why in (named or {}).items()
        if name not in chosen
    }
    return plan, lost
