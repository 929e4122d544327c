"""Unified diffs exactly as GNU ``diff -u`` (diffutils 3.x) prints them, built from the splices.

GNU diff's output is one of many minimal diffs; which one depends on its steps, so they are
followed here (the facts come from diffutils' documented algorithm; the code is our own):

1. the *window*: the identical prefix and suffix (found byte by byte) are set aside, keeping
   3 lines of each (the "horizon");
2. lines that match nothing in the other file's window are marked changed and hidden from the
   comparison (as are runs of very common lines inside such runs, ``_discards``);
3. Myers' O(ND) divide and conquer on what is left (``_compare``);
4. runs of changes slid down as far as they go, then back to meet a change in the other file
   (``_shift_boundaries``), never past the window.

Step 3 over the whole window costs O(window x edits). llmsync knows which lines its splices
touched, so on large files it compares only those stretches (the rest of the window is equal
by construction) and stays O(window) overall; on small windows it compares the whole window,
byte-identical to ``diff -u`` in every case the tests have found.
"""

from __future__ import annotations

import sys
from collections import Counter

HORIZON = 3  # lines of identical prefix/suffix GNU diff keeps in its window (-u: 3)
WHOLE_WINDOW_COST = 1_000_000  # window lines x changed lines up to which step 3 is global

Region = tuple[int, int, int]  # (first old line, old count, new count)


def unified_diff(old: str, new: str, name: str, regions: tuple[Region, ...] | None = None) -> str:
    """The ``diff -u`` of two texts, labelled ``a/name`` and ``b/name``; ``regions`` (from the
    splices) may say which lines changed, so that large files are not compared whole."""
    if old == new:
        return ""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if old.isascii() and new.isascii():
        lo, a_hi, b_hi = _window(a, b)
    else:  # GNU measures the identical suffix in bytes
        lo, a_hi, b_hi = _window([line.encode() for line in a], [line.encode() for line in b])
    wa, wb = a[lo:a_hi], b[lo:b_hi]
    changed_a, changed_b = [False] * (len(wa) + 2), [False] * (len(wb) + 2)  # 1 pad each end
    hidden_a = _discards(wa, Counter(wb))
    hidden_b = _discards(wb, Counter(wa))
    stretches = _stretches(regions, a, b, lo, a_hi, b_hi) if regions else None
    edits = sum(x1 - x0 + y1 - y0 for x0, x1, y0, y1 in stretches or ())
    if stretches is None or (len(wa) + len(wb)) * edits <= WHOLE_WINDOW_COST:
        stretches = [(0, len(wa), 0, len(wb))]
    for x0, x1, y0, y1 in stretches:
        _compare_visible(wa, wb, hidden_a, hidden_b, x0, x1, y0, y1, changed_a, changed_b)
    _shift_boundaries(changed_a, changed_b, wa)
    _shift_boundaries(changed_b, changed_a, wb)
    return _format(_opcodes(changed_a, changed_b, lo, len(a), len(b)), a, b, name)


# --------------------------------------------------------------------------- 1. the window


def _window(a: list, b: list) -> tuple[int, int, int]:
    """(first line, end line in a, end line in b) of what GNU diff compares. A last line
    without a newline never equals one with it (``keepends`` lines already differ there)."""
    n = min(len(a), len(b))
    prefix = 0
    while prefix < n and a[prefix] == b[prefix]:
        prefix += 1
    lo = max(0, prefix - HORIZON)
    # The identical suffix is found byte by byte from the ends, so it may begin
    # inside a line; GNU's scan never goes back past the window's start (plus the length
    # difference of the two files).
    size_a, size_b = _size(a), _size(b)
    floor = _size(a[:lo]) + max(0, size_a - size_b)
    i, j, at = len(a), len(b), size_a  # a[i:] == b[j:]; ``at``: where a[i] starts
    while i and j and a[i - 1] == b[j - 1] and at - len(a[i - 1]) >= floor:
        at -= len(a[i - 1])
        i, j = i - 1, j - 1
    same = _common_tail(a[i - 1], b[j - 1], at - floor) if i and j else 0
    if same == 0:
        line, both_at_start = i, True
    else:  # the suffix begins inside line i - 1 (or at its start, in one file or both)
        line = i - 1
        both_at_start = same == len(a[i - 1]) and same == len(b[j - 1])
    # Then HORIZON lines of the suffix are kept, after finishing a line begun mid-way.
    a_end = min(len(a), line + HORIZON + (0 if both_at_start else 1))
    return lo, a_end, len(b) - (len(a) - a_end)


