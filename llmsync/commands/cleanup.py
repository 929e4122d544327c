"""cleanup: remove entries whose model left the catalogue, reprice the rest."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

from ruamel.yaml.nodes import MappingNode

from llmsync.commands.common import additions
from llmsync.document import ConfigDocument, ModelEntry, _is_flow, mapping_value
from llmsync.fetch import FetchOutcome
from llmsync.plan import HeldChange, Plan, RemoveEntry, SetField
from llmsync.prices import (
    COST_FIELDS,
    as_number,
    costs_equal,
    finite_number,
    is_free_value,
    is_number,
)
from llmsync.providers.base import Catalog, CatalogModel, Provider
from llmsync.registry import Registry


def plan_cleanup(
    doc: ConfigDocument,
    registry: Registry,
    groups: Mapping[str, list[tuple[ModelEntry, str]]],
    outcomes: Mapping[str, FetchOutcome],
    rtol: float = 1e-9,
    force: bool = False,
    max_price_factor: float = 10.0,
    add_new: bool = False,
) -> Plan:
    plan = Plan()
    for name, members in groups.items():
        report = plan.report(name)
        report.entries = len(members)
        outcome = outcomes.get(name)
        if outcome is None:
            continue  # no entries, nothing fetched
        if outcome.catalog is None:
            report.error = outcome.error  # a failed provider removes and reprices nothing
            continue
        provider = registry.providers[name]
        removals = []
        for entry, model_id in members:
            model = outcome.catalog.get(model_id)
            if model is not None:
                plan.held += rejected_prices(entry, model, name)
                for change in price_changes(entry, provider, model, rtol, plan.notes):
                    reason = suspicious_move(change, provider.defaults.free_cost, max_price_factor)
                    if reason:
                        plan.held.append(HeldChange(change, reason))
                    else:
                        plan.changes.append(change)
            elif model_id in provider.spec.protected:
                plan.notes.append(
                    f"{name}: kept protected {model_id} although the catalogue lacks it"
                )
            elif entry.doc.is_referenced_elsewhere(entry):
                plan.notes.append(
                    f"{entry.doc.name}:{entry.dash_line + 1}: kept {entry.label()}: other entries use its YAML anchors"
                )
            else:
                removals.append(
                    RemoveEntry(entry, name, f"{model_id} is no longer in the {name} catalogue")
                )
        if add_new:
            present = {model_id for _, model_id in members}
            additions(
                doc,
                provider,
                [
                    (m, provider.default_model_name(m.id))
                    for m in new_models(provider, outcome.catalog, present)
                ],
                plan,
            )
        limit = provider.defaults.max_removal_fraction * len(members)
        if len(removals) > limit and not force:
            report.held = f"would remove {len(removals)} of {len(members)} entries; nothing removed: re-run with --force if that is right"
            reason = f"mass-removal guard: {len(removals)} of {len(members)} {name} entries"
            plan.held.extend(HeldChange(r, reason) for r in removals)
        else:
            plan.changes.extend(removals)
    plan.notes.extend(dangling_references(doc, plan.of(RemoveEntry)))
    return plan


def new_models(provider: Provider, catalog: Catalog, present: set[str]) -> list[CatalogModel]:
    """Catalogue models matching the provider's ``add_new`` globs that the config lacks."""
    rule = provider.spec.add_new
    return [
        model
        for model_id, model in sorted(catalog.models.items())
        if model_id not in present
        and any(fnmatch.fnmatchcase(model_id, g) for g in rule.include)
        and not any(fnmatch.fnmatchcase(model_id, g) for g in rule.exclude)
    ]


def suspicious_move(change: SetField, free_cost: float, factor: float) -> str | None:
    """Why a price change needs a person: it crosses zero or moves by more than ``factor``."""
    if not change.field.endswith(("cost_per_token", "token_cost")):
        return None
    old, new = as_number(change.old), float(change.new)
    if old is None:
        return None
    was_free, is_free = is_free_value(old), is_free_value(new) or new == free_cost
    if was_free != is_free:
        return "crosses zero (free ↔ paid)"
    if not was_free and old > 0 and max(new / old, old / new) > factor:
        return f"moves by more than {factor:g}x"
    return None


