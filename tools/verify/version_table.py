"""The table of `make versions`: a row per chapter, a column per torch release (RESULTS).

    row = summarize(chapter, run)         # one chapter's reader run (tools/verify/cell_runs.py)
    table(releases, pins())               # RESULTS, as Markdown
    new_differences(checked, recorded)    # what the committed table does not record
    merged(checked, recorded)             # what RESULTS holds after the run

A row says how many blocks ran and how many printed what the page shows, and each difference in
one line, in fixed phrases that tools/site/results_tables.py puts into Chinese. Which releases,
their environments and their runs are tools/verify/versions.py's.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
RESULTS = ROOT / "benchmarks" / "results" / "torch-versions.md"


@dataclass
class Chapter:
    """One chapter's reader run under one release: counts, and one line per difference."""

    page: str  # the page's file name, 07-mathematical-functions.md
    blocks: int
    ran: int
    as_shown: int
    differences: list[str] = field(default_factory=list)


@dataclass
class Release:
    """One release's check: what was installed, when, where, and each chapter's run."""

    torch: str
    torchvision: str
    date: str
    machine: str
    chapters: list[Chapter] = field(default_factory=list)


# ---- a reader run as a row ---------------------------------------------------------------------


def code(text: str, limit: int = 70) -> str:
    """A printed line as a code span in a table cell: shortened, its pipes and backticks safe."""
    text = text.strip()
    text = text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def first_difference(expected: str, printed: str) -> tuple[str, str]:
    """The first line where the page and the run differ: (page's, printed), "" where none. A line
    of the page that elides (`...`) differs only where its pieces are not there."""
    from tools.verify.compare import matches

    page, run = expected.strip().splitlines(), printed.strip().splitlines()
    for want, have in zip(page, run, strict=False):
        if not matches(want, have):
            return want, have
    return (page[len(run)], "") if len(page) > len(run) else ("", run[len(page)])


def difference_line(number: int, outcome: str, detail: str, expected: str, printed: str) -> str:
    """One difference of the page's `number`th code block (as a reader counts them, from 1), in
    the fixed phrases that tools/site/results_tables.py translates.
    `outcome` is a cell_runs.Outcome's value; a block that ran and printed its fence's text but
    differs otherwise (a figure, or a value that Jupyter shows) has `expected == printed`."""
    if outcome == "error":
        return f"block {number}: raises {code(detail.split(':')[0], 40)}"
    if outcome == "interrupted":
        return f"block {number}: did not finish"
    if outcome == "not run":
        return f"block {number}: not reached"
    if expected == printed:
        return f"block {number}: shows another figure or value"
    page, run = first_difference(expected, printed)
    if not page:
        return f"block {number}: prints more: {code(run)}"
    if not run:
        return f"block {number}: prints less, not {code(page)}"
    return f"block {number}: prints {code(run)} where the page shows {code(page)}"


def summarize(chapter: Path, run) -> Chapter:
    """A reader run (a cell_runs.ReaderRun, from tools/verify/reader.py) as a table row."""
    from tools.pages import harness
    from tools.verify import reader
    from tools.verify.cell_runs import Outcome
    from tools.verify.compare import matches

    blocks = reader.shown_blocks(chapter)
    row = Chapter(chapter.name, len(blocks), 0, 0)
    for number, block in enumerate(blocks, start=1):
        cell = run.cell(block.line)
        expected, printed = block.expected or "", cell.printed
        if cell.outcome is Outcome.RAN:
            row.ran += 1
            if not reader.check_cell(harness.shown(chapter), block, cell):
                row.as_shown += 1
                continue
            if matches(expected, printed, block.tolerance):
                printed = expected  # what differs is not the printed text
        line = difference_line(number, cell.outcome.value, cell.detail, expected, printed)
        row.differences.append(line)
    if run.problems and not run.cells:  # the page never ran: say why, in the runner's words
        row.differences.append(f"not run: {code(run.problems[0], 100)}")
    row.differences = collapsed(row.differences)
    return row


def collapsed(differences: list[str]) -> list[str]:
    """The blocks not reached after the one that stopped a run, as one line: "blocks 5 to 10"."""
    numbers = [int(found[1]) for line in differences
               if (found := re.fullmatch(r"block (\d+): not reached", line))]  # fmt: skip
    if len(numbers) < 2:
        return differences
    kept = [line for line in differences if not line.endswith(": not reached")]
    return [*kept, f"blocks {numbers[0]} to {numbers[-1]}: not reached"]


