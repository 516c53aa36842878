"""Steps of the pages that the card worker takes on beside the cards: each
post's search entries, under a cold `mkdocs build`.

Not a hook itself. Once every post is read (`on_env`), hooks/build_cache.py
`offers` the posts and Material's search index; hooks/cards.py, when it
starts its worker (forked, so with those posts as they are now), `hands`
it the posts' search entries first, in a few tasks, and the cards after.
The worker runs the index's `add_entry_from_context` (build_cache's
`SearchMemo`) on each post, as the build's own process would at the
post's `on_page_context`, and sends back the entries of the "search" memo
table it made. When the build's own process misses a page's entries,
`collect` takes in what the tasks done by then sent back, and asks again.

Nothing depends on it: an entry is keyed by all that the index reads of
its page (its content, address, table of contents, title and front
matter), so one made from anything else is never found, and a page whose
entries have not come back yet is indexed as always. Drawing the cards
leaves the worker's CPU idle for about a second while the build renders;
the search parser is about 0.5 ms of the build's own process a post.
Writes no `page.meta` key.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
from typing import TYPE_CHECKING

import cache

if TYPE_CHECKING:
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.expectedwrong.ahead")

# Set to 0, no work is done beside the build's own process (hooks/fan_out.py
# reads it too).
FAN_OUT_ENV = "EW_FAN_OUT"
# Posts a task: few tasks (each costs the build's own process a round of
# hand-offs between its pool's threads), the first back soon.
TASK_POSTS = 250

# The build's own process: the index and the posts on offer (set before
# the worker forks, which keeps them), and the tasks handed over.
_offer: tuple | None = None
_tasks: list[concurrent.futures.Future] = []


def offer(index, posts: list[Page]) -> None:
    """The search index and the posts, in the order the build renders them;
    none with EW_FAN_OUT=0, or if the "search" memo table has entries (not
    a cold build: most are found there)."""
    global _offer
    cold = not cache.table("search").entries
    _offer = None if os.environ.get(FAN_OUT_ENV) == "0" or not cold else (
        index, {post.file.src_uri: post for post in posts})
    _tasks.clear()


def withdraw() -> None:
    global _offer
    _offer = None
    _tasks.clear()


def hand(pool: concurrent.futures.Executor) -> None:
    """Hand the posts on offer to `pool`'s worker, TASK_POSTS a task."""
    if _offer is None:
        return
    uris = list(_offer[1])
    for start in range(0, len(uris), TASK_POSTS):
        _tasks.append(pool.submit(search_entries, uris[start:start + TASK_POSTS]))


def collect() -> bool:
    """Take in the entries of the tasks done by now; whether there were any."""
    took = False
    for task in [task for task in _tasks if task.done()]:
        _tasks.remove(task)
        try:
            found = task.result()
        except Exception:  # noqa: BLE001 - the build indexes these pages itself
            continue
        # Not put(): an entry is kept past this build only if the build uses it.
        cache.table("search").entries.update(found)
        log.debug(f"The card worker made the search entries of {len(found)} pages")
        took = True
    return took


def search_entries(uris: list[str]) -> dict:
    """In the worker: the search memo table's entries that indexing these
    posts makes."""
    index, posts = _offer
    entries = cache.table("search").entries
    before = dict(entries)
    start = len(index.entries)
    for uri in uris:
        index.add_entry_from_context(posts[uri])
    # The index's own entries are of no use here: at 10,000 posts, they
    # would hold every post's text in this process too.
    del index.entries[start:]
    return {key: value for key, value in entries.items() if before.get(key) is not value}
