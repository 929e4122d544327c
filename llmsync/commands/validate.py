"""``llmsync validate`` as run: which rules, the online and ``--strict`` checks, the baseline,
the output format. The rules themselves are :mod:`llmsync.lint`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from llmsync import steps
from llmsync.errors import LlmsyncError


def run(
    *,
    config: Path,
    output_format: str,
    online: bool,
    strict: bool,
    select: list[str],
    ignore: list[str],
    list_rules: bool,
    baseline: Path | None,
    providers: Path | None,
    verbose: bool,
    cache_dir: Path | None,
    cache_ttl: float,
    no_cache: bool,
    offline: bool,
) -> int:
    """Check the config (and its include: files) without changing anything. The exit code."""
    from llmsync import redact
    from llmsync.lint import Validator
    from llmsync.lint.output import FORMATS, render, sarif

    if output_format not in FORMATS:
        raise LlmsyncError(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    if list_rules:
        return _list_rules(output_format)
    check_codes([*select, *ignore])
    steps.load_env()
    validator = Validator(os.environ, select=select, ignore=ignore)
    report = validator.run(config)
    for doc in validator.docs:
        redact.active().remember_literals(doc.literal_secrets())
        redact.active().remember_fragments(doc.secret_fragments())
    if online and validator.docs:
        cache = (cache_dir, cache_ttl, no_cache, offline)
        _check_online(validator, providers, verbose, cache)
    if strict:
        validator.check_with_router()
    if baseline is not None:
        known = Validator(os.environ, select=select, ignore=ignore).run(baseline)
        dropped = report.drop_known(known)
        if dropped:
            steps.echo(f"{dropped} finding(s) also in {baseline}: not shown", err=True)
    if output_format in ("json", "sarif"):
        steps.echo_json(report.as_json(strict) if output_format == "json" else sarif(report))
    else:
        text = render(report, output_format, strict)
        if text:
            steps.echo(text)
    return report.exit_code(strict)


def check_codes(codes: list[str]) -> None:
    """--select / --ignore: a code or prefix no rule has is a typo, not "nothing selected"."""
    from llmsync.lint.core import RULES

    for code in codes:
        if not any(known.startswith(code) for known in RULES):
            raise LlmsyncError(f"no rule code starts with {code!r} (validate --list-rules)")


def _list_rules(output_format: str) -> int:
    """--list-rules: every rule's code, name and doc, as a table or JSON."""
    from llmsync.lint.output import rules_table

    if output_format == "json":
        from llmsync.lint.core import RULES

        rules = [
            {"code": r.code, "name": r.name, "severity": r.severity, "doc": r.doc}
            for r in sorted(RULES.values(), key=lambda r: (r.code[1:], r.code))
        ]
        steps.echo_json({"version": 1, "rules": rules})
    else:
        steps.echo(rules_table())
    return 0


def _check_online(validator: Any, providers: Path | None, verbose: bool, cache: tuple) -> None:
    """--online: every hosted model against its catalogue, and the declared sources.
    ``cache``: the cache options, for :func:`llmsync.steps.cache_policy`."""
    from llmsync.catalogues.fetch import Job
    from llmsync.commands.common import entries_by_provider
    from llmsync.fetching import fetch

    registry = steps.load_registry(providers)
    names = list(registry.providers)
    wanted = {
        n for d in validator.docs for n, m in entries_by_provider(d, registry, names).items() if m
    }
    outcomes, discoveries, _ = fetch(
        [Job(registry.providers[n]) for n in names if n in wanted],
        registry,
        verbose,
        steps.cache_policy(*cache),
        sources=bool(registry.sources),
    )
    validator.check_online(registry, {job.name: outcome for job, outcome in outcomes.items()})
    validator.check_sources(discoveries)
