"""The steps every command shares, each done one way: printing through the redaction point,
turning failures into exit codes, reading .env, loading the provider registry and the
config (its secrets remembered), the config's lock, output checks, the catalogue cache policy.

Cheap to import (Typer and the standard library); each step imports what it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from llmsync.document import ConfigDocument
    from llmsync.registry import Registry


def echo(text: str, err: bool = False) -> None:
    """Print plain text; like everything llmsync shows, through the one redaction point."""
    from llmsync.redact import redact

    typer.echo(redact(text), err=err)


def echo_json(data: Any) -> None:
    """Print a JSON document: redacted once, as data, then serialised (a second pass over the
    serialised text would see JSON escapes and could break the document)."""
    import json

    from llmsync.redact import redact_data

    typer.echo(json.dumps(redact_data(data), indent=2))


def run_command(module: str, options: dict[str, Any]) -> None:
    """Run a command: ``run`` in ``module`` (imported only now) with the command's options.
    Ends in typer.Exit with its exit code; expected failures become one line on stderr and a
    documented exit code."""
    from importlib import import_module

    from llmsync import redact
    from llmsync.errors import EXIT_BUG, EXIT_USAGE, LlmsyncError

    redact.reset()  # secrets of this command only (tests run many in one process)
    try:
        code = import_module(module).run(**options)
    except LlmsyncError as exc:
        echo(f"llmsync: error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        echo("llmsync: interrupted; the config was not changed", err=True)
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except OSError as exc:  # the user's environment (permissions, full disk...), not a bug
        where = f"{exc.filename}: " if exc.filename else ""
        echo(f"llmsync: error: {where}{exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as exc:
        echo(
            f"llmsync: internal error: {type(exc).__name__}: {exc} (the config was not changed; please report this)",
            err=True,
        )
        raise typer.Exit(EXIT_BUG) from None
    raise typer.Exit(code)


def load_env() -> None:
    """./.env into the environment; the real environment wins."""
    env = Path.cwd() / ".env"
    if env.is_file():
        from dotenv import load_dotenv

        load_dotenv(env, override=False)  # the real environment wins over .env


def load_registry(path: Path | None, prefer: str | None = None) -> Registry:
    """providers.yaml; the variables it names as keys are secrets to every output.
    ``prefer``: --prefer, over the registry's pricebooks.prefer."""
    from llmsync import redact
    from llmsync.errors import LlmsyncError
    from llmsync.registry import Registry

    loaded = Registry.load(path)
    if prefer is not None:
        if prefer not in ("models.dev", "costmap"):
            raise LlmsyncError(f"--prefer must be models.dev or costmap, not {prefer!r}")
        loaded.pricebooks = loaded.pricebooks.model_copy(update={"prefer": prefer})
    redact.active().remember_variables(
        [p.spec.api_key_env for p in loaded.providers.values()]
        + [s.api_key_env for s in loaded.sources.values()]
    )
    return loaded


def load_config(config: Path) -> ConfigDocument:
    """The config and its include: files; their secrets are remembered for every output."""
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


def editing(config: Path, read_only: bool) -> Any:
    """The config's lock for a run that may write it (none when read-only or no file yet)."""
    import contextlib

    from llmsync.files import locked

    if read_only or not config.exists():
        return contextlib.nullcontext()
    return locked(config)


def check_outputs(report: Path | None, output_format: str) -> None:
    """Refuse bad output options before any network work is done."""
    from llmsync.errors import LlmsyncError
    from llmsync.files import require_writable

    if output_format not in ("text", "json"):
        raise LlmsyncError(f"--format must be text or json, not {output_format!r}")
    if report is not None:
        require_writable(report)


def cache_policy(cache_dir: Path | None, ttl: float, no_cache: bool, offline: bool) -> Any:
    """--cache-dir, --cache-ttl, --no-cache, --offline as one CachePolicy."""
    from llmsync.catalogues.cache import CachePolicy, default_cache_dir
    from llmsync.errors import LlmsyncError

    if no_cache and offline:
        raise LlmsyncError("--offline needs the cache; drop --no-cache")
    if offline:
        echo("llmsync: offline: using cached catalogues only", err=True)
    return CachePolicy(None if no_cache else cache_dir or default_cache_dir(), ttl, offline)
