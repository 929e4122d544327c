"""cleanup: remove entries whose model left the catalogue, reprice the rest."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode

from llmsync.catalogues.fetch import FetchOutcome, Job
from llmsync.catalogues.hosted import Provider
from llmsync.catalogues.model import Catalog, CatalogModel
from llmsync.catalogues.servers import Server, ServerOutcome, servers_in
from llmsync.commands.common import additions, entries_by_provider
from llmsync.document import (
    ConfigDocument,
    ModelEntry,
    _is_flow,
    env_reference,
    mapping_value,
    resolved,
)
from llmsync.plan import (
    HeldChange,
    Plan,
    ProviderReport,
    RemoveEntry,
    RemoveField,
    Retirement,
    SetField,
)
from llmsync.prices import (
    COST_FIELDS,
    LIMIT_FIELDS,
    PRICE_FIELDS,
    as_number,
    costs_equal,
    finite_number,
    is_free_value,
    is_number,
)
from llmsync.registry import Registry


@dataclass
class Targets:
    """What a cleanup run checks: provider entries, the catalogue requests, the servers."""

    groups: dict[str, list[tuple[ModelEntry, str]]]
    jobs: list[Job]
    servers: dict[Server, list[tuple[ModelEntry, str]]]
    asked: frozenset[Server] = frozenset()  # servers named on the command line


def split_server_names(names: list[str], registry: Registry) -> tuple[list[str], list[str]]:
    """``-p`` values as (provider names, self-hosted server selectors): a server kind that is
    not also a provider's name (``ollama``), or a server's base URL (``http://gpu:11434``)."""
    kinds = set(registry.server_kinds) - set(registry.providers)
    servers = [n for n in names if n in kinds or "://" in n]
    return [n for n in names if n not in servers], servers


def cleanup_targets(
    doc: ConfigDocument,
    registry: Registry,
    names: list[str],
    add_new: bool,
    servers: bool | list[str],
) -> Targets:
    """Group the config's entries by provider, and by self-hosted server: all of them with
    ``servers=True`` (``--provider all``), or those a selector of ``split_server_names`` names."""
    groups = entries_by_provider(doc, registry, names)
    jobs = []
    for name in names:
        provider = registry.providers[name]
        jobs += list(jobs_of(provider, groups[name]))
        if add_new and provider.spec.add_new.include:
            jobs.append(Job(provider))
    found: dict[Server, list[tuple[ModelEntry, str]]] = {}
    if servers:
        claimed = {id(e) for e in doc.all_entries if registry.owner(e.model, e.api_base)}
        found = servers_in(doc.all_entries, registry.server_kinds, claimed)
    if isinstance(servers, list):
        found = {s: m for s, m in found.items() if _selected(s, servers)}
        return Targets(groups, list(dict.fromkeys(jobs)), found, frozenset(found))
    return Targets(groups, list(dict.fromkeys(jobs)), found)


def _selected(server: Server, selectors: list[str]) -> bool:
    base = (server.base_url() or server.api_base).rstrip("/")
    return any(s == server.kind or s.rstrip("/") in (base, server.api_base) for s in selectors)


def plan_cleanup(
    doc: ConfigDocument,
    registry: Registry,
    groups: Mapping[str, list[tuple[ModelEntry, str]]],
    outcomes: Mapping[Job, FetchOutcome],
    rtol: float = 1e-9,
    force: bool = False,
    max_price_factor: float = 10.0,
    add_new: bool = False,
    lifecycle: bool = False,
    fill_limits: bool = False,
    fill_order: bool = False,
    servers: Mapping[Server, ServerOutcome] | None = None,
    server_groups: Mapping[Server, list[tuple[ModelEntry, str]]] | None = None,
    servers_asked: frozenset[Server] = frozenset(),
) -> Plan:
    plan = Plan()
    for name, members in groups.items():
        report = plan.report(name)
        report.entries = len(members)
        provider = registry.providers[name]
        if fill_order:  # config-only: no catalogue needed, so even a failed fetch fills it
            plan.changes += order_changes(provider, members, plan.notes)
        removals: list[RemoveEntry] = []
        for job, part in jobs_of(provider, members).items():
            outcome = outcomes.get(job)
            if outcome is None:
                continue  # not fetched (no entries, or not selected)
            if outcome.skipped:  # one line per job: a platform has one job per region/resource
                report.skipped = _joined(report.skipped, _skipped(outcome.skipped, len(part)))
                continue
            if outcome.catalog is None:  # a failed job removes and reprices nothing of its own
                report.error = _joined(report.error, outcome.error)
                continue
            _catalogue_notes(plan, outcome.catalog)
            for entry, model_id in part:
                removal = _check_entry(
                    plan,
                    entry,
                    model_id,
                    provider,
                    outcome.catalog,
                    rtol,
                    max_price_factor,
                    lifecycle,
                    fill_limits,
                )
                if removal is not None:
                    removals.append(removal)
        if add_new:
            outcome = outcomes.get(Job(provider))
            if outcome is not None and outcome.catalog is not None:
                _catalogue_notes(plan, outcome.catalog)
                present = {model_id for _, model_id in members}
                named = [
                    (m, provider.default_model_name(m.id))
                    for m in new_models(provider, outcome.catalog, present)
                ]
                additions(doc, provider, named, plan)
        fraction = provider.defaults.max_removal_fraction
        _guard_removals(plan, report, removals, len(members), fraction, force)
    for server, members in (server_groups or {}).items():
        outcome = (servers or {}).get(server)
        _check_server(plan, server, members, outcome, registry, force, server in servers_asked)
    plan.notes.extend(dangling_references(doc, plan.of(RemoveEntry)))
    plan.notes.extend(_models_from_unset_variables(doc))
    return plan


def _models_from_unset_variables(doc: ConfigDocument) -> list[str]:
    """``model: os.environ/X`` with X not set here: the proxy knows the model, llmsync cannot."""
    unset: dict[str, int] = {}
    for entry in doc.all_entries:
        var = env_reference(entry.model)
        if var and resolved(entry.model) is None:
            unset[var] = unset.get(var, 0) + 1
    return [
        f"{var} is not set here: {count} entr{'y' if count == 1 else 'ies'} with model: "
        f"os.environ/{var} not checked"
        for var, count in unset.items()
    ]


def order_changes(
    provider: Provider, members: list[tuple[ModelEntry, str]], notes: list[str]
) -> list[SetField]:
    """``litellm_params.order`` from the provider's ``order`` where an entry has none (an
    entry's own order is the operator's choice and is kept)."""
    order = provider.spec.order
    if order is None:
        return []
    return [
        SetField(entry, "litellm_params", "order", None, order, provider.name)
        for entry, _ in members
        if "order" not in entry.litellm_params
        and _editable(entry, "litellm_params", "order", notes)
    ]


def _catalogue_notes(plan: Plan, catalog: Catalog) -> None:
    """What a catalogue says about itself (ids listed twice, not alike): once per provider,
    however many keys fetched it."""
    plan.notes.extend(note for note in catalog.notes if note not in plan.notes)


def _joined(earlier: str | None, line: str | None) -> str | None:
    """Several jobs' reasons on one provider line, each said once."""
    if not earlier or not line or line in earlier.split("; "):
        return earlier or line
    return f"{earlier}; {line}"


def _skipped(why: str, count: int) -> str:
    """A skip line that says what to do: set a variable, or install what a platform needs."""
    if why.endswith(" is not set"):
        return f"{why}: set it to check {_entries(count)}"
    return f"{why} ({_entries(count)} {'waits' if count == 1 else 'wait'} for it)"


def jobs_of(
    provider: Provider, members: list[tuple[ModelEntry, str]]
) -> dict[Job, list[tuple[ModelEntry, str]]]:
    """Entries by the catalogue request that checks them: an entry whose ``api_key`` is
    ``os.environ/X`` is checked with X (keys can see different models)."""
    jobs: dict[Job, list[tuple[ModelEntry, str]]] = {}
    for entry, model_id in members:
        env, scope = provider.job_of(entry)
        jobs.setdefault(Job(provider, env, scope), []).append((entry, model_id))
    return jobs


def _check_entry(
    plan: Plan,
    entry: ModelEntry,
    model_id: str,
    provider: Provider,
    catalog: Catalog,
    rtol: float,
    max_price_factor: float,
    lifecycle: bool,
    fill_limits: bool = False,
) -> RemoveEntry | None:
    """Plan one entry's price and lifecycle updates; its removal, if it should go."""
    name = provider.name
    model_id = provider.entry_id(entry, model_id)
    model = catalog.get(model_id)
    if model is not None:
        fill = fill_limits or provider.defaults.fill_limits
        plan.held += rejected_prices(entry, model, name)
        plan.held += rejected_limits(entry, model, name, fill, plan.notes)
        plan.changes += stale_cache_prices(entry, provider, model, plan.notes)
        changes = price_changes(entry, provider, model, rtol, plan.notes, fill, catalog.fetched)
        reasons = [
            suspicious_move(c, provider.defaults.free_cost, max_price_factor)
            or disputed_price(c, model)
            for c in changes
        ]
        # A model's prices move together: one held back (free <-> paid, a big jump) holds
        # its other prices too, so the entry is never left half free and half priced.
        pairs = list(zip(changes, reasons, strict=True))
        held = next((f"held with {c.field}: {r}" for c, r in pairs if r), None)
        for change, reason in pairs:
            if reason or (held and _is_price(change)):
                plan.held.append(HeldChange(change, reason or held))
            else:
                plan.changes.append(change)
        if model.deprecation:
            plan.retiring.append(
                Retirement(entry, name, model_id, model.deprecation, model.replacement)
            )
            if lifecycle:
                plan.changes += deprecation_change(entry, model, name, plan.notes)
        return None
    if catalog.partial:
        plan.notes.append(
            f"{name}: {model_id} is not in its listing{f' ({catalog.scope})' if catalog.scope else ''}, which is known to be partial; kept"
        )
    elif model_id in provider.spec.protected:
        plan.notes.append(f"{name}: kept protected {model_id} although the catalogue lacks it")
    elif entry.doc.is_referenced_elsewhere(entry):
        plan.notes.append(
            f"{entry.doc.name}:{entry.dash_line + 1}: kept {entry.label()}: other entries use its YAML anchors"
        )
    else:
        where = f" ({catalog.scope})" if catalog.scope else ""
        return RemoveEntry(entry, name, f"{model_id} is no longer in the {name} catalogue{where}")
    return None


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def _guard_removals(
    plan: Plan,
    report: ProviderReport,
    removals: list[RemoveEntry],
    members: int,
    max_fraction: float,
    force: bool,
) -> None:
    """Apply removals, unless they are a suspicious share of the provider's entries."""
    limit = max_fraction * members
    if len(removals) > limit and not force:
        report.held = f"would remove {len(removals)} of {members} entries; nothing removed: re-run with --force if that is right"
        reason = f"mass-removal guard: {len(removals)} of {members} {report.name} entries"
        plan.held.extend(HeldChange(r, reason) for r in removals)
    else:
        plan.changes.extend(removals)


def _check_server(
    plan: Plan,
    server: Server,
    members: list[tuple[ModelEntry, str]],
    outcome: ServerOutcome | None,
    registry: Registry,
    force: bool,
    asked: bool = False,
) -> None:
    """A self-hosted server's entries: models it no longer serves are reported (or removed
    where providers.yaml says so for its kind); an unreachable server keeps everything. A
    server met under ``--provider all`` that does not answer at all is skipped, not failed: a
    CI runner cannot reach a laptop's Ollama. Named with ``-p``, it fails."""
    report = plan.report(server.label)
    report.kind, report.entries = "server", len(members)
    if outcome is None:
        return
    if outcome.skipped:
        report.skipped = _skipped(outcome.skipped, len(members))
        return
    if outcome.unreachable and not asked:
        why = (outcome.error or "no answer").split(": ", 1)[-1]
        report.skipped = f"not reachable from here ({why}); {_entries(len(members))} kept"
        return
    if outcome.ids is None:
        report.error = outcome.error
        return
    remove = registry.server_kinds[server.kind].remove_missing
    removals = []
    for entry, model_id in members:
        if server.serves(model_id, outcome.ids):
            continue
        if remove:
            reason = f"{model_id} is no longer served by {server.label}"
            removals.append(RemoveEntry(entry, server.label, reason))
        else:
            plan.notes.append(
                f"{server.label} no longer serves {model_id} ({entry.label()}); kept (report only)"
            )
    fraction = registry.defaults.max_removal_fraction
    _guard_removals(plan, report, removals, len(members), fraction, force)


def deprecation_change(
    entry: ModelEntry, model: CatalogModel, provider: str, notes: list[str]
) -> list[SetField]:
    """``model_info.deprecation_date`` (read by LiteLLM for its own alerts) from the listing."""
    if model.deprecation is None or model.deprecation == "deprecated":
        return []  # a flag without a date: reported, nothing to write
    old = _current(entry, "model_info", "deprecation_date")
    if str(old) == model.deprecation:
        return []
    if not _info_editable(entry, "deprecation_date", notes):  # model_info created if missing
        notes.append(
            f"{entry.label()}: retires {model.deprecation}; add model_info.deprecation_date by hand"
        )
        return []
    return [SetField(entry, "model_info", "deprecation_date", old, model.deprecation, provider)]


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


def _is_price(change: SetField) -> bool:
    return change.field.endswith(("cost_per_token", "token_cost"))


def suspicious_move(change: SetField, free_cost: float, factor: float) -> str | None:
    """Why a price change needs a person: it crosses zero or moves by more than ``factor``."""
    if not _is_price(change):
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


def dangling_references(
    doc: ConfigDocument, removals: list[RemoveEntry], managed: set[str] = frozenset()
) -> list[str]:
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
    data = doc.data or {}
    notes = []
    for section in ("router_settings", "litellm_settings"):
        settings = data.get(section) if isinstance(data.get(section), dict) else {}
        for key in ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks"):
            for item in settings.get(key) or []:
                for source, targets in item.items() if isinstance(item, dict) else []:
                    if source in managed:
                        continue  # a route llmsync writes: generate keeps it true itself
                    names = [source, *(targets if isinstance(targets, list) else [targets])]
                    for name in sorted({n for n in names if n in gone}):
                        notes.append(
                            f"{section}.{key} still names {name!r}, whose last deployment is removed; re-route it by hand"
                        )
        aliases = settings.get("model_group_alias") or {}
        for alias, target in aliases.items() if isinstance(aliases, dict) else []:
            if alias in managed:
                continue
            name = target.get("model") if isinstance(target, dict) else target
            if name in gone:
                notes.append(
                    f"{section}.model_group_alias {alias!r} points to {name!r}, whose last deployment is removed"
                )
    return list(dict.fromkeys(notes))


def disputed_price(change: SetField, model: CatalogModel) -> str | None:
    """Held back when the two books disagree and nothing settles it (see pricebooks.enrich)."""
    both = model.disputed.get(change.field) if change.section != "model_info" else None
    return f"the books disagree: {both}; --prefer models.dev|costmap decides" if both else None


def price_changes(
    entry: ModelEntry,
    provider: Provider,
    model: CatalogModel,
    rtol: float,
    notes: list[str],
    fill_limits: bool = False,
    fetched: str = "",
) -> list[SetField]:
    changes = []
    listing = f"listing {fetched}".strip()
    # Prices are kept true where a person wrote some; an entry without any is left to
    # LiteLLM's own cost map, and it is said when that map does not know the model.
    priced = any(entry.cost_sections(f) for f in PRICE_FIELDS)
    if not priced and model.in_cost_map is False:
        notes.append(
            f"{entry.label()}: LiteLLM's cost map does not know {model.id} and the entry has no "
            "prices, so its spend is tracked as 0"
        )
    for field_name, new in provider.config_costs(model).items() if priced else ():
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
                source = model.sources.get(field_name, listing)
                changes.append(
                    SetField(entry, section, field_name, old, new, provider.name, source)
                )
    for field_name, new in model.limits.items():
        info = entry.data.get("model_info")
        old = info.get(field_name) if isinstance(info, dict) else None
        # Limits are kept true where a person wrote them; added only with --fill-limits.
        if old is None and not fill_limits:
            continue
        if old != new and _info_editable(entry, field_name, notes):
            source = model.sources.get(field_name, listing)
            changes.append(
                SetField(entry, "model_info", field_name, old, new, provider.name, source)
            )
    return changes


def stale_cache_prices(
    entry: ModelEntry, provider: Provider, model: CatalogModel, notes: list[str]
) -> list[RemoveField]:
    """Cache prices the entry carries but the catalogue stopped reporting for a model it still
    prices: removed (a missing price is unknown, never 0)."""
    reported = provider.spec.prices.fields
    if not any(f in model.costs for f in COST_FIELDS[:2]):
        return []  # the model is not priced at all here: nothing to conclude
    out = []
    for field_name in PRICE_FIELDS[2:]:
        if field_name not in reported or field_name in model.costs or field_name in model.rejected:
            continue
        for section in entry.cost_sections(field_name):
            old = _current(entry, section, field_name)
            if _editable(entry, section, field_name, notes):
                out.append(RemoveField(entry, section, field_name, old, provider.name))
    return out


def _info_editable(entry: ModelEntry, field_name: str, notes: list[str]) -> bool:
    if "model_info" not in entry.data:  # written anew (fill-limits) if the entry is a block
        return isinstance(entry.node, MappingNode) and not _is_flow(entry.node)
    return _editable(entry, "model_info", field_name, notes)


def rejected_prices(entry: ModelEntry, model: CatalogModel, provider: str) -> list[HeldChange]:
    """Catalogue prices that could not be trusted: never written, held for a person."""
    held = []
    for field_name, why in model.rejected.items():
        if field_name in PRICE_FIELDS:
            for section in entry.cost_sections(field_name) or [entry.cost_home()]:
                old = _current(entry, section, field_name)
                change = SetField(entry, section, field_name, old, None, provider)
                held.append(HeldChange(change, why))
    return held


def rejected_limits(
    entry: ModelEntry, model: CatalogModel, provider: str, fill: bool, notes: list[str]
) -> list[HeldChange]:
    """Catalogue limits that could not be trusted: never written. A limit the entry has cannot
    be checked, so it is held for a person; one it lacks is only not added (a note, with
    ``--fill-limits``)."""
    held = []
    for field_name in LIMIT_FIELDS:
        why = model.rejected.get(field_name)
        if why is None:
            continue
        old = _current(entry, "model_info", field_name)
        if old is not None:
            change = SetField(entry, "model_info", field_name, old, None, provider)
            held.append(HeldChange(change, why))
        elif fill:
            notes.append(f"{entry.label()}: {why}; not added")
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
