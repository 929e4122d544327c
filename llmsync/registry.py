"""providers.yaml: the registry that turns its schema (llmsync.schema) into Provider objects.

Adding a provider whose catalogue has a known shape is a YAML edit: the ``kind`` names the
strategy class, every other field is data (URLs, auth, how entries are recognised, where
prices live and their unit).
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from llmsync.document import resolved
from llmsync.errors import FileUnreadable, RegistryError

DEFAULT_REGISTRY = "providers.yaml"
LOCAL_REGISTRY = "providers.local.yaml"
SHIPPED = f"<built-in {DEFAULT_REGISTRY}>"

# Spellings of provider names that no match rule carries (the prefixes are aliases already).
# An entry counts only when its target is a provider of the loaded registry.
EXTRA_ALIASES = {
    "together": "together_ai",
    "fireworks": "fireworks_ai",
    "nanogpt": "nano_gpt",
    "vertex": "vertex_ai",
    "google_vertex": "vertex_ai",
    "aws_bedrock": "bedrock",
    "amazon_bedrock": "bedrock",
    "azure_openai": "azure",
    "github_models": "github",
    "copilot": "github_copilot",
}

# Sections of named entries: in an override, ``name: null`` removes the entry beneath.
_NAMED_SECTIONS = ("providers", "sources")


def deep_merge(base: Any, override: Any) -> Any:
    """``override`` over ``base``: mappings merge key by key, anything else is replaced.

    Lists are replaced whole, never appended to: an override's ``match:`` or ``catalogs:`` is
    the provider's whole list. A key new to ``base`` comes after its keys (providers: first
    match wins, so a provider a user adds is tried after the shipped ones)."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else value
        return merged
    return override


def resolve_extends(sources: dict[str, Any], source: str) -> dict[str, Any]:
    """Apply ``$extend: <other source>`` (inherit, then override), with cycle detection."""
    resolved: dict[str, Any] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> dict[str, Any]:
        if name in resolved:
            return resolved[name]
        spec = sources.get(name)
        if not isinstance(spec, dict):
            raise RegistryError(
                f"{source}: sources.{chain[-1]}: $extend names unknown source {name!r}"
            )
        parent_name = spec.get("$extend")
        own = {k: v for k, v in spec.items() if k != "$extend"}
        if parent_name is None:
            result = own
        elif parent_name in (*chain, name):
            cycle = " -> ".join((*chain, name, parent_name))
            raise RegistryError(f"{source}: sources: $extend cycle: {cycle}")
        else:
            result = deep_merge(resolve(parent_name, (*chain, name)), own)
        resolved[name] = result
        return result

    return {name: resolve(name, ()) for name in sources}


