"""Browser checks: every page of the built site in headless Chromium (site_checks.py).

The scripts it runs in the pages are JavaScript files beside it (*.js), read when it starts, so
that an editor and a linter see them as JavaScript. It may import tools.site and tools.pages,
nothing else of tools/.
"""
