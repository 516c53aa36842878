"""Images in posts: sized, lazy, and offered in AVIF and WebP (README, "Images").

- `on_pre_build` finds every image a post's Markdown links to and stops the
  build on one that is not there, one line naming the post and the image,
  before MkDocs cleans the site (under `mkdocs serve` the errors are logged
  and the rebuild goes to a scratch folder, as hooks/front_matter.py does,
  so the last good site stays served).
- `on_files` indexes the files published beside the posts (hooks/blog.py has
  given them their addresses).
- `on_page_content` rewrites each `<img>` of a post: `width` and `height`,
  `decoding="async"`, `loading="lazy"` after the first; a raster image
  becomes a `<picture>` with AVIF and WebP sources and its own format as the
  fallback, each at a few widths up to twice the reading column
  (expectedwrong.css's `--ew-measure`), never wider than the original, with
  `sizes` matched to the column. Animated images and SVG are left as they are
  (an SVG that declares its size gets it). An image without alt text is a
  warning naming the post and the image.
- `on_post_build` copies the derived images into the site from
  `.cache/images/`, where they are kept by a hash of the source's bytes, the
  settings and this code's version, so an unchanged image costs one hash on
  the next build.

Writes no `page.meta` key. hooks/reading_stats.py counts the same `<img>`
elements before and after (a `<picture>` adds no text); hooks/feeds.py makes
`srcset` addresses absolute in feed entries.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import logging
import math
import posixpath
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin

import cache
import PIL
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import YAML_RE
from PIL import Image, ImageOps
from posts import POSTS_DIR, Post, decoded, serving

from front_matter import display_path, post_files

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.expectedwrong.images")

# Bump when a change here changes the files made from an image.
CODE_VERSION = "1"
CACHE_DIR = Path(".cache") / "images"
STYLESHEET = "assets/stylesheets/expectedwrong.css"
# Material sets the root font size to 125% (20 px), 137.5% from 100em and
# 150% from 125em of viewport (its main.css); the column is in rem.
ROOT_PX = ((0, 20), (1600, 22), (2000, 24))
ROOT_BREAKPOINTS_EM = {1600: "100em", 2000: "125em"}
# Widths offered below the largest (twice the column, 1360 px): 480 for a
# phone's column (about 350 px) at 1x, 680 for the desktop column at 1x and a
# phone at about 2x, 1024 between. A width within 10% of the largest is left
# out.
STEPS = (480, 680, 1024)
CLOSE = 0.9
# Encoder settings: qualities commonly used for photos on the web (AVIF
# 50-60, WebP 75-80, JPEG about 80), JPEG progressive. AVIF's speed 8 made
# files within 3% of speed 6's in a fifth of the time (the test photos at
# 680 and 1360 px).
AVIF = {"quality": 55, "speed": 8}
WEBP = {"quality": 78, "method": 4}
JPEG = {"quality": 82, "optimize": True, "progressive": True}
PNG: dict = {}
# The formats Pillow writes that a browser shows, as Pillow names them.
WEB_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
               "GIF": ("gif", "image/gif"), "WEBP": ("webp", "image/webp"),
               "AVIF": ("avif", "image/avif")}
MODERN = ("AVIF", "WEBP")
SAVE_OPTIONS = {"AVIF": AVIF, "WEBP": WEBP, "JPEG": JPEG, "PNG": PNG, "GIF": {}}
# Phone cameras write JPEGs that Pillow reads as MPO (a JPEG with a preview).
SAME_AS = {"MPO": "JPEG"}
SCRATCH_PREFIX = "expectedwrong-scratch-"


@dataclass(frozen=True)
class Column:
    """The reading column: its width and side gutter in rem (expectedwrong.css)."""

    measure_rem: float
    gutter_rem: float

    def width(self, root_px: int = ROOT_PX[0][1]) -> int:
        return round(self.measure_rem * root_px)


@dataclass(frozen=True)
class Variant:
    """One derived file: its format, size and name in the cache entry
    (None for the source itself, served as it is)."""

    format: str
    width: int
    height: int
    name: str | None


@dataclass(frozen=True)
class Derived:
    """What an image is and the files made from it."""

    kind: str  # "raster", "animated", "svg", "other" or "broken"
    width: int | None
    height: int | None
    variants: tuple[Variant, ...] = ()
    # Why a "broken" image could not be read.
    problem: str | None = None

    def of(self, format: str) -> list[Variant]:
        return [variant for variant in self.variants if variant.format == format]


# -- Events -------------------------------------------------------------------


# The build's state: media files by address, derived files to copy, scratch
# folders of failed `mkdocs serve` rebuilds.
_media: dict[str, File] = {}
_copies: dict[str, Path] = {}
_derived: dict[str, Derived] = {}
_keys: dict[str, str] = {}
# Posts whose missing images `on_pre_build` has reported.
_reported: set[str] = set()
# The reading column, read from the stylesheet once a build.
_columns: dict[str, Column] = {}
_scratch: list[str] = []
# The project's folder, as a writer sees paths from it (once per build: the
# path resolved, a look at each of its folders).
_root: list[Path] = []


# Under `mkdocs serve`, each post's images as the last build found them, by
# path: its file's bytes, `image_targets` of its body and the file line the
# body starts on. hooks/cache.py's `source_bytes` gives the same bytes
# object while a file is unchanged, so a save scans only the posts that did.
_scanned: dict[str, tuple[bytes, list[tuple[int, str]], int]] = {}


def _post_targets(path: str) -> tuple[bytes, list[tuple[int, str]], int]:
    data = cache.source_bytes(path, keep=serving())
    kept = _scanned.get(path)
    if kept is not None and kept[0] is data:
        return kept
    body, first_line = post_body(decoded(data, errors="replace"))
    return data, image_targets(body), first_line


# After hooks/front_matter.py (0) has checked the front matter.
@event_priority(-10)
def on_pre_build(*, config: MkDocsConfig) -> None:
    root = Path(config.config_file_path or ".").resolve().parent
    docs = Path(config.docs_dir).resolve()
    posts = docs / POSTS_DIR
    for state in (_copies, _derived, _keys, _reported, _columns, _root):
        state.clear()
    _root.append(root)
    lines = []
    scanned = {}
    for path in post_files(posts):
        data, found, first_line = _post_targets(str(path))
        if serving():
            scanned[str(path)] = (data, found, first_line)
        for line, target in missing_targets(found, path.parent, docs, first_line):
            _reported.add(str(path))
            lines.append(missing_line(display_path(path, root), line, target,
                                      display_path(path.parent / local_path(target), root)))
    _scanned.clear()
    _scanned.update(scanned)
    if not lines:
        return None
    for line in lines[:-1]:
        log.error(line)
    if not serving():
        raise PluginError(lines[-1])
    log.error(lines[-1])
    log.error("Not rebuilt: the last good site is still served until the image is there.")
    if not Path(config.site_dir).name.startswith(SCRATCH_PREFIX):
        config.site_dir = tempfile.mkdtemp(prefix=SCRATCH_PREFIX)
        _scratch.append(config.site_dir)
    return None


# After hooks/blog.py (-50) has published the files beside the posts.
@event_priority(-90)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files | None:
    _media.clear()
    _media.update((file.dest_uri, file) for file in files.media_files())
    return None


def on_page_content(
    html_text: str, /, *, page: Page, config: MkDocsConfig, files: Files
) -> str | None:
    if not isinstance(page, Post) or "<img" not in html_text:
        return None
    root = _root[0] if _root else Path(config.config_file_path or ".").resolve().parent
    post = display_path(Path(page.file.abs_src_path), root)
    column = _column(config)
    settings = Settings(max_width=2 * column.width())
    first = True
    out, done = [], 0
    for match in IMG_TAG.finditer(html_text):
        if inside_picture(html_text, match.start()):
            continue  # the writer's own <picture>: left as written
        attrs = parse_attributes(match.group(0))
        new = _image(attrs, page, post, root, settings, column, first)
        first = False
        out += [html_text[done:match.start()], new]
        done = match.end()
    return "".join([*out, html_text[done:]])


def on_post_build(*, config: MkDocsConfig) -> None:
    for dest, source in _copies.items():
        target = Path(config.site_dir, dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        publish(Path(source), target)
    return None


def publish(cached: Path, target: Path) -> None:
    """A derived image into the site (hooks/cache.py `place`)."""
    cache.place(cached, target, link=serving())


def on_shutdown() -> None:
    for folder in _scratch:
        shutil.rmtree(folder, ignore_errors=True)
    return None


def _image(attrs: dict, page: Page, post: str, root: Path, settings: Settings,
           column: Column, first: bool) -> str:
    """The markup for one `<img>` of a post."""
    src = attrs.get("src") or ""
    file = _media.get(resolve(page.url, src))
    name = (posixpath.relpath(file.src_uri, posixpath.dirname(page.file.src_uri))
            if file else src)
    if not (attrs.get("alt") or "").strip():
        log.warning(no_alt_line(post, name))
    if file is None:
        if is_local(src) and str(Path(page.file.abs_src_path).resolve()) not in _reported:
            line = missing_line(post, None, src, src)
            if not serving():
                raise PluginError(line)
            log.error(line)
        return img_tag(lazy(attrs, first))
    derived = _derive(file, root, settings)
    if derived.kind == "broken":
        log.warning(unreadable_line(post, name, derived.problem))
    prefix = posixpath.splitext(file.dest_uri)[0]
    urls = {}
    for variant in derived.variants:
        if variant.name is None:
            urls[variant] = src
            continue
        dest = derived_uri(prefix, variant, _cache_key(file, settings))
        _copies[dest] = cache_root(root) / _cache_key(file, settings) / variant.name
        urls[variant] = get_relative_url(dest, page.url)
    return picture(attrs, derived, urls, column, first)


def _derive(file: File, root: Path, settings: Settings) -> Derived:
    """The derived files of `file`, made once per build and kept in the cache."""
    path = file.abs_src_path
    if path not in _derived:
        key = _cache_key(file, settings)
        _derived[path] = derive(Path(path), cache_root(root) / key, settings)
    return _derived[path]


def _cache_key(file: File, settings: Settings) -> str:
    """The source's cache key, hashed once per build."""
    if file.abs_src_path not in _keys:
        _keys[file.abs_src_path] = cache_key(Path(file.abs_src_path).read_bytes(), settings)
    return _keys[file.abs_src_path]


