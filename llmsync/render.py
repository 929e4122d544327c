"""Terminal output: coloured diffs and summary tables (plain text when not a TTY / NO_COLOR)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from llmsync.document import unwritable_reason
from llmsync.plan import AddEntry, Plan, RemoveEntry, RemoveField, SetField, SetRouterSetting
from llmsync.prices import delta_percent, is_number, value_text
from llmsync.redact import RedactingStream

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

_DIFF_STYLES = (  # ANSI: bold, bold, cyan, green, red, dim
    ("+++", "\x1b[1m"),
    ("---", "\x1b[1m"),
    ("@@", "\x1b[36m"),
    ("+", "\x1b[32m"),
    ("-", "\x1b[31m"),
    ("\\", "\x1b[2m"),
)
_RESET = "\x1b[0m"


_UNBOUNDED = 100_000  # columns: off a terminal a table is as wide as its content


def consoles() -> tuple[Console, Console]:
    """stdout for results (diff, tables), stderr for progress, notes and errors.

    Both write through the redaction point: no secret reaches the terminal.

    Width, decided per stream:

    - On a terminal (the stream itself is a TTY): the terminal's width, or ``COLUMNS`` when
      set (rich's own rule). A table too wide for it folds its long columns (ids, names) and
      keeps numbers whole where it can.
    - Off a terminal (a pipe, a file, a CI log, a PR body): no width at all. A table prints at
      its content's natural width, so ids, numbers and words are never broken or cut.
      ``COLUMNS`` is ignored here on purpose: an exported ``COLUMNS=80`` in a CI image would
      otherwise bring the broken ids back; use ``--format json`` for machine reading.
      ``FORCE_COLOR`` still colours a pipe but does not make it narrow.
    """
    return _console(RedactingStream()), _console(RedactingStream(stderr=True))


# Variables with which rich colours a stream that is not a terminal
_COLOUR_ANYWAY = ("FORCE_COLOR", "TTY_COMPATIBLE")


def _console(stream: RedactingStream) -> Any:
    terminal = on_terminal(stream)
    if not terminal and not any(os.environ.get(v) for v in _COLOUR_ANYWAY):
        from llmsync.plain import PlainConsole

        return PlainConsole(stream)  # the same text as rich at unbounded width, no rich import
    from rich.console import Console

    width = None if terminal else _UNBOUNDED
    return Console(file=stream, highlight=False, soft_wrap=True, width=width)


def new_table(console: Any, title: str) -> Any:
    """A table for ``console``: rich's on a terminal (or in colour), a plain one otherwise."""
    from llmsync.plain import PlainConsole, PlainTable

    if isinstance(console, PlainConsole):
        return PlainTable(title=title, title_justify="left")
    from rich.table import Table

    return Table(title=title, title_justify="left")


def styled(console: Any, text: str, style: str) -> Any:
    from llmsync.plain import PlainConsole, PlainText

    if isinstance(console, PlainConsole):
        return PlainText(text, style)
    from rich.text import Text

    return Text(text, style=style)


_FOLD_MIN = 10  # characters a folding column keeps on a narrow terminal


def print_table(console: Console, table: Table, fold: tuple[str, ...]) -> None:
    """Print ``table``; ``fold`` names its columns of long, unspaced values (ids, names).

    Off a terminal the console has no width limit (see ``consoles``): the table prints at its
    content's width and nothing is ever broken. On a terminal narrower than the table only
    the ``fold`` columns fold, as long as each keeps ``_FOLD_MIN`` characters; the others
    (prices, counts, dates, short words, headers) stay whole. On a terminal narrower still,
    every column folds (rich's own way): all of it is shown, if broken, never cut.
    """
    from llmsync.plain import PlainConsole

    if isinstance(console, PlainConsole):
        console.print(table)  # unbounded: nothing folds
        return
    from rich.measure import Measurement

    for column in table.columns:
        column.overflow = "fold"  # never an ellipsis: a cut id is worse than a folded one
    wide = console.options.update_width(_UNBOUNDED)
    natural = Measurement.get(console, wide, table).maximum
    if natural > console.width:
        widths = {
            str(column.header): max(
                Measurement.get(console, wide, cell).maximum
                for cell in (column.header, *column.cells)
            )
            for column in table.columns
        }
        chrome = natural - sum(widths.values())  # borders and padding
        least = chrome + sum(min(w, _FOLD_MIN) if h in fold else w for h, w in widths.items())
        if least <= console.width:
            for column in table.columns:
                column.no_wrap = str(column.header) not in fold
    console.print(table)


def on_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a real TTY. Not rich's ``is_terminal``: that also says yes to
    FORCE_COLOR, which asks for colour in a CI log, not for a terminal's width or animation."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or already closed
        return False


def print_diff(console: Console, diff: str) -> None:
    """The whole diff in one write (rich per line costs ~1 ms a line); coloured by prefix on
    a colour terminal, plain otherwise (not a TTY, NO_COLOR)."""
    if console.color_system is None:
        text = diff
    else:
        out = []
        for line in diff.splitlines(keepends=True):
            code = next((c for prefix, c in _DIFF_STYLES if line.startswith(prefix)), "")
            out.append(f"{code}{line.rstrip(chr(10))}{_RESET}\n" if code else line)
        text = "".join(out)
    console.file.write(text)
    console.file.flush()


def print_summary(console: Console, plan: Plan) -> None:
    if plan.providers:
        table = new_table(console, "Providers")
        for column in ("provider", "entries", "removed", "repriced", "added", "status"):
            number = column in ("entries", "removed", "repriced", "added")
            table.add_column(column, justify="right" if number else "left")
        for name, report in plan.providers.items():
            if not report.entries and report.status == "ok":
                continue  # selected but unused: a row each would bury the ones that matter
            repriced = len({id(c.entry) for c in plan.of(SetField, name)})
            status = report.status
            table.add_row(
                name,
                str(report.entries),
                str(len(plan.of(RemoveEntry, name))),
                str(repriced),
                str(len(plan.of(AddEntry, name))),
                styled(console, status, _STATUS_STYLE.get(status, "bold red")),
            )
        if table.row_count:
            print_table(console, table, fold=("provider",))
        for name, report in plan.providers.items():
            why = report.error or report.held or report.skipped
            if why:
                style = _STATUS_STYLE.get(report.status, "bold red")
                console.print(styled(console, f"{name} {report.status}: {why}", style))
    _print_changes(console, plan)


_STATUS_STYLE = {"ok": "", "skipped": "yellow"}
_SHORT = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cache read",
    "cache_creation_input_token_cost": "cache write",
}


