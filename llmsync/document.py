"""The config document: parse once, locate entries, edit text minimally, write atomically.

Why text edits instead of ruamel's round-trip dump: on real configs a plain dump rewrites lines
nobody touched (``True`` → ``true``, re-indented sequences, flow maps in lists). So ruamel's
C composer is used only to *locate* nodes (start/end line and column), and every change is a
splice of the original text: a scalar swapped in place, whole lines inserted or deleted, or
whole entry blocks permuted. Lines outside a change stay byte-identical by construction.

Values are read with PyYAML's YAML 1.1 rules because that is how LiteLLM reads the file
(``3e-06`` is a string to it, ``on`` is a boolean).
"""

from __future__ import annotations

import bisect
import functools
import gc
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from llmsync.errors import ConfigError
from llmsync.files import Snapshot, read_snapshot, real_path
from llmsync.prices import COST_FIELDS, float_style_of, format_float
from llmsync.yaml_limits import check_expansion, check_nesting, may_have_aliases

BOM = "\ufeff"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


# Nodes are only located with ruamel; values are read with PyYAML's rules (scalar_value). So the
# composer needs no implicit tag resolution (a regex cascade per scalar, a third of the parse):
# every plain scalar gets one shared tag object, and only the merge key "<<" is told apart.
_PLAIN = Tag(suffix=_STR_TAG)
_MERGE = Tag(suffix=_MERGE_TAG)


class _LocatingResolver(VersionedResolver):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            return _MERGE if implicit[0] and value == "<<" else _PLAIN
        return super().resolve(kind, value, implicit)


def _composer() -> YAML:
    # pure=False uses the libyaml-based composer when ruamel.yaml.clib is installed: ~10x
    # faster than the pure-Python round-trip loader on large configs.
    yaml_ = YAML(typ="safe", pure=False)
    yaml_.Resolver = _LocatingResolver
    return yaml_


def _is_merge(key: Node) -> bool:
    return key.ctag is _MERGE or (key.ctag is not _PLAIN and key.tag == _MERGE_TAG)


# --------------------------------------------------------------------------- node helpers


def scalar_value(node: Node) -> Any:
    """The value PyYAML (YAML 1.1, LiteLLM's loader) gives a scalar node."""
    if node.style:  # quoted or block scalars are strings
        return node.value
    if node.ctag is _PLAIN:  # untagged: resolved implicitly, the common case
        return _plain_scalar(node.value)
    tag = node.tag
    if not (tag.startswith("tag:yaml.org,2002:") or tag == "!"):
        return node.value  # a custom tag: keep the text, LiteLLM would fail on it anyway
    return _plain_scalar(node.value)


