"""Series: posts with `series: <name>` in their front matter, in date order.

After hooks/blog.py has made the blog (`on_files`, priority -50), this hook
groups the posts of the build into series, oldest first (Part 1 is the
oldest; equal dates go by source path), and adds a generated page per
series at `series/<slug>/` and the index of series at `series/`. Under
`mkdocs build` drafts and scheduled posts are not in the build, so parts are
numbered among published posts only; `mkdocs serve` numbers every shown
post. The name is slugged like a tag; hooks/front_matter.py has already
stopped the build if two names share a slug other than by letter case, and
a series is shown under the name its first part gives it.

Writes each part's `series_part` meta key ({"series": Series, "number": N}),
which partials/ew-series-nav.html reads, and adds `isPartOf` (a schema.org
CreativeWorkSeries) to the post's JSON-LD that hooks/blog_pages.py built.
Series pages get `series` and `posts` in their context, the index
`series_index`; every page gets `series_index_url` (None without series),
for the site footer's link.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from mkdocs.plugins import event_priority
from posts import Group, Post, current, generated_page, tag_slug

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

SERIES_DIR = "series"
INDEX = f"{SERIES_DIR}/index.md"


@dataclass
class Series(Group):
    """A series: its name as its first part writes it, its address part and
    its parts, oldest first."""

    FOLDER: ClassVar[str] = SERIES_DIR


# Series of the current build, by the src_uri of their generated page; reset
# at every build, so that `mkdocs serve` never shows a series that is gone.
_series: dict[str, Series] = {}


# After hooks/blog.py (-50) has made the blog, with hooks/blog_pages.py.
@event_priority(-60)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files | None:
    _series.clear()
    for series in group_series(current().posts):
        src_uri = f"{SERIES_DIR}/{series.slug}.md"
        files.append(generated_page(config, src_uri, series.name, "ew-series.html"))
        _series[src_uri] = series
        for number, post in enumerate(series.posts, start=1):
            post.meta["series_part"] = {"series": series, "number": number}
    if _series:
        files.append(generated_page(config, INDEX, "Series", "ew-series-index.html"))
    return None


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    # The site footer links the index of series if there is one.
    env.globals["series_index_url"] = f"{SERIES_DIR}/" if _series else None
    return None


# After hooks/blog_pages.py (0) has built the post's JSON-LD.
@event_priority(-10)
def on_page_context(context: dict, /, *, page: Page, config: MkDocsConfig, nav) -> dict | None:
    src_uri = page.file.src_uri
    part = page.meta.get("series_part") if isinstance(page, Post) else None
    if part and context.get("json_ld") is not None:
        context["json_ld"]["isPartOf"] = series_json_ld(part["series"], config.site_url)
    elif src_uri in _series:
        context["series"] = _series[src_uri]
        context["posts"] = _series[src_uri].posts
    elif src_uri == INDEX:
        context["series_index"] = sorted(_series.values(), key=series_order)
    return None


# -- Pure helpers -------------------------------------------------------------


def series_name(meta: dict) -> str | None:
    """A post's series name, or None if it is in none."""
    value = meta.get("series")
    return value if isinstance(value, str) and value.strip() else None


def group_series(posts: list) -> list[Series]:
    """The series of `posts`, each oldest part first (equal dates by source
    path), sorted by name; named as their first part names them."""
    by_slug: dict[str, list] = {}
    for post in posts:
        name = series_name(post.meta)
        if name is not None:
            by_slug.setdefault(tag_slug(name), []).append(post)
    series = []
    for slug, parts in by_slug.items():
        parts.sort(key=lambda post: (post.date, post.file.src_uri))
        series.append(Series(name=series_name(parts[0].meta), slug=slug, posts=parts))
    return sorted(series, key=series_order)


def series_order(series: Series) -> tuple[str, str]:
    return (series.name.casefold(), series.slug)


def series_json_ld(series: Series, site_url: str | None) -> dict:
    """schema.org CreativeWorkSeries for a post's `isPartOf`."""
    url = posixpath.join(site_url, series.url) if site_url else series.url
    return {"@type": "CreativeWorkSeries", "name": series.name, "url": url}
