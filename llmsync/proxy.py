"""A running LiteLLM proxy's admin API (1.106.2), as it really behaves.

- ``GET /model/info`` lists the router's deployments (no paging). Alias rows
  (``model_group_alias``) repeat their target's ``model_info.id`` after it: only the first row of
  an id is a deployment.
- ``GET /v2/model/info`` answers 500 when no database is connected: asked first, so a proxy
  without a database is never written to.
- ``POST /model/new`` creates with a caller-chosen ``model_info.id`` (a duplicate id is a 500);
  ``PATCH /model/{id}/update`` merges (it cannot remove keys); ``POST /model/delete {"id"}``
  (400 for ids not in the database).
- ``GET /router/settings`` and ``POST /config/update {"router_settings": ...}`` (400 for keys
  the proxy's config file owns).

Writes are never retried (a retried create could duplicate). A write that times out or loses its
connection is answered with status 0 (nothing is known of it): the caller reads the proxy again
to learn what happened, as after a 5xx. Response bodies of writes are never echoed (they can
hold keys).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from llmsync import __version__
from llmsync.catalogues.http import Client, request_json
from llmsync.catalogues.http import client as http_client
from llmsync.errors import CatalogError, LlmsyncError
from llmsync.redact import public_url


class ProxyError(LlmsyncError):
    """The proxy cannot be pushed to (unreachable, no database, bad key): nothing was written."""

    exit_code = 1


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer (timed out, connection lost)
    body: Any
    problem: str = ""  # why there is no answer

    @property
    def ok(self) -> bool:
        return 0 < self.status < 400

    def reason(self) -> str:
        """A short, secret-free reason: the status and the proxy's error type, if any."""
        if self.status == 0:
            return self.problem or "no answer"
        error = self.body.get("error") if isinstance(self.body, dict) else None
        kind = error.get("type") if isinstance(error, dict) else None
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        hint = kind or (detail if isinstance(detail, str) and len(detail) < 80 else None)
        return f"HTTP {self.status}" + (f" ({hint})" if hint else "")


class AdminClient:
    """Async client for one proxy; use as ``async with AdminClient(url, key) as proxy``."""

    def __init__(self, base_url: str, master_key: str, timeout: float = 30.0) -> None:
        self.base = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {master_key}", "Accept": "application/json"}
        self.timeout = timeout
        self._http: Client | None = None

    async def __aenter__(self) -> AdminClient:
        self._http = http_client(f"llmsync/{__version__}")
        await self._http.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._http is not None
        await self._http.__aexit__(*exc)

    # ---- reading

    async def _get(self, path: str) -> Any:
        assert self._http is not None
        try:
            return await request_json(
                self._http,
                self.base + path,
                headers=self.headers,
                timeout=self.timeout,
                retries=2,
                backoff=0.5,
                max_retry_after=10,
                max_bytes=64 * 1024 * 1024,
                hint=" (is the master key right?)",
            )
        except CatalogError as exc:
            raise ProxyError(f"cannot read the proxy's models: {exc}") from None

    async def require_database(self) -> None:
        assert self._http is not None
        answer = await self._send("GET", "/v2/model/info", None)
        if answer.status == 0:
            raise ProxyError(f"{public_url(self.base)}: unreachable: {answer.problem}")
        if answer.status in (401, 403):
            raise ProxyError(
                f"{public_url(self.base)}: the master key was refused ({answer.reason()})"
            )
        if not answer.ok:
            raise ProxyError(
                f"{public_url(self.base)} has no database connected ({answer.reason()} from "
                "/v2/model/info): models pushed there would not be kept; nothing was written"
            )

    async def deployments(self) -> list[dict[str, Any]]:
        """The router's deployments, alias rows dropped (the first row of each id is kept)."""
        body = await self._get("/model/info")
        rows = body.get("data") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise ProxyError("cannot read the proxy's models: /model/info has no 'data' list")
        seen: set[str] = set()
        out = []
        for row in rows:
            info = row.get("model_info") if isinstance(row, dict) else None
            row_id = info.get("id") if isinstance(info, dict) else None
            if not isinstance(row_id, str) or row_id in seen:
                continue
            seen.add(row_id)
            out.append(row)
        return out

    async def router_settings(self) -> dict[str, Any]:
        body = await self._get("/router/settings")
        values = body.get("current_values") if isinstance(body, dict) else None
        if isinstance(values, dict):
            return values
        fields = body.get("fields") if isinstance(body, dict) else None
        return {
            f["field_name"]: f.get("field_value")
            for f in fields or []
            if isinstance(f, dict) and "field_name" in f
        }

    # ---- writing (never retried)

    async def create(self, row: dict[str, Any]) -> Answer:
        return await self._send("POST", "/model/new", row)

    async def update(self, model_id: str, patch: dict[str, Any]) -> Answer:
        return await self._send("PATCH", f"/model/{model_id}/update", patch)

    async def delete(self, model_id: str) -> Answer:
        return await self._send("POST", "/model/delete", {"id": model_id})

    async def create_credential(self, credential: dict[str, Any]) -> Answer:
        """``POST /credentials``; 409 when one of that name exists (it is not overwritten)."""
        return await self._send("POST", "/credentials", credential)

    async def update_router(self, settings: dict[str, Any]) -> Answer:
        return await self._send("POST", "/config/update", {"router_settings": settings})

    async def _send(self, method: str, path: str, body: Any) -> Answer:
        assert self._http is not None
        try:
            response = await self._http.httpx().request(
                method, self.base + path, headers=self.headers, json=body, timeout=self.timeout
            )
        except httpx.TimeoutException:
            return Answer(0, None, f"no answer within {self.timeout:g}s (--timeout)")
        except httpx.HTTPError as exc:
            return Answer(0, None, f"network error: {public_url(str(exc)) or type(exc).__name__}")
        try:
            parsed = response.json()
        except (ValueError, json.JSONDecodeError):
            parsed = None
        return Answer(response.status_code, parsed)
