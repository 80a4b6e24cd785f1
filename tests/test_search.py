"""Search in the reader's language (tools/site/search_index.py), and the pages' hreflang twins.

Each test drives Material's search box on the built site (conftest.py builds it) and reads the
results list, or reads the index files the search fetches.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from test_site import browser, open_page, server  # noqa: F401 (fixtures, shared with test_site)

from tools.site import site_text

pytestmark = [pytest.mark.site, pytest.mark.tooling]

INPUT = "input.md-search__input"
RESULT_LINK = ".md-search-result__item > a.md-search-result__link"
TWINS = ("en", "zh", "x-default")
READY = """() => document.querySelector('.md-search-result__meta').textContent.trim() ===
             JSON.parse(document.querySelector('#__config').textContent)
               .translations['search.result.placeholder']"""


class SearchBox:
    """Material's search box on one open page of the built site, its index read once (the
    search worker builds it as the page loads, most of a first query's time)."""

    def __init__(self, browser, server: str, start: str) -> None:  # noqa: F811 (the fixture)
        self.context, self.page, self.problems = open_page(browser, f"{server}/{start}", server)
        self.page.focus(INPUT)  # opens the search, as a click would

    def search(self, query: str) -> dict:
        """Type `query` (after clearing the last one) and read what the results list shows:
        each result's link and preview, the highlighted words, the index files the page fetched
        and the page's load problems."""
        page = self.page
        page.fill(INPUT, "")
        page.press(INPUT, "End")  # Material reads the query at a key's release
        # "Type to start searching": the worker has read the index, and no results are shown.
        page.wait_for_function(READY)
        # All at once, as an input method commits a Chinese word (typing one character at a
        # time shows the results of a query that is still a prefix for a moment).
        page.fill(INPUT, query)
        page.press(INPUT, "End")
        page.wait_for_selector(RESULT_LINK)
        found = page.evaluate(
            """(selector) => ({
                 links: [...document.querySelectorAll(selector)].map((link) => link.href),
                 previews: [...document.querySelectorAll('.md-search-result__article')].map(
                   (article) => article.textContent),
                 marks: [...document.querySelectorAll('.md-search-result mark')].map(
                   (mark) => mark.textContent),
                 fetched: performance.getEntriesByType('resource').map((entry) => entry.name)})""",
            RESULT_LINK,
        )
        pages = {urlsplit(link).path for link in found["links"]}
        fetched = [urlsplit(url).path for url in found["fetched"]]
        return {**found, "pages": pages, "fetched": fetched, "problems": self.problems}


@pytest.fixture(scope="module")
def search(browser, server):  # noqa: F811 (the fixtures)
    """search(start, query): the results of `query` in the search box of the page `start`; one
    open page per start page, for all the queries of this module."""
    boxes: dict[str, SearchBox] = {}

    def results(start: str, query: str) -> dict:
        if start not in boxes:
            boxes[start] = SearchBox(browser, server, start)
        return boxes[start].search(query)

    yield results
    for box in boxes.values():
        box.context.close()


def index_docs(site: Path, language: str) -> list[dict]:
    folder = site / site_text.language_root(language)
    return json.loads((folder / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


# An English page and a Chinese one, each the start of the other queries of its language.
@pytest.mark.parametrize(("start", "query"), [("", "autograd"), ("zh/", "DataLoader")])
def test_a_page_searches_the_pages_of_its_own_language(search, start, query):
    """One index held both languages: "autograd" on an English page listed /zh/08-autograd/
    second, "DataLoader" on a Chinese page listed 16 English pages out of 17."""
    found = search(start, query)
    chinese = start.startswith("zh/")
    assert found["pages"] and all(path.startswith("/zh/") == chinese for path in found["pages"])
    indexes = [path for path in found["fetched"] if path.endswith("search_index.json")]
    assert indexes == ["/zh/search/search_index.json" if chinese else "/search/search_index.json"]
    assert found["problems"] == []


def test_dataloader_finds_the_pages_that_use_it_and_their_text_first(search, site):
    """The separator cut DataLoader into "data" and "loader" (33 pages: every one with "data"),
    and each preview began with the buttons and the stamp."""
    found = search("", "DataLoader")
    using = {
        f"/{doc['location'].split('#')[0]}"
        for doc in index_docs(site, "en")
        if "DataLoader" in doc["text"]
    }
    assert found["pages"] and found["pages"] <= using, found["pages"] - using
    buttons = [site_text.text("en", key) for key in ("notebook", "download notebook")]
    for preview in found["previews"]:
        assert not any(button in preview for button in buttons), preview
        assert "Outputs verified with" not in preview, preview


def test_the_stamp_and_the_buttons_are_out_of_both_indexes(site: Path):
    """The chapter's entry began "Notebook Download notebook Open in Colab Outputs verified..."."""
    for language in site_text.LANGUAGES:
        buttons = [site_text.text(language, key) for key in ("notebook", "download notebook")]
        folder = site / site_text.language_root(language) / "08-autograd"
        html = (folder / "index.html").read_text(encoding="utf-8")
        stamp = re.search(r'class="outputs-stamp"[^>]*><summary>(.*?)</summary>', html, re.S)[1]
        entry = next(d for d in index_docs(site, language) if d["location"] == "08-autograd/")
        text = entry["text"].replace("\u200b", "")
        assert re.sub(r"<[^>]+>", "", stamp)[:12] not in text, text[:200]
        assert not any(button in text for button in buttons), text[:200]


@pytest.mark.parametrize("word", ["学习率", "批大小", "优化器"])
def test_chinese_course_terms_are_one_word_found_and_highlighted_whole(search, site, word):
    """jieba cut 学习率 into 学习/率 (and the search worker dropped a query's last word: 张量
    searched 张), so a query highlighted 学习; the previews carried zero-width spaces."""
    words = {w for doc in index_docs(site, "zh") for w in doc["text"].split("\u200b")}
    assert word in words
    found = search("zh/", word)
    assert set(found["marks"]) == {word}, found["marks"]
    highlighted = {parse_qs(urlsplit(link).query).get("h", [""])[0] for link in found["links"]}
    assert highlighted <= {word, ""} and word in highlighted, highlighted
    assert not any("\u200b" in preview for preview in found["previews"])


def test_every_page_names_its_twins_in_both_languages_and_zh_has_its_sitemap(site: Path):
    """No page named its translation (hreflang): Material fetched a sitemap.xml beside each
    <link rel="alternate">, which 404s beside a page, and zh/ had no sitemap."""
    pages = [path for path in site.rglob("index.html") if path.parent != site / "assets"]
    for path in pages:
        folder = path.parent.relative_to(site).as_posix()  # "." for the home page
        here = f"{folder}/".removeprefix("./").removeprefix("zh/")  # its path in any language
        html = path.read_text(encoding="utf-8")
        twins = dict(
            re.findall(r'<link rel=" alternate" hreflang="([\w-]+)" href="([^"]+)">', html)
        )
        assert set(twins) == set(TWINS), path
        assert unquote(twins["zh"]).endswith(f"/zh/{here}"), (path, twins)
        assert twins["en"].removesuffix(here).endswith("/") and twins["x-default"] == twins["en"]
        assert not re.search(r'<link rel="alternate" href=', html), path  # Material's, fetched
    sitemap = (site / "zh" / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locations) >= 20 and all("/zh/" in location for location in locations)
    root = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert set(locations) <= set(re.findall(r"<loc>([^<]+)</loc>", root))
