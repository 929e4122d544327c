"""Costs and limits: numbers to LiteLLM, read with PyYAML's YAML 1.1 rules."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruamel.yaml.nodes import ScalarNode

from llmsync.lint.core import Context, Hit, rule, show, value_node
from llmsync.prices import is_number

E016 = rule("E016", "cost-invalid", "error", "a cost that is not a number, or negative")
W017 = rule(
    "W017",
    "cost-is-a-string",
    "warning",
    "a cost PyYAML reads as a string (`3e-06` has no dot; quoted numbers), with the fix",
)
E018 = rule("E018", "limit-not-integer", "error", "`rpm`, `tpm`, `max_*tokens` not integers")

COST_KEY = re.compile(r"(^|_)cost(_per_[a-z0-9_]+)?$|_cost_per_")
DOTLESS_EXPONENT = re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")
LIMITS = ("rpm", "tpm", "max_tokens", "max_input_tokens", "max_output_tokens")


def check_numbers(ctx: Context) -> Iterator[Hit]:
    for doc, entry in ctx.entries:
        data = entry.data
        if not isinstance(data, dict):
            continue
        for section in ("litellm_params", "model_info"):
            values, node = data.get(section), value_node(entry.node, section)
            if isinstance(values, dict):
                yield from _section(doc, section, values, node)


def _section(doc, section: str, values: dict, section_node) -> Iterator[Hit]:
    for key, value in values.items():
        if not isinstance(key, str):
            continue
        where = value_node(section_node, key) or section_node
        if COST_KEY.search(key) and value is not None:
            if is_number(value):
                if value < 0:
                    yield Hit(doc, where, E016, f"{section}.{key} is negative ({value})")
            elif isinstance(value, str) and _numeric(value):
                plain = isinstance(where, ScalarNode) and not where.style
                fix = _dotted(value) if plain and DOTLESS_EXPONENT.match(value) else value.strip()
                yield Hit(
                    doc,
                    where,
                    W017,
                    f"{section}.{key}: PyYAML (LiteLLM's loader) reads {value!r} as a string, not a number; write {fix}",
                )
            elif not isinstance(value, dict):
                yield Hit(doc, where, E016, f"{section}.{key} must be a number, got {show(value)}")
        elif (
            key in LIMITS
            and value is not None
            and (not isinstance(value, int) or isinstance(value, bool))
        ):
            yield Hit(doc, where, E018, f"{section}.{key} must be an integer, got {show(value)}")


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _dotted(text: str) -> str:
    mantissa, exponent = re.split("[eE]", text, maxsplit=1)
    return f"{mantissa}.0e{exponent}"
