"""The ``models_list`` strategy: a JSON document holding a list of model objects.

It covers every hosted provider llmsync ships (OpenRouter, Requesty, Novita, Nano-GPT, Vercel
AI Gateway, Poe, NVIDIA NIM): they differ only in data that providers.yaml describes: the
list key, where prices sit and in what unit, how embeddings are marked.
"""

from __future__ import annotations

from typing import Any

from llmsync.document import unwritable_reason
from llmsync.errors import CatalogError
from llmsync.prices import BadPrice, parse_price
from llmsync.providers.base import Catalog, CatalogModel, Provider, dig
from llmsync.registry import CatalogSource


class ModelsListProvider(Provider):
    kind = "models_list"

    def parse(self, payloads: list[tuple[CatalogSource, Any]]) -> Catalog:
        models: dict[str, CatalogModel] = {}
        for source, body in payloads:
            for item in self._items(source, body):
                model = self._model(item, source)
                models.setdefault(model.id, model)
        return Catalog(self.name, models)

    def _items(self, source: CatalogSource, body: Any) -> list[dict]:
        items = body.get(self.spec.list_key) if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise CatalogError(f"{source.url}: unexpected shape: no {self.spec.list_key!r} list")
        if not items:
            # An empty catalogue is far likelier an outage than a provider with no models.
            raise CatalogError(f"{source.url}: empty model list")
        bad = [
            i
            for i in items
            if not isinstance(i, dict)
            or not isinstance(i.get(self.spec.id_key), str)
            or not i.get(self.spec.id_key)
        ]
        if bad:
            raise CatalogError(
                f"{source.url}: unexpected shape: {len(bad)} item(s) without a string {self.spec.id_key!r}"
            )
        return items

    def _model(self, item: dict, source: CatalogSource) -> CatalogModel:
        prices = self.spec.prices
        rejected = {}
        unsafe = unwritable_reason(item[self.spec.id_key])
        if unsafe:
            rejected["id"] = f"id {item[self.spec.id_key]!a} {unsafe}"
        if prices.always_free:
            costs = {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0}
        else:
            costs = {}
            for field_name, path in prices.fields.items():
                try:
                    value = parse_price(
                        dig(item, path), prices.scale, self.defaults.max_cost_per_token
                    )
                except BadPrice as exc:
                    rejected[field_name] = f"{field_name}: catalogue {exc}"
                    continue
                if value is not None:
                    costs[field_name] = value
        limits = {}
        for field_name, path in self.spec.limits.items():
            value = dig(item, path)
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and value > 0
                and value == int(value)
            ):
                limits[field_name] = int(value)
        return CatalogModel(
            id=item[self.spec.id_key],
            mode=self._mode(item, source),
            costs=costs,
            limits=limits,
            rejected=rejected,
        )

    def _mode(self, item: dict, source: CatalogSource) -> str:
        if source.mode:
            return source.mode
        rule = self.spec.embedding
        if rule is None:
            return "chat"
        if rule.field and dig(item, rule.field) in rule.values:
            return "embedding"
        model_id = item[self.spec.id_key].lower()
        if any(part in model_id for part in rule.id_contains):
            return "embedding"
        return "chat"
