"""The TLS context of llmsync's HTTP client: one per run, built in a background thread.

Reading the CA bundle takes 20–35 ms of C work during which Python's lock is released, so the
first request starts building it (:func:`warm`) before it imports httpx (~35 ms of Python) and
the client picks it up ready (:func:`context`); a run served from the cache never starts it.
It trusts what httpx trusts by default: ``SSL_CERT_FILE``, else ``SSL_CERT_DIR``, else
certifi's bundle. A context that cannot be built (``SSL_CERT_FILE`` naming no file) is a
one-line ``CatalogError`` where the client is made: every request of the run fails with it,
and nothing is removed.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

_lock = threading.Lock()
# (SSL_CERT_FILE, SSL_CERT_DIR) -> the thread building the context, and what it built
_builds: dict[tuple[str, str], _Build] = {}


class _Build:
    def __init__(self, where: tuple[str, str]) -> None:
        self.where = where
        self.context: ssl.SSLContext | None = None
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._run, name="llmsync-tls", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import ssl

        cafile, capath = self.where
        try:
            if cafile:
                self.context = ssl.create_default_context(cafile=cafile)
            elif capath:
                self.context = ssl.create_default_context(capath=capath)
            else:
                import certifi

                self.context = ssl.create_default_context(cafile=certifi.where())
        except Exception as exc:  # handed to the caller of context(), in its thread
            self.error = _failure(exc, cafile, capath)


def _failure(exc: Exception, cafile: str, capath: str) -> Exception:
    """A bundle that cannot be read (ssl.SSLError is an OSError) as one line naming it."""
    if not isinstance(exc, (OSError, ValueError)):
        return exc
    from llmsync.errors import CatalogError

    named = f"SSL_CERT_FILE {cafile}" if cafile else f"SSL_CERT_DIR {capath}" if capath else ""
    reason = getattr(exc, "strerror", None) or exc
    return CatalogError(f"cannot set up TLS: {named or 'the certifi bundle'}: {reason}")


def _where() -> tuple[str, str]:
    return os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", "")


def warm() -> None:
    """Start building the context for the current environment, if not built or under way."""
    where = _where()
    with _lock:
        if where not in _builds:
            if not _builds:
                # Never exit with the thread inside OpenSSL: its own clean-up at exit would
                # free what the thread is using (seen: exit 139 when no request followed).
                atexit.register(_finish_all)
            _builds[where] = _Build(where)


def _finish_all() -> None:
    for build in list(_builds.values()):
        build.thread.join()


def context() -> ssl.SSLContext:
    """The context for the current environment, waiting for :func:`warm`'s thread if needed."""
    warm()
    build = _builds[_where()]
    build.thread.join()
    if build.error is not None:
        raise build.error
    assert build.context is not None
    return build.context
