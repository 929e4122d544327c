"""The command line. Parses options and renders; the work is in llmsync.commands.

Heavy modules (httpx, ruamel, pydantic, rich) are imported inside the commands so that
``llmsync --help`` costs little more than Typer itself.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from llmsync.document import ConfigDocument
    from llmsync.plan import Plan
    from llmsync.registry import Registry

app = typer.Typer(
    name="llmsync",
    help="Keep a LiteLLM proxy config.yaml true: prune retired models, reprice, add and sort entries.",
    add_completion=True,  # --install-completion / --show-completion
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # tracebacks could show API keys in locals
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from llmsync import __version__

        typer.echo(f"llmsync {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Keep a LiteLLM proxy config.yaml true: prune retired models, reprice, add and sort entries."""


def _find_config(ctx: typer.Context, param: typer.CallbackParam, value: Path) -> Path:
    """--config when given, else found (llmsync.config_path): the env, then the usual names.
    Nothing found: one line, exit 2 (``find`` then goes on without a config)."""
    source = ctx.get_parameter_source(param.name or "config")  # Typer's own click enum
    if ctx.resilient_parsing or getattr(source, "name", "DEFAULT") != "DEFAULT":
        return value
    from llmsync.config_path import NoConfig, find_config

    try:
        return find_config(None)
    except NoConfig as exc:
        if ctx.info_name == "find":
            return value
        _echo(f"llmsync: error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


ConfigOpt = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        help="LiteLLM config to edit. Default: $LLMSYNC_CONFIG, $CONFIG_FILE_PATH, else the "
        "first of ./config.yaml, ./litellm_config.yaml, ./litellm-config.yaml.",
        dir_okay=False,
        show_default=False,
        callback=_find_config,
    ),
]
PreferOpt = Annotated[
    str | None,
    typer.Option(
        "--prefer",
        help="When models.dev and LiteLLM's cost map disagree on a price: models.dev or costmap "
        "(default: hold the change back and show both).",
        show_default=False,
    ),
]
ProvidersOpt = Annotated[
    Path | None,
    typer.Option(
        "--providers",
        help="Provider registry, merged over the built-in one (unless it says replace: true); "
        "a providers.local.yaml beside it goes over both. Default: ./providers.yaml if present.",
        dir_okay=False,
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", "-n", help="Show the diff that would be written; change nothing."),
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Say more: fetch timings, the diff of real runs.")
]
BackupOpt = Annotated[
    bool, typer.Option("--backup", help="Keep the previous file as <config>.bak.")
]
InPlaceOpt = Annotated[
    bool,
    typer.Option(
        "--in-place",
        envvar="LLMSYNC_IN_PLACE",
        help="Rewrite the file itself, not replace it (hard links, a Docker single-file bind "
        "mount); not atomic: <config>.bak is written first.",
    ),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        envvar="LLMSYNC_CACHE_DIR",
        help="Catalogue cache. Default: ~/.cache/llmsync.",
        file_okay=False,
    ),
]
CacheTtlOpt = Annotated[
    float, typer.Option("--cache-ttl", min=0.0, help="Seconds a cached catalogue stays fresh.")
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Fetch fresh catalogues; store nothing.")
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Use only cached catalogues, whatever their age.")
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=1.0,
        help="Seconds all fetching may take together (default: providers.yaml deadline, 45).",
        show_default=False,
    ),
]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report", help="Also write a Markdown report (a pull-request body) here.", dir_okay=False
    ),
]
FormatOpt = Annotated[
    str, typer.Option("--format", help="text, or json: the plan as JSON on stdout.")
]


def _echo(text: str, err: bool = False) -> None:
    """Print plain text; like everything llmsync shows, through the one redaction point."""
    from llmsync.redact import redact

    typer.echo(redact(text), err=err)


def _echo_json(data: Any) -> None:
    """Print a JSON document: redacted once, as data, then serialised (a second pass over the
    serialised text would see JSON escapes and could break the document)."""
    import json

    from llmsync.redact import redact_data

    typer.echo(json.dumps(redact_data(data), indent=2))


