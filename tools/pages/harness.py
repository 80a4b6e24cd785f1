"""The chapter parser: every ```python block of docs/, what the page says about it, in order.

    document = harness.parse(Path("docs/01-tensors.md"))   # blocks, outputs, skips, figures
    harness.blocks(document)                              # the Block of each region, in page order

How the blocks run (in this process, or taken from a reader's run) is tools/verify/page_runs.py:
`pytest docs/` runs every chapter through it (conftest.py), `make outputs` rewrites the outputs with
it (tools/publish/outputs.py). The rules a chapter follows are in the README ("Writing a chapter");
the directives and the stamp are defined in tools/pages/syntax.py:

- a runnable block is a fence whose info string is exactly `python`; the ```output fence right after
  it is what it prints (compared by tools/verify/compare.py: exactly, or within the tolerance that a
  `<!-- tolerance: relative=0.1 points=5 -->` line between the two fences declares);
- an image `![alt](assets/x.svg)` right after those is the figure the block draws;
- `<!-- skip: next if(CONDITION, reason="...") -->` right before a block runs it only where
  CONDITION is false, and reports it as skipped, with the reason, elsewhere;
- `<!-- invisible-code-block: python ... -->` is a hidden block: it may check, never define
  what a visible block uses (a reader's copy of the page must run without it);
- a python fence holding only `--8<--`, `snippets/module.py:section`, `--8<--` is a listing of
  project code: the site shows it, the harness checks that it resolves and compiles.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sybil import Document, Example, Sybil
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer

from tools.pages import syntax
from tools.pages.languages import TRANSLATIONS
from tools.pages.syntax import SkipIf
from tools.pages.tolerance import Tolerance

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
DOCS = ROOT / "docs"
# Info strings that mean "Python" to a reader or a highlighter but that the harness would not run.
PYTHON_LIKE = re.compile(r"^[{.\s]*(python|py|pycon|python3|py3|ipython3?|pyi|pytb)\b", re.I)
IMAGE = re.compile(r"[ \t]*!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)[^)]*\)")
FENCES = RawFencedCodeBlockLexer(
    info_pattern=re.compile(r"(?P<info>[^\n]*)$\n", re.M),
    mapping={"info": "info", "source": "source"},
)
HIDDEN = DirectiveInHTMLCommentLexer(directive="invisible-code-block", arguments="python")


class HarnessError(ValueError):
    """A chapter breaks the harness rules; the message names the line and the fix."""


@dataclass
class Block:
    """One runnable block and what the page says about it."""

    source: str
    line: int = 0
    indent: str = ""  # fences inside admonitions are indented
    code_end: int = 0  # position just after the python fence's closing line
    output_span: tuple[int, int] | None = None  # the ```output fence, if any
    expected: str | None = None  # its text
    tolerance: Tolerance | None = None  # declared between the two fences; None: exact
    image: Path | None = None  # the figure file that follows, if any
    image_span: tuple[int, int] | None = None  # where its ![alt](src) line is
    hidden: bool = False
    listing: str | None = None  # the included code, for a block of `--8<--` lines
    skip: SkipIf | None = None

    @property
    def shown(self) -> bool:
        """A block a reader sees and copies: not hidden, not a listing of project code."""
        return not self.hidden and self.listing is None


class ChapterParser:
    """A Sybil parser for chapters: python fences, their outputs, figures and directives.

    `evaluate` is what runs a block: tools/verify/page_runs.py passes its PageRuns' evaluate; a page
    parsed only to be read (`parse`) gets one that refuses to run.
    """

    def __init__(self, evaluate: Callable[[Example], str | None]) -> None:
        self.evaluate = evaluate

    def __call__(self, document: Document):
        text, path = document.text, document.path
        fences = sorted(FENCES(document), key=lambda region: region.start)
        found = {directive.end: directive for directive in syntax.directives(text)}
        used: set[int] = set()
        paired_outputs = set()
        for index, region in enumerate(fences):
            info = region.lexemes["info"].strip()
            if info == "python":
                following = fences[index + 1] if index + 1 < len(fences) else None
                block = self._block(text, path, region, following, found, used)
                if block.output_span:
                    paired_outputs.add(block.output_span[0])
                    region.end = block.output_span[1]
                region.parsed, region.evaluator = block, self.evaluate
                yield region
            elif info == "output":
                if region.start not in paired_outputs:
                    raise HarnessError(
                        f"{where(path, text, region.start)}: this ```output fence does not directly"
                        " follow a ```python fence; put it right after the block that prints it."
                    )
            elif PYTHON_LIKE.match(info):
                raise HarnessError(
                    f"{where(path, text, region.start)}: fence info string {info!r} looks like"
                    " Python but the harness only runs fences whose info string is exactly"
                    " `python`; use ```python (or ```text for code that must not run)."
                )
        for end, directive in found.items():
            if end not in used:
                raise HarnessError(
                    f"{where(path, text, directive.start)}: `{text[directive.start : end]}` is not"
                    " attached to a block: a skip directive goes right before a ```python fence,"
                    " a tolerance between a ```python fence and its ```output fence."
                )
        for region in HIDDEN(document):
            block = Block(region.lexemes["source"], hidden=True)
            block.line = line_of(text, region.start)
            region.parsed, region.evaluator = block, self.evaluate
            yield region

    @staticmethod
    def _block(text, path, region, following, found, used) -> Block:
        indent = re.match(r"[ \t]*", text[region.start :]).group()
        block = Block(region.lexemes["source"], line_of(text, region.start), indent, region.end)
        block.listing = resolve_include(block.source, where(path, text, region.start))
        block.skip = skip_before(text, path, region.start, found, used)
        after = region.end
        if following is not None and following.lexemes["info"].strip() == "output":
            between = [d for d in found.values() if region.end <= d.start < following.start]
            rest = text[region.end : following.start]
            for directive in between:
                rest = rest.replace(text[directive.start : directive.end], "", 1)
            if not rest.strip():
                block.output_span = (following.start, following.end)
                block.expected = following.lexemes["source"]
                block.tolerance = tolerance_in(between, path, text, used)
                after = following.end
        rest = text[after:].lstrip("\n")
        image = IMAGE.match(rest.split("\n", 1)[0])
        if image:
            if not image["alt"].strip():
                raise HarnessError(
                    f"{where(path, text, len(text) - len(rest))}: the figure has no alt text;"
                    " write ![what it shows](…)."
                )
            block.image = (Path(path).parent / image["src"]).resolve()
            image_start = len(text) - len(rest)
            block.image_span = (image_start, image_start + image.end())
        return block


def skip_before(text: str, path: str, start: int, found: dict, used: set) -> SkipIf | None:
    """The skip directive right before the fence at `start` (only whitespace between), if any."""
    for end, directive in found.items():
        if directive.name == "skip" and end <= start and not text[end:start].strip():
            used.add(end)
            try:
                return syntax.parse_skip(directive.arguments)
            except syntax.SyntaxProblem as problem:
                raise HarnessError(f"{where(path, text, directive.start)}: {problem}") from None
    return None


def tolerance_in(between: list, path: str, text: str, used: set) -> Tolerance | None:
    """The tolerance directive among those between a python fence and its output fence."""
    for directive in between:
        if directive.name == "tolerance":
            used.add(directive.end)
            try:
                return syntax.parse_tolerance(directive.arguments)
            except syntax.SyntaxProblem as problem:
                raise HarnessError(f"{where(path, text, directive.start)}: {problem}") from None
    return None


def resolve_include(source: str, place: str) -> str | None:
    """The code a block of `--8<--` lines includes, or None for an ordinary block."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    if not (len(lines) >= 3 and lines[0] == lines[-1] == "--8<--"):
        return None
    return "\n".join(included_code(spec, place) for spec in lines[1:-1])


