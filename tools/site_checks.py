"""Every page of the built site in headless Chromium: loads clean, passes axe-core, fits 1280 px.

    results = check_site(site_folder, "/usr/bin/chromium")   # one PageCheck per page
    python -m tools.site_checks site/ --json checks.json     # the same, in a process of its own

For each page (chapters, home, notebook pages), served from the site folder on 127.0.0.1: no
console error, no failed request, no request to another host, no broken image; no axe-core
violation of the WCAG 2.0/2.1 A and AA rules in the light scheme, and none of the colour rules
(contrast, links told apart from text) in the dark scheme, which changes only colours; no code or
output wider than its column at 1280 px. Two tabs check pages at a time (axe-core is
single-threaded JavaScript), each going from page to page. tests/test_site.py asserts on them.

Code blocks and KaTeX's rendered math (hundreds of small elements a page: axe's contrast rule
takes 2-5 ms for each, and excluding them one by one costs as much again) are left to
TOKEN_CONTRAST instead: the same WCAG contrast formula and thresholds, applied to every element
with text of theirs on every page in both schemes, but computed once per distinct pair of
colours. axe-core checks everything else on the page.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LIGHT_RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # the passing elements are not listed: faster
}
# Switching the scheme changes colours only: the colour rules are the ones to run again.
DARK_RULES = {
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
    "resultTypes": ["violations"],
}
SCHEME_SCRIPT = """scheme => {
    document.body.setAttribute("data-md-color-scheme", scheme);
    document.body.setAttribute("data-md-color-primary", "custom");
    document.body.setAttribute("data-md-color-accent", "custom");
}"""
WIDE_SCRIPT = """() => {
    document.querySelectorAll("details").forEach(details => { details.open = true; });
    return Array.from(document.querySelectorAll(".md-typeset .highlight pre > code"))
        .filter(code => code.scrollWidth > code.clientWidth + 1)
        .map(code => code.textContent.split("\\n").reduce((a, b) => (a.length > b.length ? a : b)));
}"""
# Whole blocks, not their spans: axe tests every element against every excluded node.
TOKEN_BLOCKS = [".highlight pre", ".highlight-ipynb pre", ".katex-html"]
LIGHT_CONTEXT = {"exclude": [[selector] for selector in TOKEN_BLOCKS]}
TOKEN_CONTRAST = """blocks => {
    const rgba = text => { const [r, g, b, a = 1] = text.match(/[\\d.]+/g).map(Number);
                           return [r, g, b, a]; };
    const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]))
                                  .concat([1]);
    const background = element => {
        const layers = [];
        for (let at = element; at; at = at.parentElement) {
            const colour = rgba(getComputedStyle(at).backgroundColor);
            if (colour[3] > 0) layers.push(colour);
            if (colour[3] >= 1) break;
        }
        return layers.reverse().reduce((below, top) => over(top, below), [255, 255, 255, 1]);
    };
    const luminance = colour => colour.slice(0, 3).map(c => c / 255)
        .map(c => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const seen = new Map(), failures = [];
    const hasText = element => Array.from(element.childNodes)
        .some(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    const selector = blocks.map(block => `${block}, ${block} *`).join(", ");
    for (const element of document.querySelectorAll(selector)) {
        if (!hasText(element)) continue;
        const style = getComputedStyle(element);
        const back = background(element);
        const key = style.color + " on " + back.join(",") + " " + style.fontSize + style.fontWeight;
        if (seen.has(key)) continue;
        const front = over(rgba(style.color), back);
        const [light, dark] = [luminance(front), luminance(back)].sort((a, b) => b - a);
        const ratio = (light + 0.05) / (dark + 0.05);
        const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
        const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
        seen.set(key, ratio);
        if (ratio < needed) {
            const name = `${element.tagName.toLowerCase()}.${element.classList[0] || ""}`;
            failures.push(`text of ${name}: ${style.color} on rgb(${back.slice(0, 3)}),`
                          + ` ${ratio.toFixed(2)}:1 (needs ${needed}:1)`);
        }
    }
    return failures;
}"""
BROKEN_IMAGES = (
    "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
)


@dataclass
class PageCheck:
    path: str
    problems: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    too_wide: list[str] = field(default_factory=list)


def find_chromium() -> str | None:
    """Chromium's path: $CHROMIUM, else `chromium` on the PATH (Debian's package), else None."""
    for candidate in [os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser"]:
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    """The site on a free port of 127.0.0.1, in a thread; call .shutdown() when done."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=site))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def site_paths(site: Path) -> list[str]:
    """Every page of the site as a URL path: "", "01-tensors/", "notebooks/01-tensors/", ..."""
    pages = sorted(path for path in site.rglob("*.html") if path.name != "404.html")
    return [html.relative_to(site).as_posix().removesuffix("index.html") for html in pages]


