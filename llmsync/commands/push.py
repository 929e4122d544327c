"""push: make a running proxy's database models match config.yaml — plan first, owned rows only.

Every row llmsync creates carries a deterministic id (from the owner label and the entry's
identity: model_name, model, api_base, and its rank among identical entries) and, in
``model_info``, the owner label and the list of fields llmsync manages. Rows without the owner
marker (config-file models, hand-added or team models) are never updated or deleted.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from llmsync.document import ConfigDocument, env_reference
from llmsync.errors import LlmsyncError
from llmsync.proxy import AdminClient, Answer
from llmsync.redact import is_secret_name

OWNER_KEY = "llmsync_owner"
MANAGED_KEY = "llmsync_managed"  # "section.key" of every field llmsync wrote into the row
SECTIONS = ("litellm_params", "model_info")
ROUTE_KEYS = ("model_group_alias", "fallbacks")
SECRETS_KEY = "llmsync_secrets"  # a digest of the key fields: the proxy never shows them back
CHANGED = "<changed>"


@dataclass
class Operation:
    """One step of a push. ``kind``: create, update, replace (delete + create, same id: a key
    must go, which PATCH cannot do), delete, unchanged, or skip (not ours to touch)."""

    kind: str
    model_id: str
    model_name: str
    row: dict[str, Any] | None = None  # what create / replace sends
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, old, new)
    reason: str = ""
    result: str | None = None  # after applying: "ok" or why it failed


@dataclass
class PushPlan:
    proxy: str
    owner: str
    operations: list[Operation] = field(default_factory=list)
    credentials: list[dict[str, Any]] = field(default_factory=list)  # to create first
    routes: dict[str, Any] = field(default_factory=dict)  # router settings to send
    route_changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    held: str | None = None  # why deletions were not applied

    def of(self, *kinds: str) -> list[Operation]:
        return [op for op in self.operations if op.kind in kinds]

    @property
    def drifted(self) -> bool:
        return bool(self.of("create", "update", "replace", "delete") or self.routes)

    @property
    def failed(self) -> list[Operation]:
        return [op for op in self.operations if op.result not in (None, "ok")]


# --------------------------------------------------------------------------- desired rows


def row_id(owner: str, model_name: str, model: str, api_base: str, rank: int) -> str:
    identity = "\0".join((owner, model_name, model, api_base, str(rank)))
    return "llmsync-" + hashlib.sha256(identity.encode()).hexdigest()[:20]


def secrets_digest(params: dict[str, Any]) -> str:
    """A short digest of an entry's secret fields (keys or their os.environ/ references), so a
    changed key is noticed although /model/info strips keys; the values cannot be recovered."""
    secret = {k: str(v) for k, v in sorted(params.items()) if is_secret_name(k)}
    return hashlib.sha256(repr(secret).encode()).hexdigest()[:16]


def desired_rows(doc: ConfigDocument, owner: str) -> dict[str, dict[str, Any]]:
    """The rows the proxy should hold for this config, by deterministic id."""
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
        model_id = row_id(owner, *identity, ranks[identity])
        managed = sorted(
            [f"litellm_params.{k}" for k in params] + [f"model_info.{k}" for k in info]
        )
        info.update({"id": model_id, OWNER_KEY: owner, MANAGED_KEY: managed})
        info[SECRETS_KEY] = secrets_digest(params)
        rows[model_id] = {
            "model_name": entry.model_name,
            "litellm_params": params,
            "model_info": info,
        }
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


def resolve_references(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``--resolve-env``: send values of ``os.environ/X`` (the proxy resolves references itself
    otherwise). A reference to an unset variable is an error: nothing is pushed."""
    out = {}
    for model_id, row in rows.items():
        params = dict(row["litellm_params"])
        for key, value in params.items():
            var = env_reference(value)
            if var is not None:
                if var not in os.environ:
                    raise LlmsyncError(f"{row['model_name']}: {key} names {var}, which is not set")
                params[key] = os.environ[var]
        out[model_id] = {**row, "litellm_params": params}
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
    config_models = {
        (r.get("model_name"), (r.get("litellm_params") or {}).get("model"))
        for r in current
        if not _owned_by(r, owner) and not (r.get("model_info") or {}).get("db_model")
    }
    for model_id, row in desired.items():
        name = row["model_name"]
        existing = by_id.get(model_id)
        if existing is None:
            if (name, row["litellm_params"]["model"]) in config_models:
                plan.operations.append(
                    Operation("skip", model_id, name, reason="the proxy's own config file has it")
                )
            else:
                plan.operations.append(Operation("create", model_id, name, row=row))
        elif not _owned_by(existing, owner):
            plan.operations.append(
                Operation("skip", model_id, name, reason="a row with this id is not llmsync's")
            )
        else:
            plan.operations.append(_compare(model_id, row, existing))
    stale = [r for r in current if _owned_by(r, owner) and r["model_info"]["id"] not in desired]
    for row in stale:
        op = Operation("delete", row["model_info"]["id"], str(row.get("model_name")))
        if prune:
            plan.operations.append(op)
        else:
            plan.notes.append(f"{op.model_name} ({op.model_id}) left the file; --prune deletes it")
    deletes = plan.of("delete")
    if len(deletes) > max_delete and not force:
        plan.held = f"would delete {len(deletes)} rows (more than --max-delete {max_delete}); re-run with --force if that is right"
        plan.operations = [op for op in plan.operations if op.kind != "delete"]
    if routes is not None:
        for key in ROUTE_KEYS:
            want = routes.get(key)
            have = (current_routes or {}).get(key)
            if want is not None and want != have:
                plan.routes[key] = want
                plan.route_changes.append((f"router_settings.{key}", have, want))
    return plan


