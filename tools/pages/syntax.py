"""The page syntax that chapters use beyond plain Markdown: defined here, and only here.

    <!-- skip: next if(not torch.cuda.is_available(), reason="needs a CUDA GPU") -->
    <!-- tolerance: relative=0.05 points=2 -->
    <!-- outputs-stamp: {"torch": "2.14.1", "device": "CPU (x86_64)", "date": "2026-11-29"} -->
    ---
    runs: once
    ---

- A **skip directive** goes right before a ```python fence: the block runs only where its
  condition is false, and is reported as skipped, with its reason, elsewhere. A notebook prints
  `skipped_text(reason)` in its place, and the site shows it as a badge that says what the block
  needs (`SkipIf.kind`; its words are tools/site/site_text.py's).
- A **tolerance directive** goes between a ```python fence and its ```output fence
  (tools/pages/tolerance.py; tools/verify/compare.py says what it allows).
- The **stamp** under the title says what produced the page's outputs; `make outputs` writes it.
- **Front matter** `runs: once` marks a page that trains for seconds: `make test` runs it once,
  in a reader's kernel, hidden checks included (tools/verify/page_runs.py), instead of twice.

The harness (tools/pages/harness.py), `make outputs` (tools/publish/outputs.py), the notebooks
(tools/site/notebooks.py), the reader's run (tools/verify/reader.py) and the site hooks
(tools/site/chapter_page.py) all read the syntax through this module. Directives are found with
Sybil's own lexer for directives in HTML comments, and a skip's arguments have the grammar of
Sybil's `skip: next if(condition, reason=...)`. Sybil's SkipParser itself is not used: it decides
at run time and attaches nothing to the block, while the notebooks, the reader and the badges
need each block's condition when the page is parsed.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sybil import Document
from sybil.parsers.abstract.skip import SKIP_ARGUMENTS_PATTERN
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer

from tools.pages import markup
from tools.pages.tolerance import Tolerance

# Sybil's lexer for `<!-- name: arguments -->`, for the two directives a block may carry.
DIRECTIVES = DirectiveInHTMLCommentLexer(directive="skip|tolerance")
COMMENT_END = re.compile(r"--+>")
TOLERANCE_ARGUMENTS = re.compile(r"^(?P<settings>(\s*(relative|points)=[0-9.]+)+)\s*$")
STAMP = re.compile(r"<!-- outputs-stamp: (?P<fields>\{.*?\}) -->\n?")
FRONT_MATTER = re.compile(r"\A---\n(?P<body>.*?)\n---\n", re.S)
# What a skip condition may use besides the page's own names (`device`, ...). The notebooks put
# the same imports in front of a skipped cell's condition.
CONDITION_IMPORTS = {
    "torch": "import torch",
    "using_stand_in": "from snippets.cifar10 import using_stand_in",
}
GPU_ONLY = "not torch.cuda.is_available()"  # the condition of a block that needs a CUDA GPU
WITHOUT_GPU = "torch.cuda.is_available()"  # ... and of its twin for machines without one


class SyntaxProblem(ValueError):
    """A directive is written wrong; the message says how to write it."""


@dataclass(frozen=True)
class Directive:
    """A skip or tolerance directive found in a page (or in its rendered HTML)."""

    name: str  # "skip" or "tolerance"
    arguments: str
    start: int
    end: int


def directives(text: str) -> Iterator[Directive]:
    """Every skip and tolerance directive in `text`, in order."""
    for region in DIRECTIVES(Document(text, "")):
        arguments = (region.lexemes["arguments"] or "").strip()
        end = COMMENT_END.match(text, region.end).end()  # Sybil's region stops before the `-->`
        yield Directive(region.lexemes["directive"], arguments, region.start, end)


@dataclass(frozen=True)
class SkipIf:
    """A block runs only where `condition` is false; elsewhere it is skipped with `reason`."""

    condition: str
    reason: str

    def applies(self, namespace: dict) -> bool:
        scope = {name: import_for_condition(name) for name in self.names()}
        return bool(eval(self.condition, {**scope, **namespace}))  # noqa: S307 (page source)

    def names(self) -> list[str]:
        """The names of CONDITION_IMPORTS that the condition uses."""
        return [name for name in CONDITION_IMPORTS if re.search(rf"\b{name}\b", self.condition)]

    @property
    def kind(self) -> str:
        """ "gpu": the block runs only where CUDA exists; "no-gpu": only where it does not;
        "conditional": anything else (real data only, no accelerator, ...)."""
        condition = ast.unparse(ast.parse(self.condition, mode="eval"))
        return {GPU_ONLY: "gpu", WITHOUT_GPU: "no-gpu"}.get(condition, "conditional")

    def skipped_text(self) -> str:
        """What a skipped block prints in a notebook and in a reader's run, newline included."""
        return f"Skipped: {self.reason}\n"


