"""A reader's copy of the site: each page's copy-button code, run in page order, fresh and offline.

    blocks = copied_code(site / "01-tensors" / "index.html")   # what each copy button yields
    problems = run_as_reader(site, chapter, folder)              # [] when the page is true

`run_as_reader` takes the page's notebook from the built site, checks that its code cells are
exactly the page's copy-button blocks, in order, and executes it with nbclient in a fresh kernel: in
an empty folder, with the network off where the OS allows it (a new network namespace), on the
offline stand-in (CIFAR10_STAND_IN=1), and under another set of CPU kernels with one thread
(ATEN_CPU_CAPABILITY=default, OMP_NUM_THREADS=1), so the same run also proves that the outputs do
not depend on the machine that wrote them. What each cell prints is compared with the page's output
fence by tools/verify/compare.py, within the fence's declared tolerance. GPU-only blocks run where
CUDA exists and print "Skipped: <reason>" elsewhere.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from tools.pages import harness, limits
from tools.pages.page import Page
from tools.site import notebooks
from tools.verify import kernel_server
from tools.verify.cell_runs import CellRun, Outcome, ReaderRun
from tools.verify.compare import difference

# The environment of a reader's run: offline data, and another CPU kernel set on one thread.
READER_ENV = {
    "CIFAR10_STAND_IN": "1",
    "ATEN_CPU_CAPABILITY": "default",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}
# Where there is no network namespace: Python's HTTP clients go to a port that refuses them.
NO_NETWORK_ENV = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
# The kernel, started in a new network namespace: bring the loopback interface up (the DDP
# chapter's processes talk over it), then start ipykernel as `python -m ipykernel` would.
OFFLINE_KERNEL = (
    kernel_server.LOOPBACK_UP
    + """from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""
)


class CopyButtons(HTMLParser):
    """The text of every ```python block that gets a copy button (not `.no-copy`), in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._depth = 0  # nesting inside a copyable python block's <div>
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._depth:
            self._depth += tag == "div"
            if tag == "code":
                self._in_code = True
                self.blocks.append("")
            return
        if tag == "div" and "language-python" in classes and "no-copy" not in classes:
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag == "code":
            self._in_code = False
        elif tag == "div":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.blocks[-1] += data


def copied_code(page_html: Path) -> list[str]:
    """What the copy button of each python block of a built page yields."""
    parser = CopyButtons()
    parser.feed(page_html.read_text(encoding="utf-8"))
    return [html.unescape(block) for block in parser.blocks]


def network_isolation() -> list[str]:
    """A command prefix that starts the kernel without a network, or [] where the OS says no."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=limits.COMMAND)
    return [unshare, "-rn"] if probe.returncode == 0 else []


def shown_blocks(chapter: Path) -> list[harness.Block]:
    return Page.of(chapter).shown_blocks


def check_copies(page: Page, site: Path, notebook) -> list[str]:
    """The page's copy buttons, the notebook's code cells and the Markdown blocks agree."""
    name, blocks = page.place, page.shown_blocks
    copies = copied_code(site / page.path.stem / "index.html")
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"][1:]  # after the setup
    if not (len(copies) == len(blocks) == len(cells)):
        return [
            f"{name}: {len(blocks)} python blocks in the page source, {len(copies)} copy buttons"
            f" on the built page, {len(cells)} code cells in its notebook"
        ]
    problems = []
    for number, (block, copy, cell) in enumerate(zip(blocks, copies, cells, strict=True), 1):
        where = f"{name}:{block.line} (copy button {number})"
        if copy.strip() != block.source.strip():
            problems.append(f"{where}: the copy button does not yield the block's code")
        if notebooks.unwrap(cell.source, block).strip() != block.source.strip():
            problems.append(f"{where}: the notebook cell is not the block's code")
    return problems


