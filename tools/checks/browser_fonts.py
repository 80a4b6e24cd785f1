"""A browser that sees no CJK system font, as most readers' machines outside East Asia have none.

    env = no_cjk_fonts(folder)   # Playwright's launch(env=...): fontconfig without the CJK fonts

The site's CJK subset fonts name a reader's own CJK fonts first (tools/site/cjk_font.py): a browser
that has one downloads no slice. The checks of the site want the reader who has none, whatever the
machine they run on has: the one who downloads the slices (tools/checks/page_weight.py counts
them) and whose glosses show only if the slices hold them (tools/checks/site_checks.py).
"""

from __future__ import annotations

import os
from pathlib import Path

# fontconfig's configuration without the CJK fonts: the system's own, less every font file whose
# name says CJK (Debian's fonts-noto-cjk: Noto Sans CJK and Noto Serif CJK, the only fonts of
# this machine with Chinese glyphs). A machine with other CJK fonts (WenQuanYi, Droid Sans
# Fallback) keeps them: the glosses' check then names them.
NO_CJK_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><glob>*CJK*</glob></rejectfont></selectfont>
</fontconfig>
"""


def no_cjk_fonts(folder: Path) -> dict[str, str]:
    """The environment for a browser that sees no CJK system font: this process's, with
    FONTCONFIG_FILE pointing to a configuration written into `folder` (Playwright gives a browser
    the environment it is given, not this one's besides)."""
    config = folder / "fonts.conf"
    config.write_text(NO_CJK_FONTCONFIG, encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(config)}
