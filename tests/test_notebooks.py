"""Tests of the chapter notebooks (tools/notebooks.py): same cells as the page, and they run."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tools import harness, notebooks

CHAPTERS = [path for path in harness.chapters() if notebooks.has_code(path)]
SITE = "https://example.org/site/"


def build(path: Path) -> nbformat.NotebookNode:
    return notebooks.chapter_notebook(path, SITE, "pytorch-essential-training")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_notebook_has_the_page_code_and_outputs(path: Path):
    notebook = build(path)
    nbformat.validate(notebook)
    document = harness.sybil().parse(path)
    blocks = [
        region.parsed for _, region in document.regions if isinstance(region.parsed, harness.Block)
    ]
    shown = [block for block in blocks if not block.hidden and block.listing is None]
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    cells = [cell for cell in cells if "setup" not in cell.metadata.get("tags", [])]
    assert len(cells) == len(shown)
    for cell, block in zip(cells, shown, strict=True):
        code = "\n".join(line.strip() for line in block.source.strip().splitlines())
        assert code in "\n".join(line.strip() for line in cell.source.splitlines())
        texts = [output.text for output in cell.outputs if output.output_type == "stream"]
        assert texts == ([str(block.expected)] if block.expected else [])
        assert any(o.output_type == "display_data" for o in cell.outputs) == bool(block.image)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "<!--" not in markdown and ".md)" not in markdown


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom_on_cpu(path: Path, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("CIFAR10_DOWNLOAD", raising=False)
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path / "data"))  # the stand-in, written by the run
    notebook = build(path)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
