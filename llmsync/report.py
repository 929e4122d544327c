"""Reports of a plan: a JSON document and the Markdown a weekly pull request carries.

Both are pure functions of the plan, the diff and the command line: no timestamps or other
noise, so the same catalogue data gives byte-identical reports.
"""

from __future__ import annotations

from typing import Any

from llmsync import __version__
from llmsync.document import unwritable_reason
from llmsync.plan import AddEntry, Plan, RemoveEntry, RemoveField, ReplaceEntry, SetField
from llmsync.prices import delta_percent, is_number, value_text

REPORT_VERSION = 1
COLUMNS = ("model_name", "provider", "field", "old", "new", "Δ%", "source")


def build(plan: Plan, diff: str, command: str) -> dict[str, Any]:
    failed = [r for r in plan.providers.values() if r.error]
    rows = {
        "added": [_added(c) for c in plan.of(AddEntry)],
        "repriced": [_set(c) for c in plan.of(SetField)]
        + [_set(c) for c in plan.of(RemoveField)]
        + [_replaced(c) for c in plan.of(ReplaceEntry)],
        "removed": [_removed(c) for c in plan.of(RemoveEntry)],
    }
    describe = {SetField: _set, RemoveEntry: _removed, AddEntry: _added}
    held = [{**describe[type(h.change)](h.change), "reason": h.reason} for h in plan.held]
    return {
        "version": REPORT_VERSION,
        "llmsync": __version__,
        "command": command,
        "summary": {  # entries, as the summary table counts them; fields named as such
            "added": len(rows["added"]),
            "repriced": len(
                {id(c.entry) for c in plan.of(SetField) + plan.of(RemoveField)}
                | {id(c.entry) for c in plan.of(ReplaceEntry)}
            ),
            "repriced_fields": len(rows["repriced"]),
            "removed": len(rows["removed"]),
            "held_back": len(held),
            "failed_providers": len(failed),
        },
        "providers": [
            {
                "name": r.name,
                "kind": r.kind,
                "entries": r.entries,
                "status": r.status,
                "error": r.error,
                "skipped": r.skipped,
            }
            for r in plan.providers.values()
        ],
        "retiring": [
            {
                "model_name": r.entry.model_name,
                "provider": r.provider,
                "model": r.entry.model,
                "date": r.date,
                "replacement": r.replacement,
            }
            for r in plan.retiring
        ],
        "changes": rows,
        "held_back": held,
        "notes": list(plan.notes),
        "diff": diff,
    }


def _set(change: SetField | RemoveField) -> dict[str, Any]:
    new = getattr(change, "new", None)  # a RemoveField has none: the field goes
    delta = delta_percent(change.old, float(new)) if is_number(new) else None
    return {
        "model_name": change.entry.model_name,
        "provider": change.provider,
        "model": change.entry.model,
        "field": f"{change.section}.{change.field}",
        "old": change.old,
        "new": new,
        "delta_percent": None if delta is None else round(delta, 2),
        "source": getattr(change, "source", "") or None,
    }


def _replaced(change: ReplaceEntry) -> dict[str, Any]:
    return {
        "model_name": change.data["model_name"],
        "provider": change.provider,
        "model": change.entry.model,
        "field": "(entry)",
        "old": None,
        "new": None,
        "delta_percent": None,
    }


def _removed(change: RemoveEntry) -> dict[str, Any]:
    return {
        "model_name": change.entry.model_name,
        "provider": change.provider,
        "model": change.entry.model,
        "field": "model",
        "old": change.entry.model,
        "new": None,
        "delta_percent": None,
        "reason": change.reason,
    }


def _added(change: AddEntry) -> dict[str, Any]:
    model = change.data["litellm_params"]["model"]
    return {
        "model_name": change.data["model_name"],
        "provider": change.provider,
        "model": model,
        "field": "model",
        "old": None,
        "new": model,
        "delta_percent": None,
    }


# --------------------------------------------------------------------------- Markdown


def markdown(report: dict[str, Any]) -> str:
    summary = report["summary"]
    counts = ", ".join(
        _plural(summary[key], word)
        for key, word in (
            ("added", "added"),
            ("repriced", "repriced"),
            ("removed", "removed"),
            ("held_back", "held back"),
            ("failed_providers", "failed provider"),
        )
    )
    parts = [f"## llmsync: {counts}", ""]
    for title, key in (("Repriced", "repriced"), ("Removed", "removed"), ("Added", "added")):
        if report["changes"][key]:
            parts += [f"### {title}", "", *_table(report["changes"][key]), ""]
    if report["held_back"]:
        parts += ["### Held back for review", "", "Not applied: a person decides.", ""]
        parts += [*_table(report["held_back"], reason=True), ""]
    failed = [p for p in report["providers"] if p["error"]]
    if failed:
        parts += ["### Failed providers", "", "Nothing of theirs was removed or repriced.", ""]
        parts += [f"- **{p['name']}**: {_cell(p['error'])}" for p in failed] + [""]
    skipped = [p for p in report["providers"] if p.get("skipped")]
    if skipped:
        parts += ["### Not checked", "", "Their entries were left as they are.", ""]
        parts += [f"- **{p['name']}**: {_cell(p['skipped'])}" for p in skipped] + [""]
    if report.get("retiring"):
        parts += [
            "### Retiring models",
            "",
            "| model_name | provider | model | date | replacement |",
        ]
        parts += ["|---|---|---|---|---|"]
        parts += [
            "| "
            + " | ".join(
                _cell(r[k] or "")
                for k in ("model_name", "provider", "model", "date", "replacement")
            )
            + " |"
            for r in report["retiring"]
        ] + [""]
    if report["notes"]:
        parts += ["### Notes", "", *[f"- {_cell(n)}" for n in report["notes"]], ""]
    if report["diff"]:
        parts += [
            "<details><summary>Full diff of config.yaml</summary>",
            "",
            "```diff",
            report["diff"].rstrip("\n"),
            "```",
            "",
            "</details>",
            "",
        ]
    parts += [
        "---",
        f"Generated by llmsync {report['llmsync']}: `{report['command']}`. Re-running it on the same catalogue data gives this same report.",
    ]
    return "\n".join(parts) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}s" if word.endswith("provider") and count != 1 else f"{count} {word}"


def _table(rows: list[dict[str, Any]], reason: bool = False) -> list[str]:
    header = [*COLUMNS, "why"] if reason else list(COLUMNS)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        delta = row.get("delta_percent")
        cells = [
            row["model_name"],
            row["provider"],
            row["field"],
            _value(row["old"]),
            _value(row["new"]),
            "" if delta is None else f"{delta:+.1f}%",
            row.get("source") or "",
        ]
        if reason:
            cells.append(row.get("reason", ""))
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _value(value: Any) -> str:
    return "" if value is None else f"`{value_text(value)}`"


def _cell(value: Any) -> str:
    text = str(value)
    if unwritable_reason(text):  # no raw control character in a pull-request body
        text = ascii(text)[1:-1]
    return text.replace("|", "\\|")
