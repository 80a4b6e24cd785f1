"""Tests of the limits on waits (tools/pages/limits.py): a block past its limit is stopped and
named, limits stretch with a busy machine, and Ctrl-C ends a run at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from tools.pages import harness, limits
from tools.verify import reader
from tools.verify.cell_runs import Outcome
from tools.verify.page_runs import Mode, run_page

pytestmark = [pytest.mark.isolated]

# A block of a known size: ROUNDS runs of the probe's arithmetic take WORK seconds on the
# reference machine; its limit below is three times that, so that it passes on an idle reference
# machine and needs the scaling wherever it runs over three times slower (as beside spinners).
ROUNDS = 8
WORK = ROUNDS * limits.REFERENCE_PROBE
PAGE = f"""\
# Work of a known size

```python
def work(rounds):  # the probe's arithmetic, in a function as the probe runs it
    total = 0
    for number in range(rounds):
        total += number * number % 7
    return total


print(work({ROUNDS * limits.PROBE_LOOPS}) > 0)
```

```output
True
```
"""


def test_a_limit_says_where_its_seconds_come_from():
    assert str(limits.Limit(120)) == "120 s"
    scaled = str(limits.Limit(120, 2.5))
    assert scaled.startswith("300 s (120 s on the reference machine x 2.5, this machine's")


def test_a_block_past_its_limit_in_this_process_is_stopped_and_named(tmp_path: Path):
    page = tmp_path / "chapter.md"
    page.write_text("# Forever\n\n```python\nwhile True:\n    pass\n```\n", encoding="utf-8")
    run = run_page(page, Mode.CHECK, stop_on_error=False, block=0.5)
    (outcome,) = run.outcomes
    assert outcome.status == "failed"
    assert "chapter.md:3: the block ran past its limit, " in outcome.message


@pytest.fixture
def busy_cores():
    """A spinning process per core, each ending by itself within a minute."""
    spin = "import time\nprint(flush=True)\nend = time.monotonic() + 60\n"
    spin += "while time.monotonic() < end: pass"
    spinners = [
        subprocess.Popen([sys.executable, "-c", spin], stdout=subprocess.PIPE, text=True)
        for _ in range(os.cpu_count() or 1)
    ]
    try:
        for spinner in spinners:
            spinner.stdout.readline()  # it is spinning (or gone: then an empty line)
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.tooling
def test_with_every_core_busy_a_page_stays_within_its_scaled_limits(
    busy_cores, kernel_server, tmp_path: Path
):
    """The block takes twice as long as on an idle machine, or more beside the rest of make
    test; its limit, scaled by the slowness measured as it starts, stretches with it: in this
    process and in a kernel."""
    page = tmp_path / "chapter.md"
    page.write_text(PAGE, encoding="utf-8")
    here = run_page(page, Mode.CHECK, stop_on_error=False, block=3 * WORK)
    assert [(o.status, o.message) for o in here.outcomes] == [("passed", "")]
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(block.source) for block in reader.shown_blocks(page)]
    )
    kernels = reader.Kernels(server=kernel_server)
    (cell,) = reader.execute(notebook, tmp_path, kernels, limits.scaled(3 * WORK))
    assert (cell.outcome, cell.printed) == (Outcome.RAN, "True\n"), cell.detail


@pytest.mark.tooling
def test_ctrl_c_ends_the_tests_while_a_reader_kernel_runs_for_minutes():
    """SIGINT to pytest (as Ctrl-C, or a CI runner's cancel) while a reader's cell sleeps for 10
    minutes in the background: the run ends within limits.WIND_DOWN and a few seconds, its
    kernels stopped, instead of waiting the cell out."""
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"]
    command += ["tests/fixtures/interrupted_run.py"]
    run = subprocess.Popen(
        command, cwd=harness.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    watchdog = threading.Timer(300, run.kill)  # whatever happens, the run ends
    watchdog.start()
    try:
        lines = []
        for line in run.stdout:
            lines.append(line)
            if "the cell is running" in line:
                break
        assert run.poll() is None, "".join(lines)
        run.send_signal(signal.SIGINT)
        try:
            run.wait(timeout=limits.WIND_DOWN + 30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {limits.WIND_DOWN + 30} s after Ctrl-C")
    finally:
        watchdog.cancel()
        run.kill()
        run.wait()
