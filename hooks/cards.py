"""Social cards: the picture a shared link to a page shows (`og:image`).

Every post gets a 1200x630 PNG at `posts/<slug>/card.png`, drawn by
hooks/card_layout.py from its front matter and reading stats in the blog's
own look: the wordmark and section, the title, the deck, the read time. A
post with `image:` in its front matter (checked by hooks/front_matter.py)
shares that picture instead: its cover, which blog-post.html shows above the
body. Every other page (the home page, listings, tags) shares the site's
card at `card.png`: the wordmark, the section and the site's description.

Cards are cached in `.cache/cards/` beside mkdocs.yml, each named by a hash
of all it is drawn from: its text, the bytes of the font files, the drawing
code (this file and card_layout.py), Pillow's version and the size. An
unchanged post costs a hash and a file copy; a stale card is never served.
Under `mkdocs build`, every post's card is worked out at `on_env`, when the
posts are read (`publish_posts`): past the first few, missing cards are
drawn by worker processes, which copy each into the site too, and cached
ones are copied into the site by a forked process of their own, while
MkDocs renders the pages; both are waited for in `on_post_build`, where
the build's own process draws the cards of the tasks no worker has started
(`draw_left`). The workers make the posts' search entries first
(hooks/ahead.py).

Writes `page.meta["card"]` (`url`, absolute; `width`, `height`, `alt`,
`type`) on posts, and `page.meta["cover"]` (`src`, site-relative; `width`,
`height`, `alt`) on posts with a cover; sets the Jinja global `site_card`.
overrides/partials/ew-head-meta.html, overrides/blog-post.html and
hooks/blog_pages.py (the BlogPosting's `image`) read them.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import posixpath
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import ahead
import cache
import fontpkg_noto_serif
import manimgx_fonts
import manimgx_fonts_cjk
import PIL
import site_files
import zlib_ng
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from PIL import Image
from posts import Post, current, serving

import card_layout
from card_layout import SIZE, Card, Fonts

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.expectedwrong.cards")
# Beside mkdocs.yml; `make clean` removes .cache/.
CACHE_DIR = Path(".cache") / "cards"
CARD_FILE = "card.png"
# Missing cards drawn in the build process itself before workers are
# started: a card takes about 5 ms of CPU, starting the workers about 17 ms
# (forking a process of 150 MB, twice), and a saved post under `mkdocs
# serve` needs one.
INLINE_MISSES = 8
# Fewer cached cards to copy than this and they are copied by the build's
# own process: forking it costs about as much as creating 30 files.
MIN_COPIES = 32
# Cards handed to a worker as one task: each task costs the build's own
# process a round of pickling and thread hand-offs (its pool's threads),
# and the tasks a worker has taken (up to three: one at work, two queued)
# are what the build waits for once it has drawn the others (`draw_left`).
BATCH = 12
FONT_DIR = Path(manimgx_fonts.__file__).parent
FONTS = Fonts(
    serif=fontpkg_noto_serif.ROOT / "files" / "NotoSerif[wdth,wght].ttf",
    sans=FONT_DIR / "NotoSans[wght].ttf",
    cjk=Path(manimgx_fonts_cjk.__file__).parent / "NotoSansCJK-VF.otf.ttc",
    # The faces of Noto Sans CJK's collection, in its order.
    cjk_faces={"JP": 0, "KR": 1, "SC": 2},
    fallbacks=(FONT_DIR / "NotoSansSymbols[wght].ttf", FONT_DIR / "NotoEmoji[wght].ttf"),
)
CODE = (Path(__file__), Path(card_layout.__file__))


@dataclass
class Build:
    """What one build has drawn or is drawing."""

    cache: Path
    site_dir: Path
    site_url: str
    files: Files | None = None
    misses: int = 0
    pool: concurrent.futures.ProcessPoolExecutor | None = None
    # (drawing, the posts' paths, its cards) of each task handed over.
    pending: list = field(default_factory=list)
    # (card, cached file, copies, the post's path) not handed over yet.
    batch: list = field(default_factory=list)
    # The names of the cached cards this build uses, and how many posts it
    # gave a card or cover (all of them, unless `--dirty` left some out).
    used: set = field(default_factory=set)
    posts: int = 0
    # Under `mkdocs build`: each post's card meta, by source, made at
    # on_env; the cached cards to copy into the site meanwhile, while they
    # are being noted (`copies` not None), and the process copying them.
    cards: dict = field(default_factory=dict)
    copies: list | None = None
    copier: tuple | None = None


_build: Build | None = None


def on_config(config: MkDocsConfig) -> None:
    global _build
    root = Path(config.config_file_path or ".").resolve().parent
    _build = Build(root / CACHE_DIR, Path(config.site_dir), config.site_url or "")
    return None


@event_priority(-70)
def on_files(files: Files, /, *, config: MkDocsConfig) -> None:
    _build.files = files
    _build.site_dir = Path(config.site_dir)
    return None


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> None:
    card = site_card(config)
    env.globals["site_card"] = {
        **publish(card, CARD_FILE, "the site"),
        "alt": f"{card.wordmark} {card.section}: {card.title}",
    }
    if not serving() and sys.platform == "linux":
        publish_posts(config)
    return None


def publish_posts(config: MkDocsConfig) -> None:
    """Under `mkdocs build`, every post's card now that every post is read
    (a card is drawn from the front matter and the read time): the missing
    ones handed to the workers at once, and the cached ones copied into the
    site by a process of their own while the build renders the pages
    (creating a thousand files took about 0.4 s of a warm build's process)."""
    _build.copies = []
    try:
        for post in current().posts:
            if post.meta.get("image"):
                continue
            card = post_card(config, post.meta)
            target = posixpath.join(posixpath.dirname(post.file.dest_uri), CARD_FILE)
            _build.cards[post.file.src_uri] = {**publish(card, target, post.file.src_path),
                                               "alt": card_alt(card)}
    finally:
        noted, _build.copies = _build.copies, None
    # A card the site holds from the last build is kept (hooks/site_files.py).
    noted = [note for note in noted if not site_files.kept_copy(note[1], note[2])]
    copies = [(cached, destination) for _, cached, destination, _ in noted if cached.is_file()]
    if len(copies) >= MIN_COPIES:
        # Forked before the card workers start: nothing of theirs is copied.
        receiving, sending = multiprocessing.Pipe(duplex=False)
        process = multiprocessing.get_context("fork").Process(
            target=copy_all, args=(copies, sending), daemon=True)
        process.start()
        sending.close()
        _build.copier = (process, receiving)
        log.debug(f"{len(copies)} cached cards copied into the site by a process of their own")
        copying = {destination for _, destination in copies}
        for cached, destination in copies:
            site_files.expect_copy(cached, destination)
        noted = [note for note in noted if note[2] not in copying]
    for card, cached, destination, source in noted:
        place(card, cached, destination, source)
    hand_over()


def copy_all(copies: list[tuple[Path, Path]], sending) -> None:
    """In the copying process: each cached card into the site; sends None,
    or the first error as a line."""
    failed = None
    try:
        for cached, destination in copies:
            copy(cached, destination)
    except OSError as error:
        failed = f"{destination}: card: could not be copied into the site ({error})"
    sending.send(failed)
    sending.close()


def wait_for_copier() -> None:
    """The copying process's end: a PluginError naming what failed."""
    if _build.copier is None:
        return
    process, receiving = _build.copier
    _build.copier = None
    try:
        failed = receiving.recv()
    except EOFError:
        failed = "the site: card: the process copying the cards ended early"
    finally:
        receiving.close()
        process.join()
    if failed:
        raise PluginError(failed)


# Before hooks/blog_pages.py, whose BlogPosting shows the card.
@event_priority(10)
def on_page_context(context: dict, /, *, page: Page, config: MkDocsConfig, nav) -> None:
    if not isinstance(page, Post):
        return None
    _build.posts += 1
    meta = page.meta
    if meta.get("image"):
        page.meta["cover"] = cover(page, _build.files)
        page.meta["card"] = {**page.meta["cover"], "url": absolute(page.meta["cover"]["src"])}
        return None
    known = _build.cards.get(page.file.src_uri)
    if known is not None:
        page.meta["card"] = known
        return None
    card = post_card(config, meta)
    target = posixpath.join(posixpath.dirname(page.file.dest_uri), CARD_FILE)
    page.meta["card"] = {**publish(card, target, page.file.src_path), "alt": card_alt(card)}
    return None


# Before Material's search plugin (0) writes its index: the workers are
# gone before the build's largest step (at 10,000 posts, 120 MiB less).
# After hooks/feeds.py (50), which the build's process writes meanwhile.
@event_priority(40)
def on_post_build(*, config: MkDocsConfig) -> None:
    try:
        wait_for_copier()
        hand_over()
        draw_left()
        for drawing, sources, _ in _build.pending:
            try:
                failed = drawing.result()
            except Exception as e:  # a worker that ended, shown as one line
                raise PluginError(f"{sources[0]}: card: could not be drawn ({e})") from e
            if failed is not None:
                number, error = failed
                raise PluginError(f"{sources[number]}: card: could not be drawn ({error})")
    finally:
        stop()
    if not serving() and _build.posts >= len(current().posts):
        prune(_build.cache, _build.used)
    return None


def prune(folder: Path, used: set[str]) -> None:
    """Remove the cards of `folder` that a whole build did not use (a
    post's old title, an old read time), so the cache holds one site's
    cards. Under `mkdocs serve`, which may show drafts `mkdocs build` leaves
    out, nothing is removed."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.endswith(".png") and name not in used:
            (folder / name).unlink(missing_ok=True)


def on_build_error(*, error: Exception) -> None:
    stop()
    return None


def stop() -> None:
    if _build and _build.copier:
        process, receiving = _build.copier
        _build.copier = None
        process.terminate()
        process.join()
        receiving.close()
    if _build and _build.pool:
        _build.pool.shutdown(cancel_futures=True)
        _build.pool = None
    if _build:
        _build.pending.clear()
        _build.batch.clear()


def publish(card: Card, target: str, source: str) -> dict:
    """Put `card` at `target` in the site, from the cache or drawn; its meta.
    While `publish_posts` notes them, both are left for it to do."""
    cached = _build.cache / f"{card_key(card)}.png"
    _build.used.add(cached.name)
    destination = _build.site_dir / target
    if _build.copies is not None:
        _build.copies.append((card, cached, destination, source))
    else:
        place(card, cached, destination, source)
    width, height = SIZE
    return {"url": absolute(target), "width": width, "height": height, "type": "image/png"}


def place(card: Card, cached: Path, destination: Path, source: str) -> None:
    """`card` into the site at `destination`: a copy of `cached`, or drawn
    there first."""
    if cached.is_file():
        copy(cached, destination)
    else:
        _build.cache.mkdir(parents=True, exist_ok=True)
        _build.misses += 1
        if not draw_later(card, cached, destination, source):
            try:
                card_layout.save(card, FONTS, cached)
            except Exception as e:  # a font or Pillow error, shown as one line
                raise PluginError(f"{source}: card: could not be drawn ({e})") from e
            copy(cached, destination)
        else:
            site_files.expect_copy(cached, destination)


def draw_later(card: Card, cached: Path, destination: Path, source: str) -> bool:
    """Note a missing card for the workers, which draw it into the cache and
    copy it to `destination` in the site, BATCH cards a task (`hand_over`);
    they are started on the first miss past INLINE_MISSES; False to draw it
    now. Workers are forked, and only under
    `mkdocs build` on Linux: `mkdocs serve` runs threads, which a fork
    would copy mid-step, and other systems start processes slowly."""
    if _build.misses <= INLINE_MISSES or serving() or sys.platform != "linux":
        return False
    # Workers find `save` by its module's name, which hooks/serve_reload.py
    # takes out of sys.modules at every build.
    sys.modules.setdefault(card_layout.__name__, card_layout)
    if _build.pool is None:
        # One CPU is the build's own, which renders the pages meanwhile: one
        # worker more than the other CPUs slows it (3 processes on 2 CPUs)
        # and draws no sooner than it is done.
        _build.pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=card_workers(os.cpu_count()),
            mp_context=multiprocessing.get_context("fork"), initializer=card_layout.ready_worker)
        # The posts' search entries first (hooks/ahead.py): the build needs
        # them as it renders, the cards only at its end.
        sys.modules.setdefault(ahead.__name__, ahead)
        ahead.hand(_build.pool)
    _build.batch.append((card, cached, (destination,), source))
    if len(_build.batch) >= BATCH:
        hand_over()
    return True


def hand_over() -> None:
    """The cards noted for the workers, as one task."""
    if not _build.batch:
        return
    batch, _build.batch = _build.batch, []
    cards = [item[:3] for item in batch]
    drawing = _build.pool.submit(card_layout.save_all, cards, FONTS)
    _build.pending.append((drawing, [item[3] for item in batch], cards))


def draw_left() -> None:
    """Once the pages are rendered, the tasks no worker has started yet are
    drawn by the build's own process, the last first, while the workers
    draw the others: where the worker has more to do than the rendering
    (a slower CPU, or the posts' search entries first), both end together
    instead of the build waiting (about 0.6 s at 1,000 posts on a slow
    machine)."""
    while _build.pending:
        drawing, sources, cards = _build.pending[-1]
        if not drawing.cancel():
            return
        _build.pending.pop()
        for number, (card, cached, copies) in enumerate(cards):
            try:
                card_layout.save(card, FONTS, cached)
            except Exception as e:  # a font or Pillow error, shown as one line
                raise PluginError(f"{sources[number]}: card: could not be drawn ({e})") from e
            for destination in copies:
                copy(cached, destination)
        log.debug(f"{len(cards)} cards drawn here instead of by a worker")


def card_workers(cpus: int | None) -> int:
    """Card workers: one per CPU but the build's own, and at least one."""
    return max((cpus or 1) - 1, 1)


def copy(cached: Path, destination: Path) -> None:
    """A cached card into the site (hooks/cache.py `place`)."""
    cache.place(cached, destination, link=serving())


def absolute(path: str) -> str | None:
    """A site path as an absolute URL; None without `site_url`."""
    return joined(_build.site_url, path) if _build.site_url else None


# Every rebuild of `mkdocs serve` asks again for each post's card address.
@functools.lru_cache(maxsize=16384)
def joined(base: str, path: str) -> str:
    return urljoin(base, path)


def cover(page: Page, files: Files) -> dict:
    """A post's own image (front matter `image:`, a path beside the post)."""
    meta = page.meta
    src_uri = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri),
                                                meta["image"]))
    file = files.get_file_from_path(src_uri) if files else None
    if file is None:
        raise PluginError(f"{page.file.src_path}: image: found {meta['image']!r}, which is "
                          "not published with the site; expected an image beside the post")
    with Image.open(file.abs_src_path) as image:
        width, height = image.size
        kind = Image.MIME.get(image.format or "", "image/png")
    return {"src": file.url, "width": width, "height": height, "alt": meta["image_alt"],
            "type": kind}


