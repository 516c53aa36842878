"""What a strict build publishes: drafts and future posts nowhere, markup
from front matter as text everywhere, search and social metadata, sitemap and
robots.txt. Real `mkdocs build --strict` output, read with parsers."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from support import (
    SEED_POST,
    StaticServer,
    built_site,
    copy_project,
    parse,
    search_for,
    write_post,
)

MARKUP_TITLE = "<script>alert('t')</script> Tom & Jerry </script>"
MARKUP_DECK = "<img src=x onerror=alert(1)> a deck </script>"
MARKUP_TAG = "x <img src=x onerror=alert(2)>"
# Words that only the draft and the future post contain.
SECRETS = ("zebraphantom", "quokkasecret")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("blog"))
    write_post(project, "markup", f"""
title: {json.dumps(MARKUP_TITLE)}
description: {json.dumps(MARKUP_DECK)}
date: 2025-01-02
tags: [{json.dumps(MARKUP_TAG)}, openai]
""", "Ordinary body text.")
    write_post(project, "draft", """
title: Zebraphantom notes
description: ""
date: 2025-03-01
tags: [zebraphantom, openai]
draft: true
""", "A zebraphantom paragraph.")
    write_post(project, "future", """
title: Quokkasecret plans
description: Not yet.
date: 2999-01-01
tags: [quokkasecret]
""", "A quokkasecret paragraph.")
    site = tmp_path_factory.mktemp("site")
    built_site(project, site)
    return site


def site_text(site: Path):
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            yield path, data.decode("utf-8", errors="replace").lower()


def test_drafts_and_future_posts_are_in_no_file_of_the_built_site(published):
    files = list(site_text(published))
    assert any("tom &amp; jerry" in text for _, text in files)  # the build is not empty
    for secret in SECRETS:
        assert [path for path, text in files if secret in text] == []
        assert not list(published.rglob(f"*{secret}*"))


def test_markup_in_front_matter_is_text_on_the_post_page(published):
    page = parse(published, "posts/alertt-tom--jerry/index.html")
    assert page.select_one("h1").get_text() == MARKUP_TITLE
    assert page.select_one(".ew-post-header__deck").get_text() == MARKUP_DECK
    assert page.title.get_text() == f"{MARKUP_TITLE} - expectedwrong"
    assert page.find("meta", attrs={"name": "description"})["content"] == MARKUP_DECK
    assert page.find("meta", property="og:title")["content"] == MARKUP_TITLE
    assert [tag["content"] for tag in page.find_all("meta", property="article:tag")] == [
        MARKUP_TAG, "openai"]
    assert MARKUP_TAG in [link.get_text()[1:] for link in page.select(".ew-meta__tag")]
    # No element came from front matter: only the site's own scripts.
    assert page.find("img", attrs={"onerror": True}) is None
    assert all("alert" not in (script.string or "") or script["type"] == "application/ld+json"
               for script in page.find_all("script"))


def test_json_ld_with_markup_stays_valid_and_cannot_close_its_script(published):
    raw = (published / "posts/alertt-tom--jerry/index.html").read_text(encoding="utf-8")
    page = parse(published, "posts/alertt-tom--jerry/index.html")
    [script] = page.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    assert (data["headline"], data["description"]) == (MARKUP_TITLE, MARKUP_DECK)
    start = raw.index('<script type="application/ld+json">')
    body = raw[start:raw.index("</script>", start)]
    assert "<" not in body[len('<script type="application/ld+json">'):]


@pytest.mark.parametrize("path", ["index.html", "tags/openai/index.html", "archive/index.html",
                                  "archive/2025/index.html"])
def test_markup_in_front_matter_is_text_in_listings(published, path):
    page = parse(published, path)
    assert MARKUP_TITLE in [link.get_text() for link in page.select("a")]
    assert page.find("img", attrs={"onerror": True}) is None


def test_a_tag_with_markup_gets_a_text_title(published):
    [tag_page] = [p for p in published.glob("tags/x*/index.html")]
    page = parse(published, str(tag_page.relative_to(published)))
    assert page.select_one("h1").get_text(strip=True) == f"#{MARKUP_TAG}"
    assert page.title.get_text() == f"#{MARKUP_TAG} - expectedwrong"
    index = parse(published, "tags/index.html")
    assert f"#{MARKUP_TAG}" in [link.get_text(strip=True) for link in index.select("a")]


def test_search_index_holds_front_matter_markup_escaped(published):
    index = json.loads((published / "search/search_index.json").read_text(encoding="utf-8"))
    [entry] = [doc for doc in index["docs"] if doc["location"] == "posts/alertt-tom--jerry/"]
    assert entry["title"] == ("&lt;script&gt;alert('t')&lt;/script&gt; Tom &amp; Jerry "
                              "&lt;/script&gt;")
    assert entry["tags"] == ["x &lt;img src=x onerror=alert(2)&gt;", "openai"]


def test_every_post_has_search_and_social_metadata(site):
    page = parse(site, SEED_POST)
    url = "https://expectedwrong.github.io/expectedwrong/posts/openais-tape-models-and-the-sora-trade/"
    deck = page.select_one(".ew-post-header__deck").get_text()

    def meta(**attrs) -> list[str]:
        return [tag["content"] for tag in page.find_all("meta", attrs=attrs)]

    assert meta(name="description") == [deck]
    assert page.find("link", rel="canonical")["href"] == url
    assert meta(property="og:title") == ["OpenAI's Tape Models and the Sora Trade"]
    assert meta(property="og:description") == [deck]
    assert meta(property="og:type") == ["article"]
    assert meta(property="og:url") == [url]
    assert meta(property="og:site_name") == ["expectedwrong"]
    assert meta(property="article:published_time") == ["2026-04-09"]
    assert meta(property="article:tag") == [
        "openai", "gpt-image", "world-models", "visual-memory", "spud"]
    # A large card: the post's social card (hooks/cards.py, tests/test_cards.py).
    assert meta(name="twitter:card") == ["summary_large_image"]
    assert meta(property="og:image") == [url + "card.png"]
    assert meta(name="twitter:title") == ["OpenAI's Tape Models and the Sora Trade"]
    assert meta(name="twitter:description") == [deck]


@pytest.mark.parametrize("path", ["index.html", "tags/openai/index.html", "tags/index.html",
                                  "archive/index.html"])
def test_other_pages_are_websites_with_a_canonical_address(site, path):
    page = parse(site, path)
    assert page.find("meta", property="og:type")["content"] == "website"
    canonical = page.find("link", rel="canonical")["href"]
    assert canonical == "https://expectedwrong.github.io/expectedwrong/" + path.removesuffix(
        "index.html")
    assert page.find("meta", attrs={"name": "description"})["content"]


def test_sitemap_lists_every_built_page_at_its_address(site):
    base = "https://expectedwrong.github.io/expectedwrong/"
    tree = ET.parse(site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)]
    pages = sorted(
        base + str(path.parent.relative_to(site)).removeprefix(".") + "/"
        for path in site.rglob("index.html")
    )
    assert sorted(loc.replace(base, base.rstrip("/") + "/", 1) for loc in locs) == [
        page.replace(base + "/", base) for page in pages]
    assert base + "posts/openais-tape-models-and-the-sora-trade/" in locs


def test_robots_txt_points_at_the_sitemap(site):
    lines = (site / "robots.txt").read_text(encoding="utf-8").split("\n")
    assert "User-agent: *" in lines
    assert "Sitemap: https://expectedwrong.github.io/expectedwrong/sitemap.xml" in lines


def test_search_results_show_a_markup_title_as_text_in_a_real_browser(published, page):
    server = StaticServer(published)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(server.url)
        result = search_for(page, "jerry")
        assert "<script>alert('t')</script> Tom & Jerry" in result.inner_text()
        assert page.locator(".md-search-result img, .md-search-result script").count() == 0
        assert dialogs == []
    finally:
        server.close()
