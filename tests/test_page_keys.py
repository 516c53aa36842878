"""The keys of hooks/build_cache.py: a page's template is rendered again
when anything it can show changes, and not when nothing did."""

from __future__ import annotations

import datetime as dt

import build_cache
import pytest
from build_cache import Unkeyable, key_digest, page_key
from markupsafe import Markup
from mkdocs.structure.files import File
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page


def page(src: str, title: str, **meta) -> Page:
    file = File(src, "/docs", "/site", use_directory_urls=True)
    made = Page(title, file, {})  # type: ignore[arg-type]  # no config is read here
    made.meta = dict(meta)
    made.content = f"<p>{title}</p>"
    return made


@pytest.fixture(autouse=True)
def fresh_build():
    build_cache._kept.clear()
    yield
    build_cache._kept.clear()


def blog() -> tuple[Page, Page, Page]:
    older, post, newer = (page(f"posts/{n}.md", f"Post {n}", tags=["ai"]) for n in "abc")
    post.previous_page, post.next_page = older, newer
    older.next_page, newer.previous_page = post, post
    post.meta["related"] = [older]
    return older, post, newer


def key_of(post: Page, **context) -> bytes:
    build_cache._kept.clear()  # a new build
    return page_key("blog-post.html", {"page": post, **context})


def key_after(change, key) -> bytes:
    """`key(older, post, newer)` of a new blog, after `change(older, post,
    newer)` if one is given."""
    older, post, newer = blog()
    if change:
        change(older, post, newer)
    return key(older, post, newer)


def post_key(older: Page, post: Page, newer: Page) -> bytes:
    return key_of(post)


def test_equal_pages_in_two_builds_have_one_key():
    assert key_of(blog()[1]) == key_of(blog()[1])


@pytest.mark.parametrize("change", [
    lambda older, post, newer: setattr(post, "content", "<p>edited</p>"),
    lambda older, post, newer: post.meta.update(tags=["ml"]),
    lambda older, post, newer: post.meta.update(date=dt.date(2026, 1, 2)),
    lambda older, post, newer: setattr(older, "title", "Renamed neighbour"),
    lambda older, post, newer: newer.meta.update(description="A neighbour's new deck"),
    lambda older, post, newer: older.meta.update(reading={"minutes": 9}),
    lambda older, post, newer: setattr(post, "next_page", None),
], ids=["body", "tags", "date", "neighbour title", "neighbour deck", "related post's read time",
        "no newer post"])
def test_what_a_template_shows_changes_the_key(change):
    assert key_after(change, post_key) != key_after(None, post_key)


def test_a_neighbours_body_does_not_change_the_key():
    def change(older, post, newer):
        older.content = "<p>a body the post does not show</p>"

    assert key_after(change, post_key) == key_after(None, post_key)


def test_context_values_are_keyed_dates_markup_and_navigation_included():
    older, post, newer = blog()
    nav = Navigation([Section("Posts", [older, post, newer])], [older, post, newer])
    base = {"nav": nav, "when": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            "note": Markup("<b>x</b>")}
    assert key_of(post, **base) == key_of(post, **base)
    assert key_of(post, **{**base, "note": Markup("<b>y</b>")}) != key_of(post, **base)
    assert key_of(post, **{**base, "when": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)}) \
        != key_of(post, **base)
    renamed = blog()
    renamed[2].title = "Renamed in the navigation"
    nav2 = Navigation([Section("Posts", list(renamed))], list(renamed))
    assert key_of(renamed[1], **{**base, "nav": nav2}) != key_of(post, **base)


def test_a_value_no_key_can_stand_for_is_unkeyable():
    with pytest.raises(Unkeyable):
        key_digest({"handle": object()}, 1)



def test_reads_note_each_navigation_path_a_template_reads():
    older, post, newer = blog()
    nav = Navigation([older, post, newer], [older, post, newer])
    nav.homepage = older
    reads: set = set()
    seen = build_cache.Reads(nav, (), reads)
    assert seen.homepage.url == older.url
    assert reads == {("homepage", "url")}
    assert list(seen) == list(nav)
    assert ("(whole)",) in reads


def test_what_a_render_read_of_the_navigation_is_all_its_key_holds():
    older, post, newer = blog()
    nav = Navigation([older, post, newer], [older, post, newer])
    nav.homepage = older
    by_url = build_cache.reads_digest(nav, frozenset({("homepage", "url")}))
    newer.title = "A new title elsewhere"
    assert build_cache.reads_digest(nav, frozenset({("homepage", "url")})) == by_url
    whole = build_cache.reads_digest(nav, frozenset({("(whole)",)}))
    post.title = "Another new title"
    build_cache._kept.clear()  # a new build
    assert build_cache.reads_digest(nav, frozenset({("(whole)",)})) != whole


def test_a_page_two_away_is_keyed_by_its_address_and_title_only():
    def listing_key(older, post, newer) -> bytes:
        # post.meta["related"] holds `older`, two pages away from the listing.
        return key_of(page("index.md", "Home"), posts=[post])

    def reread(older, post, newer):
        older.meta.update(reading={"minutes": 9})

    def renamed(older, post, newer):
        older.title = "Renamed"

    before = key_after(None, listing_key)
    assert key_after(reread, listing_key) == before
    assert key_after(renamed, listing_key) != before


def test_the_posts_a_listing_holds_are_keyed_in_full_two_pages_away():
    def index_key(older, post, newer) -> bytes:
        year = page("archive/2026.md", "2026")
        year.posts = [older, post, newer]  # what the archive's index lists
        return key_of(page("archive/index.md", "Archive"), archive_years=[year])

    def reread(older, post, newer):
        post.meta.update(reading={"minutes": 9})

    assert key_after(reread, index_key) != key_after(None, index_key)


def test_a_pages_section_is_keyed_by_the_address_and_title_of_its_pages():
    def tag_key(rename: str | None = None, deck: str | None = None) -> bytes:
        tags = [page(f"tags/{n}.md", f"#{n}") for n in ("ai", "ml", "go")]
        section = Section("Tags", tags)
        for tag in tags:
            tag.parent = section
        if rename:
            tags[2].title = rename
        if deck:
            tags[2].meta["description"] = deck
        build_cache._kept.clear()  # a new build
        return page_key("ew-tag.html", {"page": tags[0]})

    assert tag_key() == tag_key()
    assert tag_key(rename="#golang") != tag_key()
    assert tag_key(deck="a deck the tag page does not show of a sibling") == tag_key()


def test_dates_are_keyed_with_their_time_zones():
    from zoneinfo import ZoneInfo

    wall = dt.datetime(2026, 1, 1, 9, 0)
    keys = {zone: key_of(blog()[1], when=wall.replace(tzinfo=ZoneInfo(zone)))
            for zone in ("Europe/Paris", "Asia/Tokyo")}
    keys["fixed"] = key_of(blog()[1], when=wall.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))))
    keys["naive"] = key_of(blog()[1], when=wall)
    keys["date"] = key_of(blog()[1], when=wall.date())
    assert len(set(keys.values())) == len(keys)
    assert key_of(blog()[1], when=wall.date()) == keys["date"]
