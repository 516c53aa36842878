"""A cold `mkdocs build` on every core: the posts' Markdown and read times
are worked out in forked worker processes, which hand back plain data.

Every costly step of a page's reading (`SharedParserPage.render`'s Markdown,
hooks/reading_stats.py's read time) keeps its result in a memo table of
hooks/cache.py, keyed by all the step's inputs. So, as Sphinx's parallel
read does, the posts left to render are shared out:

- `on_nav` (after every other hook's: the posts and their neighbours are
  final) forks one worker per CPU but one. The build's own process keeps
  the first share of the posts, in the order MkDocs reads pages; each worker
  takes one of the later shares and runs for each post what MkDocs'
  `_populate_page` would (`on_pre_page`, `read_source`, `on_page_markdown`,
  `render`, `on_page_content`) on its forked copy, from the last post of
  its share back (the first worker on into the process's share), sending
  the memo entries it made every few posts, with its own output sent to
  /dev/null.
- `on_pre_page` (first of all hooks): as MkDocs' own, unchanged reading
  goes through the posts, the process says which post it is at (a number
  in memory it shares with the workers) and takes into its tables the
  entries the workers have sent by then. A post whose entries are there is
  found read; any other it reads itself, so it reads on into a worker's
  share until it meets the posts that worker has read, and a worker stops
  at the first post the process has reached. Neither waits for the other:
  a slow worker (a busy CPU) leaves more posts to the process, and the
  rest of the build is what it always is.
- `on_env`: every post is read; a worker ends at its next post, and its
  last entries are not needed.

Nothing depends on the workers: a result they made from other inputs is
under another key, never found; a worker that fails or dies is ignored, and
the build then does its posts itself and reports any error as it would. A
render replays the warnings it logged when it is found (hooks/posts.py), so
a broken link warns once, in the build's own process. A worker writes no
file: a post whose HTML has an image (hooks/images.py derives files for it
in `on_page_content`) comes back with its Markdown only.

Only under `mkdocs build` on Linux (forked processes; `mkdocs serve` runs
threads, which a fork would copy mid-step), not with `--dirty`, and only
when at least MIN_POSTS posts are left to render. `EW_FAN_OUT=0` turns it
off; `EW_FAN_OUT=<n>` uses n workers whatever the CPUs. Writes no
`page.meta` key.

At 1,000 posts on 2 cores shared with another job (load about 1.5), a cold
build with its cards kept takes 8.7 s instead of 10.6 (medians of three),
for the same CPU time (about 10.2 s, the worker's included); drawing the
cards too, 10.0 s instead of 11.8. A worker's peak RSS is about 55 MB of
its own; the build's process peaks as before (168 MB). With shares fixed
in advance, the build waited up to 0.6 s for a worker whose CPU was slowed
by another machine's work.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import resource
import sys
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cache
from ahead import FAN_OUT_ENV
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import InclusionLevel
from posts import Post, serving, still_holds

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.expectedwrong.fan_out")

# Fewer posts to render and the fork costs more than it saves: forking the
# build's process takes about 17 ms (hooks/cards.py), a post's Markdown and
# read time about 3 ms at 1,000 posts.
MIN_POSTS = 24
# hooks/images.py makes files for a page with images at on_page_content.
IMAGE_TAG = "<img"
# What a post costs besides its Markdown, in characters of Markdown: about
# 0.5 ms of the 3 ms of a post of 5,000 characters.
PAGE_WEIGHT = 800
# Posts a worker reads between two sends of its entries; each send costs
# both processes a round of pickling. Near the post the build's process is
# at, a worker sends after every post.
SEND_EVERY = 8
# How long the build waits, once it has read every post, for a worker to
# end (it does at its next post); a worker that takes longer is stopped.
END_SECONDS = 10.0


@dataclass
class Worker:
    process: multiprocessing.Process
    connection: Connection
    posts: int
    # Posts whose entries came back, and how many entries.
    read: int = 0
    entries: int = 0


# The workers under way; each post left to render by its place in the
# reading order; that place for the post the build's own process is at,
# shared with the workers (a RawValue).
_workers: list[Worker] = []
_places: dict[str, int] = {}
_reached = None
_dirty = False


def on_startup(*, command: str, dirty: bool) -> None:
    global _dirty
    _dirty = dirty
    return None


# After every other hook: hooks/blog.py gives posts their neighbours here.
@event_priority(-1000)
def on_nav(nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation | None:
    global _reached
    stop()
    if serving() or _dirty or sys.platform != "linux":
        return None
    count = worker_count(os.environ.get(FAN_OUT_ENV), len(os.sched_getaffinity(0)))
    left = [page for page in reading_order(files) if not kept(page, files)]
    if count == 0 or len(left) < MIN_POSTS:
        return None
    shares = split([len(page.markdown or "") + PAGE_WEIGHT for page in left], count + 1)
    # A forked process flushes what it inherited of these when it ends.
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    _reached = context.RawValue("q", -1)
    _places.update((page.file.src_uri, place) for place, page in enumerate(left))
    for number, (start, end) in enumerate(shares[1:]):
        receiving, sending = context.Pipe(duplex=False)
        # The first worker reads on into the process's own share, back to
        # where the two meet.
        lowest = 0 if number == 0 else start
        process = context.Process(target=work, args=(left, lowest, end, config, files, sending,
                                                     _reached), daemon=True)
        process.start()
        sending.close()
        _workers.append(Worker(process, receiving, end - lowest))
    log.debug(f"{len(left)} posts to render: {shares[0][1]} here, "
              f"{len(left) - shares[0][1]} in {len(_workers)} workers")
    return None


@event_priority(1000)
def on_pre_page(page: Page, /, *, config: MkDocsConfig, files: Files) -> Page | None:
    if _workers:
        place = _places.get(page.file.src_uri)
        if place is not None:
            _reached.value = place
        for worker in list(_workers):
            receive(worker, wait=0)
    return None


# Every page has been read: the workers end.
@event_priority(1000)
def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    if _reached is not None:
        _reached.value = len(_places)
    for worker in list(_workers):
        finish(worker)
    stop()
    return None


def on_build_error(*, error: Exception) -> None:
    stop()
    return None


def on_shutdown() -> None:
    stop()
    return None


def reading_order(files: Files) -> list[Post]:
    """The posts `mkdocs build` reads, in its order."""
    return [file.page for file in files.documentation_pages(inclusion=InclusionLevel.is_included)
            if isinstance(file.page, Post)]


def kept(page: Post, files: Files) -> bool:
    """Whether the post's render is kept already (not marking it used: the
    build's own render does that)."""
    found = cache.table("markdown").entries.get(page.render_key())
    return found is not None and still_holds(found, files)


