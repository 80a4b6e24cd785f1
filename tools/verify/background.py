"""The slow work that several tests share, started once, in the background, while pytest runs.

    background = Background()                       # starts the strict site build at once
    background.start(runs, kernels=True, readers=True, browser=True)   # after collection
    background.site.result(timeout=...)             # each test waits only for what it needs
    background.close()

- the strict build of the site (with its notebook pages), into a temporary folder;
- a kernel server (tools/verify/kernel_server.py) that forks every reader kernel with torch
  imported;
- a reader's run of every page with code (tools/verify/reader.py), in two lanes beside each other
  (`Background.start_readers` says which page runs where); the pages that run once (`runs: once`,
  tools/pages/syntax.py: the chapters that train) run their hidden checks there too, and hand the
  run to the session's PageRuns for their harness checks (tools/verify/page_runs.py);
- every page in Chromium (tools/checks/site_checks.py), in a process of its own.

Every wait has a limit (WAIT): a stuck build, kernel or browser fails the tests that need it.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.pages import harness
from tools.pages.harness import ROOT
from tools.pages.page import Page

# The repository the test build of the site is made for, unless GITHUB_REPOSITORY names one (the
# Pages workflow sets the real one): it gives the site its Colab links and its notebooks their
# install line, which the tests follow.
TEST_REPOSITORY = "pet-tests/pytorch-essential-training"
BUILD_TIMEOUT = 300  # seconds; the strict build takes about 8
SWEEP_TIMEOUT = 900  # seconds; every page in Chromium, light and dark, takes about a minute
WAIT = 1800  # the longest any test waits for a result here (the reader lanes run for minutes)
CHECKPOINT = "runs/cifar10-net.pt"  # the model that chapter 11 saves and later chapters load


def site_repository() -> str:
    """The GitHub repository ("owner/name") the test build of the site is made for."""
    return os.environ.get("GITHUB_REPOSITORY", "").strip() or TEST_REPOSITORY


def runs_once(path: Path) -> bool:
    return Page.of(path).runs_once


class Background:
    """The site build, then the kernel server, the reader runs and the page checks."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pet-tests-"))
        self.pools = [concurrent.futures.ThreadPoolExecutor(max_workers=1)]
        self.site = self.pools[0].submit(build_site, self.folder / "site")
        self.readers: dict[str, concurrent.futures.Future] = {}
        self.kernels: concurrent.futures.Future | None = None
        self.isolation: list[str] = []
        self.pages: concurrent.futures.Future | None = None

    def pool(self) -> concurrent.futures.ThreadPoolExecutor:
        """A new one-thread pool: what is submitted to it runs in order."""
        self.pools.append(concurrent.futures.ThreadPoolExecutor(max_workers=1))
        return self.pools[-1]

    def start(self, runs, kernels: bool, readers: bool, browser: bool) -> None:
        """Once the tests are collected: what they need besides the site. `runs` is the
        session's PageRuns: the pages that run once take their checks from their reader runs."""
        if kernels or readers:
            self.start_kernel_server()
        if readers:
            self.start_readers(runs)
        from tools.checks.site_checks import find_chromium

        chromium = find_chromium()
        if browser and chromium:
            self.pages = self.pool().submit(check_pages, self.site, chromium)

    def start_kernel_server(self) -> None:
        from tools.verify import reader

        self.isolation = reader.network_isolation()
        # One server forks every reader kernel (tools/verify/kernel_server.py): torch imported once.
        self.kernels = self.pool().submit(reader.start_kernel_server, self.isolation)

    def start_readers(self, runs) -> None:
        """Every page's reader run, in two lanes of about the same length, each in page order in
        a folder of its own: the pages that use the model chapter 11 saves (`runs/cifar10-net.pt`:
        it, and the pages after it that load it) share a lane and a folder, so that they find
        that file as a reader going through the course would; every other page runs in the
        second lane. A page that runs once hands its reader run to `runs`, for its checks."""
        for lane, paths in reader_lanes().items():
            folder = self.folder / f"reader-{lane}"
            folder.mkdir()
            pool = self.pool()  # in page order
            for path in paths:
                once = runs_once(path)
                self.readers[path.name] = pool.submit(self.run_page, path, folder, once)
                if once:
                    runs.take_from_reader(path, self.readers[path.name])

    def run_page(self, path: Path, folder: Path, with_hidden: bool):
        """One page's reader run, once the site is built and the kernel server is up."""
        from tools.verify import reader

        site = self.site.result(timeout=WAIT)
        kernels = reader.Kernels(self.isolation, server=self.kernels.result(timeout=WAIT))
        return reader.run_as_reader(site, path, folder, kernels, with_hidden)

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True, cancel_futures=True)
        if self.kernels is not None and self.kernels.done() and self.kernels.exception() is None:
            self.kernels.result().close()
        shutil.rmtree(self.folder, ignore_errors=True)


def reader_lanes() -> dict[str, list[Path]]:
    """Every page with code, in two lanes of about the same length, each in page order: the pages
    that use the model chapter 11 saves (CHECKPOINT: it, and the pages after it that load it),
    which must run in one folder one after another, and every other page."""
    pages = [path for path in harness.chapters() if harness.has_code(path)]
    model = [path for path in pages if CHECKPOINT in path.read_text("utf-8")]
    return {"model": model, "others": [path for path in pages if path not in model]}


def build_site(out: Path) -> Path:
    """A strict build of the site (with its notebook pages), as `make build` does."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GITHUB_REPOSITORY": site_repository()}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    command += ["--site-dir", str(out)]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT
    )
    if done.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}")
    return out


def check_pages(site: concurrent.futures.Future, chromium: str):
    """Every page in Chromium: load, axe-core, widths (tools/checks/site_checks.py), in a process of
    its own: Playwright's event loop must not share a process that DataLoader workers fork."""
    from tools.checks.site_checks import PageCheck

    out = site.result(timeout=WAIT).parent / "page-checks.json"
    command = [sys.executable, "-m", "tools.checks.site_checks", str(site.result())]
    command += ["--json", str(out), "--chromium", chromium]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=SWEEP_TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(f"tools.checks.site_checks failed:\n{done.stdout}{done.stderr}")
    return [PageCheck(**entry) for entry in json.loads(out.read_text(encoding="utf-8"))]
