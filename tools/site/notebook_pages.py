"""Notebook pages: each chapter's notebook, rendered by mkdocs-jupyter, reading like its chapter.

    html = notebook_page(html, page, config, "en")   # in the MkDocs hooks, for notebooks/<chapter>/

A notebook page loads no third-party script and stays out of search. As on its chapter, its title
comes first, then one row of buttons ("Chapter", "Download notebook", "Open in Colab") and the
stamp; a badge before each skipped cell, a GPU-only output labelled verified or expected, the
solutions folded, the chapter's figures (with their alt text, readable on a phone); no cell tags.
Cells are found by what tools/site/notebooks.py records in the notebook of each one (the line
of its block, the block a badge is about, the fold it is part of), never by their words. Its
headings get the ids its table of contents links to; the 600 kB of JupyterLab CSS that nbconvert
inlines into each page becomes a shared file of the rules the pages use (tools/site/css_trim.py).
Its nav and footer: tools/site/notebook_nav.py.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import re
from pathlib import Path
from typing import NamedTuple

from tools.pages import gpu_proofs
from tools.pages.page import Page
from tools.site import notebooks
from tools.site.chapter_page import (
    colab_button,
    in_language,
    skip_badge,
    stamp,
    to_site_root,
    verified,
)
from tools.site.css_trim import classes_of, used_rules
from tools.site.figures import figure_links
from tools.site.site_text import text

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
    """An inline style sheet of a notebook page, written once into the site as a file that the
    notebook pages link to: nbconvert inlines about 600 kB of JupyterLab CSS into each one, and
    as one file the reader's browser fetches it once (`css` is cut down to what the pages use
    before: pages with the same classes share the file)."""
    name = hashlib.sha256(css.encode()).hexdigest()[:16] + ".css"
    path = site_dir / NOTEBOOK_CSS / name
    if not path.is_file():  # the same CSS for every page: the first page writes it
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(css, encoding="utf-8")
    return f'<link rel="stylesheet" href="{to_root}{NOTEBOOK_CSS}/{name}">'


def notebook_page(html: str, page, config, language: str) -> str:
    """A notebook page: no third-party scripts, out of search, and read like its chapter.

    Its code areas can scroll, so they take keyboard focus; its headings also get the ids that
    the page's table of contents links to (mkdocs-jupyter takes those from a Markdown rendering,
    nbconvert writes others for headings with punctuation or code). Like its chapter, it shows
    its buttons and the stamp under its title (title_header), and around each cell what the
    chapter shows around its block (notebook_cells); links to the site stay on this copy of it;
    nbconvert's cell tags (the set-up cell's "setup") are not shown.
    """
    page.meta["search"] = {"exclude": True}
    html = EXTERNAL_SCRIPT.sub("", html)
    site_dir, to_root = Path(config.site_dir), to_site_root(page)
    inline = [style["css"] for style in INLINE_STYLE.finditer(html)]
    sheets = iter(used_rules(inline, classes_of(html)))
    html = INLINE_STYLE.sub(lambda _: shared_style_sheet(next(sheets), site_dir, to_root), html)
    html = html.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
    html = heading_anchors(html, list(flattened(page.toc)))
    html = CELL_TAGS.sub("", html)
    if config.site_url:  # the notebook links the published site, for a reader in Colab
        html = re.sub(rf'(?<=(?:src|ref)="){re.escape(config.site_url)}', to_root, html)
    stem = Path(page.file.src_uri).stem
    chapter = in_language(Path(config.docs_dir) / f"{stem}.md", language)
    html = notebook_cells(html, page, config, chapter, language)
    # Under the title, as on the chapter page (every chapter has one, and so its notebook).
    html = html.replace("</h1>", "</h1>\n" + title_header(stem, chapter, config, language), 1)
    return figure_links(html, page, config)


def title_header(stem: str, chapter: Path, config, language: str) -> str:
    """What the notebook page shows under its title: its buttons, then the chapter's stamp."""
    buttons = [
        f'<a class="md-button" href="../../{stem}/">{text(language, "chapter")}</a>',
        f'<a class="md-button" href="{stem}.ipynb" download>'
        f"{text(language, 'download notebook')}</a>",
        *colab_button(stem, config, language),
    ]
    gpu = gpu_proofs.page_proofs(chapter)
    header = f'<p class="notebook-links">{" ".join(buttons)}</p>\n'
    return header + stamp(chapter.read_text(encoding="utf-8"), gpu, language)


# A cell of the notebook page: mkdocs-jupyter wraps each code cell in one more <div> of the same
# classes, without the id; a cell runs from its first <div> to the next cell, or to where the
# last one's <div> closes.
CELL = re.compile(
    r'(?:<div class="jp-Cell jp-CodeCell[^"]*">\s*)?'
    r'<div class="jp-Cell [^"]*" id="cell-id=(?P<id>[^"]+)">'
)
DIV_TAG = re.compile(r"<(/?)div\b")
# nbconvert's cell tags, which mkdocs-jupyter shows in a toolbar over the cell's first line.
CELL_TAGS = re.compile(
    r'<div class="celltoolbar">(?:\s*<div class="button_container[^"]*">.*?</div>)*\s*</div>',
    re.S,
)
OUTPUT_WRAPPER = '<div class="jp-Cell-outputWrapper">'
OUTPUT = re.compile(r'<div class="(?P<classes>[^"]*\bjp-OutputArea-output\b[^"]*)"')
EMBEDDED_FIGURE = re.compile(r'<img alt="[^"]*"(?: class="[^"]*")? src="data:image/[^"]+"\s*/?>')


