"""How fast the chapters' network trains, recipe by recipe, on this machine: tables of ratios.

    python benchmarks/training_speed.py                     # CPU tables (and GPU rows with CUDA)
    python benchmarks/training_speed.py --write             # also update benchmarks/results/
    python benchmarks/training_speed.py --skip-cpu --write  # GPU rows only (`make gpu-check`)

Every row trains the same network, from the same initial weights, on a 50,000-image stand-in
validated on its 10,000 test images (written once into data/stand-in-50k/, and again when the
stand-in generator has changed; the accuracies are the stand-in's, never CIFAR-10's).

- Epoch speed (CPU, GPU): images per second for one epoch, and the speed-up over the first row.
  The first row is the chapters' recipe the course notes' way (a DataLoader over PIL images,
  transforms applied per image, batch 64); each later row keeps the row above and changes what
  its first column says. Decode, compile and graph-capture times are reported apart.
- Time to accuracy (CPU; GPU in the GPU table's note): the chapters' recipe (batch 64, SGD lr
  LEARNING_RATE = 0.004, momentum 0.9) trains 2 epochs the notes' way, which sets the target:
  its validation accuracy. Faster recipes train until they reach it (checked every 1/8 epoch,
  the checks not timed); their time includes decoding the data.

torch.compile starts from an empty cache (a temporary TORCHINDUCTOR_CACHE_DIR), as on a fresh CI
machine; on the CPU, a new process then compiles the same step with that cache warm. The GPU
part keeps within the 90 s that `make gpu-check` gives it (tools/publish/gpu_session.sh), and with
--write rewrites its table after every row, so a run stopped at the limit still leaves one.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import itertools
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader

# Run as a script (`python benchmarks/training_speed.py`), the project root is not on the path:
# where the project is not installed (a bare GPU machine in `make gpu-check`), put it there.
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from snippets.cifar10 import (  # noqa: E402 (after the path above)
    LEARNING_RATE,
    CIFAR10StandIn,
    InMemoryBatches,
    Net,
    is_stand_in,
    train_transforms,
    write_stand_in,
)
from snippets.cifar10.speed import (
    GraphedTrainStep,
    adamw_warmup_cosine,
    bf16_cpu_flags,
    train_step,
    warmup_cosine,
)
from snippets.cifar10.stand_in import is_stale_stand_in
from snippets.devices import synchronize
from snippets.files import atomic_write

RESULTS = Path(__file__).parent / "results"
CPU = torch.device("cpu")
TARGET_EPOCHS = 2  # the chapters' recipe trains this long to set the time-to-accuracy target
CHECKS_PER_EPOCH = 8  # how often a recipe's validation accuracy is checked on its way there
# The fast recipe of the time-to-accuracy table: batch size, AdamW's peak learning rate, and the
# epochs its warm-up and cosine decay span (it stops as soon as it reaches the target).
FAST_BATCH, FAST_PEAK_LR, FAST_EPOCHS = 128, 0.01, 1
LARGE_BATCH = 256  # the CPU table's large batch; its learning rate scales with it
# tools/publish/gpu_session.sh stops the GPU part after 90 s; the budget counts from main(), so it
# leaves room for the imports before and the teardown after
GPU_BUDGET_S = 75


@dataclass
class Row:
    """One line of an epoch-speed table."""

    recipe: str
    seconds: float  # one epoch
    images: int
    note: str = ""


@dataclass
class Reached:
    """One line of a time-to-accuracy table."""

    recipe: str
    seconds: float
    epochs: float
    accuracy: float
    reached: bool = True


@dataclass
class Bench:
    """The data and initial weights that every row shares, and the decoded splits it reuses."""

    train: CIFAR10StandIn  # with the notes' PIL transforms, for the DataLoader rows
    test: CIFAR10StandIn
    initial: dict
    decoded: dict = field(default_factory=dict)

    def batches(self, batch_size: int, device: torch.device, train: bool = True) -> InMemoryBatches:
        """InMemoryBatches of a split, decoded once per (batch size, device, split)."""
        key = (batch_size, str(device), train)
        if key not in self.decoded:
            start = time.perf_counter()
            split = self.train if train else self.test
            self.decoded[key] = InMemoryBatches(split, batch_size, shuffle=train, device=device)
            self.decoded[key].decode_seconds = time.perf_counter() - start
        return self.decoded[key]

    def model(self, device: torch.device, channels_last: bool = True) -> Net:
        model = Net()
        model.load_state_dict(self.initial)
        model = model.to(device)
        return model.to(memory_format=torch.channels_last) if channels_last else model

    def loader(self, **options) -> DataLoader:
        """The notes' DataLoader: PIL images transformed one by one, batches of 64."""
        return DataLoader(
            self.train, 64, shuffle=True, generator=torch.Generator().manual_seed(0), **options
        )


