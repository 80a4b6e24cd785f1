"""Turn each chapter into a Jupyter notebook: the page's code cells, with its verified outputs.

    python -m tools.site.notebooks OUT_DIR   # OUT_DIR/<chapter>.ipynb for every chapter with code
                                        # (`mkdocs build` renders them as the notebook pages)

The chapter is read with the harness's own parser, so a notebook holds exactly what a reader of
the page copies, in page order: one code cell per visible ```python block (its outputs are the
page's ```output fence and figure, so a reader sees the expected result before running it), prose
as Markdown cells. Hidden blocks are left out: the page runs without them. A block behind a skip
directive (GPU-only) becomes `if CONDITION: print("Skipped: ...") else: <the block>`, so that
"Run all" works everywhere. A first cell installs what the chapter imports where it is missing
(Colab; tools/site/notebook_setup.py) and says which torch version the outputs were verified with.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import re
from pathlib import Path
from typing import NamedTuple

import nbformat

from tools.pages import gpu_proofs, harness, markup, syntax
from tools.pages.languages import in_language
from tools.pages.page import Page
from tools.site import notebook_setup, results_tables, site_text
from tools.site.site_text import language_root

ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?) (?P<kind>\w+)(?: "(?P<title>[^"]*)")?\s*$')
LINK = re.compile(r"\]\((?P<page>[\w-]+)\.md(?P<anchor>#[\w-]+)?\)")
IN_PAGE = re.compile(r"\]\((?P<anchor>#[\w-]+)\)")
ASSET = re.compile(r"\]\((?P<path>assets/[^)\s]+)\)")
NOTEBOOKS = "notebooks"  # the site folder of the notebook pages: notebooks/<chapter>/
METADATA_KEY = "pytorch_essential_training"  # each code cell: the page line of its block


def chapter_notebook(path: Path, site_url: str, install: str | None) -> nbformat.NotebookNode:
    """The notebook of one chapter.

    `site_url` makes links to other pages absolute (empty: relative to the notebook page on the
    site; for a translation, the site of its language); `install` is what `pip install` gets
    where the package is missing (None: no install). A translation (docs/<page>.zh.md) gives a
    notebook with its prose and its English page's code cells, under the English page's name.
    """
    page = Page.of(path)
    document, text, language = page.document, page.text, page.language
    # Links to pages go to this language's pages; figures are the site's, at its root.
    depth = "../" * language_root(language).count("/")
    bases = (
        (site_url + language_root(language), site_url) if site_url else ("../../", f"../../{depth}")
    )
    stem = page.english.stem
    version = (page.stamp or {}).get("torch", "")
    proofs = {block.line: proof for block, proof in gpu_proofs.page_proofs(path)}
    folds = folded_admonitions(text)
    cells, position = [], 0

    def add_prose(start: int, end: int) -> None:
        """The prose between two blocks, as Markdown cells: a folded admonition's own cells."""
        for piece_start, piece_end, fold in pieces(folds, start, end):
            added, prose = len(cells), text[piece_start:piece_end]
            if fold is not None:
                if piece_start == fold.start:  # its title, a cell of its own: the page's summary
                    prose = prose.split("\n", 1)[1] if "\n" in prose else ""
                    title = new_markdown_cell(f"**{fold.title}**")
                    title.metadata[METADATA_KEY] = {"summary": fold.title, "kind": fold.kind}
                    cells.append(title)
                prose = re.sub(r"^ {1,4}", "", prose, flags=re.M)  # the admonition's indent
            add_markdown(cells, prose, bases, stem, language)
            mark_fold(cells[added:], fold, folds)

    for start, region in document.regions:
        block = region.parsed
        if block.hidden:  # hidden blocks only check; the reader's copy runs without them
            continue
        add_prose(position, start)
        position, added = region.end, len(cells)
        if block.listing is not None:
            listing = markup.fenced(block.listing.rstrip(), "python")
            add_markdown(cells, listing, bases, stem, language)
        else:
            if block.skip:
                note = new_markdown_cell(badge(block, proofs.get(block.line), language))
                note.metadata[METADATA_KEY] = {"badge": block.line}  # the block it is about
                cells.append(note)
            cells.append(code_cell(block))
            if block.image_span:
                position = block.image_span[1]
        mark_fold(cells[added:], fold_at(folds, start), folds)
    add_prose(position, len(text))
    title = cells.pop(0) if cells and cells[0].cell_type == "markdown" else None
    blocks = page.blocks
    code = notebook_setup.setup_cell(blocks, install, version, str(path), language)
    setup = new_code_cell(code, metadata={"tags": ["setup"]})
    cells = ([title] if title else []) + [setup, *cells]
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
    return nbformat.from_dict(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
            "cells": cells,
        }
    )


