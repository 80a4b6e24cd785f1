"""Tests of snippets/cifar10/ddp.py: the launch checks, and a one-process run.

The two-process run with torchrun (gloo) is a verified block of the chapter "Scaling out with
DistributedDataParallel", so `make test` runs it there; these tests cover what that cannot show.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from snippets.cifar10 import load_checkpoint, write_stand_in
from snippets.cifar10.ddp import LaunchError, check_share, choose_backend, launch_settings, main
from snippets.cifar10.model import Net


def test_without_torchrun_it_is_one_process():
    assert launch_settings({}, cuda_devices=0) == (0, 0, 1)
    assert launch_settings({"RANK": "1", "LOCAL_RANK": "1", "WORLD_SIZE": "2"}, 0) == (1, 1, 2)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"RANK": "two"}, "must be integers"),
        ({"RANK": "3", "WORLD_SIZE": "2"}, "RANK 3 is outside WORLD_SIZE 2"),
    ],
)
def test_broken_launch_variables_are_named(environ, message):
    with pytest.raises(LaunchError, match=message):
        launch_settings(environ, cuda_devices=0)


def test_the_backend_suits_the_device():
    assert choose_backend(None, cuda_devices=0, local_rank=0) == "gloo"
    assert choose_backend(None, cuda_devices=2, local_rank=1) == "nccl"
    with pytest.raises(LaunchError, match="nccl backend needs CUDA GPUs .* --backend gloo"):
        choose_backend("nccl", cuda_devices=0, local_rank=0)
    with pytest.raises(LaunchError, match="process 2 has no GPU of its own: this machine has 2"):
        choose_backend("nccl", cuda_devices=2, local_rank=2)


def test_each_process_needs_at_least_one_batch():
    check_share(images=5000, world_size=2, batch_size=64)
    with pytest.raises(LaunchError, match="100 processes share 5,000 training images: 50 each"):
        check_share(images=5000, world_size=100, batch_size=64)
    with pytest.raises(LaunchError, match="--batch-size must be a positive integer"):
        check_share(images=5000, world_size=1, batch_size=0)


def test_a_bad_launch_stops_with_exit_code_2_and_the_reason(capsys):
    assert main(["--backend", "nccl"], environ={}) in (0, 2)  # 0 only on a machine with CUDA
    assert main(["--epochs", "0"], environ={}) == 2
    assert "--epochs must be a positive integer" in capsys.readouterr().err


def test_one_process_trains_and_saves_a_checkpoint(tmp_path: Path, monkeypatch, capsys):
    write_stand_in(tmp_path / "stand-in", train_size=200, test_size=40)
    monkeypatch.setenv("CIFAR10_STAND_IN", "1")
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path))
    assert main(["--epochs", "1", "--out", str(tmp_path / "runs")], environ={}) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("1 process(es), backend none, 200 images each per epoch")
    assert "epoch 1: train loss" in printed
    assert load_checkpoint(tmp_path / "runs" / "cifar10-net.pt", Net()).epoch == 1


def test_a_port_in_use_is_named_with_the_fix(monkeypatch, capsys, tmp_path: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        environ = {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "2"}
        for name, value in {
            **environ,
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
        }.items():
            monkeypatch.setenv(name, value)  # init_process_group reads them from the environment
        assert main(["--out", str(tmp_path)], environ={**environ, "MASTER_PORT": str(port)}) == 2
    assert f"port {port} is in use by another program" in capsys.readouterr().err