def dangling_references(doc: ConfigDocument, removals: list[RemoveEntry]) -> list[str]:
    """Fallbacks and aliases that name a model_name whose last deployment is being removed.

    LiteLLM accepts such names at startup and fails at request time, so they are reported;
    re-routing is a person's decision.
    """
    removed = {id(r.entry) for r in removals}
    gone = {e.model_name for e in doc.all_entries if id(e) in removed} - {
        e.model_name for e in doc.all_entries if id(e) not in removed
    }
    if not gone:
        return []
    data = doc.load_with_pyyaml() or {}
    notes = []
    for section in ("router_settings", "litellm_settings"):
        settings = data.get(section) if isinstance(data.get(section), dict) else {}
        for key in ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks"):
            for item in settings.get(key) or []:
                for source, targets in item.items() if isinstance(item, dict) else []:
                    names = [source, *(targets if isinstance(targets, list) else [targets])]
                    for name in sorted({n for n in names if n in gone}):
                        notes.append(
                            f"{section}.{key} still names {name!r}, whose last deployment is removed; re-route it by hand"
                        )
        aliases = settings.get("model_group_alias") or {}
        for alias, target in aliases.items() if isinstance(aliases, dict) else []:
            name = target.get("model") if isinstance(target, dict) else target
            if name in gone:
                notes.append(
                    f"{section}.model_group_alias {alias!r} points to {name!r}, whose last deployment is removed"
                )
    return list(dict.fromkeys(notes))


def price_changes(
    entry: ModelEntry,
    provider: Provider,
    model: CatalogModel,
    rtol: float,
    notes: list[str],
) -> list[SetField]:
    changes = []
    for field_name, new in provider.config_costs(model).items():
        for section in entry.cost_sections(field_name) or [entry.cost_home()]:
            old = _current(entry, section, field_name)
            if is_number(old) and not finite_number(old):
                notes.append(
                    f"{entry.doc.name}:{entry.dash_line + 1}: {section}.{field_name} of {entry.label()} "
                    f"is {old}; left alone (LiteLLM cannot compute costs with it)"
                )
                continue
            if costs_equal(old, new, rtol) or (
                is_free_value(old) and new == provider.defaults.free_cost
            ):
                continue
            if _editable(entry, section, field_name, notes):
                changes.append(SetField(entry, section, field_name, old, new, provider.name))
    for field_name, new in model.limits.items():
        info = entry.data.get("model_info")
        old = info.get(field_name) if isinstance(info, dict) else None
        # Limits are kept true where a person wrote them; cleanup does not add new ones.
        if old is not None and old != new and _editable(entry, "model_info", field_name, notes):
            changes.append(SetField(entry, "model_info", field_name, old, new, provider.name))
    return changes


def rejected_prices(entry: ModelEntry, model: CatalogModel, provider: str) -> list[HeldChange]:
    """Catalogue prices that could not be trusted: never written, held for a person."""
    held = []
    for field_name, why in model.rejected.items():
        if field_name in COST_FIELDS:
            for section in entry.cost_sections(field_name) or [entry.cost_home()]:
                old = _current(entry, section, field_name)
                change = SetField(entry, section, field_name, old, None, provider)
                held.append(HeldChange(change, why))
    return held


def _current(entry: ModelEntry, section: str, field_name: str) -> object:
    values = entry.data.get(section)
    return values.get(field_name) if isinstance(values, dict) else None


def _editable(entry: ModelEntry, section: str, field_name: str, notes: list[str]) -> bool:
    node = entry.value_node((section, field_name))
    if node is not None:
        if entry.doc.is_unsplicable(entry, node):
            notes.append(
                f"{entry.doc.where(node)}: {section}.{field_name} of {entry.label()} comes from a YAML anchor shared with other entries; update it by hand"
            )
            return False
        return True
    home = mapping_value(entry.node, section)
    if (
        not isinstance(home, MappingNode)
        or _is_flow(home)
        or not home.value
        or entry.doc.is_unsplicable(entry, home)
    ):
        notes.append(
            f"{entry.doc.where(entry.node)}: cannot add {section}.{field_name} to {entry.label()}: {section} is not a plain block mapping of this entry"
        )
        return False
    return True
