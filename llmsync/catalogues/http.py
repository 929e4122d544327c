"""The one way llmsync asks a server for JSON: catalogues, model servers, upstream proxies.

- Retries on 429, 5xx and network errors (honouring ``Retry-After``), with a deadline per try.
- Redirects are followed by hand: a request that carries a credential (any header besides
  ``Accept`` / ``User-Agent``, or a ``user:password@`` URL) is never sent to another origin —
  httpx itself strips only ``Authorization``, so a custom ``X-Api-Key`` would follow.
- Bodies are read with a size cap, so a server that streams without end cannot exhaust memory.
- Messages name URLs without their userinfo.
- A body nested too deeply for Python's JSON reader is a one-line failure, and an integer too
  long to convert (over 4,300 digits) is read as a float (inf): one bad value, not a broken
  answer.
- :class:`Deadline`: the run's deadline as a point in time, for work that never awaits
  (parsing a catalogue), which ``asyncio.wait_for`` cannot interrupt.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from llmsync.errors import CatalogError, Unreachable
from llmsync.redact import public_url

if TYPE_CHECKING:
    import httpx

MAX_REDIRECTS = 5
_NOT_CREDENTIALS = {"accept", "user-agent", "content-type"}


class OutOfTime(CatalogError):
    """The run's deadline passed while a catalogue was being read."""


class Deadline:
    """The run's deadline (``--timeout``) as an absolute ``time.monotonic()`` instant.

    Synchronous work inside an async task (parsing a 60 MB catalogue) cannot be cancelled by
    ``asyncio.wait_for``; it calls :meth:`check` every :attr:`EVERY` items instead and fails
    the way a fetch that times out does.
    """

    EVERY = 256  # items between two checks: a check costs ~50 ns, an item ~25 µs

    def __init__(self, seconds: float, start: float | None = None) -> None:
        self.seconds = seconds
        self.at = (time.monotonic() if start is None else start) + seconds

    @property
    def message(self) -> str:
        return f"ran out of time: the run's deadline is {self.seconds:g}s (--timeout)"

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def check(self) -> None:
        if time.monotonic() >= self.at:
            raise OutOfTime(self.message)


def decode_json(content: bytes | str, shown: str) -> Any:
    """JSON text as Python data; :class:`CatalogError` with a one-line reason if it is not."""
    try:
        return json.loads(content)
    except RecursionError:
        # The C reader recurses once per level: past the interpreter's recursion limit it
        # raises RecursionError, which is not a ValueError.
        levels = sys.getrecursionlimit()
        raise CatalogError(f"{shown}: response is nested deeper than {levels:,} levels") from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise CatalogError(f"{shown}: response is not JSON") from None
    # An integer of thousands of digits: read as a float (inf), so only that value is refused.
    try:
        return json.loads(content, parse_int=_int_or_float)
    except (ValueError, RecursionError):
        raise CatalogError(f"{shown}: response is not JSON") from None