# ---- the table -------------------------------------------------------------------------------


def table(releases: list[Release], pinned: dict[str, str]) -> str:
    """RESULTS: one table, a row per chapter and a column per release (blocks that run / blocks
    that print what the page shows), then each release's differences, one line each. Narrow
    enough for a phone: the long lines are a list, not a column."""
    releases = sorted(releases, key=lambda release: release_key(release.torch))  # oldest first
    # Every chapter any release ran, in page order: a release checked before a chapter existed
    # has no row for it, and shows a dash.
    chapters = sorted({row.page for release in releases for row in release.chapters})
    lines = [
        f"The outputs on this site are verified with torch {pinned['torch']} and torchvision"
        f" {pinned['torchvision']} (constraints.txt). Each column is a torch release: blocks that"
        " run / blocks that print what the page shows.",
        "",
        "| chapter | blocks | " + " | ".join(release.torch for release in releases) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in releases) + " |",
    ]
    for page in chapters:
        rows = [next((r for r in release.chapters if r.page == page), None) for release in releases]
        cells = " | ".join(f"{row.ran} / {row.as_shown}" if row else "–" for row in rows)
        blocks = next(row.blocks for row in reversed(rows) if row)  # the newest release's count
        lines.append(f"| {link(page, short=True)} | {blocks} | {cells} |")
    for release in releases:
        blocks = sum(row.blocks for row in release.chapters)
        ran = sum(row.ran for row in release.chapters)
        shown = sum(row.as_shown for row in release.chapters)
        lines += [
            "",
            f"torch {release.torch}, torchvision {release.torchvision}: {ran} of {blocks} blocks"
            f" run, {shown} print what the page shows. Checked {release.date} ({release.machine}).",
            "",
        ]
        differences = [
            f"- {link(row.page)}, {line}" for row in release.chapters for line in row.differences
        ]
        lines += differences or ["Nothing differs."]
    return "\n".join(lines) + "\n"


def release_key(version: str) -> tuple[int, ...]:
    """2.10.0 -> (2, 10, 0): releases in order, 2.9 before 2.10."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def link(page: str, short: bool = False) -> str:
    """A chapter's file name as a link to its page (the Chinese edition's links go to its own);
    `short`: its number alone, for a table column that must fit a phone."""
    stem = page.removesuffix(".md")
    return f"[{stem.split('-')[0] if short else stem}]({page})"


def save(releases: list[Release], path: Path, pinned: dict[str, str]) -> None:
    """The table (`pinned`: the pins of constraints.txt), and its data beside it (.json) for the
    next run to compare with."""
    from snippets.files import atomic_write

    atomic_write(path, table(releases, pinned).encode())
    data = json.dumps([asdict(release) for release in releases], indent=1, ensure_ascii=False)
    atomic_write(path.with_suffix(".json"), (data + "\n").encode())


def load(path: Path) -> list[Release]:
    """Releases saved by `save` (or a recorded fixture)."""
    releases = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        chapters = [Chapter(**row) for row in entry.pop("chapters")]
        releases.append(Release(**entry, chapters=chapters))
    return releases


def merged(checked: list[Release], recorded: list[Release]) -> list[Release]:
    """What RESULTS holds after a run: the releases just checked, and every recorded release
    that was not checked again (`make versions RELEASES=2.12.0` adds a column, it does not
    drop the others)."""
    fresh = {release.torch for release in checked}
    return [release for release in recorded if release.torch not in fresh] + checked


def new_differences(checked: list[Release], recorded: list[Release]) -> list[str]:
    """The differences of `checked` that `recorded` (the committed RESULTS) does not hold for the
    same torch release, as "torch X: page: difference"; a release not recorded: all of them."""
    known = {
        (release.torch, row.page, line)
        for release in recorded
        for row in release.chapters
        for line in row.differences
    }
    return [
        f"torch {release.torch}: {row.page}: {line}"
        for release in checked
        for row in release.chapters
        for line in row.differences
        if (release.torch, row.page, line) not in known
    ]
