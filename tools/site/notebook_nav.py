"""A notebook page's place in the site: its chapter highlighted in the nav, Previous and Next.

    chapter = place_in_nav(page, nav, "en")   # in the MkDocs hooks, before the page is rendered
    chapter.active = False                    # once it is (the nav is shared by every page)

The notebook pages are outside the nav (mkdocs.yml `not_in_nav`), so MkDocs gives them neither a
highlighted nav entry nor Previous and Next: a reader who came from Jupyter met a dead end. The
nav highlights the page's chapter, and the footer leads to the notebook pages of the chapters
before and after it, or, where that page has no code (Set up, Where to go next), to the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from tools.pages import harness
from tools.pages.languages import english_of
from tools.site import notebooks
from tools.site.site_text import language_root


class Neighbour(NamedTuple):
    """What Material's footer reads of the page before or after: its address and title."""

    url: str
    title: str


def place_in_nav(page, nav, language: str):
    """Mark the chapter of the notebook `page` active in `nav` (its section too), and give the
    page its Previous and Next; return the chapter's nav page (None where it has none)."""
    stem = Path(page.file.src_uri).stem
    chapter = next((item for item in nav.pages if chapter_stem(item) == stem), None)
    if chapter is None:
        return None
    chapter.active = True  # MkDocs' setter marks its sections active too
    page.previous_page = neighbour(chapter.previous_page, language)
    page.next_page = neighbour(chapter.next_page, language)
    return chapter


def chapter_stem(item) -> str:
    """The English file name (without .md) of a nav page, in either language."""
    return english_of(Path(item.file.abs_src_path)).stem


def neighbour(item, language: str):
    """The notebook page of the nav page `item` where it has one; else `item` itself."""
    if item is None or not harness.has_code(Path(item.file.abs_src_path)):
        return item
    url = f"{language_root(language)}{notebooks.NOTEBOOKS}/{chapter_stem(item)}/"
    return Neighbour(url, item.title)
