"""Tests of tools/verify/compare.py: what counts as "the page shows what the code prints"."""

from __future__ import annotations

import pytest

from tools.pages.tolerance import Tolerance
from tools.verify.compare import difference, matches


def test_exact_by_default_every_character_counts():
    assert matches("tensor([1., 2.])", "tensor([1., 2.])")
    assert not matches("tensor([1., 2.])", "tensor([1., 3.])")
    assert not matches("0.1235", "0.123456")  # no rounding to the digits on the page


def test_a_whole_number_printed_by_torch_is_compared_exactly():
    # `fill_(7.0)` prints 7.; `fill_(7.4)` prints 7.4000: the two must not match.
    assert not matches("tensor([7., 7.])", "tensor([7.4000, 7.4000])")


def test_whitespace_runs_compare_equal():
    assert matches("a b\n c", "a    b c\n")


def test_ellipsis_stands_for_any_text_with_both_ends_anchored():
    assert matches("took ... s", "took 1.25 s")
    assert matches("cuda:0 (...), memory ... GiB", "cuda:0 (NVIDIA H200), memory 0.00 / 139.8 GiB")
    assert not matches("took ... s", "slept 1.25 s")
    assert not matches("a ... b ... c", "a x c")


@pytest.mark.parametrize(
    ("page", "printed", "verdict"),
    [
        ("loss 0.500, accuracy 90.0%", "loss 0.540, accuracy 94.9%", True),
        ("loss 0.500, accuracy 90.0%", "loss 0.560, accuracy 90.0%", False),  # 12% relative
        ("loss 0.500, accuracy 90.0%", "loss 0.500, accuracy 95.1%", False),  # 5.1 points
        ("epoch 3: loss 0.500", "epoch 4: loss 0.500", False),  # whole numbers stay exact
        ("loss 0.500", "lost 0.500", False),  # the words around the numbers stay exact
        ("accuracy 90%", "accuracy 93%", True),  # a percentage without decimals is tolerant
    ],
)
def test_a_tolerance_checks_every_number_of_the_fence(page, printed, verdict):
    assert matches(page, printed, Tolerance(relative=0.1, points=5)) is verdict


def test_a_tolerance_cannot_exceed_the_limits():
    with pytest.raises(ValueError, match="at most relative=0.1 and points=5"):
        Tolerance(relative=0.2)
    with pytest.raises(ValueError, match="print something that moves less"):
        Tolerance(points=6)


def test_the_difference_names_the_first_differing_line():
    message = difference("a 1\nb 2\nc 3", "a 1\nb 5\nc 3")
    assert "first differing line of the output (exactly): 2" in message
    assert "page: b 2" in message and "code: b 5" in message
    assert difference("a 1", "a 1") is None


def test_the_difference_says_which_tolerance_applied():
    message = difference("loss 0.5", "loss 0.9", Tolerance(relative=0.05))
    assert "within 5% relative" in message
