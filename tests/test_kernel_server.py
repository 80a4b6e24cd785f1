"""Kernels that tools/verify/kernel_server.py forks are fresh sessions, as Jupyter's are."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")

from tools.verify import reader  # noqa: E402
from tools.verify.cell_runs import Outcome  # noqa: E402
from tools.verify.kernel_server import BARE, KernelServer  # noqa: E402

pytestmark = [pytest.mark.tooling]

PROBE = """import os, sys
print("cwd is the folder:", os.getcwd() == FOLDER)
print("sys.path[0] is the folder:", sys.path[0] == FOLDER)
print("names:", sorted(name for name in dir() if not name.startswith("_"))[:3])
print("snippets imported:", "snippets" in sys.modules, "tools imported:", "tools" in sys.modules)
print("stand-in:", os.environ.get("CIFAR10_STAND_IN"), "threads:", os.environ["OMP_NUM_THREADS"])
left_behind = "by the first notebook"
"""


def run(code: str, folder, server):
    """(the cell's outcome, what it printed), run in a fresh kernel from `server`."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    (cell,) = reader.execute(notebook, folder, reader.Kernels(server=server))
    return cell, cell.printed


def test_a_forked_kernel_is_a_fresh_session_in_its_folder(kernel_server, tmp_path):
    code = PROBE.replace("FOLDER", repr(str(tmp_path)))
    cell, printed = run(code, tmp_path, kernel_server)
    assert cell.outcome is Outcome.RAN
    assert printed.splitlines() == [
        "cwd is the folder: True",
        "sys.path[0] is the folder: True",
        "names: ['In', 'Out', 'exit']",
        "snippets imported: False tools imported: False",
        "stand-in: 1 threads: 1",
    ]
    cell, printed = run("print('left_behind' in dir())", tmp_path, kernel_server)
    assert (cell.outcome, printed) == (Outcome.RAN, "False\n")


def test_an_error_in_a_forked_kernel_is_reported(kernel_server, tmp_path):
    cell, printed = run("print('before')\nraise ValueError('planted')", tmp_path, kernel_server)
    assert (cell.outcome, cell.detail) == (Outcome.ERROR, "ValueError: planted")
    assert printed == "before\n"


def test_a_bare_server_forks_kernels_without_torch(tmp_path):
    """The server for the tests' plain cells imports no torch (tools/verify/kernel_server.py)."""
    server = KernelServer(reader.reader_env(False), preload=BARE)
    try:
        cell, printed = run("import sys\nprint('torch' in sys.modules)", tmp_path, server)
    finally:
        server.close()
    assert (cell.outcome, printed) == (Outcome.RAN, "False\n")
