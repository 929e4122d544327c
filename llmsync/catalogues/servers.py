"""Live discovery of local and upstream model servers for ``generate``.

One small class per server kind turns its HTTP API into :class:`DiscoveredModel` objects; the
shared part (auth, include/exclude globs, concurrency, error handling) lives in the base class.

Every source shares the run's deadline (``defaults.deadline``, or the caller's): one that does
not answer in time fails with "ran out of time" and keeps its previous entries. A price or limit
that cannot be trusted lands in ``DiscoveredModel.rejected`` (generate holds that entry back)
instead of failing the source.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import util
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from llmsync import __version__
from llmsync.catalogues.fetch import get_json
from llmsync.catalogues.http import Client, Deadline, borrowed
from llmsync.catalogues.model import parse_limits
from llmsync.document import env_reference, resolved
from llmsync.errors import CatalogError, Unreachable
from llmsync.prices import BadValue, parse_price
from llmsync.redact import public_url

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import Defaults, SourceSpec

# Ollama's /api/show capabilities -> LiteLLM model_info flags (embedding is handled as mode).
CAPABILITIES = {
    "tools": "supports_function_calling",
    "vision": "supports_vision",
    "thinking": "supports_reasoning",
}


@dataclass(frozen=True)
class DiscoveredModel:
    source: str
    id: str
    model: str  # litellm_params.model
    api_base: str
    mode: str = "chat"
    max_input_tokens: int | None = None
    flags: Mapping[str, bool] = field(default_factory=dict)
    costs: Mapping[str, float] = field(default_factory=dict)  # only when the upstream prices it
    # untrusted prices and limits: field -> why (never written: generate holds the entry)
    rejected: Mapping[str, str] = field(default_factory=dict)


class Source:
    kind: ClassVar[str] = ""

    def __init__(self, name: str, spec: SourceSpec, defaults: Defaults) -> None:
        self.name = name
        self.spec = spec
        self.defaults = defaults
        self.base = spec.base_url.rstrip("/")

    def headers(self) -> dict[str, str]:
        key = os.environ.get(self.spec.api_key_env) if self.spec.api_key_env else None
        return {"Authorization": f"Bearer {key}"} if key else {}

    def wanted(self, model_id: str) -> bool:
        included = not self.spec.include or any(
            fnmatch.fnmatchcase(model_id, g) for g in self.spec.include
        )
        return included and not any(fnmatch.fnmatchcase(model_id, g) for g in self.spec.exclude)

    async def discover(
        self, client: Client, deadline: Deadline | None = None
    ) -> list[DiscoveredModel]:
        raise NotImplementedError

    async def get_json(
        self,
        client: Client,
        path: str,
        *,
        method: str = "GET",
        body: Any = None,
        empty_on: int | None = None,
    ) -> Any:
        env = self.spec.api_key_env
        hint = f" (is {env} set?)" if env else ""
        return await get_json(
            client,
            self.base + path,
            self.headers(),
            self.defaults,
            hint=hint,
            method=method,
            body=body,
            empty_on=empty_on,
        )


def _items(payload: Any, key: str, url: str) -> list[dict]:
    items = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CatalogError(f"{url}: unexpected shape: no {key!r} list")
    return items


def _context(value: Any, where: str) -> tuple[int | None, dict[str, str]]:
    """A server's context length through the one bounded limit parser."""
    limits, rejected = parse_limits({"max_input_tokens": value}, where)
    return limits.get("max_input_tokens"), rejected


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _checked(items: list[dict], deadline: Deadline | None) -> Iterator[dict]:
    """``items``, checking the deadline every :attr:`Deadline.EVERY` of them."""
    for index, item in enumerate(items):
        if deadline is not None and index % Deadline.EVERY == 0:
            deadline.check()
        yield item


class OllamaSource(Source):
    kind = "ollama"

    async def discover(
        self, client: Client, deadline: Deadline | None = None
    ) -> list[DiscoveredModel]:
        tags = _items(await self.get_json(client, "/api/tags"), "models", self.base + "/api/tags")
        names = [
            t["name"]
            for t in _checked(tags, deadline)
            if isinstance(t.get("name"), str) and self.wanted(t["name"])
        ]
        limit = asyncio.Semaphore(self.spec.concurrency)

        async def show(name: str) -> DiscoveredModel:
            async with limit:  # never verbose: that adds the whole tokenizer to each answer
                info = await self.get_json(client, "/api/show", method="POST", body={"model": name})
            return self._model(name, info if isinstance(info, dict) else {})

        return list(await asyncio.gather(*(show(n) for n in names)))

    def _model(self, name: str, info: dict) -> DiscoveredModel:
        capabilities = info.get("capabilities")
        capabilities = (
            [c for c in capabilities if isinstance(c, str)]
            if isinstance(capabilities, list)
            else []
        )
        embedding = "embedding" in capabilities and "completion" not in capabilities
        model_info = _mapping(info.get("model_info"))
        arch = model_info.get("general.architecture")
        context = model_info.get(f"{arch}.context_length") if isinstance(arch, str) else None
        if context is None:  # fall back to any *.context_length key
            context = next(
                (v for k, v in model_info.items() if k.endswith(".context_length")), None
            )
        flags = {flag: True for cap, flag in CAPABILITIES.items() if cap in capabilities}
        limit, rejected = _context(context, "server")
        return DiscoveredModel(
            source=self.name,
            id=name,
            model=("ollama/" if embedding else "ollama_chat/") + name,
            api_base=self.base,
            mode="embedding" if embedding else "chat",
            max_input_tokens=limit,
            flags=flags,
            rejected=rejected,
        )


