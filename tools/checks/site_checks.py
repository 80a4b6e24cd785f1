"""Every page of the built site in headless Chromium: loads clean, passes axe-core, fits 1280 px.

    results = check_site(site_folder, "/usr/bin/chromium")       # one PageCheck per page
    python -m tools.checks.site_checks site/ --json checks.json  # the same, in a process of its own

For each page (chapters, home, notebook pages), served from the site folder on 127.0.0.1: no
console error, no failed request, no request to another host, no broken image; no axe-core
violation of the WCAG 2.0/2.1 A and AA rules in the light scheme, and none of the colour rules
(contrast, links told apart from text) in the dark scheme, which changes only colours (the colour
rules run where a page has a colour pair that no page before it had: COLOUR_RULES); no code or
output wider than its column at 1280 px; output text at 7:1 at least, in both schemes; every
Chinese gloss drawn with the site's own subset font (asked of Chromium through the DevTools
protocol, in a Chromium without CJK system fonts: tools/checks/browser_fonts.py); then, in the
same tab at 390 px (a phone), what READING_SCRIPT checks: figure text of 10 px or more as shown,
a cue on whatever is shrunk or scrolls sideways, outputs that wrap without cutting words, copy
buttons clear of code, 12-px code, labelled outputs, the footer's titles, each badge before its
block; and PHONE_FIRST: code, figures, tables and the opener that fit a phone. One tab checks
page after page (check_site says why one).
tests/test_site.py asserts on them; PageWatch is the one set of load listeners that it shares
with them.

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
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tools.checks.browser_fonts import no_cjk_fonts
from tools.checks.chromium import CHROMIUM_FLAGS, find_chromium, serve
from tools.site.cjk_font import FACES, FAMILY  # the faces of each language's subset fonts
from tools.site.figures import READABLE_PX  # the text size the site's figures are laid out for


def script(name: str, definitions: str | None = None) -> str:
    """A JavaScript function of this folder (NAME.js), as page.evaluate takes it, with the
    `definitions` (a file of this folder: constants and helpers) that it uses put in front."""
    function = Path(__file__).with_name(name).read_text(encoding="utf-8").strip()
    if definitions is None:
        return function
    helpers = Path(__file__).with_name(definitions).read_text(encoding="utf-8").strip()
    # Evaluated, this returns the function, which page.evaluate then calls with its argument.
    return f"(() => {{\n{helpers}\nreturn (\n{function}\n);\n}})()"


LIGHT_RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # the passing elements are not listed: faster
}
# axe-core's colour rules, most of its time: contrast, and links told apart from text. They run on
# a page in a scheme only where the page has a colour pair (COLOUR_PAIRS) that no page before it
# had in that scheme: the same pairs pass or fail them the same way.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
COLOUR_PAIRS = script("colour_pairs.js", "colours.js")
KNOWN_COLOURS_RULES = {**LIGHT_RULES, "rules": {rule: {"enabled": False} for rule in COLOUR_RULES}}
# Switching the scheme changes colours only: the colour rules are the ones to run again.
DARK_RULES = {"runOnly": {"type": "rule", "values": COLOUR_RULES}, "resultTypes": ["violations"]}
SCHEME_SCRIPT = script("scheme.js")
# axe-core preloads the page's style sheets (and media) for the one rule that reads them as CSS
# (css-orientation-lock), a fifth of each run's time: it preloads once per set of sheets.
STYLESHEETS = script("stylesheets.js")
WIDE_SCRIPT = script("too_wide.js")
# Whole blocks, not their spans: axe tests every element against every excluded node.
TOKEN_BLOCKS = [".highlight pre", ".highlight-ipynb pre", ".katex-html"]
LIGHT_CONTEXT = {"exclude": [[selector] for selector in TOKEN_BLOCKS]}
# Outputs must read as text, not as something disabled: 7:1 at least (WCAG's AAA level).
OUTPUT_BLOCKS = [".language-output pre", ".jp-OutputArea-output pre"]
OUTPUT_CONTRAST = 7
TOKEN_CONTRAST = script("token_contrast.js", "colours.js")
# What a reader sees at a given width, on every page (tests/test_site.py asserts on it): each
# figure's smallest text as shown, at least READABLE_PX (an SVG's glyphs measured in the browser:
# Matplotlib draws text as outlines whose em is 100 units; a PNG's from the data-text-px that
# tools/site/figures.py gives it); a cue on every figure shown smaller than its full size and on
# everything that scrolls sideways; no output that scrolls sideways or cuts a word in two; no copy
# button over code; code of at least CODE_PX; the "Output" label clear of the first output line;
# the footer's links with their titles. Each problem is one line.
CODE_PX = 12  # docs/stylesheets/extra.css: 12 px on a phone, so that 48 columns fit 390 px
LABEL_GAP_PX = 4
READING_SCRIPT = script("reading.js")
FIT_SHARE, FIRST_COLUMN_LINES, OPENER_SHARE = 0.8, 3, 0.5  # phone first: phone_first.js
PHONE_FIRST = script("phone_first.js")
# Two animation frames: docs/javascripts/overflow.js marks what overflows one frame after a resize.
SETTLED = script("settled.js")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Each run of Chinese text (tools/site/hooks.py wraps it): on a page of the Chinese edition,
# hundreds; GLOSS_SAMPLE of them, spread over the page (header, nav, article, footer), are asked
# for their fonts (two DevTools calls each). The first ones alone would be the header's and the
# nav's, the same on every page.
GLOSS = 'span[lang="zh-Hans"]'
GLOSS_SAMPLE = 16
SAMPLE_GLOSSES = script("gloss_sample.js")
GLOSS_FONT = FAMILY  # the subset's family, as docs/stylesheets/extra.css names it
BROKEN_IMAGES = script("broken_images.js")


# The Chinese edition's pages: the same markup, colours and figures as their English pages, with
# another text; they are checked in the light scheme at 1280 px only, to keep `make test` within
# its time (their English pages get the dark scheme and the phone's width), and its notebook
# pages, made by the same code as the English ones, for what their text changes: load errors and
# fonts (axe-core checks their English twins). The contrast of code, math and outputs, which is
# colours only, is their English pages' (the same code and outputs, the same styles).
ONE_SCHEME = "zh/"


@dataclass
class PageCheck:
    path: str
    problems: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    too_wide: list[str] = field(default_factory=list)
    contrast: list[str] = field(default_factory=list)  # outputs under OUTPUT_CONTRAST
    reading: list[str] = field(default_factory=list)  # READING_SCRIPT, at 390 px
    phone: list[str] = field(default_factory=list)  # PHONE_FIRST, at 390 px
    glosses: list[str] = field(default_factory=list)  # glosses not drawn with GLOSS_FONT


def site_paths(site: Path) -> list[str]:
    """Every page of the site as a URL path: "", "01-tensors/", "notebooks/01-tensors/", ..."""
    pages = sorted(path for path in site.rglob("*.html") if path.name != "404.html")
    return [html.relative_to(site).as_posix().removesuffix("index.html") for html in pages]


def check_site(site: Path, chromium: str, at_once: int = 1) -> list[PageCheck]:
    """Every page in `at_once` tabs. One by default: on two cores a second tab only competes with
    the first (measured alone: the same minute, 121 s of CPU instead of 95), and make test has
    other work for the second core."""
    httpd, base = serve(site)
    try:
        with tempfile.TemporaryDirectory() as folder:  # fontconfig's, for a browser without CJK
            env = no_cjk_fonts(Path(folder))
            return asyncio.run(sweep(chromium, base, site_paths(site), at_once, env))
    finally:
        httpd.shutdown()


async def sweep(chromium: str, base: str, paths: list[str], at_once: int, env=None) -> list:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_FLAGS, env=env
        )
        queue, results = list(paths), []

        async def worker() -> None:
            context = await browser.new_context(viewport=DESKTOP)
            await context.add_init_script(Axe().axe_script)  # axe-core in every page, no CDN
            # One tab per worker, sent from page to page: a new tab starts a renderer process,
            # which cost more CPU than the page itself.
            page = await context.new_page()
            tab = Tab(page, base, await context.new_cdp_session(page))
            while queue:
                results.append(await tab.check(queue.pop(0)))
            await context.close()

        await asyncio.gather(*(worker() for _ in range(at_once)))
        await browser.close()
    return sorted(results, key=lambda result: result.path)


class PageWatch:
    """What goes wrong while a page loads: console errors, page errors, failed requests, HTTP
    errors, requests to another host. One set of listeners and ignore rules for every browser
    check of the site: the sweep below and tests/test_site.py."""

    def __init__(self, page, base: str) -> None:
        self.base, self.problems = base, []
        page.on("console", lambda m: m.type == "error" and self.report(f"console: {m.text}"))
        page.on("pageerror", lambda error: self.report(f"page error: {error}"))
        page.on("requestfailed", self.request_failed)
        page.on("response", lambda r: r.status >= 400 and self.report(f"HTTP {r.status}: {r.url}"))
        page.on("request", self.request)

    def report(self, problem: str) -> None:
        self.problems.append(problem)

    def take(self) -> list[str]:
        """The problems so far, which are forgotten (the next page starts clean)."""
        problems, self.problems = self.problems, []
        return problems

    def request(self, request) -> None:
        if not request.url.startswith((self.base, "data:")):
            self.report(f"request to another host: {request.url}")

    def request_failed(self, request) -> None:
        # Leaving a page cancels what it was still fetching (net::ERR_ABORTED): not a failure.
        # A request to another host fails by design (CHROMIUM_FLAGS), and is reported above.
        if request.failure != "net::ERR_ABORTED" and request.url.startswith(self.base):
            self.report(f"failed request: {request.url} ({request.failure})")


class Tab:
    """A browser tab that checks one page after another; its listeners report to the current one."""

    def __init__(self, page, base: str, cdp) -> None:
        self.page, self.base, self.cdp = page, base, cdp
        self.watch = PageWatch(page, base)
        self.preloaded: set[str] = set()  # the STYLESHEETS answers whose sheets axe has read
        # The colour pairs whose colour rules axe-core has run, in each scheme (COLOUR_PAIRS).
        self.colours: dict[str, set[str]] = {"default": set(), "slate": set()}

    async def check(self, path: str) -> PageCheck:
        page, result = self.page, PageCheck(path)
        self.watch.take()  # late news of the previous page
        await page.goto(f"{self.base}/{path}", wait_until="load")
        result.problems += [f"broken image: {src}" for src in await page.evaluate(BROKEN_IMAGES)]
        # Material fades colours over a quarter of a second (the header's search field, as the
        # width changes; every colour, as the scheme does), and a page in the background may
        # never finish a fade: switch the fades off, so the colours checked are the final ones.
        await page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
        # The tab keeps the width the previous page ended at, and checks that width first: one
        # change of width a page (each costs a layout of the whole page), not two.
        if path.startswith(ONE_SCHEME):  # at 1280 px only: its layout is its English page's
            if page.viewport_size != DESKTOP:
                await page.set_viewport_size(DESKTOP)
            if "notebooks/" in path:  # its markup is its English twin's, which axe checks
                result.glosses = await self.gloss_fonts()
            else:
                await self.desktop(path, result)
        elif page.viewport_size == PHONE:
            await self.phone(path, result)
            await page.set_viewport_size(DESKTOP)
            await self.desktop(path, result)
        else:
            await self.desktop(path, result)
            await page.evaluate(SCHEME_SCRIPT, "default")
            await page.set_viewport_size(PHONE)
            await self.phone(path, result)
        result.problems += self.watch.take()
        return result

    async def desktop(self, path: str, result: PageCheck) -> None:
        """At 1280 px: axe-core and the contrast checks in both schemes (for the pages under
        ONE_SCHEME: axe-core in the light one), widths, glosses. axe-core's colour rules run only
        for colour pairs new in the scheme (COLOUR_RULES)."""
        page = self.page
        run_axe = "([context, options]) => axe.run(context, options)"
        rules = LIGHT_RULES if await self.new_colours("default") else KNOWN_COLOURS_RULES
        sheets = await page.evaluate(STYLESHEETS)
        rules = {**rules, "preload": sheets not in self.preloaded}
        self.preloaded.add(sheets)
        light = await page.evaluate(run_axe, [LIGHT_CONTEXT, rules])
        result.violations += violations(light)
        if not path.startswith(ONE_SCHEME):  # colours only: the English twin's (ONE_SCHEME)
            result.violations += await self.token_contrast()
            result.contrast += await self.output_contrast()
        if "notebooks/" not in path:
            result.too_wide = await page.evaluate(WIDE_SCRIPT)
        result.glosses = await self.gloss_fonts()
        if path.startswith(ONE_SCHEME):
            return
        await page.evaluate(SCHEME_SCRIPT, "slate")
        dark = []
        if await self.new_colours("slate"):
            dark += violations(await page.evaluate(run_axe, [LIGHT_CONTEXT, DARK_RULES]))
        dark += await self.token_contrast()
        result.violations += [f"(dark) {line}" for line in dark]
        result.contrast += [f"(dark) {line}" for line in await self.output_contrast()]

    async def new_colours(self, scheme: str) -> bool:
        """Whether the page has a colour pair that no page before it had in `scheme` (which
        then has it)."""
        pairs = set(await self.page.evaluate(COLOUR_PAIRS, TOKEN_BLOCKS))
        new = not pairs <= self.colours[scheme]
        self.colours[scheme] |= pairs
        return new

    async def token_contrast(self) -> list[str]:
        return await self.page.evaluate(TOKEN_CONTRAST, [TOKEN_BLOCKS, None])

    async def output_contrast(self) -> list[str]:
        return await self.page.evaluate(TOKEN_CONTRAST, [OUTPUT_BLOCKS, OUTPUT_CONTRAST])

    async def phone(self, path: str, result: PageCheck) -> None:
        """At 390 px: PHONE_FIRST (but on the notebook pages), then READING_SCRIPT."""
        await self.page.evaluate(SETTLED)
        if "notebooks/" not in path:
            limits = [FIT_SHARE, OPENER_SHARE, FIRST_COLUMN_LINES]
            result.phone = await self.page.evaluate(PHONE_FIRST, limits)
        limits = [READABLE_PX, CODE_PX, LABEL_GAP_PX]
        result.reading = await self.page.evaluate(READING_SCRIPT, limits)

    async def gloss_fonts(self) -> list[str]:
        """Which glosses Chromium drew with another font than the site's subset: the fonts it
        used for each, as the DevTools protocol reports them (a system CJK font, where there is
        one, would hide a missing subset from a look at the page)."""
        import playwright.async_api  # here, as everywhere: the module imports without Playwright

        await self.page.evaluate("document.fonts.ready.then(() => true)")
        sample = await self.page.evaluate(SAMPLE_GLOSSES, [GLOSS, GLOSS_SAMPLE])
        await self.cdp.send("DOM.enable")
        await self.cdp.send("CSS.enable")
        try:
            root = (await self.cdp.send("DOM.getDocument", {"depth": 0}))["root"]["nodeId"]
            glosses, used = [], []
            for index, gloss in enumerate(sample):
                try:
                    mark = {"nodeId": root, "selector": f'[data-gloss-sample="{index}"]'}
                    node = (await self.cdp.send("DOM.querySelector", mark))["nodeId"]
                    if not node:  # a script of the page replaced it meanwhile
                        continue
                    request = {"nodeId": node}
                    fonts = (await self.cdp.send("CSS.getPlatformFontsForNode", request))["fonts"]
                except playwright.async_api.Error:  # replaced as it was being asked
                    continue
                glosses.append((gloss[0], int(gloss[1])))
                used.append(fonts)
        finally:
            await self.cdp.send("CSS.disable")
            await self.cdp.send("DOM.disable")
        language = await self.page.evaluate("document.documentElement.lang.slice(0, 2)")
        bold = "bold" in FACES.get(language, FACES["en"])  # a face of its own for bold text
        return gloss_problems(glosses, used, bold) if glosses else []


def gloss_problems(glosses: list, fonts: list[list[dict]], bold: bool = True) -> list[str]:
    """The glosses ([text, font weight] each) drawn with another font than the subset's face
    of their weight (Regular for all where the language has no `bold` face), from the fonts
    that CSS.getPlatformFontsForNode reported for each."""
    problems = []
    for (text, weight), used in zip(glosses, fonts, strict=True):
        face = "Bold" if weight >= 600 and bold else "Regular"
        wrong = [
            font.get("postScriptName") or font["familyName"]
            for font in used  # none for a gloss that is not shown (a closed menu)
            if font["familyName"] != GLOSS_FONT
            or not font["isCustomFont"]
            or not font.get("postScriptName", face).endswith(face)
        ]
        if wrong:
            problems.append(f"{text!r} (weight {weight}) drawn with {', '.join(wrong)}")
    if not any(fonts):
        problems.append(f"none of the {len(fonts)} glosses is drawn")
    return problems


def violations(found: dict) -> list[str]:
    lines = []
    for violation in found["violations"]:
        for node in violation["nodes"][:5]:
            summary = node.get("failureSummary", "").replace("\n", " ")[:160]
            lines.append(f"{violation['id']} at {node['target']}: {summary}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.checks.site_checks", description="Check every page of a built site."
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