def _size(lines: list) -> int:
    return sum(map(len, lines))


def _common_tail(x: str | bytes, y: str | bytes, limit: int) -> int:
    n = 0
    most = min(len(x), len(y), limit)
    while n < most and x[-1 - n] == y[-1 - n]:
        n += 1
    return n


# --------------------------------------------------------------------------- 2. discards


def _discards(lines: list[str], other_counts: Counter) -> list[int]:
    """Per line: 1 = hidden from the comparison (no match in the other file, or a very common
    line inside a run of those), 0 = compared."""
    many = 5  # "very common": more matches than ~5 x sqrt(lines / 64)
    tem = len(lines) // 64
    while (tem := tem >> 2) > 0:
        many *= 2
    marks = [0] * len(lines)
    for i, line in enumerate(lines):
        matches = other_counts.get(line, 0)
        if matches == 0:
            marks[i] = 1
        elif matches > many:
            marks[i] = 2  # provisional: hidden only inside a run of unmatched lines
    end, i = len(marks), 0
    while i < end:
        if marks[i] == 2:
            marks[i] = 0
        elif marks[i]:
            i = _settle_run(marks, i, end)
        i += 1
    return [1 if m else 0 for m in marks]


def _settle_run(marks: list[int], i: int, end: int) -> int:
    """Decide the provisional lines of the run of hidden lines starting at ``i``; returns the
    index of its last line."""
    j, provisional = i, 0
    while j < end and marks[j]:
        provisional += marks[j] == 2
        j += 1
    while j > i and marks[j - 1] == 2:  # a run ends on a line that matches nothing
        j -= 1
        marks[j] = 0
        provisional -= 1
    length = j - i
    if provisional * 4 > length:  # mostly common lines: compare them all
        for k in range(i, j):
            if marks[k] == 2:
                marks[k] = 0
        return i
    minimum, tem = 1, length >> 2  # ~sqrt(length / 4): longer common stretches are compared
    while (tem := tem >> 2) > 0:
        minimum <<= 1
    minimum += 1
    k = consecutive = 0
    while k < length:
        if marks[i + k] != 2:
            consecutive = 0
        else:
            consecutive += 1
            if consecutive == minimum:
                k -= consecutive  # back to the start of the stretch: compare it all
            elif consecutive > minimum:
                marks[i + k] = 0
        k += 1
    _compare_run_edge(marks, [i + k for k in range(length)])
    last = i + length - 1
    _compare_run_edge(marks, [last - k for k in range(length)])
    return last


def _compare_run_edge(marks: list[int], order: list[int]) -> None:
    """Common lines near the edge of a run are compared, up to 3 unmatched lines in a row
    (or the first unmatched line 8 or more in)."""
    consecutive = 0
    for k, at in enumerate(order):
        if k >= 8 and marks[at] == 1:
            return
        if marks[at] == 2:
            consecutive, marks[at] = 0, 0
        elif marks[at] == 0:
            consecutive = 0
        else:
            consecutive += 1
        if consecutive == 3:
            return


# --------------------------------------------------------------------------- 3. comparing


def _stretches(
    regions: tuple[Region, ...], a: list[str], b: list[str], lo: int, a_end: int, b_end: int
) -> list[tuple[int, int, int, int]] | None:
    """The splices' changed stretches in window coordinates, trimmed of equal ends; None when
    what lies between them is not equal after all (then the whole window is compared)."""
    out, i, j = [], 0, 0
    for first, old_count, new_count in regions:
        if first < i:
            return None
        j += first - i
        x0, x1, y0, y1 = first, first + old_count, j, j + new_count
        i, j = x1, y1
        while x0 < x1 and y0 < y1 and a[x0] == b[y0]:
            x0, y0 = x0 + 1, y0 + 1
        while x1 > x0 and y1 > y0 and a[x1 - 1] == b[y1 - 1]:
            x1, y1 = x1 - 1, y1 - 1
        if x0 == x1 and y0 == y1:
            continue
        if x0 < lo or y0 < lo or x1 > a_end or y1 > b_end:
            return None
        out.append((x0 - lo, x1 - lo, y0 - lo, y1 - lo))
    bounds = [(lo, lo), *((x1 + lo, y1 + lo) for _, x1, _, y1 in out)]
    starts = [(x0 + lo, y0 + lo) for x0, _, y0, _ in out] + [(a_end, b_end)]
    for (x, y), (x_end, y_end) in zip(bounds, starts, strict=True):
        if x_end - x != y_end - y or a[x:x_end] != b[y:y_end]:
            return None
    return out


