"""Atom feeds (hooks/feeds.py) as a feed reader gets them: the real site, and
a copy of the blog with fixture posts, built with `mkdocs build --strict` and
read with an XML parser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from support import SEED_POST, build, copy_project, parse, write_post

ATOM = "{http://www.w3.org/2005/Atom}"
SEED_TAGS = ["openai", "gpt-image", "world-models", "visual-memory", "spud"]
SEED_TITLE = "OpenAI's Tape Models and the Sora Trade"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
# A 1x1 PNG, so that the fixture post's image is a real file.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


def read_feed(site: Path, path: str = "feed.xml") -> ET.Element:
    return ET.parse(site / path).getroot()


def child(element: ET.Element, name: str) -> ET.Element:
    found = element.find(ATOM + name)
    assert found is not None, f"no <{name}> in <{element.tag}>"
    return found


def link(element: ET.Element, rel: str) -> str:
    return element.find(f"{ATOM}link[@rel='{rel}']").get("href")


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(ATOM + "entry")


def titles(feed: ET.Element) -> list[str]:
    return [child(entry, "title").text for entry in entries(feed)]


def site_root(feed: ET.Element) -> str:
    """The site's own address, from the blog feed's link to its home page."""
    return link(feed, "alternate")


def built_file(site: Path, root: str, url: str) -> Path:
    """The file in `site` that `url` under the site address `root` serves."""
    assert url.startswith(root), url
    path = url[len(root):].split("#")[0]
    return site / (path + "index.html" if path.endswith("/") or not path else path)


def content_urls(entry: ET.Element) -> list[str]:
    soup = BeautifulSoup(child(entry, "content").text, "html.parser")
    return [tag[attr] for attr in ("href", "src") for tag in soup.find_all(attrs={attr: True})]


def entry_by_title(feed: ET.Element, title: str) -> ET.Element:
    (entry,) = [entry for entry in entries(feed) if child(entry, "title").text == title]
    return entry


def all_feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("feed.xml"))


# The real site.


def test_site_feed_is_atom_with_every_required_element(site):
    feed = read_feed(site)
    assert feed.tag == ATOM + "feed"
    for name in ("id", "title", "updated", "subtitle"):
        assert child(feed, name).text
    assert child(child(feed, "author"), "name").text
    assert link(feed, "self") == urljoin(site_root(feed), "feed.xml")
    assert child(feed, "subtitle").text == "Notes written down early, and read again later."
    for entry in entries(feed):
        for name in ("id", "title", "published", "updated", "summary"):
            assert child(entry, name).text
        assert child(entry, "content").get("type") == "html"
        assert link(entry, "alternate") == child(entry, "id").text


def test_site_feed_carries_the_seed_post_in_full_with_its_date(site):
    entry = entry_by_title(read_feed(site), SEED_TITLE)
    assert child(entry, "published").text == "2026-04-09T00:00:00+00:00"
    assert child(entry, "updated").text == "2026-04-09T00:00:00+00:00"
    assert child(read_feed(site), "updated").text == "2026-04-09T00:00:00+00:00"
    assert child(entry, "summary").text.startswith("GPT-image showed up on the arena")
    body = BeautifulSoup(child(entry, "content").text, "html.parser").get_text()
    assert body.startswith("Three names appeared on the arena leaderboards")
    assert body.rstrip().endswith("going with isn\u2019t.")
    assert [c.get("term") for c in entry.findall(ATOM + "category")] == SEED_TAGS


def test_every_entry_link_leads_to_a_built_page(site):
    for path in all_feeds(site):
        feed = read_feed(site, path.relative_to(site).as_posix())
        root = site_root(read_feed(site))
        for entry in entries(feed):
            assert built_file(site, root, link(entry, "alternate")).is_file()


def test_no_link_in_feed_content_is_relative_or_to_markdown(site):
    for path in all_feeds(site):
        for entry in entries(read_feed(site, path.relative_to(site).as_posix())):
            for url in content_urls(entry):
                assert urlsplit(url).scheme, url
                assert not urlsplit(url).path.endswith(".md"), url


@pytest.mark.parametrize("page", [
    "index.html", SEED_POST, "tags/index.html", "tags/spud/index.html",
    "archive/index.html", "404.html",
])
def test_every_page_head_links_the_site_feed(site, page):
    root = site_root(read_feed(site))
    hrefs = [
        urljoin(root + page, tag["href"])
        for tag in parse(site, page).head.find_all("link", rel="alternate")
        if tag.get("type") == "application/atom+xml"
    ]
    assert urljoin(root, "feed.xml") in hrefs


def test_tag_page_links_its_own_feed(site):
    root = site_root(read_feed(site))
    links = parse(site, "tags/spud/index.html").head.find_all(
        "link", rel="alternate", type="application/atom+xml"
    )
    feed = urljoin(root, "tags/spud/feed.xml")
    own = [tag for tag in links if urljoin(root + "tags/spud/", tag["href"]) == feed]
    assert len(own) == 1
    assert own[0]["title"] == "expectedwrong: #spud"
    assert (site / "tags" / "spud" / "feed.xml").is_file()


def test_each_tag_of_the_seed_post_has_a_feed_holding_it(site):
    for tag in SEED_TAGS:
        feed = read_feed(site, f"tags/{tag}/feed.xml")
        assert SEED_TITLE in titles(feed), tag
        assert link(feed, "alternate").endswith(f"/tags/{tag}/")


# A copy of the blog with fixture posts.


def write_fixture_posts(project: Path) -> None:
    (project / "docs" / "images").mkdir()
    (project / "docs" / "images" / "pixel.png").write_bytes(PNG)
    write_post(
        project, "alpha",
        "title: Alpha\ndescription: First.\ndate: 2025-01-10\ntags: [shared, alpha-only]",
        "See [the next one](beta.md) and [its end](beta.md#end).\n\n"
        "![A pixel](../images/pixel.png)\n\n## Heading",
    )
    write_post(
        project, "beta",
        "title: Beta\ndescription: Second.\ndate: 2025-02-10\nupdated: 2025-03-01\n"
        "tags: [shared]",
        "Body of beta.\n\n## End",
    )
    write_post(
        project, "markup",
        f"title: {json.dumps(SCRIPT)}\ndescription: {json.dumps(IMG)}\n"
        f"date: 2025-03-05T10:30:00Z\ntags: {json.dumps(['shared', SCRIPT])}",
        "Plain words.",
    )
    write_post(
        project, "unfinished",
        "title: Unfinished\ndescription: Not yet.\ndate: 2025-04-01\ndraft: true\n"
        "tags: [shared, draft-only]",
        "Half a thought.",
    )


def set_feed_length(project: Path, length: int) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "    length: 20\n" in text
    config.write_text(text.replace("    length: 20\n", f"    length: {length}\n"), "utf-8")


@pytest.fixture(scope="module")
def blog(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("feeds"))
    write_fixture_posts(project)
    result = build(project, project / "site")
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_tag_feed_holds_exactly_the_posts_with_that_tag(blog):
    assert titles(read_feed(blog, "tags/shared/feed.xml")) == [SCRIPT, "Beta", "Alpha"]
    assert titles(read_feed(blog, "tags/alpha-only/feed.xml")) == ["Alpha"]
    assert titles(read_feed(blog, "tags/spud/feed.xml")) == [SEED_TITLE]


def test_updated_comes_from_front_matter_updated(blog):
    beta = entry_by_title(read_feed(blog), "Beta")
    assert child(beta, "published").text == "2025-02-10T00:00:00+00:00"
    assert child(beta, "updated").text == "2025-03-01T00:00:00+00:00"
    markup = entry_by_title(read_feed(blog), SCRIPT)
    assert child(markup, "updated").text == "2025-03-05T10:30:00+00:00"
    assert child(read_feed(blog, "tags/shared/feed.xml"), "updated").text == (
        "2025-03-05T10:30:00+00:00"
    )


def test_draft_is_in_no_feed(blog):
    feeds = all_feeds(blog)
    assert len(feeds) > 1
    for path in feeds:
        raw = path.read_text(encoding="utf-8")
        assert "Unfinished" not in raw and "unfinished" not in raw, path
    assert not (blog / "tags" / "draft-only" / "feed.xml").exists()


def test_front_matter_markup_is_escaped_text(blog):
    for path in all_feeds(blog):
        raw = path.read_text(encoding="utf-8")
        assert "<script" not in raw and "<img" not in raw, path
    entry = entry_by_title(read_feed(blog), SCRIPT)
    assert child(entry, "summary").text == IMG
    assert SCRIPT in [c.get("term") for c in entry.findall(ATOM + "category")]
    for tag in ET.parse(blog / "feed.xml").iter():
        assert tag.tag.startswith(ATOM), tag.tag


def test_links_in_content_are_absolute_against_the_post(blog):
    feed = read_feed(blog)
    root = site_root(feed)
    urls = content_urls(entry_by_title(feed, "Alpha"))
    assert root + "posts/beta/" in urls
    assert root + "posts/beta/#end" in urls
    assert root + "images/pixel.png" in urls
    assert root + "posts/alpha/#heading" in urls
    for url in urls:
        assert built_file(blog, root, url).is_file(), url


def test_feed_length_from_mkdocs_yml_keeps_the_newest_posts(tmp_path):
    project = copy_project(tmp_path / "blog")
    write_fixture_posts(project)
    set_feed_length(project, 2)
    result = build(project, project / "site")
    assert result.returncode == 0, result.stderr
    assert titles(read_feed(project / "site")) == [SEED_TITLE, SCRIPT]
    assert titles(read_feed(project / "site", "tags/shared/feed.xml")) == [SCRIPT, "Beta"]
