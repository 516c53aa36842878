"""hooks/blog_speed.py: what it spares Material's blog plugin changes nothing
in the built site."""

from __future__ import annotations

import filecmp
import sys

from support import ROOT, build, copy_project

sys.path.insert(0, str(ROOT / "hooks"))
from blog_speed import IndexedList, Listed  # noqa: E402


class Item:
    """Equal to any other Item, as pages with the same title and file are."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item)

    __hash__ = object.__hash__


def test_indexed_list_finds_the_very_object_only():
    first, second = Item(), Item()
    items = IndexedList([first])
    assert first in items
    assert second not in items  # a plain list would say yes: they are equal
    assert second in [first]


def test_indexed_list_follows_appends_and_removals():
    first, second = Item(), Item()
    items = IndexedList([first])
    assert second not in items
    items.append(second)
    assert second in items
    items.remove(first)
    assert first not in items and second in items


def test_listed_post_reads_as_the_post_and_renders_nothing():
    class Post:
        url = "posts/a/"
        meta = {"title": "A"}

    listed = Listed(Post())
    assert listed.render(object(), "<!-- more -->") is None
    assert (listed.url, listed.meta["title"]) == ("posts/a/", "A")


def test_site_is_the_same_with_and_without_the_hook(tmp_path, site):
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - hooks/blog_speed.py\n" in text
    config.write_text(text.replace("  - hooks/blog_speed.py\n", ""), encoding="utf-8")
    plain = tmp_path / "plain"
    result = build(project, plain)
    assert result.returncode == 0, result.stderr
    compared = filecmp.dircmp(site, plain)
    differing = []

    def walk(node, prefix=""):
        names = node.diff_files + node.left_only + node.right_only
        differing.extend(prefix + name for name in names)
        for name, child in node.subdirs.items():
            walk(child, prefix + name + "/")

    walk(compared)
    assert differing == []
