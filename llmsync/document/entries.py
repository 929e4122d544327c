"""``ModelEntry``: one deployment in ``model_list``, located in its file's text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ruamel.yaml.nodes import Node, ScalarNode

from llmsync.document.nodes import mapping_value, scalar_value, to_python
from llmsync.prices import PRICE_FIELDS

if TYPE_CHECKING:
    from llmsync.document.config import ConfigDocument


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
            if isinstance(value, dict) and any(f in value for f in PRICE_FIELDS):
                return section
        return "litellm_params"


def _key_text(node: Node | None) -> str:
    if not isinstance(node, ScalarNode):
        return ""
    value = scalar_value(node)
    return "" if value is None else str(value).lower()
