"""The project's tooling: checking the chapters, building the site, and publishing it.

Five packages, one concern each (each one's docstring says more):

    tools.publish   `make outputs`, `make gpu-check`, `make publish` and its rehearsal
    tools.verify    running the pages' blocks and a reader's copy of them, and comparing outputs
    tools.checks    the built site in headless Chromium
    tools.site      the MkDocs hooks and what they add: chapter and notebook pages, text, figures
    tools.pages     the page model: the syntax of a chapter, its blocks, what it declares

Imports go one way, down LAYERS: a package imports its own modules and the packages listed after
it, never one before it (not even inside a function), and no module of tools/ is part of an
import cycle. tests/test_tools_layout.py checks both, and that no module is over 400 lines.
"""

LAYERS = ("publish", "verify", "checks", "site", "pages")
