"""Tolerances from measurement: how far each tolerant output fence moves with the CPU's kernels and
its thread count, and the tolerance that follows from it (`make tolerances`).

    python -m tools.verify.tolerances                # run the tolerant pages, check tolerances
    python -m tools.verify.tolerances --write        # ... record the spreads, set the tolerances
    python -m tools.verify.tolerances --record       # ... record the spreads, leave the pages
    python -m tools.verify.tolerances --recorded     # check against RECORD alone, running nothing
    python -m tools.verify.tolerances --page 11 --kernels default avx2 --threads 1   # a subset

A training run's losses depend on the order of its floating-point sums, which changes with the set
of CPU kernels torch picks (ATEN_CPU_CAPABILITY) and with the number of threads that share a sum
(OMP_NUM_THREADS). Each page with a tolerant fence (`<!-- tolerance: ... -->`, tools/pages/
tolerance.py) runs as a reader's copy (tools/verify/reader.py: its notebook in a fresh kernel, in an
empty folder, offline, on the stand-in data) once per setting: every kernel set of KERNELS (the
convolutions' and matrix products' libraries held to the same instructions: LIBRARY_LIMITS) with
every thread count of THREADS. A fence's spread in one setting is the largest deviation of its
numbers from the page's: relative for numbers with decimals, in percentage points for numbers
followed by `%` (whole numbers must not move at all). RECORD keeps the spread of each setting
measured, so that a run of some settings or pages keeps the others'.

A fence's tolerance is MULTIPLE times its largest spread, within its printed digits and a page's
limits (tools/verify/tolerance_rule.py). The check fails on a fence that declares more than that,
or less than its spread and floor (it would fail on a setting measured), or has no spread
recorded; so does tests/test_tolerances.py, which reads the pages and RECORD and runs nothing.
`--write` sets the tolerance of each fence measured in its page and in its translation
(docs/<page>.zh.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tools.pages import harness, syntax
from tools.pages.languages import translation_of
from tools.pages.page import Page
from tools.verify.tolerance_rule import (
    MULTIPLE,
    crowded,
    describe,
    problems_of,
    spread,
    wanted,
)

RECORD = harness.ROOT / "benchmarks" / "results" / "tolerances.json"
KERNELS = ("default", "avx2", "best")  # ATEN_CPU_CAPABILITY; "best": what this CPU offers
THREADS = (1, 2, 4)  # GitHub's runners have 4 cores
# ATEN_CPU_CAPABILITY picks ATen's own kernels only: the convolutions (oneDNN) and matrix products
# (MKL) pick theirs from the CPU. Held to the same instructions, the run is the one a CPU that has
# no more would make (GitHub's runners, for one, have AVX2 and no AVX-512).
LIBRARY_LIMITS = {
    "default": {"ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
    "avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
}


def tolerant_blocks(page: Path) -> list[harness.Block]:
    """The blocks of a page whose output fence declares a tolerance, in page order."""
    return [block for block in Page.of(page).blocks if block.tolerance]


def fence_key(page: Path, number: int) -> str:
    """The name of a page's `number`th tolerant fence (from 1) in RECORD."""
    return f"{page.name}, tolerant fence {number}"


def tolerant_pages() -> list[Path]:
    """The English chapters with at least one tolerant fence (their translations follow them)."""
    return [page for page in harness.chapters() if tolerant_blocks(page)]


def check(pages: list[Path], record: dict) -> list[str]:
    """Every problem of the tolerant fences of `pages` against `record` (RECORD's content)."""
    found = []
    for page in pages:
        for number, block in enumerate(tolerant_blocks(page), 1):
            key = fence_key(page, number)
            found += problems_of(block, key, record.get("fences", {}).get(key))
    return found


def warnings(pages: list[Path], record: dict) -> list[str]:
    """The `crowded` fences of `pages`."""
    found = []
    for page in pages:
        for number, _ in enumerate(tolerant_blocks(page), 1):
            key = fence_key(page, number)
            entry = record.get("fences", {}).get(key)
            found += [crowded(key, entry)] if entry and entry.get("settings") else []
    return [warning for warning in found if warning]


def read_record() -> dict:
    return json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.is_file() else {"fences": {}}


# ---- measuring -----------------------------------------------------------------------------------


def best_kernels() -> str:
    """The kernel set torch picks on this CPU by itself ("avx512" on most servers)."""
    import torch

    return torch.backends.cpu.get_cpu_capability().lower()


def machine() -> str:
    """The machine and torch that measured: "AMD EPYC, 2 cores, torch 2.14.1+cu130"."""
    import platform

    import torch

    cpuinfo = Path("/proc/cpuinfo")
    names = (
        re.findall(r"^model name\s*: (.+)$", cpuinfo.read_text(), re.M) if cpuinfo.exists() else []
    )
    name = names[0] if names else platform.processor() or platform.machine()
    return f"{name}, {os.cpu_count()} cores, torch {torch.__version__}"


def setting_name(kernels: str, threads: int) -> str:
    """ "avx2 (oneDNN AVX2), 2 threads"; a name without the library limit is a run of ATen's
    kernels alone (as a reader's run in `make test` is: tools/verify/reader.py)."""
    limit = LIBRARY_LIMITS.get(kernels, {}).get("ONEDNN_MAX_CPU_ISA")
    limited = f"{kernels} (oneDNN {limit})" if limit else kernels
    return f"{limited}, {threads} thread{'s' * (threads > 1)}"


