"""The Chinese edition: each page's translation carries exactly the English page's code and outputs.

    python -m tools.site.translations check        # every translation against its English page
    python -m tools.site.translations check docs/01-tensors.zh.md
    python -m tools.site.translations sync docs/01-tensors.md  # `make outputs` does it after a page

A translation (`docs/<page>.zh.md`, beside `docs/<page>.md`) translates the prose and nothing
that runs or is checked: its front matter, stamp, every ```python block (code comments stay
English: they are part of the verified code), every ```output fence, skip and tolerance
directive, hidden block, listing and include, and every figure's path are the English page's,
in the same order, with the same headings (levels) and the same number of exercises. A zh page
never runs its own code: `differences` proves it equal to its English page, whose code and
outputs the harness checks, so its outputs are verified by construction. `sync` copies the
English page's output fences and stamp into its translation, so that `make outputs` keeps both
in step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from snippets.files import atomic_write
from tools.pages import harness, markup, syntax
from tools.pages.languages import TRANSLATIONS, english_of, translation_of
from tools.pages.page import Page


def translations() -> list[Path]:
    """Every translation under docs/, in file-name order."""
    return sorted(harness.DOCS.rglob(TRANSLATIONS))


def what_runs(path: Path) -> list[tuple]:
    """What a page runs and checks, block by block, in page order (prose and alt text aside)."""
    found = []
    for block in Page.of(path).blocks:
        image = block.image.name if block.image else None
        fields = (block.source, block.expected, block.tolerance, block.skip, block.hidden, image)
        found.append((*fields, block.listing))
    return found


def outline(page: Page) -> dict:
    """What else must agree: front matter, stamp, includes, heading levels, exercises."""
    return {
        "front matter": page.front_matter,
        "stamp": page.stamp,
        "includes": page.includes,
        "heading levels": page.heading_levels,
        "exercises": page.exercises,
    }


def differences(english: Path, translation: Path) -> list[str]:
    """What the translation does not share with its English page; [] when it is true to it."""
    place = harness.shown(translation)
    ours, theirs = what_runs(translation), what_runs(english)
    problems = []
    if len(ours) != len(theirs):
        problems.append(f"{place}: {len(ours)} blocks, the English page has {len(theirs)}")
    for number, (mine, original) in enumerate(zip(ours, theirs, strict=False), start=1):
        if mine != original:
            names = ["code", "output", "tolerance", "skip", "hidden", "figure", "listing"]
            which = [name for name, a, b in zip(names, mine, original, strict=True) if a != b]
            problems.append(f"{place}: block {number} differs in its {', '.join(which)}")
    mine, original = outline(Page.of(translation)), outline(Page.of(english))
    problems += [
        f"{place}: its {key} differ from the English page's: {mine[key]!r} != {original[key]!r}"
        for key in original
        if mine[key] != original[key]
    ]
    return problems


def sync(english: Path) -> bool:
    """Copy the English page's output fences and stamp into its translation (if there is one,
    with the same blocks). Returns whether the translation changed."""
    translation = translation_of(english)
    if not translation.is_file():
        return False
    page, original_page = Page.of(translation), Page.of(english)
    text, source = page.text, original_page.text
    ours, theirs = page.blocks, original_page.blocks
    if [b.source for b in ours] != [b.source for b in theirs]:
        raise ValueError(
            f"{harness.shown(translation)}: its code is not the English page's; translate the"
            f" changes of {harness.shown(english)} into it first (python -m tools.site.translations"
            " check names them)"
        )
    edits = []
    for mine, original in zip(ours, theirs, strict=True):
        if mine.output_span and original.output_span and mine.expected != original.expected:
            start, end = original.output_span
            edits.append((*mine.output_span, source[start:end]))
    new = text
    for start, end, fence in sorted(edits, reverse=True):
        new = new[:start] + fence + new[end:]
    if original_page.stamp_line:  # in place of its own, or under the title
        try:
            new = syntax.with_stamp(new, original_page.stamp_line)
        except ValueError as problem:
            raise ValueError(f"{harness.shown(translation)}: {problem}") from None
    if new != text:
        atomic_write(translation, new.encode("utf-8"))
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.site.translations", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("action", choices=["check", "sync"])
    parser.add_argument("pages", nargs="*", type=Path, help="default: every page")
    args = parser.parse_args(argv)
    if args.action == "sync":
        pages = args.pages or harness.chapters()
        for page in pages:
            if sync(page.resolve()):
                print(f"synced {harness.shown(translation_of(page.resolve()))}")
        return 0
    pairs = [(english_of(p.resolve()), p.resolve()) for p in args.pages or translations()]
    problems = [line for english, zh in pairs for line in differences(english, zh)]
    print("\n".join(problems) or f"{len(pairs)} translation(s) true to their English pages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())


def with_english_ids(markdown: str, english: str) -> str:
    """The translation's Markdown with each heading given its English heading's id (`{ #id }`),
    so that links and anchors into a page work in both languages (Chinese headings would get
    ids such as `_2`). Headings pair in order: `differences` makes sure they are the same."""
    return markup.with_heading_ids(markdown, heading_ids(english))


def heading_ids(text: str) -> list[str]:
    """The ids that MkDocs' toc extension gives the headings of a Markdown page, in order."""
    from markdown import Markdown

    headings = "\n\n".join(markup.heading_lines(syntax.without_front_matter(text)))
    converter = Markdown(extensions=["toc", "attr_list"])
    converter.convert(headings)
    found: list[str] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            found.append(token["id"])
            walk(token["children"])

    walk(converter.toc_tokens)
    return found
