"""A reader's copy of every page runs and prints what the page shows (tools/verify/reader.py).

For each chapter, from the built site: the copy buttons yield exactly the page's code blocks, the
page's notebook holds exactly those blocks as its code cells, and that notebook, run top to bottom
in a fresh kernel (empty folder, network off, offline stand-in data, another CPU kernel set on one
thread), prints what the page shows. The runs start in the background when the tests are
collected (conftest.py), beside the chapters' own run; the CIFAR-10 chapters run only here, their
hidden checks included (the pages that declare `runs: once`, tools/verify/page_runs.py).
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import nbformat
import pytest

from tools.pages import harness, limits
from tools.site import notebooks
from tools.verify import reader
from tools.verify.background import reader_lanes, runs_once, wait
from tools.verify.cell_runs import Outcome

pytestmark = [pytest.mark.site, pytest.mark.tooling]

PAGES = [path for path in harness.chapters() if harness.has_code(path)]


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.stem)
def test_a_readers_copy_of_the_page_runs_and_prints_what_it_shows(path, reader_runs):
    run = wait(reader_runs[path.name], f"the reader run of {path.name}")
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
    blocks = harness.blocks(harness.parse(path))
    hidden = set().union(*[names(b.source, ast.Store) for b in blocks if b.hidden] or [set()])
    visible_defined, leaks = set(), []
    for block in sorted(blocks, key=lambda block: block.line):
        if block.hidden or block.listing is not None:
            continue
        own = names(block.source, ast.Store)  # a block's own loop variables, functions, ...
        used = names(block.source, ast.Load) - visible_defined - own
        leaks += [f"line {block.line}: {name}" for name in sorted(used & hidden)]
        visible_defined |= own
    assert leaks == [], f"{path.name}: visible blocks use names that only hidden blocks define"


# ---- the reader's run cannot hang, and reports what became of each cell ------------------------


def notebook_of(*sources: str):
    import nbformat

    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


@pytest.mark.parametrize(
    ("stops", "detail"),
    [
        ("import time\ntime.sleep(600)", "no reply within 2 s (timed out)"),
        ("import os\nos._exit(1)", "the kernel died"),
    ],
    ids=["hangs", "exits"],
)
def test_a_cell_that_hangs_or_kills_its_kernel_is_interrupted_not_waited_for(
    kernel_server, tmp_path, stops, detail
):
    notebook = notebook_of("print('before')", stops, "print('never')")
    started = time.monotonic()
    cells = reader.execute(
        notebook, tmp_path, reader.Kernels(server=kernel_server), limits.Limit(2)
    )
    assert time.monotonic() - started < 60
    assert [cell.outcome for cell in cells] == [Outcome.RAN, Outcome.INTERRUPTED, Outcome.NOT_RUN]
    assert cells[0].printed == "before\n" and detail in cells[1].detail


HANGING_CHECK_PAGE = """\
# A page whose hidden check never ends

```python
print(1)
```

```output
1
```

<!-- invisible-code-block: python
import time

time.sleep(600)
-->

```python
print(2)
```

```output
2
```
"""


def fake_site(tmp_path: Path, chapter: Path) -> Path:
    """What run_as_reader reads from a built site: the chapter's notebook and its copy buttons."""
    import html as html_lib

    site = tmp_path / "site"
    folder = site / notebooks.NOTEBOOKS / chapter.stem
    folder.mkdir(parents=True)
    nbformat.write(notebooks.chapter_notebook(chapter, "", None), folder / f"{chapter.stem}.ipynb")
    code = '<div class="language-python highlight"><pre><code>{}</code></pre></div>'
    copies = [code.format(html_lib.escape(block.source)) for block in reader.shown_blocks(chapter)]
    (site / chapter.stem).mkdir()
    (site / chapter.stem / "index.html").write_text("\n".join(copies), encoding="utf-8")
    return site


def test_a_hidden_check_that_hangs_fails_its_own_item_and_the_page(kernel_server, tmp_path):
    from concurrent.futures import Future

    from tools.verify.page_runs import PageRuns

    chapter = tmp_path / "chapter.md"
    chapter.write_text(HANGING_CHECK_PAGE, encoding="utf-8")
    folder = tmp_path / "reader"
    folder.mkdir()
    site = fake_site(tmp_path, chapter)
    run = reader.run_as_reader(
        site, chapter, folder, reader.Kernels(server=kernel_server), True, limits.Limit(2)
    )
    assert any("chapter.md:11: it was interrupted: no reply within 2 s" in p for p in run.problems)
    runs, future = PageRuns(), Future()
    future.set_result(run)
    runs.take_from_reader(chapter, future)
    results = []
    for example in harness.sybil(runs.evaluate).parse(chapter).examples():
        try:
            results.append(runs.evaluate(example))
        except harness.HarnessError as error:
            results.append(str(error))
    assert results[0] is None
    assert "chapter.md:11: in the reader run of the page, it was interrupted" in results[1]
    assert "chapter.md:17:" in results[2] and "did not run" in results[2]


# ---- which pages run once, in the reader ---------------------------------------------------------


def test_the_pages_that_run_once_take_their_checks_from_their_reader_runs(page_runs, reader_runs):
    """The wiring (tools/verify/background.py): without it the chapters would silently run twice."""
    once = {str(path) for path in PAGES if runs_once(path)}
    assert once, "the chapters that train declare `runs: once` in their front matter"
    assert set(page_runs.from_reader) == once
    assert all(page_runs.from_reader[path] is reader_runs[Path(path).name] for path in once)


def test_a_skipped_block_is_reported_at_its_page_line(request):
    """conftest.py reports a skip at the page line, with the directive's reason."""
    from sybil.integration.pytest import SybilFile

    import conftest

    chapter = harness.DOCS / "10-data-preparation.md"
    (block,) = [b for b in harness.blocks(harness.parse(chapter)) if b.skip]
    collected = SybilFile.from_parent(request.session, path=chapter, sybils=[harness.sybil()])
    item = next(item for item in collected.collect() if item.example.line == block.line)

    def skipped() -> None:  # what the item raises, once pytest's unittest shim has turned the
        pytest.skip(block.skip.reason)  # harness's SkipTest into pytest's own skip

    report = conftest.pytest_runtest_makereport(item, pytest.CallInfo.from_call(skipped, "call"))
    assert report.outcome == "skipped"
    assert report.longrepr == (str(chapter), block.line, f"Skipped: {block.skip.reason}")


def test_a_page_collected_alone_brings_the_pages_its_reader_run_needs():
    """`pytest docs/13-saving-and-loading.md` alone checks the page as the whole suite does:
    from its reader run, after those of the pages that make the model it loads."""
    docs = harness.DOCS
    lanes = reader_lanes({docs / "13-saving-and-loading.md", docs / "15-training-faster.md"})
    assert [path.stem for path in lanes["model"]] == [
        "11-model-training",
        "12-testing-the-model",
        "13-saving-and-loading",
    ]
    assert [path.stem for path in lanes["training"]] == ["15-training-faster"]
    assert lanes["others"] == []
    assert reader_lanes(set()) == {"model": [], "training": [], "others": []}
