"""The chapters' code, linted by ruff: `ruff check` reads no Markdown, so each page's blocks go
to ruff as one Python file, in page order, the way they run (one namespace a page).

    python -m tools.verify.chapter_lint                       # every chapter; `make lint` runs it
    python -m tools.verify.chapter_lint docs/08-autograd.md   # one page

The rules are the ones that find mistakes in teaching code: pyflakes (a name used but never
defined on the page, an import or a variable never used, a name defined twice), syntax errors,
bugbear's likely bugs, and the line length of docs/ruff.toml, which `ruff format` cannot reach
in comments and strings (a longer line scrolls sideways on a phone). Not the rules for a
package's code: a chapter imports where it first needs a module, and documents with prose, not
docstrings or annotations. A GPU-only block keeps its code as its recorded GPU proof has it
(tools/pages/gpu_proofs.py): its lines may be longer. Each problem is reported at its line of
the page, as `docs/page.md:LINE: CODE message`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools.pages import harness

RULES = ["F", "E9", "B", "E501"]
# Left out: F811, a name defined again (a solution imports what it uses again, so that it runs
# alone; a section writes a better version of a function), and B905, zip() without strict=
# (a chapter zips what has one length by construction: strict= would be one more thing to
# explain). A page imports where it first needs a module: no rule on where imports go (E402).
IGNORED = ["F811", "B905"]
# The chapters' line length, as docs/ruff.toml sets it for `ruff format` (tomllib: Python 3.11+).
RUFF_TOML = (harness.DOCS / "ruff.toml").read_text("utf-8")
LINE_LENGTH = int(re.search(r"^line-length = (\d+)", RUFF_TOML, re.M)[1])
LINE = re.compile(r"\bline (\d+)")
TIMEOUT_S = 60  # ruff lints every page in well under a second


@dataclass(frozen=True)
class Piece:
    """Where a block's code sits in the page's lint file, and in the page."""

    first: int  # its first line in the lint file (1-based)
    count: int
    page_line: int  # its first line in the page
    long_lines_allowed: bool  # a GPU-only block, or a hidden one (no reader sees it)


def lint_file(page: Path) -> tuple[str, list[Piece]]:
    """The page's blocks (hidden ones too: they run in the same namespace; not listings of
    snippets/, which ruff checks as the modules they are) as one file, and where each came from."""
    lines: list[str] = []
    pieces = []
    for block in harness.blocks(harness.parse(page)):
        if block.listing is not None:
            continue
        code = block.source.splitlines()
        gpu_only = block.skip is not None and block.skip.kind == "gpu"
        allowed = gpu_only or block.hidden
        pieces.append(Piece(len(lines) + 1, len(code), block.line + 1, allowed))
        lines += code
    return "\n".join(lines) + "\n", pieces


def page_problems(page: Path, found: list[dict], pieces: list[Piece]) -> list[str]:
    """ruff's findings in a page's lint file, as lines of the page."""

    def page_line(row: int) -> int:
        piece = next(p for p in pieces if p.first <= row < p.first + max(p.count, 1))
        return piece.page_line + row - piece.first

    problems = []
    for problem in found:
        row = problem["location"]["row"]
        piece = next(p for p in pieces if p.first <= row < p.first + max(p.count, 1))
        if piece.long_lines_allowed and problem["code"] == "E501":
            continue
        # A message that names another line ("... from line 12") names it in the page too.
        message = LINE.sub(lambda m: f"line {page_line(int(m[1]))}", problem["message"])
        problems.append(f"{harness.shown(page)}:{page_line(row)}: {problem['code']} {message}")
    return problems


def lint(pages: list[Path]) -> list[str]:
    """Every problem ruff finds in the pages' code, one line each; none: []."""
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for index, page in enumerate(pages):
            text, pieces = lint_file(page)
            file = Path(folder) / f"page_{index}.py"
            file.write_text(text, encoding="utf-8")
            files[file.name] = (page, pieces)
        command = [
            sys.executable,
            *("-m", "ruff", "check", "--isolated", "--no-cache", "--output-format", "json"),
            *("--target-version", "py310", "--line-length", str(LINE_LENGTH)),
            *("--select", ",".join(RULES), "--ignore", ",".join(IGNORED), folder),
        ]
        run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    if run.returncode not in (0, 1):  # 1: problems found; anything else: ruff itself failed
        raise RuntimeError(f"ruff failed ({run.returncode}): {run.stderr.strip()}")
    by_file: dict[str, list[dict]] = {}
    for problem in json.loads(run.stdout or "[]"):
        by_file.setdefault(Path(problem["filename"]).name, []).append(problem)
    problems = []
    for name, (page, pieces) in files.items():
        problems += page_problems(page, by_file.get(name, []), pieces)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.verify.chapter_lint", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("pages", nargs="*", type=Path, help="default: every chapter")
    args = parser.parse_args(argv)
    problems = lint(args.pages or harness.chapters())
    print("\n".join(problems) or "the chapters' code: no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
