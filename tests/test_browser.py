"""What a real headless Chromium renders from the built site served on
127.0.0.1: reading order, navigation, schemes and search, and that no page
asks another host for anything."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from support import SEED, SEED_POST, search_for

FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                      "\u2013": "-", "\u2014": "-"})
PAGES = {
    "home": "",
    "seed post": SEED_POST.removesuffix("index.html"),
    "tag page": "tags/openai/",
    "tags index": "tags/",
    "archive": "archive/",
    "year archive": "archive/2026/",
    "404": "404.html",
}


def collapse(text: str) -> str:
    return " ".join(text.translate(FOLD).split())


def visit(page, url: str) -> list[str]:
    """Open `url`, returning every URL the page requested."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url, wait_until="networkidle")
    return requested


def foreign(requested: list[str], server) -> list[str]:
    own = urlparse(server.url).netloc
    return [
        url for url in requested
        if urlparse(url).scheme not in ("data", "blob") and urlparse(url).netloc != own
    ]


def test_seed_post_renders_the_whole_seed_text_in_reading_order(page, server):
    visit(page, server.url + PAGES["seed post"])
    rendered = collapse(page.evaluate("document.body.innerText"))
    seed = collapse(SEED.read_text(encoding="utf-8"))
    assert seed.startswith("expectedwrong hindsight") and seed.endswith("I'm going with isn't.")
    assert seed in rendered


@pytest.mark.parametrize("name", PAGES)
def test_page_makes_no_request_to_another_host(page, server, name):
    requested = visit(page, server.url + PAGES[name])
    assert requested, "the page loaded nothing at all"
    assert foreign(requested, server) == []


def test_open_search_finds_the_seed_post_without_another_host(page, server):
    requested = visit(page, server.url)
    assert "Sora" in search_for(page, "sora").inner_text()
    assert foreign(requested, server) == []


def test_tag_link_on_the_post_leads_to_a_page_listing_the_post(page, server):
    visit(page, server.url + PAGES["seed post"])
    page.locator(".ew-post-header .ew-meta__tag", has_text="#world-models").click()
    page.wait_for_load_state()
    assert page.url.endswith("/tags/world-models/")
    assert page.locator("h1").inner_text() == "#world-models"
    assert page.locator(".ew-entry h2").inner_text() == "OpenAI's Tape Models and the Sora Trade"


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_scheme_follows_the_system_setting_by_default(browser, server):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(server.url + PAGES["seed post"])
        colours[scheme] = background(page)
        context.close()
    light = [int(c) for c in re.findall(r"\d+", colours["light"])[:3]]
    dark = [int(c) for c in re.findall(r"\d+", colours["dark"])[:3]]
    assert sum(light) > 600 and sum(dark) < 150, colours


def test_scheme_toggle_switches_and_is_remembered(browser, server):
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(server.url + PAGES["seed post"])
    before = background(page)
    # Auto -> light -> dark: the toggle cycles through the palette entries.
    for _ in range(2):
        page.locator(".md-header__option label:not([hidden])").click()
    after = background(page)
    assert after != before
    page.goto(server.url)
    assert background(page) == after
    context.close()
