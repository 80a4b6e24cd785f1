"""Training steps for speed: bf16 autocast, a whole step captured as a CUDA graph, the
learning-rate warm-up that large batches need, and what a CPU offers for bfloat16.

    optimizer, schedule = adamw_warmup_cosine(model, peak_lr=0.01, total_steps=len(batches))
    for images, labels in batches:                 # e.g. InMemoryBatches(train_data, 128)
        train_step(model, optimizer, images, labels)
        schedule.step()                            # once per batch

    step = GraphedTrainStep(model, optimizer, batch_size=64)   # on a CUDA device
    for images, labels in InMemoryBatches(train_data, 64, device="cuda"):
        if len(labels) == 64:
            step(images, labels)

benchmarks/training_speed.py measures what each of these gains; the chapter "Training faster"
explains them.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.lr_scheduler import LambdaLR

# What /proc/cpuinfo calls the CPU's bfloat16 instructions: x86's AVX-512 BF16 and AMX-BF16, and
# Arm's BF16 extension. Without them, bfloat16 arithmetic is emulated in float32 code paths.
BF16_FLAGS = ("avx512_bf16", "amx_bf16", "bf16")


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    images: torch.Tensor,
    labels: torch.Tensor,
    autocast: str | None = None,
) -> torch.Tensor:
    """One optimizer step; with `autocast` ("cpu" or "cuda") the forward pass runs in bfloat16."""
    optimizer.zero_grad(set_to_none=True)
    precision = (
        torch.autocast(autocast, dtype=torch.bfloat16) if autocast else contextlib.nullcontext()
    )
    with precision:
        loss = F.cross_entropy(model(images), labels)
    loss.backward()  # outside autocast: gradients in the weights' own dtype, float32
    optimizer.step()
    return loss


# --8<-- [start:graphed]
class GraphedTrainStep:
    """One whole training step (forward, loss, backward, optimizer step) as one CUDA graph.

    Launching a small network's kernels one by one costs CPU time at every step, which a fast GPU
    may spend waiting; a graph replays them all with one launch. The inputs live in fixed tensors
    that each call fills, so every batch must have the same size. The optimizer must keep its
    state in tensors: SGD does; Adam needs `capturable=True` (and a tensor learning rate to change
    it between steps).
    """

    def __init__(self, model, optimizer, batch_size: int, autocast: bool = False):
        device = next(model.parameters()).device
        if device.type != "cuda":
            raise ValueError(f"CUDA graphs need a model on a CUDA device, got {device}")
        self.model, self.optimizer, self.autocast = model, optimizer, autocast
        self.images = torch.zeros(batch_size, 3, 32, 32, device=device)
        self.images = self.images.to(memory_format=torch.channels_last)
        self.labels = torch.zeros(batch_size, dtype=torch.long, device=device)
        saved = {key: value.clone() for key, value in model.state_dict().items()}
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm-up steps allocate what the graph will reuse
            for _ in range(3):
                self._step()
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        optimizer.zero_grad(set_to_none=True)
        with torch.cuda.graph(self.graph):
            self.loss = self._step()  # refilled by every replay
        with torch.no_grad():  # undo the warm-up: weights and optimizer state start fresh
            for key, value in model.state_dict().items():
                value.copy_(saved[key])
            for state in optimizer.state.values():
                for value in state.values():
                    if torch.is_tensor(value):
                        value.zero_()

    def _step(self) -> torch.Tensor:
        autocast = "cuda" if self.autocast else None
        return train_step(self.model, self.optimizer, self.images, self.labels, autocast)

    def __call__(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if images.shape != self.images.shape:
            raise ValueError(
                f"the graph was captured for batches of {tuple(self.images.shape)}, got"
                f" {tuple(images.shape)}; drop the last, smaller batch"
            )
        self.images.copy_(images)
        self.labels.copy_(labels)
        self.graph.replay()
        return self.loss


# --8<-- [end:graphed]


# --8<-- [start:warmup_cosine]
def warmup_cosine(step: int, warmup_steps: int, total_steps: int) -> float:
    """The learning-rate factor at `step`: a linear warm-up to 1, then a cosine decay to 0."""
    if warmup_steps < 1 or total_steps < warmup_steps:
        raise ValueError(
            f"need 1 <= warmup_steps <= total_steps, got {warmup_steps} and {total_steps}"
        )
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


# --8<-- [end:warmup_cosine]


# --8<-- [start:adamw_warmup_cosine]
def adamw_warmup_cosine(
    model: nn.Module, peak_lr: float, total_steps: int, warmup_share: float = 0.1
) -> tuple[torch.optim.AdamW, LambdaLR]:
    """AdamW whose learning rate warms up to `peak_lr` over the first `warmup_share` of
    `total_steps`, then decays to 0 along a cosine; step the schedule once per batch."""
    if peak_lr <= 0 or not 0 < warmup_share <= 1:
        raise ValueError(
            f"need peak_lr > 0 and 0 < warmup_share <= 1, got {peak_lr} and {warmup_share}"
        )
    optimizer = torch.optim.AdamW(model.parameters(), lr=peak_lr)
    warmup_steps = max(1, round(warmup_share * total_steps))
    # LambdaLR sets each step's learning rate to peak_lr times the factor
    schedule = LambdaLR(optimizer, lambda step: warmup_cosine(step, warmup_steps, total_steps))
    return optimizer, schedule


# --8<-- [end:adamw_warmup_cosine]


def bf16_cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> list[str] | None:
    """The bfloat16 instructions that the CPU lists in `cpuinfo` (Linux), e.g. ["avx512_bf16"];
    an empty list where it lists none, None where there is no such file (macOS, Windows)."""
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    listed = set()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features"):  # x86 and Arm spell the line differently
            listed.update(value.split())
    return [flag for flag in BF16_FLAGS if flag in listed]