def _column(config: MkDocsConfig) -> Column:
    if STYLESHEET not in _columns:
        _columns[STYLESHEET] = _read_column(config)
    return _columns[STYLESHEET]


def _read_column(config: MkDocsConfig) -> Column:
    for folder in config.theme.dirs:
        path = Path(folder, STYLESHEET)
        if path.is_file():
            try:
                return column_from_css(path.read_text(encoding="utf-8"))
            except ValueError as error:
                raise PluginError(f"{STYLESHEET}: {error}") from None
    raise PluginError(f"hooks/images.py: found no {STYLESHEET} in the theme; "
                      "expected overrides/ to hold it")


def cache_root(root: Path) -> Path:
    return root / CACHE_DIR


# -- Pure helpers: the column and the widths ----------------------------------


@dataclass(frozen=True)
class Settings:
    """Everything besides the source's bytes that decides the derived files."""

    max_width: int
    steps: tuple[int, ...] = STEPS
    avif: tuple = tuple(sorted(AVIF.items()))
    webp: tuple = tuple(sorted(WEBP.items()))
    jpeg: tuple = tuple(sorted(JPEG.items()))


_TOKEN = r"--ew-{name}\s*:\s*([0-9.]+)rem\s*;"


def column_from_css(css: str) -> Column:
    """The reading column from the stylesheet's `--ew-measure` and
    `--ew-gutter` tokens, both in rem."""
    values = {}
    for name in ("measure", "gutter"):
        match = re.search(_TOKEN.format(name=name), css)
        if match is None:
            raise ValueError(f"--ew-{name}: found no such token in rem; expected "
                             f"`--ew-{name}: <number>rem;` in :root")
        values[name] = float(match.group(1))
    return Column(values["measure"], values["gutter"])


