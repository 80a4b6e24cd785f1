"""The Chinese edition (tools/site/translations.py): every page in both languages, each translation
carrying exactly its English page's code, outputs, directives, stamp and figures."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tools.pages import harness, syntax
from tools.pages.languages import translation_of
from tools.publish import outputs
from tools.site import chapter_page, results_tables, translations

PAGES = harness.chapters()
ENGLISH = """\
---
runs: once
---

# A page

## First part

```python
print(1 + 1)
```

```output
2
```
"""


def pair(tmp_path: Path, english: str, chinese: str) -> tuple[Path, Path]:
    page = tmp_path / "page.md"
    page.write_text(textwrap.dedent(english), encoding="utf-8")
    translation = translation_of(page)
    translation.write_text(textwrap.dedent(chinese), encoding="utf-8")
    return page, translation


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.stem)
def test_every_page_has_a_translation_true_to_it(page: Path):
    translation = translation_of(page)
    assert translation.is_file(), f"{page.name} has no Chinese edition: write {translation.name}"
    assert translations.differences(page, translation) == []


def test_a_translation_that_changes_code_or_an_output_is_named(tmp_path: Path):
    chinese = ENGLISH.replace("# A page", "# 一页").replace("## First part", "## 第一部分")
    page, translation = pair(tmp_path, ENGLISH, chinese)
    assert translations.differences(page, translation) == []
    translation.write_text(chinese.replace("```output\n2", "```output\n3"), encoding="utf-8")
    assert translations.differences(page, translation) == [
        f"{translation}: block 1 differs in its output"
    ]
    translation.write_text(chinese.replace("print(1 + 1)", "print(1+1)"), encoding="utf-8")
    assert "block 1 differs in its code" in translations.differences(page, translation)[0]
    translation.write_text(chinese.replace("## 第一部分", "### 第一部分"), encoding="utf-8")
    assert "heading levels" in translations.differences(page, translation)[0]


def test_make_outputs_copies_new_outputs_and_the_stamp_into_the_translation(tmp_path: Path):
    english = "# T\n\n```python\nprint('new')\n```\n\n```output\nold\n```\n"
    page, translation = pair(tmp_path, english, english.replace("# T", "# 标题"))
    outputs.write_outputs(page)
    assert "```output\nnew\n```" in translation.read_text(encoding="utf-8")
    assert translations.differences(page, translation) == []
    assert translation.read_text(encoding="utf-8").startswith("# 标题")


def test_a_translation_whose_code_lags_behind_is_refused_by_make_outputs(tmp_path: Path):
    english = "# T\n\n```python\nprint('a')\n```\n"
    page, _ = pair(tmp_path, english, english.replace("'a'", "'b'"))
    with pytest.raises(ValueError, match="its code is not the English page's"):
        outputs.write_outputs(page)


def test_chinese_headings_get_the_english_ids():
    english = "# Tensors\n\n## The `dtype` of a tensor\n\n```python\n# not a heading\n```\n"
    chinese = "# 张量\n\n## 张量的 `dtype`\n\n```python\n# not a heading\n```\n"
    marked = translations.with_english_ids(chinese, english)
    assert "# 张量 { #tensors }" in marked
    assert "## 张量的 `dtype` { #the-dtype-of-a-tensor }" in marked
    assert "# not a heading\n" in marked


def test_the_stamps_data_is_told_in_each_language():
    """The stamp's data (snippets.cifar10.describe_data's words) reads in the page's language."""
    stamps = [syntax.read_stamp(page.read_text("utf-8")) or {} for page in PAGES]
    recorded = {stamp.get("data") for stamp in stamps}
    recorded = sorted(data for data in recorded if data) + ["CIFAR-10, test split, 10,000 images"]
    assert len(recorded) > 1, "the CIFAR-10 chapters' stamps name their data"
    for data in recorded:
        assert chapter_page.described_data(data, "en") == data
        chinese = chapter_page.described_data(data, "zh")
        assert re.fullmatch(r"[^a-z]*(CIFAR-10)?[^a-z]*", chinese), chinese
    with pytest.raises(ValueError, match="DESCRIBED_DATA"):
        chapter_page.described_data("MNIST, training split, 60,000 images", "zh")


RESULTS = sorted(
    {found["path"] for page in PAGES for found in results_tables.INCLUDE.finditer(page.read_text())}
)


@pytest.mark.parametrize("path", RESULTS)
def test_each_results_table_reads_in_chinese_with_all_its_numbers(path: str):
    english, chinese = (results_tables.results_table(path, language) for language in ("en", "zh"))
    assert results_tables.numbers(chinese) == results_tables.numbers(english)
    assert results_tables.untranslated(path) == [], (
        "add them to PHRASES in tools/site/results_tables.py"
    )


def test_a_results_table_with_a_new_phrase_is_named(tmp_path: Path, monkeypatch):
    table = tmp_path / "benchmarks" / "results" / "new.md"
    table.parent.mkdir(parents=True)
    header = "| recipe, CPU (5,000 stand-in images) | images/s | epoch | speed-up |\n"
    table.write_text(header + "| + label smoothing | 7 | 1.00 s | 1.0x |\n")
    monkeypatch.setattr(results_tables, "ROOT", tmp_path)
    assert results_tables.untranslated("benchmarks/results/new.md") == ["label", "smoothing"]
    page = '## Speed\n\n--8<-- "benchmarks/results/new.md"\n\nThen.\n'
    written = results_tables.with_results_tables(page, "zh")
    assert "配方，CPU（5,000 张替代数据集图像）" in written and "--8<--" not in written


def test_results_tables_with_a_long_first_column_or_many_columns_are_stacked_on_the_site():
    """On a phone a stacked table shows each row's first cell on a line of its own and the
    results under it (docs/stylesheets/extra.css); the others stay tables as they are."""
    recipes = results_tables.for_the_site(
        "| recipe | speed |\n| --- | ---: |\n| " + "x" * 30 + " | 2x |"
    )
    assert recipes.startswith('<div class="results-table results-table--stacked"')
    assert "--results-columns: 1" in recipes
    wide = results_tables.for_the_site("| " + " | ".join("abcdef") + " |\n" + "| --- " * 6 + "|")
    assert "--results-columns: 3" in wide  # five results: on two lines of columns
    short = results_tables.for_the_site("| chapter | blocks |\n| --- | ---: |\n| 01 | 15 |")
    assert short.startswith('<div class="results-table" markdown>')
    assert results_tables.with_results_tables("no include here", "en", on_site=True) == (
        "no include here"
    )