class OpenAICompatibleSource(Source):
    """vLLM, llama.cpp's server, or anything answering GET /v1/models."""

    kind = "openai"

    async def discover(
        self, client: Client, deadline: Deadline | None = None
    ) -> list[DiscoveredModel]:
        root = self.base if self.base.endswith("/v1") else self.base + "/v1"
        payload = await self.get_json(client, "/models" if root == self.base else "/v1/models")
        models = []
        for item in _checked(_items(payload, "data", root + "/models"), deadline):
            model_id = item.get("id")
            if not isinstance(model_id, str) or not self.wanted(model_id):
                continue
            vllm = item.get("owned_by") == "vllm" or "max_model_len" in item
            context = item.get("max_model_len")
            if context is None:
                context = _mapping(item.get("meta")).get("n_ctx")  # llama.cpp
            limit, rejected = _context(context, "server")
            models.append(
                DiscoveredModel(
                    source=self.name,
                    id=model_id,
                    model=("hosted_vllm/" if vllm else "openai/") + model_id,
                    api_base=root,
                    max_input_tokens=limit,
                    rejected=rejected,
                )
            )
        return models


class LiteLLMSource(Source):
    """Another LiteLLM proxy: its /model/info lists model groups with their prices."""

    kind = "litellm"

    async def discover(
        self, client: Client, deadline: Deadline | None = None
    ) -> list[DiscoveredModel]:
        # LiteLLM answers 500 on /model/info while it has no models at all.
        payload = await self.get_json(client, "/model/info", empty_on=500)
        items = [] if payload is None else _items(payload, "data", self.base + "/model/info")
        seen: dict[str, DiscoveredModel] = {}
        ids: set[str] = set()
        for item in _checked(items, deadline):
            name = item.get("model_name")
            info = _mapping(item.get("model_info"))
            row_id = info.get("id")
            if isinstance(row_id, str) and row_id in ids:
                continue  # a model_group_alias row: it repeats its target's id
            if isinstance(row_id, str):
                ids.add(row_id)
            if not isinstance(name, str) or name in seen or not self.wanted(name):
                continue
            costs, rejected = {}, {}
            for key in ("input_cost_per_token", "output_cost_per_token"):
                try:
                    value = parse_price(info.get(key), 1, self.defaults.max_cost_per_token)
                except BadValue as exc:
                    rejected[key] = f"{key}: upstream {exc}"
                    continue
                if value is not None:
                    costs[key] = value
            limit, bad_limit = _context(info.get("max_input_tokens"), "upstream")
            rejected.update(bad_limit)
            seen[name] = DiscoveredModel(
                source=self.name,
                id=name,
                model="litellm_proxy/" + name,
                api_base=self.base,
                mode="embedding" if info.get("mode") == "embedding" else "chat",
                max_input_tokens=limit,
                costs=costs,
                rejected=rejected,
            )
        return list(seen.values())


KINDS: dict[str, type[Source]] = {
    cls.kind: cls for cls in (OllamaSource, OpenAICompatibleSource, LiteLLMSource)
}


@dataclass(frozen=True)
class Discovery:
    source: str
    models: list[DiscoveredModel] | None
    error: str | None


def discover_all(
    sources: Mapping[str, SourceSpec], defaults: Defaults, deadline: float | None = None
) -> dict[str, Discovery]:
    """Ask every source at once, within ``deadline`` seconds (default: ``defaults.deadline``);
    a failing or late source yields an error, never an exception."""
    return asyncio.run(discover(sources, defaults, deadline))


async def discover(
    sources: Mapping[str, SourceSpec],
    defaults: Defaults,
    deadline: float | None = None,
    client: Client | None = None,
) -> dict[str, Discovery]:
    """The coroutine behind :func:`discover_all`, to run beside other network work
    (``client``: the run's, shared with it)."""
    clock = Deadline(deadline or defaults.deadline)
    async with borrowed(client, f"llmsync/{__version__}") as client:
        found = await asyncio.gather(
            *(_discover_one(client, n, s, defaults, clock) for n, s in sources.items())
        )
    return {d.source: d for d in found}


