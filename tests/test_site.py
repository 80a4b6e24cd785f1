"""Checks of the built site (conftest.py builds it once): links, notebook pages, stamps, badges,
and every page in a real browser.

The browser tests drive headless Chromium with Playwright (Debian: `apt-get install chromium`).
Without Chromium they are skipped with the reason, except under CI (the CI variable set), where
`.ci/run` installs Chromium and the tests fail if they cannot run. In the browser, every page of
the site (chapters, home, notebook pages) must load from the site itself without errors, pass
axe-core's WCAG 2 A and AA rules in the light and the dark colour scheme, show no code or output
wider than its column at 1280 px, give outputs 7:1 contrast, draw the Chinese glosses with the
site's subset font, and read well at 390 px (tools/checks/site_checks.py: figure text, cues
for what is shrunk or scrolls, outputs that wrap whole words, badges before their blocks, ...).
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tools.checks.site_checks import (
    CHROMIUM_FLAGS,
    CODE_PX,
    COLOUR_PAIRS,
    GLOSS,
    GLOSS_SAMPLE,
    LABEL_GAP_PX,
    OUTPUT_BLOCKS,
    OUTPUT_CONTRAST,
    READABLE_PX,
    READING_SCRIPT,
    SAMPLE_GLOSSES,
    SCHEME_SCRIPT,
    SETTLED,
    TOKEN_BLOCKS,
    TOKEN_CONTRAST,
    PageWatch,
    find_chromium,
    gloss_problems,
    serve,
)
from tools.pages import harness
from tools.site import cjk_font, notebooks, site_text
from tools.verify import reader

pytestmark = [pytest.mark.site, pytest.mark.tooling]

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "test-output" / "browser"
COPY_BUTTON = 'button[data-md-type="copy"]'  # Material's copy-to-clipboard button
CHAPTERS = [path for path in harness.chapters() if harness.has_code(path)]


class PageParser(HTMLParser):
    """Collects the ids a page defines and the links, sources and images it uses."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        for name in ("id", "name"):
            if attributes.get(name):
                self.ids.add(attributes[name])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag in ("img", "script") and attributes.get("src"):
            self.links.append(attributes["src"])
        if tag == "link" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "img":
            self.images.append(attributes)


@functools.cache
def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def pages(site: Path) -> list[Path]:
    return sorted(path for path in site.rglob("*.html") if path.name != "404.html")