@functools.lru_cache(maxsize=65536)  # keys and common values repeat in every entry
def _plain_scalar(text: str) -> Any:
    """A plain scalar's value by PyYAML's implicit resolution (results are immutable)."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    constructor = _CONSTRUCTOR.yaml_constructors.get(tag)
    if constructor is None:
        return text
    try:
        return constructor(_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except (ValueError, yaml.YAMLError):
        return text


def to_python(node: Node, known: dict[int, Any] | None = None) -> Any:
    """Construct plain Python data from a node (merge keys resolved), YAML 1.1 semantics.

    ``known``: data already built for some nodes (by ``id``), reused rather than rebuilt.
    """
    if known and id(node) in known:
        return known[id(node)]
    if isinstance(node, ScalarNode):
        return scalar_value(node)
    if isinstance(node, SequenceNode):
        return [to_python(item, known) for item in node.value]
    result: dict[Any, Any] = {}
    for key, value in node.value:
        if _is_merge(key):
            merged = value.value if isinstance(value, SequenceNode) else [value]
            for source in merged:
                for k, v in to_python(source, known).items():
                    result.setdefault(k, v)
            continue
        k = to_python(key)
        result[k if isinstance(k, (str, int, float, bool, type(None))) else str(k)] = to_python(
            value, known
        )
    return result


def env_reference(value: Any) -> str | None:
    """X for a config value ``os.environ/X`` (LiteLLM resolves it at startup), else None."""
    if isinstance(value, str) and value.startswith("os.environ/") and len(value) > 11:
        return value[len("os.environ/") :]
    return None


def resolved(value: str | None) -> str | None:
    """A config string as LiteLLM's proxy reads it: ``os.environ/X`` is X's value (None when
    X is not set here), anything else is itself."""
    var = env_reference(value)
    if var is None:
        return value
    return os.environ.get(var) or None


def mapping_pair(node: Node | None, key: str) -> tuple[Node, Node] | None:
    """The (key, value) pair for ``key``, looking through merge keys like LiteLLM would."""
    if not isinstance(node, MappingNode):
        return None
    merges, found = [], None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and _is_merge(k):
            merges.append(v)
        elif isinstance(k, ScalarNode) and k.value == key:
            found = (k, v)  # a repeated key: PyYAML, and so LiteLLM, keeps the last one
    if found:
        return found
    for merge in merges:
        for source in merge.value if isinstance(merge, SequenceNode) else [merge]:
            found = mapping_pair(source, key)
            if found:
                return found
    return None


def mapping_value(node: Node | None, key: str) -> Node | None:
    pair = mapping_pair(node, key)
    return pair[1] if pair else None


def _is_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def last_line(node: Node) -> int:
    """The last line holding text of ``node`` (end marks of block nodes point past it)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark
        line = end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
        return max(line, node.start_mark.line)
    if _is_flow(node) or not node.value:
        return node.end_mark.line
    if isinstance(node, SequenceNode):
        item = node.value[-1]
        return (
            last_line(item) if item.start_mark.line >= node.start_mark.line else node.end_mark.line
        )
    key, value = node.value[-1]
    # An alias value points at a node defined earlier: the alias token sits on the key's line.
    if value.start_mark.line < key.start_mark.line or (
        value.start_mark.line == key.start_mark.line
        and value.start_mark.column < key.start_mark.column
    ):
        return key.end_mark.line
    return max(key.end_mark.line, last_line(value))


# --------------------------------------------------------------------------- entries


@dataclass(eq=False)
class ModelEntry:
    """One deployment in ``model_list``, located in the text. Identity, not index, matters."""

    index: int
    node: Node
    dash_line: int
    last_line: int
    block_start: int  # first line of the comment block that belongs to it
    dash_col: int
    doc: ConfigDocument | None = None  # the file it lives in (an include: file, maybe)

    @cached_property
    def data(self) -> Any:
        return to_python(self.node)

    @property
    def model_name(self) -> Any:
        return self.data.get("model_name") if isinstance(self.data, dict) else None

    @property
    def litellm_params(self) -> dict:
        params = self.data.get("litellm_params") if isinstance(self.data, dict) else None
        return params if isinstance(params, dict) else {}

    @property
    def model(self) -> str | None:
        model = self.litellm_params.get("model")
        return model if isinstance(model, str) else None

    @property
    def api_base(self) -> str | None:
        base = self.litellm_params.get("api_base")
        return base if isinstance(base, str) else None

    def sort_key(self) -> tuple[str, str]:
        # Read just the two scalars: sort --check on thousands of entries stays near parse time.
        params = mapping_value(self.node, "litellm_params")
        return (
            _key_text(mapping_value(self.node, "model_name")),
            _key_text(mapping_value(params, "model")),
        )

    def holds(self, line: int) -> bool:
        """Whether ``line`` is one of this entry's own lines (comments above excluded)."""
        return self.dash_line <= line <= self.last_line

    def label(self) -> str:
        return f"{self.model_name} ({self.model})"

    def value_node(self, path: tuple[str, ...]) -> Node | None:
        node: Node | None = self.node
        for key in path:
            node = mapping_value(node, key)
        return node

    def cost_sections(self, field_name: str) -> list[str]:
        """The sections (litellm_params / model_info) that currently hold ``field_name``."""
        return [
            section
            for section in ("litellm_params", "model_info")
            if isinstance(self.data.get(section), dict) and field_name in self.data[section]
        ]

    def cost_home(self) -> str:
        """Where a missing cost goes: beside the entry's other costs, else litellm_params."""
        for section in ("litellm_params", "model_info"):
            value = self.data.get(section)
            if isinstance(value, dict) and any(f in value for f in COST_FIELDS):
                return section
        return "litellm_params"


