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
# machine and needs the scaling wherever it runs over three times slower (as on a shared core).
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


# Spinning processes kept to one core with this test's work: that core is SPINNERS + 1 times
# slower at least, whatever else runs on the machine. A spinner per core, left to the scheduler,
# made a slowness that changed within a second beside make test (measured as 1.3 when the block
# began, over 3.9 while it ran: the block was stopped at its limit).
SPINNERS = 3


@pytest.fixture
def shared_core(kernel_server):
    """This process and the kernel server (each kernel it forks inherits it) kept to one core,
    with SPINNERS processes spinning on it, each ending by itself within a minute."""
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("keeping processes to one core needs os.sched_setaffinity (Linux)")
    # What a page run imports (harness.setup and teardown), imported before the core is shared:
    # on it, torch's import alone would take seconds of the test.
    import matplotlib.pyplot  # noqa: F401
    import torch  # noqa: F401

    core = min(os.sched_getaffinity(0))
    spin = "import os, sys, time\nos.sched_setaffinity(0, {int(sys.argv[1])})\nprint(flush=True)\n"
    spin += "end = time.monotonic() + 60\nwhile time.monotonic() < end: pass"
    command = [sys.executable, "-c", spin, str(core)]
    ours = [0, kernel_server.process.pid]
    cores = {pid: os.sched_getaffinity(pid) for pid in ours}
    spinners = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(SPINNERS)
    ]
    try:
        for pid in ours:
            os.sched_setaffinity(pid, {core})
        for spinner in spinners:
            spinner.stdout.readline()  # it is spinning (or gone: then an empty line)
        yield
    finally:
        for pid, allowed in cores.items():
            os.sched_setaffinity(pid, allowed)
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.tooling
def test_on_a_shared_core_a_page_stays_within_its_scaled_limits(
    shared_core, kernel_server, tmp_path
):
    """The block takes SPINNERS + 1 times as long as on an idle machine, or more beside the rest
    of make test, past its limit on the reference machine; its limit, scaled by the slowness
    measured as it starts, stretches with it: in this process and in a kernel."""
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
