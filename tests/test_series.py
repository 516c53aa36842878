"""Series: the front-matter rules and the grouping (pure), then a real
strict build: Part N of M after the body, the series pages, the JSON-LD,
drafts left out, and a clash of names stopping the build with one line."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from posts import tag_slug
from test_accessibility import axe, report
from test_html_valid import vnu

from front_matter import check_series, series_clash
from series import group_series
from support import (
    SITE_PATH,
    StaticServer,
    build,
    built_site,
    copy_project,
    failed_line,
    parse,
    write_post,
)

BASE = "https://expectedwrong.github.io/expectedwrong/"


# -- Pure rules ---------------------------------------------------------------


@pytest.mark.parametrize(("value", "found"), [
    ("", "an empty string"),
    ("   ", "an empty string"),
    (3, "the number 3"),
    (["a"], "a list (1 items)"),
    ("!!!", '"!!!", which gives an empty address'),
])
def test_a_series_name_must_be_a_string_with_letters_or_digits(value, found):
    [problem] = check_series(value, tag_slug)
    assert (problem.key, problem.found) == ("series", found)


@pytest.mark.parametrize("value", [None, "Tape Models", "2026", "模型"])
def test_a_usable_series_name_or_none_has_no_problem(value):
    assert check_series(value, tag_slug) == []


def test_names_differing_only_by_case_are_one_series():
    seen: dict = {}
    assert series_clash("Tape Models", "docs/posts/a.md", seen, tag_slug) is None
    assert series_clash("tape models", "docs/posts/b.md", seen, tag_slug) is None


def test_two_names_at_one_address_are_one_line_naming_both_names_and_files():
    seen: dict = {}
    series_clash("Tape Models", "docs/posts/a.md", seen, tag_slug)
    line = series_clash("Tape-Models", "docs/posts/b.md", seen, tag_slug)
    assert line.startswith('docs/posts/b.md: series: found "Tape-Models", ')
    assert 'docs/posts/a.md names the series at series/tape-models/ "Tape Models"' in line
    assert "\n" not in line and "; expected " in line


def part(name, day, src):
    return SimpleNamespace(meta={"series": name}, file=SimpleNamespace(src_uri=src),
                           date=dt.datetime(2025, 1, day, tzinfo=dt.UTC))


def test_parts_are_oldest_first_and_the_first_part_names_the_series():
    second, first, tie = part("tape models", 9, "b.md"), part("Tape Models", 2, "z.md"), \
        part("Tape Models", 9, "a.md")
    [series] = group_series([second, part(None, 1, "x.md"), first, tie])
    assert (series.name, series.slug, series.url) == ("Tape Models", "tape-models",
                                                      "series/tape-models/")
    assert series.posts == [first, tie, second]


# -- In a real build ----------------------------------------------------------


def series_posts(project):
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    posts = [
        ("tape-2", "Tape, part two", "2025-03-01", "series: Tape Models\ntags: [tape]"),
        ("tape-1", "Tape, part one", "2025-01-01", "series: Tape Models\ntags: [tape]"),
        ("tape-3", "Tape, part three", "2025-05-01", "series: tape models\ntags: [tape]"),
        ("tape-draft", "Tape, a draft part", "2025-02-01", "series: Tape Models\ndraft: true"),
        ("tape-later", "Tape, a scheduled part", later, "series: Tape Models"),
        ("solo-1", "Solo part", "2025-04-01", "series: A <Solo> & Co"),
    ]
    for slug, title, day, extra in posts:
        write_post(project, slug, f"title: {title}\nslug: {slug}\ndescription: D.\n"
                   f"date: {day}\n{extra}", "Body.")
    return project


@pytest.fixture(scope="module")
def series_site(tmp_path_factory):
    project = series_posts(copy_project(tmp_path_factory.mktemp("series") / "blog"))
    site = project.parent / "site"
    built_site(project, site)
    return site


def series_nav(site, slug):
    return parse(site, f"posts/{slug}/index.html").select_one(".ew-series-nav")


def test_each_part_says_part_n_of_m_and_links_every_part_in_order(series_site):
    for number, slug in enumerate(["tape-1", "tape-2", "tape-3"], start=1):
        nav = series_nav(series_site, slug)
        title = nav.select_one("h2")
        assert " ".join(title.get_text().split()) == f"Part {number} of 3 of Tape Models"
        assert title.a["href"] == "../../series/tape-models/"
        links = nav.select("ol li a")
        assert [a.get_text() for a in links] == [
            "Tape, part one", "Tape, part two", "Tape, part three"]
        assert [a["href"] for a in links] == [
            "./" if at == number else f"../tape-{at}/" for at in (1, 2, 3)]
        assert [a.get("aria-current") for a in links] == [
            "page" if at == number else None for at in (1, 2, 3)]


def test_the_series_box_comes_after_the_body_and_before_the_footer(series_site):
    article = parse(series_site, "posts/tape-2/index.html").select_one("article")
    order = [tag.get("class", [None])[0] for tag in article.find_all(["nav", "footer"])
             if "ew-series-nav" in tag.get("class", []) or tag.name == "footer"]
    assert order == ["ew-series-nav", "ew-post-footer"]
    assert article.find(string=lambda text: "Body." in text).find_next(
        class_="ew-series-nav")


def test_a_post_outside_any_series_has_no_series_box(series_site):
    assert parse(series_site, "posts/openais-tape-models-and-the-sora-trade/index.html") \
        .select_one(".ew-series-nav") is None


def test_the_series_page_lists_its_published_parts_oldest_first(series_site):
    soup = parse(series_site, "series/tape-models/index.html")
    assert soup.h1.get_text() == "Tape Models"
    assert soup.select_one(".ew-count").get_text() == "A series in 3 parts"
    entries = soup.select("ol.ew-series-parts > li .ew-entry__title a")
    assert [(a.get_text(), a["href"]) for a in entries] == [
        ("Tape, part one", "../../posts/tape-1/"), ("Tape, part two", "../../posts/tape-2/"),
        ("Tape, part three", "../../posts/tape-3/")]


def test_the_series_index_lists_every_series_with_its_parts(series_site):
    soup = parse(series_site, "series/index.html")
    items = [(li.a.get_text(), li.a["href"], li.select_one(".ew-count").get_text())
             for li in soup.select(".ew-tag-index li")]
    # Slugged like a tag (pymdownx drops what looks like markup).
    assert items == [("A <Solo> & Co", "a---co/", "1 part"),
                     ("Tape Models", "tape-models/", "3 parts")]


def test_the_site_footer_links_the_series_index_only_when_there_are_series(series_site, site):
    footer = parse(series_site, "posts/tape-1/index.html").select_one(".ew-footer__nav")
    assert [a["href"] for a in footer.find_all("a") if a.get_text() == "Series"] == [
        "../../series/"]
    assert "Series" not in parse(site, "index.html").select_one(".ew-footer__nav").get_text()


def test_drafts_and_scheduled_parts_are_left_out_of_the_build(series_site):
    assert not (series_site / "posts" / "tape-draft").exists()
    assert not (series_site / "posts" / "tape-later").exists()
    for path in series_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "a draft part" not in text and "a scheduled part" not in text, path


def test_json_ld_marks_each_part_of_a_creative_work_series(series_site):
    soup = parse(series_site, "posts/tape-3/index.html")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["isPartOf"] == {"@type": "CreativeWorkSeries", "name": "Tape Models",
                                "url": BASE + "series/tape-models/"}
    solo = parse(series_site, "posts/solo-1/index.html")
    solo_data = json.loads(solo.find("script", type="application/ld+json").string)
    assert solo_data["isPartOf"]["name"] == "A <Solo> & Co"
    seed = parse(series_site, "posts/openais-tape-models-and-the-sora-trade/index.html")
    assert "isPartOf" not in json.loads(seed.find("script", type="application/ld+json").string)


def test_a_series_name_with_markup_is_shown_as_text(series_site):
    nav = series_nav(series_site, "solo-1")
    assert nav.select_one("h2 a").get_text() == "A <Solo> & Co"
    assert nav.find("solo") is None


def test_two_names_for_one_series_address_stop_the_build_with_one_line(tmp_path):
    project = copy_project(tmp_path / "blog")
    write_post(project, "first", "title: First\ndescription: D.\ndate: 2025-01-01\n"
               "series: Tape Models", "B.")
    write_post(project, "second", "title: Second\ndescription: D.\ndate: 2025-02-01\n"
               "series: Tape-Models", "B.")
    result = build(project, tmp_path / "site")
    line = failed_line(result, "series/tape-models/")
    assert line.startswith("ERROR")
    for part_of_it in ("docs/posts/first.md", "docs/posts/second.md", '"Tape Models"',
                       '"Tape-Models"', ": series: found "):
        assert part_of_it in line
    assert not (tmp_path / "site" / "index.html").exists()


def test_an_empty_series_name_stops_the_build_naming_file_line_and_key(tmp_path):
    project = copy_project(tmp_path / "blog")
    write_post(project, "empty", 'title: E\ndescription: D.\ndate: 2025-01-01\nseries: ""', "B.")
    result = build(project, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output
    assert "docs/posts/empty.md:5: series: found an empty string; expected " in output


# -- Valid and accessible -----------------------------------------------------


def test_series_pages_and_parts_are_valid_html(series_site):
    pages = [series_site / path for path in (
        "posts/tape-2/index.html", "posts/solo-1/index.html", "series/tape-models/index.html",
        "series/index.html")]
    errors = [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in vnu(*pages)]
    assert errors == []


@pytest.fixture(params=["light", "dark"])
def scheme_page(request, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  color_scheme=request.param)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", ["posts/tape-2/", "series/tape-models/", "series/"])
def test_series_box_related_posts_and_series_pages_have_no_axe_violations(
        series_site, scheme_page, path):
    server = StaticServer(series_site, SITE_PATH)
    try:
        scheme_page.goto(server.url + path, wait_until="networkidle")
        if path.startswith("posts/"):
            assert scheme_page.locator(".ew-series-nav, .ew-related").count() == 2
        violations = axe(scheme_page)
    finally:
        server.close()
    assert violations == [], report(violations)
