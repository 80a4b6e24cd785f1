"""The slow work that several tests share, started once, in the background, while pytest runs.

    background = Background()                       # starts the strict site build at once
    background.start(runs, kernels=True, readers=True, browser=True)   # after collection
    background.site.result(timeout=...)             # each test waits only for what it needs
    background.close()

- the strict build of the site (with its notebook pages), into a temporary folder;
- a kernel server (tools/verify/kernel_server.py) that forks every reader kernel with torch
  imported;
- a reader's run of every page with code (tools/verify/reader.py), in three lanes beside each other
  (`Background.start_readers` says which page runs where); the pages that run once (`runs: once`,
  tools/pages/syntax.py: the chapters that train) run their hidden checks there too, and hand the
  run to the session's PageRuns for their harness checks (tools/verify/page_runs.py);
- every page in Chromium (tools/checks/site_checks.py), in a process of its own.

Every wait has a limit (tools/pages/limits.py; `wait` says which ran out): a stuck build, kernel
or browser fails the tests that need it. `close` stops the kernels first, so that Ctrl-C ends the
reader runs under way at once instead of waiting for them.
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

from tools.pages import harness, limits
from tools.pages.harness import ROOT
from tools.pages.page import Page

# The repository the test build of the site is made for, unless GITHUB_REPOSITORY names one (the
# Pages workflow sets the real one): it gives the site its Colab links and its notebooks their
# install line, which the tests follow.
TEST_REPOSITORY = "pet-tests/pytorch-essential-training"
# The site a parent session built, handed to the pytest of its isolated tests (start_isolated).
BUILT_SITE = "PET_BUILT_SITE"
CHECKPOINT = "runs/cifar10-net.pt"  # the model that chapter 11 saves and later chapters load
# The browser sweep is the largest piece of the shared work and the last to end: the reader runs'
# kernels and the isolated tests' pytest run at a lower priority (this niceness), so that on two
# cores the sweep gets its share early and the work ends about together, with no core idle.
LOWER_PRIORITY = 5


def site_repository() -> str:
    """The GitHub repository ("owner/name") the test build of the site is made for."""
    return os.environ.get("GITHUB_REPOSITORY", "").strip() or TEST_REPOSITORY


def runs_once(path: Path) -> bool:
    return Page.of(path).runs_once


class Background:
    """The site build, then the kernel server, the reader runs and the page checks."""

    def __init__(self, build: bool = True) -> None:
        """Starts the site build at once, unless `build` is False (no collected test needs it)."""
        self.folder = Path(tempfile.mkdtemp(prefix="pet-tests-"))
        self.pools = [concurrent.futures.ThreadPoolExecutor(max_workers=1)]
        self.processes = Processes()
        self.site: concurrent.futures.Future | None = None
        if os.environ.get(BUILT_SITE):  # a parent session's build: not built a second time
            self.site = concurrent.futures.Future()
            self.site.set_result(Path(os.environ[BUILT_SITE]))
        elif build:
            self.site = self.pools[0].submit(build_site, self.folder / "site", self.processes)
        self.readers: dict[str, concurrent.futures.Future] = {}
        self.kernels: concurrent.futures.Future | None = None
        self.isolation: list[str] = []
        self.pages: concurrent.futures.Future | None = None
        self.isolated: concurrent.futures.Future | None = None

    def pool(self) -> concurrent.futures.ThreadPoolExecutor:
        """A new one-thread pool: what is submitted to it runs in order."""
        self.pools.append(concurrent.futures.ThreadPoolExecutor(max_workers=1))
        return self.pools[-1]

    def start(self, runs, kernels: bool, readers: set[Path] | str, browser: bool) -> None:
        """Once the tests are collected: what they need besides the site. `readers`: the pages
        whose reader runs are wanted, or "every page"; `runs` is the session's PageRuns: the
        pages that run once take their checks from their reader runs."""
        if kernels or readers:
            self.start_kernel_server(pages=bool(readers))
        if readers:
            self.start_readers(runs, readers)
        from tools.checks.chromium import find_chromium

        chromium = find_chromium()
        if browser and chromium:
            self.pages = self.pool().submit(check_pages, self.site, chromium, self.processes)

    def start_isolated(self, node_ids: list[str]) -> None:
        """The tests marked `isolated` (long waits on processes of their own: a Ctrl-C, cores
        made busy, other Pythons), in a pytest of their own beside this one, off its critical
        path, given this session's site once it is built; `isolated` is the future of its exit
        status and output."""
        if node_ids:
            self.isolated = self.pool().submit(self.run_isolated, node_ids)

    def run_isolated(self, node_ids: list[str]) -> tuple[int, str]:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *node_ids]
        # Its blocks are not the chapters' (make gpu-check reads this session's record only).
        env = {key: value for key, value in os.environ.items() if key != "PET_BLOCKS_JSON"}
        if self.site is not None:
            env[BUILT_SITE] = str(wait(self.site, "the site build"))
        limit = limits.scaled(limits.BACKGROUND)
        what, niceness = "the isolated tests' pytest", LOWER_PRIORITY
        return self.processes.run(command, limit, what, False, niceness, env=env)

    def start_kernel_server(self, pages: bool) -> None:
        """One server forks every reader kernel (tools/verify/kernel_server.py): torch imported
        once, where pages will run (`pages`); else a bare one, for the tests' plain cells."""
        from tools.verify import reader

        self.isolation = reader.network_isolation()
        start = reader.start_kernel_server
        self.kernels = self.pool().submit(start, self.isolation, pages, LOWER_PRIORITY)

    def start_readers(self, runs, wanted: set[Path] | str) -> None:
        """The reader runs of the `wanted` pages ("every page": all), in the lanes of
        reader_lanes, beside each other, each in page order in a folder of its own: the pages
        that use the model chapter 11 saves (`runs/cifar10-net.pt`) share a lane and a folder, so
        that they find that file as a reader going through the course would. A page that runs
        once hands its reader run to `runs`, for its checks."""
        for lane, paths in reader_lanes(wanted).items():
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

        site = wait(self.site, "the site build")
        kernels = reader.Kernels(self.isolation, server=wait(self.kernels, "the kernel server"))
        return reader.run_as_reader(site, path, folder, kernels, with_hidden)

    def close(self) -> None:
        """Cancel what has not started; stop the kernels (a reader run under way then ends within
        a second: its kernel died) and the build and browser processes; give the threads
        limits.WIND_DOWN seconds to end. After Ctrl-C too, nothing waits out a page mid-run."""
        for pool in self.pools:
            pool.shutdown(wait=False, cancel_futures=True)
        self.stop_processes()
        others = [self.site, self.pages, self.kernels, self.isolated]
        running = [*self.readers.values(), *filter(None, others)]
        concurrent.futures.wait(running, timeout=limits.WIND_DOWN)
        self.stop_processes()  # a kernel server that finished starting meanwhile
        shutil.rmtree(self.folder, ignore_errors=True)

    def stop_processes(self) -> None:
        self.processes.stop()
        started = self.kernels
        if started and started.done() and not started.cancelled() and not started.exception():
            started.result().close()


