"""The pure helpers of hooks/feeds.py."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from feeds import (
    DEFAULT_LENGTH,
    Entry,
    Feed,
    absolute_links,
    atom_feed,
    atom_time,
    entry_dates,
    feed_length,
    newest,
    start_tag,
    to_datetime,
)

ATOM = "{http://www.w3.org/2005/Atom}"
POST = "https://example.org/blog/posts/one/"
UTC = dt.UTC
NOW = dt.datetime(2026, 4, 9, 12, tzinfo=UTC)


def entry(day: int, *, updated: int | None = None, **fields) -> Entry:
    published = dt.datetime(2026, 1, day, tzinfo=UTC)
    values = {
        "url": f"https://example.org/blog/posts/{day}/",
        "title": f"Post {day}",
        "published": published,
        "updated": dt.datetime(2026, 1, updated, tzinfo=UTC) if updated else published,
        "summary": None,
        "content": "<p>Body</p>",
        "tags": (),
    }
    return Entry(**{**values, **fields})


FEED = Feed(
    url="https://example.org/blog/feed.xml",
    page="https://example.org/blog/",
    title="Blog",
    subtitle="About things",
    author="Someone",
)


@pytest.mark.parametrize(("body", "expected"), [
    ('<a href="../two/">x</a>', '<a href="https://example.org/blog/posts/two/">x</a>'),
    ('<a href="#part">x</a>', f'<a href="{POST}#part">x</a>'),
    ('<img alt="a" src="../../images/a.png" />',
     '<img alt="a" src="https://example.org/blog/images/a.png" />'),
    ('<img src="pic.png">', f'<img src="{POST}pic.png">'),
    ('<a href="/root/">x</a>', '<a href="https://example.org/root/">x</a>'),
    ('<a href="//cdn.example.net/x">x</a>', '<a href="https://cdn.example.net/x">x</a>'),
    ('<a href="?a=1&amp;b=2">x</a>', f'<a href="{POST}?a=1&amp;b=2">x</a>'),
    ('<input disabled type="checkbox">', '<input disabled type="checkbox">'),
    ('<a class="x" HREF=two/>x</a>', f'<a class="x" href="{POST}two/">x</a>'),
    # hooks/images.py's <picture>: every candidate of a srcset.
    ('<source srcset="../../images/a-480w.avif 480w, ../../images/a-680w.avif 680w">',
     '<source srcset="https://example.org/blog/images/a-480w.avif 480w, '
     'https://example.org/blog/images/a-680w.avif 680w">'),
    ('<img srcset="a.png 1x,b.png 2x" src="a.png">',
     f'<img srcset="{POST}a.png 1x, {POST}b.png 2x" src="{POST}a.png">'),
])
def test_relative_urls_are_resolved_against_the_post(body, expected):
    assert absolute_links(body, POST) == expected


@pytest.mark.parametrize("body", [
    '<a href="https://other.example/a">x</a>',
    '<a href="mailto:me@example.org">me</a>',
    '<p>Text &amp; <em>more</em> &nbsp;&#8212; &rsquo;</p>',
    '<pre><code>&lt;a href="x.md"&gt;</code></pre>',
    '<script>var a = "<a href=x>";</script>',
    "<!-- <a href='x'> --><p  class='y'>z</p>",
    "",
])
def test_html_without_relative_urls_comes_back_byte_for_byte(body):
    assert absolute_links(body, POST) == body


def test_rewriting_finds_tags_on_later_lines_after_wide_characters():
    body = '<p>日本語 “quotes” 😀</p>\n<p>line\n<a href="x/">a</a> <img src="y.png"></p>\n'
    assert absolute_links(body, POST) == (
        f'<p>日本語 “quotes” 😀</p>\n<p>line\n<a href="{POST}x/">a</a> '
        f'<img src="{POST}y.png"></p>\n'
    )


def test_start_tag_escapes_attribute_values():
    assert start_tag("a", [("title", 'say "<hi>" & go'), ("hidden", None)]) == (
        '<a title="say &quot;&lt;hi&gt;&quot; &amp; go" hidden>'
    )


@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2026, 4, 9), dt.datetime(2026, 4, 9, tzinfo=UTC)),
    (dt.datetime(2026, 4, 9, 8, 30), dt.datetime(2026, 4, 9, 8, 30, tzinfo=UTC)),
    (dt.datetime(2026, 4, 9, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
     dt.datetime(2026, 4, 9, 6, 30, tzinfo=UTC)),
    ("2026-04-09", dt.datetime(2026, 4, 9, tzinfo=UTC)),
    ("2026-04-09T08:30:00+02:00", dt.datetime(2026, 4, 9, 6, 30, tzinfo=UTC)),
])
def test_front_matter_dates_become_times_with_a_zone(value, expected):
    result = to_datetime(value)
    assert result == expected
    assert result.tzinfo is not None


@pytest.mark.parametrize("value", [None, "", "yesterday", 20260409, ["2026-04-09"]])
def test_what_is_not_a_date_is_refused(value):
    with pytest.raises(ValueError):
        to_datetime(value)


def test_a_bare_date_is_midnight_utc_in_atom():
    assert atom_time(to_datetime(dt.date(2026, 4, 9))) == "2026-04-09T00:00:00+00:00"
    offset = dt.timezone(dt.timedelta(hours=-5))
    assert atom_time(dt.datetime(2026, 4, 9, 8, 30, 5, 999, offset)) == (
        "2026-04-09T08:30:05-05:00"
    )


def test_updated_falls_back_to_date():
    day, later = dt.date(2026, 4, 9), dt.date(2026, 4, 12)
    assert entry_dates(day, None) == (to_datetime(day), to_datetime(day))
    assert entry_dates(day, later) == (to_datetime(day), to_datetime(later))


@pytest.mark.parametrize(("extra", "expected"), [
    ({}, DEFAULT_LENGTH),
    ({"feed": None}, DEFAULT_LENGTH),
    ({"feed": {}}, DEFAULT_LENGTH),
    ({"feed": {"length": 1}}, 1),
    ({"feed": {"length": 50}}, 50),
])
def test_feed_length_is_read_from_extra(extra, expected):
    assert feed_length(extra) == expected


@pytest.mark.parametrize("length", [0, -3, "5", 2.5, True, None])
def test_feed_length_must_be_a_whole_number_of_one_or_more(length):
    with pytest.raises(ValueError):
        feed_length({"feed": {"length": length}})


def test_newest_sorts_by_published_and_keeps_the_first_n():
    posts = [entry(3), entry(1, updated=20), entry(7), entry(5)]
    assert [e.title for e in newest(posts, 3)] == ["Post 7", "Post 5", "Post 3"]
    assert newest(posts, 10) == sorted(posts, key=lambda e: e.published, reverse=True)
    assert newest([], 3) == []


def parsed(entries, when_empty=NOW, feed=FEED) -> ET.Element:
    return ET.fromstring(atom_feed(feed, entries, when_empty))


def test_feed_updated_is_the_latest_entry_update():
    root = parsed([entry(7), entry(1, updated=20)])
    assert root.findtext(ATOM + "updated") == "2026-01-20T00:00:00+00:00"


def test_empty_feed_is_updated_when_built():
    root = parsed([])
    assert root.findtext(ATOM + "updated") == atom_time(NOW)
    assert root.findall(ATOM + "entry") == []


def test_feed_and_entries_carry_every_required_element():
    root = parsed([entry(2, summary="Deck", tags=("a", "b"))])
    assert root.tag == ATOM + "feed"
    assert root.findtext(ATOM + "id") == FEED.url
    assert root.findtext(ATOM + "title") == "Blog"
    assert root.findtext(ATOM + "subtitle") == "About things"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Someone"
    links = {link.get("rel"): link.get("href") for link in root.findall(ATOM + "link")}
    assert links == {"self": FEED.url, "alternate": FEED.page}
    (item,) = root.findall(ATOM + "entry")
    url = "https://example.org/blog/posts/2/"
    assert item.findtext(ATOM + "id") == url
    assert item.find(ATOM + "link").attrib == {"rel": "alternate", "type": "text/html", "href": url}
    assert item.findtext(ATOM + "published") == "2026-01-02T00:00:00+00:00"
    assert item.findtext(ATOM + "summary") == "Deck"
    assert item.find(ATOM + "content").attrib == {"type": "html"}
    assert item.findtext(ATOM + "content") == "<p>Body</p>"
    assert [c.get("term") for c in item.findall(ATOM + "category")] == ["a", "b"]


def test_missing_summary_and_subtitle_are_left_out():
    feed = Feed(url=FEED.url, page=FEED.page, title="B", subtitle=None, author="A")
    root = parsed([entry(2)], feed=feed)
    assert root.find(ATOM + "subtitle") is None
    assert root.find(f"{ATOM}entry/{ATOM}summary") is None


def test_markup_in_text_stays_text():
    script, img = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
    raw = atom_feed(FEED, [entry(2, title=script, summary=img, tags=(script,))], NOW)
    assert b"<script" not in raw and b"<img" not in raw
    item = ET.fromstring(raw).find(ATOM + "entry")
    assert item.findtext(ATOM + "title") == script
    assert item.findtext(ATOM + "summary") == img
    assert item.find(ATOM + "category").get("term") == script


def test_characters_xml_forbids_are_dropped_not_written():
    raw = atom_feed(FEED, [entry(2, title="bell\x07 tab\t", content="<p>\x00x</p>")], NOW)
    item = ET.fromstring(raw).find(ATOM + "entry")
    assert item.findtext(ATOM + "title") == "bell tab\t"
    assert item.findtext(ATOM + "content") == "<p>x</p>"
