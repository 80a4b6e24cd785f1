"""Tests of snippets/cifar10/ddp.py: the launch checks, one-process runs, no_sync, and two ranks.

The two-process run with torchrun (gloo) is a verified block of the chapter "Scaling out with
DistributedDataParallel", so `make test` runs it there; these tests cover what that cannot show:
a model with a buffer (BatchNorm), resuming, the arithmetic of gradient accumulation. Every wait
has a limit: the process groups' `timeout` and the subprocesses' `timeout`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset

from snippets.cifar10 import load_checkpoint, write_stand_in
from snippets.cifar10.ddp import (
    LaunchError,
    check_share,
    choose_backend,
    count_allreduces,
    launch_settings,
    main,
    train_epoch,
)
from snippets.cifar10.model import Net

pytestmark = [pytest.mark.isolated]

ROOT = Path(__file__).resolve().parents[1]
# One rank of a two-process run, started by the test (not by torchrun, to save a third process):
# training a Net behind a BatchNorm layer, whose running statistics are buffers that DDP
# broadcasts in every forward(); then the uneven-inputs demonstration.
RANK_SCRIPT = """
import os, sys
from torch import nn
from snippets.cifar10 import ddp
from snippets.cifar10.model import Net

class BatchNormNet(Net):
    def __init__(self):
        super().__init__()
        self.norm = nn.BatchNorm2d(3)

    def forward(self, x):
        return super().forward(self.norm(x))

code = ddp.main(sys.argv[2:] + ["--timeout", "20"], build_model=BatchNormNet)
os.environ["MASTER_PORT"] = sys.argv[1]  # a fresh port for the second process group
code = code or ddp.main(["--demo", "join", "--timeout", "20"])
sys.exit(code)
"""


def free_port() -> int:
    """A port that no program listens on now (the OS picks it: bind to port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch) -> Path:
    """A small stand-in (200 training images, 40 test images) that the scripts read."""
    write_stand_in(tmp_path / "stand-in", train_size=200, test_size=40)
    monkeypatch.setenv("CIFAR10_STAND_IN", "1")
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def world_of_one():
    """A process group of this process alone, so that DDP runs here without a launch."""
    store, timeout = dist.HashStore(), timedelta(seconds=60)
    dist.init_process_group("gloo", store=store, rank=0, world_size=1, timeout=timeout)
    yield
    dist.destroy_process_group()


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--epochs", "0"], "--epochs must be a positive integer, got 0"),
        (["--accumulate", "0"], "--accumulate must be a positive integer, got 0"),
        (["--timeout", "0"], "--timeout must be a positive number of seconds"),
        (["--resume", "no/such.pt"], "--resume no/such.pt: no such checkpoint"),
        (["--demo", "join"], "--demo join needs several processes: start it with torchrun"),
    ],
)
def test_a_bad_launch_stops_with_exit_code_2_and_the_reason(argv, message, capsys):
    assert main(argv, environ={}) == 2
    assert message in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has the GPUs nccl needs")
def test_nccl_without_gpus_stops_with_exit_code_2(capsys):
    assert main(["--backend", "nccl"], environ={}) == 2
    assert "the nccl backend needs CUDA GPUs" in capsys.readouterr().err


def test_one_process_trains_saves_and_resumes(stand_in: Path, capsys):
    out = stand_in / "runs"
    assert main(["--epochs", "1", "--out", str(out)], environ={}) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("1 process(es) on 1 node(s), backend none, 200 images each")
    assert "epoch 1: train loss" in printed
    assert load_checkpoint(out / "cifar10-net.pt", Net()).epoch == 1
    resumed = ["--epochs", "1", "--resume", str(out / "cifar10-net.pt"), "--out", str(out)]
    assert main(resumed, environ={}) == 0
    printed = capsys.readouterr().out
    assert f"resumed from {out / 'cifar10-net.pt'} on every rank" in printed
    assert "epoch 2: train loss" in printed
    checkpoint = load_checkpoint(out / "cifar10-net.pt", Net())
    assert checkpoint.epoch == 2
    assert len(checkpoint.history.train_loss) == len(checkpoint.history.val_accuracy) == 2


