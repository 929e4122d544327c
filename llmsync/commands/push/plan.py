"""The rows config.yaml wants on the proxy, and the plan that gets them there.

Every row llmsync creates carries a deterministic id and, in ``model_info``, the owner label and
the list of fields llmsync manages. Rows without the owner marker (config-file models, hand-added
or team models) are never updated or deleted.

Row identity: an entry's *key* is ``llmsync-`` + a hash of (owner, model_name, model, api_base,
rank among identical entries). A first row gets the key as its id. A row that must lose a field
(PATCH merges and cannot remove one) is *replaced*: a new row ``<key>-<content hash>`` is created
and confirmed first, and only then is the old one deleted, so the model is never missing. Two
rows of one key (a replace interrupted between its create and its delete) are folded back to one
on the next push, the copy that matches the file kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from llmsync.document import ConfigDocument, env_reference
from llmsync.errors import LlmsyncError
from llmsync.redact import is_secret_name

OWNER_KEY = "llmsync_owner"
MANAGED_KEY = "llmsync_managed"  # "section.key" of every field llmsync wrote into the row
SECTIONS = ("litellm_params", "model_info")
ROUTE_KEYS = ("model_group_alias", "fallbacks")
SECRETS_KEY = "llmsync_secrets"  # a digest of the key fields: the proxy never shows them back
CHANGED = "<changed>"
_ROW_ID = re.compile(r"(llmsync-[0-9a-f]{20})(?:-[0-9a-f]{8})?")


@dataclass
class Operation:
    """One step of a push.

    ``kind``: create, update, replace (create the new row ``new_id``, confirm it, then delete
    ``model_id``), delete, unchanged, or skip (not ours to touch). A delete with
    ``duplicate_of`` removes a second copy of a row and runs only once that row is confirmed.
    """

    kind: str
    model_id: str
    model_name: str
    row: dict[str, Any] | None = None  # what create / update / replace sends
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, old, new)
    reason: str = ""
    new_id: str | None = None  # replace: the id of the row created first
    duplicate_of: Operation | None = None
    # After applying: "ok", or "failed" / "unknown" with ``why``; None: not attempted
    result: str | None = None
    why: str = ""

    @property
    def written_id(self) -> str:
        return self.new_id or self.model_id


@dataclass
class PushPlan:
    proxy: str
    owner: str
    owner_source: str = "--owner"  # how the owner label was chosen, shown in every plan
    operations: list[Operation] = field(default_factory=list)
    credentials: list[dict[str, Any]] = field(default_factory=list)  # to create first
    routes: dict[str, Any] = field(default_factory=dict)  # router settings to send
    route_changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    held: str | None = None  # why deletions were not applied
    applied: bool = False

    def of(self, *kinds: str) -> list[Operation]:
        return [op for op in self.operations if op.kind in kinds]

    @property
    def drifted(self) -> bool:
        return bool(self.of("create", "update", "replace", "delete") or self.routes)

    @property
    def failed(self) -> list[Operation]:
        return [op for op in self.operations if op.result not in (None, "ok")]


# --------------------------------------------------------------------------- desired rows


def row_key(owner: str, model_name: str, model: str, api_base: str, rank: int) -> str:
    identity = "\0".join((owner, model_name, model, api_base, str(rank)))
    return "llmsync-" + hashlib.sha256(identity.encode()).hexdigest()[:20]


def key_of(model_id: str) -> str:
    """The key a row id belongs to: the id itself, less a replacement's content suffix."""
    match = _ROW_ID.fullmatch(model_id)
    return match[1] if match else model_id


def replacement_id(key: str, row: dict[str, Any]) -> str:
    """The id of the row that replaces ``key``'s current one: the same content, the same id,
    so a push killed after the create finds its new row again instead of making another."""
    content = json.dumps(row, sort_keys=True, default=str)
    return f"{key}-{hashlib.sha256(content.encode()).hexdigest()[:8]}"


def secrets_digest(params: dict[str, Any]) -> str:
    """A short digest of an entry's secret fields (keys or their os.environ/ references), so a
    changed key is noticed although /model/info strips keys; the values cannot be recovered."""
    secret = {k: str(v) for k, v in sorted(params.items()) if is_secret_name(k)}
    return hashlib.sha256(repr(secret).encode()).hexdigest()[:16]


