"""Export a trained model for serving: torch.export's `.pt2`, and ONNX for onnxruntime.

    program = export_program(model, path="runs/cifar10-net.pt2")   # any batch size
    torch.export.load("runs/cifar10-net.pt2").module()(images)      # (B, 10) logits
    export_onnx(model, "runs/cifar10-net.onnx")                     # for onnxruntime
    RawImageNet(model)(pixels)   # uint8 (B, 32, 32, 3) pixels in: the transform inside

`python -m snippets.cifar10 export --checkpoint runs/cifar10-net.pt --out runs/cifar10-net.pt2`
does the same from the command line.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import torch
from torch import nn

from snippets.cifar10.transforms import MEAN, STD
from snippets.files import atomic_write

EXAMPLE_SHAPE = (2, 3, 32, 32)  # batch size 2: export treats sizes 0 and 1 as special cases


def check_ready(model: nn.Module) -> None:
    """Export records the model as it runs now: it must be in evaluation mode."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"expects an nn.Module, got {type(model).__name__}")
    if model.training:
        raise ValueError(
            "the model is in training mode; call model.eval() before exporting, or layers such"
            " as dropout and batch norm would be recorded in their training behaviour"
        )


# --8<-- [start:export_program]
def export_program(
    model: nn.Module, path: str | Path | None = None
) -> torch.export.ExportedProgram:
    """The model's forward pass as an ExportedProgram with a dynamic batch dimension.

    Saved (atomically) to `path` as a `.pt2` file when a path is given.
    """
    check_ready(model)
    device = next(model.parameters()).device
    example = torch.zeros(EXAMPLE_SHAPE, device=device)
    batch = torch.export.Dim("batch")  # any batch size, not only the example's 2
    program = torch.export.export(model, (example,), dynamic_shapes={"x": {0: batch}})
    if path is not None:
        buffer = io.BytesIO()
        torch.export.save(program, buffer)
        atomic_write(path, buffer.getvalue())
    return program


# --8<-- [end:export_program]


# --8<-- [start:raw_image_net]
class RawImageNet(nn.Module):
    """A network with its input transform inside: raw pixels in, logits out.

    Takes uint8 images of shape (B, 32, 32, 3), as image files decode and as CIFAR-10 stores
    them, and computes what `eval_transforms()` computes (the same operations in the same
    order, so the same bits) before the network: an export of it serves raw images.
    """

    def __init__(
        self,
        net: nn.Module,
        mean: tuple[float, float, float] = MEAN,
        std: tuple[float, float, float] = STD,
    ) -> None:
        super().__init__()
        self.net = net
        # Buffers, not parameters: saved and exported with the model, never trained.
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """(B, 32, 32, 3) uint8 pixels -> (B, 10) logits."""
        check_pixels(pixels)
        x = pixels.permute(0, 3, 1, 2)  # (B, 3, 32, 32): channels first
        x = x.to(torch.float32) * (1 / 255)  # 0..1, as ToDtype(scale=True) computes it
        return self.net((x - self.mean) / self.std)  # Normalize, then (B, 10) logits


# --8<-- [end:raw_image_net]


def check_pixels(pixels: torch.Tensor) -> None:
    """Reject what RawImageNet cannot read, naming the fix."""
    if not isinstance(pixels, torch.Tensor):
        raise TypeError(f"RawImageNet expects a tensor of pixels, got {type(pixels).__qualname__}")
    if pixels.ndim != 4 or tuple(pixels.shape[1:]) != (32, 32, 3):
        hint = (
            " (colour values first, CHW? use .permute(0, 2, 3, 1))"
            if pixels.shape[1:2] == (3,)
            else ""
        )
        raise ValueError(
            f"RawImageNet expects pixels of shape (B, 32, 32, 3), got {tuple(pixels.shape)}{hint}"
        )
    if pixels.dtype != torch.uint8:
        raise ValueError(
            f"RawImageNet expects uint8 pixels (0..255), got {pixels.dtype}; for images already"
            " converted by eval_transforms(), call the network itself"
        )


def export_onnx(model: nn.Module, path: str | Path) -> Path:
    """The model as an ONNX file (opset chosen by torch.onnx), batch dimension dynamic."""
    check_ready(model)
    example = torch.zeros(EXAMPLE_SHAPE, device=next(model.parameters()).device)
    batch = torch.export.Dim("batch")
    onnx_program = torch.onnx.export(
        model, (example,), dynamic_shapes={"x": {0: batch}}, dynamo=True, verbose=False
    )
    path = Path(path)
    with tempfile.TemporaryDirectory(dir=path.parent if path.parent.exists() else None) as folder:
        partial = Path(folder) / path.name
        onnx_program.save(partial)  # ONNX writes a file by name; then it moves in one step
        atomic_write(path, partial.read_bytes())
    return path


def onnx_logits(path: str | Path, images: torch.Tensor) -> torch.Tensor:
    """Run an ONNX file with onnxruntime on the CPU: (B, 3, 32, 32) images -> (B, 10) logits."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (input_name,) = [node.name for node in session.get_inputs()]
    (logits,) = session.run(None, {input_name: images.detach().cpu().numpy()})
    return torch.from_numpy(logits)
