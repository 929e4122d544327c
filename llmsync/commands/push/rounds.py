"""``llmsync push`` as run: the proxy URL and master key from options and environment, one
round shown (text or JSON), noted and reported, or with ``--every`` rounds of (generate when
sources are declared, then push) until SIGTERM.

A round's work (read the proxy, plan, apply) is :mod:`.run`; how it is shown is :mod:`.show`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmsync import steps
from llmsync.commands.push import show
from llmsync.commands.push.run import Owner, PushOptions, choose_owner, exit_code, push_round
from llmsync.errors import LlmsyncError
from llmsync.finishing import after_writes, command_line


def run(
    *,
    ctx: Any,
    proxy: str,
    config: Path,
    master_key_env: str,
    owner: str | None,
    prune: bool,
    max_delete: int,
    force: bool,
    routes: bool,
    resolve_env: bool,
    timeout: float,
    dry_run: bool,
    check: bool,
    report: Path | None,
    output_format: str,
    every: float | None,
    providers: Path | None,
    in_place: bool,
    verbose: bool,
) -> int:
    """Make a running proxy's database models match the config (llmsync's own rows only)."""
    steps.load_env()
    steps.check_outputs(report, output_format)
    url = proxy_url(proxy or os.environ.get("LITELLM_PROXY_URL", ""))
    key = master_key(master_key_env)
    options = PushOptions(prune, max_delete, force, routes, resolve_env, timeout)
    round_ = functools.partial(
        one_round, ctx, config, url, key, choose_owner(config, owner), options
    )
    if every is None:
        return round_(dry_run or check, check, report, output_format)
    return every_round(every, config, providers, verbose, round_, report, in_place)


def proxy_url(value: str) -> str:
    """--proxy (or LITELLM_PROXY_URL) as an http(s) URL; anything else is a usage error."""
    from urllib.parse import urlsplit

    if not value:
        raise LlmsyncError("--proxy URL is needed (or set LITELLM_PROXY_URL)")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        shown = "the value given" if "@" in value else repr(value)  # may hold a password
        raise LlmsyncError(
            f"--proxy must be an http(s) URL such as http://localhost:4000, not {shown}"
        )
    return value


def master_key(variable: str) -> str:
    """The proxy's master key from ``variable``; a secret to every output from now on."""
    from llmsync import redact

    # LiteLLM's own proxy CLI reads LITELLM_PROXY_API_KEY: the same key, when the other is unset
    key = os.environ.get(variable) or (
        os.environ.get("LITELLM_PROXY_API_KEY") if variable == "LITELLM_MASTER_KEY" else None
    )
    if not key:
        raise LlmsyncError(
            f"set {variable} (or LITELLM_PROXY_API_KEY) to the proxy's master key "
            "(--master-key-env)"
        )
    redact.active().remember_fragments([key])  # any master key, even "sk-1234"
    return key


def one_round(
    ctx: Any,
    config: Path,
    proxy: str,
    key: str,
    owner: Owner,
    options: PushOptions,
    read_only: bool,
    check: bool,
    report: Path | None,
    output_format: str,
) -> int:
    """One push: plan, show, apply (unless read-only). Returns the exit code."""
    from llmsync.files import write_atomic
    from llmsync.redact import redact_data

    plan = push_round(steps.load_config(config), proxy, key, owner, options, read_only)
    if output_format == "json":
        steps.echo_json(show.as_json(plan))
    else:
        steps.echo("\n".join(show.lines(plan)))
    if output_format == "text" and read_only and not check:
        steps.echo(
            f"Dry run: the proxy was not changed ({len(plan.of('create', 'update', 'replace', 'delete'))} operation(s) planned)"
        )
    for note in plan.notes:
        steps.echo(f"note: {note}", err=True)
    if plan.held:
        steps.echo(f"held: {plan.held}", err=True)
    if report is not None:
        command = command_line(ctx) if ctx else "llmsync push"
        try:
            write_atomic(report, redact_data(show.markdown(plan, command)))
        except LlmsyncError as exc:
            raise after_writes(exc, ["the proxy"] if plan.applied else []) from None
    return exit_code(plan, check)


def every_round(
    every: float,
    config: Path,
    providers: Path | None,
    verbose: bool,
    round_: Callable[..., int],
    report: Path | None,
    in_place: bool = False,
) -> int:
    """Rounds of (generate when sources are declared) + push until SIGTERM or Ctrl-C; a round
    that fails is logged and the next one tries again. ``in_place``: generate rewrites a
    bind-mounted config (the long-running container case) in place."""
    import signal
    import time

    from llmsync.commands.generate import generate

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    registry = steps.load_registry(providers)
    round_no = 0
    while not stop:
        round_no += 1
        started = time.strftime("%Y-%m-%dT%H:%M:%S")
        try:
            if registry.sources:
                generate(config, registry, False, False, False, verbose, in_place)
            code = round_(False, False, report, "text")
        except LlmsyncError as exc:
            steps.echo(f"{started} round {round_no}: failed: {exc}", err=True)
        else:
            steps.echo(f"{started} round {round_no}: exit {code}", err=True)
        deadline = time.monotonic() + every
        while not stop and time.monotonic() < deadline:
            time.sleep(min(0.2, every))
    steps.echo(f"stopped after {round_no} round(s)", err=True)
    return 0
