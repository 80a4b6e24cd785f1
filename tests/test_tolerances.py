"""Tests of tools/verify/tolerances.py: each tolerant fence declares what its measured spread
allows (read from benchmarks/results/tolerances.json; nothing runs here)."""

from __future__ import annotations

import pytest

from tools.pages import harness
from tools.pages.tolerance import Tolerance
from tools.verify import tolerances
from tools.verify.tolerance_rule import (
    crowded,
    describe,
    floor,
    problems_of,
    round_up,
    spread,
    wanted,
)


def test_every_tolerant_fence_declares_what_its_measured_spread_allows():
    problems = tolerances.check(tolerances.tolerant_pages(), tolerances.read_record())
    assert not problems, "\n".join(problems)


def test_the_spread_is_the_largest_move_of_a_number_from_the_page():
    page = "epoch 1: loss 2.000, accuracy 50.0%\nepoch 2: loss 1.000, accuracy 60.0%"
    printed = "epoch 1: loss 2.010, accuracy 50.5%\nepoch 2: loss 0.990, accuracy 59.0%"
    assert spread(page, printed) == pytest.approx({"relative": 0.01, "points": 1.0})
    assert spread(page, printed.replace("epoch 2", "epoch 3")) == {
        "differs": printed.replace("epoch 2", "epoch 3")
    }


def test_the_floor_is_one_unit_in_the_last_printed_digit():
    assert floor("loss 0.25, accuracy 59.8%") == Tolerance(relative=0.04, points=0.1)
    assert floor("8 epochs, 52%") == Tolerance(points=1)  # whole numbers stay exact
    assert round_up(0.01234) == 0.013 and round_up(0.0) == 0.0


def test_a_tolerance_is_a_multiple_of_the_spread_never_under_the_floor_nor_over_the_limit():
    settings = {"a": {"relative": 0.002, "points": 0.0}, "b": {"relative": 0.001, "points": 0.3}}
    assert wanted("loss 2.000, accuracy 50.0%", settings) == (0.008, 1.2)
    assert wanted("loss 2.0, accuracy 50%", settings) == (0.05, 1.2)  # "2.0": a unit is 5%
    assert wanted("loss 2.000, accuracy 50%", {"a": {"relative": 0.05, "points": 3}}) == (0.1, 5)


def block(expected: str, tolerance: Tolerance) -> harness.Block:
    return harness.Block("print()", expected=expected, tolerance=tolerance)


PAGE = "loss 2.000, accuracy 50.0%"
RECORD = {"page": PAGE, "settings": {"default, 1 thread": {"relative": 0.001, "points": 0.2}}}


@pytest.mark.parametrize(
    ("tolerance", "entry", "problem"),
    [
        (Tolerance(relative=0.004, points=0.8), RECORD, None),
        (Tolerance(relative=0.002, points=0.5), RECORD, None),  # narrower, still over the spread
        (Tolerance(relative=0.05, points=0.8), RECORD, "more than 4x its spread"),
        (Tolerance(relative=0.004, points=2), RECORD, "more than 4x its spread"),
        (Tolerance(relative=0.0005, points=0.8), RECORD, "less than its spread"),
        (Tolerance(relative=0.004, points=0.8), None, "no spread recorded"),
        (  # a spread past the limit: the limit is all a page can declare (`crowded` warns)
            Tolerance(relative=0.1, points=0.8),
            {"page": PAGE, "settings": {"default, 1 thread": {"relative": 0.2, "points": 0.2}}},
            None,
        ),
        (
            Tolerance(relative=0.004, points=0.8),
            {**RECORD, "page": "loss 2.200, accuracy 50.0%"},  # measured against other values
            "the output changed",
        ),
        (
            Tolerance(relative=0.004, points=0.8),
            {"page": PAGE, "settings": {"avx2, 4 threads": {"differs": "loss 2.5"}}},
            "printed 'loss 2.5'",
        ),
    ],
)
def test_a_declared_tolerance_is_checked_against_the_record(tolerance, entry, problem):
    found = problems_of(block(PAGE, tolerance), "page.md, tolerant fence 1", entry)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0], found


def test_writing_sets_each_tolerance_directive_in_page_order(tmp_path):
    page = tmp_path / "page.md"
    fence = "```python\nprint()\n```\n\n<!-- tolerance: relative=0.1 -->\n\n"
    fence += "```output\nloss 2.000\n```\n"
    page.write_text(f"# Page\n\n{fence}\n{fence}", encoding="utf-8")
    text = tolerances.with_tolerances(page, ["relative=0.004", "relative=0.01 points=1"])
    assert text == f"# Page\n\n{fence.replace('0.1 ', '0.004 ')}\n" + fence.replace(
        "relative=0.1 ", "relative=0.01 points=1 "
    )


def test_a_written_tolerance_is_one_the_page_syntax_reads():
    from tools.pages import syntax

    arguments = describe(4.4e-05, 1.2)
    assert arguments == "relative=0.000044 points=1.2"
    assert syntax.parse_tolerance(arguments) == Tolerance(relative=0.000044, points=1.2)


def test_a_fence_whose_spread_leaves_no_room_under_the_limit_is_named():
    assert crowded("f", RECORD) is None
    wide = {"settings": {"default, 1 thread": {"relative": 0.03, "points": 0.0}}}
    assert "4x its spread (relative=0.03) is more than a page may declare;" in crowded("f", wide)


def test_writing_keeps_a_directive_inside_an_admonition_indented(tmp_path):
    page = tmp_path / "page.md"
    fence = "```python\nprint()\n```\n\n<!-- tolerance: points=2 -->\n\n```output\n5.0%\n```\n"
    indented = "".join(f"    {line}" if line.strip() else line for line in fence.splitlines(True))
    page.write_text(f'# Page\n\n??? success "Solution"\n\n{indented}', encoding="utf-8")
    text = tolerances.with_tolerances(page, ["points=0.4"])
    assert "\n    <!-- tolerance: points=0.4 -->\n" in text
