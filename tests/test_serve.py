"""`mkdocs serve` on 127.0.0.1 rebuilds on a saved change to a post, to the
theme override, to mkdocs.yml and to a hook, without a restart; a broken post
prints one line and leaves the last good site served."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import copy_project, fetch, serving, wait_for

POST = "posts/openais-tape-models-and-the-sora-trade/"


@pytest.fixture
def serve(tmp_path):
    project = copy_project(tmp_path / "blog")
    with serving(project) as served:
        yield project, served.base


@pytest.fixture
def served(tmp_path):
    project = copy_project(tmp_path / "blog")
    with serving(project) as running:
        yield project, running


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_saved_changes_to_post_theme_config_and_hook_show_without_restart(serve):
    project, base = serve
    edit(project / "docs/posts/openais-tape-models-and-the-sora-trade.md",
         "I'm going with isn't.", "I'm going with isn't. Edited while serving.")
    wait_for(base + POST, "Edited while serving.")

    edit(project / "overrides/partials/ew-post-footer.html", "Published", "First published")
    wait_for(base + POST, "First published")

    edit(project / "mkdocs.yml", "section: hindsight", "section: foresight")
    wait_for(base + POST, "foresight")

    edit(project / "hooks/blog_pages.py", '"timeRequired"', '"timeRequiredEdited"')
    wait_for(base + POST, "timeRequiredEdited")


def test_a_broken_post_prints_one_line_and_the_last_good_site_stays_served(served):
    project, server = served
    post = project / "docs/posts/openais-tape-models-and-the-sora-trade.md"
    edit(post, "date: 2026-04-09", "date: 2026-04-31")
    line = server.wait_for_line("docs/posts/openais-tape-models-and-the-sora-trade.md")
    assert "date: found \"2026-04-31\", which is not a real calendar date" in line
    server.wait_for_line("Not rebuilt: the last good site is still served")
    # The failed rebuild left the last good site in place.
    for path in (POST, "", "tags/openai/"):
        assert "354 words" in fetch(server.base + path)
    assert not any("Traceback" in line for line in server.lines), server.lines

    edit(post, "date: 2026-04-31", "date: 2026-04-30")
    edit(post, "I'm going with isn't.", "I'm going with isn't. Fixed while serving.")
    page = wait_for(server.base + POST, "Fixed while serving.")
    assert "April 30, 2026" in page


def test_a_tag_at_another_tag_s_address_prints_one_line_and_the_last_good_site_stays(served):
    project, server = served
    post = project / "docs/posts/spelled-apart.md"
    post.write_text("---\ntitle: Spelled apart\ndescription: D.\ndate: 2026-04-10\n"
                    "tags: [gpt image]\n---\n\nBody.\n", encoding="utf-8")
    line = server.wait_for_line('tags: found "gpt image" at tags/gpt-image/')
    assert "docs/posts/spelled-apart.md" in line
    assert "docs/posts/openais-tape-models-and-the-sora-trade.md" in line
    server.wait_for_line("Not rebuilt: the last good site is still served")
    assert "Spelled apart" not in fetch(server.base + "tags/gpt-image/")
    assert "354 words" in fetch(server.base + "tags/gpt-image/")
    assert not any("Traceback" in line for line in server.lines), server.lines

    # Written alike but for case, it is the same tag: one page for both.
    edit(post, "tags: [gpt image]", "tags: [GPT-Image]")
    page = wait_for(server.base + "tags/gpt-image/", "Spelled apart")
    assert "354 words" in page
