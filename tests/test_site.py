"""Checks of the built site (conftest.py builds it once): links, notebook pages, stamps, badges,
and every page in a real browser.

The browser tests drive headless Chromium with Playwright (Debian: `apt-get install chromium`).
Without Chromium they are skipped with the reason, except under CI (the CI variable set), where
`.ci/run` installs Chromium and the tests fail if they cannot run. In the browser, every page of
the site (chapters, home, notebook pages) must load from the site itself without errors, pass
axe-core's WCAG 2 A and AA rules in the light and the dark colour scheme, show no code or output
wider than its column at 1280 px, and show a badge before every GPU-only block.
"""

from __future__ import annotations

import functools
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tools import gpu_check, harness, notebooks, reader
from tools.site_checks import (
    CHROMIUM_FLAGS,
    SCHEME_SCRIPT,
    TOKEN_BLOCKS,
    TOKEN_CONTRAST,
    find_chromium,
    serve,
)

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
    outputs = [b.expected for b in harness.blocks(harness.sybil().parse(chapter)) if b.expected]
    first_line = outputs[0].strip().splitlines()[0]
    assert first_line[:40].replace("<", "&lt;").replace(">", "&gt;") in page.replace("&#x27;", "'")
    assert 'src="http' not in page  # no third-party script (mkdocs-jupyter's CDN MathJax)


def test_without_a_repository_there_are_no_colab_links(site: Path):
    config_has_repository = bool(os.environ.get("GITHUB_REPOSITORY"))
    colab = [
        link
        for page in pages(site)
        for link in parse(page).links
        if link.startswith("https://colab.research.google.com/")
    ]
    if not config_has_repository and not colab:
        return
    assert all("/blob/gh-pages/notebooks/" in link for link in colab)


def test_notebook_pages_are_out_of_search_and_nav(site: Path):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"], "the chapters are searchable"
    assert not [doc["location"] for doc in index["docs"] if doc["location"].startswith("notebooks")]
    nav = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="notebooks/' not in nav


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_stamps_badges_and_tolerance_notes_come_from_the_page_source(site: Path, chapter: Path):
    html = (site / chapter.stem / "index.html").read_text(encoding="utf-8")
    blocks = harness.blocks(harness.sybil().parse(chapter))
    assert html.count('<details class="outputs-stamp"><summary>Outputs verified with torch') == 1
    gpu = [block for block in blocks if block.skip and "cuda" in block.skip.condition]
    conditional = [block for block in blocks if block.skip and block not in gpu]
    assert html.count("skip-badge--gpu") == len(gpu)
    assert html.count("skip-badge--conditional") == len(conditional)
    assert html.count('class="tolerance-note"') == sum(b.tolerance is not None for b in blocks)
    verified = gpu_check.latest_verification(chapter)
    if verified:
        assert verified.sentence() in html
    elif gpu:
        assert "have not been verified on a GPU yet" in html
    else:
        assert "GPU blocks verified" not in html


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


def open_page(browser, url: str, base: str, width: int = 1280, height: int = 900):
    """Load a page, recording console errors, failed requests and requests to other hosts."""
    context = browser.new_context(color_scheme="light", viewport={"width": width, "height": height})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )

    def only_local(route) -> None:
        if route.request.url.startswith(base) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request to another host: {route.request.url}")
            route.abort()

    page.route("**/*", only_local)
    page.goto(url, wait_until="load")
    return context, page, problems


def set_scheme(page, scheme: str) -> None:
    """Switch Material's colour scheme the way its palette toggle does, and let the colour
    transitions of its links (a quarter of a second) finish before anything is measured."""
    page.evaluate(SCHEME_SCRIPT, scheme)
    page.wait_for_timeout(400)


def test_gpu_badges_are_visible_before_every_gpu_only_block(browser, server):
    context, page, problems = open_page(browser, f"{server}/01-tensors/", server)
    badges = page.evaluate(
        """() => Array.from(document.querySelectorAll(".skip-badge--gpu")).map(badge => {
            const next = badge.nextElementSibling;
            const box = badge.getBoundingClientRect();
            return {visible: box.width > 0 && box.height > 0,
                    before_code: !!next && next.classList.contains("language-python")};
        })"""
    )
    context.close()
    assert len(badges) == len(gpu_check.gpu_blocks(harness.DOCS / "01-tensors.md"))
    assert all(badge["visible"] and badge["before_code"] for badge in badges), badges
    assert problems == []


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
    """Code and math are left out of axe (tools/site_checks.py): their own check must bite."""
    context, page, problems = open_page(browser, f"{server}/08-autograd/", server)
    assert page.evaluate(TOKEN_CONTRAST, TOKEN_BLOCKS) == []
    faint = "color: #e8e8e8 !important"  # 1.2:1 on white
    page.add_style_tag(content=f".highlight pre .c1, .katex-html .mord {{ {faint}; }}")
    failures = page.evaluate(TOKEN_CONTRAST, TOKEN_BLOCKS)
    context.close()
    assert any(line.startswith("text of span.c1:") for line in failures), failures
    assert any(line.startswith("text of span.mord") for line in failures), failures
    assert problems == []


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


def test_dark_mode_toggle_keeps_the_choice(browser, server):
    context, page, problems = open_page(browser, f"{server}/", server)
    assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
    page.locator('label[title="Switch to dark mode"]').click()
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    page.goto(f"{server}/01-tensors/")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"  # the choice is kept
    context.close()
    assert problems == []


# Last: these wait for the sweep of every page (tools/site_checks.py, started in the background
# once the tests are collected); the tests above run beside it.


def test_every_page_loads_cleanly_and_passes_axe_in_both_schemes(browser, page_checks):
    """Every page: no load error or foreign request; axe-core clean in light and in dark."""
    assert len(page_checks) > 30
    problems = [f"/{check.path}: {line}" for check in page_checks for line in check.problems]
    violations = [f"/{check.path}: {line}" for check in page_checks for line in check.violations]
    assert problems == [], "\n".join(problems)
    assert violations == [], "\n".join(violations)


def test_no_code_or_output_is_wider_than_its_column_at_1280_px(browser, page_checks):
    wide = [f"/{check.path}: {line!r}" for check in page_checks for line in check.too_wide]
    assert wide == [], "code wider than its column at 1280 px:\n" + "\n".join(wide)
