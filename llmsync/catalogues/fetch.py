"""Fetch catalogues concurrently: hosted listings (every page), price books, within a deadline.

Every request goes through :mod:`llmsync.catalogues.http` (retries, size cap, safe redirects).
A catalogue that fails for any reason yields an error instead of a catalogue, and one whose
key is not set is *skipped*; callers treat both as "this provider changes nothing this run".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from llmsync import __version__
from llmsync.catalogues import pricebooks
from llmsync.catalogues.cache import MISSING, CachePolicy
from llmsync.catalogues.hosted import Provider
from llmsync.catalogues.http import Client, Deadline, borrowed, request_json
from llmsync.catalogues.model import Catalog
from llmsync.errors import CatalogError
from llmsync.redact import public_url

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a registry is validated
    from llmsync.schema import CatalogSource, Defaults, PriceBooks


@dataclass(frozen=True)
class Job:
    """One catalogue to fetch: a provider, with the key variable its entries name, and for a
    cloud platform the scope one listing answers for (region, resource, credentials)."""

    provider: Provider
    key_env: str | None = None  # None: the provider's own api_key_env
    scope: tuple[Any, ...] = ()

    @property
    def name(self) -> str:
        return self.provider.name

    @property
    def env(self) -> str | None:
        return self.key_env or self.provider.spec.api_key_env

    def __hash__(self) -> int:
        return hash((self.provider.name, self.env, self.scope))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and (other.name, other.env, other.scope) == (
            self.name,
            self.env,
            self.scope,
        )


@dataclass(frozen=True)
class FetchOutcome:
    provider: str
    catalog: Catalog | None
    error: str | None
    seconds: float
    skipped: str | None = None  # why it was not fetched (a key that is not set): not a failure


Progress = Callable[[FetchOutcome], None]
Received = Callable[[str, int], None]  # (catalogue name, bytes just received)


async def fetch_all(
    jobs: list[Job],
    defaults: Defaults,
    progress: Progress | None = None,
    cache: CachePolicy | None = None,
    books: PriceBooks | None = None,
    deadline: float | None = None,
    received: Received | None = None,
    client: Client | None = None,
) -> dict[Job, FetchOutcome]:
    """Every job's catalogue (and the price books they need) at once, within ``deadline``
    seconds: the fetching (``asyncio.wait_for``) and the parsing (:class:`Deadline` checks).
    ``client``: the run's HTTP client when other network work shares it."""
    cache = cache or CachePolicy()
    deadline = deadline or defaults.deadline
    clock = Deadline(deadline)
    jobs = list(dict.fromkeys(jobs))
    fetching = [j.provider for j in jobs if not j.provider.skip_reason(j)]
    wanted_books = pricebooks.needed(fetching) if books else []
    async with borrowed(client, f"llmsync/{__version__}") as client:
        book_tasks = {
            name: asyncio.ensure_future(
                _in_time(_book(client, getattr(books, name).url, defaults, cache), deadline)
            )
            for name in wanted_books
        }

        async def run(job: Job) -> FetchOutcome:
            outcome = await _in_time(
                _fetch_one(client, job, defaults, cache, received, clock), deadline, job
            )
            if progress:
                progress(outcome)
            return outcome

        outcomes = await asyncio.gather(*(run(job) for job in jobs))
        loaded = {}
        for name, task in book_tasks.items():
            try:
                loaded[name] = await task
            except Exception:
                loaded[name] = None
    dates = {name: cache.date_of(getattr(books, name).url) for name in loaded} if books else {}
    result = {}
    for job, outcome in zip(jobs, outcomes, strict=True):
        if outcome.catalog is not None and getattr(job.provider, "books_only", False):
            try:  # a platform checked against the books alone: its catalogue is theirs
                catalog = job.provider.books_catalog(loaded, books, fetched=outcome.catalog)
            except CatalogError as exc:
                outcome = FetchOutcome(outcome.provider, None, str(exc), outcome.seconds)
            else:
                outcome = FetchOutcome(outcome.provider, catalog, None, outcome.seconds)
        if outcome.catalog is not None and books is not None:
            catalog = pricebooks.enrich(outcome.catalog, job.provider, loaded, books, dates=dates)
            outcome = FetchOutcome(outcome.provider, catalog, None, outcome.seconds)
        result[job] = outcome
    return result


