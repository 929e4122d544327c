"""Credentials: every secret-looking value is classified, and its value is never printed.

- ``os.environ/X``: fine (W041 when X is unset here);
- ``${VAR}`` / ``$VAR``: LiteLLM does not expand them, the literal text is sent (E044): in a
  credential anywhere, and in any string value of ``model_list`` and the three settings
  sections, merged-in values (anchors, ``<<:``) included, reported once where written;
- a placeholder (``none``, ``fake-key``, ``<your key>``, ``sk-...``, or any key of an entry whose
  ``api_base`` is local): no secret at all (I042, information);
- a value that looks like a real key (a known key prefix, or a long high-entropy string): E040;
- anything else: W045, worth a look.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from llmsync.document import ConfigDocument, ModelEntry, _is_merge, env_reference, scalar_value
from llmsync.lint.core import Context, Hit, rule, value_node
from llmsync.lint.scalars import scalars

E040 = rule(
    "E040",
    "literal-secret",
    "error",
    "a literal value that looks like a real key (a known key prefix or a long random string) "
    "in `api_key`, `master_key`, a password, a token...; use os.environ/VAR",
)
W041 = rule("W041", "env-var-unset", "warning", "`os.environ/X` with `X` unset here")
I042 = rule(
    "I042",
    "placeholder-secret",
    "info",
    "a placeholder key (`none`, `fake-key`, `<your key>`, `sk-...`) or the key of a local server",
)
E043 = rule(
    "E043",
    "weak-master-key",
    "error",
    "a `master_key` LiteLLM 1.106.2 refuses to start with (a publicly known example key, or empty)",
)
E044 = rule(
    "E044",
    "env-interpolation",
    "error",
    "`${VAR}` / `$VAR` in a value: LiteLLM does not expand it and sends the text; use os.environ/VAR",
)
W045 = rule(
    "W045",
    "literal-credential",
    "warning",
    "a literal credential that is neither a placeholder nor shaped like a known key",
)

SECRET_KEYS = {
    "api_key", "master_key", "secret", "secret_key", "password", "token", "access_token",
    "auth_token", "aws_secret_access_key", "client_secret", "vertex_credentials", "litellm_license",
}  # fmt: skip
KEY_PREFIXES = (
    "sk-ant-", "sk-proj-", "sk-or-", "sk-", "gsk_", "AIza", "xai-", "nvapi-", "pplx-", "ghp_",
    "github_pat_", "gho_", "hf_", "r8_", "fw_", "csk-", "tgp_", "sk_", "AKIA",
)  # fmt: skip
PLACEHOLDER_WORDS = {
    "none", "null", "nil", "fake", "fake-key", "fake_key", "fakekey", "no-key", "no_key", "nokey",
    "not-needed", "not_needed", "notneeded", "not-used", "unused", "dummy", "dummy-key", "dummy_key",
    "placeholder", "changeme", "change-me", "change_me", "test", "testing", "empty", "apikey",
    "api_key", "api-key", "key", "secret", "password", "ollama", "lm-studio", "lmstudio", "anything",
    "any", "x", "xx", "xxx", "token", "sk-no-auth-required", "no-auth", "noauth", "local", "vllm",
    "EMPTY",
}  # fmt: skip
PLACEHOLDER_SHAPE = re.compile(
    r"(?i)^<.*>$|^your[-_ ]|\byour[-_ ]?(api[-_ ]?)?key\b|x{4,}|\*{3,}|\.\.\.|…|replace|insert|"
    r"example|dummy|placeholder|changeme|^sk-[a-z0-9]{0,8}$"
)
INTERPOLATION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}|^\$[A-Za-z_][A-Za-z0-9_]*$")
_VAR_NAMES = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|^\$([A-Za-z_][A-Za-z0-9_]*)$")
# The sections whose every string value LiteLLM reads as is (E044 looks at all of them).
INTERPOLATED_SECTIONS = ("general_settings", "litellm_settings", "router_settings")
SHOWN_ENTRIES = 5
# sha256 of the master keys LiteLLM 1.106.2 refuses to boot with (master_key_boot_check.py)
PUBLIC_MASTER_KEYS = {"88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"}


def check_secrets(ctx: Context) -> Iterator[Hit]:
    yield from check_interpolation(ctx)
    local_keys = _local_server_keys(ctx)
    for doc in ctx.docs:
        for key, node in scalars(doc.root):
            value = scalar_value(node)
            if not isinstance(value, str):
                continue
            var = env_reference(value)
            if var is not None:
                if var not in ctx.environ:
                    yield Hit(
                        doc,
                        node,
                        W041,
                        f"{value} is not set in this environment (LiteLLM would use null)",
                    )
                continue
            if key not in SECRET_KEYS or not value.strip():
                continue
            if INTERPOLATION.search(value):
                continue  # E044, from check_interpolation
            if key == "master_key" and _publicly_known(value):
                continue  # E043 says it better
            elif key != "master_key" and (id(node) in local_keys or is_placeholder(value)):
                yield Hit(
                    doc,
                    node,
                    I042,
                    f"{key} is a placeholder (value not shown); fine for a server that needs no key",
                )
            elif looks_real(value):
                yield Hit(
                    doc,
                    node,
                    E040,
                    f"{key} holds a literal secret (value not shown); use os.environ/VAR",
                )
            else:
                yield Hit(
                    doc,
                    node,
                    W045,
                    f"{key} holds a literal value (not shown) that is not os.environ/VAR; is it a secret?",
                )


def check_interpolation(ctx: Context) -> Iterator[Hit]:
    """E044: a ``${VAR}`` / ``$VAR`` LiteLLM would send as text. Every string value LiteLLM reads
    from ``model_list`` and the settings sections (following aliases and merge keys as PyYAML
    does), and any credential elsewhere; once per scalar as written, at its own line, naming
    the entries it reaches when it is written outside them (an anchor, a merge key)."""
    for doc in ctx.docs:
        reached = _reached_scalars(doc)
        for written_key, node in scalars(doc.root):
            value = scalar_value(node)
            if not isinstance(value, str) or env_reference(value) is not None:
                continue
            if not INTERPOLATION.search(value):
                continue
            found = reached.get(id(node))
            if found is None and written_key not in SECRET_KEYS:
                continue
            key, entries = found if found is not None else (written_key, [])
            yield Hit(doc, node, E044, _interpolation_message(key, value, node, entries))


def _interpolation_message(
    key: str | None, value: str, node: ScalarNode, entries: list[ModelEntry]
) -> str:
    what = key or "a value"
    names = list(dict.fromkeys(a or b for a, b in _VAR_NAMES.findall(value)))
    line = node.start_mark.line
    where = ""
    if len(entries) > 1 or (entries and not entries[0].holds(line)):
        counts = Counter(_entry_name(e) for e in entries)  # deployments may share a name
        labels = [name if n == 1 else f"{name} x{n}" for name, n in counts.items()]
        shown = ", ".join(labels[:SHOWN_ENTRIES])
        if len(labels) > SHOWN_ENTRIES:
            shown += f" and {len(labels) - SHOWN_ENTRIES} more"
        count = f"{len(entries)} entr" + ("y" if len(entries) == 1 else "ies")
        where = f" (it reaches {count}: {shown})"
    if INTERPOLATION.fullmatch(value.strip()):
        return (
            f"{what} holds {_kind(value)}{where}: LiteLLM does not expand it and would send the "
            f"text itself; write os.environ/{names[0]}"
        )
    refs = ", ".join(names)
    return (
        f"{what} holds a ${{VAR}} reference ({refs}) inside a longer value{where}: LiteLLM does "
        "not expand it and would send the text itself, and os.environ/ works only for a whole "
        "value; write the value out, or put the whole value in a variable and write "
        "os.environ/<that variable>"
    )


def _entry_name(entry: ModelEntry) -> str:
    name = entry.model_name
    return str(name) if name is not None else f"entry {entry.index + 1} (no model_name)"


def _reached_scalars(doc: ConfigDocument) -> dict[int, tuple[str | None, list[ModelEntry]]]:
    """The scalars LiteLLM reads from ``doc``'s entries and settings sections (by ``id``): the
    key they are read under, and the entries that read them."""
    reached: dict[int, tuple[str | None, list[ModelEntry]]] = {}
    for entry in doc.entries:
        _reach(entry.node, None, entry, reached)
    root = doc.root
    if isinstance(root, MappingNode):
        for section, node in _effective_pairs(root):
            if section in INTERPOLATED_SECTIONS:
                _reach(node, section, None, reached)
    return reached


def _reach(
    start: Node,
    key: str | None,
    entry: ModelEntry | None,
    reached: dict[int, tuple[str | None, list[ModelEntry]]],
) -> None:
    seen: set[int] = set()  # per entry: a node reached twice within one entry counts once
    stack: list[tuple[str | None, Node]] = [(key, start)]
    while stack:
        key, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            found = reached.setdefault(id(node), (key, []))
            if entry is not None:
                found[1].append(entry)
        elif isinstance(node, SequenceNode):
            stack.extend((key, item) for item in reversed(node.value))
        elif isinstance(node, MappingNode):
            stack.extend(reversed(_effective_pairs(node)))


def _effective_pairs(node: MappingNode, seen: frozenset[int] = frozenset()) -> list:
    """``(key, value node)`` as PyYAML builds the mapping: its own keys (the last of a repeated
    one), then what merge keys bring that it lacks (the first source wins); keys are not values,
    so they are not returned as nodes."""
    own: dict[object, Node] = {}
    merges: list[Node] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and _is_merge(k):
            merges.append(v)
        else:
            own[k.value if isinstance(k, ScalarNode) else id(k)] = v
    pairs = dict(own)
    seen = seen | {id(node)}
    for merge in merges:
        for source in merge.value if isinstance(merge, SequenceNode) else [merge]:
            if isinstance(source, MappingNode) and id(source) not in seen:
                for k, v in _effective_pairs(source, seen):
                    pairs.setdefault(k, v)
    return [(k if isinstance(k, str) else None, v) for k, v in pairs.items()]


def check_master_key(ctx: Context) -> Iterator[Hit]:
    general = ctx.merged().get("general_settings")
    if general is None:
        return
    doc, node = general
    key_node = value_node(node, "master_key")
    if key_node is None:
        return
    value = scalar_value(key_node)
    var = env_reference(value)
    if var is not None:
        value = ctx.environ.get(var)
        if value is None:
            return  # W041 covers it
    if not isinstance(value, str) or not value.strip():
        yield Hit(doc, key_node, E043, "master_key is empty: LiteLLM 1.106.2 refuses to start")
    elif _publicly_known(value):
        yield Hit(
            doc,
            key_node,
            E043,
            "master_key is a publicly known example key (value not shown): LiteLLM 1.106.2 refuses to start; generate one, e.g. sk-$(openssl rand -hex 32)",
        )


def _publicly_known(value: str) -> bool:
    return hashlib.sha256(value.strip().encode()).hexdigest() in PUBLIC_MASTER_KEYS


def is_placeholder(value: str) -> bool:
    text = value.strip()
    return (
        text.lower() in {w.lower() for w in PLACEHOLDER_WORDS}
        or bool(PLACEHOLDER_SHAPE.search(text))
        or len(set(text)) <= 2
        or len(text) < 8
    )


def looks_real(value: str) -> bool:
    text = value.strip()
    if text.startswith(KEY_PREFIXES) and len(text) >= 20:
        return True
    return len(text) >= 24 and " " not in text and _entropy(text) >= 3.5


def _entropy(text: str) -> float:
    counts = {c: text.count(c) for c in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _kind(value: str) -> str:
    return "a ${VAR} reference" if "${" in value else "a $VAR reference"


def _local_server_keys(ctx: Context) -> set[int]:
    """Key nodes of entries whose api_base is this machine or a private network."""
    found = set()
    for _, entry in ctx.entries:
        base = entry.api_base
        if base and _is_local(base):
            params = value_node(entry.node, "litellm_params")
            for key in SECRET_KEYS:
                node = value_node(params, key)
                if node is not None:
                    found.add(id(node))
    return found


def _is_local(url: str) -> bool:
    host = (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()
    if host in ("localhost", "host.docker.internal", "ollama", "vllm") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host and bool(host)  # a bare service name (docker compose)
    return address.is_loopback or address.is_private or address.is_unspecified
