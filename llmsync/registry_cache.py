"""The validated registry, kept between runs: pydantic (and llmsync.schema, ~40 ms of import and
model building) and the YAML parse of providers.yaml run only when a registry file, llmsync's
version or its schema changed.

The key is a digest of every registry text read (the shipped one, the user's, the local one),
their labels, llmsync's version and the schema module's own source. The value is the validated
data as JSON, with pydantic models marked so they come back as plain attribute objects
(:class:`Spec`) and dict fields stay dicts. A file that cannot be read or does not parse is a
miss: the registry is validated again, never trusted half-way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

_MODEL, _DICT = "__model__", "__dict__"


class Spec:
    """A validated schema object read back from the cache: its fields as attributes."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def model_copy(self, update: dict[str, Any] | None = None) -> Spec:
        """As pydantic's: a copy with ``update`` applied (``--prefer`` over the registry)."""
        return Spec(**{**self.__dict__, **(update or {})})

    def __repr__(self) -> str:
        return f"Spec({self.__dict__!r})"


def key(texts: list[tuple[str, str]]) -> str:
    from llmsync import __version__

    digest = hashlib.sha256(__version__.encode())
    digest.update(Path(__file__).with_name("schema.py").read_bytes())
    for label, text in texts:
        digest.update(b"\0" + label.encode() + b"\0" + text.encode())
    return digest.hexdigest()


def folder() -> Path:
    from llmsync.catalogues.cache import default_cache_dir

    return Path(os.environ.get("LLMSYNC_CACHE_DIR") or default_cache_dir())


def read(digest: str) -> tuple[Any, str] | None:
    """(the registry's data, its source label), or None on any miss."""
    try:
        saved = json.loads((folder() / f"registry-{digest}.json").read_text(encoding="utf-8"))
        return _load(saved["data"]), str(saved["source"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def write(digest: str, data: Any, source: str) -> None:
    """Keep ``data`` (a validated RegistryFile); a cache that cannot be written costs speed."""
    path = folder() / f"registry-{digest}.json"
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        dumped = _dump(data)
        if _holds_credentials(dumped):
            return  # a registry holding a credential (a URL's password) is never written down
        text = json.dumps({"data": dumped, "source": source})
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError):
            tmp.unlink()


def _holds_credentials(value: Any, name: str = "") -> bool:
    """A URL with a password or a secret query value anywhere, or a secret in a header or in
    a new entry's ``litellm_params`` (``Authorization: Bearer ...``, a literal api_key)."""
    from llmsync.redact import public_url
    from llmsync.redact.shapes import is_secret_name, looks_like_credential

    if isinstance(value, dict):
        if _DICT in value and name in ("headers", "litellm_params"):
            return any(
                isinstance(v, str)
                and not v.startswith("os.environ/")
                and "://" not in v  # a URL: its password or secret query is checked below
                and (is_secret_name(k) or looks_like_credential(v))
                for k, v in value[_DICT].items()
            ) or _holds_credentials(list(value[_DICT].values()))
        inner = value.get(_MODEL, value.get(_DICT, value))
        return any(_holds_credentials(v, str(k)) for k, v in inner.items())
    if isinstance(value, list):
        return any(_holds_credentials(v, name) for v in value)
    return isinstance(value, str) and "://" in value and public_url(value) != value


def _dump(value: Any) -> Any:
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:  # a pydantic model
        return {_MODEL: {name: _dump(getattr(value, name)) for name in fields}}
    if isinstance(value, dict):
        return {_DICT: {str(k): _dump(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [_dump(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot keep {type(value).__name__} in the registry cache")


def _load(value: Any) -> Any:
    if isinstance(value, dict):
        if _MODEL in value:
            return Spec(**{k: _load(v) for k, v in value[_MODEL].items()})
        return {k: _load(v) for k, v in value[_DICT].items()}
    if isinstance(value, list):
        return [_load(v) for v in value]
    return value