# --------------------------------------------------------------------------- document


_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*\s*(?:#.*)?")  # a block scalar's first line


class ConfigDocument:
    """A LiteLLM config: its exact text plus the located ``model_list`` entries."""

    def __init__(self, text: str, name: str = "config.yaml", path: Path | None = None) -> None:
        self.name = name
        self.path = path
        self.snapshot: Snapshot | None = None  # the bytes as read, for compare-and-swap
        self.included: list[ConfigDocument] = []  # include: files, in LiteLLM's merge order
        self.includer: ConfigDocument | None = None  # set on an included file
        self.bom = text.startswith(BOM)
        self.text = text[1:] if self.bom else text
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        self.lines = self.text.split("\n")  # libyaml counts \n and \r\n as one break each
        starts = [0]
        for line in self.lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self.line_starts = starts
        # The node graph is acyclic and lives for the whole run: the cyclic collector walking it
        # again and again while it grows made large files superlinear.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.root = self._compose()
            self.model_list_key, self.model_list = self._find_model_list()
            self.entries = self._locate_entries()
        finally:
            # The graph is acyclic (reference counting frees it): moving it out of the cyclic
            # collector's view at once spares the full collection its ~10^5 new objects would
            # otherwise trigger on the next allocation.
            gc.freeze()
            if was_enabled:
                gc.enable()

    @classmethod
    def load(cls, path: Path) -> ConfigDocument:
        snapshot = read_snapshot(path)
        try:
            text = snapshot.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{path}: not UTF-8 text (byte {exc.start})",
                kind="not-utf8",
                detail=f"not UTF-8 text (byte {exc.start}); LiteLLM cannot read it",
            ) from None
        doc = cls(text, name=str(path), path=path)
        doc.snapshot = snapshot
        return doc

    @classmethod
    def load_with_includes(cls, path: Path) -> ConfigDocument:
        """``path`` and, in ``included``, every file its ``include:`` names, as LiteLLM reads
        them: paths relative to the file that names them (else the root's folder), nested
        includes followed, each file once; their ``model_list`` entries follow the root's."""
        root = cls.load(path)
        seen = {real_path(path)}

        def follow(doc: ConfigDocument) -> None:
            for target, shown in doc.include_paths(path.parent):
                if real_path(target) in seen:
                    continue
                seen.add(real_path(target))
                included = cls.load(target)
                included.name, included.includer = shown, root
                root.included.append(included)
                follow(included)

        follow(root)
        return root

    def include_paths(self, root_folder: Path) -> list[tuple[Path, str]]:
        """(path, name to show) of each file this one's ``include:`` names."""
        pair = mapping_pair(self.root, "include")
        if pair is None:
            return []
        items = pair[1].value if isinstance(pair[1], SequenceNode) else None
        if items is None or not all(
            isinstance(i, ScalarNode) and isinstance(scalar_value(i), str) for i in items
        ):
            raise ConfigError(
                f"{self.where(pair[0])}: 'include' must be a list of file paths",
                *self._position(pair[0]),
                kind="include",
                detail="'include' must be a list of file paths",
            )
        here = self.path.parent if self.path else root_folder
        found = []
        for item in items:
            name = Path(item.value)
            target = next(
                (c for c in (here / name, root_folder / name) if c.is_file()), here / name
            )
            if not target.is_file():
                raise ConfigError(
                    f"{self.where(item)}: included file not found: {item.value}",
                    *self._position(item),
                    kind="include",
                    detail=f"included file not found: {item.value}",
                )
            shown = os.path.relpath(target) if not name.is_absolute() else str(target)
            found.append((target, shown))
        return found

    @property
    def documents(self) -> list[ConfigDocument]:
        """This file and its included files: every file a writer may edit."""
        return [self, *self.included]

    @property
    def all_entries(self) -> list[ModelEntry]:
        """Every deployment LiteLLM will load: this file's, then its included files'."""
        if not self.included:
            return self.entries
        return [e for d in self.documents for e in d.entries]

    # ---- parsing

    def _compose(self) -> Node | None:
        check_nesting(self.text, self.name)  # before anything recursive sees the text
        try:
            root = _composer().compose(self.text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{self.name}:{mark.line + 1}:{mark.column + 1}" if mark else self.name
            problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
            raise ConfigError(
                f"{where}: invalid YAML: {problem}",
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
                kind="syntax",
                detail=f"invalid YAML: {problem}",
            ) from None
        except Exception as exc:  # composer errors without marks (e.g. several documents)
            problem = " ".join(str(exc).split())
            raise ConfigError(
                f"{self.name}: invalid YAML: {problem}",
                kind="syntax",
                detail=f"invalid YAML: {problem}",
            ) from None
        if may_have_aliases(self.text):
            check_expansion(root, self.name)
        if root is not None and not isinstance(root, MappingNode):
            raise ConfigError(
                f"{self.name}: the top level must be a mapping with a model_list",
                1,
                1,
                kind="not-mapping",
                detail="the top level must be a mapping with a model_list",
            )
        return root

    def _find_model_list(self) -> tuple[Node | None, Node | None]:
        pair = mapping_pair(self.root, "model_list")
        if pair is None:
            return None, None
        key, value = pair
        if isinstance(value, ScalarNode) and scalar_value(value) is None:
            return key, None
        if not isinstance(value, SequenceNode):
            raise ConfigError(
                f"{self.where(value)}: model_list must be a list of entries",
                *self._position(value),
                kind="model-list-not-list",
                detail="model_list must be a list of entries",
            )
        return key, value

    def _locate_entries(self) -> list[ModelEntry]:
        if self.model_list is None:
            return []
        entries: list[ModelEntry] = []
        floor = self.model_list_key.end_mark.line  # type: ignore[union-attr]
        for index, node in enumerate(self.model_list.value):
            start = node.start_mark
            dash_line, dash_col = self._dash_of(start.line, start.column)
            end = self._extend_with_inner_comments(last_line(node), dash_col)
            entry = ModelEntry(index, node, dash_line, end, dash_line, dash_col, self)
            entry.block_start = self._owned_comments_start(
                dash_line, max(floor, entries[-1].last_line if entries else floor)
            )
            entries.append(entry)
        return entries

    def _dash_of(self, line: int, column: int) -> tuple[int, int]:
        before = self.lines[line][:column]
        if "-" in before:
            return line, before.rindex("-")
        for up in range(line - 1, -1, -1):  # "-" alone on its line, the mapping below it
            stripped = self.lines[up].strip()
            if stripped.startswith("-"):
                return up, self.lines[up].index("-")
            if stripped and not stripped.startswith("#"):
                break
        return line, column

    def _extend_with_inner_comments(self, end: int, dash_col: int) -> int:
        # A comment indented deeper than the dash (e.g. a commented-out param) still belongs
        # to the entry above it, not to the next one.
        while end + 1 < len(self.lines):
            text = self.lines[end + 1].rstrip("\r")
            if text.lstrip().startswith("#") and _indent(text) > dash_col:
                end += 1
            else:
                break
        return end

    def _owned_comments_start(self, dash_line: int, floor: int) -> int:
        start = dash_line
        while start - 1 > floor and self.lines[start - 1].lstrip().startswith("#"):
            start -= 1
        return start

    # ---- positions

    def _position(self, node: Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line] + column

    def where(self, node: Node) -> str:
        return f"{self.name}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"

    # ---- structure checks

    @property
    def flow_list(self) -> bool:
        """model_list written as ``[...]``: entries can be appended, not moved."""
        return self.model_list is not None and _is_flow(self.model_list)

    def require_block_list(self, action: str, allow_flow: bool = False) -> None:
        if self.flow_list and not allow_flow:
            raise ConfigError(
                f"{self.where(self.model_list)}: model_list is written in flow style ([...]); "
                f"llmsync can only {action} entries in a block list (one '- ' per entry)"
            )
        for entry in self.entries:
            if entry.node.start_mark.line < self.model_list.start_mark.line:  # type: ignore[union-attr]
                raise ConfigError(
                    f"{self.name}: model_list item {entry.index + 1} is a YAML alias; "
                    f"llmsync cannot {action} entries of a list built from aliases"
                )

    @cached_property
    def references(self) -> References:
        return References.scan(self.root)

    def is_unsplicable(self, entry: ModelEntry, node: Node) -> bool:
        """True when editing ``node``'s text would not change exactly this entry's value."""
        return not entry.holds(node.start_mark.line) or id(node) in self.references.shared

    def outside_dependencies(self, entry: ModelEntry) -> list[int]:
        """Lines of anchors defined outside ``entry`` that it uses through aliases."""
        return [t for t, s in self.references.aliases if entry.holds(s) and not entry.holds(t)]

    def is_referenced_elsewhere(self, entry: ModelEntry) -> bool:
        return any(entry.holds(t) and not entry.holds(s) for t, s in self.references.aliases)

    @cached_property
    def _block_starts(self) -> list[int]:
        return [e.block_start for e in self.entries]

    def entry_at_line(self, line: int) -> ModelEntry | None:
        i = bisect.bisect_right(self._block_starts, line) - 1
        if i >= 0 and self.entries[i].block_start <= line <= self.entries[i].last_line:
            return self.entries[i]
        return None

    # ---- style of new text

    def entry_style(self, near: ModelEntry | None = None) -> EntryStyle:
        return EntryStyle.detect(self, near)

    def blank_between_entries(self) -> bool:
        """Whether entries are separated by a blank line (judged by the first two)."""
        if len(self.entries) < 2:
            return False
        first, second = self.entries[:2]
        return (
            second.block_start - first.last_line > 1
            and not self.lines[second.block_start - 1].strip()
        )

    def price_style(self, entry: ModelEntry) -> str:
        """The number style for a price in ``entry``: its own if it has prices, else the file's."""
        return _float_style([entry]) if _has_price(entry) else self.float_style

    @cached_property
    def float_style(self) -> str:
        """How the file writes prices: ``exp`` (1.5e-07) or ``decimal`` (0.00000015)."""
        return _float_style(self.entries[:200])

    def _secret_scalars(self) -> Iterator[ScalarNode]:
        """Scalars under secret-named keys anywhere in the file, and the scalar items of a
        sequence under one (``api_keys: [...]``)."""
        from llmsync.redact import is_secret_name

        stack = [self.root] if self.root is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    secret = isinstance(key, ScalarNode) and is_secret_name(key.value)
                    if isinstance(value, ScalarNode):
                        if secret:
                            yield value
                    elif secret and isinstance(value, SequenceNode):
                        for item in value.value:
                            if isinstance(item, ScalarNode):
                                yield item
                            else:
                                stack.append(item)
                    else:
                        stack.append(value)
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)

    def literal_secrets(self) -> Iterator[str]:
        """Values of secret-looking keys (``api_key: sk-...``) anywhere in the file."""
        for node in self._secret_scalars():
            yield node.value

    def secret_fragments(self) -> Iterator[str]:
        """Each source line of a secret written over several lines (a quoted scalar folded
        onto the next line, a ``|`` / ``>`` block), without indentation and quotes: a diff
        shows lines, and a hunk may start inside such a value."""
        for node in self._secret_scalars():
            start, end = node.start_mark, node.end_mark
            if start.line == end.line:
                continue
            lines = self.lines[start.line : end.line + 1]
            lines[0], lines[-1] = lines[0][start.column :], lines[-1][: end.column]
            for line in lines:
                piece = line.strip().strip("\"'").strip()
                if piece and not _BLOCK_HEADER.fullmatch(piece):
                    yield piece

    @cached_property
    def data(self) -> Any:
        """The whole file as LiteLLM reads it (YAML 1.1), built once from the composed nodes
        (no second parse); entries share their ``ModelEntry.data``. Never mutate it."""
        if self.root is None:
            return None
        return to_python(self.root, {id(e.node): e.data for e in self.entries})

    def full_text(self, body: str | None = None) -> str:
        return (BOM if self.bom else "") + (self.text if body is None else body)


