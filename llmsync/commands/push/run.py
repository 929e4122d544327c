"""One push round: read the file and the proxy, plan, apply unless read-only.

The owner label marks llmsync's rows. By default it is derived from the repository and the
file's path in it (``github.com/acme/llm-config:config.yaml``), unique per config and the same
on every clone; ``--owner`` names it. ``--prune`` deletes rows, so it needs a label that cannot
belong to someone else's file: an explicit ``--owner``, or one derived from a repository.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from llmsync.commands.push.apply import apply_push
from llmsync.commands.push.plan import (
    OWNER_KEY,
    PushPlan,
    config_routes,
    credentials_used,
    desired_rows,
    plan_push,
    resolve_references,
)
from llmsync.document import ConfigDocument
from llmsync.errors import LlmsyncError
from llmsync.proxy import AdminClient
from llmsync.repository import config_identity


@dataclass(frozen=True)
class PushOptions:
    prune: bool = False
    max_delete: int = 10
    force: bool = False
    routes: bool = False
    resolve_env: bool = False
    timeout: float = 30.0


@dataclass(frozen=True)
class Owner:
    label: str
    source: str  # how it was chosen, for people
    explicit: bool
    portable: bool  # the same label on every clone, and no other file's


def choose_owner(config: Path, explicit: str | None) -> Owner:
    if explicit:
        return Owner(explicit, "--owner", True, True)
    identity = config_identity(config)
    if identity.portable:
        return Owner(identity.label, "default: repository and path", False, True)
    return Owner(identity.label, "default: the file's absolute path", False, False)


def push_round(
    doc: ConfigDocument, proxy: str, key: str, owner: Owner, options: PushOptions, read_only: bool
) -> PushPlan:
    """Plan (and unless ``read_only`` apply) one push of ``doc`` to ``proxy``."""
    if options.prune and not owner.portable:
        raise LlmsyncError(
            f"--prune needs --owner LABEL: the default owner {owner.label!r} comes from the "
            "file's absolute path, which a config on another machine or in another container "
            "may share (its rows would be deleted); nothing was written"
        )
    desired = desired_rows(doc, owner.label)
    if options.resolve_env:
        desired = resolve_references(desired)

    async def work() -> PushPlan:
        async with AdminClient(proxy, key, timeout=options.timeout) as client:
            await client.require_database()
            current = await client.deployments()
            current_routes = await client.router_settings() if options.routes else None
            plan = plan_push(
                proxy,
                owner.label,
                desired,
                current,
                prune=options.prune,
                max_delete=options.max_delete,
                force=options.force,
                routes=config_routes(doc) if options.routes else None,
                current_routes=current_routes,
            )
            plan.owner_source = owner.source
            plan.notes += _legacy_owner_note(doc, owner, current)
            plan.credentials, missing = credentials_used(doc)
            plan.notes += [
                f"credential {n} is not in credential_list: it must exist on the proxy"
                for n in missing
            ]
            if not read_only:
                await apply_push(client, plan)
            return plan

    return asyncio.run(work())


def exit_code(plan: PushPlan, check: bool) -> int:
    if check:
        return 1 if plan.drifted or plan.held else 0
    return 1 if plan.failed or plan.held else 0


def _legacy_owner_note(doc: ConfigDocument, owner: Owner, current: list[dict]) -> list[str]:
    """Earlier versions labelled rows with the file's name by default; say so, once."""
    legacy = Path(doc.name).name
    if owner.explicit or legacy == owner.label:
        return []
    count = sum(
        1
        for row in current
        if isinstance(row.get("model_info"), dict) and row["model_info"].get(OWNER_KEY) == legacy
    )
    if not count:
        return []
    return [
        f"{count} row(s) on the proxy carry the owner {legacy!r}, the default of earlier llmsync "
        f"versions; this run's owner is {owner.label!r}. If they are this file's, push with "
        f"--owner {legacy} to keep managing them"
    ]
