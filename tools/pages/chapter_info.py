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

from tools.pages import markup
from tools.pages.page import Page

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
    page = Page.of(path)
    learn = markup.opener(page.text)
    if learn is None:
        raise ValueError(
            f"{path.name}: a chapter opens with an {markup.OPENER_USAGE} box right"
            " under its title (what the reader will learn, and what it builds on)"
        )
    code_blocks = len(markup.RUNNABLE_FENCE.findall(page.text))
    prose = markup.without_fences(markup.without_comments(page.text, " "), " ")
    words = len(re.findall(r"[A-Za-z]+", prose))
    minutes = max(1, math.ceil(words / WORDS_PER_MINUTE + code_blocks * MINUTES_PER_BLOCK))
    return ChapterInfo(page.title, learn, minutes, page.exercises, code_blocks)
