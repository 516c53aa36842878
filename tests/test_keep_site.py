"""hooks/keep_site.py and hooks/site_files.py: `mkdocs build` leaves the
site's files whose bytes do not change as they are, rewrites the rest and
takes out what is no longer built, so the folder is what MkDocs' emptying
it and writing it all again gives, byte for byte.

Each build is a real `mkdocs build --strict` process; a file left as it was
keeps its inode and change time, which any write would have changed.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import site_files

from support import SEED_URL, copy_project, env, fixture_posts, write_post

SLUG = "kept-site-post"
# The post's address, from its title.
POST = "posts/a-post-to-edit"


def build(project: Path, site: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site), *extra],
        cwd=project, env=env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def identities(site: Path) -> dict[str, site_files.Identity]:
    return {path.relative_to(site).as_posix(): site_files.identity(path.lstat())
            for path in site.rglob("*") if path.is_file()}


def fresh_site(project: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site a build into a new, empty folder writes (the cache may be warm:
    that it gives the same bytes as a cold one is tests/test_incremental.py's)."""
    folder = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    build(project, folder)
    return files_of(folder)


@pytest.fixture(scope="module")
def blog(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("keep-site"))
    fixture_posts(project)
    write_post(project, SLUG, "title: A post to edit\ndescription: Edited by the tests.\n"
               "date: 2024-05-01\ntags: [kept]", "The first body.\n")
    return project


def test_build_after_an_edit_rewrites_the_changed_files_only_and_is_a_fresh_build(blog, tmp_path):
    site = tmp_path / "site"
    build(blog, site)
    before = identities(site)
    post = blog / "docs" / "posts" / f"{SLUG}.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nA second paragraph.\n",
                    encoding="utf-8")
    build(blog, site)
    after = identities(site)
    rewritten = {rel for rel in after if after[rel] != before.get(rel)}
    assert f"{POST}/index.html" in rewritten
    # A post the edit does not touch, its card and the theme's files stay.
    assert f"{SEED_URL}index.html" not in rewritten
    assert f"{SEED_URL}card.png" not in rewritten
    assert not any(rel.startswith("assets/stylesheets/") for rel in rewritten)
    assert len(rewritten) < len(after) // 2
    assert files_of(site) == fresh_site(blog, tmp_path)


def test_build_takes_out_a_removed_posts_files_and_anything_else_it_did_not_write(blog, tmp_path):
    site = tmp_path / "site"
    extra = write_post(blog, "gone-soon", "title: Gone soon\ndescription: Removed.\n"
                       "date: 2024-06-01\ntags: [gone]", "Removed by the test.\n")
    build(blog, site)
    assert (site / "posts" / "gone-soon" / "index.html").is_file()
    extra.unlink()
    (site / "stray.txt").write_text("not part of the site", encoding="utf-8")
    (site / "stray-folder" / "deeper").mkdir(parents=True)
    (site / "stray-folder" / "deeper" / "x.html").write_text("x", encoding="utf-8")
    build(blog, site)
    assert not (site / "posts" / "gone-soon").exists()
    assert not (site / "tags" / "gone").exists()
    assert not (site / "stray.txt").exists()
    assert not (site / "stray-folder").exists()
    assert files_of(site) == fresh_site(blog, tmp_path)


