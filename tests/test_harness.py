"""Tests of the chapter harness (tools/pages/harness.py) and of `make outputs`
(tools/publish/outputs.py)."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from tools.pages import harness
from tools.pages.syntax import STAMP
from tools.publish import outputs
from tools.site import diagrams
from tools.verify.compare import matches
from tools.verify.page_runs import Mode, PageRuns, run_page

CHAPTERS = harness.chapters()
FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")


def page(tmp_path: Path, text: str, name: str = "chapter.md") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def outcomes(path: Path) -> list[tuple[int, str]]:
    """(line, status) for every block of a page, run as pytest runs it."""
    return [(o.line, o.status) for o in run_page(path, Mode.CHECK, stop_on_error=False).outcomes]


def messages(path: Path) -> list[str]:
    return [o.message for o in run_page(path, Mode.CHECK, stop_on_error=False).outcomes]


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
    infos = [info for _, info in fences(path.read_text(encoding="utf-8"))]
    # Independent of the harness's own pattern: anything that mentions py is meant to run.
    meant_to_run = [info for info in infos if re.search(r"py", info, re.I)]
    assert all(info == "python" for info in meant_to_run), f"not runnable: {meant_to_run}"
    blocks = harness.blocks(harness.parse(path))
    visible = [block for block in blocks if not block.hidden]
    assert len(visible) == infos.count("python")
    assert sum(block.expected is not None for block in visible) == infos.count("output")


@pytest.mark.parametrize(
    "info",
    [
        "py",
        "pycon",
        "python3",
        "py3",
        "ipython",
        "ipython3",
        "Python",
        "PYTHON",
        'python title="x.py"',
        "python linenums='1'",
        "{.python}",
        "{ .python .no-copy }",
        "pytb",
    ],
)
def test_guard_rejects_fences_that_look_like_python(tmp_path: Path, info: str):
    path = page(tmp_path, f"# T\n\n```{info}\nprint(1)\n```\n")
    with pytest.raises(harness.HarnessError, match="looks like Python"):
        harness.parse(path)


@pytest.mark.parametrize("info", ["text", "bash", "output", "console", "json", "pyramid-notes"])
def test_guard_leaves_other_fences_alone(tmp_path: Path, info: str):
    text = f"# T\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n\n```{info}\nx\n```\n"
    if info == "output":
        text = "# T\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n"
    path = page(tmp_path, text)
    assert len(harness.blocks(harness.parse(path))) == 1


def test_output_fence_must_follow_a_python_fence(tmp_path: Path):
    path = page(tmp_path, "# T\n\nSome text.\n\n```output\n1\n```\n")
    with pytest.raises(harness.HarnessError, match=r"chapter.md:5: .*does not directly follow"):
        harness.parse(path)


# ---- skips -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "directive",
    [
        "<!-- skip: next -->",
        "<!-- skip: next if(True) -->",
        '<!-- skip: next if(True, reason="") -->',
        "<!-- skip: start -->",
        '<!-- skip: start if(True, reason="x") -->',
    ],
)
def test_a_skip_needs_a_condition_and_a_reason(tmp_path: Path, directive: str):
    path = page(tmp_path, f"# T\n\n{directive}\n\n```python\nprint(1)\n```\n")
    with pytest.raises(harness.HarnessError, match="a skip needs a condition and a reason"):
        harness.parse(path)


def test_a_directive_attached_to_nothing_is_an_error(tmp_path: Path):
    path = page(tmp_path, '# T\n\n<!-- skip: next if(True, reason="x") -->\n\nText.\n')
    with pytest.raises(harness.HarnessError, match="not attached to a block"):
        harness.parse(path)


def test_skipped_blocks_are_reported_as_skipped_with_their_reason(tmp_path: Path):
    path = page(
        tmp_path,
        """
        # T

        ```python
        flag = True
        ```

        <!-- skip: next if(flag, reason="the flag is up") -->

        ```python
        print("never")
        ```

        <!-- skip: next if(not flag, reason="the flag is down") -->

        ```python
        print("runs")
        ```

        ```output
        runs
        ```
        """,
    )
    run = run_page(path, Mode.CHECK)
    assert [(o.status, o.message) for o in run.outcomes] == [
        ("passed", ""),
        ("skipped", "the flag is up"),
        ("passed", ""),
    ]


def test_gpu_only_blocks_keep_their_output_when_make_outputs_cannot_run_them(tmp_path: Path):
    text = """
        # T

        ```python
        import torch
        ```

        <!-- skip: next if(True, reason="needs a CUDA GPU") -->

        ```python
        print(torch.ones(1, device="cuda"))
        ```

        ```output
        tensor([1.], device='cuda:0')
        ```
        """
    path = page(tmp_path, text)
    before = path.read_text()
    assert outputs.write_outputs(path) == [f"{path}:9: not run (needs a CUDA GPU)"]
    after = path.read_text()
    assert after.replace(STAMP.search(after)[0], "").replace("\n\n\n", "\n\n") == before


# ---- comparing outputs -----------------------------------------------------------------------


def test_matching_output_passes_and_a_mismatch_names_line_expected_and_got(tmp_path: Path):
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
        print(2 + 2)
        ```

        ```output
        5
        ```
        """,
    )
    assert outcomes(path) == [(3, "passed"), (11, "failed")]
    message = messages(path)[1]
    assert "Expected (page):\n    5" in message and "Got (code):\n    4" in message
    assert "page: 5" in message and "code: 4" in message