def _compare_visible(
    wa: list[str],
    wb: list[str],
    hidden_a: list[int],
    hidden_b: list[int],
    x0: int,
    x1: int,
    y0: int,
    y1: int,
    changed_a: list[bool],
    changed_b: list[bool],
) -> None:
    """Mark the changed lines of wa[x0:x1] against wb[y0:y1]: hidden lines are changes; the
    rest are compared with Myers' algorithm."""
    xs = [x for x in range(x0, x1) if not hidden_a[x]]
    ys = [y for y in range(y0, y1) if not hidden_b[y]]
    for x in range(x0, x1):
        changed_a[x + 1] = bool(hidden_a[x])
    for y in range(y0, y1):
        changed_b[y + 1] = bool(hidden_b[y])
    xv, yv = [wa[x] for x in xs], [wb[y] for y in ys]
    deleted, inserted = [False] * len(xv), [False] * len(yv)
    limit = sys.getrecursionlimit()  # each level peels off at least one line
    sys.setrecursionlimit(max(limit, 1_000 + 2 * (len(xv) + len(yv))))
    try:
        _compare(xv, yv, 0, len(xv), 0, len(yv), deleted, inserted)
    finally:
        sys.setrecursionlimit(limit)
    for k, x in enumerate(xs):
        changed_a[x + 1] = changed_a[x + 1] or deleted[k]
    for k, y in enumerate(ys):
        changed_b[y + 1] = changed_b[y + 1] or inserted[k]


def _compare(
    xv: list[str], yv: list[str], x0: int, x1: int, y0: int, y1: int, dx: list, dy: list
) -> None:
    """Myers' divide and conquer: trim equal ends, split at the middle snake, recurse."""
    while x0 < x1 and y0 < y1 and xv[x0] == yv[y0]:
        x0, y0 = x0 + 1, y0 + 1
    while x0 < x1 and y0 < y1 and xv[x1 - 1] == yv[y1 - 1]:
        x1, y1 = x1 - 1, y1 - 1
    if x0 == x1:
        dy[y0:y1] = [True] * (y1 - y0)
    elif y0 == y1:
        dx[x0:x1] = [True] * (x1 - x0)
    else:
        xm, ym = _middle_snake(xv, yv, x0, x1, y0, y1)
        _compare(xv, yv, x0, xm, y0, ym, dx, dy)
        _compare(xv, yv, xm, x1, ym, y1, dx, dy)


def _middle_snake(xv: list, yv: list, x0: int, x1: int, y0: int, y1: int) -> tuple[int, int]:
    """Where the forward and backward searches for a shortest edit script meet (diagonal
    k = x - y); ties broken as GNU diff breaks them (the higher diagonal first)."""
    dmin, dmax = x0 - y1, x1 - y0
    fmid, bmid = x0 - y0, x1 - y1
    odd = (fmid - bmid) & 1
    far = x1 + y1 + 1
    fd, bd = {fmid: x0}, {bmid: x1}
    fmin = fmax = fmid
    bmin = bmax = bmid
    while True:
        if fmin > dmin:
            fmin -= 1
            fd[fmin - 1] = -1
        else:
            fmin += 1
        if fmax < dmax:
            fmax += 1
            fd[fmax + 1] = -1
        else:
            fmax -= 1
        for d in range(fmax, fmin - 1, -2):
            low, high = fd.get(d - 1, -1), fd.get(d + 1, -1)
            x = high if low < high else low + 1
            y = x - d
            while x < x1 and y < y1 and xv[x] == yv[y]:
                x, y = x + 1, y + 1
            fd[d] = x
            if odd and bmin <= d <= bmax and bd[d] <= x:
                return x, y
        if bmin > dmin:
            bmin -= 1
            bd[bmin - 1] = far
        else:
            bmin += 1
        if bmax < dmax:
            bmax += 1
            bd[bmax + 1] = far
        else:
            bmax -= 1
        for d in range(bmax, bmin - 1, -2):
            low, high = bd.get(d - 1, far), bd.get(d + 1, far)
            x = low if low < high else high - 1
            y = x - d
            while x > x0 and y > y0 and xv[x - 1] == yv[y - 1]:
                x, y = x - 1, y - 1
            bd[d] = x
            if not odd and fmin <= d <= fmax and x <= fd[d]:
                return x, y