class Registry:
    """The providers of one providers.yaml, in file order (first match wins)."""

    def __init__(self, data: Any, source: str) -> None:
        """``data``: a validated RegistryFile, or the same read back from registry_cache."""
        from llmsync.catalogues.hosted import build_provider

        self.data = data
        self.source = source
        self.defaults = data.defaults
        self.sources = data.sources
        self.routes = data.routes
        self.server_kinds = data.servers
        self.pricebooks = data.pricebooks
        self.providers = {
            name: build_provider(name, spec, data.defaults) for name, spec in data.providers.items()
        }

    @classmethod
    def load(cls, path: Path | None) -> Registry:
        """The shipped registry, with the user's file (``path``, else ./providers.yaml when
        present) and then a ``providers.local.yaml`` deep-merged over it (see ``deep_merge``).

        The local file is the one beside the user's file, else the one in the current folder
        (it is read even without a providers.yaml). A provider, source, server kind, default,
        price book or route the user names is merged field by field over the shipped one (lists
        replaced whole); a new name is added after the shipped ones; ``name: null`` under
        ``providers:`` or ``sources:`` removes a shipped entry. ``replace: true`` at the top of a
        file discards everything beneath it (the file is then the whole registry). Every file
        that is there is used or refused with a one-line RegistryError, never ignored.
        """
        from llmsync import registry_cache

        shipped = resources.files("llmsync").joinpath("data", DEFAULT_REGISTRY).read_text("utf-8")
        if path is None and _present(Path(DEFAULT_REGISTRY)):
            path = Path(DEFAULT_REGISTRY)
        local = path.with_name(LOCAL_REGISTRY) if path is not None else Path(LOCAL_REGISTRY)
        files = [each for each in (path, local if _present(local) else None) if each is not None]
        texts = [(SHIPPED, shipped), *((str(each), _read_text(each)) for each in files)]
        digest = registry_cache.key(texts)
        kept = registry_cache.read(digest)
        if kept is not None:  # validated before, from these very texts
            return cls(*kept)
        layers: list[tuple[dict, str]] = []
        for label, text in texts:
            layer = _layer(_parse_yaml(text, label), label)
            if layer.pop("replace", False):
                layers = []
            layers.append((layer, label))
        raw = _merge_layers(layers)
        source = " + ".join(label for _, label in layers)
        registry = cls.from_data(raw, source, layers)
        registry_cache.write(digest, registry.data, source)
        return registry

    @classmethod
    def from_text(cls, text: str, source: str) -> Registry:
        return cls.from_data(_parse_yaml(text, source), source)

    @classmethod
    def from_data(
        cls, raw: Any, source: str, layers: list[tuple[dict, str]] | None = None
    ) -> Registry:
        """Validate ``raw``. With the ``layers`` it was merged from, an error names the file
        that wrote the faulty field (the last one that has it, else the deepest part of it)."""
        raw = raw if raw is not None else {}
        if isinstance(raw, dict) and isinstance(raw.get("sources"), dict):
            where = _blame(layers, ("sources",)) if layers else source
            raw = {**raw, "sources": resolve_extends(raw["sources"], where)}
        from pydantic import ValidationError

        from llmsync.schema import RegistryFile

        try:
            data = RegistryFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            where = _blame(layers, tuple(first["loc"])) if layers else source
            raise RegistryError(f"{where}: {loc}: {first['msg']}") from None
        return cls(data, source)

    def _claims(self) -> dict[str, set[str]]:
        """Normalised alias -> who uses it: providers (match prefixes without the slash,
        EXTRA_ALIASES) and self-hosted server kinds (their names and prefixes)."""
        claims: dict[str, set[str]] = {}
        for kind, server in self.server_kinds.items():
            for alias in (kind, *(p.rstrip("/") for p in server.prefixes)):
                claims.setdefault(normalise(alias), set()).add(f"self-hosted servers ({kind})")
        for name, provider in self.providers.items():
            for rule in provider.spec.match:
                if rule.prefix.rstrip("/"):
                    claims.setdefault(normalise(rule.prefix), set()).add(name)
        for alias, name in EXTRA_ALIASES.items():
            if name in self.providers:
                claims.setdefault(normalise(alias), set()).add(name)
        return claims

    def aliases(self) -> dict[str, str]:
        """Other names of providers (normalised, see ``normalise``) -> registry name: each
        match rule's prefix without its slash (``nvidia_nim`` -> nvidia, ``nano-gpt`` ->
        nano_gpt) and EXTRA_ALIASES. A prefix that two providers, or a provider and a
        self-hosted server kind, share (``openai/``, ``ollama/``) is nobody's alias."""
        return {
            alias: owner
            for alias, users in self._claims().items()
            if len(users) == 1 and (owner := next(iter(users))) in self.providers
        }

    def resolve(self, name: str) -> str:
        """The registry name ``name`` means: itself, the same spelt in another case or with
        ``-``/``.`` for ``_``, or an alias (``aliases``). Else a one-line RegistryError, with
        a did-you-mean when a known name is close."""
        if name in self.providers:
            return name
        wanted = normalise(name)
        by_norm = {normalise(n): n for n in self.providers}
        if wanted in by_norm:
            return by_norm[wanted]
        claims = self._claims()
        users = claims.get(wanted, set())
        if len(users) == 1 and (owner := next(iter(users))) in self.providers:
            return owner
        if len(users) > 1:
            raise RegistryError(
                f"provider {name!r} is ambiguous: {wanted}/ is used by "
                f"{', '.join(sorted(users))} (name one; llmsync providers lists them)"
            )
        aliases = self.aliases()
        known = {**aliases, **by_norm, "all": "all"}
        close = difflib.get_close_matches(wanted, list(known), n=1, cutoff=0.6)
        hint = f" — did you mean {known[close[0]]!r}?" if close else ""
        raise RegistryError(f"unknown provider {name!r}{hint} (llmsync providers lists them)")

    def select(self, names: list[str]) -> list[str]:
        """Expand ``all`` and resolve names (``resolve``: case, ``-``/``_``, LiteLLM prefixes),
        keeping registry order and dropping repeats."""
        if not names or any(normalise(n) == "all" for n in names):
            return list(self.providers)
        chosen = {self.resolve(n) for n in names}
        return [n for n in self.providers if n in chosen]

    def owner(self, model: str | None, api_base: str | None) -> tuple[str, str] | None:
        """(provider name, catalogue id) of the provider that recognises an entry, if any.
        A model written ``os.environ/X`` is X's value, as the proxy reads it."""
        model = resolved(model)
        for name, provider in self.providers.items():
            model_id = provider.recognise(model, api_base)
            if model_id is not None:
                return name, model_id
        return None