def _handles_errors(command: Callable[..., int]) -> Callable[..., None]:
    """Turn expected failures into one line on stderr and a documented exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from llmsync import redact
        from llmsync.errors import EXIT_BUG, EXIT_USAGE, LlmsyncError

        redact.reset()  # secrets of this command only (tests run many in one process)
        try:
            code = command(*args, **kwargs)
        except LlmsyncError as exc:
            _echo(f"llmsync: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _echo("llmsync: interrupted; the config was not changed", err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except OSError as exc:  # the user's environment (permissions, full disk...), not a bug
            where = f"{exc.filename}: " if exc.filename else ""
            _echo(f"llmsync: error: {where}{exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        except Exception as exc:
            _echo(
                f"llmsync: internal error: {type(exc).__name__}: {exc} (the config was not changed; please report this)",
                err=True,
            )
            raise typer.Exit(EXIT_BUG) from None
        raise typer.Exit(code)

    return wrapper


@app.command()
@_handles_errors
def cleanup(
    ctx: typer.Context,
    provider: Annotated[
        list[str], typer.Option("--provider", "-p", help="Provider name, repeatable, or 'all'.")
    ] = ["all"],  # noqa: B006
    config: ConfigOpt = Path("config.yaml"),
    providers: ProvidersOpt = None,
    dry_run: DryRunOpt = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Apply removals even when more than half of a provider's entries would go.",
        ),
    ] = False,
    rtol: Annotated[
        float,
        typer.Option(
            "--rtol", min=0.0, help="Relative tolerance for price changes; 0 compares exactly."
        ),
    ] = 1e-9,
    max_price_factor: Annotated[
        float,
        typer.Option(
            "--max-price-factor", min=1.0, help="Hold back price moves larger than this factor."
        ),
    ] = 10.0,
    add_new: Annotated[
        bool,
        typer.Option(
            "--add-new", help="Also add catalogue models matching each provider's add_new globs."
        ),
    ] = False,
    lifecycle: Annotated[
        bool,
        typer.Option(
            "--lifecycle",
            help="Write model_info.deprecation_date where a listing gives a retirement date.",
        ),
    ] = False,
    fill_limits: Annotated[
        bool,
        typer.Option("--fill-limits", help="Add model_info.max_input/output_tokens where missing."),
    ] = False,
    fill_order: Annotated[
        bool,
        typer.Option(
            "--fill-order", help="Write each provider's `order` (providers.yaml) where missing."
        ),
    ] = False,
    timeout: TimeoutOpt = None,
    prefer: PreferOpt = None,
    backup: BackupOpt = False,
    in_place: InPlaceOpt = False,
    report: ReportOpt = None,
    output_format: FormatOpt = "text",
    verbose: VerboseOpt = False,
    cache_dir: CacheDirOpt = None,
    cache_ttl: CacheTtlOpt = 3600.0,
    no_cache: NoCacheOpt = False,
    offline: OfflineOpt = False,
) -> int:
    """Remove entries whose model left its provider's catalogue and update prices that changed."""
    from llmsync.commands.cleanup import cleanup_targets, plan_cleanup, split_server_names

    _load_env()
    _check_outputs(report, output_format)
    registry = _registry(providers, prefer)
    hosted, named_servers = split_server_names(provider, registry)
    names = registry.select(hosted) if hosted or not named_servers else []
    servers = True if "all" in provider else named_servers
    with _editing(config, dry_run):
        doc = _load(config)
        targets = cleanup_targets(doc, registry, names, add_new, servers=servers)
        outcomes, _, checked = _fetch(
            targets.jobs,
            registry,
            verbose,
            _cache_policy(cache_dir, cache_ttl, no_cache, offline),
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
        code = _finish(
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
    return max(code, 1 if plan.needs_attention else 0)


@app.command("add-model")
@_handles_errors
def add_model(
    ctx: typer.Context,
    models: Annotated[
        list[str],
        typer.Argument(
            help="Catalogue ids (e.g. anthropic/claude-sonnet-4.5); with --group, one query.",
            show_default=False,
        ),
    ],
    provider: Annotated[
        list[str],
        typer.Option(
            "--provider",
            "-p",
            help="Provider to add from; with --group repeatable, or 'all'.",
            show_default=False,
        ),
    ],
    model_name: Annotated[
        str | None, typer.Option("--model-name", help="model_name for the entry (one id only).")
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            help="Add the best match of QUERY from each provider as one load-balancing group NAME.",
        ),
    ] = None,
    allow_partial: Annotated[
        bool,
        typer.Option(
            "--allow-partial",
            help="With --group: add the members found even if a named provider is missing.",
        ),
    ] = False,
    config: ConfigOpt = Path("config.yaml"),
    providers: ProvidersOpt = None,
    dry_run: DryRunOpt = False,
    backup: BackupOpt = False,
    in_place: InPlaceOpt = False,
    report: ReportOpt = None,
    output_format: FormatOpt = "text",
    verbose: VerboseOpt = False,
    cache_dir: CacheDirOpt = None,
    cache_ttl: CacheTtlOpt = 3600.0,
    no_cache: NoCacheOpt = False,
    offline: OfflineOpt = False,
    prefer: PreferOpt = None,
) -> int:
    """Add models from a provider's catalogue with their prices, mode and limits."""
    from llmsync.catalogues.fetch import Job
    from llmsync.commands.add_model import plan_add, plan_group
    from llmsync.errors import EXIT_PENDING, LlmsyncError

    if model_name is not None and (len(models) != 1 or group):
        raise LlmsyncError("--model-name needs exactly one model id (and no --group)")
    if group is not None and len(models) != 1:
        raise LlmsyncError("--group takes one query, e.g. add-model --group glm -p all glm-5.1")
    _load_env()
    _check_outputs(report, output_format)
    registry = _registry(providers, prefer)
    names = registry.select(provider)
    if group is None and (len(names) != 1 or "all" in provider):
        raise LlmsyncError("add-model needs one provider (or --group for several)")
    with _editing(config, dry_run):
        doc = _load(config)
        cache = _cache_policy(cache_dir, cache_ttl, no_cache, offline)
        jobs = [Job(registry.providers[n]) for n in names]
        outcomes = _fetch(jobs, registry, verbose, cache)[0]
        catalogs = {job.name: o.catalog for job, o in outcomes.items() if o.catalog is not None}
        for job, outcome in outcomes.items():
            if outcome.catalog is None:
                why = outcome.error or f"skipped: {outcome.skipped}"
                _echo(f"llmsync: {job.name}: catalogue unavailable: {why}", err=True)
        if not catalogs:
            _echo("llmsync: no catalogue could be read; nothing was added", err=True)
            return EXIT_PENDING
        if group is not None:
            named = {
                job.name: None if o.catalog else (o.error or f"skipped: {o.skipped}")
                for job, o in outcomes.items()
                if "all" not in provider
            }
            plan, lost = plan_group(doc, registry, group, models[0], catalogs, named)
            for name, why in lost.items():
                _echo(f"llmsync: --group {group}: lost member {name}: {why}", err=True)
            if lost and not allow_partial:
                _echo(
                    f"llmsync: --group {group}: {len(lost)} named provider(s) missing; nothing "
                    "was added (--allow-partial adds the others)",
                    err=True,
                )
                return EXIT_PENDING
        else:
            plan = plan_add(
                doc, registry, names[0], models, catalogs[names[0]], model_name=model_name
            )
        code = _finish(
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
    return max(code, 1 if plan.needs_attention else 0)


@app.command()
@_handles_errors
def find(
    query: Annotated[str, typer.Argument(help="A model, spelt any way: glm-5.1, gpt-4o-mini...")],
    provider: Annotated[
        list[str], typer.Option("--provider", "-p", help="Provider(s) to ask, or 'all'.")
    ] = ["all"],  # noqa: B006
    max_price: Annotated[
        float | None,
        typer.Option("--max-price", help="Only input prices up to this, USD per 1M tokens."),
    ] = None,
    min_context: Annotated[
        int | None, typer.Option("--min-context", help="Only models with at least this context.")
    ] = None,
    config: ConfigOpt = Path("config.yaml"),
    providers: ProvidersOpt = None,
    output_format: FormatOpt = "text",
    verbose: VerboseOpt = False,
    timeout: TimeoutOpt = None,
    cache_dir: CacheDirOpt = None,
    cache_ttl: CacheTtlOpt = 3600.0,
    no_cache: NoCacheOpt = False,
    offline: OfflineOpt = False,
) -> int:
    """Find a model in every catalogue: who serves it, at what price and context."""

    from llmsync.catalogues.fetch import Job
    from llmsync.commands.common import entries_by_provider
    from llmsync.commands.find import find as search
    from llmsync.render import consoles, print_found

    _load_env()
    _check_outputs(None, output_format)
    registry = _registry(providers)
    names = registry.select(provider)
    present: dict[str, set[str]] = {}
    if config.is_file():
        doc = _load(config)
        present = {
            n: {m for _, m in rows} for n, rows in entries_by_provider(doc, registry, names).items()
        }
    cache = _cache_policy(cache_dir, cache_ttl, no_cache, offline)
    outcomes = _fetch(
        [Job(registry.providers[n]) for n in names], registry, verbose, cache, deadline=timeout
    )[0]
    catalogs = {job.name: o.catalog for job, o in outcomes.items() if o.catalog is not None}
    rows = search(query, catalogs, present, max_price, min_context)
    unavailable = {
        job.name: o.error or f"skipped: {o.skipped}"
        for job, o in outcomes.items()
        if o.catalog is None
    }
    if output_format == "json":
        _echo_json({"version": 1, "query": query, "results": [r.as_json() for r in rows],
                    "searched": sorted(catalogs), "unavailable": unavailable})  # fmt: skip
    elif not catalogs:  # not "nothing matched": nothing could be asked
        why = "; ".join(f"{n}: {w}" for n, w in unavailable.items()) if verbose else ""
        _echo(
            f"llmsync: no catalogue could be read ({len(unavailable)} failed or skipped"
            f"{': ' + why if why else ', --verbose says why'}); nothing was searched",
            err=True,
        )
    else:
        out, _ = consoles()
        print_found(out, query, rows, len(catalogs))
        if unavailable and verbose:
            for name, why in unavailable.items():
                _echo(f"{name}: {why}", err=True)
        elif unavailable:
            _echo(f"not asked or failed: {', '.join(unavailable)} (--verbose says why)", err=True)
    return 0 if rows else 1


@app.command("remove-model")
@_handles_errors
def remove_model(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="model_name(s) to remove (with --model: model ids).", show_default=False
        ),
    ] = None,
    provider: Annotated[
        list[str],
        typer.Option(
            "--provider", "-p", help="Remove every entry of this provider instead (repeatable)."
        ),
    ] = [],  # noqa: B006
    by_model: Annotated[
        bool, typer.Option("--model", help="NAMES are litellm_params.model ids, not model_names.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Remove even if routes would dangle (kept, reported).")
    ] = False,
    prune_routes: Annotated[
        bool,
        typer.Option("--prune-routes", help="Also edit router_settings routes that name them."),
    ] = False,
    config: ConfigOpt = Path("config.yaml"),
    providers: ProvidersOpt = None,
    dry_run: DryRunOpt = False,
    backup: BackupOpt = False,
    in_place: InPlaceOpt = False,
    verbose: VerboseOpt = False,
) -> int:
    """Remove entries by model_name (or model id), or every entry of a provider, with the
    comments that belong to them."""
    from llmsync.commands.remove_model import plan_remove, plan_remove_provider
    from llmsync.errors import LlmsyncError

    if bool(names) == bool(provider):
        raise LlmsyncError("remove-model takes model names or --provider NAME, one of the two")
    if provider and ("all" in provider or by_model):
        raise LlmsyncError("--provider takes provider names (not 'all'), without --model")
    with _editing(config, dry_run):
        doc = _load(config)
        if provider:
            registry = _registry(providers)
            chosen = registry.select(provider)
            plan = plan_remove_provider(doc, registry, chosen, force, prune_routes)
        else:
            plan = plan_remove(doc, names or [], by_model, force, prune_routes)
        return _finish(
            doc, plan, dry_run=dry_run, backup=backup, in_place=in_place, verbose=verbose
        )


