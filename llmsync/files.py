"""Reading and replacing the user's files safely: the only module that writes them.

- A file is read once, as a :class:`Snapshot` of its bytes. Right before it is replaced, under
  the folder lock, the file on disk is compared with the snapshot again (compare-and-swap): an
  edit made while llmsync was fetching is never overwritten.
- Replacing is atomic: a temp file in the same folder, fsync, owner / group / mode copied from
  the old file, rename, fsync of the folder. A backup is made the same way.
- Temp files carry the writer's pid, so a later run can remove those of runs killed mid-write
  without touching a live process's.
- Anything the environment refuses (read-only folder, immutable file, a file the user could not
  write) is a :class:`WriteError`: one line, exit 2, nothing replaced.
- A file with other hard links, or a mount point (a Docker single-file bind mount), is not
  replaced by rename: the other links would keep the old text, and the container would keep
  reading the old file (or the rename fails, EBUSY). Such a file is refused unless ``in_place``:
  then a backup is written first (the undo), and the file itself is rewritten and truncated.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from llmsync.errors import ConfigChanged, FileUnreadable, LockTimeout, WriteError

TEMP_SUFFIX = ".llmsync-tmp"
# .<name>.llmsync-<pid>-<random>.llmsync-tmp; older versions wrote .<name>.<random>.llmsync-tmp
_TEMP_PID = re.compile(r"\.llmsync-(\d+)-[^.]*" + re.escape(TEMP_SUFFIX) + "$")
_LEGACY_TEMP_AGE = 600.0  # seconds; such a temp file has no pid to ask about


@dataclass(frozen=True)
class Snapshot:
    """A file's bytes as read; ``digest`` is what the compare-and-swap checks."""

    path: Path
    raw: bytes
    digest: str

    @classmethod
    def of(cls, path: Path, raw: bytes) -> Snapshot:
        return cls(path, raw, hashlib.sha256(raw).hexdigest())