def _key_text(node: Node | None) -> str:
    if not isinstance(node, ScalarNode):
        return ""
    value = scalar_value(node)
    return "" if value is None else str(value).lower()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


@dataclass
class References:
    """Where YAML aliases point. ``aliases`` holds (anchor line, alias site line) pairs."""

    aliases: list[tuple[int, int]] = field(default_factory=list)
    shared: set[int] = field(default_factory=set)

    @classmethod
    def scan(cls, root: Node | None) -> References:
        refs = cls()
        seen: set[int] = set()

        def mark_shared(node: Node) -> None:
            stack = [node]
            while stack:
                n = stack.pop()
                if id(n) in refs.shared:
                    continue
                refs.shared.add(id(n))
                if isinstance(n, SequenceNode):
                    stack.extend(n.value)
                elif isinstance(n, MappingNode):
                    for k, v in n.value:
                        stack.extend((k, v))

        def walk(node: Node, site: int) -> None:
            if id(node) in seen:
                refs.aliases.append((node.start_mark.line, site))
                mark_shared(node)
                return
            seen.add(id(node))
            if isinstance(node, SequenceNode):
                for item in node.value:
                    walk(item, max(site, item.start_mark.line))
            elif isinstance(node, MappingNode):
                for k, v in node.value:
                    walk(k, k.start_mark.line)
                    walk(v, k.start_mark.line)

        if root is not None:
            walk(root, 0)
        return refs


