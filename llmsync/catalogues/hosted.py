"""Hosted providers: recognise config entries, page through a JSON model listing, read it.

One strategy, ``models_list``, covers every provider llmsync ships — aggregators and direct
providers alike. They differ only in data providers.yaml describes: where the list is (an
envelope key, or a bare list), the id field and its prefix, auth headers, paging style, where
prices sit and in what unit, how embeddings and retirements are marked. A provider of a new
*shape* (a paging style, an auth style, an id form) is a change here; a new provider is YAML.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import importlib
import os
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode, urljoin, urlsplit

from llmsync.catalogues.http import Deadline
from llmsync.catalogues.model import Catalog, CatalogModel, dig, parse_limits, repeated_ids
from llmsync.document import env_reference, unwritable_reason
from llmsync.errors import CatalogError, RegistryError
from llmsync.prices import COST_FIELDS, BadValue, parse_price
from llmsync.redact import public_url

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import CatalogSource, Defaults, Lifecycle, ProviderSpec

ENV_PREFIX = "os.environ/"


class Provider:
    """A hosted catalogue described by providers.yaml."""

    kind: ClassVar[str] = "models_list"
    # Variables a platform reads besides spec.api_key_env (its SDK's credentials, region...):
    # the secrets a weekly workflow passes to it (llmsync init github).
    environment: ClassVar[tuple[str, ...]] = ()

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
            model_id = model[len(rule.prefix) :]
            if rule.id_prefix and not model_id.startswith(rule.id_prefix):
                model_id = rule.id_prefix + model_id
            if rule.ids and not any(fnmatch.fnmatchcase(model_id, g) for g in rule.ids):
                continue
            if rule.api_base is not None or rule.api_base_env is not None:
                no_base = api_base is None and rule.or_no_api_base
                if not no_base and not _api_base_matches(
                    api_base, rule.api_base, rule.api_base_env
                ):
                    continue
            return model_id
        return None

    def job_of(self, entry: Any) -> tuple[str | None, tuple[Any, ...]]:
        """(key variable, scope) of the catalogue request that checks ``entry``: an entry whose
        ``api_key`` is ``os.environ/X`` is checked with X (keys can see different models).
        A cloud platform adds its scope (region, resource)."""
        return env_reference(entry.litellm_params.get("api_key")), ()

    def entry_id(self, entry: Any, model_id: str) -> str:
        """The catalogue id to look ``entry`` up by (Azure: its deployment's base model)."""
        return model_id

    # ---- fetching

    fetches_itself: ClassVar[bool] = False  # True: fetch_catalog does the requests

    def skip_reason(self, job: Any) -> str | None:
        """Why ``job`` is not fetched (a key that is not set): skipped, not a failure."""
        missing = self.missing_setting(job.key_env)
        return f"{missing} is not set" if missing else None

    async def fetch_catalog(
        self, client: Any, job: Any, defaults: Defaults, cache: Any, clock: Any
    ) -> Catalog:
        raise NotImplementedError  # only platforms that set fetches_itself

    def sources(self) -> list[CatalogSource]:
        return list(self.spec.catalogs)

    def missing_setting(self, key_env: str | None = None) -> str | None:
        """The variable this catalogue cannot be fetched without, if it is unset."""
        env = key_env or self.spec.api_key_env
        if self.spec.key_required and env and not os.environ.get(env):
            return env
        for source in self.spec.catalogs:
            for var in _url_variables(source.url):
                if not os.environ.get(var):
                    return var
        return None

    def headers(self, key_env: str | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json", **self.spec.headers}
        env = key_env or self.spec.api_key_env
        key = os.environ.get(env) if env else None
        if key:
            headers[self.spec.auth_header] = f"{self.spec.auth_scheme} {key}".strip()
        return headers

    def first_url(self, source: CatalogSource) -> str:
        url = _expand(source.url)
        paging = self.spec.paging
        if paging.style != "none" and paging.size_param:
            url = with_query(url, {paging.size_param: paging.size})
        return url

    def next_url(self, first: str, body: Any, page: int) -> str | None:
        """The URL of page ``page + 1`` after ``body`` (page ``page``), or None at the end.

        A listing declared unpaged that names a next page itself (``links.next``, ``next``:
        OpenRouter's body carries ``links``) is followed all the same: a page left unread
        would make every model on it look retired.
        """
        paging = self.spec.paging
        if not isinstance(body, dict):
            return None
        if paging.style == "none":
            link = next((dig(body, f) for f in _NEXT_LINKS if _text(dig(body, f))), None)
            return urljoin(first, link) if link else None
        if paging.style == "page":
            items = self._items_of(body)
            total = dig(body, paging.field) if paging.field else None
            per_page = dig(body, paging.more_field) if paging.more_field else None
            if not items:
                return None
            if isinstance(total, int) and isinstance(per_page, int) and per_page > 0:
                if page * per_page >= total:  # the server's own count and page size
                    return None
            elif len(items) < paging.size:
                return None
            return with_query(first, {paging.param or "page": page + 1})
        if paging.style == "cursor" and paging.more_field and not dig(body, paging.more_field):
            return None
        token = dig(body, paging.field) if paging.field else None
        if not token or not isinstance(token, (str, int)):
            return None
        return with_query(first, {paging.param or "pageToken": token})

    def require_complete(self, first: str, bodies: list[Any]) -> None:
        """Refuse a listing that says it holds more than was read: a ``has_more`` or a next
        token providers.yaml gives no way to follow, or a ``total_count`` above the models
        read. Whole listings or none: nothing of a partial one may remove an entry."""
        shown = public_url(first)
        last = bodies[-1] if bodies else None
        if isinstance(last, dict) and self.spec.paging.style == "none":
            more = next((f for f in _MORE_MARKS if dig(last, f) not in (None, False, "")), None)
            if more is not None:
                raise CatalogError(
                    f"{shown}: the listing says there is more ({more}) and providers.yaml "
                    "gives no way to ask for it (paging); nothing of it is trusted"
                )
        head = bodies[0] if bodies else None
        total = next(
            (dig(head, f) for f in _TOTALS if isinstance(head, dict) and _count(dig(head, f))),
            None,
        )
        if total is not None:
            read = sum(len(i) for i in map(self._items_of, bodies) if isinstance(i, list))
            if read < total:
                raise CatalogError(
                    f"{shown}: the listing says it has {total} models and {read} were read; "
                    "nothing of it is trusted"
                )

    # ---- reading

    def parse(
        self, payloads: list[tuple[CatalogSource, list[Any]]], deadline: Deadline | None = None
    ) -> Catalog:
        """A catalogue from every page of every source; a bad shape raises CatalogError.

        One bad value costs one field of one model (``CatalogModel.rejected``), never the
        catalogue. An id listed more than once keeps its first listing; repeats that disagree
        are noted (``Catalog.notes``). Nothing can interrupt parsing from outside (it never
        awaits), so it checks ``deadline`` itself as it goes and fails the way a fetch that
        times out does (:class:`~llmsync.catalogues.http.OutOfTime`).
        """
        models: dict[str, CatalogModel] = {}
        repeats: dict[str, list[CatalogModel]] = {}
        for source, pages in payloads:
            if deadline is not None:
                deadline.check()
            items = [item for body in pages for item in self._items(source, body)]
            if not items:
                # An empty catalogue is far likelier an outage than a provider with no models.
                raise CatalogError(f"{source.url}: empty model list")
            for index, item in enumerate(items):
                if deadline is not None and index % Deadline.EVERY == 0:
                    deadline.check()
                model = self._model(item, source)
                first = models.setdefault(model.id, model)
                if first is not model:
                    repeats.setdefault(model.id, [first]).append(model)
        return Catalog(
            self.name,
            models,
            partial=self.spec.listing == "partial",
            notes=repeated_ids(self.name, repeats),
        )

    def _items_of(self, body: Any) -> Any:
        return body if not self.spec.list_key else dig(body, self.spec.list_key)

    def _items(self, source: CatalogSource, body: Any) -> list[dict]:
        items = self._items_of(body)
        if not isinstance(items, list):
            where = f"no {self.spec.list_key!r} list" if self.spec.list_key else "not a list"
            raise CatalogError(f"{source.url}: unexpected shape: {where}")
        bad = [i for i in items if not isinstance(i, dict) or not _text(dig(i, self.spec.id_key))]
        if bad:
            raise CatalogError(
                f"{source.url}: unexpected shape: {len(bad)} item(s) without a string {self.spec.id_key!r}"
            )
        return items

    def _model(self, item: dict, source: CatalogSource) -> CatalogModel:
        model_id = str(dig(item, self.spec.id_key)).removeprefix(self.spec.id_strip)
        rejected = {}
        unsafe = unwritable_reason(model_id)
        if unsafe:
            rejected["id"] = f"id {model_id!a} {unsafe}"
        costs = {}
        prices = self.spec.prices
        if prices.always_free:
            costs = {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0}
        for field_name, path in ({} if prices.always_free else prices.fields).items():
            try:
                value = parse_price(dig(item, path), prices.scale, self.defaults.max_cost_per_token)
            except BadValue as exc:
                rejected[field_name] = f"{field_name}: catalogue {exc}"
                continue
            if value is not None:
                costs[field_name] = value
        limits, bad_limits = parse_limits(
            {field_name: dig(item, path) for field_name, path in self.spec.limits.items()},
            "catalogue",
        )
        rejected.update(bad_limits)
        deprecation, replacement = _lifecycle(item, self.spec.lifecycle)
        aliases = dig(item, self.spec.alias_key) if self.spec.alias_key else None
        aliases = [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else []
        if self.spec.alias_after_slash and "/" in model_id:  # GitHub: "openai/gpt-4.1" is "gpt-4.1"
            aliases.append(model_id.rsplit("/", 1)[1])
        sections = {path.split(".")[0] for path in prices.fields.values()}
        described = (
            prices.always_free
            or not sections
            or any(dig(item, section) is not None for section in sections)
        )
        return CatalogModel(
            id=model_id,
            described=described,
            mode=self._mode(item, source, model_id),
            costs=costs,
            limits=limits,
            rejected=rejected,
            deprecation=deprecation,
            replacement=replacement,
            aliases=tuple(a for a in aliases if isinstance(a, str))
            if isinstance(aliases, list)
            else (),
        )

    def _mode(self, item: dict, source: CatalogSource, model_id: str) -> str:
        if source.mode:
            return source.mode
        rule = self.spec.embedding
        if rule is None:
            return "chat"
        if rule.field:
            value = dig(item, rule.field)
            values = value if isinstance(value, list) else [value]
            if any(v in rule.values for v in values):
                return "embedding"
        if any(part in model_id.lower() for part in rule.id_contains):
            return "embedding"
        return "chat"

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
        if self.spec.order is not None:  # priority routing across providers of one model_name
            params.setdefault("order", self.spec.order)
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
        """Catalogue prices as config.yaml holds them: a free model's zero token prices become
        free_cost (LiteLLM reads 0 as "unknown" in places; the marker says "free").

        Only a model free in both directions is marked: a paid model's zero output price (an
        embedding model has no output) is "no charge that way" and is left out, like zero
        cache prices, so a paid embedding never carries the free marker.
        """
        costs = {}
        paid = any(model.costs.get(f, 0) != 0 for f in COST_FIELDS[:2])
        for field_name, value in model.costs.items():
            if value == 0 and field_name in COST_FIELDS[:2] and not paid:
                value = self.defaults.free_cost
            if value != 0:
                costs[field_name] = value
        return costs


# A provider's ``kind`` -> the class that reads it (module imported only when a registry
# declares that kind; a platform module imports its SDK only when it fetches).
KINDS = {
    "models_list": "llmsync.catalogues.hosted:Provider",
    "bedrock": "llmsync.catalogues.cloud.bedrock:Bedrock",
    "azure_openai": "llmsync.catalogues.cloud.azure:AzureOpenAI",
    "price_books": "llmsync.catalogues.cloud.books:PriceBooksPlatform",
    "vertex_ai": "llmsync.catalogues.cloud.vertex:VertexAI",
    "azure_ai": "llmsync.catalogues.cloud.foundry:AzureAIFoundry",
}


def build_provider(name: str, spec: ProviderSpec, defaults: Defaults) -> Provider:
    target = KINDS.get(spec.kind)
    if target is None:
        raise RegistryError(
            f"provider {name!r}: unknown kind {spec.kind!r} (known: {', '.join(KINDS)})"
        )
    module, _, attribute = target.partition(":")
    cls = (
        Provider if attribute == "Provider" else getattr(importlib.import_module(module), attribute)
    )
    return cls(name, spec, defaults)


# --------------------------------------------------------------------------- helpers


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# Where listings name their next page, say there is more, or count their models.
_NEXT_LINKS = ("links.next", "next", "next_page_url")
_MORE_MARKS = ("has_more", "nextPageToken", "next_page_token", "next_cursor", "nextCursor")
_TOTALS = ("total_count", "totalCount", "totalSize")


def _lifecycle(item: dict, rules: list[Lifecycle]) -> tuple[str | None, str | None]:
    """(deprecation date or "deprecated", replacement) from the first rule that fires."""
    for rule in rules:
        value = dig(item, rule.field)
        when = _deprecation(value, rule.kind)
        if when:
            replacement = dig(item, rule.replacement) if rule.replacement else None
            return when, replacement if isinstance(replacement, str) and replacement else None
    return None, None


def _deprecation(value: Any, kind: str) -> str | None:
    if kind == "flag":
        return "deprecated" if value is True else None
    if kind == "inactive":
        return "deprecated" if value is False else None
    if kind == "ymd" and isinstance(value, dict):
        try:
            return dt.date(int(value["year"]), int(value["month"]), int(value["day"])).isoformat()
        except (KeyError, TypeError, ValueError, OverflowError):  # a year of 1e400: no date
            return None
    if kind == "unix" and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, dt.timezone.utc).date().isoformat()
        except (ValueError, OverflowError, OSError):  # NaN, inf, or beyond year 9999
            return None
    if kind == "date" and isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    return None


def _url_variables(url: str) -> list[str]:
    """``${VAR}`` placeholders of a catalogue URL (Cloudflare's account id)."""
    out, rest = [], url
    while "${" in rest:
        start = rest.index("${") + 2
        end = rest.find("}", start)
        if end < 0:
            break
        out.append(rest[start:end])
        rest = rest[end + 1 :]
    return out


def _expand(url: str) -> str:
    for var in _url_variables(url):
        url = url.replace("${" + var + "}", os.environ.get(var, ""))
    return url


def with_query(url: str, params: dict[str, Any]) -> str:
    """``url`` with ``params`` set in its query (replacing any of the same name)."""
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in params]
    query = "&".join([*kept, urlencode(params)])
    return parts._replace(query=query).geturl()


def _api_base_matches(api_base: str | None, needle: str | None, env_name: str | None) -> bool:
    if not isinstance(api_base, str):
        return False
    if api_base.startswith(ENV_PREFIX):
        var = api_base[len(ENV_PREFIX) :]
        if env_name and var == env_name:
            return True
        api_base = os.environ.get(var, "")  # resolve like LiteLLM would, if it is set here
    return bool(needle) and needle in api_base
