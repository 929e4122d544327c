"""providers.yaml: the schema (pydantic) and the registry that turns it into Provider objects.

Adding a provider whose catalogue has a known shape is a YAML edit: the ``kind`` names the
strategy class, every other field is data (URLs, auth, how entries are recognised, where
prices live and their unit).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from llmsync.errors import FileUnreadable, RegistryError

DEFAULT_REGISTRY = "providers.yaml"
LOCAL_REGISTRY = "providers.local.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchRule(_Strict):
    """How a config entry is recognised as this provider's, and its catalogue id extracted."""

    prefix: str = Field(description="litellm_params.model starts with this; the rest is the id")
    api_base: str | None = Field(
        None, description="substring that litellm_params.api_base must contain"
    )
    api_base_env: str | None = Field(None, description="or api_base: os.environ/<this>")


class CatalogSource(_Strict):
    url: str
    mode: Literal["chat", "embedding"] | None = Field(
        None, description="every model listed at this URL has this mode"
    )


class PriceSpec(_Strict):
    fields: dict[str, str] = Field(
        default_factory=dict, description="LiteLLM cost field -> dotted path in a catalogue item"
    )
    scale: str = Field("1", description="multiplier from the catalogue's unit to USD per token")
    always_free: bool = Field(False, description="the catalogue has no prices: every model is free")

    @field_validator("scale", mode="before")
    @classmethod
    def _scale_text(cls, value: Any) -> str:
        return str(value)


class EmbeddingRule(_Strict):
    field: str | None = Field(None, description="dotted path whose value marks an embedding model")
    values: list[str] = Field(default_factory=list)
    id_contains: list[str] = Field(default_factory=list)


class NamingSpec(_Strict):
    prefix: str = ""
    replace: list[tuple[str, str]] = Field(default_factory=lambda: [("/", "-"), (":", "-")])
    lowercase: bool = True


class NewEntrySpec(_Strict):
    model_prefix: str | None = Field(None, description="defaults to the first match rule's prefix")
    litellm_params: dict[str, Any] = Field(default_factory=dict)


class AddNewSpec(_Strict):
    """Which catalogue models ``cleanup --add-new`` proposes (globs on catalogue ids)."""

    include: list[str] = Field(default_factory=list, description="nothing is added when empty")
    exclude: list[str] = Field(default_factory=list)


class ProviderSpec(_Strict):
    kind: str = "models_list"
    description: str = ""
    catalogs: list[CatalogSource] = Field(min_length=1)
    list_key: str = "data"
    id_key: str = "id"
    api_key_env: str | None = None
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    match: list[MatchRule] = Field(min_length=1)
    prices: PriceSpec = Field(default_factory=PriceSpec)
    limits: dict[Literal["max_input_tokens", "max_output_tokens"], str] = Field(
        default_factory=dict
    )
    embedding: EmbeddingRule | None = None
    free_variant_suffix: str | None = None
    protected: list[str] = Field(default_factory=list)
    naming: NamingSpec = Field(default_factory=NamingSpec)
    new_entry: NewEntrySpec = Field(default_factory=NewEntrySpec)
    add_new: AddNewSpec = Field(default_factory=AddNewSpec)


class Defaults(_Strict):
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0)
    backoff: float = Field(0.5, ge=0, description="first retry delay in seconds, doubled each time")
    max_retry_after: float = Field(60.0, ge=0)
    free_cost: float = Field(1.0e-09, gt=0)
    max_removal_fraction: float = Field(0.5, gt=0, le=1)
    max_cost_per_token: float = Field(
        1e-3, gt=0, description="a catalogue price above this (USD/token) is held back, not written"
    )
    max_response_bytes: int = Field(
        64 * 1024 * 1024, gt=0, description="larger catalogue answers are refused, not read"
    )


class SourceSpec(_Strict):
    """A model server to discover live for ``generate``."""

    type: Literal["ollama", "openai", "litellm"]
    base_url: str
    include: list[str] = Field(default_factory=list, description="globs on model ids; empty = all")
    exclude: list[str] = Field(default_factory=list)
    api_key_env: str | None = Field(
        None, description="sent as Bearer and written as os.environ/<this>"
    )
    model_name_prefix: str = ""
    concurrency: int = Field(4, ge=1, le=32, description="parallel /api/show calls (Ollama)")


