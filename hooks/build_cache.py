"""Sets up hooks/cache.py's tables for each build, and keeps two of them:
rendered pages and search entries.

- `on_config` (first of all hooks) fixes the build's version: a hash of
  hooks/, mkdocs.yml, the site address, the command (serve or build) and the
  packages that render; hooks/cache.py drops every table of another version.
  `mkdocs build` then loads `.cache/build.pickle` if it is of this version.
  The search plugin's index is given `SearchMemo`, which adds a page's
  entries from the table when the page's content, table of contents, title
  and tags are what they were.
- `on_env` makes every template a `MemoTemplate` (and keeps Jinja's compiled
  templates under .cache/jinja/, which Jinja checks against each source):
  a page's template is rendered only when `page_key`, a digest of all the
  data the template can see (the page with its content, table of contents
  and front matter; the summary of every other page it can reach, such as
  the older and newer post or a listing's posts; the navigation; what hooks
  add to the context), differs from a page already rendered. The key of a
  template's render also holds the theme's files (overrides/ and Material).
- `on_post_build` keeps only the entries this build used, and `mkdocs build`
  saves the tables; `on_shutdown` saves them when `mkdocs serve` stops.

A template may read any attribute of the pages it is given, but not the
list of every file (`pages`) or the build time (`build_date_utc`), which
are left out of the key (neither theme uses them in a page). Writes no
`page.meta` key.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import decimal
import fractions
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import cache
import jinja2
from jinja2 import FileSystemBytecodeCache
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from posts import COMMAND_ENV

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

log = logging.getLogger("mkdocs.plugins.expectedwrong.build_cache")

HOOKS_DIR = Path(__file__).resolve().parent
# Context keys no page template of this blog reads, which change with every
# build or every file (see the module docstring).
UNKEYED = frozenset({"pages", "build_date_utc", "config"})
# Page attributes that are not what a template shows: the Markdown source,
# the source file, and what link checks use after rendering.
PAGE_INTERNALS = frozenset({"markdown", "file", "present_anchor_ids", "links_to_anchors",
                            "active", "_title_from_render"})
# Lists of pages on the rendered page that its template does not show: a
# listing shows this page's posts (the context's `posts`), not all of them.
HEAD_LISTS = frozenset({"posts", "pages"})
# Atoms: values that stand for themselves in a key.
ATOMS = (str, bytes, int, float, bool, type(None), dt.date, dt.time, dt.timedelta,
         decimal.Decimal, fractions.Fraction)


def project_root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path or ".").resolve().parent


def build_version(config: MkDocsConfig) -> str:
    settings = (config.site_url, os.environ.get(COMMAND_ENV), config.use_directory_urls,
                str(Path(config.docs_dir).resolve()))
    paths = [HOOKS_DIR]
    if config.config_file_path:
        paths.append(Path(config.config_file_path))
    return cache.version_of(paths, settings)


def theme_version(config: MkDocsConfig) -> str:
    """The theme's own files (overrides/); Material's are known by its
    version, in every table's version already."""
    custom = config.theme.custom_dir
    return cache.version_of([Path(custom)] if custom else [], (config.theme.name,))


# Listed first under `hooks:`, so before the other hooks; after the plugins
# (the search plugin makes its index in on_config).
def on_config(config: MkDocsConfig) -> MkDocsConfig | None:
    cache.begin_build(build_version(config))
    if os.environ.get(COMMAND_ENV) != "serve":
        cache.load(project_root(config))
    search = config.plugins.get("material/search")
    index = getattr(search, "search_index", None)
    if index is not None:
        index.add_entry_from_context = SearchMemo(index, cache.table("search"))
    return None


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    folder = project_root(config) / cache.CACHE_DIR / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    env.template_class = MemoTemplate
    if env.cache is not None:
        env.cache.clear()
    env.ew_page_memo = cache.table(f"pages-{theme_version(config)}")
    # Pages are complete from here on: their summaries can be kept.
    _kept.clear()
    return None


# After every other hook.
@event_priority(-1000)
def on_post_build(*, config: MkDocsConfig) -> None:
    cache.end_build()
    if os.environ.get(COMMAND_ENV) != "serve":
        cache.save(project_root(config))
    return None


def on_shutdown() -> None:
    root = getattr(on_shutdown, "root", None)
    if root is not None:
        cache.save(root)
    return None


def on_pre_build(*, config: MkDocsConfig) -> None:
    on_shutdown.root = project_root(config)
    return None


class MemoTemplate(jinja2.Template):
    """A template whose page renders are kept by `page_key`."""

    def render(self, *args, **kwargs) -> str:
        memo = getattr(self.environment, "ew_page_memo", None)
        context = dict(*args, **kwargs)
        if memo is None or not isinstance(context.get("page"), Page):
            return super().render(context)
        try:
            key = page_key(self.name, context)
        except Unkeyable as unkeyable:
            log.debug(f"Not kept: {context['page'].file.src_uri}: {unkeyable}")
            return super().render(context)
        output = memo.get(key)
        if output is None:
            output = super().render(context)
            memo.put(key, output)
        return output