def check_site(site: Path, chromium: str, at_once: int = 2) -> list[PageCheck]:
    httpd, base = serve(site)
    try:
        return asyncio.run(sweep(chromium, base, site_paths(site), at_once))
    finally:
        httpd.shutdown()


async def sweep(chromium: str, base: str, paths: list[str], at_once: int) -> list[PageCheck]:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        queue, results = list(paths), []

        async def worker() -> None:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            await context.add_init_script(Axe().axe_script)  # axe-core in every page, no CDN
            # One tab per worker, sent from page to page: a new tab starts a renderer process,
            # which cost more CPU than the page itself.
            tab = Tab(await context.new_page(), base)
            while queue:
                results.append(await tab.check(queue.pop(0)))
            await context.close()

        await asyncio.gather(*(worker() for _ in range(at_once)))
        await browser.close()
    return sorted(results, key=lambda result: result.path)


class Tab:
    """A browser tab that checks one page after another; its listeners report to the current one."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.result = PageCheck("")
        page.on("console", lambda m: m.type == "error" and self.report(f"console: {m.text}"))
        page.on("pageerror", lambda error: self.report(f"page error: {error}"))
        page.on("requestfailed", self.request_failed)
        page.on("response", lambda r: r.status >= 400 and self.report(f"HTTP {r.status}: {r.url}"))
        page.on(
            "request",
            lambda r: (
                not r.url.startswith((base, "data:"))
                and self.report(f"request to another host: {r.url}")
            ),
        )

    def report(self, problem: str) -> None:
        self.result.problems.append(problem)

    def request_failed(self, request) -> None:
        # Leaving a page cancels what it was still fetching (net::ERR_ABORTED): not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.report(f"failed request: {request.url} ({request.failure})")

    async def check(self, path: str) -> PageCheck:
        page, self.result = self.page, PageCheck(path)
        result = self.result
        await page.goto(f"{self.base}/{path}", wait_until="load")
        result.problems += [f"broken image: {src}" for src in await page.evaluate(BROKEN_IMAGES)]
        run_axe = "([context, options]) => axe.run(context, options)"
        light = await page.evaluate(run_axe, [LIGHT_CONTEXT, LIGHT_RULES])
        result.violations += violations(light) + await page.evaluate(TOKEN_CONTRAST, TOKEN_BLOCKS)
        if not path.startswith("notebooks/"):
            result.too_wide = await page.evaluate(WIDE_SCRIPT)
        # Material fades colours over a quarter of a second, and a page in the background may
        # never finish the fade: switch the fades off, so the dark colours are there at once.
        await page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
        await page.evaluate(SCHEME_SCRIPT, "slate")
        dark = violations(await page.evaluate(run_axe, [LIGHT_CONTEXT, DARK_RULES]))
        dark += await page.evaluate(TOKEN_CONTRAST, TOKEN_BLOCKS)
        result.violations += [f"(dark) {line}" for line in dark]
        return result


def violations(found: dict) -> list[str]:
    lines = []
    for violation in found["violations"]:
        for node in violation["nodes"][:5]:
            summary = node.get("failureSummary", "").replace("\n", " ")[:160]
            lines.append(f"{violation['id']} at {node['target']}: {summary}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.site_checks", description="Check every page of a built site."
    )
    parser.add_argument("site", type=Path, help="the built site's folder")
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--chromium", default=None, help="Chromium's path (default: found)")
    args = parser.parse_args(argv)
    chromium = args.chromium or find_chromium()
    if chromium is None:
        parser.error("Chromium not found: install it (Debian: apt-get install chromium)")
    results = check_site(args.site, chromium)
    args.json.write_text(json.dumps([dataclasses.asdict(r) for r in results]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
