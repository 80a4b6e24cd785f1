"""Checks of the built site: links and anchors, alt text, and the pages in a real browser.

The browser test drives headless Chromium with Playwright (Debian: `apt-get install chromium`).
Without Chromium it is skipped with the reason, except under CI (the CI variable set), where
`.ci/run` installs Chromium and the test fails if it cannot run.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tools import harness, notebooks

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "test-output" / "browser"
COPY_BUTTON = 'button[data-md-type="copy"]'  # Material's copy-to-clipboard button
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A fresh strict build of the site (with its notebooks)."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--quiet",
        "--site-dir",
        str(out),
    ]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return out


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


def test_no_broken_internal_links_or_anchors(site: Path):
    broken = []
    checked = 0
    for page in pages(site):
        for link in parse(page).links:
            target = target_file(site, page, link)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            if not path.is_file():
                broken.append(
                    f"{page.relative_to(site)}: {link} (no file {path.relative_to(site)})"
                )
            elif fragment and path.suffix == ".html" and fragment not in parse(path).ids:
                broken.append(f"{page.relative_to(site)}: {link} (no #{fragment})")
    assert checked > 100
    assert broken == []


def test_every_image_has_alt_text(site: Path):
    images = [(page, image) for page in pages(site) for image in parse(page).images]
    assert images, "the site has figures"
    missing = [f"{p.relative_to(site)}: {i.get('src')}" for p, i in images if not i.get("alt")]
    assert missing == []


def test_every_chapter_links_its_notebook_and_colab(site: Path):
    for chapter in filter(notebooks.has_code, harness.chapters()):
        page = site / chapter.stem / "index.html"
        links = parse(page).links
        assert f"../notebooks/{chapter.stem}.ipynb" in links, chapter.name
        assert (site / "notebooks" / f"{chapter.stem}.ipynb").is_file()
        colab = [link for link in links if link.startswith("https://colab.research.google.com/")]
        assert colab and colab[0].endswith(f"/notebooks/{chapter.stem}.ipynb")


# ---- in a real browser ----------------------------------------------------------------------


def find_chromium() -> str | None:
    for candidate in [
        os.environ.get("CHROMIUM", ""),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ]:
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


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
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def open_page(browser, url: str, base: str):
    """Load a page, recording console errors, failed requests and requests to other hosts."""
    context = browser.new_context(color_scheme="light", viewport={"width": 1280, "height": 900})
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
    page.wait_for_load_state("networkidle")
    return context, page, problems


def test_every_page_loads_cleanly_from_the_site_itself(browser, server: str, site: Path):
    for html in pages(site):
        path = html.relative_to(site).as_posix().removesuffix("index.html")
        context, page, problems = open_page(browser, f"{server}/{path}", server)
        broken_images = page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.src)"
        )
        context.close()
        assert problems == [], path
        assert broken_images == [], path


def test_math_renders_with_the_local_katex(browser, server: str):
    context, page, problems = open_page(browser, f"{server}/08-autograd/", server)
    assert page.locator(".katex").count() > 10
    context.close()
    assert problems == []


def test_copy_button_copies_only_the_code(browser, server: str):
    context, page, problems = open_page(browser, f"{server}/01-tensors/", server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    first_block = page.locator(".language-python").first
    first_block.hover()
    first_block.locator(COPY_BUTTON).click()
    copied = page.evaluate("navigator.clipboard.readText()")
    document = harness.sybil().parse(harness.DOCS / "01-tensors.md")
    source = next(
        r.parsed.source for _, r in document.regions if isinstance(r.parsed, harness.Block)
    )
    assert copied.strip() == source.strip()
    assert page.locator(".language-output").count() > 5
    assert page.locator(f".language-python {COPY_BUTTON}").count() > 5
    assert page.locator(f".language-output {COPY_BUTTON}").count() == 0  # outputs aren't copied
    context.close()
    assert problems == []


def test_dark_mode_toggle_and_screenshots(browser, server: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page, problems = open_page(browser, f"{server}/", server)
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)
    assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
    page.locator('label[title="Switch to dark mode"]').click()
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    page.goto(f"{server}/01-tensors/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"  # the choice is kept
    page.screenshot(path=str(SCREENSHOTS / "01-tensors-dark.png"))
    context.close()
    assert problems == []