def receive(worker: Worker, wait: float) -> None:
    """Take in what `worker` has sent, waiting up to `wait` seconds for its
    end; a worker that ended (or failed) is let go."""
    ended = False
    try:
        while worker.connection.poll(wait if not ended else 0):
            message = worker.connection.recv()
            if message is None:
                ended = True
                break
            kind, value = message
            if kind == "entries":
                take(worker, value)
            else:
                ended = True
                log.debug(f"A worker read {worker.read} of the {worker.posts} posts it could: "
                          f"{worker.entries} entries, peak RSS {value / 1024:.0f} MB")
                break
    except (EOFError, OSError) as error:
        log.debug(f"A worker ended without its results ({error!r}); its posts are read here")
        ended = True
    if ended:
        end(worker)


def take(worker: Worker, sent: tuple) -> None:
    """Put a worker's entries into the tables."""
    posts, entries = sent
    worker.read += posts
    for name, found in entries.items():
        # Not put(): an entry is kept past this build only if the build uses it.
        cache.table(name).entries.update(found)
        worker.entries += len(found)


def finish(worker: Worker, wait: float = END_SECONDS) -> None:
    """Wait up to `wait` seconds for `worker` to end, taking in what it
    sends; then it is stopped."""
    if worker in _workers:
        receive(worker, wait)
    if worker in _workers:
        log.debug(f"A worker took more than {wait:.0f} s to end; it is stopped")
        end(worker)


