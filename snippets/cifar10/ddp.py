"""Train the notes' network with DistributedDataParallel: one process per CPU share or GPU.

    torchrun --standalone --nproc-per-node 2 -m snippets.cifar10.ddp --epochs 2    # 2 CPU processes
    torchrun --standalone --nproc-per-node 4 -m snippets.cifar10.ddp               # 4 GPUs (nccl)
    torchrun --nnodes 2 --nproc-per-node 8 --rdzv-backend c10d --rdzv-id job1 \\
        --rdzv-endpoint host0:29400 -m snippets.cifar10.ddp          # 2 machines: run it on both
    torchrun --standalone --nproc-per-node 2 -m snippets.cifar10.ddp --demo join   # uneven inputs
    python -m snippets.cifar10.ddp                                                 # 1 process

torchrun starts the processes and gives each its RANK, LOCAL_RANK and WORLD_SIZE. Wrapping the
model in DistributedDataParallel copies (broadcasts) rank 0's weights and buffers to every rank;
in every backward() DDP all-reduces (averages) the gradients, so every optimizer step is the same
on every rank and the weights stay identical. The DistributedSampler, seeded the same on every
rank, shares out each epoch's shuffle in equal shares (padded by repeating a few images where the
data does not divide evenly). Rank 0 alone logs, validates (the plain model, `model.module`) and
writes the checkpoint; after a barrier, every rank may read it (`--resume`). Backend: gloo on
CPUs, nccl on CUDA GPUs. A rank waits at most `--timeout` seconds for the others.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
from torch.nn.parallel import DistributedDataParallel
from torch.optim import Optimizer
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from snippets.cifar10.batches import InMemoryBatches
from snippets.cifar10.checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from snippets.cifar10.data import cifar10_dataset, describe_data
from snippets.cifar10.model import Net
from snippets.cifar10.training import LEARNING_RATE, History, evaluate
from snippets.devices import to_device

BACKENDS = ("gloo", "nccl")
ModelMaker = Callable[[], nn.Module]  # Net, or (in the tests) a model with BatchNorm
# torch's own default for gloo (nccl's is 10 minutes); long enough for rank 0 to download the data
# while the others wait at the barrier.
DEFAULT_TIMEOUT_S = 1800


class LaunchError(ValueError):
    """The launch cannot work as asked; the message says why and what to run instead."""


def parser() -> argparse.ArgumentParser:
    """The script's command line (see the module docstring for how torchrun starts it)."""
    command = argparse.ArgumentParser(
        prog="torchrun ... -m snippets.cifar10.ddp", description=__doc__.split("\n\n")[0]
    )
    command.add_argument("--epochs", type=int, default=2, help="default 2")
    command.add_argument("--batch-size", type=int, default=64, help="per process (default 64)")
    command.add_argument("--lr", type=float, default=LEARNING_RATE, help="SGD learning rate")
    command.add_argument("--backend", choices=BACKENDS, help="default: nccl with CUDA, else gloo")
    command.add_argument("--out", type=Path, default=Path("runs/ddp"), help="checkpoint folder")
    command.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    command.add_argument("--images", type=int, help="train on the first N images (default all)")
    command.add_argument(
        "--accumulate", type=int, default=1, help="batches per optimizer step (default 1)"
    )
    command.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help=f"seconds a rank waits for the others before failing (default {DEFAULT_TIMEOUT_S})",
    )
    command.add_argument("--resume", type=Path, help="a checkpoint to continue from")
    command.add_argument("--demo", choices=["join"], help="a short demonstration, no training")
    return command


def launch_settings(environ: dict, cuda_devices: int) -> tuple[int, int, int]:
    """(rank, local rank, world size) from torchrun's variables; (0, 0, 1) without torchrun."""
    try:
        rank = int(environ.get("RANK", 0))
        local_rank = int(environ.get("LOCAL_RANK", 0))
        world_size = int(environ.get("WORLD_SIZE", 1))
    except ValueError as error:
        raise LaunchError(f"RANK, LOCAL_RANK and WORLD_SIZE must be integers ({error})") from None
    if not 0 <= rank < world_size:
        raise LaunchError(f"RANK {rank} is outside WORLD_SIZE {world_size}; start with torchrun")
    return rank, local_rank, world_size


