"""Related posts: up to three other published posts that share tags with a
post, the rarest shared tags first.

After hooks/blog.py has made the blog (`on_files`, priority -50), this hook
ranks, for every post of the build, the published posts that share a tag
with it, and writes them to the post's `related` meta key (a list of up to
three posts, best first), which partials/ew-post-footer.html shows.

The ranking (README, "Related posts and series"): a candidate's score is the
sum, over the tags it shares with the post, of 1 / (the number of published
posts carrying that tag), so a tag on two posts counts 1/2 and one on a
hundred counts 1/100. Higher scores first; on equal scores the newer post
first, then the one whose source path sorts first, so the order never
depends on the order files were read. Scores are exact (whole multiples of
one common fraction), so equal scores tie exactly. Never the post itself, never a draft or a
scheduled post (under `mkdocs serve` too, where drafts are shown): they are
not candidates and their tags do not count.

A post of up to six tags (SUBSET_TAGS) is ranked by the sets of its tags
another post can share, highest score first: the posts sharing exactly one
such set are a few operations on ints, a bit a post
(`RelatedIndex.related_by_subsets`), and the first three found are the
ranking. On the benchmark's blog a post looks at about 3 to 7 of its 7 to
31 sets: 0.05 s in all at 1,000 posts and 0.7 s at 10,000, where reading
the lists (below) took 0.13 s and 11 s on this machine.

A post of more tags reads its tags' lists, at a cost bounded by what the top
three need, not by comparing every pair of posts: each post reads its tags'
post lists rarest tag first, each list newest first, and stops as soon as no
post it has not read can still enter its top three (`RelatedIndex.related`).
A tag on every post is read last, and only until three posts not yet seen
turn up (about four entries). What a post can read in full is the list of
its rarest tags; on the benchmark's blog (3-5 of 40 tags, evenly spread, so
no tag is rare) that is about a tenth of the blog for each post: 0.13 s in
all at 1,000 posts and 1.0 s at 3,000 on an idle machine. Where tags are
spread as in most blogs, a few common and many rare (600 tags, 3,000 posts,
Zipf's law), a post reads about 19 entries: 0.12 s in all.
tests/test_related.py pins the bounded cases and checks the result against
an all-pairs ranking.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cache
from mkdocs.plugins import event_priority
from posts import current, is_draft, serving, tag_slug

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

# How many related posts a post lists.
LIMIT = 3
# Posts of up to this many tags are ranked by the sets of them another post
# can share (`RelatedIndex.related_by_subsets`: 2**6 - 1 sets at most);
# others by reading their tags' lists (`RelatedIndex.related`).
SUBSET_TAGS = 6


# After hooks/blog.py (-50) has made the blog.
@event_priority(-55)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files | None:
    posts = current().posts
    now = dt.datetime.now(dt.UTC)
    items = [post_item(post, published=not is_draft(post.draft, post.date, now))
             for post in posts]
    by_key = {item.key: post for item, post in zip(items, posts, strict=True)}
    ranked = rankings(items)
    for item, post in zip(items, posts, strict=True):
        post.meta["related"] = [by_key[key] for key in ranked[item.key]]
    return None


def rankings(items: list[Item]) -> dict[str, list[str]]:
    """Each post's related keys, kept by every post's date, tags and state
    (hooks/cache.py), so that a save that changes none of them (a body, a
    deck) costs no ranking."""
    memo = cache.table("related")
    key = cache.key_of(*((item.key, item.date, tuple(sorted(item.tags)), item.published)
                         for item in items), keep=serving())
    ranked = memo.get(key)
    if ranked is None:
        index = RelatedIndex(items)
        ranked = {item.key: index.related(item) for item in items}
        memo.put(key, ranked)
    return ranked


def post_item(post, *, published: bool) -> Item:
    """What the ranking needs of a post: its address, date and tag slugs."""
    tags = post.meta.get("tags")
    names = [str(tag) for tag in tags] if isinstance(tags, list) else []
    return Item(key=post.file.src_uri, date=post.date,
                tags=frozenset(tag_slug(name) for name in names), published=published)


# -- Pure helpers -------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A post as the ranking sees it. `key` is unique (the source path) and
    breaks the last ties; `date` is aware; `tags` are slugs."""

    key: str
    date: dt.datetime
    tags: frozenset[str]
    published: bool = True


def order(score, item: Item) -> tuple:
    """Sort key of a candidate: higher score, then newer, then key."""
    return (-score, -item.date.timestamp(), item.key)