def included_code(spec: str, place: str) -> str:
    """The text pymdownx.snippets includes for `path` or `path:section`."""
    path, _, section = spec.partition(":")
    file = ROOT / path
    if not file.is_file():
        raise HarnessError(f"{place}: the included file {path} does not exist.")
    text = file.read_text(encoding="utf-8")
    if not section:
        return text
    marker = r"^[ \t]*# --8<-- \[{}:" + re.escape(section) + r"\][ \t]*\n"
    found = re.search(marker.format("start") + "(.*?)" + marker.format("end"), text, re.M | re.S)
    if not found:
        raise HarnessError(
            f"{place}: no section {section!r} in {path}; mark it with"
            f" `# --8<-- [start:{section}]` and `# --8<-- [end:{section}]`."
        )
    return found[1]


def line_of(text: str, position: int) -> int:
    """The 1-based line number of a position in a page."""
    return text.count("\n", 0, position) + 1


def where(path: str | Path, text: str, position: int) -> str:
    return f"{shown(path)}:{line_of(text, position)}"


def shown(path: str | Path) -> str:
    """A path as a reader types it: relative to the project when inside it."""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def blocks(document: Document) -> list[Block]:
    """A parsed page's blocks, hidden ones included, in page order."""
    return [region.parsed for _, region in document.regions if isinstance(region.parsed, Block)]


