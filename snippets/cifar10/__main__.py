"""Command line for CIFAR-10: train the notes' network, evaluate it, export it, write the stand-in.

    python -m snippets.cifar10 train --epochs 4 --out runs        # real CIFAR-10, downloaded once
    python -m snippets.cifar10 evaluate --checkpoint runs/cifar10-net.pt
    python -m snippets.cifar10 export --checkpoint runs/cifar10-net.pt --out runs/cifar10-net.pt2
    python -m snippets.cifar10 stand-in data/stand-in             # the offline stand-in

Set CIFAR10_STAND_IN=1 to train and evaluate on the offline stand-in (synthetic images, NOT
CIFAR-10). Every file is written atomically; a bad argument is reported before any work starts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import torch

from snippets.cifar10.batches import InMemoryBatches
from snippets.cifar10.checkpoints import load_checkpoint, read_checkpoint, save_checkpoint
from snippets.cifar10.data import cifar10_dataset, describe_data
from snippets.cifar10.evaluation import confusion_matrix, per_class_accuracy, predict_all
from snippets.cifar10.figures import plot_history
from snippets.cifar10.model import Net, count_parameters
from snippets.cifar10.stand_in import CLASSES, write_stand_in
from snippets.cifar10.training import LEARNING_RATE, fit
from snippets.devices import describe, pick_device
from snippets.files import save_figure

CHECKPOINT_NAME = "cifar10-net.pt"
EXPORT_SUFFIXES = (".pt2", ".onnx")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m snippets.cifar10", description=__doc__.split("\n\n")[0]
    )
    commands = main.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train",
        help="train the notes' network, validating after each epoch",
        description="Train on CIFAR-10 (downloaded into --data when missing) or, with"
        " CIFAR10_STAND_IN=1, on the stand-in; print one line per epoch; save"
        f" OUT/{CHECKPOINT_NAME} and OUT/curves.png.",
    )
    add_data_options(train)
    train.add_argument("--epochs", type=positive_int, default=4, help="default 4")
    train.add_argument("--batch-size", type=positive_int, default=64, help="default 64")
    train.add_argument(
        "--lr",
        type=positive_float,
        default=LEARNING_RATE,
        help=f"SGD learning rate (default {LEARNING_RATE})",
    )
    train.add_argument("--out", type=Path, default=Path("runs"), help="output folder (runs/)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    evaluate = commands.add_parser(
        "evaluate",
        help="accuracy of a checkpoint on the test split, overall and per class",
        description="Load a checkpoint written by `train` and measure it on the test split.",
    )
    evaluate.add_argument("--checkpoint", type=Path, required=True, help="a .pt checkpoint")
    add_data_options(evaluate)

    export = commands.add_parser(
        "export",
        help="export a checkpoint as a torch.export program (.pt2) or an ONNX file (.onnx)",
        description="Load a checkpoint and write it for serving; --out's suffix picks the format.",
    )
    export.add_argument("--checkpoint", type=Path, required=True, help="a .pt checkpoint")
    export.add_argument("--out", type=Path, required=True, help="FILE.pt2 or FILE.onnx")

    stand_in = commands.add_parser(
        "stand-in",
        help="write the offline stand-in in CIFAR-10's on-disk format (NOT CIFAR-10)",
        description="Write DIR/cifar-10-batches-py/ with synthetic images that torchvision's"
        " CIFAR-10 loader reads: each class a coloured shape plus noise. For offline work.",
    )
    stand_in.add_argument("dir", type=Path, help="folder to write into (created if missing)")
    stand_in.add_argument("--train-size", type=positive_int, default=5000, help="default 5000")
    stand_in.add_argument("--test-size", type=positive_int, default=1000, help="default 1000")
    stand_in.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return main


def add_data_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--data", type=Path, default=None, help="data folder (default: CIFAR10_DIR, else data/)"
    )
    command.add_argument(
        "--no-download", action="store_true", help="fail instead of downloading missing data"
    )
    command.add_argument(
        "--device",
        default="auto",
        help="auto (default: CUDA, MPS, XPU, else CPU; PET_DEVICE overrides), cpu, cuda,"
        " cuda:N, mps",
    )


def check_writable(folder: Path) -> None:
    """Fail now, not after the training, when the output folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise PermissionError(
            f"cannot write to {folder}/ ({error.strerror or error}); choose another --out"
        ) from None


def run_train(args: argparse.Namespace) -> None:
    check_writable(args.out)
    device = pick_device(args.device)
    train_data = cifar10_dataset(args.data, train=True, download=not args.no_download)
    test_data = cifar10_dataset(args.data, train=False, download=not args.no_download)
    print(f"data: {describe_data(train_data)}; {describe_data(test_data)}")
    print(f"device: {describe(device)}")
    torch.manual_seed(args.seed)
    train_batches = InMemoryBatches(train_data, args.batch_size, shuffle=True, seed=args.seed)
    test_batches = InMemoryBatches(test_data, 256, shuffle=False)
    model = Net().to(memory_format=torch.channels_last)
    print(f"model: Net, {count_parameters(model):,} parameters")
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    history = fit(model, train_batches, device, args.epochs, test_batches, optimizer)
    checkpoint = args.out / CHECKPOINT_NAME
    save_checkpoint(checkpoint, model, optimizer, epoch=args.epochs, history=history)
    save_figure(plot_history(history, title=describe_data(train_data)), args.out / "curves.png")
    print(f"saved {checkpoint} and {args.out / 'curves.png'}")


def run_evaluate(args: argparse.Namespace) -> None:
    read_checkpoint(args.checkpoint)  # a missing or damaged file fails before any data work
    device = pick_device(args.device)
    model = Net()
    load_checkpoint(args.checkpoint, model)
    test_data = cifar10_dataset(args.data, train=False, download=not args.no_download)
    model.to(device)
    predictions = predict_all(model, InMemoryBatches(test_data, 256, shuffle=False), device)
    matrix = confusion_matrix(predictions.labels, predictions.predicted)
    accuracy = matrix.diagonal().sum().item() / matrix.sum().item()
    print(f"data: {describe_data(test_data)}")
    print(f"accuracy: {accuracy:.1%}")
    for name, share in zip(CLASSES, per_class_accuracy(matrix), strict=True):
        print(f"  {name:10} {share:.1%}")


def run_export(args: argparse.Namespace) -> None:
    if args.out.suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"--out must end in .pt2 or .onnx, got {args.out.name!r}")
    check_writable(args.out.parent)
    from snippets.cifar10.export import export_onnx, export_program

    model = Net()
    load_checkpoint(args.checkpoint, model)
    model.eval()
    if args.out.suffix == ".pt2":
        export_program(model, args.out)
    else:
        export_onnx(model, args.out)
    print(f"exported {args.checkpoint} to {args.out}")


def run_stand_in(args: argparse.Namespace) -> None:
    folder = write_stand_in(args.dir, args.train_size, args.test_size, args.seed)
    print(f"wrote the stand-in (synthetic images, NOT CIFAR-10) to {folder}")


COMMANDS = {
    "train": run_train,
    "evaluate": run_evaluate,
    "export": run_export,
    "stand-in": run_stand_in,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except (OSError, ValueError, RuntimeError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
