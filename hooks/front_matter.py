"""Front-matter checks for posts: every mistake is one line naming the file.

Runs at `on_pre_build`, before MkDocs cleans the site directory and before
hooks/blog.py reads the posts (`on_files`). A broken post stops
`mkdocs build` (exit 1, no traceback). Under `mkdocs serve` a failed build
would leave the server holding every request until the next good build, so
there the errors are logged, the broken posts are left out and the rebuild
goes to a scratch folder: the browser keeps the last good site, and the next
save that fixes the post rebuilds it for real. Reads each post's bytes
itself, through `posts.split_post` as hooks/blog.py does (so a post saved
with CRLF, a byte-order mark or no final newline reads as with LF); writes no
`page.meta` key.

Across posts it checks that no two posts share an address and that no two
different tags share a tag page (`tag_clashes`: `C#` and `C` are both at
tags/c/; `AI` and `ai`, which differ only in case, are one tag).

Errors stop the build. Warnings (a missing deck, an unknown key) are logged,
and `mkdocs build --strict` (`make build`) fails on them too. Each line reads
`<file>[:<line>]: <key>: found <what>; expected <what>`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import logging
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cache
import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from PIL import Image, UnidentifiedImageError
from posts import (
    POST_SLUGIFY,
    POST_URL,
    POSTS_DIR,
    BadDate,
    Loader,
    as_utc,
    kept_yaml,
    parse_yaml,
    post_slug,
    serving,
    split_post,
    tag_slug,
)

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

log = logging.getLogger("mkdocs.plugins.expectedwrong.front_matter")

# The contract of a post (README, "Writing a post").
POST_KEYS = ("title", "description", "date", "updated", "tags", "draft", "slug", "series",
             "image", "image_alt")
# Page keys of Material for MkDocs and its blog plugin that a post may use
# (squidfunk.github.io/mkdocs-material/reference/ and .../plugins/blog/).
MATERIAL_KEYS = (
    "authors", "categories", "comments", "hide", "icon", "links", "pin",
    "readtime", "search", "status", "subtitle", "template",
)
KNOWN_KEYS = POST_KEYS + MATERIAL_KEYS
# How alike a key must be to a known one to be offered as "did you mean".
SUGGEST_CUTOFF = 0.75
# Front matter starts after the opening `---`, on line 2 of the file.
FIRST_YAML_LINE = 2
# What a cover image may be: formats that sharing sites show (hooks/cards.py).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
IMAGE_FORMS = "a PNG, JPEG, GIF or WebP file beside the post, such as images/cover.png"
DATE_FORMS = "YYYY-MM-DD or an ISO 8601 date-time such as 2026-04-09T08:30:00Z, unquoted"
# Tags are grouped by address (hooks/blog_pages.py); two at one address must
# be one tag, written alike but for case (README, "Tags").
ONE_TAG_PER_ADDRESS = ("one tag per address: the same tag, written alike but for case "
                       "(AI and ai), or tags whose addresses differ")

Slugify = Callable[[str], str]


@dataclass(frozen=True)
class Slugs:
    """How the blog turns tags and titles into addresses."""

    tag: Slugify
    post: Slugify


@dataclass(frozen=True)
class Problem:
    """One mistake in one post's front matter."""

    key: str
    found: str
    expected: str
    error: bool = True
    line: int | None = None

    def format(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.key}: found {self.found}; expected {self.expected}"




# -- Events -------------------------------------------------------------------


# Posts with errors in the current build, left out of it under `mkdocs serve`.
_broken: set[str] = set()
# Scratch folders of failed `mkdocs serve` rebuilds, removed on shutdown.
_scratch: list[str] = []


