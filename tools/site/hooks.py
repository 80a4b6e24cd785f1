"""MkDocs hooks (mkdocs.yml `hooks:`): what the site adds to the chapters' Markdown.

- The repository setting (tools/site/settings.py) fills `site_url`, the GitHub link, the Colab
  links, the notebooks' install line and the Set-up page's install and clone lines; without one
  they are left out.
- Every chapter with code gets a notebook (tools/site/notebooks.py) and a notebook page, rendered by
  the mkdocs-jupyter plugin (its templates compiled once per build:
  tools/site/notebook_templates.py; every language's pages converted ahead, in worker processes,
  while the build renders the chapters: tools/site/notebook_conversions.py) and reworked by
  tools/site/notebook_pages.py to read like their chapters; they stay out of search, and out of the
  nav, which highlights their chapter (tools/site/notebook_nav.py). Under the chapter's title:
  "Notebook", "Download notebook", "Open in Colab".
- Chapter pages (tools/site/chapter_page.py): the stamp becomes one line with its details folded;
  skip directives become badges, tolerance directives a note under their output, and the output
  of each GPU-only block is labelled verified or expected (tools/pages/gpu_proofs.py); outputs
  and listings get no copy button; solutions stay out of search; the home page's outline table is
  built from the chapters' openers.
- Figures open full size on a tap and never show text under 10 px (tools/site/figures.py).
- Every run of Chinese characters is marked lang="zh-Hans", for the subset font
  (tools/site/cjk_font.py), whose faces for the page's language each page links; KaTeX only on
  the pages with math (tools/site/page_assets.py).
- The Chinese edition (docs/<page>.zh.md, built into zh/ by the mkdocs-static-i18n plugin): its
  headings take the English headings' ids, its notebooks are written from the translations, and
  every sentence the site adds is in its language (tools/site/site_text.py), and so are the
  benchmark results tables it includes (tools/site/results_tables.py).
- Search in the reader's language (tools/site/search_index.py): an index per language, in its
  folder; every page names its twin in each language (hreflang).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from pathlib import Path

from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File, Files

# MkDocs loads hooks by path: the project (two folders up) goes on sys.path for `tools`.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.pages import gpu_proofs, harness, markup, syntax  # noqa: E402
from tools.pages.languages import english_of, is_translation, language_of  # noqa: E402
from tools.site import (  # noqa: E402
    chapter_page,
    notebooks,
    results_tables,
    search_index,
    settings,
    translations,
)
from tools.site.cjk_font import CJK, mark_chinese  # noqa: E402
from tools.site.figures import figure_links  # noqa: E402
from tools.site.notebook_conversions import Conversions, Job  # noqa: E402
from tools.site.notebook_nav import place_in_nav  # noqa: E402
from tools.site.notebook_pages import notebook_page  # noqa: E402
from tools.site.notebook_templates import share_compiled_templates  # noqa: E402
from tools.site.page_assets import with_page_assets  # noqa: E402
from tools.site.site_text import LANGUAGES, language_root, text  # noqa: E402

NOTEBOOKS = notebooks.NOTEBOOKS
log = logging.getLogger("mkdocs.hooks")
# Pygments wraps every name, operator and punctuation mark in a span of its own; the theme
# colours them like plain code text, so the spans only add elements (three quarters of a code
# block's), which every browser and accessibility check then walks. Their text stays.
PLAIN_TOKEN = re.compile(r'<span class="(?:n|o|p)">([^<]*)</span>')
BUILD_FOLDER = "pet_notebooks_folder"  # config.extra key: this build's notebooks, until it ends
CONVERSIONS = "pet_conversions"  # config.extra key: the notebook pages converted ahead, if any


def on_config(config, **kwargs):
    # mkdocs-jupyter keeps each converted notebook page in its cache (keyed by the notebook's
    # content and the plugin's settings): outside the work tree, so that builds write nothing
    # into the project; one folder per language, since a build evicts the entries it did not use.
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = notebook_cache(build_language(config))
    share_compiled_templates()
    search_index.add_search_words()
    language = build_language(config)
    # The headings' link title ("Permanent link"), in the language of the pages being built.
    config.mdx_configs.setdefault("toc", {})["permalink_title"] = text(language, "permalink")
    repository = settings.repository()
    config.site_url = settings.site_url(repository) or None
    config.extra["repository"] = repository
    commit = settings.commit() if repository else None
    # The helper package's pip requirement, at the commit this build is made from (settings.py).
    config.extra["install_target"] = settings.install_target(repository, commit)
    if commit and not os.environ.get("GITHUB_SHA") and settings.uncommitted_changes():
        log.info(
            "The working tree has uncommitted changes: the notebooks and the Set up page install"
            " the helper package at HEAD (%s), which lacks them.",
            commit[:12],
        )
    config.extra["social"] = (
        [
            {
                "icon": "fontawesome/brands/github",
                "link": settings.repository_url(repository),
                "name": text(language, "source on github"),
            }
        ]
        if repository
        else []
    )
    return config


def notebook_cache(language: str) -> str:
    """mkdocs-jupyter's cache folder for the notebook pages in `language`."""
    return str(settings.cache_folder(f"notebook-pages-{language}"))


