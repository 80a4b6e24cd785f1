"""MkDocs hooks (mkdocs.yml `hooks:`): small changes to the rendered pages.

- Output fences (```output) get Material's `no-copy` class: the copy button copies code only.
- Every chapter with code gets "Download notebook" and "Open in Colab" links under its title, and
  `mkdocs build` writes the notebooks to site/notebooks/ (tools/notebooks.py).
  mkdocs.yml `extra.notebooks` says where the published notebooks live on GitHub, for Colab.
"""

from __future__ import annotations

import posixpath
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # MkDocs loads hooks by path
from tools import notebooks  # noqa: E402


def on_page_content(html: str, page, config, **kwargs) -> str:
    html = html.replace(
        'class="language-output highlight"', 'class="language-output highlight no-copy"'
    )
    source = Path(page.file.abs_src_path)
    if not notebooks.has_code(source) or "</h1>" not in html:
        return html
    name = f"{source.stem}.ipynb"
    settings = config.extra["notebooks"]
    page_dir = page.url.rstrip("/") if page.url.endswith("/") else posixpath.dirname(page.url)
    local = posixpath.relpath(f"notebooks/{name}", page_dir or ".")
    colab = (
        f"https://colab.research.google.com/github/{settings['github']}/blob/"
        f"{settings['branch']}/{settings['folder']}/{name}"
    )
    links = (
        '<p class="notebook-links">'
        f'<a class="md-button" href="{local}" download>Download notebook</a> '
        f'<a class="md-button" href="{colab}">Open in Colab</a></p>'
    )
    return html.replace("</h1>", "</h1>\n" + links, 1)


def on_post_build(config, **kwargs) -> None:
    settings = config.extra["notebooks"]
    notebooks.write_notebooks(
        Path(config.site_dir) / "notebooks",
        site_url=config.site_url or "",
        install=f"git+https://github.com/{settings['github']}",
    )