def test_no_sync_saves_all_reduces_and_keeps_the_gradient(world_of_one):
    torch.manual_seed(0)
    images, labels = torch.randn(320, 3, 32, 32), torch.randint(10, (320,))
    loader = DataLoader(TensorDataset(images, labels), batch_size=64)  # 5 batches
    counts = {}
    for accumulate in (1, 2, 5):
        torch.manual_seed(0)
        model = DistributedDataParallel(Net())
        allreduces = count_allreduces(model)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        calls = []
        optimizer.register_step_post_hook(lambda *_, calls=calls: calls.append(1))
        train_epoch(model, loader, optimizer, torch.device("cpu"), accumulate)
        counts[accumulate] = (allreduces.calls, len(calls))
    assert counts == {1: (5, 5), 2: (3, 3), 5: (1, 1)}  # a short last group still steps
    # Five batches of 64 accumulated: one step with the mean gradient of all 320 images.
    torch.manual_seed(0)
    whole = Net()
    torch.nn.functional.cross_entropy(whole(images), labels).backward()
    with torch.no_grad():
        for parameter in whole.parameters():
            parameter -= 0.1 * parameter.grad
    torch.testing.assert_close(model.module.state_dict(), whole.state_dict())


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


def run_two_ranks(argv: list[str], stand_in: Path) -> list[subprocess.CompletedProcess]:
    """RANK_SCRIPT as ranks 0 and 1 of one gloo group on this machine, at most 120 s."""
    first, second = free_port(), free_port()
    launch = {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(first), "WORLD_SIZE": "2"}
    ranks = []
    for rank in (0, 1):
        environ = {**os.environ, **launch, "RANK": str(rank), "LOCAL_RANK": str(rank)}
        command = [sys.executable, "-c", RANK_SCRIPT, str(second), *argv]
        ranks.append(
            subprocess.Popen(
                command, cwd=stand_in, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        )
    finished = []
    try:
        for process in ranks:
            stdout, stderr = process.communicate(timeout=120)
            finished.append(
                subprocess.CompletedProcess(
                    process.args, process.returncode, stdout.decode(), stderr.decode()
                )
            )
    finally:
        for process in ranks:
            process.kill()  # only those still running: a rank that timed out, or its partner
    return finished


def test_two_ranks_with_a_buffer_validate_accumulate_and_join(stand_in: Path):
    argv = ["--epochs", "2", "--accumulate", "2", "--backend", "gloo", "--out", "runs"]
    rank0, rank1 = run_two_ranks(argv, stand_in)
    assert rank0.returncode == rank1.returncode == 0, rank0.stderr[-2000:] + rank1.stderr[-2000:]
    assert rank1.stdout == ""  # rank 0 alone logs
    lines = rank0.stdout.splitlines()
    assert lines[0].startswith("2 process(es) on 1 node(s), backend gloo, 100 images each")
    built = lines[2].removeprefix("weights' checksum per rank, as built: ").split(", ")
    wrapped = lines[3].removeprefix("after DistributedDataParallel(model): ").split(", ")
    assert built[0] != built[1]  # each rank seeded its own weights ...
    assert wrapped == [built[0], built[0]]  # ... and DDP copied rank 0's to both
    # 100 images each: batches of 64 and 36, one all-reduce for the two (--accumulate 2).
    assert "(2 batches, 1 gradient all-reduces per rank)" in lines[4]
    assert lines[5].startswith("epoch 2: train loss") and "val accuracy" in lines[5]
    assert "largest difference between the ranks' weights: 0.0" in rank0.stdout
    assert "rank 0: 3 batches, 5 gradient all-reduces" in rank0.stdout  # 2 stood in by join
    assert "rank 1: 5 batches, 5 gradient all-reduces" in rank0.stdout
    assert rank0.stdout.endswith("afterwards, largest difference between the ranks' weights: 0.0\n")
    checkpoint = torch.load(stand_in / "runs" / "cifar10-net.pt", weights_only=True)
    assert checkpoint["epoch"] == 2 and "norm.running_mean" in checkpoint["model"]
