"""Each model_list entry, judged as LiteLLM's Router will read it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from functools import cache
from importlib import resources
from typing import Any

from ruamel.yaml.nodes import MappingNode

from llmsync.document import env_reference, to_python
from llmsync.lint.core import Context, Hit, rule, show, value_node

E011 = rule("E011", "entry-not-mapping", "error", "an entry is not a mapping")
E012 = rule("E012", "model-name-invalid", "error", "`model_name` missing, empty or not a string")
E013 = rule(
    "E013",
    "litellm-params-invalid",
    "error",
    "`litellm_params` missing or not a mapping (hint for `model:` indented at its level)",
)
E014 = rule("E014", "model-invalid", "error", "`litellm_params.model` missing or not a string")
E015 = rule(
    "E015",
    "unknown-provider-prefix",
    "error",
    "a `provider/` prefix LiteLLM does not know (and no `custom_provider_map` entry); "
    "`os.environ/VAR` models are resolved first",
)
E024 = rule(
    "E024",
    "unroutable-bare-model",
    "error",
    'a model id without `provider/` that LiteLLM cannot route ("LLM Provider NOT provided")',
)
W019 = rule("W019", "unknown-mode", "warning", "`model_info.mode` LiteLLM does not know")

KNOWN_MODES = {
    "chat", "completion", "embedding", "image_generation", "image_edit", "audio_transcription",
    "audio_speech", "moderation", "rerank", "responses", "realtime", "video_generation", "ocr",
    "search", "batch", "vector_store", "extraction", "evaluation", "guardrail",
}  # fmt: skip


def check_entries(ctx: Context) -> Iterator[Hit]:
    custom = _custom_providers(ctx)
    for doc, entry in ctx.entries:
        node = entry.node
        if not isinstance(node, MappingNode):
            yield Hit(
                doc,
                node,
                E011,
                "a model_list entry must be a mapping (model_name, litellm_params, ...)",
            )
            continue
        data = entry.data
        name = data.get("model_name")
        if "model_name" not in data:
            yield Hit(doc, node, E012, "model_name is missing")
        elif not isinstance(name, str) or not name.strip():
            yield Hit(
                doc,
                value_node(node, "model_name"),
                E012,
                f"model_name must be a non-empty string, got {show(name)}",
            )
        params = data.get("litellm_params")
        if not isinstance(params, dict):
            hint = (
                " (is 'model:' indented at the level of 'litellm_params:' instead of under it?)"
                if "model" in data
                else ""
            )
            missing = "litellm_params" not in data
            message = "litellm_params is missing" if missing else "litellm_params must be a mapping"
            yield Hit(doc, value_node(node, "litellm_params") or node, E013, message + hint)
            continue
        params_node = value_node(node, "litellm_params")
        model_node = value_node(params_node, "model")
        model = params.get("model")
        if not isinstance(model, str) or not model:
            yield Hit(
                doc,
                model_node or params_node,
                E014,
                f"litellm_params.model must be a string, got {show(model)}",
            )
        elif "custom_llm_provider" not in params:
            yield from _routable(ctx, doc, model_node, model, custom)
        info = data.get("model_info")
        mode = info.get("mode") if isinstance(info, dict) else None
        if mode is not None and mode not in KNOWN_MODES:
            where = value_node(value_node(node, "model_info"), "mode")
            yield Hit(doc, where, W019, f"model_info.mode {show(mode)} is not a mode LiteLLM knows")


def _routable(ctx: Context, doc, node, model: str, custom: set[str]) -> Iterator[Hit]:
    var = env_reference(model)
    if var is not None:  # LiteLLM resolves the variable first
        if var not in ctx.environ:
            return  # W041 says it is unset
        model = ctx.environ[var]
    if "/" in model:
        prefix = model.split("/", 1)[0]
        if prefix not in ctx.providers and prefix not in custom and not routes(model, ctx.bare_ids):
            yield Hit(
                doc,
                node,
                E015,
                f"unknown provider prefix '{prefix}/': LiteLLM drops this deployment at startup",
            )
    elif not routes(model, ctx.bare_ids):
        yield Hit(
            doc,
            node,
            E024,
            f'LiteLLM cannot tell the provider of {model!r} ("LLM Provider NOT provided"): '
            "write it as provider/model",
        )


def routes(model: str, listed: Set[str]) -> bool:
    """Whether LiteLLM's ``get_llm_provider`` finds a provider for ``model``, an id without a
    provider prefix (and without ``api_base``): it is in LiteLLM's model lists
    (data/litellm_bare_ids.txt), or one of its other rules matches (data/litellm_bare_rules.txt:
    substring and prefix tests, Replicate's ``name:version``, and the regexes of its cost map's
    fallback generalizations, which send ids it does not know yet, like a future ``claude-*``,
    to a provider)."""
    if model in listed:
        return True
    skipping = False  # LiteLLM's replicate branch took the id: its later tests do not run
    for kind, argument in _bare_rules():
        if kind == "regex":
            if argument.search(model):
                return True
        elif skipping:
            continue
        elif kind == "replicate-version":
            if ":" in model and len(model) > argument:
                if len(model.split(":")[1]) == argument:
                    return True
                skipping = True
        elif (
            (kind == "contains" and argument in model)
            or (kind == "prefix" and model.startswith(argument))
            or (kind == "exact" and model == argument)
        ):
            return True
    return False


@cache
def _bare_rules() -> tuple[tuple[str, Any], ...]:
    text = resources.files("llmsync").joinpath("data", "litellm_bare_rules.txt").read_text("utf-8")
    rules: list[tuple[str, Any]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _provider, argument = line.split("\t", 2)
        if kind == "regex":
            rules.append((kind, re.compile(argument, re.IGNORECASE)))
        elif kind == "replicate-version":
            rules.append((kind, int(argument)))
        elif kind in ("contains", "prefix", "exact"):
            rules.append((kind, argument))
        else:  # a rule kind this llmsync does not know: the data file is newer than the code
            raise ValueError(f"litellm_bare_rules.txt: unknown rule kind {kind!r}")
    return tuple(rules)


def _custom_providers(ctx: Context) -> set[str]:
    settings = ctx.merged().get("litellm_settings")
    if settings is None or not isinstance(settings[1], MappingNode):
        return set()
    providers = to_python(settings[1]).get("custom_provider_map")
    return {p.get("provider") for p in providers or [] if isinstance(p, dict)}
