"""find: one model across every catalogue, and the best match per provider for add-model --group.

Providers spell the same model differently (``glm-5.1``, ``glm-5-1``, ``z-ai/glm-5.1``,
``accounts/fireworks/models/glm-5p1``). Matching is tiered, and the tier is shown:

1. ``exact``: the catalogue id is the query;
2. ``vendor``: equal once a vendor path is dropped (``z-ai/glm-5.1``);
3. ``normalised``: equal once case, separators and ``5p1``-for-``5.1`` are folded;
4. ``suffix``: equal once one known suffix is dropped (``:free``, ``-instruct``, a date...);
5. ``substring``: the folded query is part of the folded id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmsync import steps
from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.errors import LlmsyncError
from llmsync.fetching import fetch

TIERS = ("exact", "vendor", "normalised", "suffix", "substring")
_P_AS_POINT = re.compile(r"(?<=\d)p(?=\d)")
_SEPARATORS = re.compile(r"[\s._:/-]+")
_SUFFIXES = re.compile(
    r"(:free|:beta|:extended|[-_](instruct|chat|latest|preview|turbo|fp8|it)|"
    r"[-_]\d{4}-?\d{2}-?\d{2}|[-_]\d{4})$",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Case, separators and ``p`` between digits folded: glm-5p1, GLM_5.1, glm 5.1 are one."""
    return _SEPARATORS.sub("-", _P_AS_POINT.sub(".", text.lower())).replace(".", "-").strip("-")


def tier(query: str, model_id: str) -> int | None:
    """The best tier (index into TIERS) at which ``model_id`` matches ``query``, or None."""
    if model_id == query:
        return 0
    short = model_id.rsplit("/", 1)[-1]
    if short == query.rsplit("/", 1)[-1]:
        return 1
    fq, fs = fold(query.rsplit("/", 1)[-1]), fold(short)
    if fq == fs:
        return 2
    if fold(_SUFFIXES.sub("", short)) == fq or fold(_SUFFIXES.sub("", query)) == fs:
        return 3
    if fq and fq in fold(model_id):
        return 4
    return None


@dataclass(frozen=True)
class Found:
    provider: str
    model: CatalogModel
    tier: int
    in_config: bool

    def price(self, field: str = "input_cost_per_token") -> float | None:
        value = self.model.costs.get(field)
        return value * 1e6 if value is not None else None  # per 1M tokens

    def as_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "id": self.model.id,
            "match": TIERS[self.tier],
            "mode": self.model.mode,
            "input_per_1m": self.price(),
            "output_per_1m": self.price("output_cost_per_token"),
            "cache_read_per_1m": self.price("cache_read_input_token_cost"),
            "context": self.model.limits.get("max_input_tokens"),
            "deprecation": self.model.deprecation,
            "in_config": self.in_config,
        }


def find(
    query: str,
    catalogs: Mapping[str, Catalog],
    present: Mapping[str, set[str]],
    max_price: float | None = None,
    min_context: int | None = None,
) -> list[Found]:
    """Every catalogue model matching ``query``, best tier first, then cheapest input price."""
    found = []
    for provider, catalog in catalogs.items():
        for model in catalog.models.values():
            level = tier(query, model.id)
            if level is None:
                continue
            row = Found(provider, model, level, model.id in present.get(provider, set()))
            price = row.price()
            if max_price is not None and (price is None or price > max_price):
                continue
            context = model.limits.get("max_input_tokens")
            if min_context is not None and (context is None or context < min_context):
                continue
            found.append(row)
    return sorted(
        found,
        key=lambda r: (r.tier, r.price() is None, r.price() or 0.0, r.provider, r.model.id),
    )


def best_per_provider(query: str, catalogs: Mapping[str, Catalog]) -> dict[str, CatalogModel]:
    """The one best match per provider (add-model --group). Several at the best tier is
    ambiguous: refused, with the candidates."""
    chosen: dict[str, CatalogModel] = {}
    problems = []
    for provider, catalog in catalogs.items():
        rows = find(query, {provider: catalog}, {})
        if not rows:
            continue
        best = [r for r in rows if r.tier == rows[0].tier]
        if len(best) > 1:
            names = ", ".join(r.model.id for r in best[:6])
            problems.append(f"{provider}: {query!r} matches {len(best)} models ({names})")
        else:
            chosen[provider] = best[0].model
    if problems:
        raise LlmsyncError(
            "ambiguous: " + "; ".join(problems) + "; name the exact id with add-model -p"
        )
    return chosen


def run(
    *,
    query: str,
    provider: list[str],
    max_price: float | None,
    min_context: int | None,
    config: Path,
    providers: Path | None,
    output_format: str,
    verbose: bool,
    timeout: float | None,
    cache_dir: Path | None,
    cache_ttl: float,
    no_cache: bool,
    offline: bool,
) -> int:
    """``llmsync find``: 0 when something matched, else 1."""
    from llmsync.catalogues.fetch import Job

    steps.load_env()
    steps.check_outputs(None, output_format)
    registry = steps.load_registry(providers)
    names = registry.select(provider)
    present = _present(config, registry, names)
    cache = steps.cache_policy(cache_dir, cache_ttl, no_cache, offline)
    outcomes = fetch(
        [Job(registry.providers[n]) for n in names], registry, verbose, cache, deadline=timeout
    )[0]
    catalogs = {job.name: o.catalog for job, o in outcomes.items() if o.catalog is not None}
    rows = find(query, catalogs, present, max_price, min_context)
    unavailable = {
        job.name: o.error or f"skipped: {o.skipped}"
        for job, o in outcomes.items()
        if o.catalog is None
    }
    if output_format == "json":
        steps.echo_json({"version": 1, "query": query, "results": [r.as_json() for r in rows],
                         "searched": sorted(catalogs), "unavailable": unavailable})  # fmt: skip
    else:
        _show(query, rows, catalogs, unavailable, verbose)
    return 0 if rows else 1


def _present(config: Path, registry: Any, names: list[str]) -> dict[str, set[str]]:
    """The catalogue ids the config already has, per provider (none without a config)."""
    from llmsync.commands.common import entries_by_provider

    if not config.is_file():
        return {}
    doc = steps.load_config(config)
    return {
        n: {m for _, m in rows} for n, rows in entries_by_provider(doc, registry, names).items()
    }


def _show(
    query: str,
    rows: list[Found],
    catalogs: Mapping[str, Catalog],
    unavailable: dict[str, str],
    verbose: bool,
) -> None:
    """The text output: the table, and which catalogues could not be asked."""
    from llmsync.render import consoles, print_found

    if not catalogs:  # not "nothing matched": nothing could be asked
        why = "; ".join(f"{n}: {w}" for n, w in unavailable.items()) if verbose else ""
        steps.echo(
            f"llmsync: no catalogue could be read ({len(unavailable)} failed or skipped"
            f"{': ' + why if why else ', --verbose says why'}); nothing was searched",
            err=True,
        )
        return
    out, _ = consoles()
    print_found(out, query, rows, len(catalogs))
    if unavailable and verbose:
        for name, why in unavailable.items():
            steps.echo(f"{name}: {why}", err=True)
    elif unavailable:
        steps.echo(f"not asked or failed: {', '.join(unavailable)} (--verbose says why)", err=True)
