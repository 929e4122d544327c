"""Settings blocks as the proxy reads them at startup."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import cache
from importlib import resources

from ruamel.yaml.nodes import MappingNode, ScalarNode

from llmsync.lint.core import Context, Hit, rule

E034 = rule(
    "E034",
    "router-setting-refused",
    "error",
    "a `router_settings` key the proxy refuses at startup (`health_check_*` belong in "
    "`general_settings`)",
)
W035 = rule(
    "W035",
    "unknown-router-setting",
    "warning",
    "a `router_settings` key LiteLLM's Router does not take (the proxy ignores it), with a "
    '"did you mean"',
)
REFUSED = {"health_check_interval", "health_check_concurrency"}


@cache
def router_settings() -> frozenset[str]:
    text = (
        resources.files("llmsync")
        .joinpath("data", "litellm_router_settings.txt")
        .read_text("utf-8")
    )
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_router_settings(ctx: Context) -> Iterator[Hit]:
    section = ctx.merged().get("router_settings")
    if section is None or not isinstance(section[1], MappingNode):
        return
    doc, node = section
    known = router_settings()
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.value in known:
            continue
        if key.value in REFUSED:
            yield Hit(
                doc,
                key,
                E034,
                f"router_settings.{key.value}: the proxy refuses to start with it here; move it to general_settings",
            )
            continue
        close = difflib.get_close_matches(key.value, sorted(known), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        yield Hit(
            doc,
            key,
            W035,
            f"router_settings.{key.value} is not a Router setting; the proxy ignores it{hint}",
        )
