"""hooks/front_matter.py's post_files and display_path: the posts MkDocs
finds, in the order of their paths, and the paths a writer sees."""

from __future__ import annotations

import os

from front_matter import display_path, post_files


def test_post_files_are_the_markdown_files_in_path_order_without_dot_names(tmp_path):
    posts = tmp_path / "posts"
    for rel in ("b.md", "a.md", "B.md", "2024/z.md", "2024/a-b.md", "2024-x.md", "a/b/c.md",
                ".hidden.md", ".drafts/x.md", "notes.txt", "a/.x/y.md"):
        (posts / rel).parent.mkdir(parents=True, exist_ok=True)
        (posts / rel).write_text("---\n---\n", encoding="utf-8")
    (posts / "folder.md").mkdir()
    expected = sorted(
        path for path in posts.rglob("*.md") if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(posts).parts))
    assert post_files(posts) == expected
    assert [p.relative_to(posts).as_posix() for p in post_files(posts)][:3] == [
        "2024/a-b.md", "2024/z.md", "2024-x.md"]


def test_display_path_follows_links_to_the_repository_path(tmp_path):
    root = tmp_path / "repo"
    (root / "docs" / "posts").mkdir(parents=True)
    post = root / "docs" / "posts" / "a.md"
    post.write_text("x", encoding="utf-8")
    link = tmp_path / "elsewhere"
    os.symlink(root / "docs", link)
    assert display_path(link / "posts" / "a.md", root) == "docs/posts/a.md"
    assert display_path(post, root) == "docs/posts/a.md"
    assert display_path(root / "docs" / "posts" / ".." / "posts" / "a.md", root) == \
        "docs/posts/a.md"
