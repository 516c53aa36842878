"""Front-matter text stays text in the search index.

Material's search plugin indexes section titles as HTML (a heading's inner
markup), but where a page has no heading of its own it uses the front-matter
`title` as it is, and it copies `tags` as they are; its search results then
insert both as HTML. After the plugin has written `search/search_index.json`
(`on_post_build`), this hook escapes those two fields. Reads `page.meta`
`title` and `tags`; writes no `page.meta` key.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

import cache
from mkdocs.plugins import event_priority
from posts import serving

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

INDEX = Path("search") / "search_index.json"

# Front-matter titles of this build's pages, by page URL.
_titles: dict[str, str] = {}


def on_pre_build(*, config: MkDocsConfig) -> None:
    _titles.clear()
    return None


def on_page_context(context: dict, /, *, page: Page, config: MkDocsConfig, nav) -> None:
    title = page.meta.get("title")
    if isinstance(title, str):
        _titles[page.url] = title
    return None


# After Material's search plugin (priority 0) has written the index.
@event_priority(-100)
def on_post_build(*, config: MkDocsConfig) -> None:
    path = Path(config.site_dir) / INDEX
    if not path.is_file():
        return None
    index = getattr(config.plugins.get("material/search"), "search_index", None)
    entries = getattr(index, "entries", None)
    if isinstance(entries, list):
        # What Material wrote, from its entries in memory: reading the whole
        # index back would hold it twice more (at 10,000 posts, 300 MB).
        document = {"config": index_settings(path), "docs": entries}
    else:
        document = json.loads(path.read_text(encoding="utf-8"))
    if serving() and list(document) == ["config", "docs"]:
        escaped = escaped_index_kept(document, _titles)
    else:
        escaped = escaped_index(document, _titles)
    path.write_text(escaped, encoding="utf-8")
    return None


def escaped_index_kept(document: dict, titles: dict[str, str]) -> str:
    """`escaped_index`, each entry's text kept under `mkdocs serve` (in
    hooks/cache.py) by the entry and its page's front-matter title: a save
    changes the entries of one page or a few."""
    memo = cache.table("search-entries-text")
    texts = []
    for entry in document["docs"]:
        try:
            key = entry_key(entry, titles)
        except TypeError:  # a value that cannot be a key: written anew
            key = None
        text = memo.get(key) if key is not None else None
        if text is None:
            text = json.dumps(escape_entry(entry, titles), ensure_ascii=False,
                              separators=(",", ":"), default=str)
            if key is not None:
                memo.put(key, text)
        texts.append(text)
    settings = json.dumps(document["config"], ensure_ascii=False, separators=(",", ":"),
                          default=str)
    # What json.dumps writes for {"config": ..., "docs": [...]} with these
    # separators: each value's text between the keys and commas.
    return '{"config":' + settings + ',"docs":[' + ",".join(texts) + "]}"


def entry_key(entry: dict, titles: dict[str, str]) -> tuple:
    """An entry as a key (its tags as a tuple), with the front-matter title
    of its page, on which its escaping depends."""
    page_url = entry.get("location", "").split("#", 1)[0]
    items = tuple((name, tuple(value) if isinstance(value, list) else value)
                  for name, value in entry.items())
    hash(items)
    return (items, titles.get(page_url))


def index_settings(path: Path) -> object:
    """The `config` of the search index at `path`, read from its start
    (Material writes it first)."""
    prefix = '{"config":'
    with path.open(encoding="utf-8") as file:
        head = file.read(1 << 16)
    if head.startswith(prefix):
        try:
            return json.JSONDecoder().raw_decode(head, len(prefix))[0]
        except ValueError:
            pass
    return json.loads(path.read_text(encoding="utf-8"))["config"]


def escaped_index(document: dict, titles: dict[str, str]) -> str:
    """A search index (its `config` and `docs`) as text, every entry's
    front-matter title and tags escaped (`escape_entry`); as Material's
    JSON read back and written as UTF-8."""
    docs = [escape_entry(entry, titles) for entry in document.get("docs", [])]
    return json.dumps({**document, "docs": docs}, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def escape_entry(entry: dict, titles: dict[str, str]) -> dict:
    """An index entry whose front-matter title and tags are escaped HTML.

    A title that came from a heading is HTML already and is left alone; only
    one equal to the page's front-matter title (Material's fallback) is text.
    """
    page_url = entry.get("location", "").split("#", 1)[0]
    escaped = dict(entry)
    if page_url in titles and entry.get("title") == titles[page_url].strip():
        escaped["title"] = html.escape(entry["title"], quote=False)
    if "tags" in entry:
        escaped["tags"] = [html.escape(tag, quote=False) for tag in entry["tags"]]
    return escaped