def desired_rows(doc: ConfigDocument, owner: str) -> dict[str, dict[str, Any]]:
    """The rows the proxy should hold for this config, by key."""
    rows: dict[str, dict[str, Any]] = {}
    ranks: dict[tuple[str, str, str], int] = {}
    for entry in doc.all_entries:
        data = entry.data
        if not isinstance(data, dict) or not entry.model or not isinstance(entry.model_name, str):
            continue  # validate reports it; nothing sensible to push
        params = dict(entry.litellm_params)
        info = (
            dict(data.get("model_info") or {}) if isinstance(data.get("model_info"), dict) else {}
        )
        identity = (entry.model_name, entry.model, entry.api_base or "")
        ranks[identity] = ranks.get(identity, -1) + 1
        key = row_key(owner, *identity, ranks[identity])
        managed = sorted(
            [f"litellm_params.{k}" for k in params] + [f"model_info.{k}" for k in info]
        )
        info.update({"id": key, OWNER_KEY: owner, MANAGED_KEY: managed})
        info[SECRETS_KEY] = secrets_digest(params)
        rows[key] = {"model_name": entry.model_name, "litellm_params": params, "model_info": info}
    return rows


def credentials_used(doc: ConfigDocument) -> tuple[list[dict[str, Any]], list[str]]:
    """The ``credential_list`` items entries name with ``litellm_credential_name``, and the
    names used but not defined in the file (they must already exist on the proxy)."""
    data = doc.data or {}
    defined = {
        c.get("credential_name"): c
        for c in (data.get("credential_list") or [])
        if isinstance(c, dict)
    }
    used = dict.fromkeys(
        e.litellm_params.get("litellm_credential_name")
        for e in doc.all_entries
        if isinstance(e.litellm_params.get("litellm_credential_name"), str)
    )
    found = [
        {
            k: defined[n][k]
            for k in ("credential_name", "credential_values", "credential_info")
            if k in defined[n]
        }
        for n in used
        if n in defined
    ]
    return found, [n for n in used if n not in defined]


def config_routes(doc: ConfigDocument) -> dict[str, Any]:
    data = doc.data or {}
    settings = data.get("router_settings") if isinstance(data, dict) else None
    return settings if isinstance(settings, dict) else {}


