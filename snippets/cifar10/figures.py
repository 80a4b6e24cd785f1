"""Figures for the CIFAR-10 chapters: images with their classes, training curves, the confusion
matrix and a gallery of mistakes. Each function returns a Matplotlib figure, drawn for a phone:
at most WIDTH inches wide with no text under FONT points, so that a 390-pixel screen (a 358-pixel
column) shows it whole with text of 10 pixels or more (tests/test_site.py measures it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch

from snippets.cifar10.stand_in import CLASSES
from snippets.cifar10.training import History
from snippets.cifar10.transforms import unnormalize

if TYPE_CHECKING:  # for the annotations only: Matplotlib is imported when a figure is drawn
    from matplotlib.figure import Figure

FONT = 12  # points: the smallest text of every figure
WIDTH = 5.6  # inches, at most: shown 358 pixels wide on a phone, 12 points are 10.7 pixels there
TITLE_WIDTH = 44  # characters a line of a figure's title holds at FONT within WIDTH


def subplots(*args, **kwargs):
    """`plt.subplots`, importing Matplotlib only now: a process that imports snippets.cifar10 and
    draws nothing (a DDP rank, the command line's evaluate) starts without it, 0.4 s sooner."""
    import matplotlib.pyplot as plt

    return plt.subplots(*args, **kwargs)


def as_displayable(images: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) uint8 pixels or normalised floats -> floats in [0, 1], on the CPU."""
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"expects (B, 3, H, W) images, got {tuple(images.shape)}")
    if images.dtype == torch.uint8:
        return images.cpu().float() / 255
    return unnormalize(images)


def show_images(
    images: torch.Tensor,
    labels: Sequence[int],
    classes: Sequence[str] = CLASSES,
    columns: int = 4,
    title: str = "",
) -> Figure:
    """A grid of (B, 3, H, W) images titled by class: uint8 pixels, or normalised float tensors."""
    images = as_displayable(images)
    rows = -(-len(images) // columns)
    size = min(1.6, WIDTH / columns)  # inches per image
    fig, axes = subplots(
        rows,
        columns,
        figsize=(columns * size, rows * (size + 0.3)),
        squeeze=False,
        layout="constrained",  # keeps a title of two lines clear of the images' titles
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, label in zip(axes.flat, images, labels, strict=False):
        ax.imshow(image.permute(1, 2, 0).numpy())  # (3, H, W) -> (H, W, 3) for Matplotlib
        ax.set_title(classes[int(label)], fontsize=FONT, pad=4)
    if title:
        fig.suptitle(textwrap.fill(title, TITLE_WIDTH), fontsize=FONT)
    return fig


def plot_history(history: History, title: str = "") -> Figure:
    """Loss per epoch (training and validation) above validation accuracy: stacked, so that both
    panels keep their size on a narrow screen."""
    epochs = range(1, len(history.train_loss) + 1)
    fig, (loss_ax, accuracy_ax) = subplots(2, 1, figsize=(WIDTH - 0.6, 6), sharex=True)
    loss_ax.plot(epochs, history.train_loss, marker="o", label="training")
    if history.val_loss:
        loss_ax.plot(epochs, history.val_loss, marker="s", label="validation")
        accuracy_ax.plot(epochs, [100 * a for a in history.val_accuracy], marker="s", color="C1")
    loss_ax.set_ylabel("cross-entropy loss", fontsize=FONT)
    loss_ax.set_title("Loss", fontsize=FONT)
    loss_ax.legend(fontsize=FONT)
    accuracy_ax.set_xlabel("epoch", fontsize=FONT)
    accuracy_ax.set_ylabel("accuracy (%)", fontsize=FONT)
    accuracy_ax.set_title("Validation accuracy", fontsize=FONT)
    from matplotlib.ticker import MaxNLocator  # Matplotlib is imported by now (subplots)

    for ax in (loss_ax, accuracy_ax):
        # Whole epochs only, and few enough to read: every one of 3, every fifth of 40.
        ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
        ax.tick_params(labelsize=FONT)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(textwrap.fill(title, TITLE_WIDTH), fontsize=FONT)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(matrix: torch.Tensor, classes: Sequence[str] = CLASSES) -> Figure:
    """The confusion matrix as a grid: each row one true class, in % of that class's images."""
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] != len(classes):
        raise ValueError(
            f"expects a ({len(classes)}, {len(classes)}) matrix, got {tuple(matrix.shape)}"
        )
    shares = 100 * matrix.float() / matrix.sum(dim=1, keepdim=True).clamp(min=1)
    # No colour bar: every cell says its share, and a bar would take a fifth of a phone's width.
    fig, ax = subplots(figsize=(WIDTH - 0.4, WIDTH - 0.6))
    ax.imshow(shares.numpy(), cmap="Blues", vmin=0, vmax=100)
    for (row, column), share in zip(
        torch.cartesian_prod(*[torch.arange(len(classes))] * 2), shares.flatten(), strict=True
    ):
        if share >= 0.5:
            colour = "white" if share > 60 else "black"  # readable on dark and light cells
            ax.text(
                column, row, f"{share:.0f}", ha="center", va="center", color=colour, fontsize=FONT
            )
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right", fontsize=FONT)
    ax.set_yticks(range(len(classes)), classes, fontsize=FONT)
    ax.set_xlabel("predicted class", fontsize=FONT)
    ax.set_ylabel("true class", fontsize=FONT)
    ax.set_title("% of each true class's images", fontsize=FONT)
    fig.tight_layout()
    return fig


def plot_mistakes(
    images: torch.Tensor,
    labels: Sequence[int],
    predicted: Sequence[int],
    confidence: Sequence[float],
    classes: Sequence[str] = CLASSES,
    columns: int = 3,
) -> Figure:
    """Images the model got wrong, each titled with its true class, the prediction and its
    probability."""
    images = as_displayable(images)
    rows = -(-len(images) // columns)
    width = min(1.85, WIDTH / columns)  # inches per image: its two title lines fit at FONT
    fig, axes = subplots(
        rows, columns, figsize=(columns * width, rows * (width + 0.55)), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, true, guess, probability in zip(
        axes.flat, images, labels, predicted, confidence, strict=False
    ):
        ax.imshow(image.permute(1, 2, 0).numpy())
        ax.set_title(
            f"true: {classes[int(true)]}\nsaid: {classes[int(guess)]} {float(probability):.0%}",
            fontsize=FONT,
        )
    fig.tight_layout(h_pad=1.0)
    return fig
