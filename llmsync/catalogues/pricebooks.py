"""Open price and lifecycle catalogues: models.dev and LiteLLM's cost map.

They fill what a provider's own listing lacks. Prices come from the best source that has
them, never a lower one over a higher: the listing itself, else models.dev, else the cost map.
Lifecycle: models.dev ``status: deprecated`` and a cost-map ``deprecation_date`` that is past
or within ``deprecation_warning_days`` count as deprecated when the listing says nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from llmsync.catalogues.hosted import Provider
from llmsync.catalogues.model import Catalog, dig, parse_limits, parse_values
from llmsync.prices import LIMIT_FIELDS, PRICE_FIELDS, parse_price

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import PriceBooks

BOOKS = ("models_dev", "cost_map")
# models.dev cost keys (USD per 1M tokens) -> LiteLLM fields
_MODELS_DEV_COSTS = {  # dotted paths in a models.dev model's `cost`, USD per 1M tokens
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
    "context_over_200k.input": "input_cost_per_token_above_200k_tokens",
    "context_over_200k.output": "output_cost_per_token_above_200k_tokens",
    "context_over_200k.cache_read": "cache_read_input_token_cost_above_200k_tokens",
    "context_over_200k.cache_write": "cache_creation_input_token_cost_above_200k_tokens",
}
_COST_MAP_COSTS = PRICE_FIELDS  # the cost map uses LiteLLM's own names


def needed(providers: list[Provider]) -> list[str]:
    """The books these providers refer to."""
    return [book for book in BOOKS if any(getattr(p.spec.prices, book) for p in providers)]


def enrich(
    catalog: Catalog,
    provider: Provider,
    loaded: dict[str, Any],
    books: PriceBooks,
    today: dt.date | None = None,
    dates: dict[str, str] | None = None,
) -> Catalog:
    """``catalog`` with prices, limits and lifecycle filled from the books where it lacks them.

    Each price filled says which book gave it, and that book's fetch date (``dates``). Where
    both books price a field and differ beyond ``books.disagreement``, ``books.prefer``
    decides; without it the field is marked disputed (both values) and its change held back.
    """
    dates = dates or {}
    labels = {
        "models.dev": f"models.dev {dates.get('models_dev', '')}".strip(),
        "cost map": f"cost map {dates.get('cost_map', '')}".strip(),
    }
    spec = provider.spec.prices
    dev = _models_dev_provider(loaded.get("models_dev"), spec.models_dev)
    cost_map = loaded.get("cost_map") if spec.cost_map else None
    if dev is None and not isinstance(cost_map, dict):
        return catalog
    listing_priced = bool(spec.fields) or spec.always_free
    soon = (today or dt.date.today()) + dt.timedelta(days=books.deprecation_warning_days)
    models = {}
    for model_id, model in catalog.models.items():
        dev_model = dev.get(model_id) if dev else None
        mapped = (
            cost_map.get(spec.cost_map.format(id=model_id)) if isinstance(cost_map, dict) else None
        )
        mapped = mapped if isinstance(mapped, dict) else None
        changes: dict[str, Any] = {}
        # A priced listing that says nothing about a model (DeepInfra gives `metadata: null`
        # for its embedding models) is no better than an unpriced one: the books speak for it.
        says_nothing = listing_priced and not model.described
        if (not listing_priced or says_nothing) and not model.costs:
            dev_costs, dev_bad = _dev_costs(dev_model, provider)
            map_costs, map_bad = _map_costs(mapped, provider)
            use_dev = bool(dev_costs or dev_bad)  # models.dev first, as always
            costs, sources, disputed = _settle(dev_costs, map_costs, use_dev, books, labels)
            rejected = dev_bad if use_dev else map_bad
            changes.update(
                costs=costs,
                sources=sources,
                disputed=disputed,
                rejected={**model.rejected, **rejected},
            )
            if mapped and mapped.get("mode") == "embedding" and model.mode == "chat":
                changes["mode"] = "embedding"
            if says_nothing and (costs or mapped):
                changes["described"] = True  # the books described it
        if not model.limits and mapped:
            # A limit the listing gave but could not be trusted stays held: never a lower
            # source over a higher one.
            wanted = {f: mapped.get(f) for f in LIMIT_FIELDS if f not in model.rejected}
            limits, bad = parse_limits(wanted, "cost map")
            changes["limits"] = limits
            book = {name: labels["cost map"] for name in limits}
            changes["sources"] = {**changes.get("sources", model.sources), **book}
            changes["rejected"] = {**bad, **changes.get("rejected", model.rejected)}
        if model.deprecation is None:
            changes["deprecation"] = _deprecation(dev_model, mapped, soon)
        if isinstance(cost_map, dict) and spec.cost_map:
            changes["in_cost_map"] = mapped is not None
        models[model_id] = replace(model, **changes)
    return replace(catalog, models=models)


def _settle(
    dev: dict[str, float],
    mapped: dict[str, float],
    use_dev: bool,
    books: PriceBooks,
    labels: dict[str, str],
) -> tuple[dict[str, float], dict[str, str], dict[str, str]]:
    """One price per field from the two books: models.dev's where it prices the model (as
    before), the cost map's otherwise; a field they price differently is settled by
    ``books.prefer`` or marked disputed."""
    costs = dict(dev if use_dev else mapped)
    sources = {f: labels["models.dev" if use_dev else "cost map"] for f in costs}
    disputed = {}
    if use_dev and dev:  # a field models.dev lacks (a tier) the cost map may still give
        for name in sorted(set(mapped) - set(dev)):
            costs[name], sources[name] = mapped[name], labels["cost map"]
    if use_dev and mapped:
        for name in sorted(set(dev) & set(mapped)):
            a, b = dev[name], mapped[name]
            if abs(a - b) <= books.disagreement * max(abs(a), abs(b)):
                continue
            if books.prefer == "costmap":
                costs[name], sources[name] = b, f"{labels['cost map']} (preferred)"
            elif books.prefer == "models.dev":
                sources[name] = f"{labels['models.dev']} (preferred)"
            else:
                disputed[name] = (
                    f"models.dev says {_per_m(a)}, LiteLLM's cost map {_per_m(b)} per 1M tokens"
                )
    return costs, sources, disputed


def _per_m(value: float) -> str:
    return f"{value * 1e6:.6g}"


def _models_dev_provider(body: Any, provider_id: str | None) -> dict[str, Any] | None:
    if not provider_id or not isinstance(body, dict):
        return None
    entry = body.get(provider_id)
    models = entry.get("models") if isinstance(entry, dict) else None
    return models if isinstance(models, dict) else None


def _dev_costs(model: Any, provider: Provider) -> tuple[dict[str, float], dict[str, str]]:
    cost = model.get("cost") if isinstance(model, dict) else None
    if not isinstance(cost, dict):
        return {}, {}
    return _priced(
        {field: dig(cost, key) for key, field in _MODELS_DEV_COSTS.items()},
        "1e-6",
        provider,
        "models.dev",
    )


def _map_costs(entry: dict | None, provider: Provider) -> tuple[dict[str, float], dict[str, str]]:
    if entry is None:
        return {}, {}
    return _priced(
        {field: entry.get(field) for field in _COST_MAP_COSTS}, "1", provider, "cost map"
    )


def _priced(
    raw: dict[str, Any], scale: str, provider: Provider, book: str
) -> tuple[dict[str, float], dict[str, str]]:
    limit = provider.defaults.max_cost_per_token
    return parse_values(raw, lambda value: parse_price(value, scale, limit), book)


def _deprecation(dev_model: Any, mapped: dict | None, soon: dt.date) -> str | None:
    date = mapped.get("deprecation_date") if mapped else None
    if isinstance(date, str):
        try:
            if dt.date.fromisoformat(date[:10]) <= soon:
                return date[:10]
        except ValueError:
            pass
    if isinstance(dev_model, dict) and dev_model.get("status") == "deprecated":
        return "deprecated"
    return None
