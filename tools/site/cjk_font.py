"""The subset font that shows the course notes' Chinese glosses on any machine.

    python -m tools.site.cjk_font          # rewrite docs/assets/fonts/cjk-glosses-*.woff2
    python -m tools.site.cjk_font --check  # only say which characters the committed fonts lack

Without a CJK font, a browser draws the glosses (均匀分布, 维度增加, ...) as empty boxes. The site
marks every run of CJK characters `lang="zh-Hans"` (tools/site/hooks.py) and puts this font
first for `:lang(zh)` (docs/stylesheets/extra.css): Noto Sans CJK SC, Regular and Bold, cut down
to the characters that the Markdown under docs/ uses (the Chinese edition's docs/*.zh.md
included), mkdocs.yml's nav titles, the sentences of tools/site/site_text.py and the labels of
docs/stylesheets/extra.css. Run it again after
adding a page, a gloss or a sentence with new characters: tests/test_site.py fails, naming them,
until then.

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
# Han ideographs (and extensions), CJK punctuation, kana, bopomofo, compatibility ideographs and
# full-width forms: what a Chinese gloss or a Chinese edition of a page may hold.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f]+"
)
TAG = re.compile(rf"({COMMENT.pattern}|<[^>]+>)", re.S)  # comments and tags hold no text
RAW_TEXT = re.compile(r"<(?P<name>script|style|title|textarea)\b", re.I)
FAMILY = "PET CJK Glosses"  # the subset's own name: the OFL reserves the original's for it
NOTO = Path("/usr/share/fonts/opentype/noto")
# The face of each weight: file, and the font's number inside a .ttc (2: Simplified Chinese).
SOURCES = {
    "regular": (NOTO / "NotoSansCJK-Regular.ttc", 2),
    "bold": (NOTO / "NotoSansCJK-Bold.ttc", 2),
}
KEPT_NAMES = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence and its URL


def font_path(weight: str) -> Path:
    """The committed subset of one weight ("regular" or "bold")."""
    return FONTS / f"cjk-glosses-{weight}.woff2"


def text_sources(docs: Path = DOCS) -> list[Path]:
    """Every file whose text the site shows: the Markdown under docs/, the nav's titles, the
    sentences the site adds (tools/site/site_text.py), the results tables' words
    (tools/site/results_tables.py), the labels its style sheet writes, and the
    words of Material's Chinese interface (the search box, its messages, button titles)."""
    import material

    root = docs.parent
    added = [
        root / "mkdocs.yml",
        root / "tools" / "site" / "site_text.py",
        root / "tools" / "site" / "results_tables.py",
        docs / "stylesheets" / "extra.css",
        Path(material.__file__).parent / "templates" / "partials" / "languages" / "zh.html",
    ]
    return sorted(docs.rglob("*.md")) + added


def used_characters(docs: Path = DOCS) -> dict[str, list[str]]:
    """Each CJK character in the site's text, with the files that use it."""
    used: dict[str, list[str]] = {}
    for path in text_sources(docs):
        if not path.is_file():
            continue
        # Material's file lies outside the project wherever its environment does.
        inside = path.is_relative_to(docs.parent)
        name = path.relative_to(docs.parent).as_posix() if inside else str(path)
        for run in CJK.findall(path.read_text(encoding="utf-8")):
            for character in run:
                if name not in used.setdefault(character, []):
                    used[character].append(name)
    return dict(sorted(used.items()))


def font_characters(path: Path) -> set[str]:
    """The characters a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    return {chr(code) for code in TTFont(path).getBestCmap()}


def missing_characters(docs: Path = DOCS) -> dict[str, list[str]]:
    """The characters some page uses that a committed subset lacks, with their files."""
    used = used_characters(docs)
    missing = set()
    for weight in SOURCES:
        path = font_path(weight)
        covered = font_characters(path) if path.is_file() else set()
        missing |= set(used) - covered
    return {character: used[character] for character in sorted(missing)}


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
    """Write both weights' subsets for the characters in use; return their paths."""
    from snippets.files import atomic_write

    characters = "".join(used_characters())
    written = []
    for weight, (source, number) in sources.items():
        if not source.is_file():
            raise FileNotFoundError(
                f"{source} not found: install Debian's fonts-noto-cjk, or pass --{weight}"
                " PATH[:NUMBER] to a Noto Sans CJK font file"
            )
        atomic_write(font_path(weight), subset(source, number, characters, weight))
        written.append(font_path(weight))
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
