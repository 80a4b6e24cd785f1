"""pytest entry point for the chapters: every docs/**/*.md is collected by the harness.

See tools/harness.py for the rules and `make outputs` for rewriting output fences.
"""

import unittest

import pytest

from tools.harness import sybil

pytest_collect_file = sybil().pytest()


def pytest_runtest_makereport(item, call):
    """Report a skipped chapter block at its page line, not inside pytest's unittest shim."""
    if call.excinfo is None or not hasattr(item, "example"):
        return None
    if not call.excinfo.errisinstance((pytest.skip.Exception, unittest.SkipTest)):
        return None
    report = pytest.TestReport.from_item_and_call(item, call)
    reason = getattr(call.excinfo.value, "msg", None) or str(call.excinfo.value)
    report.longrepr = (str(item.path), item.example.line, f"Skipped: {reason}")
    return report


def pytest_collection_modifyitems(config, items):
    """Tests marked `gpu` need CUDA: skip them, with the reason, where there is none."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (torch.cuda.is_available() is False)")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)
