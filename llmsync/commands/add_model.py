"""add-model: add catalogue models as new entries, in sorted position."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from llmsync import steps
from llmsync.catalogues.fetch import Job
from llmsync.catalogues.hosted import Provider
from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.commands.common import additions, entries_by_provider
from llmsync.document import ConfigDocument
from llmsync.errors import EXIT_PENDING, LlmsyncError
from llmsync.fetching import fetch
from llmsync.finishing import finish
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


def run(
    *,
    ctx: Any,
    models: list[str],
    provider: list[str],
    model_name: str | None,
    group: str | None,
    allow_partial: bool,
    config: Path,
    providers: Path | None,
    dry_run: bool,
    backup: bool,
    in_place: bool,
    report: Path | None,
    output_format: str,
    verbose: bool,
    cache_dir: Path | None,
    cache_ttl: float,
    no_cache: bool,
    offline: bool,
    prefer: str | None,
) -> int:
    """``llmsync add-model``: fetch the named providers' catalogues, plan, finish."""
    if model_name is not None and (len(models) != 1 or group):
        raise LlmsyncError("--model-name needs exactly one model id (and no --group)")
    if group is not None and len(models) != 1:
        raise LlmsyncError("--group takes one query, e.g. add-model --group glm -p all glm-5.1")
    steps.load_env()
    steps.check_outputs(report, output_format)
    registry = steps.load_registry(providers, prefer)
    names = registry.select(provider)
    if group is None and (len(names) != 1 or "all" in provider):
        raise LlmsyncError("add-model needs one provider (or --group for several)")
    with steps.editing(config, dry_run):
        doc = steps.load_config(config)
        cache = steps.cache_policy(cache_dir, cache_ttl, no_cache, offline)
        outcomes = fetch([Job(registry.providers[n]) for n in names], registry, verbose, cache)[0]
        catalogs = _readable(outcomes)
        if not catalogs:
            steps.echo("llmsync: no catalogue could be read; nothing was added", err=True)
            return EXIT_PENDING
        if group is not None:
            named = {} if "all" in provider else _named(outcomes)
            plan = _group(doc, registry, group, models[0], catalogs, named, allow_partial)
            if plan is None:
                return EXIT_PENDING
        else:
            plan = plan_add(
                doc, registry, names[0], models, catalogs[names[0]], model_name=model_name
            )
        return finish(
            doc,
            plan,
            dry_run=dry_run,
            backup=backup,
            in_place=in_place,
            verbose=verbose,
            report=report,
            output_format=output_format,
            ctx=ctx,
        )


def _readable(outcomes: dict) -> dict[str, Catalog]:
    """The catalogues that could be read; one line on stderr for each that could not."""
    for job, outcome in outcomes.items():
        if outcome.catalog is None:
            why = outcome.error or f"skipped: {outcome.skipped}"
            steps.echo(f"llmsync: {job.name}: catalogue unavailable: {why}", err=True)
    return {job.name: o.catalog for job, o in outcomes.items() if o.catalog is not None}


def _named(outcomes: dict) -> dict[str, str | None]:
    """Providers named with --provider: None when read, else why not."""
    return {
        job.name: None if o.catalog else (o.error or f"skipped: {o.skipped}")
        for job, o in outcomes.items()
    }


def _group(
    doc: ConfigDocument,
    registry: Registry,
    group: str,
    query: str,
    catalogs: dict[str, Catalog],
    named: dict[str, str | None],
    allow_partial: bool,
) -> Plan | None:
    """--group: the plan, or None (said why) when a named provider is missing."""
    plan, lost = plan_group(doc, registry, group, query, catalogs, named)
    for name, why in lost.items():
        steps.echo(f"llmsync: --group {group}: lost member {name}: {why}", err=True)
    if lost and not allow_partial:
        steps.echo(
            f"llmsync: --group {group}: {len(lost)} named provider(s) missing; nothing "
            "was added (--allow-partial adds the others)",
            err=True,
        )
        return None
    return plan