@app.command()
@_handles_errors
def sort(
    config: ConfigOpt = Path("config.yaml"),
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if model_list is not sorted; change nothing.")
    ] = False,
    dry_run: DryRunOpt = False,
    backup: BackupOpt = False,
    in_place: InPlaceOpt = False,
    verbose: VerboseOpt = False,
) -> int:
    """Order model_list by model_name, then litellm_params.model (case-insensitive)."""
    from llmsync.commands.sort import first_unsorted, plan_sort

    with _editing(config, dry_run or check):
        doc = _load(config)
        if check:
            pair = first_unsorted(doc.entries)
            if pair is None:
                _echo(f"{config}: model_list is sorted ({len(doc.entries)} entries)")
                return 0
            a, b = pair
            _echo(
                f"{config}:{b.dash_line + 1}: not sorted: {b.label()} should come before {a.label()}"
            )
            return 1
        plan = plan_sort(doc)
        return _finish(
            doc, plan, dry_run=dry_run, backup=backup, in_place=in_place, verbose=verbose
        )


@app.command()
@_handles_errors
def generate(
    config: ConfigOpt = Path("config.yaml"),
    providers: ProvidersOpt = None,
    dry_run: DryRunOpt = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if config.yaml is stale; change nothing.")
    ] = False,
    backup: BackupOpt = False,
    in_place: InPlaceOpt = False,
    verbose: VerboseOpt = False,
    timeout: TimeoutOpt = None,
    output_format: FormatOpt = "text",
) -> int:
    """Write entries for the model servers declared under `sources:` in providers.yaml."""

    from llmsync.errors import LlmsyncError

    _load_env()
    _check_outputs(None, output_format)
    registry = _registry(providers)
    if not registry.sources:  # not "no changes": there was nothing to ask
        raise LlmsyncError(
            f"no sources to generate from: declare model servers under `sources:` in "
            f"providers.yaml or providers.local.yaml ({registry.source} has none)"
        )
    return _generate(
        config, registry, dry_run, check, backup, verbose, in_place, timeout, output_format
    )