def run_page(page: Path, kernels: str, threads: int) -> dict[int, object]:
    """The cells of a reader's run of `page` (up to its last tolerant block) under one setting,
    by the page line of their blocks."""
    from tools.site import notebooks
    from tools.verify import reader

    notebook = notebooks.chapter_notebook(page, "", None)
    for cell in notebook.cells:  # the reader starts from an empty notebook
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    pairs = reader.cells_to_run(Page.of(page), notebook, with_hidden=False)
    last = max(number for number, (block, _) in enumerate(pairs) if block.tolerance)
    pairs = pairs[: last + 1]  # what follows the last tolerant fence cannot change a spread
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    notebook.cells = [setup] + [cell for _, cell in pairs]
    folder = Path(tempfile.mkdtemp(prefix="pet-tolerances-"))
    env = {
        "ATEN_CPU_CAPABILITY": kernels,
        **LIBRARY_LIMITS.get(kernels, {}),
        "OMP_NUM_THREADS": str(threads),  # torch's intra-op threads follow it
        "MKL_NUM_THREADS": str(threads),
        "PYTHONPATH": str(harness.ROOT),  # this checkout's snippets, from the empty folder
        # torch.compile's own: its compiled headers for one kernel set break a run under another.
        "TORCHINDUCTOR_CACHE_DIR": str(folder / "inductor"),
    }
    try:
        _, *runs = reader.execute(notebook, folder, reader.Kernels(env=env))
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the run's data, checkpoints, compiled code
    return {block.line: run for (block, _), run in zip(pairs, runs, strict=True)}


def measure(page: Path, kernels: str, threads: int, record: dict) -> None:
    """Run `page` under one setting and put each tolerant fence's spread into `record`."""
    started = time.perf_counter()
    cells = run_page(page, kernels, threads)
    seconds = time.perf_counter() - started
    name = setting_name(kernels, threads)
    print(f"{page.name}, {name}: {seconds:.0f} s", flush=True)
    stopped = [(line, run) for line, run in cells.items() if run.outcome.value != "ran"]
    for line, run in stopped[:1]:  # the first cell that did not run stops the rest
        print(f"  {page.name}:{line}: {run.describe()}", flush=True)
    for number, block in enumerate(tolerant_blocks(page), 1):
        entry = record["fences"].setdefault(fence_key(page, number), {})
        if entry.get("page") != block.expected:  # spreads measured against other values go
            entry.update(page=block.expected, settings={})
        entry["line"] = block.line
        run = cells[block.line]
        if run.outcome.value == "ran":
            entry["settings"][name] = spread(block.expected, run.printed)
        else:
            entry["settings"][name] = {"failed": run.describe()}
    record.setdefault("seconds", {}).setdefault(page.name, {})[name] = round(seconds)


def write_record(record: dict) -> None:
    record["fences"] = dict(sorted(record["fences"].items()))
    RECORD.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ---- writing the tolerances ----------------------------------------------------------------------


def with_tolerances(page: Path, tolerances: list[str]) -> str:
    """The text of `page` with its tolerant fences' directives set to `tolerances`, in order."""
    text = page.read_text(encoding="utf-8")
    blocks = tolerant_blocks(page)
    if len(blocks) != len(tolerances):
        raise ValueError(f"{page.name}: {len(blocks)} tolerant fences, {len(tolerances)} given")
    # From the last to the first, so that each replacement leaves the earlier places as they were.
    for block, arguments in reversed(list(zip(blocks, tolerances, strict=True))):
        directive = [
            found
            for found in syntax.directives(text)
            if found.name == "tolerance" and block.code_end <= found.start < block.output_span[0]
        ][-1]
        old = text[directive.start : directive.end]
        indent = old[: len(old) - len(old.lstrip())]  # inside an admonition, as it was
        new = indent + syntax.tolerance_comment(arguments)
        text = text[: directive.start] + new + text[directive.end :]
    return text


def write_tolerances(pages: list[Path], record: dict) -> None:
    """Set each tolerant fence of `pages`, and of their translations, from `record`."""
    for page in pages:
        tolerances = []
        for number, block in enumerate(tolerant_blocks(page), 1):
            entry = record["fences"].get(fence_key(page, number))
            settings = entry["settings"] if entry else {}
            ok = settings and not any("differs" in s or "failed" in s for s in settings.values())
            declared = describe(block.tolerance.relative, block.tolerance.points)
            tolerances.append(describe(*wanted(block.expected, settings)) if ok else declared)
        for path in (page, translation_of(page)):
            if path.is_file():
                path.write_text(with_tolerances(path, tolerances), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="record the spreads, set tolerances")
    parser.add_argument("--record", action="store_true", help="record the spreads, leave pages")
    parser.add_argument("--recorded", action="store_true", help="run nothing: check the record")
    parser.add_argument("--page", nargs="*", default=[], help="pages by name prefix, e.g. 11")
    parser.add_argument("--kernels", nargs="*", default=list(KERNELS), choices=KERNELS)
    parser.add_argument("--threads", nargs="*", type=int, default=list(THREADS))
    args = parser.parse_args(argv)
    pages = [p for p in tolerant_pages() if not args.page or p.name.startswith(tuple(args.page))]
    record = read_record()
    if not args.recorded:
        os.environ.setdefault("CIFAR10_STAND_IN", "1")
        best = best_kernels()
        record["measured on"] = machine()
        for page in pages:
            for kernels in args.kernels:
                for threads in args.threads:
                    measure(page, best if kernels == "best" else kernels, threads, record)
                    if args.write or args.record:  # after each run: a stopped one keeps the rest
                        write_record(record)
    if args.write:
        write_tolerances(pages, record)
    found = check(pages, record)
    for warning in warnings(pages, record):
        print(f"warning: {warning}")
    print("\n".join(found) or f"{len(pages)} page(s): each tolerance within {MULTIPLE}x its spread")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
