"""What a reader's first visit to a page downloads, against the budget of each kind of page.

    python -m tools.checks.page_weight site/       # each budgeted page's figure and largest parts

A first load at a phone's width (390 px): every response until the network has been idle for
half a second (the search index, which Material's search worker fetches, included), from the
built site. Text is counted gzipped, as GitHub Pages sends it (HTML, CSS, JavaScript, JSON, SVG:
gzip at level 9); fonts and raster images as they are (they are compressed already). The browser
sees no CJK system font (tools/checks/browser_fonts.py): a reader without one is the reader who
downloads the subset fonts, and a machine's own would hide them. tests/test_page_weight.py holds
every page of BUDGETS to its figure.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

KIB = 1024
# A first load of each kind of page, in KiB (issue 34): a chapter, its notebook page, the home
# page and a chapter of the Chinese edition, whose text needs many more CJK glyphs.
BUDGETS = {
    "": 250,
    "11-model-training/": 300,
    "notebooks/11-model-training/": 350,
    "zh/11-model-training/": 500,
}
PHONE = {"width": 390, "height": 844}
# What GitHub Pages compresses: text of any kind, and the text formats of JavaScript, JSON, SVG.
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass
class Part:
    url: str
    kind: str  # the response's Content-Type
    raw: int  # bytes as stored
    sent: int  # bytes as GitHub Pages sends them: gzipped where it compresses the type


@dataclass
class PageWeight:
    path: str
    parts: list[Part] = field(default_factory=list)

    @property
    def kib(self) -> float:
        return sum(part.sent for part in self.parts) / KIB

    def largest(self, count: int = 5) -> list[Part]:
        return sorted(self.parts, key=lambda part: part.sent, reverse=True)[:count]

    def summary(self, base: str = "") -> str:
        """One line: the page, its figure, its budget, and its five largest parts."""
        parts = ", ".join(
            f"{part.url.removeprefix(base) or '/'} {part.sent / KIB:.0f}" for part in self.largest()
        )
        budget = BUDGETS.get(self.path)
        limit = f" (budget {budget})" if budget is not None else ""
        return f"/{self.path}: {self.kib:.0f} KiB{limit}; largest (KiB): {parts}"


def sent_bytes(body: bytes, kind: str) -> int:
    """The bytes a response costs on the wire: text gzipped (level 9), the rest as it is."""
    if kind.split(";")[0].strip().startswith(TEXT_TYPES):
        return len(gzip.compress(body, compresslevel=9, mtime=0))
    return len(body)


def weigh(browser, base: str, path: str) -> PageWeight:
    """One first load of `path` in a fresh context (an empty cache) of a Playwright browser."""
    context = browser.new_context(viewport=PHONE)
    weight, responses = PageWeight(path), []
    # The context, not the page, sees the requests of the search worker too.
    context.on("response", lambda response: responses.append(response))
    page = context.new_page()
    page.goto(f"{base}/{path}", wait_until="networkidle")
    for response in responses:
        if response.url.startswith("data:") or response.status >= 300:
            continue  # inline data costs no request; a redirect or an error has no body to count
        kind = response.headers.get("content-type", "")
        body = response.body()
        weight.parts.append(Part(response.url, kind, len(body), sent_bytes(body, kind)))
    context.close()
    return weight


def weigh_site(site: Path, chromium: str, paths: list[str]) -> list[PageWeight]:
    """Each of `paths` of the built site, served on 127.0.0.1, in one Chromium without CJK
    system fonts."""
    from playwright.sync_api import sync_playwright

    from tools.checks.browser_fonts import no_cjk_fonts
    from tools.checks.chromium import CHROMIUM_FLAGS, serve

    httpd, base = serve(site)
    try:
        with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=CHROMIUM_FLAGS, env=no_cjk_fonts(Path(folder))
            )
            weights = [weigh(browser, base, path) for path in paths]
            browser.close()
    finally:
        httpd.shutdown()
    for weight in weights:  # the parts by their path in the site, not by the server's address
        for part in weight.parts:
            part.url = part.url.removeprefix(base)
    return weights


def main(argv: list[str] | None = None) -> int:
    from tools.checks.chromium import find_chromium

    parser = argparse.ArgumentParser(
        prog="python -m tools.checks.page_weight", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("site", type=Path, help="the built site's folder")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        parser.error("Chromium not found: install it (Debian: apt-get install chromium)")
    over = 0
    for weight in weigh_site(args.site, chromium, list(BUDGETS)):
        print(weight.summary())
        over += weight.kib > BUDGETS[weight.path]
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
