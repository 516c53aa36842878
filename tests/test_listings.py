"""Listings with more posts: a temporary copy of the blog with fixture posts,
built with a real `mkdocs build --strict`."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import pytest

from support import build, built_site, copy_project, parse, write_post

# Twelve posts over 2022-2024, all older than the seed post (2026); tag
# "every" is on all of them, "odd" on the odd ones.
FIXTURES = [
    (f"fixture-{n:02d}", f"{2022 + n // 4}-{n + 1:02d}-{n + 1:02d}", n)
    for n in range(12)
]


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("blog"))
    for slug, date, n in FIXTURES:
        tags = ["every", "odd"] if n % 2 else ["every"]
        write_post(
            project, slug,
            f"title: Fixture {n:02d}\ndescription: Deck {n}.\n"
            f"date: {date}\ntags: {json.dumps(tags)}",
            " ".join(["word"] * (1234 if n == 11 else n + 1)),
        )
    site = project / "site"
    built_site(project, site)
    return project, site


def entry_titles(soup) -> list[str]:
    return [text(a) for a in soup.select(".ew-entry h2 a")]


def test_home_lists_ten_newest_posts_first_then_numbered_pages(blog):
    _, site = blog
    newest = ["OpenAI's Tape Models and the Sora Trade", "Fixture 11", "Fixture 10",
              "Fixture 09", "Fixture 08", "Fixture 07", "Fixture 06", "Fixture 05",
              "Fixture 04", "Fixture 03"]
    assert entry_titles(parse(site, "index.html")) == newest
    assert entry_titles(parse(site, "page/2/index.html")) == [
        "Fixture 02", "Fixture 01", "Fixture 00"
    ]
    pagination = parse(site, "index.html").select_one(".md-pagination")
    assert "page/2/" in [a["href"].split("../")[-1] for a in pagination.find_all("a")]


def test_listing_entries_show_the_numbers_of_their_post(blog):
    _, site = blog
    for entry in parse(site, "index.html").select(".ew-entry"):
        href = entry.h2.a["href"]
        post = parse(site, urljoin("index.html", href) + "index.html")
        post_line = text(post.select_one(".ew-post-header .ew-meta"))
        entry_line = text(entry.select_one(".ew-meta"))
        # The entry's line is the post's line with the date in front.
        assert entry_line.endswith(post_line), (entry_line, post_line)
        assert text(entry.select_one(".ew-entry__deck")) == text(
            post.select_one(".ew-post-header__deck")
        )


def test_word_counts_are_singular_and_grouped_by_thousands(blog):
    _, site = blog
    one = text(parse(site, "posts/fixture-00/index.html").select_one(".ew-meta"))
    many = text(parse(site, "posts/fixture-11/index.html").select_one(".ew-meta"))
    assert "1 min read 1 word #every" == one
    assert many.startswith("6 min read 1,234 words")


def test_tag_page_lists_exactly_the_posts_carrying_the_tag(blog):
    _, site = blog
    soup = parse(site, "tags/odd/index.html")
    assert text(soup.h1) == "#odd"
    assert text(soup.select_one(".ew-count")) == "6 posts"
    assert entry_titles(soup) == [f"Fixture {n:02d}" for n in (11, 9, 7, 5, 3, 1)]


def test_tags_index_counts_posts_per_tag(blog):
    _, site = blog
    soup = parse(site, "tags/index.html")
    counts = {
        text(li.a): text(li.select_one(".ew-count")) for li in soup.select(".ew-tag-index li")
    }
    assert counts["#every"] == "12 posts"
    assert counts["#odd"] == "6 posts"
    assert counts["#spud"] == "1 post"


def test_archive_groups_posts_by_year_newest_first(blog):
    _, site = blog
    soup = parse(site, "archive/index.html")
    assert [text(h2) for h2 in soup.select("article h2")] == ["2026", "2024", "2023", "2022"]
    assert "Fixture 00" in [text(a) for a in soup.select(".ew-archive a")]


def test_post_footer_links_older_and_newer_posts(blog):
    _, site = blog
    nav = parse(site, "posts/fixture-05/index.html").select_one(".ew-post-nav")
    assert "Fixture 04" in text(nav.find("a", rel="prev"))
    assert "Fixture 06" in text(nav.find("a", rel="next"))


def test_wpm_is_read_from_mkdocs_yml(tmp_path):
    project = copy_project(tmp_path / "blog")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("wpm: 238", "wpm: 100"))
    assert build(project, project / "site").returncode == 0
    soup = parse(project / "site", "posts/openais-tape-models-and-the-sora-trade/index.html")
    # 354 words at 100 wpm: 212.4 s, so 4 minutes.
    assert text(soup.select_one(".ew-meta")).startswith("4 min read 354 words")
    json_ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert json_ld["timeRequired"] == "PT4M"