_BIG_TABLE = 60  # rows; above this a plain aligned table (rich costs ~0.5 ms a row)
_ANSI = {"red": "\x1b[31m", "green": "\x1b[32m", "cyan": "\x1b[36m", "yellow": "\x1b[33m",
         "bold yellow": "\x1b[1;33m"}  # fmt: skip


def _print_changes(console: Console, plan: Plan) -> None:
    updates = plan.of(SetField)
    rows = [
        (
            str(c.entry.model),
            _SHORT.get(c.field, c.field),
            f"{_show(c.old)} → {_show(c.new)}",
            _delta(c.old, c.new),
            c.source,
        )
        for c in updates
    ]
    if len(rows) > _BIG_TABLE:
        write_lines(console, [("Repriced", ""), *((line, "") for line in _plain_table(rows))])
    elif rows:
        table = new_table(console, "Repriced")
        table.add_column("model")
        table.add_column("field")
        table.add_column("old → new")
        table.add_column("Δ%", justify="right")
        table.add_column("source")
        for row in rows:
            table.add_row(*row)
        print_table(console, table, fold=("model",))
    lines: list[tuple[str, str]] = []
    for change in plan.of(RemoveField):
        lines.append(
            (
                f"dropped  {change.entry.label()}: {change.section}.{change.field} "
                f"{_show(change.old)} (the catalogue no longer reports it)",
                "yellow",
            )
        )
    for change in plan.of(RemoveEntry):
        lines.append((f"removed  {change.entry.label()}: {change.reason}", "red"))
    for held in plan.held:
        change = held.change
        if isinstance(change, SetField):
            new = "(not written)" if change.new is None else _show(change.new)
            source = f" from {change.source}" if change.source else ""
            label, what = (
                change.entry.label(),
                f"{change.section}.{change.field} {_show(change.old)} → {new}{source}",
            )
        elif isinstance(change, AddEntry):
            label, what = _added_label(change), "addition"
        else:
            label, what = change.entry.label(), "removal"
        lines.append((f"held     {label}: {what} ({held.reason})", "bold yellow"))
    for retiring in plan.retiring:
        when = "deprecated" if retiring.date == "deprecated" else f"retires {retiring.date}"
        instead = f"; replacement: {retiring.replacement}" if retiring.replacement else ""
        lines.append((f"retiring {retiring.entry.label()}: {when}{instead}", "yellow"))
    for change in plan.of(SetRouterSetting):
        lines += [(f"routes   {line}", "cyan") for line in change.summary]
    lines += [(f"added    {_added_label(c)}", "green") for c in plan.of(AddEntry)]
    write_lines(console, lines)