def target_file(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points to; None for an external link."""
    base = "/" + page.relative_to(site).as_posix()
    url = urlsplit(urljoin(base, link))
    if url.scheme or url.netloc:
        return None
    path = site / unquote(url.path).lstrip("/")
    if url.path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path, url.fragment


# ---- the built files ---------------------------------------------------------------------------


def test_no_broken_internal_links_or_anchors(site: Path):
    broken, checked = [], 0
    for page in pages(site):
        for link in parse(page).links:
            target = target_file(site, page, link)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            if not path.is_file():
                broken.append(f"{page.relative_to(site)}: {link} (no file)")
            elif fragment and path.suffix == ".html" and fragment not in parse(path).ids:
                broken.append(f"{page.relative_to(site)}: {link} (no #{fragment})")
    assert checked > 100
    assert broken == []


def test_every_image_has_alt_text_and_opens_full_size(site: Path):
    images = [(page, image) for page in pages(site) for image in parse(page).images]
    assert images, "the site has figures"
    assert [f"{p.relative_to(site)}: {i.get('src')}" for p, i in images if not i.get("alt")] == []
    for chapter in CHAPTERS:
        html = (site / chapter.stem / "index.html").read_text(encoding="utf-8")
        assert html.count('<a class="figure-link"') == html.count("<img ")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_chapter_has_a_notebook_page_with_its_outputs_and_a_download(site, chapter):
    links = parse(site / chapter.stem / "index.html").links
    assert f"../notebooks/{chapter.stem}/" in links
    assert f"../notebooks/{chapter.stem}/{chapter.stem}.ipynb" in links
    notebook = site / notebooks.NOTEBOOKS / chapter.stem / f"{chapter.stem}.ipynb"
    assert notebook.is_file()
    page = (site / notebooks.NOTEBOOKS / chapter.stem / "index.html").read_text(encoding="utf-8")
    outputs = [b.expected for b in harness.blocks(harness.parse(chapter)) if b.expected]
    first_line = outputs[0].strip().splitlines()[0]
    assert first_line[:40].replace("<", "&lt;").replace(">", "&gt;") in page.replace("&#x27;", "'")
    assert 'src="http' not in page  # no third-party script (mkdocs-jupyter's CDN MathJax)


def test_every_chapter_links_colab_for_the_repository_the_site_is_built_for(site, site_repository):
    """(Without a repository there are no Colab links: tests/test_site_settings.py.)"""
    colab = [
        link
        for page in pages(site)
        for link in parse(page).links
        if link.startswith("https://colab.research.google.com/")
    ]
    prefix = f"https://colab.research.google.com/github/{site_repository}/blob/gh-pages/notebooks/"
    # The Chinese edition's notebooks are its own (tools/site/notebooks.py), under zh/.
    english = {f"{prefix}{chapter.stem}/{chapter.stem}.ipynb" for chapter in CHAPTERS}
    chinese = {link.replace("/notebooks/", "/zh/notebooks/") for link in english}
    assert set(colab) == english | chinese


def test_notebook_pages_are_out_of_search_and_nav(site: Path):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"], "the chapters are searchable"
    assert not [doc["location"] for doc in index["docs"] if doc["location"].startswith("notebooks")]
    nav = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="notebooks/' not in nav


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_stamps_badges_and_tolerance_notes_come_from_the_page_source(site: Path, chapter: Path):
    html = (site / chapter.stem / "index.html").read_text(encoding="utf-8")
    blocks = harness.blocks(harness.parse(chapter))
    stamp = '<details class="outputs-stamp" data-search-exclude><summary>Outputs verified with'
    assert html.count(stamp) == 1
    gpu = [block for block in blocks if block.skip and block.skip.kind == "gpu"]
    for kind in ["gpu", "no-gpu", "conditional"]:
        with_kind = [block for block in blocks if block.skip and block.skip.kind == kind]
        assert html.count(f"skip-badge--{kind}") == len(with_kind), kind
    assert html.count('class="tolerance-note"') == sum(b.tolerance is not None for b in blocks)
    if not gpu:  # pages with GPU-only blocks: tests/test_gpu_check.py
        assert "GPU-only outputs" not in html and "gpu-output" not in html
    # No directive or hidden block shows as text (one inside a solution once did).
    assert "&lt;!--" not in html and "invisible-code-block" not in html


# tools/site/cjk_font.py marks them
CHINESE_SPAN = re.compile(r'<span lang="zh-Hans">([^<]*)</span>')
BADGE = re.compile(
    r'<p class="skip-badge skip-badge--(?P<kind>[\w-]+)" data-skip-if="(?P<if>[^"]*)"'
)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_each_badge_says_what_its_block_needs_on_the_chapter_and_its_notebook(site, chapter):
    """GPU only, without a GPU, or another condition: from the block's own skip directive."""
    blocks = harness.blocks(harness.parse(chapter))
    skipped = [b.skip for b in blocks if b.skip and not b.hidden]
    wanted = [(skip.kind, skip.condition) for skip in skipped]
    for language, root in [("en", site), ("zh", site / "zh")]:
        for page in [root / chapter.stem, root / notebooks.NOTEBOOKS / chapter.stem]:
            html = (page / "index.html").read_text(encoding="utf-8")
            found = BADGE.finditer(html)
            shown = [(badge["kind"], html_lib.unescape(badge["if"])) for badge in found]
            assert shown == wanted, page.relative_to(site)
            # One badge per block, its title once: a notebook page once kept the notebook's own
            # line beside the badge on the Chinese pages.
            titles = [html_lib.escape(site_text.badge(skip, language)[0]) for skip in skipped]
            plain = CHINESE_SPAN.sub(r"\1", html)  # the title's words, without the font's spans
            for title in set(titles):
                count = plain.count(f"<strong>{title}</strong>")
                assert count == titles.count(title), (page.relative_to(site), title, count)
    if chapter.stem == "15-training-faster":  # the CPU fallback after the pinned-memory block
        assert ("no-gpu", "torch.cuda.is_available()") in wanted


def test_every_cjk_character_of_the_pages_has_a_glyph_in_the_subset_fonts():
    """docs/assets/fonts/ must cover every CJK character the Markdown uses (a Chinese edition's
    pages included): else a machine without a CJK font shows boxes."""
    for language, faces in cjk_font.FACES.items():
        for weight in faces:
            found = cjk_font.font_paths(language, weight)
            assert found, "run `python -m tools.site.cjk_font`"
    assert cjk_font.used_characters(), "the course notes' glosses are on the pages"
    missing = cjk_font.missing_characters()
    assert missing == {}, (
        "the subset fonts lack "
        + ", ".join(
            f"{character} (U+{ord(character):04X}, {', '.join(files)})"
            for character, files in missing.items()
        )
        + ": run `python -m tools.site.cjk_font` and commit docs/assets/fonts/"
    )


def test_every_cjk_run_is_marked_chinese_in_text_toc_and_nav(site: Path):
    marked = 0
    for page in pages(site):
        html = (page).read_text(encoding="utf-8")
        body = re.sub(r"<(script|style|title)\b.*?</\1>|<[^>]+>", "\0", html, flags=re.S)
        runs = cjk_font.CJK.findall(body)
        spans = re.findall(r'<span lang="zh-Hans">([^<]*)</span>', html)
        assert sorted(runs) == sorted(spans), page.relative_to(site)
        marked += len(spans)
    toc = (site / "06-manipulating-tensors" / "index.html").read_text(encoding="utf-8")
    entry = re.compile(r'class="md-ellipsis">\s*Combining tensors: torch.stack \(<span lang="zh-')
    assert len(entry.findall(toc)) == 2, "the entry in the table of contents, and in the nav"
    assert marked > 20


def test_no_solution_text_is_in_the_search_index(site: Path):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    searchable = " ".join(
        " ".join(re.sub(r"<[^>]+>", " ", doc["text"]).split()) for doc in index["docs"]
    )
    solutions = checked = 0
    for chapter in CHAPTERS:
        html = (site / chapter.stem / "index.html").read_text(encoding="utf-8")
        for found in re.finditer(
            r'<details class="success"[^>]*>\s*<summary>(Solution \d+)</summary>'
            r"(?P<body>.*?)</details>",
            html,
            re.S,
        ):
            solutions += 1
            text = " ".join(re.sub(r"<[^>]+>", " ", found["body"]).split())
            lines = [line for line in re.split(r"(?<=[.:;])\s", text) if len(line) > 30]
            assert lines, found[1]
            # What the page also says outside its solutions (a tolerance note) may be indexed.
            lines = [line for line in lines if line not in outside_solutions(html)]
            leaked = [line for line in lines if line in searchable]
            assert leaked == [], f"{chapter.stem} {found[1]} is in the search index"
            checked += len(lines)
    assert solutions >= 30 and checked > 2 * solutions
    assert "broadcast" in searchable  # the rest of the pages stays searchable


@functools.cache
def outside_solutions(html: str) -> str:
    rest = re.sub(r'<details class="success".*?</details>', " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", rest).split())


