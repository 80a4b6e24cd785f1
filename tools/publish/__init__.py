"""Publishing: what rewrites the pages from real runs, and what puts the site online.

`make outputs` (outputs.py), `make gpu-check` (gpu_check.py, run by gpu_session.sh), the deploy to
the gh-pages branch (gh_pages.py: the standard library and ghp_import only, for the workflow's
deploy job) and `make publish-rehearsal` (rehearsal.py). It may import tools.verify, tools.checks,
tools.site and tools.pages: it is the top of tools/.
"""