def test_build_leaves_the_sites_own_hidden_entries_as_mkdocs_clean_does(blog, tmp_path):
    site = tmp_path / "site"
    build(blog, site)
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    (site / ".nojekyll").write_text("", encoding="utf-8")
    (site / "posts" / ".stray").write_text("inside a folder of the site", encoding="utf-8")
    build(blog, site)
    assert (site / ".git" / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/gh-pages\n"
    assert (site / ".nojekyll").is_file()
    assert not (site / "posts" / ".stray").exists()


def test_site_file_changed_or_removed_by_hand_is_written_again(blog, tmp_path):
    site = tmp_path / "site"
    build(blog, site)
    page = site / POST / "index.html"
    card = site / POST / "card.png"
    good_page, good_card = page.read_bytes(), card.read_bytes()
    # Same size, other bytes: only the change time tells.
    page.write_bytes(good_page.replace(b"<html", b"<HTML", 1))
    card.unlink()
    stat = (site / "404.html").stat()
    (site / "404.html").write_bytes(b"x" * stat.st_size)
    os.utime(site / "404.html", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build(blog, site)
    assert page.read_bytes() == good_page
    assert card.read_bytes() == good_card
    assert files_of(site) == fresh_site(blog, tmp_path)


def test_build_writes_over_a_file_where_a_folder_goes_and_a_folder_where_a_file_goes(
        blog, tmp_path):
    site = tmp_path / "site"
    build(blog, site)
    # As if a file had been renamed to a folder since the last build, and
    # the other way round.
    shutil.rmtree(site / "tags")
    (site / "tags").write_text("a file where a folder goes", encoding="utf-8")
    (site / "404.html").unlink()
    (site / "404.html" / "inside").mkdir(parents=True)
    shutil.rmtree(site / POST)
    (site / POST).write_text("where the post's folder and its card go", encoding="utf-8")
    build(blog, site)
    assert files_of(site) == fresh_site(blog, tmp_path)


def test_room_is_made_only_inside_the_site(tmp_path):
    site, outside = tmp_path / "site", tmp_path / "outside"
    (site / "a").mkdir(parents=True)
    (site / "a" / "b").write_text("in the way", encoding="utf-8")
    outside.mkdir()
    (outside / "c").write_text("not the site's", encoding="utf-8")
    (site / "link").symlink_to(outside, target_is_directory=True)
    assert site_files.make_room(str(site), str(site / "a" / "b" / "index.html"))
    assert not (site / "a" / "b").exists()
    assert not site_files.make_room(str(site), str(site / "link" / "c" / "index.html"))
    assert (outside / "c").is_file()
    assert not site_files.make_room(str(site), str(site / "a" / "new.html"))


def test_build_without_a_record_keeps_the_files_that_hold_its_bytes_and_writes_the_rest(
        blog, tmp_path):
    site, outside = tmp_path / "site", tmp_path / "outside"
    build(blog, site)
    for record in (blog / ".cache" / "site").iterdir():
        record.unlink()
    good_page = (site / POST / "index.html").read_bytes()
    (site / POST / "index.html").write_bytes(good_page.replace(b"<html", b"<HTML", 1))
    (site / "stray.txt").write_text("left from something else", encoding="utf-8")
    # A page that is a hard link to a file outside the site, and a card that
    # is a symbolic link to one: the build must not write through either.
    outside.mkdir()
    (outside / "linked.html").write_bytes(b"outside, hard-linked")
    (site / "404.html").unlink()
    os.link(outside / "linked.html", site / "404.html")
    (outside / "card.png").write_bytes(b"outside, symlinked")
    (site / SEED_URL / "card.png").unlink()
    (site / SEED_URL / "card.png").symlink_to(outside / "card.png")
    before = identities(site)
    build(blog, site)
    after = identities(site)
    assert not (site / "stray.txt").exists()
    assert (outside / "linked.html").read_bytes() == b"outside, hard-linked"
    assert (outside / "card.png").read_bytes() == b"outside, symlinked"
    assert not (site / SEED_URL / "card.png").is_symlink()
    assert (site / "404.html").stat().st_nlink == 1
    # The page with other bytes is written into the file that is there.
    assert after[f"{POST}/index.html"][1] == before[f"{POST}/index.html"][1]
    assert after[f"{POST}/index.html"] != before[f"{POST}/index.html"]
    # The files that held the build's bytes are left as they were.
    assert after[f"{SEED_URL}index.html"] == before[f"{SEED_URL}index.html"]
    assert all(after[rel] == before[rel] for rel in after if rel.startswith("assets/"))
    rewritten = {rel for rel in after if after[rel] != before.get(rel)}
    assert len(rewritten) < len(after) // 4, sorted(rewritten)
    assert files_of(site) == fresh_site(blog, tmp_path)


def test_dirty_build_stops_with_one_line_and_leaves_the_site_alone(blog, tmp_path):
    site = tmp_path / "site"
    build(blog, site)
    before = identities(site)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--dirty", "-d", str(site)],
        cwd=blog, env=env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "--dirty" in line]
    assert len(lines) == 1, result.stderr
    assert "not supported by this blog" in lines[0]
    assert "expected mkdocs build without --dirty" in lines[0]
    assert identities(site) == before


def test_build_that_fails_after_it_began_leaves_no_record_and_the_next_one_is_fresh(
        blog, tmp_path):
    site = tmp_path / "site"
    build(blog, site)
    record = site_files.record_path(blog, str(site))
    assert record.is_file()
    template = blog / "overrides" / "main.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good + "\n{% block broken %}{{ page.title | no_such_filter }}"
                        "{% endblock %}\n", encoding="utf-8")
    try:
        failed = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
            cwd=blog, env=env(), capture_output=True, text=True, timeout=300)
    finally:
        template.write_text(good, encoding="utf-8")
    assert failed.returncode != 0
    assert not record.exists()
    (site / "stray.txt").write_text("x", encoding="utf-8")
    build(blog, site)
    assert not (site / "stray.txt").exists()
    assert files_of(site) == fresh_site(blog, tmp_path)


# -- Pure helpers -------------------------------------------------------------


def stat_of(path: Path) -> os.stat_result:
    return path.lstat()


