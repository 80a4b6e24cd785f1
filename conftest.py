"""pytest entry point: the chapters, collected by the harness, and the shared slow fixtures.

Every docs/**/*.md is collected by tools/harness.py (the rules are in the README and in the
harness). Work that several tests share runs once, in the background, while the chapters run:
the strict build of the site, then a reader's run of every page (tools/reader.py), in two lanes.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import pytest

from tools import harness
from tools.harness import ROOT, chapters, has_code, sybil

pytest_collect_file = sybil().pytest()


def pytest_runtest_makereport(item, call):
    """Report a skipped chapter block at its page line, not inside pytest's unittest shim."""
    if call.excinfo is None or not hasattr(item, "example"):
        return None
    if not call.excinfo.errisinstance((pytest.skip.Exception, unittest.SkipTest)):
        return None
    report = pytest.TestReport.from_item_and_call(item, call)
    reason = getattr(call.excinfo.value, "msg", None) or str(call.excinfo.value)
    report.longrepr = (str(item.path), item.example.line, f"Skipped: {reason}")
    return report


def pytest_collection_modifyitems(config, items):
    """Tests marked `gpu` need CUDA: skip them, with the reason, where there is none. Where the
    reader runs are collected too, the CIFAR-10 chapters run once, as readers (RUN_AS_READER)."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (torch.cuda.is_available() is False)")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)
    if any("reader_runs" in getattr(item, "fixturenames", ()) for item in items):
        RUN_AS_READER.update(path for path in chapters() if trains_on_cifar10(path))
        # Their checks wait for their reader runs: last, so that nothing waits early.
        names = [path.name for path in RUN_AS_READER]
        items.sort(key=lambda item: any(name in item.nodeid for name in names))  # stable


# The CIFAR-10 chapters (seconds of training each) run once under `make test`: in the reader's
# kernel, their hidden checks included, and their harness items take the result from that run
# (tools/harness.py, RAN_AS_READER). The other chapters run twice, here as well, so that they
# are also checked under this machine's own CPU kernels and threads. On a GPU machine every
# chapter runs here, on the GPU.
RUN_AS_READER: set[Path] = set()


def trains_on_cifar10(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    hidden_skips = re.search(r"skip: next[^\n]*-->\s*<!-- invisible-code-block", text)
    return "from snippets.cifar10 import" in text and not hidden_skips


# ---- shared work: the site build starts before collection, the checks on it after -------------


class Background:
    """The site build, then the reader runs and the page checks; each test waits only for what
    it needs."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pet-tests-"))
        self.pools = [concurrent.futures.ThreadPoolExecutor(max_workers=1)]
        self.site = self.pools[0].submit(build_site, self.folder / "site")
        self.readers: dict[str, concurrent.futures.Future] = {}
        self.kernels: concurrent.futures.Future | None = None
        self.isolation: list[str] = []
        self.pages: concurrent.futures.Future | None = None

    def start(self, kernels: bool, readers: bool, browser: bool) -> None:
        """Once the tests are collected: what they need besides the site."""
        if kernels or readers:
            self.start_kernel_server()
        if readers:
            self.start_readers()
        from tools.site_checks import find_chromium

        chromium = find_chromium()
        if browser and chromium:
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
            self.pools.append(pool)
            self.pages = pool.submit(check_pages, self.site, chromium)

    def start_kernel_server(self) -> None:
        from tools import reader

        self.isolation = reader.network_isolation()
        # One server forks every reader kernel (tools/kernel_server.py): torch imported once.
        starter = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.pools.append(starter)
        self.kernels = starter.submit(reader.start_kernel_server, self.isolation)

    def start_readers(self) -> None:
        isolation = self.isolation
        pages = [path for path in chapters() if has_code(path)]
        # The pages that share a file (the checkpoint that one chapter saves and the next ones
        # load) run in one lane, in page order; the others in a second lane beside it.
        shares_checkpoint = [path for path in pages if "runs/cifar10-net.pt" in path.read_text()]
        lanes = {"checkpoint": shares_checkpoint}
        lanes["others"] = [path for path in pages if path not in lanes["checkpoint"]]
        for lane, paths in lanes.items():
            folder = self.folder / f"reader-{lane}"
            folder.mkdir()
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)  # in page order
            self.pools.append(pool)
            for path in paths:
                self.readers[path.name] = pool.submit(
                    run_page, self.site, path, folder, isolation, self.kernels
                )
                if path in RUN_AS_READER:
                    harness.RAN_AS_READER[str(path)] = self.readers[path.name]

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True, cancel_futures=True)
        if self.kernels is not None and self.kernels.exception() is None:
            self.kernels.result().close()
        shutil.rmtree(self.folder, ignore_errors=True)


