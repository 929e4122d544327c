"""Plans: what a command will change, computed before anything is written.

A dry run renders ``apply_plan``'s text as a diff; a real run writes that same text. So the
preview can never disagree with the write. Every result is re-read with PyYAML (LiteLLM's
loader) and compared with the data the plan intends before it is returned.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from ruamel.yaml.nodes import MappingNode, ScalarNode

from llmsync import unified_diff as udiff
from llmsync.document import (
    ConfigDocument,
    ModelEntry,
    TextEditor,
    _is_flow,
    _Splice,
    flow_entry,
    last_line,
    mapping_pair,
    render_entry,
    yaml_str,
)
from llmsync.errors import EXIT_BUG, LlmsyncError
from llmsync.prices import float_style_of, format_float


@dataclass(frozen=True)
class SetField:
    """Set ``section.field`` of an entry (a price or a limit); ``old`` None means absent."""

    entry: ModelEntry
    section: str
    field: str
    old: Any
    new: float | int | str | None  # str: a date; None only held back (value not trusted)
    provider: str
    source: str = ""  # where the new value came from: "listing 2026-12-05", "models.dev ..."


@dataclass(frozen=True)
class RemoveField:
    """Drop ``section.field`` of an entry (a cache price the catalogue no longer reports)."""

    entry: ModelEntry
    section: str
    field: str
    old: Any
    provider: str


@dataclass(frozen=True)
class RemoveEntry:
    entry: ModelEntry
    provider: str
    reason: str


@dataclass(frozen=True)
class AddEntry:
    data: dict[str, Any]
    before: ModelEntry | None  # None: after the last entry
    provider: str
    comment: str | None = None  # a comment line written above the entry


@dataclass(frozen=True)
class ReplaceEntry:
    """Rewrite an entry llmsync owns (generated) in place; comments above it stay."""

    entry: ModelEntry
    data: dict[str, Any]
    provider: str


@dataclass(frozen=True)
class Reorder:
    order: tuple[ModelEntry, ...]


@dataclass(frozen=True)
class SetRouterSetting:
    """Edit keys of ``router_settings`` line by line; ``values`` is what they hold afterwards.

    Each splice is (first line, last line, new lines); last < first inserts before first.
    """

    values: dict[str, Any]
    splices: tuple[tuple[int, int, tuple[str, ...]], ...]
    summary: tuple[str, ...]
    provider: str = "routes"


REMOVED = object()  # a SetRouterSetting value: the key itself is deleted

Change = SetField | RemoveField | RemoveEntry | AddEntry | ReplaceEntry | Reorder | SetRouterSetting


@dataclass
class ProviderReport:
    """One provider's (or self-hosted server's) part in a run."""

    name: str
    entries: int = 0
    error: str | None = None
    held: str | None = None  # why its removals were not applied
    skipped: str | None = None  # why it was not checked (a key that is not set): not a failure
    kind: str = "provider"  # or "server"

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        if self.held:
            return "held"
        return "skipped" if self.skipped else "ok"


@dataclass(frozen=True)
class Retirement:
    """A model its catalogue marks as deprecated (reported; written only with --lifecycle)."""

    entry: ModelEntry
    provider: str
    model_id: str
    date: str  # YYYY-MM-DD, or "deprecated" when the listing gives no date
    replacement: str | None = None


@dataclass(frozen=True)
class HeldChange:
    """A change computed but not applied: a person decides (listed in reports, exit 1)."""

    change: SetField | RemoveEntry | AddEntry  # a SetField's ``new`` is None if untrusted
    reason: str


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    providers: dict[str, ProviderReport] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    held: list[HeldChange] = field(default_factory=list)
    retiring: list[Retirement] = field(default_factory=list)

    def report(self, name: str) -> ProviderReport:
        return self.providers.setdefault(name, ProviderReport(name))

    def of(self, kind: type, provider: str | None = None) -> list:
        return [
            c
            for c in self.changes
            if isinstance(c, kind)
            and (provider is None or getattr(c, "provider", None) == provider)
        ]

    @property
    def needs_attention(self) -> bool:
        return bool(self.held) or any(r.error or r.held for r in self.providers.values())


class UnverifiedEdit(LlmsyncError):
    exit_code = EXIT_BUG


# --------------------------------------------------------------------------- applying


def apply_plan(doc: ConfigDocument, plan: Plan) -> str:
    """The full new text (BOM included) of ``doc`` after the changes of ``plan`` that edit it
    (entries of an ``include:`` file are edited in that file); verified, never written here."""
    return edit(doc, plan).text


def edit(doc: ConfigDocument, plan: Plan) -> Edit:
    """:func:`apply_plan`, keeping which lines changed, so the diff needs no file comparison."""
    plan = Plan(changes=[c for c in plan.changes if _edits(doc, c)])
    if not plan.changes:
        return Edit(doc, doc.full_text(), ())
    editor = TextEditor(doc)
    blank = doc.blank_between_entries()
    appending = any(isinstance(c, AddEntry) and c.before is None for c in plan.changes)
    if plan.of(AddEntry) and not doc.entries:  # make room for the first entries, once
        if doc.model_list_key is None:
            editor.insert_lines(len(doc.lines), ["model_list:"])
        else:
            value = mapping_pair(doc.root, "model_list")[1]
            if not isinstance(value, ScalarNode) or value.value:  # "model_list: []" or ": null"
                editor.replace_span(doc.model_list_key.end_mark, value.end_mark, ":")
    # Router settings last: a new router_settings section and new entries may both be written
    # at the end of the file, and the entries belong to model_list, above it.
    for change in sorted(plan.changes, key=lambda c: isinstance(c, SetRouterSetting)):
        if isinstance(change, SetField):
            _set_field(doc, editor, change)
        elif isinstance(change, RemoveField):
            pair = mapping_pair(change.entry.value_node((change.section,)), change.field)
            editor.delete_lines(pair[0].start_mark.line, last_line(pair[1]))  # type: ignore[index]
        elif isinstance(change, RemoveEntry):
            _remove(doc, editor, change.entry, appending)
        elif isinstance(change, AddEntry):
            _add(doc, editor, change, blank)
        elif isinstance(change, SetRouterSetting):
            _set_router(editor, change)
        elif isinstance(change, ReplaceEntry):
            lines = render_entry(change.data, doc.entry_style(change.entry))
            editor.replace_lines(
                change.entry.dash_line, change.entry.last_line, editor.joined(lines)
            )
        else:
            _reorder(doc, editor, change)
    if _empties_model_list(doc, plan):
        _write_empty_list(doc, editor)
    body = editor.result()
    _verify(doc, plan, body)
    return Edit(doc, doc.full_text(body), tuple(editor.line_regions()))


def _edits(doc: ConfigDocument, change: Change) -> bool:
    if isinstance(change, AddEntry):  # beside its neighbour; else at the end of the root file
        return change.before.doc is doc if change.before else doc.includer is None
    if isinstance(change, Reorder):
        return bool(change.order) and change.order[0].doc is doc
    if isinstance(change, SetRouterSetting):
        return doc.includer is None
    return change.entry.doc is doc


def _set_field(doc: ConfigDocument, editor: TextEditor, change: SetField) -> None:
    node = change.entry.value_node((change.section, change.field))
    if node is not None:
        style = (
            float_style_of(node.value)
            if isinstance(node, ScalarNode) and not node.style
            else doc.price_style(change.entry)
        )
        editor.replace_node(node, _number_text(change.new, style))
        return
    pair = mapping_pair(change.entry.node, change.section)
    section = pair[1] if pair else None
    entry = change.entry
    if pair is None and isinstance(entry.node, MappingNode) and not _is_flow(entry.node):
        # No such section yet (fill-limits on an entry without model_info): write it, once.
        style = doc.entry_style(entry)
        created = editor.created_sections.setdefault((id(entry), change.section), [])
        value = _number_text(change.new, doc.price_style(entry))
        lines = [" " * (style.key_col + style.step) + f"{yaml_str(change.field)}: {value}"]
        if not created:
            lines.insert(0, " " * style.key_col + f"{yaml_str(change.section)}:")
        created.append(change.field)
        editor.insert_lines(entry.last_line + 1, lines)
        return
    if not isinstance(section, MappingNode) or _is_flow(section) or not section.value:
        raise UnverifiedEdit(
            f"{doc.where(change.entry.node)}: cannot add {change.field}: {change.section} is not a block mapping"
        )
    column = section.value[0][0].start_mark.column
    style = doc.price_style(change.entry)
    line = " " * column + f"{yaml_str(change.field)}: {_number_text(change.new, style)}"
    editor.insert_lines(last_line(section) + 1, [line])


def _set_router(editor: TextEditor, change: SetRouterSetting) -> None:
    for first, last, lines in change.splices:
        if last < first:
            editor.insert_lines(first, list(lines))
        else:
            editor.replace_lines(first, last, editor.joined(lines))


def _number_text(value: float | int | str, style: str) -> str:
    if isinstance(value, str):  # a date such as model_info.deprecation_date
        return yaml_str(value)
    return str(value) if isinstance(value, int) else format_float(value, style)


def _remove(doc: ConfigDocument, editor: TextEditor, entry: ModelEntry, appending: bool) -> None:
    first, last = entry.block_start, entry.last_line
    right_after_key = (
        doc.model_list_key is not None and first - 1 == doc.model_list_key.end_mark.line
    )
    if right_after_key and entry is not doc.entries[-1]:
        # The first entry: the blank line after it would be left hanging under "model_list:".
        while last + 1 < len(doc.lines) - 1 and not doc.lines[last + 1].strip():
            last += 1
    elif first > 0 and not doc.lines[first - 1].strip():
        if appending and entry is doc.entries[-1]:
            # New entries go right after this one: drop the separator above it instead, so
            # the removal does not swallow the place they are inserted at.
            first -= 1
        else:
            # The entry sat between blank separators: drop the one after it too.
            while last + 1 < len(doc.lines) - 1 and not doc.lines[last + 1].strip():
                last += 1
    editor.delete_lines(first, last)


def _empties_model_list(doc: ConfigDocument, plan: Plan) -> bool:
    """Whether ``plan`` (this file's changes) removes every entry and adds none."""
    removed = {id(c.entry) for c in plan.of(RemoveEntry)}
    return (
        bool(doc.entries)
        and not doc.flow_list
        and not plan.of(AddEntry)
        and all(id(e) in removed for e in doc.entries)
    )


def _write_empty_list(doc: ConfigDocument, editor: TextEditor) -> None:
    """``model_list:`` with nothing under it loads as null, which LiteLLM refuses: the last
    entry's removal writes ``model_list: []`` (a comment after the key stays)."""
    key = doc.model_list_key
    assert key is not None
    line = doc.lines[key.end_mark.line]
    colon = line.index(":", key.end_mark.column)
    at = doc.offset(key.end_mark.line, colon + 1)
    editor.splices.append(_Splice(at, at, " []"))


def _add(doc: ConfigDocument, editor: TextEditor, change: AddEntry, blank: bool) -> None:
    near = change.before or (doc.entries[-1] if doc.entries else None)
    style = doc.entry_style(near)
    if doc.flow_list and doc.entries:  # [..., {new}]: one splice before the closing bracket
        end = doc.model_list.end_mark  # type: ignore[union-attr]
        at = doc.offset(end.line, end.column) - 1
        editor.splices.append(_Splice(at, at, ", " + flow_entry(change.data, style)))
        return
    lines = render_entry(change.data, style)
    if change.comment:
        lines.insert(0, " " * style.dash_col + "# " + change.comment)
    if change.before is not None:
        editor.insert_lines(change.before.block_start, lines + ([""] if blank else []))
    elif doc.entries:
        editor.insert_lines(doc.entries[-1].last_line + 1, ([""] if blank else []) + lines)
    elif doc.model_list_key is not None:
        editor.insert_lines(doc.model_list_key.end_mark.line + 1, lines)
    else:
        editor.insert_lines(len(doc.lines), lines)


def _reorder(doc: ConfigDocument, editor: TextEditor, change: Reorder) -> None:
    entries = doc.entries
    blocks = {id(e): editor.line_text(e.block_start, e.last_line) for e in entries}
    gaps = [
        editor.line_text(a.last_line + 1, b.block_start - 1)
        if b.block_start > a.last_line + 1
        else ""
        for a, b in itertools.pairwise(entries)
    ]
    pieces = []
    for i, entry in enumerate(change.order):
        pieces.append(blocks[id(entry)])
        if i < len(gaps):
            pieces.append(gaps[i])
    editor.replace_lines(entries[0].block_start, entries[-1].last_line, "".join(pieces))


# --------------------------------------------------------------------------- verifying


def _verify(doc: ConfigDocument, plan: Plan, body: str) -> None:
    """Re-read the result with PyYAML and compare with what the plan means to write."""
    with _collector_paused():
        expected = _expected_data(doc, doc.data, plan)
        try:
            actual = yaml.load(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            raise UnverifiedEdit(
                f"internal error: the edited {doc.name} would not load ({exc}); nothing was written"
            ) from None
    if not _same(actual, expected):
        raise UnverifiedEdit(
            f"internal error: the edit of {doc.name} did not verify; nothing was written"
        )


def _same(a: Any, b: Any) -> bool:
    """Equality where ``.nan`` equals ``.nan``: a config may hold one, untouched."""
    if a == b:
        return True
    if isinstance(a, float) and isinstance(b, float):
        return math.isnan(a) and math.isnan(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return False


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Loaded YAML data is acyclic; walking it with the cyclic GC while it is being built
    makes verification superlinear on configs with thousands of entries."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _expected_data(doc: ConfigDocument, before: Any, plan: Plan) -> Any:
    """``before`` with the plan's changes; copies only what changes (``before`` is shared)."""
    data = dict(before) if isinstance(before, dict) else {}
    old_list = data.get("model_list") or []
    removed = {id(c.entry) for c in plan.of(RemoveEntry)}
    adds_before: dict[int | None, list[dict]] = {}
    for add in plan.of(AddEntry):
        adds_before.setdefault(id(add.before) if add.before else None, []).append(add.data)
    changed: dict[int, Any] = {}
    for change in plan.of(SetField) + plan.of(RemoveField):
        i = change.entry.index
        if i not in changed:
            changed[i] = {k: dict(v) if isinstance(v, dict) else v for k, v in old_list[i].items()}
        section = changed[i].setdefault(change.section, {})
        if isinstance(change, RemoveField):
            section.pop(change.field, None)
        else:
            section[change.field] = change.new
    for change in plan.of(ReplaceEntry):
        changed[change.entry.index] = change.data
    for change in plan.of(SetRouterSetting):
        settings = data.get("router_settings")
        merged = {**(settings if isinstance(settings, dict) else {}), **change.values}
        kept = {k: v for k, v in merged.items() if v is not REMOVED}
        # every key removed: "router_settings:" stays, holding nothing (null)
        data["router_settings"] = kept if kept or len(kept) == len(merged) else None
    reorder = plan.of(Reorder)
    order = list(reorder[0].order) if reorder else doc.entries
    new_list = []
    for entry in order:
        new_list.extend(adds_before.get(id(entry), []))
        if id(entry) not in removed:
            new_list.append(changed.get(entry.index, old_list[entry.index] if old_list else None))
    new_list.extend(adds_before.get(None, []))
    if new_list or data.get("model_list") is not None:
        data["model_list"] = new_list
    return data


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class Edit:
    """A plan applied to one file: its new text, and which lines changed (from the splices)."""

    doc: ConfigDocument
    text: str  # the full new text, BOM included
    regions: tuple[tuple[int, int, int], ...]  # (first old line, old count, new count)

    def diff(self, name: str) -> str:
        """``diff -u`` of the file before and after, from the splices' changed lines."""
        return udiff.unified_diff(self.doc.full_text(), self.text, name, self.regions)
