"""Verification: running the pages' blocks and checking that they print what the pages show.

The blocks in this process (page_runs.py), a reader's copy of each page in a fresh kernel
(reader.py, cell_runs.py, kernel_server.py), the comparison of an output with its fence
(compare.py), the slow work that the tests share, scheduled in the background (background.py), and
the same reader runs under other torch releases (versions.py, version_table.py) and under other CPU
kernels and thread counts, which set the pages' tolerances (tolerances.py, tolerance_rule.py), and
the chapters' code linted by ruff (chapter_lint.py). It may import tools.checks, tools.site and
tools.pages, nothing else of tools/.
"""
