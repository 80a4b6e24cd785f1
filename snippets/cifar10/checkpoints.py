"""Checkpoints: save a model (with its optimizer, epoch and history), load it back, resume.

    save_checkpoint("runs/cifar10-net.pt", model, optimizer, epoch=4, history=history)
    checkpoint = load_checkpoint("runs/cifar10-net.pt", Net(), optimizer)
    checkpoint.epoch, checkpoint.history          # where training stopped

A checkpoint holds tensors and plain Python values only, so `torch.load(..., weights_only=True)`
reads it: no code runs while loading. It is written atomically, so an interrupted save never
leaves half a file that a later run would trust. Loading maps every tensor to the CPU first
(`map_location`), so weights saved on a GPU load on any machine; move the model afterwards.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from snippets.cifar10.training import History
from snippets.files import atomic_write

FORMAT = "pytorch-essential-training checkpoint 1"


class CorruptCheckpointError(RuntimeError):
    """A checkpoint file cannot be read; the message names it and the fix."""


class CheckpointMismatchError(RuntimeError):
    """A checkpoint holds the weights of another model; the message says which differ."""


@dataclass
class Checkpoint:
    """What `load_checkpoint` restores besides the weights: where training stopped."""

    epoch: int
    history: History
    model_class: str


# --8<-- [start:save_checkpoint]
def save_checkpoint(
    path: str | Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    epoch: int = 0,
    history: History | None = None,
) -> Path:
    """Save weights, optimizer state, epoch and history to `path`, atomically."""
    state = {
        "format": FORMAT,
        "model_class": type(model).__name__,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "epoch": epoch,
        "history": asdict(history if history is not None else History()),
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)  # into memory first: the file appears whole or not at all
    atomic_write(path, buffer.getvalue())
    return Path(path)


# --8<-- [end:save_checkpoint]


def read_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """The raw content of a checkpoint file, read with weights_only=True, or a clear error."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no checkpoint at {path}; train a model first (the chapter 'Model development and"
            f" training', or: python -m snippets.cifar10 train --out {path.parent})"
        )
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile) as error:
        raise CorruptCheckpointError(
            f"{path} is not a readable checkpoint (cut short, damaged, or not written by"
            " torch.save); delete it and save or train again"
        ) from error  # torch's own message follows in the traceback
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CorruptCheckpointError(
            f"{path} is a PyTorch file but not a checkpoint written by save_checkpoint; load a"
            " bare state_dict with model.load_state_dict(torch.load(path, weights_only=True))"
        )
    return state


# --8<-- [start:load_checkpoint]
def load_checkpoint(
    path: str | Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    map_location: str | torch.device = "cpu",
) -> Checkpoint:
    """Restore a checkpoint into `model` (and `optimizer`); return its epoch and history."""
    state = read_checkpoint(path, map_location)
    problems = mismatches(model.state_dict(), state["model"])
    if problems:
        raise CheckpointMismatchError(
            f"{path} holds the weights of a {state['model_class']}, which do not fit this"
            f" {type(model).__name__} ({problems}); load it into the model it was saved from"
        )
    model.load_state_dict(state["model"])
    if optimizer is not None:
        if state["optimizer"] is None:
            raise CheckpointMismatchError(f"{path} holds no optimizer state to resume from")
        optimizer.load_state_dict(state["optimizer"])
    return Checkpoint(state["epoch"], History(**state["history"]), state["model_class"])


# --8<-- [end:load_checkpoint]


def mismatches(expected: dict, found: dict) -> str:
    """What keeps `found` weights from loading where `expected` ones are needed, in words."""
    missing = [key for key in expected if key not in found]
    unexpected = [key for key in found if key not in expected]
    shapes = [
        key
        for key in expected
        if key in found and tuple(expected[key].shape) != tuple(found[key].shape)
    ]
    parts = []
    for label, keys in [("missing", missing), ("unexpected", unexpected), ("other shape", shapes)]:
        if keys:
            parts.append(f"{len(keys)} {label}, e.g. {keys[0]}")
    return "; ".join(parts)
