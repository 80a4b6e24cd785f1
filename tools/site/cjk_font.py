"""The subset fonts that show the site's Chinese text on any machine, in slices a page picks from.

    python -m tools.site.cjk_font          # rewrite docs/assets/fonts/cjk-* and stylesheets/cjk-*
    python -m tools.site.cjk_font --check  # only say which characters the committed fonts lack

Without a CJK font, a browser draws the glosses (均匀分布, 维度增加, ...) as empty boxes. The site
marks every run of CJK characters `lang="zh-Hans"` (tools/site/hooks.py) and puts the family
"PET CJK Glosses" first for it (docs/stylesheets/extra.css): Noto Sans CJK SC, Regular and Bold,
cut down to the characters that each language's pages use. A page fetches as little as it can:

- each language has a style sheet of its own, docs/stylesheets/cjk-<language>.css, which the
  hooks link from that language's pages only: the English pages' fonts hold their glosses and the
  language menu's "简体中文", a few dozen characters; the Chinese edition's, its whole text;
- each face names the reader's own CJK fonts first (`local()`): a reader who has one downloads
  nothing;
- the characters come in slices, each a file with its `unicode-range` (as web font services serve
  CJK): a browser fetches only the slices that hold characters its page shows, in the weights it
  shows them in. The first slice holds what every page of the language shows (nav, menus); the
  others follow by how many pages use a character, those of the same pages together, so that a
  page's own rare characters sit in few slices.

The characters come from the Markdown under docs/ (the English pages and the Chinese edition's
docs/*.zh.md), mkdocs.yml's nav titles and language names, the sentences of
tools/site/site_text.py, the results tables' words, the labels of docs/stylesheets/extra.css and
the words of Material's Chinese interface. Run it again after adding a page, a gloss or a sentence
with new characters: tests/test_site.py fails, naming them, until then.

Noto Sans CJK is under the SIL Open Font License 1.1 (docs/assets/fonts/OFL.txt): a subset is a
Modified Version, so it carries a family name of its own. The source is Debian's fonts-noto-cjk
(`apt-get install fonts-noto-cjk`), or any Noto Sans CJK .ttc/.otf given with --regular/--bold.
Needs fontTools and brotli, both in the test extra (`pip install -e ".[test]"`).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from tools.pages.markup import COMMENT

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
DOCS = ROOT / "docs"
FONTS = DOCS / "assets" / "fonts"
STYLESHEETS = DOCS / "stylesheets"
# Han ideographs (and extensions), CJK punctuation, kana, bopomofo, compatibility ideographs and
# full-width forms: what a Chinese gloss or a Chinese edition of a page may hold.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f]+"
)
TAG = re.compile(rf"({COMMENT.pattern}|<[^>]+>)", re.S)  # comments and tags hold no text
RAW_TEXT = re.compile(r"<(?P<name>script|style|title|textarea)\b", re.I)
FAMILY = "PET CJK Glosses"  # the subset's own name: the OFL reserves the original's for it
LANGUAGES = ("en", "zh")
NOTO = Path("/usr/share/fonts/opentype/noto")
# The face of each weight: file, and the font's number inside a .ttc (2: Simplified Chinese).
SOURCES = {
    "regular": (NOTO / "NotoSansCJK-Regular.ttc", 2),
    "bold": (NOTO / "NotoSansCJK-Bold.ttc", 2),
}
# The faces of each language, with the CSS font-weights each one draws. An English page shows a
# few glosses, some in bold text (a heading, a table's header): both weights, a few kB each. The
# Chinese edition's text, bold included, is drawn from the Regular face: a second face would
# double what a Chinese page downloads. Declared for the light weights only, so that the browser
# thickens it for bold text (it synthesizes a bold where the face's weight is under 600).
FACES = {
    "en": {"regular": "100 500", "bold": "600 900"},
    "zh": {"regular": "100 500"},
}
# A reader's own fonts of the same script, by full and PostScript name, for `local()`: Noto Sans
# CJK SC and its twin Source Han Sans SC (Linux, Android), PingFang SC (Apple), Microsoft YaHei.
LOCAL = {
    "regular": [
        "Noto Sans CJK SC",
        "NotoSansCJKsc-Regular",
        "Source Han Sans SC",
        "SourceHanSansSC-Regular",
        "PingFangSC-Regular",
        "Microsoft YaHei",
    ],
    "bold": [
        "Noto Sans CJK SC Bold",
        "NotoSansCJKsc-Bold",
        "Source Han Sans SC Bold",
        "SourceHanSansSC-Bold",
        "PingFangSC-Semibold",
        "Microsoft YaHei Bold",
    ],
}
# Characters a slice holds: about 10 kB of glyphs, Noto's CJK glyphs being about 250 bytes each
# in WOFF2 without hints (a slice has a few hundred bytes of its own, and a request: fewer, larger
# slices waste less there, smaller ones fetch fewer characters that the page does not show).
SLICE = 40
KEPT_NAMES = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence and its URL
EVERY_PAGE = "*"  # the key of the characters that every page of a language shows


def font_path(language: str, weight: str, index: int) -> Path:
    """The committed subset of one slice of one weight ("regular" or "bold") of a language."""
    return FONTS / f"cjk-{language}-{weight}-{index}.woff2"


def font_paths(language: str, weight: str) -> list[Path]:
    return sorted(FONTS.glob(f"cjk-{language}-{weight}-*.woff2"))


def style_sheet_path(language: str) -> Path:
    """The style sheet with a language's font faces (the hooks link it from its pages)."""
    return STYLESHEETS / f"cjk-{language}.css"


