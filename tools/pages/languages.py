"""The Chinese edition's files: the translation of docs/<page>.md is docs/<page>.zh.md, beside it.

    translation_of(Path("docs/01-tensors.md"))    # docs/01-tensors.zh.md (which may not exist)
    english_of(Path("docs/01-tensors.zh.md"))     # docs/01-tensors.md; an English page: itself

A translation runs nothing of its own: it carries its English page's code and outputs, which
tools/site/translations.py proves equal. The harness leaves it out of the chapters
(tools/pages/harness.py), and the GPU proofs of its blocks are its English page's
(tools/pages/gpu_proofs.py).
"""

from __future__ import annotations

from pathlib import Path

ENGLISH = "en"  # the language of docs/<page>.md
LANGUAGE = "zh"  # the suffix of a translation: docs/<page>.zh.md
TRANSLATIONS = f"*.{LANGUAGE}.md"  # every translation, as a glob pattern


def translation_of(english: Path) -> Path:
    return english.with_name(f"{english.stem}.{LANGUAGE}.md")


def english_of(page: Path) -> Path:
    """The English page of a translation (an English page is its own)."""
    if not is_translation(page):
        return page
    return page.with_name(page.name.removesuffix(f".{LANGUAGE}.md") + ".md")


def is_translation(path: Path) -> bool:
    return path.name.endswith(f".{LANGUAGE}.md")


def language_of(path: str | Path) -> str:
    """The language of a page's source file: docs/<page>.zh.md is Chinese."""
    return LANGUAGE if is_translation(Path(path)) else ENGLISH


def twin_of(page: Path) -> Path:
    """The page in the other language: a translation's English page, an English page's
    translation (which may not exist)."""
    return english_of(page) if is_translation(page) else translation_of(page)


def in_language(english: Path, language: str) -> Path:
    """The page `english` in `language`: its translation where there is one, else itself."""
    translation = translation_of(english)
    return translation if language == LANGUAGE and translation.is_file() else english
