"""Run the chapters and unit tests on a CUDA machine, and record the result.

    python -m tools.gpu_check [--record tests/gpu-verification.json] [-- PYTEST ARGS]

Runs `pytest docs tests` (the tests that need the site, a browser or Jupyter are left to the
CPU suite) and appends one run to the record: date, device, torch and CUDA versions, counts of
passed, failed and skipped tests, the failures, and for each chapter with GPU-only blocks how many
of them passed, with a fingerprint of their code and outputs. The stamp under a chapter's title
says "GPU blocks verified on <device>, torch <version>, <date>" only when the latest run that
covered the page's current GPU blocks (same fingerprint) passed them all: no page claims a GPU
verification that the record does not hold.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from tools import harness

RECORD = harness.ROOT / "tests" / "gpu-verification.json"
ITEM_LINE = re.compile(r"line:(?P<line>\d+),column")


def gpu_blocks(path: Path) -> list[harness.Block]:
    """The blocks of a page that run only where CUDA exists."""
    document = harness.sybil().parse(path)
    return [
        block for block in harness.blocks(document) if block.skip and "cuda" in block.skip.condition
    ]


def fingerprint(blocks: list[harness.Block]) -> str:
    """A hash of the GPU-only blocks' code and outputs: it changes when they do."""
    digest = hashlib.sha256()
    for block in blocks:
        digest.update(block.source.encode() + b"\0" + (block.expected or "").encode() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Verification:
    device: str
    torch: str
    date: str

    def sentence(self) -> str:
        return f"GPU blocks verified on {self.device}, torch {self.torch}, {self.date}"


def latest_verification(path: Path, record: Path = RECORD) -> Verification | None:
    """The latest recorded run that passed every current GPU-only block of the page, if any."""
    blocks = gpu_blocks(path)
    if not blocks or not record.is_file():
        return None
    current = fingerprint(blocks)
    for run in reversed(json.loads(record.read_text(encoding="utf-8"))):
        page = run["pages"].get(path.name)
        if page and page["fingerprint"] == current:
            if page["passed"] == page["gpu_blocks"]:
                return Verification(run["device"], run["torch"], run["date"])
            return None  # the latest run of these blocks failed: claim nothing
    return None


def outcomes_by_line(junit: Path) -> dict[tuple[str, int], str]:
    """(page name, line) -> "passed", "failed" or "skipped", for every chapter block."""
    found = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        line = ITEM_LINE.search(case.get("name", ""))
        page = case.get("classname", "").rsplit(".", 1)[0].split(".")[-1] + ".md"
        if line is None:
            continue
        status = "passed"
        if case.find("failure") is not None or case.find("error") is not None:
            status = "failed"
        elif case.find("skipped") is not None:
            status = "skipped"
        found[(page, int(line["line"]))] = status
    return found


def run(record: Path, pytest_args: list[str]) -> int:
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device here: run this on a machine with an NVIDIA GPU", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        junit = Path(folder) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "docs", "tests", f"--junitxml={junit}", "-q"]
        command += ["-o", "junit_family=xunit1", *pytest_args]
        code = subprocess.run(command, cwd=harness.ROOT).returncode
        if not junit.is_file():
            print("pytest wrote no report; nothing recorded", file=sys.stderr)
            return code or 2
        outcomes = outcomes_by_line(junit)
        totals = totals_of(junit)
    pages = {}
    for path in harness.chapters():
        blocks = gpu_blocks(path)
        if blocks:
            statuses = [outcomes.get((path.name, block.line), "missing") for block in blocks]
            pages[path.name] = {
                "gpu_blocks": len(blocks),
                "passed": statuses.count("passed"),
                "fingerprint": fingerprint(blocks),
            }
    entry = {
        "date": datetime.date.today().isoformat(),
        "device": torch.cuda.get_device_name(),
        "torch": torch.__version__.split("+")[0],
        "cuda": torch.version.cuda,
        **totals,
        "pages": pages,
    }
    runs = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else []
    record.write_text(json.dumps([*runs, entry], indent=2) + "\n", encoding="utf-8")
    print(json.dumps({key: value for key, value in entry.items() if key != "pages"}, indent=2))
    return code


def totals_of(junit: Path) -> dict:
    root = ElementTree.parse(junit).getroot()
    cases = list(root.iter("testcase"))
    failures = [
        f"{case.get('classname')}::{case.get('name')}"
        for case in cases
        if case.find("failure") is not None or case.find("error") is not None
    ]
    skipped = sum(case.find("skipped") is not None for case in cases)
    return {
        "passed": len(cases) - len(failures) - skipped,
        "failed": len(failures),
        "skipped": skipped,
        "failures": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.gpu_check", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--record", type=Path, default=RECORD, help=f"default {RECORD.name}")
    parser.add_argument("pytest_args", nargs="*", help="more arguments for pytest, after --")
    args = parser.parse_args(argv)
    return run(args.record, args.pytest_args)


if __name__ == "__main__":
    sys.exit(main())
