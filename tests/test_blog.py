"""hooks/blog.py against Material's blog plugin, which it replaced.

One blog of fixture posts (several years, ties, a pinned post, a draft, a
post dated in the future, an image beside the posts) is built twice: by this
project, and by stock Material with the blog plugin configured as this blog
had it (no hooks, no overrides). Both must publish the same posts at the same
addresses, list them on the same pages in the same order, link the same
numbered pages, and link each post to the same older and newer post.
"""

from __future__ import annotations

import posixpath
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import PNG, build, copy_project, env, fixture_posts, parse

# Material's blog plugin as mkdocs.yml configured it before hooks/blog.py.
MATERIAL_BLOG = {
    "blog_dir": ".",
    "post_dir": "{blog}/posts",
    "post_url_format": "posts/{slug}",
    "post_date_format": "long",
    "post_readtime": False,
    "draft_if_future_date": True,
    "archive_date_format": "yyyy",
    "archive_url_format": "archive/{date}",
    "categories": False,
    "authors": False,
    "pagination_per_page": 10,
    "pagination_url_format": "page/{page}",
}
def material_config(project: Path) -> dict:
    ours = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    return {
        "site_name": ours["site_name"],
        "site_url": ours["site_url"],
        "theme": {"name": "material"},
        "plugins": [{"blog": MATERIAL_BLOG}, "tags"],
        "markdown_extensions": ours["markdown_extensions"],
    }


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, Path]:
    project = copy_project(tmp_path_factory.mktemp("blog"))
    fixture_posts(project)
    ours = project / "site-ours"
    done = build(project, ours)
    assert done.returncode == 0, done.stderr
    (project / "mkdocs-material.yml").write_text(
        yaml.safe_dump(material_config(project)), encoding="utf-8")
    material = project / "site-material"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", "mkdocs-material.yml", "-d", str(material)],
        cwd=project, env=env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return ours, material


def blog_pages(site: Path) -> set[str]:
    """Every page of the blog: posts, numbered pages, yearly archives."""
    pages = set()
    for path in site.rglob("index.html"):
        uri = path.relative_to(site).as_posix()
        if uri.startswith(("posts/", "page/")) or (
                uri.startswith("archive/") and uri != "archive/index.html"):
            pages.add(uri)
    return pages


def listings(site: Path) -> list[str]:
    return sorted(uri for uri in blog_pages(site) if not uri.startswith("posts/"))


def resolve(page: str, href: str) -> str:
    """An href on `page` as a path from the site root, without index.html."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href)).strip("./") + "/"


def listed_posts(site: Path, page: str, selector: str) -> list[str]:
    return [resolve(page, a["href"]) for a in parse(site, page).select(selector)]


def pagination(site: Path, page: str) -> list[tuple[str, str]]:
    nav = parse(site, page).select_one(".md-pagination")
    if nav is None:
        return []
    return [(a.get_text(strip=True), resolve(page, a["href"])) for a in nav.find_all("a")]


def test_the_same_posts_and_listing_pages_are_published_at_the_same_addresses(sites):
    ours, material = sites
    assert blog_pages(ours) == blog_pages(material)
    assert "page/4/index.html" in blog_pages(ours)
    assert "archive/2024/page/2/index.html" in blog_pages(ours)


def test_drafts_and_future_posts_are_left_out_of_the_build_as_material_leaves_them(sites):
    ours, _ = sites
    published = blog_pages(ours)
    assert "posts/a-draft/index.html" not in published
    assert "posts/from-the-future/index.html" not in published
    assert "posts/pinned-old/index.html" in published


def test_every_listing_page_lists_the_same_posts_in_the_same_order(sites):
    ours, material = sites
    pages = listings(ours)
    assert len(pages) >= 8
    for page in pages:
        mine = listed_posts(ours, page, "article.ew-entry h2 a")
        theirs = listed_posts(material, page, "article.md-post h2 a.toclink")
        assert mine == theirs, page
        assert mine, page
    first = listed_posts(ours, "index.html", "article.ew-entry h2 a")
    assert first[0] == "posts/pinned-old/"


def test_numbered_pages_link_to_the_same_pages(sites):
    ours, material = sites
    for page in listings(ours):
        assert pagination(ours, page) == pagination(material, page), page
    assert ("2", "page/2/") in pagination(ours, "index.html")


def test_each_post_links_to_the_same_older_and_newer_post(sites):
    ours, material = sites
    for page in sorted(uri for uri in blog_pages(ours) if uri.startswith("posts/")):
        for rel in ("prev", "next"):
            mine = parse(ours, page).select_one(f".ew-post-nav a[rel={rel}]")
            theirs = parse(material, page).select_one(f"link[rel={rel}]")
            assert (mine and resolve(page, mine["href"])) == (
                theirs and resolve(page, theirs["href"])), (page, rel)


def test_images_beside_posts_are_published_where_material_put_them(sites):
    ours, material = sites
    assert (ours / "images" / "dot.png").read_bytes() == PNG
    assert (material / "images" / "dot.png").is_file()
    page = "posts/fixture-post-05/index.html"
    for site in sites:
        [img] = parse(site, page).select(".md-content img")
        assert posixpath.normpath(posixpath.join("posts/fixture-post-05", img["src"])) == (
            "images/dot.png")


def test_a_blog_without_posts_builds_an_empty_home_page(tmp_path):
    project = copy_project(tmp_path / "blog")
    for post in (project / "docs" / "posts").glob("*.md"):
        post.unlink()
    site = tmp_path / "site"
    done = build(project, site)
    assert done.returncode == 0, done.stderr
    assert parse(site, "index.html").select("article.ew-entry") == []


def test_a_bad_posts_per_page_stops_the_build_with_one_line(tmp_path):
    project = copy_project(tmp_path / "blog")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "per_page: 10", "per_page: ten"), encoding="utf-8")
    done = build(project, tmp_path / "site")
    assert done.returncode == 1
    assert "extra.blog.per_page: found 'ten'; expected a whole number, 1 or more" in done.stderr
    assert "Traceback" not in done.stderr
