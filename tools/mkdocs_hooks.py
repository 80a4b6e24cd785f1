"""MkDocs hooks (mkdocs.yml `hooks:`): small changes to the rendered pages.

- Output fences (```output) get Material's `no-copy` class: the copy button copies code only.
"""

from __future__ import annotations


def on_page_content(html: str, **kwargs) -> str:
    return html.replace(
        'class="language-output highlight"', 'class="language-output highlight no-copy"'
    )
