"""What a post and a listing are, for the hooks that share them.

Not a hook itself (not listed under `hooks:`): hooks/blog.py makes the blog
out of these, and hooks/blog_pages.py, hooks/feeds.py, hooks/front_matter.py,
hooks/reading_stats.py and the others read it. A module imported by the
hooks is one object for all of them in a build, so the blog hooks/blog.py
makes (`current()`) is theirs too. Writes no `page.meta` key.

Addresses are those of Material's blog plugin as this blog configured it
before hooks/blog.py replaced it (`blog_dir: .`, `post_url_format:
posts/{slug}`, `pagination_url_format: page/{page}`, `archive_url_format:
archive/{date}` by year), so no published address changed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import pickle
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import cache
import inline_needles
import markdown
import yaml
from mkdocs.structure.pages import (
    Page,
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RawHTMLPreprocessor,
    _RelativePathTreeprocessor,
)
from mkdocs.structure.toc import get_toc
from mkdocs.utils.meta import YAML_RE
from pymdownx.slugs import slugify

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files

# Where posts are written, under docs/.
POSTS_DIR = "posts"
# Where they are published: posts/<slug>/.
POST_URL = "posts/{slug}"
# Numbered listing pages: page/2/, archive/2025/page/2/.
PAGE_URL = "page/{page}"
# A year's archive: archive/2025/.
ARCHIVE_URL = "archive/{year}"
# Listing entries per page, unless mkdocs.yml sets extra.blog.per_page.
DEFAULT_PER_PAGE = 10
# Material's default for post slugs: lowercase, hyphens (pymdownx.slugs).
POST_SLUGIFY = slugify(case="lower")
# Tags are slugged the same way (Material's tags plugin default).
TAG_SLUGIFY = slugify(case="lower")
# The mkdocs command this process runs (`serve` or `build`), set by
# hooks/blog.py at startup. An environment variable, because `mkdocs serve`
# re-reads the hooks (hooks/serve_reload.py) but starts them up only once.
COMMAND_ENV = "EW_MKDOCS_COMMAND"
# Page.render's logger: MkDocs checks links to anchors unless it logs debug.
MKDOCS_PAGES_LOG = logging.getLogger("mkdocs.structure.pages")


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML as MkDocs and Material read it (libyaml where installed, about
    ten times faster than the pure-Python loader they use), but an
    impossible date such as 2026-02-30 is kept as text to report rather
    than raised as a bare ValueError."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return BadDate(node.value)


class BadDate(str):
    """A YAML timestamp that is no real date, such as 2026-02-30."""


Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)


def parse_yaml(text: str) -> object:
    """Front matter as `Loader` reads it."""
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a safe loader


def kept_yaml(text: str) -> object:
    """`text` parsed as YAML, kept by its text (hooks/cache.py) as pickled
    bytes: every caller gets a copy of its own, since hooks add keys to a
    post's meta (a pickle's copy is several times faster than deepcopy).
    hooks/front_matter.py's check parses a post's front matter first, and
    hooks/blog.py finds it parsed."""
    memo = cache.table("yaml")
    key = cache.key_of(text, keep=serving())
    kept = memo.get(key)
    if kept is None:
        meta = parse_yaml(text)
        try:
            memo.put(key, pickle.dumps(meta, protocol=pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, TypeError, AttributeError):
            pass  # a value that does not pickle: parsed again next time
        return meta
    return pickle.loads(kept)  # noqa: S301 - our own bytes


class SharedParserPage(Page):
    """A page of the blog (a post or a listing page), rendered by one
    Markdown parser for the whole build, and not rendered again while its
    Markdown and every link it resolved are as they were (hooks/cache.py's
    "markdown" table)."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        memo = cache.table("markdown")
        key = self.render_key()
        kept = memo.get(key)
        if kept is not None and still_holds(kept, files):
            apply_rendered(kept, self, files)
            return
        recording = RecordingFiles(files)
        with LogRecords(MKDOCS_PAGES_LOG) as logged:
            self._render(config, recording)
        memo.put(key, rendered(self, recording.lookups, logged.records))

    def render_key(self) -> object:
        """The "markdown" table's key of this page's render (hooks/fan_out.py
        asks it which posts are left to render)."""
        return cache.key_of(self.markdown, self.file.src_uri, self.file.url,
                              self.file.inclusion.name, keep=serving())

    def _render(self, config: MkDocsConfig, files: Files) -> None:
        """MkDocs' Page.render (mkdocs 1.6), with one Markdown parser for all
        the blog's pages of a build, reset between them, as Python-Markdown
        allows: building a parser with this site's extensions costs about as
        much as converting a short post. MkDocs' own processors are made per
        page."""
        md = parser(config)
        md.reset()
        raw_html = _RawHTMLPreprocessor()
        raw_html._register(md)
        anchors = _ExtractAnchorsTreeprocessor(self.file, files, config)
        anchors._register(md)
        links = _RelativePathTreeprocessor(self.file, files, config)
        links._register(md)
        title = _ExtractTitleTreeprocessor()
        title._register(md)
        self.content = md.convert(self.markdown)
        self.toc = get_toc(getattr(md, "toc_tokens", []))
        self._title_from_render = title.title
        self.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
        if MKDOCS_PAGES_LOG.getEffectiveLevel() > logging.DEBUG:
            self.links_to_anchors = links.links_to_anchors


