"""The chapter harness: run every ```python block in docs/ and check what it prints.

Two entry points use this module:

    pytest                               # conftest.py collects docs/**/*.md through `sybil()`
    python -m tools.outputs [docs/X.md]  # `make outputs` (tools/outputs.py) rewrites the outputs

The rules a chapter follows are in the README ("Writing a chapter"). In short: a runnable block is a
fence whose info string is exactly `python`; the ```output fence right after it is what it prints;
an image `![alt](assets/x.svg)` right after those is the figure it draws; hidden setup lives in
`<!-- invisible-code-block: python -->` and GPU-only code sits behind `<!-- skip: next if(...) -->`.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import random
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from sybil import Document, Example, Region, Sybil
from sybil.evaluators.doctest import NUMBER, OutputChecker
from sybil.evaluators.python import pad
from sybil.parsers.markdown import SkipParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer

from snippets.files import atomic_write

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS | NUMBER
# Info strings that mean "Python" to a reader or a highlighter but that the harness would not run.
PYTHON_LIKE = re.compile(r"^[{.\s]*(python|py|pycon|python3|py3|ipython3?|pyi|pytb)\b", re.I)
IMAGE = re.compile(r"[ \t]*!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)[^)]*\)")
# A python fence that only includes project code with pymdownx.snippets is a listing: the site
# shows that code; the harness checks it resolves and compiles. Use the block form, which ruff's
# Markdown formatter leaves alone:  --8<-- / snippets/x.py:section / --8<--
INCLUDE_LINE = re.compile(r'^--8<-- "(?P<spec>[^"]+)"$')
STAMP = re.compile(r"<!-- outputs-stamp -->\n(?P<body>.*?)\n<!-- /outputs-stamp -->\n", re.S)
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
    indent: str = ""  # fences inside admonitions are indented
    code_end: int = 0  # position just after the python fence's closing line
    output_span: tuple[int, int] | None = None  # the ```output fence, if any
    expected: str | None = None  # its text
    image: Path | None = None  # the figure file that follows, if any
    image_span: tuple[int, int] | None = None  # where its ![alt](src) line is
    hidden: bool = False
    listing: str | None = None  # the included code, for a block of `--8<--` lines


class ChapterParser:
    """A Sybil parser for chapters: python fences, their output fences and figures."""

    def __call__(self, document: Document):
        text, path = document.text, document.path
        fences = sorted(FENCES(document), key=lambda region: region.start)
        paired_outputs = set()
        for index, region in enumerate(fences):
            info = region.lexemes["info"].strip()
            if info == "python":
                following = fences[index + 1] if index + 1 < len(fences) else None
                block = self._block(text, path, region, following)
                if block.output_span:
                    paired_outputs.add(block.output_span[0])
                    region.end = block.output_span[1]
                region.parsed, region.evaluator = block, evaluate
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
        for region in HIDDEN(document):
            region.parsed, region.evaluator = Block(region.lexemes["source"], hidden=True), evaluate
            yield region

    @staticmethod
    def _block(text: str, path: str, region: Region, following: Region | None) -> Block:
        indent = re.match(r"[ \t]*", text[region.start :]).group()
        block = Block(region.lexemes["source"], indent=indent, code_end=region.end)
        block.listing = resolve_include(block.source, where(path, text, region.start))
        after = region.end
        if (
            following is not None
            and following.lexemes["info"].strip() == "output"
            and not text[region.end : following.start].strip()
        ):
            block.output_span = (following.start, following.end)
            block.expected = following.lexemes["source"]
            after = following.end
        rest = text[after:].lstrip("\n")
        image = IMAGE.match(rest.split("\n", 1)[0])
        if image:
            if not image["alt"].strip():
                line = text.count("\n", 0, len(text) - len(rest)) + 1
                raise HarnessError(
                    f"{shown(path)}:{line}: the figure has no alt text; write ![what it shows](…)."
                )
            block.image = (Path(path).parent / image["src"]).resolve()
            image_start = len(text) - len(rest)
            block.image_span = (image_start, image_start + image.end())
        return block


def resolve_include(source: str, place: str) -> str | None:
    """The code a block of `--8<--` includes, or None for an ordinary block."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    if len(lines) >= 3 and lines[0] == lines[-1] == "--8<--":
        specs = lines[1:-1]
    elif lines and all(INCLUDE_LINE.match(line) for line in lines):
        specs = [INCLUDE_LINE.match(line)["spec"] for line in lines]
    else:
        return None
    return "\n".join(included_code(spec, place) for spec in specs)


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