def characters_of(path: Path) -> set[str]:
    return {character for run in CJK.findall(path.read_text(encoding="utf-8")) for character in run}


def english_everywhere(root: Path) -> set[str]:
    """What every English page shows: the language menu's names (the i18n plugin's languages in
    mkdocs.yml), and whatever the site's English sentences hold."""
    import yaml

    from tools.site.site_text import TEXT

    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = [p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p]
    names = [language["name"] for plugin in plugins for language in plugin["languages"]]
    return {c for line in [*names, *TEXT["en"].values()] for run in CJK.findall(line) for c in run}


def interface_sources(root: Path) -> list[Path]:
    """The files besides the Markdown whose Chinese the Chinese edition shows: the nav's titles
    (mkdocs.yml, on every page), the sentences the site adds (tools/site/site_text.py), the
    results tables' words (tools/site/results_tables.py), the labels its style sheet writes, and
    the words of Material's Chinese interface (the search box, its messages, button titles)."""
    import material

    return [
        root / "mkdocs.yml",
        root / "tools" / "site" / "site_text.py",
        root / "tools" / "site" / "results_tables.py",
        root / "docs" / "stylesheets" / "extra.css",
        Path(material.__file__).parent / "templates" / "partials" / "languages" / "zh.html",
    ]


def page_characters(language: str, docs: Path = DOCS) -> dict[str, set[str]]:
    """The CJK characters of each page of `language` (by its Markdown file's name), and under
    EVERY_PAGE those that every page of it shows (the language menu; the Chinese edition's nav).
    The other files of the Chinese edition's words count as pages of their own: each page shows
    some of their words."""
    from tools.pages.languages import is_translation, translation_of

    root = docs.parent
    english = [path for path in sorted(docs.rglob("*.md")) if not is_translation(path)]
    if language == "en":
        pages = {path.name: characters_of(path) for path in english}
        return {EVERY_PAGE: english_everywhere(root), **pages}
    # A page without a translation is built in the Chinese edition in English (fallback).
    chinese = [translation_of(p) if translation_of(p).is_file() else p for p in english]
    nav, *interface = interface_sources(root)
    pages = {path.name: characters_of(path) for path in chinese + interface if path.is_file()}
    return {EVERY_PAGE: characters_of(nav), **pages}


def used_characters(docs: Path = DOCS) -> dict[str, list[str]]:
    """Each CJK character that some page shows, in either language, with the files that use it."""
    used: dict[str, list[str]] = {}
    for language in LANGUAGES:
        for name, characters in page_characters(language, docs).items():
            for character in characters:
                if name not in used.setdefault(character, []):
                    used[character].append(name)
    return dict(sorted(used.items()))


def slices(pages: dict[str, set[str]], size: int = SLICE) -> list[str]:
    """A language's characters, cut into slices of `size`: first what every page shows; then
    page by page, the largest page first, the characters that no page before it brought (the
    most used first): a page's own characters sit next to each other, in few slices."""
    everywhere = pages[EVERY_PAGE]
    others = {name: chars - everywhere for name, chars in pages.items() if name != EVERY_PAGE}
    uses: dict[str, int] = {}  # each character: how many pages show it
    for characters in others.values():
        for character in characters:
            uses[character] = uses.get(character, 0) + 1
    order, placed = [], set()
    for name in sorted(others, key=lambda name: (-len(others[name]), name)):
        new = sorted(others[name] - placed, key=lambda character: (-uses[character], character))
        order += new
        placed.update(new)
    rest = ["".join(order[start : start + size]) for start in range(0, len(order), size)]
    return ["".join(sorted(everywhere))] + rest if everywhere else rest


def unicode_range(characters: str) -> str:
    """The CSS unicode-range of `characters`: runs of consecutive code points as ranges."""
    points, runs = sorted({ord(character) for character in characters}), []
    for point in points:
        if runs and runs[-1][1] == point - 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def font_faces(language: str, cut: list[str]) -> str:
    """The style sheet of a language's slices: one @font-face a slice and weight, the reader's
    own CJK fonts first."""
    header = (
        f"/* The font faces of the {language!r} pages' CJK text, written by"
        " `python -m tools.site.cjk_font`:\n   its docstring says why they come in slices. */\n"
    )
    faces = []
    for weight, weights in FACES[language].items():
        local = ", ".join(f'local("{name}")' for name in LOCAL[weight])
        for index, characters in enumerate(cut):
            url = f"../assets/fonts/{font_path(language, weight, index).name}"
            faces.append(
                "@font-face {\n"
                f'  font-family: "{FAMILY}";\n'
                f'  src: {local}, url("{url}") format("woff2");\n'
                f"  font-weight: {weights};\n"
                "  font-style: normal;\n"
                "  font-display: swap;\n"
                f"  unicode-range: {unicode_range(characters)};\n"
                "}\n"
            )
    return header + "".join(faces)


