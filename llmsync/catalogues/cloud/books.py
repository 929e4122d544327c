"""Platforms checked against the price books alone (kind ``price_books``): Vertex AI and Azure
AI Foundry, whose live listings need what an entry does not carry (a Google login, a Foundry
project name) or do not exist.

The catalogue is built from models.dev and LiteLLM's cost map: every model of the configured
models.dev provider and every cost-map key of the configured ``litellm_provider`` values (the
id is the key less ``options.id_prefix``). Prices, limits and retirement dates come from there,
as for any provider whose listing has no prices. What cannot be checked is said: the listing
is ``partial`` (an entry missing from the books is kept, with a note, never removed), and the
provider's status line names the books as its only source.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from llmsync.catalogues.hosted import Provider
from llmsync.catalogues.model import Catalog, CatalogModel, parse_limits
from llmsync.catalogues.pricebooks import _deprecation, _dev_costs, _map_costs, _models_dev_provider
from llmsync.errors import CatalogError
from llmsync.prices import LIMIT_FIELDS

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import PriceBooks

SCOPE = "price books only: no live listing"


class PriceBooksPlatform(Provider):
    kind: ClassVar[str] = "price_books"
    fetches_itself: ClassVar[bool] = True
    books_only: ClassVar[bool] = True

    def skip_reason(self, job: Any) -> str | None:
        return None  # the books are public

    async def fetch_catalog(
        self, client: Any, job: Any, defaults: Any, cache: Any, clock: Any
    ) -> Catalog:
        # Filled from the books once they are loaded (fetch_all calls books_catalog).
        return Catalog(self.name, {}, partial=True, scope=SCOPE)

    def books_catalog(
        self, loaded: dict[str, Any], books: PriceBooks | None = None, fetched: Any = None
    ) -> Catalog:
        """Every model the books know for this platform, priced and dated from them.
        ``fetched``: what ``fetch_catalog`` returned (a platform with a live check merges it)."""
        warning = books.deprecation_warning_days if books is not None else 30
        soon = dt.date.today() + dt.timedelta(days=warning)
        options = self.spec.options
        prefix = str(options.get("id_prefix", ""))
        wanted = set(options.get("cost_map_providers", []))
        dev = _models_dev_provider(loaded.get("models_dev"), self.spec.prices.models_dev) or {}
        cost_map = loaded.get("cost_map")
        if not dev and not isinstance(cost_map, dict):
            raise CatalogError("the price books (models.dev, LiteLLM's cost map) could not be read")
        mapped = {}
        if isinstance(cost_map, dict):
            for key, entry in cost_map.items():
                if isinstance(entry, dict) and entry.get("litellm_provider") in wanted:
                    mapped[key.removeprefix(prefix)] = entry
        models = {}
        for model_id in {*dev, *mapped}:
            costs, rejected = _dev_costs(dev.get(model_id), self)
            if not costs and not rejected:
                costs, rejected = _map_costs(mapped.get(model_id), self)
            entry = mapped.get(model_id) or {}
            limits, bad = parse_limits({f: entry.get(f) for f in LIMIT_FIELDS}, "cost map")
            models[model_id] = CatalogModel(
                id=model_id,
                mode="embedding" if entry.get("mode") == "embedding" else "chat",
                costs=costs,
                limits=limits,
                rejected={**rejected, **bad},
                deprecation=_deprecation(dev.get(model_id), mapped.get(model_id), soon),
                in_cost_map=model_id in mapped,
            )
        return Catalog(self.name, models, partial=True, scope=SCOPE)