def import_for_condition(name: str):
    scope: dict = {}
    exec(CONDITION_IMPORTS[name], scope)  # noqa: S102 (a fixed import line from the table above)
    return scope[name]


SKIP_USAGE = (
    "a skip needs a condition and a reason: <!-- skip: next if(not torch.cuda.is_available(),"
    ' reason="needs a CUDA GPU") -->; a block that never runs does not belong on the page.'
)


def parse_skip(arguments: str) -> SkipIf:
    """`next if(CONDITION, reason="...")`, as Sybil's skip directive spells it, into a SkipIf."""
    found = SKIP_ARGUMENTS_PATTERN.match(arguments)
    action, rest = found.groups() if found else (None, None)
    if action != "next" or not rest or not rest.startswith("if"):
        raise SyntaxProblem(SKIP_USAGE)
    try:
        call = ast.parse(f"if_{rest[2:]}", mode="eval").body
    except SyntaxError:
        raise SyntaxProblem(SKIP_USAGE) from None
    reason = {keyword.arg: keyword.value for keyword in getattr(call, "keywords", [])}.get("reason")
    valid = isinstance(call, ast.Call) and len(call.args) == 1 and len(call.keywords) == 1
    if not valid or not isinstance(reason, ast.Constant) or not str(reason.value).strip():
        raise SyntaxProblem(SKIP_USAGE)
    return SkipIf(ast.get_source_segment(f"if_{rest[2:]}", call.args[0]), reason.value)


def parse_tolerance(arguments: str) -> Tolerance:
    """`relative=0.05 points=2` into a Tolerance, within the limits of tools/pages/tolerance.py."""
    settings = TOLERANCE_ARGUMENTS.match(arguments)
    if settings is None:
        raise SyntaxProblem(
            "write a tolerance as <!-- tolerance: relative=0.1 points=5 --> (relative: for"
            " numbers with decimals; points: percentage points for numbers followed by %)."
        )
    values = dict(pair.split("=") for pair in settings["settings"].split())
    try:
        return Tolerance(**{key: float(value) for key, value in values.items()})
    except ValueError as error:
        raise SyntaxProblem(str(error)) from None


def tolerance_comment(arguments: str) -> str:
    """The tolerance directive that declares `arguments` ("relative=0.05 points=2")."""
    parse_tolerance(arguments)  # written only as it can be read back
    return f"<!-- tolerance: {arguments} -->"


def read_stamp(text: str) -> dict | None:
    """The fields of the page's stamp, or None where it has none yet."""
    found = STAMP.search(text)
    return json.loads(found["fields"]) if found else None


def stamp_comment(fields: dict) -> str:
    """The stamp line `make outputs` writes under the title."""
    return f"<!-- outputs-stamp: {json.dumps(fields, ensure_ascii=False)} -->\n"


def stamp_line(text: str) -> str | None:
    """The page's stamp as written, newline included, or None where it has none yet."""
    found = STAMP.search(text)
    return found[0] if found else None


def with_stamp(text: str, stamp: str) -> str:
    """The page with `stamp` (a stamp line) in place of its stamp, or under its title."""
    old = STAMP.search(text)
    if old:
        return text[: old.start()] + stamp + text[old.end() :]
    return markup.after_title(text, stamp)


def without_stamp(html: str) -> str:
    """A rendered page without its stamp comment (the site shows the stamp its own way)."""
    return STAMP.sub("", html)


def placeholder(name: str) -> str:
    """The comment by which a page asks the site for something it writes (`setup: clone-line`)."""
    return f"<!-- {name} -->"


def front_matter(text: str) -> dict:
    """The page's YAML front matter (`---` lines at the very top), or {} where it has none."""
    import yaml

    found = FRONT_MATTER.match(text)
    if found is None:
        return {}
    settings = yaml.safe_load(found["body"]) or {}
    if not isinstance(settings, dict):
        raise SyntaxProblem("front matter holds `key: value` lines, such as `runs: once`")
    return settings


def without_front_matter(text: str) -> str:
    return FRONT_MATTER.sub("", text, count=1)


def runs_once(text: str) -> bool:
    """Whether the page declares `runs: once` (see the module docstring)."""
    runs = front_matter(text).get("runs", "twice")
    if runs not in ("once", "twice"):
        raise SyntaxProblem(f"`runs:` in the front matter is `once` or absent, got {runs!r}")
    return runs == "once"
