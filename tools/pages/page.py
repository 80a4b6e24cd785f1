"""The page model: one chapter's Markdown, read once, and all that it says.

    page = Page.of(Path("docs/01-tensors.md"))   # read and parsed once per text of the file
    page.title, page.stamp, page.front_matter, page.runs_once, page.language, page.twin
    page.blocks                                  # every Block, hidden ones included, in order
    page.shown_blocks                            # the blocks a reader sees and copies

Every module of tools/ asks a Page (or tools/pages/markup.py and syntax.py, which it reads
with) for what a page says: its fences, title, stamp, directives, tolerances, front matter,
language and translation. A Page is cached by its path and its text, so a page read by the
harness, the notebooks, the reader's run and the site hooks in one process is parsed once, and
a page rewritten on disk (`make outputs`) is read afresh.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sybil import Document

from tools.pages import harness, languages, markup, syntax
from tools.pages.harness import Block


@dataclass(frozen=True, eq=False)
class Page:
    """A page of docs/ (a chapter, or its translation) and what it says; see the module."""

    path: Path
    text: str

    @staticmethod
    def of(path: str | Path) -> Page:
        """The page at `path`, as its file is now (parsed once for each text it has had)."""
        path = Path(path).resolve()
        return read(path, path.read_text(encoding="utf-8"))

    @property
    def place(self) -> str:
        """The page's path as a reader types it (relative to the project)."""
        return harness.shown(self.path)

    @property
    def language(self) -> str:
        return languages.language_of(self.path)

    @property
    def is_translation(self) -> bool:
        return languages.is_translation(self.path)

    @property
    def english(self) -> Path:
        """The English page (a translation's original; an English page itself)."""
        return languages.english_of(self.path)

    @property
    def twin(self) -> Path:
        """The page in the other language (a translation that may not exist yet)."""
        return languages.twin_of(self.path)

    @property
    def title(self) -> str | None:
        return markup.title(self.text)

    @property
    def stamp(self) -> dict | None:
        """The fields of the page's stamp (tools/pages/syntax.py), or None before the first."""
        return syntax.read_stamp(self.text)

    @property
    def stamp_line(self) -> str | None:
        return syntax.stamp_line(self.text)

    @property
    def front_matter(self) -> dict:
        return syntax.front_matter(self.text)

    @property
    def runs_once(self) -> bool:
        return syntax.runs_once(self.text)

    @property
    def has_code(self) -> bool:
        return markup.has_code(self.text)

    @property
    def exercises(self) -> int:
        return markup.exercises(self.text)

    @property
    def includes(self) -> list[str]:
        """The files the page includes whole (`--8<-- "path"`), in order."""
        return markup.INCLUDE.findall(self.text)

    @property
    def heading_levels(self) -> list[int]:
        return markup.heading_levels(self.text)

    @cached_property
    def document(self) -> Document:
        """The page parsed by the harness to be read (nothing runs): Sybil's regions."""
        return harness.parse_text(self.path, self.text)

    @cached_property
    def blocks(self) -> list[Block]:
        """Every block of the page, hidden ones included, in page order."""
        return harness.blocks(self.document)

    @property
    def shown_blocks(self) -> list[Block]:
        """The blocks a reader sees and copies, in order."""
        return [block for block in self.blocks if block.shown]


@functools.lru_cache(maxsize=256)
def read(path: Path, text: str) -> Page:
    """The Page of `text`, read from `path`: one per path and text (see the module docstring)."""
    return Page(path, text)
