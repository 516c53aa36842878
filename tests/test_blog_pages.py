"""The pure helpers of hooks/blog_pages.py."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from pymdownx.slugs import slugify

from blog_pages import blog_posting, group_tags, iso_date, post_tags

SLUGIFY = slugify(case="lower")


def post(*tags, title="t"):
    return SimpleNamespace(meta={"title": title, "tags": list(tags)})


def slug(name: str) -> str:
    return SLUGIFY(name, "-")


def test_tags_are_kept_as_written_and_grouped_by_slug():
    first, second = post("OpenAI", "spud"), post("openai")
    tags = group_tags([first, second], slug)
    assert [(t.name, t.slug, t.url) for t in tags] == [
        ("OpenAI", "openai", "tags/openai/"),
        ("spud", "spud", "tags/spud/"),
    ]
    assert tags[0].posts == [first, second]


def test_tags_are_sorted_by_name_ignoring_case():
    tags = group_tags([post("beta", "Alpha", "gamma")], slug)
    assert [t.name for t in tags] == ["Alpha", "beta", "gamma"]


def test_a_tag_repeated_in_one_post_lists_the_post_once():
    one = post("spud", "Spud")
    assert group_tags([one], slug)[0].posts == [one]


def test_post_without_tags_or_with_non_list_tags_has_none():
    assert post_tags({}) == []
    assert post_tags({"tags": "not-a-list"}) == []


def test_iso_date_keeps_a_bare_date_bare():
    assert iso_date(dt.date(2026, 4, 9)) == "2026-04-09"
    assert iso_date(dt.datetime(2026, 4, 9, 8, 30)) == "2026-04-09T08:30:00"
    assert iso_date(None) is None


def test_blog_posting_carries_every_required_field():
    meta = {
        "title": "T", "description": "D", "date": dt.date(2026, 4, 9),
        "updated": dt.date(2026, 4, 12), "tags": ["a", "b"],
        "reading": {"words": 477, "minutes": 3},
    }
    data = blog_posting(meta, "https://example.org/posts/t/")
    assert data == {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": "T",
        "description": "D",
        "datePublished": "2026-04-09",
        "dateModified": "2026-04-12",
        "keywords": ["a", "b"],
        "url": "https://example.org/posts/t/",
        "mainEntityOfPage": "https://example.org/posts/t/",
        "wordCount": 477,
        "timeRequired": "PT3M",
    }


def test_blog_posting_modified_defaults_to_published():
    meta = {"title": "T", "date": dt.date(2026, 1, 2), "reading": {"words": 1, "minutes": 1}}
    assert blog_posting(meta, "u")["dateModified"] == "2026-01-02"
