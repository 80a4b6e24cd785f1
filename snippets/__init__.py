"""Helpers for the PyTorch Essential Training chapters.

Modules (one per topic):
    snippets.devices   choose a device and move tensors and batches to it
    snippets.cifar10   CIFAR-10 data, the course notes' network, training, checkpoints, figures
"""

__version__ = "0.1.0"
