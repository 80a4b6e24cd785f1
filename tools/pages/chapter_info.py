"""What a chapter is about and what it asks of the reader, read from its Markdown.

    info = chapter_info(Path("docs/01-tensors.md"))
    info.title, info.learn, info.minutes, info.exercises

`learn` is the first paragraph of the chapter's opener, an `!!! abstract "In this chapter"`
admonition right under the title. `minutes` estimates the time to read the prose (200 words a
minute) and to run and read each code block (half a minute each). The site's hooks put the time
and the number of exercises in the opener, and build the outline table of the home page from
these, so neither is ever typed by hand.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

# The opener box, and a solution box, in English or in Chinese (tools/site/site_text.py).
OPENER = re.compile(
    r'^!!! abstract "(?:In this chapter|本章内容)"\n\n(?P<body>(?:    .*\n|\n)+)', re.M
)
SOLUTION = re.compile(r'^[ \t]*\?\?\? success "(?:Solution|解答)', re.M)
FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```", re.M | re.S)
WORDS_PER_MINUTE = 200
MINUTES_PER_BLOCK = 0.5


@dataclass(frozen=True)
class ChapterInfo:
    title: str
    learn: str  # one sentence: what the reader will be able to do
    minutes: int
    exercises: int
    code_blocks: int


def chapter_info(path: Path) -> ChapterInfo:
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", text, re.M)[1]
    opener = OPENER.search(text)
    if opener is None:
        raise ValueError(
            f'{path.name}: a chapter opens with an `!!! abstract "In this chapter"` box right'
            " under its title (what the reader will learn, and what it builds on)"
        )
    learn = " ".join(opener["body"].strip().split("\n\n")[0].split())
    code_blocks = len(re.findall(r"^[ \t]*```python$", text, re.M))
    prose = FENCE.sub(" ", re.sub(r"<!--.*?-->", " ", text, flags=re.S))
    words = len(re.findall(r"[A-Za-z]+", prose))
    minutes = max(1, math.ceil(words / WORDS_PER_MINUTE + code_blocks * MINUTES_PER_BLOCK))
    exercises = len(SOLUTION.findall(text))
    return ChapterInfo(title, learn, minutes, exercises, code_blocks)
