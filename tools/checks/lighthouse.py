"""Lighthouse's mobile scores of the built site, served gzipped as GitHub Pages serves it.

    python -m tools.checks.lighthouse site/ --lighthouse PATH   # PATH: npm's lighthouse command

`make lighthouse` builds the site and runs this. Each page of PAGES (home, a chapter, its notebook
page, in both languages) is served from the site folder by a small server that gzips text, as
GitHub Pages does (the budgets of tests/test_page_weight.py count text the same way), and run
through npm's `lighthouse` with its default mobile profile (a mid-range phone on a slow 4G line,
simulated) in headless Chromium ($CHROME_PATH, else the one tools/checks/site_checks.py finds),
offline and without CJK system fonts (tools/checks/browser_fonts.py). It prints, per page, the
performance score, the Largest Contentful Paint and the accessibility score, and the bytes
Lighthouse saw transferred; the aim is performance 95 or more, LCP 2.5 s or less and
accessibility 100. The scores move with the machine's load: a yardstick, not a test.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import mimetypes
import os
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = [
    "",
    "11-model-training/",
    "notebooks/11-model-training/",
    "zh/",
    "zh/11-model-training/",
    "zh/notebooks/11-model-training/",
]
# What GitHub Pages compresses: text, and the text formats of JavaScript, JSON, SVG.
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


class GzipHandler(BaseHTTPRequestHandler):
    """A static site, its text gzipped for a browser that accepts it; 404.html for a miss."""

    def __init__(self, *args, directory: Path, **kwargs) -> None:
        self.directory = directory
        super().__init__(*args, **kwargs)

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = self.directory / self.path.split("?")[0].split("#")[0].lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        status = 200
        if not path.is_file() or self.directory.resolve() not in path.resolve().parents:
            status, path = 404, self.directory / "404.html"
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_response(status)
        self.send_header(
            "Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else "")
        )
        if kind.startswith(COMPRESSED) and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # GitHub Pages' own
        self.end_headers()
        self.wfile.write(body)


def serve_gzipped(site: Path) -> tuple[ThreadingHTTPServer, str]:
    """The site on a free port of 127.0.0.1, in a thread; call .shutdown() when done."""
    handler = functools.partial(GzipHandler, directory=site)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def audit(lighthouse: str, url: str, env: dict[str, str]) -> dict:
    """Lighthouse's report of one page (its JSON), mobile profile, two categories."""
    command = [
        lighthouse,
        url,
        "--output=json",
        "--output-path=stdout",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def row(path: str, report: dict) -> str:
    categories, audits = report["categories"], report["audits"]
    lcp = audits["largest-contentful-paint"]["numericValue"] / 1000
    sent = audits["total-byte-weight"]["numericValue"] / 1024
    performance = round(categories["performance"]["score"] * 100)
    accessibility = round(categories["accessibility"]["score"] * 100)
    failed = [
        name
        for name in ("aria-dialog-name", "color-contrast", "image-alt", "label")
        if audits.get(name, {}).get("score") == 0
    ]
    note = f"  fails: {', '.join(failed)}" if failed else ""
    return f"/{path:<34} {performance:>5} {lcp:>7.1f} s {accessibility:>5} {sent:>8.0f} KiB{note}"


def main(argv: list[str] | None = None) -> int:
    from tools.checks.browser_fonts import no_cjk_fonts
    from tools.checks.chromium import find_chromium

    parser = argparse.ArgumentParser(
        prog="python -m tools.checks.lighthouse", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("site", type=Path, help="the built site's folder")
    parser.add_argument("--lighthouse", default="lighthouse", help="the lighthouse command")
    args = parser.parse_args(argv)
    chrome = os.environ.get("CHROME_PATH") or find_chromium()
    if chrome is None:
        parser.error("Chromium not found: install it (Debian: apt-get install chromium)")
    httpd, base = serve_gzipped(args.site)
    print(f"{'page':<35} {'perf':>5} {'LCP':>9} {'a11y':>5} {'transfer':>12}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {**no_cjk_fonts(Path(folder)), "CHROME_PATH": chrome}
            for path in PAGES:
                print(row(path, audit(args.lighthouse, f"{base}/{path}", env)), flush=True)
    finally:
        httpd.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