# The cells are built as plain dicts: nbformat.v4.new_*_cell validate every cell against the
# schema, which costs more than the rest of the build; tests validate each whole notebook once.
def new_code_cell(source: str, outputs=(), metadata=None) -> nbformat.NotebookNode:
    return nbformat.from_dict(
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": metadata or {},
            "outputs": list(outputs),
            "source": source,
        }
    )


def new_markdown_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.from_dict({"cell_type": "markdown", "metadata": {}, "source": source})


def stream_output(text: str) -> nbformat.NotebookNode:
    return nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": text})


def code_cell(block: harness.Block) -> nbformat.NotebookNode:
    source = block.source.strip()
    if block.skip:  # GPU-only (or real-data-only): runs only where the page's condition allows
        imports = [syntax.CONDITION_IMPORTS[name] for name in block.skip.names()]
        body = "\n".join(("    " + line).rstrip() for line in source.splitlines())
        source = "\n".join(
            [
                *imports,
                f"if {block.skip.condition}:",
                f"    print({block.skip.skipped_text().rstrip()!r})",
                "else:",
                body,
            ]
        )
    outputs = []
    if block.expected:
        outputs.append(stream_output(str(block.expected)))
    if block.image and block.image.is_file():
        outputs.append(figure_output(block.image))
    metadata = {METADATA_KEY: {"line": block.line}}
    return new_code_cell(source, outputs, metadata)


def badge(block: harness.Block, proof, language: str) -> str:
    """The Markdown before a skipped block's cell: the site's badge, and for a GPU-only block
    whether the output shown was proven by a GPU run (tools/pages/gpu_proofs.py) or is only
    expected."""
    title, sentence = site_text.badge(block.skip, language)
    markdown = f"**{title}**{site_text.text(language, 'badge separator')}{sentence}"
    if block.skip.kind == "gpu" and block.expected is not None:
        if proof is None:
            shown = site_text.text(language, "notebook expected")
        else:
            run = site_text.text(
                language, "proof run", device=proof.device, torch=proof.torch, date=proof.date
            )
            shown = site_text.text(language, "notebook verified", run=run)
        markdown += "\n\n" + site_text.text(language, "notebook gpu note", shown=shown)
    return markdown


def unwrap(cell_source: str, block: harness.Block) -> str:
    """The page's code inside a cell: what `code_cell` made of `block`, undone."""
    if not block.skip:
        return cell_source
    body = cell_source.split("\nelse:\n", 1)[1]
    return "\n".join(line[4:] for line in body.splitlines())


def figure_output(image: Path) -> nbformat.NotebookNode:
    if image.suffix == ".svg":
        data = {"image/svg+xml": image.read_text(encoding="utf-8")}
    else:
        data = {"image/png": base64.b64encode(image.read_bytes()).decode("ascii")}
    return nbformat.from_dict(
        {"output_type": "display_data", "data": {**data, "text/plain": "<Figure>"}, "metadata": {}}
    )


