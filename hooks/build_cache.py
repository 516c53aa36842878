"""Sets up hooks/cache.py's tables for each build, and keeps two of them:
rendered pages and search entries.

- `on_config` (first of all hooks) fixes the build's version: a hash of
  hooks/, mkdocs.yml, the site address, the command (serve or build) and the
  packages that render; hooks/cache.py drops every table of another version.
  `mkdocs build` then loads `.cache/build.pickle` if it is of this version.
  The search plugin's index is given `SearchMemo`, which adds a page's
  entries from the table when what Material's index reads of the page
  (`search_inputs`, its content) is what it was; the plugin's
  on_page_context is replaced by `SearchContext`, which does the same and,
  under `mkdocs serve`, compares a page with its last save instead.
- `on_env` makes every template a `MemoTemplate` (and keeps Jinja's compiled
  templates under .cache/jinja/, which Jinja checks against each source):
  a page's template is rendered only when `page_key`, a digest of all the
  data the template can see (the page with its content, table of contents
  and front matter; the summary of every other page it can reach, such as
  the older and newer post or a listing's posts, and the pages those refer
  to by address and title; what hooks add to the context), differs from a
  page already rendered; and the navigation by what the render read of it
  (`Reads`). The key of a template's render also holds the theme's files
  (overrides/ and Material).
  A key is the digest of what `KeyPickler` writes: the pickle module's own
  C code for text, numbers and containers, Python only for pages (each
  page's digest and each list of pages made once per build), dates and
  the few other kinds of value a context holds.
- `on_post_build` keeps only the entries this build used, and `mkdocs build`
  saves the tables; `on_shutdown` saves them when `mkdocs serve` stops.

A template may read any attribute of the pages it is given, but not the
list of every file (`pages`) or the build time (`build_date_utc`), which
are left out of the key (neither theme uses them in a page). Writes no
`page.meta` key.
"""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import decimal
import fractions
import gc
import io
import logging
import os
import pickle
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import ahead
import cache
import jinja2
import precompile
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from posts import COMMAND_ENV, Post, serving

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
# What the rendered page refers to that its template shows by address and
# title only: its parent (the home page, for a post), and a listing's lists
# of all its posts and pages (the entries of this page come through the
# context's `posts`; the page links need only addresses).
HEAD_ONLY = frozenset({"parent", "posts", "pages"})
# What the pickle module's reductions of objects call.
REDUCERS = (copyreg.__newobj__, copyreg.__newobj_ex__, copyreg._reconstructor)
# Atoms: values that stand for themselves in a key.
ATOMS = (str, bytes, int, float, bool, type(None), dt.date, dt.time, dt.timedelta, dt.tzinfo,
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
        # The tables last the whole build: Python's cycle collector need not
        # go through them again and again (0.2-0.3 s of a warm build).
        gc.freeze()
    search = config.plugins.get("material/search")
    if search is not None and serving() and callable(getattr(search, "_translate", None)):
        # The plugin outlives the rebuilds of `mkdocs serve`; from the next
        # on, its on_config finds its words here.
        search._translate = Translations(getattr(search._translate, "__wrapped__",
                                                 search._translate))
    index = getattr(search, "search_index", None)
    if index is not None:
        index.add_entry_from_context = SearchMemo(index, cache.table("search"))
        events = config.plugins.events["page_context"]
        for number, method in enumerate(events):
            if getattr(method, "__self__", None) is search:
                events[number] = SearchContext(search, index)
    return None


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    folder = jinja_folder(config)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # With the templates compiled beside a cold build, if it started that.
        env.bytecode_cache = precompile.Precompiled(str(folder), env)
    except OSError:
        precompile.stop()  # a project folder that cannot be written: templates compile anew
    env.template_class = MemoTemplate
    if env.cache is not None:
        env.cache.clear()
    env.ew_page_memo = cache.table(f"pages-{theme_version(config)}")
    # Pages are complete from here on: their summaries can be kept.
    _kept.clear()
    # Their search entries can be made beside the build (hooks/ahead.py);
    # before hooks/cards.py (listed after this hook) starts its worker.
    search = config.plugins.get("material/search")
    index = getattr(search, "search_index", None)
    if (not serving() and isinstance(getattr(index, "add_entry_from_context", None), SearchMemo)
            and search.config.enabled):
        ahead.offer(index, [file.page for file in files.documentation_pages(
            inclusion=InclusionLevel.is_included) if isinstance(file.page, Post)])
    else:
        ahead.withdraw()
    return None


# After every other hook.
@event_priority(-1000)
def on_post_build(*, config: MkDocsConfig) -> None:
    precompile.stop()
    cache.end_build()
    if os.environ.get(COMMAND_ENV) != "serve":
        cache.save(project_root(config))
    return None


def on_build_error(*, error: Exception) -> None:
    precompile.stop()
    return None


def on_shutdown() -> None:
    precompile.stop()
    root = getattr(on_shutdown, "root", None)
    if root is not None:
        cache.save(root)
    return None


def on_pre_build(*, config: MkDocsConfig) -> None:
    # `mkdocs build` saved the tables at on_post_build already.
    if os.environ.get(COMMAND_ENV) == "serve":
        on_shutdown.root = project_root(config)
    elif (sys.platform == "linux" and os.environ.get(ahead.FAN_OUT_ENV) != "0"
          and not compiled_templates(jinja_folder(config))):
        # A cold build: the theme's templates are compiled beside it.
        precompile.start(config)
    return None


def jinja_folder(config: MkDocsConfig) -> Path:
    """Where Jinja keeps the compiled templates between builds."""
    return project_root(config) / cache.CACHE_DIR / "jinja"


def compiled_templates(folder: Path) -> bool:
    """Whether `folder` holds any compiled template."""
    try:
        return any(name.endswith(".cache") for name in os.listdir(folder))
    except OSError:
        return False


class MemoTemplate(jinja2.Template):
    """A template whose page renders are kept by `page_key`, and by what the
    render read of the navigation (`Reads`): a blog's templates read only
    the home page's address of it, which a new post, a new tag or a new
    title leaves as it was."""

    def render(self, *args, **kwargs) -> str:
        memo = getattr(self.environment, "ew_page_memo", None)
        context = dict(*args, **kwargs)
        if memo is None or not isinstance(context.get("page"), Page):
            return super().render(context)
        nav = context.get("nav")
        try:
            key = page_key(self.name, {**context, "nav": NAV_BY_READS})
        except Unkeyable as unkeyable:
            log.debug(f"Not kept: {context['page'].file.src_uri}: {unkeyable}")
            return super().render(context)
        kept = memo.get(key)
        if kept is not None:
            paths, digest, output = kept
            try:
                if reads_digest(nav, paths) == digest:
                    return output if isinstance(output, str) else cache.unpack_text(output)
            except Unkeyable:
                pass
        reads: set[tuple] = set()
        output = super().render({**context, "nav": Reads(nav, (), reads)})
        try:
            digest = reads_digest(nav, frozenset(reads))
        except Unkeyable:
            return output
        # Compressed for `mkdocs build`, which saves them: a blog's pages take
        # an eighth of the memory and disk. `mkdocs serve` keeps them as text,
        # not to decompress every page on every save.
        memo.put(key, (frozenset(reads), digest, output if serving()
                       else cache.pack_text(output)))
        return output


# Stands for the navigation in a page's key, which its reads key instead.
NAV_BY_READS = "nav: by what the template read of it"
# A read of a value as a whole (printed, tested, compared, iterated).
WHOLE = "(whole)"


class Reads:
    """A value as a template sees it (the navigation), noting in `reads`
    the path of each attribute read. A page read from it is seen the same
    way; anything else is given as it is, and its path noted. Using a value
    itself, not an attribute of it (printing, testing, comparing or
    iterating it), notes its path as read whole."""

    __slots__ = ("_path", "_reads", "_value")

    def __init__(self, value: object, path: tuple, reads: set) -> None:
        self._value, self._path, self._reads = value, path, reads

    def __getattr__(self, name: str):
        path = (*self._path, name)
        try:
            value = getattr(self._value, name)
        except AttributeError:
            self._reads.add(path)  # a missing attribute is a read too
            raise
        if isinstance(value, Page) and not self._path:
            return Reads(value, path, self._reads)
        self._reads.add(path)
        return value

    def _whole(self):
        self._reads.add((*self._path, WHOLE))
        return self._value

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __bool__(self) -> bool:
        return bool(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def __iter__(self):
        return iter(self._whole())

    def __contains__(self, item) -> bool:
        return item in self._whole()

    def __eq__(self, other) -> bool:
        return self._whole() == (other._whole() if isinstance(other, Reads) else other)

    def __hash__(self) -> int:
        return hash(self._whole())


def reads_digest(value: object, paths: frozenset) -> bytes:
    """The digest of what a render read of `value`: each path's value (a
    value read whole at depth 1, as any other value of a context)."""
    found = []
    for path in sorted(paths):
        item = value
        for name in path:
            if name != WHOLE:
                item = getattr(item, name, None)
        found.append((path, item))
    return key_digest(tuple(found), 1)


# The templates Material's search plugin reads its words from.
LANGUAGE_TEMPLATES = ("partials/language.html", "partials/languages/{}.html",
                      "partials/languages/en.html")


class Translations:
    """Material's search plugin's `_translate` (its language, separator and
    pipeline, from the theme's language templates, compiled in a new Jinja
    environment each time: three times a rebuild), kept by the word asked,
    the theme's language and the bytes of the templates it reads."""

    def __init__(self, translate) -> None:
        self.__wrapped__ = translate

    def __call__(self, config, value):
        language = config.theme["language"]
        try:
            key = (value, language, tuple(
                template_bytes(config.theme.dirs, name.format(language))
                for name in LANGUAGE_TEMPLATES))
        except OSError:
            return self.__wrapped__(config, value)
        holder = cache._holder()
        kept = getattr(holder, "translations", None)
        if kept is None:
            kept = holder.translations = {}
        if key not in kept:
            kept[key] = self.__wrapped__(config, value)
        return kept[key]


def template_bytes(folders: list[str], name: str) -> tuple[str, bytes] | None:
    """The file a Jinja loader over `folders` finds for `name`, and its bytes."""
    for folder in folders:
        path = os.path.join(folder, *name.split("/"))
        if os.path.isfile(path):
            with open(path, "rb") as file:
                return path, file.read()
    return None


class SearchContext:
    """Material's search on_page_context: the page's entries into the index,
    then its `data-search-*` attributes taken out of its content. Under
    `mkdocs serve` both are kept by page, with the content and what else
    the entries are made of, compared with what they were at the last save
    (a comparison costs less than a digest of the page)."""

    def __init__(self, plugin, index) -> None:
        self.plugin = plugin
        self.index = index

    def __call__(self, context: dict, /, *, page: Page, config, nav) -> None:
        if not self.plugin.config.enabled:
            return
        if not serving():
            self.index.add_entry_from_context(page)
            page.content = without_search_attributes(page.content)
            return
        memo = cache.table("search-by-page")
        rest = key_bytes(search_inputs(page), 3)
        kept = memo.get(page.url)
        if kept is not None and kept[1] == rest and kept[0] == page.content:
            self.index.entries.extend(dict(entry) for entry in kept[2])
            page.content = kept[3]
            return
        start = len(self.index.entries)
        type(self.index).add_entry_from_context(self.index, page)
        added = tuple(dict(entry) for entry in self.index.entries[start:])
        content = page.content
        page.content = without_search_attributes(content)
        memo.put(page.url, (content, rest, added, page.content))


def search_inputs(page: Page) -> tuple:
    """What Material's search index reads of a page besides its content:
    its address, table of contents and title, and of its front matter
    SEARCH_META (tests/test_internals.py checks that it reads no other)."""
    return (page.url, toc_key(page.toc), page.title,
            *(page.meta.get(name) for name in SEARCH_META))


# The front-matter keys Material's search index reads.
SEARCH_META = ("search", "title", "tags")
# What Material's search on_page_context takes out of a page's content.
SEARCH_ATTRIBUTES = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")


class SearchMemo:
    """The search index's add_entry_from_context, by the page's content."""

    def __init__(self, index, memo: cache.Memo) -> None:
        self.index = index
        self.add = type(index).add_entry_from_context
        self.memo = memo

    def __call__(self, page: Page) -> None:
        key = key_digest(("search", page.content, *search_inputs(page)), 3)
        kept = self.memo.get(key)
        if kept is None and ahead.collect():
            kept = self.memo.get(key)
        if kept is None:
            start = len(self.index.entries)
            self.add(self.index, page)
            # Compressed: the entries hold the page's whole text.
            self.memo.put(key, cache.pack(pickle.dumps(self.index.entries[start:], protocol=5)))
        else:
            self.index.entries.extend(pickle.loads(cache.unpack(kept)))  # noqa: S301


# -- Pure helpers -------------------------------------------------------------


def without_search_attributes(content: str) -> str:
    """`content` without the `data-search-*` attributes Material's search
    takes out; a page without any is not scanned by the pattern (whose
    optional first space has it try every position: 0.1 ms a page)."""
    if "data-search-" not in content:
        return content
    return SEARCH_ATTRIBUTES.sub("", content)


class Unkeyable(Exception):
    """A value in a template's context that no key can stand for."""


def page_key(template: str, context: dict) -> bytes:
    """The digest of everything the template can read in `context`."""
    page = context["page"]
    # The page is complete now (its own on_page_context has run): what was
    # kept of it while other pages rendered is summarized again.
    _kept.pop((id(page), 1), None)
    _kept.pop((id(page), 2), None)
    try:
        parts = [template, full_summary(page)]
        for name, value in context.items():
            if name not in UNKEYED and name != "page":
                parts.append((name, plain(value, 1)))
    except RecursionError as error:
        raise Unkeyable("a value that holds itself") from error
    return key_digest(tuple(parts), 1)


# Digests of other pages kept for the build under way (cleared at on_env,
# when every page is complete), by identity and depth. Each entry holds its
# page, so an id is never taken for another object's.
_kept: dict[tuple[int, int], tuple] = {}


def key_digest(value: object, depth: int) -> bytes:
    """The digest of `value` as `KeyPickler` writes it: the pages in it at
    `depth` (1 and 2: what a template may show of a page, but its body
    (`shown_summary`); 3 and further: a head, its address and title)."""
    return cache.hash_bytes(key_bytes(value, depth))


def key_bytes(value: object, depth: int) -> bytes:
    buffer = io.BytesIO()
    try:
        KeyPickler(buffer, depth).dump(value)
    except RecursionError as error:
        raise Unkeyable("a value that holds itself") from error
    except pickle.PicklingError as error:
        raise Unkeyable(str(error)) from error
    return buffer.getvalue()


class KeyPickler(pickle.Pickler):
    """Writes a template's data as the bytes of a key. Strings, numbers,
    dicts, lists and tuples are written by the pickle module itself (in C);
    `reducer_override` is asked only for other objects: dates and other
    atoms are written as they are, a page as the digest of what a template
    may show of it at the pickler's depth (or its head at depth 3), the
    navigation and table-of-contents entries, files and dataclasses as
    tuples of what they show; anything else is `Unkeyable`. Without memo
    (`fast`), equal values give equal bytes however they are shared."""

    def __init__(self, file, depth: int) -> None:
        super().__init__(file, protocol=5)
        self.fast = True
        self.depth = depth

    def reducer_override(self, value):  # noqa: PLR0911 - one case per kind
        if value is tuple:
            return NotImplemented  # the callable of most reductions below
        if isinstance(value, Page):
            if self.depth >= 3:
                return tuple, (page_head(value),)
            return tuple, (("page", page_digest(value, self.depth)),)
        if isinstance(value, type) or any(value is reducer for reducer in REDUCERS):
            return NotImplemented  # a class or the callable of a reduction: by its name
        if is_plain_date(value):
            return tuple, ((DATE_MARK, repr(value)),)
        if isinstance(value, ATOMS):
            return NotImplemented
        if isinstance(value, dict):
            return dict, (dict(value),)
        if isinstance(value, list | tuple):
            return tuple, (("list", list(value)),)
        if isinstance(value, set | frozenset):
            return tuple, (("set", *sorted(key_bytes(item, self.depth) for item in value)),)
        if isinstance(value, AnchorLink):
            return tuple, (toc_key([value]),)
        if isinstance(value, Navigation):
            return tuple, (("nav", nav_digest(value)),)
        if isinstance(value, Section | Link):
            return tuple, ((type(value).__name__, value.title, getattr(value, "url", None),
                            list(getattr(value, "children", None) or [])),)
        if isinstance(value, File):
            return tuple, (("file", value.src_uri, value.url),)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return tuple, ((type(value).__qualname__,
                            *((f.name, pages_once(getattr(value, f.name), self.depth))
                              for f in dataclasses.fields(value))),)
        if callable(value):
            # Such as a listing's `pagination`: it reads the page, keyed above.
            return tuple, (("callable", getattr(value, "__qualname__", type(value).__qualname__)),)
        raise Unkeyable(f"a {type(value).__qualname__} in the context")


def pages_once(value: object, depth: int) -> object:
    """A list of pages held by a page or a tag (a listing's posts) as one
    digest, made once per build: such lists are made with the blog and not
    changed while pages render. Any other value as it is."""
    if not is_page_list(value):
        return value
    key = (id(value), -depth)
    kept = _kept.get(key)
    if kept is None or kept[0] is not value:
        kept = (value, key_digest(type(value)(plain(item, depth) for item in value), depth))
        _kept[key] = kept
    return ("pages", kept[1])


# What stands for a page (its digest, or its head at depth 3) and for a date
# in what `plain` gives: no text of a blog starts with a NUL character.
PAGE_MARK = "\x00page"
DATE_MARK = "\x00date"
SECTION_MARK = "\x00section"
# What the pickle module's C code writes as it is, whatever it holds.
PLAIN_TYPES = frozenset({str, int, float, bool, type(None), bytes})


def plain(value: object, depth: int) -> object:
    """`value` with the pages and dates in its dicts, lists and tuples
    replaced by what `KeyPickler` would write for them (a page's digest at
    `depth`, its head at depth 3; a date by its `repr`), so that the
    pickle module's C code writes all of it without calling back into
    Python for each (about 4 microseconds a page, 13 a date). A list of
    pages is its digest, made once per build (`pages_once`); any other
    value is left as it is, for `KeyPickler`."""
    kind = type(value)
    if kind in PLAIN_TYPES:
        return value
    if kind is dict:
        if all(map(PLAIN_TYPES.__contains__, map(type, value.values()))):
            return value
        return {name: item if type(item) in PLAIN_TYPES else plain(item, depth)
                for name, item in value.items()}
    if kind is list or kind is tuple:
        if all(map(PLAIN_TYPES.__contains__, map(type, value))):
            return value
        if is_page_list(value):
            return pages_once(value, depth)
        return kind(item if type(item) in PLAIN_TYPES else plain(item, depth) for item in value)
    if isinstance(value, Page):
        if depth >= 3:
            return (PAGE_MARK, *page_head(value))
        return (PAGE_MARK, page_digest(value, depth))
    if is_plain_date(value):
        return (DATE_MARK, repr(value))
    if isinstance(value, Section):
        return section_once(value, depth)
    return value


def section_once(section: Section, depth: int) -> tuple:
    """A section of the navigation (the parent of every tag page) by its
    title and children, once per build."""
    key = (id(section), -10 - depth)
    kept = _kept.get(key)
    if kept is None or kept[0] is not section:
        shown = (type(section).__name__, section.title, plain(list(section.children), depth))
        kept = (section, key_digest(shown, depth))
        _kept[key] = kept
    return (SECTION_MARK, kept[1])


def is_plain_date(value: object) -> bool:
    """A date, or a datetime without a time zone or with a fixed offset,
    whose `repr` says all it is."""
    kind = type(value)
    if kind is dt.date:
        return True
    return kind is dt.datetime and (value.tzinfo is None or type(value.tzinfo) is dt.timezone)


def nav_digest(nav: Navigation) -> bytes:
    """The navigation by its pages' heads, once per build (every page has it)."""
    key = (id(nav), 0)
    kept = _kept.get(key)
    if kept is None or kept[0] is not nav:
        kept = (nav, key_digest((nav.items, nav.homepage), 3))
        _kept[key] = kept
    return kept[1]


def is_page_list(value: object) -> bool:
    return type(value) in (list, tuple) and bool(value) and isinstance(value[0], Page)


def page_head(value: Page) -> tuple:
    return ("page", type(value).__qualname__, value.url, value.title, value.file.src_uri)


def page_digest(value: Page, depth: int) -> bytes:
    """Another page at depth 1 or 2: a digest of what a template may show of
    it (not its body), kept for the build."""
    kept = _kept.get((id(value), depth))
    if kept is None or kept[0] is not value:
        kept = (value, key_digest(shown_summary(value, depth + 1), depth + 1))
        _kept[(id(value), depth)] = kept
    return kept[1]


def shown_summary(value: Page, depth: int) -> tuple:
    """What a template may show of another page: all it holds but its body,
    its Markdown and its source. The lists of pages it holds (an archive
    year's posts, which the archive's index shows) at `depth`, one further
    than the page's; the pages it refers to otherwise (its parent, its
    neighbours, the related posts in its front matter) by their heads."""
    parts = [page_head(value)]
    rest = []
    for name, item in vars(value).items():
        if name in PAGE_INTERNALS or name in ("content", "toc"):
            continue
        if is_page_list(item):
            parts.append((name, pages_once(item, depth)))
        else:
            rest.append((name, plain(item, 3)))
    parts.append(key_bytes(tuple(rest), 3))
    return tuple(parts)


def full_summary(page: Page) -> tuple:
    """The page being rendered: all it holds but its Markdown and source;
    its older and newer pages as other pages (their titles are shown), its
    parent and its own lists of pages (a listing's posts, whose entries
    come through the context) by their heads."""
    parts = [page_head(page)]
    for name, item in vars(page).items():
        if name in PAGE_INTERNALS:
            continue
        if name == "toc":
            parts.append((name, toc_key(item)))
        elif name in HEAD_ONLY:
            parts.append((name, plain(item, 3)))
        else:
            parts.append((name, plain(item, 1)))
    return tuple(parts)


def toc_key(toc) -> tuple:
    return tuple((item.title, item.id, item.level, toc_key(item.children)) for item in toc)
