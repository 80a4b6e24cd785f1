"""Batches of CIFAR-10: DataLoaders as the course notes use them, and a faster in-memory path.

train_loader, test_loader = make_loaders(train_data, test_data)    # batches of 64 and 128
for images, labels in InMemoryBatches(train_data, batch_size=64):  # decoded once
    ...
few = InMemoryBatches(Subset(train_data, range(1000)))            # the first 1,000 images
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, Subset
from torchvision.datasets import CIFAR10

from snippets.cifar10.transforms import MEAN, STD


def make_loaders(
    train_data: CIFAR10,
    test_data: CIFAR10,
    batch_size: int = 64,
    test_batch_size: int = 128,
    num_workers: int = 0,
    seed: int = 0,
) -> tuple[DataLoader, DataLoader]:
    """DataLoaders as the notes use them: shuffled training batches of 64, test batches of 128.

    (A DataLoader's own default is batch_size=1: one image per optimizer step, which leaves the
    hardware idle and makes each gradient very noisy.) Pinned memory is used when CUDA is there.
    """
    for name, size in [("batch_size", batch_size), ("test_batch_size", test_batch_size)]:
        check_positive(name, size)
    pin = torch.cuda.is_available()
    shuffled = torch.Generator().manual_seed(seed)
    options = {"num_workers": num_workers, "pin_memory": pin}
    train = DataLoader(train_data, batch_size, shuffle=True, generator=shuffled, **options)
    return train, DataLoader(test_data, test_batch_size, shuffle=False, **options)


def images_and_labels(dataset) -> tuple[np.ndarray, list[int]]:
    """The (N, 32, 32, 3) uint8 images and the labels of a CIFAR-10 split, or of a Subset of one."""
    if isinstance(dataset, Subset) and hasattr(dataset.dataset, "data"):
        indices = list(dataset.indices)
        return dataset.dataset.data[indices], [dataset.dataset.targets[i] for i in indices]
    if not (hasattr(dataset, "data") and hasattr(dataset, "targets")):
        raise TypeError(
            "InMemoryBatches takes a CIFAR-10 split (cifar10_dataset(...)) or a"
            f" torch.utils.data.Subset of one, got {type(dataset).__name__}"
        )
    return dataset.data, dataset.targets


def check_positive(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class InMemoryBatches:
    """The fast path: a whole split decoded once into one normalised tensor, batches sliced out.

    Compared with a DataLoader over PIL images, nothing is decoded, converted or collated per
    image: one `randperm` per epoch and one index per batch. Batches come out in channels_last
    layout, the layout many convolution kernels work in (faster or not: it depends on the
    device; benchmarks/training_speed.py measures it). No augmentation.
    """

    def __init__(
        self,
        dataset: CIFAR10 | Subset,
        batch_size: int = 64,
        shuffle: bool = True,
        seed: int = 0,
        device: torch.device | str = "cpu",
    ):
        check_positive("batch_size", batch_size)
        data, targets = images_and_labels(dataset)
        # (N, 32, 32, 3) uint8 -> float32, once; contiguous, so each pixel's 3 channels are adjacent
        images = torch.from_numpy(np.ascontiguousarray(data)).to(device, torch.float32)
        mean, std = torch.tensor(MEAN, device=device), torch.tensor(STD, device=device)
        self.images = images.div_(255).sub_(mean).div_(std)  # in place: no second copy
        self.labels = torch.tensor(targets, device=device)
        self.batch_size, self.shuffle = batch_size, shuffle
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return -(-len(self.labels) // self.batch_size)

    def __iter__(self):
        count = len(self.labels)
        if self.shuffle:  # drawn on the CPU, so the order is the same on every device
            order = torch.randperm(count, generator=self.generator).to(self.labels.device)
        else:
            order = torch.arange(count, device=self.labels.device)
        for start in range(0, count, self.batch_size):
            index = order[start : start + self.batch_size]
            # (B, 32, 32, 3) -> (B, 3, 32, 32) as a view: NCHW shape, channels_last memory
            yield self.images[index].permute(0, 3, 1, 2), self.labels[index]