def build_language(config) -> str:
    """The language of the site being built ("en"; "zh" for the Chinese edition in zh/)."""
    i18n = config.plugins.get("i18n")
    # Before the i18n plugin's own on_config of the first build, it has no language yet: "en".
    return (i18n.current_language if i18n is not None else None) or "en"


# After the i18n plugin's on_files (priority -100), which keeps only the files of the language it
# builds and would drop notebook pages added earlier; mkdocs-jupyter, which has run by then, is
# asked to turn the new notebooks into pages itself (tests/test_private_apis.py pins that call).
@event_priority(-150)
def on_files(files, config, **kwargs):
    """The chapter notebooks in the language being built, written into a temporary folder for
    this build, as notebook pages."""
    end_build_folder(config)  # `mkdocs serve` rebuilds without ending the last build's folder
    folder = Path(tempfile.mkdtemp(prefix="pet-notebooks-"))
    config.extra[BUILD_FOLDER] = str(folder)
    language = build_language(config)
    # The i18n plugin keeps one site folder and puts a language's pages under its prefix (zh/).
    where = f"{language_root(language)}{NOTEBOOKS}"
    notebooks.write_notebooks(
        folder / where, config.site_url or "", config.extra["install_target"], language
    )
    added = Files(
        [
            File(f"{where}/{path.name}", str(folder), config.site_dir, config.use_directory_urls)
            for path in sorted((folder / where).glob("*.ipynb"))
        ]
    )
    for file in config.plugins["mkdocs-jupyter"].on_files(added, config):
        files.append(file)
    if CONVERSIONS not in config.extra:  # the first language's build: convert every language's
        config.extra[CONVERSIONS] = Conversions.start(
            conversion_jobs(), config.plugins["mkdocs-jupyter"], config
        )
    return files


def conversion_jobs() -> list[Job]:
    """Every notebook page of the site, in the order the builds reach them."""
    return [
        Job(
            chapter,
            language,
            f"{language_root(language)}{NOTEBOOKS}/{chapter.stem}.ipynb",
            notebook_cache(language),
        )
        for language in LANGUAGES
        for chapter in notebooks.notebook_chapters()
    ]


def on_pre_page(page, config, files, **kwargs):
    """A notebook page waits for its conversion ahead (tools/site/notebook_conversions.py)."""
    conversions = config.extra.get(CONVERSIONS)
    if conversions is not None and f"{NOTEBOOKS}/" in page.file.src_uri:
        conversions.wait(page.file.src_uri, Path(page.file.abs_src_path))
    return page


