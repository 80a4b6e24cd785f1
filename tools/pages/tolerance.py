"""How far the numbers of one output fence may move: what a tolerance directive declares.

    <!-- tolerance: relative=0.05 points=2 -->     (tools/pages/syntax.py reads it)
    Tolerance(relative=0.05, points=2)           (tools/verify/compare.py applies it)

Part of the page model, because a page declares it; the comparison that uses it is verification's
(tools/verify/compare.py's docstring gives the rules: whole numbers stay exact, a number followed
by `%` may move `points` percentage points, any other number `relative` of the page's value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The loosest tolerances a page may declare: beyond them, print something sturdier instead.
MAX_RELATIVE = 0.10
MAX_POINTS = 5.0


@dataclass(frozen=True)
class Tolerance:
    """How far the numbers of one output fence may move; see the module docstring."""

    relative: float = 0.0  # e.g. 0.1: a loss of 0.500 may print as 0.450 to 0.550
    points: float = 0.0  # e.g. 5: an accuracy of 90.0% may print as 85.0% to 95.0%

    def __post_init__(self) -> None:
        if not 0 <= self.relative <= MAX_RELATIVE or not 0 <= self.points <= MAX_POINTS:
            raise ValueError(
                f"a tolerance may allow at most relative={MAX_RELATIVE} and points={MAX_POINTS:g},"
                f" got relative={self.relative:g}, points={self.points:g}; print something that"
                " moves less (fewer steps, a sturdier statistic) instead of widening it"
            )

    def allows(self, expected: str, got: str, percent: bool) -> bool:
        """Whether the number `got` (as printed) is close enough to `expected` (as on the page)."""
        if not re.search(r"[.eE]", expected) and not percent:
            return expected == got  # counts, sizes, epochs, indices: always exact
        want, have = float(expected), float(got)
        if percent:
            return abs(have - want) <= self.points + 1e-9
        return abs(have - want) <= self.relative * abs(want) + 1e-12
