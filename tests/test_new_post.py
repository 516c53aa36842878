"""`make post TITLE=...` end to end: a draft file with valid front matter,
shown by a real `mkdocs serve`, absent from `make build` until it is
published."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from bs4 import BeautifulSoup

from support import MAKE_PARTS, PROJECT_PARTS, ROOT, copy_project, env, parse, serving, wait_for

TITLE = "A Fresh Idea: Café \"Quotes\""
SLUG = "a-fresh-idea-café-quotes"


def parse_html(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def make(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`make` in the copy, using this checkout's .venv (already set up)."""
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(project), *args, f"VENV={ROOT / '.venv'}"],
        env=env(), capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "blog", PROJECT_PARTS + MAKE_PARTS)


def test_make_post_writes_a_draft_with_valid_front_matter_and_prints_its_path(project):
    result = make(project, "post", f"TITLE={TITLE}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"docs/posts/{SLUG}.md"
    text = (project / "docs/posts" / f"{SLUG}.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta == {"title": TITLE, "description": "", "date": dt.date.today(), "tags": [],
                    "draft": True}


def test_make_post_never_overwrites_a_post(project):
    assert make(project, "post", f"TITLE={TITLE}").returncode == 0
    path = project / "docs/posts" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8") + "Words I wrote.\n", encoding="utf-8")
    again = make(project, "post", f"TITLE={TITLE}")
    assert again.returncode != 0
    assert f"docs/posts/{SLUG}.md already exists" in again.stderr
    assert path.read_text(encoding="utf-8").endswith("Words I wrote.\n")


@pytest.mark.parametrize("title", ["!!!", "   ", ""])
def test_make_post_rejects_a_title_without_a_slug(project, title):
    result = make(project, "post", f"TITLE={title}")
    assert result.returncode != 0
    assert 'usage: make post TITLE="Some Title"' in result.stderr
    assert list((project / "docs/posts").glob("*.md")) == [
        project / "docs/posts/openais-tape-models-and-the-sora-trade.md"]


def test_a_new_post_is_a_draft_in_serve_and_published_only_once_finished(project):
    assert make(project, "post", f"TITLE={TITLE}").returncode == 0
    path = project / "docs/posts" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8") + "First words of the post.\n",
                    encoding="utf-8")

    with serving(project) as server:
        home = wait_for(server.base, "A Fresh Idea")
        page = wait_for(server.base + f"posts/{quote(SLUG)}/", "First words of the post.")
    for html in (home, page):
        assert "ew-meta__draft" in html

    built = make(project, "build")
    assert built.returncode == 0, built.stderr
    site = project / "site"
    assert not (site / "posts" / SLUG).exists()
    assert "Fresh Idea" not in (site / "index.html").read_text(encoding="utf-8")

    text = path.read_text(encoding="utf-8").replace("draft: true\n", "")
    path.write_text(text.replace('description: ""', "description: A deck at last."),
                    encoding="utf-8")
    built = make(project, "build")
    assert built.returncode == 0, built.stderr
    post = parse(site, f"posts/{SLUG}/index.html")
    assert post.select_one("h1").get_text() == TITLE
    assert post.select_one(".ew-meta__draft") is None
    assert TITLE in [link.get_text() for link in parse(site, "index.html").select("a")]


def test_a_future_post_is_marked_scheduled_in_serve_and_left_out_of_build(project):
    (project / "docs/posts/later.md").write_text(
        "---\ntitle: Later On\ndescription: Soon.\ndate: 2999-01-01\n---\n\nNot yet.\n",
        encoding="utf-8")
    with serving(project) as server:
        page = wait_for(server.base + "posts/later-on/", "Not yet.")
    assert "Scheduled" in parse_html(page).select_one(".ew-meta__draft").get_text()
    built = make(project, "build")
    assert built.returncode == 0, built.stderr
    assert not (project / "site/posts/later-on").exists()
