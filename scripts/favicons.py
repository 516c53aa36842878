"""Draw the PNG icons from overrides/assets/images/favicon.svg, once, in a
real headless Chromium: `.venv/bin/python scripts/favicons.py`.

The PNGs are committed with the theme (browsers without SVG icons, and
Apple's home-screen icon, need them); run this again after changing the
SVG. Writes, beside it:

- favicon.png, 32x32, and favicon-dark.png, the same for a dark system
  setting (the SVG's own `prefers-color-scheme` style drawn each way);
- apple-touch-icon.png, 180x180 and opaque, as Apple asks (iOS rounds the
  corners itself and shows transparency as black).
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "overrides" / "assets" / "images"
sys.path.insert(0, str(ROOT / "tests"))
from support import CHROME_ARGS, chrome_path  # noqa: E402

# (file, size in px, system scheme, background behind the tile)
ICONS = [
    ("favicon.png", 32, "light", "transparent"),
    ("favicon-dark.png", 32, "dark", "transparent"),
    # The tile's own ink, so the corners are filled.
    ("apple-touch-icon.png", 180, "light", "#1a1a1a"),
]


def page_html(svg: bytes, size: int, background: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return (f'<body style="margin:0;background:{background}">'
            f'<img src="data:image/svg+xml;base64,{data}" width="{size}" height="{size}" '
            'style="display:block" alt=""></body>')


def main() -> None:
    svg = (IMAGES / "favicon.svg").read_bytes()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chrome_path(), args=CHROME_ARGS)
        for name, size, scheme, background in ICONS:
            page = browser.new_page(viewport={"width": size, "height": size},
                                    color_scheme=scheme)
            page.set_content(page_html(svg, size, background))
            page.screenshot(path=str(IMAGES / name), omit_background=True,
                            clip={"x": 0, "y": 0, "width": size, "height": size})
            page.close()
            print(IMAGES / name)
        browser.close()


if __name__ == "__main__":
    main()