def sizes(display: int, column: Column) -> str:
    """The `sizes` of an image `display` CSS pixels wide at most, in the
    column: the column's width at each of Material's root font sizes, and
    the viewport less the gutters where that is narrower."""
    parts = []
    for (start, root_px) in reversed(ROOT_PX[1:]):
        parts.append((ROOT_BREAKPOINTS_EM[start], min(display, column.width(root_px))))
    narrow = min(display, column.width())
    gutters = round(2 * column.gutter_rem * ROOT_PX[0][1])
    parts.append((f"{narrow + gutters}px", narrow))
    shown, last = [], None
    for query, width in parts:
        if width != last:
            shown.append(f"(min-width: {query}) {width}px")
        else:
            shown[-1] = f"(min-width: {query}) {width}px"
        last = width
    return ", ".join([*shown, f"calc(100vw - {gutters}px)"])


def widths(source: int, settings: Settings) -> list[int]:
    """The widths an image `source` pixels wide is offered at: the steps
    well below its largest, then the largest (the source's width, or the
    maximum when it is wider). Never wider than the source."""
    top = min(source, settings.max_width)
    return [step for step in settings.steps if step <= top * CLOSE] + [top]


def scaled(width: int, source: tuple[int, int]) -> tuple[int, int]:
    """`width` and the height that keeps the aspect ratio of `source`."""
    return width, max(1, round(width * source[1] / source[0]))


