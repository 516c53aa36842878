"""Atom 1.0 feeds of the blog and of each tag, with the full text of posts.

Reads, once every page is rendered (`on_post_build`): the posts of hooks/blog.py
with their rendered `post.content`, `canonical_url` and front
matter (`title`, `description`, `date`, `updated`, `tags`, `draft`), and
`site_url`, `site_name`, `site_description`, `site_author` and
`extra.feed.length` from mkdocs.yml. Writes `feed.xml` at the root of the site
and `tags/<slug>/feed.xml` beside each tag page of hooks/blog_pages.py;
overrides/partials/ew-feeds.html links them from every page's head. Writes
nothing to `page.meta`.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, fields, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import cache
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from posts import current, is_draft, tag_slug

from blog_pages import group_tags, post_tags

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

log = logging.getLogger("mkdocs.plugins.feeds")

ATOM_NS = "http://www.w3.org/2005/Atom"
SITE_FEED = "feed.xml"
# Entries per feed unless mkdocs.yml sets `extra.feed.length`: the default
# `length` of mkdocs-rss-plugin, which readers of Material blogs are used to.
DEFAULT_LENGTH = 20
# Attributes that hold a URL in the HTML that Markdown makes; `srcset`
# (hooks/images.py) holds several.
URL_ATTRIBUTES = frozenset({"href", "src"})
# When a blog with no published post was last updated.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Characters XML 1.0 does not allow anywhere, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    """One post as a feed shows it; every URL in `content` is absolute."""

    url: str
    title: str
    published: dt.datetime
    updated: dt.datetime
    summary: str | None
    content: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    """What a feed says about itself: `url` is where it lives and its id,
    `page` the HTML page it follows."""

    url: str
    page: str
    title: str
    subtitle: str | None
    author: str


# Before hooks/cards.py (40) waits for its worker, which is often still
# drawing when the last page is written.
@event_priority(50)
def on_post_build(*, config: MkDocsConfig) -> None:
    if not config.site_url:
        raise PluginError("hooks/feeds.py: feeds need `site_url` in mkdocs.yml.")
    now = dt.datetime.now(dt.UTC)
    posts = [post for post in current().posts if not is_draft(post.draft, post.date, now)]
    if any(post.content is None for post in posts):
        # `--dirty` renders only changed posts: keep the feeds of the last full build.
        log.info("Feeds not rewritten: not every post was rendered in this build.")
        return None
    length = _feed_length(config)
    entries = {post.file.src_uri: _entry(post) for post in posts}
    # A feed with no entry yet (a tag of drafts only, under `mkdocs serve`)
    # was updated when the blog last was: the same in every build.
    quiet = max((entry.updated for entry in entries.values()), default=EPOCH)
    # Links are made absolute only in the entries a feed carries (the newest
    # `length` of each), once each: not in every post of a long blog.
    # Each entry with its key, which a post's feeds (the blog's, its tags')
    # share: its text is hashed once a build, not once a feed.
    resolved: dict[str, tuple[Entry, bytes]] = {}
    for path, page, title, chosen in _feed_contents(config, current().posts, entries):
        feed = _feed(config, path, page, title)
        carried = [
            resolved.get(entry.url) or resolved.setdefault(entry.url, _resolved(entry))
            for entry in newest(chosen, length)
        ]
        _write(Path(config.site_dir, path), kept_feed(feed, carried, quiet))
    return None


def kept_feed(feed: Feed, entries: list[tuple[Entry, bytes]],
              when_empty: dt.datetime) -> bytes:
    """`atom_feed` of `entries` (each with its key, `_resolved`), kept by
    everything it is made of (hooks/cache.py's "feeds" table): most saves
    change few of the blog's feeds."""
    memo = cache.table("feeds")
    key = cache.digest((shallow(feed), [key for _, key in entries], when_empty))
    document = memo.get(key)
    if document is None:
        document = atom_feed(feed, [entry for entry, _ in entries], when_empty)
        memo.put(key, document)
    return document


def shallow(value) -> tuple:
    """A dataclass of atoms as the tuple of its fields (`astuple` copies
    each field deeply, which a key of text and dates does not need)."""
    return tuple(getattr(value, f.name) for f in fields(value))


def _resolved(entry: Entry) -> tuple[Entry, bytes]:
    """`entry` with the links of its content made absolute (kept by content
    and address in hooks/cache.py's "feed-links" table), and its key: the
    digest of that key and its other fields."""
    memo = cache.table("feed-links")
    key = cache.digest((entry.content, entry.url))
    content = memo.get(key)
    if content is None:
        content = absolute_links(entry.content, entry.url)
        memo.put(key, content)
    made = replace(entry, content=content)
    return made, cache.digest((key, shallow(replace(made, content=""))))


def _feed_contents(config: MkDocsConfig, posts: list, entries: dict[str, Entry]):
    """Path, page, title and entries of the blog's feed, then of each tag's."""
    yield SITE_FEED, "", config.site_name, list(entries.values())
    # Tags of drafts too, so that every tag page `mkdocs serve` shows has a feed.
    for tag in group_tags(posts, _slugify(config)):
        chosen = [entries[p.file.src_uri] for p in tag.posts if p.file.src_uri in entries]
        yield f"{tag.url}{SITE_FEED}", tag.url, f"{config.site_name}: #{tag.name}", chosen


def _entry(post) -> Entry:
    try:
        published, updated = entry_dates(post.meta.get("date"), post.meta.get("updated"))
    except ValueError as error:
        raise PluginError(f"hooks/feeds.py: {post.file.src_uri}: {error}") from error
    description = post.meta.get("description")
    return Entry(
        url=post.canonical_url,
        title=str(post.title),
        published=published,
        updated=updated,
        summary=str(description) if description else None,
        # Links are still relative to the post: see _resolved.
        content=post.content,
        tags=tuple(post_tags(post.meta)),
    )


def _feed(config: MkDocsConfig, path: str, page: str, title: str) -> Feed:
    return Feed(
        url=urljoin(config.site_url, path),
        page=urljoin(config.site_url, page),
        title=title,
        subtitle=config.site_description,
        author=config.site_author or config.site_name,
    )


def _feed_length(config: MkDocsConfig) -> int:
    try:
        return feed_length(config.extra)
    except ValueError as error:
        raise PluginError(f"hooks/feeds.py: extra.feed.length: {error}") from error


def _slugify(config: MkDocsConfig):
    # The tags plugin's slugify, as hooks/blog_pages.py uses for tag pages.
    return tag_slug


def _write(path: Path, data: bytes) -> None:
    cache.write(path, data)


def feed_length(extra: dict) -> int:
    """Entries per feed: `extra.feed.length` from mkdocs.yml, 1 or more."""
    feed = extra.get("feed") or {}
    length = feed.get("length", DEFAULT_LENGTH) if isinstance(feed, dict) else feed
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"expected a whole number of entries, 1 or more, not {length!r}")
    return length