def _owned_by(row: dict[str, Any], owner: str) -> bool:
    info = row.get("model_info")
    return isinstance(info, dict) and info.get(OWNER_KEY) == owner


def _compare(model_id: str, row: dict[str, Any], existing: dict[str, Any]) -> Operation:
    name = row["model_name"]
    changes: list[tuple[str, Any, Any]] = []
    if existing.get("model_name") != name:
        changes.append(("model_name", existing.get("model_name"), name))
    for section in SECTIONS:
        want, have = row[section], existing.get(section) or {}
        for key, value in want.items():
            if key in ("id", SECRETS_KEY) or (section == "litellm_params" and is_secret_name(key)):
                continue  # the proxy strips keys from /model/info: compared by digest below
            if have.get(key) != value:
                changes.append((f"{section}.{key}", have.get(key), value))
    old_digest = (existing.get("model_info") or {}).get(SECRETS_KEY)
    if old_digest is not None and old_digest != row["model_info"][SECRETS_KEY]:
        keys = [k for k in row["litellm_params"] if is_secret_name(k)] or ["api_key"]
        changes += [(f"litellm_params.{k}", CHANGED, CHANGED) for k in keys]
    previously = set((existing.get("model_info") or {}).get(MANAGED_KEY) or [])
    now = set(row["model_info"][MANAGED_KEY])
    gone = sorted(previously - now)
    if gone:  # PATCH merges and cannot remove a key: delete and create again, same id
        changes += [(f, "(set)", None) for f in gone]
        return Operation("replace", model_id, name, row=row, changes=changes)
    if changes:
        return Operation("update", model_id, name, row=row, changes=changes)
    return Operation("unchanged", model_id, name)


# --------------------------------------------------------------------------- applying


