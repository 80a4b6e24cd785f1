"""Train and validate a classifier; save and load checkpoints.

    history = fit(model, train_loader, device, epochs=3, val_batches=test_loader)
    save_checkpoint("runs/checkpoint.pt", model, optimizer, history)

`train_loader` is any iterable of (images, labels) batches: a DataLoader, or InMemoryBatches.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn
from tqdm.auto import tqdm

from snippets.devices import to_device
from snippets.files import atomic_write


@dataclass
class History:
    """Per-epoch metrics, in the order the epochs ran."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)


def quiet() -> bool:
    """No progress bars when output is not a terminal (logs, notebooks, pipes) or under CI."""
    return bool(os.environ.get("CI")) or not sys.stderr.isatty()


# --8<-- [start:train_one_epoch]
def train_one_epoch(
    model: nn.Module,
    batches: Iterable,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
    loss_fn: Callable = nn.functional.cross_entropy,
    description: str = "training",
) -> float:
    """One pass over the training batches; returns the mean training loss."""
    model.train()
    total_loss, count = 0.0, 0
    for images, labels in tqdm(batches, desc=description, leave=False, disable=quiet()):
        images, labels = to_device((images, labels), device, non_blocking=True)
        optimizer.zero_grad()  # gradients accumulate: start each step from zero
        loss = loss_fn(model(images), labels)  # (B, 10) logits vs (B,) labels
        loss.backward()  # compute gradients
        optimizer.step()  # update the parameters
        total_loss += loss.item() * len(labels)
        count += len(labels)
    return total_loss / count


# --8<-- [end:train_one_epoch]


# --8<-- [start:evaluate]
def evaluate(
    model: nn.Module,
    batches: Iterable,
    device: torch.device,
    loss_fn: Callable = nn.functional.cross_entropy,
) -> tuple[float, float]:
    """Mean loss and accuracy (0 to 1) over the batches, without training."""
    model.eval()  # layers such as dropout and batch norm switch to evaluation behaviour
    total_loss, correct, count = 0.0, 0, 0
    with torch.inference_mode():  # no graph, no gradients: faster and lighter
        for images, labels in batches:
            images, labels = to_device((images, labels), device, non_blocking=True)
            logits = model(images)
            total_loss += loss_fn(logits, labels).item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            count += len(labels)
    return total_loss / count, correct / count


# --8<-- [end:evaluate]


def fit(
    model: nn.Module,
    train_batches: Iterable,
    device: torch.device,
    epochs: int = 1,
    val_batches: Iterable | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    log: Callable[[str], None] | None = print,
) -> History:
    """Train for `epochs`, validating after each one when `val_batches` is given.

    The model moves to `device`; the optimizer defaults to SGD with momentum (lr 0.01). `log`
    receives one line per epoch (None for silence). Returns the History.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    to_device(model, device)
    optimizer = optimizer or torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    history = History()
    for epoch in range(1, epochs + 1):
        loss = train_one_epoch(
            model, train_batches, optimizer, device, description=f"epoch {epoch}"
        )
        history.train_loss.append(loss)
        line = f"epoch {epoch}/{epochs}: train loss {loss:.3f}"
        if val_batches is not None:
            val_loss, val_accuracy = evaluate(model, val_batches, device)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            line += f", val loss {val_loss:.3f}, val accuracy {val_accuracy:.1%}"
        if log is not None:
            log(line)
    return history


# ---- checkpoints --------------------------------------------------------------------------


class CorruptCheckpointError(RuntimeError):
    """A checkpoint file cannot be read; the message names it and the fix."""


def save_checkpoint(
    path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer, history: History
) -> None:
    """Save model, optimizer and history atomically: a crash never leaves half a file."""
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "history": asdict(history),
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    atomic_write(path, buffer.getvalue())


def load_checkpoint(
    path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer | None = None
) -> History:
    """Restore a checkpoint written by save_checkpoint into `model` (and `optimizer`)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no checkpoint at {path}; train first: python -m snippets.cifar10 train"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        if optimizer is not None:
            optimizer.load_state_dict(state["optimizer"])
        return History(**state["history"])
    except (RuntimeError, KeyError, TypeError, EOFError, ValueError) as error:
        raise CorruptCheckpointError(
            f"{path} is not a readable checkpoint of this model ({type(error).__name__}: {error});"
            " delete it and train again"
        ) from error
