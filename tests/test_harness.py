"""Tests of the chapter harness (tools/harness.py): the rules a chapter must follow hold."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from unittest import SkipTest

import pytest
from sybil.example import SybilFailure

from tools import harness, outputs

CHAPTERS = harness.chapters()
FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")


def page(tmp_path: Path, text: str, name: str = "chapter.md") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def run(path: Path) -> list[tuple[int, str]]:
    """Evaluate a page the way pytest does; return (line, outcome) per block."""
    document = harness.sybil().parse(path)
    harness.setup(document.namespace)
    outcomes = []
    for example in document.examples():
        try:
            example.evaluate()
        except SybilFailure as failure:
            outcomes.append((example.line, "failed: " + failure.result))
        except SkipTest:
            outcomes.append((example.line, "skipped"))
        else:
            outcomes.append((example.line, "passed"))
    harness.teardown(document.namespace)
    return outcomes


def fences(text: str) -> list[tuple[int, str]]:
    """Every opening fence of a page as (line, info string), found without Sybil."""
    found, open_fence = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE_LINE.match(line)
        if not match:
            continue
        if open_fence is None:
            open_fence = match[1]
            found.append((number, match["info"]))
        elif (
            match[1][0] == open_fence[0] and len(match[1]) >= len(open_fence) and not match["info"]
        ):
            open_fence = None
    return found


# ---- the guard: no example on the site is silently skipped --------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.name)
def test_every_python_fence_is_collected(path: Path):
    text = path.read_text(encoding="utf-8")
    infos = [info for _, info in fences(text)]
    python_like = [info for info in infos if harness.PYTHON_LIKE.match(info)]
    assert all(info == "python" for info in python_like), f"not runnable: {python_like}"
    document = harness.sybil().parse(path)
    collected = [r for _, r in document.regions if isinstance(r.parsed, harness.Block)]
    visible = [block for block in (r.parsed for r in collected) if not block.hidden]
    assert len(visible) == infos.count("python")
    assert sum(block.expected is not None for block in visible) == infos.count("output")


def test_guard_rejects_python_like_fences(tmp_path: Path):
    for info in ["py", "pycon", 'python title="x.py"', "python3", "{.python}"]:
        path = page(tmp_path, f"# T\n\n```{info}\nprint(1)\n```\n")
        with pytest.raises(harness.HarnessError, match="looks like Python"):
            harness.sybil().parse(path)


def test_output_fence_must_follow_a_python_fence(tmp_path: Path):
    path = page(tmp_path, "# T\n\nSome text.\n\n```output\n1\n```\n")
    with pytest.raises(harness.HarnessError, match=r"chapter.md:5: .*does not directly follow"):
        harness.sybil().parse(path)


# ---- comparing outputs -----------------------------------------------------------------------


def test_matching_output_passes_and_mismatch_names_line_expected_and_got(tmp_path: Path):
    path = page(
        tmp_path,
        """
        # T

        ```python
        print(1 + 1)
        ```

        ```output
        2
        ```

        ```python
        print("a   b\\n")
        ```

        ```output
        a b
        ```

        ```python
        print(2 + 2)
        ```

        ```output
        5
        ```
        """,
    )
    outcomes = run(path)
    assert [outcome for _, outcome in outcomes[:2]] == ["passed", "passed"]
    line, outcome = outcomes[2]
    assert line == 19
    assert "Expected (page):\n    5" in outcome and "Got (code):\n    4" in outcome


def test_numbers_compare_to_the_digits_written_on_the_page(tmp_path: Path):
    text = "# T\n\n```python\nprint(0.123456, 2.5e-07)\n```\n\n```output\n{}\n```\n"
    for written, outcome in [("0.1235 2.5e-07", "passed"), ("0.1234 2.5e-07", "failed")]:
        path = page(tmp_path, text.format(written))
        assert run(path)[0][1].startswith(outcome), written


def test_ellipsis_elides(tmp_path: Path):
    path = page(
        tmp_path, "# T\n\n```python\nprint(list(range(30)))\n```\n\n```output\n[0, 1, ...29]\n```\n"
    )
    assert run(path) == [(3, "passed")]


def test_printing_without_an_output_fence_fails(tmp_path: Path):
    path = page(tmp_path, "# T\n\n```python\nprint('hello')\n```\n")
    assert "no ```output fence follows it" in run(path)[0][1]


def test_blocks_share_one_namespace_per_page_with_hidden_setup(tmp_path: Path):
    path = page(
        tmp_path,
        """
        # T

        <!-- invisible-code-block: python
        secret = 41
        -->

        ```python
        print(secret + 1)
        ```

        ```output
        42
        ```
        """,
    )
    assert [outcome for _, outcome in run(path)] == ["passed", "passed"]


def test_gpu_only_blocks_skip_with_reason_and_keep_their_output(tmp_path: Path):
    text = """
        # T

        ```python
        import torch
        ```

        <!-- skip: next if(not torch.cuda.is_available(), reason="needs a CUDA GPU") -->

        ```python
        print(torch.ones(1, device="cuda"))
        ```

        ```output
        tensor([1.], device='cuda:0')
        ```
        """
    path = page(tmp_path, text)
    if has_cuda():
        pytest.skip("this machine has CUDA: the block runs instead of skipping")
    assert run(path)[-1][1] == "skipped"
    before = path.read_text()
    assert outputs.write_outputs(path) == [f"{path}:9: not run (needs a CUDA GPU)"]
    assert "tensor([1.], device='cuda:0')" in path.read_text()
    after = path.read_text()
    assert after.replace("\n" + harness.STAMP.search(after)[0], "") == before


def has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


# ---- `make outputs` ------------------------------------------------------------------------------


def test_outputs_writes_fences_and_a_second_run_changes_nothing(tmp_path: Path):
    path = page(
        tmp_path,
        """
        # T

        ```python
        print("new")
        ```

        ```python
        print("changed")
        ```

        ```output
        stale
        ```

        ```python
        x = 1
        ```

        ```output
        this block prints nothing
        ```

        ??? success "Solution"

            ```python
            print(x + 1)
            ```
        """,
    )
    outputs.write_outputs(path)
    first = path.read_text()
    assert '```python\nprint("new")\n```\n\n```output\nnew\n```' in first
    assert "```output\nchanged\n```" in first and "stale" not in first
    assert "this block prints nothing" not in first
    assert "    ```output\n    2\n    ```" in first
    assert "<!-- outputs-stamp -->" in first and "torch " in first
    assert all(outcome == "passed" for _, outcome in run(path))
    outputs.write_outputs(path)
    assert path.read_text() == first


def test_outputs_leaves_the_page_alone_when_a_block_raises(tmp_path: Path):
    path = page(tmp_path, "# T\n\n```python\nprint(1)\n```\n\n```python\n1 / 0\n```\n")
    before = path.read_text()
    with pytest.raises(ZeroDivisionError):
        outputs.write_outputs(path)
    assert path.read_text() == before


# ---- figures -------------------------------------------------------------------------------------

FIGURE_PAGE = """
    # T

    ```python
    import matplotlib.pyplot as plt

    plt.plot([1, 2, 3], [1, 4, 9])
    ```

    ![A parabola through three points]({src})
    """


def test_figure_is_written_by_outputs_and_required_by_tests(tmp_path: Path):
    path = page(tmp_path, FIGURE_PAGE.format(src="assets/parabola.svg"))
    with pytest.raises(harness.HarnessError, match="missing figure"):
        run(path)
    outputs.write_outputs(path)
    svg = tmp_path / "assets" / "parabola.svg"
    content = svg.read_bytes()
    assert content.startswith(b"<?xml")
    outputs.write_outputs(path)
    assert svg.read_bytes() == content  # byte-identical rerun
    assert [outcome for _, outcome in run(path)] == ["passed"]


def test_figure_needs_alt_text(tmp_path: Path):
    path = page(
        tmp_path, FIGURE_PAGE.replace("A parabola through three points", "").format(src="a.svg")
    )
    with pytest.raises(harness.HarnessError, match="no alt text"):
        harness.sybil().parse(path)


def test_a_figure_without_an_image_after_it_fails(tmp_path: Path):
    path = page(tmp_path, "# T\n\n```python\nimport matplotlib.pyplot as plt\nplt.plot([1])\n```\n")
    with pytest.raises(harness.HarnessError, match="drew a figure"):
        run(path)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.name)
def test_every_image_has_alt_text_and_exists(path: Path):
    for alt, src in re.findall(r"!\[([^\]]*)\]\(([^)\s]+)", path.read_text(encoding="utf-8")):
        assert alt.strip(), f"{path.name}: image {src} has no alt text"
        assert (path.parent / src).is_file(), f"{path.name}: missing image {src}"


# ---- the real chapters -----------------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.name)
def test_every_page_with_code_has_a_stamp(path: Path):
    text = path.read_text(encoding="utf-8")
    if "```python" in text:
        stamp = harness.STAMP.search(text)
        assert stamp and "torch " in stamp["body"], f"{path.name}: run `make outputs`"


def digit_changed(fence: str) -> str:
    """An output fence with the last digit of its text changed (or a letter, if it has none)."""
    body_start, body_end = fence.index("\n") + 1, fence.rindex("\n")
    body = fence[body_start:body_end]
    digits = [match.start() for match in re.finditer(r"\d", body)]
    if digits:
        i = digits[-1]
        body = body[:i] + str((int(body[i]) + 5) % 10) + body[i + 1 :]
    else:
        i = re.search(r"[A-Za-z]", body).start()
        body = body[:i] + body[i].swapcase() + body[i + 1 :]
    return fence[:body_start] + body + fence[body_end:]


# Chapters that run in seconds; the data chapters train networks and are left out.
QUICK_CHAPTERS = [
    path
    for path in CHAPTERS
    if "```output" in (text := path.read_text(encoding="utf-8")) and "cifar10_dataset" not in text
]


@pytest.mark.parametrize("source", QUICK_CHAPTERS, ids=lambda path: path.name)
def test_changing_a_digit_in_any_output_fails(tmp_path: Path, source: Path):
    name = source.name
    document = harness.sybil().parse(source)
    checked = {
        ex.line: ex.parsed for ex in document.examples() if getattr(ex.parsed, "expected", None)
    }
    text = source.read_text(encoding="utf-8")
    for block in sorted(checked.values(), key=lambda block: block.output_span, reverse=True):
        start, end = block.output_span
        text = text[:start] + digit_changed(text[start:end]) + text[end:]
    mutated = tmp_path / name
    mutated.write_text(text, encoding="utf-8")
    (tmp_path / "assets").symlink_to(harness.DOCS / "assets")  # the page's figures
    outcomes = dict(run(mutated))
    ran = [line for line in checked if outcomes[line] != "skipped"]
    assert ran, "no output fence was checked"
    assert all(outcomes[line].startswith("failed") for line in ran), outcomes


def test_outputs_keeps_a_deliberate_elision_that_still_matches(tmp_path: Path):
    text = "# T\n\n```python\nimport time\n\nprint('took', time.time(), 's')\n```\n\n"
    path = page(tmp_path, text + "```output\ntook ... s\n```\n")
    outputs.write_outputs(path)
    assert "```output\ntook ... s\n```" in path.read_text()
    path = page(tmp_path, text + "```output\nslept ... s\n```\n")  # no longer matches: rewritten
    outputs.write_outputs(path)
    assert "slept" not in path.read_text() and "took 1" in path.read_text()


def test_a_listing_block_shows_project_code_and_is_compiled(tmp_path: Path):
    listing = "```python\n--8<--\nsnippets/devices.py:to_device\n--8<--\n```\n"
    path = page(tmp_path, "# T\n\n" + listing)
    document = harness.sybil().parse(path)
    (block,) = [region.parsed for _, region in document.regions]
    assert block.listing.startswith("def to_device(")
    assert [outcome for _, outcome in run(path)] == ["passed"]
    path = page(tmp_path, "# T\n\n" + listing.replace("to_device", "no_such_section"))
    with pytest.raises(harness.HarnessError, match="no section 'no_such_section'"):
        harness.sybil().parse(path)