# --------------------------------------------------------------------------- new-entry style


@dataclass
class EntryStyle:
    """How a neighbouring entry is written, so an inserted one looks like it belongs."""

    dash_col: int = 2
    key_col: int = 4
    step: int = 2
    key_order: tuple[str, ...] = ("model_name", "litellm_params", "model_info")
    quote: str = ""  # "", "'" or '"' as the neighbour's model_name
    float_style: str = "exp"

    @classmethod
    def detect(cls, doc: ConfigDocument, near: ModelEntry | None) -> EntryStyle:
        style = cls()
        if doc.model_list_key is not None and not doc.entries:
            style.dash_col = doc.model_list_key.start_mark.column + 2
            style.key_col = style.dash_col + 2
        # The neighbour first, then a bounded sample: adding to a huge file stays cheap.
        blocks = [
            e
            for e in ([near] if near else []) + doc.entries[:50]
            if isinstance(e.node, MappingNode) and not _is_flow(e.node)
        ]
        if not blocks:
            return style
        model = blocks[0]
        style.dash_col = model.dash_col
        first_key = model.node.value[0][0]
        style.key_col = first_key.start_mark.column
        keys = [k.value for k, _ in model.node.value if isinstance(k, ScalarNode)]
        order = [k for k in keys if k in cls.key_order] + [
            k for k in cls.key_order if k not in keys
        ]
        style.key_order = tuple(order)
        for entry in blocks[:50]:
            params = mapping_pair(entry.node, "litellm_params")
            if (
                params
                and isinstance(params[1], MappingNode)
                and not _is_flow(params[1])
                and params[1].value
            ):
                step = params[1].value[0][0].start_mark.column - params[0].start_mark.column
                if step > 0:
                    style.step = step
                    break
        name = mapping_value(model.node, "model_name")
        if isinstance(name, ScalarNode) and name.style in ("'", '"'):
            style.quote = name.style
        style.float_style = doc.price_style(blocks[0])
        return style


