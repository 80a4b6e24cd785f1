"""Tests of tools/site/notebook_templates.py: templates compiled once, pages unchanged."""

from __future__ import annotations

import nbformat
import pytest
from nbconvert import HTMLExporter

from tools.site.notebook_templates import share_compiled_templates, stop_sharing


def tiny_notebook() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), cell])


@pytest.fixture
def shared_templates():
    """Templates shared for one test; nbconvert's own environment again after it."""
    yield share_compiled_templates()
    stop_sharing()


def test_exporters_share_one_cache_and_render_the_same_page(shared_templates):
    stop_sharing()
    notebook = tiny_notebook()
    before, _ = HTMLExporter().from_notebook_node(notebook)
    cache = share_compiled_templates()
    assert share_compiled_templates() is cache  # a second build in the process must not wrap twice
    first, second = HTMLExporter(), HTMLExporter()
    assert first.environment.bytecode_cache is second.environment.bytecode_cache is cache
    html, _ = first.from_notebook_node(notebook)
    assert cache.compiled  # the templates went into the cache
    again, _ = second.from_notebook_node(notebook)
    assert html == again == before


def test_stop_sharing_leaves_nbconvert_as_it_was(shared_templates):
    stop_sharing()
    stop_sharing()  # twice is harmless
    assert HTMLExporter().environment.bytecode_cache is None
