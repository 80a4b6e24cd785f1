"""The chapter harness: run every ```python block in docs/ and check what it prints.

    pytest docs/                          # conftest.py collects every chapter: Mode.CHECK
    python -m tools.outputs [docs/X.md]   # `make outputs` rewrites the outputs: Mode.RECORD

One runner, `BlockRunner(mode)`, evaluates a block in both modes; `run_page(path, mode)` runs a
whole page with it (make outputs and the harness tests), and pytest drives the same runner block
by block through Sybil. The rules a chapter follows are in the README ("Writing a chapter"):

- a runnable block is a fence whose info string is exactly `python`; the ```output fence right
  after it is what it prints (compared by tools/compare.py: exactly, or within the tolerance that
  a `<!-- tolerance: relative=0.1 points=5 -->` line between the two fences declares);
- an image `![alt](assets/x.svg)` right after those is the figure the block draws;
- `<!-- skip: next if(CONDITION, reason="...") -->` right before a block runs it only where
  CONDITION is false, and reports it as skipped, with the reason, elsewhere;
- `<!-- invisible-code-block: python ... -->` is a hidden block: it may check, never define
  what a visible block uses (a reader's copy of the page must run without it);
- a python fence holding only `--8<--`, `snippets/module.py:section`, `--8<--` is a listing of
  project code: the site shows it, the harness checks that it resolves and compiles.
"""

from __future__ import annotations

import contextlib
import enum
import io
import random
import re
import textwrap
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from unittest import SkipTest

from sybil import Document, Example, Sybil
from sybil.evaluators.python import pad
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer

from tools.compare import Tolerance, difference

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# Info strings that mean "Python" to a reader or a highlighter but that the harness would not run.
PYTHON_LIKE = re.compile(r"^[{.\s]*(python|py|pycon|python3|py3|ipython3?|pyi|pytb)\b", re.I)
IMAGE = re.compile(r"[ \t]*!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)[^)]*\)")
DIRECTIVE = re.compile(r"^[ \t]*<!--[ \t]*(?P<name>skip|tolerance)\b(?P<rest>.*?)-->[ \t]*$", re.M)
SKIP_NEXT = re.compile(r'^:\s*next\s+if\((?P<condition>.+),\s*reason="(?P<reason>[^"]+)"\)\s*$')
TOLERANCE = re.compile(r"^:(?P<settings>(\s+(relative|points)=[0-9.]+)+)\s*$")
STAMP = re.compile(r"<!-- outputs-stamp: (?P<fields>\{.*?\}) -->\n")
FENCES = RawFencedCodeBlockLexer(
    info_pattern=re.compile(r"(?P<info>[^\n]*)$\n", re.M),
    mapping={"info": "info", "source": "source"},
)
HIDDEN = DirectiveInHTMLCommentLexer(directive="invisible-code-block", arguments="python")
# What a skip condition may use besides the page's own names (`device`, ...). The notebooks add
# the same imports in front of a skipped cell's condition.
CONDITION_IMPORTS = {
    "torch": "import torch",
    "using_stand_in": "from snippets.cifar10 import using_stand_in",
}


class HarnessError(ValueError):
    """A chapter breaks the harness rules; the message names the line and the fix."""


class Mode(enum.Enum):
    CHECK = "check"  # compare with the page (pytest)
    RECORD = "record"  # remember what was printed, save figures (make outputs)


@dataclass(frozen=True)
class SkipIf:
    """A block runs only where `condition` is false; elsewhere it is skipped with `reason`."""

    condition: str
    reason: str

    def applies(self, namespace: dict) -> bool:
        scope = {name: _import_for_condition(name) for name in self.names()}
        return bool(eval(self.condition, {**scope, **namespace}))  # noqa: S307 (page source)

    def names(self) -> list[str]:
        return [name for name in CONDITION_IMPORTS if re.search(rf"\b{name}\b", self.condition)]


def _import_for_condition(name: str):
    scope: dict = {}
    exec(CONDITION_IMPORTS[name], scope)  # noqa: S102 (a fixed import line from the table above)
    return scope[name]


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
    """A Sybil parser for chapters: python fences, their outputs, figures and directives."""

    def __call__(self, document: Document):
        text, path = document.text, document.path
        fences = sorted(FENCES(document), key=lambda region: region.start)
        directives = {found.end(): found for found in DIRECTIVE.finditer(text)}
        used: set[int] = set()
        paired_outputs = set()
        for index, region in enumerate(fences):
            info = region.lexemes["info"].strip()
            if info == "python":
                following = fences[index + 1] if index + 1 < len(fences) else None
                block = self._block(text, path, region, following, directives, used)
                if block.output_span:
                    paired_outputs.add(block.output_span[0])
                    region.end = block.output_span[1]
                region.parsed = block
                region.evaluator = evaluate
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
        for end, found in directives.items():
            if end not in used:
                raise HarnessError(
                    f"{where(path, text, found.start())}: `<!-- {found['name']}{found['rest']}-->`"
                    " is not attached to a block: a skip directive goes right before a ```python"
                    " fence, a tolerance between a ```python fence and its ```output fence."
                )
        for region in HIDDEN(document):
            block = Block(region.lexemes["source"], hidden=True)
            block.line = line_of(text, region.start)
            region.parsed, region.evaluator = block, evaluate
            yield region

    @staticmethod
    def _block(text, path, region, following, directives, used) -> Block:
        indent = re.match(r"[ \t]*", text[region.start :]).group()
        block = Block(region.lexemes["source"], line_of(text, region.start), indent, region.end)
        block.listing = resolve_include(block.source, where(path, text, region.start))
        block.skip = skip_before(text, path, region.start, directives, used)
        after = region.end
        if following is not None and following.lexemes["info"].strip() == "output":
            between = text[region.end : following.start]
            tolerance = tolerance_in(between, path, text, region.end, directives, used)
            if not DIRECTIVE.sub("", between).strip():
                block.output_span = (following.start, following.end)
                block.expected = following.lexemes["source"]
                block.tolerance = tolerance
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