def to_datetime(value: object) -> dt.datetime:
    """A front-matter date with its time zone: a bare date is midnight UTC and
    a time without a zone is UTC, as Material's blog plugin reads them."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    raise ValueError(f"expected a date, not {value!r}")


def entry_dates(date: object, updated: object) -> tuple[dt.datetime, dt.datetime]:
    """Published and updated times from front matter `date` and `updated`."""
    published = to_datetime(date)
    return published, to_datetime(updated) if updated else published


def atom_time(value: dt.datetime) -> str:
    """RFC 3339 as Atom wants it: 2026-04-09T00:00:00+00:00."""
    return value.isoformat(timespec="seconds")


def newest(entries, length: int) -> list[Entry]:
    """The `length` most recently published entries, newest first."""
    return sorted(entries, key=lambda entry: (entry.published, entry.url), reverse=True)[:length]


def absolute_links(body: str, base: str) -> str:
    """`body` HTML with every href, src and srcset resolved against `base`;
    all else is left byte for byte as it was."""
    rewriter = _LinkRewriter(base)
    rewriter.feed(body)
    rewriter.close()
    lines = [0, *(match.end() for match in re.finditer("\n", body))]
    out, done = [], 0
    for (line, column), old, new in rewriter.edits:
        start = lines[line - 1] + column
        out += [body[done:start], new]
        done = start + len(old)
    return "".join([*out, body[done:]])


class _LinkRewriter(HTMLParser):
    """Collects start tags with a URL to resolve: where, the tag as written,
    and the tag with the URL resolved."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.edits: list[tuple[tuple[int, int], str, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._resolve(tag, attrs, ">")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self._resolve(tag, attrs, " />")

    def _resolve(self, tag: str, attrs: list, end: str) -> None:
        resolved = [(name, self._absolute(name, value)) for name, value in attrs]
        if resolved != attrs:
            new = start_tag(tag, resolved, end)
            self.edits.append((self.getpos(), self.get_starttag_text(), new))

    def _absolute(self, name: str, value: str | None) -> str | None:
        if value is None:
            return None
        if name in URL_ATTRIBUTES:
            return urljoin(self.base, value.strip())
        if name == "srcset":
            return absolute_srcset(value, self.base)
        return value


def absolute_srcset(srcset: str, base: str) -> str:
    """A `srcset` (hooks/images.py) with each candidate's URL resolved
    against `base`, its descriptor kept."""
    candidates = []
    for candidate in srcset.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        candidates.append(" ".join(filter(None, [urljoin(base, url), descriptor.strip()])))
    return ", ".join(candidates)


def start_tag(tag: str, attrs: list, end: str = ">") -> str:
    """An HTML start tag with its attributes quoted and escaped."""
    parts = [name if value is None else f'{name}="{html.escape(value)}"' for name, value in attrs]
    return f"<{' '.join([tag, *parts])}{end}"


def atom_feed(feed: Feed, entries: list[Entry], when_empty: dt.datetime) -> bytes:
    """The Atom document: updated when its newest entry was, or `when_empty`."""
    root = ET.Element("feed", xmlns=ATOM_NS)
    _text(root, "id", feed.url)
    _text(root, "title", feed.title)
    if feed.subtitle:
        _text(root, "subtitle", feed.subtitle)
    updated = max((entry.updated for entry in entries), default=when_empty)
    _text(root, "updated", atom_time(updated))
    ET.SubElement(root, "link", rel="self", type="application/atom+xml", href=feed.url)
    ET.SubElement(root, "link", rel="alternate", type="text/html", href=feed.page)
    _text(ET.SubElement(root, "author"), "name", feed.author)
    for entry in entries:
        _entry_element(root, entry)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry_element(root: ET.Element, entry: Entry) -> None:
    element = ET.SubElement(root, "entry")
    _text(element, "id", entry.url)
    _text(element, "title", entry.title)
    ET.SubElement(element, "link", rel="alternate", type="text/html", href=entry.url)
    _text(element, "published", atom_time(entry.published))
    _text(element, "updated", atom_time(entry.updated))
    if entry.summary:
        _text(element, "summary", entry.summary)
    _text(element, "content", entry.content, type="html")
    for tag in entry.tags:
        ET.SubElement(element, "category", term=_NOT_XML.sub("", tag))


def _text(parent: ET.Element, name: str, text: str, **attrs: str) -> ET.Element:
    # ElementTree escapes markup but writes characters XML forbids as they are.
    element = ET.SubElement(parent, name, attrs)
    element.text = _NOT_XML.sub("", text)
    return element