def test_the_home_page_outline_reads_on_a_phone(site: Path):
    """Two columns (time and exercises under each title), each opener after "You will learn",
    the totals, and a line that says what the course notes are."""
    html = (site / "index.html").read_text(encoding="utf-8")
    table = html[html.index("<table>") : html.index("</table>")]
    assert table.count("<th>") == 2 and "You will learn</th>" in table
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert len(rows) == len(CHAPTERS)
    learned = [re.sub(r"<[^>]+>", "", row.split("<td>")[2]) for row in rows]
    assert not [text for text in learned if text.startswith("You will") or "learn to" in text]
    assert all(re.search(r"\d+ min · \d+ exercises?<", row) for row in rows)
    total = sum(int(n) for n in re.findall(r"(\d+) min ·", table))
    assert f"In all: {len(CHAPTERS)} chapters, about {total // 60} h {total % 60:02d} min" in html
    assert "course notes" in html and "Chinese glosses" in html


def test_notebook_pages_open_in_colab_and_show_their_figures_as_the_chapters_do(
    site, site_repository
):
    for chapter in CHAPTERS:
        html = (site / notebooks.NOTEBOOKS / chapter.stem / "index.html").read_text(
            encoding="utf-8"
        )
        colab = f"https://colab.research.google.com/github/{site_repository}/blob/gh-pages/"
        buttons = html[html.index('<p class="notebook-links">') :].split("</p>", 1)[0]
        assert (
            "Download notebook" in buttons and f'href="{colab}notebooks/{chapter.stem}/' in buttons
        )
        assert "No description has been provided" not in html
        assert 'src="data:image' not in html


# ---- in a real browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI: .ci/run installs Debian's chromium")
        pytest.skip("Chromium not found: install it (Debian: apt-get install chromium) to run this")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(site: Path):
    httpd, base = serve(site)
    yield base
    httpd.shutdown()


def test_the_checks_serve_the_site_as_github_pages_does(tmp_path):
    """Each file may be reused for ten minutes (GitHub Pages' Cache-Control): a browser checking
    page after page fetches the shared style sheets, scripts and fonts once, as a reader does."""
    import urllib.request

    (tmp_path / "index.html").write_text("<p>Home</p>", encoding="utf-8")
    httpd, base = serve(tmp_path)
    try:
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            assert response.headers["Cache-Control"] == "max-age=600"
    finally:
        httpd.shutdown()


def open_page(browser, url: str, base: str, width: int = 1280, height: int = 900):
    """Load a page; its load problems (console errors, failed requests, requests to other hosts:
    tools/checks/site_checks.py PageWatch, as in the sweep) collect in the list returned with it."""
    context = browser.new_context(color_scheme="light", viewport={"width": width, "height": height})
    page = context.new_page()
    watch = PageWatch(page, base)
    page.goto(url, wait_until="load")
    return context, page, watch.problems


@pytest.fixture(scope="module")
def opened(browser, server):
    """opened(path): one open page per path for the tests that only read it, each in the colour
    scheme it sets (a load of a long page costs more than the test); its load problems with it."""
    pages: dict[str, tuple] = {}

    def page_at(path: str) -> tuple:
        if path not in pages:
            pages[path] = open_page(browser, f"{server}/{path}", server)
        _, page, problems = pages[path]
        return page, problems

    yield page_at
    for context, _, _ in pages.values():
        context.close()