# ---- timing and training ---------------------------------------------------------------------


def timed(device: torch.device, work: Callable[[], object]) -> float:
    """Seconds that `work` takes, the device's queued work included."""
    synchronize(device)
    start = time.perf_counter()
    work()
    synchronize(device)
    return time.perf_counter() - start


def logged(measured: Row | Reached) -> Row | Reached:
    """Print a measurement as soon as it is made (on stderr: stdout holds the tables)."""
    print(time.strftime("%H:%M:%S"), measured, file=sys.stderr, flush=True)
    return measured


def best_of(runs: int, device: torch.device, work: Callable[[], object]) -> float:
    """The fastest of a few runs: other programs on the machine only ever slow a run down."""
    return min(timed(device, work) for _ in range(runs))


def sgd(model: torch.nn.Module, lr: float = LEARNING_RATE) -> torch.optim.SGD:
    """The chapters' optimizer: SGD with momentum 0.9, at LEARNING_RATE unless scaled."""
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def epoch(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    batches: Iterable,
    device: torch.device,
    autocast: str | None = None,
    contiguous: bool = False,
) -> None:
    """One pass over `batches`, one optimizer step per batch."""
    model.train()
    for images, labels in batches:
        images = images.to(device, non_blocking=True)
        if contiguous:
            images = images.contiguous()  # plain NCHW layout instead of channels_last
        train_step(model, optimizer, images, labels.to(device, non_blocking=True), autocast)


def accuracy(model: torch.nn.Module, batches: Iterable, device: torch.device) -> float:
    """Validation accuracy (0 to 1) over `batches`; leaves the model in training mode."""
    model.eval()
    correct = count = 0
    with torch.inference_mode():
        for images, labels in batches:
            logits = model(images.to(device))
            correct += (logits.argmax(1) == labels.to(device)).sum().item()
            count += len(labels)
    model.train()
    return correct / count


def train_until(
    steps: Iterable,
    step: Callable,
    target: float,
    check_every: int,
    check: Callable[[], float],
    device: torch.device = CPU,
) -> tuple[float, int, float]:
    """Run `step(images, labels)` over `steps`, checking the accuracy every `check_every` steps
    (the checks untimed) until it reaches `target`: (seconds, steps run, last accuracy)."""
    iterator, seconds, done, reached = iter(steps), 0.0, 0, 0.0
    while True:
        synchronize(device)
        start, ran = time.perf_counter(), 0
        for images, labels in itertools.islice(iterator, check_every):
            step(images, labels)
            ran += 1
        synchronize(device)
        seconds += time.perf_counter() - start
        done += ran
        if ran:
            reached = check()
        if reached >= target or ran < check_every:
            return seconds, done, reached


# ---- CPU: epoch speed --------------------------------------------------------------------------


def cpu_rows(bench: Bench) -> tuple[list[Row], list[str]]:
    """The CPU epoch-speed rows, each keeping the row above, and the table's notes."""
    rows = data_rows(bench) + model_rows(bench)
    return rows, [accuracy_note(bench), evaluation_note(bench)]


def data_rows(bench: Bench) -> list[Row]:
    """The notes' DataLoader, with worker processes, then InMemoryBatches instead."""
    count = len(bench.train)
    model = bench.model(CPU, channels_last=False)
    notes_way = best_of(2, CPU, lambda: epoch(model, sgd(model), bench.loader(), CPU))
    title = "the chapters' recipe, the notes' way: DataLoader + PIL transforms, batch 64"
    rows = [logged(Row(title, notes_way, count))]
    workers = bench.loader(num_workers=2, persistent_workers=True)
    next(iter(workers))  # start the workers before timing
    model = bench.model(CPU, channels_last=False)
    seconds = best_of(2, CPU, lambda: epoch(model, sgd(model), workers, CPU))
    rows.append(logged(Row("+ 2 DataLoader worker processes", seconds, count)))
    memory = bench.batches(64, CPU)
    model = bench.model(CPU, channels_last=False)
    seconds = best_of(2, CPU, lambda: epoch(model, sgd(model), memory, CPU, contiguous=True))
    title = "InMemoryBatches instead of the DataLoader (decoded once), NCHW"
    note = f"+ {memory.decode_seconds:.1f} s to decode, once"
    rows.append(logged(Row(title, seconds, count, note)))
    return rows