def without_hidden_blocks(markdown: str) -> str:
    """The page as the site shows it: each hidden block cut out, its lines whole. Python-Markdown
    takes a comment for raw HTML only at the left margin: inside a solution (indented) it would
    show the check's code as text, its comments as headings."""
    for region in sorted(
        HIDDEN(Document(markdown, "page.md")), key=lambda r: r.start, reverse=True
    ):
        start = markdown.rfind("\n", 0, region.start) + 1  # the indentation goes too
        end = syntax.COMMENT_END.search(markdown, region.end).end()
        markdown = markdown[:start] + markdown[end:].removeprefix("\n")
    return markdown


def setup(namespace: dict) -> None:
    """Fresh, seeded state for every chapter, so its output is the same on every run.

    A reader's fresh Python session has none of this but the default print options and dtype;
    pages that print random numbers seed visibly (`_ = torch.manual_seed(0)`), and the reader's
    copy of every page is run without this setup (tests/test_reader.py).
    """
    import matplotlib
    import numpy as np
    import torch

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "pytorch-essential-training"
    torch.manual_seed(0)
    np.random.seed(0)
    random.seed(0)
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    namespace["__name__"] = "__main__"


def teardown(namespace: dict) -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


def sybil(evaluate: Callable[[Example], str | None] | None = None) -> Sybil:
    """Sybil over docs/ with the chapter parser; `evaluate` runs blocks (see ChapterParser)."""
    return Sybil(
        parsers=[ChapterParser(evaluate or refuse_to_run)],
        path=str(DOCS),
        patterns=["*.md"],
        excludes=[TRANSLATIONS],
        setup=setup,
        teardown=teardown,
    )


def parse(path: Path) -> Document:
    """A page parsed to be read: its blocks, directives and outputs (nothing runs)."""
    return sybil().parse(Path(path))


def refuse_to_run(example: Example) -> None:
    raise HarnessError(
        f"{shown(example.path)}:{example.line}: this page was parsed to be read, not run;"
        " run pages with tools.verify.page_runs (PageRuns, run_page)"
    )


def chapters() -> list[Path]:
    """Every English page of the site, in file-name order (the order of the course notes). A
    translation (tools/pages/languages.py) runs nothing of its own: it carries its English page's
    code and outputs, proven equal by a test."""
    return sorted(path for path in DOCS.rglob("*.md") if not path.match(TRANSLATIONS))


def has_code(path: Path) -> bool:
    """A page with runnable blocks: it gets a stamp, a notebook and a notebook page."""
    return "```python" in path.read_text(encoding="utf-8")