def _generate(
    config: Path,
    registry: Any,
    dry_run: bool,
    check: bool,
    backup: bool,
    verbose: bool,
    in_place: bool = False,
    timeout: float | None = None,
    output_format: str = "text",
) -> int:
    from llmsync.catalogues.servers import discover_all
    from llmsync.commands.generate import plan_generate

    with _editing(config, dry_run or check):
        doc = _load(config)
        discoveries = discover_all(registry.sources, registry.defaults, timeout)
        plan = plan_generate(doc, registry, discoveries)
        if check:
            _finish(
                doc, plan, dry_run=True, backup=False, verbose=verbose, output_format=output_format
            )
            return 1 if plan.changes or plan.needs_attention else 0
        code = _finish(
            doc,
            plan,
            dry_run=dry_run,
            backup=backup,
            in_place=in_place,
            verbose=verbose,
            output_format=output_format,
        )
    return max(code, 1 if plan.needs_attention else 0)


@app.command()
@_handles_errors
def push(
    ctx: typer.Context,
    proxy: Annotated[
        str,
        typer.Option(
            "--proxy",
            help="The proxy's base URL, e.g. http://localhost:4000 (else LITELLM_PROXY_URL).",
            show_default=False,
        ),
    ] = "",
    config: ConfigOpt = Path("config.yaml"),
    master_key_env: Annotated[
        str,
        typer.Option("--master-key-env", help="Variable holding the proxy's master key."),
    ] = "LITELLM_MASTER_KEY",
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Label marking llmsync's rows. Default: the repository and the file's path in it.",
        ),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete llmsync's rows whose entry left the file.")
    ] = False,
    max_delete: Annotated[
        int, typer.Option("--max-delete", min=0, help="Refuse to delete more rows than this.")
    ] = 10,
    force: Annotated[bool, typer.Option("--force", help="Delete beyond --max-delete.")] = False,
    routes: Annotated[
        bool,
        typer.Option("--routes", help="Also push router_settings aliases and fallbacks."),
    ] = False,
    resolve_env: Annotated[
        bool,
        typer.Option(
            "--resolve-env", help="Send os.environ/X values, not the references the proxy resolves."
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1.0, help="Seconds each request to the proxy may take."),
    ] = 30.0,
    dry_run: DryRunOpt = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the proxy has drifted; change nothing.")
    ] = False,
    report: ReportOpt = None,
    output_format: FormatOpt = "text",
    every: Annotated[
        float | None,
        typer.Option(
            "--every",
            min=1.0,
            help="Repeat (generate when sources are declared, then push) every SECONDS until SIGTERM.",
            show_default=False,
        ),
    ] = None,
    providers: ProvidersOpt = None,
    in_place: InPlaceOpt = False,
    verbose: VerboseOpt = False,
) -> int:
    """Make a running proxy's database models match config.yaml (llmsync's own rows only)."""
    import os

    from llmsync.commands.push.run import PushOptions, choose_owner
    from llmsync.errors import LlmsyncError

    _load_env()
    _check_outputs(report, output_format)
    proxy = _proxy_url(proxy or os.environ.get("LITELLM_PROXY_URL", ""))
    # LiteLLM's own proxy CLI reads LITELLM_PROXY_API_KEY: the same key, when the other is unset
    key = os.environ.get(master_key_env) or (
        os.environ.get("LITELLM_PROXY_API_KEY") if master_key_env == "LITELLM_MASTER_KEY" else None
    )
    if not key:
        raise LlmsyncError(
            f"set {master_key_env} (or LITELLM_PROXY_API_KEY) to the proxy's master key "
            "(--master-key-env)"
        )
    from llmsync import redact

    redact.active().remember_fragments([key])  # any master key, even "sk-1234"
    options = PushOptions(prune, max_delete, force, routes, resolve_env, timeout)
    round_ = functools.partial(
        _push_round, ctx, config, proxy, key, choose_owner(config, owner), options
    )
    if every is None:
        return round_(dry_run or check, check, report, output_format)
    return _push_every(every, config, providers, verbose, round_, report, in_place)