def resolve_references(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``--resolve-env``: send values of ``os.environ/X`` (the proxy resolves references itself
    otherwise). A reference to an unset variable is an error: nothing is pushed."""
    out = {}
    for key, row in rows.items():
        params = dict(row["litellm_params"])
        for name, value in params.items():
            var = env_reference(value)
            if var is not None:
                if var not in os.environ:
                    raise LlmsyncError(f"{row['model_name']}: {name} names {var}, which is not set")
                params[name] = os.environ[var]
        out[key] = {**row, "litellm_params": params}
    return out


# --------------------------------------------------------------------------- planning


def plan_push(
    proxy: str,
    owner: str,
    desired: dict[str, dict[str, Any]],
    current: list[dict[str, Any]],
    *,
    prune: bool = False,
    max_delete: int = 10,
    force: bool = False,
    routes: dict[str, Any] | None = None,
    current_routes: dict[str, Any] | None = None,
) -> PushPlan:
    plan = PushPlan(proxy, owner)
    by_id = {r["model_info"]["id"]: r for r in current}
    ours: dict[str, list[dict[str, Any]]] = {}  # key -> our rows of it, in listing order
    for row in current:
        if owned_by(row, owner):
            ours.setdefault(key_of(row["model_info"]["id"]), []).append(row)
    config_models = {
        (r.get("model_name"), (r.get("litellm_params") or {}).get("model"))
        for r in current
        if not owned_by(r, owner) and not (r.get("model_info") or {}).get("db_model")
    }
    for key, row in desired.items():
        name = row["model_name"]
        copies = ours.get(key, [])
        if copies:
            plan.operations += _reconcile(key, row, copies)
        elif key in by_id:
            plan.operations.append(
                Operation("skip", key, name, reason="a row with this id is not llmsync's")
            )
        elif (name, row["litellm_params"]["model"]) in config_models:
            plan.operations.append(
                Operation("skip", key, name, reason="the proxy's own config file has it")
            )
        else:
            plan.operations.append(Operation("create", key, name, row=row))
    stale = [r for key, rows in ours.items() if key not in desired for r in rows]
    for row in stale:
        op = Operation("delete", row["model_info"]["id"], str(row.get("model_name")))
        if prune:
            plan.operations.append(op)
        else:
            plan.notes.append(f"{op.model_name} ({op.model_id}) left the file; --prune deletes it")
    deletes = [op for op in plan.of("delete") if op.duplicate_of is None]
    if len(deletes) > max_delete and not force:
        plan.held = f"would delete {len(deletes)} rows (more than --max-delete {max_delete}); re-run with --force if that is right"
        plan.operations = [op for op in plan.operations if op not in deletes]
    if routes is not None:
        for name in ROUTE_KEYS:
            want = routes.get(name)
            have = (current_routes or {}).get(name)
            if want is not None and want != have:
                plan.routes[name] = want
                plan.route_changes.append((f"router_settings.{name}", have, want))
    return plan


def owned_by(row: dict[str, Any], owner: str) -> bool:
    info = row.get("model_info")
    return isinstance(info, dict) and info.get(OWNER_KEY) == owner and "id" in info


def _reconcile(key: str, row: dict[str, Any], copies: list[dict[str, Any]]) -> list[Operation]:
    """One operation for the row of ``key`` the proxy should keep; the other copies deleted
    once that one is confirmed. The keeper: a copy that already matches, else the oldest."""
    compared = [(copy, compare(row, copy)) for copy in copies]
    keeper, changes = next(((c, ch) for c, ch in compared if not ch), compared[0])
    keeper_id = keeper["model_info"]["id"]
    name = row["model_name"]
    if not changes:
        op = Operation("unchanged", keeper_id, name)
    elif any(new is None for _, _, new in changes):  # PATCH cannot remove a field
        new_row = {**row, "model_info": {**row["model_info"]}}
        new_row["model_info"]["id"] = replacement_id(key, row)
        op = Operation("replace", keeper_id, name, row=new_row, changes=changes)
        op.new_id = new_row["model_info"]["id"]
    else:
        op = Operation("update", keeper_id, name, row=row, changes=changes)
    ops = [op]
    for copy, _ in compared:
        if copy is not keeper:
            copy_id = copy["model_info"]["id"]
            reason = f"a second copy of {op.written_id} (left by an interrupted push)"
            ops.append(Operation("delete", copy_id, name, reason=reason, duplicate_of=op))
    return ops


def compare(row: dict[str, Any], existing: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The fields where ``existing`` (a row as the proxy lists it) differs from ``row``;
    ``new`` is None for a field llmsync wrote before and the file no longer has."""
    changes: list[tuple[str, Any, Any]] = []
    if existing.get("model_name") != row["model_name"]:
        changes.append(("model_name", existing.get("model_name"), row["model_name"]))
    for section in SECTIONS:
        want, have = row[section], existing.get(section) or {}
        for name, value in want.items():
            if name in ("id", SECRETS_KEY) or (
                section == "litellm_params" and is_secret_name(name)
            ):
                continue  # the proxy strips keys from /model/info: compared by digest below
            if have.get(name) != value:
                changes.append((f"{section}.{name}", have.get(name), value))
    old_digest = (existing.get("model_info") or {}).get(SECRETS_KEY)
    if old_digest is not None and old_digest != row["model_info"][SECRETS_KEY]:
        names = [k for k in row["litellm_params"] if is_secret_name(k)] or ["api_key"]
        changes += [(f"litellm_params.{k}", CHANGED, CHANGED) for k in names]
    previously = set((existing.get("model_info") or {}).get(MANAGED_KEY) or [])
    gone = sorted(previously - set(row["model_info"][MANAGED_KEY]))
    changes += [(f, "(set)", None) for f in gone]
    return changes
