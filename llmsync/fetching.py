"""The fetch step of a command, with its progress display: every catalogue, generate's
sources and the self-hosted servers asked at once, over one HTTP client, within one deadline.

What is asked and how (retries, cache, price books) is :mod:`llmsync.catalogues`; this module
owns running it for a command: the event loop, the live display on a terminal, the
``--verbose`` lines, and ``--offline`` for servers (nothing contacted).
"""

from __future__ import annotations

import asyncio
from typing import Any


def fetch(
    jobs: list,
    registry: Any,
    verbose: bool,
    cache: Any = None,
    sources: bool = False,
    servers: list | None = None,
    deadline: float | None = None,
) -> tuple[dict, dict, dict]:
    """All network work of a command at once, within one deadline: the catalogues of
    ``jobs`` (with the price books they need), generate's sources, self-hosted ``servers``.
    Returns (catalogue outcomes by job, discoveries by source, server outcomes by server)."""
    from llmsync.render import consoles, on_terminal

    _, err = consoles()
    # a live display only on a real TTY: FORCE_COLOR in CI colours, it does not animate the log
    display = FetchDisplay(err, [job.name for job in jobs]) if on_terminal(err.file) else None

    def progress(outcome: Any) -> None:
        if display is not None:
            display.finished(outcome)
        if verbose:
            _say(err, outcome)

    work = _work(jobs, registry, progress, cache, sources, servers, deadline, display)
    if display is not None and jobs:
        with display:
            return asyncio.run(work)
    return asyncio.run(work)


def _say(err: Any, outcome: Any) -> None:
    """--verbose: one line per catalogue as it finishes."""
    if outcome.skipped:
        err.print(f"- {outcome.provider}: skipped ({outcome.skipped})", markup=False)
    elif outcome.error:
        err.print(f"✗ {outcome.provider}: {outcome.error}", markup=False)
    else:
        count = len(outcome.catalog.models)
        err.print(f"✓ {outcome.provider}: {count} models in {outcome.seconds:.2f}s", markup=False)


async def _work(
    jobs: list,
    registry: Any,
    progress: Any,
    cache: Any,
    sources: bool,
    servers: list | None,
    deadline: float | None,
    display: FetchDisplay | None,
) -> tuple[dict, dict, dict]:
    from llmsync import __version__
    from llmsync.catalogues.cache import CachePolicy
    from llmsync.catalogues.fetch import fetch_all
    from llmsync.catalogues.http import client as http_client
    from llmsync.catalogues.servers import check_servers, discover

    limit = deadline or registry.defaults.deadline
    async with http_client(f"llmsync/{__version__}") as http:  # one TLS set-up for all
        catalogues = fetch_all(
            jobs,
            registry.defaults,
            progress,
            cache or CachePolicy(),
            registry.pricebooks,
            limit,
            display.received if display else None,
            http,
        )
        found = (
            discover(registry.sources, registry.defaults, limit, http) if sources else _nothing()
        )
        if cache is not None and cache.offline:  # --offline contacts nothing at all
            checked = _offline_servers(servers or [])
        elif servers:
            checked = asyncio.wait_for(check_servers(servers, registry.defaults, http), limit)
        else:
            checked = _nothing()
        return tuple(await asyncio.gather(catalogues, found, checked))  # type: ignore[return-value]


class FetchDisplay:
    """On a terminal: one line per catalogue, with bytes received, then done / failed."""

    def __init__(self, console: Any, names: list[str]) -> None:
        from rich.progress import DownloadColumn, Progress, SpinnerColumn, TextColumn

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            DownloadColumn(),
            TextColumn("{task.fields[state]}"),
            console=console,
            transient=True,
        )
        self.tasks = {
            n: self.progress.add_task(n, total=None, state="") for n in dict.fromkeys(names)
        }

    def __enter__(self) -> FetchDisplay:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)

    def received(self, name: str, size: int) -> None:
        if name in self.tasks:
            self.progress.advance(self.tasks[name], size)

    def finished(self, outcome: Any) -> None:
        task = self.tasks.get(outcome.provider)
        if task is None:
            return
        state = "skipped" if outcome.skipped else ("failed" if outcome.error else "done")
        received = self.progress.tasks[task].completed
        # a finished download shows "n/n bytes"; one that never started, no made-up total
        self.progress.update(task, state=state, total=received or None)


async def _nothing() -> dict:
    return {}


async def _offline_servers(servers: list) -> dict:
    from llmsync.catalogues.servers import ServerOutcome

    return {server: ServerOutcome(None, skipped="--offline: not asked") for server in servers}