def set_scheme(page, scheme: str) -> None:
    """Switch Material's colour scheme the way its palette toggle does, and let the colour
    transitions of its links (a quarter of a second) finish before anything is measured."""
    page.evaluate(SCHEME_SCRIPT, scheme)
    page.wait_for_timeout(400)


# ---- the notebook pages, as their chapters (a Jupyter user opens these first) ---------------

# Where a page's code blocks are, and in what size: a chapter's outside admonitions, and a
# notebook page's code cells outside its folds.
CODE_BOXES = """(selector) => [...document.querySelectorAll(selector)].map((box) => {
    const text = getComputedStyle(box.querySelector('pre') || box);  // the code's own size
    return [box.clientWidth, text.fontSize, text.paddingLeft, text.paddingRight]; })"""
CHAPTER_CODE = ".md-content__inner > .language-python pre > code"
NOTEBOOK_CODE = ".jp-Notebook > .jp-CodeCell .highlight-ipynb"
# What a notebook page shows around its content, found by class, never by words.
NOTEBOOK_PAGE = """() => {
    const content = document.querySelector('.md-content__inner');
    const top = (element) => Math.round(element.getBoundingClientRect().top);
    const title = content.querySelector('h1');
    const buttons = [...content.querySelectorAll('.notebook-links .md-button')];
    const stamps = [...content.querySelectorAll('details.outputs-stamp')];
    const folds = [...content.querySelectorAll('details.success')];
    const chapter = document.querySelector('.md-nav--primary .md-nav__item--active > a');
    const other = [...document.querySelectorAll('.md-nav--primary .md-nav__item > a')]
        .find((link) => !link.parentElement.matches('.md-nav__item--active'));
    const link = (kind) => document.querySelector(`.md-footer__link--${kind}`)?.href;
    return {
        title_first: title.getBoundingClientRect().bottom <= Math.min(...buttons.map(top)),
        buttons: buttons.length, button_rows: new Set(buttons.map(top)).size,
        stamps: stamps.length, stamp_under_buttons: stamps.every((s) => top(s) > top(buttons[0])),
        solutions: folds.length, open: folds.filter((fold) => fold.open).length,
        shown_in_solutions: [...content.querySelectorAll('details.success .jp-Cell')]
            .filter((cell) => cell.checkVisibility()).length,
        cell_tags: content.querySelectorAll('.celltoolbar, .cell-tag').length,
        previous: link('prev'), next: link('next'),
        chapter: chapter?.getAttribute('href'),
        highlighted: !!chapter && getComputedStyle(chapter).color !== getComputedStyle(other).color,
    }; }"""


@pytest.mark.parametrize("root", ["", "zh/"], ids=["en", "zh"])
def test_a_notebook_page_reads_like_its_chapter(browser, server, root):
    """It printed every solution in full, showed nbconvert's "setup" tag over the first cell,
    had no stamp, no Previous/Next and no chapter highlighted in the nav, put its buttons above
    its title (two rows on a phone), and its code cells were narrower than the chapter's code,
    in a larger font (37 columns at 390 px against 48)."""
    chapter = harness.DOCS / "11-model-training.md"
    folds = [f for f in notebooks.folded_admonitions(chapter.read_text()) if f.kind == "success"]
    context, page, problems = open_page(browser, f"{server}/{root}11-model-training/", server, 390)
    chapter_code = page.evaluate(CODE_BOXES, CHAPTER_CODE)
    page.goto(f"{server}/{root}notebooks/11-model-training/", wait_until="load")
    shown = page.evaluate(NOTEBOOK_PAGE)
    notebook_code = page.evaluate(CODE_BOXES, NOTEBOOK_CODE)
    context.close()
    assert shown == {
        "title_first": True,
        "buttons": 3,  # "Chapter", "Download notebook", "Open in Colab"
        "button_rows": 1,
        "stamps": 1,
        "stamp_under_buttons": True,
        "solutions": len(folds),
        "open": 0,
        "shown_in_solutions": 0,
        "cell_tags": 0,
        "previous": f"{server}/{root}notebooks/10-data-preparation/",
        "next": f"{server}/{root}notebooks/12-testing-the-model/",
        "chapter": "../../11-model-training/",
        "highlighted": True,
    }
    assert len(folds) == 3 and chapter_code and notebook_code
    # Every code cell as wide as the chapter's code blocks, in its font size and padding.
    assert {tuple(box) for box in notebook_code} == {tuple(chapter_code[0])}, chapter_code[:1]
    assert problems == []


