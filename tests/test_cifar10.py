"""Tests of snippets/cifar10: data, transforms, batches, the network, training, figures and the
command line (the stand-in itself: tests/test_stand_in.py).

No test touches the network: the data is the stand-in, written by the tests themselves, and the
download path is replaced by one that fails like an offline machine.
"""

from __future__ import annotations

import io
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch

from snippets.cifar10 import (
    CLASSES,
    CIFAR10StandIn,
    CorruptDatasetError,
    History,
    InMemoryBatches,
    Net,
    cifar10_dataset,
    count_parameters,
    data_root,
    eval_transforms,
    evaluate,
    fit,
    load_checkpoint,
    make_loaders,
    plot_confusion_matrix,
    plot_history,
    plot_mistakes,
    show_images,
    train_transforms,
    training,
    unnormalize,
    using_stand_in,
    write_stand_in,
)
from snippets.cifar10 import __main__ as cli
from snippets.cifar10 import data as cifar_data
from snippets.cifar10 import stand_in as stand_in_module

CPU = torch.device("cpu")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Every test runs as on a machine without network: a download fails at once."""

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable (the tests are offline)")

    monkeypatch.setattr("torchvision.datasets.utils.download_url", no_network)
    monkeypatch.setattr("torchvision.datasets.cifar.download_and_extract_archive", no_network)
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    monkeypatch.delenv("CIFAR10_STAND_IN", raising=False)


@pytest.fixture
def tiny(tmp_path) -> Path:
    write_stand_in(tmp_path, train_size=50, test_size=20)
    return tmp_path


# ---- the real data by default, the stand-in on request ---------------------------------------


def test_cifar10_stand_in_selects_the_stand_in_and_writes_it_once(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CIFAR10_STAND_IN", "1")
    monkeypatch.setattr(stand_in_module, "write_stand_in", small_stand_in)
    monkeypatch.setattr(cifar_data, "write_stand_in", small_stand_in)
    dataset = cifar10_dataset(tmp_path)
    assert isinstance(dataset, CIFAR10StandIn) and Path(dataset.root) == tmp_path / "stand-in"
    monkeypatch.setattr(cifar_data, "write_stand_in", fail_if_called)
    assert len(cifar10_dataset(tmp_path, train=False)) == 4  # read, not written again


def small_stand_in(root):
    return write_stand_in(root, train_size=10, test_size=4)


def fail_if_called(*args, **kwargs):
    raise AssertionError("the stand-in was written again")


def test_the_default_is_the_real_data_and_offline_the_error_names_the_stand_in(tmp_path: Path):
    with pytest.raises(ConnectionError, match=r"could not download CIFAR-10 .*CIFAR10_STAND_IN=1"):
        cifar10_dataset(tmp_path)
    assert not (tmp_path / "stand-in").exists()  # nothing pretends to be CIFAR-10


def test_missing_real_data_without_download_names_both_fixes(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"download=True .*CIFAR10_STAND_IN=1"):
        cifar10_dataset(tmp_path / "nowhere", download=False)


def test_a_damaged_real_dataset_names_the_file_and_the_fix(tmp_path: Path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [*stand_in_module.TRAIN_FILES, "test_batch", "batches.meta"]:
        (folder / name).write_bytes(b"truncated")
    with pytest.raises(CorruptDatasetError, match=r"data_batch_1 is .*download again"):
        cifar10_dataset(tmp_path)


def test_a_stand_in_folder_is_not_taken_for_cifar10(tiny: Path):
    with pytest.raises(ValueError, match="holds the stand-in, not CIFAR-10: set CIFAR10_STAND_IN"):
        cifar10_dataset(tiny)


@pytest.mark.parametrize(("value", "expected"), [("", False), ("0", False), ("1", True)])
def test_cifar10_stand_in_values(monkeypatch, value: str, expected: bool):
    monkeypatch.setenv("CIFAR10_STAND_IN", value)
    assert using_stand_in() is expected


def test_a_wrong_cifar10_stand_in_value_names_the_valid_ones(monkeypatch):
    monkeypatch.setenv("CIFAR10_STAND_IN", "yes")
    with pytest.raises(ValueError, match="must be 1 .* or 0 / unset .*got 'yes'"):
        using_stand_in()


def test_cifar10_dir_sets_the_data_folder(monkeypatch, tmp_path: Path):
    assert data_root() == Path("data")
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path))
    assert data_root() == tmp_path


# ---- the network ---------------------------------------------------------------------------


def test_net_maps_a_batch_to_ten_scores_and_has_the_notes_size():
    model = Net()
    assert model(torch.zeros(4, 3, 32, 32)).shape == (4, 10)
    assert count_parameters(model) == 62_006


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (torch.zeros(4, 32, 32, 3), r"got \(4, 32, 32, 3\) \(colour values last, HWC\?"),
        (torch.zeros(3, 32, 32), r"image.unsqueeze\(0\)"),
        (torch.zeros(4, 1, 28, 28), r"shape \(B, 3, 32, 32\), got \(4, 1, 28, 28\)"),
        (torch.zeros(4, 3, 32, 32, dtype=torch.uint8), r"floating-point .*eval_transforms"),
    ],
)
def test_net_rejects_images_it_cannot_read(images: torch.Tensor, message: str):
    with pytest.raises(ValueError, match=message):
        Net()(images)


def test_net_rejects_non_tensors():
    with pytest.raises(TypeError, match="got ndarray"):
        Net()(np.zeros((1, 3, 32, 32), dtype=np.float32))


# ---- transforms and batches ------------------------------------------------------------------


def test_the_transforms_give_plain_normalised_tensors(tiny: Path):
    image, _ = CIFAR10StandIn(tiny, transform=eval_transforms())[0]
    assert type(image) is torch.Tensor and image.shape == (3, 32, 32)
    assert image.dtype == torch.float32
    pixels = torch.from_numpy(CIFAR10StandIn(tiny).data[0]).permute(2, 0, 1) / 255
    torch.testing.assert_close(unnormalize(image), pixels, rtol=0, atol=1e-6)
    assert len(train_transforms(augment=True).transforms) == len(eval_transforms().transforms) + 2
    augmented, _ = CIFAR10StandIn(tiny, transform=train_transforms(augment=True))[0]
    assert augmented.shape == (3, 32, 32)


def test_in_memory_batches_match_the_transform_path(tiny: Path):
    dataset = CIFAR10StandIn(tiny, train=False, transform=eval_transforms())
    batches = InMemoryBatches(dataset, batch_size=8, shuffle=False)
    images, labels = next(iter(batches))
    assert images.shape == (8, 3, 32, 32) and labels.tolist() == dataset.targets[:8]
    assert images.is_contiguous(memory_format=torch.channels_last)
    expected = torch.stack([dataset[i][0] for i in range(8)])
    torch.testing.assert_close(images, expected, rtol=0, atol=1e-5)
    assert len(batches) == 3  # 20 images: 8 + 8 + 4


def test_in_memory_batches_of_a_subset_hold_its_images_only(tiny: Path):
    dataset = CIFAR10StandIn(tiny, train=False, transform=eval_transforms())
    part = torch.utils.data.Subset(dataset, [3, 1, 4])
    images, labels = next(iter(InMemoryBatches(part, batch_size=8, shuffle=False)))
    assert labels.tolist() == [dataset.targets[i] for i in (3, 1, 4)]
    expected = torch.stack([dataset[i][0] for i in (3, 1, 4)])
    torch.testing.assert_close(images, expected, rtol=0, atol=1e-5)


def test_a_subset_is_described_as_part_of_its_split(tiny: Path):
    dataset = CIFAR10StandIn(tiny)
    whole = cifar_data.describe_data(dataset)
    part = cifar_data.describe_data(torch.utils.data.Subset(dataset, range(3)))
    assert part == whole.replace(f"{len(dataset):,} images", f"3 of its {len(dataset):,} images")


def test_in_memory_batches_name_what_they_take():
    with pytest.raises(TypeError, match=r"a CIFAR-10 split \(cifar10_dataset\(...\)\) or a"):
        InMemoryBatches([(torch.zeros(3, 32, 32), 0)])


def test_in_memory_batches_shuffle_reproducibly(tiny: Path):
    dataset = CIFAR10StandIn(tiny)
    first = [labels for _, labels in InMemoryBatches(dataset, batch_size=10, seed=1)]
    second = [labels for _, labels in InMemoryBatches(dataset, batch_size=10, seed=1)]
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    assert sorted(torch.cat(first).tolist()) == sorted(dataset.targets)


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
def test_batch_sizes_must_be_positive_integers(tiny: Path, size):
    data = CIFAR10StandIn(tiny)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        InMemoryBatches(data, batch_size=size)
    with pytest.raises(ValueError, match="test_batch_size must be a positive integer"):
        make_loaders(data, data, test_batch_size=size)


def test_make_loaders_uses_the_notes_batch_sizes(tiny: Path):
    train_loader, test_loader = make_loaders(CIFAR10StandIn(tiny), CIFAR10StandIn(tiny, False))
    assert (train_loader.batch_size, test_loader.batch_size) == (64, 128)


# ---- training --------------------------------------------------------------------------------


def test_fit_goes_on_counting_the_epochs_of_a_resumed_history(tiny: Path):
    lines = []
    history = History(train_loss=[2.0, 1.5])
    fit(Net(), InMemoryBatches(CIFAR10StandIn(tiny)), CPU, history=history, log=lines.append)
    assert lines[0].startswith("epoch 3: ") and len(history.train_loss) == 3


def test_evaluate_leaves_the_model_in_eval_mode_and_counts_accuracy(tiny: Path):
    batches = InMemoryBatches(CIFAR10StandIn(tiny, train=False), batch_size=7, shuffle=False)
    model = Net()
    loss, accuracy = evaluate(model, batches, CPU)
    assert not model.training and loss > 0 and 0 <= accuracy <= 1
    assert round(accuracy * 20) == accuracy * 20  # a whole number of the 20 images


@pytest.mark.parametrize("epochs", [0, -1, 1.5, True])
def test_fit_rejects_epochs_that_are_not_positive(epochs, tiny: Path):
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit(Net(), InMemoryBatches(CIFAR10StandIn(tiny)), CPU, epochs=epochs)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bars_show_on_a_terminal_but_never_under_ci_or_in_a_pipe(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert training.show_progress(Terminal())
    assert not training.show_progress(io.StringIO())  # a pipe, a log file, a notebook
    monkeypatch.setenv("CI", "true")
    assert not training.show_progress(Terminal())


# ---- figures --------------------------------------------------------------------------------


def test_figures_show_images_with_class_names_curves_matrix_and_mistakes(tiny: Path):
    import matplotlib.pyplot as plt

    dataset = CIFAR10StandIn(tiny, transform=eval_transforms())
    images = torch.stack([dataset[i][0] for i in range(10)])
    figure = show_images(images, dataset.targets[:10], columns=5)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert titles == [CLASSES[label] for label in dataset.targets[:10]]
    assert len(plot_history(History([1.0, 0.5], [0.9, 0.6], [0.5, 0.8])).axes) == 2
    matrix = torch.eye(10, dtype=torch.long) * 5
    assert plot_confusion_matrix(matrix).axes[0].get_xlabel() == "predicted class"
    mistakes = plot_mistakes(images[:2], [0, 1], [1, 0], [0.9, 0.6])
    assert "true: airplane\nsaid: automobile 90%" in [ax.get_title() for ax in mistakes.axes]
    with pytest.raises(ValueError, match=r"expects \(B, 3, H, W\)"):
        show_images(images[0], [0])
    with pytest.raises(ValueError, match=r"expects a \(10, 10\) matrix"):
        plot_confusion_matrix(torch.zeros(3, 3))
    plt.close("all")


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture
def stand_in_env(monkeypatch, tmp_path: Path) -> Path:
    """CIFAR10_STAND_IN=1, with a small stand-in already in tmp_path/stand-in."""
    monkeypatch.setenv("CIFAR10_STAND_IN", "1")
    write_stand_in(tmp_path / "stand-in", train_size=100, test_size=20)
    return tmp_path


def test_cli_trains_evaluates_and_exports(stand_in_env: Path, capsys):
    out = stand_in_env / "runs"
    data = ["--data", str(stand_in_env), "--device", "cpu"]
    assert cli.main(["train", *data, "--epochs", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "stand-in (synthetic images, not CIFAR-10)" in printed
    assert "epoch 1: " in printed and "epoch 2: " in printed
    assert sorted(p.name for p in out.iterdir()) == ["cifar10-net.pt", "curves.png"]
    assert load_checkpoint(out / "cifar10-net.pt", Net()).epoch == 2
    checkpoint = str(out / "cifar10-net.pt")
    assert cli.main(["evaluate", "--checkpoint", checkpoint, *data]) == 0
    printed = capsys.readouterr().out
    assert "accuracy: " in printed and "  truck " in printed
    assert cli.main(["export", "--checkpoint", checkpoint, "--out", str(out / "net.pt2")]) == 0
    assert (out / "net.pt2").is_file()


def test_cli_checks_the_output_folder_before_training(stand_in_env: Path, capsys, monkeypatch):
    blocker = stand_in_env / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(cli, "cifar10_dataset", fail_if_called)  # no data work may start
    assert cli.main(["train", "--data", str(stand_in_env), "--out", str(blocker / "runs")]) == 2
    assert "cannot write to" in capsys.readouterr().err


def test_cli_explains_missing_checkpoints_and_bad_export_targets(tmp_path: Path, capsys):
    assert cli.main(["evaluate", "--checkpoint", str(tmp_path / "none.pt")]) == 2
    assert "no checkpoint at" in capsys.readouterr().err
    assert cli.main(["export", "--checkpoint", "x.pt", "--out", str(tmp_path / "net.zip")]) == 2
    assert "must end in .pt2 or .onnx" in capsys.readouterr().err


def test_cli_offline_without_the_stand_in_names_the_variable(tmp_path: Path, capsys):
    assert cli.main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "runs")]) == 2
    assert "CIFAR10_STAND_IN=1" in capsys.readouterr().err


def test_cli_writes_the_stand_in(tmp_path: Path, capsys):
    args = ["stand-in", str(tmp_path), "--train-size", "10", "--test-size", "2"]
    assert cli.main(args) == 0
    assert "NOT CIFAR-10" in capsys.readouterr().out
    assert len(CIFAR10StandIn(tmp_path)) == 10


@pytest.mark.parametrize("option", ["--epochs", "--batch-size", "--lr"])
@pytest.mark.parametrize("value", ["0", "-3", "two"])
def test_cli_rejects_counts_that_are_not_positive(option: str, value: str, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", option, value])
    assert exit_info.value.code == 2
    assert f"argument {option}: must be a positive" in capsys.readouterr().err


def test_cli_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = capsys.readouterr().out
    for option in ["--data", "--no-download", "--epochs", "--batch-size", "--device", "--out"]:
        assert option in text


@pytest.mark.gpu
def test_training_on_cuda_with_resident_data(tiny: Path):
    batches = InMemoryBatches(CIFAR10StandIn(tiny), device="cuda")
    history = fit(Net(), batches, torch.device("cuda"), log=None)
    assert len(history.train_loss) == 1 and batches.images.is_cuda
