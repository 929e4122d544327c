"""Secrets inside URLs: userinfo (whatever the password holds), secret query parameters,
webhook tokens."""

from __future__ import annotations

import re

from llmsync.redact.shapes import MASK, is_secret_name

# --------------------------------------------------------------------------- URLs

# A URL's text after "://" (anchored on the literal: a fast scan).
URL = re.compile(r"://(?P<run>[^\s\"<>`\\]*)")
_HOST_AFTER_AT = re.compile(
    r"(?:\[[0-9A-Fa-f:.]*\]|[A-Za-z0-9._~%-]*)(?::[0-9]*)?(?=[/?#)\],;'\"]|$)"
)
_HOOK_HOST = re.compile(
    r"(?i)(?:hooks\.slack\.com|[\w.-]*webhook\.office\.com|hooks\.zapier\.com"
    r"|[\w.-]*\.logic\.azure\.com|maker\.ifttt\.com)(?::\d+)?/"
)
_HOOK_PATH = re.compile(r"(?i)/(?:webhooks?|webhookb2|hooks)/")
_PATH_END = re.compile(r"[?#,)\]}']|$")


def userinfo_end(run: str) -> int:
    """In the text after ``://``, the index of the ``@`` that ends the userinfo, or -1.

    A password may hold ``@``, ``/``, ``?`` and ``#``, so the userinfo ends at the last ``@``
    followed by a host (``host``, ``[v6]``, ``host:port``) and then ``/``, ``?``, ``#`` or the
    end. There is userinfo only when the authority (up to the first ``/``, ``?``, ``#``)
    holds an ``@``, or a ``:`` not followed by a port (``user:pa/ss@host``), or
    ``x:digits`` and one more segment before an ``@`` and a host (``user:12/34@host``): a
    path's ``@`` (``.../claude-3-5-sonnet@20240620:rawPredict``, ``host:8080/v1/x@y/z``) is
    not userinfo. Ambiguous text is hidden rather than shown.
    """
    at = run.rfind("@")
    if at < 0:
        return -1
    cut = len(run)
    for mark in "/?#":
        found = run.find(mark)
        if 0 <= found < cut:
            cut = found
    authority = run[:cut]
    if "@" not in authority:
        colon = authority.find(":")
        if colon < 0 or authority.startswith("["):
            return -1  # "host/path@x": a path's "@"
        if authority[colon + 1 :].isdigit():  # "host:port/path@x", or "user:12/34@host"
            first = run.find("@", cut)
            if any(m in run[cut + 1 : first] for m in "/?#"):
                return -1
            if not _HOST_AFTER_AT.match(run, first + 1):
                return -1
    while at >= 0:
        if _HOST_AFTER_AT.match(run, at + 1):
            return at
        at = run.rfind("@", 0, at)
    return run.rfind("@")  # no host after any "@": hide up to the last one


def _hide_hook_path(run: str) -> str:
    match = _HOOK_HOST.match(run)
    if match is None:
        match = _HOOK_PATH.search(run, 0, _PATH_END.search(run).start())
    if match is None:
        return run
    end = _PATH_END.search(run, match.end()).start()
    if end == match.end():
        return run
    return run[: match.end()] + MASK + run[end:]


def mask_url(match: re.Match[str]) -> str:
    run = match["run"]
    at = userinfo_end(run)
    if at >= 0:
        run = MASK + run[at:]
    return "://" + _hide_hook_path(run)


# Secret query (and connection-string) parameters: these names and every secret-named one.
_QUERY_NAMES = frozenset(
    {
        "key", "sig", "code", "token", "signature", "access_token", "api_key", "apikey",
        "api-key", "secret", "password", "x-amz-signature", "x-amz-security-token",
        "x-amz-credential", "x-goog-signature", "x-goog-credential", "client_secret",
        "refresh_token", "id_token", "auth", "pwd", "pass", "passwd", "subscription-key",
        "sastoken", "sas",
    }
)  # fmt: skip
QUERY = re.compile(r"(?P<lead>[?&;](?P<name>[A-Za-z_][\w.-]*)=)(?P<value>[^&;#\s\"'<>`\\]+)")


def mask_query(match: re.Match[str]) -> str:
    name, value = match["name"], match["value"]
    if value.startswith(MASK) or not (name.lower() in _QUERY_NAMES or is_secret_name(name)):
        return match[0]
    return match["lead"] + MASK


def public_url(url: str) -> str:
    """``url`` (or a message holding URLs) without userinfo, secret query values or webhook
    tokens."""

    def drop(match: re.Match[str]) -> str:
        run = match["run"]
        at = userinfo_end(run)
        return "://" + _hide_hook_path(run[at + 1 :] if at >= 0 else run)

    url = URL.sub(drop, url)
    return QUERY.sub(mask_query, url) if "=" in url else url
