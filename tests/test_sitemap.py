"""sitemap.xml gives each page the date of its content (hooks/sitemap_dates.py):
two real builds of one blog on two simulated days (MkDocs' build day comes
from SOURCE_DATE_EPOCH, its reproducible-builds setting) give the same
sitemap.xml and sitemap.xml.gz, and no `<lastmod>` is a build day."""

from __future__ import annotations

import datetime as dt
import gzip
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from support import copy_project, env, write_post

BASE = "https://expectedwrong.github.io/expectedwrong/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# Two build days, neither the date of any page.
DAYS = (dt.date(2030, 1, 1), dt.date(2031, 6, 15))


def build_on(project, site, day: dt.date) -> None:
    """A strict build of `project` as if run on `day`."""
    epoch = int(dt.datetime.combine(day, dt.time(12), dt.UTC).timestamp())
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-d", str(site)],
        cwd=project, env={**env(), "SOURCE_DATE_EPOCH": str(epoch)},
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def dated_blog(project):
    write_post(project, "updated-one", "title: Updated one\ndescription: D.\n"
               "date: 2025-01-10\nupdated: 2025-03-02\ntags: [x]", "B.")
    # 23:30 at UTC-5 is the next day in UTC.
    write_post(project, "late-evening", "title: Late evening\ndescription: D.\n"
               "date: 2025-02-01T23:30:00-05:00\ntags: [y]", "B.")
    write_post(project, "in-a-series", "title: In a series\ndescription: D.\n"
               "date: 2024-06-01\ntags: [x]\nseries: Dated", "B.")
    for number in range(10):
        write_post(project, f"filler-{number}", f"title: Filler {number}\ndescription: D.\n"
                   f"date: 2023-05-{number + 1:02d}", "B.")
    (project / "docs" / "about.md").write_text("# About\n\nNo date.\n", encoding="utf-8")
    (project / "docs" / "colophon.md").write_text(
        "---\nupdated: 2024-02-02\n---\n\n# Colophon\n\nDated.\n", encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    project = dated_blog(copy_project(tmp_path_factory.mktemp("sitemap") / "blog"))
    sites = [project.parent / f"site-{day.isoformat()}" for day in DAYS]
    for site, day in zip(sites, DAYS, strict=True):
        build_on(project, site, day)
    return sites


def lastmods(site) -> dict[str, str | None]:
    root = ET.parse(site / "sitemap.xml").getroot()
    return {url.findtext("s:loc", namespaces=NS).removeprefix(BASE):
            url.findtext("s:lastmod", namespaces=NS) for url in root.findall("s:url", NS)}


def test_an_unchanged_site_gives_the_same_sitemap_on_another_day(two_days):
    first, second = two_days
    assert (first / "sitemap.xml").read_bytes() == (second / "sitemap.xml").read_bytes()
    assert (first / "sitemap.xml.gz").read_bytes() == (second / "sitemap.xml.gz").read_bytes()


def test_the_gzipped_sitemap_is_the_sitemap(two_days):
    site = two_days[0]
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == \
        (site / "sitemap.xml").read_bytes()


def test_no_lastmod_is_the_day_of_the_build(two_days):
    dates = {date for date in lastmods(two_days[0]).values() if date}
    # No post of this blog is dated today, so no page may say today either.
    assert not dates & {day.isoformat() for day in (*DAYS, dt.date.today())}, dates


def test_a_post_is_dated_by_updated_else_date_in_utc(two_days):
    dates = lastmods(two_days[0])
    assert dates["posts/updated-one/"] == "2025-03-02"
    assert dates["posts/late-evening/"] == "2025-02-02"
    assert dates["posts/in-a-series/"] == "2024-06-01"
    assert dates["posts/openais-tape-models-and-the-sora-trade/"] == "2026-04-09"


def test_listings_and_indexes_are_dated_by_their_newest_post(two_days):
    dates = lastmods(two_days[0])
    newest = "2026-04-09"  # the seed post
    assert dates[""] == dates["page/2/"] == newest
    assert dates["archive/2025/"] == "2025-03-02"
    assert dates["archive/2023/"] == "2023-05-10"
    assert dates["tags/x/"] == "2025-03-02"
    assert dates["tags/y/"] == "2025-02-02"
    assert dates["series/dated/"] == dates["series/"] == "2024-06-01"
    assert dates["tags/"] == dates["archive/"] == newest


def test_other_pages_are_dated_by_their_own_front_matter_or_not_at_all(two_days):
    dates = lastmods(two_days[0])
    assert dates["colophon/"] == "2024-02-02"
    assert dates["about/"] is None


def test_a_date_still_to_come_is_dated_the_build_day_and_builds(tmp_path):
    project = copy_project(tmp_path / "blog")
    # Published early on purpose; past what a gzip header can hold, too.
    write_post(project, "far-ahead", "title: Far ahead\ndescription: D.\n"
               "date: 2999-01-01\ndraft: false", "B.")
    build_on(project, tmp_path / "site", DAYS[0])
    dates = lastmods(tmp_path / "site")
    assert dates["posts/far-ahead/"] == dates[""] == DAYS[0].isoformat()
    assert dates["posts/openais-tape-models-and-the-sora-trade/"] == "2026-04-09"