def font_characters(path: Path) -> set[str]:
    """The characters a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    return {chr(code) for code in TTFont(path).getBestCmap()}


def missing_characters(docs: Path = DOCS) -> dict[str, list[str]]:
    """The characters some page uses that its language's committed slices lack (in some
    weight), with their files."""
    missing: dict[str, list[str]] = {}
    for language in LANGUAGES:
        pages = page_characters(language, docs)
        for weight in FACES[language]:
            covered = set().union(*map(font_characters, font_paths(language, weight)))
            for name, characters in pages.items():
                for character in sorted(characters - covered):
                    if name not in missing.setdefault(character, []):
                        missing[character].append(name)
    return dict(sorted(missing.items()))


def subset(source: Path, number: int, characters: str, weight: str) -> bytes:
    """WOFF2 bytes of `source` cut down to `characters`, renamed, reproducible."""
    from fontTools import subset as fonttools_subset
    from fontTools.ttLib import TTFont

    # No timestamp of today in the file: the same characters give the same bytes.
    font = TTFont(source, fontNumber=number, recalcTimestamp=False, lazy=True)
    options = fonttools_subset.Options()
    options.flavor = "woff2"
    options.name_IDs = KEPT_NAMES
    options.name_languages = [0x409]
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]  # horizontal text only
    # No hints (screens of today smooth the outlines without them) and no shared subroutines
    # (WOFF2's compression finds the repeats itself): a fifth smaller, drawn the same.
    options.hinting = False
    options.desubroutinize = True
    subsetter = fonttools_subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    rename(font, weight)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer)
    return buffer.getvalue()


def rename(font, weight: str) -> None:
    """Give the subset its own family name, in the name table and in its CFF table."""
    style = weight.capitalize()
    postscript = f"{FAMILY.replace(' ', '')}-{style}"
    names = {1: FAMILY, 2: style, 3: f"{postscript};subset", 4: f"{FAMILY} {style}", 6: postscript}
    for record in font["name"].names:
        if record.nameID in names:
            record.string = names[record.nameID]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FamilyName, top.FullName = FAMILY, f"{FAMILY} {style}"


def write_fonts(sources: dict[str, tuple[Path, int]] = SOURCES) -> list[Path]:
    """Write each language's slices in its faces, and its style sheet; remove the files of an
    earlier cut that this one does not have; return the paths written."""
    from snippets.files import atomic_write

    for weight, (source, _) in sources.items():
        if not source.is_file():
            raise FileNotFoundError(
                f"{source} not found: install Debian's fonts-noto-cjk, or pass --{weight}"
                " PATH[:NUMBER] to a Noto Sans CJK font file"
            )
    written = []
    for language in LANGUAGES:
        cut = slices(page_characters(language))
        earlier = set(FONTS.glob(f"cjk-{language}-*.woff2"))
        for weight in FACES[language]:
            source, number = sources[weight]
            for index, characters in enumerate(cut):
                path = font_path(language, weight, index)
                atomic_write(path, subset(source, number, characters, weight))
                written.append(path)
        for stale in earlier - set(written):
            stale.unlink()
        atomic_write(style_sheet_path(language), font_faces(language, cut).encode())
        written.append(style_sheet_path(language))
    return written


def parse_source(text: str) -> tuple[Path, int]:
    path, _, number = text.partition(":")
    return Path(path), int(number or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.site.cjk_font", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only list missing characters")
    for weight, (path, number) in SOURCES.items():
        parser.add_argument(
            f"--{weight}", type=parse_source, default=(path, number), help=f"default {path}"
        )
    args = parser.parse_args(argv)
    if args.check:
        missing = missing_characters()
        for character, files in missing.items():
            print(f"{character} (U+{ord(character):04X}) in {', '.join(files)}")
        return 1 if missing else 0
    for path in write_fonts({"regular": args.regular, "bold": args.bold}):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")
    return 0


def mark_chinese(html: str) -> str:
    """`html` with each CJK run of its text in a lang span; tags, comments, scripts, styles and
    the title are left as they are (a span has no place in an attribute or a <title>)."""
    parts, inside = TAG.split(html), None  # text and tags alternate: text at even indices
    for index, part in enumerate(parts):
        if index % 2:
            opening = RAW_TEXT.match(part)
            if inside and part.lower().startswith(f"</{inside}"):
                inside = None
            elif opening and inside is None:
                inside = opening["name"].lower()
        elif inside is None and CJK.search(part):
            parts[index] = CJK.sub(lambda run: f'<span lang="zh-Hans">{run[0]}</span>', part)
    return "".join(parts)


if __name__ == "__main__":
    sys.exit(main())
