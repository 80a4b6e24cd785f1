"""The offline stand-in for CIFAR-10: synthetic images in CIFAR-10's own file format.

    write_stand_in("data/stand-in")   # or: python -m snippets.cifar10 stand-in data/stand-in
    CIFAR10StandIn("data/stand-in", train=True)

It is NOT CIFAR-10: each class is a coloured shape on a coloured background, plus noise. It exists
so that the chapters, the tests and CI run without a network (CIFAR10_STAND_IN=1); its numbers are
never CIFAR-10 results. Written as `cifar-10-batches-py/` with pickled `data_batch_1..5`,
`test_batch` and `batches.meta`, it loads through torchvision's own CIFAR10 class.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import numpy as np
from torchvision.datasets import CIFAR10
from torchvision.datasets.utils import calculate_md5, check_integrity

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
FOLDER = CIFAR10.base_folder  # "cifar-10-batches-py"
TRAIN_FILES = [name for name, _ in CIFAR10.train_list]  # data_batch_1 .. data_batch_5
TEST_FILE = CIFAR10.test_list[0][0]  # test_batch
META_FILE = CIFAR10.meta["filename"]  # batches.meta
MANIFEST = "STAND-IN.json"  # present only in the stand-in


class CorruptDatasetError(RuntimeError):
    """A dataset file is missing, truncated or altered; the message names it and the fix."""


def is_stand_in(root: str | Path) -> bool:
    return (Path(root) / FOLDER / MANIFEST).is_file()


class CIFAR10StandIn(CIFAR10):
    """torchvision's CIFAR10 loader over the stand-in; NOT CIFAR-10.

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
                    f" stand-in again with: python -m snippets.cifar10 stand-in {root}"
                )
        super().__init__(root, train=train, transform=transform, target_transform=target_transform)

    def extra_repr(self) -> str:
        return super().extra_repr() + "\nData: the stand-in (synthetic images), NOT CIFAR-10"


def read_manifest(root: Path) -> dict:
    path = root / FOLDER / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no stand-in in {root}/; write it with: python -m snippets.cifar10 stand-in {root}"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorruptDatasetError(
            f"{path} is corrupted ({error}); write the stand-in again with:"
            f" python -m snippets.cifar10 stand-in {root}"
        ) from error


def write_stand_in(
    root: str | Path, train_size: int = 5000, test_size: int = 1000, seed: int = 0
) -> Path:
    """Write the stand-in into `root/cifar-10-batches-py/` and return that folder.

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
            try:
                partial.rename(final)
            except OSError:  # another process wrote it first: theirs is as good as ours
                if not is_stand_in(root):
                    raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return final


def write_stand_in_files(folder: Path, train_size: int, test_size: int, seed: int) -> None:
    generator = np.random.default_rng(seed)
    train_images, train_labels = stand_in_images(train_size, generator)
    test_images, test_labels = stand_in_images(test_size, generator)
    batches = np.array_split(np.arange(train_size), len(TRAIN_FILES))
    for number, (name, indices) in enumerate(zip(TRAIN_FILES, batches, strict=True), start=1):
        label = f"training batch {number} of {len(TRAIN_FILES)} (stand-in)"
        write_batch(folder / name, label, train_images[indices], train_labels[indices])
    write_batch(folder / TEST_FILE, "testing batch 1 of 1 (stand-in)", test_images, test_labels)
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


def stand_in_images(count: int, generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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