def write_lines(console: Console, lines: list[tuple[str, str]]) -> None:
    """Lines in one write, each in its colour on a colour terminal (rich per line is slow)."""
    if not lines:
        return
    colour = console.color_system is not None
    text = "".join(
        f"{_ANSI[style]}{line}{_RESET}\n" if colour and style in _ANSI else f"{line}\n"
        for line, style in lines
    )
    console.file.write(text)
    console.file.flush()


def _plain_table(rows: list[tuple[str, ...]]) -> list[str]:
    header = ("model", "field", "old → new", "Δ%", "source")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths[:3]) + f"  {{:>{widths[3]}}}  {{:<{widths[4]}}}"
    return [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths))] + [
        fmt.format(*row).rstrip() for row in rows
    ]


def _added_label(change: AddEntry) -> str:
    """A new entry's name and model; escaped when they hold characters a terminal obeys."""
    label = f"{change.data['model_name']} ({change.data['litellm_params']['model']})"
    return ascii(label)[1:-1] if unwritable_reason(label) else label


def _show(value: object) -> str:
    return "(none)" if value is None else value_text(value)


def _delta(old: object, new: object) -> str:
    if not is_number(new):
        return ""  # a date, or a value held back
    delta = delta_percent(old, float(new))  # type: ignore[arg-type]
    return "" if delta is None else f"{delta:+.1f}%"


def print_notes(console: Console, plan: Plan) -> None:
    write_lines(console, [(f"note: {note}", "yellow") for note in plan.notes])


def print_found(console: Console, query: str, rows: list, searched: int = 0) -> None:
    """find's table: one row per catalogue model that matches, best match and cheapest first.
    ``searched``: how many catalogues were read (said when none of them matched)."""
    from llmsync.commands.find import TIERS

    if not rows:
        where = f"of the {searched} read " if searched else ""
        console.print(f"no catalogue {where}has a model like {query!r}", markup=False)
        return
    table = new_table(console, f"Models like {query!r} (USD per 1M tokens)")
    for column in (
        "provider",
        "id",
        "match",
        "input",
        "output",
        "cache read",
        "context",
        "retiring",
        "in config",
    ):
        table.add_column(
            column,
            justify="right" if column in ("input", "output", "cache read", "context") else "left",
        )
    for row in rows:
        money = [
            row.price(f)
            for f in (
                "input_cost_per_token",
                "output_cost_per_token",
                "cache_read_input_token_cost",
            )
        ]
        context = row.model.limits.get("max_input_tokens")
        table.add_row(
            row.provider,
            row.model.id,
            TIERS[row.tier],
            *("" if m is None else f"{m:.4g}" for m in money),
            "" if context is None else f"{context:,}",
            row.model.deprecation or "",
            "yes" if row.in_config else "",
        )
    # ids are long (accounts/fireworks/models/...): on a narrow terminal they fold, never cut
    print_table(console, table, fold=("provider", "id"))
