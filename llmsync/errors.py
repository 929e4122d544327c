"""Exceptions that end a command with a clear one-line message and a documented exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PENDING = 1  # changes pending under --check, a provider failed, or a guard held changes back
EXIT_USAGE = 2  # bad input or usage: the file is left untouched
EXIT_BUG = 3


class LlmsyncError(Exception):
    """An expected failure: printed as one line, no traceback."""

    exit_code = EXIT_USAGE


class ConfigError(LlmsyncError):
    """The config file cannot be read, parsed or safely edited."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        kind: str = "config",
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.line = line  # 1-based position, when known
        self.column = column
        # What went wrong, for tools that report it (validate maps kinds to codes): "syntax",
        # "not-mapping", "not-utf8", "model-list-not-list", "include", "unreadable", "config"
        self.kind = kind
        self.detail = detail or message  # the message without the file:line: prefix


class FileUnreadable(ConfigError):
    """The file is missing, unreadable or not a regular file (nothing to parse)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="unreadable")


class RegistryError(LlmsyncError):
    """providers.yaml is missing, malformed, or names an unknown provider or kind."""


class CatalogError(Exception):
    """A provider's catalogue could not be fetched or understood; never fatal to a run."""


class Unreachable(CatalogError):
    """No answer at all (refused, unknown host, timed out): for a self-hosted server met under
    ``--provider all``, a reason to skip, not to fail."""


class ConfigChanged(LlmsyncError):
    """The file changed on disk while llmsync ran: nothing was written (re-run to rebase)."""

    exit_code = EXIT_PENDING


class WriteError(LlmsyncError):
    """The environment refuses a write (read-only, immutable, owner cannot be kept)."""


class LockTimeout(LlmsyncError):
    """Another llmsync run holds the lock on the config's folder."""