def reader_env(isolated: bool) -> dict[str, str]:
    """The reader's kernel environment: this one, less the project's settings, plus READER_ENV."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CIFAR10_")}
    env.pop("PET_DEVICE", None)
    env.update(READER_ENV)
    if not isolated:
        env.update(NO_NETWORK_ENV)
    return env


@dataclass
class Kernels:
    """How a reader's run starts its kernel: forked by `server`, else `python` itself, behind the
    `isolation` prefix (`network_isolation` above), with `env` added to READER_ENV."""

    isolation: list[str] = field(default_factory=list)
    server: kernel_server.KernelServer | None = None
    python: str = sys.executable
    env: dict[str, str] = field(default_factory=dict)

    def argv(self) -> list[str]:
        """The kernel spec's command line ({connection_file} is filled in by jupyter_client)."""
        if self.server is not None:  # forked by the server, which already runs in the namespace
            return self.server.kernel_command()
        start = ["-c", OFFLINE_KERNEL] if self.isolation else ["-m", "ipykernel_launcher"]
        return [*self.isolation, self.python, *start, "-f", "{connection_file}"]

    def environment(self) -> dict[str, str]:
        return {**reader_env(bool(self.isolation)), **self.env}


def start_kernel_server(
    isolation: list[str], pages: bool = True, niceness: int = 0
) -> kernel_server.KernelServer:
    """A server of fresh kernels (tools/verify/kernel_server.py), offline where the OS allows;
    with torch imported for the pages' kernels, or bare where only tests' plain cells run; its
    kernels at `niceness`."""
    preload = kernel_server.PRELOAD if pages else kernel_server.BARE
    env = reader_env(bool(isolation))
    return kernel_server.KernelServer(env, isolation, preload=preload, niceness=niceness)


def execute(
    notebook, folder: Path, kernels: Kernels, limit: limits.Limit | None = None
) -> list[CellRun]:
    """Run a notebook's code cells in a fresh kernel in `folder`, started as `kernels` says.

    One CellRun per code cell, in order. Every wait has a limit: the kernel's start, each cell
    (`limit`, by default limits.BLOCK scaled to this machine as the run starts; jupyter_client's
    async manager is the one nbclient's timeout works with), and a kernel that dies under a cell
    is noticed within a second. The first cell that does not run to an "ok" reply stops the run;
    the cells after it are NOT_RUN.
    """
    import asyncio

    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    # ipc (Unix socket) transport: the kernel's own network namespace has no loopback to share.
    limit = limit or limits.scaled(limits.BLOCK)
    manager = AsyncKernelManager(transport="ipc", ip=str(folder / ".kernel"), kernel_name="python3")
    manager.kernel_spec.argv = kernels.argv()
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=math.ceil(limit.seconds),  # nbclient takes whole seconds
        startup_timeout=limits.KERNEL_START,
        allow_errors=True,  # an error is an outcome, read from the reply, not an exception
        resources={"metadata": {"path": str(folder)}},
    )
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    runs = [CellRun() for _ in cells]
    replies: dict[int, dict] = {}
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.update(
        {cell_index: execute_reply}
    )
    env = kernels.environment()
    asyncio.run(run_cells(client, notebook, cells, runs, replies, env, limit))
    return runs


async def run_cells(client, notebook, cells, runs: list[CellRun], replies, env, limit) -> None:
    """Execute `cells` in order in the client's kernel, filling in `runs` (see `execute`)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        async with client.async_setup_kernel(env=env):
            for number, cell in enumerate(cells):
                index = notebook.cells.index(cell)
                run = runs[number]
                try:
                    await client.async_execute_cell(cell, index)
                except CellTimeoutError:
                    run.outcome = Outcome.INTERRUPTED
                    run.detail = f"interrupted: no reply within {limit} (timed out)"
                except DeadKernelError:
                    run.outcome = Outcome.INTERRUPTED
                    run.detail = "interrupted: the kernel died (the process exited or crashed)"
                else:
                    status = replies.get(index, {}).get("content", {}).get("status")
                    run.outcome = {"ok": Outcome.RAN, "error": Outcome.ERROR}.get(
                        status, Outcome.NOT_RUN
                    )
                    run.detail = error_text(cell) if run.outcome is Outcome.ERROR else ""
                run.outputs = list(cell.get("outputs", []))
                run.printed = "".join(
                    output.text
                    for output in run.outputs
                    if output.output_type == "stream" and output.name == "stdout"
                )
                if run.outcome is not Outcome.RAN:
                    break
    except (RuntimeError, TimeoutError, DeadKernelError) as error:  # the kernel did not start
        first = next((run for run in runs if run.outcome is Outcome.NOT_RUN), None)
        if first is not None:
            first.outcome = Outcome.INTERRUPTED
            first.detail = f"interrupted: the kernel failed: {type(error).__name__}: {error}"


def error_text(cell) -> str:
    """`Name: message` of the error a cell raised."""
    error = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
    return f"{error.ename}: {error.evalue}" if error else "an error"


def cells_to_run(page: Page, notebook, with_hidden: bool) -> list:
    """(block, cell) for each code cell after the setup; with the page's hidden blocks, as cells
    of their own at their places in the page, when `with_hidden` (see run_as_reader)."""
    import nbformat

    cells = iter([cell for cell in notebook.cells if cell.cell_type == "code"][1:])
    pairs = []
    for block in page.blocks:
        if block.shown:
            pairs.append((block, next(cells)))
        elif with_hidden and block.hidden:
            pairs.append((block, nbformat.v4.new_code_cell(block.source)))
    return pairs


def compare_cells(page: Page, pairs: list, runs: list[CellRun]) -> list[str]:
    """What each executed cell printed against the page's output fence (and figure)."""
    problems = []
    for (block, _), run in zip(pairs, runs, strict=True):
        where = f"{page.place}:{block.line}"
        if run.outcome is Outcome.NOT_RUN:
            problems.append(f"{where}: {run.describe()}")
            break  # the cells after it did not run either
        if run.outcome is not Outcome.RAN:
            problems.append(f"{where}: {run.describe()}")
            continue
        found = check_cell(where, block, run)
        if found:
            run.detail = "; ".join(found)
            problems += found
    return problems


