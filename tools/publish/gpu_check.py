"""`make gpu-check`: prove the GPU-only outputs on a CUDA machine, block by block.

    python -m tools.publish.gpu_check      # on a CUDA machine: run, rewrite the fences, record
    bash tools/publish/gpu_session.sh OUT  # what `make gpu-check` runs: installs what is missing,
                                           # this, then the GPU rows of benchmarks/results/

A GPU-only block (skip directive `if(not torch.cuda.is_available(), ...)`) cannot run in CI, so
its output fence is proven by a recorded GPU run, or shown on the site as expected. The run:

1. `pytest docs tests` on the GPU (the tests that need the built site, a browser or Jupyter are
   left to the CPU suite), keeping what every block printed and whether it passed;
2. the output fence under each GPU-only block that ran is rewritten with what it printed, the
   way `make outputs` does on a CPU (tools/publish/outputs.py: a tolerant or eliding fence that
   still matches is kept, a tolerance directive stays);
3. for each GPU-only block that ran without an error, tests/gpu-verification.json records a
   `Proof`: the page, a hash of the block's code and of its output fence as now written, the
   device, the torch version and the date.

The record, and when it proves an output, are tools/pages/gpu_proofs.py's: the site and the
notebooks read it from there.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from snippets.files import atomic_write
from tools.pages import harness, limits
from tools.pages.gpu_proofs import RECORD, Proof, digest, gpu_blocks, write_record
from tools.publish.outputs import rewrite_fences
from tools.verify.page_runs import PageRun

# ---- after the GPU run: fences and record --------------------------------------------------------


def rewrite_gpu_fences(path: Path, printed: dict[int, str]) -> None:
    """Rewrite the output fences of the page's GPU-only blocks that ran with what they printed
    (`printed`: by block line), as `make outputs` does (tools/publish/outputs.py)."""
    lines = {block.line for block in gpu_blocks(path)}
    run = PageRun(harness.parse(path))
    run.printed = {line: text for line, text in printed.items() if line in lines}
    text = rewrite_fences(run)
    if text != run.document.text:
        atomic_write(path, text.encode("utf-8"))


def prove(path: Path, ran: set[int], device: str, torch_version: str, date: str) -> list[Proof]:
    """Proofs of the page's GPU-only blocks at the lines in `ran` (which ran without an error),
    as the page is now, after its fences were rewritten."""
    return [
        Proof(path.name, digest(block.source), digest(block.expected), device, torch_version, date)
        for block in gpu_blocks(path)
        if block.line in ran
    ]


def apply_run(
    blocks_run: dict, summary: dict, record: Path = RECORD, pages: list[Path] | None = None
) -> list[Proof]:
    """From what the GPU run's blocks did (`blocks_run`: "page@line" -> {"printed", "outcome"},
    as conftest.py writes it under PET_BLOCKS_JSON): rewrite the fences of `pages` (default:
    every chapter), write the record; returns the new proofs."""
    proofs = []
    for path in pages or harness.chapters():
        if not gpu_blocks(path):
            continue
        mine = {
            int(key.rsplit("@", 1)[1]): value
            for key, value in blocks_run.items()
            if key.rsplit("@", 1)[0] == path.name
        }
        ran = {line for line, value in mine.items() if value["outcome"] != "error"}
        ran &= {line for line, value in mine.items() if value.get("printed") is not None}
        rewrite_gpu_fences(path, {line: mine[line]["printed"] for line in ran})
        proofs += prove(path, ran, summary["device"], summary["torch"], summary["date"])
    write_record(proofs, {**summary, "proven": len(proofs)}, record)
    return proofs


def run(record: Path, pytest_args: list[str], paths: list[str] | None = None) -> int:
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device here: run this on a machine with an NVIDIA GPU", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        blocks_json = Path(folder) / "blocks.json"
        command = [sys.executable, "-m", "pytest", *(paths or ["docs", "tests"])]
        # Tests marked `tooling` need what a bare CUDA machine lacks (the site, Chromium, Jupyter
        # kernels): the CPU suite runs them. Every block runs in this process, on the GPU.
        command += ["-q", "-p", "no:cacheprovider", "-m", "not tooling", "--blocks-here"]
        command += pytest_args
        env = {**os.environ, "PET_BLOCKS_JSON": str(blocks_json), "CIFAR10_STAND_IN": "1"}
        try:
            code = subprocess.run(
                command, cwd=harness.ROOT, env=env, timeout=limits.GPU_CHECK
            ).returncode
        except subprocess.TimeoutExpired:
            print(
                f"pytest did not finish within {limits.GPU_CHECK} s; nothing recorded",
                file=sys.stderr,
            )
            return 2
        if not blocks_json.is_file():
            print("pytest wrote no report of the blocks; nothing recorded", file=sys.stderr)
            return code or 2
        blocks_run = json.loads(blocks_json.read_text(encoding="utf-8"))
    summary = {
        "date": datetime.date.today().isoformat(),
        "device": torch.cuda.get_device_name(),
        "torch": torch.__version__.split("+")[0],
        "cuda": torch.version.cuda,
        "paths": paths or ["docs", "tests"],
        "pytest_exit_code": code,
        "blocks": {
            outcome: sum(value["outcome"] == outcome for value in blocks_run.values())
            for outcome in ("passed", "failed", "error", "skipped")
        },
    }
    proofs = apply_run(blocks_run, summary, record)
    print(json.dumps({**summary, "proven": len(proofs)}, indent=1))
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.publish.gpu_check", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--record", type=Path, default=RECORD, help=f"default {RECORD.name}")
    parser.add_argument(
        "--paths",
        nargs="+",
        help="pages and tests to run (default: docs tests; a GPU run short"
        " of time can prove some pages only)",
    )
    parser.add_argument("pytest_args", nargs="*", help="more arguments for pytest, after --")
    args = parser.parse_args(argv)
    return run(args.record, args.pytest_args, args.paths)


if __name__ == "__main__":
    sys.exit(main())
