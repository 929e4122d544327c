"""The provider contract: recognise config entries, turn catalogue payloads into a Catalog,
and describe new entries. Fetching lives in llmsync.fetch so every provider shares retries,
timeouts and concurrency."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from llmsync.prices import COST_FIELDS
from llmsync.registry import CatalogSource, Defaults, ProviderSpec

ENV_PREFIX = "os.environ/"


@dataclass(frozen=True)
class CatalogModel:
    id: str
    mode: str = "chat"
    costs: Mapping[str, float] = field(default_factory=dict)  # USD/token; only known prices
    limits: Mapping[str, int] = field(default_factory=dict)
    # What could not be trusted, field -> why ("id" for the id itself): never written
    rejected: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    provider: str
    models: Mapping[str, CatalogModel]

    def __contains__(self, model_id: object) -> bool:
        return model_id in self.models

    def get(self, model_id: str) -> CatalogModel | None:
        return self.models.get(model_id)


def dig(item: Any, path: str) -> Any:
    """Value at a dotted path (``top_provider.max_completion_tokens``), or None."""
    for part in path.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


class Provider:
    """Base strategy. Subclasses set ``kind`` and implement :meth:`parse`."""

    kind: ClassVar[str] = ""

    def __init__(self, name: str, spec: ProviderSpec, defaults: Defaults) -> None:
        self.name = name
        self.spec = spec
        self.defaults = defaults

    # ---- recognising entries

    def recognise(self, model: str | None, api_base: str | None) -> str | None:
        """The catalogue id of an entry's model if this provider serves it, else None."""
        if not isinstance(model, str):
            return None
        for rule in self.spec.match:
            if not model.startswith(rule.prefix) or len(model) == len(rule.prefix):
                continue
            if rule.api_base is None and rule.api_base_env is None:
                return model[len(rule.prefix) :]
            if _api_base_matches(api_base, rule.api_base, rule.api_base_env):
                return model[len(rule.prefix) :]
        return None

    # ---- fetching

    def sources(self) -> list[CatalogSource]:
        return list(self.spec.catalogs)

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        key = os.environ.get(self.spec.api_key_env) if self.spec.api_key_env else None
        if key:
            headers[self.spec.auth_header] = f"{self.spec.auth_scheme} {key}".strip()
        return headers

    def parse(self, payloads: list[tuple[CatalogSource, Any]]) -> Catalog:
        raise NotImplementedError

    # ---- new entries

    def default_model_name(self, model_id: str) -> str:
        naming = self.spec.naming
        name = model_id
        for old, new in naming.replace:
            name = name.replace(old, new)
        name = naming.prefix + name
        return name.lower() if naming.lowercase else name

    def model_string(self, model_id: str) -> str:
        prefix = self.spec.new_entry.model_prefix
        return (prefix if prefix is not None else self.spec.match[0].prefix) + model_id

    def new_entry(self, model: CatalogModel, model_name: str) -> dict[str, Any]:
        """A complete entry for ``model``, costs already in config form (free → free_cost)."""
        params: dict[str, Any] = {"model": self.model_string(model.id)}
        params.update(self.spec.new_entry.litellm_params)
        params.update(self.config_costs(model))
        entry: dict[str, Any] = {"model_name": model_name, "litellm_params": params}
        info: dict[str, Any] = {}
        if model.mode == "embedding":
            info["mode"] = "embedding"
        info.update(model.limits)
        if info:
            entry["model_info"] = info
        return entry

    def config_costs(self, model: CatalogModel) -> dict[str, float]:
        """Catalogue prices as config.yaml holds them: a zero token price becomes free_cost.

        Zero cache prices mean "no separate charge" and are left out rather than written.
        """
        costs = {}
        for field_name, value in model.costs.items():
            if value == 0 and field_name in COST_FIELDS[:2]:
                value = self.defaults.free_cost
            if value != 0:
                costs[field_name] = value
        return costs


def _api_base_matches(api_base: str | None, needle: str | None, env_name: str | None) -> bool:
    if not isinstance(api_base, str):
        return False
    if api_base.startswith(ENV_PREFIX):
        var = api_base[len(ENV_PREFIX) :]
        if env_name and var == env_name:
            return True
        api_base = os.environ.get(var, "")  # resolve like LiteLLM would, if it is set here
    return bool(needle) and needle in api_base