def rendered(page: Page, lookups: list, logs: list) -> tuple:
    """What rendering a page's Markdown gave, and what it depended on besides
    the Markdown (each file it looked up for a link, as found), as plain
    values, which hooks/cache.py can save."""
    links = getattr(page, "links_to_anchors", None)
    kept_links = None if links is None else tuple(
        (file.src_uri, tuple(anchors.items())) for file, anchors in links.items())
    # The HTML compressed for `mkdocs build`, which saves it: a blog's posts
    # take a sixth of the memory and disk. `mkdocs serve` keeps the text.
    content = page.content if serving() else cache.pack_text(page.content)
    return (content, page.toc, page._title_from_render,
            frozenset(page.present_anchor_ids), kept_links, tuple(lookups), tuple(logs))


def still_holds(kept: tuple, files: Files) -> bool:
    """Whether every file a kept render looked up is found as it was."""
    return all(found(files.get_file_from_path(path)) == was for path, was in kept[5])


def apply_rendered(kept: tuple, page: Page, files: Files) -> None:
    """Give `page` a kept render, and log again what rendering logged."""
    content, toc, title, anchors, links, _, logs = kept
    for name, level, message in logs:
        logging.getLogger(name).log(level, message)
    page.content = content if isinstance(content, str) else cache.unpack_text(content)
    page.toc, page._title_from_render = toc, title
    page.present_anchor_ids = set(anchors)
    if links is not None:
        page.links_to_anchors = {
            files.get_file_from_path(src): dict(anchors) for src, anchors in links}


def found(file: File | None) -> tuple | None:
    """What a link to `file` depends on: its address and whether it is built."""
    return None if file is None else (file.src_uri, file.url, file.inclusion.name)


class RecordingFiles:
    """The site's files, noting each `get_file_from_path` and its answer."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.lookups: list[tuple[str, tuple | None]] = []

    def get_file_from_path(self, path: str) -> File | None:
        file = self.files.get_file_from_path(path)
        self.lookups.append((path, found(file)))
        return file

    def __getattr__(self, name: str):
        return getattr(self.files, name)


class LogRecords(logging.Handler):
    """The records `logger` emits inside a `with` block, as (logger name,
    level, message), so that a kept result logs them again."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logging.NOTSET)
        self.logger = logger
        self.records: list[tuple[str, int, str]] = []

    def __enter__(self) -> LogRecords:
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def generated_page(config: MkDocsConfig, src_uri: str, title: str, template: str) -> File:
    """A page the blog makes from front matter alone (a tag, the tags
    index, a series), its page made here so that the shared parser renders
    it: MkDocs would build a Markdown parser for each."""
    from mkdocs.structure.files import File

    front_matter = json.dumps({"title": title, "template": template})
    file = File.generated(config, src_uri, content=f"---\n{front_matter}\n---\n")
    SharedParserPage(None, file, config)
    return file