def add_markdown(cells: list, text: str, bases: tuple[str, str], page: str, language: str) -> None:
    """The prose between two code cells, as Markdown cells; `bases` are where links to pages
    and to figures point (absolute on the published site, else relative to the notebook page)."""
    text = syntax.without_front_matter(text)  # settings for the harness and the site
    text = results_tables.with_results_tables(text, language)
    # Stamps and directives are for the site (a comment's line goes with it).
    text = markup.without_comments(flatten_admonitions(text), by="", line=True)
    base, assets = bases
    text = LINK.sub(lambda link: f"]({base}{link['page']}/{link['anchor'] or ''})", text)
    # A section of this page: its heading ids differ in a notebook, so point to the chapter.
    text = IN_PAGE.sub(lambda link: f"]({base}{page}/{link['anchor']})", text)
    text = ASSET.sub(lambda asset: f"]({assets}{asset['path']})", text)
    # Headings without code spans: the notebook page's table of contents drops code, and a
    # heading made only of code (`channels_last`) would give an entry with no name.
    text = markup.without_heading_code(text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if text:
        for part in markup.sections(text):  # one cell per section reads well in Jupyter
            cells.append(new_markdown_cell(part.strip()))


class Fold(NamedTuple):
    """A collapsible admonition (`??? success "Solution 1"`): folded on the chapter page, and on
    the notebook page, whose cells carry its number (tools/site/notebook_pages.py folds them)."""

    start: int  # where its `???` line starts in the page's text
    end: int  # where the first line after it (neither blank nor indented) starts
    kind: str
    title: str


def folded_admonitions(text: str) -> list[Fold]:
    """The page's collapsible admonitions, in page order."""
    found, offset, current = [], 0, None
    for line in text.splitlines(keepends=True):
        if current is not None and line.strip() and not line.startswith(" "):
            found.append(current._replace(end=offset))
            current = None
        match = ADMONITION.match(line)
        if match and line.startswith("???"):
            title = match["title"] or match["kind"].capitalize()
            current = Fold(offset, len(text), match["kind"], title)
        offset += len(line)
    return found + ([current] if current is not None else [])


def fold_at(folds: list[Fold], position: int) -> Fold | None:
    return next((fold for fold in folds if fold.start <= position < fold.end), None)


def pieces(folds: list[Fold], start: int, end: int):
    """(start, end, fold or None): the text from `start` to `end`, cut at each fold's ends."""
    cuts = sorted({start, end, *(p for f in folds for p in (f.start, f.end) if start < p < end)})
    for piece_start, piece_end in itertools.pairwise(cuts):
        yield piece_start, piece_end, fold_at(folds, piece_start)


def mark_fold(cells: list, fold: Fold | None, folds: list[Fold]) -> None:
    """Give each cell the number of the fold it is part of (cells outside a fold get none)."""
    if fold is None:
        return
    for cell in cells:
        cell.metadata.setdefault(METADATA_KEY, {})["fold"] = folds.index(fold)


def flatten_admonitions(text: str) -> str:
    """`!!! note "Title"` / `??? success "Solution"` blocks become a bold title and plain text."""
    lines, inside = [], False
    for line in text.splitlines():
        match = ADMONITION.match(line)
        if match:
            lines += [f"**{match['title'] or match['kind'].capitalize()}**", ""]
            inside = True
            continue
        if inside and (line.startswith("    ") or not line.strip()):
            lines.append(line[4:])
            continue
        inside = False
        lines.append(line)
    return "\n".join(lines) + "\n"


def notebook_chapters() -> list[Path]:
    """The chapters that have a notebook (those with code), as their English pages."""
    return list(filter(harness.has_code, harness.chapters()))


def write_notebook(
    chapter: Path, out_dir: Path, site_url: str, install: str | None, language: str = "en"
) -> Path:
    """Write the notebook of `chapter` into `out_dir`, in `language` where the chapter has a
    translation into it (else in English); return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{chapter.stem}.ipynb"
    nbformat.write(chapter_notebook(in_language(chapter, language), site_url, install), target)
    return target


def write_notebooks(
    out_dir: Path, site_url: str, install: str | None, language: str = "en"
) -> list[Path]:
    """Write one notebook per chapter that has code (write_notebook); return their paths."""
    return [
        write_notebook(chapter, out_dir, site_url, install, language)
        for chapter in notebook_chapters()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.site.notebooks", description="Write the chapter notebooks."
    )
    parser.add_argument("out_dir", type=Path, help="folder for the .ipynb files")
    parser.add_argument("--site-url", default="", help="make links absolute to this site")
    parser.add_argument("--install", default=None, help="pip target where snippets is missing")
    args = parser.parse_args(argv)
    for path in write_notebooks(args.out_dir, args.site_url, args.install):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
