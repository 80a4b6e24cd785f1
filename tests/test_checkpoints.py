"""Tests of snippets/cifar10/checkpoints.py: save, load, resume, and the clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from snippets.cifar10 import (
    CheckpointMismatchError,
    CorruptCheckpointError,
    History,
    Net,
    load_checkpoint,
    save_checkpoint,
)
from snippets.cifar10.checkpoints import FORMAT


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
    assert set(state) == {
        "format",
        "model_class",
        "model",
        "optimizer",
        "scheduler",
        "scaler",
        "rng",
        "epoch",
        "history",
    }
    assert torch.equal(state["rng"]["torch"], torch.get_rng_state())  # saved just now


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


class Run:
    """A tiny training run with every piece of state an exact resume needs: dropout (torch's
    generator), a shuffled DataLoader (its own generator), a scheduler and a GradScaler."""

    def __init__(self) -> None:
        torch.manual_seed(0)
        self.model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1, momentum=0.9)
        self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, 1, gamma=0.5)
        self.scaler = torch.amp.GradScaler("cpu", init_scale=2.0**4)  # enabled: it has state
        self.generator = torch.Generator().manual_seed(0)
        data = TensorDataset(torch.linspace(-1, 1, 64).reshape(16, 4), torch.arange(16) % 2)
        self.loader = DataLoader(data, batch_size=4, shuffle=True, generator=self.generator)

    def train(self, epochs: int) -> None:
        for _ in range(epochs):
            for inputs, labels in self.loader:
                self.optimizer.zero_grad()
                loss = nn.functional.cross_entropy(self.model(inputs), labels)
                self.scaler.scale(loss).backward()
                self.scaler.step(self.optimizer)
                self.scaler.update()
            self.scheduler.step()

    def save(self, path: Path) -> Path:
        return save_checkpoint(
            path,
            self.model,
            self.optimizer,
            epoch=2,
            scheduler=self.scheduler,
            scaler=self.scaler,
            generator=self.generator,
        )

    def load(self, path: Path, restore_rng: bool = True) -> None:
        load_checkpoint(
            path,
            self.model,
            self.optimizer,
            scheduler=self.scheduler,
            scaler=self.scaler,
            generator=self.generator,
            restore_rng=restore_rng,
        )


def same_weights(a: Run, b: Run) -> bool:
    pairs = zip(a.model.parameters(), b.model.parameters(), strict=True)
    return all(torch.equal(p, q) for p, q in pairs)


def test_an_exact_resume_repeats_the_run_that_never_stopped(tmp_path: Path):
    straight = Run()
    straight.train(4)
    interrupted = Run()
    interrupted.train(2)
    path = interrupted.save(tmp_path / "run.pt")
    resumed = Run()
    resumed.load(path)
    assert resumed.scheduler.last_epoch == 2 and resumed.optimizer.param_groups[0]["lr"] == 0.025
    assert resumed.scaler.state_dict() == interrupted.scaler.state_dict()
    resumed.train(2)
    assert same_weights(resumed, straight)
    forgetful = Run()  # the same, but torch's generator starts over: other dropout masks
    load_checkpoint(path, forgetful.model, forgetful.optimizer, scheduler=forgetful.scheduler)
    forgetful.train(2)
    assert not same_weights(forgetful, straight)


def test_restore_rng_puts_the_generators_back_where_the_save_left_them(tmp_path: Path):
    run = Run()
    path = run.save(tmp_path / "run.pt")
    expected = torch.rand(3), torch.randperm(10, generator=run.generator)
    torch.manual_seed(1)  # both move on, as in a new process
    run.generator.manual_seed(1)
    run.load(path)
    assert torch.equal(torch.rand(3), expected[0])
    assert torch.equal(torch.randperm(10, generator=run.generator), expected[1])


def test_resuming_what_was_not_saved_says_how_to_save_it(tmp_path: Path):
    path = save_checkpoint(tmp_path / "plain.pt", Net())
    model = Net()
    scheduler = torch.optim.lr_scheduler.StepLR(torch.optim.SGD(model.parameters(), lr=0.1), 1)
    with pytest.raises(CheckpointMismatchError, match=r"no scheduler state .*scheduler=\.\.\."):
        load_checkpoint(path, model, scheduler=scheduler)
    with pytest.raises(CheckpointMismatchError, match=r"no generator state .*generator=\.\.\."):
        load_checkpoint(path, model, generator=torch.Generator())
    load_checkpoint(path, model, restore_rng=True)  # torch's own generator is always saved


def test_a_checkpoint_saved_before_the_rng_states_loads_but_cannot_restore_them(tmp_path: Path):
    state = {"format": FORMAT, "model_class": "Net", "model": Net().state_dict()}
    state |= {"optimizer": None, "epoch": 3, "history": {"train_loss": [1.0]}}
    torch.save(state, tmp_path / "old.pt")
    assert load_checkpoint(tmp_path / "old.pt", Net()).epoch == 3
    with pytest.raises(CheckpointMismatchError, match="no rng state .*save it again"):
        load_checkpoint(tmp_path / "old.pt", Net(), restore_rng=True)


@pytest.mark.gpu
def test_the_cuda_generators_are_saved_and_restored(tmp_path: Path):
    torch.cuda.manual_seed_all(0)
    expected_state = torch.cuda.get_rng_state_all()
    path = save_checkpoint(tmp_path / "gpu-rng.pt", Net())
    expected = torch.rand(3, device="cuda")
    torch.cuda.manual_seed_all(1)
    load_checkpoint(path, Net(), restore_rng=True)
    restored = torch.cuda.get_rng_state_all()
    assert all(torch.equal(a, b) for a, b in zip(restored, expected_state, strict=True))
    assert torch.equal(torch.rand(3, device="cuda"), expected)


@pytest.mark.gpu
def test_weights_saved_on_a_gpu_load_on_the_cpu(tmp_path: Path):
    model = Net().cuda()
    path = save_checkpoint(tmp_path / "gpu.pt", model)
    restored = Net()
    load_checkpoint(path, restored)
    assert restored.fc3.weight.device.type == "cpu"
    assert torch.equal(restored.fc3.weight, model.fc3.weight.cpu())