def cache_key(source: bytes, settings: Settings) -> str:
    """The cache entry's name: a hash of the source's bytes, the settings,
    this code's version and Pillow's (its encoders make the bytes)."""
    digest = hashlib.sha256(source)
    digest.update(json.dumps([dataclasses.astuple(settings), CODE_VERSION,
                              PIL.__version__]).encode())
    return digest.hexdigest()[:32]


def derived_uri(prefix: str, variant: Variant, key: str) -> str:
    """Where a derived file is published: beside the source, named after
    it, its width and its entry (a changed image gets new addresses)."""
    extension = WEB_FORMATS[variant.format][0]
    return f"{prefix}-{variant.width}w.{key[:10]}.{extension}"


# -- Pure helpers: finding images ---------------------------------------------


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)")
_REFERENCE = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\[([^\]]*)\]")
_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)", re.M)
_HTML_IMG = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def image_targets(markdown: str) -> list[tuple[int, str]]:
    """The line and target of every image in Markdown text: `![alt](x)`,
    `![alt][ref]` with its `[ref]: x`, and `<img src="x">`; code (fenced
    blocks, spans) is left out."""
    if "![" not in markdown and "<img" not in markdown.lower():
        return []
    lines = _without_code(markdown.split("\n"))
    definitions = {label.lower(): _bare(target)
                   for label, target in _DEFINITION.findall("\n".join(lines))}
    found = []
    for number, line in enumerate(lines, start=1):
        found += [(number, _bare(target)) for target in _INLINE.findall(line)]
        for alt, label in _REFERENCE.findall(line):
            target = definitions.get((label or alt).lower())
            if target is not None:
                found.append((number, target))
        found += [(number, next(g for g in groups if g)) for groups in _HTML_IMG.findall(line)
                  if any(groups)]
    return found


def _without_code(lines: list[str]) -> list[str]:
    """Lines with fenced code blocks and code spans blanked out."""
    out, fence = [], None
    for line in lines:
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            out.append("")
        elif fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip(fence[0]).strip():
                fence = None
            out.append("")
        else:
            out.append(_CODE_SPAN.sub("", line))
    return out


def _bare(target: str) -> str:
    return target[1:-1] if target.startswith("<") and target.endswith(">") else target


def is_local(target: str) -> bool:
    """Whether a link target is a file of the site, given by relative path."""
    return bool(target) and not (_SCHEME.match(target) or target.startswith(("/", "#")))


def local_path(target: str) -> str:
    """A relative link target as a path: no query or fragment, unquoted."""
    return unquote(re.split(r"[?#]", target, maxsplit=1)[0])


def post_body(text: str) -> tuple[str, int]:
    """A post's Markdown after its front matter, and the file line it starts on."""
    match = YAML_RE.match(text)
    if match is None:
        return text, 1
    return text[match.end():], text.count("\n", 0, match.end()) + 1


def missing_images(markdown: str, folder: Path, docs: Path,
                   first_line: int = 1) -> list[tuple[int, str]]:
    """The images of a post in `folder` that are no file under `docs`, with
    their file lines (the Markdown starting on `first_line`)."""
    return missing_targets(image_targets(markdown), folder, docs, first_line)


