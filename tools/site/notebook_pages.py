"""Notebook pages: each chapter's notebook, rendered by mkdocs-jupyter, reading like its chapter.

    html = notebook_page(html, page, config)   # in the MkDocs hooks, for pages under notebooks/

A notebook page loads no third-party script, stays out of search, links back to its chapter and
offers its .ipynb and "Open in Colab"; it shows the chapter's badge before each skipped cell and
the chapter's figures (with their alt text, readable on a phone); its headings get the ids its
table of contents links to; the 600 kB of JupyterLab CSS that nbconvert inlines into each page
becomes one shared file.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import re
from pathlib import Path

from tools.pages.page import Page
from tools.pages.syntax import SkipIf
from tools.site import notebooks
from tools.site.chapter_page import colab_button, in_language, skip_badge, to_site_root
from tools.site.figures import figure_links
from tools.site.site_text import badge, text

NOTEBOOKS = notebooks.NOTEBOOKS
EXTERNAL_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', re.S)
INLINE_STYLE = re.compile(r'<style type="text/css">(?P<css>.*?)</style>', re.S)
NOTEBOOK_CSS = "assets/notebook"  # the notebook pages' shared style sheets, in the site
# The headings that a notebook page's table of contents lists (mkdocs.yml: toc_depth 2).
HEADING = re.compile(r"<h[12] id=\"(?P<id>[^\"]*)\"")


def heading_anchors(html: str, toc_items: list) -> str:
    """Give each heading the id its table-of-contents entry links to, when nbconvert's differs
    (a Chinese heading gets none from nbconvert). `toc_items` are in page order."""
    wanted = iter([item.url.lstrip("#") for item in toc_items])

    def add(found: re.Match) -> str:
        anchor = next(wanted, None)
        if anchor is None or anchor == found["id"]:
            return found.group()
        return f'<span id="{anchor}"></span>{found.group()}'

    return HEADING.sub(add, html)


def flattened(items):
    """A table of contents' entries, every level, in page order."""
    for item in items:
        yield item
        yield from flattened(item.children)


def shared_style_sheet(css: str, site_dir: Path, to_root: str) -> str:
    """An inline style sheet of a notebook page, written once into the site as a file that every
    notebook page links to: nbconvert inlines about 600 kB of JupyterLab CSS into each one, and
    as one file the reader's browser fetches it once."""
    name = hashlib.sha256(css.encode()).hexdigest()[:16] + ".css"
    path = site_dir / NOTEBOOK_CSS / name
    if not path.is_file():  # the same CSS for every page: the first page writes it
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(css, encoding="utf-8")
    return f'<link rel="stylesheet" href="{to_root}{NOTEBOOK_CSS}/{name}">'


def notebook_page(html: str, page, config, language: str) -> str:
    """A notebook page: no third-party scripts, out of search, and a link back to its chapter.

    Its code areas can scroll, so they take keyboard focus; its headings also get the ids that
    the page's table of contents links to (mkdocs-jupyter takes those from a Markdown rendering,
    nbconvert writes others for headings with punctuation or code). Like its chapter, it shows
    a badge before each skipped cell and its figures from the site's files, readable on a phone;
    links to the site stay on this copy of it; "Open in Colab" sits next to "Download notebook".
    """
    page.meta["search"] = {"exclude": True}
    html = EXTERNAL_SCRIPT.sub("", html)
    site_dir, to_root = Path(config.site_dir), to_site_root(page)
    html = INLINE_STYLE.sub(lambda found: shared_style_sheet(found["css"], site_dir, to_root), html)
    html = html.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
    html = heading_anchors(html, list(flattened(page.toc)))
    if config.site_url:  # the notebook links the published site, for a reader in Colab
        html = re.sub(rf'(?<=(?:src|ref)="){re.escape(config.site_url)}', to_root, html)
    stem = Path(page.file.src_uri).stem
    html = figure_links(notebook_cells(html, page, config, stem, language), page, config)
    buttons = [
        f'<a class="md-button" href="../../{stem}/">{text(language, "back to the chapter")}</a>',
        f'<a class="md-button" href="{stem}.ipynb" download>'
        f"{text(language, 'download notebook')}</a>",
        *colab_button(stem, config, language),
    ]
    return f'<p class="notebook-links">{" ".join(buttons)}</p>' + html


NOTEBOOK_CELL = re.compile(
    r'<div class="jp-Cell jp-CodeCell jp-Notebook-cell[^"]*" id="cell-id=(?P<id>[^"]+)">'
)
EMBEDDED_FIGURE = re.compile(r'<img alt="[^"]*"(?: class="[^"]*")? src="data:image/[^"]+"\s*/?>')


def notebook_cells(html: str, page, config, stem: str, language: str) -> str:
    """Each code cell of a notebook page, with what the chapter shows around its block: the
    skip badge (the notebook's own Markdown line before the cell, styled as on the chapter), and
    the figure as the site's file with the chapter's alt text (nbconvert inlines it, with "No
    description has been provided for this image")."""
    chapter = in_language(Path(config.docs_dir) / f"{stem}.md", language)
    blocks = {block.line: block for block in Page.of(chapter).blocks}
    notebook = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    lines = {
        cell.get("id"): cell["metadata"][notebooks.METADATA_KEY]["line"]
        for cell in notebook["cells"]
        if notebooks.METADATA_KEY in cell.get("metadata", {})
    }
    cells = list(NOTEBOOK_CELL.finditer(html))
    edits = []  # (start, end, new text), in page order
    for index, found in enumerate(cells):
        end = cells[index + 1].start() if index + 1 < len(cells) else len(html)
        block = blocks.get(lines.get(found["id"]))
        if block is not None and block.skip is not None:
            after = cells[index - 1].end() if index else 0
            edits.append(notebook_badge(html, after, found.start(), block.skip, language))
        if block is not None and block.image is not None and block.alt is not None:
            source = block.image.resolve().relative_to(Path(config.docs_dir).resolve())
            alt = html_lib.escape(block.alt)
            figure = f'<img alt="{alt}" src="{to_site_root(page)}{source.as_posix()}">'
            embedded = EMBEDDED_FIGURE.search(html, found.end(), end)
            if embedded is not None:
                edits.append((embedded.start(), embedded.end(), figure))
    pieces, position = [], 0
    for start, stop, new in edits:
        pieces += [html[position:start], new]
        position = stop
    return "".join(pieces) + html[position:]


def notebook_badge(html: str, after: int, cell: int, skip: SkipIf, language: str) -> tuple:
    """The edit that shows a skipped cell's badge: the notebook's Markdown line with the badge's
    title (tools/site/notebooks.py writes it) styled as the badge, or, without one, a badge."""
    title, _ = badge(skip, language)
    # The line as tools/site/notebooks.py writes it, with the language's separator (":" or "："):
    # matched with the wrong one, the line stays and a second badge is added (the zh pages were).
    separator = text(language, "badge separator").strip()
    line = html.rfind(f"<p><strong>{html_lib.escape(title)}</strong>{separator}", after, cell)
    if line < 0:
        return (cell, cell, skip_badge(skip, language) + "\n")
    condition = html_lib.escape(skip.condition)
    opening = f'<p class="skip-badge skip-badge--{skip.kind}" data-skip-if="{condition}">'
    return (line, line + len("<p>"), opening)
