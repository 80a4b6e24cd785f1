"""Tests of the chapter notebooks (tools/site/notebooks.py): a reader's copy of the page, no more.

Running them is tests/test_reader.py's work (it executes the notebooks of the built site).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools.pages import harness
from tools.site import notebooks

pytestmark = [pytest.mark.tooling]

CHAPTERS = [path for path in harness.chapters() if harness.has_code(path)]
SITE = "https://example.org/site/"
HELPER = "pytorch-essential-training @ git+https://github.com/owner/name"


def build(path: Path, install: str | None = HELPER):
    return notebooks.chapter_notebook(path, SITE, install)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_the_notebook_is_the_pages_visible_code_with_its_outputs(path: Path):
    notebook = build(path)
    nbformat.validate(notebook)
    blocks = [b for b in harness.blocks(harness.parse(path)) if b.shown]
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "setup" in cells[0].metadata["tags"]
    cells = cells[1:]
    assert len(cells) == len(blocks)  # hidden blocks and listings are not code cells
    for cell, block in zip(cells, blocks, strict=True):
        assert notebooks.unwrap(cell.source, block).strip() == block.source.strip()
        assert cell.metadata[notebooks.METADATA_KEY]["line"] == block.line
        texts = [output.text for output in cell.outputs if output.output_type == "stream"]
        assert texts == ([str(block.expected)] if block.expected else [])
        assert any(o.output_type == "display_data" for o in cell.outputs) == bool(block.image)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "<!--" not in markdown and ".md)" not in markdown
    assert "--8<--" not in markdown  # a results table is written out, not included


def test_a_skipped_block_becomes_a_cell_that_runs_where_its_condition_allows():
    notebook = build(harness.DOCS / "01-tensors.md")
    gpu_cells = [cell for cell in notebook.cells if "Skipped: needs a CUDA GPU" in cell.source]
    assert gpu_cells and gpu_cells[0].source.startswith(
        "import torch\nif not torch.cuda.is_available():\n"
        "    print('Skipped: needs a CUDA GPU')\nelse:\n"
    )
    data = build(harness.DOCS / "10-data-preparation.md")
    cell = next(c for c in data.cells if "Skipped: needs the real CIFAR-10" in c.source)
    assert cell.source.startswith(
        "from snippets.cifar10 import using_stand_in\nif using_stand_in():"
    )


def setup_cell(chapter: str, install: str | None = HELPER) -> str:
    return build(harness.DOCS / f"{chapter}.md", install).cells[1].source


def test_the_first_cell_installs_only_what_the_chapter_imports_and_names_the_torch_version():
    tensors = setup_cell("01-tensors")  # torch (and NumPy) only: nothing from the project
    assert "needs = {'numpy': 'numpy', 'torch': 'torch'}" in tensors and "snippets" not in tensors
    assert "VERIFIED_WITH = '2." in tensors and "warnings.warn(" in tensors
    cifar10 = setup_cell("12-testing-the-model")  # the helper package, which brings the rest
    assert f"needs = {{'snippets': {HELPER!r}}}" in cifar10
    without_repository = setup_cell("12-testing-the-model", install=None)
    assert "pip install -e ." in without_repository and "needs =" not in without_repository
    assert "pip install" not in setup_cell("01-tensors", install=None).split("import torch")[1]


def test_a_chapter_that_imports_an_unknown_package_is_refused(tmp_path: Path):
    page = tmp_path / "chapter.md"
    page.write_text("# T\n\n```python\nimport pandas\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"imports \['pandas'\]; add the pip name"):
        notebooks.chapter_notebook(page, SITE, HELPER)


def test_a_skipped_block_gets_its_badge_and_a_gpu_output_its_status():
    notebook = build(harness.DOCS / "15-training-faster.md")
    notes = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert any(n.startswith("**Without a GPU**") for n in notes)
    gpu_notes = [n for n in notes if n.startswith("**GPU only**")]
    assert gpu_notes and all("The output shown under this cell:" in n for n in gpu_notes)


def test_links_point_to_the_site():
    notebook = build(harness.DOCS / "01-tensors.md")
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert f"]({SITE}08-autograd/)" in markdown
    relative = notebooks.chapter_notebook(harness.DOCS / "01-tensors.md", "", None)
    text = "\n".join(cell.source for cell in relative.cells if cell.cell_type == "markdown")
    assert "](../../08-autograd/)" in text  # from the notebook page at notebooks/<chapter>/


def test_the_command_line_writes_one_notebook_per_chapter(tmp_path: Path, capsys):
    assert notebooks.main([str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.iterdir()) == sorted(p.stem for p in CHAPTERS)


def test_each_fold_and_badge_is_recorded_in_its_cells_for_the_notebook_page():
    """The notebook page folds a solution's cells and badges a skipped cell by what the notebook
    records of each cell, never by its words (tools/site/notebook_pages.py): it once looked for
    the badge line with an ASCII colon, and missed the Chinese one."""
    for page in [
        harness.DOCS / "16-distributed-training.md",
        harness.DOCS / "11-model-training.zh.md",
    ]:
        recorded = [cell.metadata.get(notebooks.METADATA_KEY, {}) for cell in build(page).cells]
        folds = notebooks.folded_admonitions(page.read_text(encoding="utf-8"))
        titles = [(r["kind"], r["summary"]) for r in recorded if "summary" in r]
        assert titles == [(fold.kind, fold.title) for fold in folds] and folds
        for number in range(len(folds)):  # one run of cells each, its title first
            where = [i for i, r in enumerate(recorded) if r.get("fold") == number]
            assert where == list(range(where[0], where[-1] + 1)), (page.name, number)
            assert "summary" in recorded[where[0]]
        assert [r for r in recorded if "line" in r and "fold" in r], "a solution's code is folded"
    page = harness.DOCS / "01-tensors.md"
    skipped = [b.line for b in harness.blocks(harness.parse(page)) if b.skip and not b.hidden]
    recorded = [cell.metadata.get(notebooks.METADATA_KEY, {}) for cell in build(page).cells]
    assert [r["badge"] for r in recorded if "badge" in r] == skipped and skipped
