"""Test a trained classifier: predictions, the confusion matrix, accuracy per class, mistakes.

matrix = confusion_matrix(model, test_loader, device)   # (10, 10): rows true, columns predicted
per_class_accuracy(matrix)                              # (10,): the diagonal over the row sums
name, probability = predict_image(model, image)         # one PIL image or (3, 32, 32) tensor
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch
from PIL import Image
from torch import nn

from snippets.cifar10.stand_in import CLASSES
from snippets.cifar10.transforms import eval_transforms
from snippets.devices import to_device


def model_device(model: nn.Module) -> torch.device:
    """The device a model's parameters are on (where its inputs must go)."""
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


# --8<-- [start:predict_image]
def predict_image(
    model: nn.Module, image: Image.Image | torch.Tensor, classes=CLASSES
) -> tuple[str, float]:
    """The class name a model gives one image, and its probability (softmax of the logits).

    `image` is a PIL image (it gets the evaluation transform) or a normalised (3, 32, 32) tensor.
    """
    if isinstance(image, Image.Image):
        image = eval_transforms()(image.convert("RGB"))  # -> (3, 32, 32) float
    if not isinstance(image, torch.Tensor) or image.ndim != 3:
        raise ValueError(
            "predict_image takes one image: a PIL image or a (3, 32, 32) tensor, got"
            f" {describe_input(image)}; for a batch, call the model on it"
        )
    model.eval()
    with torch.inference_mode():
        batch = image.unsqueeze(0).to(model_device(model))  # (3, 32, 32) -> (1, 3, 32, 32)
        probabilities = model(batch).softmax(dim=1)[0]  # (10,), sums to 1
    best = int(probabilities.argmax())
    return classes[best], float(probabilities[best])


# --8<-- [end:predict_image]


def describe_input(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return type(value).__name__


@dataclass
class Predictions:
    """Every test image's true label, predicted label and the probability of the prediction."""

    labels: torch.Tensor  # (N,) int64
    predicted: torch.Tensor  # (N,) int64
    confidence: torch.Tensor  # (N,) float32, probability of the predicted class

    @property
    def wrong(self) -> torch.Tensor:
        """Indices of the mistakes, most confident first."""
        mistakes = (self.predicted != self.labels).nonzero().flatten()
        return mistakes[self.confidence[mistakes].argsort(descending=True)]


def predict_all(model: nn.Module, batches: Iterable, device: torch.device) -> Predictions:
    """Run the model over every batch (in order) and keep labels, predictions, confidences."""
    model.eval()
    labels, predicted, confidence = [], [], []
    with torch.inference_mode():
        for images, batch_labels in batches:
            probabilities = model(to_device(images, device)).softmax(dim=1).cpu()  # (B, 10)
            best = probabilities.max(dim=1)
            labels.append(batch_labels.cpu())
            predicted.append(best.indices)
            confidence.append(best.values)
    if not labels:
        raise ValueError("predict_all got no batches; pass a non-empty DataLoader")
    return Predictions(torch.cat(labels), torch.cat(predicted), torch.cat(confidence))


# --8<-- [start:confusion_matrix]
def confusion_matrix(labels: torch.Tensor, predicted: torch.Tensor, num_classes: int = 10):
    """Counts of (true class, predicted class) pairs: a (num_classes, num_classes) int64 tensor."""
    if labels.shape != predicted.shape or labels.ndim != 1:
        raise ValueError(
            f"labels and predicted must be two 1-d tensors of one length, got shapes"
            f" {tuple(labels.shape)} and {tuple(predicted.shape)}"
        )
    pairs = labels * num_classes + predicted  # one number per (true, predicted) pair
    counts = torch.bincount(pairs, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)  # rows: true class, columns: predicted


# --8<-- [end:confusion_matrix]


def per_class_accuracy(matrix: torch.Tensor) -> torch.Tensor:
    """The share of each true class predicted correctly: the diagonal over the row sums."""
    return matrix.diagonal() / matrix.sum(dim=1).clamp(min=1)