def model_rows(bench: Bench) -> list[Row]:
    """channels_last, a large batch, bf16 autocast, torch.compile: each on top of the last."""
    count, memory = len(bench.train), bench.batches(64, CPU)
    model = bench.model(CPU)
    seconds = best_of(2, CPU, lambda: epoch(model, sgd(model), memory, CPU))
    rows = [logged(Row("+ channels_last", seconds, count))]
    large, lr = bench.batches(LARGE_BATCH, CPU), LEARNING_RATE * LARGE_BATCH / 64
    model = bench.model(CPU)
    seconds = best_of(2, CPU, lambda: epoch(model, sgd(model, lr), large, CPU))
    title = f"+ batch {LARGE_BATCH}, lr {lr:g} (scaled with the batch)"
    rows.append(logged(Row(title, seconds, count)))
    model = bench.model(CPU)
    bf16 = best_of(2, CPU, lambda: epoch(model, sgd(model, lr), large, CPU, autocast="cpu"))
    rows.append(logged(Row("+ bf16 autocast", bf16, count)))
    rows.append(logged(compiled_row("+ torch.compile", bench, large, lr, CPU, autocast="cpu")))
    return rows


def compiled_row(
    title: str,
    bench: Bench,
    batches: InMemoryBatches,
    lr: float,
    device: torch.device,
    autocast: str | None = None,
) -> Row:
    """torch.compile of the model: the first epoch compiles (once per batch shape; the last,
    smaller batch compiles again), the second is timed, the compile time is the difference.
    On the CPU, a new process then compiles the same step again with the cache now warm."""
    compiled = torch.compile(bench.model(device))
    work = functools.partial(epoch, compiled, sgd(compiled, lr), batches, device, autocast)
    first = timed(device, work)
    seconds = timed(device, work)
    note = f"+ {max(0.0, first - seconds):.0f} s to compile with an empty cache"
    if device.type == "cpu":
        note += f", {warm_compile_seconds(batches.batch_size, autocast):.0f} s with a warm one"
    return Row(title, seconds, len(batches.labels), note)


