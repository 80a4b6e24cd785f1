"""The page model: what a chapter's Markdown says, read in one place, with nothing run.

The Page (page.py: one page, read and parsed once, and all it says, which every other module
asks), the plain Markdown of a page (markup.py: fences, title, headings, comments, opener and
solution boxes), the syntax beyond it (syntax.py: directives, stamp, front matter), the parser of
a chapter's blocks (harness.py; Block, the Sybil parser), what a chapter is about
(chapter_info.py), the tolerance a fence declares (tolerance.py), which language a page is in and
its twin (languages.py), and the record of GPU proofs (gpu_proofs.py). It imports nothing else of
tools/: every other package builds on it.
"""
