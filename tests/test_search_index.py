"""hooks/search_index.py: the escaped index a save writes from kept entry
texts is the text the whole index written at once gives."""

from __future__ import annotations

import cache

from search_index import escaped_index, escaped_index_kept

DOCUMENT = {
    "config": {"lang": ["en"], "separator": "[\\s\\-]+", "pipeline": ["stemmer"], "fields": {}},
    "docs": [
        {"location": "posts/a/", "title": "A <b>title</b> & more", "text": "Body 中文 \"quoted\"",
         "tags": ["<script>x</script>", "日本語", "C#"]},
        {"location": "posts/a/#part", "title": "Part <code>x</code>", "text": "more"},
        {"location": "posts/b/", "title": "Plain", "text": "", "boost": 2.5},
        {"location": "", "title": "Home", "text": "emoji 🎉", "tags": []},
    ],
}
TITLES = {"posts/a/": "A <b>title</b> & more", "posts/b/": "Plain"}


def test_the_index_from_kept_entry_texts_is_the_index_written_at_once():
    cache.clear()
    cache.begin_build("test")
    assert escaped_index_kept(DOCUMENT, TITLES) == escaped_index(DOCUMENT, TITLES)
    # The second time from the kept texts, and after a page's title changed.
    assert escaped_index_kept(DOCUMENT, TITLES) == escaped_index(DOCUMENT, TITLES)
    renamed = {**TITLES, "posts/a/": "Another title"}
    assert escaped_index_kept(DOCUMENT, renamed) == escaped_index(DOCUMENT, renamed)
    cache.clear()
