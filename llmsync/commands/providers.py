"""``llmsync providers``: the provider registry as a table or JSON, what ``--provider all``
covers. Keys are named by their variable and whether it is set, never by value.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from llmsync import steps

if TYPE_CHECKING:
    from llmsync.registry import Registry


def run(*, providers: Path | None, output_format: str) -> int:
    """List the provider registry (and the sources generate asks). The exit code."""
    steps.load_env()
    steps.check_outputs(None, output_format)
    registry = steps.load_registry(providers)
    if output_format == "json":
        steps.echo_json(registry_json(registry))
    else:
        _print_tables(registry)
    return 0


def _print_tables(registry: Registry) -> None:
    from llmsync.render import consoles, new_table

    out, _ = consoles()
    table = new_table(out, f"Providers ({registry.source})")
    for column in ("provider", "recognised by", "catalogue", "key"):
        table.add_column(column, overflow="fold")
    for name, provider in registry.providers.items():
        spec = provider.spec
        recognised = ", ".join(
            rule.prefix + (f" + api_base {rule.api_base}" if rule.api_base else "")
            for rule in spec.match
        )
        env = spec.api_key_env
        key = f"{env} ({'set' if os.environ.get(env) else 'not set'})" if env else "-"
        table.add_row(name, recognised, "\n".join(s.url for s in spec.catalogs), key)
    out.print(table)
    if registry.sources:
        sources = new_table(out, "Sources (generate)")
        for column in ("source", "type", "base_url"):
            sources.add_column(column, overflow="fold")
        for name, source in registry.sources.items():
            sources.add_row(name, source.type, source.base_url)
        out.print(sources)


def registry_json(registry: Registry) -> dict:
    """`providers --format json`: the table's facts as data (a key's variable, never its value)."""

    def key(env: str | None) -> dict | None:
        return {"env": env, "set": bool(os.environ.get(env))} if env else None

    return {
        "version": 1,
        "source": str(registry.source),
        "providers": [
            {
                "name": name,
                "recognised_by": [
                    {"prefix": rule.prefix, "api_base": rule.api_base or None}
                    for rule in provider.spec.match
                ],
                "catalogues": [s.url for s in provider.spec.catalogs],
                "key": key(provider.spec.api_key_env),
            }
            for name, provider in registry.providers.items()
        ],
        "sources": [
            {"name": name, "type": source.type, "base_url": source.base_url}
            for name, source in registry.sources.items()
        ],
    }
