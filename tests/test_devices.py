"""Tests of snippets/devices.py: choosing a device and moving data, on any machine."""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np
import pytest
import torch

from snippets import devices
from snippets.devices import DeviceNotAvailableError, describe, pick_device, to_device, to_numpy

HAS_CUDA = torch.cuda.is_available()
Batch = namedtuple("Batch", ["images", "labels", "names"])


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch):
    monkeypatch.delenv(devices.ENV_VAR, raising=False)


# ---- pick_device -----------------------------------------------------------------------------


def test_auto_picks_the_accelerator_when_there_is_one_else_the_cpu():
    expected = "cuda" if HAS_CUDA else "cpu"
    assert pick_device().type == expected
    assert pick_device("auto") == pick_device()


def test_auto_prefers_cuda_then_mps_then_xpu(monkeypatch):
    monkeypatch.setattr(torch, "accelerator", None, raising=False)  # the fallback path
    for present, expected in [
        ({"cuda", "mps", "xpu"}, "cuda"),
        ({"mps", "xpu"}, "mps"),
        ({"xpu"}, "xpu"),
        (set(), "cpu"),
    ]:
        monkeypatch.setattr(devices, "_has", lambda kind, p=present: kind in p or kind == "cpu")
        assert pick_device().type == expected


def test_explicit_cpu_is_honoured():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device(torch.device("cpu")) == torch.device("cpu")


def test_environment_variable_overrides_auto_only(monkeypatch):
    monkeypatch.setenv(devices.ENV_VAR, "cpu")
    assert pick_device() == torch.device("cpu")
    monkeypatch.setenv(devices.ENV_VAR, "gpu")
    with pytest.raises(ValueError, match=f"unknown device 'gpu' \\(set by {devices.ENV_VAR}\\)"):
        pick_device()
    assert pick_device("cpu") == torch.device("cpu")  # an explicit choice wins


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "", "meta", "tpu"])
def test_unknown_device_string_names_the_valid_ones(name):
    with pytest.raises(ValueError, match="unknown device .*use 'auto', 'cpu', 'cuda'"):
        pick_device(name)


@pytest.mark.skipif(HAS_CUDA, reason="this machine has CUDA")
@pytest.mark.parametrize("name", ["cuda", "cuda:0", "mps"])
def test_unavailable_device_says_what_is_available(name):
    with pytest.raises(DeviceNotAvailableError, match=f"'{name}' is not available.*available: cpu"):
        pick_device(name)


def test_unavailable_device_from_the_environment_says_so(monkeypatch):
    monkeypatch.setenv(devices.ENV_VAR, "cuda:99")
    with pytest.raises(DeviceNotAvailableError, match=f"'cuda:99' \\(set by {devices.ENV_VAR}\\)"):
        pick_device()


def test_available_devices_ends_with_the_cpu():
    found = devices.available_devices()
    assert found[-1] == "cpu"
    assert any(name.startswith("cuda") for name in found) == HAS_CUDA


# ---- to_device ---------------------------------------------------------------------------------


def test_to_device_moves_a_tensor():
    moved = to_device(torch.ones(2), "meta")
    assert moved.device.type == "meta" and moved.shape == (2,)


def test_to_device_moves_every_tensor_in_a_batch_and_keeps_its_types():
    batch = {
        "pair": (torch.zeros(1), torch.ones(1)),
        "list": [torch.zeros(2), 3, "label", None],
        "named": Batch(torch.zeros(4, 3), torch.tensor([1]), ["a", "b"]),
        "ordered": OrderedDict(x=torch.zeros(1)),
    }
    moved = to_device(batch, torch.device("meta"))
    assert type(moved) is dict
    assert type(moved["pair"]) is tuple and all(t.is_meta for t in moved["pair"])
    assert moved["list"][0].is_meta and moved["list"][1:] == [3, "label", None]
    assert isinstance(moved["named"], Batch) and moved["named"].images.is_meta
    assert moved["named"].names == ["a", "b"]
    assert type(moved["ordered"]) is OrderedDict and moved["ordered"]["x"].is_meta
    assert batch["pair"][0].device.type == "cpu"  # the original batch is untouched


def test_to_device_moves_a_model():
    model = torch.nn.Linear(3, 2)
    assert to_device(model, "meta") is model
    assert model.weight.is_meta


@pytest.mark.parametrize(
    ("obj", "name"),
    [(np.zeros(3), "numpy.ndarray"), ({1, 2}, "builtins.set"), (object(), "builtins.object")],
)
def test_to_device_rejects_unsupported_types_by_name(obj, name):
    with pytest.raises(TypeError, match=f"cannot move an object of type {name}"):
        to_device(obj, "cpu")


def test_to_device_suggests_from_numpy_for_arrays_inside_a_batch():
    with pytest.raises(TypeError, match=r"torch.from_numpy\(\)"):
        to_device([torch.zeros(1), np.zeros(1)], "cpu")


# ---- to_numpy, describe, time_matmul ----------------------------------------------------------


def test_to_numpy_detaches_and_copies_to_the_cpu():
    weights = torch.ones(3, requires_grad=True) * 2
    array = to_numpy(weights)
    assert isinstance(array, np.ndarray) and array.tolist() == [2.0, 2.0, 2.0]


def test_to_numpy_converts_bfloat16():
    assert to_numpy(torch.ones(2, dtype=torch.bfloat16)).dtype == np.float32


def test_to_numpy_rejects_non_tensors():
    with pytest.raises(TypeError, match="expects a torch.Tensor, got list"):
        to_numpy([1, 2])


def test_describe_cpu_is_one_line():
    line = describe("cpu")
    assert line.startswith("cpu (") and "threads" in line and "\n" not in line


def test_describe_rejects_unknown_devices():
    with pytest.raises(ValueError, match="unknown device"):
        describe("gpu")


def test_time_matmul_measures_and_checks_its_arguments():
    assert 0 < devices.time_matmul(torch.device("cpu"), size=32, repeats=3) < 10
    with pytest.raises(ValueError, match="must be positive"):
        devices.time_matmul(torch.device("cpu"), size=0)


def test_module_prints_what_the_machine_has(capsys):
    devices.main()
    out = capsys.readouterr().out
    assert "available:" in out and "auto picks:" in out


# ---- on a CUDA machine -------------------------------------------------------------------------


@pytest.mark.gpu
def test_cuda_round_trip_with_pinned_memory():
    device = pick_device("cuda")
    batch = (torch.arange(6.0).pin_memory(), {"labels": torch.tensor([1, 2])})
    on_gpu = to_device(batch, device, non_blocking=True)
    assert on_gpu[0].is_cuda and on_gpu[1]["labels"].is_cuda
    assert to_numpy(on_gpu[0] * 2).tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]


@pytest.mark.gpu
def test_describe_cuda_shows_memory():
    line = describe(pick_device("cuda:0"))
    assert line.startswith("cuda:0 (") and "GiB" in line
