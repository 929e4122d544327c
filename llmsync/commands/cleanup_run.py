"""``llmsync cleanup`` as run: select the providers and servers, fetch, plan, finish.

What is removed, repriced or added is decided in :mod:`llmsync.commands.cleanup`; this module
is the command's order of steps (to join that module once it is not being edited elsewhere).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmsync import steps
from llmsync.commands.cleanup import cleanup_targets, plan_cleanup, split_server_names
from llmsync.fetching import fetch
from llmsync.finishing import finish


def run(
    *,
    ctx: Any,
    provider: list[str],
    config: Path,
    providers: Path | None,
    dry_run: bool,
    force: bool,
    rtol: float,
    max_price_factor: float,
    add_new: bool,
    lifecycle: bool,
    fill_limits: bool,
    fill_order: bool,
    timeout: float | None,
    prefer: str | None,
    backup: bool,
    in_place: bool,
    report: Path | None,
    output_format: str,
    verbose: bool,
    cache_dir: Path | None,
    cache_ttl: float,
    no_cache: bool,
    offline: bool,
) -> int:
    """Remove entries whose model left its provider's catalogue, update changed prices.
    Exit 1 when something needs attention (a failed provider, a held-back change)."""
    steps.load_env()
    steps.check_outputs(report, output_format)
    registry = steps.load_registry(providers, prefer)
    hosted, named_servers = split_server_names(provider, registry)
    names = registry.select(hosted) if hosted or not named_servers else []
    servers = True if "all" in provider else named_servers
    with steps.editing(config, dry_run):
        doc = steps.load_config(config)
        targets = cleanup_targets(doc, registry, names, add_new, servers=servers)
        outcomes, _, checked = fetch(
            targets.jobs,
            registry,
            verbose,
            steps.cache_policy(cache_dir, cache_ttl, no_cache, offline),
            servers=list(targets.servers),
            deadline=timeout,
        )
        plan = plan_cleanup(
            doc,
            registry,
            targets.groups,
            outcomes,
            rtol=rtol,
            force=force,
            max_price_factor=max_price_factor,
            add_new=add_new,
            lifecycle=lifecycle,
            fill_limits=fill_limits,
            fill_order=fill_order,
            servers=checked,
            server_groups=targets.servers,
            servers_asked=targets.asked,
        )
        return finish(
            doc,
            plan,
            dry_run=dry_run,
            backup=backup,
            in_place=in_place,
            verbose=verbose,
            report=report,
            output_format=output_format,
            ctx=ctx,
        )