def build_site(out: Path) -> Path:
    """A strict build of the site (with its notebook pages), as `make build` does."""
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
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}")
    return out


def check_pages(site, chromium: str):
    """Every page in Chromium: load, axe-core, widths (tools/site_checks.py), in a process of
    its own: Playwright's event loop must not share a process that DataLoader workers fork."""
    from tools.site_checks import PageCheck

    out = site.result().parent / "page-checks.json"
    command = [sys.executable, "-m", "tools.site_checks", str(site.result()), "--json", str(out)]
    command += ["--chromium", chromium]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"tools.site_checks failed:\n{done.stdout}{done.stderr}")
    return [PageCheck(**entry) for entry in json.loads(out.read_text(encoding="utf-8"))]


def run_page(site, path, folder, isolation, kernels):
    """One page's reader run, once the site is built and the kernel server is up."""
    from tools import reader

    with_hidden = path in RUN_AS_READER
    return reader.run_as_reader(
        site.result(), path, folder, isolation, kernels.result(), with_hidden
    )


BACKGROUND: Background | None = None
NEEDS_THE_SITE = ("tests/test_site.py", "tests/test_reader.py")


def pytest_configure(config):
    """Start the site build before collection (which takes seconds) when its tests may run."""
    global BACKGROUND
    if config.option.collectonly:
        return
    here = Path(config.invocation_params.dir)
    paths = [(here / arg.split("::")[0]).resolve() for arg in config.args] or [ROOT]
    wanted = [ROOT / name for name in NEEDS_THE_SITE]
    if any(path == file or path in file.parents for path in paths for file in wanted):
        BACKGROUND = Background()


def pytest_collection_finish(session):
    global BACKGROUND
    if session.config.option.collectonly:
        return  # nothing runs: nothing to prepare
    fixtures = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    kernels, readers = "kernel_server" in fixtures, "reader_runs" in fixtures
    browser = "page_checks" in fixtures
    if (kernels or readers or browser or "site" in fixtures) and BACKGROUND is None:
        BACKGROUND = Background()
    if BACKGROUND is not None:
        BACKGROUND.start(kernels=kernels, readers=readers, browser=browser)


def pytest_terminal_summary(terminalreporter):
    """How long each page's reader run took, in the background (they don't show in --durations)."""
    if BACKGROUND is None or not BACKGROUND.readers:
        return
    finished = [future for future in BACKGROUND.readers.values() if future.done()]
    runs = [future.result() for future in finished if not future.cancelled()]
    if runs:
        times = ", ".join(f"{Path(run.page).stem} {run.seconds:.0f} s" for run in runs)
        terminalreporter.write_line(f"reader runs ({runs[0].isolation}): {times}")


def pytest_sessionfinish(session, exitstatus):
    if BACKGROUND is not None:
        BACKGROUND.close()
    keep = os.environ.get("PET_PRINTED_JSON")
    if keep:  # what every block printed in this run, to compare machines (tools/gpu_session.sh)
        from tools.harness import CHECK

        printed = {
            f"{Path(page).name}@{start}": text for (page, start), text in CHECK.printed.items()
        }
        Path(keep).write_text(json.dumps(printed, indent=1, sort_keys=True), encoding="utf-8")


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site (a strict build, with notebook pages), shared by the site tests."""
    if BACKGROUND is None:
        pytest.skip("the site is built only when a collected test needs it")
    return BACKGROUND.site.result()


@pytest.fixture(scope="session")
def page_checks() -> list:
    """Every page of the site checked in Chromium (tools/site_checks.py), once."""
    if BACKGROUND is None or BACKGROUND.pages is None:
        pytest.skip("the page checks need Chromium: install it (Debian: apt-get install chromium)")
    return BACKGROUND.pages.result()


@pytest.fixture(scope="session")
def kernel_server():
    """The server of fresh reader kernels that the reader runs use (tools/kernel_server.py)."""
    if BACKGROUND is None or BACKGROUND.kernels is None:
        pytest.skip("the kernel server starts only when a collected test needs it")
    return BACKGROUND.kernels.result()


@pytest.fixture(scope="session")
def reader_runs() -> dict:
    """Each page's reader run (tools/reader.py), by page file name, as futures."""
    if BACKGROUND is None or not BACKGROUND.readers:
        pytest.skip("reader runs start only when tests/test_reader.py is collected")
    return BACKGROUND.readers