def choose_backend(asked: str | None, cuda_devices: int, local_rank: int) -> str:
    """gloo for CPUs, nccl for GPUs; a backend that cannot work here fails before any work."""
    backend = asked or ("nccl" if cuda_devices else "gloo")
    if backend == "nccl" and cuda_devices == 0:
        raise LaunchError(
            "the nccl backend needs CUDA GPUs and this machine has none; use --backend gloo"
            " (or leave --backend out) to train on CPUs"
        )
    if backend == "nccl" and local_rank >= cuda_devices:
        raise LaunchError(
            f"process {local_rank} has no GPU of its own: this machine has {cuda_devices};"
            f" start at most {cuda_devices} processes per node (--nproc-per-node)"
        )
    return backend


def check_share(images: int, world_size: int, batch_size: int) -> None:
    """Each process must get at least one whole batch per epoch."""
    if batch_size < 1:
        raise LaunchError(f"--batch-size must be a positive integer, got {batch_size}")
    if images // world_size < batch_size:
        raise LaunchError(
            f"{world_size} processes share {images:,} training images: {images // world_size} each,"
            f" less than one batch of {batch_size}; start fewer processes or use a smaller"
            " --batch-size"
        )


def check_arguments(args: argparse.Namespace, distributed: bool) -> None:
    """Reject numbers that cannot work, and a demo without the processes it needs."""
    for name in ("epochs", "accumulate", "images"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise LaunchError(f"--{name} must be a positive integer, got {value}")
    if args.timeout <= 0:
        raise LaunchError(f"--timeout must be a positive number of seconds, got {args.timeout}")
    if args.resume is not None and not args.resume.is_file():
        raise LaunchError(f"--resume {args.resume}: no such checkpoint; train without --resume")
    if args.demo and not distributed:
        raise LaunchError(
            f"--demo {args.demo} needs several processes: start it with torchrun --nproc-per-node 2"
        )


def checksums(model: nn.Module, distributed: bool) -> list[float]:
    """Every rank's sum of its weights and buffers (float64), in rank order, on every rank."""
    tensors = model.state_dict().values()
    local = torch.stack([t.detach().double().sum() for t in tensors]).sum().reshape(1)
    if not distributed:
        return [local.item()]
    gathered = [torch.zeros_like(local) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, local)  # on the model's device: nccl gathers GPU tensors only
    return [value.item() for value in gathered]


def largest_difference(model: nn.Module, distributed: bool) -> float:
    """The largest gap, over all ranks, between a weight (or buffer) and rank 0's copy of it."""
    mine = torch.cat([t.detach().double().reshape(-1) for t in model.state_dict().values()])
    if not distributed:
        return 0.0
    rank0 = mine.clone()
    dist.broadcast(rank0, src=0)
    gap = (mine - rank0).abs().max().reshape(1)
    dist.all_reduce(gap, op=dist.ReduceOp.MAX)
    return gap.item()


def rank_list(values: Iterable[float]) -> str:
    """Per-rank checksums for the log: `0.1234, 0.1234`."""
    return ", ".join(f"{value:.4f}" for value in values)


@dataclass
class AllReduceCount:
    """How many gradient all-reduces DDP has run since `count_allreduces` attached it."""

    calls: int = 0


def count_allreduces(model: DistributedDataParallel) -> AllReduceCount:
    """Attach a communication hook that does DDP's usual all-reduce, and counts the calls.

    DDP packs the gradients into buckets (a few megabytes each) and all-reduces each bucket
    through this hook; Net's gradients (about 250 KB) fit in one, so here one call is one
    all-reduce per backward(). Attach it before the first forward().
    """
    count = AllReduceCount()
    model.register_comm_hook(count, counted_allreduce)
    return count


# No annotations on the hook: DDP compares them with dist.GradBucket and torch.futures.Future,
# and `from __future__ import annotations` would turn them into strings that fail that check.
def counted_allreduce(count, bucket):  # (AllReduceCount, dist.GradBucket) -> Future[Tensor]
    """DDP's default all-reduce of one gradient bucket (the mean over all ranks), counted."""
    count.calls += 1
    return default_hooks.allreduce_hook(None, bucket)  # None: the default process group


# --8<-- [start:accumulate]
def train_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: Optimizer,
    device: torch.device,
    accumulate: int = 1,
) -> float:
    """One pass over the batches, one optimizer step per `accumulate` batches; the mean loss.

    Under DDP each backward() all-reduces the gradients, unless it runs inside
    model.no_sync(): there they only add up in .grad, and the next backward() outside it
    all-reduces the sum. So `accumulate` batches cost one all-reduce and one step.
    """
    model.train()
    total_loss, count = 0.0, 0
    optimizer.zero_grad()
    for step, (images, labels) in enumerate(loader, start=1):
        images, labels = to_device((images, labels), device, non_blocking=True)
        last = step % accumulate == 0 or step == len(loader)  # this batch ends a group
        ddp = isinstance(model, DistributedDataParallel)
        with model.no_sync() if ddp and not last else nullcontext():
            loss = nn.functional.cross_entropy(model(images), labels)
            (loss / accumulate).backward()  # the group's gradients add up to its mean
        if last:
            optimizer.step()
            optimizer.zero_grad()
        total_loss += loss.item() * len(labels)
        count += len(labels)
    return total_loss / count


