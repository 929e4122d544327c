"""Which LiteLLM config a command works on when ``--config`` does not say.

The order: ``--config``; ``LLMSYNC_CONFIG``; LiteLLM's own ``CONFIG_FILE_PATH``; then the first
of ``config.yaml``, ``litellm_config.yaml``, ``litellm-config.yaml`` in the current folder.
``--config`` and ``LLMSYNC_CONFIG`` are llmsync's own: a file missing there is an error (for
``--config``, the command's usual "no such file"). ``CONFIG_FILE_PATH`` is the proxy's: often
a path inside its container (``/app/config.yaml``), so one that is not there is passed over,
and named if nothing else is found.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from llmsync.errors import LlmsyncError

ENV = "LLMSYNC_CONFIG"
LITELLM_ENV = "CONFIG_FILE_PATH"
CANDIDATES = ("config.yaml", "litellm_config.yaml", "litellm-config.yaml")


class NoConfig(LlmsyncError):
    """No config was named and none of the usual files is here (exit 2)."""


def _present(path: Path) -> bool:
    # A folder, FIFO or dangling link counts as there: the command refuses it in one line
    # rather than llmsync silently picking another file.
    return path.exists() or path.is_symlink()


def find_config(
    given: Path | None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """The config to use: ``given`` (``--config``), else the first of the order above.
    Paths from the environment are relative to the current folder; the current folder's files
    are returned relative (``config.yaml``), as messages show them. Nothing found: NoConfig."""
    if given is not None:
        return given
    environ = os.environ if environ is None else environ
    ours = environ.get(ENV, "").strip()
    if ours:
        if not _present(Path(ours)):
            raise NoConfig(f"{ENV}={ours}: no such file (unset it, or pass --config FILE)")
        return Path(ours)
    tried = ["--config", ENV, LITELLM_ENV]
    theirs = environ.get(LITELLM_ENV, "").strip()
    if theirs:
        if _present(Path(theirs)):
            return Path(theirs)
        tried[-1] = f"{LITELLM_ENV} ({theirs}: no such file)"
    for name in CANDIDATES:
        if _present(Path(name)):
            return Path(name)
    raise NoConfig(
        f"no config found: tried {', '.join([*tried, *CANDIDATES])} (pass --config FILE)"
    )