class RelatedIndex:
    """Each tag's published posts, newest first, made once for the blog.
    Weights are whole numbers, `unit` // (posts with the tag), `unit` being
    the least common multiple of every tag's count: exact like fractions,
    and as fast to add as integers. `visits` counts the list entries
    `related` has read, for the tests."""

    def __init__(self, items: list[Item]) -> None:
        # Each tag's bit, so that a post's tags are one int and the tags two
        # posts share one `&` (not a set intersection for every entry read:
        # at 10,000 posts with tags spread evenly, each post reads about
        # 3,000 entries, and the intersections took 9 s of the build).
        self.bits = {tag: 1 << number for number, tag in enumerate(
            sorted({tag for item in items if item.published for tag in item.tags}))}
        # Each entry: (-timestamp, key, tag bits), so that entries sort in the
        # tie-break order and compare with the tail of `order`.
        self.lists: dict[str, list[tuple]] = {}
        for item in sorted(items, key=lambda item: order(0, item)):
            if item.published:
                entry = (-item.date.timestamp(), item.key, self.mask(item.tags))
                for tag in item.tags:
                    self.lists.setdefault(tag, []).append(entry)
        self.unit = math.lcm(*(len(posts) for posts in self.lists.values()))
        self.weights = {tag: self.unit // len(posts) for tag, posts in self.lists.items()}
        # Each tag's published posts as one int, bit i for the i-th post in
        # the tie-break order (newest first, then by key), and those keys.
        self.keys = [key for _, key, _ in sorted(
            {entry for entries in self.lists.values() for entry in entries})]
        self.number = {key: at for at, key in enumerate(self.keys)}
        self.sets = {tag: bit_set([self.number[key] for _, key, _ in entries], len(self.keys))
                     for tag, entries in self.lists.items()}
        self.visits = 0
        self.subsets = 0

    def mask(self, tags) -> int:
        bits = self.bits
        return sum(bits[tag] for tag in tags if tag in bits)

    def related(self, item: Item, limit: int = LIMIT) -> list[str]:
        """The keys of up to `limit` posts related to `item`, best first.

        Tags are read rarest first. Before reading tag k, a post not yet
        seen can share at most tags k.. onwards, so it scores at most
        `bound`, the sum of their weights; within tag k's list (newest
        first), a post further down is also later in the tie-break order
        than the one just read. So once the worst of the top `limit` scores
        more than `bound`, or exactly `bound` and comes before the entry
        just read, nothing unread can enter the top, and reading stops.
        """
        weights = self.weights
        tags = sorted((tag for tag in item.tags if tag in weights),
                      key=lambda tag: (-weights[tag], tag))
        if len(tags) <= SUBSET_TAGS:
            return self.related_by_subsets(item, tags, limit)
        shared = Shared(item.key, self.mask(tags),
                        {self.bits[tag]: weights[tag] for tag in tags})
        # The best candidates so far, as (-score, -timestamp, key), best first.
        top: list[tuple] = []
        for at, tag in enumerate(tags):
            bound = sum(weights[later] for later in tags[at:])
            if len(top) == limit and -top[-1][0] > bound:
                break
            if self._read(self.lists[tag], shared, bound, top, limit):
                break
            shared.read |= self.bits[tag]
        return [key for *_, key in top]

    def related_by_subsets(self, item: Item, tags: list[str], limit: int) -> list[str]:
        """`related` for a post of a few tags: every set of them another
        post can share, by score (the sum of their weights) highest first.
        The posts that share exactly such a set (have all of its tags and
        none of the post's others) score exactly that, and come as the bits
        of an int in tie-break order, so the best of them are its lowest
        bits. Sets of one score are taken together; the first `limit` posts
        found are the ranking. A few operations on ints a bit a post,
        however many posts share a tag: on the benchmark's blog (3-5 of 40
        tags each, so that each tag is on a tenth of the posts) reading the
        lists read about 1,100 entries a post at 10,000 posts (11 s)."""
        weights, sets = self.weights, self.sets
        subsets = sorted(((-sum(weights[tag] for tag in chosen), chosen)
                          for size in range(len(tags), 0, -1)
                          for chosen in itertools.combinations(tags, size)),
                         key=lambda scored: scored[0])
        own = self.number.get(item.key)
        others = ~(1 << own) if own is not None else -1
        found: list[str] = []
        for _, group in itertools.groupby(subsets, key=lambda scored: scored[0]):
            posts = 0
            for _, chosen in group:
                self.subsets += 1
                having = others
                for tag in tags:
                    having &= sets[tag] if tag in chosen else ~sets[tag]
                posts |= having
            while posts and len(found) < limit:
                lowest = posts & -posts
                found.append(self.keys[lowest.bit_length() - 1])
                posts ^= lowest
            if len(found) == limit:
                break
        return found

    def _read(self, entries: list[tuple], shared: Shared, bound: int,
              top: list[tuple], limit: int) -> bool:
        """Read one tag's list into `top`; True once nothing unread can
        enter it. A post with a tag whose list was read before is seen
        already, and was scored then on all the tags it shares."""
        scores, mask, done, own = shared.scores, shared.mask, shared.read, shared.key
        worst = top[-1] if len(top) == limit else None
        read = 0
        try:
            for entry in entries:
                read += 1
                neg_time, key, bits = entry
                if bits & done or key == own:
                    continue
                common = bits & mask
                score = scores.get(common)
                if score is None:
                    score = scores[common] = shared.score(common)
                # (-score, -timestamp, key) against the worst of the top,
                # by its score first: most entries go no further.
                if worst is None or -score < worst[0] or (
                        -score == worst[0] and (neg_time, key) < worst[1:]):
                    bisect.insort(top, (-score, neg_time, key))
                    del top[limit:]
                    worst = top[-1] if len(top) == limit else None
                if worst is not None and (worst[0] < -bound or (
                        worst[0] == -bound and worst[1:] <= (neg_time, key))):
                    return True
            return False
        finally:
            self.visits += read


def bit_set(numbers: list[int], size: int) -> int:
    """The int whose bits `numbers` are set, of `size` bits in all."""
    bits = bytearray((size + 7) // 8)
    for number in numbers:
        bits[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(bits, "little")


class Shared:
    """The post being ranked: its key, its tags as bits, the tags whose
    lists were read (`read`), and the score of each set of its tags another
    post shares (the sum of their weights), made once."""

    def __init__(self, key: str, mask: int, weights: dict[int, int]) -> None:
        self.key = key
        self.mask = mask
        self.weights = weights
        self.read = 0
        self.scores: dict[int, int] = {0: 0}

    def score(self, common: int) -> int:
        return sum(weight for bit, weight in self.weights.items() if common & bit)
