"""pytest entry point: the chapters, collected by the harness, and the fixtures tests share.

Every docs/**/*.md is collected through Sybil with the chapter parser (tools/pages/harness.py); its
blocks run through the session's PageRuns (tools/verify/page_runs.py), kept on the pytest config.
The slow work that tests share (the strict site build, the reader runs, the browser sweep) runs in
the background (tools/verify/background.py), started here and handed to tests by fixtures.
"""

from __future__ import annotations

import json
import os
import re
import unittest
from pathlib import Path

import pytest

from tools.pages import harness
from tools.verify.background import Background, runs_once, site_repository, wait
from tools.verify.page_runs import Mode, PageRuns

RUNS = pytest.StashKey[PageRuns]()
BACKGROUND = pytest.StashKey[Background]()
SUMMARY = pytest.StashKey[list]()
ISOLATED = pytest.StashKey[
    list
]()  # the node ids of the `isolated` tests, run in a pytest of their own
# A test module that needs the built site says so, as its first marker: `pytestmark =
# [pytest.mark.site, ...]`. Read before collection, so that the build gets a head start.
SITE_MARKER = re.compile(r"^pytestmark = \[?pytest\.mark\.site\b", re.M)


def pytest_addoption(parser):
    parser.addoption(
        "--blocks-here",
        action="store_true",
        help="run every chapter block in this process, the pages that run once too, without"
        " reader runs or the site (make gpu-check: a CUDA machine has no site build)",
    )


def pytest_configure(config):
    """The session's PageRuns; and the site build, started before collection (which takes
    seconds) when a selected test module is marked `site`."""
    config.stash[RUNS] = PageRuns(Mode.CHECK)
    if config.option.collectonly or config.option.blocks_here:
        return
    here = Path(config.invocation_params.dir)
    paths = [(here / arg.split("::")[0]).resolve() for arg in config.args] or [harness.ROOT]
    tests = (harness.ROOT / "tests").glob("test_*.py")
    marked = [file for file in tests if SITE_MARKER.search(file.read_text(encoding="utf-8"))]
    if any(path == file or path in file.parents for path in paths for file in marked):
        config.stash[BACKGROUND] = Background()


def pytest_collect_file(file_path: Path, parent):
    """Chapters are collected by Sybil; each block is evaluated by the session's PageRuns."""
    runs = parent.config.stash[RUNS]
    return harness.sybil(runs.evaluate).pytest()(file_path, parent)


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
    """Tests marked `gpu` need CUDA: skip them, with the reason, where there is none. The items
    that wait for shared work in the background go last, in the order that work ends (waiting_for),
    so that this process does its own work while the background work runs."""
    isolated = [item for item in items if item.get_closest_marker("isolated")]
    # Beside other tests, and with tests/test_isolated.py to report them: in a pytest of their own.
    reported = any("isolated_run" in getattr(item, "fixturenames", ()) for item in items)
    if isolated and reported and len(isolated) < len(items):
        config.stash[ISOLATED] = [item.nodeid for item in isolated]
        config.hook.pytest_deselected(items=isolated)
        items[:] = [item for item in items if not item.get_closest_marker("isolated")]
    once = [path.stem for path in harness.chapters() if harness.has_code(path) and runs_once(path)]
    items.sort(key=lambda item: waiting_for(item, once))  # a stable sort
    gpu = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu:
        return  # no torch import: a pytest of plain tests (tests/fixtures/) starts sooner
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (torch.cuda.is_available() is False)")
    for item in gpu:
        item.add_marker(skip)


def waiting_for(item, once: list[str]) -> int:
    """When an item can run without waiting: 0 at once; 1 once the reader runs of the pages that
    run once are done (their blocks, and the tests of reader_runs parametrized by them: `once`,
    the pages' stems); 2 once the browser sweep is (page_checks: the last background work to
    end); 3 once the isolated tests' pytest is (it reports that run). Only the items that wait
    move: a module split in two would set up its module-scoped fixtures twice."""
    fixtures = getattr(item, "fixturenames", ())
    if "isolated_run" in fixtures:
        return 3
    if "page_checks" in fixtures:
        return 2
    if hasattr(item, "example") or "reader_runs" in fixtures:
        return int(any(stem in item.nodeid for stem in once))
    return 0


