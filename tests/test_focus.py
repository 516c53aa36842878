"""Focus mode, hooks/focus.py: `make serve POST=docs/posts/x.md` builds that
post and the pages that list it, and nothing else of the posts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from support import (
    MAKE_PARTS,
    PROJECT_PARTS,
    ROOT,
    SEED_URL,
    copy_project,
    env,
    fetch,
    free_port,
    wait_for,
    write_post,
)

sys.path.insert(0, str(ROOT / "hooks"))
from focus import focused_post, left_out  # noqa: E402

OTHER = 'title: "An Other Post"\ndescription: "Another deck."\ndate: 2026-03-01\ntags: [other]'
FOCUSED = 'title: "The Focused Post"\ndescription: "A deck."\ndate: 2026-02-01\ntags: [focus]'


@pytest.fixture
def tree(tmp_path) -> tuple[Path, Path]:
    posts = tmp_path / "docs" / "posts"
    posts.mkdir(parents=True)
    (posts / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "docs" / "about.md").write_text("b", encoding="utf-8")
    return tmp_path, posts


@pytest.mark.parametrize("value", [None, ""])
def test_no_focus_when_the_variable_is_unset_or_empty(tree, value):
    root, posts = tree
    assert focused_post(value, root, posts) is None


def test_focus_names_a_post_relative_to_the_project(tree):
    root, posts = tree
    assert focused_post("docs/posts/a.md", root, posts) == posts / "a.md"


@pytest.mark.parametrize("value", ["docs/posts/b.md", "docs/about.md", "docs/posts", "a.md"])
def test_focus_on_anything_but_a_post_is_an_error_naming_it(tree, value):
    root, posts = tree
    with pytest.raises(PluginError) as raised:
        focused_post(value, root, posts)
    assert str(raised.value) == (
        f"EW_FOCUS={value}: not a post; expected a Markdown file under docs/posts/, "
        "such as make serve POST=docs/posts/my-post.md"
    )


def test_every_other_post_is_left_out_and_other_files_stay(tree):
    root, posts = tree
    post = posts / "a.md"
    assert not left_out(str(post), post, posts)
    assert left_out(str(posts / "b.md"), post, posts)
    assert left_out(str(posts / "2024" / "c.md"), post, posts)
    assert not left_out(str(posts / "pic.png"), post, posts)
    assert not left_out(str(root / "docs" / "about.md"), post, posts)
    assert not left_out(None, post, posts)


@pytest.fixture
def project(tmp_path) -> Path:
    project = copy_project(tmp_path / "blog", PROJECT_PARTS + MAKE_PARTS)
    write_post(project, "an-other-post", OTHER, "Other words.")
    write_post(project, "the-focused-post", FOCUSED, "Focused words.")
    return project


def test_make_serve_post_builds_that_post_and_its_listings_and_shows_edits(project):
    port = free_port()
    server = subprocess.Popen(
        ["make", "--no-print-directory", "-C", str(project), "serve",
         "POST=docs/posts/the-focused-post.md", f"ADDR=127.0.0.1:{port}", f"VENV={ROOT / '.venv'}"],
        env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/expectedwrong/"
    try:
        page = wait_for(base + "posts/the-focused-post/", "Focused words.")
        home = fetch(base)
        assert "The Focused Post" in home
        assert "An Other Post" not in home and "Tape Models" not in home
        assert "The Focused Post" in fetch(base + "tags/focus/")
        assert fetch(base + SEED_URL) == "" and fetch(base + "tags/other/") == ""
        path = project / "docs" / "posts" / "the-focused-post.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
        saved = time.monotonic()
        wait_for(base + "posts/the-focused-post/", "An edit.", timeout=30)
        assert time.monotonic() - saved < 30
        assert "ew-post-header" in page
    finally:
        # make and the mkdocs it started.
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Focus mode: building docs/posts/the-focused-post.md" in output


def test_focus_on_a_missing_post_stops_the_build_with_one_line(project):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(project / "out")],
        cwd=project, env={**env(), "EW_FOCUS": "docs/posts/gone.md"},
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors == [
        "ERROR   -  EW_FOCUS=docs/posts/gone.md: not a post; expected a Markdown file under "
        "docs/posts/, such as make serve POST=docs/posts/my-post.md"
    ]
