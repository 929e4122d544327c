"""validate's rules, one module per concern (like yamllint's and ruff's rule packages):

- ``loading``: YAML syntax, file shape, ``include:``;
- ``entries``: each deployment as LiteLLM's Router reads it;
- ``numbers``: costs and limits;
- ``references``: fallbacks, aliases, duplicate deployments;
- ``scalars``: YAML 1.1 surprises, keys written twice;
- ``secrets``: credentials, classified; the master key;
- ``settings``: settings blocks the proxy refuses or ignores;
- ``online`` and ``router``: the checks behind ``--online`` and ``--strict``.

Each rule is declared beside its check (``core.rule``); :data:`RULES` is the table the README
and ``llmsync validate --list-rules`` print.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from llmsync.lint import entries, loading, numbers, references, scalars, secrets, settings
from llmsync.lint.core import RULES, Context, Finding, Report
from llmsync.lint.online import check_catalogues, check_sources
from llmsync.lint.router import check_with_router

__all__ = ["RULES", "Finding", "Report", "Validator"]

CHECKS = (
    entries.check_entries,
    numbers.check_numbers,
    references.check_duplicates,
    references.check_references,
    scalars.check_scalars,
    scalars.check_duplicate_keys,
    secrets.check_secrets,
    secrets.check_master_key,
    settings.check_settings,
)


@cache
def _lines(name: str) -> frozenset[str]:
    text = resources.files("llmsync").joinpath("data", name).read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def known_providers() -> set[str]:
    return set(_lines("litellm_providers.txt"))


class Validator:
    """Checks one config and the files it includes."""

    def __init__(
        self,
        environ: Mapping[str, str],
        providers: set[str] | None = None,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> None:
        self.ctx = Context(
            environ,
            providers if providers is not None else known_providers(),
            set(_lines("litellm_bare_ids.txt")),
            select,
            ignore,
        )

    @property
    def docs(self) -> list:
        return self.ctx.docs

    @property
    def report(self) -> Report:
        return self.ctx.report

    def run(self, path: Path) -> Report:
        loading.load(self.ctx, path)
        if self.ctx.docs:
            for check in CHECKS:
                self.ctx.add(check(self.ctx))
        return self.ctx.report

    def check_online(self, registry: Any, outcomes: Mapping[str, Any]) -> None:
        self.ctx.add(check_catalogues(self.ctx, registry, outcomes))

    def check_sources(self, discoveries: Mapping[str, Any]) -> None:
        self.ctx.add(check_sources(self.ctx, discoveries))

    def check_with_router(self) -> None:
        self.ctx.add(check_with_router(self.ctx))
