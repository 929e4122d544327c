"""Loading and parsing: a config's bytes to text, its text to nodes, and the ``model_list``
entries located in it (which lines, comments above included, each entry owns); the files an
``include:`` names.

Nodes are composed once with ruamel's C composer after the nesting check, and checked for
alias expansion before anything walks them; parse problems become ``ConfigError`` with the
file, line and column.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from llmsync.document.entries import ModelEntry
from llmsync.document.nodes import _composer, last_line, mapping_pair, scalar_value
from llmsync.errors import ConfigError
from llmsync.files import Snapshot, read_snapshot
from llmsync.yaml_limits import check_expansion, check_nesting, may_have_aliases

if TYPE_CHECKING:
    from llmsync.document.config import ConfigDocument


def read_text(path: Path) -> tuple[str, Snapshot]:
    """The file's text and the bytes it was decoded from (for compare-and-swap)."""
    snapshot = read_snapshot(path)
    try:
        text = snapshot.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start})",
            kind="not-utf8",
            detail=f"not UTF-8 text (byte {exc.start}); LiteLLM cannot read it",
        ) from None
    return text, snapshot


def compose(text: str, name: str) -> Node | None:
    """The root node of ``text`` (None for an empty file); a top level that is not a mapping,
    invalid YAML, too deep nesting or alias bombs raise ``ConfigError``."""
    check_nesting(text, name)  # before anything recursive sees the text
    try:
        root = _composer().compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
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
            f"{name}: invalid YAML: {problem}",
            kind="syntax",
            detail=f"invalid YAML: {problem}",
        ) from None
    if may_have_aliases(text):
        check_expansion(root, name)
    if root is not None and not isinstance(root, MappingNode):
        raise ConfigError(
            f"{name}: the top level must be a mapping with a model_list",
            1,
            1,
            kind="not-mapping",
            detail="the top level must be a mapping with a model_list",
        )
    return root


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def find_model_list(doc: ConfigDocument) -> tuple[Node | None, Node | None]:
    """(key, value) of ``model_list``; the value is None when the key is there but empty."""
    pair = mapping_pair(doc.root, "model_list")
    if pair is None:
        return None, None
    key, value = pair
    if isinstance(value, ScalarNode) and scalar_value(value) is None:
        return key, None
    if not isinstance(value, SequenceNode):
        raise ConfigError(
            f"{doc.where(value)}: model_list must be a list of entries",
            *_position(value),
            kind="model-list-not-list",
            detail="model_list must be a list of entries",
        )
    return key, value


def locate_entries(doc: ConfigDocument) -> list[ModelEntry]:
    """The entries of ``doc.model_list``, each with the lines it owns."""
    if doc.model_list is None:
        return []
    lines = doc.lines
    entries: list[ModelEntry] = []
    floor = doc.model_list_key.end_mark.line  # type: ignore[union-attr]
    for index, node in enumerate(doc.model_list.value):
        start = node.start_mark
        dash_line, dash_col = _dash_of(lines, start.line, start.column)
        end = _extend_with_inner_comments(lines, last_line(node), dash_col)
        entry = ModelEntry(index, node, dash_line, end, dash_line, dash_col, doc)
        entry.block_start = _owned_comments_start(
            lines, dash_line, max(floor, entries[-1].last_line if entries else floor)
        )
        entries.append(entry)
    return entries


def _dash_of(lines: list[str], line: int, column: int) -> tuple[int, int]:
    before = lines[line][:column]
    if "-" in before:
        return line, before.rindex("-")
    for up in range(line - 1, -1, -1):  # "-" alone on its line, the mapping below it
        stripped = lines[up].strip()
        if stripped.startswith("-"):
            return up, lines[up].index("-")
        if stripped and not stripped.startswith("#"):
            break
    return line, column


def _extend_with_inner_comments(lines: list[str], end: int, dash_col: int) -> int:
    # A comment indented deeper than the dash (e.g. a commented-out param) still belongs
    # to the entry above it, not to the next one.
    while end + 1 < len(lines):
        text = lines[end + 1].rstrip("\r")
        if text.lstrip().startswith("#") and _indent(text) > dash_col:
            end += 1
        else:
            break
    return end


def _owned_comments_start(lines: list[str], dash_line: int, floor: int) -> int:
    start = dash_line
    while start - 1 > floor and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return start


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def include_paths(doc: ConfigDocument, root_folder: Path) -> list[tuple[Path, str]]:
    """(path, name to show) of each file ``doc``'s ``include:`` names."""
    pair = mapping_pair(doc.root, "include")
    if pair is None:
        return []
    items = pair[1].value if isinstance(pair[1], SequenceNode) else None
    if items is None or not all(
        isinstance(i, ScalarNode) and isinstance(scalar_value(i), str) for i in items
    ):
        raise ConfigError(
            f"{doc.where(pair[0])}: 'include' must be a list of file paths",
            *_position(pair[0]),
            kind="include",
            detail="'include' must be a list of file paths",
        )
    here = doc.path.parent if doc.path else root_folder
    found = []
    for item in items:
        name = Path(item.value)
        target = next((c for c in (here / name, root_folder / name) if c.is_file()), here / name)
        if not target.is_file():
            raise ConfigError(
                f"{doc.where(item)}: included file not found: {item.value}",
                *_position(item),
                kind="include",
                detail=f"included file not found: {item.value}",
            )
        shown = os.path.relpath(target) if not name.is_absolute() else str(target)
        found.append((target, shown))
    return found
