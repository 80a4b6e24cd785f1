"""What a page links beyond Material's own files, page by page: a reader fetches only what the
page uses (tests/test_page_weight.py holds the first load of each kind of page to a budget).

    html = with_page_assets(html, "en")   # in the MkDocs hooks, on every page's final HTML

- KaTeX (docs/assets/vendor/katex: its style sheet and scripts, 300 kB before compression) only
  on a page with math: a chapter's math as pymdownx.arithmatex marks it, or a notebook page's
  `$...$` in its Markdown cells (docs/javascripts/katex.js renders both).
- The CJK font faces of the page's language (tools/site/cjk_font.py writes them): an English
  page's few glosses come from small slices, a Chinese page's text from the slices it shows.
- Material's search dialog gets a name for screen readers (axe-core's aria-dialog-name).
"""

from __future__ import annotations

import re

from tools.site.site_text import text

KATEX_STYLES = ["assets/vendor/katex/katex.min.css"]
# katex.js first: it subscribes to Material's page changes, which fire once all scripts ran.
KATEX_SCRIPTS = [
    "javascripts/katex.js",
    "assets/vendor/katex/katex.min.js",
    "assets/vendor/katex/auto-render.min.js",
]
# The site's own style sheet and first script (mkdocs.yml): what a page adds goes before them,
# with the same path to the site's root, so that extra.css still has the last word.
OWN_STYLE = re.compile(r'<link rel="stylesheet" href="(?P<root>[^"]*)stylesheets/extra\.css">')
OWN_SCRIPT = re.compile(r'<script src="(?P<root>[^"]*)javascripts/overflow\.js"></script>')
ARITHMATEX = 'class="arithmatex"'
# A notebook page's Markdown cell (nbconvert keeps its TeX as the notebook has it: $...$).
MARKDOWN_CELL = re.compile(r'jp-MarkdownOutput"[^>]*>(?P<cell>.*?)</div>', re.S)
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def has_math(html: str) -> bool:
    if ARITHMATEX in html:
        return True
    return any("$" in found["cell"] for found in MARKDOWN_CELL.finditer(html))


def with_page_assets(html: str, language: str) -> str:
    """The page with its language's CJK font faces, KaTeX where it has math, and a named search
    dialog."""
    styles = [f"stylesheets/cjk-{language}.css"]
    scripts = []
    if has_math(html):
        styles = KATEX_STYLES + styles
        scripts = KATEX_SCRIPTS
    html = before(
        OWN_STYLE, html, [f'<link rel="stylesheet" href="{{}}{path}">' for path in styles]
    )
    html = before(OWN_SCRIPT, html, [f'<script src="{{}}{path}"></script>' for path in scripts])
    name = text(language, "search dialog")
    return html.replace(SEARCH_DIALOG, SEARCH_DIALOG.replace(">", f' aria-label="{name}">'), 1)


def before(anchor: re.Pattern, html: str, tags: list[str]) -> str:
    """`tags` (each with {} for the path to the site's root) inserted before `anchor`."""
    if not tags:
        return html
    found = anchor.search(html)
    if found is None:
        raise ValueError(
            f"a page without {anchor.pattern}: mkdocs.yml's extra_css and"
            " extra_javascript name the files that a page's own go before"
        )
    added = "".join(tag.format(found["root"]) + "\n" for tag in tags)
    return html[: found.start()] + added + html[found.start() :]
