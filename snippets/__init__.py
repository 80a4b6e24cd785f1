"""Helpers for the PyTorch Essential Training chapters.

Modules (one per topic):
    snippets.devices   choose a device and move tensors and batches to it
    snippets.cifar10   CIFAR-10 data, the seed's network, training and figures
"""

__version__ = "0.1.0"