# --8<-- [end:accumulate]


# --8<-- [start:checkpoint]
def save_for_every_rank(
    path: Path, plain: nn.Module, optimizer: Optimizer, epoch: int, history: History, rank: int
) -> None:
    """Rank 0 writes the checkpoint; the barrier keeps the others from reading it too early."""
    if rank == 0:  # one writer: every rank holds the same weights
        save_checkpoint(path, plain, optimizer, epoch, history)  # plain: model.module
    if dist.is_initialized():
        dist.barrier()  # every rank waits here until rank 0 has written the file


def load_on_this_rank(
    path: Path, plain: nn.Module, optimizer: Optimizer, device: torch.device
) -> Checkpoint:
    """Each rank reads the checkpoint straight onto its own device (cuda:1 for rank 1, ...)."""
    return load_checkpoint(path, plain, optimizer, map_location=device)


# --8<-- [end:checkpoint]


def train(args: argparse.Namespace, environ: dict, build_model: ModelMaker = Net) -> None:
    """Join the process group (when torchrun started us), run, and always leave the group."""
    cuda_devices = torch.cuda.device_count()
    rank, local_rank, world_size = launch_settings(environ, cuda_devices)
    backend = choose_backend(args.backend, cuda_devices, local_rank)
    distributed = "RANK" in environ  # started by torchrun: even a world of one joins a group
    check_arguments(args, distributed)
    # --8<-- [start:setup]
    device = torch.device(f"cuda:{local_rank}" if backend == "nccl" else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)  # this process's own GPU, for nccl and for .cuda()
    if distributed:
        timeout = timedelta(seconds=args.timeout)  # how long a rank waits for the others
        gpu = device if device.type == "cuda" else None
        dist.init_process_group(backend, timeout=timeout, device_id=gpu)
    try:
        if args.demo == "join":
            uneven_inputs(rank, world_size, device)
        else:
            nodes = int(environ.get("GROUP_WORLD_SIZE", 1))  # torchrun: the machines
            run(args, rank, (world_size, nodes), device, build_model)
    finally:
        if distributed:
            dist.destroy_process_group()  # close the connections before the process ends
    # --8<-- [end:setup]


def training_images(rank: int, distributed: bool, images: int | None) -> tuple[TensorDataset, str]:
    """The training split as normalised NCHW tensors (the first `images`), and its description."""
    if rank == 0:  # one process writes the data (or downloads it) while the others wait
        train_data = cifar10_dataset(train=True)
    if distributed:
        dist.barrier()
    if rank != 0:
        train_data = cifar10_dataset(train=True)
    decoded = InMemoryBatches(train_data)  # decode once: (N, 32, 32, 3) normalised floats
    count = len(decoded.labels) if images is None else min(images, len(decoded.labels))
    nchw = decoded.images[:count].permute(0, 3, 1, 2)  # (count, 3, 32, 32), a view
    return TensorDataset(nchw, decoded.labels[:count]), describe_data(train_data)


