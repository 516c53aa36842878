"""Related posts: the ranking of hooks/related.py on tables of small blogs,
against an all-pairs ranking on random ones, and what it reads; then the
post footer of a real strict build and of a real `mkdocs serve`."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

import pytest
from bs4 import BeautifulSoup

import related
from related import Item, RelatedIndex, order
from support import built_site, copy_project, fetch, parse, serving, write_post

DAY = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def item(key: str, day: int, *tags: str, published: bool = True) -> Item:
    return Item(key=key, date=DAY + dt.timedelta(days=day), tags=frozenset(tags),
                published=published)


def exact(items: list[Item], target: Item, limit: int = 3) -> list[str]:
    """Every other published post scored by the definition, sorted in full."""
    counts: dict[str, int] = {}
    for other in items:
        if other.published:
            for tag in other.tags:
                counts[tag] = counts.get(tag, 0) + 1
    scored = []
    for other in items:
        if other.published and other.key != target.key:
            score = sum((Fraction(1, counts[tag]) for tag in target.tags & other.tags),
                        Fraction(0))
            if score:
                scored.append(order(score, other))
    return [key for *_, key in sorted(scored)[:limit]]


# (case, blog, post, expected related posts, best first)
CASES = [
    ("no shared tags",
     [item("a", 0, "x"), item("b", 1, "y")], "a", []),
    ("no tags at all",
     [item("a", 0), item("b", 1)], "a", []),
    ("one shared tag",
     [item("a", 0, "x", "y"), item("b", 1, "y"), item("c", 2, "z")], "a", ["b"]),
    ("a rare tag beats a common one, even an older post",
     [item("a", 9, "rare", "common"), item("old", 0, "rare"),
      *[item(f"c{n}", 10 + n, "common") for n in range(5)]], "a", ["old", "c4", "c3"]),
    ("two common tags beat one tag just as common",
     [item("a", 9, "p", "q"), item("both", 0, "p", "q"), item("p1", 5, "p"),
      item("q1", 6, "q"), item("p2", 7, "p"), item("q2", 8, "q")], "a", ["both", "q2", "p2"]),
    ("equal scores: the newer post first",
     [item("a", 5, "x"), item("older", 1, "x"), item("newer", 3, "x")], "a",
     ["newer", "older"]),
    ("equal scores and dates: the key decides",
     [item("a", 5, "x"), item("m", 1, "x"), item("k", 1, "x")], "a", ["k", "m"]),
    ("drafts are never offered, and their tags do not count",
     [item("a", 0, "x", "y"), item("draft", 9, "x", "y", published=False),
      item("b", 1, "x"), item("c", 2, "y"), item("d", 3, "y")], "a", ["b", "d", "c"]),
    ("a draft post itself gets published posts",
     [item("draft", 9, "x", published=False), item("b", 1, "x")], "draft", ["b"]),
    ("a tag only drafts carry relates nothing",
     [item("a", 0, "x"), item("draft", 9, "x", published=False)], "a", []),
    ("the post itself is never offered",
     [item("a", 0, "x"), item("b", 1, "x")], "b", ["a"]),
    ("at most three",
     [item("a", 0, "x"), *[item(f"b{n}", n + 1, "x") for n in range(6)]], "a",
     ["b5", "b4", "b3"]),
    ("a tag on every post fills in after the rarer ones",
     [item("a", 50, "all", "rare"), item("r", 0, "all", "rare"),
      *[item(f"n{n:02d}", n + 1, "all") for n in range(40)]], "a", ["r", "n39", "n38"]),
]


# Both ways of ranking: by the sets of its tags another post shares (a post
# of up to SUBSET_TAGS tags), and by reading its tags' lists (more tags).
@pytest.fixture(params=["subsets", "lists"])
def ranking(request, monkeypatch):
    if request.param == "lists":
        monkeypatch.setattr(related, "SUBSET_TAGS", 0)
    return request.param


@pytest.mark.parametrize(("blog", "key", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_related_posts_are_ranked_by_the_rarity_of_shared_tags(blog, key, expected, ranking):
    target = next(entry for entry in blog if entry.key == key)
    assert RelatedIndex(blog).related(target) == expected
    assert exact(blog, target) == expected


def test_the_ranking_does_not_depend_on_the_order_posts_come_in(ranking):
    blog = CASES[3][1]
    target = blog[0]
    assert RelatedIndex(list(reversed(blog))).related(target) == ["old", "c4", "c3"]


def random_blog(seed: int, size: int, most_tags: int = 4) -> list[Item]:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(12)]
    tags = [f"t{n}" for n in range(12)]
    blog = []
    for number in range(size):
        chosen = set(rng.choices(tags, weights=weights, k=rng.randint(0, most_tags)))
        # Some posts share a day, so that dates tie too.
        blog.append(item(f"p{number:03d}", rng.randint(0, size // 3), *chosen,
                         published=rng.random() > 0.1))
    return blog


@pytest.mark.parametrize("seed", range(40))
def test_the_early_stop_gives_the_exact_ranking_on_random_blogs(seed, ranking):
    # Up to 10 tags a post: some posts are ranked each way by default.
    blog = random_blog(seed, 60, most_tags=10 if seed % 2 else 4)
    index = RelatedIndex(blog)
    for target in blog:
        assert index.related(target) == exact(blog, target), target


@pytest.mark.parametrize("size", [1000, 4000])
def test_a_post_of_a_few_tags_costs_a_few_sets_not_the_posts_sharing_them(size):
    # Each of 40 tags on about a tenth of the posts, as in the benchmark.
    rng = random.Random(size)
    tags = [f"g{n}" for n in range(40)]
    blog = [item(f"p{n:05d}", rng.randint(0, size), *rng.sample(tags, rng.randint(3, 5)))
            for n in range(size)]
    index = RelatedIndex(blog)
    for target in blog:
        index.related(target)
    assert index.visits == 0
    # Of the 7 to 31 sets a post has (about 17.6 on average), the best few:
    # the more posts, the sooner three share many tags (6.6 at 1,000).
    assert index.subsets / size <= 8, index.subsets / size
    for target in blog[::97]:
        assert index.related(target) == exact(blog, target)


@pytest.mark.parametrize("size", [100, 1000, 4000])
def test_a_tag_on_every_post_costs_each_post_a_few_reads_not_the_blog(size, monkeypatch):
    monkeypatch.setattr(related, "SUBSET_TAGS", 0)  # the lists' way
    # Every post carries "all"; each also has one of 50 rarer tags.
    blog = [item(f"p{n:05d}", n, "all", f"g{n % 50}") for n in range(size)]
    index = RelatedIndex(blog)
    for target in blog:
        index.related(target)
    # Reading the rare tag's list, then up to four entries of "all".
    per_post = index.visits / size
    assert per_post <= size / 50 + 5, per_post
    sample = blog[::97]
    for target in sample:
        assert index.related(target) == exact(blog, target)


def test_a_post_with_only_the_common_tag_reads_four_entries(monkeypatch):
    monkeypatch.setattr(related, "SUBSET_TAGS", 0)  # the lists' way
    blog = [item(f"p{n:05d}", n, "all") for n in range(2000)]
    index = RelatedIndex(blog)
    assert index.related(blog[0]) == ["p01999", "p01998", "p01997"]
    assert index.visits <= 4


# -- In a real build ----------------------------------------------------------


def related_posts(project):
    """A blog where Alpha shares a rare tag with Bravo (older) and with a
    draft and a scheduled post, and a common tag with four others."""
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    posts = {
        "alpha": ("Alpha", "2025-01-10", "[rare, common]", ""),
        "bravo": ("Bravo", "2024-01-01", "[rare]", ""),
        "draft-mate": ("Draft mate", "2025-06-01", "[rare, common]", "draft: true\n"),
        "future-mate": ("Future mate", later, "[rare, common]", ""),
        "lonely": ("Lonely", "2025-03-03", "[solo]", ""),
        **{f"common-{n}": (f"Common {n}", f"2025-0{n + 1}-01", "[common]", "")
           for n in range(1, 5)},
    }
    for slug, (title, day, tags, extra) in posts.items():
        write_post(project, slug, f"title: {title}\ndescription: D.\ndate: {day}\n"
                   f"tags: {tags}\n{extra}", "Body.")
    return project


@pytest.fixture(scope="module")
def related_site(tmp_path_factory):
    project = related_posts(copy_project(tmp_path_factory.mktemp("related") / "blog"))
    site = project.parent / "site"
    built_site(project, site)
    return site


def footer_links(soup) -> list[tuple[str, str]]:
    nav = soup.select_one(".ew-post-footer .ew-related")
    return [(a.get_text(strip=True), a["href"]) for a in nav.select("li a")] if nav else []


def test_post_footer_lists_three_related_posts_rarest_shared_tag_first(related_site):
    soup = parse(related_site, "posts/alpha/index.html")
    assert footer_links(soup) == [("Bravo", "../bravo/"), ("Common 4", "../common-4/"),
                                  ("Common 3", "../common-3/")]
    nav = soup.select_one(".ew-related")
    assert nav["aria-labelledby"] == "ew-related-title"
    assert soup.find(id="ew-related-title").get_text(strip=True) == "Related posts"
    assert nav.select_one("time")["datetime"] == "2024-01-01"


def test_a_post_sharing_no_tag_shows_no_related_posts(related_site):
    soup = parse(related_site, "posts/lonely/index.html")
    assert soup.select_one(".ew-related") is None
    assert soup.select_one(".ew-post-nav")


def test_under_serve_drafts_are_shown_but_never_offered_as_related(tmp_path):
    project = related_posts(copy_project(tmp_path / "blog"))
    with serving(project) as served:
        draft = BeautifulSoup(fetch(served.base + "posts/draft-mate/"), "html.parser")
        alpha = BeautifulSoup(fetch(served.base + "posts/alpha/"), "html.parser")
    assert draft.select_one(".ew-meta__draft")
    assert [title for title, _ in footer_links(alpha)] == ["Bravo", "Common 4", "Common 3"]
    assert [title for title, _ in footer_links(draft)] == ["Alpha", "Bravo", "Common 4"]
