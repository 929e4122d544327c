"""validate: read-only checks that catch what LiteLLM only finds at request time (or never).

Every finding has a stable code, a severity, a file, a 1-based line and column, and one line of
message. Values are judged the way LiteLLM reads them (PyYAML, YAML 1.1); positions come from
the composed nodes. Secret values are never printed.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from llmsync.document import ConfigDocument, ModelEntry, mapping_pair, scalar_value, to_python
from llmsync.errors import ConfigError, FileUnreadable
from llmsync.prices import is_number

JSON_SCHEMA_VERSION = 1

# code -> (severity, short name). Codes are stable: tools may key on them.
CODES: dict[str, tuple[str, str]] = {
    "E001": ("error", "yaml-syntax"),
    "E002": ("error", "top-level-not-mapping"),
    "E010": ("error", "model-list-not-list"),
    "E011": ("error", "entry-not-mapping"),
    "E012": ("error", "model-name-invalid"),
    "E013": ("error", "litellm-params-invalid"),
    "E014": ("error", "model-invalid"),
    "E015": ("error", "unknown-provider-prefix"),
    "E016": ("error", "cost-invalid"),
    "W017": ("warning", "cost-is-a-string"),
    "E018": ("error", "limit-not-integer"),
    "W019": ("warning", "unknown-mode"),
    "W021": ("warning", "yaml11-surprise"),
    "E030": ("error", "unknown-fallback-target"),
    "E031": ("error", "unknown-alias-target"),
    "W032": ("warning", "duplicate-deployment"),
    "E033": ("error", "fallbacks-shape"),
    "E040": ("error", "literal-secret"),
    "W041": ("warning", "env-var-unset"),
    "E050": ("error", "include-invalid"),
    "E060": ("error", "model-not-in-catalogue"),
    "W061": ("warning", "catalogue-unavailable"),
    "W062": ("warning", "source-unavailable"),
    "W063": ("warning", "model-deprecated"),
    "E070": ("error", "router-rejects-entry"),
    "W071": ("warning", "router-check-skipped"),
}

COST_KEY = re.compile(r"(^|_)cost(_per_[a-z0-9_]+)?$|_cost_per_")
DOTLESS_EXPONENT = re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")
YAML11_BOOLS = {
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
}
SECRET_KEYS = {
    "api_key", "master_key", "secret", "secret_key", "password", "token", "access_token",
    "auth_token", "aws_secret_access_key", "client_secret", "vertex_credentials", "litellm_license",
}  # fmt: skip
KNOWN_MODES = {
    "chat", "completion", "embedding", "image_generation", "image_edit", "audio_transcription",
    "audio_speech", "moderation", "rerank", "responses", "realtime", "video_generation", "ocr",
    "search", "batch", "vector_store", "extraction", "evaluation", "guardrail",
}  # fmt: skip
FALLBACK_KEYS = ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks")
ENV_PREFIX = "os.environ/"


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    column: int
    code: str
    message: str

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": CODES[self.code][1],
            "severity": self.severity,
            **asdict(self),
        }

    def as_text(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity} {self.code} {self.message}"


@dataclass
class Report:
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def exit_code(self, strict: bool) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def as_json(self, strict: bool) -> dict[str, Any]:
        return {
            "version": JSON_SCHEMA_VERSION,
            "ok": self.exit_code(strict) == 0,
            "files": self.files,
            "summary": {"errors": self.errors, "warnings": self.warnings},
            "findings": [f.as_dict() for f in sorted(self.findings)],
        }

    def as_text(self) -> str:
        lines = [f.as_text() for f in sorted(self.findings)]
        files = f"{len(self.files)} file" + ("s" if len(self.files) != 1 else "")
        lines.append(
            f"{_count(self.errors, 'error')}, {_count(self.warnings, 'warning')} in {files}"
        )
        return "\n".join(lines)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def known_providers() -> set[str]:
    text = resources.files("llmsync").joinpath("data", "litellm_providers.txt").read_text("utf-8")
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


# --------------------------------------------------------------------------- the checker


class Validator:
    """Checks one config and the files it includes."""

    def __init__(self, environ: Mapping[str, str], providers: set[str] | None = None) -> None:
        self.environ = environ
        self.providers = providers if providers is not None else known_providers()
        self.report = Report()
        self._seen: set[Finding] = set()  # a merged anchor is reported once (in O(1))
        self.docs: list[ConfigDocument] = []

    def run(self, path: Path) -> Report:
        self._load(path, display=str(path), seen=set())
        if self.docs:
            merged = self._merged_settings()
            entries = [(d, e) for d in self.docs for e in d.entries]
            custom = _custom_providers(merged.get("litellm_settings"))
            for doc, entry in entries:
                self._check_entry(doc, entry, custom)
            self._check_duplicates(entries)
            self._check_references(entries, merged)
            for doc in self.docs:
                self._check_scalars(doc)
        return self.report

    # ---- loading, following include: the way LiteLLM does

    def _load(
        self, path: Path, display: str, seen: set[Path], where: tuple[str, int, int] | None = None
    ) -> None:
        real = path.resolve()
        if real in seen:
            return  # LiteLLM reads a file once, so include cycles are harmless
        seen.add(real)
        try:
            doc = ConfigDocument.load(path)
        except ConfigError as exc:
            if isinstance(exc, FileUnreadable) and where is None:
                raise
            self.report.files.append(display)
            line, column = (exc.line or 1, exc.column or 1)
            if where and exc.line is None:
                self._add(where[0], where[1], where[2], "E050", str(exc))
            else:
                self._add(
                    display,
                    line,
                    column,
                    "E001" if exc.line else "E002",
                    str(exc).split(": ", 1)[-1],
                )
            return
        doc.name = display
        self.report.files.append(display)
        self.docs.append(doc)
        include = mapping_pair(doc.root, "include")
        if include is None:
            return
        key, value = include
        items = value.value if isinstance(value, SequenceNode) else None
        if items is None or not all(isinstance(i, ScalarNode) for i in items):
            self._at(doc, key, "E050", "'include' must be a list of file paths")
            return
        for item in items:
            target = (
                (path.parent / item.value)
                if not Path(item.value).is_absolute()
                else Path(item.value)
            )
            if not target.is_file():
                self._at(doc, item, "E050", f"included file not found: {item.value}")
                continue
            self._load(
                target,
                str(Path(display).parent / item.value),
                seen,
                (display, item.start_mark.line + 1, item.start_mark.column + 1),
            )

    def _merged_settings(self) -> dict[str, tuple[ConfigDocument, Node]]:
        """Top-level sections as LiteLLM merges includes: a later file replaces a key wholesale."""
        merged: dict[str, tuple[ConfigDocument, Node]] = {}
        for doc in self.docs:
            if isinstance(doc.root, MappingNode):
                for key, value in doc.root.value:
                    if isinstance(key, ScalarNode) and key.value != "model_list":
                        merged[key.value] = (doc, value)
        return merged

    # ---- per entry

    def _check_entry(self, doc: ConfigDocument, entry: ModelEntry, custom: set[str]) -> None:
        node = entry.node
        if not isinstance(node, MappingNode):
            self._at(
                doc,
                node,
                "E011",
                "a model_list entry must be a mapping (model_name, litellm_params, ...)",
            )
            return
        data = entry.data
        name = data.get("model_name")
        if "model_name" not in data:
            self._at(doc, node, "E012", "model_name is missing")
        elif not isinstance(name, str) or not name.strip():
            self._at(
                doc,
                _value(node, "model_name"),
                "E012",
                f"model_name must be a non-empty string, got {_show(name)}",
            )
        params = data.get("litellm_params")
        if not isinstance(params, dict):
            hint = (
                " (is 'model:' indented at the level of 'litellm_params:' instead of under it?)"
                if "model" in data
                else ""
            )
            message = (
                "litellm_params is missing"
                if "litellm_params" not in data
                else "litellm_params must be a mapping"
            )
            self._at(doc, _value(node, "litellm_params") or node, "E013", message + hint)
            return
        params_node = _value(node, "litellm_params")
        model = params.get("model")
        if not isinstance(model, str) or not model:
            self._at(
                doc,
                _value(params_node, "model") or params_node,
                "E014",
                f"litellm_params.model must be a string, got {_show(model)}",
            )
        elif "/" in model and "custom_llm_provider" not in params:
            prefix = model.split("/", 1)[0]
            if prefix not in self.providers and prefix not in custom:
                self._at(
                    doc,
                    _value(params_node, "model"),
                    "E015",
                    f"unknown provider prefix '{prefix}/': LiteLLM drops this deployment at startup",
                )
        for section, values, section_node in (
            ("litellm_params", params, params_node),
            ("model_info", data.get("model_info"), _value(node, "model_info")),
        ):
            if isinstance(values, dict):
                self._check_numbers(doc, section, values, section_node)
        mode = (
            (data.get("model_info") or {}).get("mode")
            if isinstance(data.get("model_info"), dict)
            else None
        )
        if mode is not None and mode not in KNOWN_MODES:
            self._at(
                doc,
                _value(_value(node, "model_info"), "mode"),
                "W019",
                f"model_info.mode {_show(mode)} is not a mode LiteLLM knows",
            )

    def _check_numbers(
        self, doc: ConfigDocument, section: str, values: dict, section_node: Node | None
    ) -> None:
        for key, value in values.items():
            if not isinstance(key, str):
                continue
            where = _value(section_node, key) or section_node
            if COST_KEY.search(key) and value is not None:
                if is_number(value):
                    if value < 0:
                        self._at(doc, where, "E016", f"{section}.{key} is negative ({value})")
                elif isinstance(value, str) and _numeric(value):
                    fix = (
                        _dotted(value)
                        if isinstance(where, ScalarNode)
                        and not where.style
                        and DOTLESS_EXPONENT.match(value)
                        else value.strip()
                    )
                    self._at(
                        doc,
                        where,
                        "W017",
                        f"{section}.{key}: PyYAML (LiteLLM's loader) reads {value!r} as a string, not a number; write {fix}",
                    )
                elif not isinstance(value, dict):
                    self._at(
                        doc, where, "E016", f"{section}.{key} must be a number, got {_show(value)}"
                    )
            elif (
                key in ("rpm", "tpm", "max_tokens", "max_input_tokens", "max_output_tokens")
                and value is not None
            ) and (not isinstance(value, int) or isinstance(value, bool)):
                self._at(
                    doc,
                    where,
                    "E018",
                    f"{section}.{key} must be an integer, got {_show(value)}",
                )

    def _check_duplicates(self, entries: list[tuple[ConfigDocument, ModelEntry]]) -> None:
        seen: dict[tuple, ModelEntry] = {}
        for doc, entry in entries:
            if not isinstance(entry.data, dict):
                continue
            # api_key is part of a deployment's identity: the same model behind two keys is the
            # usual way to spread rate limits, not a duplicate.
            key = (
                str(entry.model_name),
                str(entry.model),
                str(entry.api_base),
                str(entry.litellm_params.get("api_key")),
            )
            if key in seen:
                first = seen[key]
                self._at(
                    doc,
                    entry.node,
                    "W032",
                    f"duplicate deployment: same model_name, model, api_base and api_key as line {first.dash_line + 1}",
                )
            else:
                seen[key] = entry

    # ---- cross-references

    def _check_references(
        self,
        entries: list[tuple[ConfigDocument, ModelEntry]],
        merged: dict[str, tuple[ConfigDocument, Node]],
    ) -> None:
        names = {
            e.model_name
            for _, e in entries
            if isinstance(e.data, dict) and isinstance(e.model_name, str)
        }
        router = merged.get("router_settings")
        aliases: set[str] = set()
        if router and isinstance(router[1], MappingNode):
            doc, node = router
            alias_node = _value(node, "model_group_alias")
            if isinstance(alias_node, MappingNode):
                for key, target in alias_node.value:
                    aliases.add(str(scalar_value(key)) if isinstance(key, ScalarNode) else "")
                    model = _value(target, "model") if isinstance(target, MappingNode) else target
                    wanted = scalar_value(model) if isinstance(model, ScalarNode) else None
                    if not _resolves(wanted, names):
                        self._at(
                            doc,
                            model or target,
                            "E031",
                            f"model_group_alias '{scalar_value(key)}' points to unknown model_name {_show(wanted)}",
                        )
        known = names | aliases
        for section in ("router_settings", "litellm_settings"):
            if section in merged and isinstance(merged[section][1], MappingNode):
                doc, node = merged[section]
                for key in FALLBACK_KEYS:
                    self._check_fallbacks(doc, section, key, _value(node, key), known)
                default = _value(node, "default_fallbacks")
                if isinstance(default, SequenceNode):
                    for item in default.value:
                        self._check_target(doc, item, known, f"{section}.default_fallbacks")

    def _check_fallbacks(
        self, doc: ConfigDocument, section: str, key: str, node: Node | None, known: set[str]
    ) -> None:
        if node is None or (isinstance(node, ScalarNode) and scalar_value(node) is None):
            return
        label = f"{section}.{key}"
        if not isinstance(node, SequenceNode):
            self._at(
                doc,
                node,
                "E033",
                f"{label} must be a list of single-key mappings like [{{a: [b, c]}}]",
            )
            return
        for item in node.value:
            if not isinstance(item, MappingNode) or len(item.value) != 1:
                self._at(
                    doc,
                    item,
                    "E033",
                    f"each item of {label} must be a mapping with exactly one key",
                )
                continue
            source, targets = item.value[0]
            if scalar_value(source) != "*":
                self._check_target(doc, source, known, label)
            for target in targets.value if isinstance(targets, SequenceNode) else [targets]:
                self._check_target(doc, target, known, label)

    def _check_target(self, doc: ConfigDocument, node: Node, known: set[str], label: str) -> None:
        name = scalar_value(node) if isinstance(node, ScalarNode) else None
        if not _resolves(name, known):
            self._at(
                doc, node, "E030", f"{label} names {_show(name)}, which is no model_name or alias"
            )

    # ---- whole-file scalar checks: YAML 1.1 surprises, secrets, environment references

    def _check_scalars(self, doc: ConfigDocument) -> None:
        for key, node in _scalars(doc.root):
            if not isinstance(node, ScalarNode):
                continue
            text = node.value
            if not node.style and text in YAML11_BOOLS:
                self._at(
                    doc,
                    node,
                    "W021",
                    f"PyYAML (LiteLLM's loader) reads {text} as {scalar_value(node)}; write true/false, or quote it ('{text}') for the string",
                )
            elif not node.style and re.fullmatch(r"[0-9]+(:[0-5]?[0-9])+", text):
                self._at(
                    doc,
                    node,
                    "W021",
                    f"PyYAML (LiteLLM's loader) reads {text} as the number {scalar_value(node)}; quote it for the string",
                )
            value = scalar_value(node)
            if not isinstance(value, str):
                continue
            if value.startswith(ENV_PREFIX):
                var = value[len(ENV_PREFIX) :]
                if var not in self.environ:
                    self._at(
                        doc,
                        node,
                        "W041",
                        f"{value} is not set in this environment (LiteLLM would use null)",
                    )
            elif key in SECRET_KEYS and value.strip():
                hint = " (LiteLLM does not expand ${VAR})" if "${" in value else ""
                self._at(
                    doc,
                    node,
                    "E040",
                    f"{key} holds a literal secret (value not shown){hint}; use os.environ/VAR",
                )

    # ---- recording

    def _at(self, doc: ConfigDocument, node: Node, code: str, message: str) -> None:
        self._add(doc.name, node.start_mark.line + 1, node.start_mark.column + 1, code, message)

    def _add(self, file: str, line: int, column: int, code: str, message: str) -> None:
        finding = Finding(file, line, column, code, message)
        if finding not in self._seen:
            self._seen.add(finding)
            self.report.findings.append(finding)

    def add_entry_finding(
        self, doc: ConfigDocument, entry: ModelEntry, code: str, message: str
    ) -> None:
        """For checks run outside the validator (online catalogues, LiteLLM's Router)."""
        node = _value(_value(entry.node, "litellm_params"), "model") or entry.node
        self._at(doc, node, code, message)

    def check_with_router(self) -> None:
        """--strict: build LiteLLM's Router for each entry, as the proxy would, but strictly."""
        import os

        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch at import
        try:
            import logging

            import litellm

            logging.getLogger("LiteLLM").setLevel(logging.ERROR)  # its pricing notes are noise here
        except ImportError:
            if self.docs:
                self._add(
                    self.docs[0].name,
                    1,
                    1,
                    "W071",
                    "LiteLLM is not installed; the per-entry Router check was skipped",
                )
            return
        for doc in self.docs:
            for entry in doc.entries:
                if not isinstance(entry.data, dict):
                    continue
                try:
                    litellm.Router(model_list=[to_python(entry.node)])
                except Exception as exc:  # LiteLLM raises many types; each is a finding
                    first = " ".join(str(exc).split())[:200]
                    self.add_entry_finding(
                        doc,
                        entry,
                        "E070",
                        f"LiteLLM's Router rejects this entry: {type(exc).__name__}: {first}",
                    )

    def check_sources(self, discoveries: Mapping[str, Any]) -> None:
        """--online: every source declared for generate answers."""
        for name, found in discoveries.items():
            if found.error is None:
                continue
            owned = [
                (d, e)
                for d in self.docs
                for e in d.entries
                if isinstance(e.data, dict)
                and (e.data.get("model_info") or {}).get("llmsync_source") == name
            ]
            message = f"source {name} unavailable: {found.error}"
            if owned:
                self.add_entry_finding(*owned[0], "W062", message)
            elif self.docs:
                self._add(self.docs[0].name, 1, 1, "W062", message)

    def check_online(self, registry: Any, outcomes: Mapping[str, Any]) -> None:
        """--online: every hosted model still in its provider's catalogue."""
        reported: set[str] = set()
        for doc in self.docs:
            for entry in doc.entries:
                owner = (
                    registry.owner(entry.model, entry.api_base)
                    if isinstance(entry.data, dict)
                    else None
                )
                if owner is None or owner[0] not in outcomes:
                    continue
                name, model_id = owner
                outcome = outcomes[name]
                if outcome.skipped:
                    continue  # no key: nothing to say about its models
                if outcome.catalog is None:
                    if name not in reported:
                        reported.add(name)
                        self.add_entry_finding(
                            doc, entry, "W061", f"{name} catalogue unavailable: {outcome.error}"
                        )
                elif (model := outcome.catalog.get(model_id)) is not None:
                    if model.deprecation:
                        when = (
                            "is deprecated"
                            if model.deprecation == "deprecated"
                            else f"retires {model.deprecation}"
                        )
                        instead = f"; replacement: {model.replacement}" if model.replacement else ""
                        self.add_entry_finding(
                            doc, entry, "W063", f"{model_id} {when} ({name}){instead}"
                        )
                elif (
                    not outcome.catalog.partial
                    and model_id not in registry.providers[name].spec.protected
                ):
                    self.add_entry_finding(
                        doc, entry, "E060", f"{model_id} is no longer in the {name} catalogue"
                    )


# --------------------------------------------------------------------------- helpers


def _value(node: Node | None, key: str) -> Node | None:
    pair = mapping_pair(node, key)
    return pair[1] if pair else None


def _scalars(root: Node | None) -> Iterator[tuple[str | None, Node]]:
    """Every scalar value with the key it sits under; each node once (aliases not repeated)."""
    seen: set[int] = set()
    stack: list[tuple[str | None, Node]] = [(None, root)] if root is not None else []
    while stack:
        key, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield key, node
        elif isinstance(node, SequenceNode):
            stack.extend((key, item) for item in reversed(node.value))
        elif isinstance(node, MappingNode):
            for k, v in reversed(node.value):
                stack.append((k.value if isinstance(k, ScalarNode) else None, v))


def _custom_providers(settings: tuple[ConfigDocument, Node] | None) -> set[str]:
    if settings is None:
        return set()
    providers = (
        to_python(settings[1]).get("custom_provider_map")
        if isinstance(settings[1], MappingNode)
        else None
    )
    return {p.get("provider") for p in providers or [] if isinstance(p, dict)}


def _resolves(name: Any, known: set[str]) -> bool:
    if not isinstance(name, str):
        return False
    return name in known or any("*" in k and fnmatch.fnmatchcase(name, k) for k in known)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _dotted(text: str) -> str:
    mantissa, exponent = re.split("[eE]", text, maxsplit=1)
    return f"{mantissa}.0e{exponent}"


def _show(value: Any) -> str:
    return "nothing" if value is None else repr(value)
