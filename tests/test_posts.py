"""The pure helpers of hooks/posts.py and hooks/blog.py: what is a draft,
where posts and listing pages are published, in which order posts come."""

from __future__ import annotations

import datetime as dt
import io
import os
from types import SimpleNamespace

import cache
import pytest
import yaml
from blog import long_date, neighbours
from editor_forms import FORMS
from material.plugins.blog.config import BlogConfig
from material.plugins.tags.config import TagsConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import get_files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data
from posts import (
    BadDate,
    Post,
    archive_src,
    as_utc,
    decoded,
    is_draft,
    is_scheduled,
    kept_yaml,
    newest_first,
    page_count,
    page_src,
    parse_yaml,
    per_page,
    post_slug,
    post_text,
    post_uri,
    split_post,
    tag_slug,
    without_posts_dir,
)

from support import ROOT

UTC = dt.UTC
NOW = dt.datetime(2026, 4, 9, 12, tzinfo=UTC)


@pytest.mark.parametrize(("draft", "days_ahead", "draft_now", "scheduled"), [
    (True, -1, True, False),
    (True, 1, True, False),
    (False, 1, False, False),
    (None, -1, False, False),
    (None, 0, False, False),
    (None, 1, True, True),
])
def test_a_post_is_a_draft_if_marked_and_scheduled_if_unmarked_and_dated_later(
        draft, days_ahead, draft_now, scheduled):
    date = NOW + dt.timedelta(days=days_ahead)
    assert is_draft(draft, date, NOW) is draft_now
    assert is_scheduled(draft, date, NOW) is scheduled


@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2026, 4, 9), dt.datetime(2026, 4, 9, tzinfo=UTC)),
    (dt.datetime(2026, 4, 9, 8, 30), dt.datetime(2026, 4, 9, 8, 30, tzinfo=UTC)),
    (dt.datetime(2026, 4, 9, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
     dt.datetime(2026, 4, 9, 6, 30, tzinfo=UTC)),
    (BadDate("2026-02-30"), None),
    ("2026-04-09", None),
    (None, None),
])
def test_dates_are_read_as_aware_times_a_bare_date_at_midnight_utc(value, expected):
    assert as_utc(value) == expected


def test_an_impossible_date_is_kept_as_text_to_report():
    meta = parse_yaml("date: 2026-02-30\nupdated: 2026-02-28\n")
    assert isinstance(meta["date"], BadDate) and meta["updated"] == dt.date(2026, 2, 28)


@pytest.mark.parametrize(("saved", "read"), [
    ("a\nb\n", "a\nb\n"),
    ("a\r\nb\r\n", "a\nb\n"),
    ("a\r\nb\nc\rd", "a\nb\nc\nd\n"),
    ("a\r\r\nb", "a\n\nb\n"),
    ("\ufeffa\n", "a\n"),
    ("\ufeff", "\n"),
    ("", "\n"),
    ("a\n\n", "a\n\n"),
    ("a \t\r\n", "a \t\n"),
    # Not line breaks to MkDocs either (str.splitlines would break them).
    ("a\u2028b\x0cc\x1dd\n", "a\u2028b\x0cc\x1dd\n"),
    ("a\ufeffb\n", "a\ufeffb\n"),
])
def test_a_post_s_text_has_lf_line_ends_no_byte_order_mark_and_a_final_lf(saved, read):
    assert post_text(saved) == read


# Posts to save in every editor form: a body with a hard line break (two
# spaces before the line end), a code block and a last line; front matter
# that spans lines; a post that is only front matter.
EDITOR_POSTS = {
    "body": b"---\ntitle: A post\ndescription: >-\n  A deck\n  on two lines.\n"
            b"date: 2024-01-05\ntags:\n  - a\n  - b\n---\n\n# Heading\n\nA line  \n"
            b"broken.\n\n```\ncode\n```\n\nThe end.\n",
    "front-matter-only": b"---\ntitle: Only front matter\ndate: 2024-01-05\n---\n",
    "closed-with-dots": b"---\ntitle: Dots\ndate: 2024-01-05\n...\nBody.\n",
}


