"""What a reader downloads: each kind of page's first load against its budget, and the means that
keep it there (tools/checks/page_weight.py measures; tools/site/page_assets.py, cjk_font.py and
css_trim.py are the means).

The budgets' figures are printed at the end of the run (conftest.py summary_lines), passing or
failing: `make test` shows them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tools.checks.chromium import find_chromium
from tools.checks.page_weight import BUDGETS, KIB, PageWeight, weigh_site
from tools.site import cjk_font, css_trim
from tools.site.page_assets import KATEX_SCRIPTS, has_math

pytestmark = [pytest.mark.site, pytest.mark.tooling]

FONT_FACE = re.compile(r"@font-face \{(?P<body>.*?)\}", re.S)
FACE_URL = re.compile(r'url\("\.\./(?P<path>[^"]+)"\)')
CODE_POINTS = re.compile(r"U\+(?P<first>[0-9A-F]+)(?:-(?P<last>[0-9A-F]+))?")
CJK_STYLE_SHEET = re.compile(
    r'<link rel="stylesheet" href="(?P<root>[^"]*)stylesheets/cjk-(\w+)\.css">'
)


@pytest.fixture(scope="module")
def weights(site: Path, summary_lines: list[str]) -> dict[str, PageWeight]:
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI: .ci/run installs Debian's chromium")
        pytest.skip("Chromium not found: install it (Debian: apt-get install chromium) to run this")
    found = weigh_site(site, chromium, list(BUDGETS))
    summary_lines += [f"first load at 390 px, gzipped: {weight.summary()}" for weight in found]
    return {weight.path: weight for weight in found}


@pytest.mark.parametrize("path", list(BUDGETS), ids=lambda path: f"/{path}")
def test_a_first_load_keeps_to_its_budget(weights: dict[str, PageWeight], path: str):
    weight = weights[path]
    assert weight.kib <= BUDGETS[path], f"over budget: {weight.summary()}"


def test_the_first_load_is_measured_as_a_reader_without_cjk_fonts_sees_it(weights):
    """The Chinese page fetches its font slices (a system CJK font would leave them out of the
    figure), the search index is counted, and every page's text is counted gzipped."""
    chinese = weights["zh/11-model-training/"]
    assert any(part.url.startswith("/assets/fonts/cjk-zh-") for part in chinese.parts)
    for weight in weights.values():
        # Each language's pages fetch their own language's index only (tools/site/search_index.py).
        own = "/zh/search/search_index" if weight.path.startswith("zh/") else "/search/search_index"
        indexes = [part.url for part in weight.parts if "search_index" in part.url]
        assert [url.startswith(own) for url in indexes] == [True], indexes
        page = next(part for part in weight.parts if part.url == f"/{weight.path}")
        assert page.sent < page.raw / 2, "HTML counted gzipped"


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_katex_only_on_the_pages_with_math(site: Path):
    with_math = []
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        loads = [path for path in KATEX_SCRIPTS if f'{path}"></script>' in html]
        assert loads == (KATEX_SCRIPTS if has_math(html) else []), page.relative_to(site)
        with_math += [page.relative_to(site).parent.as_posix()] if loads else []
    assert "08-autograd" in with_math and "notebooks/08-autograd" in with_math
    assert "11-model-training" not in with_math and "" not in with_math


def test_every_page_names_its_search_dialog(site: Path):
    """axe-core's aria-dialog-name: Material's search dialog has no name of its own."""
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        name = "搜索" if page.relative_to(site).parts[0] == "zh" else "Search"
        assert f'role="dialog" aria-label="{name}">' in html, page.relative_to(site)


def face_ranges(style_sheet: Path) -> list[tuple[Path, set[str]]]:
    """Each @font-face of a style sheet: its font file, and the characters of its unicode-range."""
    faces = []
    for found in FONT_FACE.finditer(style_sheet.read_text(encoding="utf-8")):
        url = FACE_URL.search(found["body"])
        points = set()
        for first, last in CODE_POINTS.findall(found["body"]):
            points.update(range(int(first, 16), int(last or first, 16) + 1))
        faces.append((style_sheet.parent.parent / url["path"], set(map(chr, points))))
    return faces


def test_each_font_slice_has_the_glyphs_of_its_unicode_range_and_system_fonts_come_first():
    for language in cjk_font.LANGUAGES:
        style_sheet = cjk_font.style_sheet_path(language)
        faces = face_ranges(style_sheet)
        assert len(faces) > 1, language
        for path, characters in faces:
            assert characters and characters <= cjk_font.font_characters(path), path.name
        sources = re.findall(r"src: (\w+)", style_sheet.read_text(encoding="utf-8"))
        assert set(sources) == {"local"}, "a reader's own CJK font first: it downloads nothing"


def test_each_page_links_the_faces_of_its_language_and_they_cover_its_characters(site: Path):
    """A page's CJK characters (text, nav, menus) all lie in the unicode-ranges of the style
    sheet it links, its language's; an English page's slices are a small part of the Chinese
    edition's."""
    covered = {
        language: set().union(
            *(chars for _, chars in face_ranges(site / "stylesheets" / f"cjk-{language}.css"))
        )
        for language in cjk_font.LANGUAGES
    }
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        linked = [found[2] for found in CJK_STYLE_SHEET.finditer(html)]
        language = "zh" if 'lang="zh-Hans"' in html[:200] else "en"
        assert linked == [language], page.relative_to(site)
        text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", "\0", html, flags=re.S)
        used = {character for run in cjk_font.CJK.findall(text) for character in run}
        assert used - covered[language] == set(), page.relative_to(site)
    english = sum(path.stat().st_size for path in site.glob("assets/fonts/cjk-en-*.woff2"))
    assert english < 50 * KIB


def test_slices_put_what_every_page_shows_first_and_a_pages_own_characters_together():
    pages = {cjk_font.EVERY_PAGE: set("中文"), "a.md": set("中一二三四"), "b.md": set("二五六")}
    assert cjk_font.slices(pages, size=2) == ["中文", "二一", "三四", "五六"]
    assert cjk_font.unicode_range("一丁七三") == "U+4E00-4E01, U+4E03, U+4E09"


def test_the_notebook_css_keeps_the_rules_and_properties_a_page_can_use():
    theme = ".w{--used:1px;--unused:url(data:image/svg+xml;base64,AAAA);--chained:var(--used)}"
    rules = (
        ".w .jp-Cell{margin:var(--chained)}.w .jp-Dialog{color:red}"
        ".w .jp-Cell:not(.jp-mod-active){padding:0}pre{line-height:1}"
        "@media print{.w .jp-Menu{display:none}.w .jp-Cell{border:0}}"
        "@keyframes spin{to{opacity:0}}@keyframes blink{to{opacity:1}}"
        ".w .jp-Cell{animation:blink 1s}"
    )
    theme_kept, rules_kept = css_trim.used_rules([theme, rules], frozenset({"w", "jp-Cell"}))
    assert "--used:1px" in theme_kept and "--chained:var(--used)" in theme_kept
    assert "--unused" not in theme_kept
    assert ".jp-Cell{margin" in rules_kept and ".jp-Cell:not(.jp-mod-active)" in rules_kept
    assert "jp-Dialog" not in rules_kept and "jp-Menu" not in rules_kept
    assert (
        "pre{line-height:1}" in rules_kept and "@media print{.w .jp-Cell{border:0}}" in rules_kept
    )
    assert "@keyframes blink" in rules_kept and "spin" not in rules_kept