def skip_before(text: str, path: str, start: int, directives: dict, used: set) -> SkipIf | None:
    """The skip directive right before the fence at `start` (only whitespace between), if any."""
    for end, found in directives.items():
        if found["name"] == "skip" and end <= start and not text[end:start].strip():
            used.add(end)
            parsed = SKIP_NEXT.match(found["rest"])
            if parsed is None:
                raise HarnessError(
                    f"{where(path, text, found.start())}: a skip needs a condition and a reason:"
                    ' <!-- skip: next if(not torch.cuda.is_available(), reason="needs a CUDA'
                    ' GPU") -->; a block that never runs does not belong on the page.'
                )
            return SkipIf(parsed["condition"].strip(), parsed["reason"])
    return None


def tolerance_in(between: str, path, text, offset, directives, used) -> Tolerance | None:
    """The tolerance directive between a python fence and its output fence, if any."""
    found = DIRECTIVE.search(between)
    if found is None or found["name"] != "tolerance":
        return None
    used.add(offset + found.end())
    settings = TOLERANCE.match(found["rest"])
    if settings is None:
        raise HarnessError(
            f"{where(path, text, offset + found.start())}: write a tolerance as"
            " <!-- tolerance: relative=0.1 points=5 --> (relative: for numbers with decimals;"
            " points: percentage points for numbers followed by %)."
        )
    values = dict(pair.split("=") for pair in settings["settings"].split())
    try:
        return Tolerance(**{key: float(value) for key, value in values.items()})
    except ValueError as error:
        raise HarnessError(f"{where(path, text, offset + found.start())}: {error}") from None


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


# ---- running blocks ---------------------------------------------------------------------------


class BlockRunner:
    """Evaluates one block in its page's namespace, in CHECK or RECORD mode.

    Both modes run the code the same way and keep what it printed in `printed` (keyed by page and
    block position), so one run can serve later checks. CHECK compares with the page and requires
    the figure file; RECORD compares nothing and saves the figure the block drew.
    """

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.printed: dict[tuple[str, int], str] = {}

    def __call__(self, example: Example) -> str | None:
        __tracebackhide__ = True  # pytest shows the page line, not this frame
        block: Block = example.parsed
        if block.skip and block.skip.applies(example.namespace):
            raise SkipTest(block.skip.reason)
        if block.listing is not None:  # project code shown on the page; its own tests run it
            return check_listing(example, block)
        code = compile(pad(block.source, example.line), example.path, "exec", dont_inherit=True)
        printed = io.StringIO()
        figures_before = open_figures()
        with contextlib.redirect_stdout(printed):
            exec(code, example.namespace)  # noqa: S102 (the page's own code)
        example.namespace.pop("__builtins__", None)  # exec adds it; Sybil's namespace stays clean
        self.printed[(str(example.path), example.start)] = printed.getvalue()
        self.handle_figure(example, block, open_figures() - figures_before)
        if self.mode is Mode.RECORD or block.hidden:
            return None
        return compare(block, printed.getvalue())

    def handle_figure(self, example: Example, block: Block, numbers: set[int]) -> None:
        """A block followed by an image must draw exactly that figure; other blocks draw none."""
        import matplotlib.pyplot as plt

        from snippets.files import save_figure

        try:
            place = f"{shown(example.path)}:{example.line}"
            if block.image is None:
                if numbers:
                    raise HarnessError(
                        f"{place}: the block drew a figure; put ![alt](assets/NAME.svg) after it."
                    )
                return
            if len(numbers) != 1:
                raise HarnessError(
                    f"{place}: a block followed by an image must draw one figure,"
                    f" drew {len(numbers)}."
                )
            if self.mode is Mode.RECORD:
                save_figure(plt.figure(min(numbers)), block.image)
            else:
                require_figure(place, block)
        finally:
            plt.close("all")


CHECK = BlockRunner(Mode.CHECK)  # the runner pytest uses; its `printed` serves later tests