def on_pre_build(*, config: MkDocsConfig) -> None:
    real_folder.cache_clear()
    root = Path(config.config_file_path or ".").resolve().parent
    docs = Path(config.docs_dir)
    posts_dir = docs / POSTS_DIR
    slugs = Slugs(_tag_slugify(config), lambda title: POST_SLUGIFY(title, "-"))
    lines: list[tuple[bool, str]] = []
    addresses: dict[str, str] = {}
    series: dict[str, tuple[str, str]] = {}
    broken: set[str] = set()
    # Good posts (shown path, tags) for the tag check, and their files.
    tagged: list[tuple[str, list[str]]] = []
    sources: dict[str, str] = {}
    for path in post_files(posts_dir):
        shown = display_path(path, root)
        meta, problems = read_post_kept(cache.source_bytes(str(path), keep=serving()),
                                        slugs, path.parent)
        lines += [(p.error, p.format(shown)) for p in problems]
        if meta is None or any(p.error for p in problems):
            broken.add(str(path))
            continue
        address = post_address(meta)
        if address in addresses:
            lines.append((True, duplicate(shown, addresses[address], address)))
            broken.add(str(path))
        else:
            tagged.append((shown, meta.get("tags") or []))
            sources[shown] = str(path)
        addresses.setdefault(address, shown)
        clash = series_clash(meta.get("series"), shown, series, slugs.tag)
        if clash:
            lines.append((True, clash))
            broken.add(str(path))
    for shown, line in tag_clashes(tagged, slugs.tag):
        lines.append((True, line))
        broken.add(sources[shown])
    _broken.clear()
    if serving() and any(error for error, _ in lines):
        log_all(lines)
        log.error("Not rebuilt: the last good site is still served until the post is fixed.")
        _broken.update(broken)
        config.site_dir = tempfile.mkdtemp(prefix="expectedwrong-scratch-")
        _scratch.append(config.site_dir)
        return None
    report(lines)
    return None


# Before hooks/blog.py (-50) reads the posts.
@event_priority(100)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files | None:
    for file in [file for file in files if file.abs_src_path in _broken]:
        files.remove(file)
    return None


def on_shutdown() -> None:
    for folder in _scratch:
        shutil.rmtree(folder, ignore_errors=True)
    return None


def log_all(lines: list[tuple[bool, str]]) -> None:
    for error, line in lines:
        (log.error if error else log.warning)(line)


def report(lines: list[tuple[bool, str]]) -> None:
    """Log every problem, one line each; raise on the last error."""
    errors = [line for error, line in lines if error]
    log_all([(False, line) for error, line in lines if not error])
    log_all([(True, line) for line in errors[:-1]])
    if errors:
        # MkDocs prints a PluginError as one line and exits 1, without a
        # traceback.
        raise PluginError(errors[-1])


def read_post_kept(raw: bytes, slugs: Slugs,
                   folder: Path) -> tuple[dict | None, list[Problem]]:
    """`read_post`, kept by the file's bytes (hooks/cache.py), unless the
    post has a cover image, whose file is checked again every build."""
    memo = cache.table("front-matter")
    key = cache.key_of(raw, str(folder), keep=serving())
    kept = memo.get(key)
    if kept is None:
        # Its YAML kept for hooks/blog.py, which reads the post next.
        kept = read_post(raw, slugs, folder, parse=kept_yaml)
        if kept[0] is None or "image" not in kept[0]:
            memo.put(key, kept)
    return kept


# -- Pure helpers -------------------------------------------------------------


def post_files(posts_dir: Path) -> list[Path]:
    """Markdown files under the posts directory, as MkDocs finds them (no
    dot-files or dot-folders), in the order of their paths' parts."""
    if not posts_dir.is_dir():
        return []
    found = []
    for parent, folders, names in os.walk(posts_dir):
        folders[:] = [name for name in folders if not name.startswith(".")]
        rel = os.path.relpath(parent, posts_dir)
        parts = () if rel == os.curdir else tuple(rel.split(os.sep))
        found += [(*parts, name) for name in names
                  if name.endswith(".md") and not name.startswith(".")]
    return [posts_dir.joinpath(*parts) for parts in sorted(found)]


def display_path(path: Path, root: Path) -> str:
    """The path a writer sees: relative to the repository, with slashes.
    Symbolic links are followed (the folder's once per build)."""
    real = (os.path.realpath(path) if os.path.islink(path)
            else os.path.join(real_folder(os.path.dirname(path)), os.path.basename(path)))
    # Path.relative_to, in string operations (a thousand posts a build).
    prefix = os.path.join(str(root), "")
    if real.startswith(prefix):
        return real[len(prefix):].replace(os.sep, "/")
    try:
        return Path(real).relative_to(root).as_posix()
    except ValueError:
        return os.path.relpath(path, root).replace(os.sep, "/")


