"""hooks/memo.py: a fragment rendered once per key is the fragment every
page would have rendered itself.

A blog with pages at every depth (home, numbered pages, posts, tag pages,
yearly archives and their numbered pages, the 404 page) is built as it is,
and again with every `{% call memo(...) %}` block of main.html (the header,
the stylesheets, Material's settings) and of partials/post.html (a listing
entry) replaced by its body; every file of the two sites must be the same.
"""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

from support import build, copy_project, fixture_posts

# A memo block, with the whitespace control of its tags (kept as comments
# that trim alike).
MEMO_CALL = re.compile(
    r"{%(-?) call memo(?:\.linked)?\([^)]*\) (-?)%}(.*?){%(-?) endcall (-?)%}", re.S)
PLAIN = r"{#\1 \2#}\3{#\4 \5#}"
MEMOIZED = {"main.html": 3, "partials/post.html": 1}


def differing_files(left: Path, right: Path) -> list[str]:
    found: list[str] = []

    def walk(node: filecmp.dircmp, prefix: str = "") -> None:
        found.extend(prefix + name for name in node.diff_files + node.left_only + node.right_only)
        for name, child in node.subdirs.items():
            walk(child, prefix + name + "/")

    walk(filecmp.dircmp(left, right))
    return found


def test_memoized_fragments_are_what_each_page_renders_itself(tmp_path):
    sites = []
    for name in ("memoized", "plain"):
        project = copy_project(tmp_path / name)
        fixture_posts(project)
        if name == "plain":
            for template, blocks in MEMOIZED.items():
                path = project / "overrides" / template
                text, count = MEMO_CALL.subn(PLAIN, path.read_text(encoding="utf-8"))
                assert count == blocks
                path.write_text(text, encoding="utf-8")
        site = tmp_path / f"site-{name}"
        done = build(project, site)
        assert done.returncode == 0, done.stderr
        sites.append(site)
    depths = {path.relative_to(sites[0]).as_posix().count("/") for path in sites[0].rglob("*.html")}
    assert depths >= {0, 1, 2, 4}
    assert differing_files(*sites) == []