class Routes(_Strict):
    aliases: dict[str, str] = Field(default_factory=dict, description="-> model_group_alias")
    fallbacks: dict[str, list[str]] = Field(default_factory=dict, description="-> fallbacks")
    patterns: dict[str, list[str]] = Field(
        default_factory=dict, description="model_name glob -> sources that serve it, in order"
    )


class RegistryFile(_Strict):
    defaults: Defaults = Field(default_factory=Defaults)
    providers: dict[str, ProviderSpec] = Field(default_factory=dict)
    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    routes: Routes = Field(default_factory=Routes)


def deep_merge(base: Any, override: Any) -> Any:
    """``override`` over ``base``: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else value
        return merged
    return override


def resolve_extends(sources: dict[str, Any], source: str) -> dict[str, Any]:
    """Apply ``$extend: <other source>`` (inherit, then override), with cycle detection."""
    resolved: dict[str, Any] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> dict[str, Any]:
        if name in resolved:
            return resolved[name]
        spec = sources.get(name)
        if not isinstance(spec, dict):
            raise RegistryError(
                f"{source}: sources.{chain[-1]}: $extend names unknown source {name!r}"
            )
        parent_name = spec.get("$extend")
        own = {k: v for k, v in spec.items() if k != "$extend"}
        if parent_name is None:
            result = own
        elif parent_name in (*chain, name):
            cycle = " -> ".join((*chain, name, parent_name))
            raise RegistryError(f"{source}: sources: $extend cycle: {cycle}")
        else:
            result = deep_merge(resolve(parent_name, (*chain, name)), own)
        resolved[name] = result
        return result

    return {name: resolve(name, ()) for name in sources}


class Registry:
    """The providers of one providers.yaml, in file order (first match wins)."""

    def __init__(self, data: RegistryFile, source: str) -> None:
        from llmsync.providers import build_provider

        self.source = source
        self.defaults = data.defaults
        self.sources = data.sources
        self.routes = data.routes
        self.providers = {
            name: build_provider(name, spec, data.defaults) for name, spec in data.providers.items()
        }

    @classmethod
    def load(cls, path: Path | None) -> Registry:
        """Read ``path``; with None, ./providers.yaml, else the registry shipped in the package.

        A ``providers.local.yaml`` beside the file (gitignored: local servers, overrides) is
        deep-merged over it.
        """
        if path is None:
            local = Path(DEFAULT_REGISTRY)
            if local.is_file():
                path = local
            else:
                text = (
                    resources.files("llmsync").joinpath("data", DEFAULT_REGISTRY).read_text("utf-8")
                )
                return cls.from_text(text, f"<built-in {DEFAULT_REGISTRY}>")
        raw = _read_yaml(path)
        overrides = path.with_name(LOCAL_REGISTRY)
        if overrides.is_file():
            raw = deep_merge(raw or {}, _read_yaml(overrides) or {})
        return cls.from_data(raw, str(path))

    @classmethod
    def from_text(cls, text: str, source: str) -> Registry:
        return cls.from_data(_parse_yaml(text, source), source)

    @classmethod
    def from_data(cls, raw: Any, source: str) -> Registry:
        raw = raw if raw is not None else {}
        if isinstance(raw, dict) and isinstance(raw.get("sources"), dict):
            raw = {**raw, "sources": resolve_extends(raw["sources"], source)}
        try:
            data = RegistryFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise RegistryError(f"{source}: {loc}: {first['msg']}") from None
        return cls(data, source)

    def select(self, names: list[str]) -> list[str]:
        """Expand ``all`` and check names, keeping registry order and dropping repeats."""
        if not names or "all" in names:
            return list(self.providers)
        unknown = [n for n in names if n not in self.providers]
        if unknown:
            raise RegistryError(
                f"unknown provider {unknown[0]!r} (known: {', '.join(self.providers)}, all)"
            )
        return [n for n in self.providers if n in names]

    def owner(self, model: str | None, api_base: str | None) -> tuple[str, str] | None:
        """(provider name, catalogue id) of the provider that recognises an entry, if any."""
        for name, provider in self.providers.items():
            model_id = provider.recognise(model, api_base)
            if model_id is not None:
                return name, model_id
        return None


def _read_yaml(path: Path) -> Any:
    from llmsync.files import read_snapshot

    try:
        text = read_snapshot(path).raw.decode("utf-8")
    except FileUnreadable as exc:
        raise RegistryError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return _parse_yaml(text, str(path))


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise RegistryError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
