"""What every catalogue yields: models with ids, prices, limits and lifecycle, by id."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CatalogModel:
    id: str
    mode: str = "chat"
    costs: Mapping[str, float] = field(default_factory=dict)  # USD/token; only known prices
    limits: Mapping[str, int] = field(default_factory=dict)
    # What could not be trusted, field -> why ("id" for the id itself): never written
    rejected: Mapping[str, str] = field(default_factory=dict)
    deprecation: str | None = None  # "YYYY-MM-DD", or "deprecated" when the listing gives no date
    replacement: str | None = None
    aliases: tuple[str, ...] = ()
    in_cost_map: bool | None = None  # whether LiteLLM's cost map knows it (None: not checked)


@dataclass(frozen=True)
class Catalog:
    provider: str
    models: Mapping[str, CatalogModel]
    partial: bool = False  # the listing omits live models: absence proves nothing

    def __post_init__(self) -> None:
        # Other names a model answers to: its aliases, and any spelling in another case (only
        # ever used to find a model, so folding can keep an entry but never remove one).
        other: dict[str, CatalogModel] = {}
        for model in self.models.values():
            for name in (*model.aliases, model.id):
                other.setdefault(name.lower(), model)
                if name not in self.models:
                    other.setdefault(name, model)
        object.__setattr__(self, "_other_names", other)

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and self.get(model_id) is not None

    def get(self, model_id: str) -> CatalogModel | None:
        other = self._other_names  # type: ignore[attr-defined]
        return self.models.get(model_id) or other.get(model_id) or other.get(model_id.lower())


_STEP = re.compile(r"([^.\[]+)|\[([^=\]]+)=([^\]]*)\]")


def dig(item: Any, path: str) -> Any:
    """Value at a dotted path (``top_provider.max_completion_tokens``), or None.

    ``[key=value]`` picks the first mapping of a list whose ``key`` is ``value``:
    ``properties[property_id=context_window].value`` (Cloudflare's property lists).
    """
    for name, key, value in _steps(path):
        if name:
            if not isinstance(item, dict):
                return None
            item = item.get(name)
        else:
            if not isinstance(item, list):
                return None
            item = next((i for i in item if isinstance(i, dict) and str(i.get(key)) == value), None)
    return item


@functools.cache
def _steps(path: str) -> list[tuple[str, str, str]]:
    # A catalogue of thousands of models digs the same few paths in each: parse them once.
    return _STEP.findall(path)
