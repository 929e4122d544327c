"""A stub of LiteLLM 1.106.2's model admin API on 127.0.0.1, faithful to what push relies on:

- ``GET /v2/model/info``: 500 without a database;
- ``GET /model/info``: config-file rows, database rows, then one alias row per
  ``model_group_alias`` repeating its target's id; ``api_key`` stripped from every row;
- ``POST /model/new``: the caller's ``model_info.id``; a duplicate id is a 500; 500 without a DB;
- ``PATCH /model/{id}/update``: merges (keys cannot be removed);
- ``POST /model/delete {"id"}``: 400 for ids that are not database rows (config-file models);
- ``POST /credentials``: 409 when the name exists;
- ``GET /router/settings``; ``POST /config/update``: 400 for router keys the config file owns;
- every route needs ``Authorization: Bearer <master key>`` (401 otherwise).

Faults for tests: ``fail[(method, path)]`` queues answers — ``(status, apply)`` answers
``status`` after applying the request (``apply``) or not; ``("hang", apply)`` answers only after
``hang_seconds``. ``/model/*/update`` matches every PATCH. ``write_delay`` slows every write.
"""

from __future__ import annotations

import copy
import http.server
import json
import threading
import time
from typing import Any

SECRET_FIELDS = ("api_key",)


class AdminStub:
    def __init__(self, master_key: str, database: bool = True) -> None:
        self.master_key = master_key
        self.database = database
        self.config_rows: list[dict] = []  # from the proxy's own config file
        self.db_rows: dict[str, dict] = {}
        self.aliases: dict[str, str] = {}  # alias -> model_name
        self.router: dict[str, Any] = {}
        self.credentials: dict[str, dict] = {}
        self.config_owned_router_keys: set[str] = set()
        self.requests: list[tuple[str, str, Any]] = []
        # (method, path) -> answers to inject, in order: (status, whether to apply it anyway)
        self.fail: dict[tuple[str, str], list[tuple[int | str, bool]]] = {}
        self.hang_seconds = 5.0
        self.write_delay = 0.0
        self.lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # ---- lifecycle

    def __enter__(self) -> AdminStub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def writes(self) -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if r[0] != "GET"]

    # ---- behaviour

    def rows(self) -> list[dict]:
        rows = [copy.deepcopy(r) for r in self.config_rows + list(self.db_rows.values())]
        for alias, target in self.aliases.items():
            for row in list(rows):
                if row["model_name"] == target:
                    rows.append({**copy.deepcopy(row), "model_name": alias})
        for row in rows:
            for key in SECRET_FIELDS:
                row["litellm_params"].pop(key, None)
        return rows

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        pattern = "/model/*/update" if method == "PATCH" else path
        queued = self.fail.get((method, path)) or self.fail.get((method, pattern))
        status, apply = queued.pop(0) if queued else (None, False)
        if method != "GET" and self.write_delay:
            time.sleep(self.write_delay)
        if status is None or apply:
            with self.lock:
                code, answer = self._route(method, path, body)
        if status == "hang":
            time.sleep(self.hang_seconds)
            return (code, answer) if apply else (504, {"error": {"type": "timeout"}})
        if status is None:
            return code, answer
        return status, {"error": {"message": "injected", "type": "internal_error"}}

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if (method, path) == ("GET", "/v2/model/info"):
            if not self.database:
                return 500, {"error": {"message": "No DB Connected", "type": "no_db_connection"}}
            return 200, {"data": list(self.db_rows.values())}
        if (method, path) == ("GET", "/model/info"):
            return 200, {"data": self.rows()}
        if (method, path) == ("GET", "/router/settings"):
            return 200, {"fields": [], "current_values": copy.deepcopy(self.router)}
        if not self.database:
            return 500, {"error": {"message": "No DB Connected", "type": "auth_error"}}
        if (method, path) == ("POST", "/model/new"):
            model_id = body["model_info"]["id"]
            if model_id in self.db_rows:
                return 500, {"error": {"message": "Unique constraint failed", "type": "db"}}
            self.db_rows[model_id] = {
                **copy.deepcopy(body),
                "model_info": {**body["model_info"], "db_model": True},
            }
            return 200, {"model_id": model_id}
        if method == "PATCH" and path.startswith("/model/") and path.endswith("/update"):
            model_id = path[len("/model/") : -len("/update")]
            row = self.db_rows.get(model_id)
            if row is None:
                return 400, {"detail": "model not found"}
            for section in ("litellm_params", "model_info"):
                row[section].update(body.get(section) or {})
            row["model_name"] = body.get("model_name", row["model_name"])
            return 200, {"model_id": model_id}
        if (method, path) == ("POST", "/model/delete"):
            if body.get("id") not in self.db_rows:
                return 400, {"detail": "not a database model"}
            del self.db_rows[body["id"]]
            return 200, {"message": "deleted"}
        if (method, path) == ("POST", "/credentials"):
            name = body.get("credential_name")
            if name in self.credentials:
                return 409, {"detail": "credential already exists"}
            self.credentials[name] = body
            return 200, {"success": True}
        if (method, path) == ("POST", "/config/update"):
            settings = body.get("router_settings") or {}
            owned = self.config_owned_router_keys & set(settings)
            if owned:
                return 400, {"detail": f"config file owns {sorted(owned)}"}
            self.router.update(settings)
            return 200, {"message": "updated"}
        return 404, {"detail": "not found"}

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                stub.requests.append((self.command, self.path, body))
                if self.headers.get("Authorization") != f"Bearer {stub.master_key}":
                    status, answer = 401, {"error": {"type": "auth_error"}}
                else:
                    status, answer = stub.handle(self.command, self.path, body)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timed out, or was killed): as a real server

            do_GET = do_POST = do_PATCH = _serve

            def log_message(self, *args: object) -> None:
                pass

        return Handler