def test_a_tolerance_directive_between_the_fences_applies_to_that_output(tmp_path: Path):
    text = (
        "# T\n\n```python\nprint('loss', 0.50)\n```\n\n{directive}\n\n```output\nloss 0.53\n```\n"
    )
    assert outcomes(page(tmp_path, text.format(directive=""))) == [(3, "failed")]
    tolerant = page(tmp_path, text.format(directive="<!-- tolerance: relative=0.1 -->"))
    assert outcomes(tolerant) == [(3, "passed")]
    block = harness.blocks(harness.parse(tolerant))[0]
    assert block.tolerance.relative == 0.1


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        ("<!-- tolerance: relative=0.5 -->", "at most relative=0.1"),
        ("<!-- tolerance: points=20 -->", "at most relative=0.1 and points=5"),
        ("<!-- tolerance: 10% -->", "write a tolerance as"),
        ("<!-- tolerance: absolute=1 -->", "write a tolerance as"),
    ],
)
def test_a_tolerance_must_be_written_right_and_stay_within_the_limits(tmp_path, directive, message):
    path = page(
        tmp_path, f"# T\n\n```python\nprint(1.0)\n```\n\n{directive}\n\n```output\n1.0\n```\n"
    )
    with pytest.raises(harness.HarnessError, match=message):
        harness.parse(path)


def test_printing_without_an_output_fence_fails(tmp_path: Path):
    path = page(tmp_path, "# T\n\n```python\nprint('hello')\n```\n")
    assert "no ```output fence follows it" in messages(path)[0]


def test_blocks_share_one_namespace_per_page_with_hidden_checks(tmp_path: Path):
    path = page(
        tmp_path,
        """
        # T

        ```python
        answer = 42
        ```

        <!-- invisible-code-block: python
        assert answer == 42
        -->

        ```python
        print(answer)
        ```

        ```output
        42
        ```
        """,
    )
    assert [status for _, status in outcomes(path)] == ["passed", "passed", "passed"]


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
    fields = json.loads(STAMP.search(first)["fields"])
    assert set(fields) == {"torch", "device", "date"}
    assert all(status == "passed" for _, status in outcomes(path))
    outputs.write_outputs(path)
    assert path.read_text() == first


TOLERANT_PAGE = """
    # T

    ```python
    print("loss", 0.500)
    ```

    <!-- tolerance: relative=0.1 -->

    ```output
    loss {value}
    ```

    ```python
    print("{other}")
    ```

    ```output
    other
    ```
    """


def test_outputs_keeps_a_tolerant_fence_within_its_tolerance_and_rewrites_it_outside(tmp_path):
    path = page(tmp_path, TOLERANT_PAGE.format(value="0.52", other="other"))
    outputs.write_outputs(path)
    assert "loss 0.52\n" in path.read_text()  # the same machine could print 0.52 elsewhere
    path = page(tmp_path, TOLERANT_PAGE.format(value="0.60", other="other"))
    outputs.write_outputs(path)
    text = path.read_text()
    assert "loss 0.5\n" in text and "<!-- tolerance: relative=0.1 -->" in text


def test_when_one_fence_changes_the_tolerant_fences_of_the_page_are_rewritten_too(tmp_path):
    path = page(tmp_path, TOLERANT_PAGE.format(value="0.52", other="another"))
    outputs.write_outputs(path)  # "other" became "another": the page is rewritten from one run
    assert "loss 0.5\n" in path.read_text() and "```output\nanother\n```" in path.read_text()


def test_outputs_leaves_the_page_alone_when_a_block_raises(tmp_path: Path):
    path = page(tmp_path, "# T\n\n```python\nprint(1)\n```\n\n```python\n1 / 0\n```\n")
    before = path.read_text()
    with pytest.raises(ZeroDivisionError):
        outputs.write_outputs(path)
    assert path.read_text() == before