def test_file_is_stale_unless_kept_written_or_changed_since_the_build_began(tmp_path):
    path = tmp_path / "file"
    path.write_bytes(b"old")
    stat = stat_of(path)
    same = {"file": (site_files.identity(stat), ("bytes", b""))}
    later = stat.st_ctime_ns + 1
    assert site_files.is_stale("file", stat, {}, same, later)
    assert site_files.is_stale("file", stat, {}, {}, later)
    assert not site_files.is_stale("file", stat, {"file": same["file"]}, same, later)
    # Written by another writer after the build began.
    assert not site_files.is_stale("file", stat, {}, {}, stat.st_ctime_ns)
    # ... but exactly as the last build left it: not written again.
    assert site_files.is_stale("file", stat, {}, same, stat.st_ctime_ns)


def test_file_is_kept_only_with_the_recorded_bytes_and_identity(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_bytes(b"<p>a</p>")
    holds = site_files.holds_bytes(b"<p>a</p>")
    known = {"a.html": (site_files.identity((site / "a.html").lstat()), holds)}
    build_ = site_files.Site(str(site), tmp_path / "record.pickle", dict(known))
    assert build_.keep("a.html", holds)
    assert not build_.keep("a.html", site_files.holds_bytes(b"<p>b</p>"))
    assert not build_.keep("missing.html", holds)
    (site / "a.html").write_bytes(b"<p>a</p>")  # the same bytes, written again
    assert not site_files.Site(str(site), tmp_path / "r", dict(known)).keep("a.html", holds)


def test_copy_is_known_by_its_sources_identity(tmp_path):
    source = tmp_path / "card.png"
    source.write_bytes(b"png")
    first = site_files.holds_copy(source)
    assert first == site_files.holds_copy(source)
    replacement = tmp_path / "new.png"
    replacement.write_bytes(b"png")
    os.replace(replacement, source)
    assert site_files.holds_copy(source) != first
    assert site_files.holds_copy(tmp_path / "missing.png") is None


def test_record_of_another_folder_format_or_unreadable_is_none(tmp_path):
    path = tmp_path / "record.pickle"
    site_files.write_record(path, str(tmp_path / "site"), {"a": ((1, 2, 3, 4, 5), ("bytes", b""))})
    assert site_files.read_record(path, str(tmp_path / "site")) == {
        "a": ((1, 2, 3, 4, 5), ("bytes", b""))}
    assert site_files.read_record(path, str(tmp_path / "other")) is None
    path.write_bytes(pickle.dumps({"format": site_files.FORMAT + 1, "site": "x", "files": {}}))
    assert site_files.read_record(path, "x") is None
    path.write_bytes(b"not a pickle")
    assert site_files.read_record(path, "x") is None
    assert site_files.read_record(tmp_path / "none.pickle", "x") is None


def test_path_outside_the_site_has_no_relative_path(tmp_path):
    build_ = site_files.Site(str(tmp_path / "site"), tmp_path / "r", {})
    assert build_.rel(tmp_path / "site" / "posts" / "a" / "index.html") == "posts/a/index.html"
    assert build_.rel(tmp_path / "site-other" / "index.html") is None
    assert build_.rel(tmp_path / "elsewhere.html") is None


def test_file_holds_bytes_only_if_it_is_a_plain_file_with_exactly_them(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(b"<p>a</p>")
    assert site_files.holds_now(page, b"<p>a</p>")
    assert not site_files.holds_now(page, b"<p>b</p>")
    assert not site_files.holds_now(page, b"<p>a</p>\n")
    assert not site_files.holds_now(tmp_path / "missing.html", b"")
    (tmp_path / "hard.html").hardlink_to(page)
    assert not site_files.holds_now(page, b"<p>a</p>")
    link = tmp_path / "link.html"
    link.symlink_to(tmp_path / "hard.html")
    assert not site_files.holds_now(link, b"<p>a</p>")


def test_copy_holds_its_sources_bytes_only_as_a_plain_file(tmp_path):
    source, copy = tmp_path / "card.png", tmp_path / "site-card.png"
    source.write_bytes(b"png bytes")
    shutil.copyfile(source, copy)
    assert site_files.same_copy(source, copy)
    copy.write_bytes(b"png bytez")
    assert not site_files.same_copy(source, copy)
    copy.unlink()
    copy.symlink_to(source)
    assert not site_files.same_copy(source, copy)
    assert not site_files.same_copy(tmp_path / "missing.png", source)


def test_detach_takes_out_links_only(tmp_path):
    plain, other = tmp_path / "plain", tmp_path / "other"
    plain.write_bytes(b"x")
    other.write_bytes(b"y")
    site_files.detach(plain)
    assert plain.read_bytes() == b"x"
    hard = tmp_path / "hard"
    hard.hardlink_to(other)
    site_files.detach(hard)
    assert not hard.exists() and other.read_bytes() == b"y"
    soft = tmp_path / "soft"
    soft.symlink_to(other)
    site_files.detach(soft)
    assert not soft.is_symlink() and other.read_bytes() == b"y"
    site_files.detach(tmp_path / "missing")
