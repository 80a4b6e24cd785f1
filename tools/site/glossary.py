"""The Chinese edition's glossary: one Chinese term for each English term, and the checker.

    python -m tools.site.glossary          # every ruled-out wording in the Chinese text: file:line

The Chinese edition names each thing one way: `GLOSSARY` gives, for each English term, its one
Chinese term, the wordings it rules out (`variants`, regular expressions) and where such a
wording is still right: `allowed` patterns contain the variant itself (步长 in 负步长, a slice's
step; 笔记本 in "Jupyter 笔记本" or 笔记本电脑, a laptop), `topics` mark a paragraph about another
meaning (步长 as the Δx of a finite difference). It sits beside the string table
(tools/site/site_text.py) and covers all the Chinese text the site shows: the prose of docs/*.zh.md
(figure alt text and captions included; front matter, fenced code, outputs, hidden blocks,
directives, includes and inline code are English, the English page's, and are skipped), the
zh language's titles and nav in mkdocs.yml, the zh strings of tools/site/site_text.py and the
Chinese wording of tools/site/results_tables.py. tests/test_glossary.py fails on any variant
outside its contexts, naming the file, the line and the term to use.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.pages.languages import TRANSLATIONS
from tools.pages.markup import prose

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
DOCS = ROOT / "docs"
MKDOCS = ROOT / "mkdocs.yml"
SITE_TEXT = ROOT / "tools" / "site" / "site_text.py"
RESULTS_TABLES = ROOT / "tools" / "site" / "results_tables.py"


@dataclass(frozen=True)
class Term:
    """An English term and its one Chinese term (`chinese`), with the wordings it rules out."""

    english: str
    chinese: str
    variants: tuple[str, ...]  # regexes: wordings ruled out for this term
    allowed: tuple[str, ...] = ()  # regexes: a variant inside one of their matches is right
    topics: tuple[str, ...] = ()  # regexes: in a paragraph they match, the variant is right
    why: str = ""


GLOSSARY: tuple[Term, ...] = (
    Term(
        "stride (of a tensor)",
        "步幅",
        (r"步长",),
        allowed=(r"负步长", r"切片的步长", r"自适应地调整步长"),  # a slice's step; Adam's step size
        topics=(r"\\Delta x|差分|数值微分|误差",),  # the step Δx of a finite difference
        why="步长 is a slice's step and the Δx of a finite difference",
    ),
    Term("recipe (of training)", "配方", (r"(?<!解决)方案",), why="as the results tables say"),
    Term(
        "the outputs stamp",
        "标注",
        (r"标记",),
        why="标注 is the stamp under a title, 徽标 the badge before a block: neither is 标记",
    ),
    Term("badge (GPU only, ...)", "徽标", (r"标记",)),
    Term(
        "notebook (Jupyter)",
        "Jupyter 笔记本",
        (r"笔记本",),
        allowed=(r"Jupyter 笔记本", r"笔记本电脑"),  # 笔记本电脑: a laptop
        why="笔记本 alone reads as a laptop",
    ),
    Term(
        "kernel (a compiled operation)",
        "计算内核（kernel）",
        (r"卷积内核", r"CPU ?的?内核", r"(?<!计算)内核（kernel）"),
        why="卷积内核 reads as 卷积核 (a filter), CPU 的内核 as the CPU's cores",
    ),
    Term(
        "the whole split (of a data set)",
        "整个训练集（或测试集）",
        (r"整个(?:数据)?划分",),
    ),
    Term(
        "running direction (SGD's momentum)",
        "由过去梯度累积而成的更新方向",
        (r"滑动平均的(?:更新)?方向",),
        why="momentum keeps a sum of past gradients, as chapter 13 says; not a moving average",
    ),
    Term("every N-th", "每 N 个取一个", (r"每隔 ?N ?个",), why="每隔 N 个 reads as every (N+1)-th"),
    Term('the "different devices" error', "“设备不同”错误", (r"不同设备”",)),
    Term("Scaling out with DDP", "用 DDP 横向扩展", (r"DDP 扩展训练",)),
    Term("Which data, which numbers", "用的是哪些数据，得出的是哪些数字", (r"哪些数据，哪些数字",)),
    Term("(its) shape grows", "形状变大", (r"shape ?增大",)),
    Term("what you see is what you get", "所见即所得", (r"你看到的就是你(?:将|会)?得到的",)),
    Term("(a GPU is) optional", "不是必需的", (r"可有可无",)),
)


@dataclass(frozen=True)
class Finding:
    place: str
    line: int
    found: str
    terms: tuple[Term, ...]

    def __str__(self) -> str:
        use = " or ".join(f"{term.chinese} ({term.english})" for term in self.terms)
        return f"{self.place}:{self.line}: {self.found!r}: use {use}"


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def is_allowed(term: Term, paragraph: str, start: int, end: int) -> bool:
    """Whether the variant at paragraph[start:end] is right where it stands."""
    for pattern in term.allowed:
        for context in re.finditer(pattern, paragraph):
            if context.start() <= start and end <= context.end():
                return True
    return any(re.search(pattern, paragraph) for pattern in term.topics)


def check_paragraph(paragraph: str, place: str, first_line: int) -> list[Finding]:
    """The ruled-out wordings of one paragraph, whose first line is `first_line` of `place`."""
    found: dict[tuple[int, str], list[Term]] = {}
    for term in GLOSSARY:
        for pattern in term.variants:
            for match in re.finditer(pattern, paragraph):
                if not is_allowed(term, paragraph, match.start(), match.end()):
                    found.setdefault((match.start(), match[0]), []).append(term)
    return [
        Finding(place, first_line + paragraph.count("\n", 0, start), text, tuple(terms))
        for (start, text), terms in sorted(found.items())
    ]


def check_text(text: str, place: str, first_line: int = 1) -> list[Finding]:
    """The ruled-out wordings of plain Chinese text, paragraph by paragraph (blank lines part
    them)."""
    findings, paragraph, start = [], [], first_line
    for number, line in enumerate([*text.split("\n"), ""], start=first_line):
        if line.strip():
            if not paragraph:
                start = number
            paragraph.append(line)
        elif paragraph:
            findings += check_paragraph("\n".join(paragraph), place, start)
            paragraph = []
    return findings


def check_page(path: Path) -> list[Finding]:
    return check_text(prose(path.read_text(encoding="utf-8")), shown(path))


def chinese_settings(mkdocs: str) -> list[tuple[int, str]]:
    """(line, text) of every string of the zh language's settings in mkdocs.yml: its site name
    and description, the palette toggles' titles, and the nav's titles (nav_translations)."""
    lines = mkdocs.split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*- locale: zh\s*$", line))
    indent = len(lines[start]) - len(lines[start].lstrip())
    found = []
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break  # the next language, or the end of the languages
        value = re.match(r"\s*-?\s*[^:#]+:\s*(?P<value>[^#]*?)\s*(?:#.*)?$", line)
        if value and value["value"]:
            found.append((number + 1, value["value"]))
    return found


def check_mkdocs(path: Path = MKDOCS) -> list[Finding]:
    settings = chinese_settings(path.read_text(encoding="utf-8"))
    return [found for line, text in settings for found in check_text(text, shown(path), line)]


def chinese_strings(source: str, names: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, text) of the Chinese strings of a module's tables: TEXT["zh"] and REASONS' values
    in tools/site/site_text.py; the replacements of PHRASES in tools/site/results_tables.py."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        name = getattr(node.targets[0], "id", None)
        if name not in names:
            continue
        if name == "TEXT" and isinstance(node.value, ast.Dict):
            tables = [
                value
                for key, value in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "zh"
            ]
            strings = [value for table in tables for value in table.values]
        elif isinstance(node.value, ast.Dict):
            strings = list(node.value.values)
        elif isinstance(node.value, ast.List):  # PHRASES: (pattern, replacement) pairs
            strings = [pair.elts[1] for pair in node.value.elts if isinstance(pair, ast.Tuple)]
        else:
            strings = []
        found += [
            (string.lineno, string.value)
            for string in strings
            if isinstance(string, ast.Constant) and isinstance(string.value, str)
        ]
    return found


def check_strings(path: Path, names: tuple[str, ...]) -> list[Finding]:
    strings = chinese_strings(path.read_text(encoding="utf-8"), names)
    return [found for line, text in strings for found in check_text(text, shown(path), line)]


def findings() -> list[Finding]:
    """Every ruled-out wording in the Chinese text of the site."""
    pages = sorted(DOCS.rglob(TRANSLATIONS))
    return [
        *(found for page in pages for found in check_page(page)),
        *check_mkdocs(),
        *check_strings(SITE_TEXT, ("TEXT", "REASONS")),
        *check_strings(RESULTS_TABLES, ("PHRASES",)),
    ]


def main() -> int:
    problems = findings()
    print("\n".join(map(str, problems)) or "the Chinese edition keeps to its glossary")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