def _price_texts(entry: ModelEntry) -> Iterator[str]:
    for section in ("litellm_params", "model_info"):
        for cost in COST_FIELDS:
            node = entry.value_node((section, cost))
            if isinstance(node, ScalarNode) and not node.style and "." in node.value:
                yield node.value


def _has_price(entry: ModelEntry) -> bool:
    return next(_price_texts(entry), None) is not None


def _float_style(entries: list[ModelEntry]) -> str:
    for entry in entries:
        for text in _price_texts(entry):
            return float_style_of(text)
    return "exp"


_UNWRITABLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def unwritable_reason(text: str) -> str | None:
    """Why ``text`` must not be written into a config (control, invisible or unassigned
    characters: a NUL, an ESC, a newline that starts a new document...), else None."""
    for char in text:
        if unicodedata.category(char) in _UNWRITABLE_CATEGORIES:
            return f"contains the character {char!a}"
    return None


def yaml_str(value: str, quote: str = "") -> str:
    """Text for a string that PyYAML (LiteLLM) and ruamel both read back as the same string."""
    if quote == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if quote != "'" and _plain_ok(value):
        return value
    return "'" + value.replace("'", "''") + "'"


@functools.lru_cache(maxsize=4096)  # the same keys are written for every entry
def _plain_ok(value: str) -> bool:
    if not value or value != value.strip() or "\n" in value or value[0] in "!&*%@`|>'\"#{[,?-:":
        return False
    try:
        return yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        return False


