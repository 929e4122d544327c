"""The program's entry (``llmsync``, ``python -m llmsync``): what a run sets up before the
command line is parsed. The commands and their options are :mod:`llmsync.cli`.

- The garbage collector's first generation runs less often: a run allocates ~10^6 objects and
  frees few cycles, and the default threshold (700) walks young objects hundreds of times,
  ~5% of a short run. It still runs, so a long ``push --every`` loop stays bounded.
- Typer builds a Click command (signature, type hints, every option) for each command it holds,
  on every run: ~15 ms for all of them where a run needs one. :func:`app_for` gives it only
  the command named.
- A closed pipe (``llmsync ... | head``) ends the run quietly.
"""

from __future__ import annotations

import copy
import gc
import os
import sys

gc.set_threshold(50_000, 20, 20)  # before the imports below: they allocate the most

import typer  # noqa: E402
from typer.main import get_command_name  # noqa: E402

from llmsync.cli import app  # noqa: E402


def main() -> None:
    try:
        app_for(sys.argv[1:])()
    except BrokenPipeError:  # e.g. `llmsync ... | head`
        sys.exit(0)


def app_for(args: list[str]) -> typer.Typer:
    """The app holding only the command ``args`` names, when it names one. Anything else (no
    command, a group such as ``init``, an unknown name, shell completion) gets the whole app,
    so top-level help, did-you-mean and completion are unchanged; a command's own help and
    errors read the same either way (tested for every command)."""
    if not args or any(name.endswith("_COMPLETE") for name in os.environ):
        return app
    named = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(info.callback.__name__)) == args[0]  # type: ignore[union-attr]
    ]
    if not named:
        return app
    narrow = copy.copy(app)
    narrow.registered_commands = named
    narrow.registered_groups = []
    return narrow
