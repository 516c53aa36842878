"""hooks/search_index.py: the escaped index a save writes from kept entry
texts is the text the whole index written at once gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import build_cache
import cache
from mkdocs.config import load_config

import search_index
from search_index import escaped_index, escaped_index_kept, write_escaped_index
from support import ROOT, build, copy_project, env, free_port, write_post

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
    assert escaped_index_kept(DOCUMENT, TITLES) == escaped_index(DOCUMENT, TITLES).encode()
    # The second time from the kept texts, and after a page's title changed.
    assert escaped_index_kept(DOCUMENT, TITLES) == escaped_index(DOCUMENT, TITLES).encode()
    renamed = {**TITLES, "posts/a/": "Another title"}
    assert escaped_index_kept(DOCUMENT, renamed) == escaped_index(DOCUMENT, renamed).encode()
    cache.clear()


def test_the_index_written_a_few_entries_at_a_time_is_the_index_written_at_once(
        tmp_path, monkeypatch):
    for batch in (1, 2, 3, 4, 500):
        monkeypatch.setattr(search_index, "BATCH", batch)
        path = tmp_path / f"index-{batch}.json"
        write_escaped_index(path, DOCUMENT, TITLES)
        assert path.read_bytes() == escaped_index(DOCUMENT, TITLES).encode()
    path = tmp_path / "empty.json"
    write_escaped_index(path, {**DOCUMENT, "docs": []}, TITLES)
    assert path.read_bytes() == escaped_index({**DOCUMENT, "docs": []}, TITLES).encode()


def test_search_words_kept_for_serve_are_the_themes_and_follow_its_language_files(tmp_path):
    project = copy_project(tmp_path / "blog")
    config = load_config(str(project / "mkdocs.yml"))
    search = config.plugins["material/search"]
    translate = search._translate
    cache.clear()
    kept = build_cache.Translations(translate)
    for word in ("search.config.lang", "search.config.separator", "search.config.pipeline"):
        assert kept(config, word) == translate(config, word)
        assert kept(config, word) == translate(config, word)  # from what is kept
    # The writer's own language file, in overrides/, is read instead.
    languages = project / "overrides" / "partials" / "languages"
    languages.mkdir(parents=True)
    material = next(Path(folder, "partials", "languages", "en.html") for folder in config.theme.dirs
                    if Path(folder, "partials", "languages", "en.html").is_file())
    languages.joinpath("en.html").write_text(
        material.read_text(encoding="utf-8").replace('"search.config.lang": "en"',
                                                     '"search.config.lang": "de"'),
        encoding="utf-8")
    assert kept(config, "search.config.lang") == translate(config, "search.config.lang") == "de"
    cache.clear()


def test_a_served_search_index_is_the_built_one_byte_for_byte(tmp_path):
    project = copy_project(tmp_path / "blog")
    write_post(project, "markup", 'title: "Tags <b>and</b> & co"\n'
               'description: "A title that looks like HTML."\ndate: 2025-03-01\n'
               'tags: ["<i>x</i>", "日本語"]', "No heading here, 🎉 only text.\n")
    built = build(project, tmp_path / "built")
    assert built.returncode == 0, built.stderr
    served = tmp_path / "served"
    fresh = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "fresh_serve.py")],
        input=f"{project}\t{served}\t127.0.0.1:{free_port()}\n", env=env(),
        capture_output=True, text=True, timeout=300)
    assert fresh.stdout.strip() == "built", fresh.stderr
    index = "search/search_index.json"
    assert (served / index).read_bytes() == (tmp_path / "built" / index).read_bytes()
    docs = json.loads((served / index).read_text(encoding="utf-8"))["docs"]
    assert any(entry["title"] == "Tags &lt;b&gt;and&lt;/b&gt; &amp; co" for entry in docs)