class Cell(NamedTuple):
    """A cell of the page: where it is in the HTML, and what tools/site/notebooks.py recorded
    of it in the notebook (the line of its block, the block its badge is about, its fold)."""

    start: int
    end: int
    recorded: dict


def closing(html: str, start: int) -> int:
    """Where the <div> that opens at `start` closes (after its </div>)."""
    depth = 0
    for tag in DIV_TAG.finditer(html, start):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return html.index(">", tag.end()) + 1
    return len(html)


def page_cells(html: str, notebook: dict) -> list[Cell]:
    recorded = {
        cell.get("id"): cell.get("metadata", {}).get(notebooks.METADATA_KEY, {})
        for cell in notebook["cells"]
    }
    found = list(CELL.finditer(html))
    if not found:
        return []
    ends = [cell.start() for cell in found[1:]] + [closing(html, found[-1].start())]
    return [
        Cell(cell.start(), end, recorded.get(cell["id"], {}))
        for cell, end in zip(found, ends, strict=True)
    ]


def notebook_cells(html: str, page, config, chapter: Path, language: str) -> str:
    """Each cell of a notebook page, with what the chapter shows around its block: the skip
    badge (in place of the notebook's own Markdown line), the label of a GPU-only output
    (verified or expected), the figure as the site's file with the chapter's alt text (nbconvert
    inlines it, with "No description has been provided for this image"); and the cells of a
    solution (or another collapsible admonition) folded, as on the chapter page. The cells are
    found by what the notebook records of each (tools/site/notebooks.py), never by their words."""
    blocks = {block.line: block for block in Page.of(chapter).blocks}
    proofs = {block.line: proof for block, proof in gpu_proofs.page_proofs(chapter)}
    notebook = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    cells = [cell for cell in page_cells(html, notebook) if cell.end > cell.start]
    edits = []  # (start, end, new text), sorted by place before they are made
    for cell in cells:
        if "badge" in cell.recorded:
            skip = blocks[cell.recorded["badge"]].skip
            badge = f'<div class="jp-Cell jp-Notebook-cell">{skip_badge(skip, language)}</div>\n'
            edits.append((cell.start, cell.end, badge))
        block = blocks.get(cell.recorded.get("line"))
        if block is not None and block.line in proofs and block.expected is not None:
            edits += gpu_output_label(html, cell, proofs[block.line], language)
        if block is not None and block.image is not None and block.alt is not None:
            source = block.image.resolve().relative_to(Path(config.docs_dir).resolve())
            alt = html_lib.escape(block.alt)
            figure = f'<img alt="{alt}" src="{to_site_root(page)}{source.as_posix()}">'
            embedded = EMBEDDED_FIGURE.search(html, cell.start, cell.end)
            if embedded is not None:
                edits.append((embedded.start(), embedded.end(), figure))
    edits += folds(cells)
    pieces, position = [], 0
    for start, stop, new in sorted(edits, key=lambda edit: edit[:2]):
        pieces += [html[position:start], new]
        position = stop
    return "".join(pieces) + html[position:]


def gpu_output_label(html: str, cell: Cell, proof, language: str) -> list[tuple]:
    """The edits that label a GPU-only cell's output as the chapter labels its block's: verified
    (with the GPU run) or expected, the line above it and the output's own look."""
    wrapper = html.find(OUTPUT_WRAPPER, cell.start, cell.end)
    output = OUTPUT.search(html, wrapper, cell.end)
    if wrapper < 0 or output is None:
        return []
    kind = "expected" if proof is None else "verified"
    label = text(language, "expected output") if proof is None else verified(proof, language)
    classes = output.start("classes")
    return [
        (wrapper, wrapper, f'<p class="gpu-output-label gpu-output-label--{kind}">{label}</p>\n'),
        (classes, classes, f"gpu-output gpu-output--{kind} "),
    ]


def folds(cells: list[Cell]) -> list[tuple]:
    """The edits that fold each solution (each collapsible admonition) as the chapter does: its
    title cell becomes the summary of a <details> that holds the fold's other cells."""
    edits = []
    for index, cell in enumerate(cells):
        fold = cell.recorded.get("fold")
        if fold is None:
            continue
        if "summary" in cell.recorded:
            title = re.sub(
                r"`([^`]+)`", r"<code>\1</code>", html_lib.escape(cell.recorded["summary"])
            )
            kind = html_lib.escape(cell.recorded["kind"])
            # Solutions stay out of search, as on the chapter page (the page itself is, too).
            opening = f'<details class="{kind}" data-search-exclude><summary>{title}</summary>\n'
            edits.append((cell.start, cell.end, opening))
        following = cells[index + 1].recorded.get("fold") if index + 1 < len(cells) else None
        if following != fold:
            edits.append((cell.end, cell.end, "</details>\n"))
    return edits
