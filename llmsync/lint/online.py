"""--online: models still in their catalogues, not retiring, and sources answering."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from llmsync.lint.core import Context, Hit, rule, value_node

E060 = rule(
    "E060", "model-not-in-catalogue", "error", "`--online`: the model left its provider's catalogue"
)
W061 = rule(
    "W061", "catalogue-unavailable", "warning", "`--online`: a catalogue could not be fetched"
)
W062 = rule(
    "W062", "source-unavailable", "warning", "`--online`: a `generate` source did not answer"
)
W063 = rule(
    "W063",
    "model-deprecated",
    "warning",
    "`--online`: the model's listing (or models.dev / the cost map) marks it deprecated or gives "
    "a retirement date",
)


def _at_model(doc, entry):
    return value_node(value_node(entry.node, "litellm_params"), "model") or entry.node


def check_catalogues(ctx: Context, registry: Any, outcomes: Mapping[str, Any]) -> Iterator[Hit]:
    reported: set[str] = set()
    for doc, entry in ctx.entries:
        owner = (
            registry.owner(entry.model, entry.api_base) if isinstance(entry.data, dict) else None
        )
        if owner is None or owner[0] not in outcomes:
            continue
        name, model_id = owner
        outcome = outcomes[name]
        if outcome.skipped:
            continue  # no key: nothing to say about its models
        if outcome.catalog is None:
            if name not in reported:
                reported.add(name)
                yield Hit(
                    doc,
                    _at_model(doc, entry),
                    W061,
                    f"{name} catalogue unavailable: {outcome.error}",
                )
        elif (model := outcome.catalog.get(model_id)) is not None:
            if model.deprecation:
                when = (
                    "is deprecated"
                    if model.deprecation == "deprecated"
                    else f"retires {model.deprecation}"
                )
                instead = f"; replacement: {model.replacement}" if model.replacement else ""
                yield Hit(doc, _at_model(doc, entry), W063, f"{model_id} {when} ({name}){instead}")
        elif (
            not outcome.catalog.partial and model_id not in registry.providers[name].spec.protected
        ):
            yield Hit(
                doc, _at_model(doc, entry), E060, f"{model_id} is no longer in the {name} catalogue"
            )


def check_sources(ctx: Context, discoveries: Mapping[str, Any]) -> Iterator[Hit]:
    for name, found in discoveries.items():
        if found.error is None:
            continue
        owned = [
            (d, e)
            for d, e in ctx.entries
            if isinstance(e.data, dict)
            and (e.data.get("model_info") or {}).get("llmsync_source") == name
        ]
        message = f"source {name} unavailable: {found.error}"
        if owned:
            yield Hit(owned[0][0], _at_model(*owned[0]), W062, message)
        elif ctx.docs:
            yield Hit(None, None, W062, message, ctx.docs[0].name)
