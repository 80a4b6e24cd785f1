"""The plain Markdown of a page, read and written here only: fences, the title, headings, comments.

    title(text)                        # the text of the page's `# Title` line
    fenced("make serve", "bash")       # a fenced block, as the site or a notebook shows it
    output_fence("tensor([1, 2])\n", indent="    ")   # what `make outputs` writes after a block
    prose(text)                        # the page with all that is not prose blanked out

The syntax beyond plain Markdown (directives, stamp, front matter) is tools/pages/syntax.py's;
every other module of tools/ asks this module, syntax.py or tools/pages/page.py (the Page), and
writes no fence, heading or comment of its own (tests/test_page_model.py checks it).
"""

from __future__ import annotations

import re

FENCE_MARK = "```"  # how a fenced block opens and closes
FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```", re.M | re.S)  # a whole fenced block
FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})")  # the line that opens or closes a fenced block
PYTHON_FENCE = f"{FENCE_MARK}python"  # a runnable block opens with this line (the README's rule)
OUTPUT_FENCE = f"{FENCE_MARK}output"  # ... and what it prints follows in one that opens so
RUNNABLE_FENCE = re.compile(r"^[ \t]*```python$", re.M)
# A listing of project code: a python fence holding `--8<--` lines (tools/pages/harness.py).
LISTING_FENCE = re.compile(r"^(?P<indent>[ \t]*)```python\n(?=(?P=indent)--8<--\n)", re.M)
TITLE = re.compile(r"^# (?P<title>.+)$", re.M)
TITLE_LINE = re.compile(r"^# .*\n", re.M)  # the title line with its newline: the stamp goes after
HEADING = re.compile(r"^(?P<level>#{1,6}) ", re.M)
COMMENT = re.compile(r"<!--.*?-->", re.S)  # an HTML comment: directives, the stamp, hidden blocks
COMMENT_LINE = re.compile(rf"{COMMENT.pattern}\n?", re.S)  # ... with the newline after it
INCLUDE = re.compile(r'^[ \t]*--8<-- "(?P<path>[^"]+)"[ \t]*$', re.M)  # a whole-file include
EMPTY_INCLUDE = re.compile(r'^[ \t]*--8<-- "[^"]*"[ \t]*$')
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# The opener box right under the title, and a solution box, in English or in Chinese (the words
# are the page's, written by its author: tools/site/site_text.py has none of them).
OPENER = re.compile(
    r'^!!! abstract "(?:In this chapter|本章内容)"\n\n(?P<body>(?:    .*\n|\n)+)', re.M
)
SOLUTION = re.compile(r'^[ \t]*\?\?\? success "(?:Solution|解答)', re.M)
OPENER_USAGE = '`!!! abstract "In this chapter"`'


def title(text: str) -> str | None:
    """The text of the page's `# Title` line, or None where it has none."""
    found = TITLE.search(text)
    return found["title"] if found else None


def after_title(text: str, line: str) -> str:
    """The page with `line` put under its `# Title` line, after a blank line."""
    heading = TITLE_LINE.search(text)
    if heading is None:
        raise ValueError("a page needs a `# Title` line; the stamp goes right under it.")
    return text[: heading.end()] + "\n" + line + text[heading.end() :]


def fenced(body: str, info: str = "", indent: str = "") -> str:
    """A fenced block: `info` follows the opening mark as written (" { .bash .wrap }", "bash")."""
    return f"{indent}{FENCE_MARK}{info}\n{body}\n{indent}{FENCE_MARK}"


def output_fence(printed: str, indent: str = "") -> str:
    """The ```output fence of what a block printed, indented as the block is."""
    body = "\n".join((indent + line).rstrip() for line in printed.rstrip().split("\n"))
    return f"{indent}{OUTPUT_FENCE}\n{body}\n{indent}{FENCE_MARK}"


def has_code(text: str) -> bool:
    """Whether a page has runnable blocks (README: a fence whose info string is `python`)."""
    return PYTHON_FENCE in text


def with_listings_marked(markdown: str, info: str) -> str:
    """Listings of project code open with `info` instead of `python` (the site's classes)."""
    return LISTING_FENCE.sub(rf"\g<indent>{FENCE_MARK}{info}\n", markdown)


def without_fences(text: str, by: str = "") -> str:
    """The page with every fenced block replaced by `by` (a `#` line in code is no heading)."""
    return FENCE.sub(by, text)


def without_comments(text: str, by: str = "", line: bool = False) -> str:
    """The text with each HTML comment replaced by `by` (with the newline after it: `line`)."""
    return (COMMENT_LINE if line else COMMENT).sub(by, text)


def heading_levels(text: str) -> list[int]:
    """The level of each heading outside code, in order (1 for the title)."""
    return [len(found["level"]) for found in HEADING.finditer(without_fences(text))]


def heading_lines(text: str) -> list[str]:
    """Each heading line outside code, in order (front matter cut out before)."""
    return [line for line in without_fences(text).split("\n") if HEADING.match(line)]


def exercises(text: str) -> int:
    """How many solution boxes the page has: one per exercise."""
    return len(SOLUTION.findall(without_fences(text)))


def opener(text: str) -> str | None:
    """The first paragraph of the page's opener box, on one line, or None without one."""
    found = OPENER.search(text)
    return " ".join(found["body"].strip().split("\n\n")[0].split()) if found else None


def with_heading_ids(markdown: str, ids: list[str]) -> str:
    """Each heading outside code given the next id of `ids` (`{ #id }`); a heading that has
    attributes of its own keeps them, and uses up its id."""
    ids = list(ids)
    lines, fence = markdown.split("\n"), None
    for number, line in enumerate(lines):
        found = FENCE_LINE.match(line)
        if found and (fence is None or found[1].startswith(fence)):
            fence = None if fence else found[1][0] * 3
            continue
        if fence is None and HEADING.match(line) and ids and "{" not in line:
            lines[number] = f"{line} {{ #{ids.pop(0)} }}"
        elif fence is None and HEADING.match(line) and ids:
            ids.pop(0)
    return "\n".join(lines)


def without_heading_code(text: str) -> str:
    """Headings without code spans (a notebook's table of contents drops code)."""
    return re.sub(r"^(#+ .*)$", lambda heading: heading[1].replace("`", ""), text, flags=re.M)


def sections(text: str) -> list[str]:
    """The text cut before each second-level heading."""
    return re.split(r"\n(?=## )", text)


def prose(markdown: str, code_spans: bool = False) -> str:
    """A page's Markdown with all that is not prose blanked out, line for line: the front
    matter, fenced blocks (code and outputs), HTML comments (hidden blocks, directives, the
    stamp), include lines and inline code (kept with `code_spans`: a value the text quotes).
    Blank lines take their place, so paragraphs part there and line numbers stay the page's."""

    def blank(found: re.Match) -> str:
        return "\n" * found[0].count("\n")

    text = COMMENT.sub(blank, markdown)
    lines = text.split("\n")
    if lines and lines[0] == "---":  # front matter
        end = lines.index("---", 1) if "---" in lines[1:] else 0
        lines[: end + 1] = [""] * (end + 1)
    fence = None
    for number, line in enumerate(lines):
        found = FENCE_LINE.match(line)
        if fence is None and found:
            fence = found[1]
            lines[number] = ""
        elif fence is not None:
            if found and found[1].startswith(fence) and not line.strip()[len(found[1]) :].strip():
                fence = None
            lines[number] = ""
        elif EMPTY_INCLUDE.match(line):
            lines[number] = ""
        elif not code_spans:
            lines[number] = CODE_SPAN.sub(lambda code: " " * len(code[0]), line)
    return "\n".join(lines)