class Processes:
    """The subprocesses of the shared work: each within its limit, and all stopped by `stop`."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def run(
        self,
        command: list[str],
        limit: limits.Limit,
        what: str,
        check: bool = True,
        niceness: int = 0,
        **options,
    ):
        """Run `command` in the project's folder, at `niceness` (more: a lower priority): its
        output, or an error that says what failed; with `check` False, (exit status, output)
        whatever the status."""
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            **options,
        )
        self.started.append(process)
        if niceness:  # before it starts anything: its children inherit it
            os.setpriority(os.PRIO_PROCESS, process.pid, niceness)
        try:
            output, _ = process.communicate(timeout=limit.seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise TimeoutError(f"{what} did not finish within {limit}") from None
        if not check:
            return process.returncode, output
        if process.returncode != 0:
            raise RuntimeError(f"{what} failed (exit status {process.returncode}):\n{output}")
        return output

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()


def wait(future: concurrent.futures.Future, what: str):
    """The result of shared work (`what`: "the site build", ...), within limits.BACKGROUND scaled
    to this machine; past it, an error that says what did not finish and the limit."""
    if future.done():  # no wait, so no limit to measure: a page's checks ask hundreds of times
        return future.result()
    limit = limits.scaled(limits.BACKGROUND)
    try:
        return future.result(timeout=limit.seconds)
    except concurrent.futures.TimeoutError:
        raise TimeoutError(f"{what} did not finish within {limit}") from None


def reader_lanes(wanted: set[Path] | str = "every page") -> dict[str, list[Path]]:
    """The pages with code whose reader runs are `wanted`, in three lanes, each in page order:
    the pages that use the model chapter 11 saves (CHECKPOINT: it, and the pages after it that
    load it), which must run in one folder one after another (so a page of that lane brings the
    pages before it); the other pages that train (`runs: once`: seconds a block); and the rest
    (a second each). Two lanes made the second the suite's last minute, on one core."""
    pages = [path for path in harness.chapters() if harness.has_code(path)]
    model = [path for path in pages if CHECKPOINT in path.read_text("utf-8")]
    training = [path for path in pages if path not in model and runs_once(path)]
    others = [path for path in pages if path not in model and path not in training]
    if wanted == "every page":
        return {"model": model, "training": training, "others": others}
    last = max((model.index(path) for path in wanted if path in model), default=-1)
    return {
        "model": model[: last + 1],
        "training": [path for path in training if path in wanted],
        "others": [path for path in others if path in wanted],
    }


def build_site(out: Path, processes: Processes) -> Path:
    """A strict build of the site (with its notebook pages), as `make build` does."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GITHUB_REPOSITORY": site_repository()}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    command += ["--site-dir", str(out)]
    processes.run(command, limits.scaled(limits.BUILD), "mkdocs build --strict", env=env)
    return out


def check_pages(site: concurrent.futures.Future, chromium: str, processes: Processes):
    """Every page in Chromium: load, axe-core, widths (tools/checks/site_checks.py), in a process of
    its own: Playwright's event loop must not share a process that DataLoader workers fork."""
    from tools.checks.site_checks import PageCheck

    out = wait(site, "the site build").parent / "page-checks.json"
    command = [sys.executable, "-m", "tools.checks.site_checks", str(site.result())]
    command += ["--json", str(out), "--chromium", chromium]
    processes.run(command, limits.scaled(limits.SWEEP), "tools.checks.site_checks")
    return [PageCheck(**entry) for entry in json.loads(out.read_text(encoding="utf-8"))]
