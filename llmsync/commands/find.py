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
from typing import Any

from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.errors import LlmsyncError

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
