"""The Chinese edition keeps to its glossary (tools/site/glossary.py): one Chinese term for each
English term in its pages, its nav and the sentences the site adds; and each figure, drawn with
English labels, has a Chinese caption under it."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tools.site import glossary, translations

PAGES = translations.translations()


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_each_chinese_page_uses_the_glossary_terms(page: Path):
    found = glossary.check_page(page)
    assert found == [], "\n".join(map(str, found))


def test_the_chinese_nav_and_titles_use_the_glossary_terms():
    settings = [text for _, text in glossary.chinese_settings(glossary.MKDOCS.read_text())]
    assert {"首页", "PyTorch 核心训练", "切换到深色模式"} <= set(settings), "the zh lines are read"
    found = glossary.check_mkdocs()
    assert found == [], "\n".join(map(str, found))


def test_the_sentences_the_site_adds_use_the_glossary_terms():
    strings = glossary.chinese_strings(glossary.SITE_TEXT.read_text(), ("TEXT", "REASONS"))
    texts = [text for _, text in strings]
    assert "你将学会" in texts and "需要 CUDA GPU" in texts, "TEXT['zh'] and REASONS are read"
    assert "You will learn" not in texts, "only the Chinese strings"
    found = [
        *glossary.check_strings(glossary.SITE_TEXT, ("TEXT", "REASONS")),
        *glossary.check_strings(glossary.RESULTS_TABLES, ("PHRASES",)),
    ]
    assert found == [], "\n".join(map(str, found))


def test_the_checker_names_a_variant_and_allows_it_where_it_is_right():
    page = textwrap.dedent(
        """\
        ---
        runs: once  # 笔记本 in the front matter is not prose
        ---

        # 标题

        打印两者的步长（stride）。下载一章的笔记本。

        要反向时用 `flip`，而不是负步长。在笔记本电脑上训练；在 Jupyter 笔记本中运行。

        前向差分的误差随步长变化：步长 $\\Delta x$ 很小时。

        ```python
        print("笔记本 步长")  # code stays the English page's
        ```

        ```output
        笔记本
        ```

        <!-- invisible-code-block: python
        assert "笔记本"
        -->

        ??? success "解答 1"

            视图用新的步长读取同一块内存，`步长` 在代码里不算。
        """
    )
    found = glossary.check_text(glossary.prose(page), "page.zh.md")
    assert [(f.line, f.found, f.terms[0].chinese) for f in found] == [
        (7, "步长", "步幅"),
        (7, "笔记本", "Jupyter 笔记本"),
        (27, "步长", "步幅"),
    ]
    assert str(found[0]) == "page.zh.md:7: '步长': use 步幅 (stride (of a tensor))"


def test_a_variant_in_the_nav_or_a_site_sentence_is_named(tmp_path: Path):
    mkdocs = textwrap.dedent(
        """\
        plugins:
          - i18n:
              languages:
                - locale: en
                  name: English
                - locale: zh
                  name: 简体中文
                  nav_translations:
                    Home: 首页
                    Scaling out with DDP: 用 DDP 扩展训练  # the old title
          - search
        """
    )
    path = tmp_path / "mkdocs.yml"
    path.write_text(mkdocs, encoding="utf-8")
    assert [str(found) for found in glossary.check_mkdocs(path)] == [
        f"{path}:10: 'DDP 扩展训练': use 用 DDP 横向扩展 (Scaling out with DDP)"
    ]
    module = tmp_path / "site_text.py"
    module.write_text(
        'TEXT = {\n    "en": {"notebook": "Notebook"},\n    "zh": {\n'
        '        "notebook": "笔记本",\n'
        '        "download notebook": "下载 Jupyter 笔记本",\n    },\n}\n',
        encoding="utf-8",
    )
    found = glossary.check_strings(module, ("TEXT",))
    assert [(f.line, f.found) for f in found] == [(4, "笔记本")]


def test_the_glossary_has_one_chinese_term_per_english_term():
    english = [term.english for term in glossary.GLOSSARY]
    assert len(english) == len(set(english))
    for term in glossary.GLOSSARY:
        for pattern in (*term.variants, *term.allowed, *term.topics):
            re.compile(pattern)
        # The term itself is never a variant: where it stands, nothing is reported.
        assert glossary.check_paragraph(term.chinese, "glossary", 1) == [], term


IMAGE = re.compile(r"^[ \t]*!\[[^\]]*\]\((?P<src>assets/[^)\s]+)\)[ \t]*$")
CAPTION = "图中的英文"


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_each_figure_on_a_chinese_page_has_a_chinese_caption_under_it(page: Path):
    """The figures are drawn by the code, in English, for both languages: on a Chinese page, the
    paragraph right under each says what its English labels mean."""
    lines = page.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines):
        if IMAGE.match(line):
            rest = lines[number + 1 : number + 3]
            assert rest[0] == "" and rest[1].startswith(CAPTION), (
                f"{page.name}:{number + 1}: the figure needs a caption paragraph under it, after a"
                f" blank line, starting {CAPTION}: what its English labels mean"
            )
