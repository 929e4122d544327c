"""What a secret is called and what a credential looks like: names by their segments, values
by their shape. Used by every other part of the redaction point."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

MASK = "<redacted>"
ENV_REF = "os.environ/"
MIN_CREDENTIAL = 8  # a credential-looking literal: at least this long
MIN_FRAGMENT = 4  # a line of a multi-line secret, or a key variable's value
_LONG_RUN = 16  # no digit and one case: a credential only with a run this long (not words)

# --------------------------------------------------------------------------- names

# camelCase / PascalCase / ACRONYMS / digits; "_", "-", "." and the rest separate segments
_SEGMENT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_SEGMENTS = frozenset(
    {
        "secret", "secrets", "password", "passwd", "passphrase", "passcode", "pwd", "pass",
        "credential", "credentials", "creds", "license", "licence", "authorization", "bearer",
        "pat", "sig", "signature", "cookie", "webhook", "webhooks", "apikey",
    }
)  # fmt: skip
# compounds written as one segment (``apikey``, ``dbpassword``, ``accesstoken``)
_SECRET_SUFFIXES = (
    "apikey", "secretkey", "privatekey", "accesskey", "masterkey", "subscriptionkey",
    "sessionkey", "secret", "password", "passwd", "passphrase", "passcode", "pwd",
    "accesstoken", "authtoken", "refreshtoken", "sessiontoken", "bearertoken", "apitoken",
    "securitytoken", "credentials", "signature", "webhook",
)  # fmt: skip
_NOT_PASS = frozenset({"bypass", "compass", "surpass", "overpass", "underpass", "trespass"})
# ``*_key`` is a secret unless the key is an index of some kind
_KEY_NOT_SECRET_AFTER = frozenset(
    {
        "public", "cache", "routing", "route", "partition", "sort", "primary", "foreign",
        "lookup", "group", "idempotency", "dedup", "dedupe", "index", "shard", "hash", "row",
        "column", "map", "dict", "object", "s3", "tag", "label", "metadata", "header", "env",
    }
)  # fmt: skip
# ``*_token`` is a secret unless it counts or names model tokens
_TOKEN_NOT_SECRET_AFTER = frozenset(
    {
        "per", "max", "min", "num", "total", "input", "output", "prompt", "completion",
        "reasoning", "cached", "cache", "first", "last", "next", "end", "stop", "start",
        "special", "bos", "eos", "pad", "unk", "sep", "cls", "mask", "image", "audio", "text",
        "default", "count", "limit",
    }
)  # fmt: skip
# ``auth`` alone is a secret; ``*_auth`` only in these (``custom_auth``, ``enable_jwt_auth``: no)
_AUTH_SECRET_AFTER = frozenset({"basic", "http", "proxy", "bearer", "digest", "x", "api"})
_URL_WORDS = frozenset({"url", "urls", "uri", "endpoint", "address", "link"})


@functools.lru_cache(maxsize=8192)
def name_segments(key: str) -> tuple[str, ...]:
    """``Ocp-Apim-Subscription-Key`` -> (ocp, apim, subscription, key); trailing numbers
    dropped (``api_key_2`` -> (api, key))."""
    words = [w.lower() for w in _SEGMENT.findall(key)]
    while words and words[-1].isdigit():
        words.pop()
    return tuple(words)


@functools.lru_cache(maxsize=8192)
def _secret_segments(words: tuple[str, ...]) -> bool:
    if not words:
        return False
    last, before = words[-1], words[-2] if len(words) > 1 else ""
    if last in _SECRET_SEGMENTS or last.endswith(_SECRET_SUFFIXES):
        return True
    if last in ("key", "keys"):
        return bool(before) and before not in _KEY_NOT_SECRET_AFTER
    if last == "token":
        return before not in _TOKEN_NOT_SECRET_AFTER
    if last == "auth":
        return not before or before in _AUTH_SECRET_AFTER
    if last.endswith("pass") and last not in _NOT_PASS:
        return True
    return last in _URL_WORDS and any("webhook" in w for w in words)


def is_secret_name(key: object) -> bool:
    """Whether a key (YAML key, JSON field, header, query parameter) names a secret.

    Decided on the name's segments (split on ``_ - .``, camelCase and digits), by the last:
    ``key`` after a qualifier (``api_key``, ``X-Api-Key``, ``Ocp-Apim-Subscription-Key``,
    ``salt_key``; not ``public_key``, ``cache_key`` nor a bare ``key``), ``token`` (not
    ``max_tokens``, ``*_cost_per_token``), ``secret``, password words (``pwd``, ``*_pass``,
    ``dbpassword``), ``credentials``, ``license``, ``authorization``, ``bearer``, ``*_pat``,
    ``signature``, ``cookie``, webhooks (``slack_webhook_url``), ``auth`` alone or after
    basic/http/proxy/bearer/digest/x/api. A name ending in another word (``api_key_env``,
    ``key_file``, ``password_path``, ``aws_access_key_id``, ``custom_auth``) is not secret.
    """
    return isinstance(key, str) and _secret_segments(name_segments(key))


# --------------------------------------------------------------------------- value shapes

_NULLISH = frozenset({"", "null", "none", "~", "true", "false", "nil", "undefined"})
_BOOLISH = _NULLISH | frozenset({"yes", "no", "on", "off"})
_PLACEHOLDER = re.compile(
    r"""(?ix) ^<.*>$ | ^\$\{?[A-Za-z_]\w*\}?$ | \$\{[^}]*\} | ^os\.environ/ | x{4,} | \*{3,}
    | \.\.\. | … | ^your[-_ ] | your[-_]?(?:api[-_]?)?key | change[-_]?me | replace[-_]?(?:me|with)
    | placeholder | dummy | example | ^fake | not[-_]?(?:needed|used|required|set) | no[-_]?auth
    | ^sk-[a-z0-9]{0,8}$"""
)
NUMBER = re.compile(r"[+-]?(?:\d[\d_]*)?\.?\d*(?:[eE][+-]?\d+)?|0x[0-9a-fA-F]+")
_DIGITS_AND_MARKS = re.compile(r"[\d\W_]+")  # dates, versions, addresses, IPs
_FILE_PATH = re.compile(
    r"(?i)(?:~|\.{1,2})?/(?:[\w.-]+/)*[\w.-]+\.(?:json|pem|key|crt|cer|p12|txt|ya?ml|env)"
)
_KEY_PREFIX = re.compile(
    r"(?:sk|rk|pk|gsk|xai|nvapi|pplx|ghp|gho|ghs|ghu|github_pat|glpat|hf|r8|fw|csk|tgp|xox[abposr]"
    r"|AIza|AKIA|ASIA|SG|dapi)[-_.]?[A-Za-z0-9]"
)
_ALNUM_RUN = re.compile(rf"[A-Za-z0-9]{{{_LONG_RUN},}}")
_AROUND = "\"'`,;()[]{}"  # stripped from whitespace-separated pieces of a value


def looks_like_credential(value: str) -> bool:
    """Whether a literal is shaped like a credential, so it may be masked wherever it appears.

    At least 8 characters, no whitespace; not null/boolean, a number, digits-and-marks only
    (dates, versions, addresses), a file path, a placeholder (``${VAR}``, ``$VAR``,
    ``<your-key>``, ``os.environ/X``, ``sk-xxxx``, ``***``, ``changeme``, ``not-needed``...)
    or fewer than 4 distinct characters; and then a digit, or mixed case, or an unbroken run
    of 16 letters, or a known key prefix (``sk-``, ``gsk_``, ``AIza``...) and 12 characters
    (so ``localhost``, ``not-needed`` and ``custom_auth.user_api_key_auth`` are
    words, not credentials).
    """
    text = value.strip()
    if len(text) < MIN_CREDENTIAL or text.lower() in _BOOLISH or MASK in text:
        return False
    if any(c.isspace() for c in text) or len(set(text)) < 4:
        return False
    if NUMBER.fullmatch(text) or _DIGITS_AND_MARKS.fullmatch(text):
        return False
    if _PLACEHOLDER.search(text) or _FILE_PATH.fullmatch(text):
        return False
    if any(c.isdigit() for c in text) or (len(text) >= 12 and _KEY_PREFIX.match(text)):
        return True
    if any(c.islower() for c in text) and any(c.isupper() for c in text):
        return True
    return bool(_ALNUM_RUN.search(text))


# shown at a secret position: a reference, a masked value, a "<your-key>" / "<changed>" marker
_REFERENCE = re.compile(r"os\.environ/[\w.-]*|\$\{[A-Za-z_]\w*\}|\$[A-Za-z_]\w*|<[A-Za-z _-]*>")


def _is_reference(value: str) -> bool:
    return bool(_REFERENCE.fullmatch(value.strip().strip("'\"").strip()))


def shown_at_position(value: str) -> bool:
    """A value under a secret name that may stay: null, boolean, empty, a reference."""
    return value.strip().strip("'\"").strip().lower() in _NULLISH or _is_reference(value)


def pieces(value: str) -> Iterable[str]:
    for piece in value.split():
        piece = piece.strip(_AROUND)
        if piece:
            yield piece
