"""No broken links: every internal link, anchor and image of the built site
resolves to a file (and an element id) of the site. Other hosts are not
fetched."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

# The site as served under the path of site_url, which the 404 page's
# absolute links use.
BASE = "http://site.invalid/expectedwrong/"
ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"}


def target(site: Path, url: str) -> Path | None:
    """The built file a site URL is served from, or None."""
    path = site / unquote(urlsplit(url).path.removeprefix(urlsplit(BASE).path))
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def broken_links(site: Path) -> list[str]:
    ids: dict[Path, set[str]] = {}
    pages = {path: BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
             for path in sorted(site.rglob("*.html"))}
    for path, soup in pages.items():
        ids[path] = {element["id"] for element in soup.find_all(id=True)}
    broken = []
    for path, soup in pages.items():
        here = BASE + path.relative_to(site).as_posix()
        for tag, attribute in ATTRIBUTES.items():
            for element in soup.find_all(tag, attrs={attribute: True}):
                url = urljoin(here, element[attribute])
                if not url.startswith(BASE):
                    continue  # another host, or mailto: and the like
                found = target(site, url)
                fragment = unquote(urlsplit(url).fragment)
                if found is None:
                    broken.append(f"{path.relative_to(site)}: {element[attribute]}")
                elif fragment and found in ids and fragment not in ids[found]:
                    broken.append(f"{path.relative_to(site)}: {element[attribute]} (no #id)")
    return broken


def test_every_internal_link_anchor_and_image_resolves(site):
    assert len(list(site.rglob("*.html"))) >= 10
    assert broken_links(site) == []


def test_a_missing_page_or_anchor_is_reported(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<h2 id="here">x</h2><a href="#here">ok</a><a href="../b/">gone</a>'
        '<a href="#nowhere">bad</a><img src="pic.png" alt=""><a href="https://example.com/">out</a>',
        encoding="utf-8")
    assert broken_links(tmp_path) == [
        "a/index.html: ../b/", "a/index.html: #nowhere (no #id)", "a/index.html: pic.png"]