class Post(SharedParserPage):
    """A post: its front matter and Markdown are read once, when the blog is
    made (`on_files`), so `read_source` has nothing left to do.

    `date` is when it was published (an aware datetime, a bare date being
    midnight UTC), `draft` its front-matter `draft` (None if not given),
    `pin` whether it is listed before the others."""

    def __init__(self, file: File, config: MkDocsConfig, meta: dict, markdown: str) -> None:
        super().__init__(None, file, config)
        self.meta = meta
        self.markdown = markdown
        self.date = as_utc(meta.get("date"))
        self.draft = meta.get("draft") if isinstance(meta.get("draft"), bool) else None
        self.pin = meta.get("pin") is True
        self.meta.setdefault("template", "blog-post.html")

    def read_source(self, config: MkDocsConfig) -> None:
        return None


class Listing(SharedParserPage):
    """One page of a listing of posts (Material's blog.html draws it): the
    home page and its numbered pages, or a year's archive and its pages.
    `pages` are all pages of the listing, this one among them; `posts` all
    of the listing's posts, not only this page's."""

    def __init__(self, file: File, config: MkDocsConfig) -> None:
        super().__init__(None, file, config)
        self.posts: list[Post] = []
        self.pages: list[Listing] = [self]

    @property
    def first(self) -> Listing:
        return self.pages[0]

    @property
    def number(self) -> int:
        """Which page of its listing this is, from 1. By identity: `index`
        would compare pages with ==, one by one (quadratic in a long blog)."""
        return next(at for at, page in enumerate(self.pages, start=1) if page is self)

    def read_source(self, config: MkDocsConfig) -> None:
        super().read_source(config)
        self.meta.setdefault("template", "blog.html")


class Archive(Listing):
    """A year's archive (archive/<year>/) and its numbered pages."""

    def __init__(self, year: int, file: File, config: MkDocsConfig) -> None:
        super().__init__(file, config)
        self.year = year


@dataclass
class Group:
    """Posts gathered under one name (a tag, a series): the name as written,
    its address part and its posts; published at `<FOLDER>/<slug>/`."""

    FOLDER: ClassVar[str] = ""
    name: str
    slug: str
    posts: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.FOLDER}/{self.slug}/"


@dataclass
class Blog:
    """The posts of this build, newest first (pinned ones before), and the
    listings: the home page's pages and each year's archive, newest first."""

    posts: list[Post] = field(default_factory=list)
    home: Listing | None = None
    archives: list[Archive] = field(default_factory=list)


_current = Blog()
# The Markdown parser of posts, with the config it was made for.
_parser: tuple[MkDocsConfig, markdown.Markdown] | None = None


def current() -> Blog:
    """The blog of the build under way."""
    return _current


def set_current(blog: Blog) -> None:
    global _current
    _current = blog


def parser(config: MkDocsConfig) -> markdown.Markdown:
    """The Markdown parser for posts under `config`, made once."""
    global _parser
    if _parser is None or _parser[0] is not config:
        md = markdown.Markdown(extensions=config["markdown_extensions"],
                               extension_configs=config["mdx_configs"] or {})
        # Inline patterns skip texts they cannot match (hooks/inline_needles.py).
        inline_needles.prefilter(md)
        _parser = (config, md)
    return _parser[1]


def serving() -> bool:
    """Whether this process is `mkdocs serve`."""
    return os.environ.get(COMMAND_ENV) == "serve"


def per_page(config: MkDocsConfig) -> int:
    """Listing entries per page: `extra.blog.per_page`, 1 or more."""
    blog = config.extra.get("blog") or {}
    value = blog.get("per_page", DEFAULT_PER_PAGE) if isinstance(blog, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"extra.blog.per_page: found {value!r}; expected a whole number, 1 or more")
    return value


# -- Pure helpers -------------------------------------------------------------


def as_utc(value: object) -> dt.datetime | None:
    """A front-matter date as an aware datetime; a bare date is midnight UTC
    and a time without a zone is UTC, as Material's blog plugin reads them."""
    if isinstance(value, BadDate) or not isinstance(value, dt.date):
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def is_draft(draft: bool | None, date: dt.datetime, now: dt.datetime) -> bool:
    """Whether a post stays out of the published blog: `draft` if given,
    else whether its date is still to come."""
    if isinstance(draft, bool):
        return draft
    return date > now


