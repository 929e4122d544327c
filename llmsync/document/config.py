"""``ConfigDocument``: one config file's exact text, its nodes and its located ``model_list``
entries, with the questions writers ask of it (where a node is, which entry owns a line, what
an edit may touch, how its entries are written, which values are secrets).

Parsing lives in ``loading``; new text is made in ``style`` and spliced in by ``editor``.
"""

from __future__ import annotations

import bisect
import gc
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from llmsync.document import loading
from llmsync.document.entries import ModelEntry
from llmsync.document.nodes import References, _is_flow, to_python
from llmsync.document.style import EntryStyle, _float_style, _has_price
from llmsync.errors import ConfigError
from llmsync.files import Snapshot, real_path
from llmsync.yaml_limits import may_have_aliases

BOM = "\ufeff"
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*\s*(?:#.*)?")  # a block scalar's first line


class ConfigDocument:
    """A LiteLLM config: its exact text plus the located ``model_list`` entries."""

    def __init__(self, text: str, name: str = "config.yaml", path: Path | None = None) -> None:
        self.name = name
        self.path = path
        self.snapshot: Snapshot | None = None  # the bytes as read, for compare-and-swap
        self.included: list[ConfigDocument] = []  # include: files, in LiteLLM's merge order
        self.includer: ConfigDocument | None = None  # set on an included file
        self._price_styles: dict[int, str] = {}  # id(entry) -> price_style(entry)
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
            self.root = loading.compose(self.text, self.name)
            self.model_list_key, self.model_list = loading.find_model_list(self)
            self.entries = loading.locate_entries(self)
        finally:
            # The graph is acyclic (reference counting frees it): moving it out of the cyclic
            # collector's view at once spares the full collection its ~10^5 new objects would
            # otherwise trigger on the next allocation.
            gc.freeze()
            if was_enabled:
                gc.enable()

    @classmethod
    def load(cls, path: Path) -> ConfigDocument:
        text, snapshot = loading.read_text(path)
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
        return loading.include_paths(self, root_folder)

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

    # ---- positions

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
        # Only an alias makes two places share a node, and an alias needs an anchor: most
        # configs have none, and the walk of every node is skipped.
        return References.scan(self.root) if may_have_aliases(self.text) else References()

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
        """The number style for a price in ``entry``: its own if it has prices, else the file's.
        Read from the parsed text, which edits never change: once per entry."""
        style = self._price_styles.get(id(entry))
        if style is None:
            style = _float_style([entry]) if _has_price(entry) else self.float_style
            self._price_styles[id(entry)] = style
        return style

    @cached_property
    def float_style(self) -> str:
        """How the file writes prices: ``exp`` (1.5e-07) or ``decimal`` (0.00000015)."""
        return _float_style(self.entries[:200])

    @cached_property
    def _secret_scalars(self) -> list[ScalarNode]:
        return list(self._walk_secret_scalars())

    def _walk_secret_scalars(self) -> Iterator[ScalarNode]:
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
        for node in self._secret_scalars:
            yield node.value

    def secret_fragments(self) -> Iterator[str]:
        """Each source line of a secret written over several lines (a quoted scalar folded
        onto the next line, a ``|`` / ``>`` block), without indentation and quotes: a diff
        shows lines, and a hunk may start inside such a value."""
        for node in self._secret_scalars:
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
