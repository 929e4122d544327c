"""--strict: LiteLLM's own Router judges each entry, offline."""

from __future__ import annotations

import os
from collections.abc import Iterator

from llmsync.document import to_python
from llmsync.lint.core import Context, Hit, rule, value_node

E070 = rule(
    "E070", "router-rejects-entry", "error", "`--strict`: LiteLLM's `Router` rejects the entry"
)
W071 = rule("W071", "router-check-skipped", "warning", "`--strict` without LiteLLM installed")
I072 = rule(
    "I072",
    "router-check-needs-network",
    "info",
    "`--strict`: an entry whose provider logs in over the network (a device code) is not built",
)
NETWORK_LOGIN = ("github_copilot/", "chatgpt/")


def check_with_router(ctx: Context) -> Iterator[Hit]:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch at import
    try:
        import logging

        import litellm

        logging.getLogger("LiteLLM").setLevel(logging.ERROR)  # its pricing notes are noise here
    except ImportError:
        if ctx.docs:
            yield Hit(
                None,
                None,
                W071,
                "LiteLLM is not installed; the per-entry Router check was skipped",
                ctx.docs[0].name,
            )
        return
    for doc, entry in ctx.entries:
        if not isinstance(entry.data, dict):
            continue
        where = value_node(value_node(entry.node, "litellm_params"), "model") or entry.node
        if isinstance(entry.model, str) and entry.model.startswith(NETWORK_LOGIN):
            yield Hit(
                doc,
                where,
                I072,
                f"{entry.model.split('/')[0]} entries log in over the network; not built offline",
            )
            continue
        try:
            litellm.Router(model_list=[to_python(entry.node)])
        except Exception as exc:  # LiteLLM raises many types; each is a finding
            first = " ".join(str(exc).split())[:200]
            yield Hit(
                doc,
                where,
                E070,
                f"LiteLLM's Router rejects this entry: {type(exc).__name__}: {first}",
            )