def where(path: str, text: str, position: int) -> str:
    return f"{shown(path)}:{text.count(chr(10), 0, position) + 1}"


def shown(path: str | Path) -> str:
    """A path as a reader types it: relative to the project when inside it."""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class StrictNumberChecker(OutputChecker):
    """Sybil's NUMBER checker, but a number must round to the digits written on the page.

    Sybil allows a difference of one unit in the last written digit; we allow half a unit, so that
    changing any digit of an output fence makes the test fail.
    """

    def _remove_unwanted_precision(self, want: str, got: str) -> str:
        wants, gots = list(self._number_re.finditer(want)), list(self._number_re.finditer(got))
        if len(wants) != len(gots):
            return got
        for w, g in reversed(list(zip(wants, gots, strict=False))):
            fraction, exponent = w["fraction"], w["exponent1"] or w["exponent2"]
            precision = (len(fraction) if fraction else 0) - int(exponent or 0)
            if abs(float(w.group()) - float(g.group())) <= 0.5 * 10**-precision * (1 + 1e-9):
                got = got[: g.start()] + w.group() + got[g.end() :]
        return got


CHECKER = StrictNumberChecker()


def evaluate(example: Example) -> str | None:
    """Run one block in the chapter's namespace; compare what it printed with the page."""
    __tracebackhide__ = True
    block: Block = example.parsed
    if block.listing is not None:  # project code shown on the page; its own tests run it
        compile(block.listing, example.path, "exec", dont_inherit=True)
    code = compile(
        pad(block.source if block.listing is None else "", example.line),
        example.path,
        "exec",
        dont_inherit=True,
    )
    printed = io.StringIO()
    figures_before = open_figures()
    with contextlib.redirect_stdout(printed):
        exec(code, example.namespace)
    example.namespace.pop("__builtins__", None)
    check_figure(example, block, open_figures() - figures_before)
    recorded = getattr(example.document, "recorded", None)
    if recorded is not None:  # `make outputs`: remember, don't compare
        recorded[example.start] = printed.getvalue()
        return None
    return compare(block, printed.getvalue())


def compare(block: Block, got: str) -> str | None:
    if block.hidden:
        return None
    if block.expected is None:
        if got.strip():
            return (
                "the block printed output but no ```output fence follows it;"
                f" run `make outputs`.\nGot:\n{got}"
            )
        return None
    if CHECKER.check_output(block.expected, got, FLAGS):
        return None
    return (
        "the ```output fence differs from what the code printed; run `make outputs` to rewrite it."
        f"\nExpected (page):\n{textwrap.indent(block.expected, '    ')}"
        f"\nGot (code):\n{textwrap.indent(got, '    ')}"
    )


def open_figures() -> set[int]:
    import matplotlib.pyplot as plt

    return set(plt.get_fignums())


def check_figure(example: Example, block: Block, numbers: set[int]) -> None:
    """A block followed by an image must draw exactly that one figure; other blocks draw none."""
    import matplotlib.pyplot as plt

    try:
        where_ = f"{shown(example.path)}:{example.line}"
        if block.image is None:
            if numbers:
                raise HarnessError(
                    f"{where_}: the block drew a figure; put ![alt](assets/NAME.svg) after it."
                )
            return
        if len(numbers) != 1:
            raise HarnessError(
                f"{where_}: a block followed by an image must draw one figure, drew {len(numbers)}."
            )
        if getattr(example.document, "recorded", None) is not None:
            save_figure(plt.figure(min(numbers)), block.image)
        elif not block.image.is_file():
            raise HarnessError(f"{where_}: missing figure {block.image}; run `make outputs`.")
    finally:
        plt.close("all")


def save_figure(figure, path: Path) -> None:
    """Save a figure byte-for-byte reproducibly, atomically."""
    kind = path.suffix.lstrip(".")
    metadata = {"Date": None} if kind == "svg" else {"Software": None}
    buffer = io.BytesIO()
    figure.savefig(buffer, format=kind, metadata=metadata, bbox_inches="tight", dpi=100)
    atomic_write(path, buffer.getvalue())


def setup(namespace: dict) -> None:
    """Fresh, seeded state for every chapter, so its output is the same on every run."""
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
        parsers=[ChapterParser(), SkipParser()],
        path=str(DOCS),
        patterns=["*.md"],
        setup=setup,
        teardown=teardown,
    )


def chapters() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))
