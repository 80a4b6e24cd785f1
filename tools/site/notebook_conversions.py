"""Notebook pages converted ahead, in worker processes, while the build renders the chapters.

mkdocs-jupyter converts a notebook into HTML when the build renders its page, one page after
another in the build's own process: 34 conversions (17 notebooks in each language), half the CPU
of a build without its page cache. It keeps each converted page in that cache, keyed by the
notebook's bytes and the plugin's settings, and reads it back in any later build.

`Conversions` starts, with the first language's files, worker processes that each write a share
of the notebooks of every language and render their pages exactly as the build would (the
plugin's own `on_pre_page`, then the page's `render`), which fills that cache. When the build
reaches a notebook page, `wait` holds it until the page is in the cache, and the plugin reads it
from there; the build's notebook must have the bytes the worker converted (else the build says
so, as a warning, and converts it itself).

The workers are forked, so that they start with the build's configuration and modules loaded; a
build in a process with other threads (`mkdocs serve` rebuilds from one) or on one core converts as
before. A page whose conversion failed, or was not done within WAIT_LIMIT_S, is converted by the
build itself, with a warning, on which `--strict` fails: in a sound build, none fails. A worker
sends the warnings that a conversion logged to the build, which logs them, as it would have had it
converted the page itself.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from tools.site.notebooks import write_notebook

log = logging.getLogger("mkdocs.hooks")
# The longest the build waits for one page's conversion (a whole cold build takes seconds): a page
# not converted by then is converted by the build itself.
WAIT_LIMIT_S = 60
MOST_WORKERS = 4  # past four, the first pages wait for more workers to share the cores


@dataclass(frozen=True)
class Job:
    """One notebook page: its chapter and language, its place among the site's files, and the
    plugin's cache folder for that language."""

    chapter: Path
    language: str
    src_uri: str
    cache_dir: str


class Conversions:
    """The notebook pages of every language, being written and converted by worker processes."""

    def __init__(self, jobs: list[Job], plugin, config) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pet-notebooks-ahead-"))
        self.expected = {job.src_uri for job in jobs}
        self.converted: dict[str, str | Failed] = {}  # page -> its notebook's digest
        workers = min(MOST_WORKERS, os.cpu_count() or 1, len(jobs))
        fork = multiprocessing.get_context("fork")
        self.messages = fork.Queue()
        self.workers = [
            fork.Process(
                target=convert,
                args=(jobs[start::workers], self.folder, plugin, config, self.messages),
                name=f"notebook-conversions-{start}",
                daemon=True,  # ended with the build, should the build end first
            )
            for start in range(workers)
        ]
        for worker in self.workers:
            worker.start()
        self.waited: set[str] = set()
        # stop() once every page has waited; else when the build's process ends (it failed).
        self.stop = weakref.finalize(self, end_workers, self.workers, self.folder)

    @classmethod
    def start(cls, jobs: list[Job], plugin, config) -> Conversions | None:
        """Start converting `jobs`; None where forking is unsafe (other threads) or no help."""
        if threading.active_count() > 1 or (os.cpu_count() or 1) < 2 or not jobs:
            return None
        return cls(jobs, plugin, config)

    def wait(self, src_uri: str, notebook: Path) -> None:
        """Return once the page of the build's `notebook` (at `src_uri`) is in the cache, or once
        converting it has failed or passed WAIT_LIMIT_S (a warning: the build converts it)."""
        if src_uri not in self.expected:
            return
        deadline = time.monotonic() + WAIT_LIMIT_S
        while src_uri not in self.converted and self._receive(deadline):
            pass
        converted = self.converted.get(src_uri)
        if isinstance(converted, Failed):
            log.warning("%s: converting it ahead failed (%s)", src_uri, converted.error)
        elif converted is None:
            log.warning("%s: not converted ahead within %d s", src_uri, WAIT_LIMIT_S)
        elif digest(notebook) != converted:
            log.warning("%s: the notebook converted ahead is not the build's", src_uri)
        self.waited.add(src_uri)
        if self.waited == self.expected:
            self.stop()  # the last page: the workers have ended, or are of no more use

    def _receive(self, deadline: float) -> bool:
        """Take the next page a worker finished; False when none will come before `deadline`."""
        while True:
            try:
                src_uri, converted, warnings = self.messages.get(timeout=0.5)
            except queue.Empty:
                if time.monotonic() > deadline or not any(w.is_alive() for w in self.workers):
                    return False
                continue
            self.converted[src_uri] = converted
            for warning in warnings:
                log.warning("%s: %s", src_uri, warning)
            return True


@dataclass(frozen=True)
class Failed:
    """What a worker sends for a page it could not convert."""

    error: str


def end_workers(workers: list, folder: Path) -> None:
    """End the workers (a build that ended early leaves some converting); remove their notebooks."""
    for worker in workers:
        worker.terminate()
        worker.join(timeout=5)
    shutil.rmtree(folder, ignore_errors=True)


def digest(notebook: Path) -> str:
    return hashlib.sha256(notebook.read_bytes()).hexdigest()


class Collected(logging.Handler):
    """The messages of the warnings logged in a worker, for the build to log."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def convert(jobs: list[Job], folder: Path, plugin, config, messages) -> None:
    """In a worker: write each job's notebook and render its page as the build would, so that
    mkdocs-jupyter puts it into its cache; send the page's address, the notebook's digest (or
    what failed) and the warnings logged."""
    # Ctrl-C is the build's: it ends, and so do its workers, without a traceback from each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    collected = Collected()
    # The build's own handlers would print each warning here, and the build again.
    logging.getLogger("mkdocs").handlers = [collected]
    for job in jobs:
        try:
            converted = digest(convert_one(job, folder, plugin, config))
        except Exception as error:  # the build converts this page itself and reports it there
            converted = Failed(f"{type(error).__name__}: {error}")
        messages.put((job.src_uri, converted, list(collected.messages)))
        collected.messages.clear()


def convert_one(job: Job, folder: Path, plugin, config) -> Path:
    """Write the job's notebook into `folder` and render its page; return the notebook."""
    site_url, install = config.site_url or "", config.extra["install_target"]
    notebook_folder = folder / Path(job.src_uri).parent
    notebook = write_notebook(job.chapter, notebook_folder, site_url, install, job.language)
    plugin.config["cache_dir"] = job.cache_dir  # this worker's copy of the plugin
    file = File(job.src_uri, str(folder), config.site_dir, config.use_directory_urls)
    (notebook_file,) = plugin.on_files(Files([file]), config)
    page = plugin.on_pre_page(Page(None, notebook_file, config), config, Files([]))
    page.render(config, Files([notebook_file]))
    return notebook