@pytest.mark.parametrize("post", sorted(EDITOR_POSTS))
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_post_in_any_editor_form_splits_into_the_same_front_matter_and_body(form, post):
    lf = EDITOR_POSTS[post]
    saved = FORMS[form](lf)
    assert saved != lf
    # As MkDocs opens the file (File.content_string, read by hooks/blog.py),
    # and as hooks/front_matter.py decodes its bytes.
    opened = io.TextIOWrapper(io.BytesIO(saved), encoding="utf-8-sig").read()
    decoded = saved.decode("utf-8-sig")
    assert split_post(opened) == split_post(decoded) == split_post(lf.decode("utf-8"))


@pytest.mark.parametrize("post", sorted(EDITOR_POSTS))
def test_a_post_saved_with_lf_splits_as_mkdocs_splits_it(post):
    text = EDITOR_POSTS[post].decode("utf-8")
    front_matter, body = split_post(text)
    assert yaml.safe_load(front_matter) == get_data(text)[1]
    assert body == get_data(text)[0]


def test_text_with_no_front_matter_has_no_split():
    assert split_post("# A heading\n---\ntitle: A\n---\n") is None
    assert split_post("---\n---\n") is None


@pytest.mark.parametrize("title", [
    "OpenAI's Tape Models and the Sora Trade", "Ünïcode & Friends", "C++ in 2026: <why>",
    "  spaced   out  ", "日本語のタイトル",
])
def test_a_title_gives_the_slug_material_s_blog_plugin_gave_it(title):
    # Material's own default, so that no published address changes.
    material = BlogConfig().post_slugify
    assert post_slug({"title": title}) == material(title, "-")


@pytest.mark.parametrize("name", ["gpt-image", "OpenAI", "Ünïcode & Friends", "world models"])
def test_a_tag_gives_the_slug_material_s_tags_plugin_gave_it(name):
    material = TagsConfig()
    assert tag_slug(name) == material.tags_slugify(name, material.tags_slugify_separator)


def test_front_matter_slug_wins_and_the_post_is_published_under_posts():
    assert post_slug({"title": "Anything", "slug": "tape"}) == "tape"
    assert post_uri("tape") == "posts/tape/index.html"


@pytest.mark.parametrize(("first", "number", "src"), [
    ("index.md", 2, "page/2/index.md"),
    ("index.md", 11, "page/11/index.md"),
    ("archive/2025.md", 2, "archive/2025/page/2.md"),
])
def test_numbered_pages_sit_under_their_listing(first, number, src):
    assert page_src(first, number) == src


def test_a_year_archive_is_named_by_the_four_digit_year():
    assert archive_src(2025) == "archive/2025.md"
    assert archive_src(987) == "archive/0987.md"


@pytest.mark.parametrize(("posts", "size", "pages"), [
    (0, 10, 1), (1, 10, 1), (10, 10, 1), (11, 10, 2), (20, 10, 2), (21, 10, 3), (5, 1, 5),
])
def test_a_listing_takes_as_many_pages_as_its_posts_fill(posts, size, pages):
    assert page_count(posts, size) == pages


def test_pinned_posts_come_first_then_newest_first_ties_in_file_order():
    day = dt.datetime(2026, 1, 1, tzinfo=UTC)
    old, new, pinned = (SimpleNamespace(name=n, pin=p, date=day + dt.timedelta(days=d))
                        for n, p, d in [("old", False, 0), ("new", False, 5), ("pinned", True, -9)])
    twin_a, twin_b = (SimpleNamespace(name=n, pin=False, date=day) for n in "ab")
    order = newest_first([old, twin_a, new, pinned, twin_b])
    assert [post.name for post in order] == ["pinned", "new", "old", "a", "b"]


