"""How fast the notes' network trains, recipe by recipe, on this machine: one table of ratios.

    python benchmarks/training_speed.py            # CPU rows (and GPU rows where CUDA exists)
    python benchmarks/training_speed.py --write    # also update benchmarks/results/ (the chapter)

Every row trains the same network, from the same initial weights, on a 50,000-image stand-in
(written once into data/stand-in-50k/; speed does not depend on what the pixels show, and the
accuracies are the stand-in's, not CIFAR-10's). Each row reports images per second for one epoch
and its speed-up over the first row, the course notes' way: a DataLoader over PIL images with the
transforms applied per image, batch 64. Compile and graph-capture times are reported apart.

Accuracy is part of speed: a recipe that changes the batch size is only faster if it reaches the
same validation accuracy. The "time to accuracy" table trains the notes' recipe (batch 64, SGD
lr 0.01, momentum 0.9) for 2 epochs, then measures how long the fastest recipe takes to reach the
accuracy that recipe reached.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from snippets.cifar10 import (
    CIFAR10StandIn,
    InMemoryBatches,
    Net,
    is_stand_in,
    train_transforms,
    write_stand_in,
)
from snippets.cifar10.speed import GraphedTrainStep, train_step, warmup_cosine
from snippets.devices import synchronize
from snippets.files import atomic_write

RESULTS = Path(__file__).parent / "results"


@dataclass
class Row:
    recipe: str
    seconds: float  # one epoch
    images: int
    note: str = ""


def timed(device: torch.device, work: Callable[[], None]) -> float:
    synchronize(device)
    start = time.perf_counter()
    work()
    synchronize(device)
    return time.perf_counter() - start


def best_of(runs: int, device: torch.device, work: Callable[[], None]) -> float:
    """The fastest of a few runs: other programs on the machine only ever slow a run down."""
    return min(timed(device, work) for _ in range(runs))


def sgd(model: torch.nn.Module, lr: float = 0.01) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def fresh_model(initial: dict, device: torch.device, channels_last: bool = False):
    model = Net()
    model.load_state_dict(initial)
    model = model.to(device)
    return model.to(memory_format=torch.channels_last) if channels_last else model


def epoch(model, optimizer, batches, device, autocast=None, contiguous=False) -> None:
    model.train()
    for images, labels in batches:
        images = images.to(device, non_blocking=True)
        if contiguous:
            images = images.contiguous()  # plain NCHW layout instead of channels_last
        train_step(model, optimizer, images, labels.to(device, non_blocking=True), autocast)


def accuracy(model, batches, device) -> float:
    model.eval()
    correct = count = 0
    with torch.inference_mode():
        for images, labels in batches:
            logits = model(images.to(device))
            correct += (logits.argmax(1) == labels.to(device)).sum().item()
            count += len(labels)
    return correct / count


def evaluation_speed(model, batches, device) -> tuple[float, float]:
    """Seconds for one pass over `batches` under no_grad and under inference_mode."""
    model.eval()

    def run(manager):
        def work():
            with manager():
                for images, _ in batches:
                    model(images.to(device))

        return work

    run(torch.no_grad)()  # warm up
    best = [min(timed(device, run(manager)) for _ in range(3)) for manager in MANAGERS]
    return best[0], best[1]


MANAGERS = (torch.no_grad, torch.inference_mode)


def compiled_row(title: str, model, batches, lr: float, device, autocast=None) -> Row:
    """A row for torch.compile: the first epoch compiles (once per batch shape), the second is
    timed; the compile time is the difference."""
    compiled = torch.compile(model)
    optimizer = sgd(compiled, lr)
    first = timed(device, lambda: epoch(compiled, optimizer, batches, device, autocast=autocast))
    seconds = timed(device, lambda: epoch(compiled, optimizer, batches, device, autocast=autocast))
    note = f"+ {first - seconds:.0f} s to compile, once"
    return Row(title, seconds, len(batches.labels), note)


# ---- CPU ---------------------------------------------------------------------------------------


def cpu_rows(dataset, test, initial, batches_for: Callable) -> tuple[list[Row], list[str]]:
    device = torch.device("cpu")
    count = len(dataset)
    rows = []
    model = fresh_model(initial, device)
    loader = DataLoader(dataset, batch_size=64, shuffle=True)
    rows.append(
        Row(
            "the notes' way: DataLoader + PIL transforms, batch 64",
            timed(device, lambda: epoch(model, sgd(model), loader, device)),
            count,
        )
    )
    model = fresh_model(initial, device)
    workers = DataLoader(
        dataset, batch_size=64, shuffle=True, num_workers=2, persistent_workers=True
    )
    next(iter(workers))  # start the workers before timing
    rows.append(
        Row(
            "+ 2 DataLoader worker processes",
            timed(device, lambda: epoch(model, sgd(model), workers, device)),
            count,
        )
    )
    memory = batches_for(64, device)
    model = fresh_model(initial, device)
    rows.append(
        Row(
            "decoded once, in memory (InMemoryBatches), NCHW",
            best_of(2, device, lambda: epoch(model, sgd(model), memory, device, contiguous=True)),
            count,
            f"+ {memory.decode_seconds:.1f} s to decode, once",
        )
    )
    model = fresh_model(initial, device, channels_last=True)
    rows.append(
        Row(
            "+ channels_last",
            best_of(2, device, lambda: epoch(model, sgd(model), memory, device)),
            count,
        )
    )
    large = batches_for(256, device)
    model = fresh_model(initial, device, channels_last=True)
    rows.append(
        Row(
            "+ batch 256, lr 0.04",
            best_of(2, device, lambda: epoch(model, sgd(model, 0.04), large, device)),
            count,
        )
    )
    model = fresh_model(initial, device, channels_last=True)
    rows.append(
        Row(
            "+ bf16 autocast",
            timed(device, lambda: epoch(model, sgd(model, 0.04), large, device, autocast="cpu")),
            count,
        )
    )
    notes = []
    model = fresh_model(initial, device, channels_last=True)
    rows.append(compiled_row("+ torch.compile (batch 256, fp32)", model, large, 0.04, device))
    no_grad, inference = evaluation_speed(
        fresh_model(initial, device, channels_last=True),
        batches_for(256, device, train=False),
        device,
    )
    notes.append(
        f"Evaluation of {len(test):,} test images: no_grad {no_grad:.2f} s,"
        f" inference_mode {inference:.2f} s ({no_grad / inference:.2f}x)."
    )
    return rows, notes


def accuracy_check(train, test, initial, device, batches_for) -> str:
    """Validation accuracy after 2 epochs: batch 64 at lr 0.01 against batch 256 at lr 0.04."""
    results = []
    for batch_size, lr in [(64, 0.01), (256, 0.04)]:
        torch.manual_seed(0)
        model = fresh_model(initial, device, channels_last=True)
        optimizer = sgd(model, lr)
        batches = batches_for(batch_size, device)
        for _ in range(2):
            epoch(model, optimizer, batches, device)
        results.append(accuracy(model, batches_for(256, device, train=False), device))
    return (
        f"Validation accuracy after 2 epochs: batch 64 (lr 0.01) {results[0]:.1%},"
        f" batch 256 (lr 0.04, scaled with the batch) {results[1]:.1%}."
    )


# ---- GPU ---------------------------------------------------------------------------------------


def graphed_epoch(
    graphed: GraphedTrainStep, batches: InMemoryBatches, batch_size: int, on_step=None
):
    """One epoch of whole batches through the graph; returns the number of images used."""
    used = 0
    for images, labels in batches:
        if len(labels) == batch_size:  # fixed shapes: the last, partial batch is left out
            if on_step is not None:
                on_step()
            graphed(images, labels)
            used += batch_size
    return used


def gpu_rows(dataset, test, initial, batches_for) -> tuple[list[Row], list[str]]:
    device = torch.device("cuda")
    count = len(dataset)
    rows = []
    model = fresh_model(initial, device)
    loader = DataLoader(
        dataset,
        batch_size=64,
        shuffle=True,
        num_workers=4,
        pin_memory=True,
        persistent_workers=True,
    )
    next(iter(loader))  # start the workers before timing
    seconds = timed(device, lambda: epoch(model, sgd(model), loader, device))
    rows.append(
        Row(
            "the notes' way: DataLoader (4 workers, pinned) + PIL transforms, batch 64",
            seconds,
            count,
        )
    )
    on_cpu = batches_for(64, torch.device("cpu"))
    model = fresh_model(initial, device, channels_last=True)
    seconds = timed(device, lambda: epoch(model, sgd(model), on_cpu, device))
    rows.append(
        Row("decoded once on the CPU, each batch copied to the GPU, batch 64", seconds, count)
    )
    resident = batches_for(64, device)
    model = fresh_model(initial, device, channels_last=True)
    epoch(model, sgd(model), resident, device)  # warm up cuDNN's choice of algorithms
    model = fresh_model(initial, device, channels_last=True)
    seconds = timed(device, lambda: epoch(model, sgd(model), resident, device))
    rows.append(Row("data resident in GPU memory, batch 64", seconds, count))
    model = fresh_model(initial, device, channels_last=True)
    capture = time.perf_counter()
    graphed = GraphedTrainStep(model, sgd(model), 64)
    capture = time.perf_counter() - capture
    used = [0]
    seconds = timed(device, lambda: used.__setitem__(0, graphed_epoch(graphed, resident, 64)))
    note = f"+ {capture:.1f} s to capture, once"
    rows.append(Row("+ CUDA graph of the whole step, batch 64", seconds, used[0], note))
    for batch_size in (512, 4096):
        big = batches_for(batch_size, device)
        model = fresh_model(initial, device, channels_last=True)
        graphed = GraphedTrainStep(model, sgd(model, 0.08), batch_size, autocast=True)
        seconds = timed(
            device,
            lambda b=big, g=graphed, n=batch_size: used.__setitem__(0, graphed_epoch(g, b, n)),
        )
        rows.append(Row(f"+ batch {batch_size}, bf16 autocast, CUDA graph", seconds, used[0]))
    model = fresh_model(initial, device, channels_last=True)
    big = batches_for(512, device)
    title = "batch 512, bf16 autocast, torch.compile (no graph)"
    try:
        rows.append(compiled_row(title, model, big, 0.08, device, autocast="cuda"))
    except Exception as error:  # reported in the table; the other measurements still run
        rows.append(Row(title, float("nan"), count, f"failed: {type(error).__name__}"))
    eval_model = fresh_model(initial, device, channels_last=True)
    no_grad, inference = evaluation_speed(eval_model, batches_for(1000, device, False), device)
    notes = [
        f"Evaluation of {len(test):,} test images: no_grad {no_grad * 1e3:.1f} ms,"
        f" inference_mode {inference * 1e3:.1f} ms."
    ]
    notes += time_to_accuracy(initial, device, batches_for)
    return rows, notes


RECIPES = [  # (description, batch size, optimizer, peak lr, epochs of the schedule)
    ("the notes' recipe in a CUDA graph (batch 64, SGD lr 0.01)", 64, "sgd", 0.01, None),
    ("batch 128, Adam lr 0.003 with warm-up and cosine decay over 3 epochs", 128, "adam", 0.003, 3),
    ("batch 256, Adam lr 0.004 with warm-up and cosine decay over 4 epochs", 256, "adam", 0.004, 4),
]


def time_to_accuracy(initial, device, batches_for) -> list[str]:
    """The notes' recipe for 2 epochs sets the target; each recipe trains until it reaches it."""
    test = batches_for(1000, device, train=False)
    model = fresh_model(initial, device, channels_last=True)
    optimizer = sgd(model)
    resident = batches_for(64, device)
    baseline = sum(
        timed(device, lambda: epoch(model, optimizer, resident, device)) for _ in range(2)
    )
    target = accuracy(model, test, device)
    lines = [
        f"Time to accuracy. The notes' recipe (batch 64, SGD lr 0.01, momentum 0.9, data"
        f" resident, eager) reaches {target:.1%} validation accuracy after 2 epochs, in"
        f" {baseline:.2f} s of training. To the same accuracy (bf16 autocast, data resident):"
    ]
    for description, batch_size, kind, peak, schedule_epochs in RECIPES:
        try:
            lines.append(
                f"- {description}: "
                + train_to(
                    target, initial, device, batches_for, batch_size, kind, peak, schedule_epochs
                )
            )
        except Exception as error:  # a failed recipe is reported, and the others still run
            lines.append(f"- {description}: failed ({type(error).__name__}: {error})")
    return ["\n".join(lines)]


