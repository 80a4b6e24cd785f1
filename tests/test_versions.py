"""The version check's logic (tools/verify/versions.py, version_table.py), from a recorded run:
which releases it checks, how a reader run becomes a table row, the lines that say what differs,
the table, and what makes the weekly workflow go red. The environments (gigabytes each) are not
built here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.site import results_tables
from tools.verify import cell_runs, reader, version_table, versions

FIXTURE = Path(__file__).parent / "fixtures" / "torch-versions.json"
CHAPTER = """# A chapter

```python
print("same")
```

```output
same
```

```python
print("tensor([1.0000, 2.0000])")
```

```output
tensor([1., 2.])
```

```python
raise ValueError("mm: self must be a matrix")
```

```python
print("never reached")
```

```output
never reached
```
"""


def test_the_oldest_release_is_read_from_pyproject(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["numpy>=1.24", "torch>=2.6"]\n')
    assert versions.lower_bound(pyproject=pyproject) == "2.6.0"
    pyproject.write_text('[project]\ndependencies = ["torch"]\n')
    with pytest.raises(LookupError, match="no `torch>=X.Y` requirement"):
        versions.lower_bound(pyproject=pyproject)


def test_pins_are_the_exact_lines_of_a_constraints_file(tmp_path):
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# header\ntorch==2.14.1  # verified\nTorchVision==0.29.1\nnumpy>=2\n")
    assert versions.pins(constraints) == {"torch": "2.14.1", "torchvision": "0.29.1"}


def test_releases_named_on_the_command_line(monkeypatch):
    monkeypatch.setattr(versions, "lower_bound", lambda: "2.6.0")

    def newest() -> str:  # what the index would say
        return "2.15.0"

    assert versions.releases_named([], newest) == ["2.6.0", "2.15.0"]
    assert versions.releases_named(["newest", "2.12", "2.15.0"], newest) == ["2.15.0", "2.12.0"]
    with pytest.raises(ValueError, match="not a release number: 'latest'"):
        versions.releases_named(["latest"], newest)


def test_a_reader_run_becomes_a_row_with_one_line_per_difference(tmp_path):
    chapter = tmp_path / "07-a-chapter.md"
    chapter.write_text(CHAPTER)
    lines = [block.line for block in reader.shown_blocks(chapter)]
    run = cell_runs.ReaderRun(chapter.name)
    run.cells = {
        lines[0]: cell_runs.CellRun(cell_runs.Outcome.RAN, "same\n"),
        lines[1]: cell_runs.CellRun(cell_runs.Outcome.RAN, "tensor([1.0000, 2.0000])\n"),
        lines[2]: cell_runs.CellRun(cell_runs.Outcome.ERROR, detail="ValueError: mm: self must be"),
    }
    row = version_table.summarize(chapter, run)
    assert (row.page, row.blocks, row.ran, row.as_shown) == ("07-a-chapter.md", 4, 2, 1)
    assert row.differences == [
        "block 2: prints `tensor([1.0000, 2.0000])` where the page shows `tensor([1., 2.])`",
        "block 3: raises `ValueError`",
        "block 4: not reached",  # one alone: its own line (see the test below)
    ]


@pytest.mark.parametrize(
    ("outcome", "expected", "printed", "line"),
    [
        ("ran", "a\nb\n", "a\nc\n", "block 9: prints `c` where the page shows `b`"),
        ("ran", "a\n", "a\nb\n", "block 9: prints more: `b`"),
        ("ran", "a\nb\n", "a\n", "block 9: prints less, not `b`"),
        ("ran", "a\n", "a\n", "block 9: shows another figure or value"),
        ("ran", "...a\nb\n", "x: a\nc\n", "block 9: prints `c` where the page shows `b`"),
        ("ran", "x | y\n", "x | z\n", r"block 9: prints `x \| z` where the page shows `x \| y`"),
        ("interrupted", "", "", "block 9: did not finish"),
    ],
)
def test_difference_lines(outcome, expected, printed, line):
    assert version_table.difference_line(9, outcome, "", expected, printed) == line


def test_the_blocks_a_stopped_run_never_reached_make_one_line():
    lines = ["block 4: did not finish", *[f"block {n}: not reached" for n in range(5, 11)]]
    assert version_table.collapsed(lines) == [
        "block 4: did not finish",
        "blocks 5 to 10: not reached",
    ]
    assert version_table.collapsed(lines[:2]) == lines[:2]  # one block alone keeps its own line


def test_a_long_printed_line_is_shortened():
    line = version_table.difference_line(1, "ran", "", "short\n", "x" * 200 + "\n")
    assert line == f"block 1: prints `{'x' * 67}...` where the page shows `short`"


def test_the_recorded_run_makes_the_table():
    recorded = version_table.load(FIXTURE)
    text = version_table.table(recorded, {"torch": "2.14.1", "torchvision": "0.29.1"})
    assert text.startswith("The outputs on this site are verified with torch 2.14.1")
    # the columns' order
    recorded.sort(key=lambda release: version_table.release_key(release.torch))
    header = "| chapter | blocks | " + " | ".join(r.torch for r in recorded) + " |"
    assert header in text
    for number, row in enumerate(recorded[0].chapters):
        rows = [release.chapters[number] for release in recorded]
        cells = " | ".join(f"{r.ran} / {r.as_shown}" for r in rows)
        short = row.page.split("-")[0]  # the chapter's number, as the column shows it
        assert f"| [{short}]({row.page}) | {row.blocks} | {cells} |" in text
    for release in recorded:
        blocks = sum(row.blocks for row in release.chapters)
        assert f"torch {release.torch}, torchvision {release.torchvision}: " in text
        assert f"of {blocks} blocks run" in text
        for row in release.chapters:
            for line in row.differences:  # each on a line of its own, under its release
                assert f"- [{row.page.removesuffix('.md')}]({row.page}), {line}\n" in text


def test_releases_are_in_release_order():
    assert version_table.release_key("2.9.1") < version_table.release_key("2.10.0")
    assert version_table.release_key("2.14.1+cu130") == (2, 14, 1)


def test_a_release_with_no_difference_says_so():
    clean = version_table.Release("2.99.0", "0.99.0", "2026-12-07", "x86_64, 2 cores")
    clean.chapters = [version_table.Chapter("01-tensors.md", 3, 3, 3)]
    text = version_table.table([clean], {"torch": "2.14.1", "torchvision": "0.29.1"})
    assert "| [01](01-tensors.md) | 3 | 3 / 3 |" in text
    assert text.endswith("Checked 2026-12-07 (x86_64, 2 cores).\n\nNothing differs.\n")


def test_the_recorded_table_reads_in_chinese(tmp_path):
    recorded = version_table.load(FIXTURE)
    table = tmp_path / "torch-versions.md"
    table.write_text(version_table.table(recorded, {"torch": "2.14.1", "torchvision": "0.29.1"}))
    chinese = results_tables.translate(table.read_text(), "zh")
    assert results_tables.numbers(chinese) == results_tables.numbers(table.read_text())
    assert results_tables.untranslated_text(chinese) == []


def test_a_difference_the_table_does_not_record_is_new():
    recorded = version_table.load(FIXTURE)
    assert version_table.new_differences(recorded, recorded) == []
    changed = version_table.load(FIXTURE)
    changed[0].chapters[0].differences.append("block 3: did not finish")
    page = changed[0].chapters[0].page
    assert version_table.new_differences(changed, recorded) == [
        f"torch {changed[0].torch}: {page}: block 3: did not finish"
    ]
    unrecorded = [r for r in recorded if r.torch != changed[0].torch]
    assert len(version_table.new_differences(changed, unrecorded)) == sum(
        len(row.differences) for row in changed[0].chapters
    )


def test_the_committed_table_is_the_one_its_data_makes():
    data = version_table.RESULTS.with_suffix(".json")
    text = version_table.table(version_table.load(data), versions.pins())
    assert version_table.RESULTS.read_text(encoding="utf-8") == text, "run `make versions`"
    json.loads(data.read_text(encoding="utf-8"))


def test_a_page_edited_during_the_check_stops_it(tmp_path):
    page = tmp_path / "07-a-chapter.md"
    page.write_text(CHAPTER)
    pages = {page: CHAPTER}
    versions.unchanged(page, pages)  # as it was: nothing to say
    page.write_text(CHAPTER + "\nMore.\n")
    with pytest.raises(RuntimeError, match="07-a-chapter.md changed while the check ran"):
        versions.unchanged(page, pages)


def test_a_run_of_some_releases_keeps_the_others_in_the_table():
    recorded = version_table.load(FIXTURE)
    again = version_table.load(FIXTURE)[:1]
    again[0].date = "2026-12-31"
    kept = version_table.merged(again, recorded)
    assert sorted(r.torch for r in kept) == sorted(r.torch for r in recorded)
    assert next(r for r in kept if r.torch == again[0].torch).date == "2026-12-31"


def test_a_chapter_that_a_release_did_not_run_shows_a_dash():
    old = version_table.Release("2.6.0", "0.21.0", "2026-12-01", "x86_64, 2 cores")
    old.chapters = [version_table.Chapter("01-tensors.md", 3, 3, 3)]
    new = version_table.Release("2.15.0", "0.29.2", "2026-12-07", "x86_64, 2 cores")
    new.chapters = [*old.chapters, version_table.Chapter("02-creating-tensors.md", 4, 4, 4)]
    text = version_table.table([old, new], {"torch": "2.14.1", "torchvision": "0.29.1"})
    assert "| [02](02-creating-tensors.md) | 4 | – | 4 / 4 |" in text
