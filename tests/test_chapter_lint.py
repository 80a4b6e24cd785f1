"""The chapters' code linted by ruff (tools/verify/chapter_lint.py), one namespace a page."""

from __future__ import annotations

from pathlib import Path

from tools.pages import harness
from tools.verify import chapter_lint

PAGE = """\
# A page

```python
import math
import os

radius = 2.0
```

Prose between the blocks.

```python
print(math.pi * radius**2)
print(diameter)
```

<!-- skip: next if(not torch.cuda.is_available(), reason="needs a CUDA GPU") -->

```python
LONG = "a GPU-only block keeps its code, however long its lines are"
```

```python
SHORT = "a line of this block that is too long for a phone"
```
"""


def test_every_chapter_passes_the_lint():
    # Before this check the chapters had lines of up to 98 characters (past docs/ruff.toml's
    # 48) and an unused loop variable (B007, chapter 15): it failed on them.
    assert chapter_lint.lint(harness.chapters()) == []


def test_problems_are_named_at_their_page_lines(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    problems = chapter_lint.lint([page])
    # `math` and `radius` of the first block are used by the second: one namespace a page.
    assert problems == [
        f"{page}:5: F401 `os` imported but unused",
        f"{page}:14: F821 Undefined name `diameter`",
        f"{page}:24: E501 Line too long (59 > {chapter_lint.LINE_LENGTH})",
    ]