@pytest.mark.parametrize(("uri", "published"), [
    ("posts/images/a.png", "images/a.png"),
    ("posts/a.png", "a.png"),
    ("images/a.png", None),
    ("postscript/a.png", None),
])
def test_files_beside_posts_are_published_without_the_posts_folder(uri, published):
    assert without_posts_dir(uri) == published


@pytest.mark.parametrize(("extra", "expected"), [
    ({}, 10), ({"blog": None}, 10), ({"blog": {"per_page": 3}}, 3),
])
def test_posts_per_page_is_read_from_extra_blog(extra, expected):
    assert per_page(SimpleNamespace(extra=extra)) == expected


@pytest.mark.parametrize("value", [0, -1, "10", 2.5, True])
def test_posts_per_page_must_be_a_whole_number_of_one_or_more(value):
    with pytest.raises(ValueError, match="extra.blog.per_page"):
        per_page(SimpleNamespace(extra={"blog": {"per_page": value}}))


@pytest.mark.parametrize(("date", "locale", "shown"), [
    (dt.datetime(2026, 11, 23, 23, 59, tzinfo=UTC), "en", "November 23, 2026"),
    (dt.date(2024, 2, 29), "en", "February 29, 2024"),
    (dt.date(2024, 2, 29), "de", "29. Februar 2024"),
])
def test_dates_are_shown_long_in_the_site_language(date, locale, shown):
    assert long_date(date, locale) == shown


@pytest.mark.parametrize(("items", "expected"), [
    ([], []),
    (["only"], [(None, None)]),
    (["new", "mid", "old"], [("mid", None), ("old", "new"), (None, "mid")]),
])
def test_each_post_links_to_the_older_and_the_newer_one(items, expected):
    assert neighbours(items) == expected


# -- One Markdown parser for every post ---------------------------------------

# Posts that each use what the others must not inherit: abbreviations,
# footnotes with the same labels, the same headings, raw HTML ids, links.
SHARED_PARSER_POSTS = {
    "posts/a.md": """# Alpha

*[HTML]: Hyper Text Markup Language

HTML and CSS[^1], "quoted" -- and a [link to beta](b.md#intro).

## Intro

## Intro

!!! note "A note"
    Inside.

??? tip "Folded"
    Hidden.

```python
def alpha(): return 1
```

- [x] done
- [ ] not yet

Term
:   Definition

<div markdown>**bold in HTML**</div>
<a id="raw-anchor"></a>

[^1]: The footnote of alpha.
""",
    "posts/b.md": """# Beta

HTML again, without its abbreviation here[^1]; ~~struck~~ and `#!python x = 1`.

## Intro

| a | b |
|---|---|
| 1 | 2 |

[Back to alpha](a.md#intro_1) and [the raw anchor](a.md#raw-anchor).

[^1]: The footnote of beta.
""",
    "posts/c.md": """Some text before any heading, and no footnotes at all.

### Deep

```
plain code
```
""",
}


def test_posts_render_with_one_parser_exactly_as_mkdocs_renders_each_alone(tmp_path):
    docs = tmp_path / "docs"
    for name, text in SHARED_PARSER_POSTS.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    ours = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    config.load_dict({"site_name": "t", "docs_dir": str(docs), "site_dir": str(tmp_path / "s"),
                      "markdown_extensions": ours["markdown_extensions"]})
    errors, _ = config.validate()
    assert not errors
    order = ["posts/a.md", "posts/b.md", "posts/c.md", "posts/a.md", "posts/b.md"]
    shared_files, alone_files = get_files(config), get_files(config)
    rendered = []
    for name in order:
        post = Post(shared_files.get_file_from_path(name), config, {}, SHARED_PARSER_POSTS[name])
        post.render(config, shared_files)
        page = Page(None, alone_files.get_file_from_path(name), config)
        page.read_source(config)
        page.render(config, alone_files)
        assert post.content == page.content, name
        assert [item.id for item in post.toc] == [item.id for item in page.toc]
        assert post._title_from_render == page._title_from_render
        assert post.present_anchor_ids == page.present_anchor_ids
        rendered.append(post.content)
    assert "<abbr" in rendered[0] and "<abbr" not in rendered[1]
    assert "footnote of alpha" in rendered[0] and "footnote of alpha" not in rendered[1]
    assert rendered[0] == rendered[3] and rendered[1] == rendered[4]



