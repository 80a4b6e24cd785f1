"""Train and validate a classifier.

    optimizer = torch.optim.SGD(model.parameters(), lr=0.004, momentum=0.9)
    history = fit(model, train_loader, device, epochs=4, val_batches=test_loader,
                  optimizer=optimizer)

`train_loader` is any iterable of (images, labels) batches: a DataLoader, or InMemoryBatches.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm import tqdm

from snippets.devices import to_device

LEARNING_RATE = 0.004  # the chapters' SGD learning rate (momentum 0.9); see "Train the network"


@dataclass
class History:
    """Per-epoch metrics, in the order the epochs ran."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)


def with_progress(batches: Iterable, description: str) -> Iterable:
    """The batches, behind a progress bar where one helps (a terminal, not CI).

    Plain tqdm, not tqdm.auto: the latter's asyncio part calls iter() on the batches when it is
    created, and a shuffled DataLoader iterated twice draws its order twice: the epoch would
    then see another order than the same loop written out by hand.
    """
    return tqdm(batches, desc=description, leave=False) if show_progress() else batches


def show_progress(stream=None) -> bool:
    """Progress bars on a terminal only, never under CI: logs, notebooks and pipes stay clean."""
    stream = sys.stderr if stream is None else stream
    return not os.environ.get("CI") and stream.isatty()


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
    for images, labels in with_progress(batches, description):
        images, labels = to_device((images, labels), device, non_blocking=True)
        optimizer.zero_grad()  # drop the last step's gradients (.grad becomes None)
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
    history: History | None = None,
) -> History:
    """Train for `epochs`, validating after each one when `val_batches` is given.

    The model moves to `device`; the optimizer defaults to SGD with momentum 0.9 and
    LEARNING_RATE. `log` receives one line per epoch (None for silence). Pass the `history` of
    a resumed run to continue its epoch count. Returns the History.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    to_device(model, device)
    optimizer = optimizer or torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9)
    history = history if history is not None else History()
    first = len(history.train_loss) + 1
    for epoch in range(first, first + epochs):
        loss = train_one_epoch(
            model, train_batches, optimizer, device, description=f"epoch {epoch}"
        )
        history.train_loss.append(loss)
        line = f"epoch {epoch}: train loss {loss:.3f}"
        if val_batches is not None:
            val_loss, val_accuracy = evaluate(model, val_batches, device)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            line += f", val loss {val_loss:.3f}, val accuracy {val_accuracy:.1%}"
        if log is not None:
            log(line)
    return history
