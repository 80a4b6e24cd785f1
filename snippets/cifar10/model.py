"""The network of the chapters: two convolutions with pooling, then three linear layers.

    model = Net()
    logits = model(images)  # images: (B, 3, 32, 32) float, normalised -> logits: (B, 10)

The course notes name its parts ("init and forward") without printing it; this is the network of
PyTorch's official CIFAR-10 tutorial, a small LeNet-5-like design, which the notes follow.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


# --8<-- [start:net]
class Net(nn.Module):
    """A small CNN: a 32 x 32 RGB image in, 10 class scores (logits) out."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, kernel_size=5)  # 3 -> 6 channels, 32 -> 28 pixels
        self.pool = nn.MaxPool2d(2, 2)  # halves height and width
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)  # 6 -> 16 channels, 14 -> 10 pixels
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x)
        x = self.pool(F.relu(self.conv1(x)))  # (B, 6, 14, 14)
        x = self.pool(F.relu(self.conv2(x)))  # (B, 16, 5, 5)
        x = torch.flatten(x, 1)  # (B, 400)
        x = F.relu(self.fc1(x))  # (B, 120)
        x = F.relu(self.fc2(x))  # (B, 84)
        return self.fc3(x)  # (B, 10): one score per class


# --8<-- [end:net]


def check_images(x: torch.Tensor) -> None:
    """Reject what the network cannot read, with the fix, instead of a cryptic shape error."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"Net expects a tensor of images, got {type(x).__qualname__}")
    if x.ndim != 4 or tuple(x.shape[1:]) != (3, 32, 32):
        hint = (
            " (colour values last, HWC? use .permute(0, 3, 1, 2))"
            if tuple(x.shape[-1:]) == (3,)
            else ""
        )
        raise ValueError(
            f"Net expects images of shape (B, 3, 32, 32), got {tuple(x.shape)}{hint}; a single"
            " image needs a batch dimension: image.unsqueeze(0)"
        )
    if not x.is_floating_point():
        raise ValueError(
            f"Net expects floating-point images, got {x.dtype}; apply eval_transforms()"
            " or convert with .float() / 255 and normalise"
        )


def count_parameters(model: nn.Module) -> int:
    """The number of trainable numbers in a model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
