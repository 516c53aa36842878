"""Tag pages, the tags index and the archive index, and post metadata.

hooks/blog.py makes the posts and the listings Material's blog plugin made
(home, numbered pages, yearly archives). After it (`on_files`, priority
-50) this hook adds generated pages: one per tag at `tags/<slug>/`, the tags
index at `tags/` and the archive index at `archive/`. Templates draw them;
this hook only hands them the posts. It sets each post's `tag_links` and
`scheduled` (dated in the future) meta keys, which the meta line reads, and
builds each post's schema.org `BlogPosting`, with the `card` hooks/cards.py
gives it as its image.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from posts import Group, Post, current, generated_page, is_scheduled, tag_slug

TAGS_DIR = "tags"
ARCHIVE_DIR = "archive"


@dataclass
class Tag(Group):
    """A tag as written in front matter, its address and its posts."""

    FOLDER: ClassVar[str] = TAGS_DIR


# Tags of the current build, by the src_uri of their generated page. Reset at
# every build, so that `mkdocs serve` never shows a tag that is gone.
_tags: dict[str, Tag] = {}


def post_tags(meta: dict) -> list[str]:
    """The tag names of a post, in front-matter order."""
    tags = meta.get("tags") or []
    return [str(tag) for tag in tags] if isinstance(tags, list) else []


def group_tags(posts: list, slugify) -> list[Tag]:
    """Tags of `posts` (newest first) with their posts, sorted by name; made
    once per list of posts and slugify (hooks/feeds.py and
    hooks/sitemap_dates.py ask for the blog's tags too). The tags and their
    lists of posts are shared: read, not changed."""
    kept = _grouped.get((id(posts), slugify))
    if kept is None or kept[0] is not posts or kept[1] != len(posts):
        kept = (posts, len(posts), _group_tags(posts, slugify))
        _grouped[(id(posts), slugify)] = kept
    return list(kept[2])


# group_tags' results, by the list of posts (held, so that its id is not
# taken for another's) and slugify.
_grouped: dict[tuple[int, object], tuple] = {}


def _group_tags(posts: list, slugify) -> list[Tag]:
    tags: dict[str, Tag] = {}
    # (tag slug, post) pairs already listed: a post may repeat a tag, or give
    # it twice in two spellings with one slug. By identity, in constant time
    # (`post in tag.posts` would compare pages one by one).
    listed: set[tuple[str, int]] = set()
    for post in posts:
        for name in post_tags(post.meta):
            slug = slugify(name)
            tag = tags.setdefault(slug, Tag(name=name, slug=slug))
            if (slug, id(post)) not in listed:
                listed.add((slug, id(post)))
                tag.posts.append(post)
    return sorted(tags.values(), key=lambda tag: (tag.name.casefold(), tag.slug))


def iso_date(value: object) -> str | None:
    """A front-matter date as ISO 8601: a bare date stays a bare date."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value) if value else None


def blog_posting(meta: dict, url: str) -> dict:
    """schema.org BlogPosting for a post's front matter and reading stats."""
    reading = meta["reading"]
    published = iso_date(meta.get("date"))
    posting = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": meta.get("title", ""),
        "description": meta.get("description", ""),
        "datePublished": published,
        "dateModified": iso_date(meta.get("updated")) or published,
        "keywords": post_tags(meta),
        "url": url,
        "mainEntityOfPage": url,
        "wordCount": reading["words"],
        "timeRequired": f"PT{reading['minutes']}M",
    }
    # The social card or cover image (hooks/cards.py runs first).
    card = meta.get("card")
    if card and card.get("url"):
        posting["image"] = {"@type": "ImageObject", "url": card["url"],
                            "width": card["width"], "height": card["height"]}
    return posting


def _slugify(config: MkDocsConfig):
    return tag_slug


@event_priority(-60)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files:
    posts = current().posts
    slugify = _slugify(config)
    _tags.clear()
    for tag in group_tags(posts, slugify):
        src_uri = f"{TAGS_DIR}/{tag.slug}.md"
        files.append(generated_page(config, src_uri, f"#{tag.name}", "ew-tag.html"))
        _tags[src_uri] = tag
    files.append(generated_page(config, f"{TAGS_DIR}/index.md", "Tags", "ew-tags.html"))
    files.append(generated_page(config, f"{ARCHIVE_DIR}/index.md", "Archive", "ew-archive.html"))
    now = dt.datetime.now(dt.UTC)
    for post in posts:
        post.meta["tag_links"] = [
            {"name": name, "url": f"{TAGS_DIR}/{slugify(name)}/"}
            for name in post_tags(post.meta)
        ]
        # Only `mkdocs serve` shows these.
        post.meta["scheduled"] = is_scheduled(post.draft, post.date, now)
    return files


def on_page_context(
    context: dict, /, *, page: Page, config: MkDocsConfig, nav
) -> dict | None:
    src_uri = page.file.src_uri
    if isinstance(page, Post):
        # Written with Jinja's `tojson`, which escapes <, > and &.
        context["json_ld"] = blog_posting(page.meta, page.canonical_url)
    elif src_uri in _tags:
        context["tag"] = _tags[src_uri]
        context["posts"] = _tags[src_uri].posts
    elif src_uri == f"{TAGS_DIR}/index.md":
        context["tag_index"] = list(_tags.values())
    elif src_uri == f"{ARCHIVE_DIR}/index.md":
        context["archive_years"] = current().archives
    return None
