"""Fetch provider catalogues concurrently, with timeouts and retries on 429 / 5xx.

A provider whose fetch fails for any reason yields a :class:`CatalogError` instead of a
catalogue; callers treat that as "this provider changes nothing this run".
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from llmsync import __version__
from llmsync.errors import CatalogError
from llmsync.http import client as http_client
from llmsync.http import request_json
from llmsync.providers.base import Catalog, Provider
from llmsync.redact import public_url
from llmsync.registry import Defaults


@dataclass(frozen=True)
class CachePolicy:
    """Where fetched catalogues are kept, for how long, and whether the network may be used.

    A dry run and the real run that follows read the same snapshot, so the preview never lies.
    """

    folder: Path | None = None  # None: no cache
    ttl: float = 3600.0
    offline: bool = False

    def path(self, url: str, headers: dict[str, str]) -> Path | None:
        if self.folder is None:
            return None
        # Answers can depend on the key (user-specific prices): key on a hash of it, never on it.
        credential = hashlib.sha256("\0".join(sorted(headers.values())).encode()).hexdigest()
        return self.folder / (hashlib.sha256(f"{url}\0{credential}".encode()).hexdigest() + ".json")

    def read(self, url: str, headers: dict[str, str]) -> Any:
        path = self.path(url, headers)
        if path is None or not path.is_file():
            return _MISSING
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return _MISSING
        if not self.offline and time.time() - saved.get("fetched", 0) > self.ttl:
            return _MISSING
        return saved.get("body", _MISSING)

    def write(self, url: str, headers: dict[str, str], body: Any) -> None:
        path = self.path(url, headers)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(
                json.dumps({"url": public_url(url), "fetched": time.time(), "body": body}),
                encoding="utf-8",
            )
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed


_MISSING = object()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llmsync"


@dataclass(frozen=True)
class FetchOutcome:
    provider: str
    catalog: Catalog | None
    error: str | None
    seconds: float


Progress = Callable[[FetchOutcome], None]


def fetch_catalogs(
    providers: list[Provider],
    defaults: Defaults,
    progress: Progress | None = None,
    cache: CachePolicy | None = None,
) -> dict[str, FetchOutcome]:
    """Fetch every provider's catalogue at once; never raises for a provider's failure."""
    return asyncio.run(fetch_all(providers, defaults, progress, cache or CachePolicy()))


async def fetch_all(
    providers: list[Provider], defaults: Defaults, progress: Progress | None, cache: CachePolicy
) -> dict[str, FetchOutcome]:
    """The coroutine behind :func:`fetch_catalogs`, to run beside other network work."""
    async with http_client(f"llmsync/{__version__}") as client:
        outcomes = await asyncio.gather(
            *(_fetch_one(client, p, defaults, progress, cache) for p in providers)
        )
    return {o.provider: o for o in outcomes}


async def _fetch_one(
    client: httpx.AsyncClient,
    provider: Provider,
    defaults: Defaults,
    progress: Progress | None,
    cache: CachePolicy,
) -> FetchOutcome:
    started = time.perf_counter()
    catalog, error = None, None
    try:
        sources = provider.sources()
        headers = provider.headers()
        cached = [cache.read(s.url, headers) for s in sources]
        missing = [s for s, body in zip(sources, cached, strict=True) if body is _MISSING]
        if missing and cache.offline:
            raise CatalogError(
                f"{public_url(missing[0].url)}: --offline and no cached copy in {cache.folder}"
            )
        fetched = await asyncio.gather(
            *(_get_json(client, s.url, provider, defaults) for s in missing), return_exceptions=True
        )
        failures = [b for b in fetched if isinstance(b, BaseException)]
        if failures:
            raise failures[0]
        answers = dict(zip([s.url for s in missing], fetched, strict=True))
        bodies = [answers.get(s.url, body) for s, body in zip(sources, cached, strict=True)]
        catalog = provider.parse(list(zip(sources, bodies, strict=True)))
        for url, body in answers.items():  # only a catalogue that parsed is worth keeping
            cache.write(url, headers, body)
    except CatalogError as exc:
        error = str(exc)
    except Exception as exc:  # a parser bug must not take other providers down, nor delete
        error = f"cannot read catalogue: {type(exc).__name__}: {exc}"
    outcome = FetchOutcome(provider.name, catalog, error, time.perf_counter() - started)
    if progress:
        progress(outcome)
    return outcome


async def _get_json(
    client: httpx.AsyncClient, url: str, provider: Provider, defaults: Defaults
) -> Any:
    env = provider.spec.api_key_env
    return await request_json(
        client,
        url,
        headers=provider.headers(),
        timeout=defaults.timeout,
        retries=defaults.retries,
        backoff=defaults.backoff,
        max_retry_after=defaults.max_retry_after,
        max_bytes=defaults.max_response_bytes,
        hint=f" (is {env} set?)" if env else "",
    )