# -- Pure helpers -------------------------------------------------------------


def post_card(config: MkDocsConfig, meta: dict) -> Card:
    """A post's card: the header as the site shows it, title, deck, read time."""
    reading = meta["reading"]
    words = reading["words"]
    return Card(
        wordmark=config.site_name,
        section=str(config.extra.get("section") or ""),
        title=str(meta.get("title") or ""),
        deck=str(meta.get("description") or ""),
        meta=f"{reading['minutes']} min read \u00b7 {words:,} {'word' if words == 1 else 'words'}",
        footer=urlsplit(config.site_url or "").netloc,
    )


def site_card(config: MkDocsConfig) -> Card:
    """The card of every page that is not a post: the site's description."""
    url = urlsplit(config.site_url or "")
    return Card(
        wordmark=config.site_name,
        section=str(config.extra.get("section") or ""),
        title=config.site_description or config.site_name,
        meta=(url.netloc + url.path).rstrip("/"),
    )


def card_alt(card: Card) -> str:
    """What the card shows, for readers who cannot see it."""
    return f"{card.title} ({card.wordmark} {card.section}, {card.meta})"


def card_key(card: Card) -> str:
    """The cache name of a card: a hash of all it is drawn from (kept in
    hooks/cache.py by the card's text, for the drawing code's version)."""
    memo = cache.table("card-keys")
    text = (tuple(getattr(card, f.name) for f in fields(card)), _drawn_with_text())
    found = memo.get(text)
    if found is None:
        # A card's fields are strings: its dict as dataclasses.asdict makes
        # it, without asdict's deep copy (a third of this function's time).
        inputs = {"card": {f.name: getattr(card, f.name) for f in fields(card)}, **_drawn_with()}
        found = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:32]
        memo.put(text, found)
    return found


