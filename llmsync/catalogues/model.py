"""What every catalogue yields: models with ids, prices, limits and lifecycle, by id.

A value that cannot be trusted is not dropped silently: it is kept, with its reason, in
``CatalogModel.rejected`` (never written; cleanup holds it back for a person, add-model says
so), and what concerns a whole catalogue (ids listed twice, not alike) in ``Catalog.notes``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llmsync.document import unwritable_reason
from llmsync.prices import BadValue, parse_limit


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
    # False when a priced listing has no price section at all for it (DeepInfra's
    # `metadata: null`): neither prices nor a mode can be read from the listing
    described: bool = True
    # where each price came from: "listing 2026-12-05", "models.dev 2026-12-05", "cost map ..."
    sources: Mapping[str, str] = field(default_factory=dict)
    # prices the two books give differently (beyond tolerance) with nothing to settle it:
    # field -> both values, said when the change is held back
    disputed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    provider: str
    models: Mapping[str, CatalogModel]
    partial: bool = False  # the listing omits live models: absence proves nothing
    notes: tuple[str, ...] = ()  # said once per provider: ids listed more than once, not alike
    scope: str = ""  # what one listing of a platform answers for: "us-east-1", a resource
    fetched: str = ""  # the date the listing was fetched (a price without a book source: this)

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


def parse_values(
    raw: Mapping[str, Any], parse: Callable[[Any], Any], where: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """(values, rejected) from {field: raw value}: each value read by ``parse`` (which returns
    None for unknown, raises :class:`BadValue` for untrusted); ``where`` names the source in a
    reason: ``max_input_tokens: catalogue limit 0 is not positive``."""
    values, rejected = {}, {}
    for field_name, value in raw.items():
        try:
            parsed = parse(value)
        except BadValue as exc:
            rejected[field_name] = f"{field_name}: {where} {exc}"
            continue
        if parsed is not None:
            values[field_name] = parsed
    return values, rejected


def parse_limits(raw: Mapping[str, Any], where: str) -> tuple[dict[str, int], dict[str, str]]:
    """(limits, rejected): every limit of every catalogue (listings, the cost map, self-hosted
    servers) is read by :func:`llmsync.prices.parse_limit`."""
    return parse_values(raw, parse_limit, where)


def repeated_ids(provider: str, repeats: Mapping[str, list[CatalogModel]]) -> tuple[str, ...]:
    """One note for the ids a catalogue lists more than once *differently* (which listing wins
    changes prices or limits); identical repeats change nothing and are not worth a line."""
    unlike = {
        model_id: len(listed)
        for model_id, listed in repeats.items()
        if any(other != listed[0] for other in listed[1:])
    }
    if not unlike:
        return ()
    shown = [(_id_text(model_id), count) for model_id, count in unlike.items()]
    if len(shown) == 1:
        ((model_id, count),) = shown
        return (
            f"{provider}: the catalogue lists {model_id} {count} times, not all alike; "
            "the first listing is used",
        )
    names = ", ".join(f"{model_id} ×{count}" for model_id, count in shown[:5])
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    return (
        f"{provider}: the catalogue lists {len(shown)} ids more than once, not all alike "
        f"({names}{more}); the first listing of each is used",
    )


def _id_text(model_id: str) -> str:
    """An id for a message: as is, or escaped when it holds characters a terminal obeys."""
    return ascii(model_id) if unwritable_reason(model_id) else model_id
