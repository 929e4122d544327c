"""Provider strategies, looked up by the ``kind`` field of providers.yaml."""

from __future__ import annotations

from llmsync.errors import RegistryError
from llmsync.providers.base import Catalog, CatalogModel, Provider
from llmsync.providers.listing import ModelsListProvider
from llmsync.registry import Defaults, ProviderSpec

KINDS: dict[str, type[Provider]] = {
    ModelsListProvider.kind: ModelsListProvider,
}

__all__ = ["KINDS", "Catalog", "CatalogModel", "Provider", "build_provider"]


def build_provider(name: str, spec: ProviderSpec, defaults: Defaults) -> Provider:
    try:
        strategy = KINDS[spec.kind]
    except KeyError:
        raise RegistryError(
            f"provider {name!r}: unknown kind {spec.kind!r} (known: {', '.join(KINDS)})"
        ) from None
    return strategy(name, spec, defaults)
