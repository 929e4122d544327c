"""The lint machinery: rules declared with their code beside their check, findings, reports.

A rule is declared once, where it is checked: ``RULE = rule("E012", "model-name-invalid",
"error", "one line of doc")``. Checks are small functions yielding :class:`Hit`\\ s; the
:class:`Context` turns them into findings, honouring ``--select`` / ``--ignore`` and inline
``# llmsync: ignore[E040]`` comments. The README's table and ``--list-rules`` come from
:data:`RULES`.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from ruamel.yaml.nodes import Node

from llmsync.document import ConfigDocument, mapping_pair

JSON_SCHEMA_VERSION = 1
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    doc: str
    group: str


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: str, doc: str) -> Rule:
    """Declare a rule (its group is the declaring module's name)."""
    assert severity in SEVERITIES and code not in RULES, code
    group = sys._getframe(1).f_globals.get("__name__", "").rsplit(".", 1)[-1]  # the module
    RULES[code] = Rule(code, name, severity, doc, group)
    return RULES[code]


class Hit(NamedTuple):
    """What a check found: where (a node of a document, or a file position) and why."""

    doc: ConfigDocument | None
    node: Node | None
    rule: Rule
    message: str
    file: str | None = None  # when there is no document (a file that did not load)
    line: int = 1
    column: int = 1


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    column: int
    code: str
    message: str

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def severity(self) -> str:
        return self.rule.severity

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.rule.name,
            "severity": self.severity,
            **asdict(self),
        }

    def as_text(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity} {self.code} {self.message}"


@dataclass
class Report:
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    def exit_code(self, strict: bool) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def drop_known(self, baseline: Report) -> int:
        """Remove the findings ``baseline`` (the same config before a change) also has, matched
        by code and message (line numbers move when entries are added or removed); return how
        many were removed. What is left is what the change brought."""
        known = Counter((f.code, f.message) for f in baseline.findings)
        kept = []
        for finding in self.findings:
            key = (finding.code, finding.message)
            if known[key] > 0:
                known[key] -= 1
            else:
                kept.append(finding)
        dropped = len(self.findings) - len(kept)
        self.findings = kept
        return dropped

    def as_json(self, strict: bool) -> dict[str, Any]:
        return {
            "version": JSON_SCHEMA_VERSION,
            "ok": self.exit_code(strict) == 0,
            "files": self.files,
            "summary": {
                "errors": self.errors,
                "warnings": self.warnings,
                "infos": self.count("info"),
            },
            "findings": [f.as_dict() for f in sorted(self.findings)],
        }

    def as_text(self) -> str:
        lines = [f.as_text() for f in sorted(self.findings)]
        files = f"{len(self.files)} file" + ("s" if len(self.files) != 1 else "")
        summary = f"{_count(self.errors, 'error')}, {_count(self.warnings, 'warning')}"
        if self.count("info"):
            summary += f", {_count(self.count('info'), 'info')}"
        lines.append(f"{summary} in {files}")
        return "\n".join(lines)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


_IGNORE = re.compile(r"#\s*llmsync:\s*ignore(?:\[(?P<codes>[A-Z0-9,\s]+)\])?")


class Context:
    """What checks share: the loaded documents, the environment, LiteLLM facts, the report."""

    def __init__(
        self,
        environ: Mapping[str, str],
        providers: set[str],
        bare_ids: set[str],
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> None:
        self.environ = environ
        self.providers = providers
        self.bare_ids = bare_ids
        self.select = tuple(select)
        self.ignore = tuple(ignore)
        self.docs: list[ConfigDocument] = []
        self.report = Report()
        self._seen: set[Finding] = set()  # a merged anchor is reported once, in O(1)

    @property
    def entries(self) -> Iterator[tuple[ConfigDocument, Any]]:
        return ((d, e) for d in self.docs for e in d.entries)

    def merged(self) -> dict[str, tuple[ConfigDocument, Node]]:
        """Top-level sections as LiteLLM merges includes: a later file replaces a key wholesale."""
        merged: dict[str, tuple[ConfigDocument, Node]] = {}
        for doc in self.docs:
            for key, value in getattr(doc.root, "value", None) or []:
                if getattr(key, "value", None) != "model_list" and isinstance(key.value, str):
                    merged[key.value] = (doc, value)
        return merged

    def add(self, hits: Iterable[Hit]) -> None:
        for hit in hits:
            if hit.doc is not None and hit.node is not None:
                file = hit.doc.name
                line, column = hit.node.start_mark.line + 1, hit.node.start_mark.column + 1
            else:
                file, line, column = hit.file or "?", hit.line, hit.column
            if not self._wanted(hit.rule.code) or self._suppressed(hit.doc, line, hit.rule.code):
                continue
            finding = Finding(file, line, column, hit.rule.code, hit.message)
            if finding not in self._seen:
                self._seen.add(finding)
                self.report.findings.append(finding)

    def _wanted(self, code: str) -> bool:
        if self.select and not code.startswith(self.select):
            return False
        return not (self.ignore and code.startswith(self.ignore))

    def _suppressed(self, doc: ConfigDocument | None, line: int, code: str) -> bool:
        if doc is None or not 0 < line <= len(doc.lines):
            return False
        match = _IGNORE.search(doc.lines[line - 1])
        if match is None:
            return False
        codes = match["codes"]
        return codes is None or code in {c.strip() for c in codes.split(",")}


def value_node(node: Node | None, key: str) -> Node | None:
    pair = mapping_pair(node, key)
    return pair[1] if pair else None


def show(value: Any) -> str:
    return "nothing" if value is None else repr(value)
