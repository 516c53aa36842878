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
  `render`, `on_page_content`) on its forked copy, then sends back only the
  memo entries it made, with its own output sent to /dev/null.
- `on_pre_page` (first of all hooks): when MkDocs' own, unchanged reading
  reaches a worker's first post, having done its own share meanwhile, the
  process takes that worker's entries into its tables. Every post after
  finds its steps kept, and the rest of the build is what it always is.

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
its own; the build's process peaks as before (168 MB).
"""

from __future__ import annotations

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
# How long the build waits for a worker's results once it needs them: a
# minute, and a twentieth of a second for each post of its share (a worker
# reads a post in a few milliseconds). A worker that takes longer is
# stopped, and the build reads its posts itself.
WAIT_SECONDS = 60.0
WAIT_PER_POST = 0.05


@dataclass
class Worker:
    process: multiprocessing.Process
    connection: Connection
    posts: int


# The workers under way, by the source of the first post of each one's share.
_workers: dict[str, Worker] = {}
_dirty = False


def on_startup(*, command: str, dirty: bool) -> None:
    global _dirty
    _dirty = dirty
    return None


# After every other hook: hooks/blog.py gives posts their neighbours here.
@event_priority(-1000)
def on_nav(nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation | None:
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
    for start, end in shares[1:]:
        receiving, sending = context.Pipe(duplex=False)
        share = left[start:end]
        process = context.Process(target=work, args=(share, config, files, sending),
                                  daemon=True)
        process.start()
        sending.close()
        _workers[share[0].file.src_uri] = Worker(process, receiving, len(share))
    log.debug(f"{len(left)} posts to render: {shares[0][1]} here, "
              f"{len(left) - shares[0][1]} in {len(_workers)} workers")
    return None


@event_priority(1000)
def on_pre_page(page: Page, /, *, config: MkDocsConfig, files: Files) -> Page | None:
    worker = _workers.pop(page.file.src_uri, None)
    if worker is not None:
        take(worker)
    return None


# Every page has been read: a worker not taken by now (a build that read
# other pages than on_nav saw) is of no use.
@event_priority(1000)
def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
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


def take(worker: Worker, wait: float | None = None) -> None:
    """Put a worker's entries into the tables, unless it failed or is still
    at work after `wait` seconds (by default WAIT_SECONDS and WAIT_PER_POST
    for each of its posts), when it is stopped."""
    wait = WAIT_SECONDS + WAIT_PER_POST * worker.posts if wait is None else wait
    try:
        if worker.connection.poll(wait):
            made = worker.connection.recv()
        else:
            made = None
            worker.process.terminate()
            log.debug(f"A worker took more than {wait:.0f} s; its posts are read here")
    except (EOFError, OSError) as error:
        made = None
        log.debug(f"A worker ended without its results ({error!r}); its posts are read here")
    finally:
        worker.connection.close()
        worker.process.join()
    if made is None:
        return
    entries, peak = made
    for name, found in entries.items():
        # Not put(): an entry is kept past this build only if the build uses it.
        cache.table(name).entries.update(found)
    log.debug(f"A worker read {worker.posts} posts: {sum(map(len, entries.values()))} "
              f"entries, peak RSS {peak / 1024:.0f} MB")


def stop() -> None:
    for worker in _workers.values():
        worker.process.terminate()
        worker.process.join()
        worker.connection.close()
    _workers.clear()


# -- In a worker ----------------------------------------------------------------


def work(share: list[Post], config: MkDocsConfig, files: Files, sending: Connection) -> None:
    """Read `share` and send back the memo entries made, or None."""
    _workers.clear()  # the parent's, copied by the fork
    made = None
    try:
        quiet()
        before = {name: dict(entries) for name, entries in tables().items()}
        for page in share:
            populate(page, config, files)
        made = (new_entries(before, tables()), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    except Exception:  # noqa: BLE001 - the build reads these posts itself
        made = None
    try:
        sending.send(made)
    except Exception:  # noqa: BLE001 - a value that does not pickle: as a failure
        sending.send(None)
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


def new_entries(before: dict[str, dict], after: dict[str, dict]) -> dict[str, dict]:
    """The entries of `after` that `before` did not hold, by table."""
    found = {}
    for name, entries in after.items():
        old = before.get(name, {})
        made = {key: value for key, value in entries.items() if old.get(key) is not value}
        if made:
            found[name] = made
    return found
