"""Transforms for CIFAR-10: PIL images in, normalised float tensors out.

    train_data = cifar10_dataset(train=True, transform=train_transforms())
    test_data = cifar10_dataset(train=False, transform=eval_transforms())

Normalize uses the course notes' values: MEAN is the per-channel mean of CIFAR-10's training
pixels; STD is the widely copied (0.2023, 0.1994, 0.2010), which is not the per-channel standard
deviation of the training set (about (0.2470, 0.2435, 0.2616), TRUE_STD). Either centres the
inputs near 0 with a spread near 1, which is all the network needs; the chapters keep the notes'.
"""

from __future__ import annotations

import torch
from torchvision.transforms import v2

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)  # the course notes' values (see the module docstring)
TRUE_STD = (0.2470, 0.2435, 0.2616)


def to_normalised_tensor() -> list:
    """PIL (32, 32) RGB image -> (3, 32, 32) float32 tensor, normalised per channel."""
    return [
        v2.PILToTensor(),  # PIL image -> (3, H, W) uint8 tensor, a plain torch.Tensor
        v2.ToDtype(torch.float32, scale=True),  # uint8 0..255 -> float 0..1
        v2.Normalize(MEAN, STD),  # (x - mean) / std, per channel
    ]


def train_transforms(augment: bool = False) -> v2.Compose:
    """The training transform; with `augment`, a random crop and flip first (new every epoch)."""
    steps = [v2.RandomCrop(32, padding=4), v2.RandomHorizontalFlip()] if augment else []
    return v2.Compose([*steps, *to_normalised_tensor()])


def eval_transforms() -> v2.Compose:
    """The transform for validation, testing and prediction: the same conversion, no randomness."""
    return v2.Compose(to_normalised_tensor())


def unnormalize(images: torch.Tensor) -> torch.Tensor:
    """Undo Normalize: (..., 3, H, W) tensor back to [0, 1] for display."""
    mean = torch.tensor(MEAN).view(3, 1, 1)
    std = torch.tensor(STD).view(3, 1, 1)
    return (images.detach().cpu() * std + mean).clamp(0, 1)