def run(
    args: argparse.Namespace,
    rank: int,
    world: tuple[int, int],
    device: torch.device,
    build_model: ModelMaker = Net,
) -> None:
    """Train, validate on rank 0, save a checkpoint after every epoch; log from rank 0.

    `world` is (processes, machines); without a process group (no torchrun) it is (1, 1).
    """
    world_size = world[0]
    distributed = dist.is_initialized()
    log = print if rank == 0 else (lambda *_: None)
    dataset, data = training_images(rank, distributed, args.images)
    check_share(len(dataset), world_size, args.batch_size)
    # --8<-- [start:core]
    sampler = DistributedSampler(  # the same seed on every rank: one shuffle, shared out
        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed
    )
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler)
    torch.manual_seed(args.seed + rank)  # each rank its own random numbers (dropout, ...)
    plain = build_model().to(device)  # the model itself, `model.module` under DDP
    optimizer = torch.optim.SGD(plain.parameters(), lr=args.lr, momentum=0.9)
    history, done = History(), 0
    if args.resume:  # every rank reads the same file: the same weights, the same momentum
        checkpoint = load_on_this_rank(args.resume, plain, optimizer, device)
        history, done = checkpoint.history, checkpoint.epoch
    before = checksums(plain, distributed)
    model, allreduces = plain, None
    if distributed:  # wrapping copies rank 0's weights and buffers to every rank
        ids = [device] if device.type == "cuda" else None
        model = DistributedDataParallel(plain, device_ids=ids)
        allreduces = count_allreduces(model)
    log_start(log, args, world, len(sampler), data, before, checksums(plain, distributed))
    if rank == 0:
        test_batches = InMemoryBatches(cifar10_dataset(train=False), 256, shuffle=False)
    for epoch in range(done + 1, done + args.epochs + 1):
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank
        calls = allreduces.calls if distributed else 0
        loss = mean_over_ranks(train_epoch(model, loader, optimizer, device, args.accumulate))
        history.train_loss.append(loss)
        line = f"epoch {epoch}: train loss {loss:.3f}"
        if rank == 0:  # the plain model: DDP's forward would wait for the other ranks
            val_loss, val_accuracy = evaluate(plain, test_batches, device)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            line += f", val accuracy {val_accuracy:.1%}"
        if distributed:
            calls = allreduces.calls - calls
            line += f" ({len(loader)} batches, {calls} gradient all-reduces per rank)"
        log(line)
        save_for_every_rank(args.out / "cifar10-net.pt", plain, optimizer, epoch, history, rank)
    # --8<-- [end:core]
    if distributed:
        gap = largest_difference(plain, distributed)
        log(f"after training, largest difference between the ranks' weights: {gap}")
    log(f"saved {args.out / 'cifar10-net.pt'}")


def log_start(
    log: Callable[[str], None],
    args: argparse.Namespace,
    world: tuple[int, int],
    share: int,
    data: str,
    before: list[float],
    after: list[float],
) -> None:
    """What this run is: processes, nodes, data, where it resumed, the weights' checksums."""
    world_size, nodes = world
    backend = dist.get_backend() if dist.is_initialized() else "none"
    log(
        f"{world_size} process(es) on {nodes} node(s), backend {backend}, {share} images each"
        f" per epoch, batch {args.batch_size} per process"
    )
    log(f"data: {data}")
    if args.resume:
        log(f"resumed from {args.resume} on every rank")
    if world_size > 1:
        log(f"weights' checksum per rank, as built: {rank_list(before)}")
        log(f"after DistributedDataParallel(model): {rank_list(after)}")


def mean_over_ranks(value: float) -> float:
    """The mean of one number over all ranks (the number itself without a process group)."""
    if not dist.is_initialized():
        return value
    device = "cuda" if dist.get_backend() == "nccl" else "cpu"  # nccl reduces GPU tensors
    total = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(total)  # the sum over ranks ...
    return total.item() / dist.get_world_size()  # ... into the mean


def uneven_inputs(rank: int, world_size: int, device: torch.device) -> None:
    """Rank r trains on 3 + 2r batches of random images; model.join() lets the ranks differ."""
    log = print if rank == 0 else (lambda *_: None)
    torch.manual_seed(rank)  # DDP makes the weights rank 0's; the images differ per rank
    model = DistributedDataParallel(
        Net().to(device), device_ids=[device] if device.type == "cuda" else None
    )
    allreduces = count_allreduces(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9)
    batches = [
        (torch.randn(16, 3, 32, 32, device=device), torch.randint(10, (16,), device=device))
        for _ in range(3 + 2 * rank)
    ]
    # --8<-- [start:join]
    with model.join():  # a rank out of batches stands in for the all-reduces it misses
        for images, labels in batches:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(images), labels).backward()
            optimizer.step()
    # --8<-- [end:join]
    counts = [None] * world_size
    dist.all_gather_object(counts, (len(batches), allreduces.calls))
    for other, (steps, calls) in enumerate(counts):
        log(f"rank {other}: {steps} batches, {calls} gradient all-reduces")
    gap = largest_difference(model, distributed=True)
    log(f"afterwards, largest difference between the ranks' weights: {gap}")


def main(
    argv: list[str] | None = None, environ: dict | None = None, build_model: ModelMaker = Net
) -> int:
    """Run the script; 2 (with the reason on stderr) for a launch that cannot work."""
    args = parser().parse_args(argv)
    try:
        train(args, dict(os.environ) if environ is None else environ, build_model)
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except dist.DistNetworkError as error:
        if "EADDRINUSE" in str(error) or "address already in use" in str(error):
            port = (environ or os.environ).get("MASTER_PORT", "?")
            print(
                f"error: port {port} is in use by another program; pick a free one"
                " (torchrun --master-port N), or let torchrun --standalone choose",
                file=sys.stderr,
            )
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
