"""Tests of tools/site/notebook_conversions.py: a notebook page converted ahead is the page the
build reads from mkdocs-jupyter's cache; a conversion that fails leaves the page to the build and
says so. (A whole build with its workers is the test suite's own: `mkdocs build --strict` fails on
a page not converted ahead.)"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import mkdocs_jupyter.convert
import pytest
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs_jupyter.plugin import Plugin

from tools.site.notebook_conversions import Conversions, Job, convert, digest
from tools.site.notebooks import write_notebook

pytestmark = [pytest.mark.tooling]
ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "docs" / "02-creating-tensors.md"


class Config(dict):
    """The part of MkDocs' configuration that a notebook page reads."""

    __getattr__ = dict.__getitem__


def notebook_plugin() -> Plugin:
    plugin = Plugin()
    errors, _ = plugin.load_config({"include": ["notebooks/*.ipynb"], "no_prompt": True})
    assert not errors
    plugin.on_pre_build(config=None)  # as a build starts
    return plugin


def rendered(plugin: Plugin, config: Config, folder: Path, src_uri: str) -> Page:
    """The page of the notebook at `folder`/`src_uri`, rendered as the build renders it."""
    file = File(src_uri, str(folder), config.site_dir, config.use_directory_urls)
    (notebook_file,) = plugin.on_files(Files([file]), config)
    page = plugin.on_pre_page(Page(None, notebook_file, config), config, Files([]))
    page.render(config, Files([notebook_file]))
    return page


def test_a_page_converted_ahead_is_read_by_the_build_from_the_cache(tmp_path, monkeypatch):
    plugin = notebook_plugin()
    config = Config(
        site_url="", site_dir=str(tmp_path / "site"), use_directory_urls=True,
        extra={"install_target": None},
    )  # fmt: skip
    job = Job(CHAPTER, "zh", "zh/notebooks/02-creating-tensors.ipynb", str(tmp_path / "cache"))
    sent = []
    # convert() gives the "mkdocs" logger a handler of its own, as a worker (undone after).
    monkeypatch.setattr(logging.getLogger("mkdocs"), "handlers", [])
    convert([job], tmp_path / "ahead", plugin, config, type("Sent", (), {"put": sent.append}))
    # The build writes its own notebook, with the same bytes, and renders its page.
    notebook = write_notebook(CHAPTER, tmp_path / "build" / "zh" / "notebooks", "", None, "zh")
    assert sent == [(job.src_uri, digest(notebook), [])]

    def no_conversion(*args, **kwargs):
        raise AssertionError("the build converted a notebook that was converted ahead")

    monkeypatch.setattr(mkdocs_jupyter.convert, "nb2html", no_conversion)
    page = rendered(plugin, config, tmp_path / "build", job.src_uri)
    assert "jp-Notebook" in page.content and page.title  # the page, from the cache


def test_a_conversion_that_fails_is_left_to_the_build_with_a_warning():
    # In a process of its own: the workers are forked, which a process with threads (this one)
    # must not do.
    script = """
import logging, sys
from pathlib import Path
from types import SimpleNamespace
from tools.site.notebook_conversions import Conversions, Job
logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stdout)
job = Job(Path("docs/no-such-chapter.md"), "en", "notebooks/no-such-chapter.ipynb", "unused")
conversions = Conversions([job], None, SimpleNamespace(site_url="", extra={"install_target": None}))
conversions.wait(job.src_uri, Path("unused"))
print("folder left:", conversions.folder.exists())
"""
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith(
        "notebooks/no-such-chapter.ipynb: converting it ahead failed (FileNotFoundError"
    ), run.stdout
    assert lines[1:] == ["folder left: False"], run.stdout


def test_a_build_with_threads_converts_its_own_pages():
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait, args=(5,))
    beside.start()
    try:
        assert Conversions.start([Job(CHAPTER, "en", "notebooks/x.ipynb", "")], None, None) is None
    finally:
        stop.set()
        beside.join()
