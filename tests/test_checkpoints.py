"""Tests of snippets/cifar10/checkpoints.py: save, load, resume, and the clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from snippets.cifar10 import (
    CheckpointMismatchError,
    CorruptCheckpointError,
    History,
    Net,
    load_checkpoint,
    save_checkpoint,
)


def trained(tmp_path: Path) -> tuple[Net, torch.optim.Optimizer, Path]:
    torch.manual_seed(0)
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss = torch.nn.functional.cross_entropy(model(torch.randn(4, 3, 32, 32)), torch.arange(4))
    loss.backward()
    optimizer.step()  # now the optimizer has momentum buffers to save
    path = save_checkpoint(tmp_path / "runs" / "net.pt", model, optimizer, 3, History([1.0]))
    return model, optimizer, path


def test_a_checkpoint_restores_weights_optimizer_epoch_and_history(tmp_path: Path):
    model, optimizer, path = trained(tmp_path)
    assert [p.name for p in path.parent.iterdir()] == ["net.pt"]  # no temporary file left
    restored = Net()
    restored_optimizer = torch.optim.SGD(restored.parameters(), lr=0.5, momentum=0.9)
    checkpoint = load_checkpoint(path, restored, restored_optimizer)
    assert (checkpoint.epoch, checkpoint.history, checkpoint.model_class) == (
        3,
        History([1.0]),
        "Net",
    )
    for key, value in model.state_dict().items():
        assert torch.equal(restored.state_dict()[key], value)
    assert restored_optimizer.param_groups[0]["lr"] == 0.01
    buffers = [state["momentum_buffer"] for state in restored_optimizer.state.values()]
    assert len(buffers) == 10 and all(torch.is_tensor(b) for b in buffers)


def test_a_checkpoint_loads_with_weights_only_true(tmp_path: Path):
    _, _, path = trained(tmp_path)
    state = torch.load(path, weights_only=True)  # no pickled classes: no code runs
    assert set(state) == {"format", "model_class", "model", "optimizer", "epoch", "history"}


def test_a_missing_checkpoint_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no checkpoint at .*train a model first"):
        load_checkpoint(tmp_path / "missing.pt", Net())


def test_a_damaged_checkpoint_is_named(tmp_path: Path):
    _, _, path = trained(tmp_path)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(CorruptCheckpointError, match="net.pt is not a readable checkpoint"):
        load_checkpoint(path, Net())


def test_a_bare_state_dict_is_not_taken_for_a_checkpoint(tmp_path: Path):
    path = tmp_path / "weights.pt"
    torch.save(Net().state_dict(), path)
    with pytest.raises(CorruptCheckpointError, match="not a checkpoint written by save_checkpoint"):
        load_checkpoint(path, Net())


def test_the_weights_of_another_model_are_refused_with_what_differs(tmp_path: Path):
    path = save_checkpoint(tmp_path / "linear.pt", torch.nn.Linear(4, 2))
    with pytest.raises(CheckpointMismatchError, match=r"a Linear, which do not fit this Net \(10"):
        load_checkpoint(path, Net())
    other = Net()
    other.fc3 = torch.nn.Linear(84, 5)
    path = save_checkpoint(tmp_path / "five.pt", other)
    with pytest.raises(CheckpointMismatchError, match="2 other shape, e.g. fc3.weight"):
        load_checkpoint(path, Net())


def test_resuming_needs_a_saved_optimizer(tmp_path: Path):
    path = save_checkpoint(tmp_path / "weights-only.pt", Net())
    model = Net()
    with pytest.raises(CheckpointMismatchError, match="no optimizer state to resume from"):
        load_checkpoint(path, model, torch.optim.SGD(model.parameters(), lr=0.1))


def test_a_failed_save_leaves_the_old_checkpoint(tmp_path: Path):
    model, optimizer, path = trained(tmp_path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save_checkpoint(path, model, optimizer, history=lambda: None)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["net.pt"]


@pytest.mark.gpu
def test_weights_saved_on_a_gpu_load_on_the_cpu(tmp_path: Path):
    model = Net().cuda()
    path = save_checkpoint(tmp_path / "gpu.pt", model)
    restored = Net()
    load_checkpoint(path, restored)
    assert restored.fc3.weight.device.type == "cpu"
    assert torch.equal(restored.fc3.weight, model.fc3.weight.cpu())
