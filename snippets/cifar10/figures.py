"""Figures for the CIFAR-10 chapters: a grid of sample images, and training curves."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from snippets.cifar10.data import CLASSES, unnormalize
from snippets.cifar10.training import History


def show_images(
    images: torch.Tensor,
    labels: Sequence[int],
    classes: Sequence[str] = CLASSES,
    columns: int = 8,
    title: str = "",
) -> Figure:
    """A grid of (B, 3, H, W) images titled by class: uint8 pixels, or normalised float tensors
    (un-normalised for display)."""
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"show_images expects (B, 3, H, W) images, got {tuple(images.shape)}")
    images = images.float() / 255 if images.dtype == torch.uint8 else unnormalize(images)
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.3), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, label in zip(axes.flat, images, labels, strict=False):
        ax.imshow(image.permute(1, 2, 0).numpy())  # (3, H, W) -> (H, W, 3) for Matplotlib
        ax.set_title(classes[int(label)], fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_history(history: History, title: str = "") -> Figure:
    """Loss per epoch (training and validation) and validation accuracy, side by side."""
    epochs = range(1, len(history.train_loss) + 1)
    fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(9, 3.2))
    loss_ax.plot(epochs, history.train_loss, marker="o", label="training")
    if history.val_loss:
        loss_ax.plot(epochs, history.val_loss, marker="s", label="validation")
        accuracy_ax.plot(epochs, [100 * a for a in history.val_accuracy], marker="s", color="C1")
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss")
    loss_ax.legend()
    accuracy_ax.set(xlabel="epoch", ylabel="accuracy (%)", title="Validation accuracy")
    for ax in (loss_ax, accuracy_ax):
        ax.set_xticks(list(epochs))
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
