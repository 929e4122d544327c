"""The end of every command that writes the config: the plan applied to each file it edits,
the diff, the summary and notes, ``--format json``, the write (all files verified first), the
``--report``, and a last line that never reads like success when something was not done.

Also the command line as typed (for reports) and errors made true after partial writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmsync.document import ConfigDocument
    from llmsync.plan import Plan


def finish(
    doc: ConfigDocument,
    plan: Plan,
    *,
    dry_run: bool,
    backup: bool,
    verbose: bool,
    in_place: bool = False,
    report: Path | None = None,
    output_format: str = "text",
    ctx: Any = None,
) -> int:
    """Render the plan; write it unless this is a dry run. Returns the exit code: 1 when the
    plan needs a person (a failed provider, a held-back change), else 0."""
    from llmsync.errors import LlmsyncError
    from llmsync.files import write_atomic
    from llmsync.plan import edit
    from llmsync.render import consoles, print_diff, print_notes, print_summary

    if output_format not in ("text", "json"):
        raise LlmsyncError(f"--format must be text or json, not {output_format!r}")
    out, err = consoles()
    # Every file the plan edits (the config and its include: files), verified before any write.
    changed = [e for e in (edit(d, plan) for d in doc.documents) if e.text != e.doc.full_text()]
    edits = [(e.doc, e.text) for e in changed]
    # The diff comes from the splices; it is built only when it is shown or reported.
    shown = report is not None or output_format == "json" or dry_run or verbose
    diff = "".join(e.diff(diff_name(e.doc)) for e in changed) if shown else None
    data = None
    if report is not None or output_format == "json":
        data = _report_data(plan, diff, ctx, output_format)
    if output_format == "text":
        if diff and (dry_run or verbose):
            print_diff(out, diff)
        print_summary(out, plan)
    print_notes(err, plan)
    status = out if output_format == "text" else err  # JSON output keeps stdout pure
    names = ", ".join(d.name for d, _ in edits)
    if not edits:
        status.print(f"{doc.name}: no changes{caveat(plan)}")
    elif dry_run:
        status.print(
            f"Dry run: {names} left unchanged ({len(plan.changes)} change(s) would be written)"
            f"{caveat(plan)}"
        )
    else:
        kept = _write(edits, backup, in_place)
        status.print(f"Wrote {names} ({len(plan.changes)} change(s){kept}){caveat(plan)}")
    if report is not None and data is not None:
        from llmsync import report as reporting

        try:
            write_atomic(report, reporting.markdown(data))
        except LlmsyncError as exc:
            raise after_writes(exc, [d.name for d, _ in edits] if not dry_run else []) from None
    return 1 if plan.needs_attention else 0  # a failed provider or a held-back change


def _report_data(plan: Plan, diff: str | None, ctx: Any, output_format: str) -> dict:
    """The plan as report data (redacted, as data); printed as JSON with --format json."""
    from llmsync import report as reporting
    from llmsync.redact import redact_data

    data = redact_data(reporting.build(plan, diff, command_line(ctx) if ctx else "llmsync"))
    if output_format == "json":
        import json

        import typer

        typer.echo(json.dumps(data, indent=2))  # redacted above, as data
    return data


def _write(edits: list, backup: bool, in_place: bool) -> str:
    """Write every edited file: all still as read and writable, or none is written.
    Returns the "; previous version in ..." part of the last line."""
    from llmsync.errors import LlmsyncError
    from llmsync.files import require_unchanged, require_writable, write_atomic

    for d, _ in edits:
        require_unchanged(d.path, d.snapshot)
        require_writable(d.path, in_place)
    saved, written = [], []
    try:
        for d, text in edits:
            saved.append(write_atomic(d.path, text, backup, d.snapshot, in_place))
            written.append(d.name)
    except LlmsyncError as exc:
        raise after_writes(exc, written) from None
    return "; previous version in " + ", ".join(str(b) for b in saved if b) if any(saved) else ""


def caveat(plan: Plan) -> str:
    """The last line never reads like success when something was not done: failed providers
    and held-back changes are counted there too (they also set exit 1)."""
    failed = [r for r in plan.providers.values() if r.error]
    asked = [r for r in plan.providers.values() if r.entries or r.error]  # not the unused ones
    parts = []
    if failed:
        parts.append(
            f"{len(failed)} of {len(asked)} provider(s) failed (nothing of theirs was changed)"
        )
    if plan.held:
        parts.append(f"{len(plan.held)} change(s) held back for review")
    guarded = [r.name for r in plan.providers.values() if r.held]
    if guarded:
        parts.append(f"removals held back for {', '.join(guarded)} (--force)")
    return "; " + "; ".join(parts) if parts else ""


def after_writes(exc: Exception, written: list[str]) -> Exception:
    """``exc`` as it is true after ``written`` were already written: never "nothing was
    written" once something was."""
    if not written:
        return exc
    message = str(exc).replace("; nothing was written", "")
    error = type(exc)(f"{message} ({', '.join(written)} already written)")
    return error


def diff_name(doc: ConfigDocument) -> str:
    """The root config by its file name (as before includes); included files as shown."""
    return doc.path.name if doc.path and doc.includer is None else doc.name


def command_line(ctx: Any) -> str:
    """The command as typed, rebuilt from what came from the command line (stable across runs)."""
    import shlex

    words = ["llmsync", ctx.info_name or ""]
    arguments: list[str] = []
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name)
        if source is None or source.name != "COMMANDLINE":  # not defaults, not the environment
            continue
        value = ctx.params.get(param.name)
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        if param.param_type_name == "argument":
            arguments += [str(v) for v in values]
        elif isinstance(value, bool):
            words.append(max(param.opts, key=len))
        else:
            for item in values:
                words += [max(param.opts, key=len), str(item)]
    return shlex.join(words + arguments)
