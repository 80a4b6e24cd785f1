"""Command line for CIFAR-10: write the offline stand-in, or train the seed's network.

    python -m snippets.cifar10 synthetic data/                  # the stand-in, 5,000 + 1,000 images
    python -m snippets.cifar10 train --data data/ --download    # the real CIFAR-10
    python -m snippets.cifar10 train --data data/ --epochs 5 --batch-size 128 --device cpu

Training prints one line per epoch and writes, atomically, OUT/checkpoint.pt and OUT/curves.png.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from snippets.cifar10.data import (
    InMemoryBatches,
    cifar10_dataset,
    describe_data,
    write_synthetic_cifar10,
)
from snippets.cifar10.figures import plot_history
from snippets.cifar10.model import Net, count_parameters
from snippets.cifar10.training import fit, save_checkpoint
from snippets.devices import describe, pick_device
from snippets.files import atomic_write


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m snippets.cifar10", description=__doc__.split("\n\n")[0]
    )
    commands = main.add_subparsers(dest="command", required=True)

    synthetic = commands.add_parser(
        "synthetic",
        help="write the synthetic stand-in in CIFAR-10's on-disk format (NOT CIFAR-10)",
        description="Write DIR/cifar-10-batches-py/ with synthetic images that torchvision's"
        " CIFAR-10 loader reads: each class a coloured shape plus noise. For offline tests.",
    )
    synthetic.add_argument("dir", type=Path, help="folder to write into (created if missing)")
    synthetic.add_argument("--train-size", type=positive_int, default=5000, help="default 5000")
    synthetic.add_argument("--test-size", type=positive_int, default=1000, help="default 1000")
    synthetic.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    train = commands.add_parser(
        "train",
        help="train the seed's network, validating after each epoch",
        description="Train on DIR (the real CIFAR-10, or the stand-in), print one line per"
        " epoch, and save OUT/checkpoint.pt and OUT/curves.png.",
    )
    train.add_argument("--data", type=Path, required=True, help="dataset folder")
    train.add_argument(
        "--download", action="store_true", help="download the real CIFAR-10 into --data if missing"
    )
    train.add_argument("--epochs", type=positive_int, default=3, help="default 3")
    train.add_argument("--batch-size", type=positive_int, default=64, help="default 64")
    train.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (default 0.01)")
    train.add_argument(
        "--device",
        default="auto",
        help="auto (default: CUDA, MPS, XPU, else CPU; PET_DEVICE overrides), cpu, cuda,"
        " cuda:N, mps",
    )
    train.add_argument(
        "--out", type=Path, default=Path("runs"), help="output folder (default runs/)"
    )
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return main


def run_synthetic(args: argparse.Namespace) -> None:
    folder = write_synthetic_cifar10(args.dir, args.train_size, args.test_size, args.seed)
    print(f"wrote the synthetic stand-in (NOT CIFAR-10) to {folder}")


def run_train(args: argparse.Namespace) -> None:
    device = pick_device(args.device)
    train_data = cifar10_dataset(args.data, train=True, download=args.download)
    test_data = cifar10_dataset(args.data, train=False)
    print(f"data: {describe_data(train_data)}; {describe_data(test_data)}")
    print(f"device: {describe(device)}")
    torch.manual_seed(args.seed)
    train_batches = InMemoryBatches(train_data, args.batch_size, shuffle=True, seed=args.seed)
    test_batches = InMemoryBatches(test_data, args.batch_size, shuffle=False)
    model = Net().to(memory_format=torch.channels_last)
    print(f"model: Net, {count_parameters(model):,} parameters")
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    history = fit(model, train_batches, device, args.epochs, test_batches, optimizer)
    args.out.mkdir(parents=True, exist_ok=True)
    save_checkpoint(args.out / "checkpoint.pt", model, optimizer, history)
    figure = plot_history(history, title=describe_data(train_data))
    save_figure(figure, args.out / "curves.png")
    print(f"saved {args.out / 'checkpoint.pt'} and {args.out / 'curves.png'}")


def save_figure(figure, path: Path) -> None:
    """Save atomically, then close the figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip("."), dpi=100)
    atomic_write(path, buffer.getvalue())
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        run_synthetic(args) if args.command == "synthetic" else run_train(args)
    except (OSError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