def missing_targets(targets: list[tuple[int, str]], folder: Path, docs: Path,
                    first_line: int = 1) -> list[tuple[int, str]]:
    """Of `image_targets`, those that are no file under `docs`."""
    missing = []
    for line, target in targets:
        if not is_local(target):
            continue
        path = (folder / local_path(target)).resolve()
        if not (path.is_file() and path.is_relative_to(docs)):
            missing.append((line + first_line - 1, target))
    return missing


def missing_line(post: str, line: int | None, target: str, path: str) -> str:
    where = f"{post}:{line}" if line else post
    return (f"{where}: image: found {target}, but there is no file {path}; "
            "expected an image file at that path, beside the post")


def no_alt_line(post: str, image: str) -> str:
    return (f"{post}: image: found {image} without alt text; expected a few words "
            f"saying what it shows, ![like this]({image})")


def unreadable_line(post: str, image: str, problem: str | None) -> str:
    return (f"{post}: image: found {image}, which cannot be read as an image ({problem}); "
            "expected a JPEG, PNG, GIF, WebP, AVIF or SVG file")


def resolve(page_url: str, src: str) -> str:
    """The site path of an `src` written on the page at `page_url`."""
    if not is_local(src):
        return ""
    joined = urljoin("http://site/" + page_url, src)
    return local_path(joined[len("http://site/"):])


# -- Pure helpers: the markup -------------------------------------------------


IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)
_ATTRIBUTE = re.compile(
    r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def parse_attributes(tag: str) -> dict[str, str | None]:
    """The attributes of a start tag, names lowercased, values unescaped."""
    inner = tag[len("<img"):].rstrip(">").rstrip("/")
    attrs: dict[str, str | None] = {}
    for name, double, single, bare in _ATTRIBUTE.findall(inner):
        value = double or single or bare
        has_value = "=" in inner and (double or single or bare or _empty_value(inner, name))
        attrs.setdefault(name.lower(), html.unescape(value) if has_value else None)
    return attrs


def _empty_value(inner: str, name: str) -> bool:
    return re.search(rf"""(?:^|\s){re.escape(name)}\s*=\s*(?:""|'')""", inner) is not None


def inside_picture(text: str, position: int) -> bool:
    """Whether `position` of the HTML `text` is inside a `<picture>`."""
    start = text.rfind("<picture", 0, position)
    return start != -1 and text.find("</picture>", start, position) == -1


def lazy(attrs: dict, first: bool) -> dict:
    """`attrs` with `decoding="async"`, and `loading="lazy"` unless first;
    a writer's own `loading` or `decoding` stays."""
    out = dict(attrs)
    out.setdefault("decoding", "async")
    if not first:
        out.setdefault("loading", "lazy")
    return out


def img_tag(attrs: dict) -> str:
    parts = [name if value is None else f'{name}="{html.escape(value)}"'
             for name, value in attrs.items()]
    return "<img " + " ".join(parts) + ">"


def with_size(attrs: dict, size: tuple[int, int]) -> dict:
    """`attrs` with `width` and `height`: the image's, or the writer's width
    (or height) with the other to keep the aspect ratio."""
    out = dict(attrs)
    width, height = _number(attrs.get("width")), _number(attrs.get("height"))
    if width and not height:
        out["height"] = str(scaled(width, size)[1])
    elif height and not width:
        out["width"] = str(max(1, round(height * size[0] / size[1])))
    elif not (width and height):
        out["width"], out["height"] = str(size[0]), str(size[1])
    return out


def _number(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() and int(value) > 0 else None


def srcset(variants: list[Variant], urls: dict) -> str:
    return ", ".join(f"{urls[variant]} {variant.width}w" for variant in variants)


def picture(attrs: dict, derived: Derived, urls: dict, column: Column, first: bool) -> str:
    """The markup for an image: a `<picture>` for a raster image, else the
    `<img>` with its size when it is known."""
    attrs = lazy(attrs, first)
    if derived.kind != "raster":
        if derived.width and derived.height:
            attrs = with_size(attrs, (derived.width, derived.height))
        return img_tag(attrs)
    own = derived_fallback(derived)
    fallback = derived.of(own)
    attrs = with_size(attrs, (fallback[-1].width, fallback[-1].height))
    shown = sizes(_number(attrs.get("width")) or fallback[-1].width, column)
    sources = "".join(
        f'<source type="{WEB_FORMATS[format][1]}" '
        f'srcset="{html.escape(srcset(derived.of(format), urls))}" sizes="{shown}">'
        for format in MODERN if format != own)
    rest = {name: value for name, value in attrs.items() if name not in ("src", "srcset", "sizes")}
    alt = {"alt": rest.pop("alt")} if "alt" in rest else {}
    img = {**alt, "src": urls[fallback[-1]],
           **({"srcset": srcset(fallback, urls), "sizes": shown} if len(fallback) > 1 else {}),
           **rest}
    return f"<picture>{sources}{img_tag(img)}</picture>"


def derived_fallback(derived: Derived) -> str:
    """The format of the fallback: the last variant's, the source's own."""
    return derived.variants[-1].format


# -- Making the files ---------------------------------------------------------


def derive(source: Path, entry: Path, settings: Settings) -> Derived:
    """The derived files of the image at `source`, kept in the cache folder
    `entry` with a manifest; read back when the entry is already there."""
    manifest = entry / "manifest.json"
    if manifest.is_file():
        return _read_manifest(manifest)
    entry.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=entry.name + ".", dir=entry.parent))
    try:
        derived = make_variants(source, work, settings)
        (work / "manifest.json").write_text(json.dumps(dataclasses.asdict(derived)),
                                            encoding="utf-8")
        try:
            work.rename(entry)
        except OSError:
            # Another build made the same entry meanwhile: theirs is as good.
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _read_manifest(manifest)