async def apply_push(client: AdminClient, plan: PushPlan) -> None:
    """Credentials, creates, updates, router settings, deletes last. A failed step is recorded;
    the rest still run. After any 5xx the proxy is listed again to learn what really happened."""
    for credential in plan.credentials:
        answer = await client.create_credential(credential)
        name = credential["credential_name"]
        if answer.status == 409:
            plan.notes.append(f"credential {name} already exists on the proxy; left as it is")
        elif not answer.ok:
            plan.operations.append(Operation("credential", "-", name, result=answer.reason()))
    for op in plan.of("create", "update", "replace"):
        if op.kind == "create":
            answer = await client.create(op.row or {})
        elif op.kind == "update":
            answer = await client.update(op.model_id, op.row or {})
        else:
            gone = await client.delete(op.model_id)
            answer = await client.create(op.row or {}) if gone.ok else gone
        op.result = await _settle(client, op, answer)
    if plan.routes:
        answer = await client.update_router(plan.routes)
        plan.notes.append(
            "router settings updated"
            if answer.ok
            else f"router settings not updated: {answer.reason()}"
        )
        if not answer.ok:
            plan.operations.append(
                Operation("routes", "-", "router_settings", result=answer.reason())
            )
    for op in plan.of("delete"):
        answer = await client.delete(op.model_id)
        op.result = await _settle(client, op, answer)


async def _settle(client: AdminClient, op: Operation, answer: Answer) -> str:
    if answer.ok:
        return "ok"
    if answer.status >= 500:  # the write may have happened anyway: look
        rows = {r["model_info"]["id"]: r for r in await client.deployments()}
        present = op.model_id in rows
        if (op.kind == "delete" and not present) or (op.kind != "delete" and present):
            return "ok"
    return answer.reason()


# --------------------------------------------------------------------------- showing


def shown(field_name: str, value: Any) -> Any:
    """A value for people: secrets never, only that they change."""
    key = field_name.rsplit(".", 1)[-1]
    return CHANGED if is_secret_name(key) and value is not None else value


def as_json(plan: PushPlan) -> dict[str, Any]:
    return {
        "version": 1,
        "proxy": plan.proxy,
        "owner": plan.owner,
        "summary": {
            kind: len(plan.of(kind))
            for kind in ("create", "update", "replace", "delete", "unchanged", "skip")
        }
        | {"failed": len(plan.failed), "route_changes": len(plan.route_changes)},
        "operations": [
            {
                "kind": op.kind,
                "id": op.model_id,
                "model_name": op.model_name,
                "changes": [
                    {"field": f, "old": shown(f, old), "new": shown(f, new)}
                    for f, old, new in op.changes
                ],
                "reason": op.reason or None,
                "result": op.result,
            }
            for op in plan.operations
        ],
        "routes": [{"field": f, "old": old, "new": new} for f, old, new in plan.route_changes],
        "held": plan.held,
        "notes": plan.notes,
    }


def lines(plan: PushPlan) -> list[str]:
    """The plan as text, one line per operation (and per changed field)."""
    out = []
    for op in plan.operations:
        if op.kind == "unchanged":
            continue
        result = "" if op.result in (None, "ok") else f"  FAILED: {op.result}"
        why = f" ({op.reason})" if op.reason else ""
        out.append(f"{op.kind:9} {op.model_name} [{op.model_id}]{why}{result}")
        for f, old, new in op.changes:
            out.append(f"            {f}: {shown(f, old)!r} -> {shown(f, new)!r}")
    for f, old, new in plan.route_changes:
        out.append(f"routes    {f}: {old!r} -> {new!r}")
    counts = ", ".join(
        f"{len(plan.of(k))} {k}"
        for k in ("create", "update", "replace", "delete", "unchanged", "skip")
    )
    out.append(f"{plan.proxy}: {counts}")
    return out


def markdown(plan: PushPlan, command: str) -> str:
    data = as_json(plan)
    parts = [f"## llmsync push to {plan.proxy}", ""]
    parts += ["| operation | model_name | id | changes | result |", "|---|---|---|---|---|"]
    for op in data["operations"]:
        if op["kind"] == "unchanged":
            continue
        changes = "; ".join(f"{c['field']}: {c['old']} → {c['new']}" for c in op["changes"])
        parts.append(
            f"| {op['kind']} | {op['model_name']} | `{op['id']}` | {changes or op['reason'] or ''} | {op['result'] or ''} |"
        )
    if plan.held:
        parts += ["", f"**Held back:** {plan.held}"]
    if plan.notes:
        parts += ["", "### Notes", "", *[f"- {n}" for n in plan.notes]]
    parts += ["", "---", f"Generated by llmsync: `{command}`."]
    return "\n".join(parts) + "\n"
