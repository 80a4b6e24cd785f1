"""Checkpoints: save a model (with its optimizer, epoch and history), load it back, resume.

    save_checkpoint("runs/cifar10-net.pt", model, optimizer, epoch=4, history=history)
    checkpoint = load_checkpoint("runs/cifar10-net.pt", Net(), optimizer)
    checkpoint.epoch, checkpoint.history          # where training stopped

For a resume that continues exactly as if training had never stopped, also save and restore the
learning-rate scheduler, the GradScaler and the DataLoader's generator, and restore the random
number generators' states (saved every time):

    save_checkpoint(path, model, optimizer, epoch, history,
                    scheduler=scheduler, scaler=scaler, generator=generator)
    load_checkpoint(path, model, optimizer,
                    scheduler=scheduler, scaler=scaler, generator=generator, restore_rng=True)

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
from typing import Any

import torch
from torch import nn

from snippets.cifar10.training import History
from snippets.files import atomic_write

# The keys "scheduler", "scaler" and "rng" came later: files without them still load (as None).
FORMAT = "pytorch-essential-training checkpoint 1"
SAVED_TOO_EARLY = "it was saved before save_checkpoint kept them: save it again with this version"


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
    *,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    scaler: torch.amp.GradScaler | None = None,
    generator: torch.Generator | None = None,
) -> Path:
    """Save weights, optimizer state, epoch and history to `path`, atomically.

    The scheduler, the GradScaler and the DataLoader's generator are saved when given; the
    states of torch's random number generators always are.
    """
    state = {
        "format": FORMAT,
        "model_class": type(model).__name__,
        "model": model.state_dict(),  # parameters and buffers
        "optimizer": state_dict_of(optimizer),  # e.g. SGD's momentum buffers
        "scheduler": state_dict_of(scheduler),  # where the learning rate schedule is
        "scaler": state_dict_of(scaler),  # the loss scale of float16 training
        "rng": rng_states(generator),
        "epoch": epoch,
        "history": asdict(history if history is not None else History()),
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)  # into memory first: the file appears whole or not at all
    atomic_write(path, buffer.getvalue())
    return Path(path)


def rng_states(generator: torch.Generator | None = None) -> dict:
    """The states of torch's CPU and CUDA random generators and, if given, of `generator`."""
    # Only a CUDA that is already in use has drawn numbers; asking would start it.
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []
    return {
        "torch": torch.get_rng_state(),
        "cuda": cuda,
        "generator": generator.get_state() if generator is not None else None,
    }


# --8<-- [end:save_checkpoint]


def state_dict_of(thing: Any) -> dict | None:
    """`thing.state_dict()`, or None for no thing."""
    return thing.state_dict() if thing is not None else None


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
    *,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    scaler: torch.amp.GradScaler | None = None,
    generator: torch.Generator | None = None,
    restore_rng: bool = False,
) -> Checkpoint:
    """Restore a checkpoint into `model` and each other object given; return epoch and history.

    With `restore_rng`, torch's random generators continue where the saved run left them.
    """
    state = read_checkpoint(path, map_location)
    problems = mismatches(model.state_dict(), state["model"])
    if problems:
        raise CheckpointMismatchError(
            f"{path} holds the weights of a {state['model_class']}, which do not fit this"
            f" {type(model).__name__} ({problems}); load it into the model it was saved from"
        )
    model.load_state_dict(state["model"])
    for key, thing in [("optimizer", optimizer), ("scheduler", scheduler), ("scaler", scaler)]:
        if thing is not None:
            thing.load_state_dict(saved(state, key, path))
    if generator is not None or restore_rng:
        rng = saved(state, "rng", path, SAVED_TOO_EARLY)
        if generator is not None:  # the DataLoader's order
            generator.set_state(saved(rng, "generator", path))
        if restore_rng:
            set_rng_states(rng)
    return Checkpoint(state["epoch"], History(**state["history"]), state["model_class"])


# --8<-- [end:load_checkpoint]


def saved(state: dict, key: str, path: str | Path, fix: str | None = None) -> Any:
    """What a checkpoint saved under `key`, or an error that says how to save it."""
    if state.get(key) is None:
        fix = fix or f"save it with save_checkpoint(..., {key}=...) before resuming from it"
        raise CheckpointMismatchError(f"{path} holds no {key} state to resume from; {fix}")
    return state[key]


def set_rng_states(rng: dict) -> None:
    """Put torch's CPU (and CUDA, where there is one) random generators back where they were."""
    torch.set_rng_state(rng["torch"])
    if rng["cuda"] and torch.cuda.is_available():
        # A machine with fewer GPUs restores the ones it has.
        torch.cuda.set_rng_state_all(rng["cuda"][: torch.cuda.device_count()])


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