# --------------------------------------------------------------------------- 4. sliding


def _shift_boundaries(changed: list[bool], other: list[bool], lines: list[str]) -> None:
    """Slide each run of changes (flags padded by one at each end) over equal lines: merge
    runs that can meet, move each as far down as it goes, then back up to meet a change in
    the other file if it can. Never past the window (the flags' length)."""
    n = len(changed) - 2
    i = j = 0
    while True:
        while i < n and not changed[i + 1]:
            while other[j + 1]:
                j += 1
            j += 1
            i += 1
        if i == n:
            return
        start = i
        i += 1
        while changed[i + 1]:
            i += 1
        while other[j + 1]:
            j += 1
        while True:
            runlength = i - start
            while start and lines[start - 1] == lines[i - 1]:
                start -= 1
                changed[start + 1] = True
                i -= 1
                changed[i + 1] = False
                while changed[start]:  # the line before start, padded
                    start -= 1
                j -= 1
                while other[j + 1]:
                    j -= 1
            corresponding = i if other[j] else n  # the line before j, padded
            while i != n and lines[start] == lines[i]:
                changed[start + 1] = False
                start += 1
                changed[i + 1] = True
                i += 1
                while changed[i + 1]:
                    i += 1
                j += 1
                while other[j + 1]:
                    corresponding = i
                    j += 1
            if runlength == i - start:
                break
        while corresponding < i:
            start -= 1
            changed[start + 1] = True
            i -= 1
            changed[i + 1] = False
            j -= 1
            while other[j + 1]:
                j -= 1


# --------------------------------------------------------------------------- printing


def _opcodes(changed_a: list[bool], changed_b: list[bool], lo: int, na: int, nb: int) -> list:
    """(tag, i1, i2, j1, j2) runs over the whole files from the window's change flags."""
    wa, wb = len(changed_a) - 2, len(changed_b) - 2
    out, i, j = [], 0, 0
    while i < wa or j < wb:
        i0, j0 = i, j
        while i < wa and j < wb and not changed_a[i + 1] and not changed_b[j + 1]:
            i, j = i + 1, j + 1
        if i > i0 or (i0 == 0 and lo):  # the prefix before the window is equal too
            out.append(
                ("equal", 0 if i0 == 0 else lo + i0, lo + i, 0 if j0 == 0 else lo + j0, lo + j)
            )
        i0, j0 = i, j
        while i < wa and changed_a[i + 1]:
            i += 1
        while j < wb and changed_b[j + 1]:
            j += 1
        if i == i0 and j == j0:
            break
        tag = "replace" if i > i0 and j > j0 else ("delete" if i > i0 else "insert")
        out.append((tag, lo + i0, lo + i, lo + j0, lo + j))
    if lo + wa < na or lo + wb < nb:
        if out and out[-1][0] == "equal":
            _, i1, _, j1, _ = out.pop()
            out.append(("equal", i1, na, j1, nb))
        else:
            out.append(("equal", lo + wa, na, lo + wb, nb))
    return out


def _format(opcodes: list, a: list[str], b: list[str], name: str, n: int = 3) -> str:
    """Hunks with ``n`` lines of context, as ``diff -u`` prints them; ``\\ No newline at end of
    file`` after a last line without one."""
    groups = _grouped(opcodes, n)
    if not groups:
        return ""
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    for group in groups:
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in a[i1:i2]]
                continue
            out += ["-" + line for line in a[i1:i2]]
            out += ["+" + line for line in b[j1:j2]]
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out
    )


def _grouped(opcodes: list, n: int) -> list[list]:
    """Changes with ``n`` lines of context, split where more than 2n equal lines separate them."""
    codes = list(opcodes)
    if not codes or all(c[0] == "equal" for c in codes):
        return []
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = (tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2)
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = (tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n))
    groups, group = [], []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * n:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def _range(start: int, stop: int) -> str:
    """A hunk range as diff -u writes it: ``start,length`` (1-based; an empty range names the
    line before it)."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"