async def _in_time(work: Any, deadline: float, job: Job | None = None) -> Any:
    try:
        return await asyncio.wait_for(work, deadline)
    except asyncio.TimeoutError:
        if job is None:
            raise CatalogError(f"ran out of time ({deadline:g}s)") from None
        message = f"ran out of time: the run's deadline is {deadline:g}s (--timeout)"
        return FetchOutcome(job.name, None, message, deadline)


async def _fetch_one(
    client: Client,
    job: Job,
    defaults: Defaults,
    cache: CachePolicy,
    received: Received | None = None,
    clock: Deadline | None = None,
) -> FetchOutcome:
    started = time.perf_counter()
    provider = job.provider
    why = provider.skip_reason(job)
    if why:
        return FetchOutcome(job.name, None, None, 0.0, skipped=why)
    catalog, error = None, None
    try:
        if provider.fetches_itself:  # a cloud platform: its own requests (signing, scopes)
            catalog = await provider.fetch_catalog(client, job, defaults, cache, clock)
            return FetchOutcome(job.name, catalog, None, time.perf_counter() - started)
        headers = provider.headers(job.key_env)
        sources = provider.sources()
        count = (lambda n: received(job.name, n)) if received else None
        pages = await asyncio.gather(
            *(_pages(client, provider, s, headers, defaults, cache, count) for s in sources)
        )
        payloads = list(zip(sources, [p for p, _ in pages], strict=True))
        # In a thread, so the event loop keeps serving the other catalogues meanwhile; the
        # parse checks the deadline itself (wait_for cannot stop it), so it ends in time.
        catalog = await asyncio.to_thread(provider.parse, payloads, clock)
        catalog = replace(catalog, fetched=cache.date_of(provider.first_url(sources[0])))
        for source, (bodies, fresh) in zip(sources, pages, strict=True):
            if fresh:  # only a catalogue that parsed is worth keeping
                cache.write(provider.first_url(source), headers, bodies)
    except CatalogError as exc:
        error = str(exc)
    except Exception as exc:  # a parser bug must not take other providers down, nor delete
        error = f"cannot read catalogue: {type(exc).__name__}: {exc}"
    return FetchOutcome(job.name, catalog, error, time.perf_counter() - started)


async def _pages(
    client: Client,
    provider: Provider,
    source: CatalogSource,
    headers: dict[str, str],
    defaults: Defaults,
    cache: CachePolicy,
    count: Callable[[int], None] | None = None,
) -> tuple[list[Any], bool]:
    """Every page of one listing (from the cache when fresh); True when fetched now."""
    first = provider.first_url(source)
    cached = cache.read(first, headers)
    if cached is not MISSING and isinstance(cached, list):
        return cached, False
    if cache.offline:
        raise CatalogError(f"{public_url(first)}: --offline and no cached copy in {cache.folder}")
    env = provider.spec.api_key_env
    hint = f" (is {env} set?)" if env else ""
    bodies, url = [], first
    while url is not None:
        if len(bodies) == provider.spec.paging.max_pages:
            raise CatalogError(f"{public_url(first)}: more than {len(bodies)} pages")
        body = await get_json(client, url, headers, defaults, hint=hint, on_bytes=count)
        bodies.append(body)
        url = provider.next_url(first, body, len(bodies))
    provider.require_complete(first, bodies)
    return bodies, True


async def _book(client: Client, url: str, defaults: Defaults, cache: CachePolicy) -> Any:
    headers = {"Accept": "application/json"}
    cached = cache.read(url, headers)
    if cached is not MISSING:
        return cached
    if cache.offline:
        return None
    body = await get_json(client, url, headers, defaults)
    cache.write(url, headers, body)
    return body


async def get_json(
    client: Client,
    url: str,
    headers: dict[str, str],
    defaults: Defaults,
    hint: str = "",
    timeout: float | None = None,
    retries: int | None = None,
    **kwargs: Any,
) -> Any:
    """One JSON document with the registry's retry, timeout and size settings."""
    return await request_json(
        client,
        url,
        headers=headers,
        timeout=timeout or defaults.timeout,
        retries=defaults.retries if retries is None else retries,
        backoff=defaults.backoff,
        max_retry_after=defaults.max_retry_after,
        max_bytes=defaults.max_response_bytes,
        hint=hint,
        **kwargs,
    )
