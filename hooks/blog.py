"""The blog: posts at posts/<slug>/, the home page's listing and its
numbered pages, a listing per year, drafts and scheduled posts.

It does, for this blog, what Material's blog plugin did, at the same
addresses and with Material's own listing template (blog.html) and
pagination partial. It replaces the plugin because two of the plugin's
costs grow with the blog and cannot be avoided from outside it (measured at
1,000 posts, benchmarks/): it reads every post's front matter with the
pure-Python YAML loader, and it builds an excerpt of every post, with a
Markdown parser of its own, that our listings never show (README,
"Excerpts"). Here each post is read once with libyaml, as
hooks/front_matter.py reads it, and listings hand the templates the posts.

- `on_startup` records whether this is `mkdocs serve` (posts.serving()).
- `on_files` reads the posts, leaves drafts out of `mkdocs build`, gives
  each post its address and makes the listing pages (posts.current()).
- `on_nav` links each post to the older and newer one.
- `on_page_markdown` titles numbered pages like their listing's first page.
- `on_env` adds the `date` filter: a date as Material's blog shows it.
- `on_page_context` gives listing pages their `posts` and `pagination`.

Reads front matter; writes no `page.meta` key other than a post's
`template` (blog-post.html unless the post names one).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import posixpath
from typing import TYPE_CHECKING

import posts as blog_posts
from babel.dates import format_date
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils import get_relative_url
from paginate import Page as Pagination
from posts import Archive, Blog, Listing, Post

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

# The listing's page links (paginate's format): the current page and two on
# each side, Material's default.
PAGER_FORMAT = "~2~"
# The home page when docs/ has none: a listing titled like ours.
HOME = "index.md"
HOME_TEXT = "# Posts\n"


def on_startup(*, command: str, dirty: bool) -> None:
    os.environ[blog_posts.COMMAND_ENV] = command
    return None


# After hooks/front_matter.py (100) has left broken posts out, and after
# other hooks have added files; before hooks/blog_pages.py (-60).
@event_priority(-50)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files | None:
    try:
        size = blog_posts.per_page(config)
    except ValueError as error:
        raise PluginError(str(error)) from None
    for file in files.media_files():
        uri = blog_posts.without_posts_dir(file.src_uri)
        if uri is not None:
            _publish_at(file, uri, config)
    now = dt.datetime.now(dt.UTC)
    shown = []
    for file in files.documentation_pages():
        if blog_posts.without_posts_dir(file.src_uri) is None:
            continue
        post = _read_post(file, config)
        if blog_posts.serving() or not blog_posts.is_draft(post.draft, post.date, now):
            file.inclusion = InclusionLevel.NOT_IN_NAV
            shown.append(post)
        else:
            file.inclusion = InclusionLevel.EXCLUDED
    blog = Blog(posts=blog_posts.newest_first(shown))
    blog.home = _home(files, config)
    blog.home.posts = blog.posts
    blog.archives = _archives(blog.posts, files, config)
    for listing in [blog.home, *blog.archives]:
        _paginate(listing, size, files, config)
    blog_posts.set_current(blog)
    return None


def on_nav(nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation | None:
    blog = blog_posts.current()
    for post, (older, newer) in zip(blog.posts, neighbours(blog.posts), strict=True):
        post.parent = blog.home
        post.previous_page, post.next_page = older, newer
    return None


def on_page_markdown(
    markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
) -> str | None:
    if isinstance(page, Listing) and page.first is not page:
        first = page.first
        return f"# {first._title_from_render or first.title}"
    return None


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    locale = config.theme["language"].replace("-", "_")
    env.filters["date"] = functools.partial(long_date, locale=locale)
    return None


def on_page_context(context: dict, /, *, page: Page, config: MkDocsConfig, nav) -> dict | None:
    if not isinstance(page, Listing):
        return None
    size = blog_posts.per_page(config)
    start = (page.number - 1) * size
    context["posts"] = page.posts[start:start + size]
    pagination = listing_pagination(page, size)
    context["pagination"] = lambda args: pagination.pager(
        format=PAGER_FORMAT, show_if_single_page=False, **args)
    return None


# -- Making the blog ----------------------------------------------------------


def _read_post(file: File, config: MkDocsConfig) -> Post:
    if file._content is None and file.abs_src_path:
        parts = blog_posts.source_parts(file.abs_src_path)
    else:
        parts = blog_posts.split_post(file.content_string)
    meta = blog_posts.kept_yaml(parts[0]) if parts else None
    if not isinstance(meta, dict) or blog_posts.as_utc(meta.get("date")) is None:
        # hooks/front_matter.py reports these before the build starts.
        raise PluginError(f"{file.src_uri}: date: not a post's front matter; "
                          "expected a --- block with at least title and date")
    _publish_at(file, blog_posts.post_uri(blog_posts.post_slug(meta)), config)
    return Post(file, config, meta, parts[1])


def _publish_at(file: File, dest_uri: str, config: MkDocsConfig) -> None:
    """Write `file` to `dest_uri` of the site, with its address to match."""
    file.dest_uri = dest_uri
    file.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, dest_uri))
    directory, name = posixpath.split(dest_uri)
    file.url = (directory + "/") if name == "index.html" and directory else dest_uri


def _home(files: Files, config: MkDocsConfig) -> Listing:
    file = files.get_file_from_path(HOME)
    if file is None:
        file = File.generated(config, HOME, content=HOME_TEXT)
        files.append(file)
    file.inclusion = InclusionLevel.INCLUDED
    return Listing(file, config)


def _archives(posts: list[Post], files: Files, config: MkDocsConfig) -> list[Archive]:
    """A listing per year, in the order of `posts` (newest year first)."""
    years: dict[int, Archive] = {}
    for post in posts:
        year = post.date.year
        if year not in years:
            file = _generated(blog_posts.archive_src(year), f"# {year:04d}", files, config)
            years[year] = Archive(year, file, config)
        years[year].posts.append(post)
    return list(years.values())


def _paginate(listing: Listing, size: int, files: Files, config: MkDocsConfig) -> None:
    """Pages 2 and on of `listing`, which share its posts."""
    for number in range(2, blog_posts.page_count(len(listing.posts), size) + 1):
        src = blog_posts.page_src(listing.file.src_uri, number)
        file = _generated(src, "", files, config)
        page = (Archive(listing.year, file, config) if isinstance(listing, Archive)
                else Listing(file, config))
        page.posts, page.pages = listing.posts, listing.pages
        listing.pages.append(page)


def _generated(src_uri: str, content: str, files: Files, config: MkDocsConfig) -> File:
    file = File.generated(config, src_uri, content=content,
                          inclusion=InclusionLevel.NOT_IN_NAV)
    files.append(file)
    return file


# -- Pure helpers -------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def long_date(date: dt.date, locale: str = "en") -> str:
    """A date as Material's blog shows it (`post_date_format: long`):
    `November 23, 2026` in English."""
    return format_date(date, format="long", locale=locale)


def listing_pagination(page: Listing, size: int) -> Pagination:
    """The page links of `page`, relative to it, as Material makes them."""
    first = page.first

    def url_maker(number: int) -> str:
        return get_relative_url(page.pages[number - 1].url, page.url)

    return Pagination(first.posts, page=page.number, items_per_page=size, url_maker=url_maker)


def neighbours(items: list) -> list[tuple]:
    """For each of `items` (newest first), the one after it and the one
    before it: the older and the newer post."""
    padded = [None, *items, None]
    return [(padded[at + 2], padded[at]) for at in range(len(items))]
