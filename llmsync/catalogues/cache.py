"""The on-disk catalogue cache: one snapshot per run, so a dry run and the real run agree.

Files are keyed by a hash of the URL and of the credential sent (answers may be key-specific);
no key is ever stored, and the URL kept for people has no userinfo or secret query values.

A write goes to ``<hash>.json.<pid>.tmp`` and is renamed into place; a run killed in between
leaves its temp file behind, so the first read or write of a run removes those whose process
is gone (or that are a day old: the pid may have been reused).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmsync.redact import public_url

MISSING = object()
_TEMP = re.compile(r"[0-9a-f]{64}\.json\.([0-9]+)\.tmp")
_TEMP_MAX_AGE = 24 * 3600.0  # no cache write takes a day: its pid has been reused
_swept: set[Path] = set()  # folders already swept by this process


@dataclass(frozen=True)
class CachePolicy:
    """Where fetched catalogues are kept, for how long, and whether the network may be used.

    A dry run and the real run that follows read the same snapshot, so the preview never lies.
    """

    folder: Path | None = None  # None: no cache
    ttl: float = 3600.0
    offline: bool = False
    # url -> the date (UTC) the copy in use was fetched: the provenance of every price
    dates: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def date_of(self, url: str) -> str:
        """When the catalogue at ``url`` was fetched (today when fetched in this run)."""
        return self.dates.get(url) or _day(time.time())

    def path(self, url: str, headers: dict[str, str]) -> Path | None:
        if self.folder is None:
            return None
        # Answers can depend on the key (user-specific prices): key on a hash of it, never on it.
        credential = hashlib.sha256("\0".join(sorted(headers.values())).encode()).hexdigest()
        return self.folder / (hashlib.sha256(f"{url}\0{credential}".encode()).hexdigest() + ".json")

    def read(self, url: str, headers: dict[str, str]) -> Any:
        path = self.path(url, headers)
        if path is None:
            return MISSING
        self._sweep()
        if not path.is_file():
            return MISSING
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return MISSING
        fetched = saved.get("fetched") if isinstance(saved, dict) else None
        if not isinstance(fetched, (int, float)):
            return MISSING  # not a file this cache wrote
        if not self.offline and time.time() - fetched > self.ttl:
            return MISSING
        self.dates[url] = _day(fetched)
        return saved.get("body", MISSING)

    def write(self, url: str, headers: dict[str, str], body: Any) -> None:
        path = self.path(url, headers)
        if path is None:
            return
        self._sweep()
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            text = json.dumps({"url": public_url(url), "fetched": time.time(), "body": body})
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        except (OSError, ValueError, TypeError, RecursionError):
            # A cache that cannot be written only costs speed; nothing half-written stays.
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _sweep(self) -> None:
        """Remove temp files of runs that died between writing and renaming (once a run)."""
        folder = self.folder
        if folder is None or folder in _swept:
            return
        _swept.add(folder)
        remove_dead_temps(folder)


def remove_dead_temps(folder: Path) -> list[Path]:
    """Delete ``<hash>.json.<pid>.tmp`` files whose process is gone (or a day old)."""
    from llmsync.files import _alive

    removed = []
    try:
        candidates = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    except OSError:
        return removed
    for temp in candidates:
        match = _TEMP.fullmatch(temp.name)
        if match is None:
            continue
        try:
            old = time.time() - temp.lstat().st_mtime > _TEMP_MAX_AGE
            if old or not _alive(int(match.group(1))):
                temp.unlink()
                removed.append(temp)
        except OSError:
            continue
    return removed


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llmsync"


def _day(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp))