async def _discover_one(
    client: Client, name: str, spec: SourceSpec, defaults: Defaults, clock: Deadline
) -> Discovery:
    source = KINDS[spec.type](name, spec, defaults)
    try:
        models = await asyncio.wait_for(source.discover(client, clock), clock.left())
    except asyncio.TimeoutError:
        return Discovery(name, None, clock.message)
    except CatalogError as exc:
        return Discovery(name, None, str(exc))
    except Exception as exc:  # a parser bug must not delete anything either
        return Discovery(name, None, f"cannot read: {type(exc).__name__}: {exc}")
    return Discovery(name, sorted(models, key=lambda m: m.id), None)


@cache
def bundled_cost_map() -> dict[str, Any]:
    """LiteLLM's bundled price map, read from its package without importing LiteLLM (slow)."""
    spec = util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = (
        Path(next(iter(spec.submodule_search_locations)))
        / "model_prices_and_context_window_backup.json"
    )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# --------------------------------------------------------------------------- servers in the config


@dataclass(frozen=True)
class Server:
    """A self-hosted server the config points at: its kind, base URL and key variable."""

    kind: str  # "ollama" or "openai" (vLLM, llama.cpp, LM Studio, any /models)
    api_base: str  # as written: a URL or os.environ/VAR
    key_env: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {public_url(self.api_base)}"

    def base_url(self) -> str | None:
        var = env_reference(self.api_base)
        return (os.environ.get(var) or None) if var else self.api_base

    def serves(self, model_id: str, ids: frozenset[str]) -> bool:
        if model_id in ids:
            return True
        # Ollama: "llama3.2" is "llama3.2:latest"
        return self.kind == "ollama" and ":" not in model_id and f"{model_id}:latest" in ids


@dataclass(frozen=True)
class ServerOutcome:
    ids: frozenset[str] | None
    error: str | None = None
    skipped: str | None = None
    unreachable: bool = False  # no answer at all: refused, unknown host, timed out


def servers_in(
    entries: list[Any], kinds: Mapping[str, Any], claimed: set[int]
) -> dict[Server, list[tuple[Any, str]]]:
    """Entries served by self-hosted servers: an ``api_base`` and a server prefix, not claimed
    by a hosted provider (``claimed``: ids of entries a provider recognised)."""
    found: dict[Server, list[tuple[Any, str]]] = {}
    for entry in entries:
        model = resolved(entry.model)  # os.environ/X: X's value, as the proxy reads it
        if id(entry) in claimed or not model:
            continue
        for kind, spec in kinds.items():
            prefix = next((p for p in spec.prefixes if model.startswith(p)), None)
            base = entry.api_base or _default_base(spec)
            if prefix and len(model) > len(prefix) and base:
                key_env = env_reference(entry.litellm_params.get("api_key"))
                server = Server(kind, base.rstrip("/"), key_env)
                found.setdefault(server, []).append((entry, model[len(prefix) :]))
                break
    return found


def _default_base(spec: Any) -> str | None:
    """Where LiteLLM sends an entry of this kind that names no api_base (Ollama: its
    ``OLLAMA_API_BASE``, else http://localhost:11434), as registry data says."""
    env = getattr(spec, "default_api_base_env", None)
    if env and os.environ.get(env):
        return f"os.environ/{env}"  # resolved when asked, like an api_base written so
    return getattr(spec, "default_api_base", None)


async def check_servers(
    servers: list[Server], defaults: Defaults, client: Client | None = None
) -> dict[Server, ServerOutcome]:
    """Ask every server for its models at once, each with a short timeout."""
    async with borrowed(client, f"llmsync/{__version__}") as client:
        results = await asyncio.gather(*(_list_server(client, s, defaults) for s in servers))
    return dict(zip(servers, results, strict=True))


async def _list_server(client: Client, server: Server, defaults: Defaults) -> ServerOutcome:
    base = server.base_url()
    if base is None:
        return ServerOutcome(None, skipped=f"{env_reference(server.api_base)} is not set")
    key = os.environ.get(server.key_env) if server.key_env else None
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if server.kind == "ollama":
        url, list_key, id_key = base + "/api/tags", "models", "name"
    else:
        url, list_key, id_key = base + "/models", "data", "id"
    try:
        body = await get_json(
            client, url, headers, defaults, timeout=defaults.server_timeout, retries=0
        )
        items = _items(body, list_key, public_url(url))
    except Unreachable as exc:
        return ServerOutcome(None, error=str(exc), unreachable=True)
    except CatalogError as exc:
        return ServerOutcome(None, error=str(exc))
    ids = frozenset(i[id_key] for i in items if isinstance(i.get(id_key), str))
    if not ids:
        return ServerOutcome(None, error=f"{public_url(url)}: empty model list")
    return ServerOutcome(ids)