def check_cell(where: str, block: harness.Block, run: CellRun) -> list[str]:
    """What is wrong with what a cell that ran printed and showed, against its block's page."""
    if block.hidden:
        return []  # a check: it passes when it raises nothing
    if block.skip and run.printed == block.skip.skipped_text():
        return []
    found = []
    if any(o.output_type == "execute_result" for o in run.outputs):
        found.append(
            f"{where}: the block ends with an expression, whose value Jupyter shows and"
            " the page does not; assign it or print it"
        )
    if block.expected is None:
        if run.printed.strip():
            found.append(f"{where}: printed {run.printed.strip()[:200]!r}; the page shows none")
    else:
        differs = difference(block.expected, run.printed, block.tolerance)
        if differs:
            found.append(f"{where}: {differs}")
    figures = sum(o.output_type == "display_data" for o in run.outputs)
    if figures != (1 if block.image else 0):
        found.append(f"{where}: drew {figures} figure(s), the page shows {int(bool(block.image))}")
    return found


def run_as_reader(
    site: Path,
    chapter: Path,
    folder: Path,
    kernels: Kernels,
    with_hidden: bool = False,
    limit: limits.Limit | None = None,
) -> ReaderRun:
    """Check and run one page as a reader would; see the module docstring.

    `with_hidden` also runs the page's hidden blocks (checks; a test makes sure they define
    nothing that the visible code uses), each in a cell of its own after the block it follows:
    then this run is also the harness's run of the page (tools/verify/page_runs.py), and its `cells`
    serve the page's checks.
    """
    import nbformat

    started = time.perf_counter()
    isolation = "network namespace" if kernels.isolation else "proxy"
    page = Page.of(chapter)  # read and parsed once for the whole run
    run = ReaderRun(page.place, isolation=isolation)
    path = site / notebooks.NOTEBOOKS / chapter.stem / f"{chapter.stem}.ipynb"
    if not path.is_file():
        run.problems.append(f"{run.page}: no notebook at {path}")
        return run
    notebook = nbformat.read(path, as_version=4)
    run.problems += check_copies(page, site, notebook)
    if run.problems:
        return run
    for cell in notebook.cells:  # the reader starts from an empty notebook
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    pairs = cells_to_run(page, notebook, with_hidden)
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    notebook.cells = [setup] + [cell for _, cell in pairs]  # markdown cells run nothing
    setup_run, *runs = execute(notebook, folder, kernels, limit)
    if setup_run.outcome is not Outcome.RAN:
        run.problems.append(f"{run.page}: the notebook's setup cell: {setup_run.describe()}")
    run.problems += compare_cells(page, pairs, runs)
    run.cells = {block.line: cell_run for (block, _), cell_run in zip(pairs, runs, strict=True)}
    run.seconds = time.perf_counter() - started
    return run


def reader_folder() -> Path:
    """An empty folder for a reader's session: the pages' data/ and runs/ go there."""
    return Path(tempfile.mkdtemp(prefix="pet-reader-"))