def yaml_scalar(value: Any, style: EntryStyle) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value, style.float_style)
    if value is None:
        return "null"
    return yaml_str(str(value), style.quote)


def render_entry(data: dict[str, Any], style: EntryStyle) -> list[str]:
    """The lines of a new block entry, indented and ordered like its neighbour."""
    ordered = [k for k in style.key_order if k in data] + [
        k for k in data if k not in style.key_order
    ]
    lines: list[str] = []
    for i, key in enumerate(ordered):
        lead = (
            " " * style.dash_col + "- " + " " * (style.key_col - style.dash_col - 2)
            if i == 0
            else " " * style.key_col
        )
        lines.extend(_render_pair(key, data[key], lead, style.key_col + style.step, style))
    return lines


def flow_entry(data: dict[str, Any], style: EntryStyle) -> str:
    """A new entry as one flow mapping (``{model_name: a, litellm_params: {...}}``), for a
    model_list written in flow style."""

    def flow(value: Any) -> str:
        if isinstance(value, dict):
            return (
                "{" + ", ".join(f"{_flow_str(str(k))}: {flow(v)}" for k, v in value.items()) + "}"
            )
        if isinstance(value, str):
            return _flow_str(value)
        return yaml_scalar(value, style)

    return flow(data)


def _flow_str(value: str) -> str:
    # Inside [...] and {...} a comma, bracket or brace ends a plain scalar: quote those.
    if any(c in value for c in ",[]{}#") or not _plain_ok(value):
        return yaml_str(value, '"')
    return value


def _render_pair(key: str, value: Any, lead: str, child_col: int, style: EntryStyle) -> list[str]:
    if isinstance(value, dict):
        lines = [f"{lead}{yaml_str(key)}:"]
        for k, v in value.items():
            lines.extend(_render_pair(k, v, " " * child_col, child_col + style.step, style))
        return lines
    return [f"{lead}{yaml_str(key)}: {yaml_scalar(value, style)}"]


# --------------------------------------------------------------------------- text editing


@dataclass(order=True)
class _Splice:
    start: int
    end: int
    text: str = field(compare=False)