def is_scheduled(draft: bool | None, date: dt.datetime, now: dt.datetime) -> bool:
    """A post that waits for its date: not marked either way, dated later."""
    return draft is None and date > now


def post_text(text: str) -> str:
    """A post's text whatever the editor saved: no byte-order mark, every
    line ending (CRLF, or a lone CR) a LF, and a LF at the end. MkDocs reads
    a file as utf-8-sig with universal newlines (File.content_string), which
    does the first two; its front-matter pattern (YAML_RE) needs the third
    after the closing `---` of a file that is only front matter. Each line
    break stays one, so a line number is the line the editor shows."""
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def source_parts(path: str) -> tuple[str, str] | None:
    """`split_post` of a post's file, read as MkDocs' File.content_string
    reads it (`decoded`) from hooks/cache.py's `source_bytes`: under
    `mkdocs serve` a save reads only the posts that changed. There it is
    kept by the very bytes object `source_bytes` gives, so that an
    unchanged post has the front matter and Markdown texts of the last
    save, whose memo keys (`cache.key_of`) cost nothing."""
    data = cache.source_bytes(path, keep=serving())
    if not serving():
        return split_post(decoded(data))
    memo = cache.table("post-parts")
    kept = memo.get(path)
    if kept is None or kept[0] is not data:
        kept = (data, split_post(decoded(data)))
        memo.put(path, kept)
    return kept[1]


def decoded(data: bytes, errors: str = "strict") -> str:
    """A file's bytes as Python reads it in text mode with `utf-8-sig`."""
    text = data.decode("utf-8-sig", errors=errors)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_post(text: str) -> tuple[str, str] | None:
    """A post's front matter (the YAML between its `---` fences) and its
    Markdown body, from the file's text as `post_text` makes it, or None when
    it has no front matter. hooks/front_matter.py and hooks/blog.py both read
    posts through this, so a post is the same post to both."""
    text = post_text(text)
    match = YAML_RE.match(text)
    if match is None:
        return None
    return match.group(1), text[match.end():].lstrip("\n")


@functools.lru_cache(maxsize=65536)
def tag_slug(name: str) -> str:
    """The address part of a tag: tags/<slug>/."""
    return TAG_SLUGIFY(name, "-")


def post_slug(meta: dict, slugify=POST_SLUGIFY) -> str:
    """A post's slug: front-matter `slug`, else its title's."""
    return meta.get("slug") or slugify(str(meta.get("title", "")), "-")


def post_uri(slug: str) -> str:
    """Where a post's page is written, relative to the site."""
    return posixpath.join(POST_URL.format(slug=slug), "index.html")


def archive_src(year: int) -> str:
    """The (generated) source of a year's archive, as Material named it."""
    return ARCHIVE_URL.format(year=f"{year:04d}") + ".md"


def page_src(first_src: str, number: int) -> str:
    """The (generated) source of page `number` of the listing whose first
    page is `first_src`: index.md -> page/2/index.md, archive/2025.md ->
    archive/2025/page/2.md (both published at .../page/2/)."""
    base, _ = posixpath.splitext(first_src)
    path = PAGE_URL.format(page=number)
    if posixpath.basename(base) == "index":
        base, path = posixpath.dirname(base), posixpath.join(path, "index")
    return posixpath.join(base, f"{path}.md") if base else f"{path}.md"


def page_count(posts: int, size: int) -> int:
    """How many pages a listing of `posts` entries takes, at least one."""
    return max(1, -(-posts // size))


def newest_first(posts: list[Post]) -> list[Post]:
    """Pinned posts first, then newest first; equal keys keep their order."""
    return sorted(posts, key=lambda post: (post.pin, post.date), reverse=True)


def without_posts_dir(uri: str) -> str | None:
    """A file beside the posts, published as if the posts folder were not
    there (docs/posts/images/a.png -> images/a.png, as Material does), or
    None for a file elsewhere."""
    prefix = POSTS_DIR + "/"
    return uri[len(prefix):] if uri.startswith(prefix) else None
