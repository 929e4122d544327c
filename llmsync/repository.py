"""Where a config lives: the repository and path that name it the same way on every machine.

push labels its rows with an owner. Two folders that each hold a ``config.yaml`` must not share
a label (one team's ``--prune`` would delete the other's models), and a developer's clone and
the CI runner's checkout must agree on it. So the default label is the repository's remote
(``github.com/acme/llm-config``, read from ``.git/config`` without running git, credentials
dropped) plus the file's path inside the repository. Without a remote the label falls back to
the absolute path, which another machine or container may share: such a label is never enough
for ``--prune``.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path

from llmsync.errors import FileUnreadable
from llmsync.files import real_path

_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?P<path>(?!//).+)$")  # git@host:o/r


@dataclass(frozen=True)
class ConfigIdentity:
    label: str
    repository: str | None  # the remote it was derived from, if any

    @property
    def portable(self) -> bool:
        """True when the label names the file the same way on every clone of its repository."""
        return self.repository is not None


def config_identity(config: Path) -> ConfigIdentity:
    """``<remote>:<path in repository>``, else ``<absolute path>``."""
    target = _absolute(config)
    root = _repository_root(target.parent)
    if root is not None:
        remote = _remote_url(root)
        if remote:
            relative = target.relative_to(root).as_posix()
            return ConfigIdentity(f"{remote}:{relative}", remote)
    return ConfigIdentity(str(target), None)


def _absolute(path: Path) -> Path:
    try:
        return real_path(path)
    except FileUnreadable:  # a symlink loop: the path as given, made absolute (reading it fails)
        return Path.cwd() / path


def _repository_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:  # a worktree or submodule: ".git" is a file "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    git_dir = (root / text[len("gitdir:") :].strip()).resolve()
    common = git_dir / "commondir"  # worktrees keep the config in the main repository's dir
    if common.is_file():
        try:
            return (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
        except OSError:
            return git_dir
    return git_dir


def _remote_url(root: Path) -> str | None:
    git_dir = _git_dir(root)
    if git_dir is None:
        return None
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read(git_dir / "config", encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    remotes = [s for s in parser.sections() if s.startswith("remote ")]
    # origin first; else the first remote, so one lone fork remote still names the repository
    remotes.sort(key=lambda s: s != 'remote "origin"')
    for section in remotes:
        url = parser.get(section, "url", fallback=None)
        if url:
            return normalise_remote(url)
    return None


def normalise_remote(url: str) -> str:
    """``https://tok@github.com/acme/x.git`` and ``git@github.com:acme/x`` alike become
    ``github.com/acme/x``: no scheme, no credentials, no ``.git``, no trailing slash."""
    url = url.strip()
    if "://" in url:
        rest = url.split("://", 1)[1]
        authority, _, path = rest.partition("/")
        host = authority.rsplit("@", 1)[-1]  # userinfo (a token) dropped
        host = host.split(":", 1)[0] if host.count(":") == 1 else host  # the port too
        url = f"{host}/{path}"
    else:
        scp = _SCP_LIKE.match(url)
        if scp:
            url = f"{scp['host']}/{scp['path']}"
    url = url.rstrip("/")
    return url.removesuffix(".git").lower()
