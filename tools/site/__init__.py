"""The site: the MkDocs hooks (hooks.py, mkdocs.yml's `hooks:`) and all that they add to the pages.

Chapter pages (chapter_page.py) and notebook pages (notebooks.py, notebook_pages.py,
notebook_nav.py, notebook_setup.py, notebook_templates.py, notebook_conversions.py), figures
(figures.py, diagrams.py), the CJK subset font (cjk_font.py), every sentence the site adds
(site_text.py) with the Chinese edition's glossary (glossary.py), its translations (translations.py)
and results tables (results_tables.py), and the repository the site is built for (settings.py). It
may import tools.pages, nothing else of tools/.
"""
