"""CIFAR-10 for the chapters "Developing a Deep Learning Model": data, the seed's network, training.

    python -m snippets.cifar10 --help                       # the command line
    python -m snippets.cifar10 synthetic data/              # write the offline stand-in
    python -m snippets.cifar10 train --data data/ --epochs 3

Modules: data (datasets, the stand-in, transforms, batches), model (Net), training (fit, evaluate,
checkpoints), figures (image grid, training curves).
"""

from snippets.cifar10.data import (
    CLASSES,
    MEAN,
    STD,
    CorruptDatasetError,
    InMemoryBatches,
    SyntheticCIFAR10,
    cifar10_dataset,
    describe_data,
    is_stand_in,
    make_loaders,
    test_transforms,
    train_transforms,
    unnormalize,
    write_synthetic_cifar10,
)
from snippets.cifar10.figures import plot_history, show_images
from snippets.cifar10.model import Net, count_parameters
from snippets.cifar10.training import (
    CorruptCheckpointError,
    History,
    evaluate,
    fit,
    load_checkpoint,
    save_checkpoint,
    train_one_epoch,
)

__all__ = [
    "CLASSES",
    "MEAN",
    "STD",
    "CorruptCheckpointError",
    "CorruptDatasetError",
    "History",
    "InMemoryBatches",
    "Net",
    "SyntheticCIFAR10",
    "cifar10_dataset",
    "count_parameters",
    "describe_data",
    "evaluate",
    "fit",
    "is_stand_in",
    "load_checkpoint",
    "make_loaders",
    "plot_history",
    "save_checkpoint",
    "show_images",
    "test_transforms",
    "train_one_epoch",
    "train_transforms",
    "unnormalize",
    "write_synthetic_cifar10",
]
