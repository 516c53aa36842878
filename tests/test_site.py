"""The real site, built once with `mkdocs build --strict`, read with a parser."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlparse

from support import SEED_POST, parse

SEED_TAGS = ["openai", "gpt-image", "world-models", "visual-memory", "spud"]
SEED_TITLE = "OpenAI's Tape Models and the Sora Trade"


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def meta_line(soup) -> str:
    return text(soup.select_one(".ew-meta"))


def test_build_is_strict_and_prints_no_warning(built):
    _, log = built
    assert "WARNING" not in log
    assert "Traceback" not in log


def test_seed_post_meta_line_shows_read_time_words_and_tags(site):
    soup = parse(site, SEED_POST)
    assert meta_line(soup) == "2 min read 354 words " + " ".join(f"#{t}" for t in SEED_TAGS)


def test_seed_post_header_is_title_then_deck(site):
    header = parse(site, SEED_POST).select_one(".ew-post-header")
    assert text(header.h1) == SEED_TITLE
    assert text(header.select_one(".ew-post-header__deck")).startswith(
        "GPT-image showed up on the arena leaderboards"
    )


def test_seed_post_json_ld_is_a_blog_posting_with_the_same_numbers(site):
    soup = parse(site, SEED_POST)
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)
    assert data["@type"] == "BlogPosting"
    assert data["wordCount"] == 354
    assert data["timeRequired"] == "PT2M"
    assert data["headline"] == SEED_TITLE
    assert data["description"].startswith("GPT-image showed up")
    assert data["keywords"] == SEED_TAGS
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["datePublished"])
    assert data["dateModified"] == data["datePublished"]
    assert data["url"] == soup.find("link", rel="canonical")["href"]
    assert data["url"].endswith("/posts/openais-tape-models-and-the-sora-trade/")


def test_home_lists_the_seed_post_with_the_same_numbers(site):
    soup = parse(site, "index.html")
    entries = soup.select(".ew-entry")
    assert len(entries) == 1
    entry = entries[0]
    assert text(entry.h2) == SEED_TITLE
    line = meta_line(entry)
    assert "2 min read" in line and "354 words" in line
    assert entry.select_one(".ew-meta time")["datetime"]


def test_material_readtime_agrees_with_ours(site):
    # Material's own read-time strings ("N min read" from its language files)
    # must not appear anywhere with another number.
    for page in site.rglob("*.html"):
        for match in re.findall(r"(\d+) min read", page.read_text(encoding="utf-8")):
            assert match == "2", page


def test_every_tag_link_on_the_post_leads_to_a_page_listing_it(site):
    soup = parse(site, SEED_POST)
    links = soup.select(".ew-post-header .ew-meta__tag")
    assert [text(a) for a in links] == [f"#{t}" for t in SEED_TAGS]
    post_url = "posts/openais-tape-models-and-the-sora-trade/"
    for link in links:
        target = urljoin(post_url, link["href"])
        tag_page = parse(site, urlparse(target).path + "index.html")
        assert text(tag_page.h1) == text(link)
        entry_links = [urljoin(target, a["href"]) for a in tag_page.select(".ew-entry h2 a")]
        assert entry_links == [post_url]


def test_tags_index_lists_every_tag_with_its_count(site):
    soup = parse(site, "tags/index.html")
    items = {text(li.a): text(li.select_one(".ew-count")) for li in soup.select(".ew-tag-index li")}
    assert items == {f"#{t}": "1 post" for t in SEED_TAGS}


def test_archive_lists_the_post_under_its_year(site):
    soup = parse(site, "archive/index.html")
    assert [text(h2) for h2 in soup.select("article h2")] == ["2026"]
    assert [text(a) for a in soup.select(".ew-archive a")] == [SEED_TITLE]
    assert text(soup.select_one(".ew-archive__numbers")) == "2 min read, 354 words"
    year = parse(site, "archive/2026/index.html")
    assert [text(h2) for h2 in year.select(".ew-entry h2")] == [SEED_TITLE]


def test_post_footer_has_date_tags_and_way_back(site):
    footer = parse(site, SEED_POST).select_one(".ew-post-footer")
    assert footer.time["datetime"] == "2026-04-09"
    assert text(footer.time) == "April 9, 2026"
    assert len(footer.select(".ew-meta__tag")) == len(SEED_TAGS)
    assert footer.select_one(".ew-post-nav__all")["href"] == "../.."


def test_post_page_has_no_sidebars_or_table_of_contents(site):
    soup = parse(site, SEED_POST)
    assert not soup.select(".md-sidebar, .md-nav, .md-tabs")


def test_header_shows_wordmark_and_section_from_mkdocs_yml(site):
    header = parse(site, SEED_POST).select_one(".ew-header__brand")
    assert text(header) == "expectedwrong hindsight"
    assert header.a["href"] == "../.."


def test_no_page_references_another_host(site):
    # Scripts, styles, images, fonts and frames: the only things a page would
    # load. Links (<a>) and the canonical/JSON-LD addresses are not loads.
    for path in site.rglob("*.html"):
        soup = parse(site, str(path.relative_to(site)))
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"),
                          ("iframe", "src"), ("source", "src")):
            for element in soup.find_all(tag):
                value = element.get(attr)
                if not value or (tag == "link" and "canonical" in element.get("rel", [])):
                    continue
                assert not urlparse(value).netloc, f"{path}: {tag} {value}"


def test_theme_loads_no_web_fonts(site):
    css = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css
    assert not parse(site, "index.html").find("link", href=re.compile("fonts"))
