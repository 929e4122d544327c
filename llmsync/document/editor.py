"""The text editor: collects splices of a document's text and applies them in one pass.

Lines outside a change stay byte-identical by construction; a file's line endings and its
missing final newline are kept.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ruamel.yaml.nodes import Node

if TYPE_CHECKING:
    from llmsync.document.config import ConfigDocument


@dataclass(order=True)
class _Splice:
    start: int
    end: int
    text: str = field(compare=False)


class TextEditor:
    """Collects non-overlapping splices of a document's text and applies them back to front."""

    def __init__(self, doc: ConfigDocument) -> None:
        self.doc = doc
        self.splices: list[_Splice] = []
        self.created_sections: dict[tuple[int, str], list[str]] = {}  # sections written anew
        self.nl = doc.newline
        # Line operations need a final newline; it is dropped again if the end was untouched.
        self.base = doc.text if doc.text.endswith("\n") or not doc.text else doc.text + self.nl

    def replace_node(self, node: Node, text: str) -> None:
        self.replace_span(node.start_mark, node.end_mark, text)

    def replace_span(self, start: Any, end: Any, text: str) -> None:
        """Replace the text between two marks (objects with .line and .column)."""
        self.splices.append(
            _Splice(
                self.doc.offset(start.line, start.column),
                self.doc.offset(end.line, end.column),
                text,
            )
        )

    def joined(self, lines: list[str] | tuple[str, ...]) -> str:
        """Lines as text in the file's own line endings."""
        return "".join(line + self.nl for line in lines)

    def insert_lines(self, before_line: int, lines: list[str]) -> None:
        at = self._line_start(before_line)
        self.splices.append(_Splice(at, at, self.joined(lines)))

    def delete_lines(self, first: int, last: int) -> None:
        self.splices.append(_Splice(self._line_start(first), self._line_start(last + 1), ""))

    def replace_lines(self, first: int, last: int, text: str) -> None:
        self.splices.append(_Splice(self._line_start(first), self._line_start(last + 1), text))

    def line_text(self, first: int, last: int) -> str:
        return self.base[self._line_start(first) : self._line_start(last + 1)]

    def _line_start(self, line: int) -> int:
        return self.doc.line_starts[line] if line < len(self.doc.line_starts) else len(self.base)

    def line_regions(self) -> list[tuple[int, int, int]]:
        """The changed stretches of lines, in order: (first old line, old line count, new line
        count). Splices on the same or adjacent lines form one stretch. Lines are ``base``'s."""
        starts, base = self.doc.line_starts, self.base
        spans: list[list] = []  # [old start offset, old end offset, [splices]]
        for splice in self._ordered():
            first = bisect.bisect_right(starts, splice.start) - 1
            start = starts[first]
            if splice.end == splice.start == start:
                end = start  # a pure insertion before a line
            else:
                last = bisect.bisect_right(starts, max(splice.end - 1, splice.start)) - 1
                end = starts[last + 1] if last + 1 < len(starts) else len(base)
                end = len(base) if end > len(base) else end
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
                spans[-1][2].append(splice)
            else:
                spans.append([start, end, [splice]])
        regions = []
        for start, end, group in spans:
            pieces, position = [], start
            for splice in group:
                pieces += [base[position : splice.start], splice.text]
                position = splice.end
            pieces.append(base[position:end])
            new = "".join(pieces)
            first = bisect.bisect_right(starts, start) - 1
            if start > len(self.doc.text):  # after a last line that had no newline
                first += 1
            regions.append((first, base.count("\n", start, end), new.count("\n")))
        return regions

    def _ordered(self) -> list[_Splice]:
        """The splices by position (stable: insertions at one offset keep their order);
        deletions that overlap (two removed neighbours both taking the blank line between
        them) are merged; any other overlap is a bug."""
        ordered: list[_Splice] = []
        for splice in sorted(self.splices, key=lambda s: (s.start, s.end)):
            if ordered and splice.start < ordered[-1].end:
                last = ordered[-1]
                if splice.text or last.text:
                    raise AssertionError("overlapping edits")
                ordered[-1] = _Splice(last.start, max(last.end, splice.end), "")
                continue
            ordered.append(splice)
        return ordered

    def result(self) -> str:
        ordered = self._ordered()
        pieces, position = [], 0
        for splice in ordered:  # one pass, so thousands of edits stay linear
            pieces += [self.base[position : splice.start], splice.text]
            position = splice.end
        pieces.append(self.base[position:])
        out = "".join(pieces)
        if out == self.base:
            return self.doc.text
        if self.base != self.doc.text and out.endswith(self.nl):
            out = out[: -len(self.nl)]  # a file without a final newline stays without one
        return out