def warm_compile_seconds(batch_size: int, autocast: str | None) -> float:
    """The first compiled training step's extra time in a new process, as a reader re-running
    a notebook sees it: the inductor cache (TORCHINDUCTOR_CACHE_DIR) holds this step already."""
    command = [sys.executable, __file__, "--probe-compile", str(batch_size), autocast or "none"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return float(done.stdout.split()[-1])


def probe_compile(batch_size: int, autocast: str | None) -> None:
    """Print how much longer the first compiled training step takes than a steady one."""
    model = torch.compile(Net().to(memory_format=torch.channels_last))
    optimizer = sgd(model)
    images = torch.randn(batch_size, 3, 32, 32).to(memory_format=torch.channels_last)
    labels = torch.randint(0, 10, (batch_size,))
    step = functools.partial(train_step, model, optimizer, images, labels, autocast)
    first = timed(CPU, step)
    print(first - statistics.median(timed(CPU, step) for _ in range(10)))


def accuracy_note(bench: Bench) -> str:
    """Validation accuracy after 2 epochs: batch 64 against the large batch, lr scaled."""
    results = []
    for batch_size in (64, LARGE_BATCH):
        model = bench.model(CPU)
        optimizer = sgd(model, LEARNING_RATE * batch_size / 64)
        for _ in range(2):
            epoch(model, optimizer, bench.batches(batch_size, CPU), CPU)
        results.append(accuracy(model, bench.batches(1000, CPU, train=False), CPU))
    return (
        "Validation accuracy after 2 epochs of InMemoryBatches, channels_last:"
        f" batch 64 (lr {LEARNING_RATE:g}) {results[0]:.1%},"
        f" batch {LARGE_BATCH} (lr {LEARNING_RATE * LARGE_BATCH / 64:g}) {results[1]:.1%}."
    )


def evaluation_note(bench: Bench) -> str:
    """Evaluation of the test split under no_grad and under inference_mode."""
    model = bench.model(CPU).eval()
    batches = bench.batches(256, CPU, train=False)

    def run(manager) -> Callable[[], None]:
        def work() -> None:
            with manager():
                for images, _ in batches:
                    model(images)

        return work

    run(torch.no_grad)()  # warm up
    no_grad, inference = (best_of(3, CPU, run(m)) for m in (torch.no_grad, torch.inference_mode))
    return (
        f"Evaluation of {len(bench.test):,} test images: no_grad {no_grad:.2f} s,"
        f" inference_mode {inference:.2f} s ({no_grad / inference:.2f}x)."
    )


# ---- CPU: time to accuracy ---------------------------------------------------------------------


def cpu_time_to_accuracy(bench: Bench, use_bf16: bool) -> list[Reached]:
    """The chapters' recipe for 2 epochs sets the target; the fast recipe runs to it, in float32
    and, where the epoch-speed table found it faster, in bf16 autocast. Each is the faster of two
    identical runs (the same seeds give the same accuracy): other programs only slow a run."""
    baseline = logged(min((chapters_recipe(bench) for _ in range(2)), key=seconds_of))
    results = [baseline]
    for autocast in [None, "cpu"] if use_bf16 else [None]:
        runs = [fast_recipe(bench, baseline.accuracy, autocast) for _ in range(2)]
        results.append(logged(min(runs, key=seconds_of)))
    return results


def seconds_of(result: Reached) -> float:
    return result.seconds


def chapters_recipe(bench: Bench) -> Reached:
    """The chapters' recipe the notes' way, 2 epochs: its time and validation accuracy."""
    model = bench.model(CPU, channels_last=False)
    optimizer, loader = sgd(model), bench.loader()
    seconds = sum(
        timed(CPU, lambda: epoch(model, optimizer, loader, CPU)) for _ in range(TARGET_EPOCHS)
    )
    recipe = (
        "the chapters' recipe, the notes' way: DataLoader + PIL transforms, batch 64,"
        f" SGD lr {LEARNING_RATE:g}, momentum 0.9"
    )
    target = accuracy(model, bench.batches(1000, CPU, train=False), CPU)
    return Reached(recipe, seconds, TARGET_EPOCHS, target)


def fast_recipe(bench: Bench, target: float, autocast: str | None) -> Reached:
    """InMemoryBatches (decoding timed), channels_last, AdamW with warm-up and cosine decay."""
    start = time.perf_counter()
    batches = InMemoryBatches(bench.train, FAST_BATCH, shuffle=True)
    decode = time.perf_counter() - start
    model = bench.model(CPU)
    optimizer, schedule = adamw_warmup_cosine(model, FAST_PEAK_LR, FAST_EPOCHS * len(batches))

    def step(images, labels) -> None:
        train_step(model, optimizer, images, labels, autocast)
        schedule.step()

    test = bench.batches(1000, CPU, train=False)
    seconds, steps, reached = train_until(
        itertools.chain.from_iterable(itertools.repeat(batches, FAST_EPOCHS)),
        step,
        target,
        len(batches) // CHECKS_PER_EPOCH,
        lambda: accuracy(model, test, CPU),
    )
    precision = "bf16 autocast" if autocast else "float32"
    recipe = (
        f"InMemoryBatches, channels_last, batch {FAST_BATCH}, AdamW warmed up to lr"
        f" {FAST_PEAK_LR:g}, cosine decay over {FAST_EPOCHS} epoch, {precision}"
    )
    return Reached(recipe, decode + seconds, steps / len(batches), reached, reached >= target)


# ---- GPU ---------------------------------------------------------------------------------------


def graphed_epoch(
    graphed: GraphedTrainStep,
    batches: InMemoryBatches,
    batch_size: int,
    on_step: Callable[[], None] | None = None,
) -> int:
    """One epoch of whole batches through the graph; returns the number of images used."""
    used = 0
    for images, labels in batches:
        if len(labels) == batch_size:  # fixed shapes: the last, partial batch is left out
            if on_step is not None:
                on_step()
            graphed(images, labels)
            used += batch_size
    return used


class GpuTable:
    """The GPU rows, written (with --write) after each one, so that a run stopped by its time
    limit still leaves the rows it measured."""

    def __init__(self, bench: Bench, write: bool, started: float):
        self.bench, self.write, self.started = bench, write, started
        self.rows: list[Row] = []
        self.notes: list[str] = []

    def add(self, row: Row | None = None, note: str | None = None) -> None:
        self.rows += [row] if row else []
        self.notes += [note] if note else []
        print(f"[{time.perf_counter() - self.started:.0f} s] {row or note}", flush=True)
        if self.write:
            atomic_write(RESULTS / "training-speed-gpu.md", self.text().encode("utf-8"))

    def seconds_left(self) -> float:
        return GPU_BUDGET_S - (time.perf_counter() - self.started)

    def text(self) -> str:
        title = f"recipe, GPU ({len(self.bench.train):,} stand-in images)"
        return table(title, self.rows, self.notes, torch.cuda.get_device_name())


def gpu_rows(table_: GpuTable) -> None:
    """The GPU epoch-speed rows, then time to accuracy, then torch.compile if time is left."""
    bench, device = table_.bench, torch.device("cuda")
    count = len(bench.train)
    loader = bench.loader(num_workers=4, pin_memory=True, persistent_workers=True)
    next(iter(loader))  # start the workers before timing
    model = bench.model(device, channels_last=False)
    seconds = timed(device, lambda: epoch(model, sgd(model), loader, device))
    table_.add(
        Row(
            "the chapters' recipe, the notes' way: DataLoader (4 workers, pinned)"
            " + PIL transforms, batch 64",
            seconds,
            count,
        )
    )
    on_cpu = bench.batches(64, CPU)
    model = bench.model(device)
    seconds = timed(device, lambda: epoch(model, sgd(model), on_cpu, device))
    table_.add(Row("InMemoryBatches on the CPU, each batch copied to the GPU", seconds, count))
    resident = bench.batches(64, device)
    model = bench.model(device)
    epoch(model, sgd(model), itertools.islice(resident, 20), device)  # cuDNN picks algorithms
    seconds = timed(device, lambda: epoch(model, sgd(model), resident, device))
    table_.add(Row("data resident in GPU memory (channels_last)", seconds, count))
    graphed_rows(table_, resident)
    table_.add(note=gpu_time_to_accuracy(bench, device))
    compiled_gpu_row(table_)


def graphed_rows(table_: GpuTable, resident: InMemoryBatches) -> None:
    """A CUDA graph of the whole step at batch 64, then at a large batch in bf16 autocast."""
    bench, device = table_.bench, torch.device("cuda")
    used = [0]
    for batch_size, autocast in [(64, False), (512, True)]:
        batches = resident if batch_size == 64 else bench.batches(batch_size, device)
        model = bench.model(device)
        lr = LEARNING_RATE * batch_size / 64
        capture = time.perf_counter()
        graphed = GraphedTrainStep(model, sgd(model, lr), batch_size, autocast=autocast)
        capture = time.perf_counter() - capture
        seconds = timed(
            device,
            lambda g=graphed, b=batches, n=batch_size: used.__setitem__(0, graphed_epoch(g, b, n)),
        )
        title = (
            "+ CUDA graph of the whole step"
            if batch_size == 64
            else f"+ batch {batch_size}, lr {lr:g}, bf16 autocast (CUDA graph)"
        )
        table_.add(Row(title, seconds, used[0], f"+ {capture:.2f} s to capture, once"))


def compiled_gpu_row(table_: GpuTable) -> None:
    """torch.compile at batch 512 in bf16 autocast, if the time limit leaves room for it."""
    title = "batch 512, bf16 autocast, torch.compile (no CUDA graph)"
    if table_.seconds_left() < 40:  # a cold compile of the whole step takes tens of seconds
        table_.add(note=f"{title}: not measured, to stay within the run's time limit.")
        return
    bench, device = table_.bench, torch.device("cuda")
    batches, lr = bench.batches(512, device), LEARNING_RATE * 512 / 64
    try:
        table_.add(compiled_row(f"{title}", bench, batches, lr, device, autocast="cuda"))
    except Exception as error:  # reported in the table; the rows above are kept
        table_.add(Row(title, float("nan"), len(bench.train), f"failed: {type(error).__name__}"))


def gpu_time_to_accuracy(bench: Bench, device: torch.device) -> str:
    """The chapters' recipe (data resident, eager) for 2 epochs sets the target; the same
    recipe in a CUDA graph, and AdamW with warm-up at batch 128 in a graph, run to it."""
    test = bench.batches(1000, device, train=False)
    model = bench.model(device)
    optimizer, resident = sgd(model), bench.batches(64, device)
    baseline = sum(
        timed(device, lambda: epoch(model, optimizer, resident, device)) for _ in range(2)
    )
    target = accuracy(model, test, device)
    lines = [
        f"Time to accuracy: the chapters' recipe (batch 64, SGD lr {LEARNING_RATE:g}, momentum"
        f" 0.9, data resident, eager) reaches {target:.1%} validation accuracy after 2 epochs in"
        f" {baseline:.2f} s of training. To the same accuracy, data resident:"
    ]
    recipes = [
        ("the chapters' recipe in a CUDA graph", 64, "sgd", LEARNING_RATE, TARGET_EPOCHS),
        (
            f"batch {FAST_BATCH}, AdamW warmed up to lr {FAST_PEAK_LR:g}, cosine decay over"
            f" {FAST_EPOCHS} epoch, bf16 autocast, CUDA graph",
            FAST_BATCH,
            "adamw",
            FAST_PEAK_LR,
            FAST_EPOCHS,
        ),
    ]
    for description, batch_size, kind, peak, epochs in recipes:
        try:
            result = graphed_to(bench, device, target, batch_size, kind, peak, epochs)
            verdict = (
                f"**{result.seconds:.2f} s** ({epoch_count(result.epochs)}, {result.accuracy:.1%})"
                if result.reached
                else f"not reached ({result.accuracy:.1%} after {epoch_count(result.epochs)})"
            )
        except Exception as error:  # a failed recipe is reported, and the others still run
            verdict = f"failed ({type(error).__name__}: {error})"
        lines.append(f"- {description}: {verdict}")
    return "\n".join(lines)


def graphed_to(
    bench: Bench,
    device: torch.device,
    target: float,
    batch_size: int,
    kind: str,
    peak: float,
    epochs: int,
) -> Reached:
    """One recipe as a CUDA graph, run until it reaches `target` (checked every epoch)."""
    batches, test = bench.batches(batch_size, device), bench.batches(1000, device, train=False)
    model = bench.model(device)
    if kind == "sgd":
        optimizer, lr = sgd(model, peak), None
    else:  # the learning rate lives in a tensor that the graph reads at each replay
        lr = torch.tensor(peak, device=device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, capturable=True)
    graphed = GraphedTrainStep(model, optimizer, batch_size, autocast=kind != "sgd")
    per_epoch = len(batches.labels) // batch_size
    total, counter = epochs * per_epoch, itertools.count()
    warmup = max(1, round(0.1 * total))

    def step(images, labels) -> None:
        if lr is not None:
            lr.fill_(peak * warmup_cosine(next(counter), warmup, total))
        graphed(images, labels)

    whole = (
        batch
        for batch in itertools.chain.from_iterable(itertools.repeat(batches, epochs))
        if len(batch[1]) == batch_size
    )
    seconds, steps, reached = train_until(
        whole, step, target, per_epoch, lambda: accuracy(model, test, device), device
    )
    return Reached("", seconds, steps / per_epoch, reached, reached >= target)


# ---- the tables ----------------------------------------------------------------------------------


def table(title: str, rows: list[Row], notes: list[str], machine: str) -> str:
    """An epoch-speed table in Markdown, its notes and the machine under it."""
    lines = [f"| {title} | images/s | epoch | speed-up |", "| --- | ---: | ---: | ---: |"]
    base = rows[0].images / rows[0].seconds if rows else float("nan")
    for row in rows:
        rate = row.images / row.seconds
        note = f" ({row.note})" if row.note else ""
        lines.append(
            f"| {row.recipe} | {rate:,.0f} | {row.seconds:.2f} s{note} | {rate / base:.1f}x |"
        )
    return "\n".join([*lines, "", *notes, measured_on(machine)]) + "\n"


def accuracy_table(title: str, results: list[Reached], test_images: int, machine: str) -> str:
    """The time-to-accuracy table in Markdown: time, epochs and accuracy, ratio to row 1."""
    lines = [
        f"| {title} | trained for | time | val accuracy | speed-up |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        ratio = f"{results[0].seconds / result.seconds:.1f}x" if result.reached else "-"
        time_ = f"{result.seconds:.1f} s" if result.reached else "not reached"
        lines.append(
            f"| {result.recipe} | {epoch_count(result.epochs)} | {time_} | {result.accuracy:.1%}"
            f" | {ratio} |"
        )
    target = results[0].accuracy
    notes = (
        f"The target is the first row's validation accuracy after {TARGET_EPOCHS} epochs,"
        f" {target:.1%} on the stand-in's {test_images:,} test images. The other rows check"
        f" theirs every 1/{CHECKS_PER_EPOCH} epoch and stop at the target; the checks are not"
        " timed, decoding the data is. Each row is the faster of two identical runs."
    )
    return "\n".join([*lines, "", notes, measured_on(machine)]) + "\n"


def epoch_count(value: float) -> str:
    """Epochs to the checks' spacing (1/CHECKS_PER_EPOCH): "0.875 epochs", "1 epoch"."""
    rounded = round(value * CHECKS_PER_EPOCH) / CHECKS_PER_EPOCH
    return f"{rounded:g} epoch" + ("" if rounded == 1 else "s")


def measured_on(machine: str) -> str:
    return (
        f"Measured on {machine}, torch {torch.__version__.split('+')[0]},"
        f" {datetime.date.today().isoformat()}."
    )


def cpu_machine() -> str:
    """The CPU in words: model, the vector instructions ATen uses, bfloat16 ones, threads."""
    flags = bf16_cpu_flags()
    bf16 = (
        "bf16 instructions unknown"
        if flags is None
        else f"bf16 instructions: {', '.join(flags)}"
        if flags
        else "no bf16 instructions"
    )
    capability = torch.backends.cpu.get_cpu_capability()
    return (
        f"{cpu_model()} ({platform.machine()}, ATen {capability}, {bf16}),"
        f" {torch.get_num_threads()} threads"
    )


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or "CPU"


# ---- main --------------------------------------------------------------------------------------


def stand_in(root: Path) -> Bench:
    """The 50,000-image stand-in in `root`, written there first if missing or stale."""
    if is_stale_stand_in(root):
        print(f"{root} holds a stand-in from another generator version: writing it again")
    if is_stale_stand_in(root) or not is_stand_in(root):
        print(f"writing a 50,000-image stand-in to {root} (once) ...", flush=True)
        write_stand_in(root, train_size=50_000, test_size=10_000)
    torch.manual_seed(0)  # the chapters' initial weights
    initial = Net().state_dict()
    train = CIFAR10StandIn(root, train=True, transform=train_transforms())
    return Bench(train, CIFAR10StandIn(root, train=False), initial)


def cpu_tables(bench: Bench) -> dict[str, str]:
    """The CPU's epoch-speed and time-to-accuracy tables, by file name."""
    rows, notes = cpu_rows(bench)
    machine = cpu_machine()
    title = f"recipe, CPU ({len(bench.train):,} stand-in images)"
    bf16 = next(i for i, row in enumerate(rows) if row.recipe == "+ bf16 autocast")
    results = cpu_time_to_accuracy(bench, use_bf16=rows[bf16].seconds < rows[bf16 - 1].seconds)
    return {
        "training-speed-cpu.md": table(title, rows, notes, machine),
        "time-to-accuracy-cpu.md": accuracy_table(
            f"recipe, CPU ({len(bench.train):,} stand-in images)",
            results,
            len(bench.test),
            machine,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data/stand-in-50k"))
    parser.add_argument("--write", action="store_true", help=f"update the tables in {RESULTS}")
    parser.add_argument("--skip-cpu", action="store_true", help="GPU rows only")
    # internal: the warm-cache compile time, measured in a new process (warm_compile_seconds)
    parser.add_argument("--probe-compile", nargs=2, metavar=("BATCH", "AUTOCAST"))
    args = parser.parse_args()
    if args.probe_compile:
        batch_size, autocast = args.probe_compile
        return probe_compile(int(batch_size), None if autocast == "none" else autocast)
    started = time.perf_counter()  # the GPU part's time limit counts from here with --skip-cpu
    # torch.compile's first compile starts from an empty cache, as on a fresh CI machine
    with tempfile.TemporaryDirectory(prefix="training-speed-inductor-") as cache:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
        bench = stand_in(args.data)
        if not args.skip_cpu:
            for name, text in cpu_tables(bench).items():
                print(text)
                if args.write:
                    atomic_write(RESULTS / name, text.encode("utf-8"))
                    print(f"wrote {RESULTS / name}")
        if torch.cuda.is_available():
            torch.backends.cudnn.benchmark = True  # pick the fastest convolution for each shape
            gpu = GpuTable(bench, args.write, started if args.skip_cpu else time.perf_counter())
            gpu_rows(gpu)
            print(gpu.text())
            print(f"GPU part done after {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
