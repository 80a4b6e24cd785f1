"""Tests of snippets/cifar10/export.py: torch.export gives what the model gives (ONNX: chapter 14's
blocks, which export the trained model and check the file and its logits)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from snippets.cifar10 import Net, eval_transforms
from snippets.cifar10.export import RawImageNet, export_program


@pytest.fixture(scope="module")
def model() -> Net:
    torch.manual_seed(0)
    return Net().eval()


def test_the_exported_program_matches_the_model_at_any_batch_size(model, tmp_path: Path):
    path = tmp_path / "net.pt2"
    export_program(model, path)
    loaded = torch.export.load(path).module()
    for size in (1, 5, 64):
        images = torch.randn(size, 3, 32, 32)
        with torch.inference_mode():
            torch.testing.assert_close(loaded(images), model(images))


def test_a_model_in_training_mode_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"training mode; call model.eval\(\) before exporting"):
        export_program(Net().train())
    with pytest.raises(TypeError, match="expects an nn.Module, got function"):
        export_program(lambda x: x)


def random_pixels(count: int) -> torch.Tensor:
    """`count` random uint8 images of shape (32, 32, 3), as image files decode."""
    generator = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (count, 32, 32, 3), dtype=torch.uint8, generator=generator)


def test_raw_image_net_computes_what_eval_transforms_and_the_net_compute(model):
    pixels = random_pixels(8)
    # The usual path: each image as a PIL image, through the chapters' transform.
    usual = torch.stack([eval_transforms()(Image.fromarray(image.numpy())) for image in pixels])
    with torch.inference_mode():
        # The same operations in the same order: the same bits, not only close.
        assert torch.equal(RawImageNet(model)(pixels), model(usual))


def test_the_exported_raw_image_net_takes_pixels_at_any_batch_size(model):
    wrapped = RawImageNet(model).eval()
    batch = torch.export.Dim("batch", min=1, max=64)
    program = torch.export.export(
        wrapped, (random_pixels(2),), dynamic_shapes={"pixels": {0: batch}}
    )
    assert list(program.graph_signature.buffers) == ["mean", "std"]
    assert list(program.graph_signature.user_inputs) == ["pixels"]
    for size in (1, 5, 64):
        pixels = random_pixels(size)
        with torch.inference_mode():
            assert torch.equal(program.module()(pixels), wrapped(pixels))


@pytest.mark.parametrize(
    ("pixels", "message"),
    [
        (torch.zeros(2, 32, 32, 3), r"expects uint8 pixels \(0..255\), got torch.float32"),
        (
            torch.zeros(2, 3, 32, 32, dtype=torch.uint8),
            r"shape \(B, 32, 32, 3\), got \(2, 3, 32, 32\) \(colour values first, CHW\?",
        ),
        (torch.zeros(32, 32, 3, dtype=torch.uint8), r"got \(32, 32, 3\)$"),
    ],
)
def test_raw_image_net_refuses_what_it_cannot_read_with_the_fix(model, pixels, message):
    with pytest.raises(ValueError, match=message):
        RawImageNet(model)(pixels)


def test_raw_image_net_refuses_what_is_not_a_tensor(model):
    with pytest.raises(TypeError, match="expects a tensor of pixels, got list"):
        RawImageNet(model)([[0]])