def evaluate(example: Example) -> str | None:
    """Sybil's evaluator for chapter blocks: the runner of the current mode."""
    __tracebackhide__ = True
    if example.document not in RUNNERS and str(example.path) in RAN_AS_READER:
        return from_reader_run(example)
    return RUNNERS.get(example.document, CHECK)(example)


RUNNERS: dict[Document, BlockRunner] = {}  # run_page's documents and their runner
# Pages that pytest does not run here but takes from their reader run, hidden blocks included
# (page path -> future of a tools.reader.ReaderRun; set by conftest.py): one run serves both.
RAN_AS_READER: dict[str, Future] = {}


def from_reader_run(example: Example) -> str | None:
    """A block's check, from what it did in its page's reader run (see RAN_AS_READER)."""
    __tracebackhide__ = True
    block: Block = example.parsed
    if block.listing is not None:
        return check_listing(example, block)
    run = RAN_AS_READER[str(example.path)].result()
    place = f"{shown(example.path)}:{example.line}"
    if block.line in run.failed:
        raise HarnessError(f"in the reader run of the page: {run.failed[block.line]}")
    if block.line not in run.printed:
        stop = run.problems[0] if run.problems else "no output came back"
        raise HarnessError(f"{place}: the reader run of the page stopped before it: {stop}")
    printed = run.printed[block.line]
    if block.skip and printed == f"Skipped: {block.skip.reason}\n":
        raise SkipTest(block.skip.reason)
    CHECK.printed[(str(example.path), example.start)] = printed
    if block.hidden:
        return None
    if block.image is not None:
        require_figure(place, block)
    return compare(block, printed)


def check_listing(example: Example, block: Block) -> None:
    """A listing of project code resolves and compiles (the project's own tests run it)."""
    compile(textwrap.dedent(block.listing), example.path, "exec", dont_inherit=True)


def require_figure(place: str, block: Block) -> None:
    """The figure file that follows a block exists (make outputs writes it)."""
    if not block.image.is_file():
        raise HarnessError(f"{place}: missing figure {block.image}; run `make outputs`.")


def compare(block: Block, got: str) -> str | None:
    if block.expected is None:
        if got.strip():
            return (
                "the block printed output but no ```output fence follows it;"
                f" run `make outputs`.\nGot:\n{textwrap.indent(got, '    ')}"
            )
        return None
    found = difference(block.expected, got, block.tolerance)
    if found is None:
        return None
    return (
        "the ```output fence differs from what the code printed; run `make outputs` to rewrite"
        f" it.\n{found}\nExpected (page):\n{textwrap.indent(block.expected, '    ')}"
        f"\nGot (code):\n{textwrap.indent(got, '    ')}"
    )


def open_figures() -> set[int]:
    import matplotlib.pyplot as plt

    return set(plt.get_fignums())


# ---- pages ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    line: int
    status: str  # "passed", "failed" or "skipped"
    message: str = ""


@dataclass
class PageRun:
    """What running a page gave: the parsed document, each block's outcome, what it printed."""

    document: Document
    outcomes: list[Outcome] = field(default_factory=list)
    printed: dict[int, str] = field(default_factory=dict)  # by block position in the page


def run_page(path: Path, mode: Mode, stop_on_error: bool = True) -> PageRun:
    """Run every block of a page in order, in one fresh namespace, with the runner of `mode`.

    In RECORD mode an exception in a block propagates (make outputs must not write half a page);
    in CHECK mode it does too unless `stop_on_error` is False, when it becomes a failed outcome.
    """
    from sybil.example import SybilFailure

    runner = BlockRunner(mode)
    document = sybil().parse(path)
    RUNNERS[document] = runner
    run = PageRun(document)
    setup(document.namespace)
    try:
        for example in document.examples():
            try:
                example.evaluate()
            except SkipTest as reason:
                run.outcomes.append(Outcome(example.line, "skipped", str(reason)))
            except SybilFailure as failure:
                run.outcomes.append(Outcome(example.line, "failed", failure.result))
            except Exception as error:
                if stop_on_error or mode is Mode.RECORD:
                    raise
                run.outcomes.append(Outcome(example.line, "failed", repr(error)))
            else:
                run.outcomes.append(Outcome(example.line, "passed"))
    finally:
        teardown(document.namespace)
        del RUNNERS[document]
    run.printed = {start: got for (_, start), got in runner.printed.items()}
    return run


def blocks(document: Document) -> list[Block]:
    """A parsed page's blocks, hidden ones included, in page order."""
    return [region.parsed for _, region in document.regions if isinstance(region.parsed, Block)]


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


def sybil() -> Sybil:
    return Sybil(
        parsers=[ChapterParser()],
        path=str(DOCS),
        patterns=["*.md"],
        setup=setup,
        teardown=teardown,
    )


def chapters() -> list[Path]:
    """Every page of the site, in file-name order (the order of the course notes)."""
    return sorted(DOCS.rglob("*.md"))


def has_code(path: Path) -> bool:
    """A page with runnable blocks: it gets a stamp, a notebook and a notebook page."""
    return "```python" in path.read_text(encoding="utf-8")
