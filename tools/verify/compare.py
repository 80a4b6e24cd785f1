"""Compare what a block printed with the ```output fence on its page.

    difference(expected, got)             # None when they match, else a message naming the line
    difference(expected, got, Tolerance(relative=0.1, points=5))

The rules, the same for the chapters, the notebooks and a reader's copy of a page:

- Whitespace runs compare equal (a tensor printed at another width wraps differently) and `...`
  in the fence stands for any text (a device name, a timing).
- **Exact by default**: every other character must match, digits included. `7.` on the page and
  `7.4000` printed differ, as a reader would see.
- A fence that declares a `Tolerance` (tools/pages/tolerance.py: for numbers that depend on the
  order of floating-point sums over many steps, such as training losses) still checks **every
  number** in it: a whole number exactly, a number followed by `%` within `points` percentage
  points, any other number within `relative` of the page's value. The text around the numbers
  stays exact.
"""

from __future__ import annotations

import difflib
import re

from tools.pages.tolerance import Tolerance

NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
TOKENS = re.compile(rf"(?P<ellipsis>\.\.\.)|(?P<number>{NUMBER})(?P<percent>%?)|(?P<space>\s+)")


def normalise(text: str) -> str:
    """Whitespace runs become one space; leading and trailing whitespace goes."""
    return re.sub(r"\s+", " ", text).strip()


def matches(expected: str, got: str, tolerance: Tolerance | None = None) -> bool:
    """True when `got` is what the fence `expected` shows, under the rules above."""
    if tolerance is None:
        return ellipsis_match(normalise(expected), normalise(got))
    pairs = paired_numbers(expected, got)
    return pairs is not None and all(
        tolerance.allows(want, have, percent) for want, have, percent in pairs
    )


def paired_numbers(expected: str, got: str) -> list[tuple[str, str, bool]] | None:
    """(the page's number, the printed one, followed by `%`) for every number of the fence, in
    order; None where the text around the numbers differs (tools/verify/tolerances.py measures
    how far each number moves)."""
    expected, got = normalise(expected), normalise(got)
    pattern, numbers = [], []
    for token, kind, percent in tokens(expected):
        if kind == "ellipsis":
            pattern.append(".*?")
        elif kind == "number":
            pattern.append(f"({NUMBER})" + ("%" if percent else ""))
            numbers.append((token, bool(percent)))
        elif kind == "space":
            pattern.append(" ")
        else:
            pattern.append(re.escape(token))
    found = re.fullmatch("".join(pattern), got, re.S)
    if found is None:
        return None
    return [
        (want, have, percent) for (want, percent), have in zip(numbers, found.groups(), strict=True)
    ]


def tokens(text: str):
    """(text, kind, percent) pieces: kind is "ellipsis", "number", "space" or "text"."""
    position = 0
    for found in TOKENS.finditer(text):
        if found.start() > position:
            yield text[position : found.start()], "text", ""
        kind = found.lastgroup if found.lastgroup != "percent" else "number"
        value = found["number"] if kind == "number" else found.group()
        yield value, kind, found["percent"] or ""
        position = found.end()
    if position < len(text):
        yield text[position:], "text", ""


def ellipsis_match(expected: str, got: str) -> bool:
    """doctest's ELLIPSIS rule: the pieces between `...` appear in order, the ends anchored."""
    pieces = expected.split("...")
    if len(pieces) == 1:
        return expected == got
    start, end = pieces[0], pieces[-1]
    if not got.startswith(start) or not got.endswith(end):
        return False
    position, stop = len(start), len(got) - len(end)
    if position > stop:
        return False
    for piece in pieces[1:-1]:
        found = got.find(piece, position, stop)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def difference(expected: str, got: str, tolerance: Tolerance | None = None) -> str | None:
    """None when `got` matches the fence; else a message with the first differing line."""
    if matches(expected, got, tolerance):
        return None
    page, code = expected.strip().splitlines(), got.strip().splitlines()
    first = next(
        (
            number
            for number, (want, have) in enumerate(zip(page, code, strict=False), start=1)
            if not matches(want, have, tolerance)
        ),
        min(len(page), len(code)) + 1,
    )
    rule = "exactly" if tolerance is None else f"within {describe(tolerance)}"
    lines = [
        f"first differing line of the output ({rule}): {first}",
        f"    page: {page[first - 1] if first <= len(page) else '(no more lines)'}",
        f"    code: {code[first - 1] if first <= len(code) else '(no more lines)'}",
        "diff (- page, + code):",
    ]
    lines += [f"    {line}" for line in difflib.ndiff(page, code) if line[:1] in "-+"]
    return "\n".join(lines)


def describe(tolerance: Tolerance) -> str:
    parts = []
    if tolerance.relative:
        parts.append(f"{tolerance.relative:.0%} relative")
    if tolerance.points:
        parts.append(f"{tolerance.points:g} percentage points")
    return " and ".join(parts) or "no tolerance"
