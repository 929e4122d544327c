"""Output off a terminal without rich: a console and a table that print exactly what rich would
print at unbounded width (the same heavy-head boxes, so a CI log or a PR body reads the same),
for a fraction of the start-up: importing rich and building its console costs ~20 ms, which is
most of what a small config's dry run in a pipe spends on output.

Only the subset llmsync uses: ``print`` of strings and tables, ``file``, ``color_system``
(None: no colour), ``Table(title=..., title_justify="left")``, ``add_column(header,
justify=...)``, ``add_row(*cells)``, ``row_count``, ``columns``. tests/test_plain_output.py
checks the output is byte-identical to rich's for the tables llmsync prints.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PlainText:
    """A cell or a line with a style name (ignored: there is no colour off a terminal)."""

    text: str
    style: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class PlainColumn:
    header: str
    justify: str = "left"
    cells: list[str] = field(default_factory=list)
    overflow: str = "fold"  # accepted for rich's API; nothing folds at unbounded width
    no_wrap: bool = False


class PlainTable:
    def __init__(self, title: str = "", title_justify: str = "left", **_: Any) -> None:
        self.title = title
        self.columns: list[PlainColumn] = []

    def add_column(self, header: str, justify: str = "left", **_: Any) -> None:
        self.columns.append(PlainColumn(header, justify))

    def add_row(self, *cells: Any) -> None:
        for column, cell in zip(self.columns, cells, strict=True):
            column.cells.append(str(cell))

    @property
    def row_count(self) -> int:
        return len(self.columns[0].cells) if self.columns else 0

    def lines(self) -> list[str]:
        widths = [
            max(_width(line) for text in (c.header, *c.cells) for line in text.split("\n"))
            for c in self.columns
        ]
        out = [self.title] if self.title else []
        out.append(_rule("┏", "━", "┳", "┓", widths))
        out += self._row([c.header for c in self.columns], widths, "┃")
        out.append(_rule("┡", "━", "╇", "┩", widths))
        for i in range(self.row_count):
            out += self._row([c.cells[i] for c in self.columns], widths, "│")
        out.append(_rule("└", "─", "┴", "┘", widths))
        return out

    def _row(self, cells: list[str], widths: list[int], bar: str) -> list[str]:
        split = [cell.split("\n") for cell in cells]
        height = max(len(parts) for parts in split)
        lines = []
        for n in range(height):
            parts = []
            for column, width, cell in zip(self.columns, widths, split, strict=True):
                text = cell[n] if n < len(cell) else ""
                pad = " " * (width - _width(text))
                parts.append(f" {pad}{text} " if column.justify == "right" else f" {text}{pad} ")
            lines.append(bar + bar.join(parts) + bar)
        return lines


class PlainConsole:
    """Writes straight to ``file`` (the redacting stream): no markup, no colour, no width."""

    color_system = None
    is_terminal = False

    def __init__(self, file: Any) -> None:
        self.file = file

    def print(self, *objects: Any, **_: Any) -> None:
        text = "\n".join(
            "\n".join(o.lines()) if isinstance(o, PlainTable) else str(o) for o in objects
        )
        self.file.write(text + "\n")
        self.file.flush()


def _rule(left: str, line: str, cross: str, right: str, widths: list[int]) -> str:
    return left + cross.join(line * (w + 2) for w in widths) + right


def _width(text: str) -> int:
    """Terminal cells, as rich counts them for the text llmsync prints (wide CJK = 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
