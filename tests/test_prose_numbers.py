"""Every number that a page's prose states is one that the site shows being produced.

A percentage, a ratio (3.6x), a time (2.8 s, 40 ms) or a value with decimals in the prose of a
page (either language) must appear in an output fence of the site, in a results table
(benchmarks/results/), or in the code of the page itself, its hidden checks included (a value
the code sets, or one a hidden block checks where it runs, such as the real CIFAR-10's
statistics in the publish run). Otherwise it is a number that no run produced: EXCEPTIONS lists
the few that are right without one, each with its reason. Release numbers (PyTorch 2.6, Python
3.10) are names, not measurements.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.pages import harness
from tools.site import glossary

ROOT = Path(__file__).resolve().parents[1]
RESULTS = sorted((ROOT / "benchmarks" / "results").glob("*.md"))
PAGES = sorted(harness.DOCS.rglob("*.md"))
# What the rule counts: a number with a unit of its own (%, x, s, ms, µs) or with decimals.
STATED = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?e-?\d+)"  # 6e-8: compared by value
    r"|(?<![\w.])(\d+(?:\.\d+)?)(?=\s?(?:%|x\b|ms\b|µs\b|s\b))|(?<![\w.])(\d+\.\d+)"
)
SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?e[-+]?\d+")
# A release of a program is a name: "PyTorch 2.6 and 2.8", "PyTorch 2.8 to 2.10", "Python 3.10".
RELEASE = re.compile(
    r"(?:PyTorch|Python|torch|torchvision|MkDocs|mkdocs-jupyter)\s+\d+(?:\.\d+)*"
    r"(?:(?:\s*(?:and|to|,|或|和|到|至)\s*)\d+\.\d+(?:\.\d+)?)*"
)
# (page stem, number, why it is right without a run on the site)
EXCEPTIONS = [
    ("10-data-preparation", "1.3629", "the course notes' printed output, quoted from them"),
    ("11-model-training", "2.30", "ln 10, the loss of a uniform guess over 10 classes: arithmetic"),
    ("13-saving-and-loading", "2.30", "ln 10, the loss of a uniform guess over 10 classes"),
]


def numbers(text: str) -> set[str]:
    """Every number of a text, in the forms a page may quote it: as printed, and without
    trailing zeros (0.2010 -> 0.201, 2.30 -> 2.3)."""
    found = set(re.findall(r"\d+(?:\.\d+)?", text))
    found |= {f"{float(number):g}" for number in SCIENTIFIC.findall(text)}  # 5.96e-08 = 5.96e-8
    return found | {number.rstrip("0").rstrip(".") for number in found if "." in number}


def shown_anywhere() -> set[str]:
    """The numbers of every output fence of the site and of every results table."""
    texts = [path.read_text(encoding="utf-8") for path in RESULTS]
    for page in filter(harness.has_code, PAGES):
        texts += [block.expected or "" for block in harness.blocks(harness.parse(page))]
    return numbers("\n".join(texts))


def stated(page: Path) -> list[tuple[int, str]]:
    """(line, number) for each number the page's prose states, release numbers aside."""
    text = glossary.prose(page.read_text(encoding="utf-8"), code_spans=True)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = re.sub(r"\]\([^)]*\)|https?://\S+", "]", RELEASE.sub(" ", line))  # addresses too
        for match in STATED.finditer(line):
            value = f"{float(match[1]):g}" if match[1] else match[2] or match[3]
            found.append((number, value))
    return found


@pytest.fixture(scope="module")
def shown() -> set[str]:
    return shown_anywhere()


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_every_number_in_the_prose_is_shown_being_produced(page: Path, shown: set[str]):
    stem = page.name.removesuffix(".zh.md").removesuffix(".md")
    english = harness.DOCS / f"{stem}.md"  # a translation's code is its English page's
    own_code = (
        numbers("\n".join(b.source for b in harness.blocks(harness.parse(english))))
        if harness.has_code(english)
        else set()
    )
    allowed = {number for name, number, _ in EXCEPTIONS if name == stem}
    unproven = [
        f"{page.name}:{line}: {number}"
        for line, number in stated(page)
        if not ({number, number.rstrip("0").rstrip(".")} & (shown | own_code | allowed))
    ]
    assert unproven == [], (
        "numbers in the prose that no output fence, results table or code of the page shows;"
        " print them in a verified block, or add them to EXCEPTIONS with the reason"
    )


def test_the_rule_finds_what_it_should():
    page = "We measured 3.6x faster, 2.8 s per epoch, 91% accuracy, a loss of 0.42 (PyTorch 2.6)."
    assert [n for n in re.findall(STATED, RELEASE.sub(" ", page + " below 6e-8"))] == [
        ("", "3.6", ""),
        ("", "2.8", ""),
        ("", "91", ""),
        ("", "", "0.42"),
        ("6e-8", "", ""),
    ]
    assert "6e-08" in numbers("smallest: 6e-08") and "6e-08" not in numbers("smallest: 5.96e-08")


def test_every_exception_is_still_needed():
    """An exception whose number the page no longer states goes."""
    for stem, number, _ in EXCEPTIONS:
        page = harness.DOCS / f"{stem}.md"
        assert number in {n for _, n in stated(page)}, f"{stem}: {number} is no longer stated"
