"""Tests of snippets/cifar10/evaluation.py: predictions, confusion matrix, one image."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from snippets.cifar10 import (
    CLASSES,
    Net,
    confusion_matrix,
    per_class_accuracy,
    predict_all,
    predict_image,
)
from snippets.cifar10.evaluation import model_device


def test_the_confusion_matrix_counts_true_and_predicted_pairs():
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    predicted = torch.tensor([0, 1, 1, 2, 2, 0])
    matrix = confusion_matrix(labels, predicted, num_classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert per_class_accuracy(matrix).tolist() == pytest.approx([0.5, 1.0, 2 / 3])


def test_a_class_without_images_has_accuracy_zero_not_nan():
    matrix = confusion_matrix(torch.tensor([0]), torch.tensor([0]), num_classes=3)
    assert per_class_accuracy(matrix).tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("labels", "predicted"),
    [
        (torch.zeros(3, dtype=torch.long), torch.zeros(4, dtype=torch.long)),
        (torch.zeros(2, 2), torch.zeros(2, 2)),
    ],
)
def test_the_confusion_matrix_rejects_mismatched_inputs(labels, predicted):
    with pytest.raises(ValueError, match="two 1-d tensors of one length"):
        confusion_matrix(labels, predicted)


def test_predict_all_keeps_order_labels_and_confidence():
    torch.manual_seed(0)
    model = Net()
    images = torch.randn(10, 3, 32, 32)
    batches = [(images[:6], torch.arange(6)), (images[6:], torch.arange(6, 10))]
    predictions = predict_all(model, batches, torch.device("cpu"))
    assert predictions.labels.tolist() == list(range(10))
    with torch.no_grad():
        expected = model(images).softmax(dim=1)
    assert torch.equal(predictions.predicted, expected.argmax(dim=1))
    torch.testing.assert_close(predictions.confidence, expected.max(dim=1).values)
    wrong = predictions.wrong
    assert all(predictions.predicted[i] != predictions.labels[i] for i in wrong)
    assert predictions.confidence[wrong].tolist() == sorted(
        predictions.confidence[wrong].tolist(), reverse=True
    )
    with pytest.raises(ValueError, match="got no batches"):
        predict_all(model, [], torch.device("cpu"))


def test_predict_image_takes_a_pil_image_or_one_image_tensor():
    torch.manual_seed(0)
    model = Net()
    image = Image.new("RGB", (32, 32), (200, 30, 30))
    name, probability = predict_image(model, image)
    assert name in CLASSES and 0 < probability <= 1
    assert predict_image(model, torch.zeros(3, 32, 32))[0] in CLASSES
    assert not model.training


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (torch.zeros(1, 3, 32, 32), r"got a tensor of shape \(1, 3, 32, 32\); for a batch"),
        ([1, 2, 3], "got list"),
    ],
)
def test_predict_image_says_what_is_wrong_with_other_input(image, message):
    with pytest.raises(ValueError, match=message):
        predict_image(Net(), image)


def test_predict_image_rejects_integer_pixels_with_the_fix():
    with pytest.raises(ValueError, match="floating-point images"):
        predict_image(Net(), torch.zeros(3, 32, 32, dtype=torch.uint8))


def test_model_device_is_where_the_parameters_are():
    assert model_device(Net()).type == "cpu"
    assert model_device(torch.nn.ReLU()).type == "cpu"  # no parameters: the CPU
