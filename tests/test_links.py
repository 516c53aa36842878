"""No broken links: a crawler over the built site served on 127.0.0.1 (as
GitHub Pages serves it, under /expectedwrong/) follows every internal link,
anchor and image reference of every page. Other hosts are not fetched."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin

from bs4 import BeautifulSoup

from support import StaticServer

ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"}


def get(url: str) -> tuple[int, str, bytes]:
    """Status, content type and body of `url`."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def addresses(site: Path, base: str) -> list[str]:
    """The address of every built page, so that pages no link reaches
    (the 404 page) are read too."""
    found = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        found.append(base + relative.removesuffix("index.html"))
    return found


def crawl(base: str, seeds: list[str]) -> tuple[list[str], int]:
    """Read the pages at `seeds` and every page they link to under `base`.
    Return each reference that does not resolve, as "page: reference (why)",
    and how many pages were read."""
    responses: dict[str, tuple[int, str, bytes]] = {}
    ids: dict[str, set[str]] = {}
    broken: list[str] = []
    anchors: list[tuple[str, str, str]] = []
    queue = list(dict.fromkeys(seeds))
    seen = set(queue)
    while queue:
        page = queue.pop(0)
        status, kind, body = responses.setdefault(page, get(page))
        if status != 200 or kind != "text/html":
            continue
        soup = BeautifulSoup(body, "html.parser")
        ids[page] = {element["id"] for element in soup.find_all(id=True)}
        for tag, attribute in ATTRIBUTES.items():
            for element in soup.find_all(tag, attrs={attribute: True}):
                reference = element[attribute]
                url, fragment = urldefrag(urljoin(page, reference))
                if not url.startswith(base):
                    continue  # another host, or mailto: and the like
                where = f"{page.removeprefix(base) or './'}: {reference}"
                if url not in responses:
                    responses[url] = get(url)
                status, kind, _ = responses[url]
                if status != 200:
                    broken.append(f"{where} ({status})")
                    continue
                if kind == "text/html" and url not in seen:
                    seen.add(url)
                    queue.append(url)
                if fragment:
                    anchors.append((where, url, unquote(fragment)))
    # Anchors are checked once every page they may point into has been read.
    broken += [
        f"{where} (no #id)" for where, url, fragment in anchors
        if url in ids and fragment not in ids[url]
    ]
    return broken, len(ids)


def test_every_internal_link_anchor_and_image_resolves(site, server):
    broken, read = crawl(server.url, [server.url, *addresses(site, server.url)])
    assert read == len(list(site.rglob("*.html"))) >= 10
    assert broken == []


def test_a_missing_page_image_or_anchor_is_reported(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<h2 id="here">x</h2><a href="#here">ok</a><a href="../b/">gone</a>'
        '<a href="#nowhere">bad</a><img src="pic.png" alt=""><a href="https://example.com/">out</a>'
        '<a href="../c/#there">c</a>',
        encoding="utf-8",
    )
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "index.html").write_text('<p id="elsewhere">c</p>', encoding="utf-8")
    served = StaticServer(tmp_path, "/blog/")
    try:
        broken, read = crawl(served.url, [served.url + "a/"])
    finally:
        served.close()
    assert read == 2
    assert sorted(broken) == [
        "a/: #nowhere (no #id)", "a/: ../b/ (404)", "a/: ../c/#there (no #id)", "a/: pic.png (404)",
    ]
