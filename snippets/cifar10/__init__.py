"""CIFAR-10 for the chapters from "Developing a Deep Learning Model" on.

    python -m snippets.cifar10 --help                        # the command line
    python -m snippets.cifar10 train --epochs 4 --out runs   # the real CIFAR-10, downloaded once
    CIFAR10_STAND_IN=1 python -m snippets.cifar10 train      # offline, on the stand-in

Modules, one topic each: data (the real dataset or the stand-in), stand_in (the offline stand-in),
transforms, batches (DataLoaders, in-memory batches), model (Net), training (fit, evaluate),
checkpoints, recipe (the chapters' training recipe, trained_checkpoint), evaluation
(predictions, confusion matrix), figures, export (torch.export, ONNX), ddp
(DistributedDataParallel training, run with torchrun).
"""

from snippets.cifar10.batches import InMemoryBatches, make_loaders
from snippets.cifar10.checkpoints import (
    Checkpoint,
    CheckpointMismatchError,
    CorruptCheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from snippets.cifar10.data import cifar10_dataset, data_root, describe_data, using_stand_in
from snippets.cifar10.evaluation import (
    Predictions,
    confusion_matrix,
    per_class_accuracy,
    predict_all,
    predict_image,
)
from snippets.cifar10.figures import (
    plot_confusion_matrix,
    plot_history,
    plot_mistakes,
    show_images,
)
from snippets.cifar10.model import Net, count_parameters
from snippets.cifar10.recipe import trained_checkpoint
from snippets.cifar10.stand_in import (
    CLASSES,
    CIFAR10StandIn,
    CorruptDatasetError,
    is_stand_in,
    write_stand_in,
)
from snippets.cifar10.training import LEARNING_RATE, History, evaluate, fit, train_one_epoch
from snippets.cifar10.transforms import (
    MEAN,
    STD,
    TRUE_STD,
    eval_transforms,
    train_transforms,
    unnormalize,
)

__all__ = [
    "CLASSES",
    "LEARNING_RATE",
    "MEAN",
    "STD",
    "TRUE_STD",
    "CIFAR10StandIn",
    "Checkpoint",
    "CheckpointMismatchError",
    "CorruptCheckpointError",
    "CorruptDatasetError",
    "History",
    "InMemoryBatches",
    "Net",
    "Predictions",
    "cifar10_dataset",
    "confusion_matrix",
    "count_parameters",
    "data_root",
    "describe_data",
    "eval_transforms",
    "evaluate",
    "fit",
    "is_stand_in",
    "load_checkpoint",
    "make_loaders",
    "per_class_accuracy",
    "plot_confusion_matrix",
    "plot_history",
    "plot_mistakes",
    "predict_all",
    "predict_image",
    "save_checkpoint",
    "show_images",
    "train_one_epoch",
    "train_transforms",
    "trained_checkpoint",
    "unnormalize",
    "using_stand_in",
    "write_stand_in",
]
