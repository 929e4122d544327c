"""Applying a push plan so that no model of the file ever goes missing on the proxy.

The order is what makes a push safe to kill at any moment:

1. credentials the entries name;
2. every write that adds or changes a row: creates, updates, and the *new* rows of replaces;
3. the proxy is read again and each written row is compared field by field with what was
   sent: a write is done only when the proxy holds the desired value (a 500 that wrote
   anyway is done; a PATCH that answered 200 but changed nothing is not);
4. router settings;
5. deletes, last: rows that left the file (``--prune``), the old rows of replaces whose new row
   was confirmed in step 3, second copies of a confirmed row;
6. the proxy is read again to confirm the deletes.

Writes are never retried (a retried create could duplicate). A write that times out or loses
its connection is *unknown* until step 3 or 6 finds out; if the proxy cannot be read again,
it stays unknown and the run says so (exit 1).
"""

from __future__ import annotations

from typing import Any

from llmsync.commands.push.plan import Operation, PushPlan, compare
from llmsync.errors import LlmsyncError
from llmsync.proxy import AdminClient, Answer

_CONFIRMED_NEW = "new row confirmed"  # a replace half-way: the old row may now go


async def apply_push(client: AdminClient, plan: PushPlan) -> None:
    plan.applied = True
    await _create_credentials(client, plan)
    writes = plan.of("create", "update", "replace")
    answers: dict[int, Answer] = {}
    for op in writes:
        if op.kind == "update":
            answers[id(op)] = await client.update(op.model_id, op.row or {})
        else:
            answers[id(op)] = await client.create(op.row or {})
    if writes:
        rows = await _reread(client)
        for op in writes:
            _confirm_write(op, answers[id(op)], rows)
    await _update_routes(client, plan)
    deletes = [op for op in plan.operations if _may_delete(op)]
    delete_answers = {id(op): await client.delete(op.model_id) for op in deletes}
    if deletes:
        rows = await _reread(client)
        for op in deletes:
            _confirm_delete(op, delete_answers[id(op)], rows)


async def _create_credentials(client: AdminClient, plan: PushPlan) -> None:
    for credential in plan.credentials:
        answer = await client.create_credential(credential)
        name = credential["credential_name"]
        if answer.status == 409:
            plan.notes.append(f"credential {name} already exists on the proxy; left as it is")
        elif not answer.ok:
            op = Operation("credential", "-", name, result="failed", why=answer.reason())
            plan.operations.append(op)


async def _update_routes(client: AdminClient, plan: PushPlan) -> None:
    if not plan.routes:
        return
    answer = await client.update_router(plan.routes)
    if answer.ok:
        plan.notes.append("router settings updated")
        return
    plan.notes.append(f"router settings not updated: {answer.reason()}")
    failed = Operation("routes", "-", "router_settings", result="failed", why=answer.reason())
    plan.operations.append(failed)


async def _reread(client: AdminClient) -> dict[str, dict[str, Any]] | str:
    """The proxy's rows by id, or why they could not be read."""
    try:
        return {r["model_info"]["id"]: r for r in await client.deployments()}
    except LlmsyncError as exc:
        return f"could not read the proxy again to confirm: {exc}"


def _confirm_write(op: Operation, answer: Answer, rows: dict[str, Any] | str) -> None:
    if isinstance(rows, str):
        op.result, op.why = "unknown", _joined(answer, rows)
        return
    present = rows.get(op.written_id)
    differs = compare(op.row or {}, present) if present is not None else None
    if present is not None and not differs:
        if op.kind == "replace":
            op.result = _CONFIRMED_NEW  # finished by its delete
        else:
            op.result, op.why = "ok", ""
        return
    if present is None:
        seen = "not on the proxy when read again"
    else:
        fields = ", ".join(sorted({f for f, _, _ in differs or []}))
        seen = f"the proxy still holds other values for {fields}"
    if op.kind == "replace":
        seen += f"; the old row {op.model_id} was kept"
    op.result = "unknown" if answer.status == 0 else "failed"
    op.why = _joined(answer, seen)


def _may_delete(op: Operation) -> bool:
    if op.kind == "replace":
        return op.result == _CONFIRMED_NEW
    if op.kind != "delete":
        return False
    keeper = op.duplicate_of
    if keeper is None:
        return True
    # A second copy goes only when the copy that stays holds what the file wants.
    return keeper.kind == "unchanged" or keeper.result == "ok" or keeper.result == _CONFIRMED_NEW


def _confirm_delete(op: Operation, answer: Answer, rows: dict[str, Any] | str) -> None:
    if isinstance(rows, str):
        gone = None
        seen = rows
    else:
        gone = op.model_id not in rows
        seen = "still on the proxy when read again"
    if gone:
        op.result, op.why = "ok", ""
    elif op.kind == "replace":
        op.result = "unknown" if gone is None or answer.status == 0 else "failed"
        op.why = f"the new row {op.new_id} is in place, but the old row {op.model_id} may remain: {_joined(answer, seen)}"
    else:
        op.result = "unknown" if gone is None or answer.status == 0 else "failed"
        op.why = _joined(answer, seen)


def _joined(answer: Answer, seen: str) -> str:
    return seen if answer.ok else f"{answer.reason()}; {seen}"
