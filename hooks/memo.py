"""Template fragments that many pages render alike, rendered once a build.

Every page renders the site header (wordmark, scheme toggle, Material's
search dialog) and Material's settings for its bundle (translations, the
search worker's address): about 7% of a 1,000-post build, for text that
differs from page to page only by how deep the page is (their links go to
the home page and to assets/, relative to the page). `on_env` gives
templates `memo`, used as

    {% call memo("header", base_url) %}...{% endcall %}

which renders the block's body the first time a key is seen in a build and
returns that text for the same key after. A template keys a fragment by
everything the fragment depends on; main.html keys both by `base_url`.

A listing entry (partials/post.html) is listed about six times, on the
home page or a numbered page, its year and each of its tags, and is the
same each time but for its links, which MkDocs makes relative to the page
(a tag page links to another tag as `../ml/`, a yearly archive as
`../../tags/ml/`): a third of the rendering of a 1,000-post build.

    {% call memo.linked("entry", post.file.src_uri, links=links) %}...{% endcall %}

renders the body once for the key and keeps it cut at its `href`
attributes (`link_slots`); for the same key it puts the page's own `links`
in (`fill`). The body must write `links`, in their order, as its only
`href` values; a render that does not is returned as it is and never kept.
tests/test_memo.py builds a site with and without every memo block and
compares every file. Writes no `page.meta` key.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING

from mkdocs.plugins import event_priority

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

HREF = 'href="'


# The build's memo, emptied once every page is rendered.
_memo: Memo | None = None


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
    global _memo
    # A new environment, and so a new memo, for every build.
    _memo = env.globals["memo"] = Memo()
    return None


# First of all: every template is rendered by now, and at 10,000 posts the
# entries hold about 15 MB that the search index can use.
@event_priority(1000)
def on_post_build(*, config: MkDocsConfig) -> None:
    global _memo
    if _memo is not None:
        _memo.fragments.clear()
        _memo.slotted.clear()
        _memo = None
    return None


class Memo:
    """Rendered fragments by key: `memo(*key, caller=body)`, where Jinja
    passes the body of a `{% call %}` block as `caller`."""

    def __init__(self) -> None:
        self.fragments: dict[tuple, str] = {}
        self.slotted: dict[tuple, list[str] | None] = {}

    def __call__(self, *key: Hashable, caller: Callable[[], str]) -> str:
        if key not in self.fragments:
            self.fragments[key] = caller()
        return self.fragments[key]

    def linked(self, *key: Hashable, links: Sequence[str], caller: Callable[[], str]) -> str:
        """The body for `key` with `links` as its `href` values."""
        slots = self.slotted.get(key, False)
        if slots is False:
            text = caller()
            self.slotted[key] = link_slots(text, links)
            return text
        if slots is None or len(slots) != len(links) + 1:
            return caller()
        return fill(slots, links)


def link_slots(text: str, links: Sequence[str]) -> list[str] | None:
    """`text` cut around the values of its `href` attributes, which must be
    `links` in their order and the only ones; None if they are not (or a
    link holds a quote, which would end its attribute)."""
    slots, start = [], 0
    for link in links:
        if '"' in link:
            return None
        at = text.find(HREF, start)
        if at < 0:
            return None
        value = at + len(HREF)
        if not text.startswith(link + '"', value):
            return None
        slots.append(text[start:value])
        start = value + len(link)
    if text.find(HREF, start) >= 0:
        return None
    slots.append(text[start:])
    return slots


def fill(slots: Sequence[str], links: Sequence[str]) -> str:
    """The text `link_slots` cut, with `links` in the slots."""
    parts = [slots[0]]
    for link, after in zip(links, slots[1:], strict=True):
        parts += (link, after)
    return "".join(parts)
