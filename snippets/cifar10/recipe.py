"""The chapters' recipe: how "Model development and training" trains the network, as one call.

    path = trained_checkpoint("runs/cifar10-net.pt")   # load it if there, else train and save it

The chapters after "Model development and training" start from the model it trains and saves.
A reader who opens one of them alone (a Colab notebook gets a machine of its own) has no such
file: `trained_checkpoint` then trains the same model with the same recipe and saves it, and says
which of the two it did. The recipe is the chapter's own loop, run by `fit`: `Net` seeded with
SEED, SGD with LEARNING_RATE and momentum 0.9, batches of 64 in a shuffled order seeded with SEED,
EPOCHS epochs, a validation pass on the test split after each.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch.utils.data import DataLoader

from snippets.cifar10.checkpoints import save_checkpoint
from snippets.cifar10.data import cifar10_dataset
from snippets.cifar10.model import Net
from snippets.cifar10.training import LEARNING_RATE, History, fit
from snippets.cifar10.transforms import eval_transforms, train_transforms
from snippets.devices import pick_device

SEED = 1  # the initial weights and the data order
EPOCHS = 3
BATCH_SIZE = 64


def train_recipe(device: torch.device | None = None) -> tuple[Net, torch.optim.SGD, History]:
    """Train a fresh Net as the chapter does; returns the model, its optimizer and its history."""
    device = device or pick_device()
    train_data = cifar10_dataset(train=True, transform=train_transforms())
    test_data = cifar10_dataset(train=False, transform=eval_transforms())
    order = torch.Generator().manual_seed(SEED)
    train_loader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True, generator=order)
    test_loader = DataLoader(test_data, batch_size=256)
    torch.manual_seed(SEED)
    model = Net().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9)
    history = fit(model, train_loader, device, EPOCHS, test_loader, optimizer, log=None)
    return model, optimizer, history


# --8<-- [start:trained_checkpoint]
def trained_checkpoint(path: str | Path = "runs/cifar10-net.pt") -> Path:
    """The checkpoint at `path`: loaded from disk if there, else trained now and saved."""
    path = Path(path)
    if path.is_file():
        print(f"{path}: found (saved by the chapter 'Model development and training')")
        return path
    print(f"{path}: not found, so training the chapter's recipe now ({EPOCHS} epochs)")
    model, optimizer, history = train_recipe()
    return save_checkpoint(path, model, optimizer, epoch=EPOCHS, history=history)


# --8<-- [end:trained_checkpoint]