def test_outputs_command_line_rejects_what_is_not_a_page(tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        outputs.main([str(tmp_path / "missing.md")])
    assert exit_info.value.code == 2
    assert "is not a Markdown page" in capsys.readouterr().err


def test_outputs_keeps_a_deliberate_elision_that_still_matches(tmp_path: Path):
    text = "# T\n\n```python\nimport time\n\nprint('took', time.time(), 's')\n```\n\n"
    path = page(tmp_path, text + "```output\ntook ... s\n```\n")
    outputs.write_outputs(path)
    assert "```output\ntook ... s\n```" in path.read_text()
    path = page(tmp_path, text + "```output\nslept ... s\n```\n")  # no longer matches: rewritten
    outputs.write_outputs(path)
    assert "slept" not in path.read_text() and "took 1" in path.read_text()


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
        run_page(path, Mode.CHECK)
    outputs.write_outputs(path)
    svg = tmp_path / "assets" / "parabola.svg"
    content = svg.read_bytes()
    assert content.startswith(b"<?xml")
    outputs.write_outputs(path)
    assert svg.read_bytes() == content  # byte-identical rerun
    assert outcomes(path) == [(5, "passed")]  # the stamp under the title moved it down


def test_figure_needs_alt_text(tmp_path: Path):
    text = FIGURE_PAGE.replace("A parabola through three points", "").format(src="a.svg")
    with pytest.raises(harness.HarnessError, match="no alt text"):
        harness.parse(page(tmp_path, text))


def test_a_figure_without_an_image_after_it_fails(tmp_path: Path):
    path = page(tmp_path, "# T\n\n```python\nimport matplotlib.pyplot as plt\nplt.plot([1])\n```\n")
    with pytest.raises(harness.HarnessError, match="drew a figure"):
        run_page(path, Mode.CHECK)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.name)
def test_every_image_has_alt_text_and_exists(path: Path):
    for alt, src in re.findall(r"!\[([^\]]*)\]\(([^)\s]+)", path.read_text(encoding="utf-8")):
        assert alt.strip(), f"{path.name}: image {src} has no alt text"
        assert (path.parent / src).is_file(), f"{path.name}: missing image {src}"


@pytest.mark.parametrize("name", sorted(diagrams.DIAGRAMS))
def test_every_diagram_is_what_its_code_draws(name: str):
    assert (diagrams.ASSETS / name).read_bytes() == diagrams.draw(name), "run `make outputs`"


# ---- listings ----------------------------------------------------------------------------------


def test_a_listing_block_shows_project_code_and_is_compiled(tmp_path: Path):
    listing = "```python\n--8<--\nsnippets/devices.py:to_device\n--8<--\n```\n"
    path = page(tmp_path, "# T\n\n" + listing)
    (block,) = harness.blocks(harness.parse(path))
    assert block.listing.startswith("def to_device(") and not block.shown
    assert outcomes(path) == [(3, "passed")]
    path = page(tmp_path, "# T\n\n" + listing.replace("to_device", "no_such_section"))
    with pytest.raises(harness.HarnessError, match="no section 'no_such_section'"):
        harness.parse(path)


