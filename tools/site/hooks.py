"""MkDocs hooks (mkdocs.yml `hooks:`): what the site adds to the chapters' Markdown.

- The repository setting (tools/site/settings.py) fills `site_url`, the GitHub link, the Colab
  links, the notebooks' install line and the Set-up page's install and clone lines; without one
  they are left out.
- Every chapter with code gets a notebook (tools/site/notebooks.py) and a notebook page, rendered
  by the mkdocs-jupyter plugin (its templates compiled once per build:
  tools/site/notebook_templates.py) and reworked by tools/site/notebook_pages.py; they stay out of
  the nav and of search. Under the chapter's title: "Notebook", "Download notebook", "Open in
  Colab".
- Chapter pages (tools/site/chapter_page.py): the stamp becomes one line with its details folded;
  skip directives become badges, tolerance directives a note under their output, and the output
  of each GPU-only block is labelled verified or expected (tools/pages/gpu_proofs.py); outputs
  and listings get no copy button; solutions stay out of search; the home page's outline table is
  built from the chapters' openers.
- Figures open full size on a tap and never show text under 10 px (tools/site/figures.py).
- Every run of Chinese characters is marked lang="zh-Hans", for the subset font
  (tools/site/cjk_font.py).
- The Chinese edition (docs/<page>.zh.md, built into zh/ by the mkdocs-static-i18n plugin): its
  headings take the English headings' ids, its notebooks are written from the translations, and
  every sentence the site adds is in its language (tools/site/site_text.py), and so are the
  benchmark results tables it includes (tools/site/results_tables.py).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

# MkDocs loads hooks by path: the project (two folders up) goes on sys.path for `tools`.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.pages import gpu_proofs, harness, syntax  # noqa: E402
from tools.pages.languages import english_of, is_translation  # noqa: E402
from tools.site import chapter_page, notebooks, results_tables, settings, translations  # noqa: E402
from tools.site.cjk_font import CJK, mark_chinese  # noqa: E402
from tools.site.figures import figure_links  # noqa: E402
from tools.site.notebook_pages import notebook_page  # noqa: E402
from tools.site.notebook_templates import share_compiled_templates  # noqa: E402
from tools.site.site_text import language_of, language_root, text  # noqa: E402

NOTEBOOKS = notebooks.NOTEBOOKS
log = logging.getLogger("mkdocs.hooks")
LISTING_FENCE = re.compile(r"^(?P<indent>[ \t]*)```python\n(?=(?P=indent)--8<--\n)", re.M)
# Pygments wraps every name, operator and punctuation mark in a span of its own; the theme
# colours them like plain code text, so the spans only add elements (three quarters of a code
# block's), which every browser and accessibility check then walks. Their text stays.
PLAIN_TOKEN = re.compile(r'<span class="(?:n|o|p)">([^<]*)</span>')
BUILD_FOLDER = "pet_notebooks_folder"  # config.extra key: this build's notebooks, until it ends


def on_config(config, **kwargs):
    # mkdocs-jupyter keeps each converted notebook page in its cache (keyed by the notebook's
    # content and the plugin's settings): outside the work tree, so that builds write nothing
    # into the project; one folder per language, since a build evicts the entries it did not use.
    cache = settings.cache_folder(f"notebook-pages-{build_language(config)}")
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(cache)
    share_compiled_templates()
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
    on_post_build(config)  # `mkdocs serve` rebuilds without ending the last build's folder
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
    return files


def on_post_build(config, **kwargs) -> None:
    import shutil

    folder = config.extra.pop(BUILD_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


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
        config.extra[ENGLISH_404] = mark_chinese(HEAD_ALTERNATE.sub("", output))
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
    markdown = results_tables.with_results_tables(markdown, language)
    markdown = LISTING_FENCE.sub(r"\g<indent>``` { .python .no-copy .listing }\n", markdown)
    repository = config.extra["repository"]
    install = settings.install_block(config.extra["install_target"], language)
    markdown = markdown.replace("<!-- setup: install-line -->", install)
    markdown = markdown.replace(
        "<!-- setup: clone-line -->", settings.clone_block(repository, language)
    )
    if "<!-- chapter-outline -->" in markdown:
        markdown = markdown.replace(
            "<!-- chapter-outline -->", chapter_page.chapter_outline(language)
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
    html = chapter_page.mark_solutions(figure_links(html, page, config), language)
    if not harness.has_code(source) or "</h1>" not in html:
        return html
    setup = chapter_page.relative_url(f"{language_root(language)}setup/", page)
    meta = chapter_page.opener_meta(source, setup, language)
    opener = chapter_page.opener(language)
    html = opener.sub(lambda found: found[1] + meta + found[2], html, count=1)
    stem = english_of(source).stem
    header = chapter_page.notebook_links(stem, page, config, language)
    header += chapter_page.stamp(html, gpu, language)
    html = syntax.STAMP.sub("", html)
    return html.replace("</h1>", "</h1>\n" + header, 1)


def on_post_page(output: str, page, config, **kwargs) -> str:
    """Every run of CJK characters in the page's text (headings, table of contents, nav, code)
    becomes <span lang="zh-Hans">, which docs/stylesheets/extra.css draws with the subset font
    that tools/site/cjk_font.py makes: without it, a machine with no CJK font shows empty boxes. A
    page of the Chinese edition says it is Simplified Chinese (Material writes lang="zh")."""
    output = output.replace('<html lang="zh"', '<html lang="zh-Hans"', 1)
    output = language_switcher(output, page, build_language(config))
    return mark_chinese(output) if CJK.search(output) else output


HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
SWITCHER_LINK = re.compile(
    r'<a href="[^"]*" hreflang="(?P<language>[\w-]+)" class="md-select__link">'
)


def language_switcher(html: str, page, language: str) -> str:
    """The language switcher goes to the same page in the other language, by a relative link
    (the i18n plugin's absolute links miss the site when it is served from elsewhere, and some
    point to the other language's home). The <link rel="alternate"> tags go: Material fetches a
    sitemap.xml beside each of them, and finds none beside a page."""
    here = page.url.removeprefix(language_root(language))  # the page's path in any language
    to_root = chapter_page.to_site_root(page)

    def same_page(found: re.Match) -> str:
        target = f"{to_root}{language_root(found['language'])}{here}" or "./"
        return found[0].replace(found[0].split('"')[1], target, 1)

    return SWITCHER_LINK.sub(same_page, HEAD_ALTERNATE.sub("", html))