def real_path(path: Path) -> Path:
    """``path`` with its symbolic links resolved; a link loop is refused as unreadable
    (``Path.resolve`` raises RuntimeError on one before Python 3.13)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        raise FileUnreadable(f"{path}: cannot read: a loop of symbolic links") from None


def read_snapshot(path: Path) -> Snapshot:
    """Read a regular file. A FIFO, device or folder is refused without blocking on it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise FileUnreadable(f"{path}: no such file") from None
    except OSError as exc:
        raise FileUnreadable(f"{path}: cannot read: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileUnreadable(f"{path}: not a regular file")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError as exc:
        raise FileUnreadable(f"{path}: cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    return Snapshot.of(path, b"".join(chunks))


# --------------------------------------------------------------------------- locking


@contextlib.contextmanager
def locked(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on the config's folder so two runs cannot interleave.

    The folder itself is locked (flock on its descriptor), so no lock file is left behind.
    Holding it, the temp files of dead runs are cleared.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; compare-and-swap still protects the file
        yield
        return
    folder_path = real_path(path).parent
    folder = os.open(folder_path, os.O_RDONLY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(
                        f"{path}: another llmsync run is editing this folder"
                    ) from None
                time.sleep(0.05)
        remove_stale_temps(folder_path)
        yield
    finally:
        os.close(folder)  # closing the descriptor releases the lock


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temp files left by llmsync runs that are no longer alive; returns them."""
    removed = []
    try:
        candidates = list(folder.glob(".*" + TEMP_SUFFIX))
    except OSError:
        return removed
    for temp in candidates:
        match = _TEMP_PID.search(temp.name)
        try:
            if match:
                if _alive(int(match.group(1))):
                    continue
            elif time.time() - temp.lstat().st_mtime < _LEGACY_TEMP_AGE:
                continue
            temp.unlink()
            removed.append(temp)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OverflowError:
        return False
    return True


# --------------------------------------------------------------------------- writing


def require_writable(path: Path, in_place: bool = False) -> None:
    """Fail before any work when ``path`` could not be written: its folder (``--report
    nodir/r.md``) and, if it exists, the file itself (a read-only report, a folder, a file a
    rename would cut off from its other links unless ``in_place``)."""
    target = real_path(path)
    folder = target.parent
    if not folder.is_dir():
        raise WriteError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise WriteError(f"{path}: folder {folder} is not writable")
    old = _stat(target)
    if old is not None:
        _require_writable(path, target, old)
        if not in_place:
            _require_replaceable(path, target, old)


def write_atomic(
    path: Path,
    text: str,
    backup: bool = False,
    expected: Snapshot | None = None,
    in_place: bool = False,
) -> Path | None:
    """Replace ``path`` with ``text`` unless it changed since ``expected`` was read.

    Returns the backup's path when ``backup`` made one. Writes through a symlink (the link
    stays). Raises :class:`ConfigChanged` (exit 1) when the file moved on, and
    :class:`WriteError` (exit 2) when the environment refuses the write. ``in_place``: the
    file itself is rewritten (for hard links and bind mounts), after a backup.
    """
    target = real_path(path)
    old = _stat(target)
    if old is not None:
        _require_writable(path, target, old)
        if not in_place:
            _require_replaceable(path, target, old)
    require_unchanged(path, expected, target)
    backup_path = None
    if (backup or in_place) and old is not None:
        backup_path = target.with_name(target.name + ".bak")
        raw = expected.raw if expected is not None else target.read_bytes()
        _replace(backup_path, raw, like=old, shown=backup_path)
    if in_place and old is not None:
        _rewrite(target, text.encode("utf-8"), shown=path, expected=expected)
    else:
        _replace(target, text.encode("utf-8"), like=old, shown=path, expected=expected)
    return backup_path


def _require_replaceable(shown: Path, target: Path, old: os.stat_result) -> None:
    """Refuse a file that a rename would cut off from where it is also read."""
    if old.st_nlink > 1:
        why = (
            f"has {old.st_nlink} hard links: replacing it (the atomic write) would leave the "
            "other link(s) with the old text"
        )
    elif _is_mount_point(target):
        why = (
            "is a mount point (a single-file bind mount, e.g. Docker's): it cannot be replaced "
            "by rename, and a container reading it would never see a new file"
        )
    else:
        return
    raise WriteError(
        f"{shown} {why}; nothing was written. Re-run with --in-place to rewrite the file "
        f"itself (not atomic: {target.name}.bak is written first, as the undo)"
    )


def _is_mount_point(target: Path) -> bool:
    """Whether ``target`` is itself mounted (Linux: listed in /proc/self/mountinfo)."""
    try:
        with open(MOUNTINFO, encoding="utf-8", errors="replace") as handle:
            points = {_unescape(line.split()[4]) for line in handle if len(line.split()) > 4}
    except OSError:
        return False
    return str(target) in points


MOUNTINFO = "/proc/self/mountinfo"


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)


def _rewrite(target: Path, data: bytes, shown: Path, expected: Snapshot | None) -> None:
    """Write ``data`` over the file itself (same inode): every link and mount sees it."""
    try:
        fd = os.open(target, os.O_RDWR)
    except OSError as exc:
        raise WriteError(f"{shown}: cannot open: {exc.strerror}; nothing was written") from None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        if expected is not None and Snapshot.of(target, b"".join(chunks)).digest != expected.digest:
            raise ConfigChanged(
                f"{shown} changed on disk while llmsync was running; nothing was written. "
                "Re-run llmsync to apply its changes to the new version"
            )
        os.lseek(fd, 0, os.SEEK_SET)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    except OSError as exc:
        raise WriteError(
            f"{shown}: rewriting in place failed: {exc.strerror or exc}; the file may be "
            f"incomplete: restore it from {target.name}.bak"
        ) from None
    finally:
        os.close(fd)


def _stat(target: Path) -> os.stat_result | None:
    try:
        return os.stat(target)  # not Path.stat: on 3.10 that bypasses a patched os.stat
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(f"{target}: cannot read: {exc.strerror}") from None


def _require_writable(shown: Path, target: Path, old: os.stat_result) -> None:
    if not stat.S_ISREG(old.st_mode):
        raise WriteError(f"{shown}: not a regular file; nothing was written")
    mode = stat.S_IMODE(old.st_mode)
    # Renaming over a file needs only a writable folder; the file's own mode is the user's
    # "do not change this" and is honoured, for root too.
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise WriteError(
            f"{shown}: read-only (mode {mode:04o}, owner uid {old.st_uid}); nothing was written"
        )


def require_unchanged(shown: Path, expected: Snapshot | None, target: Path | None = None) -> None:
    """Raise :class:`ConfigChanged` unless ``target`` still holds what ``expected`` read."""
    if expected is None:
        return
    target = real_path(target or shown)
    try:
        current = Snapshot.of(target, target.read_bytes())
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise WriteError(f"{shown}: cannot read: {exc.strerror}") from None
    if current is None or current.digest != expected.digest:
        what = "was deleted" if current is None else "changed on disk"
        raise ConfigChanged(
            f"{shown} {what} while llmsync was running; nothing was written. "
            "Re-run llmsync to apply its changes to the new version"
        )


def _replace(
    target: Path,
    data: bytes,
    like: os.stat_result | None,
    shown: Path,
    expected: Snapshot | None = None,
) -> None:
    """Temp file beside ``target``, same owner/group/mode as ``like``, fsync, rename."""
    try:
        fd, tmp = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.llmsync-{os.getpid()}-", suffix=TEMP_SUFFIX
        )
    except OSError as exc:
        raise WriteError(
            f"{shown}: cannot write in {target.parent}: {exc.strerror}; nothing was written"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_ownership(tmp, like, shown)
        require_unchanged(shown, expected, target)  # last look, right before the swap
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno == errno.EBUSY:
            raise WriteError(
                f"{shown}: cannot replace: it is in use as a mount point (a single-file bind "
                "mount?); nothing was written. Re-run with --in-place to rewrite the file itself"
            ) from None
        if isinstance(exc, OSError):
            raise WriteError(
                f"{shown}: cannot replace: {exc.strerror or exc}; nothing was written"
            ) from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _copy_ownership(tmp: str, like: os.stat_result | None, shown: Path) -> None:
    mode = stat.S_IMODE(like.st_mode) if like is not None else 0o644 & ~_umask()
    if like is not None and hasattr(os, "chown"):
        mine = os.stat(tmp)
        if (mine.st_uid, mine.st_gid) != (like.st_uid, like.st_gid):
            try:
                os.chown(tmp, like.st_uid, like.st_gid)
            except PermissionError:
                raise WriteError(
                    f"{shown}: cannot keep its owner and group (uid {like.st_uid}, gid "
                    f"{like.st_gid}) when replacing it; run llmsync as its owner"
                ) from None
    os.chmod(tmp, mode)  # after chown, which may clear set-id bits


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
