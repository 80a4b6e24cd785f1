"""A reader's copy of the site: each page's copy-button code, run in page order, fresh and offline.

    blocks = copied_code(site / "01-tensors" / "index.html")   # what each copy button yields
    problems = run_as_reader(site, chapter, folder)              # [] when the page is true

`run_as_reader` takes the page's notebook from the built site, checks that its code cells are
exactly the page's copy-button blocks, in order, and executes it with nbclient in a fresh kernel:
in an empty folder, with the network off where the OS allows it (a new network namespace), on the
offline stand-in (CIFAR10_STAND_IN=1), and under another set of CPU kernels with one thread
(ATEN_CPU_CAPABILITY=default, OMP_NUM_THREADS=1), so the same run also proves that the outputs do
not depend on the machine that wrote them. What each cell prints is compared with the page's
output fence by tools/compare.py, within the fence's declared tolerance. GPU-only blocks run where
CUDA exists and print "Skipped: <reason>" elsewhere.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from tools import harness, kernel_server, notebooks
from tools.compare import difference

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
CELL_TIMEOUT = 600  # seconds; the longest chapter cell trains for a few seconds
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


@dataclass
class ReaderRun:
    """The outcome of one page's reader run: problems found, and how the network was cut."""

    page: str
    problems: list[str] = field(default_factory=list)
    isolation: str = ""
    seconds: float = 0.0
    printed: dict[int, str] = field(default_factory=dict)  # what each block printed, by line
    failed: dict[int, str] = field(default_factory=dict)  # the problem at a block, by line


def network_isolation() -> list[str]:
    """A command prefix that starts the kernel without a network, or [] where the OS says no."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=30)
    return [unshare, "-rn"] if probe.returncode == 0 else []


def shown_blocks(chapter: Path) -> list[harness.Block]:
    document = harness.sybil().parse(chapter)
    return [block for block in harness.blocks(document) if block.shown]


def check_copies(chapter: Path, site: Path, notebook) -> list[str]:
    """The page's copy buttons, the notebook's code cells and the Markdown blocks agree."""
    name = harness.shown(chapter)
    blocks = shown_blocks(chapter)
    copies = copied_code(site / chapter.stem / "index.html")
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


def start_kernel_server(isolation: list[str]) -> kernel_server.KernelServer:
    """A server of fresh reader kernels (tools/kernel_server.py), offline where the OS allows."""
    return kernel_server.KernelServer(reader_env(bool(isolation)), prefix=isolation)


def execute(
    notebook, folder: Path, isolation: list[str], server: kernel_server.KernelServer | None = None
) -> Exception | None:
    """Run a notebook in a fresh kernel in `folder` (from `server` if given); the first error."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    # ipc (Unix socket) transport: the kernel's own network namespace has no loopback to share.
    manager = KernelManager(transport="ipc", ip=str(folder / ".kernel"), kernel_name="python3")
    if server is not None:  # forked by the server, which already runs in the namespace
        manager.kernel_spec.argv = server.kernel_command()
    else:
        start = ["-c", OFFLINE_KERNEL] if isolation else ["-m", "ipykernel_launcher"]
        manager.kernel_spec.argv = [*isolation, sys.executable, *start, "-f", "{connection_file}"]
    env = reader_env(bool(isolation))
    client = NotebookClient(
        notebook, km=manager, timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(folder)}}
    )
    try:
        client.execute(env=env)
    except Exception as error:  # CellExecutionError and kernel failures: reported by the caller
        return error
    finally:
        if manager.has_kernel:  # nbclient leaves a kernel it did not start running
            manager.shutdown_kernel(now=True)
    return None


