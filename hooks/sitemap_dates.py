"""Real dates in sitemap.xml: each page's `<lastmod>` from its content, never
the day of the build.

MkDocs' sitemap template (mkdocs/templates/sitemap.xml, which Material
uses) writes `page.update_date` as `<lastmod>`, and MkDocs sets that to the
day of the build for every page; the same value gives sitemap.xml.gz its
timestamp. The template is eleven lines with no block to extend, and the
date is all that is wrong in it, so instead of a copy in overrides/ this
hook sets `page.update_date` of every page at `on_env`, after every page is
read and before MkDocs renders the sitemap:

- a post: its `updated`, else its `date`;
- a listing (the home page and its numbered pages, a year's archive and its
  pages, a tag page, a series page): its newest post, by the same rule,
  over the whole listing, since a new post shifts every page of it;
- an index (tags/, archive/, series/): the newest of the posts it lists;
- any other page: its own front-matter `updated` or `date`, else no
  `<lastmod>` at all, which the sitemap protocol allows.

Dates are UTC calendar days (YYYY-MM-DD), as MkDocs writes them, and never
later than the build's day. So an unchanged site yields the same
sitemap.xml and sitemap.xml.gz, byte for byte, on any later day. (A site
with no dated page at all keeps MkDocs' dates.)
Reads front matter and the blog of hooks/blog.py, hooks/blog_pages.py and
hooks/series.py; writes no `page.meta` key.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from mkdocs.utils import get_build_date
from posts import Listing, Post, as_utc, current, tag_slug

from blog_pages import ARCHIVE_DIR, TAGS_DIR, group_tags
from series import INDEX as SERIES_INDEX
from series import SERIES_DIR, group_series

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    listed = listed_posts(current().posts)
    pages = [file.page for file in files.documentation_pages() if file.page is not None]
    # The pages of a listing share one list of posts: its date is found once;
    # and a post's date once, however many listings show it.
    newest_of: dict[int, str | None] = {}
    post_dates = {id(post): lastmod(post.meta) for post in current().posts}
    dates = []
    for page in pages:
        posts = page.posts if isinstance(page, Listing) else listed.get(page.file.src_uri)
        if isinstance(page, Post) or posts is None:
            dates.append(lastmod(page.meta))
        else:
            if id(posts) not in newest_of:
                newest_of[id(posts)] = newest(posts, post_dates)
            dates.append(newest_of[id(posts)])
    if any(dates):
        # A date still to come (a scheduled post under `mkdocs serve`, or
        # one published early with `draft: false`) is the build's day: a
        # sitemap date is never in the future, and MkDocs' gzip header
        # cannot hold one past 2106.
        today = get_build_date()
        for page, date in zip(pages, dates, strict=True):
            # "" leaves <lastmod> out (the template tests it).
            page.update_date = min(date, today) if date else ""
    return None


# -- Pure helpers -------------------------------------------------------------


def listed_posts(posts: list) -> dict[str, list]:
    """The posts each generated listing or index shows, by its src_uri."""
    tags = group_tags(posts, tag_slug)
    series = group_series(posts)
    listed = {f"{TAGS_DIR}/{tag.slug}.md": tag.posts for tag in tags}
    listed |= {f"{SERIES_DIR}/{one.slug}.md": one.posts for one in series}
    listed[f"{TAGS_DIR}/index.md"] = [post for tag in tags for post in tag.posts]
    listed[f"{ARCHIVE_DIR}/index.md"] = list(posts)
    listed[SERIES_INDEX] = [post for one in series for post in one.posts]
    return listed


def lastmod(meta: dict) -> str | None:
    """A page's last change from its front matter: `updated`, else `date`,
    as a UTC calendar day; None without either."""
    for key in ("updated", "date"):
        when = as_utc(meta.get(key))
        if when is not None:
            return when.astimezone(dt.UTC).date().isoformat()
    return None


def newest(posts: list, known: dict[int, str | None] | None = None) -> str | None:
    """The newest last change among `posts`, or None for none; `known`
    holds dates already found, by the post's id."""
    known = known or {}
    return max((date for post in posts
                if (date := known[id(post)] if id(post) in known else lastmod(post.meta))),
               default=None)
