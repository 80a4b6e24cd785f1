"""Turn each chapter into a Jupyter notebook with the same code cells and outputs.

    python -m tools.notebooks OUT_DIR   # OUT_DIR/<chapter>.ipynb for every chapter with code
                                        # (`mkdocs build` does this into site/notebooks/)

The chapter is read with the harness's own parser, so the notebook holds exactly what CI checked:
each ```python block becomes a code cell whose outputs are the page's ```output fence and figure;
hidden setup becomes a code cell; a GPU-only block becomes a cell that runs only where its skip
condition is false; prose becomes Markdown cells. A first cell seeds the run like the harness does
and, in Colab, installs the `snippets` package from GitHub.
"""

from __future__ import annotations

import base64
import re
import sys
from pathlib import Path

import nbformat
from sybil import Document

from tools import harness

ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?) (?P<kind>\w+)(?: "(?P<title>[^"]*)")?\s*$')
SKIP_IF = re.compile(r'^if\((?P<condition>.*), reason="(?P<reason>[^"]*)"\)$')
LINK = re.compile(r"\]\((?P<page>[\w-]+)\.md(?P<anchor>#[\w-]+)?\)")
SETUP = """# Setup: the same starting state as the site's checks. In Colab (or anywhere the helper
# package is missing) it first installs `snippets` from the project's repository.
import importlib.util
import random
import subprocess
import sys

if importlib.util.find_spec("snippets") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{install}"], check=True)

import numpy as np
import torch

_ = torch.manual_seed(0)
np.random.seed(0)
random.seed(0)"""


def has_code(path: Path) -> bool:
    return "```python" in path.read_text(encoding="utf-8")


def chapter_notebook(path: Path, site_url: str, install: str) -> nbformat.NotebookNode:
    """The notebook of one chapter. `site_url` makes links absolute; `install` is a pip target."""
    text = flatten_admonitions(path.read_text(encoding="utf-8"))
    document = Document(text, str(path))
    for parser in harness.sybil().parsers:
        for region in parser(document):
            document.add(region)
    cells, position, skip = [], 0, None
    for start, region in document.regions:
        add_markdown(cells, text[position:start], site_url)
        position = region.end
        if text.startswith("<!--", start):  # a directive: drop the whole HTML comment
            position = text.index("-->", region.end - 3) + 3
        if not isinstance(region.parsed, harness.Block):  # a skip directive
            action, reason = region.parsed
            skip = SKIP_IF.match((reason or "").strip()) if action == "next" else None
            continue
        block = region.parsed
        if block.listing is not None:
            add_markdown(cells, f"```python\n{block.listing.rstrip()}\n```", site_url)
        elif block.hidden:
            source = "# Setup (hidden on the site)\n" + block.source.strip()
            cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["setup"]}))
        else:
            cells.append(code_cell(block, skip))
            if block.image_span:
                position = block.image_span[1]
        skip = None
    add_markdown(cells, text[position:], site_url)
    title = cells.pop(0) if cells and cells[0].cell_type == "markdown" else None
    setup = nbformat.v4.new_code_cell(SETUP.format(install=install), metadata={"tags": ["setup"]})
    cells = ([title] if title else []) + [setup, *cells]
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata.kernelspec = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata.language_info = {"name": "python"}
    return notebook


def code_cell(block: harness.Block, skip: re.Match | None) -> nbformat.NotebookNode:
    source = block.source.strip()
    if skip:  # GPU-only (or real-data-only): run only where the page's condition allows
        body = "\n".join(("    " + line).rstrip() for line in source.splitlines())
        source = f'if {skip["condition"]}:\n    print("Skipped: {skip["reason"]}")\nelse:\n{body}'
    outputs = []
    if block.expected:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=str(block.expected)))
    if block.image and block.image.is_file():
        outputs.append(figure_output(block.image))
    return nbformat.v4.new_code_cell(source, outputs=outputs)


def figure_output(image: Path) -> nbformat.NotebookNode:
    if image.suffix == ".svg":
        data = {"image/svg+xml": image.read_text(encoding="utf-8")}
    else:
        data = {"image/png": base64.b64encode(image.read_bytes()).decode("ascii")}
    return nbformat.v4.new_output("display_data", data={**data, "text/plain": "<Figure>"})


def add_markdown(cells: list, text: str, site_url: str) -> None:
    text = harness.STAMP.sub(lambda stamp: stamp["body"].split("\n{")[0] + "\n", text)
    text = LINK.sub(lambda link: f"]({site_url}{link['page']}/{link['anchor'] or ''})", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if text:
        for part in re.split(r"\n(?=## )", text):  # one cell per section reads well in Jupyter
            cells.append(nbformat.v4.new_markdown_cell(part.strip()))


def flatten_admonitions(text: str) -> str:
    """`!!! note "Title"` / `??? success "Solution"` blocks become a bold title and plain text."""
    lines, inside = [], False
    for line in text.splitlines():
        match = ADMONITION.match(line)
        if match:
            lines += [f"**{match['title'] or match['kind'].capitalize()}**", ""]
            inside = True
            continue
        if inside and (line.startswith("    ") or not line.strip()):
            lines.append(line[4:])
            continue
        inside = False
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_notebooks(out_dir: Path, site_url: str, install: str) -> list[Path]:
    """Write one notebook per chapter that has code; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in harness.chapters():
        if has_code(path):
            target = out_dir / f"{path.stem}.ipynb"
            nbformat.write(chapter_notebook(path, site_url, install), target)
            written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tools.notebooks OUT_DIR")
    for path in write_notebooks(Path(sys.argv[1]), "", "pytorch-essential-training"):
        print(path)