@functools.cache
def _drawn_with_text() -> str:
    return json.dumps(_drawn_with(), sort_keys=True)


@functools.cache
def _drawn_with() -> dict:
    """What every card is drawn with: the size, the fonts' and the code's
    digests, Pillow's and zlib-ng's versions. Once per build: hooks/serve_reload.py reads
    this module again for every build of `mkdocs serve`."""
    return {
        "size": SIZE,
        "fonts": [file_digest(path) for path in font_files(FONTS)],
        "code": [file_digest(path) for path in CODE],
        "pillow": PIL.__version__,
        "zlib-ng": zlib_ng.__version__,
    }


def font_files(fonts: Fonts) -> list[Path]:
    return [fonts.serif, fonts.sans, fonts.cjk, *fonts.fallbacks]


def file_digest(path: Path) -> str:
    stat = path.stat()
    return _digest(path, stat.st_size, stat.st_mtime_ns)


def _digest(path: Path, size: int, mtime_ns: int) -> str:
    """The SHA-256 of a file, read once for each size and time (kept in
    hooks/cache.py, so `mkdocs serve` does not read the fonts again on every
    rebuild)."""
    memo = cache.table("file-digests")
    key = (str(path), size, mtime_ns)
    found = memo.get(key)
    if found is None:
        with path.open("rb") as handle:
            found = hashlib.file_digest(handle, "sha256").hexdigest()
        memo.put(key, found)
    return found