def _push_round(
    ctx: typer.Context | None,
    config: Path,
    proxy: str,
    key: str,
    owner: Any,
    options: Any,
    read_only: bool,
    check: bool,
    report: Path | None,
    output_format: str,
) -> int:
    """One push: plan, show, apply (unless read-only). Returns the exit code."""
    from llmsync.commands.push import show
    from llmsync.commands.push.run import exit_code, push_round
    from llmsync.errors import LlmsyncError
    from llmsync.files import write_atomic
    from llmsync.redact import redact_data

    plan = push_round(_load(config), proxy, key, owner, options, read_only)
    if output_format == "json":
        _echo_json(show.as_json(plan))
    else:
        _echo("\n".join(show.lines(plan)))
    if output_format == "text" and read_only and not check:
        _echo(
            f"Dry run: the proxy was not changed ({len(plan.of('create', 'update', 'replace', 'delete'))} operation(s) planned)"
        )
    for note in plan.notes:
        _echo(f"note: {note}", err=True)
    if plan.held:
        _echo(f"held: {plan.held}", err=True)
    if report is not None:
        command = _command_line(ctx) if ctx else "llmsync push"
        try:
            write_atomic(report, redact_data(show.markdown(plan, command)))
        except LlmsyncError as exc:
            raise _after_writes(exc, ["the proxy"] if plan.applied else []) from None
    return exit_code(plan, check)


