"""The command line: it parses and delegates. Each command is its options and one call into
its module under llmsync.commands, which returns the exit code.

The commands' modules, and the heavy ones they use (httpx, ruamel, pydantic, rich), are
imported only when a command runs, so ``llmsync --help`` costs little more than Typer itself.
Shared option types: llmsync.options; steps every command shares: llmsync.steps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmsync import options as opt
from llmsync.steps import run_command

app = typer.Typer(
    name="llmsync",
    help="Keep a LiteLLM proxy config.yaml true: prune retired models, reprice, add and sort entries.",
    add_completion=True,  # --install-completion / --show-completion
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # tracebacks could show API keys in locals
    rich_markup_mode=None,
)


@app.callback()
def _main(version: opt.Version = False) -> None:
    """Keep a LiteLLM proxy config.yaml true: prune retired models, reprice, add and sort entries."""


@app.command()
def cleanup(
    ctx: typer.Context,
    provider: Annotated[
        list[str], typer.Option("--provider", "-p", help="Provider name, repeatable, or 'all'.")
    ] = ["all"],  # noqa: B006
    config: opt.Config = Path("config.yaml"),
    providers: opt.Providers = None,
    dry_run: opt.DryRun = False,
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
    timeout: opt.Timeout = None,
    prefer: opt.Prefer = None,
    backup: opt.Backup = False,
    in_place: opt.InPlace = False,
    report: opt.Report = None,
    output_format: opt.Format = "text",
    verbose: opt.Verbose = False,
    cache_dir: opt.CacheDir = None,
    cache_ttl: opt.CacheTtl = 3600.0,
    no_cache: opt.NoCache = False,
    offline: opt.Offline = False,
) -> None:
    """Remove entries whose model left its provider's catalogue and update prices that changed."""
    run_command("llmsync.commands.cleanup_run", locals())


@app.command("add-model")
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
    config: opt.Config = Path("config.yaml"),
    providers: opt.Providers = None,
    dry_run: opt.DryRun = False,
    backup: opt.Backup = False,
    in_place: opt.InPlace = False,
    report: opt.Report = None,
    output_format: opt.Format = "text",
    verbose: opt.Verbose = False,
    cache_dir: opt.CacheDir = None,
    cache_ttl: opt.CacheTtl = 3600.0,
    no_cache: opt.NoCache = False,
    offline: opt.Offline = False,
    prefer: opt.Prefer = None,
) -> None:
    """Add models from a provider's catalogue with their prices, mode and limits."""
    run_command("llmsync.commands.add_model", locals())


@app.command()
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
    config: opt.Config = Path("config.yaml"),
    providers: opt.Providers = None,
    output_format: opt.Format = "text",
    verbose: opt.Verbose = False,
    timeout: opt.Timeout = None,
    cache_dir: opt.CacheDir = None,
    cache_ttl: opt.CacheTtl = 3600.0,
    no_cache: opt.NoCache = False,
    offline: opt.Offline = False,
) -> None:
    """Find a model in every catalogue: who serves it, at what price and context."""
    run_command("llmsync.commands.find", locals())


@app.command("remove-model")
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
    config: opt.Config = Path("config.yaml"),
    providers: opt.Providers = None,
    dry_run: opt.DryRun = False,
    backup: opt.Backup = False,
    in_place: opt.InPlace = False,
    verbose: opt.Verbose = False,
) -> None:
    """Remove entries by model_name (or model id), or every entry of a provider, with the
    comments that belong to them."""
    run_command("llmsync.commands.remove_model", locals())


@app.command()
def sort(
    config: opt.Config = Path("config.yaml"),
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if model_list is not sorted; change nothing.")
    ] = False,
    dry_run: opt.DryRun = False,
    backup: opt.Backup = False,
    in_place: opt.InPlace = False,
    verbose: opt.Verbose = False,
) -> None:
    """Order model_list by model_name, then litellm_params.model (case-insensitive)."""
    run_command("llmsync.commands.sort", locals())


@app.command()
def generate(
    config: opt.Config = Path("config.yaml"),
    providers: opt.Providers = None,
    dry_run: opt.DryRun = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if config.yaml is stale; change nothing.")
    ] = False,
    backup: opt.Backup = False,
    in_place: opt.InPlace = False,
    verbose: opt.Verbose = False,
    timeout: opt.Timeout = None,
    output_format: opt.Format = "text",
) -> None:
    """Write entries for the model servers declared under `sources:` in providers.yaml."""
    run_command("llmsync.commands.generate", locals())


@app.command()
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
    config: opt.Config = Path("config.yaml"),
    master_key_env: Annotated[
        str, typer.Option("--master-key-env", help="Variable holding the proxy's master key.")
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
        bool, typer.Option("--routes", help="Also push router_settings aliases and fallbacks.")
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
    dry_run: opt.DryRun = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the proxy has drifted; change nothing.")
    ] = False,
    report: opt.Report = None,
    output_format: opt.Format = "text",
    every: Annotated[
        float | None,
        typer.Option(
            "--every",
            min=1.0,
            help="Repeat (generate when sources are declared, then push) every SECONDS until SIGTERM.",
            show_default=False,
        ),
    ] = None,
    providers: opt.Providers = None,
    in_place: opt.InPlace = False,
    verbose: opt.Verbose = False,
) -> None:
    """Make a running proxy's database models match config.yaml (llmsync's own rows only)."""
    run_command("llmsync.commands.push.rounds", locals())


@app.command()
def validate(
    config: opt.Config = Path("config.yaml"),
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
        bool, typer.Option("--strict", help="Warnings fail too; build LiteLLM's Router per entry.")
    ] = False,
    select: Annotated[
        list[str], typer.Option("--select", help="Only these codes (or prefixes: E04), repeatable.")
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
    providers: opt.Providers = None,
    verbose: opt.Verbose = False,
    cache_dir: opt.CacheDir = None,
    cache_ttl: opt.CacheTtl = 3600.0,
    no_cache: opt.NoCache = False,
    offline: opt.Offline = False,
) -> None:
    """Check config.yaml (and its include: files) without changing anything."""
    run_command("llmsync.commands.validate", locals())


init_app = typer.Typer(help="Set llmsync up in a config repository.", no_args_is_help=True)
app.add_typer(init_app, name="init")


@init_app.command("github")
def init_github(
    config: opt.Config = Path("config.yaml"),
    repository: Annotated[
        Path, typer.Option("--repo", help="The config repository's root.", file_okay=False)
    ] = Path("."),
    action: Annotated[
        str, typer.Option("--action", help="The llmsync action to use: OWNER/REPO@TAG or @SHA.")
    ] = "",
    providers: opt.Providers = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the workflow; write nothing.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing workflow.")] = False,
) -> None:
    """Write .github/workflows/llmsync-weekly.yml: a weekly pull request that keeps the config true."""
    run_command("llmsync.commands.init_github", locals())


@app.command("providers")
def list_providers(
    providers: opt.Providers = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text, or json: the registry as JSON on stdout.")
    ] = "text",
) -> None:
    """List the provider registry: what `--provider all` covers (key values are never shown)."""
    run_command("llmsync.commands.providers", locals())
