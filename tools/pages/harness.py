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
from dataclasses import dataclass, field
from pathlib import Path

from sybil import Document, Example, Sybil
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer

from tools.pages import markup, syntax
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


@dataclass(frozen=True)
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
    alt: str | None = None  # the figure's alt text
    hidden: bool = False
    listing: str | None = None  # the included code, for a block of `--8<--` lines
    skip: SkipIf | None = None
    # Where the directives that this block carries end (ChapterParser: none goes unattached).
    directives: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @property
    def shown(self) -> bool:
        """A block a reader sees and copies: not hidden, not a listing of project code."""
        return not self.hidden and self.listing is None


@dataclass(frozen=True)
class Output:
    """The ```output fence right after a python fence (directives between them aside)."""

    span: tuple[int, int]
    expected: str
    tolerance: Tolerance | None
    directives: tuple[int, ...]  # the ends of the directives between the two fences


class ChapterParser:
    """A Sybil parser for chapters: python fences, their outputs, figures and directives.

    `evaluate` is what runs a block: tools/verify/page_runs.py passes its PageRuns' evaluate; a page
    parsed only to be read (`parse`) gets one that refuses to run.
    """

    def __init__(self, evaluate: Callable[[Example], str | None]) -> None:
        self.evaluate = evaluate

    def __call__(self, document: Document):
        page = PageSource(document.text, document.path)
        fences = sorted(FENCES(document), key=lambda region: region.start)
        attached, paired_outputs = set(), set()
        for region, following in zip(fences, [*fences[1:], None], strict=False):
            info = region.lexemes["info"].strip()
            if info == "python":
                block = page.block(region, following)
                attached.update(block.directives)
                if block.output_span:
                    paired_outputs.add(block.output_span[0])
                    region.end = block.output_span[1]
                region.parsed, region.evaluator = block, self.evaluate
                yield region
            elif info == "output" and region.start not in paired_outputs:
                raise HarnessError(
                    f"{page.where(region.start)}: this ```output fence does not directly"
                    " follow a ```python fence; put it right after the block that prints it."
                )
            elif info != "output" and PYTHON_LIKE.match(info):
                raise HarnessError(
                    f"{page.where(region.start)}: fence info string {info!r} looks like"
                    " Python but the harness only runs fences whose info string is exactly"
                    " `python`; use ```python (or ```text for code that must not run)."
                )
        page.check_attached(attached)
        for region in HIDDEN(document):
            block = Block(region.lexemes["source"], page.line(region.start), hidden=True)
            region.parsed, region.evaluator = block, self.evaluate
            yield region


class PageSource:
    """A page's text, its path and its directives, while ChapterParser reads its blocks."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path
        # Each directive by where it ends: a block records the ends of those it carries.
        self.directives = {directive.end: directive for directive in syntax.directives(text)}

    def line(self, position: int) -> int:
        return line_of(self.text, position)

    def where(self, position: int) -> str:
        return where(self.path, self.text, position)

    def block(self, region, following) -> Block:
        """The Block of a python fence: its skip, its output and tolerance, its figure."""
        text, start = self.text, region.start
        listing = resolve_include(region.lexemes["source"], self.where(start))
        skip, skip_end = self.skip_before(start)
        output = self.output_after(region, following)
        image, image_span, alt = self.figure_after(output.span[1] if output else region.end)
        return Block(
            region.lexemes["source"],
            line=self.line(start),
            indent=re.match(r"[ \t]*", text[start:]).group(),  # fences inside admonitions
            code_end=region.end,
            output_span=output.span if output else None,
            expected=output.expected if output else None,
            tolerance=output.tolerance if output else None,
            image=image,
            image_span=image_span,
            alt=alt,
            listing=listing,
            skip=skip,
            directives=(*skip_end, *(output.directives if output else ())),
        )

    def skip_before(self, start: int) -> tuple[SkipIf | None, tuple[int, ...]]:
        """The skip directive right before the fence at `start` (only whitespace between), if
        any, and where it ends."""
        for end, directive in self.directives.items():
            if directive.name == "skip" and end <= start and not self.text[end:start].strip():
                return self.parsed(directive, syntax.parse_skip), (end,)
        return None, ()

    def output_after(self, region, following) -> Output | None:
        """The ```output fence right after a python fence, with the directives between them."""
        if following is None or following.lexemes["info"].strip() != "output":
            return None
        between = [d for d in self.directives.values() if region.end <= d.start < following.start]
        rest = self.text[region.end : following.start]
        for directive in between:
            rest = rest.replace(self.text[directive.start : directive.end], "", 1)
        if rest.strip():
            return None  # prose between them: the fence is not this block's
        tolerances = [d for d in between if d.name == "tolerance"][:1]
        return Output(
            (following.start, following.end),
            following.lexemes["source"],
            self.parsed(tolerances[0], syntax.parse_tolerance) if tolerances else None,
            tuple(directive.end for directive in tolerances),
        )

    def figure_after(self, after: int) -> tuple[Path | None, tuple[int, int] | None, str | None]:
        """The figure `![alt](src)` on the first line after `after`, where it is, its alt."""
        rest = self.text[after:].lstrip("\n")
        image = IMAGE.match(rest.split("\n", 1)[0])
        if not image:
            return None, None, None
        image_start = len(self.text) - len(rest)
        if not image["alt"].strip():
            raise HarnessError(
                f"{self.where(image_start)}: the figure has no alt text; write ![what it shows](…)."
            )
        path = (Path(self.path).parent / image["src"]).resolve()
        return path, (image_start, image_start + image.end()), image["alt"]

    def parsed(self, directive: syntax.Directive, parse: Callable):
        """A directive's arguments parsed by `parse`; a mistake names the directive's line."""
        try:
            return parse(directive.arguments)
        except syntax.SyntaxProblem as problem:
            raise HarnessError(f"{self.where(directive.start)}: {problem}") from None

    def check_attached(self, attached: set[int]) -> None:
        """Every directive belongs to a block: a skip before one, a tolerance after one."""
        for end, directive in self.directives.items():
            if end not in attached:
                raise HarnessError(
                    f"{self.where(directive.start)}: `{self.text[directive.start : end]}` is not"
                    " attached to a block: a skip directive goes right before a ```python fence,"
                    " a tolerance between a ```python fence and its ```output fence."
                )


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
    """A page parsed to be read: its blocks, directives and outputs (nothing runs). Read a page
    through tools/pages/page.py's Page instead, which parses it once."""
    return parse_text(Path(path), Path(path).read_text(encoding="utf-8"))


def parse_text(path: Path, text: str) -> Document:
    """The page `text` (read from `path`) parsed to be read, as Sybil's Document.parse does."""
    document = Document(text, str(path))
    for region in ChapterParser(refuse_to_run)(document):
        document.add(region)
    return document


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
    return markup.has_code(path.read_text(encoding="utf-8"))