def _push_every(
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

    from llmsync.errors import LlmsyncError

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    registry = _registry(providers)
    round_no = 0
    while not stop:
        round_no += 1
        started = time.strftime("%Y-%m-%dT%H:%M:%S")
        try:
            if registry.sources:
                _generate(config, registry, False, False, False, verbose, in_place)
            code = round_(False, False, report, "text")
        except LlmsyncError as exc:
            _echo(f"{started} round {round_no}: failed: {exc}", err=True)
        else:
            _echo(f"{started} round {round_no}: exit {code}", err=True)
        deadline = time.monotonic() + every
        while not stop and time.monotonic() < deadline:
            time.sleep(min(0.2, every))
    _echo(f"stopped after {round_no} round(s)", err=True)
    return 0


@app.command()
@_handles_errors
def validate(
    config: ConfigOpt = Path("config.yaml"),
    output_format: Annotated[
        str,
        typer.Option(
            "--format", help="text, json (a stable schema), github (annotations) or sarif."
        ),
    ] = "text",
    online: Annotated[
        bool, typer.Option("--online", help="Also check every hosted model against its catalogue.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Warnings fail too; build LiteLLM's Router per entry."),
    ] = False,
    select: Annotated[
        list[str],
        typer.Option("--select", help="Only these codes (or prefixes: E04), repeatable."),
    ] = [],  # noqa: B006
    ignore: Annotated[
        list[str], typer.Option("--ignore", help="Not these codes (or prefixes), repeatable.")
    ] = [],  # noqa: B006
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="Print every rule's code, name and doc; exit.")
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="The config before a change: its findings are not reported (only new ones).",
            dir_okay=False,
        ),
    ] = None,
    providers: ProvidersOpt = None,
    verbose: VerboseOpt = False,
    cache_dir: CacheDirOpt = None,
    cache_ttl: CacheTtlOpt = 3600.0,
    no_cache: NoCacheOpt = False,
    offline: OfflineOpt = False,
) -> int:
    """Check config.yaml (and its include: files) without changing anything."""
    import os

    from llmsync import redact
    from llmsync.errors import LlmsyncError
    from llmsync.lint import Validator
    from llmsync.lint.output import FORMATS, render, rules_table, sarif

    if output_format not in FORMATS:
        raise LlmsyncError(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    if list_rules:
        if output_format == "json":
            from llmsync.lint.core import RULES

            rules = [
                {"code": r.code, "name": r.name, "severity": r.severity, "doc": r.doc}
                for r in sorted(RULES.values(), key=lambda r: (r.code[1:], r.code))
            ]
            _echo_json({"version": 1, "rules": rules})
        else:
            _echo(rules_table())
        return 0
    _check_codes([*select, *ignore])
    _load_env()
    validator = Validator(os.environ, select=select, ignore=ignore)
    report = validator.run(config)
    for doc in validator.docs:
        redact.active().remember_literals(doc.literal_secrets())
        redact.active().remember_fragments(doc.secret_fragments())
    if online and validator.docs:
        from llmsync.catalogues.fetch import Job
        from llmsync.commands.common import entries_by_provider

        registry = _registry(providers)
        names = list(registry.providers)
        wanted = {
            n
            for d in validator.docs
            for n, m in entries_by_provider(d, registry, names).items()
            if m
        }
        outcomes, discoveries, _ = _fetch(
            [Job(registry.providers[n]) for n in names if n in wanted],
            registry,
            verbose,
            _cache_policy(cache_dir, cache_ttl, no_cache, offline),
            sources=bool(registry.sources),
        )
        outcomes = {job.name: outcome for job, outcome in outcomes.items()}
        validator.check_online(registry, outcomes)
        validator.check_sources(discoveries)
    if strict:
        validator.check_with_router()
    if baseline is not None:
        known = Validator(os.environ, select=select, ignore=ignore).run(baseline)
        dropped = report.drop_known(known)
        if dropped:
            _echo(f"{dropped} finding(s) also in {baseline}: not shown", err=True)
    if output_format in ("json", "sarif"):
        _echo_json(report.as_json(strict) if output_format == "json" else sarif(report))
    else:
        text = render(report, output_format, strict)
        if text:
            _echo(text)
    return report.exit_code(strict)


init_app = typer.Typer(help="Set llmsync up in a config repository.", no_args_is_help=True)
app.add_typer(init_app, name="init")


@init_app.command("github")
@_handles_errors
def init_github(
    config: ConfigOpt = Path("config.yaml"),
    repository: Annotated[
        Path, typer.Option("--repo", help="The config repository's root.", file_okay=False)
    ] = Path("."),
    action: Annotated[
        str,
        typer.Option("--action", help="The llmsync action to use: OWNER/REPO@TAG or @SHA."),
    ] = "",
    providers: ProvidersOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the workflow; write nothing.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing workflow.")] = False,
) -> int:
    """Write .github/workflows/llmsync-weekly.yml: a weekly pull request that keeps the config true."""
    from llmsync import __version__
    from llmsync.commands import init_github as init

    path = config if config.is_absolute() else repository / config
    doc = _load(path)
    secrets = init.secrets_for(doc, _registry(providers))
    inside = path.resolve().relative_to(repository.resolve()).as_posix()
    workflow = init.weekly_workflow(inside, secrets, action or init.ACTION, __version__)
    if dry_run:
        _echo(workflow.text.rstrip("\n"))
        return 0
    written = init.write_workflow(repository, workflow, force)
    _echo(f"wrote {written} (reads {len(secrets)} secret(s): {', '.join(secrets) or 'none'})")
    _echo("next: add those secrets in the repository's Settings > Secrets and variables > Actions")
    return 0


@app.command("providers")
@_handles_errors
def list_providers(
    providers: ProvidersOpt = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text, or json: the registry as JSON on stdout.")
    ] = "text",
) -> int:
    """List the provider registry: what `--provider all` covers (key values are never shown)."""
    import os

    from rich.table import Table

    from llmsync.render import consoles

    _load_env()
    _check_outputs(None, output_format)
    registry = _registry(providers)
    if output_format == "json":
        _echo_json(_registry_json(registry))
        return 0
    out, _ = consoles()
    table = Table(title=f"Providers ({registry.source})", title_justify="left")
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
        sources = Table(title="Sources (generate)", title_justify="left")
        for column in ("source", "type", "base_url"):
            sources.add_column(column, overflow="fold")
        for name, source in registry.sources.items():
            sources.add_row(name, source.type, source.base_url)
        out.print(sources)
    return 0


def _registry_json(registry: Registry) -> dict:
    """`providers --format json`: the table's facts as data (a key's variable, never its value)."""
    import os

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


# --------------------------------------------------------------------------- shared steps


def _load_env() -> None:
    from dotenv import load_dotenv

    env = Path.cwd() / ".env"
    if env.is_file():
        load_dotenv(env, override=False)  # the real environment wins over .env


