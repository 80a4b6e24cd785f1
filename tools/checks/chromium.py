"""Chromium for the browser checks, and the built site served to it on 127.0.0.1.

chromium = find_chromium()            # a path, or None where there is none
httpd, base = serve(site_folder)      # http://127.0.0.1:PORT; httpd.shutdown() when done
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
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
    # V8 compiles hot code with Maglev, not on to TurboFan: each page checked is a new context, in
    # which axe-core's code would be optimized anew, and TurboFan's compiling cost more CPU than
    # it saved (the sweep: about a tenth less CPU, the same findings).
    "--js-flags=--max-opt=2",
    # Every host but the local server fails to resolve: no check ever reaches the network (a
    # request to another host is reported by PageWatch all the same).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def find_chromium() -> str | None:
    """The browser for the page checks: the path of the first found of

    1. $CHROMIUM, a path or a command name (an error when it names no executable);
    2. Debian's Chromium (`apt-get install chromium`): `chromium`, or `chromium-browser`;
    3. Google Chrome: `google-chrome`, `google-chrome-stable` (GitHub's Ubuntu runners have it);
    4. Playwright's own Chromium, once `python -m playwright install chromium` downloaded it.

    None when there is none. Ubuntu's apt `chromium` is a snap that fails to start on GitHub's
    runners: the Pages workflow sets CHROMIUM=google-chrome instead.
    """
    named = os.environ.get("CHROMIUM", "").strip()
    if named:
        if shutil.which(named) is None:
            raise FileNotFoundError(
                f"CHROMIUM={named!r} is not an executable: set it to Chromium's or Chrome's"
                " path, or unset it to use the browser found on the PATH"
            )
        return shutil.which(named)
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]:
        if shutil.which(name):
            return shutil.which(name)
    try:  # last, as it starts Playwright's driver (a second) to ask where its download goes
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            downloaded = Path(playwright.chromium.executable_path)
    except Exception:  # no Playwright, or its driver would not start: no browser from it
        return None
    return str(downloaded) if downloaded.is_file() else None


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def end_headers(self) -> None:
        # As GitHub Pages sends every file: a browser reuses it for ten minutes without asking
        # again. Without it, Chromium asked for every style sheet, script and font of each page
        # checked after the first (a 304 each), a twentieth of the browser sweep's CPU.
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A browser that leaves a page closes the connections of what it was still fetching:
        not an error of the site's (the browser checks report the failed requests that are)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    """The site on a free port of 127.0.0.1, in a thread; call .shutdown() when done."""
    httpd = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=site))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
