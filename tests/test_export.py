"""Tests of snippets/cifar10/export.py: torch.export and ONNX give what the model gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from snippets.cifar10 import Net
from snippets.cifar10.export import export_onnx, export_program, onnx_logits


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


def test_the_onnx_model_matches_the_model(model, tmp_path: Path):
    path = export_onnx(model, tmp_path / "net.onnx")
    images = torch.randn(7, 3, 32, 32)
    with torch.inference_mode():
        torch.testing.assert_close(onnx_logits(path, images), model(images), rtol=1e-4, atol=1e-4)
    assert [p.name for p in tmp_path.iterdir()] == ["net.onnx"]  # nothing else left behind


def test_a_model_in_training_mode_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"training mode; call model.eval\(\) before exporting"):
        export_program(Net().train())
    with pytest.raises(TypeError, match="expects an nn.Module, got function"):
        export_program(lambda x: x)
