"""CIFAR-10 data: the real dataset through torchvision, an offline stand-in, transforms, batches.

    train_data = cifar10_dataset("data", train=True, download=True)  # the real CIFAR-10
    write_synthetic_cifar10("standin")  # or: python -m snippets.cifar10 synthetic standin
    train_data = cifar10_dataset("standin", train=True)  # a SyntheticCIFAR10, clearly named

The stand-in is written in CIFAR-10's own on-disk format (`cifar-10-batches-py/` with pickled
`data_batch_1..5`, `test_batch`, `batches.meta`), so torchvision's loader reads it. It is NOT
CIFAR-10: each class is a coloured shape on a coloured background, plus noise. Tests, CI and offline
builds use it; its numbers are never CIFAR-10 results.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader
from torchvision import transforms
from torchvision.datasets import CIFAR10
from torchvision.datasets.utils import calculate_md5, check_integrity

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# The seed's Normalize values: the per-channel mean of CIFAR-10's training images, and the widely
# copied std values (the true per-pixel std is about (0.2470, 0.2435, 0.2616)).
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)
FOLDER = CIFAR10.base_folder  # "cifar-10-batches-py"
TRAIN_FILES = [name for name, _ in CIFAR10.train_list]  # data_batch_1 .. data_batch_5
TEST_FILE = CIFAR10.test_list[0][0]  # test_batch
META_FILE = CIFAR10.meta["filename"]  # batches.meta
MANIFEST = "STAND-IN.json"  # present only in the synthetic stand-in


class CorruptDatasetError(RuntimeError):
    """A dataset file is missing, truncated or altered; the message names it and the fix."""


# ---- the real dataset, or the stand-in ----------------------------------------------------------


# --8<-- [start:cifar10_dataset]
def cifar10_dataset(
    root: str | Path, train: bool = True, transform=None, download: bool = False
) -> CIFAR10:
    """CIFAR-10's training (or test) split from `root`.

    The real CIFAR-10 is `torchvision.datasets.CIFAR10`, downloaded into `root` when
    `download=True`. A folder holding the synthetic stand-in gives a `SyntheticCIFAR10`.
    """
    root = Path(root)
    if is_stand_in(root):
        if download:
            raise ValueError(
                f"{root} holds the synthetic stand-in, not CIFAR-10; to download the real data"
                " pass another folder (or delete this one)"
            )
        return SyntheticCIFAR10(root, train=train, transform=transform)
    if not download:
        check_real_files(root)
    try:
        return CIFAR10(root, train=train, transform=transform, download=download)
    except OSError as error:  # URLError, socket errors: no network
        raise ConnectionError(
            f"could not download CIFAR-10 into {root} ({error}); check the network, or work"
            f" offline with the stand-in: python -m snippets.cifar10 synthetic {root}"
        ) from error


# --8<-- [end:cifar10_dataset]


def check_real_files(root: Path) -> None:
    """Fail early, naming the file and the fix, when the real data is missing or damaged."""
    files = CIFAR10.train_list + CIFAR10.test_list + [[META_FILE, CIFAR10.meta["md5"]]]
    if not any((root / FOLDER / name).exists() for name, _ in files):
        raise FileNotFoundError(
            f"CIFAR-10 not found in {root}/; pass download=True (--download), or write the offline"
            f" stand-in with: python -m snippets.cifar10 synthetic {root}"
        )
    for name, md5 in files:
        if not check_integrity(root / FOLDER / name, md5):
            raise CorruptDatasetError(
                f"{root / FOLDER / name} is missing, truncated or corrupted (md5 mismatch); delete"
                f" {root / FOLDER} and download again with download=True (--download)"
            )


def is_stand_in(root: str | Path) -> bool:
    return (Path(root) / FOLDER / MANIFEST).is_file()


class SyntheticCIFAR10(CIFAR10):
    """torchvision's CIFAR10 loader over the synthetic stand-in; NOT CIFAR-10.

    torchvision checks each file against the md5 sums of the real CIFAR-10, which the stand-in
    cannot match. This subclass checks the stand-in's files against the md5 sums recorded in its
    own manifest instead, so a truncated or altered file is still caught; the real dataset keeps
    torchvision's check untouched.
    """

    def __init__(self, root: str | Path, train: bool = True, transform=None, target_transform=None):
        manifest = read_manifest(Path(root))
        self.train_list = [[name, manifest["md5"][name]] for name in TRAIN_FILES]
        self.test_list = [[TEST_FILE, manifest["md5"][TEST_FILE]]]
        self.meta = {**CIFAR10.meta, "md5": manifest["md5"][META_FILE]}
        for name, md5 in [*self.train_list, *self.test_list, [META_FILE, self.meta["md5"]]]:
            if not check_integrity(Path(root) / FOLDER / name, md5):
                raise CorruptDatasetError(
                    f"{Path(root) / FOLDER / name} is missing, truncated or altered; write the"
                    f" stand-in again with: python -m snippets.cifar10 synthetic {root}"
                )
        super().__init__(root, train=train, transform=transform, target_transform=target_transform)

    def extra_repr(self) -> str:
        return super().extra_repr() + "\nData: synthetic stand-in, NOT the real CIFAR-10"


def read_manifest(root: Path) -> dict:
    path = root / FOLDER / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no stand-in in {root}/; write it with: python -m snippets.cifar10 synthetic {root}"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorruptDatasetError(
            f"{path} is corrupted ({error}); write the stand-in again with:"
            f" python -m snippets.cifar10 synthetic {root}"
        ) from error


def describe_data(dataset: CIFAR10) -> str:
    """Which data a dataset holds, in words: every data-dependent output says so."""
    kind = (
        "the synthetic CIFAR-10 stand-in" if isinstance(dataset, SyntheticCIFAR10) else "CIFAR-10"
    )
    split = "training" if dataset.train else "test"
    return f"{kind}, {split} split, {len(dataset):,} images"


def chapter_data() -> tuple[Path, bool]:
    """Where the chapters read CIFAR-10 from, and whether they may download it.

    `CIFAR10_DOWNLOAD=1` downloads the real data into `CIFAR10_DIR` (default `data`), as the
    Pages workflow does. Otherwise the real data is used if it is already there, and if not, the
    stand-in is written once to `CIFAR10_DIR/stand-in` and used instead: tests and CI work offline.
    """
    root = Path(os.environ.get("CIFAR10_DIR", "data"))
    if os.environ.get("CIFAR10_DOWNLOAD") == "1":
        return root, True
    if (root / FOLDER).is_dir() and not is_stand_in(root):
        return root, False
    if not is_stand_in(root / "stand-in"):
        write_synthetic_cifar10(root / "stand-in")
    return root / "stand-in", False


# ---- the stand-in ---------------------------------------------------------------------------


def write_synthetic_cifar10(
    root: str | Path, train_size: int = 5000, test_size: int = 1000, seed: int = 0
) -> Path:
    """Write the synthetic stand-in into `root/cifar-10-batches-py/` and return that folder.

    The folder appears complete or not at all: it is written under a temporary name and renamed.
    An existing stand-in is replaced; a folder holding anything else is left alone (an error).
    """
    if train_size < len(TRAIN_FILES) or test_size < 1:
        raise ValueError(
            f"train_size must be at least {len(TRAIN_FILES)} (one image per batch file) and"
            f" test_size at least 1; got {train_size} and {test_size}"
        )
    root = Path(root)
    final = root / FOLDER
    if final.exists() and not is_stand_in(root):
        raise FileExistsError(
            f"{final} exists and is not a stand-in (the real CIFAR-10?); write the stand-in to"
            " another folder, or remove this one first"
        )
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{FOLDER}.partial-", dir=root))
    try:
        write_stand_in_files(partial, train_size, test_size, seed)
        if final.exists():
            old = final.rename(root / f".{FOLDER}.old-{os.getpid()}")
            partial.rename(final)
            shutil.rmtree(old)
        else:
            partial.rename(final)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return final


def write_stand_in_files(folder: Path, train_size: int, test_size: int, seed: int) -> None:
    generator = np.random.default_rng(seed)
    train_images, train_labels = synthetic_images(train_size, generator)
    test_images, test_labels = synthetic_images(test_size, generator)
    batches = np.array_split(np.arange(train_size), len(TRAIN_FILES))
    for number, (name, indices) in enumerate(zip(TRAIN_FILES, batches, strict=True), start=1):
        label = f"training batch {number} of {len(TRAIN_FILES)} (synthetic stand-in)"
        write_batch(folder / name, label, train_images[indices], train_labels[indices])
    write_batch(
        folder / TEST_FILE, "testing batch 1 of 1 (synthetic stand-in)", test_images, test_labels
    )
    meta = {"num_cases_per_batch": len(batches[0]), "label_names": list(CLASSES), "num_vis": 3072}
    with open(folder / META_FILE, "wb") as file:
        pickle.dump(meta, file, protocol=2)
    manifest = {
        "stand_in": True,
        "note": "Synthetic images in CIFAR-10's format, written by snippets.cifar10; NOT CIFAR-10.",
        "train_size": train_size,
        "test_size": test_size,
        "seed": seed,
        "md5": {
            name: calculate_md5(folder / name) for name in [*TRAIN_FILES, TEST_FILE, META_FILE]
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_batch(path: Path, label: str, images: np.ndarray, labels: np.ndarray) -> None:
    """One batch file as CIFAR-10 stores it: rows of 3072 bytes, the R, G then B planes."""
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), 3072)  # (N, 32, 32, 3) -> (N, 3072)
    entry = {
        "batch_label": label,
        "labels": labels.tolist(),
        "data": np.ascontiguousarray(rows),
        "filenames": [f"stand_in_{label.split()[0]}_{i:05d}.png" for i in range(len(images))],
    }
    with open(path, "wb") as file:
        pickle.dump(entry, file, protocol=2)


# Each class: background colour, shape colour, shape. Colours overlap once noise is added, so a
# model must look at the shape too.
CLASS_LOOKS = [
    ((120, 160, 220), (230, 230, 240), "cross"),  # airplane
    ((90, 90, 100), (200, 40, 40), "square"),  # automobile
    ((110, 170, 220), (140, 90, 50), "disk"),  # bird
    ((150, 120, 90), (220, 180, 120), "triangle"),  # cat
    ((70, 120, 60), (160, 110, 60), "vertical"),  # deer
    ((150, 120, 90), (120, 80, 50), "ring"),  # dog
    ((60, 130, 60), (90, 200, 80), "checker"),  # frog
    ((70, 120, 60), (130, 80, 40), "diagonal"),  # horse
    ((60, 90, 170), (200, 200, 210), "horizontal"),  # ship
    ((90, 90, 100), (220, 200, 60), "stripes"),  # truck
]


def synthetic_images(count: int, generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`count` images (N, 32, 32, 3) uint8 and their labels, classes in equal shares."""
    labels = generator.permutation(np.arange(count) % len(CLASSES))
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    centre = 16 + generator.uniform(-5, 5, size=(count, 2, 1, 1)).astype(np.float32)
    dy, dx = yy - centre[:, 0], xx - centre[:, 1]  # (N, 32, 32) each
    size = generator.uniform(6, 11, size=(count, 1, 1)).astype(np.float32)
    images = np.empty((count, 32, 32, 3), dtype=np.float32)
    for label, (background, foreground, shape) in enumerate(CLASS_LOOKS):
        rows = labels == label
        mask = shape_mask(shape, dy[rows], dx[rows], size[rows])[..., None]
        jitter = 30 * generator.standard_normal((2, rows.sum(), 1, 1, 3), dtype=np.float32)
        images[rows] = np.where(mask, np.add(foreground, jitter[0]), np.add(background, jitter[1]))
    images += 25 * generator.standard_normal(images.shape, dtype=np.float32)
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.int64)