def test_kept_yaml_parses_a_front_matter_once_and_gives_each_caller_its_own_copy():
    cache.clear()
    cache.begin_build("test")
    text = "title: Kept\ndate: 2024-05-01\ntags: [a, b]\n"
    first = kept_yaml(text)
    assert len(cache.table("yaml").entries) == 1
    second = kept_yaml(text)
    assert first == second == parse_yaml(text)
    second["tags"].append("c")
    assert kept_yaml(text)["tags"] == ["a", "b"]
    cache.clear()


def test_kept_yaml_gives_an_impossible_date_back_as_one_to_report():
    cache.clear()
    cache.begin_build("test")
    for _ in range(2):
        meta = kept_yaml("date: 2026-02-30\n")
        assert isinstance(meta["date"], BadDate) and meta["date"] == "2026-02-30"
    cache.clear()


def test_source_bytes_under_serve_gives_a_settled_unchanged_file_once_read(tmp_path, monkeypatch):
    cache.clear()
    path = tmp_path / "post.md"
    path.write_bytes(b"---\ntitle: A\n---\nbody\n")
    monkeypatch.setattr(cache, "SETTLED_NS", 0)  # as if written long ago
    cache.begin_build("one")
    first = cache.source_bytes(str(path), keep=True)
    cache.begin_build("one")
    assert cache.source_bytes(str(path), keep=True) is first
    path.write_bytes(b"---\ntitle: B\n---\nbody two\n")
    cache.begin_build("one")
    assert cache.source_bytes(str(path), keep=True) == b"---\ntitle: B\n---\nbody two\n"
    cache.clear()


def test_source_bytes_gives_every_step_of_one_build_the_same_bytes(tmp_path):
    # A post saved again while a build reads it: every hook of that build
    # reads what the first one did; the next build (which the save starts)
    # reads the new text.
    cache.clear()
    path = tmp_path / "post.md"
    path.write_bytes(b"first text")
    cache.begin_build("one")
    assert cache.source_bytes(str(path), keep=True) == b"first text"
    path.write_bytes(b"other text")
    assert cache.source_bytes(str(path), keep=True) == b"first text"
    cache.begin_build("one")
    assert cache.source_bytes(str(path), keep=True) == b"other text"
    cache.clear()


def test_source_bytes_reads_again_a_file_changed_just_before_it_was_read(tmp_path, monkeypatch):
    # Two writes of the same size within one tick of a file system's clock
    # leave the same stat (this machine's clock is finer: its first stat is
    # given again, as such a file system would).
    cache.clear()
    path = tmp_path / "post.md"
    path.write_bytes(b"first text")
    first_stat, real_stat = os.stat(path), os.stat
    monkeypatch.setattr(os, "stat", lambda where, **options: first_stat
                        if str(where) == str(path) else real_stat(where, **options))
    cache.begin_build("one")
    assert cache.source_bytes(str(path), keep=True) == b"first text"
    path.write_bytes(b"other text")
    cache.begin_build("one")
    assert cache.source_bytes(str(path), keep=True) == b"other text"
    cache.clear()


def test_source_bytes_for_mkdocs_build_keeps_nothing(tmp_path):
    cache.clear()
    path = tmp_path / "post.md"
    path.write_bytes(b"text")
    assert cache.source_bytes(str(path), keep=False) == b"text"
    assert not cache._holder().sources


def test_decoded_reads_bytes_as_mkdocs_reads_a_file(tmp_path):
    data = b"\xef\xbb\xbf---\r\ntitle: A\r\n---\rbody\n"
    path = tmp_path / "post.md"
    path.write_bytes(data)
    assert decoded(data) == path.read_text(encoding="utf-8-sig")
    assert decoded(b"bad \xff byte", errors="replace") == "bad \ufffd byte"