def cells_to_run(chapter: Path, notebook, with_hidden: bool) -> list:
    """(block, cell) for each code cell after the setup; with the page's hidden blocks, as cells
    of their own at their places in the page, when `with_hidden` (see run_as_reader)."""
    import nbformat

    document = harness.sybil().parse(chapter)
    cells = iter([cell for cell in notebook.cells if cell.cell_type == "code"][1:])
    pairs = []
    for block in harness.blocks(document):
        if block.shown:
            pairs.append((block, next(cells)))
        elif with_hidden and block.hidden:
            pairs.append((block, nbformat.v4.new_code_cell(block.source)))
    return pairs


def compare_cells(chapter: Path, pairs: list, run: ReaderRun) -> list[str]:
    """What each executed cell printed against the page's output fence (and figure)."""
    name = harness.shown(chapter)
    problems = []
    for block, cell in pairs:
        where = f"{name}:{block.line}"
        outputs = cell.get("outputs", [])
        if not outputs and cell.get("execution_count") is None:
            break  # not run: the run stopped at an earlier cell
        printed = "".join(
            o.text for o in outputs if o.output_type == "stream" and o.name == "stdout"
        )
        run.printed[block.line] = printed
        found = []
        if any(o.output_type == "error" for o in outputs):
            error = next(o for o in outputs if o.output_type == "error")
            found.append(f"{where}: raised {error.ename}: {error.evalue}")
        elif block.hidden:
            pass  # a check: it passes when it raises nothing
        elif block.skip and printed == f"Skipped: {block.skip.reason}\n":
            pass
        else:
            if any(o.output_type == "execute_result" for o in outputs):
                found.append(
                    f"{where}: the block ends with an expression, whose value Jupyter shows and"
                    " the page does not; assign it or print it"
                )
            if block.expected is None:
                if printed.strip():
                    found.append(f"{where}: printed {printed.strip()[:200]!r}; the page shows none")
            else:
                differs = difference(block.expected, printed, block.tolerance)
                if differs:
                    found.append(f"{where}: {differs}")
            figures = sum(o.output_type == "display_data" for o in outputs)
            if figures != (1 if block.image else 0):
                found.append(
                    f"{where}: drew {figures} figure(s), the page shows {int(bool(block.image))}"
                )
        if found:
            run.failed[block.line] = "\n".join(found)
            problems += found
        if any(o.output_type == "error" for o in outputs):
            break
    return problems


def run_as_reader(
    site: Path,
    chapter: Path,
    folder: Path,
    isolation: list[str],
    server: kernel_server.KernelServer | None = None,
    with_hidden: bool = False,
) -> ReaderRun:
    """Check and run one page as a reader would; see the module docstring.

    `with_hidden` also runs the page's hidden blocks (checks; a test makes sure they define
    nothing that the visible code uses), each in a cell of its own after the block it follows:
    then this run is also the harness's run of the page (conftest.py), and `printed` and `failed`
    serve its checks.
    """
    import nbformat

    started = time.perf_counter()
    run = ReaderRun(harness.shown(chapter), isolation="network namespace" if isolation else "proxy")
    path = site / notebooks.NOTEBOOKS / chapter.stem / f"{chapter.stem}.ipynb"
    if not path.is_file():
        run.problems.append(f"{run.page}: no notebook at {path}")
        return run
    notebook = nbformat.read(path, as_version=4)
    run.problems += check_copies(chapter, site, notebook)
    if run.problems:
        return run
    for cell in notebook.cells:  # the reader starts from an empty notebook
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    pairs = cells_to_run(chapter, notebook, with_hidden)
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    notebook.cells = [setup] + [cell for _, cell in pairs]  # markdown cells run nothing
    error = execute(notebook, folder, isolation, server)
    run.problems += compare_cells(chapter, pairs, run)
    if error is not None and not run.problems:
        run.problems.append(f"{run.page}: {type(error).__name__}: {str(error)[-2000:]}")
    run.seconds = time.perf_counter() - started
    return run


def reader_folder() -> Path:
    """An empty folder for a reader's session: the pages' data/ and runs/ go there."""
    return Path(tempfile.mkdtemp(prefix="pet-reader-"))
