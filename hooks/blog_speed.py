"""Work that Material's blog plugin would repeat, done once or not at all.

Measured on a 1,000-post blog (benchmarks/), two costs of the blog plugin
grow with the number of posts for every page, and neither is needed here:

- Excerpts. For every listing page the plugin renders an excerpt of each
  listed post, with its own Markdown parser: each post about twice (home or
  numbered page, and its year's archive), a third of the build. Our listings
  show a post's title, deck and meta line, never an excerpt (README,
  "Excerpts"). After the plugin has made a post's excerpt (`on_page_markdown`,
  priority -50), this hook swaps it for a `Listed` post, which the plugin
  "renders" for nothing and templates read as the post itself.
- Membership. The plugin asks `page not in blog.posts` for every page, twice
  (`on_page_markdown`, `on_page_content`), which compares pages one by one:
  quadratic in the number of posts. After the plugin has listed the posts
  (`on_files`, priority -50), this hook gives the list an identity index.

Writes no `page.meta` key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mkdocs.plugins import event_priority

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page


@event_priority(-55)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files | None:
    blog = config.plugins["material/blog"].blog
    blog.posts = IndexedList(blog.posts)
    return None


@event_priority(-55)
def on_page_markdown(markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> None:
    if getattr(page, "excerpt", None) is not None and not isinstance(page.excerpt, Listed):
        page.excerpt = Listed(page)
    return None


class IndexedList(list):
    """A list whose `in` asks whether that very object is in it, in constant
    time, instead of comparing it with each item (Page.__eq__ compares titles
    and files). The index follows appends and removals by length."""

    def __init__(self, items=()) -> None:
        super().__init__(items)
        self._ids: set[int] = set()
        self._indexed = -1

    def __contains__(self, item: object) -> bool:
        if self._indexed != len(self):
            self._ids = {id(each) for each in self}
            self._indexed = len(self)
        return id(item) in self._ids


class Listed:
    """A post as a listing shows it: the post itself, which the blog plugin
    may "render" as an excerpt at no cost."""

    def __init__(self, post) -> None:
        self._post = post

    def render(self, page, separator: str) -> None:
        return None

    def __getattr__(self, name: str):
        return getattr(self._post, name)