@functools.lru_cache(maxsize=256)
def real_folder(folder: str) -> str:
    """`folder` with its symbolic links followed; cleared at every build."""
    return os.path.realpath(folder)


def read_post(raw: bytes, slugs: Slugs, folder: Path | None = None, *,
              parse: Callable[[str], object] = parse_yaml) -> tuple[dict | None, list[Problem]]:
    """A post's front matter and the problems in it, from the file's bytes;
    with the post's `folder`, a cover image (`image:`) is looked for there.
    The YAML is read by `parse` (by default `posts.parse_yaml`)."""
    try:
        parts = split_post(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        return None, [Problem("encoding", f"a byte that is not UTF-8 (0x{raw[e.start]:02x})",
                              "a file saved as UTF-8", line=line_at(raw, e.start))]
    if parts is None:
        return None, [Problem("front matter", "no front matter",
                              "a --- block at the top with at least title and date", line=1)]
    front_matter = parts[0]
    try:
        meta = parse(front_matter)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + FIRST_YAML_LINE if mark else None
        return None, [Problem("front matter", f"YAML that does not parse ({e.problem})",
                              "`key: value` lines", line=line)]
    except yaml.YAMLError as e:
        return None, [Problem("front matter", f"YAML that does not parse ({e})",
                              "`key: value` lines")]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, [Problem("front matter", describe(meta), "`key: value` lines", line=2)]
    problems = check_meta(meta, slugs)
    if folder is not None and not problems_with(problems, "image"):
        problems += check_image_file(meta.get("image"), folder)
    # Lines are found (a second, slower parse) only for a post with mistakes.
    lines = key_lines(front_matter) if problems else {}
    return meta, [
        Problem(p.key, p.found, p.expected, p.error, p.line or lines.get(p.key))
        for p in problems
    ]


def line_at(raw: bytes, offset: int) -> int:
    """The line of the file's byte at `offset`, counting each line break as
    `posts.post_text` does: CRLF, LF and a lone CR are one each."""
    head = raw[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def key_lines(text: str) -> dict[str, int]:
    """The file line of each top-level key of the front matter."""
    node = yaml.compose(text, Loader=Loader)  # noqa: S506
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): key.start_mark.line + FIRST_YAML_LINE
        for key, _ in node.value if isinstance(key, yaml.ScalarNode)
    }


def check_meta(meta: dict, slugs: Slugs) -> list[Problem]:
    """Every problem in a post's front matter."""
    problems = [
        *check_title(meta.get("title"), slugs.post, has_slug="slug" in meta),
        *check_description(meta, draft=meta.get("draft") is True),
        *check_date("date", meta.get("date"), required=True),
        *check_date("updated", meta.get("updated"), required=False),
        *check_updated(meta.get("date"), meta.get("updated")),
        *check_tags(meta.get("tags"), slugs.tag),
        *check_draft(meta.get("draft")),
        *check_slug(meta.get("slug"), slugs.post),
        *check_series(meta.get("series"), slugs.tag),
        *check_image(meta.get("image"), meta.get("image_alt")),
        *check_keys(meta),
    ]
    return problems


def check_title(value: object, slugify: Slugify, *, has_slug: bool) -> list[Problem]:
    if isinstance(value, str) and value.strip():
        if has_slug or slugify(value):
            return []
        return [Problem("title", f"{describe(value)}, which gives an empty address",
                        "a title with letters or digits, or a `slug`")]
    return [Problem("title", describe(value), "a non-empty string, the post's title")]


def check_description(meta: dict, *, draft: bool) -> list[Problem]:
    value = meta.get("description")
    if isinstance(value, str) and value.strip():
        return []
    if value is None or value == "" or (isinstance(value, str) and not value.strip()):
        if draft:  # a draft may be unfinished; it is never published
            return []
        return [Problem("description", describe(value) if "description" in meta else "nothing",
                        "one sentence under the title, the deck (search engines and "
                        "feeds show it too)", error=False)]
    return [Problem("description", describe(value), "a string, the deck under the title")]