def normalise(name: str) -> str:
    """A provider name as compared: lower case, ``-`` and ``.`` as ``_``, no trailing ``/``."""
    return name.strip().rstrip("/").lower().replace("-", "_").replace(".", "_")


def _present(path: Path) -> bool:
    """There is something at ``path`` (a folder or a dangling link too: refused, not skipped)."""
    return path.exists() or path.is_symlink()


def _layer(raw: Any, source: str) -> dict:
    """One registry file as a mapping of sections; an empty file or section is nothing."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RegistryError(
            f"{source}: not a registry: expected sections such as providers: or sources:, "
            f"found a {type(raw).__name__}"
        )
    replace = raw.get("replace", False)
    if not isinstance(replace, bool):
        raise RegistryError(f"{source}: replace: must be true or false, not {replace!r}")
    return {key: value for key, value in raw.items() if value is not None}


def _merge_layers(layers: list[tuple[dict, str]]) -> dict:
    merged: dict = {}
    for layer, _ in layers:
        removed = {
            section: [
                name
                for name, spec in layer[section].items()
                if spec is None and name in (merged.get(section) or {})
            ]
            for section in _NAMED_SECTIONS
            if isinstance(layer.get(section), dict) and isinstance(merged.get(section), dict)
        }
        merged = deep_merge(merged, layer)
        for section, names in removed.items():
            for name in names:
                del merged[section][name]
    return merged


def _blame(layers: list[tuple[dict, str]], loc: tuple) -> str:
    """The file of ``layers`` that wrote ``loc``: the one holding most of the path, the
    later one on a tie (it overrode the others)."""
    best, depth = layers[-1][1], -1
    for raw, label in layers:
        node: Any = raw
        reached = 0
        for part in loc:
            in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if not (in_list or (isinstance(node, dict) and part in node)):
                break
            node = node[part]
            reached += 1
        if reached >= depth:
            best, depth = label, reached
    return best


def _read_yaml(path: Path) -> Any:
    return _parse_yaml(_read_text(path), str(path))


def _read_text(path: Path) -> str:
    from llmsync.files import read_snapshot

    try:
        return read_snapshot(path).raw.decode("utf-8")
    except FileUnreadable as exc:
        raise RegistryError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _parse_yaml(text: str, source: str) -> Any:
    from llmsync.yaml_limits import check_text

    check_text(text, source)  # nested anchors or deep nesting: one line, not a hang
    try:
        # libyaml's loader when present: same YAML 1.1 rules, 10x faster (28 ms -> 3 ms here).
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise RegistryError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