def shape_mask(shape: str, dy: np.ndarray, dx: np.ndarray, size: np.ndarray) -> np.ndarray:
    distance = np.sqrt(dy**2 + dx**2)
    box = (np.abs(dy) < size) & (np.abs(dx) < size)
    masks = {
        "disk": distance < size,
        "ring": (distance < size) & (distance > size / 2),
        "square": box,
        "triangle": box & (np.abs(dx) < (dy + size) / 2),
        "horizontal": (np.abs(dy) < size / 3) & (np.abs(dx) < size * 1.4),
        "vertical": (np.abs(dx) < size / 3) & (np.abs(dy) < size * 1.4),
        "cross": ((np.abs(dy) < size / 4) | (np.abs(dx) < size / 4)) & box,
        "diagonal": (np.abs(dy - dx) < size / 3) & box,
        "stripes": box & (np.sin(dx) > 0),
        "checker": box & (((dy // 3) + (dx // 3)) % 2 == 0),
    }
    return masks[shape]


# ---- transforms and batches ---------------------------------------------------------------


def train_transforms(augment: bool = False) -> transforms.Compose:
    """PIL image -> normalised (3, 32, 32) tensor; with `augment`, random crop and flip first."""
    steps = (
        [transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip()] if augment else []
    )
    return transforms.Compose([*steps, transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


def test_transforms() -> transforms.Compose:
    """PIL image -> normalised (3, 32, 32) tensor, no randomness."""
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


def unnormalize(images: torch.Tensor) -> torch.Tensor:
    """Undo Normalize: (..., 3, H, W) tensor back to [0, 1] for display."""
    mean = torch.tensor(MEAN).view(3, 1, 1)
    std = torch.tensor(STD).view(3, 1, 1)
    return (images.cpu() * std + mean).clamp(0, 1)


def make_loaders(
    train_data: CIFAR10,
    test_data: CIFAR10,
    batch_size: int = 64,
    test_batch_size: int = 128,
    num_workers: int = 0,
    seed: int = 0,
) -> tuple[DataLoader, DataLoader]:
    """DataLoaders as the seed uses them: shuffled training batches of 64, test batches of 128.

    (A DataLoader's own default is batch_size=1: one image per optimizer step, which leaves the
    hardware idle and makes each gradient very noisy.) Pinned memory is used when CUDA is there.
    """
    for name, size in [("batch_size", batch_size), ("test_batch_size", test_batch_size)]:
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size!r}")
    pin = torch.cuda.is_available()
    shuffled = torch.Generator().manual_seed(seed)
    options = {"num_workers": num_workers, "pin_memory": pin}
    train = DataLoader(train_data, batch_size, shuffle=True, generator=shuffled, **options)
    return train, DataLoader(test_data, test_batch_size, shuffle=False, **options)


class InMemoryBatches:
    """The fast path: a whole split decoded once into one normalised tensor, batches sliced out.

    Compared with a DataLoader over PIL images, nothing is decoded, converted or collated per
    image: one `randperm` per epoch and one index per batch. Batches come out in channels_last
    layout, which convolutions on CPUs and recent GPUs prefer. No augmentation.
    """

    def __init__(self, dataset: CIFAR10, batch_size: int = 64, shuffle: bool = True, seed: int = 0):
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        # (N, 32, 32, 3) uint8 -> float32, once; contiguous, so each pixel's 3 channels are adjacent
        images = torch.from_numpy(np.ascontiguousarray(dataset.data)).to(torch.float32)
        self.images = images.div_(255).sub_(torch.tensor(MEAN)).div_(torch.tensor(STD))  # in place
        self.labels = torch.tensor(dataset.targets)
        self.batch_size, self.shuffle = batch_size, shuffle
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return -(-len(self.labels) // self.batch_size)

    def __iter__(self):
        count = len(self.labels)
        order = (
            torch.randperm(count, generator=self.generator) if self.shuffle else torch.arange(count)
        )
        for start in range(0, count, self.batch_size):
            index = order[start : start + self.batch_size]
            # (B, 32, 32, 3) -> (B, 3, 32, 32) as a view: NCHW shape, channels_last memory
            yield self.images[index].permute(0, 3, 1, 2), self.labels[index]
