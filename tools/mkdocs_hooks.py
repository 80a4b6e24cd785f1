"""MkDocs hooks (mkdocs.yml `hooks:`): what the site adds to the chapters' Markdown.

- The repository setting (tools/site.py) fills `site_url`, the GitHub link, the Colab links, the
  notebooks' install line and the Set-up page's install and clone lines; without one they are
  left out.
- Every chapter with code gets a notebook (tools/notebooks.py) and a notebook page, rendered by
  the mkdocs-jupyter plugin and reworked by tools/notebook_pages.py; they stay out of the nav and
  of search. Under the chapter's title: "Notebook", "Download notebook", "Open in Colab".
- Chapter pages (tools/chapter_page.py): the stamp becomes one line with its details folded;
  skip directives become badges, tolerance directives a note under their output, and the output
  of each GPU-only block is labelled verified or expected (tools/gpu_check.py); outputs and
  listings get no copy button; solutions stay out of search; the home page's outline table is
  built from the chapters' openers.
- Figures open full size on a tap and never show text under 10 px (tools/site_figures.py).
- Every run of Chinese characters is marked lang="zh-Hans", for the subset font
  (tools/cjk_font.py).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # MkDocs loads hooks by path
from tools import chapter_page, gpu_check, harness, notebooks, page_syntax, site  # noqa: E402
from tools.cjk_font import CJK, mark_chinese  # noqa: E402
from tools.notebook_pages import notebook_page  # noqa: E402
from tools.site_figures import figure_links  # noqa: E402

NOTEBOOKS = notebooks.NOTEBOOKS
LISTING_FENCE = re.compile(r"^(?P<indent>[ \t]*)```python\n(?=(?P=indent)--8<--\n)", re.M)
# Pygments wraps every name, operator and punctuation mark in a span of its own; the theme
# colours them like plain code text, so the spans only add elements (three quarters of a code
# block's), which every browser and accessibility check then walks. Their text stays.
PLAIN_TOKEN = re.compile(r'<span class="(?:n|o|p)">([^<]*)</span>')
BUILD_FOLDER = "pet_notebooks_folder"  # config.extra key: this build's notebooks, until it ends


def on_config(config, **kwargs):
    # mkdocs-jupyter keeps each converted notebook page in its cache (keyed by the notebook's
    # content and the plugin's settings): outside the work tree, so that builds write nothing
    # into the project.
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(site.cache_folder("notebook-pages"))
    repository = site.repository()
    config.site_url = site.site_url(repository) or None
    config.extra["repository"] = repository
    config.extra["social"] = (
        [
            {
                "icon": "fontawesome/brands/github",
                "link": site.repository_url(repository),
                "name": "Source on GitHub",
            }
        ]
        if repository
        else []
    )
    return config


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns .ipynb files into pages
def on_files(files, config, **kwargs):
    """The chapter notebooks, written into a temporary folder for this build, as pages."""
    on_post_build(config)  # `mkdocs serve` rebuilds without ending the last build's folder
    folder = Path(tempfile.mkdtemp(prefix="pet-notebooks-"))
    config.extra[BUILD_FOLDER] = str(folder)
    repository = config.extra["repository"]
    notebooks.write_notebooks(
        folder / NOTEBOOKS, config.site_url or "", site.install_target(repository)
    )
    for path in sorted((folder / NOTEBOOKS).glob("*.ipynb")):
        uri = f"{NOTEBOOKS}/{path.name}"
        files.append(File(uri, str(folder), config.site_dir, config.use_directory_urls))
    return files


def on_post_build(config, **kwargs) -> None:
    import shutil

    folder = config.extra.pop(BUILD_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    """Listings of snippets/ code get no copy button (their imports live elsewhere); the home
    page's outline table is built from the chapters themselves; the install and clone lines come
    from the repository the site is built for (tools/site.py)."""
    markdown = LISTING_FENCE.sub(r"\g<indent>``` { .python .no-copy .listing }\n", markdown)
    repository = config.extra["repository"]
    markdown = markdown.replace("<!-- setup: install-line -->", site.install_block(repository))
    markdown = markdown.replace("<!-- setup: clone-line -->", site.clone_block(repository))
    return markdown.replace("<!-- chapter-outline -->", chapter_page.chapter_outline())


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    html = PLAIN_TOKEN.sub(r"\1", html)
    if page.file.src_uri.startswith(f"{NOTEBOOKS}/"):
        return notebook_page(html, page, config)
    html = html.replace(
        'class="language-output highlight"', 'class="language-output highlight no-copy"'
    )
    source = Path(page.file.abs_src_path)
    gpu = gpu_check.page_proofs(source) if harness.has_code(source) else []
    html = chapter_page.render_directives(html, gpu)
    html = chapter_page.mark_solutions(figure_links(html, page, config))
    if not harness.has_code(source) or "</h1>" not in html:
        return html
    meta = chapter_page.opener_meta(source, chapter_page.relative_url("setup/", page))
    html = chapter_page.OPENER.sub(lambda found: found[1] + meta + found[2], html, count=1)
    header = chapter_page.notebook_links(source.stem, page, config)
    header += chapter_page.stamp(html, gpu)
    html = page_syntax.STAMP.sub("", html)
    return html.replace("</h1>", "</h1>\n" + header, 1)


def on_post_page(output: str, page, config, **kwargs) -> str:
    """Every run of CJK characters in the page's text (headings, table of contents, nav, code)
    becomes <span lang="zh-Hans">, which docs/stylesheets/extra.css draws with the subset font
    that tools/cjk_font.py makes: without it, a machine with no CJK font shows empty boxes."""
    return mark_chinese(output) if CJK.search(output) else output
