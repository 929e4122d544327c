"""Secrets at their position: the value of a secret-named key in ``key: value`` text (YAML,
diffs, JSON-like text), including values that continue over the next lines."""

from __future__ import annotations

import re

from llmsync.redact.shapes import MASK, is_secret_name, shown_at_position

# --------------------------------------------------------------------------- key: value

# Lines that may name a secret: a cheap scan in C of the lower-cased text (a case-sensitive
# alternation is searched 10x faster than an IGNORECASE one); only those lines are matched.
_HINT = re.compile(
    r"key|secret|pass|pwd|token(?!s)|credential|creds|licen|auth|bearer|pat|sig|webhook|cookie"
)
_LEAD = re.compile(
    r"""(?<![\w.])(?P<quote>["']?)(?P<name>[A-Za-z_][\w.-]*)(?P=quote)[ \t]*"""
    r"""(?P<sep>:(?=[ \t]|$)|=)[ \t]*"""
)
_ANSI_TAIL = re.compile(r"(?:\x1b\[[0-9;]*m)+$")
_ANSI_HEAD = re.compile(r"(?:\x1b\[[0-9;]*m)*")
_DOUBLE = re.compile(r'"(?:[^"\\]|\\.)*"')
_SINGLE = re.compile(r"'(?:[^']|'')*'(?!')")
_DOUBLE_CLOSE = re.compile(r'(?:[^"\\]|\\.)*"')
_SINGLE_CLOSE = re.compile(r"(?:[^']|'')*'(?!')")
_BLOCK = re.compile(r"(?P<indicator>[|>][-+0-9]*)[ \t]*(?:#.*)?$")
_SCALAR_ITEM = re.compile(r"""(-[ \t]+)(?![\w"'.-]+[ \t]*:(?:[ \t]|$)|[{\[])\S""")
_STRUCTURE = re.compile(r"""[ \t]*(?:-[ \t]|-$|[\w"'.-]+[ \t]*:(?:[ \t]|$)|@@|\+\+\+|---)""")


class _Open:
    """A secret value that continues on the next lines: how to recognise its end."""

    __slots__ = ("column", "kind")

    def __init__(self, kind: str, column: int) -> None:
        self.kind = kind  # '"' or "'" (until the closing quote), "block", "plain", "nested"
        self.column = column  # the key's column: continuation lines are more indented


