"""The rule of tools/verify/tolerances.py: a fence's spread, and the tolerance that follows from it.

    spread("loss 2.000", "loss 2.010")         # {"relative": 0.005, "points": 0.0}
    wanted("loss 2.000", {"avx2, 1 thread": {"relative": 0.005, "points": 0.0}})   # (0.02, 0.0)
    problems_of(block, key, entry)             # [] when the block declares what its spread allows

A fence's tolerance is MULTIPLE times its largest spread, never less than one unit in the last
printed digit of any of its numbers (two runs a hair apart can round one unit apart), rounded up
to two significant digits, and never more than a page may declare (tools/pages/tolerance.py).
"""

from __future__ import annotations

import math
import re

from tools.pages import harness
from tools.pages.tolerance import MAX_POINTS, MAX_RELATIVE, Tolerance
from tools.verify.compare import paired_numbers

MULTIPLE = 4  # how many times its measured spread a fence's tolerance may be


# ---- the spread of one run ----------------------------------------------------------------


def spread(expected: str, printed: str) -> dict:
    """How far the numbers `printed` are from the page's `expected`: {"relative": ..., "points":
    ...}, or {"differs": printed} where the text or a whole number differs (no tolerance helps)."""
    pairs = paired_numbers(expected, printed)
    whole_moved = pairs is not None and any(
        want != have
        for want, have, percent in pairs
        if not percent and not re.search("[.eE]", want)
    )
    if pairs is None or whole_moved:
        return {"differs": printed}
    relative = points = 0.0
    for want, have, percent in pairs:
        moved = abs(float(have) - float(want))
        if percent:
            points = max(points, moved)
        elif float(want) != 0:
            relative = max(relative, moved / abs(float(want)))
        elif moved:
            relative = math.inf  # a printed zero that moves can have no relative tolerance
    return {"relative": relative, "points": points}


def last_digit(number: str) -> float:
    """One unit in the last printed digit: 0.01 for "2.29", 1e-05 for "1.5e-04"."""
    mantissa, _, exponent = number.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def floor(expected: str) -> Tolerance:
    """The least tolerance the printed digits need: one unit in the last digit of each number."""
    relative = points = 0.0
    for want, _, percent in paired_numbers(expected, expected) or []:
        if percent:
            points = max(points, last_digit(want))
        elif re.search("[.eE]", want) and float(want) != 0:
            relative = max(relative, last_digit(want) / abs(float(want)))
    return Tolerance(relative=min(relative, MAX_RELATIVE), points=min(points, MAX_POINTS))


def round_up(value: float) -> float:
    """`value` rounded up to two significant digits (0.01234 -> 0.013), 0 staying 0."""
    if value <= 0:
        return 0.0
    scale = 10.0 ** (math.floor(math.log10(value)) - 1)
    return float(f"{math.ceil(value / scale - 1e-9) * scale:.12g}")


# ---- the rule ------------------------------------------------------------------------------------


def largest(settings: dict) -> dict:
    """The largest spread over the settings recorded for a fence."""
    return {
        kind: max((measured.get(kind, 0.0) for measured in settings.values()), default=0.0)
        for kind in ("relative", "points")
    }


def wanted(expected: str, settings: dict) -> tuple[float, float]:
    """(relative, points): MULTIPLE times the largest spread, at least the printed digits' floor,
    at most what a page may declare (tools/pages/tolerance.py; `crowded` names such fences)."""
    most, least = largest(settings), floor(expected)
    relative = round_up(max(MULTIPLE * most["relative"], least.relative))
    points = round_up(max(MULTIPLE * most["points"], least.points))
    return min(relative, MAX_RELATIVE), min(points, MAX_POINTS)


def crowded(key: str, entry: dict) -> str | None:
    """A warning where MULTIPLE times a fence's spread is more than a page may declare: its
    output moves too much to be shown with a tolerance of MULTIPLE times its spread."""
    most = largest(entry["settings"])
    if MULTIPLE * most["relative"] <= MAX_RELATIVE and MULTIPLE * most["points"] <= MAX_POINTS:
        return None
    fails = most["relative"] > MAX_RELATIVE or most["points"] > MAX_POINTS
    return (
        f"{key}: {MULTIPLE}x its spread ({measured(most)}) is more than a page may declare"
        f"{' (the spread itself is: some settings fail)' if fails else ''};"
        " print something that moves less"
    )


def problems_of(block: harness.Block, key: str, entry: dict | None) -> list[str]:
    """What is wrong with a tolerant fence's declared tolerance, against its RECORD entry."""
    if entry is None or not entry.get("settings"):
        return [f"{key}: no spread recorded; run `make tolerances`"]
    found = [
        f"{key}: under {name}, {failure(measured)}"
        for name, measured in entry["settings"].items()
        if "differs" in measured or "failed" in measured
    ]
    if found:
        return found
    if moved_since(entry, block):
        return [f"{key}: the output changed since its spread was measured; run `make tolerances`"]
    relative, points = wanted(block.expected, entry["settings"])
    most, least = largest(entry["settings"]), floor(block.expected)
    declared = block.tolerance
    if declared.relative > relative or declared.points > points:
        return [
            f"{key}: declares {describe(declared.relative, declared.points)}, more than"
            f" {MULTIPLE}x its spread ({measured(most)}) or its"
            f" printed digits allow: make it {describe(relative, points)}"
        ]
    # Narrower than the spread fails under a setting measured; past the limit, `crowded` says so.
    need_relative = min(max(most["relative"], least.relative), MAX_RELATIVE)
    need_points = min(max(most["points"], least.points), MAX_POINTS)
    if declared.relative < need_relative or declared.points < need_points:
        return [
            f"{key}: declares {describe(declared.relative, declared.points)}, less than its"
            f" spread or its printed digits need: make it {describe(relative, points)}"
        ]
    return []


def failure(measured: dict) -> str:
    """What went wrong under one setting: what it printed instead, or why the cell did not run."""
    return f"printed {measured['differs']!r}" if "differs" in measured else measured["failed"]


def moved_since(entry: dict, block: harness.Block) -> bool:
    """Whether the page's numbers moved past their tolerance since the spread was measured
    against the page as it was then (a new recipe, say, measures afresh)."""
    now = spread(entry["page"], block.expected)
    declared = block.tolerance
    return (
        "differs" in now or now["relative"] > declared.relative or now["points"] > declared.points
    )


def measured(most: dict) -> str:
    """A spread in words: `relative=0.0012 points=0.3`, or "none" where nothing moved."""
    return describe(most["relative"], most["points"]).replace("exact", "none")


def describe(relative: float, points: float) -> str:
    """`relative=0.013 points=1.2`, as a directive spells it ("exact" for none)."""
    parts = [f"relative={plain(relative)}"] if relative else []
    parts += [f"points={plain(points)}"] if points else []
    return " ".join(parts) or "exact"


def plain(value: float) -> str:
    """A number without an exponent, which a directive does not take: 4.4e-05 -> 0.000044."""
    return f"{value:.8f}".rstrip("0").rstrip(".")
