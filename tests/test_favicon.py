"""The blog's own icon: linked from every page, shipped in place of
Material's logo, drawn light and dark in a real Chromium, and replaced by a
writer's file of the same name in docs/assets/images/."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urljoin

import material
import pytest
from PIL import Image

from support import ROOT, SEED_POST, build, copy_project, parse

BASE = "https://expectedwrong.github.io/expectedwrong/"
# Material's logo, which it ships as its favicon.
MATERIAL_FAVICON = Path(material.__file__).parent / "templates/assets/images/favicon.png"
ICONS = {
    # rel, href, type, sizes, media
    "assets/images/favicon.svg": ("icon", "image/svg+xml", None, None),
    "assets/images/favicon.png": ("icon", "image/png", "32x32", "(prefers-color-scheme: light)"),
    "assets/images/favicon-dark.png": ("icon", "image/png", "32x32",
                                       "(prefers-color-scheme: dark)"),
    "assets/images/apple-touch-icon.png": ("apple-touch-icon", None, "180x180", None),
}


def icon_links(site, path: str) -> dict[str, tuple]:
    """The icon links of a built page, by address in the site."""
    page = BASE + path.removesuffix("index.html")
    links = parse(site, path).select('link[rel="icon"], link[rel="apple-touch-icon"]')
    return {urljoin(page, link["href"]).removeprefix(BASE):
            (link["rel"][0], link.get("type"), link.get("sizes"), link.get("media"))
            for link in links}


@pytest.mark.parametrize("path", ["index.html", SEED_POST, "tags/index.html", "404.html"])
def test_every_page_links_the_svg_icon_its_pngs_and_the_apple_icon(site, path):
    assert icon_links(site, path) == ICONS
    for href in ICONS:
        assert (site / href).is_file(), href


def test_the_icons_are_ours_not_materials_logo(site):
    assert (site / "assets/images/favicon.png").read_bytes() != MATERIAL_FAVICON.read_bytes()
    for name in ("favicon.svg", "favicon.png", "favicon-dark.png", "apple-touch-icon.png"):
        assert (site / "assets/images" / name).read_bytes() == \
            (ROOT / "overrides/assets/images" / name).read_bytes()


def test_the_pngs_have_their_sizes_and_the_apple_icon_is_opaque(site):
    images = site / "assets/images"
    light, dark = (Image.open(images / name) for name in ("favicon.png", "favicon-dark.png"))
    assert light.size == dark.size == (32, 32)
    assert light.tobytes() != dark.tobytes()
    apple = Image.open(images / "apple-touch-icon.png").convert("RGBA")
    assert apple.size == (180, 180)
    assert apple.getextrema()[3] == (255, 255)


def tile_colour(page, url: str, scheme: str) -> tuple[int, int, int]:
    """The colour of the icon's tile, under its letters, as Chromium draws
    the SVG for a reader whose system is set to `scheme`."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 64, "height": 64})
    page.set_content(f'<body style="margin:0"><img src="{url}" width="64" height="64"></body>')
    page.wait_for_function("document.images[0].complete")
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    return shot.getpixel((32, 58))


def test_the_svg_icon_turns_light_when_the_system_is_dark(page, server):
    url = server.url + "assets/images/favicon.svg"
    page.goto(server.url)
    assert tile_colour(page, url, "light") == (26, 26, 26)  # the wordmark's ink
    assert tile_colour(page, url, "dark") == (230, 230, 230)


def test_a_writer_replaces_the_icon_with_a_file_of_the_same_name_in_docs(tmp_path):
    project = copy_project(tmp_path / "blog")
    mine = project / "docs" / "assets" / "images"
    mine.mkdir(parents=True)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" ' \
          b'height="1" fill="red"/></svg>'
    (mine / "favicon.svg").write_bytes(svg)
    result = build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    built = tmp_path / "site" / "assets" / "images"
    assert (built / "favicon.svg").read_bytes() == svg
    # The others stay the theme's.
    assert (built / "favicon.png").read_bytes() == \
        (ROOT / "overrides/assets/images/favicon.png").read_bytes()
    assert "assets/images/favicon.svg" in icon_links(tmp_path / "site", "index.html")
