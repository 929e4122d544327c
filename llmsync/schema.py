"""The schema of providers.yaml (pydantic): what each field means and its default.

Kept apart from the registry (which builds catalogue objects from it) so that the catalogue
layer can import the schema without importing the registry: no import cycles.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchRule(_Strict):
    """How a config entry is recognised as this provider's, and its catalogue id extracted."""

    prefix: str = Field(description="litellm_params.model starts with this; the rest is the id")
    api_base: str | None = Field(
        None, description="substring that litellm_params.api_base must contain"
    )
    api_base_env: str | None = Field(None, description="or api_base: os.environ/<this>")
    or_no_api_base: bool = Field(
        False,
        description="with api_base: entries without any api_base match too (the default host)",
    )
    ids: list[str] = Field(
        default_factory=list, description="globs the id must match (bare ids: prefix '')"
    )
    id_prefix: str = Field(
        "", description="catalogue ids carry this prefix, which configs may leave out"
    )


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
    models_dev: str | None = Field(
        None, description="when the listing has no prices: this models.dev provider id"
    )
    cost_map: str | None = Field(
        None, description="then LiteLLM's cost map, key template such as 'gemini/{id}'"
    )

    @field_validator("scale", mode="before")
    @classmethod
    def _scale_text(cls, value: Any) -> str:
        text = str(value)
        try:
            number = Decimal(text)
        except ArithmeticError:
            raise ValueError(f"scale {text!r} is not a number") from None
        if not number.is_finite() or number <= 0 or abs(number.adjusted()) > 30:
            raise ValueError(f"scale {text!r} must be a positive number such as 1e-6")
        return text


class Paging(_Strict):
    """How a listing is split into pages (``none``: one answer)."""

    style: Literal["none", "cursor", "token", "page"] = "none"
    size_param: str | None = Field(None, description="query parameter for the page size")
    size: int = Field(100, ge=1)
    param: str | None = Field(None, description="query parameter naming the next page")
    field: str | None = Field(
        None,
        description="where the answer names the next page (cursor: last id; token); "
        "page style: the total count",
    )
    more_field: str | None = Field(
        None, description="cursor style: true while pages remain; page style: the page size used"
    )
    max_pages: int = Field(50, ge=1, description="a listing longer than this is a failure")


class Lifecycle(_Strict):
    """Where a listing says a model is being retired."""

    field: str = Field(description="dotted path (may use [key=value] to pick from a list)")
    kind: Literal["date", "flag", "inactive", "ymd", "unix"] = Field(
        description="date: ISO date/time; flag: true = deprecated; inactive: false = retired; "
        "ymd: {year, month, day}; unix: seconds"
    )
    replacement: str | None = Field(None, description="dotted path of the suggested successor")


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
    list_key: str | None = Field("data", description="dotted path of the list; null: a bare list")
    id_key: str = "id"
    id_strip: str = Field("", description="removed from the front of listed ids ('models/')")
    alias_key: str | None = Field(None, description="a list of other ids a model answers to")
    alias_after_slash: bool = Field(
        False, description="'publisher/model' also answers to 'model' (GitHub Models)"
    )
    api_key_env: str | None = None
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    key_required: bool = Field(
        False, description="without the key the catalogue is skipped (nothing removed), not fetched"
    )
    headers: dict[str, str] = Field(default_factory=dict, description="extra request headers")
    paging: Paging = Field(default_factory=Paging)
    listing: Literal["complete", "partial"] = Field(
        "complete", description="partial: the listing omits live models, so nothing is removed"
    )
    lifecycle: list[Lifecycle] = Field(default_factory=list)
    match: list[MatchRule] = Field(min_length=1)
    prices: PriceSpec = Field(default_factory=PriceSpec)
    limits: dict[Literal["max_input_tokens", "max_output_tokens"], str] = Field(
        default_factory=dict
    )
    embedding: EmbeddingRule | None = None
    order: int | None = Field(
        None,
        ge=1,
        description="litellm_params.order (LiteLLM's deployment priority, 1 first) written on "
        "new entries and by cleanup --fill-order where an entry has none",
    )
    free_variant_suffix: str | None = None
    protected: list[str] = Field(default_factory=list)
    naming: NamingSpec = Field(default_factory=NamingSpec)
    new_entry: NewEntrySpec = Field(default_factory=NewEntrySpec)
    add_new: AddNewSpec = Field(default_factory=AddNewSpec)
    options: dict[str, Any] = Field(
        default_factory=dict, description="settings of a platform kind (bedrock, azure_openai)"
    )


class Defaults(_Strict):
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0)
    backoff: float = Field(0.5, ge=0, description="first retry delay in seconds, doubled each time")
    max_retry_after: float = Field(60.0, ge=0)
    free_cost: float = Field(1.0e-09, gt=0)
    max_removal_fraction: float = Field(0.5, gt=0, le=1)
    fill_limits: bool = Field(
        False, description="cleanup adds max_input/output_tokens where missing (--fill-limits)"
    )
    deadline: float = Field(
        45.0, gt=0, description="seconds the whole run may spend fetching (--timeout)"
    )
    server_timeout: float = Field(5.0, gt=0, description="per request to a self-hosted server")
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


class ServerKind(_Strict):
    """Self-hosted servers found in the config (entries with an api_base no provider claims)."""

    prefixes: list[str] = Field(description="litellm_params.model prefixes served this way")
    remove_missing: bool = Field(
        False, description="remove entries whose model the server no longer has (else report)"
    )
    default_api_base: str | None = Field(
        None,
        description="where LiteLLM sends an entry without api_base "
        "(the value of default_api_base_env when that is set)",
    )
    default_api_base_env: str | None = None


class PriceBook(_Strict):
    url: str


class PriceBooks(_Strict):
    """Open price and lifecycle catalogues, for providers whose listing has no prices."""

    models_dev: PriceBook = Field(
        default_factory=lambda: PriceBook(url="https://models.dev/api.json")
    )
    cost_map: PriceBook = Field(
        default_factory=lambda: PriceBook(
            url="https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
        )
    )
    deprecation_warning_days: int = Field(
        30, ge=0, description="a cost-map deprecation_date this close counts as deprecated"
    )
    prefer: Literal["models.dev", "costmap"] | None = Field(
        None,
        description="when the two books disagree about a price the listing does not give: "
        "take this one's (cleanup --prefer); unset: the change is held back with both values",
    )
    disagreement: float = Field(
        0.05, ge=0, description="relative difference beyond which the books disagree"
    )


class RegistryFile(_Strict):
    replace: bool = Field(
        False,
        description="this file is the whole registry: the shipped one (and any file beneath) "
        "is not merged under it",
    )
    defaults: Defaults = Field(default_factory=Defaults)
    providers: dict[str, ProviderSpec] = Field(default_factory=dict)
    servers: dict[Literal["ollama", "openai"], ServerKind] = Field(
        default_factory=lambda: {
            "ollama": ServerKind(
                prefixes=["ollama/", "ollama_chat/"],
                default_api_base="http://localhost:11434",
                default_api_base_env="OLLAMA_API_BASE",
            ),
            "openai": ServerKind(prefixes=["hosted_vllm/", "lm_studio/", "llamafile/", "openai/"]),
        }
    )
    pricebooks: PriceBooks = Field(default_factory=PriceBooks)
    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    routes: Routes = Field(default_factory=Routes)
