"""Helpers shared by the commands: who owns an entry, where a new one goes."""

from __future__ import annotations

import bisect

from llmsync.catalogues.hosted import Provider
from llmsync.catalogues.model import CatalogModel
from llmsync.document import ConfigDocument, ModelEntry, unwritable_reason
from llmsync.plan import AddEntry, HeldChange, Plan
from llmsync.prices import LIMIT_FIELDS
from llmsync.registry import Registry


def entries_by_provider(
    doc: ConfigDocument, registry: Registry, names: list[str]
) -> dict[str, list[tuple[ModelEntry, str]]]:
    """Each selected provider's entries with their catalogue ids; an entry has one owner."""
    groups: dict[str, list[tuple[ModelEntry, str]]] = {name: [] for name in names}
    for entry in doc.all_entries:  # include: files too, so nothing is duplicated or missed
        owner = registry.owner(entry.model, entry.api_base)
        if owner and owner[0] in groups:
            groups[owner[0]].append((entry, owner[1]))
    return groups


def additions(
    doc: ConfigDocument, provider: Provider, named: list[tuple[CatalogModel, str]], plan: Plan
) -> None:
    """Add entries for (catalogue model, model_name) pairs to ``plan``, each in sorted position.

    They are sorted among themselves too, so several additions at one spot land in order. A
    model whose id or name cannot be written safely is skipped (a note); one with a price that
    cannot be trusted is held back for a person; one with a limit that cannot be trusted is
    added without it (a note). Either way the rest of the run proceeds.
    """
    entries = []
    for model, name in named:
        unsafe = model.rejected.get("id") or (
            f"model_name {name!a} {why}" if (why := unwritable_reason(name)) else None
        )
        if unsafe:
            plan.notes.append(f"{provider.name}: skipped a catalogue model: {unsafe}")
            continue
        if not model.described:
            # Neither the listing nor the books know its prices, limits or mode: it may be an
            # embedding or an image model, and a bare chat entry would be wrong and free.
            plan.notes.append(
                f"{provider.name}: {model.id}: its listing and the price books say nothing "
                "about it (no prices, limits or mode); not added: add it by hand"
            )
            continue
        data = provider.new_entry(model, name)
        prices = [why for key, why in model.rejected.items() if key not in LIMIT_FIELDS]
        prices += [f"{key}: the books disagree: {both}" for key, both in model.disputed.items()]
        if prices:
            plan.held.append(HeldChange(AddEntry(data, None, provider.name), "; ".join(prices)))
            continue
        for key in LIMIT_FIELDS:
            if key in model.rejected:
                plan.notes.append(
                    f"{provider.name}: {name}: {model.rejected[key]}; added without it"
                )
        entries.append(data)
    for data in sorted(entries, key=entry_key):
        plan.changes.append(AddEntry(data, insertion_point(doc, data), provider.name))


def entry_key(data: dict) -> tuple[str, str]:
    return (str(data["model_name"]).lower(), str(data["litellm_params"]["model"]).lower())


def insertion_point(doc: ConfigDocument, data: dict) -> ModelEntry | None:
    """The entry to insert before (None: at the end), keeping sorted order.

    A new deployment whose model_name already exists joins that group, even in a list that is
    not sorted as a whole. O(log n) per call (thousands of additions stay fast).
    """
    if doc.flow_list:
        return None  # [...]: appended at the end
    index = doc.__dict__.get("_insertion_index")
    if index is None:
        index = doc.__dict__["_insertion_index"] = _InsertionIndex(doc.entries)
    return index.before(data)


class _InsertionIndex:
    """The entries' sort keys as running maxima, whole list and per model_name: "the first
    entry whose key is greater than K" (in file order, sorted or not) is then a bisection."""

    def __init__(self, entries: list[ModelEntry]) -> None:
        self.entries = entries
        self.running = _running_max([e.sort_key() for e in entries])
        self.groups: dict[object, list[ModelEntry]] = {}
        for entry in entries:
            self.groups.setdefault(entry.model_name, []).append(entry)
        self.group_running: dict[object, list[tuple[str, str]]] = {}

    def before(self, data: dict) -> ModelEntry | None:
        key = entry_key(data)
        group = self.groups.get(data["model_name"])
        if group is None:
            i = bisect.bisect_right(self.running, key)
            return self.entries[i] if i < len(self.entries) else None
        running = self.group_running.get(data["model_name"])
        if running is None:
            running = self.group_running[data["model_name"]] = _running_max(
                [e.sort_key() for e in group]
            )
        i = bisect.bisect_right(running, key)
        if i < len(group):
            return group[i]
        after = group[-1].index + 1
        return self.entries[after] if after < len(self.entries) else None


def _running_max(keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out, best = [], None
    for key in keys:
        best = key if best is None or key > best else best
        out.append(best)
    return out
