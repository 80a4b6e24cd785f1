"""Choose a device, and move tensors, batches and models to it, on any hardware.

    from snippets.devices import pick_device, to_device, to_numpy, describe

    device = pick_device()  # the best accelerator here (CUDA, MPS, XPU), else the CPU
    batch = to_device(batch, device)  # tensors inside tuples, lists, dicts, namedtuples too
    array = to_numpy(outputs)  # detach, copy to the CPU, convert

Set PET_DEVICE (for example `PET_DEVICE=cpu make test`) to override what "auto" picks, for the
whole site and the command lines. Run `python -m snippets.devices` to see what this machine has.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

#: Environment variable that overrides `pick_device("auto")`: "cpu", "cuda", "cuda:1", "mps", ...
ENV_VAR = "PET_DEVICE"
KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu")
# Plain values that may sit in a batch next to tensors; `to_device` leaves them alone.
PLAIN_VALUES = (int, float, complex, bool, str, bytes, type(None))


class DeviceNotAvailableError(RuntimeError):
    """The device asked for exists in PyTorch but not on this machine."""


def available_devices() -> list[str]:
    """The devices this machine can compute on, best first, e.g. ["cuda:0", "cuda:1", "cpu"]."""
    found = [f"cuda:{i}" for i in range(torch.cuda.device_count())] if _has("cuda") else []
    if _has("mps"):
        found.append("mps")
    if _has("xpu"):
        found += [f"xpu:{i}" for i in range(torch.xpu.device_count())]
    return [*found, "cpu"]


def _has(kind: str) -> bool:
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return torch.backends.mps.is_available()
    if kind == "xpu":
        return hasattr(torch, "xpu") and torch.xpu.is_available()
    return kind == "cpu"


# --8<-- [start:pick_device]
def pick_device(preferred: str | torch.device = "auto") -> torch.device:
    """Return the device to compute on.

    Args:
        preferred: "auto" (the default) picks the best available accelerator: CUDA, then MPS,
            then XPU, else the CPU; the PET_DEVICE environment variable, when set, replaces
            "auto". An explicit "cpu", "cuda", "cuda:1", "mps" or "xpu" is honoured if this
            machine has it.

    Raises:
        ValueError: `preferred` is not a device name.
        DeviceNotAvailableError: the device is not on this machine; the message lists those
            that are.
    """
    source = ""
    if str(preferred) == "auto" and os.environ.get(ENV_VAR, "").strip():
        preferred, source = os.environ[ENV_VAR].strip(), f" (set by {ENV_VAR})"
    if str(preferred) == "auto":
        return _best_available()
    device = _parse(preferred, source)
    if not _has(device.type) or (device.index or 0) >= _count(device.type):
        raise DeviceNotAvailableError(
            f"device {str(preferred)!r}{source} is not available on this machine; available:"
            f" {', '.join(available_devices())}. Use one of those, or 'auto'."
        )
    return device


# --8<-- [end:pick_device]


def _best_available() -> torch.device:
    accelerator = getattr(torch, "accelerator", None)  # torch >= 2.6
    if accelerator is not None and accelerator.is_available():
        return torch.device(accelerator.current_accelerator().type)
    for kind in ("cuda", "mps", "xpu"):
        if _has(kind):
            return torch.device(kind)
    return torch.device("cpu")


def _parse(name: str | torch.device, source: str = "") -> torch.device:
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        device = None
    if device is None or device.type not in KNOWN_TYPES:
        raise ValueError(
            f"unknown device {str(name)!r}{source}; use 'auto', 'cpu', 'cuda', 'cuda:N', 'mps'"
            " or 'xpu'"
        )
    return device


def _count(kind: str) -> int:
    if kind == "cuda":
        return torch.cuda.device_count()
    if kind == "xpu":
        return torch.xpu.device_count()
    return 1


# --8<-- [start:to_device]
def to_device(obj: Any, device: torch.device | str, non_blocking: bool = False) -> Any:
    """Move a tensor, a module, or a batch of them to `device`, recursively.

    Tuples, lists, dicts and namedtuples keep their type; plain values (numbers, strings, None)
    are left alone. `non_blocking=True` lets a copy from pinned CPU memory overlap with GPU work.

    Raises:
        TypeError: for anything else (a NumPy array, a set, ...), naming its type.
    """
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, torch.nn.Module):
        return obj.to(device)
    if isinstance(obj, PLAIN_VALUES):
        return obj
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a namedtuple
        return type(obj)(*(to_device(item, device, non_blocking) for item in obj))
    if isinstance(obj, (tuple, list)):
        return type(obj)(to_device(item, device, non_blocking) for item in obj)
    if isinstance(obj, Mapping):
        return type(obj)({key: to_device(v, device, non_blocking) for key, v in obj.items()})
    hint = "; convert it with torch.from_numpy() first" if isinstance(obj, np.ndarray) else ""
    raise TypeError(
        f"to_device cannot move an object of type {type(obj).__module__}.{type(obj).__qualname__}"
        f"{hint}; pass a tensor, an nn.Module, or a tuple/list/dict/namedtuple of them"
    )


# --8<-- [end:to_device]


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """Detach a tensor from its graph, copy it to the CPU and return it as a NumPy array."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"to_numpy expects a torch.Tensor, got {type(tensor).__qualname__}")
    tensor = tensor.detach().cpu()
    if tensor.dtype == torch.bfloat16:  # NumPy has no bfloat16
        tensor = tensor.float()
    return tensor.numpy()


def describe(device: torch.device | str) -> str:
    """One line naming the device; on CUDA with the memory in use and the total."""
    device = _parse(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        total = torch.cuda.get_device_properties(index).total_memory / 2**30
        used = torch.cuda.memory_allocated(index) / 2**30
        name = torch.cuda.get_device_name(index)
        return f"cuda:{index} ({name}), memory in use {used:.2f} / {total:.1f} GiB"
    if device.type == "mps":
        used = torch.mps.current_allocated_memory() / 2**30
        return f"mps (Apple GPU), memory in use {used:.2f} GiB"
    if device.type == "xpu":
        return f"{device} ({torch.xpu.get_device_name(device.index or 0)})"
    cpu = platform.processor() or platform.machine()
    return f"cpu ({cpu}, {torch.get_num_threads()} threads)"


def synchronize(device: torch.device) -> None:
    """Wait until the device has finished its queued work (GPU calls return early)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
    elif device.type == "xpu":
        torch.xpu.synchronize(device)


def time_matmul(device: torch.device, size: int = 1024, repeats: int = 10) -> float:
    """Median seconds for one float32 (size x size) @ (size x size) product on `device`."""
    if size < 1 or repeats < 1:
        raise ValueError(f"size and repeats must be positive, got size={size}, repeats={repeats}")
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    a @ b  # warm up: the first call pays for kernel selection and allocation
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        synchronize(device)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    print("available:", ", ".join(available_devices()))
    print("auto picks:", describe(pick_device()))


if __name__ == "__main__":
    main()