def train_to(target, initial, device, batches_for, batch_size, kind, peak, schedule_epochs):
    """Train one recipe epoch by epoch until it reaches `target`; the verdict in words."""
    test = batches_for(1000, device, train=False)
    batches = batches_for(batch_size, device)
    model = fresh_model(initial, device, channels_last=True)
    if kind == "sgd":
        optimizer, lr = sgd(model, peak), None
    else:  # the learning rate lives in a tensor that the graph reads at each replay
        lr = torch.tensor(peak, device=device)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, capturable=True)
    graphed = GraphedTrainStep(model, optimizer, batch_size, autocast=kind != "sgd")
    steps_per_epoch = len(batches.labels) // batch_size
    total = (schedule_epochs or 1) * steps_per_epoch
    counter = [0]
    warmup = max(1, steps_per_epoch // 10)

    def schedule():
        if lr is not None:
            lr.fill_(peak * warmup_cosine(counter[0], warmup, total))
        counter[0] += 1

    training, reached, epochs = 0.0, 0.0, 0
    while epochs < (schedule_epochs or 2) and reached < target:
        training += timed(device, lambda: graphed_epoch(graphed, batches, batch_size, schedule))
        epochs += 1
        reached = accuracy(model, test, device)
    verdict = (
        f"**{training:.2f} s** ({epochs} epochs, {reached:.1%})"
        if reached >= target
        else f"not reached in {epochs} epochs ({reached:.1%} after {training:.2f} s)"
    )
    return verdict


# ---- the table ---------------------------------------------------------------------------------


def table(title: str, rows: list[Row], notes: list[str], machine: str) -> str:
    base = rows[0].images / rows[0].seconds
    lines = [
        f"| {title} | images/s | epoch | speed-up |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        rate = row.images / row.seconds
        note = f" ({row.note})" if row.note else ""
        lines.append(
            f"| {row.recipe} | {rate:,.0f} | {row.seconds:.2f} s{note} | {rate / base:.1f}x |"
        )
    lines.append("")
    lines += notes
    lines.append(
        f"Measured on {machine}, torch {torch.__version__.split('+')[0]},"
        f" {datetime.date.today().isoformat()}."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data/stand-in-50k"))
    parser.add_argument("--write", action="store_true", help=f"update the tables in {RESULTS}")
    parser.add_argument("--skip-cpu", action="store_true", help="GPU rows only")
    args = parser.parse_args()
    if not is_stand_in(args.data):
        print(f"writing a 50,000-image stand-in to {args.data} (once) ...", flush=True)
        write_stand_in(args.data, train_size=50_000, test_size=10_000)
    dataset = CIFAR10StandIn(args.data, train=True, transform=train_transforms())
    test = CIFAR10StandIn(args.data, train=False)
    torch.manual_seed(0)
    initial = Net().state_dict()

    decoded: dict = {}

    def batches_for(batch_size: int, device: torch.device, train: bool = True) -> InMemoryBatches:
        key = (batch_size, str(device), train)
        if key not in decoded:
            start = time.perf_counter()
            decoded[key] = InMemoryBatches(
                dataset if train else test, batch_size, shuffle=train, device=device
            )
            decoded[key].decode_seconds = time.perf_counter() - start
        return decoded[key]

    outputs = {}
    if not args.skip_cpu:
        machine = f"{platform.machine()} CPU, {torch.get_num_threads()} threads"
        rows, notes = cpu_rows(dataset, test, initial, batches_for)
        notes.insert(0, accuracy_check(dataset, test, initial, torch.device("cpu"), batches_for))
        outputs["training-speed-cpu.md"] = table(
            f"recipe, CPU ({len(dataset):,} stand-in images)", rows, notes, machine
        )
    if torch.cuda.is_available():
        machine = torch.cuda.get_device_name()
        torch.backends.cudnn.benchmark = True  # pick the fastest convolution for each shape
        rows, notes = gpu_rows(dataset, test, initial, batches_for)
        outputs["training-speed-gpu.md"] = table(
            f"recipe, GPU ({len(dataset):,} stand-in images)", rows, notes, machine
        )
    for name, text in outputs.items():
        print(text)
        if args.write:
            atomic_write(RESULTS / name, text.encode("utf-8"))
            print(f"wrote {RESULTS / name}")


if __name__ == "__main__":
    main()