class TextEditor:
    """Collects non-overlapping splices of a document's text and applies them back to front."""

    def __init__(self, doc: ConfigDocument) -> None:
        self.doc = doc
        self.splices: list[_Splice] = []
        self.created_sections: dict[tuple[int, str], list[str]] = {}  # sections written anew
        self.nl = doc.newline
        # Line operations need a final newline; it is dropped again if the end was untouched.
        self.base = doc.text if doc.text.endswith("\n") or not doc.text else doc.text + self.nl

    def replace_node(self, node: Node, text: str) -> None:
        self.replace_span(node.start_mark, node.end_mark, text)

    def replace_span(self, start: Any, end: Any, text: str) -> None:
        """Replace the text between two marks (objects with .line and .column)."""
        self.splices.append(
            _Splice(
                self.doc.offset(start.line, start.column),
                self.doc.offset(end.line, end.column),
                text,
            )
        )

    def joined(self, lines: list[str] | tuple[str, ...]) -> str:
        """Lines as text in the file's own line endings."""
        return "".join(line + self.nl for line in lines)

    def insert_lines(self, before_line: int, lines: list[str]) -> None:
        at = self._line_start(before_line)
        self.splices.append(_Splice(at, at, self.joined(lines)))

    def delete_lines(self, first: int, last: int) -> None:
        self.splices.append(_Splice(self._line_start(first), self._line_start(last + 1), ""))

    def replace_lines(self, first: int, last: int, text: str) -> None:
        self.splices.append(_Splice(self._line_start(first), self._line_start(last + 1), text))

    def line_text(self, first: int, last: int) -> str:
        return self.base[self._line_start(first) : self._line_start(last + 1)]

    def _line_start(self, line: int) -> int:
        return self.doc.line_starts[line] if line < len(self.doc.line_starts) else len(self.base)

    def line_regions(self) -> list[tuple[int, int, int]]:
        """The changed stretches of lines, in order: (first old line, old line count, new line
        count). Splices on the same or adjacent lines form one stretch. Lines are ``base``'s."""
        starts, base = self.doc.line_starts, self.base
        spans: list[list] = []  # [old start offset, old end offset, [splices]]
        for splice in self._ordered():
            first = bisect.bisect_right(starts, splice.start) - 1
            start = starts[first]
            if splice.end == splice.start == start:
                end = start  # a pure insertion before a line
            else:
                last = bisect.bisect_right(starts, max(splice.end - 1, splice.start)) - 1
                end = starts[last + 1] if last + 1 < len(starts) else len(base)
                end = len(base) if end > len(base) else end
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
                spans[-1][2].append(splice)
            else:
                spans.append([start, end, [splice]])
        regions = []
        for start, end, group in spans:
            pieces, position = [], start
            for splice in group:
                pieces += [base[position : splice.start], splice.text]
                position = splice.end
            pieces.append(base[position:end])
            new = "".join(pieces)
            first = bisect.bisect_right(starts, start) - 1
            if start > len(self.doc.text):  # after a last line that had no newline
                first += 1
            regions.append((first, base.count("\n", start, end), new.count("\n")))
        return regions

    def _ordered(self) -> list[_Splice]:
        """The splices by position (stable: insertions at one offset keep their order);
        deletions that overlap (two removed neighbours both taking the blank line between
        them) are merged; any other overlap is a bug."""
        ordered: list[_Splice] = []
        for splice in sorted(self.splices, key=lambda s: (s.start, s.end)):
            if ordered and splice.start < ordered[-1].end:
                last = ordered[-1]
                if splice.text or last.text:
                    raise AssertionError("overlapping edits")
                ordered[-1] = _Splice(last.start, max(last.end, splice.end), "")
                continue
            ordered.append(splice)
        return ordered

    def result(self) -> str:
        ordered = self._ordered()
        pieces, position = [], 0
        for splice in ordered:  # one pass, so thousands of edits stay linear
            pieces += [self.base[position : splice.start], splice.text]
            position = splice.end
        pieces.append(self.base[position:])
        out = "".join(pieces)
        if out == self.base:
            return self.doc.text
        if self.base != self.doc.text and out.endswith(self.nl):
            out = out[: -len(self.nl)]  # a file without a final newline stays without one
        return out
