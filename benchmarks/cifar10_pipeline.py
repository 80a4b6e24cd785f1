"""Train the seed's network for one epoch two ways, side by side, and compare their speed.

    python benchmarks/cifar10_pipeline.py          # print the table (about a minute on 2 cores)
    python benchmarks/cifar10_pipeline.py --write  # also update benchmarks/results/ (the chapter)

(a) the seed's way: a DataLoader over the dataset, PIL transforms (ToTensor, Normalize) per image.
(b) the snippets fast path: the split decoded once into one normalised tensor, batches sliced from a
    shuffled index (InMemoryBatches), model and inputs in channels_last.

Same network, same initial weights, same batch size, same number of images. The data is a
full-size (50,000 image) synthetic stand-in, written once into data/standin-50k/: speed does not
depend on what the pixels show, but these numbers are not CIFAR-10 accuracy results.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from snippets.cifar10 import (
    InMemoryBatches,
    Net,
    cifar10_dataset,
    is_stand_in,
    train_transforms,
    write_synthetic_cifar10,
)
from snippets.cifar10.training import train_one_epoch
from snippets.files import atomic_write

RESULTS = Path(__file__).parent / "results" / "cifar10-pipeline.md"


def timed_epoch(model: torch.nn.Module, batches) -> float:
    """Seconds for one training epoch of `model` over `batches`, on the CPU."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    start = time.perf_counter()
    train_one_epoch(model, batches, optimizer, torch.device("cpu"))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data/standin-50k"))
    parser.add_argument("--images", type=int, default=50_000, help="stand-in size (default 50000)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--write", action="store_true", help=f"update {RESULTS}")
    args = parser.parse_args()

    if not is_stand_in(args.data):
        print(f"writing a {args.images:,}-image stand-in to {args.data} (once) ...")
        write_synthetic_cifar10(args.data, train_size=args.images, test_size=1000)
    dataset = cifar10_dataset(args.data, train=True, transform=train_transforms())
    count = len(dataset)

    torch.manual_seed(0)
    initial = Net().state_dict()

    seed_way = DataLoader(dataset, batch_size=args.batch_size, shuffle=True)
    model_a = Net()
    model_a.load_state_dict(initial)
    seconds_a = timed_epoch(model_a, seed_way)

    start = time.perf_counter()
    fast_way = InMemoryBatches(dataset, batch_size=args.batch_size, shuffle=True)
    decode = time.perf_counter() - start
    model_b = Net().to(memory_format=torch.channels_last)
    model_b.load_state_dict(initial)
    seconds_b = timed_epoch(model_b, fast_way)

    machine = f"{platform.machine()} CPU, {torch.get_num_threads()} threads"
    header = f"pipeline ({count:,} stand-in images, batch {args.batch_size})"
    table = (
        f"| {header} | images/s | epoch time |\n| --- | ---: | ---: |\n"
        f"| (a) DataLoader + PIL transforms per image | {count / seconds_a:,.0f}"
        f" | {seconds_a:.1f} s |\n"
        f"| (b) in-memory tensor, channels_last | {count / seconds_b:,.0f} | {seconds_b:.1f} s"
        f" (+ {decode:.1f} s to decode once) |\n\n"
        f"Speed-up (b) / (a): **{seconds_a / seconds_b:.1f}x** per epoch,"
        f" {seconds_a / (seconds_b + decode):.1f}x counting the one-time decode."
        f" Measured on {machine}, torch {torch.__version__}, {datetime.date.today().isoformat()}.\n"
    )
    print(table, end="")
    if args.write:
        atomic_write(RESULTS, table.encode("utf-8"))
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
