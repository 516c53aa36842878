"""Front-matter text stays text in the search index.

Material's search plugin indexes section titles as HTML (a heading's inner
markup), but where a page has no heading of its own it uses the front-matter
`title` as it is, and it copies `tags` as they are; its search results then
insert both as HTML. After the plugin has written `search/search_index.json`
(`on_post_build`), this hook escapes those two fields. Material writes
only the index's settings (`SettingsOnly`) and this hook the whole index:
under `mkdocs build` a few hundred entries at a time, under `mkdocs serve`
from each entry's text kept as UTF-8, handed to hooks/serve_build.py in
memory (`cache.write`). Reads `page.meta` `title`
and `tags`; writes no `page.meta` key.
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
    search = config.plugins.get("material/search")
    index = getattr(search, "search_index", None)
    if (index is not None and isinstance(getattr(index, "entries", None), list)
            and not getattr(search, "is_dirty", True)):
        # This hook writes the whole index below: Material's own text of it,
        # every entry again, is not needed (60 ms a save at 1,000 posts; at
        # 10,000 posts its text and bytes were 80 MB each).
        index.generate_search_index = SettingsOnly(index)
    return None


class SettingsOnly:
    """A search index's generate_search_index (Material's), writing its
    settings and no entries."""

    def __init__(self, index) -> None:
        self.index = index
        self.generate = type(index).generate_search_index

    def __call__(self, prev) -> str:
        entries, self.index.entries = self.index.entries, []
        try:
            return self.generate(self.index, prev)
        finally:
            self.index.entries = entries


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
        cache.write(path, escaped_index_kept(document, _titles))
    elif list(document) == ["config", "docs"]:
        write_escaped_index(path, document, _titles)
    else:
        path.write_text(escaped_index(document, _titles), encoding="utf-8")
    return None


def escaped_index_kept(document: dict, titles: dict[str, str]) -> bytes:
    """`escaped_index` as UTF-8, each entry's text kept under `mkdocs serve`
    (in hooks/cache.py) by the entry and its page's front-matter title: a
    save changes the entries of one page or a few. Joined as bytes: one
    text of the whole index would be copied twice more and encoded (at
    1,000 posts, 40 ms a save)."""
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
                              separators=(",", ":"), default=str).encode("utf-8")
            if key is not None:
                memo.put(key, text)
        texts.append(text)
    settings = json.dumps(document["config"], ensure_ascii=False, separators=(",", ":"),
                          default=str).encode("utf-8")
    # What json.dumps writes for {"config": ..., "docs": [...]} with these
    # separators: each value's text between the keys and commas, joined once.
    parts = [b'{"config":', settings, b',"docs":[']
    for number, text in enumerate(texts):
        if number:
            parts.append(b",")
        parts.append(text)
    parts.append(b"]}")
    return b"".join(parts)


# Entries written at a time by `write_escaped_index`.
BATCH = 500


def write_escaped_index(path: Path, document: dict, titles: dict[str, str]) -> None:
    """`escaped_index` written to `path` as UTF-8, BATCH entries at a time:
    the text of the whole index and its bytes, held at once, were the peak
    of a 10,000-post build (250 MiB above the rest of it)."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
    docs = document["docs"]
    with path.open("wb") as file:
        file.write(b'{"config":' + encoder.encode(document["config"]).encode("utf-8")
                   + b',"docs":[')
        for start in range(0, len(docs), BATCH):
            if start:
                file.write(b",")
            batch = [escape_entry(entry, titles) for entry in docs[start:start + BATCH]]
            # A list's text without its brackets: its entries, comma-separated.
            file.write(encoder.encode(batch)[1:-1].encode("utf-8"))
        file.write(b"]}")


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
