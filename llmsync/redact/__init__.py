"""The one redaction point: every text llmsync shows or writes, besides the config itself.

Diffs, tables, notes, errors, ``--verbose`` lines, Markdown reports, JSON/SARIF documents and
cache files pass through :func:`redact` (text) or :func:`redact_data` (a JSON-able value,
redacted as data, once, before it is serialised). Secrets are found **by position and by
shape, never by common words**, and replaced by ``<redacted>`` (always that word, so a
secret's length never shows):

- **position**: the value of a secret-named key (:func:`is_secret_name`, decided on the name's
  segments) written ``key: value`` / ``"key": "value"`` / ``key=value``, unless it is null, a
  boolean, empty, or an ``os.environ/VAR`` / ``${VAR}`` reference. A value that continues on
  the next lines (a quote that does not close on the key's line, a ``|`` / ``>`` block, a
  plain scalar folded onto more-indented lines) is masked on those lines too, diff prefixes
  kept; a sequence under a secret name (``api_keys: [...]``) is masked item by item. In data,
  every string or number under a secret-named key, or in a list under one.
- **URLs**: everything between ``://`` and the last ``@`` of a URL's userinfo (a password may
  hold ``@``, ``/``, ``?``; the user may be empty), never ``host:port/path`` nor a path holding
  ``@`` when there is no userinfo; the value of secret query parameters (``key``, ``sig``,
  ``code``, ``token``, ``signature``, ``access_token``, ``X-Amz-Signature``... and any
  secret-named one); the token path of webhook URLs (Slack, Discord, Teams, Zapier,
  ``/webhooks/``, ``/hooks/``).
- **known values**, anywhere: literal secrets of the config that was read
  (:meth:`Redactor.remember_literals`, kept only when they *look like credentials*, see
  :func:`looks_like_credential`), the lines of a multi-line secret
  (:meth:`Redactor.remember_fragments`), and the environment's secrets: the value of a
  variable providers.yaml names as a key (:meth:`Redactor.remember_variables`) and any
  credential-looking value of a secret-named variable (``*KEY*``, ``*TOKEN*``,
  ``*SECRET*``, ``*PASSWORD*``...). The environment is read once per run (lazily, at the first
  redaction; :func:`reset` starts a new run) and all known values are replaced by one compiled
  pattern. Values that do not look like credentials (a fragment, a short key) are replaced
  only as whole words, so ``local`` never turns ``localhost`` into ``<redacted>host``.

Where each rule lives: :mod:`.shapes` (secret names, credential-looking values),
:mod:`.urls` (userinfo, query parameters, webhooks), :mod:`.pairs` (values at their position in
``key: value`` text); this module holds the run's :class:`Redactor` and its known values.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from llmsync.redact.pairs import mask_pairs
from llmsync.redact.shapes import (
    ENV_REF,
    MASK,
    MIN_FRAGMENT,
    NUMBER,
    is_secret_name,
    looks_like_credential,
    name_segments,
    pieces,
    shown_at_position,
)
from llmsync.redact.urls import QUERY, URL, mask_query, mask_url, public_url, userinfo_end

_ENV_NOT_SECRET = frozenset({"PWD", "OLDPWD"})  # the current folder, not a password
_SECRET_ENV_NAME = re.compile(r"(?i)KEY|TOKEN|SECRET|PASSW|CREDENTIAL|LICENSE")

__all__ = [
    "ENV_REF",
    "MASK",
    "RedactingStream",
    "Redactor",
    "active",
    "is_secret_name",
    "looks_like_credential",
    "name_segments",
    "public_url",
    "redact",
    "redact_data",
    "reset",
    "userinfo_end",
]

# --------------------------------------------------------------------------- known values


def _alternation(secrets: Mapping[str, str]) -> str:
    """One regex matching any of ``secrets`` (a trie, so the pattern costs one pass whatever
    their number; longest first), each followed by its suffix (word-boundary lookarounds)."""
    trie: dict[Any, Any] = {}
    for secret, suffix in secrets.items():
        node = trie
        for char in secret:
            node = node.setdefault(char, {})
        node[None] = suffix
    return _emit(trie)


def _emit(node: dict[Any, Any]) -> str:
    parts = []
    for char in sorted(k for k in node if k is not None):
        run, child = [char], node[char]
        while len(child) == 1 and None not in child:  # a chain: one literal, no nesting
            ((nxt, child),) = child.items()
            run.append(nxt)
        parts.append(re.escape("".join(run)) + _emit(child))
    if None in node:
        parts.append(node[None])  # the end of a secret: tried after the longer ones
    if len(parts) == 1:
        return parts[0]
    return "(?:" + "|".join(parts) + ")"


def _word_bounds(secret: str) -> str:
    """Lookarounds placed after ``secret``: no letter or digit right before or after it."""
    bounds = ""
    if secret[-1].isalnum():
        bounds += "(?![A-Za-z0-9])"
    if secret[0].isalnum():
        bounds += rf"(?<![A-Za-z0-9][\s\S]{{{len(secret)}}})"
    return bounds


class Redactor:
    """Knows the secrets of this run; :meth:`text` and :meth:`data` hide them."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = environ if environ is not None else os.environ
        self.literals: set[str] = set()  # credential-looking: masked anywhere
        self.fragments: set[str] = set()  # word-like: masked as whole words only
        self.key_variables: set[str] = set()  # names providers.yaml says hold keys
        self._env: dict[str, str] | None = None  # the environment, read once
        self._pattern: re.Pattern[str] | None = None
        self._stale = True

    # ---- learning secrets

    def remember_literals(self, values: Iterable[str | None]) -> None:
        """Literal secrets found in a config (values of secret-named keys): each
        whitespace-separated piece that :func:`looks_like_credential` (``Bearer sk-...``
        remembers ``sk-...``); anything else is hidden only at its position."""
        for value in dict.fromkeys(values):  # one api_key reference repeats in every entry
            if isinstance(value, str):
                self._add(p for p in pieces(value) if looks_like_credential(p))

    def remember_fragments(self, values: Iterable[str | None]) -> None:
        """Source-text pieces of a secret that spans several lines (each line as written,
        without indentation and quotes): at a secret position, so remembered whatever their
        shape when at least 4 characters long (masked as whole words when word-like)."""
        for value in values:
            piece = value.strip().strip("'\"").strip() if isinstance(value, str) else ""
            if len(piece) >= MIN_FRAGMENT and not shown_at_position(piece) and MASK not in piece:
                self._add([piece])

    def remember_variables(self, names: Iterable[str | None]) -> None:
        """Variables that hold keys (providers.yaml): their values, when set, are secrets."""
        new = {n for n in names if n} - self.key_variables
        if not new:
            return
        self.key_variables |= new
        env = self._environment()
        self._add(_key_variable_secrets(env.get(n) for n in new))

    def _add(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            target = self.literals if looks_like_credential(secret) else self.fragments
            if secret not in target:
                target.add(secret)
                self._stale = True

    def _environment(self) -> dict[str, str]:
        """The environment, read once per run; its secret-named variables' credential-looking
        values remembered then."""
        if self._env is None:
            self._env = dict(self.environ.items())
            found = [
                p
                for name, value in self._env.items()
                if name not in _ENV_NOT_SECRET
                and (is_secret_name(name) or _SECRET_ENV_NAME.search(name))
                and isinstance(value, str)
                for p in pieces(value)
                if looks_like_credential(p)
            ]
            self._add(found)
            if self.key_variables:
                self._add(_key_variable_secrets(self._env.get(n) for n in self.key_variables))
        return self._env

    def secrets(self) -> list[str]:
        """Known secret strings, longest first."""
        self._environment()
        return sorted(self.literals | self.fragments, key=len, reverse=True)

    def _known(self) -> re.Pattern[str] | None:
        self._environment()
        if self._stale:
            secrets = {s: "" for s in self.literals}
            secrets.update({s: _word_bounds(s) for s in self.fragments if s not in secrets})
            self._pattern = re.compile(_alternation(secrets)) if secrets else None
            self._stale = False
        return self._pattern

    # ---- hiding them

    def text(self, text: str) -> str:
        if not text:
            return text
        if "://" in text:
            text = URL.sub(mask_url, text)
        if "=" in text:
            text = QUERY.sub(mask_query, text)
        text = mask_pairs(text)
        known = self._known()
        return known.sub(MASK, text) if known is not None else text

    def data(self, value: Any) -> Any:
        """``value`` with every string redacted and secret-named keys' values masked (a
        null, boolean, empty or ``os.environ/`` value stays): valid JSON stays valid."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                shown = self.text(key) if isinstance(key, str) else key
                if isinstance(item, list) and is_secret_name(key):  # api_keys: [...]
                    out[shown] = [MASK if _masked_in_data(key, i) else self.data(i) for i in item]
                else:
                    out[shown] = MASK if _masked_in_data(key, item) else self.data(item)
            return out
        return value


def _key_variable_secrets(values: Iterable[str | None]) -> Iterable[str]:
    for value in values:
        if not isinstance(value, str):
            continue
        for piece in pieces(value):
            if len(piece) < MIN_FRAGMENT or shown_at_position(piece) or MASK in piece:
                continue
            if NUMBER.fullmatch(piece):
                continue
            yield piece


def _masked_in_data(key: object, value: Any) -> bool:
    if not is_secret_name(key):
        return False
    if isinstance(value, str):
        return not shown_at_position(value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --------------------------------------------------------------------------- this process

_ACTIVE = Redactor()


def active() -> Redactor:
    return _ACTIVE


def reset(environ: Mapping[str, str] | None = None) -> Redactor:
    """Start a run with a fresh redactor (forgetting an earlier command's config and
    environment: the environment is read again, once, at the new run's first redaction)."""
    global _ACTIVE
    _ACTIVE = Redactor(environ)
    return _ACTIVE


def redact(text: str) -> str:
    return _ACTIVE.text(text)


def redact_data(value: Any) -> Any:
    return _ACTIVE.data(value)


class RedactingStream:
    """A text stream that redacts what is written to it (rich consoles print through it)."""

    def __init__(self, stream: TextIO | None = None, stderr: bool = False) -> None:
        self._stream = stream
        self._stderr = stderr

    @property
    def stream(self) -> TextIO:
        if self._stream is not None:
            return self._stream
        return sys.stderr if self._stderr else sys.stdout  # looked up late: tests swap them

    def write(self, text: str) -> int:
        self.stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
