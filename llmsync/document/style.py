"""New text in the file's own style: how neighbouring entries are written (``EntryStyle``) and
the text of new entries, keys and scalars (``render_entry``, ``flow_entry``, ``yaml_str``...),
which PyYAML (LiteLLM) and ruamel both read back as the value meant."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from ruamel.yaml.nodes import MappingNode, ScalarNode

from llmsync.document.nodes import _is_flow, mapping_pair, mapping_value
from llmsync.prices import PRICE_FIELDS, float_style_of, format_float

if TYPE_CHECKING:
    from llmsync.document.config import ConfigDocument
    from llmsync.document.entries import ModelEntry


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
        for cost in PRICE_FIELDS:
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