def _int_or_float(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:  # longer than sys.get_int_max_str_digits()
        return float(text)


class Client:
    """The run's HTTP client, made on the first request: importing httpx and setting up TLS
    costs ~0.1 s, which a run served wholly from the cache (``--offline``) never pays.
    Use as ``async with client(agent) as http``."""

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent
        self._client: httpx.AsyncClient | None = None

    def httpx(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            from llmsync.catalogues import tls

            self._client = httpx.AsyncClient(
                headers={"User-Agent": self.user_agent},
                follow_redirects=False,
                verify=tls.context(),
            )
        return self._client

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def client(user_agent: str) -> Client:
    return Client(user_agent)


@asynccontextmanager
async def borrowed(shared: Client | None, user_agent: str) -> AsyncIterator[Client]:
    """``shared`` when a caller passes the run's client (one TLS set-up for all network work
    of a command, ~50 ms each), else a client of one's own, closed on the way out."""
    if shared is not None:
        yield shared
        return
    async with Client(user_agent) as own:
        yield own


async def request_json(
    http: Client,
    url: str,
    *,
    headers: dict[str, str],
    timeout: float,
    retries: int,
    backoff: float,
    max_retry_after: float,
    max_bytes: int,
    method: str = "GET",
    body: Any = None,
    empty_on: int | None = None,
    hint: str = "",
    on_bytes: Callable[[int], None] | None = None,
) -> Any:
    """JSON from ``url``; raises :class:`CatalogError` with a one-line reason.

    ``empty_on``: a status that means "no data" (returns None). ``hint`` is appended to a
    401/403 message (e.g. which key variable to set).
    """
    from llmsync.catalogues import tls

    tls.warm()  # the first request: the TLS context is built while httpx is imported
    import httpx

    shown = public_url(url)
    for attempt in range(retries + 1):
        retry_after = None
        try:
            status, response_headers, content = await asyncio.wait_for(
                _send(http, method, url, headers, body, timeout, max_bytes, on_bytes), timeout
            )  # the whole answer within the deadline: a server that trickles is cut off too
        except (httpx.TimeoutException, asyncio.TimeoutError):
            problem = f"timed out after {timeout:g}s"
        except httpx.HTTPError as exc:
            problem = f"network error: {public_url(str(exc)) or type(exc).__name__}"
        else:
            if empty_on is not None and status == empty_on:
                return None
            if status == 429 or status >= 500:
                problem = f"HTTP {status}"
                retry_after = _retry_after(response_headers.get("Retry-After"))
            elif status >= 400:
                auth = hint if status in (401, 403) else ""
                raise CatalogError(f"{shown}: HTTP {status}{auth}")
            else:
                return decode_json(content, shown)
        if attempt == retries:
            attempts = f" after {attempt + 1} attempts" if attempt else ""
            failure = CatalogError if problem.startswith("HTTP") else Unreachable
            raise failure(f"{shown}: {problem}{attempts}")
        delay = retry_after if retry_after is not None else backoff * 2**attempt
        await asyncio.sleep(min(delay, max_retry_after))
    raise AssertionError("unreachable")


async def _send(
    lazy: Client,
    method: str,
    url: str,
    headers: dict[str, str],
    body: Any,
    timeout: float,
    max_bytes: int,
    on_bytes: Callable[[int], None] | None = None,
) -> tuple[int, httpx.Headers, bytes]:
    """One request, redirects followed safely; the body read up to ``max_bytes``."""
    import httpx

    http = lazy.httpx()
    origin = httpx.URL(url)
    keyed = bool(origin.userinfo) or any(k.lower() not in _NOT_CREDENTIALS for k in headers)
    current = origin
    for _ in range(MAX_REDIRECTS + 1):
        request = http.build_request(method, current, headers=headers, json=body, timeout=timeout)
        response = await http.send(request, stream=True)
        try:
            if response.is_redirect and response.headers.get("Location"):
                target = current.join(response.headers["Location"])
                if keyed and _origin(target) != _origin(origin):
                    raise CatalogError(
                        f"{public_url(str(origin))}: redirected to another host "
                        f"({_origin_text(target)}); the key is not sent there, so nothing was fetched"
                    )
                current = target
                if response.status_code == 303:
                    method, body = "GET", None
                continue
            content = await _read_capped(response, max_bytes, public_url(str(current)), on_bytes)
            return response.status_code, response.headers, content
        finally:
            await response.aclose()
    raise CatalogError(f"{public_url(url)}: more than {MAX_REDIRECTS} redirects")


async def _read_capped(
    response: httpx.Response,
    max_bytes: int,
    shown: str,
    on_bytes: Callable[[int], None] | None = None,
) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise CatalogError(f"{shown}: response larger than {max_bytes:,} bytes; not read")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise CatalogError(f"{shown}: response larger than {max_bytes:,} bytes; not read")
        chunks.append(chunk)
        if on_bytes is not None:
            on_bytes(len(chunk))  # progress on screen
    return b"".join(chunks)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _origin_text(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