def end_build_folder(config, **kwargs) -> None:
    import shutil

    folder = config.extra.pop(BUILD_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


# After the search plugin has indexed this build's pages (priority 0) and before the i18n plugin
# (-100) adds them to the other language's and builds the next language: this language's index.
@event_priority(-50)
def remember_search_index(config, **kwargs) -> None:
    search_index.remember_index(config, build_language(config))


# Last of all, when both languages are built: each language's index in its own folder, over the
# merged one of the i18n plugin, and the search worker that reads them; each language's sitemap
# in its own folder.
@event_priority(-200)
def write_language_files(config, **kwargs) -> None:
    search_index.write_indexes(config)
    search_index.fix_worker(config.site_dir)
    write_language_sitemaps(config)


on_post_build = CombinedEvent(end_build_folder, remember_search_index, write_language_files)

SITEMAP_URL = re.compile(r"\s*<url>\s*<loc>(?P<loc>[^<]*)</loc>.*?</url>", re.S)


def write_language_sitemaps(config) -> None:
    """The site's sitemap.xml (the i18n plugin's: every page of both languages, with its twins)
    lists the Chinese pages again in zh/sitemap.xml, beside the Chinese edition's root. Without
    the site's address (no repository setting) the sitemap has no addresses, and zh/ gets none."""
    site = Path(config.site_dir)
    sitemap = site / "sitemap.xml"
    if not config.site_url or not sitemap.exists():
        return
    xml = sitemap.read_text(encoding="utf-8")
    for language in LANGUAGES:
        root = language_root(language)
        if not root:
            continue
        here = f"{config.site_url}{root}"
        urls = [url[0] for url in SITEMAP_URL.finditer(xml) if url["loc"].startswith(here)]
        head, _, _ = xml.partition("<url>")
        (site / root / "sitemap.xml").write_text(
            head.rstrip() + "".join(urls) + "\n</urlset>\n", encoding="utf-8"
        )


ENGLISH_404 = "pet_english_404"  # config.extra key: the English 404 page, for the root


def on_post_template(output: str, template_name: str, config, **kwargs) -> str:
    """The root 404.html is the one page GitHub Pages serves for any missing address: it stays
    the English build's. The i18n plugin builds the Chinese edition last into the same folder,
    and its 404 page would replace the English one (lang="zh", a Chinese nav)."""
    if template_name != "404.html":
        return output
    if build_language(config) == "en":
        # As on_post_page does for a page: no <link rel="alternate"> (Material would fetch a
        # sitemap beside each), and the menu's "简体中文" in the subset font.
        page = with_page_assets(HEAD_ALTERNATE.sub("", output), "en")
        config.extra[ENGLISH_404] = mark_chinese(page)
        return config.extra[ENGLISH_404]
    return config.extra.get(ENGLISH_404, output)


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    """Hidden blocks are cut out (tools/pages/harness.py); listings of snippets/ code get no copy
    button (their imports live elsewhere); the home page's outline table is built from the
    chapters themselves; the install and clone lines come from the repository the site is built
    for (tools/site/settings.py)."""
    source = Path(page.file.abs_src_path)
    language = language_of(source)
    if is_translation(source):
        english = english_of(source).read_text(encoding="utf-8")
        markdown = translations.with_english_ids(markdown, english)
    markdown = harness.without_hidden_blocks(markdown)
    markdown = results_tables.with_results_tables(markdown, language, on_site=True)
    markdown = markup.with_listings_marked(markdown, " { .python .no-copy .listing }")
    repository = config.extra["repository"]
    install = settings.install_block(config.extra["install_target"], language)
    markdown = markdown.replace(syntax.placeholder("setup: install-line"), install)
    markdown = markdown.replace(
        syntax.placeholder("setup: clone-line"), settings.clone_block(repository, language)
    )
    if syntax.placeholder("chapter-outline") in markdown:
        markdown = markdown.replace(
            syntax.placeholder("chapter-outline"), chapter_page.chapter_outline(language)
        )
    return markdown


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    html = PLAIN_TOKEN.sub(r"\1", html)
    if f"{NOTEBOOKS}/" in page.file.src_uri:
        return notebook_page(html, page, config, build_language(config))
    html = html.replace(
        'class="language-output highlight"', 'class="language-output highlight no-copy"'
    )
    source = Path(page.file.abs_src_path)
    language = language_of(source)
    gpu = gpu_proofs.page_proofs(source) if harness.has_code(source) else []
    html = chapter_page.render_directives(html, gpu, language)
    html = chapter_page.mark_solutions(figure_links(html, page, config))
    if not harness.has_code(source) or "</h1>" not in html:
        return html
    setup = chapter_page.relative_url(f"{language_root(language)}setup/", page)
    meta = chapter_page.opener_meta(source, setup, language)
    html = chapter_page.OPENER.sub(lambda found: found[1] + meta + found[2], html, count=1)
    stem = english_of(source).stem
    header = chapter_page.notebook_links(stem, page, config, language)
    header += chapter_page.stamp(html, gpu, language)
    html = syntax.without_stamp(html)
    return html.replace("</h1>", "</h1>\n" + header, 1)


HIGHLIGHTED = "pet_highlighted_chapter"  # config.extra key: the chapter of the notebook page


def on_page_context(context, page, config, nav, **kwargs):
    """A notebook page highlights its chapter in the nav and gets Previous and Next
    (tools/site/notebook_nav.py); on_post_page takes the highlight off again."""
    if f"{NOTEBOOKS}/" in page.file.src_uri:
        config.extra[HIGHLIGHTED] = place_in_nav(page, nav, build_language(config))
    return context


def on_post_page(output: str, page, config, **kwargs) -> str:
    """Every run of CJK characters in the page's text (headings, table of contents, nav, code)
    becomes <span lang="zh-Hans">, which docs/stylesheets/extra.css draws with the subset font
    that tools/site/cjk_font.py makes: without it, a machine with no CJK font shows empty boxes. A
    page of the Chinese edition says it is Simplified Chinese (Material writes lang="zh")."""
    highlighted = config.extra.pop(HIGHLIGHTED, None)
    if highlighted is not None:  # the nav is every page's: the next page highlights its own
        highlighted.active = False
    output = output.replace('<html lang="zh"', '<html lang="zh-Hans"', 1)
    output = language_switcher(output, page, config, build_language(config))
    output = with_page_assets(output, build_language(config))
    output = search_index.with_search_base(output, build_language(config))
    return mark_chinese(output) if CJK.search(output) else output


HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
SWITCHER_LINK = re.compile(
    r'<a href="[^"]*" hreflang="(?P<language>[\w-]+)" class="md-select__link">'
)


def language_switcher(html: str, page, config, language: str) -> str:
    """The language switcher goes to the same page in the other language, by a relative link
    (the i18n plugin's absolute links miss the site when it is served from elsewhere, and some
    point to the other language's home). Material's <link rel="alternate"> tags (one per
    language) become the page's hreflang alternates: its twin in each language."""
    here = page.url.removeprefix(language_root(language))  # the page's path in any language
    to_root = chapter_page.to_site_root(page)

    def same_page(found: re.Match) -> str:
        target = f"{to_root}{language_root(found['language'])}{here}" or "./"
        return found[0].replace(found[0].split('"')[1], target, 1)

    head = hreflang_links(here, config.site_url or to_root)
    html = HEAD_ALTERNATE.sub("", HEAD_ALTERNATE.sub(head, html, count=1))
    return SWITCHER_LINK.sub(same_page, html)


def hreflang_links(here: str, root: str) -> str:
    """The page's twin in each language, and the English one for any other reader (x-default),
    absolute where the site's address is known (search engines want full addresses).

    Their rel is written " alternate" (a token list, which means the same to a crawler), not
    "alternate": Material fetches a sitemap.xml beside each link[rel=alternate] (an exact match)
    and takes over clicks on links under it, which is meant for links to a language's root:
    beside a page there is no sitemap (a 404), and the language menu would lose its #anchor."""
    twins = {language: f"{root}{language_root(language)}{here}" or "./" for language in LANGUAGES}
    twins["x-default"] = twins["en"]
    return "".join(
        f'\n      <link rel=" alternate" hreflang="{language}" href="{url}">'
        for language, url in twins.items()
    )
