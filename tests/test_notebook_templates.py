"""Tests of tools/site/notebook_templates.py: templates compiled once, pages unchanged."""

from __future__ import annotations

import nbformat
from nbconvert import HTMLExporter

from tools.site.notebook_templates import share_compiled_templates


def tiny_notebook() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), cell])


def test_exporters_share_one_cache_and_render_the_same_page():
    notebook = tiny_notebook()
    before, _ = HTMLExporter().from_notebook_node(notebook)
    share_compiled_templates()
    share_compiled_templates()  # a second build in the same process must not wrap it twice
    first, second = HTMLExporter(), HTMLExporter()
    assert first.environment.bytecode_cache is second.environment.bytecode_cache
    html, _ = first.from_notebook_node(notebook)
    assert first.environment.bytecode_cache.compiled  # the templates went into the cache
    again, _ = second.from_notebook_node(notebook)
    assert html == again == before