def end(worker: Worker) -> None:
    if worker in _workers:
        _workers.remove(worker)
    worker.process.terminate()
    worker.process.join()
    worker.connection.close()


def stop() -> None:
    global _reached
    for worker in list(_workers):
        end(worker)
    _workers.clear()
    _places.clear()
    _reached = None


# -- In a worker ----------------------------------------------------------------


def work(left: list[Post], start: int, end: int, config: MkDocsConfig, files: Files,
         sending: Connection, reached) -> None:
    """Read the posts left[start:end], the last first, until the build's own
    process reaches the next one; send the memo entries made every
    SEND_EVERY posts, then ("end", peak RSS), or None if it failed."""
    _workers.clear()  # the parent's, copied by the fork
    try:
        quiet()
        sent = {name: len(entries) for name, entries in tables().items()}
        posts = 0
        for place in range(end - 1, start - 1, -1):
            if reached.value >= place:
                break
            populate(left[place], config, files)
            posts += 1
            if posts >= SEND_EVERY or place - reached.value <= 2 * SEND_EVERY:
                sending.send(("entries", (posts, entries_since(sent, tables()))))
                posts = 0
        sending.send(("entries", (posts, entries_since(sent, tables()))))
        sending.send(("end", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    except Exception:  # noqa: BLE001 - the build reads these posts itself
        try:
            sending.send(None)
        except Exception:  # noqa: BLE001, S110 - a pipe already closed: as a failure
            pass
    sending.close()


def quiet() -> None:
    """Nothing a worker logs or prints is shown: what the build's own
    process logs is the build's output."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    warnings.simplefilter("ignore")


def populate(page: Post, config: MkDocsConfig, files: Files) -> None:
    """MkDocs 1.6.1's `_populate_page` (mkdocs/commands/build.py), but for a
    page whose HTML has an image, which stops before on_page_content."""
    config._current_page = page
    try:
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(
            page.markdown, page=page, config=config, files=files)
        page.render(config, files)
        if IMAGE_TAG not in page.content:
            page.content = config.plugins.on_page_content(
                page.content, page=page, config=config, files=files)
    finally:
        config._current_page = None


def tables() -> dict[str, dict]:
    """hooks/cache.py's tables, but those of values of a hook's own classes."""
    holder = sys.modules[cache.HOLDER]
    return {name: entries for name, entries in holder.tables.items()
            if name not in cache.HOOK_CLASS_TABLES}


# -- Pure helpers -----------------------------------------------------------------


def worker_count(setting: str | None, cpus: int) -> int:
    """Workers to start: EW_FAN_OUT if set, else one per CPU but one."""
    if setting is None or setting == "":
        return max(cpus - 1, 0)
    if not setting.isdigit():
        raise PluginError(f"{FAN_OUT_ENV}: found {setting!r}; expected 0 (off) or a number "
                          "of worker processes")
    return int(setting)


def split(weights: list[int], parts: int) -> list[tuple[int, int]]:
    """`weights` cut into at most `parts` runs of about equal sums, as
    (start, end) pairs; none empty."""
    total = sum(weights)
    bounds, done, start = [], 0, 0
    for index, weight in enumerate(weights):
        done += weight
        if done * parts >= total * (len(bounds) + 1) and len(bounds) < parts - 1:
            bounds.append((start, index + 1))
            start = index + 1
    if start < len(weights):
        bounds.append((start, len(weights)))
    return bounds


def entries_since(sent: dict[str, int], now: dict[str, dict]) -> dict[str, dict]:
    """The entries of `now` past the first `sent[name]` of each table (a
    table's new keys are its last), by table; `sent` is moved past them."""
    found = {}
    for name, entries in now.items():
        old = sent.get(name, 0)
        if len(entries) > old:
            found[name] = dict(itertools.islice(entries.items(), old, None))
        sent[name] = len(entries)
    return found