def pytest_collection_finish(session):
    """Start the shared work the collected tests need. A page that runs once takes its checks
    from its reader run, whether the page is collected alone or with the whole suite, unless
    --blocks-here says to run its blocks in this process."""
    config = session.config
    if config.option.collectonly:
        return  # nothing runs: nothing to prepare
    fixtures = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    kernels, browser = "kernel_server" in fixtures, "page_checks" in fixtures
    if "reader_runs" in fixtures:
        readers = "every page"
    elif config.option.blocks_here:
        readers = set()
    else:  # the chapters collected that run once
        readers = {item.path for item in session.items if hasattr(item, "example")}
        readers = {path for path in readers if runs_once(path)}
    site = readers or browser or "site" in fixtures
    site = site or any(item.get_closest_marker("site") for item in session.items)
    isolated = config.stash.get(ISOLATED, [])
    if (site or kernels or isolated) and BACKGROUND not in config.stash:
        config.stash[BACKGROUND] = Background(build=bool(site))
    if BACKGROUND in config.stash:
        config.stash[BACKGROUND].start(config.stash[RUNS], kernels, readers, browser)
        config.stash[BACKGROUND].start_isolated(isolated)


def pytest_terminal_summary(terminalreporter, config):
    """The lines tests asked for (summary_lines); how long each page's reader run took, in the
    background (they don't show in --durations)."""
    for line in config.stash.get(SUMMARY, []):
        terminalreporter.write_line(line)
    background = config.stash.get(BACKGROUND, None)
    isolated = background.isolated if background is not None else None
    if isolated is not None and isolated.done() and not isolated.exception():
        last = isolated.result()[1].strip().splitlines()[-1:]
        terminalreporter.write_line(f"isolated tests, in a pytest of their own: {''.join(last)}")
    if background is None or not background.readers:
        return
    finished = [f for f in background.readers.values() if f.done() and not f.cancelled()]
    runs = [future.result() for future in finished if not future.exception()]
    if runs:
        times = ", ".join(f"{Path(run.page).stem} {run.seconds:.0f} s" for run in runs)
        terminalreporter.write_line(f"reader runs ({runs[0].isolation}): {times}")


def pytest_sessionfinish(session, exitstatus):
    background = session.config.stash.get(BACKGROUND, None)
    if background is not None:
        background.close()
    keep = os.environ.get("PET_BLOCKS_JSON")
    if keep:  # what every block did and printed in this run, for `make gpu-check`
        runs = session.config.stash[RUNS]
        blocks = {
            f"{Path(page).name}@{line}": {"outcome": outcome, "printed": runs.printed.get(key)}
            for key, outcome in runs.outcomes.items()
            for page, line in [key]
        }
        Path(keep).write_text(json.dumps(blocks, indent=1, sort_keys=True), encoding="utf-8")


def background(request) -> Background:
    found = request.config.stash.get(BACKGROUND, None)
    if found is None:
        pytest.skip("the shared background work starts only when a collected test needs it")
    return found


@pytest.fixture(scope="session")
def summary_lines(request) -> list[str]:
    """Lines that the run prints at its end, after the results: figures a reader of every run
    should see (the pages' weights, tests/test_page_weight.py), which pass or fail."""
    return request.config.stash.setdefault(SUMMARY, [])


@pytest.fixture(scope="session")
def isolated_run(request):
    """The pytest of the `isolated` tests (a future of its exit status and output), or None
    where they run in this session."""
    found = request.config.stash.get(BACKGROUND, None)
    return found.isolated if found is not None else None


@pytest.fixture(scope="session")
def page_runs(request) -> PageRuns:
    """The session's runs of the chapters' blocks (what each printed, which ran as readers)."""
    return request.config.stash[RUNS]


@pytest.fixture(scope="session")
def site(request) -> Path:
    """The built site (a strict build, with notebook pages), shared by the site tests."""
    return wait(background(request).site, "the site build")


@pytest.fixture(scope="session", name="site_repository")
def site_repository_fixture() -> str:
    """The GitHub repository ("owner/name") the test build of the site is made for."""
    return site_repository()


@pytest.fixture(scope="session")
def page_checks(request) -> list:
    """Every page of the site checked in Chromium (tools/checks/site_checks.py), once."""
    pages = background(request).pages
    if pages is None:
        if os.environ.get("CI"):  # as tests/test_site.py's browser: never skipped under CI
            pytest.fail("Chromium is required under CI: .ci/run installs Debian's chromium")
        pytest.skip("the page checks need Chromium: install it (Debian: apt-get install chromium)")
    return wait(pages, "the browser sweep")


@pytest.fixture(scope="session")
def kernel_server(request):
    """The server of fresh kernels that the reader runs use (tools/verify/kernel_server.py)."""
    kernels = background(request).kernels
    if kernels is None:
        pytest.skip("the kernel server starts only when a collected test needs it")
    return wait(kernels, "the kernel server")


@pytest.fixture(scope="session")
def reader_runs(request) -> dict:
    """Each page's reader run (tools/verify/reader.py), by page file name, as futures."""
    readers = background(request).readers
    if not readers:
        pytest.skip("reader runs start only when a collected test needs them")
    return readers
