"""CIFAR-10 datasets: the real CIFAR-10 by default, the offline stand-in on request.

    train_data = cifar10_dataset(train=True)   # downloads CIFAR-10 into data/ the first time
    CIFAR10_STAND_IN=1 python ...              # the offline stand-in instead (tests, CI)

Settings (environment variables, read at each call):
    CIFAR10_DIR        where the data lives (default `data`); the stand-in goes in its `stand-in/`
    CIFAR10_STAND_IN   `1`: use the stand-in (synthetic images, NOT CIFAR-10); unset or `0`: real
"""

from __future__ import annotations

import os
from pathlib import Path

from torch.utils.data import Subset
from torchvision.datasets import CIFAR10
from torchvision.datasets.utils import check_integrity

from snippets.cifar10.stand_in import (
    CLASSES,
    FOLDER,
    META_FILE,
    CIFAR10StandIn,
    CorruptDatasetError,
    is_stale_stand_in,
    is_stand_in,
    write_stand_in,
)

DIR_VARIABLE = "CIFAR10_DIR"
STAND_IN_VARIABLE = "CIFAR10_STAND_IN"

__all__ = ["CLASSES", "cifar10_dataset", "data_root", "describe_data", "using_stand_in"]


def using_stand_in() -> bool:
    """Whether CIFAR10_STAND_IN selects the offline stand-in (`1`) or the real data (unset, `0`)."""
    value = os.environ.get(STAND_IN_VARIABLE, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(
            f"{STAND_IN_VARIABLE} must be 1 (the offline stand-in) or 0 / unset (the real"
            f" CIFAR-10), got {value!r}"
        )
    return value == "1"


def data_root() -> Path:
    """The data folder: CIFAR10_DIR, or `data` in the current folder."""
    return Path(os.environ.get(DIR_VARIABLE, "").strip() or "data")


# --8<-- [start:cifar10_dataset]
def cifar10_dataset(
    root: str | Path | None = None,
    train: bool = True,
    transform=None,
    download: bool = True,
    stand_in: bool | None = None,
) -> CIFAR10:
    """CIFAR-10's training split (or, with `train=False`, its test split).

    The real data is `torchvision.datasets.CIFAR10(root, train, transform, download=True)`,
    downloaded into `root` (default: CIFAR10_DIR or `data`) the first time, checksums checked.
    With CIFAR10_STAND_IN=1 (or `stand_in=True`, whatever the setting says) it is the offline
    stand-in instead, written into `root/stand-in` on first use, and again where another version
    of the generator wrote it: synthetic images in CIFAR-10's format, NOT CIFAR-10.
    """
    root = Path(root) if root is not None else data_root()
    if using_stand_in() if stand_in is None else stand_in:
        stand_in = root / "stand-in"
        if not is_stand_in(stand_in) or is_stale_stand_in(stand_in):
            write_stand_in(stand_in)
        return CIFAR10StandIn(stand_in, train=train, transform=transform)
    if is_stand_in(root):
        raise ValueError(
            f"{root} holds the stand-in, not CIFAR-10: set CIFAR10_STAND_IN=1 to use it, or pass"
            " another folder for the real data"
        )
    if has_real_files(root) or not download:
        check_real_files(root)
        return CIFAR10(root, train=train, transform=transform)
    try:
        return CIFAR10(root, train=train, transform=transform, download=True)
    except OSError as error:  # no network: URLError, socket errors
        raise ConnectionError(
            f"could not download CIFAR-10 into {root}/ ({error}). Offline? Set"
            " CIFAR10_STAND_IN=1 to use the offline stand-in (synthetic images, not CIFAR-10)"
        ) from None


# --8<-- [end:cifar10_dataset]

REAL_FILES = [*CIFAR10.train_list, *CIFAR10.test_list, [META_FILE, CIFAR10.meta["md5"]]]


def has_real_files(root: Path) -> bool:
    return any((root / FOLDER / name).exists() for name, _ in REAL_FILES)


def check_real_files(root: Path) -> None:
    """Fail early, naming the file and the fix, when the real data is missing or damaged."""
    if not has_real_files(root):
        raise FileNotFoundError(
            f"CIFAR-10 not found in {root}/; pass download=True to download it, or"
            " set CIFAR10_STAND_IN=1 to use the offline stand-in"
        )
    for name, md5 in REAL_FILES:
        if not check_integrity(root / FOLDER / name, md5):
            raise CorruptDatasetError(
                f"{root / FOLDER / name} is missing, truncated or corrupted (md5 mismatch); delete"
                f" {root / FOLDER} and download again"
            )


def describe_data(dataset: CIFAR10 | Subset) -> str:
    """Which data a dataset holds, in words: every data-dependent output says so. A Subset of a
    split says how many of the split's images it holds."""
    part = None
    if isinstance(dataset, Subset):
        dataset, part = dataset.dataset, len(dataset)
    if isinstance(dataset, CIFAR10StandIn):
        kind = "the stand-in (synthetic images, not CIFAR-10)"
    else:
        kind = "CIFAR-10"
    split = "training" if dataset.train else "test"
    size = (
        f"{len(dataset):,} images" if part is None else f"{part:,} of its {len(dataset):,} images"
    )
    return f"{kind}, {split} split, {size}"