def _registry(path: Path | None, prefer: str | None = None) -> Registry:
    """providers.yaml; the variables it names as keys are secrets to every output.
    ``prefer``: --prefer, over the registry's pricebooks.prefer."""
    from llmsync import redact
    from llmsync.errors import LlmsyncError
    from llmsync.registry import Registry

    registry = Registry.load(path)
    if prefer is not None:
        if prefer not in ("models.dev", "costmap"):
            raise LlmsyncError(f"--prefer must be models.dev or costmap, not {prefer!r}")
        registry.pricebooks = registry.pricebooks.model_copy(update={"prefer": prefer})
    redact.active().remember_variables(
        [p.spec.api_key_env for p in registry.providers.values()]
        + [s.api_key_env for s in registry.sources.values()]
    )
    return registry


def _load(config: Path) -> ConfigDocument:
    import gc

    from llmsync import redact
    from llmsync.document import ConfigDocument

    doc = ConfigDocument.load_with_includes(config)
    for each in doc.documents:
        redact.active().remember_literals(each.literal_secrets())
        redact.active().remember_fragments(each.secret_fragments())
    # The parsed node graph lives for the whole run; without this the cyclic GC re-walks it
    # again and again and large configs stop scaling linearly (measured: 8,000 entries 2x).
    gc.freeze()
    return doc


def _editing(config: Path, read_only: bool):
    import contextlib

    from llmsync.files import locked

    if read_only or not config.exists():
        return contextlib.nullcontext()
    return locked(config)


def _check_outputs(report: Path | None, output_format: str) -> None:
    """Refuse bad output options before any network work is done."""
    from llmsync.errors import LlmsyncError
    from llmsync.files import require_writable

    if output_format not in ("text", "json"):
        raise LlmsyncError(f"--format must be text or json, not {output_format!r}")
    if report is not None:
        require_writable(report)


def _cache_policy(cache_dir: Path | None, ttl: float, no_cache: bool, offline: bool) -> Any:
    from llmsync.catalogues.cache import CachePolicy, default_cache_dir
    from llmsync.errors import LlmsyncError

    if no_cache and offline:
        raise LlmsyncError("--offline needs the cache; drop --no-cache")
    if offline:
        _echo("llmsync: offline: using cached catalogues only", err=True)
    return CachePolicy(None if no_cache else cache_dir or default_cache_dir(), ttl, offline)


def _fetch(
    jobs: list,
    registry: Any,
    verbose: bool,
    cache: Any = None,
    sources: bool = False,
    servers: list | None = None,
    deadline: float | None = None,
) -> tuple[dict, dict, dict]:
    """All network work of a command at once, within one deadline: the catalogues of
    ``jobs`` (with the price books they need), generate's sources, self-hosted ``servers``."""
    import asyncio

    from llmsync import __version__
    from llmsync.catalogues.cache import CachePolicy
    from llmsync.catalogues.fetch import fetch_all
    from llmsync.catalogues.http import client as http_client
    from llmsync.catalogues.servers import check_servers, discover
    from llmsync.render import consoles, on_terminal

    _, err = consoles()
    # a live display only on a real TTY: FORCE_COLOR in CI colours, it does not animate the log
    display = _FetchDisplay(err, [job.name for job in jobs]) if on_terminal(err.file) else None

    def progress(outcome: Any) -> None:
        if display is not None:
            display.finished(outcome)
        if verbose and outcome.skipped:
            err.print(f"- {outcome.provider}: skipped ({outcome.skipped})", markup=False)
        elif verbose and outcome.error:
            err.print(f"✗ {outcome.provider}: {outcome.error}", markup=False)
        elif verbose:
            count = len(outcome.catalog.models)
            err.print(
                f"✓ {outcome.provider}: {count} models in {outcome.seconds:.2f}s", markup=False
            )

    async def work() -> tuple[dict, dict, dict]:
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
                discover(registry.sources, registry.defaults, limit, http)
                if sources
                else _nothing()
            )
            if cache is not None and cache.offline:  # --offline contacts nothing at all
                checked = _offline_servers(servers or [])
            elif servers:
                checked = asyncio.wait_for(check_servers(servers, registry.defaults, http), limit)
            else:
                checked = _nothing()
            return tuple(await asyncio.gather(catalogues, found, checked))  # type: ignore[return-value]

    if display is not None and jobs:
        with display:
            return asyncio.run(work())
    return asyncio.run(work())


class _FetchDisplay:
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

    def __enter__(self) -> _FetchDisplay:
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