def test_a_listing_that_does_not_compile_fails(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(harness, "included_code", lambda spec, place: "def broken(:\n")
    path = page(tmp_path, "# T\n\n```python\n--8<--\nsnippets/devices.py:x\n--8<--\n```\n")
    assert outcomes(path) == [(3, "failed")]


# ---- the real chapters -----------------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.name)
def test_every_page_with_code_has_a_stamp(path: Path):
    text = path.read_text(encoding="utf-8")
    if harness.has_code(path):
        stamp = STAMP.search(text)
        assert stamp, f"{path.name}: run `make outputs`"
        assert {"torch", "device", "date"} <= set(json.loads(stamp["fields"]))


NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def mutated(fence: str, printed: str, tolerance) -> tuple[str, str | None]:
    """(a change the check must reject, a change it must accept or None) for one fence.

    Without a tolerance, the last digit changes (or a letter's case). With one, a number it
    applies to moves by 2.5 times the tolerance (rejected) and, where the fence's numbers pair
    with the printed ones (no `...` between them), by 0.4 times it from the printed value
    (accepted).
    """
    if tolerance is not None:
        governed = [
            (found, fence[found.end() : found.end() + 1] == "%")
            for found in NUMBER.finditer(fence)
            if "." in found.group() or fence[found.end() : found.end() + 1] == "%"
        ]

        def step(value: float, percent: bool) -> float:
            return tolerance.points if percent else tolerance.relative * abs(value)

        def moved(found: re.Match, value: float) -> str:
            decimals = len(found.group().split(".")[1]) if "." in found.group() else 0
            return fence[: found.start()] + f"{value:.{decimals}f}" + fence[found.end() :]

        if "..." in fence and governed:  # elided: move the fence's own last number
            found, percent = governed[-1]
            value = float(found.group())
            if step(value, percent):
                return moved(found, value + 2.5 * step(value, percent)), None
        pairs = zip(NUMBER.finditer(fence), NUMBER.finditer(printed), strict=False)
        for want, got in pairs if "..." not in fence else []:
            percent = fence[want.end() : want.end() + 1] == "%"
            if "." not in want.group() and not percent:
                continue  # whole numbers stay exact
            value = float(got.group())
            if step(value, percent) == 0:
                continue
            by = step(value, percent)
            return moved(want, value + 2.5 * by), moved(want, value + 0.4 * by)
    digits = [match.start() for match in re.finditer(r"\d", fence)]
    if digits:
        i = digits[-1]
        return fence[:i] + str((int(fence[i]) + 5) % 10) + fence[i + 1 :], None
    i = re.search(r"[A-Za-z]", fence).start()
    return fence[:i] + fence[i].swapcase() + fence[i + 1 :], None


PAGES_WITH_OUTPUTS = [path for path in CHAPTERS if "```output" in path.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", PAGES_WITH_OUTPUTS, ids=lambda path: path.name)
def test_changing_any_output_beyond_its_tolerance_fails(path: Path):
    """Every fence of every page, as if its block printed exactly what the page shows (the
    blocks' own runs compare what they print): the same check whatever else was collected,
    without running a page again."""
    checked = 0
    for block in harness.blocks(harness.parse(path)):
        if block.expected is None:
            continue
        got = block.expected
        assert matches(block.expected, got, block.tolerance), f"line {block.line}"
        rejected, accepted = mutated(block.expected, got, block.tolerance)
        assert not matches(rejected, got, block.tolerance), f"line {block.line}"
        if accepted is not None:
            assert matches(accepted, got, block.tolerance), f"line {block.line}"
        checked += 1
    assert checked, "no output fence was checked"


RUN_ONCE_PAGE = """
    # T

    ```python
    print(1)
    ```

    ```output
    1
    ```

    <!-- invisible-code-block: python
    assert True
    -->

    ```python
    print(2)
    ```

    ```output
    2
    ```
    """


def checked_from_reader_run(path: Path, cells: list) -> tuple[list, PageRuns]:
    """What each block's harness check gives when its page ran as a reader whose cells (one per
    block, in page order, hidden ones included) ended as `cells`: CellRuns."""
    from concurrent.futures import Future

    from tools.verify.cell_runs import ReaderRun

    runs = PageRuns()
    document = harness.sybil(runs.evaluate).parse(path)
    lines = [block.line for block in harness.blocks(document)]
    future = Future()
    future.set_result(ReaderRun("chapter.md", cells=dict(zip(lines, cells, strict=False))))
    runs.take_from_reader(path, future)
    results = []
    for example in document.examples():
        try:
            results.append(runs.evaluate(example))
        except harness.HarnessError as error:
            results.append(f"error: {error}")
    return results, runs


def test_a_page_that_runs_once_is_checked_from_its_reader_run(tmp_path: Path):
    from tools.verify.cell_runs import CellRun, Outcome

    def ran(printed: str) -> CellRun:
        return CellRun(Outcome.RAN, printed)

    path = page(tmp_path, RUN_ONCE_PAGE)
    results, runs = checked_from_reader_run(path, [ran("1\n"), ran(""), ran("2\n")])
    assert results == [None] * 3
    assert runs.printed[(str(path), 3)] == "1\n"  # kept for later tests, as a run here would be
    wrong, _ = checked_from_reader_run(path, [ran("1\n"), ran(""), ran("3\n")])
    assert wrong[:2] == [None, None] and "2" in wrong[2] and "3" in wrong[2]
    error = CellRun(Outcome.ERROR, "", "AssertionError: x")
    failed, runs = checked_from_reader_run(path, [ran("1\n"), error])
    assert (
        failed[1] == f"error: {path}:11: in the reader run of the page, it raised AssertionError: x"
    )
    assert failed[2].startswith("error: ") and "did not run" in failed[2]
    assert runs.outcomes[(str(path), 11)] == "error"


def test_a_hidden_check_cut_off_by_a_timeout_fails_its_own_item(tmp_path: Path):
    """The cell printed nothing and raised nothing: only the kernel's reply says it never ended."""
    from tools.verify.cell_runs import CellRun, Outcome

    path = page(tmp_path, RUN_ONCE_PAGE)
    cut = CellRun(Outcome.INTERRUPTED, "", "interrupted: no reply within 120 s (timed out)")
    results, _ = checked_from_reader_run(path, [CellRun(Outcome.RAN, "1\n"), cut])
    assert results[0] is None
    assert "timed out" in results[1] and results[1].startswith(f"error: {path}:11:")
    assert "did not run" in results[2]
