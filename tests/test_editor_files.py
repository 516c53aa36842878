"""Posts as every editor saves them: real `mkdocs build --strict` runs of a
blog whose files are saved with CRLF, CRLF and LF mixed, lone CRs, a
byte-order mark, blanks after the `---` fences or no final newline build
exactly the site the same blog builds saved with LF (tests/editor_forms.py)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from editor_forms import FORMS, crlf

from support import PNG, build, copy_project, failed_line, parse

ATOM = "{http://www.w3.org/2005/Atom}"
# A post with what a line ending could change: front matter over several
# lines, a hard line break (two spaces at a line's end), a code block, an
# image, a footnote, and a last line.
POST = """---
title: Saved by any editor
description: >-
  A deck folded over
  two lines.
date: 2024-01-05
tags:
  - editors
  - line-endings
---

# Saved by any editor

A first line<two spaces>
broken by two spaces, and a footnote.[^1]

```python
def words():
    return "not counted as prose"
```

![A dot](images/dot.png)

| a | b |
| - | - |
| 1 | 2 |

[^1]: The footnote.

The last line.""".replace("<two spaces>", "  ")
# A post that is all front matter, and a page that is not a post.
ONLY_FRONT_MATTER = """---
title: Only front matter
description: Nothing under it.
date: 2024-01-06
tags: [editors]
---"""
ABOUT = """---
title: About
---

# About this blog

Written in an editor<two spaces>
of any kind.""".replace("<two spaces>", "  ")
SOURCES = {
    "docs/posts/saved-by-any-editor.md": POST,
    "docs/posts/only-front-matter.md": ONLY_FRONT_MATTER,
    "docs/about.md": ABOUT,
}
# Files the project already has, saved the same way.
EXISTING = ("docs/index.md", "docs/posts/openais-tape-models-and-the-sora-trade.md")
PAGE = "posts/saved-by-any-editor/index.html"
EMPTY_PAGE = "posts/only-front-matter/index.html"
# The sitemap carries the day of the build; its addresses are compared.
DATED = {"sitemap.xml", "sitemap.xml.gz"}


def blog(tmp_path: Path, form) -> Path:
    """A copy of the blog with every post and page saved in `form`."""
    project = copy_project(tmp_path / "blog")
    for name, text in SOURCES.items():
        (project / name).write_bytes(form(text.encode("utf-8") + b"\n"))
    for name in EXISTING:
        path = project / name
        path.write_bytes(form(path.read_bytes()))
    images = project / "docs" / "posts" / "images"
    images.mkdir()
    (images / "dot.png").write_bytes(PNG)
    return project


def built_site(tmp_path: Path, form) -> Path:
    site = tmp_path / "site"
    result = build(blog(tmp_path, form), site)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "Traceback" not in output, output
    return site


def files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def addresses(site: Path) -> list[str]:
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    return [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def numbers(site: Path, path: str) -> dict:
    """What a reader and a machine get of a post: its meta line, its
    BlogPosting, its body, and its entry in the blog's feed."""
    soup = parse(site, path)
    meta_line = " ".join(soup.select_one(".ew-meta").get_text(" ").split())
    data = json.loads(soup.find("script", type="application/ld+json").string)
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    title = soup.select_one("h1").get_text()
    [entry] = [entry for entry in feed.iter(ATOM + "entry")
               if entry.find(ATOM + "title").text == title]
    return {
        "meta line": meta_line,
        "json-ld": {key: data[key] for key in ("wordCount", "timeRequired", "keywords",
                                               "description", "datePublished")},
        "body": str(soup.select_one("article .md-typeset, .md-content__inner")),
        "feed entry": ET.tostring(entry, encoding="unicode"),
    }


@pytest.fixture(scope="module")
def lf_site(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory.mktemp("lf"), lambda saved: saved)


def test_the_posts_saved_with_lf_build_with_their_numbers_and_feed_entries(lf_site):
    post = numbers(lf_site, PAGE)
    # 19: the title is the page heading; code and alt text are not counted.
    assert post["meta line"] == "1 min read 19 words #editors #line-endings"
    assert post["json-ld"]["description"] == "A deck folded over two lines."
    body = parse(lf_site, PAGE)
    assert body.select_one("article br") is not None, "the hard line break"
    assert "The last line." in body.get_text()
    empty = numbers(lf_site, EMPTY_PAGE)
    assert empty["meta line"].startswith("1 min read 0 words #editors")
    about = parse(lf_site, "about/index.html")
    assert about.title.get_text().startswith("About - ")  # front-matter title
    assert about.select_one("article br") is not None


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_blog_saved_in_any_editor_form_builds_the_same_site_as_with_lf(
        tmp_path, lf_site, form):
    site = built_site(tmp_path, FORMS[form])
    for path in (PAGE, EMPTY_PAGE):
        assert numbers(site, path) == numbers(lf_site, path)
    ours, lf = files(site), files(lf_site)
    assert sorted(ours) == sorted(lf)
    assert [name for name in lf if name not in DATED and ours[name] != lf[name]] == []
    assert addresses(site) == addresses(lf_site)


def test_a_mistake_in_a_crlf_post_is_reported_at_its_editor_line(tmp_path):
    project = copy_project(tmp_path / "blog")
    (project / "docs" / "posts" / "windows.md").write_bytes(crlf(
        b"---\ntitle: Windows\ndescription: D\ndate: 2024-02-30\n---\n\nBody.\n"))
    result = build(project, tmp_path / "site")
    line = failed_line(result, "docs/posts/windows.md")
    assert re.fullmatch(r"ERROR +- +docs/posts/windows\.md:4: date: found \"2024-02-30\", "
                        r"which is not a real calendar date; expected .+", line), line