def _finish(
    doc: ConfigDocument,
    plan: Plan,
    *,
    dry_run: bool,
    backup: bool,
    verbose: bool,
    in_place: bool = False,
    report: Path | None = None,
    output_format: str = "text",
    ctx: typer.Context | None = None,
) -> int:
    """Render the plan; write it unless this is a dry run. Returns the exit code."""
    from llmsync.errors import LlmsyncError
    from llmsync.files import require_unchanged, require_writable, write_atomic
    from llmsync.plan import edit
    from llmsync.render import consoles, print_diff, print_notes, print_summary

    if output_format not in ("text", "json"):
        raise LlmsyncError(f"--format must be text or json, not {output_format!r}")
    out, err = consoles()
    # Every file the plan edits (the config and its include: files), verified before any write.
    changed = [e for e in (edit(d, plan) for d in doc.documents) if e.text != e.doc.full_text()]
    edits = [(e.doc, e.text) for e in changed]
    # The diff comes from the splices; it is built only when it is shown or reported.
    shown = report is not None or output_format == "json" or dry_run or verbose
    diff = "".join(e.diff(_diff_name(e.doc)) for e in changed) if shown else None
    data = None
    if report is not None or output_format == "json":
        from llmsync import report as reporting
        from llmsync.redact import redact_data

        data = redact_data(reporting.build(plan, diff, _command_line(ctx) if ctx else "llmsync"))
        if output_format == "json":
            import json

            typer.echo(json.dumps(data, indent=2))  # redacted above, as data
    if output_format == "text":
        if diff and (dry_run or verbose):
            print_diff(out, diff)
        print_summary(out, plan)
    print_notes(err, plan)
    status = out if output_format == "text" else err  # JSON output keeps stdout pure
    names = ", ".join(d.name for d, _ in edits)
    caveat = _caveat(plan)
    if not edits:
        status.print(f"{doc.name}: no changes{caveat}")
    elif dry_run:
        status.print(
            f"Dry run: {names} left unchanged ({len(plan.changes)} change(s) would be written)"
            f"{caveat}"
        )
    else:
        for d, _ in edits:  # all still as read and writable, or none is written
            require_unchanged(d.path, d.snapshot)
            require_writable(d.path, in_place)
        saved, written = [], []
        try:
            for d, text in edits:
                saved.append(write_atomic(d.path, text, backup, d.snapshot, in_place))
                written.append(d.name)
        except LlmsyncError as exc:
            raise _after_writes(exc, written) from None
        kept = (
            "; previous version in " + ", ".join(str(b) for b in saved if b) if any(saved) else ""
        )
        status.print(f"Wrote {names} ({len(plan.changes)} change(s){kept}){caveat}")
    if report is not None and data is not None:
        try:
            write_atomic(report, reporting.markdown(data))
        except LlmsyncError as exc:
            raise _after_writes(exc, [d.name for d, _ in edits] if not dry_run else []) from None
    return 0


def _check_codes(codes: list[str]) -> None:
    """--select / --ignore: a code or prefix no rule has is a typo, not "nothing selected"."""
    from llmsync.errors import LlmsyncError
    from llmsync.lint.core import RULES

    for code in codes:
        if not any(known.startswith(code) for known in RULES):
            raise LlmsyncError(f"no rule code starts with {code!r} (validate --list-rules)")


def _proxy_url(value: str) -> str:
    """--proxy (or LITELLM_PROXY_URL) as an http(s) URL; anything else is a usage error."""
    from urllib.parse import urlsplit

    from llmsync.errors import LlmsyncError

    if not value:
        raise LlmsyncError("--proxy URL is needed (or set LITELLM_PROXY_URL)")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        shown = "the value given" if "@" in value else repr(value)  # may hold a password
        raise LlmsyncError(
            f"--proxy must be an http(s) URL such as http://localhost:4000, not {shown}"
        )
    return value


def _caveat(plan: Plan) -> str:
    """The last line never reads like success when something was not done: failed providers
    and held-back changes are counted there too (they also set exit 1)."""
    failed = [r for r in plan.providers.values() if r.error]
    parts = []
    if failed:
        parts.append(
            f"{len(failed)} of {len(plan.providers)} provider(s) failed "
            "(nothing of theirs was changed)"
        )
    if plan.held:
        parts.append(f"{len(plan.held)} change(s) held back for review")
    guarded = [r.name for r in plan.providers.values() if r.held]
    if guarded:
        parts.append(f"removals held back for {', '.join(guarded)} (--force)")
    return "; " + "; ".join(parts) if parts else ""


def _after_writes(exc: Exception, written: list[str]) -> Exception:
    """``exc`` as it is true after ``written`` were already written: never "nothing was
    written" once something was."""
    if not written:
        return exc
    message = str(exc).replace("; nothing was written", "")
    error = type(exc)(f"{message} ({', '.join(written)} already written)")
    return error


def _diff_name(doc: ConfigDocument) -> str:
    """The root config by its file name (as before includes); included files as shown."""
    return doc.path.name if doc.path and doc.includer is None else doc.name


def _command_line(ctx: typer.Context) -> str:
    """The command as typed, rebuilt from what came from the command line (stable across runs)."""
    import shlex

    words = ["llmsync", ctx.info_name or ""]
    arguments: list[str] = []
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name)
        if source is None or source.name != "COMMANDLINE":  # not defaults, not the environment
            continue
        value = ctx.params.get(param.name)
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        if param.param_type_name == "argument":
            arguments += [str(v) for v in values]
        elif isinstance(value, bool):
            words.append(max(param.opts, key=len))
        else:
            for item in values:
                words += [max(param.opts, key=len), str(item)]
    return shlex.join(words + arguments)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # e.g. `llmsync ... | head`
        sys.exit(0)
