"""What a reader's run of a page did, cell by cell: the outcome and the printed text of each.

    run = reader.run_as_reader(site, chapter, folder, kernels)   # tools/verify/reader.py fills it
    run.cell(block.line).outcome                                  # Outcome.RAN, ERROR, ...

A leaf of its own: tools/verify/page_runs.py takes the checks of a page that runs once from these
(`PageRuns.check_from_reader`), and tools/verify/versions.py summarises them, without importing
the reader run itself (nbclient, the notebooks, the kernel server).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Outcome(enum.Enum):
    """What became of a cell, from the kernel's reply to its execute request."""

    RAN = "ran"  # the reply's status was "ok"
    ERROR = "error"  # the cell raised
    INTERRUPTED = "interrupted"  # it ran past its limit (tools/pages/limits.py) or its kernel died
    NOT_RUN = "not run"  # an earlier cell stopped the run


@dataclass
class CellRun:
    """One code cell of a reader's run: its outcome, what it printed, and why it stopped."""

    outcome: Outcome = Outcome.NOT_RUN
    printed: str = ""
    detail: str = ""  # the exception it raised, or what interrupted it
    outputs: list = field(default_factory=list)

    def describe(self) -> str:
        """The outcome in words, for a failure message."""
        if self.outcome is Outcome.RAN:
            return "it ran"
        if self.outcome is Outcome.NOT_RUN:
            return f"it did not run: {self.detail or 'an earlier cell stopped the run'}"
        return f"it {'raised' if self.outcome is Outcome.ERROR else 'was'} {self.detail}"


@dataclass
class ReaderRun:
    """One page's reader run: each block's cell, the problems found, how the network was cut."""

    page: str
    problems: list[str] = field(default_factory=list)
    isolation: str = ""
    seconds: float = 0.0
    cells: dict[int, CellRun] = field(default_factory=dict)  # by the page line of the block

    def cell(self, line: int) -> CellRun:
        """The cell of the block at `line`; NOT_RUN where the run never reached it."""
        return self.cells.get(line, CellRun(detail=self.stop_reason()))

    def stop_reason(self) -> str:
        stopped = [f"line {line}: {cell.describe()}" for line, cell in self.cells.items()
                   if cell.outcome in (Outcome.ERROR, Outcome.INTERRUPTED)]  # fmt: skip
        return "; ".join(stopped[:1] + self.problems[:1]) or "the run stopped before it"