class SearchMemo:
    """The search index's add_entry_from_context, by the page's content."""

    def __init__(self, index, memo: cache.Memo) -> None:
        self.index = index
        self.add = type(index).add_entry_from_context
        self.memo = memo

    def __call__(self, page: Page) -> None:
        key = cache.digest(("search", page.url, page.content, toc_key(page.toc), page.title,
                      summarize(page.meta, page, 2)))
        entries = self.memo.get(key)
        if entries is None:
            start = len(self.index.entries)
            self.add(self.index, page)
            entries = self.index.entries[start:]
            self.memo.put(key, copy.deepcopy(entries))
        else:
            self.index.entries.extend(copy.deepcopy(entries))


# -- Pure helpers -------------------------------------------------------------


class Unkeyable(Exception):
    """A value in a template's context that no key can stand for."""


def page_key(template: str, context: dict) -> bytes:
    """The digest of everything the template can read in `context`."""
    page = context["page"]
    # The page is complete now (its own on_page_context has run): what was
    # kept of it while other pages rendered is summarized again.
    _kept.pop(id(page), None)
    parts = [template]
    for name, value in context.items():
        if name not in UNKEYED:
            parts.append((name, summarize(value, page, 0)))
    return cache.digest(tuple(parts))


# Summaries kept by identity for the build under way (cleared at on_env, when
# every page is complete): another page's, a long list of pages', the
# navigation's. Each entry holds its object, so an id is never reused.
_kept: dict[int, tuple] = {}
ATOM_TYPES = frozenset({str, bytes, int, float, bool, type(None), dt.date, dt.datetime,
                        dt.time, dt.timedelta, decimal.Decimal, fractions.Fraction})


def _once(value: object, make) -> bytes:
    kept = _kept.get(id(value))
    if kept is None or kept[0] is not value:
        kept = (value, cache.digest(make()))
        _kept[id(value)] = kept
    return kept[1]


def summarize(value: object, page: Page | None, depth: int) -> object:
    """`value` as atoms and tuples. The page being rendered is summarized in
    full; another page by what a template may show of it, not its body
    (`depth` 1), or, reached through another page, by its address and
    title (`depth` 2 and more)."""
    kind = type(value)
    if kind in ATOM_TYPES:
        return value
    if kind is dict:
        return ("dict", *((summarize(k, page, depth), summarize(v, page, depth))
                          for k, v in value.items()))
    if kind is list or kind is tuple:
        if depth >= 2 and value and isinstance(value[0], Page):
            return ("pages", _once(value, lambda: tuple(page_head(item) for item in value)))
        return (kind.__name__, *(summarize(item, page, depth) for item in value))
    if isinstance(value, Page):
        return page_summary(value, page, depth)
    return _other(value, page, depth)


def _other(value: object, page: Page | None, depth: int) -> object:
    if isinstance(value, ATOMS):
        return value
    if isinstance(value, dict):
        return summarize(dict(value), page, depth)
    if isinstance(value, list | tuple):
        return summarize(list(value), page, depth)
    if isinstance(value, set | frozenset):
        return ("set", *sorted(repr(summarize(item, page, depth)) for item in value))
    if isinstance(value, AnchorLink):
        return toc_key([value])
    if isinstance(value, Navigation):
        return ("nav", _once(value, lambda: (summarize(value.items, None, 1),
                                             summarize(value.homepage, None, 1))))
    if isinstance(value, Section | Link):
        return (type(value).__name__, value.title, getattr(value, "url", None),
                summarize(getattr(value, "children", None) or [], page, depth))
    if isinstance(value, File):
        return ("file", value.src_uri, value.url)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,
                *((f.name, summarize(getattr(value, f.name), page, depth))
                  for f in dataclasses.fields(value)))
    if callable(value):
        # Such as a listing's `pagination`: it reads the page, keyed above.
        return ("callable", getattr(value, "__qualname__", type(value).__qualname__))
    raise Unkeyable(f"a {type(value).__qualname__} in the context")


def page_head(value: Page) -> tuple:
    return ("page", type(value).__qualname__, value.url, value.title, value.file.src_uri)


def page_summary(value: Page, page: Page | None, depth: int) -> object:
    if depth >= 2:
        return page_head(value)
    if value is page:
        if depth > 0:
            return ("this page",)
        return _full(value)
    return ("page", _once(value, lambda: _shown(value)))


def _full(page: Page) -> tuple:
    """The rendered page: all it holds but its Markdown source; its lists of
    other pages (a listing's posts) by their heads."""
    parts = [page_head(page)]
    for name, item in vars(page).items():
        if name in PAGE_INTERNALS:
            continue
        if name == "toc":
            parts.append((name, toc_key(item)))
        elif name in HEAD_LISTS:
            parts.append((name, summarize(item, None, 2)))
        else:
            parts.append((name, summarize(item, page, 1)))
    return tuple(parts)


def _shown(value: Page) -> tuple:
    """Another page: what a template may show of it, not its body."""
    return (page_head(value), *(
        (name, summarize(item, None, 2)) for name, item in vars(value).items()
        if name not in PAGE_INTERNALS and name not in ("content", "toc")))


def toc_key(toc) -> tuple:
    return tuple((item.title, item.id, item.level, toc_key(item.children)) for item in toc)