def check_date(key: str, value: object, *, required: bool) -> list[Problem]:
    if value is None and not required:
        return []
    if isinstance(value, dt.date) and not isinstance(value, BadDate):
        return []
    if isinstance(value, BadDate):
        return [Problem(key, f"{describe(str(value))}, which is not a real calendar date",
                        f"a real date, {DATE_FORMS}")]
    if isinstance(value, str) and parse_date_text(value) is not None:
        return [Problem(key, f"the text {describe(value)} in quotes or in a form YAML does "
                             "not read as a date", DATE_FORMS)]
    return [Problem(key, describe(value), DATE_FORMS)]


def check_updated(date: object, updated: object) -> list[Problem]:
    start, end = as_utc(date), as_utc(updated)
    if start is None or end is None or end >= start:
        return []
    return [Problem("updated", f"{end.isoformat()}, before the date {start.isoformat()}",
                    "a date on or after `date`")]


def check_tags(value: object, slugify: Slugify) -> list[Problem]:
    if value is None:
        return []
    if isinstance(value, str):
        return [Problem("tags", describe(value), f"a list, such as [{value}]")]
    if not isinstance(value, list):
        return [Problem("tags", describe(value), "a list of tags, such as [openai, gpt-image]")]
    problems, seen = [], {}
    for number, tag in enumerate(value, start=1):
        if not isinstance(tag, str) or not tag.strip():
            problems.append(Problem("tags", f"{describe(tag)} as tag {number}",
                                    "each tag a non-empty string (quote numbers)"))
            continue
        slug = slugify(tag)
        if not slug:
            problems.append(Problem("tags", f"{describe(tag)}, which gives an empty address",
                                    "a tag with letters or digits"))
        elif slug in seen:
            expected = "each tag once" if same_tag(seen[slug], tag) else ONE_TAG_PER_ADDRESS
            problems.append(Problem("tags", f"{describe(seen[slug])} and {describe(tag)}, "
                                            f"both at tags/{slug}/", expected))
        else:
            seen[slug] = tag
    return problems


def tag_clashes(posts: list[tuple[str, list[str]]], slugify: Slugify) -> list[tuple[str, str]]:
    """Tags of different posts that would share a page: for each tag at the
    address of a different tag (not `same_tag`) of an earlier post, that
    post's path and the line that names both tags and both files. `posts`
    are (path, tags) pairs whose tags passed `check_tags`. One look-up per
    tag, so a long blog costs no more per tag than a short one."""
    first: dict[str, tuple[str, str]] = {}
    clashes = []
    for path, tags in posts:
        for tag in tags:
            slug = slugify(tag)
            other, where = first.setdefault(slug, (tag, path))
            if not same_tag(tag, other):
                found = (f"{describe(tag)} at tags/{slug}/, the address of {describe(other)} "
                         f"in {where}")
                clashes.append((path, Problem("tags", found, ONE_TAG_PER_ADDRESS).format(path)))
    return clashes


def same_tag(one: str, other: str) -> bool:
    """Whether two tags are one tag, written alike but for case: equal as
    Unicode's canonical caseless match has it (`caseless`)."""
    return one == other or caseless(one) == caseless(other)


