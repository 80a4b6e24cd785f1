"""Train the notes' network with DistributedDataParallel: one process per CPU share or GPU.

    torchrun --standalone --nproc-per-node 2 -m snippets.cifar10.ddp --epochs 2    # 2 CPU processes
    torchrun --standalone --nproc-per-node 4 -m snippets.cifar10.ddp               # 4 GPUs (nccl)
    torchrun --nnodes 2 --nproc-per-node 8 --rdzv-backend c10d \\
        --rdzv-endpoint host0:29500 -m snippets.cifar10.ddp                        # 2 machines
    python -m snippets.cifar10.ddp                                                 # 1 process

torchrun starts the processes and gives each its RANK, LOCAL_RANK and WORLD_SIZE. Every process
builds the same model, DistributedDataParallel all-reduces (averages) the gradients in backward(),
so every optimizer step is the same on every rank and the weights stay identical; the
DistributedSampler gives each rank its own share of every epoch's shuffled images. Rank 0 alone
logs, validates and writes the checkpoint. Backend: gloo on CPUs, nccl on CUDA GPUs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from snippets.cifar10.batches import InMemoryBatches
from snippets.cifar10.checkpoints import save_checkpoint
from snippets.cifar10.data import cifar10_dataset, describe_data
from snippets.cifar10.model import Net
from snippets.cifar10.training import LEARNING_RATE, History, evaluate, train_one_epoch

BACKENDS = ("gloo", "nccl")


class LaunchError(ValueError):
    """The launch cannot work as asked; the message says why and what to run instead."""


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="torchrun ... -m snippets.cifar10.ddp", description=__doc__.split("\n\n")[0]
    )
    command.add_argument("--epochs", type=int, default=2, help="default 2")
    command.add_argument("--batch-size", type=int, default=64, help="per process (default 64)")
    command.add_argument("--lr", type=float, default=LEARNING_RATE, help="SGD learning rate")
    command.add_argument("--backend", choices=BACKENDS, help="default: nccl with CUDA, else gloo")
    command.add_argument("--out", type=Path, default=Path("runs/ddp"), help="checkpoint folder")
    command.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
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


def same_on_every_rank(model: torch.nn.Module, world_size: int) -> bool:
    """Whether all ranks hold the same weights: compare one float64 checksum per rank."""
    checksum = torch.stack([p.detach().double().sum() for p in model.parameters()]).sum()
    checksum = checksum.reshape(1).to(next(model.parameters()).device)
    gathered = [torch.zeros_like(checksum) for _ in range(world_size)]
    dist.all_gather(gathered, checksum)
    return all(torch.equal(other, gathered[0]) for other in gathered)


def train(args: argparse.Namespace, environ: dict) -> None:
    cuda_devices = torch.cuda.device_count()
    rank, local_rank, world_size = launch_settings(environ, cuda_devices)
    backend = choose_backend(args.backend, cuda_devices, local_rank)
    if args.epochs < 1:
        raise LaunchError(f"--epochs must be a positive integer, got {args.epochs}")
    device = torch.device(f"cuda:{local_rank}" if backend == "nccl" else "cpu")
    distributed = "RANK" in environ  # started by torchrun: even a world of one joins a group
    if distributed:
        dist.init_process_group(backend, device_id=device if backend == "nccl" else None)
    try:
        run(args, rank, world_size, device, distributed)
    finally:
        if distributed:
            dist.destroy_process_group()


def run(args, rank: int, world_size: int, device: torch.device, distributed: bool) -> None:
    log = print if rank == 0 else (lambda *_: None)
    if rank == 0:  # one process writes the data (or downloads it) while the others wait
        train_data = cifar10_dataset(train=True)
    if distributed:
        dist.barrier()
    if rank != 0:
        train_data = cifar10_dataset(train=True)
    check_share(len(train_data), world_size, args.batch_size)
    # --8<-- [start:core]
    decoded = InMemoryBatches(train_data)  # decode once: (N, 32, 32, 3) normalised floats
    dataset = TensorDataset(decoded.images.permute(0, 3, 1, 2), decoded.labels)  # NCHW view
    sampler = DistributedSampler(
        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed
    )
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler)
    torch.manual_seed(args.seed)  # the same initial weights on every rank
    model = Net().to(device)
    if distributed:
        model = DistributedDataParallel(
            model, device_ids=[device] if device.type == "cuda" else None
        )
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    log(
        f"{world_size} process(es), backend {dist.get_backend() if distributed else 'none'},"
        f" {len(sampler)} images each per epoch, batch {args.batch_size} per process"
    )
    log(f"data: {describe_data(train_data)}")
    history = History()
    if rank == 0:
        test_batches = InMemoryBatches(cifar10_dataset(train=False), 256, shuffle=False)
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank
        loss = torch.tensor(train_one_epoch(model, loader, optimizer, device), device=device)
        if distributed:
            dist.all_reduce(loss)  # the sum over ranks ...
            loss /= world_size  # ... into the mean
        history.train_loss.append(loss.item())
        if rank == 0:
            val_loss, val_accuracy = evaluate(model, test_batches, device)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            log(f"epoch {epoch}: train loss {loss.item():.3f}, val accuracy {val_accuracy:.1%}")
    # --8<-- [end:core]
    if distributed:
        log(f"weights identical on all {world_size} ranks: {same_on_every_rank(model, world_size)}")
    if rank == 0:
        plain = model.module if distributed else model  # the Net inside DDP's wrapper
        path = save_checkpoint(args.out / "cifar10-net.pt", plain, optimizer, args.epochs, history)
        log(f"saved {path}")


def main(argv: list[str] | None = None, environ: dict | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        train(args, dict(os.environ) if environ is None else environ)
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
