"""ProperDocs builds this blog exactly as MkDocs does, so a writer can switch
the day MkDocs 1.x stops being enough (README, Longevity).

ProperDocs (dev lock) is a package of its own, `properdocs`: its command
points `mkdocs` imports at its own modules in its own process only, so it
shares the venv with mkdocs 1.6.1, and Material and every hook run unchanged.
Both builds are strict, of the same project, at the same build time
(SOURCE_DATE_EPOCH: the gzip header of sitemap.xml.gz carries it), and every
file of the two sites is compared byte for byte.
"""

from __future__ import annotations

import subprocess
import sysconfig
from pathlib import Path

import pytest

from support import ROOT, copy_project, env, fixture_posts

SCRIPTS = Path(sysconfig.get_path("scripts"))
# Any fixed moment; both builds get the same.
BUILD_TIME = "1767225600"  # 2026-01-01T00:00:00Z


def build_with(command: str, project: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPTS / command), "build", "--strict", "--clean", "-f", "mkdocs.yml",
         "-d", str(site)],
        cwd=project, env={**env(), "SOURCE_DATE_EPOCH": BUILD_TIME},
        capture_output=True, text=True, timeout=300,
    )


def files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def both_sites(project: Path, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    sites = {}
    for command in ("mkdocs", "properdocs"):
        result = build_with(command, project, tmp_path / f"site-{command}")
        assert result.returncode == 0, f"{command}: {result.stderr}"
        assert "WARNING" not in result.stderr and "Traceback" not in result.stderr
        sites[command] = files(tmp_path / f"site-{command}")
    return sites["mkdocs"], sites["properdocs"]


def differences(ours: dict[str, bytes], theirs: dict[str, bytes]) -> list[str]:
    return sorted(set(ours) ^ set(theirs)) + [
        name for name in sorted(set(ours) & set(theirs)) if ours[name] != theirs[name]]


@pytest.fixture(scope="module")
def fixture_blog(tmp_path_factory) -> Path:
    """The blog with 38 more posts: tags, archive years, numbered pages, a
    pinned post, a draft, a future post and an image."""
    project = copy_project(tmp_path_factory.mktemp("properdocs-blog"))
    fixture_posts(project)
    return project


def test_properdocs_is_the_pinned_fork_of_mkdocs_1_6():
    version = subprocess.run([str(SCRIPTS / "properdocs"), "--version"],
                             capture_output=True, text=True, check=True).stdout
    assert version.startswith("properdocs, version 1.6.7 ")
    assert "properdocs==1.6.7" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")


def test_properdocs_builds_the_site_byte_for_byte_as_mkdocs_does(tmp_path):
    mkdocs, properdocs = both_sites(ROOT, tmp_path)
    # Not two empty folders: pages, feeds and the hooks' own pages are there.
    assert {"index.html", "feed.xml", "sitemap.xml.gz", "tags/index.html"} <= set(mkdocs)
    assert differences(mkdocs, properdocs) == []


def test_properdocs_builds_a_long_blog_byte_for_byte_as_mkdocs_does(fixture_blog, tmp_path):
    mkdocs, properdocs = both_sites(fixture_blog, tmp_path)
    assert {"page/2/index.html", "archive/2024/index.html", "tags/fixtures/feed.xml",
            "posts/fixture-post-00/index.html", "images/dot.png"} <= set(mkdocs)
    assert differences(mkdocs, properdocs) == []


def test_properdocs_stops_a_broken_post_with_the_same_one_line_message(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "docs" / "posts" / "broken.md").write_text(
        "---\ntitle: Broken\ndescription: D.\ndate: 2026-02-30\n---\n\nBody.\n", encoding="utf-8")
    messages = {}
    for command in ("mkdocs", "properdocs"):
        result = build_with(command, project, tmp_path / f"site-{command}")
        assert result.returncode == 1, f"{command}: {result.stderr}"
        assert "Traceback" not in result.stderr
        (line,) = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
        messages[command] = line
    assert "docs/posts/broken.md:4: date:" in messages["mkdocs"]
    assert messages["properdocs"] == messages["mkdocs"]