def _read_manifest(path: Path) -> Derived:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["variants"] = tuple(Variant(**variant) for variant in data["variants"])
    return Derived(**data)


def make_variants(source: Path, folder: Path, settings: Settings) -> Derived:
    """Write the derived files of `source` into `folder`; what was made."""
    if source.suffix.lower() == ".svg":
        size = svg_size(source.read_bytes())
        return Derived("svg", *(size or (None, None)))
    try:
        with Image.open(source) as image:
            format = SAME_AS.get(image.format, image.format)
            animated = getattr(image, "is_animated", False) and image.format != "MPO"
            size = _oriented_size(image)
            if animated or format not in WEB_FORMATS:
                return Derived("animated" if animated else "other", *size)
            return Derived("raster", *size, _encode(image, format, size, folder, settings))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        # Pillow's errors for a file that is no image, or a damaged one.
        return Derived("broken", None, None, problem=str(error) or type(error).__name__)


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    """The size as shown: EXIF orientations 5 to 8 turn the image a quarter."""
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _encode(image: Image.Image, format: str, size: tuple[int, int], folder: Path,
            settings: Settings) -> tuple[Variant, ...]:
    chosen = widths(size[0], settings)
    if format == "JPEG":
        # Decode at the smallest scale (1/2, 1/4, 1/8) still at least as big.
        scale = chosen[-1] / size[0]
        image.draft("RGB", (math.ceil(image.size[0] * scale), math.ceil(image.size[1] * scale)))
    icc = image.info.get("icc_profile")
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    picture_ = ImageOps.exif_transpose(image).convert("RGBA" if alpha else "RGB")
    formats = (*[f for f in MODERN if f != format], format)
    made: dict[tuple[str, int], Variant] = {}
    # Largest first, each width resized from the one above: one full-size
    # resize per image, then small ones.
    for width in reversed(chosen):
        picture_ = _resized(picture_, scaled(width, size))
        for format_ in formats:
            if format_ == format and width == size[0]:
                made[format_, width] = Variant(format_, *picture_.size, None)
                continue
            name = f"{width}.{WEB_FORMATS[format_][0]}"
            options = dict(SAVE_OPTIONS[format_])
            if icc:
                options["icc_profile"] = icc
            picture_.save(folder / name, format_, **options)
            made[format_, width] = Variant(format_, *picture_.size, name)
    return tuple(made[format_, width] for format_ in formats for width in chosen)


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def svg_size(data: bytes) -> tuple[int, int] | None:
    """The `width` and `height` an SVG declares on its root, in pixels
    (plain numbers or px), or None."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None
    width, height = (_LENGTH.match(root.get(name) or "") for name in ("width", "height"))
    if not (width and height):
        return None
    size = round(float(width.group(1))), round(float(height.group(1)))
    return size if all(size) else None
