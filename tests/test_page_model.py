"""One page model: tools/pages/ reads and writes a page's syntax, every other module asks it.

The Page (tools/pages/page.py) gives a page's blocks, outputs, directives, stamp, title, front
matter, language and twin; tools/pages/markup.py and syntax.py hold the Markdown and the syntax
beyond it. No module of tools/ outside tools/pages/ spells a fence, a title or heading, the
stamp's marker, a directive's comment, an opener or solution box's words, or a translation's file
name: in a regex or a plain string, each would be a second reader of the same syntax.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import tools
from tools.pages import markup, syntax
from tools.pages.page import Page

TOOLS = Path(tools.__file__).parent
PAGE_MODEL = TOOLS / "pages"
# A page's syntax, in the forms a module would spell it, by what it is.
FORMS = {
    "a fence": re.compile(r"```|~~~"),
    # A `#` heading in a regex: after an anchor, a group, a lookahead or a named group's `>` (a
    # text that starts "# " is a Python comment, as in a notebook's setup cell, not a heading).
    "a title or heading": re.compile(r"(?:\^|\(|\?=|>)#(?:#|\+|\{[\d,]+\}|\))* "),
    # The stamp's comment (the site's `outputs-stamp` class is how the rendered stamp is found).
    "the stamp's marker": re.compile(r"outputs-stamp:"),
    "an HTML comment (directives, the stamp, hidden blocks)": re.compile(r"<!--|-->"),
    "a hidden block's directive": re.compile(r"invisible-code-block"),
    "an opener or solution box": re.compile(
        r'(?:abstract|success) "|In this chapter|本章内容|Solution'
    ),
    "a translation's file name": re.compile(r"\.zh\.md|\*\.zh"),
}


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module and its classes and functions (prose about
    the syntax is fine: it is code that must not read or write it)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def syntax_spelled(source: str, name: str) -> list[str]:
    """`name:line: <what> in <string>` for each string of `source` that spells page syntax."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
            continue
        found += [
            f"{name}:{node.lineno}: {what} in {node.value[:60]!r}"
            for what, form in FORMS.items()
            if form.search(node.value)
        ]
    return found


def outside_the_page_model() -> list[Path]:
    return [path for path in sorted(TOOLS.rglob("*.py")) if not path.is_relative_to(PAGE_MODEL)]


def test_no_module_outside_the_page_model_spells_page_syntax():
    found = [
        line
        for path in outside_the_page_model()
        for line in syntax_spelled(path.read_text(encoding="utf-8"), str(path.relative_to(TOOLS)))
    ]
    assert found == [], "ask tools/pages (Page, markup, syntax, languages) instead:\n" + "\n".join(
        found
    )


@pytest.mark.parametrize(
    "spelled",
    [
        'FENCE = re.compile(r"^[ \\t]*```.*?^[ \\t]*```", re.M | re.S)',
        'listing = f"```python\\n{code}\\n```"',
        'title = re.search(r"^# (.+)$", text, re.M)',
        'HEADING = re.compile(r"^(?P<level>#{1,6}) ", re.M)',
        'parts = re.split(r"\\n(?=## )", text)',
        'text = re.sub(r"^(#+ .*)$", strip, text, flags=re.M)',
        'STAMP = re.compile(r"<!-- outputs-stamp: (?P<fields>.*?) -->")',
        'markdown = markdown.replace("<!-- chapter-outline -->", table)',
        "SOLUTION = re.compile(r'^\\?\\?\\? success \"', re.M)",
        'title = text(language, "Solution")',
        'pages = DOCS.rglob("*.zh.md")',
        'chinese = str(path).endswith(".zh.md")',
    ],
)
def test_the_check_finds_each_form_of_page_syntax(spelled: str):
    assert syntax_spelled(spelled, "module.py") != []


def test_the_check_leaves_docstrings_and_python_comments_alone():
    source = '"""The ```output fence, `# Title` and <!-- outputs-stamp -->."""\nX = "# Setup: go"\n'
    assert syntax_spelled(source, "module.py") == []


PAGE = """# Tensors

Prose.

```python
print(1)
```

```output
1
```
"""


def test_a_page_is_parsed_once_per_text_and_afresh_when_its_file_changes(tmp_path: Path):
    path = tmp_path / "01-tensors.md"
    path.write_text(PAGE, encoding="utf-8")
    page = Page.of(path)
    assert Page.of(path) is page
    assert page.document is page.document  # parsed once
    path.write_text(PAGE.replace("print(1)", "print(2)"), encoding="utf-8")
    assert Page.of(path).blocks[0].source == "print(2)\n"


def test_a_page_gives_what_it_says(tmp_path: Path):
    path = tmp_path / "01-tensors.zh.md"
    path.write_text("---\nruns: once\n---\n" + PAGE, encoding="utf-8")
    page = Page.of(path)
    assert (page.title, page.language, page.is_translation) == ("Tensors", "zh", True)
    assert page.twin == tmp_path / "01-tensors.md" == page.english
    assert page.runs_once and page.front_matter == {"runs": "once"}
    assert page.stamp is None and page.has_code
    assert [(block.source, block.expected) for block in page.blocks] == [("print(1)\n", "1\n")]


def test_the_stamp_goes_under_the_title_and_then_in_place_of_the_old_one():
    first = syntax.stamp_comment({"torch": "2.14.1"})
    stamped = syntax.with_stamp(PAGE, first)
    assert stamped.startswith("# Tensors\n\n" + first)
    second = syntax.stamp_comment({"torch": "2.15.0"})
    assert syntax.with_stamp(stamped, second) == stamped.replace(first, second)
    assert syntax.read_stamp(syntax.with_stamp(stamped, second)) == {"torch": "2.15.0"}


def test_a_page_without_a_title_gets_no_stamp():
    with pytest.raises(ValueError, match="needs a `# Title` line"):
        syntax.with_stamp("Prose.\n", syntax.stamp_comment({"torch": "2.14.1"}))


def test_an_output_fence_is_indented_as_its_block():
    assert markup.output_fence("a\n\nb\n", "    ") == "    ```output\n    a\n\n    b\n    ```"