def mask_pairs(text: str) -> str:
    """``key: value`` pairs masked, looking only at lines that mention a secret word (a long
    diff is scanned once in C, and the pair pattern runs on those lines alone); a value that
    continues on the next lines is masked there too."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: keep offsets
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    pieces, done = [], 0
    hit = _HINT.search(lowered)
    while hit is not None:
        if hit[0] == "token" and (
            lowered.endswith("per_", 0, hit.start()) or lowered.startswith("_cost", hit.end())
        ):
            hit = _HINT.search(lowered, hit.end())  # a price, not a secret
            continue
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        end = len(text) if end < 0 else end
        line, opened = _mask_line(text[start:end])
        pieces += [text[done:start], line]
        done = end
        if opened is not None:
            shown, done = _mask_continuation(text, end, opened)
            pieces.append(shown)
        hit = _HINT.search(lowered, done)  # the next line that mentions a secret word
    pieces.append(text[done:])
    return "".join(pieces)


def _mask_line(line: str) -> tuple[str, _Open | None]:
    """One line with the values of its secret-named keys masked, and whether the last one
    goes on over the next lines. Works on offsets: a long line is never copied per key."""
    out, at, flow = [], 0, _FlowDepth(line)
    tail = _ANSI_TAIL.search(line)
    stop = tail.start() if tail else len(line)  # the text ends before a colour reset
    ansi = line[stop:]
    indent = len(_ANSI_HEAD.match(line)[0])
    for match in _LEAD.finditer(line, 0, stop):
        if match.start() < at or not is_secret_name(match["name"]):
            continue
        value_at, first = match.end(), line[match.end() : match.end() + 1]
        column = match.start() - indent
        if first == "[":  # api_keys: [a, b]: every item
            items = _FLOW_SEQUENCE.match(line, value_at, stop)
            if items is not None and items[0].strip("[] \t"):
                out.append(line[at:value_at] + "[" + MASK + "]")
                at = items.end()
            continue
        if first == "{":
            continue  # a flow mapping: its own keys are looked at
        if match["sep"] == ":" and _NOTHING.match(line, value_at, stop):
            return "".join(out) + line[at:], _Open("nested", column)
        if first in ('"', "'"):
            closed = (_DOUBLE if first == '"' else _SINGLE).match(line, value_at, stop)
            if closed is None:  # the quote closes on a later line
                out.append(line[at:value_at] + first + MASK + ansi)
                return "".join(out), _Open(first, column)
            if closed.end() - value_at > 2 and not shown_at_position(closed[0]):
                out.append(line[at:value_at] + first + MASK + first)
                at = closed.end()
            continue
        block = _BLOCK.match(line, value_at, stop) if match["sep"] == ":" else None
        if block is not None:
            out.append(line[at:value_at] + block["indicator"] + ansi)
            return "".join(out), _Open("block", column)
        in_flow = flow.open_at(match.start())
        end = _plain_end(line, value_at, stop, match["sep"], in_flow or bool(match["quote"]))
        if end > value_at and not shown_at_position(line[value_at:end]):
            out.append(line[at:value_at] + MASK)
            at = end
            if match["sep"] == ":" and not in_flow and not line[end:stop].strip():
                out.append(line[at:])
                return "".join(out), _Open("plain", column)
    out.append(line[at:])
    return "".join(out), None


class _FlowDepth:
    """Whether a ``{`` / ``[`` is open before a position of a line (counted incrementally:
    a long flow mapping is not counted again for each of its keys)."""

    __slots__ = ("braces", "brackets", "line", "upto")

    def __init__(self, line: str) -> None:
        self.line, self.upto, self.braces, self.brackets = line, 0, 0, 0

    def open_at(self, position: int) -> bool:
        line, upto = self.line, self.upto
        self.braces += line.count("{", upto, position) - line.count("}", upto, position)
        self.brackets += line.count("[", upto, position) - line.count("]", upto, position)
        self.upto = position
        return self.braces > 0 or self.brackets > 0


_FLOW_END = re.compile(r"[,}\]]|[ \t]#")
_COMMENT = re.compile(r"[ \t]#")
_ASSIGNED = re.compile(r"[^\s;&]*")
_NOTHING = re.compile(r"[ \t]*(?:#.*)?$")
_FLOW_SEQUENCE = re.compile(r"\[[^\]\[{]*\]")


def _plain_end(line: str, start: int, stop: int, sep: str, flow: bool) -> int:
    """Where the plain (unquoted) value at ``line[start]`` ends: at the end of the line or a
    comment; in a flow mapping or JSON-like text at a ``,`` ``}`` ``]``; after ``=`` at a
    space, ``;`` or ``&``. Trailing blanks are not part of it."""
    if sep == "=":
        return _ASSIGNED.match(line, start, stop).end()
    found = (_FLOW_END if flow else _COMMENT).search(line, start, stop)
    end = found.start() if found else stop
    while end > start and line[end - 1] in " \t":
        end -= 1
    return end


def _split_indent(line: str) -> tuple[str, str]:
    """A line's lead (ANSI codes, a diff's ``+``/``-``, indentation), its text, and its
    indentation width (the diff mark counted as a space, as a context line's is)."""
    head = _ANSI_HEAD.match(line)[0]
    body = line[len(head) :]
    mark = body[0] if body[:1] in ("+", "-") else ""
    rest = body[len(mark) :]
    content = rest.lstrip(" \t")
    return head + mark + rest[: len(rest) - len(content)], content


def _mask_continuation(text: str, at: int, opened: _Open) -> tuple[str, int]:
    """Lines after ``text[at]`` (a newline) that continue a secret value, masked (each keeps
    its ANSI codes, diff prefix and indentation). Returns them and where they end."""
    out = []
    while at < len(text):
        start = at + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end]
        lead, content = _split_indent(line)
        plain = _ANSI_TAIL.sub("", content)
        if not plain.strip():
            out.append("\n" + line)  # a blank line inside the value (or after it)
            at = end
            continue
        deeper = len(lead) - len(_ANSI_HEAD.match(lead)[0]) > opened.column
        if opened.kind in ('"', "'"):
            if not deeper and _STRUCTURE.match(plain):
                break
            closer = _DOUBLE_CLOSE if opened.kind == '"' else _SINGLE_CLOSE
            closed = closer.match(plain) is not None
        else:
            item = _SCALAR_ITEM.match(plain) if opened.kind == "nested" else None
            if item is not None and deeper:  # api_keys:\n  - a: the item, not the dash
                lead, content, plain = (
                    lead + item[1],
                    content[len(item[1]) :],
                    plain[len(item[1]) :],
                )
            elif not deeper or (opened.kind != "block" and _STRUCTURE.match(plain)):
                break
            closed = False
        out.append("\n" + lead + MASK + content[len(plain) :])
        at = end
        if closed:
            break
    return "".join(out), at