def caseless(text: str) -> str:
    """Text as compared without case: NFD, casefold, NFD (the canonical
    caseless match of the Unicode Standard, section 3.13). Casefolding, not
    lowercasing, so that `STRASSE` and `straße` match; NFD, so that an `é`
    typed as one character matches one typed as `e` and an accent."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).casefold())


def check_draft(value: object) -> list[Problem]:
    if value is None or isinstance(value, bool):
        return []
    return [Problem("draft", describe(value), "true or false, unquoted")]


def check_slug(value: object, slugify: Slugify) -> list[Problem]:
    if value is None:
        return []
    if isinstance(value, str) and value and slugify(value) == value:
        return []
    hint = f", such as {slugify(value)}" if isinstance(value, str) and slugify(value) else ""
    return [Problem("slug", describe(value),
                    f"lowercase letters, digits and hyphens{hint}")]


def check_series(value: object, slugify: Slugify) -> list[Problem]:
    """A series name is checked like a tag: a string with letters or digits."""
    if value is None:
        return []
    if not isinstance(value, str) or not value.strip():
        return [Problem("series", describe(value),
                        "the series' name, a non-empty string (quote numbers)")]
    if not slugify(value):
        return [Problem("series", f"{describe(value)}, which gives an empty address",
                        "a series name with letters or digits")]
    return []


def series_clash(value: object, path: str, seen: dict[str, tuple[str, str]],
                 slugify: Slugify) -> str | None:
    """One line if `value` names a series at the address of another name
    (other than by letter case) in an earlier post; else records it in
    `seen` (slug -> (name, path)) and returns None."""
    if not isinstance(value, str) or not slugify(value):
        return None
    slug = slugify(value)
    name, first = seen.setdefault(slug, (value, path))
    if name.casefold() == value.casefold():
        return None
    return Problem("series", f"{describe(value)}, but {first} names the series at "
                             f"series/{slug}/ {describe(name)}",
                   "one name for one series, written alike in every part "
                   "(letter case may differ)").format(path)


def check_image(image: object, alt: object) -> list[Problem]:
    """A cover image: a relative path to a raster image, with alt text."""
    problems = []
    if image is not None:
        if not isinstance(image, str) or not image.strip():
            problems.append(Problem("image", describe(image), IMAGE_FORMS))
        elif "://" in image or image.startswith("/"):
            problems.append(Problem("image", f"{describe(image)}, which is not a path "
                                             "beside the post", IMAGE_FORMS))
        elif not image.lower().endswith(IMAGE_SUFFIXES):
            problems.append(Problem("image", f"{describe(image)}, which is not a PNG, JPEG, "
                                             "GIF or WebP file", IMAGE_FORMS))
    if alt is None or (isinstance(alt, str) and not alt.strip()):
        if image is not None:
            problems.append(Problem("image_alt", describe(alt),
                                    "what the image shows, for readers who cannot see it "
                                    "(required with `image`)"))
    elif not isinstance(alt, str):
        problems.append(Problem("image_alt", describe(alt), "a string, the image's alt text"))
    elif image is None:
        problems.append(Problem("image_alt", "alt text without an image",
                                "an `image` beside it, or no `image_alt`", error=False))
    return problems


def check_image_file(image: object, folder: Path) -> list[Problem]:
    """A cover image given as a path must be an image file there."""
    if not isinstance(image, str) or not image.strip():
        return []
    path = folder / image
    if not path.is_file():
        return [Problem("image", f"{describe(image)}, which is not a file beside the post",
                        IMAGE_FORMS)]
    try:
        with Image.open(path) as opened:
            opened.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        return [Problem("image", f"{describe(image)}, which is not an image Pillow can read",
                        IMAGE_FORMS)]
    return []


def problems_with(problems: list[Problem], key: str) -> bool:
    return any(problem.key == key for problem in problems)


def check_keys(meta: dict) -> list[Problem]:
    return [
        Problem(str(key), "an unknown key", expect_key(str(key)), error=False)
        for key in meta if key not in KNOWN_KEYS
    ]


def expect_key(key: str) -> str:
    """What an unknown key should be: the closest known key, if one is close."""
    close = difflib.get_close_matches(key.lower(), KNOWN_KEYS, n=1, cutoff=SUGGEST_CUTOFF)
    if close:
        return f"a known key (did you mean `{close[0]}`?)"
    return "one of " + ", ".join(POST_KEYS) + " or a Material page key"


def post_address(meta: dict) -> str:
    """The address a post is published at (hooks/blog.py)."""
    return POST_URL.format(slug=post_slug(meta)) + "/"


def duplicate(path: str, first: str, address: str) -> str:
    return Problem("slug", f"the address {address} of {first} again",
                   "a title or `slug` that gives this post its own address").format(path)


def parse_date_text(text: str) -> dt.date | None:
    """A date in text, read as ISO 8601 (Python 3.11 rules), or None."""
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def describe(value: object) -> str:
    """A front-matter value as a writer would recognise it, on one line."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(shown, ensure_ascii=False) if value.strip() else "an empty string"
    if isinstance(value, list):
        return f"a list ({len(value)} items)"
    if isinstance(value, dict):
        return "a mapping (" + ", ".join(map(str, value)) + ")"
    return f"a {type(value).__name__}"


def _tag_slugify(config: MkDocsConfig) -> Slugify:
    return tag_slug
