"""The one redaction point: every text llmsync shows or writes, besides the config itself.

Diffs, tables, notes, errors, ``--verbose`` lines, Markdown reports, JSON and cache files pass
through :func:`redact` (or :func:`redact_data`). Three things are replaced by ``<redacted>``
(always that word, so a secret's length never shows):

- the value of a secret-looking key (``api_key``, ``master_key``, ``*_token``, ``*_secret``,
  passwords...) written as ``key: value`` / ``"key": "value"`` / ``key=value``, unless it is an
  ``os.environ/VAR`` reference;
- any occurrence of a known secret: the value of a set environment variable whose name says
  it is a key, or a literal secret found in a config that was read;
- the ``user:password@`` part of URLs and ``key=`` / ``token=`` query values.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

MASK = "<redacted>"
ENV_REF = "os.environ/"
_MIN_ENV_SECRET = 8  # shorter values of key-named variables are too likely to be ordinary words
_MIN_LITERAL_SECRET = 4

_SECRET_NAME = re.compile(
    r"""(?ix) ^ (?: [\w.-]*? [_-] )? (?:
        api[_-]?key | master[_-]?key | secret | secret[_-]?(?:access[_-]?)?key | client[_-]secret
        | password | passwd | passphrase | token | private[_-]?key | access[_-]?key
        | credentials? | license | auth | authorization | bearer | session[_-]?key
    ) $"""
)
_NOT_SECRET = re.compile(r"(?i)cost|per_token|tokens?_(?:limit|count)|_env$|_file$|_path$")
_SECRET_ENV_NAME = re.compile(r"(?i)(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|LICENSE)")
_SECRET_WORDS = (
    r"(?:api[_-]?key|master[_-]?key|secret|key|password|passwd|passphrase|token|credentials?"
    r"|license|auth|authorization|bearer)"
)
# Only names that end in a secret word are tried (is_secret_name decides): scanning a long diff
# for every "name: value" pair would cost a regex attempt per character.
_PAIR = re.compile(
    r"""(?<![\w.-])(?P<lead>(?P<quote>["']?)(?P<name>(?i:[A-Za-z_][\w.-]*?)?(?i:"""
    + _SECRET_WORDS
    + r"""))(?P=quote)[ \t]*(?::[ \t]+|=))
        (?P<value>"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s,}\]\#'"&][^,}\]\n&]*?)
        (?=[ \t]*(?:[,}\]&\n]|[ \t]\#|$))""",
    re.X | re.M,
)
_USERINFO = re.compile(r"(?P<scheme>://)[^/\s@:]+(?::[^/\s@]*)?@")  # anchored on "://": fast
_QUERY_SECRET = re.compile(
    r"(?i)(?P<lead>[?&](?:key|api[_-]?key|apikey|token|access_token|secret|password)=)[^&\s#\"']+"
)


class Redactor:
    """Knows the secrets of this run; :meth:`text` and :meth:`data` hide them."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = environ if environ is not None else os.environ
        self.literals: set[str] = set()
        self.key_variables: set[str] = set()  # names providers.yaml says hold keys

    # ---- learning secrets

    def remember_literals(self, values: Iterable[str]) -> None:
        """Literal secrets found in a config (values of secret-looking keys)."""
        self.literals.update(
            v for v in values if _is_literal(v) and len(v.strip()) >= _MIN_LITERAL_SECRET
        )

    def remember_variables(self, names: Iterable[str | None]) -> None:
        self.key_variables.update(n for n in names if n)

    def secrets(self) -> list[str]:
        """Known secret strings, longest first (so a longer one is never half-replaced)."""
        found = set(self.literals)
        for name, value in self.environ.items():
            named = name in self.key_variables and len(value) >= _MIN_LITERAL_SECRET
            if named or (_SECRET_ENV_NAME.search(name) and len(value) >= _MIN_ENV_SECRET):
                found.add(value)
        return sorted(found, key=len, reverse=True)

    # ---- hiding them

    def text(self, text: str) -> str:
        if not text:
            return text
        for secret in self.secrets():
            if secret in text:
                text = text.replace(secret, MASK)
        text = _USERINFO.sub(lambda m: m["scheme"] + MASK + "@", text)
        text = _QUERY_SECRET.sub(lambda m: m["lead"] + MASK, text)
        return _mask_pairs(text)

    def data(self, value: Any) -> Any:
        """``value`` with every string redacted and secret-named keys' values masked."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {
                k: MASK
                if isinstance(v, str) and is_secret_name(k) and _is_literal(v)
                else self.data(v)
                for k, v in value.items()
            }
        return value


def is_secret_name(key: object) -> bool:
    return isinstance(key, str) and bool(_SECRET_NAME.match(key)) and not _NOT_SECRET.search(key)


def _is_literal(value: str) -> bool:
    stripped = value.strip().strip("'\"")
    return bool(stripped) and not stripped.startswith(ENV_REF) and stripped != MASK


_HINT = re.compile(r"(?i)key|secret|passw|passphrase|(?<!per_)token|credential|license|auth|bearer")


def _mask_pairs(text: str) -> str:
    """``key: value`` pairs masked, looking only at lines that mention a secret word (a long
    diff is scanned once in C, and the pair pattern runs on those lines alone)."""
    pieces, done = [], 0
    for hit in _HINT.finditer(text):
        if hit.start() < done:
            continue  # a second hit on a line already handled
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        end = len(text) if end < 0 else end
        pieces += [text[done:start], _PAIR.sub(_mask_pair, text[start:end])]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _mask_pair(match: re.Match[str]) -> str:
    value = match["value"]
    if not is_secret_name(match["name"]) or not _is_literal(value):
        return match[0]
    if value.lower().strip("'\"") in ("null", "none", "~", "true", "false"):
        return match[0]
    quote = value[0] if value[0] in "'\"" else ""
    return f"{match['lead']}{quote}{MASK}{quote}"


# --------------------------------------------------------------------------- this process

_ACTIVE = Redactor()


def active() -> Redactor:
    return _ACTIVE


def reset(environ: Mapping[str, str] | None = None) -> Redactor:
    """Start a command with a fresh redactor (forgetting an earlier command's config)."""
    global _ACTIVE
    _ACTIVE = Redactor(environ)
    return _ACTIVE


def redact(text: str) -> str:
    return _ACTIVE.text(text)


def redact_data(value: Any) -> Any:
    return _ACTIVE.data(value)


def public_url(url: str) -> str:
    """``url`` (or a message holding URLs) without userinfo or secret query values."""
    url = _USERINFO.sub(lambda m: m["scheme"], url)
    return _QUERY_SECRET.sub(lambda m: m["lead"] + MASK, url)


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
