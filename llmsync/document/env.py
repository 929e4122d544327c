"""``os.environ/X`` references: how LiteLLM's proxy reads a config string naming a variable."""

from __future__ import annotations

import os
from typing import Any


def env_reference(value: Any) -> str | None:
    """X for a config value ``os.environ/X`` (LiteLLM resolves it at startup), else None."""
    if isinstance(value, str) and value.startswith("os.environ/") and len(value) > 11:
        return value[len("os.environ/") :]
    return None


def resolved(value: str | None) -> str | None:
    """A config string as LiteLLM's proxy reads it: ``os.environ/X`` is X's value (None when
    X is not set here), anything else is itself."""
    var = env_reference(value)
    if var is None:
        return value
    return os.environ.get(var) or None
