"""The on-disk catalogue cache: one snapshot per run, so a dry run and the real run agree.

Files are keyed by a hash of the URL and of the credential sent (answers may be key-specific);
no key is ever stored, and the URL kept for people has no userinfo or secret query values.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmsync.redact import public_url

MISSING = object()


@dataclass(frozen=True)
class CachePolicy:
    """Where fetched catalogues are kept, for how long, and whether the network may be used.

    A dry run and the real run that follows read the same snapshot, so the preview never lies.
    """

    folder: Path | None = None  # None: no cache
    ttl: float = 3600.0
    offline: bool = False

    def path(self, url: str, headers: dict[str, str]) -> Path | None:
        if self.folder is None:
            return None
        # Answers can depend on the key (user-specific prices): key on a hash of it, never on it.
        credential = hashlib.sha256("\0".join(sorted(headers.values())).encode()).hexdigest()
        return self.folder / (hashlib.sha256(f"{url}\0{credential}".encode()).hexdigest() + ".json")

    def read(self, url: str, headers: dict[str, str]) -> Any:
        path = self.path(url, headers)
        if path is None or not path.is_file():
            return MISSING
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return MISSING
        if not self.offline and time.time() - saved.get("fetched", 0) > self.ttl:
            return MISSING
        return saved.get("body", MISSING)

    def write(self, url: str, headers: dict[str, str], body: Any) -> None:
        path = self.path(url, headers)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps({"url": public_url(url), "fetched": time.time(), "body": body}),
                encoding="utf-8",
            )
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llmsync"