def gpu_output_labels(page) -> list:
    """Each GPU-only output's label and the label its box shows ("Expected output"/"Output")."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.md-content .gpu-output-label')].map((label) => {
             const next = label.nextElementSibling;  // the output, or a cell's output area
             const box = next.matches('.gpu-output') ? next : next.querySelector('.gpu-output');
             return [label.className, box.className.match(/gpu-output--\\w+/)[0],
                     getComputedStyle(box, '::before').content]; })"""
    )


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_a_notebook_page_marks_gpu_only_outputs_as_its_chapter_does(opened, scheme):
    """Its expected (not yet GPU-proven) outputs looked like verified ones: no label, no frame."""
    chapter, problems = opened("15-training-faster/")
    set_scheme(chapter, scheme)
    on_the_chapter = gpu_output_labels(chapter)
    notebook, problems_there = opened("notebooks/15-training-faster/")
    set_scheme(notebook, scheme)
    on_the_notebook = gpu_output_labels(notebook)
    frames = notebook.evaluate(
        """() => [...document.querySelectorAll('.jupyter-wrapper .gpu-output--expected')].map(
             (box) => getComputedStyle(box).borderTopStyle)"""
    )
    assert on_the_chapter and on_the_notebook == on_the_chapter
    assert {label for *_, label in on_the_chapter} == {'"Expected output"'}
    assert frames and set(frames) == {"dashed"}
    assert problems == problems_there == []


def test_a_chinese_notebook_page_shows_one_badge_per_gpu_only_block(opened):
    """Found by their class: each GPU-only block's badge, once. The page kept the notebook's own
    line beside the badge while that line was looked for with an ASCII colon (Chinese "：")."""
    chapter = harness.DOCS / "01-tensors.zh.md"
    gpu = [b for b in harness.blocks(harness.parse(chapter)) if b.skip and b.skip.kind == "gpu"]
    title = site_text.badge(gpu[0].skip, "zh")[0]
    chapter_page, problems = opened("zh/01-tensors/")
    on_the_chapter = gpu_output_labels(chapter_page)
    page, problems_there = opened("zh/notebooks/01-tensors/")
    badges = page.evaluate(
        """() => [...document.querySelectorAll('.md-content .skip-badge--gpu')].map(
             (badge) => [badge.dataset.skipIf, badge.checkVisibility()])"""
    )
    text = page.evaluate("document.querySelector('.md-content').innerText")
    on_the_notebook = gpu_output_labels(page)
    assert len(gpu) == 4 and badges == [[block.skip.condition, True] for block in gpu]
    badge_words = title + site_text.text("zh", "badge separator")  # "仅限 GPU："
    assert text.count(badge_words) == len(gpu), text.count(badge_words)  # no second line of them
    assert on_the_chapter and on_the_notebook == on_the_chapter  # verified, as on the chapter
    assert problems == problems_there == []


def test_tab_reaches_the_first_copy_button_with_a_visible_focus_ring(browser, server):
    context, page, problems = open_page(browser, f"{server}/01-tensors/", server)
    first_copy = page.locator(f".language-python {COPY_BUTTON}").first
    first_copy.wait_for(state="attached")
    reached = None
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"document.activeElement === document.querySelector('.language-python {COPY_BUTTON}')"
        ):
            reached = page.evaluate(
                """() => { const style = getComputedStyle(document.activeElement);
                           return [style.outlineStyle, parseFloat(style.outlineWidth)]; }"""
            )
            break
    context.close()
    assert reached is not None, "Tab never reached the copy button of the first code block"
    assert reached[0] != "none" and reached[1] > 0, reached
    assert problems == []


