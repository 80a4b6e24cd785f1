"""Time a float32 matrix multiply on the CPU and on each accelerator this machine has.

    python benchmarks/matmul_devices.py            # print the table
    python benchmarks/matmul_devices.py --write    # also update benchmarks/results/matmul-timing.md

The chapter "GPU transfer in depth" includes the results file. `--write` replaces the rows of the
device kinds measured in this run and keeps the others, each with the machine and date it came from:
a CPU-only machine refreshes the CPU row and leaves a GPU row measured elsewhere as it was.
"""

from __future__ import annotations

import argparse
import datetime
import platform
from pathlib import Path

import torch

from snippets.devices import available_devices, describe, time_matmul
from snippets.files import atomic_write

RESULTS = Path(__file__).parent / "results" / "matmul-timing.md"
HEADER = (
    "| device | machine | time per 2048 x 2048 matmul | GFLOP/s | torch | measured on |\n"
    "| --- | --- | ---: | ---: | --- | --- |\n"
)
SIZE = 2048


def measure() -> dict[str, str]:
    """One table row per device kind, keyed by kind ("cpu", "cuda", ...)."""
    rows = {}
    for name in available_devices():
        device = torch.device(name)
        if device.type in rows:  # one row per kind: the first (best) device of it
            continue
        seconds = time_matmul(device, size=SIZE, repeats=10)
        gflops = 2 * SIZE**3 / seconds / 1e9
        machine = describe(device).split(", memory")[0]
        if device.type == "cpu":
            machine = f"{platform.machine()} CPU, {torch.get_num_threads()} threads"
        rows[device.type] = (
            f"| {device.type} | {machine} | {seconds * 1e3:.2f} ms | {gflops:,.0f} |"
            f" {torch.__version__} | {datetime.date.today().isoformat()} |"
        )
    return rows


def merge(old_text: str, new_rows: dict[str, str]) -> str:
    rows = {}
    for line in old_text.splitlines()[2:]:
        if line.startswith("| "):
            rows[line.split("|")[1].strip()] = line
    rows.update(new_rows)
    order = sorted(rows, key=lambda kind: (kind == "cpu", kind))  # accelerators first
    return HEADER + "".join(rows[kind] + "\n" for kind in order)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"update {RESULTS}")
    args = parser.parse_args()
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    table = merge(old, measure())
    print(table, end="")
    if args.write:
        atomic_write(RESULTS, table.encode("utf-8"))
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
