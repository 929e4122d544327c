"""The option types several commands share, declared once: ``--config`` (found when not
given), ``--providers``, ``--prefer``, ``--dry-run``, the output, cache and timeout options,
and ``--version``. The command line uses them as ``opt.Config``, ``opt.DryRun``...

Only Typer and the standard library at import time: ``llmsync --help`` reads these.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _version(value: bool) -> None:
    if value:
        from llmsync import __version__

        typer.echo(f"llmsync {__version__}")
        raise typer.Exit(0)


def find_config(ctx: typer.Context, param: typer.CallbackParam, value: Path) -> Path:
    """--config when given, else found (llmsync.config_path): the env, then the usual names.
    Nothing found: one line, exit 2 (``find`` then goes on without a config)."""
    source = ctx.get_parameter_source(param.name or "config")  # Typer's own click enum
    if ctx.resilient_parsing or getattr(source, "name", "DEFAULT") != "DEFAULT":
        return value
    from llmsync.config_path import NoConfig
    from llmsync.config_path import find_config as discover
    from llmsync.steps import echo

    try:
        return discover(None)
    except NoConfig as exc:
        if ctx.info_name == "find":
            return value
        echo(f"llmsync: error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


Version = Annotated[
    bool,
    typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
]
Config = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        help="LiteLLM config to edit. Default: $LLMSYNC_CONFIG, $CONFIG_FILE_PATH, else the "
        "first of ./config.yaml, ./litellm_config.yaml, ./litellm-config.yaml.",
        dir_okay=False,
        show_default=False,
        callback=find_config,
    ),
]
Prefer = Annotated[
    str | None,
    typer.Option(
        "--prefer",
        help="When models.dev and LiteLLM's cost map disagree on a price: models.dev or costmap "
        "(default: hold the change back and show both).",
        show_default=False,
    ),
]
Providers = Annotated[
    Path | None,
    typer.Option(
        "--providers",
        help="Provider registry, merged over the built-in one (unless it says replace: true); "
        "a providers.local.yaml beside it goes over both. Default: ./providers.yaml if present.",
        dir_okay=False,
    ),
]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", "-n", help="Show the diff that would be written; change nothing."),
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Say more: fetch timings, the diff of real runs.")
]
Backup = Annotated[bool, typer.Option("--backup", help="Keep the previous file as <config>.bak.")]
InPlace = Annotated[
    bool,
    typer.Option(
        "--in-place",
        envvar="LLMSYNC_IN_PLACE",
        help="Rewrite the file itself, not replace it (hard links, a Docker single-file bind "
        "mount); not atomic: <config>.bak is written first.",
    ),
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        envvar="LLMSYNC_CACHE_DIR",
        help="Catalogue cache. Default: ~/.cache/llmsync.",
        file_okay=False,
    ),
]
CacheTtl = Annotated[
    float, typer.Option("--cache-ttl", min=0.0, help="Seconds a cached catalogue stays fresh.")
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Fetch fresh catalogues; store nothing.")]
Offline = Annotated[
    bool, typer.Option("--offline", help="Use only cached catalogues, whatever their age.")
]
Timeout = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=1.0,
        help="Seconds all fetching may take together (default: providers.yaml deadline, 45).",
        show_default=False,
    ),
]
Report = Annotated[
    Path | None,
    typer.Option(
        "--report", help="Also write a Markdown report (a pull-request body) here.", dir_okay=False
    ),
]
Format = Annotated[str, typer.Option("--format", help="text, or json: the plan as JSON on stdout.")]