def test_copy_buttons_copy_exactly_the_code_that_the_reader_test_runs(browser, server, site):
    context, page, problems = open_page(browser, f"{server}/01-tensors/", server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    first_block = page.locator(".language-python").first
    first_block.hover()
    first_block.locator(COPY_BUTTON).click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == reader.copied_code(site / "01-tensors" / "index.html")[0].strip()
    assert page.locator(f".language-output {COPY_BUTTON}").count() == 0  # outputs aren't copied
    assert page.locator(f".listing {COPY_BUTTON}").count() == 0
    context.close()
    assert problems == []


# Text outside KaTeX's output, code and scripts that still looks like TeX: $ or \command{.
RAW_TEX = r"""() => {
    const walker = document.createTreeWalker(document.querySelector(".md-content"),
                                             NodeFilter.SHOW_TEXT);
    const raw = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(".katex, code, pre, script, style")) continue;
        if (/\$|\\[a-zA-Z]+\{/.test(node.textContent)) raw.push(node.textContent.trim());
    }
    return raw;
}"""


@pytest.mark.parametrize("path", ["08-autograd/", "notebooks/08-autograd/"])
def test_math_renders_with_the_local_katex(browser, server, path):
    """On the chapter and on its notebook page: no TeX left as text, no error from KaTeX."""
    context, page, problems = open_page(browser, f"{server}/{path}", server)
    rendered = page.locator(".katex").count()
    raw = page.evaluate(RAW_TEX)
    errors = page.locator(".katex-error").count()
    context.close()
    assert rendered > 10 and raw == [] and errors == 0, (rendered, raw[:3], errors)
    assert problems == []


def test_the_token_contrast_check_finds_faint_code_and_math(browser, server):
    """Code and math are left out of axe (tools/checks/site_checks.py): their own check must bite;
    so must the outputs' 7:1, on a grey that passes WCAG AA's 4.5:1."""
    context, page, problems = open_page(browser, f"{server}/08-autograd/", server)
    assert page.evaluate(TOKEN_CONTRAST, [TOKEN_BLOCKS, None]) == []
    assert page.evaluate(TOKEN_CONTRAST, [OUTPUT_BLOCKS, OUTPUT_CONTRAST]) == []
    faint = "color: #e8e8e8 !important"  # 1.2:1 on white
    grey = "color: #666666 !important"  # 5.7:1 on white
    page.add_style_tag(
        content=f".highlight pre .c1, .katex-html .mord {{ {faint}; }}"
        f" .language-output .go {{ {grey}; }}"
    )
    failures = page.evaluate(TOKEN_CONTRAST, [TOKEN_BLOCKS, None])
    outputs = page.evaluate(TOKEN_CONTRAST, [OUTPUT_BLOCKS, OUTPUT_CONTRAST])
    context.close()
    assert any(line.startswith("text of span.c1:") for line in failures), failures
    assert any(line.startswith("text of span.mord") for line in failures), failures
    assert not any(line.startswith("text of span.go") for line in failures), failures
    assert any(line.startswith("text of span.go") and "needs 7:1" in line for line in outputs)
    assert problems == []


def test_a_colour_pair_is_new_until_a_page_had_it(browser):
    """The sweep runs axe-core's colour rules on a page only for colour pairs that no page before
    it had (tools/checks/site_checks.py COLOUR_RULES): whatever those rules weigh must make a new
    pair (colour, size, weight, opacity, shadow, a link's underline); the same colours again, and
    code (left to TOKEN_CONTRAST), must not."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<p style='color:#333'>Text <a href='#' style='color:#00e'>a link</a></p>")

    def pairs_after(html: str) -> set[str]:
        page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", html)
        return set(page.evaluate(COLOUR_PAIRS, TOKEN_BLOCKS))

    known = pairs_after("")
    code = "<div class='highlight'><pre><span style='color:#eee'>faint code</span></pre></div>"
    assert len(known) == 2 and pairs_after(f"<p style='color:#333'>More text</p>{code}") == known
    for style in ["color:#eee", "font-size:30px", "font-weight:700", "opacity:0.3",
                  "text-shadow:1px 1px #fff", "background:#ddd"]:  # fmt: skip
        pairs = pairs_after(f"<p style='color:#333;{style}'>Text</p>")
        assert len(pairs - known) == 1, style
        known = pairs
    bare = "<a href='#' style='color:#00e;text-decoration:none'>a link</a>"
    assert len(pairs_after(f"<p style='color:#333'>{bare}</p>") - known) == 1
    context.close()


def test_on_a_phone_outputs_wrap(browser, server):
    """At 390 px no output scrolls sideways; `make screenshots` also keeps full-page pictures,
    light and dark, in test-output/browser/ to look at (left out of `make test`: seconds each)."""
    keep = os.environ.get("SCREENSHOTS") == "1"
    for name in ["11-model-training", "12-testing-the-model"]:
        context, page, problems = open_page(browser, f"{server}/{name}/", server, 390, 844)
        overflowing = page.evaluate(
            """() => Array.from(document.querySelectorAll(".language-output pre > code"))
                .filter(code => code.scrollWidth > code.clientWidth + 1).length"""
        )
        if keep:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-phone-light.png"), full_page=True)
            set_scheme(page, "slate")
            page.screenshot(path=str(SCREENSHOTS / f"{name}-phone-dark.png"), full_page=True)
        context.close()
        assert overflowing == 0, name
        assert problems == []


def test_the_reading_check_finds_small_figure_text_and_missing_cues(browser, server):
    """The sweep's phone check must bite: the autograd figure (drawn by its chapter, with 7-point
    exponents) without its minimum width, and without the cue that a tap enlarges it."""
    context, page, problems = open_page(browser, f"{server}/08-autograd/", server, 390, 844)
    page.evaluate(SETTLED)
    arguments = [READABLE_PX, CODE_PX, LABEL_GAP_PX]
    assert page.evaluate(READING_SCRIPT, arguments) == []
    page.add_style_tag(
        content=".figure-link img { min-width: 0 !important; width: 200px !important; }"
        " .figure-link::after { content: none !important; }"
        " .language-output pre > code { padding-top: 0.5em !important; }"
    )
    page.evaluate(SETTLED)
    found = page.evaluate(READING_SCRIPT, arguments)
    context.close()
    assert any("finite-difference-error.svg: text of" in line for line in found), found
    assert any("with no cue that a tap enlarges it" in line for line in found), found
    assert any('the "Output" label touches' in line for line in found), found
    assert problems == []


def test_the_gloss_check_sees_a_fallback_font(browser, server):
    """The sweep asks Chromium which font drew each gloss: with the subset's face gone from the
    font stack, the same question must name the fallback (a system font, or none)."""
    context, page, problems = open_page(browser, f"{server}/06-manipulating-tensors/", server)
    page.add_style_tag(content='span[lang|="zh"] { font-family: "DejaVu Sans", serif !important; }')
    page.evaluate("document.fonts.ready.then(() => true)")
    # Every gloss of the page, marked as the sweep marks its sample (gloss_sample.js).
    glosses = page.evaluate(SAMPLE_GLOSSES, [GLOSS, 10_000])
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    marked = {"nodeId": root, "selector": "[data-gloss-sample]"}
    nodes = cdp.send("DOM.querySelectorAll", marked)["nodeIds"]
    fonts = [cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"] for node in nodes]
    context.close()
    found = gloss_problems(glosses, fonts)
    assert len(found) == sum(1 for used in fonts if used) > 3, found
    assert problems == []


def test_the_glosses_whose_fonts_the_sweep_asks_reach_into_the_article(opened):
    """A Chinese page's first glosses are its header's and its nav's, the same on every page: the
    sweep's sample is spread over the page, and most of it is the page's own text."""
    page, problems = opened("zh/01-tensors/")
    sample = page.evaluate(SAMPLE_GLOSSES, [GLOSS, GLOSS_SAMPLE])
    marked = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-gloss-sample]'),"
        " gloss => gloss.closest('article') !== null)"
    )
    assert len(sample) == len(marked) > GLOSS_SAMPLE // 2, sample
    assert sum(marked) > len(marked) // 2, sample
    assert problems == []


def test_code_and_outputs_keep_the_code_font_on_a_chinese_page(browser, server):
    """The subset font is for Chinese text: on a Chinese page (html lang="zh-Hans") every token
    of code and output is drawn in the code font, as on its English page."""
    fonts = {}
    for prefix in ["", "zh/"]:
        url = f"{server}/{prefix}06-manipulating-tensors/"
        context, page, problems = open_page(browser, url, server)
        fonts[prefix] = page.evaluate(
            """() => Array.from(document.querySelectorAll(".md-typeset pre code *"))
                .map(element => getComputedStyle(element).fontFamily)"""
        )
        context.close()
        assert problems == []
    assert len(set(fonts[""])) == 1 and "mono" in fonts[""][0].lower(), set(fonts[""])
    assert set(fonts["zh/"]) == set(fonts[""])


def test_dark_mode_toggle_keeps_the_choice(browser, server):
    context, page, problems = open_page(browser, f"{server}/", server)
    assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
    page.locator('label[title="Switch to dark mode"]').click()
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    page.goto(f"{server}/01-tensors/")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"  # the choice is kept
    context.close()
    assert problems == []


# These wait for the sweep of every page (tools/checks/site_checks.py, started in the background
# once the tests are collected): conftest.py runs them after the tests that wait for nothing.


def test_every_page_loads_cleanly_and_passes_axe_in_both_schemes(page_checks):
    """Every page: no load error or foreign request; axe-core clean in light and in dark."""
    assert len(page_checks) > 30
    problems = [f"/{check.path}: {line}" for check in page_checks for line in check.problems]
    violations = [f"/{check.path}: {line}" for check in page_checks for line in check.violations]
    assert problems == [], "\n".join(problems)
    assert violations == [], "\n".join(violations)


def test_no_code_or_output_is_wider_than_its_column_at_1280_px(page_checks):
    wide = [f"/{check.path}: {line!r}" for check in page_checks for line in check.too_wide]
    assert wide == [], "code wider than its column at 1280 px:\n" + "\n".join(wide)


def test_outputs_have_7_to_1_contrast_in_both_schemes(page_checks):
    """Outputs must not look disabled (tools/checks/site_checks.py OUTPUT_CONTRAST)."""
    faint = [f"/{check.path}: {line}" for check in page_checks for line in check.contrast]
    assert faint == [], "\n".join(faint)


def test_the_glosses_are_drawn_with_the_subset_font(page_checks):
    """On every page with a Chinese gloss, Chromium drew each shown gloss with the site's subset
    font (its bold face for bold text, where the language has one), in a Chromium that sees no
    CJK system font (the faces name a reader's own first: one who has it downloads nothing)."""
    wrong = [f"/{check.path}: {line}" for check in page_checks for line in check.glosses]
    assert wrong == [], "\n".join(wrong)


def test_every_page_reads_well_at_390_px(page_checks):
    """Figure text of 10 px or more, cues for what is shrunk or scrolls sideways, outputs that
    wrap whole words, no copy button over code, 12-px code, labelled outputs, the footer's
    titles, badges before their blocks (tools/checks/site_checks.py READING_SCRIPT)."""
    found = [f"/{check.path}: {line}" for check in page_checks for line in check.reading]
    assert found == [], "\n".join(found)


def test_every_page_is_phone_first_at_390_px(page_checks):
    """At least 80% of a page's code blocks fit a 390-px screen (GPU-only blocks not counted),
    no figure is wider than its column, no table hides its last column or wraps its first over
    more than 3 lines, and the opener's first line is in the top half of the first screen
    (tools/checks/phone_first.js). The pages before "phone first" failed every one of these: 1
    of 11 code blocks fit on /01-tensors/, chapter 08's figure needed 607 px of a 358-px column,
    chapter 15's tables hid their speed-up column and wrapped their first over 5-7 lines, and
    the opener's first line ended 421-485 px down the 844-px screen."""
    found = [f"/{check.path}: {line}" for check in page_checks for line in check.phone]
    checked = [check for check in page_checks if "notebooks/" not in check.path]
    assert checked, "the sweep checked no page at 390 px"
    assert found == [], "\n".join(found)


# ---- what a reader sees: focus on the header, expected outputs, Chinese emphasis --------------

RGB = re.compile(r"rgba?\((\d+), (\d+), (\d+)")


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two CSS colours as getComputedStyle writes them, rgb(r, g, b)."""

    def luminance(colour: str) -> float:
        channels = [int(value) / 255 for value in RGB.match(colour).groups()]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_focus_ring_on_the_header_stands_out_from_the_header(browser, server):
    """Once orange on the orange header (the link colour is the primary colour): 1:1."""
    context, page, problems = open_page(browser, f"{server}/01-tensors/", server)
    found = None
    for _ in range(30):
        page.keyboard.press("Tab")
        found = page.evaluate(
            """() => { const element = document.activeElement;
                       if (!element.closest('.md-header')) return null;
                       const header = getComputedStyle(document.querySelector('.md-header'));
                       return [getComputedStyle(element).outlineColor, header.backgroundColor]; }"""
        )
        if found:
            break
    context.close()
    assert found, "Tab never reached a control of the header"
    assert contrast(*found) >= 3, found
    assert problems == []


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_expected_outputs_are_upright_on_a_plain_ground(opened, scheme):
    """Expected (not yet GPU-proven) outputs were italic on diagonal stripes: hard to read."""
    page, problems = opened("15-training-faster/")
    set_scheme(page, scheme)
    styles = page.evaluate(
        """() => [...document.querySelectorAll('.gpu-output--expected pre > code')].map(
             (code) => { const style = getComputedStyle(code);
                         return [style.fontStyle, style.backgroundImage]; })"""
    )
    assert styles, "chapter 15 shows expected GPU outputs"
    assert all(style == ["normal", "none"] for style in styles), styles
    assert problems == []


def test_no_chinese_words_are_set_in_synthetic_italics(opened):
    """A browser slants CJK glyphs that have no italic (about 32 emphasised spans once were)."""
    page, problems = opened("zh/01-tensors/")
    styles = page.evaluate(
        """() => [...document.querySelectorAll('em span[lang|="zh"]')].map(
             (span) => getComputedStyle(span).fontStyle)"""
    )
    assert styles, "the page emphasises Chinese words"
    assert set(styles) == {"normal"}, styles
    assert problems == []


@pytest.mark.parametrize(("start", "other"), [("", "zh/"), ("zh/", "")])
def test_the_language_menu_marks_the_current_language_and_keeps_the_place(
    browser, server, start, other
):
    """It marked neither language, and its link dropped the #anchor of the heading being read.
    The click is one that the page cancels: the test reads where the link would go, without
    leaving the page (a navigation under way as the context closes can stall Chromium)."""
    context, page, problems = open_page(browser, f"{server}/{start}01-tensors/", server)
    anchor = page.evaluate("document.querySelector('.md-typeset h2[id]').id")
    page.goto(f"{server}/{start}01-tensors/#{anchor}", wait_until="load")
    current = page.evaluate(
        """() => [...document.querySelectorAll('.md-select__link[aria-current]')].map(
             (link) => link.getAttribute('hreflang'))"""
    )
    target = page.evaluate(
        """(language) => {
             document.addEventListener('click', (event) => event.preventDefault());
             const link = document.querySelector(`.md-select__link[hreflang="${language}"]`);
             link.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
             return link.href; }""",
        other.rstrip("/") or "en",
    )
    context.close()
    assert current == [start.rstrip("/") or "en"], current
    assert target == f"{server}/{other}01-tensors/#{anchor}", target
    assert problems == []


def test_the_root_404_page_is_english_with_a_way_to_the_chinese_edition(site: Path):
    """GitHub Pages serves the root 404.html for every missing address, in either language: it
    was the Chinese build's (lang="zh", Chinese nav), which the i18n plugin writes last."""
    html = (site / "404.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="en"', html), html[:200]
    assert 'hreflang="zh"' in html  # the language menu leads to the Chinese edition
    assert '<span lang="zh-Hans">简体中文</span>' in html  # its label in the subset font
    assert '<link rel="alternate"' not in html
