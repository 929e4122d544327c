"""sort: order model_list by model_name, then litellm_params.model (case-insensitive)."""

from __future__ import annotations

from pathlib import Path

from llmsync import steps
from llmsync.document import ConfigDocument, ModelEntry
from llmsync.errors import ConfigError
from llmsync.finishing import finish
from llmsync.plan import Plan, Reorder


def sorted_order(entries: list[ModelEntry]) -> list[ModelEntry]:
    return sorted(entries, key=ModelEntry.sort_key)  # stable: equal keys keep their order


def first_unsorted(entries: list[ModelEntry]) -> tuple[ModelEntry, ModelEntry] | None:
    keys = [e.sort_key() for e in entries]
    for i in range(1, len(keys)):
        if keys[i] < keys[i - 1]:
            return entries[i - 1], entries[i]
    return None


def plan_sort(doc: ConfigDocument) -> Plan:
    plan = Plan()
    if first_unsorted(doc.entries) is None:
        return plan
    doc.require_block_list("sort")
    order = sorted_order(doc.entries)
    _check_anchors(doc, order)
    plan.changes.append(Reorder(tuple(order)))
    return plan


def _check_anchors(doc: ConfigDocument, order: list[ModelEntry]) -> None:
    """Refuse an order that would put a YAML alias above the anchor it refers to."""
    position = {id(e): i for i, e in enumerate(order)}
    for entry in order:
        for anchor_line in doc.outside_dependencies(entry):
            owner = doc.entry_at_line(anchor_line)
            if owner is not None and position[id(owner)] > position[id(entry)]:
                raise ConfigError(
                    f"{doc.name}:{entry.dash_line + 1}: cannot sort: entry {entry.label()} uses a YAML "
                    f"anchor defined in entry {owner.label()} (line {anchor_line + 1}), which would "
                    "move below it; move the anchor out of model_list (e.g. to a top-level x- key)"
                )


def run(
    *, config: Path, check: bool, dry_run: bool, backup: bool, in_place: bool, verbose: bool
) -> int:
    """``llmsync sort``: the exit code."""
    with steps.editing(config, dry_run or check):
        doc = steps.load_config(config)
        if check:
            return _check(config, doc)
        plan = plan_sort(doc)
        return finish(doc, plan, dry_run=dry_run, backup=backup, in_place=in_place, verbose=verbose)


def _check(config: Path, doc: ConfigDocument) -> int:
    """--check: 0 when sorted, else 1 and the first pair out of order."""
    pair = first_unsorted(doc.entries)
    if pair is None:
        steps.echo(f"{config}: model_list is sorted ({len(doc.entries)} entries)")
        return 0
    a, b = pair
    steps.echo(
        f"{config}:{b.dash_line + 1}: not sorted: {b.label()} should come before {a.label()}"
    )
    return 1
