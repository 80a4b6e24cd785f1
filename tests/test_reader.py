"""A reader's copy of every page runs and prints what the page shows (tools/reader.py).

For each chapter, from the built site: the copy buttons yield exactly the page's code blocks, the
page's notebook holds exactly those blocks as its code cells, and that notebook, run top to bottom
in a fresh kernel (empty folder, network off, offline stand-in data, another CPU kernel set on one
thread), prints what the page shows. The runs start in the background when the tests are
collected (conftest.py), beside the chapters' own run; the CIFAR-10 chapters run only here, their
hidden checks included (conftest.py, RUN_AS_READER).
"""

from __future__ import annotations

import ast

import pytest

from tools import harness

PAGES = [path for path in harness.chapters() if harness.has_code(path)]


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.stem)
def test_a_readers_copy_of_the_page_runs_and_prints_what_it_shows(path, reader_runs):
    run = reader_runs[path.name].result()
    assert run.problems == [], "\n\n".join(run.problems)


def names(code: str, kind: type) -> set[str]:
    """The names a piece of code stores (kind=ast.Store) or reads (ast.Load)."""
    tree = ast.parse(code)
    found = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, kind)
    }
    if kind is ast.Store:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found.add(node.name)
    return found


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.stem)
def test_no_hidden_block_defines_a_name_that_a_visible_block_uses(path):
    blocks = harness.blocks(harness.sybil().parse(path))
    hidden = set().union(*[names(b.source, ast.Store) for b in blocks if b.hidden] or [set()])
    visible_defined, leaks = set(), []
    for block in sorted(blocks, key=lambda block: block.line):
        if block.hidden or block.listing is not None:
            continue
        used = names(block.source, ast.Load) - visible_defined
        leaks += [f"line {block.line}: {name}" for name in sorted(used & hidden)]
        visible_defined |= names(block.source, ast.Store)
    assert leaks == [], f"{path.name}: visible blocks use names that only hidden blocks define"
