"""Tests of snippets/cifar10: the stand-in, loading, the network, training, checkpoints, the CLI.

No test touches the network: the data is the stand-in, written by the tests themselves.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision.datasets import CIFAR10

from snippets.cifar10 import (
    CLASSES,
    CorruptCheckpointError,
    CorruptDatasetError,
    History,
    InMemoryBatches,
    Net,
    SyntheticCIFAR10,
    cifar10_dataset,
    count_parameters,
    describe_data,
    evaluate,
    fit,
    load_checkpoint,
    make_loaders,
    plot_history,
    save_checkpoint,
    show_images,
    train_transforms,
    training,
    unnormalize,
    write_synthetic_cifar10,
)
from snippets.cifar10 import __main__ as cli
from snippets.cifar10 import data as cifar_data
from snippets.cifar10 import test_transforms as make_test_transforms  # not a test itself

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory) -> Path:
    """The default-size stand-in: 5,000 training and 1,000 test images."""
    root = tmp_path_factory.mktemp("cifar")
    write_synthetic_cifar10(root)
    return root


@pytest.fixture
def tiny(tmp_path) -> Path:
    write_synthetic_cifar10(tmp_path, train_size=50, test_size=20)
    return tmp_path


# ---- the stand-in, in CIFAR-10's format ------------------------------------------------------


def test_stand_in_is_written_in_cifar10_format(tiny: Path):
    folder = tiny / "cifar-10-batches-py"
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted([*cifar_data.TRAIN_FILES, "test_batch", "batches.meta", "STAND-IN.json"])
    with open(folder / "data_batch_1", "rb") as file:
        batch = pickle.load(file, encoding="latin1")
    assert batch["data"].dtype == np.uint8 and batch["data"].shape == (10, 3072)
    assert len(batch["labels"]) == 10 and "synthetic stand-in" in batch["batch_label"]
    with open(folder / "batches.meta", "rb") as file:
        assert pickle.load(file, encoding="latin1")["label_names"] == list(CLASSES)


def test_torchvision_reads_the_stand_in_through_a_clearly_named_subclass(tiny: Path):
    train = cifar10_dataset(tiny, train=True)
    test = cifar10_dataset(tiny, train=False, transform=make_test_transforms())
    assert isinstance(train, SyntheticCIFAR10) and isinstance(train, CIFAR10)
    assert (len(train), len(test)) == (50, 20)
    assert train.classes == list(CLASSES)
    image, label = test[0]
    assert image.shape == (3, 32, 32) and 0 <= label < 10
    assert "NOT the real CIFAR-10" in repr(train)
    assert describe_data(train) == "the synthetic CIFAR-10 stand-in, training split, 50 images"


def test_stock_torchvision_still_rejects_the_stand_in(tiny: Path):
    with pytest.raises(RuntimeError, match="not found or corrupted"):
        CIFAR10(tiny, train=True)  # the md5 check on real data is not weakened


def test_classes_come_in_equal_shares(stand_in: Path):
    counts = np.bincount(cifar10_dataset(stand_in, train=True).targets, minlength=10)
    assert counts.tolist() == [500] * 10


def test_writing_is_reproducible_and_replaces_an_old_stand_in(tmp_path: Path):
    first = write_synthetic_cifar10(tmp_path, train_size=20, test_size=5, seed=3)
    data = (first / "test_batch").read_bytes()
    write_synthetic_cifar10(tmp_path, train_size=20, test_size=5, seed=3)
    assert (first / "test_batch").read_bytes() == data
    write_synthetic_cifar10(tmp_path, train_size=30, test_size=5)
    assert len(cifar10_dataset(tmp_path)) == 30
    assert [path.name for path in tmp_path.iterdir()] == ["cifar-10-batches-py"]


def test_an_interrupted_write_leaves_nothing_behind(tmp_path: Path, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cifar_data, "write_batch", fail)
    with pytest.raises(OSError, match="disk full"):
        write_synthetic_cifar10(tmp_path, train_size=20, test_size=5)
    assert list(tmp_path.iterdir()) == []


def test_writing_never_overwrites_a_folder_that_is_not_a_stand_in(tmp_path: Path):
    (tmp_path / "cifar-10-batches-py").mkdir()
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(b"real data")
    with pytest.raises(FileExistsError, match="not a stand-in"):
        write_synthetic_cifar10(tmp_path)
    assert (tmp_path / "cifar-10-batches-py" / "data_batch_1").read_bytes() == b"real data"


@pytest.mark.parametrize(("train_size", "test_size"), [(4, 10), (10, 0)])
def test_writing_rejects_sizes_too_small(tmp_path: Path, train_size: int, test_size: int):
    with pytest.raises(ValueError, match="train_size must be at least 5"):
        write_synthetic_cifar10(tmp_path, train_size=train_size, test_size=test_size)


# ---- bad data on disk ----------------------------------------------------------------------


def test_missing_data_names_both_fixes(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"download=True .*snippets.cifar10 synthetic"):
        cifar10_dataset(tmp_path / "nowhere")


def test_a_truncated_stand_in_file_is_named(tiny: Path):
    batch = tiny / "cifar-10-batches-py" / "data_batch_3"
    batch.write_bytes(batch.read_bytes()[:1000])
    with pytest.raises(CorruptDatasetError, match=r"data_batch_3 is missing, truncated or altered"):
        cifar10_dataset(tiny)


def test_a_damaged_real_dataset_names_the_file_and_the_fix(tmp_path: Path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [*cifar_data.TRAIN_FILES, "test_batch", "batches.meta"]:
        (folder / name).write_bytes(b"truncated")
    with pytest.raises(CorruptDatasetError, match=r"data_batch_1 is .*download=True"):
        cifar10_dataset(tmp_path)


def test_the_stand_in_cannot_be_downloaded_over(tiny: Path):
    with pytest.raises(ValueError, match="holds the synthetic stand-in"):
        cifar10_dataset(tiny, download=True)


def test_a_corrupted_manifest_is_named(tiny: Path):
    (tiny / "cifar-10-batches-py" / "STAND-IN.json").write_text("{not json")
    with pytest.raises(CorruptDatasetError, match=r"STAND-IN.json is corrupted"):
        cifar10_dataset(tiny)


# ---- the network ---------------------------------------------------------------------------


def test_net_maps_a_batch_to_ten_scores_and_has_the_seed_size():
    model = Net()
    assert model(torch.zeros(4, 3, 32, 32)).shape == (4, 10)
    assert count_parameters(model) == 62_006


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (torch.zeros(4, 32, 32, 3), r"got \(4, 32, 32, 3\) \(channels last\?"),
        (torch.zeros(3, 32, 32), r"image.unsqueeze\(0\)"),
        (torch.zeros(4, 1, 28, 28), r"shape \(B, 3, 32, 32\), got \(4, 1, 28, 28\)"),
        (torch.zeros(4, 3, 32, 32, dtype=torch.uint8), r"floating-point .*test_transforms"),
    ],
)
def test_net_rejects_images_it_cannot_read(images: torch.Tensor, message: str):
    with pytest.raises(ValueError, match=message):
        Net()(images)


def test_net_rejects_non_tensors():
    with pytest.raises(TypeError, match="got ndarray"):
        Net()(np.zeros((1, 3, 32, 32), dtype=np.float32))


# ---- transforms and batches ------------------------------------------------------------------


def test_in_memory_batches_match_the_transform_path(tiny: Path):
    dataset = cifar10_dataset(tiny, train=False, transform=make_test_transforms())
    batches = InMemoryBatches(dataset, batch_size=8, shuffle=False)
    images, labels = next(iter(batches))
    assert images.shape == (8, 3, 32, 32) and labels.tolist() == dataset.targets[:8]
    assert images.is_contiguous(memory_format=torch.channels_last)
    expected = torch.stack([dataset[i][0] for i in range(8)])
    torch.testing.assert_close(images, expected, rtol=0, atol=1e-5)
    assert len(batches) == 3  # 20 images: 8 + 8 + 4


def test_in_memory_batches_shuffle_reproducibly(tiny: Path):
    dataset = cifar10_dataset(tiny)
    first = [labels for _, labels in InMemoryBatches(dataset, batch_size=10, seed=1)]
    second = [labels for _, labels in InMemoryBatches(dataset, batch_size=10, seed=1)]
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    assert sorted(torch.cat(first).tolist()) == sorted(dataset.targets)


def test_in_memory_batches_reject_a_bad_batch_size(tiny: Path):
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        InMemoryBatches(cifar10_dataset(tiny), batch_size=0)


@pytest.mark.parametrize("option", ["batch_size", "test_batch_size"])
def test_make_loaders_rejects_batch_sizes_that_are_not_positive(tiny: Path, option: str):
    data = cifar10_dataset(tiny)
    with pytest.raises(ValueError, match=f"{option} must be a positive integer, got 0"):
        make_loaders(data, data, **{option: 0})


def test_augmented_train_transforms_keep_the_shape(tiny: Path):
    dataset = cifar10_dataset(tiny, transform=train_transforms(augment=True))
    assert dataset[0][0].shape == (3, 32, 32)
    assert len(train_transforms(augment=True).transforms) == 4


# ---- training --------------------------------------------------------------------------------


def test_one_short_epoch_on_the_stand_in_learns_well_above_chance(stand_in: Path):
    torch.manual_seed(0)
    train = cifar10_dataset(stand_in, train=True, transform=train_transforms())
    test = cifar10_dataset(stand_in, train=False, transform=make_test_transforms())
    train_loader, test_loader = make_loaders(train, test)
    assert (train_loader.batch_size, test_loader.batch_size) == (64, 128)
    lines = []
    history = fit(Net(), train_loader, CPU, epochs=1, val_batches=test_loader, log=lines.append)
    assert 0.5 < history.val_accuracy[0] <= 1.0  # chance is 0.1
    assert history.val_loss[0] < 2.3  # below the loss of uniform guessing, ln(10)
    assert lines[0].startswith("epoch 1/1: train loss ")


def test_evaluate_leaves_the_model_in_eval_mode_and_counts_accuracy(tiny: Path):
    batches = InMemoryBatches(cifar10_dataset(tiny, train=False), batch_size=7, shuffle=False)
    model = Net()
    loss, accuracy = evaluate(model, batches, CPU)
    assert not model.training and loss > 0 and 0 <= accuracy <= 1
    assert round(accuracy * 20) == accuracy * 20  # a whole number of the 20 images


@pytest.mark.parametrize("epochs", [0, -1, 1.5])
def test_fit_rejects_epochs_that_are_not_positive(epochs, tiny: Path):
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit(Net(), InMemoryBatches(cifar10_dataset(tiny)), CPU, epochs=epochs)


def test_progress_bars_are_quiet_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert training.quiet()


def test_checkpoint_round_trip(tmp_path: Path, tiny: Path):
    torch.manual_seed(0)
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    history = fit(model, InMemoryBatches(cifar10_dataset(tiny)), CPU, optimizer=optimizer, log=None)
    path = tmp_path / "runs" / "checkpoint.pt"
    save_checkpoint(path, model, optimizer, history)
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.pt"]  # no temp file left

    restored, restored_optimizer = Net(), torch.optim.SGD(Net().parameters(), lr=0.5)
    restored_optimizer = torch.optim.SGD(restored.parameters(), lr=0.5, momentum=0.9)
    assert load_checkpoint(path, restored, restored_optimizer) == history
    for key, value in model.state_dict().items():
        assert torch.equal(restored.state_dict()[key], value)
    assert restored_optimizer.param_groups[0]["lr"] == 0.01


def test_corrupted_or_missing_checkpoints_are_named(tmp_path: Path):
    path = tmp_path / "checkpoint.pt"
    model = Net()
    save_checkpoint(path, model, torch.optim.SGD(model.parameters(), lr=0.1), History())
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CorruptCheckpointError, match=r"checkpoint.pt is not a readable checkpoint"):
        load_checkpoint(path, Net())
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "missing.pt", Net())


# ---- figures --------------------------------------------------------------------------------


def test_figures_show_images_with_class_names_and_curves(tiny: Path):
    import matplotlib.pyplot as plt

    dataset = cifar10_dataset(tiny, transform=make_test_transforms())
    images = torch.stack([dataset[i][0] for i in range(10)])
    figure = show_images(images, dataset.targets[:10], columns=5)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert titles == [CLASSES[label] for label in dataset.targets[:10]]
    history = History([1.0, 0.5], [0.9, 0.6], [0.5, 0.8])
    assert len(plot_history(history).axes) == 2
    with pytest.raises(ValueError, match="expects \\(B, 3, H, W\\)"):
        show_images(images[0], [0])
    plt.close("all")


# ---- the command line -------------------------------------------------------------------------


def test_cli_writes_the_stand_in_and_trains_on_it(tmp_path: Path, capsys):
    assert cli.main(["synthetic", str(tmp_path), "--train-size", "100", "--test-size", "20"]) == 0
    out = tmp_path / "runs"
    args = ["train", "--data", str(tmp_path), "--epochs", "2", "--device", "cpu", "--out", str(out)]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out
    assert "NOT CIFAR-10" in printed and "synthetic CIFAR-10 stand-in" in printed
    assert "epoch 1/2" in printed and "epoch 2/2" in printed
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.pt", "curves.png"]
    assert len(load_checkpoint(out / "checkpoint.pt", Net()).train_loss) == 2


@pytest.mark.parametrize("option", ["--epochs", "--batch-size"])
@pytest.mark.parametrize("value", ["0", "-3", "two"])
def test_cli_rejects_counts_that_are_not_positive(option: str, value: str, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--data", "x", option, value])
    assert exit_info.value.code == 2
    assert f"argument {option}: must be a positive integer" in capsys.readouterr().err


def test_cli_explains_missing_data_and_unavailable_devices(tmp_path: Path, tiny: Path, capsys):
    assert cli.main(["train", "--data", str(tmp_path / "none"), "--device", "cpu"]) == 2
    assert "CIFAR-10 not found" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert cli.main(["train", "--data", str(tiny), "--device", "cuda"]) == 2
        assert "'cuda' is not available" in capsys.readouterr().err


def test_cli_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = capsys.readouterr().out
    for option in ["--data", "--download", "--epochs", "--batch-size", "--device", "--out"]:
        assert option in text


@pytest.mark.gpu
def test_training_on_cuda(tiny: Path):
    history = fit(Net(), InMemoryBatches(cifar10_dataset(tiny)), torch.device("cuda"), log=None)
    assert len(history.train_loss) == 1


# ---- the chapters' data folder, and display helpers -----------------------------------------


def test_chapter_data_uses_the_stand_in_offline(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path))
    monkeypatch.delenv("CIFAR10_DOWNLOAD", raising=False)
    monkeypatch.setattr(cifar_data, "write_synthetic_cifar10", write_tiny)
    assert cifar_data.chapter_data() == (tmp_path / "stand-in", False)
    assert cifar_data.is_stand_in(tmp_path / "stand-in")
    (tmp_path / "cifar-10-batches-py").mkdir()  # the real data, once downloaded there
    assert cifar_data.chapter_data() == (tmp_path, False)
    monkeypatch.setenv("CIFAR10_DOWNLOAD", "1")
    assert cifar_data.chapter_data() == (tmp_path, True)


def write_tiny(root: Path) -> Path:
    return write_synthetic_cifar10(root, train_size=10, test_size=2)


def test_unnormalize_undoes_normalize(tiny: Path):
    pixels = torch.from_numpy(cifar10_dataset(tiny).data[:2]).permute(0, 3, 1, 2)  # (2, 3, 32, 32)
    dataset = cifar10_dataset(tiny, transform=make_test_transforms())
    normalised = torch.stack([dataset[0][0], dataset[1][0]])
    torch.testing.assert_close(unnormalize(normalised), pixels / 255, rtol=0, atol=1e-6)
