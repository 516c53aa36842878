"""hooks/memo.py: a fragment rendered once per key is the fragment every
page would have rendered itself.

A blog with pages at every depth (home, numbered pages, posts, tag pages,
yearly archives and their numbered pages, the 404 page) is built as it is,
and again with main.html's memoized header turned back into a plain
include; every file of the two sites must be the same.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

from support import build, copy_project, fixture_posts

MEMOIZED = '{% call memo("header", base_url) %}{% include "partials/ew-header.html" %}{% endcall %}'
PLAIN = '{% include "partials/ew-header.html" %}'


def differing_files(left: Path, right: Path) -> list[str]:
    found: list[str] = []

    def walk(node: filecmp.dircmp, prefix: str = "") -> None:
        found.extend(prefix + name for name in node.diff_files + node.left_only + node.right_only)
        for name, child in node.subdirs.items():
            walk(child, prefix + name + "/")

    walk(filecmp.dircmp(left, right))
    return found


def test_the_memoized_header_is_the_header_each_page_renders_itself(tmp_path):
    sites = []
    for name, header in (("memoized", MEMOIZED), ("plain", PLAIN)):
        project = copy_project(tmp_path / name)
        fixture_posts(project)
        main = project / "overrides" / "main.html"
        text = main.read_text(encoding="utf-8")
        assert MEMOIZED in text
        main.write_text(text.replace(MEMOIZED, header), encoding="utf-8")
        site = tmp_path / f"site-{name}"
        done = build(project, site)
        assert done.returncode == 0, done.stderr
        sites.append(site)
    depths = {path.relative_to(sites[0]).as_posix().count("/") for path in sites[0].rglob("*.html")}
    assert depths >= {0, 1, 2, 4}
    assert differing_files(*sites) == []
